/* SPDX-License-Identifier: MIT */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#define JSONW_MIN_CAP 256

void kh_jsonw_init(struct kh_jsonw *w, size_t hint)
{
	*w = (struct kh_jsonw){ 0 };
	if (hint > 0)
		kh_jsonw_reserve_slow(w, hint);
}

void kh_jsonw_done(struct kh_jsonw *w)
{
	free(w->data);
	*w = (struct kh_jsonw){ 0 };
}

char *kh_jsonw_steal(struct kh_jsonw *w, size_t *ret_len)
{
	char *d;

	if (w->failed || !kh_jsonw_reserve(w, 0)) {
		kh_jsonw_done(w);
		return NULL;
	}
	d = w->data;
	d[w->len] = '\0';
	if (ret_len != NULL)
		*ret_len = w->len;
	*w = (struct kh_jsonw){ 0 };
	return d;
}

bool kh_jsonw_reserve_slow(struct kh_jsonw *w, size_t extra)
{
	size_t need, ncap;
	char *nd;

	if (w->failed)
		return false;
	need = w->len + extra + 1;
	if (need <= w->cap)
		return true;
	ncap = w->cap != 0 ? w->cap : JSONW_MIN_CAP;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(w->data, ncap);
	if (nd == NULL) {
		w->failed = true;
		return false;
	}
	w->data = nd;
	w->cap = ncap;
	return true;
}

/* Length of the valid UTF-8 sequence at s[0] (at most @p avail bytes), 0 when invalid:
 * jansson's utf8_check_first() and utf8_check_full(), so that we refuse what it refuses. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	uint32_t v;
	size_t n;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0; /* a continuation byte, 0xC0/0xC1, or 0xF5 and above */
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

/* The escape of a control byte, as jansson's dump_string() writes it. */
static void put_control(struct kh_jsonw *w, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char seq[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '\b':
		kh_jsonw_raw(w, "\\b", 2);
		break;
	case '\f':
		kh_jsonw_raw(w, "\\f", 2);
		break;
	case '\n':
		kh_jsonw_raw(w, "\\n", 2);
		break;
	case '\r':
		kh_jsonw_raw(w, "\\r", 2);
		break;
	case '\t':
		kh_jsonw_raw(w, "\\t", 2);
		break;
	default:
		kh_jsonw_raw(w, seq, sizeof(seq));
		break;
	}
}

static void put_escape(struct kh_jsonw *w, unsigned char c)
{
	if (c == '"' || c == '\\') {
		char esc[2] = { '\\', (char)c };

		kh_jsonw_raw(w, esc, 2);
	} else {
		put_control(w, c);
	}
}

/* What a byte asks of the escaper: most bytes of a response are ASCII letters and digits or
 * the two-byte sequences of Arabic letters, so both are told apart with one look-up. */
enum { B_PLAIN = 0, B_ESCAPE, B_LEAD2, B_LEAD34, B_BAD };

static const unsigned char byte_class[256] = {
	[0x00 ... 0x1F] = B_ESCAPE, ['"'] = B_ESCAPE, ['\\'] = B_ESCAPE,
	[0x80 ... 0xC1] = B_BAD,    [0xC2 ... 0xDF] = B_LEAD2,
	[0xE0 ... 0xF4] = B_LEAD34, [0xF5 ... 0xFF] = B_BAD,
};

/* Nonzero when one of the eight bytes of @p x is below 0x20, '"' or '\\' (the bytes a
 * JSON string escapes).  The usual has-zero-byte test: it never misses one. */
static uint64_t word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
	uint64_t below = (x - ones * 0x20) & ~x;
	uint64_t zero = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash);

	return (below | zero) & high;
}

/* Eight bytes at a character boundary that need neither escape nor check: ASCII without
 * what JSON escapes, or four 2-byte characters (leads C2..DF: Arabic letters and the
 * like; every such pair is valid UTF-8).  Byte order matters for the second test. */
static bool word_is_clean(uint64_t x)
{
	const uint64_t high = 0x8080808080808080ull;

	if ((x & high) == 0)
		return word_needs_escape(x) == 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if ((x & 0xC0E0C0E0C0E0C0E0ull) == 0x80C080C080C080C0ull) /* lead, continuation, x4 */
		return (((x & 0x001E001E001E001Eull) + 0x7FFF7FFF7FFF7FFFull) & 0x8000800080008000ull) ==
		       0x8000800080008000ull; /* no lead is C0 or C1 */
#endif
	return false;
}

