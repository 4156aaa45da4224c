/* SPDX-License-Identifier: MIT */
#include "utf8.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Length of a well-formed sequence starting at s, or 0 (RFC 3629 table 3-7). */
static unsigned seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return len >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;

		if (len < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

		if (len < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

#define U8_ONES UINT64_C(0x0101010101010101)
#define U8_HIGH (U8_ONES * 0x80)

/* How many bytes from the start of the 8 at @p w (little-endian) are whole,
 * valid ASCII or two-byte characters (the first byte starts a character): 8, 7
 * (the last byte starts a two-byte character), or 0 when the word holds
 * anything else; then the caller goes byte by byte. */
static inline unsigned swar_short_run(uint64_t w)
{
	uint64_t cont = w & ~(w << 1) & U8_HIGH;                  /* 10xxxxxx */
	uint64_t lead = w & (w << 1) & ~(w << 2) & U8_HIGH;       /* 110xxxxx */
	uint64_t wide = w & (w << 1) & (w << 2) & U8_HIGH;        /* 111xxxxx */
	uint64_t not_c01 = ((w & (U8_ONES * 0x1E)) + U8_ONES * 0x7F) & U8_HIGH; /* C0, C1: overlong */

	if (wide != 0 || (lead & ~not_c01) != 0)
		return 0;
	/* every continuation byte right after a lead byte, and the other way round */
	if (cont != lead << 8)
		return 0;
	return (lead >> 56) != 0 ? 7 : 8;
}

#if defined(__SSE2__)
/* How many bytes from @p p (sixteen readable) are whole, valid ASCII or two-byte
 * characters, the first byte starting a character: 16, 15 (the last byte starts a
 * two-byte character), or 0 when they hold anything else.  swar_short_run() for
 * sixteen bytes at once: the check costs about what it cost for eight. */
static inline unsigned sse2_short_run(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* lead bytes C2..DF: v - C2 <= 1D unsigned, i.e. min(v - C2, 1D) == v - C2 */
	__m128i t = _mm_sub_epi8(v, _mm_set1_epi8((char)0xC2));
	unsigned lead = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(0x1D)), t));
	/* continuation bytes 80..BF: (v & C0) == 80 */
	unsigned cont = (unsigned)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xC0)), _mm_set1_epi8((char)0x80)));
	unsigned ascii = (unsigned)_mm_movemask_epi8(v) ^ 0xFFFFu; /* top bit clear */

	if ((lead | cont | ascii) != 0xFFFFu || cont != ((lead << 1) & 0xFFFFu))
		return 0;
	return (lead & 0x8000u) != 0 ? 15 : 16;
}
#endif

bool kh_utf8_valid(const char *s, size_t len, size_t *ret_bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* eight bytes at a time while they are ASCII and two-byte letters
		 * (Arabic: D8..DB xx), most of a news text */
#if defined(__SSE2__)
		while (len - i >= 16) {
			unsigned k = sse2_short_run(p + i);

			if (k == 0)
				break;
			i += k;
		}
#endif
		while (len - i >= 8) {
			uint64_t w;
			unsigned k;

			memcpy(&w, p + i, 8);
			k = swar_short_run(w);
			if (k == 0)
				break;
			i += k;
		}
		if (i >= len)
			break;
#endif
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* two-byte letters (Arabic: D8..DB) are most of a news text */
		if (p[i] >= 0xC2 && p[i] <= 0xDF && i + 1 < len && (p[i + 1] & 0xC0) == 0x80) {
			i += 2;
			continue;
		}
		unsigned n = seq_len(p + i, len - i);

		if (n == 0) {
			if (ret_bad != NULL)
				*ret_bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

unsigned kh_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	unsigned n;

	if (len == 0) {
		*ret_cp = 0xFFFD;
		return 0;
	}
	n = seq_len(s, len);
	switch (n) {
	case 1:
		*ret_cp = s[0];
		return 1;
	case 2:
		*ret_cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	case 3:
		*ret_cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
			  (s[2] & 0x3F);
		return 3;
	case 4:
		*ret_cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
			  ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	default:
		*ret_cp = 0xFFFD;
		return 1;
	}
}

unsigned kh_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}
