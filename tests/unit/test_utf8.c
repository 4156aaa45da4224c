/* SPDX-License-Identifier: MIT */
/* kh_utf8_valid (which checks sixteen bytes at a time with SSE2, or eight, while they are ASCII or two-byte
 * characters) against a plain byte-by-byte reading of RFC 3629, on strings built to cross
 * its eight-byte steps with every kind of sequence, valid and not. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "utf8.h"

/* The reference: the well-formed byte sequences of RFC 3629 / Unicode table 3-7. */
static size_t ref_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned n;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else {
			return i;
		}
		if (i + n > len || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (unsigned k = 2; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n;
	}
	return SIZE_MAX;
}

static uint32_t seed = 2463534242u;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed % n;
}

/* Mostly ASCII and Arabic letters, now and then any byte: the fast path and its exits. */
static size_t random_text(unsigned char *s, size_t max)
{
	size_t len = rnd((uint32_t)max + 1), i = 0;

	while (i < len) {
		uint32_t k = rnd(100);

		if (k < 40) {
			s[i++] = (unsigned char)(0x20 + rnd(0x5F));
		} else if (k < 85 && i + 1 < len) {
			s[i++] = (unsigned char)(0xD8 + rnd(4));
			s[i++] = (unsigned char)(0x80 + rnd(0x40));
		} else if (k < 92 && i + 2 < len) {
			s[i++] = 0xE2;
			s[i++] = 0x80;
			s[i++] = (unsigned char)(0x80 + rnd(0x40));
		} else {
			s[i++] = (unsigned char)rnd(256);
		}
	}
	return len;
}

static int agrees(const unsigned char *s, size_t len)
{
	size_t bad = SIZE_MAX, want = ref_bad(s, len);
	bool ok = kh_utf8_valid((const char *)s, len, &bad);

	return ok ? want == SIZE_MAX : want == bad;
}

static void test_cases(void)
{
	static const struct {
		const char *s;
		size_t bad; /* SIZE_MAX: valid */
	} cases[] = {
		{ "abcdefgh", SIZE_MAX },
		{ "\xd9\x82\xd8\xa7\xd9\x84 abc", SIZE_MAX },
		{ "abcdefg\xd9\x82", SIZE_MAX },         /* a letter across the eight-byte step */
		{ "abcdefg\xd9", 7 },                      /* cut at the end */
		{ "abcdefgh\xc0\x80", 8 },                 /* overlong */
		{ "abcdefg\xc1\xbf", 7 },                  /* overlong */
		{ "abcdef\xed\xa0\x80", 6 },               /* surrogate */
		{ "\xf4\x90\x80\x80", 0 },                 /* above U+10FFFF */
		{ "\xf0\x9f\x98\x80\xd9\x82", SIZE_MAX },  /* emoji, then a letter */
		{ "abc\xd9\x82\x82", 5 },                  /* a stray continuation byte */
		{ "\xd8\xa7\xd8\xa7\xd8\xa7\xd8\xa7\xff", 8 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad = SIZE_MAX;
		bool ok = kh_utf8_valid(cases[i].s, strlen(cases[i].s), &bad);
		char name[64];

		snprintf(name, sizeof(name), "case %zu", i);
		tap_ok(cases[i].bad == SIZE_MAX ? ok : !ok && bad == cases[i].bad, "%s", name);
	}
}

static void test_random(void)
{
	unsigned char buf[80];
	unsigned failures = 0;

	for (unsigned it = 0; it < 300000; it++) {
		size_t off = rnd(8);
		size_t len = random_text(buf + off, sizeof(buf) - 8);

		if (!agrees(buf + off, len) && failures++ == 0)
			printf("# first disagreement at iteration %u (length %zu)\n", it, len);
	}
	tap_is_int(failures, 0, "300000 random texts at every alignment: same verdict and bad offset");
}

int main(void)
{
	test_cases();
	test_random();
	return tap_done();
}
