/* SPDX-License-Identifier: MIT */
/* The streaming JSON writer prints what jansson's json_dumps(JSON_COMPACT) printed for
 * the same values: the API's bytes must not change with the writer. */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "tap.h"

typedef void (*string_writer)(struct kh_jsonw *w, const char *s, size_t n);

/* [s] through @p put; NULL when it failed. */
static char *writer_string_by(string_writer put, const char *s, size_t n, size_t *ret_len)
{
	struct kh_jsonw w;

	kh_jsonw_init(&w, 0);
	kh_jsonw_open(&w, '[');
	put(&w, s, n);
	kh_jsonw_close(&w, ']');
	return kh_jsonw_steal(&w, ret_len);
}

static char *writer_string(const char *s, size_t n, size_t *ret_len)
{
	return writer_string_by(kh_jsonw_strn, s, n, ret_len);
}

/* [s] through jansson; NULL when it refuses the string. */
static char *jansson_string(const char *s, size_t n)
{
	json_t *arr = json_array();
	json_t *str = json_stringn(s, n);
	char *out = NULL;

	if (str != NULL && json_array_append_new(arr, str) == 0)
		out = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return out;
}

/* Same bytes, or both refuse. */
static bool same_string(const char *s, size_t n)
{
	size_t len = 0;
	char *got = writer_string(s, n, &len);
	char *want = jansson_string(s, n);
	bool same = (got == NULL && want == NULL) ||
		    (got != NULL && want != NULL && len == strlen(want) && memcmp(got, want, len) == 0);

	if (!same)
		printf("# writer: %.200s\n# jansson: %.200s\n", got ? got : "(refused)", want ? want : "(refused)");
	free(got);
	free(want);
	return same;
}