/* Append s[0..n) escaped. Unescaped runs are copied in one piece. */
static void put_escaped(struct kh_jsonw *w, const unsigned char *s, size_t n)
{
	size_t run = 0, i = 0, next_word = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;

		/* eight bytes a step through clean text; after a word that is not, a character
		 * at a time for eight bytes (mixed text would pay for every failed test) */
		if (i >= next_word && i + 8 <= n) {
			uint64_t x;

			memcpy(&x, s + i, 8);
			if (word_is_clean(x)) {
				i += 8;
				continue;
			}
			next_word = i + 8;
		}
		switch (byte_class[c]) {
		case B_PLAIN:
			i++;
			continue;
		case B_LEAD2:
			if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
				goto bad;
			i += 2;
			continue;
		case B_LEAD34:
			k = utf8_seq(s + i, n - i);
			if (k == 0)
				goto bad;
			i += k;
			continue;
		case B_ESCAPE:
			break;
		default:
			goto bad;
		}
		kh_jsonw_raw(w, (const char *)s + run, i - run);
		put_escape(w, c);
		run = ++i;
	}
	if (kh_jsonw_reserve(w, n - run)) {
		memcpy(w->data + w->len, s + run, n - run);
		w->len += n - run;
	}
	return;
bad:
	w->failed = true;
}

void kh_jsonw_strn(struct kh_jsonw *w, const char *s, size_t n)
{
	kh_jsonw_comma(w);
	if (!kh_jsonw_reserve(w, n + 2))
		return;
	w->data[w->len++] = '"';
	put_escaped(w, (const unsigned char *)s, n);
	kh_jsonw_byte(w, '"');
	w->need_comma = true;
}


/* put_escaped() for text known to be valid UTF-8: only the escapes. */
static void put_escaped_valid(struct kh_jsonw *w, const unsigned char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (byte_class[s[i]] != B_ESCAPE)
			continue;
		kh_jsonw_raw(w, (const char *)s + run, i - run);
		put_escape(w, s[i]);
		run = i + 1;
	}
	kh_jsonw_raw(w, (const char *)s + run, n - run);
}

void kh_jsonw_strn_utf8(struct kh_jsonw *w, const char *s, size_t n)
{
	size_t i = 0;
	uint64_t x;

	kh_jsonw_comma(w);
	if (!kh_jsonw_reserve(w, n + 2))
		return;
	w->data[w->len++] = '"';
	/* Copy eight bytes a step while none needs escaping, then the tail padded with
	 * spaces; from the first word that needs an escape on, byte by byte. */
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (word_needs_escape(x) != 0)
			break;
		memcpy(w->data + w->len + i, &x, 8);
	}
	if (i < n && i + 8 > n) {
		x = 0x2020202020202020ull;
		memcpy(&x, s + i, n - i);
		if (word_needs_escape(x) == 0) {
			memcpy(w->data + w->len + i, s + i, n - i);
			i = n;
		}
	}
	w->len += i;
	put_escaped_valid(w, (const unsigned char *)s + i, n - i);
	kh_jsonw_byte(w, '"');
	w->need_comma = true;
}

void kh_jsonw_str(struct kh_jsonw *w, const char *s)
{
	kh_jsonw_strn(w, s, strlen(s));
}

/* Two digits at a time from a table: "%lld" was a visible share of the response. */
void kh_jsonw_int(struct kh_jsonw *w, long long v)
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
				       "25262728293031323334353637383940414243444546474849"
				       "50515253545556575859606162636465666768697071727374"
				       "75767778798081828384858687888990919293949596979899";
	/* The digits end at DIGITS_END; 8 bytes past the first one stay inside the array, so
	 * that the common short number goes out as one fixed-size copy (no memcpy call). */
	enum { DIGITS_END = 24 };
	char digits[DIGITS_END + 8];
	size_t i = DIGITS_END, n;
	/* Negate as unsigned so that LLONG_MIN works. */
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	memset(digits + DIGITS_END, 0, 8);
	while (u >= 100) {
		unsigned d = (unsigned)(u % 100) * 2;

		u /= 100;
		digits[--i] = pairs[d + 1];
		digits[--i] = pairs[d];
	}
	if (u >= 10) {
		digits[--i] = pairs[u * 2 + 1];
		digits[--i] = pairs[u * 2];
	} else {
		digits[--i] = (char)('0' + u);
	}
	if (v < 0)
		digits[--i] = '-';
	n = DIGITS_END - i;
	kh_jsonw_comma(w);
	if (!kh_jsonw_reserve(w, DIGITS_END))
		return;
	if (n <= 8)
		memcpy(w->data + w->len, digits + i, 8);
	else
		memcpy(w->data + w->len, digits + i, n);
	w->len += n;
	w->need_comma = true;
}

void kh_jsonw_null(struct kh_jsonw *w)
{
	kh_jsonw_comma(w);
	kh_jsonw_raw(w, "null", 4);
	w->need_comma = true;
}

void kh_jsonw_bool(struct kh_jsonw *w, bool v)
{
	kh_jsonw_comma(w);
	if (v)
		kh_jsonw_raw(w, "true", 4);
	else
		kh_jsonw_raw(w, "false", 5);
	w->need_comma = true;
}