static void test_tricky_strings(void)
{
	static const struct {
		const char *s;
		size_t n;
		const char *what;
	} cases[] = {
		{ "", 0, "empty" },
		{ "plain ascii", 11, "ascii" },
		{ "say \"hi\"", 8, "quotes" },
		{ "back\\slash\\", 11, "backslashes" },
		{ "a/b</script>", 12, "slash stays" },
		{ "\b\f\n\r\t", 5, "named controls" },
		{ "\x01\x02\x1f\x7f", 4, "other controls, DEL" },
		{ "nul\0inside", 10, "NUL inside" },
		{ "line\xe2\x80\xa8sep\xe2\x80\xa9", 13, "U+2028 U+2029" },
		{ "\xf0\x9f\x98\x80\xf0\x9f\x87\xb8\xf0\x9f\x87\xbe", 12, "emoji" },
		{ "قال الوزير «إن المحادثات» ستستأنف", strlen("قال الوزير «إن المحادثات» ستستأنف"), "Arabic" },
		{ "\xef\xbb\xbf\xe2\x80\x8f\xd9\x8e", 8, "BOM, RLM, haraka" },
		{ "\xf4\x8f\xbf\xbf", 4, "U+10FFFF" },
		{ "\xc3", 1, "truncated 2-byte" },
		{ "\xe2\x80", 2, "truncated 3-byte" },
		{ "\xc0\xaf", 2, "overlong slash" },
		{ "\xe0\x80\xaf", 3, "overlong 3-byte" },
		{ "\xf0\x80\x80\xaf", 4, "overlong 4-byte" },
		{ "\xed\xa0\x80", 3, "surrogate" },
		{ "\xf4\x90\x80\x80", 4, "above U+10FFFF" },
		{ "\xf8\x88\x80\x80\x80", 5, "5-byte form" },
		{ "\x80", 1, "lone continuation" },
		{ "ok\xff", 3, "0xFF" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(same_string(cases[i].s, cases[i].n), "string like jansson: %s", cases[i].what);
}

/* Every code point in one string: the escapes and the pass-through of all of Unicode. */
static void test_all_code_points(void)
{
	char *s = malloc(4 * 0x110000);
	size_t n = 0;

	for (uint32_t c = 0; s != NULL && c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		if (c < 0x80) {
			s[n++] = (char)c;
		} else if (c < 0x800) {
			s[n++] = (char)(0xC0 | c >> 6);
			s[n++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			s[n++] = (char)(0xE0 | c >> 12);
			s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			s[n++] = (char)(0xF0 | c >> 18);
			s[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
			s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[n++] = (char)(0x80 | (c & 0x3F));
		}
	}
	tap_ok(s != NULL && same_string(s, n), "every code point like jansson");
	free(s);
}

/* The checking writer goes eight bytes a step through clean words: a bad or escaped byte
 * at any place of such a word is still seen. */
static void test_word_steps(void)
{
	static const char *const bad_pairs[] = { "\xc0\xaf", "\xc1\xbf", "\xd8" "A", "\xd8\xd8", "\x80\x80" };
	static const char esc[] = { '"', '\\', '\n', '\x01', '\x1f', 'a' };
	bool ok = true;

	for (size_t b = 0; b < sizeof(bad_pairs) / sizeof(bad_pairs[0]); b++) {
		for (unsigned pos = 0; pos < 8; pos++) {
			char s[24];

			for (unsigned i = 0; i < 12; i++)
				memcpy(s + 2 * i, "\xd8\xa7", 2); /* ا */
			memcpy(s + 2 * pos, bad_pairs[b], 2);
			ok = ok && same_string(s, sizeof(s));
		}
	}
	tap_ok(ok, "a bad pair anywhere among Arabic letters: refused like jansson");
	ok = true;
	for (size_t e = 0; e < sizeof(esc); e++) {
		for (unsigned pos = 0; pos < 24; pos++) {
			char s[24];

			memset(s, 'x', sizeof(s));
			s[pos] = esc[e];
			ok = ok && same_string(s, sizeof(s));
		}
	}
	tap_ok(ok, "an escaped byte anywhere in ASCII words: escaped like jansson");
	ok = true;
	for (size_t i = 0; i < 4; i++) {
		static const char *const names[] = { "e1", "a123456789", "PERSON", "" };
		size_t la = 0, lb = 0;
		char *a = writer_string(names[i], strlen(names[i]), &la);
		char *b = writer_string_by(kh_jsonw_plain, names[i], strlen(names[i]), &lb);

		ok = ok && a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;
		free(a);
		free(b);
	}
	tap_ok(ok, "ids and enum names written plain: as the checking writer writes them");
}

/* kh_jsonw_strn_utf8 writes what kh_jsonw_strn writes for valid UTF-8. */
static bool same_as_checked(const char *s, size_t n)
{
	size_t la = 0, lb = 0;
	char *a = writer_string(s, n, &la), *b = writer_string_by(kh_jsonw_strn_utf8, s, n, &lb);
	bool same = a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;

	free(a);
	free(b);
	return same;
}

/* Random valid strings of pieces that straddle the 8-byte steps: ASCII, Arabic, emoji,
 * a quote, a backslash, controls. */
static void test_valid_utf8_writer(void)
{
	static const char *const pieces[] = { "a", "Z9", "\xd9\x82", "\xd8\xa7\xd9\x84", "\xf0\x9f\x98\x80",
					      "\xe2\x80\x8f", "\"", "\\", "\n", "\x01", "\x1f", " ", "\x7f" };
	uint32_t seed = 12345;
	char s[256];
	bool ok = true;

	for (int round = 0; round < 20000 && ok; round++) {
		size_t n = 0, want = (size_t)(round % 120);

		while (n < want) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			/* mostly plain text, so that long clean runs come before an escape */
			p = pieces[(seed >> 16) % 8 < 6 ? (seed >> 20) % 6 : (seed >> 20) % 13];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		ok = same_as_checked(s, n);
		if (!ok)
			printf("# differs on round %d (%zu bytes)\n", round, n);
	}
	tap_ok(ok, "the valid-UTF-8 writer writes what the checking one writes (20000 random strings)");
	tap_ok(same_as_checked("", 0), "empty string");
	tap_ok(same_as_checked("\xd9\x82\xd9\x82\xd9\x82\xd9\x82\"\xd9\x82", 11), "escape after a clean 8-byte step");
}

/* What is valid UTF-8: every lead byte with every second byte, then two fixed tails. */
static void test_validity(void)
{
	static const unsigned char tails[][2] = { { 0x80, 0x80 }, { 0xBF, 0xBF }, { 0x41, 0x80 }, { 0x80, 0xC0 } };
	unsigned mismatches = 0;

	for (unsigned lead = 0x80; lead <= 0xFF; lead++) {
		for (unsigned second = 0; second <= 0xFF; second++) {
			for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
				char s[4] = { (char)lead, (char)second, (char)tails[t][0], (char)tails[t][1] };

				for (size_t n = 1; n <= 4; n++)
					if (!same_string(s, n))
						mismatches++;
			}
		}
	}
	tap_is_int(mismatches, 0, "the same byte sequences are refused as by jansson");
}

static bool same_integer(long long v)
{
	struct kh_jsonw w;
	json_t *arr = json_pack("[I]", (json_int_t)v);
	char *want = json_dumps(arr, JSON_COMPACT);
	char *got;
	bool same;

	kh_jsonw_init(&w, 0);
	kh_jsonw_open(&w, '[');
	kh_jsonw_int(&w, v);
	kh_jsonw_close(&w, ']');
	got = kh_jsonw_steal(&w, NULL);
	same = got != NULL && want != NULL && strcmp(got, want) == 0;
	if (!same)
		printf("# writer: %s\n# jansson: %s\n", got ? got : "(null)", want ? want : "(null)");
	free(got);
	free(want);
	json_decref(arr);
	return same;
}

static void test_integers(void)
{
	static const long long values[] = { 0, 1, -1, 9, 10, 99, 100, 4294967295LL, 4294967296LL,
					    LLONG_MAX, LLONG_MIN, LLONG_MIN + 1 };

	unsigned mismatches = 0;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		tap_ok(same_integer(values[i]), "integer %lld like jansson", values[i]);
	for (long long v = -1000; v <= 100000; v++)
		mismatches += !same_integer(v);
	for (long long p = 10; p < LLONG_MAX / 10; p *= 10)
		mismatches += !same_integer(p - 1) + !same_integer(p) + !same_integer(p + 1) + !same_integer(-p);
	tap_is_int(mismatches, 0, "integers -1000..100000 and around powers of ten like jansson");
}

/* Commas and nesting: an object with every kind of member, like the tree's dump. */
static void test_structure(void)
{
	struct kh_jsonw w;
	json_t *root = json_pack("{s:[],s:{},s:[{s:i},{s:n,s:b,s:b}],s:s,s:[i,s,n]}", "a", "o", "list",
				 "x", 1, "y", "t", 1, "f", 0, "s", "v", "mixed", 2, "z");
	char *want = json_dumps(root, JSON_COMPACT);
	char *got;

	kh_jsonw_init(&w, 1);
	kh_jsonw_open(&w, '{');
	KH_JSONW_KEY(&w, "a");
	kh_jsonw_open(&w, '[');
	kh_jsonw_close(&w, ']');
	KH_JSONW_KEY(&w, "o");
	kh_jsonw_open(&w, '{');
	kh_jsonw_close(&w, '}');
	KH_JSONW_KEY(&w, "list");
	kh_jsonw_open(&w, '[');
	kh_jsonw_open(&w, '{');
	KH_JSONW_KEY(&w, "x");
	kh_jsonw_int(&w, 1);
	kh_jsonw_close(&w, '}');
	kh_jsonw_open(&w, '{');
	KH_JSONW_KEY(&w, "y");
	kh_jsonw_null(&w);
	KH_JSONW_KEY(&w, "t");
	kh_jsonw_bool(&w, true);
	KH_JSONW_KEY(&w, "f");
	kh_jsonw_bool(&w, false);
	kh_jsonw_close(&w, '}');
	kh_jsonw_close(&w, ']');
	KH_JSONW_KEY(&w, "s");
	kh_jsonw_str(&w, "v");
	KH_JSONW_KEY(&w, "mixed");
	kh_jsonw_open(&w, '[');
	kh_jsonw_int(&w, 2);
	kh_jsonw_str(&w, "z");
	kh_jsonw_null(&w);
	kh_jsonw_close(&w, ']');
	kh_jsonw_close(&w, '}');
	got = kh_jsonw_steal(&w, NULL);
	tap_ok(got != NULL && want != NULL && strcmp(got, want) == 0, "nesting and commas like jansson");
	if (got != NULL && want != NULL && strcmp(got, want) != 0)
		printf("# writer: %s\n# jansson: %s\n", got, want);
	free(got);
	free(want);
	json_decref(root);
}

/* A bad string fails the whole text, and the writer can be released after. */
static void test_failure(void)
{
	struct kh_jsonw w;
	size_t len = 12345;

	kh_jsonw_init(&w, 0);
	kh_jsonw_open(&w, '[');
	kh_jsonw_str(&w, "fine");
	kh_jsonw_strn(&w, "\xff", 1);
	kh_jsonw_str(&w, "after");
	kh_jsonw_close(&w, ']');
	tap_ok(kh_jsonw_steal(&w, &len) == NULL, "invalid UTF-8 fails the text");
	tap_is_int((long long)len, 12345, "ret_len is not written on failure");
	kh_jsonw_done(&w);
}

int main(void)
{
	test_tricky_strings();
	test_all_code_points();
	test_valid_utf8_writer();
	test_word_steps();
	test_validity();
	test_integers();
	test_structure();
	test_failure();
	return tap_done();
}
