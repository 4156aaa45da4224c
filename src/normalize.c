/* SPDX-License-Identifier: MIT */
/* The analysis view.  The text is cut into normalization segments (a character
 * with an NFKC boundary before it plus the characters that may combine with it);
 * a segment of one NFKC-stable character, or of a stable base followed only by
 * marks we drop anyway, is mapped by our own table without calling ICU; any
 * other segment goes through unorm2_normalize().  Every byte written to the view
 * records the original byte range of the segment it came from, so a span of the
 * view always maps back to whole characters of the text as sent. */
#include "normalize.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>

#include "doc.h"
#include "segment.h"
#include "utf8.h"

#define NORM_MAX_SEGMENT 32u /* code points; longer runs of marks are cut (stream-safe, UAX 15) */
#define NORM_SEG_UNITS (NORM_MAX_SEGMENT * 2u)
#define NORM_OUT_UNITS 1024u /* NFKC expands one code point to at most 18 */

enum nf_flag {
	NF_BB = 1,     /* NFKC boundary before the character */
	NF_STABLE = 2, /* NFKC leaves the character alone */
	NF_MAYBE = 4,  /* may compose with the character before it */
	NF_IDENT = 8,  /* stable, and our rules keep it as it is: copy it */
	NF_SAFE = 16,  /* a stable, non-composing mark that we drop */
	NF_ONE = 128,  /* in nf_next only: a one-byte character */
};

enum map_action {
	MAP_KEEP = 0,    /* write the (possibly mapped) code point */
	MAP_DROP_EXTEND, /* drop; the previous character's source range covers it */
	MAP_DROP,        /* drop without trace */
};

static enum map_action nmap(uint32_t cp, uint32_t *ret);

static const UNormalizer2 *nfkc;
static uint8_t nf_flags[0x10000];
/* [the two bytes read as a uint16_t in host order]: nf_flags of the character starting with them as
 * short_char() reads it: an ASCII character (| NF_ONE, whatever the next byte)
 * or a two-byte one (C2..DF and any next byte); 0 for any other first byte.
 * One load per character, without a branch on its length. */
static uint8_t nf_next[0x100 << 8];
static pthread_once_t nf_once = PTHREAD_ONCE_INIT;
static bool nf_ready;

static uint8_t our_flags(uint32_t c, uint8_t f)
{
	uint32_t m;
	enum map_action a = nmap(c, &m);
	uint8_t o = 0;

	if ((f & NF_STABLE) != 0 && a == MAP_KEEP && m == c && c != '\r')
		o |= NF_IDENT;
	if ((f & (NF_STABLE | NF_MAYBE)) == NF_STABLE && a == MAP_DROP_EXTEND)
		o |= NF_SAFE;
	return o;
}

static void nf_init(void)
{
	UErrorCode st = U_ZERO_ERROR;

	nfkc = unorm2_getNFKCInstance(&st);
	if (U_FAILURE(st))
		return;
	for (uint32_t c = 0; c < 0x10000; c++) {
		UChar u = (UChar)c;
		uint8_t f = 0;

		if (c >= 0xD800 && c <= 0xDFFF) {
			nf_flags[c] = NF_BB | NF_STABLE;
			continue;
		}
		UNormalizationCheckResult qc;

		st = U_ZERO_ERROR;
		if (unorm2_hasBoundaryBefore(nfkc, (UChar32)c))
			f |= NF_BB;
		/* alone, a character NFKC may only compose with what precedes it
		 * (quick check "maybe") is left as it is */
		qc = unorm2_quickCheck(nfkc, &u, 1, &st);
		if (U_SUCCESS(st) && qc != UNORM_NO)
			f |= NF_STABLE;
		if (qc == UNORM_MAYBE)
			f |= NF_MAYBE;
		nf_flags[c] = f | our_flags(c, f);
	}
	for (uint32_t c = 0; c < 0xE0; c++) {
		for (uint32_t d = 0; d < 0x100 && (c < 0x80 || c >= 0xC2); d++) {
			unsigned char two[2] = { (unsigned char)c, (unsigned char)d };
			uint16_t at;

			memcpy(&at, two, sizeof(at));
			nf_next[at] = c < 0x80 ? nf_flags[c] | NF_ONE
					       : nf_flags[((c & 0x1F) << 6) | (d & 0x3F)];
		}
	}
	nf_ready = true;
}

static bool nf_setup(void)
{
	pthread_once(&nf_once, nf_init);
	return nf_ready;
}

static uint8_t nf_get(uint32_t cp)
{
	UChar u[2];
	UErrorCode st = U_ZERO_ERROR;
	uint8_t f = 0;

	if (cp < 0x10000)
		return nf_flags[cp];
	u[0] = (UChar)(0xD7C0 + (cp >> 10));
	u[1] = (UChar)(0xDC00 | (cp & 0x3FF));
	UNormalizationCheckResult qc;

	if (unorm2_hasBoundaryBefore(nfkc, (UChar32)cp))
		f |= NF_BB;
	qc = unorm2_quickCheck(nfkc, u, 2, &st);
	if (U_SUCCESS(st) && qc != UNORM_NO)
		f |= NF_STABLE;
	if (qc == UNORM_MAYBE)
		f |= NF_MAYBE;
	return f | our_flags(cp, f);
}

/* Our rules on top of NFKC.  A mapping to another character also applies before
 * NFKC (so ی + hamza above composes like ي + hamza above). */
static enum map_action nmap(uint32_t cp, uint32_t *ret)
{
	*ret = cp;
	if (cp < 0x80) {
		if (cp == '\t')
			*ret = ' ';
		else if (cp == '\v' || cp == '\f' || cp == '\r')
			*ret = '\n';
		else if ((cp < 0x20 && cp != '\n') || cp == 0x7F)
			*ret = ' ';
		return MAP_KEEP;
	}
	if (cp < 0x600) {
		if (cp == 0x85)
			*ret = '\n';
		else if (cp < 0xA0 || cp == 0xA0)
			*ret = ' ';
		else if (cp == 0xAD)
			return MAP_DROP; /* soft hyphen */
		return MAP_KEEP;
	}
	if (cp <= 0x6FF) {
		if ((cp >= 0x610 && cp <= 0x61A) || cp == 0x640 || (cp >= 0x64B && cp <= 0x65F) ||
		    cp == 0x670 || (cp >= 0x6D6 && cp <= 0x6ED))
			return MAP_DROP_EXTEND; /* harakat, Quranic marks, tatweel */
		if (cp == 0x61C)
			return MAP_DROP; /* ARABIC LETTER MARK */
		if (cp >= 0x660 && cp <= 0x669)
			*ret = '0' + (cp - 0x660);
		else if (cp >= 0x6F0 && cp <= 0x6F9)
			*ret = '0' + (cp - 0x6F0);
		else if (cp == 0x66A)
			*ret = '%';
		else if (cp == 0x66B)
			*ret = '.';
		else if (cp == 0x66C)
			*ret = ',';
		else if (cp == 0x6D4)
			*ret = '.'; /* ARABIC FULL STOP (Urdu) */
		else if (cp == 0x6A9 || cp == 0x6AA)
			*ret = 0x643; /* ک ڪ → ك */
		else if (cp == 0x6CC || cp == 0x6CD || cp == 0x6CE || cp == 0x6D0 || cp == 0x6D2)
			*ret = 0x64A; /* ی ۍ ێ ې ے → ي */
		else if (cp == 0x6D5 || cp == 0x6C0 || cp == 0x6C1 || cp == 0x6C2 || cp == 0x6BE)
			*ret = 0x647; /* ە ۀ ہ ۂ ھ → ه */
		else if (cp == 0x6C3)
			*ret = 0x629; /* ۃ → ة */
		else if (cp == 0x679)
			*ret = 0x62A; /* ٹ → ت */
		else if (cp == 0x688)
			*ret = 0x62F; /* ڈ → د */
		else if (cp == 0x6BA)
			*ret = 0x646; /* ں → ن */
		return MAP_KEEP;
	}
	if (cp >= 0x2000 && cp <= 0x206F) {
		if (cp <= 0x200A || cp == 0x202F || cp == 0x205F)
			*ret = ' ';
		else if (cp <= 0x200F || (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
			 (cp >= 0x2066 && cp <= 0x2069))
			return MAP_DROP; /* zero-width and bidi controls */
		else if (cp == 0x2028 || cp == 0x2029)
			*ret = '\n';
		else if (cp >= 0x201C && cp <= 0x201F)
			*ret = '"'; /* “ ” „ ‟: direction decided by the segmenter */
		else if (cp == 0x2033)
			*ret = '"'; /* ″ used as a quotation mark */
		return MAP_KEEP;
	}
	if (cp == 0xFEFF || cp == 0x180E)
		return MAP_DROP;
	if (cp == 0x3000 || cp == 0x1680)
		*ret = ' ';
	return MAP_KEEP;
}

/* ---- output buffer ------------------------------------------------------------------------ */

struct nbuf {
	struct kh_arena *arena; /* NULL: malloc'd, no offset map */
	char *s;
	uint32_t *os, *oe;
	uint32_t len, cap;
	uint32_t last;          /* view offset of the last character written, or UINT32_MAX */
};

static int nbuf_grow(struct nbuf *b, uint32_t need)
{
	uint64_t ncap = (uint64_t)b->cap * 2;

	if (ncap < (uint64_t)b->len + need + 64)
		ncap = (uint64_t)b->len + need + 64;
	if (ncap >= UINT32_MAX / 2)
		return -ENOMEM;
	if (b->arena == NULL) {
		char *s = realloc(b->s, ncap);

		if (s == NULL)
			return -ENOMEM;
		b->s = s;
	} else {
		char *s = kh_arena_alloc_uninit(b->arena, ncap);
		uint32_t *os = kh_arena_alloc_uninit(b->arena, ncap * sizeof(uint32_t));
		uint32_t *oe = kh_arena_alloc_uninit(b->arena, ncap * sizeof(uint32_t));

		if (s == NULL || os == NULL || oe == NULL)
			return -ENOMEM;
		if (b->len > 0) {
			memcpy(s, b->s, b->len);
			memcpy(os, b->os, b->len * sizeof(uint32_t));
			memcpy(oe, b->oe, b->len * sizeof(uint32_t));
		}
		b->s = s;
		b->os = os;
		b->oe = oe;
	}
	b->cap = (uint32_t)ncap;
	return 0;
}

static inline int emit(struct nbuf *b, uint32_t cp, uint32_t ostart, uint32_t oend)
{
	unsigned k;

	if (b->len + 5 > b->cap && nbuf_grow(b, 5) < 0)
		return -ENOMEM;
	b->last = b->len;
	k = kh_utf8_encode(cp, b->s + b->len);
	if (b->os != NULL) {
		for (unsigned j = 0; j < k; j++) {
			b->os[b->len + j] = ostart;
			b->oe[b->len + j] = oend;
		}
	}
	b->len += k;
	return 0;
}

/* A dropped mark or tatweel: the character before it now spans it too. */
static void extend(struct nbuf *b, uint32_t oend)
{
	if (b->os == NULL || b->last == UINT32_MAX)
		return;
	if (b->s[b->last] == ' ' || b->s[b->last] == '\n')
		return;
	for (uint32_t j = b->last; j < b->len; j++)
		if (b->oe[j] < oend)
			b->oe[j] = oend;
}

static inline int put(struct nbuf *b, uint32_t cp, uint32_t ostart, uint32_t oend)
{
	uint32_t m;

	switch (nmap(cp, &m)) {
	case MAP_KEEP:
		return emit(b, m, ostart, oend);
	case MAP_DROP_EXTEND:
		extend(b, oend);
		return 0;
	default:
		return 0;
	}
}

/* ---- the normalizer ----------------------------------------------------------------------- */

static inline unsigned decode(const unsigned char *s, uint32_t n, uint32_t *ret_cp)
{
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] < 0xE0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
		*ret_cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	return kh_utf8_decode(s, n, ret_cp);
}

/* One segment through ICU: our letter mappings, NFKC, then our rules. */
static int slow_segment(struct nbuf *b, const unsigned char *s, uint32_t start, uint32_t end)
{
	UChar in[NORM_SEG_UNITS + 2];
	UChar out_local[NORM_OUT_UNITS];
	UChar *out = out_local;
	int32_t n_in = 0, n_out;
	UErrorCode st = U_ZERO_ERROR;
	int r = 0;

	for (uint32_t i = start; i < end;) {
		uint32_t cp, m;
		unsigned k = decode(s + i, end - i, &cp);

		if (nmap(cp, &m) == MAP_KEEP)
			cp = m;
		if (cp < 0x10000) {
			in[n_in++] = (UChar)cp;
		} else {
			in[n_in++] = (UChar)(0xD7C0 + (cp >> 10));
			in[n_in++] = (UChar)(0xDC00 | (cp & 0x3FF));
		}
		i += k;
	}
	n_out = unorm2_normalize(nfkc, in, n_in, out, NORM_OUT_UNITS, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		out = malloc(((size_t)n_out + 1) * sizeof(UChar));
		if (out == NULL)
			return -ENOMEM;
		st = U_ZERO_ERROR;
		n_out = unorm2_normalize(nfkc, in, n_in, out, n_out + 1, &st);
	}
	if (U_FAILURE(st)) {
		/* cannot happen for well-formed input; keep the text rather than lose it */
		memcpy(out, in, (size_t)n_in * sizeof(UChar));
		n_out = n_in;
	}
	for (int32_t j = 0; j < n_out && r == 0;) {
		uint32_t cp = out[j++];

		if (cp >= 0xD800 && cp <= 0xDBFF && j < n_out && out[j] >= 0xDC00 && out[j] <= 0xDFFF)
			cp = 0x10000 + ((cp - 0xD800) << 10) + (out[j++] - 0xDC00);
		r = put(b, cp, start, end);
	}
	if (out != out_local)
		free(out);
	return r;
}

/* Copy one character that needs no change. */
static inline int copy_char(struct nbuf *b, const unsigned char *s, uint32_t i, unsigned k)
{
	if (b->len + 5 > b->cap && nbuf_grow(b, 5) < 0)
		return -ENOMEM;
	b->last = b->len;
	for (unsigned j = 0; j < k; j++) {
		b->s[b->len + j] = (char)s[i + j];
		if (b->os != NULL) {
			b->os[b->len + j] = i;
			b->oe[b->len + j] = i + k;
		}
	}
	b->len += k;
	return 0;
}

static inline uint8_t flags_of(uint32_t cp)
{
	return cp < 0x10000 ? nf_flags[cp] : nf_get(cp);
}

/* Does the character at @p i start a new normalization segment? */
static inline bool boundary_at(const unsigned char *s, uint32_t n, uint32_t i)
{
	uint32_t cp;

	if (i >= n || s[i] < 0x80)
		return true;
	if (s[i] >= 0xC2 && s[i] < 0xE0 && i + 1 < n)
		return (nf_flags[((uint32_t)(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F)] & NF_BB) != 0;
	decode(s + i, n - i, &cp);
	return (flags_of(cp) & NF_BB) != 0;
}

/* Code point and length of an ASCII or two-byte character at @p i, as
 * boundary_at() reads it (a two-byte lead takes the next byte as it is); 0 for
 * any other character. */
static inline unsigned short_char(const unsigned char *s, uint32_t n, uint32_t i, uint32_t *ret_cp)
{
	unsigned char c = s[i];

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xC2 && c < 0xE0 && i + 1 < n) {
		*ret_cp = ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3F);
		return 2;
	}
	return 0;
}

/* The hot path: a run of ASCII and two-byte characters that need no change,
 * each followed by a segment boundary, copied with their map.  First the run is
 * found (each character decoded once: as the next one, is there a boundary
 * before it, and then as one to copy), then copied in one piece and its map
 * filled.  A character is copied while its view offset + 2 < cap (the test the
 * slow path's emit() makes before growing).  @return where the run stops. */
/* The map entries of the character of @p k bytes at @p i, copied to view offset
 * @p o.  Two entries each way whatever @p k: the second of a one-byte character
 * is the next character's first, written again when it is copied, or lies past
 * the view (o + 2 < cap, see copy_run()), where the map is not read. */
static inline void map_char(uint32_t *os, uint32_t *oe, uint32_t o, uint32_t i, unsigned k)
{
	if (os == NULL)
		return;
	os[o] = os[o + 1] = i;
	oe[o] = oe[o + 1] = i + k;
}

static uint32_t copy_run(struct nbuf *b, const unsigned char *s, uint32_t n, uint32_t i)
{
	uint64_t bound64 = (uint64_t)b->cap + i - b->len; /* char starts below bound - 2 fit */
	uint32_t bound = bound64 < 2 ? 0 : bound64 - 2 > n ? n : (uint32_t)(bound64 - 2);
	uint32_t prev, before, j, cp, len = b->len;
	uint32_t *os = b->os, *oe = b->oe;
	unsigned k;

	if (i >= bound)
		return i;
	k = short_char(s, n, i, &cp);
	if (k == 0 || (nf_flags[cp] & NF_IDENT) == 0)
		return i;
	/* [i, j): characters to copy, the last one starting at prev (the one
	 * before it at before), once a boundary is seen at j */
	before = prev = i;
	j = i + k;
	map_char(os, oe, len, i, k);
	for (;;) {
		uint32_t lim = bound < n - 1 ? bound : n - 1; /* j < lim: two bytes left, below bound */
		uint8_t f;

		/* the common case, one load per character: one that needs no change
		 * and starts a segment (what the steps below find too) */
		while (j < lim) {
			uint16_t two;

			memcpy(&two, s + j, sizeof(two));
			f = nf_next[two];
			if ((f & (NF_BB | NF_IDENT)) != (NF_BB | NF_IDENT))
				break;
			k = 2 - (f >> 7);
			before = prev;
			prev = j;
			map_char(os, oe, len + (j - i), j, k);
			j += k;
		}
		if (j >= n)
			break;
		k = short_char(s, n, j, &cp);
		if (k == 0) {
			if (!boundary_at(s, n, j)) {
				j = prev;
				prev = before;
			}
			break;
		}
		f = nf_flags[cp];
		if ((f & NF_BB) == 0) {
			j = prev;
			prev = before;
			break;
		}
		if ((f & NF_IDENT) == 0 || j >= bound)
			break;
		before = prev;
		prev = j;
		map_char(os, oe, len + (j - i), j, k);
		j += k;
	}
	if (j == i)
		return i;
	memcpy(b->s + len, s + i, j - i);
	b->last = len + (prev - i);
	b->len = len + (j - i);
	return j;
}

static int normalize(struct nbuf *b, const char *text, uint32_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t i = 0;
	int r = 0;

	if (!nf_setup())
		return -EIO;
	b->last = UINT32_MAX;
	while (r == 0) {
		uint32_t cp, seg_end, count = 1;
		unsigned k;
		uint8_t f;
		bool marks_safe = true;

		i = copy_run(b, s, n, i);
		if (i >= n)
			break;
		k = decode(s + i, n - i, &cp);
		f = flags_of(cp);
		seg_end = i + k;
		if (cp == '\r') {
			seg_end = i + 1 < n && s[i + 1] == '\n' ? i + 2 : i + 1;
			r = emit(b, '\n', i, seg_end);
			i = seg_end;
			continue;
		}
		/* the segment: this character and the ones that may combine with it */
		while (seg_end < n && count < NORM_MAX_SEGMENT) {
			uint32_t cp2;
			unsigned k2 = decode(s + seg_end, n - seg_end, &cp2);
			uint8_t f2 = flags_of(cp2);

			if ((f2 & NF_BB) != 0)
				break;
			marks_safe = marks_safe && (f2 & NF_SAFE) != 0;
			seg_end += k2;
			count++;
		}
		if (count == 1 && (f & NF_IDENT) != 0) {
			r = copy_char(b, s, i, k);
		} else if (count == 1) {
			uint32_t m;

			/* our own mapping wins: it is what the slow path would produce too */
			if ((f & NF_STABLE) != 0 || (nmap(cp, &m) == MAP_KEEP && m != cp))
				r = put(b, cp, i, seg_end);
			else
				r = slow_segment(b, s, i, seg_end);
		} else if ((f & NF_STABLE) != 0 && marks_safe) {
			r = put(b, cp, i, seg_end);
		} else {
			r = slow_segment(b, s, i, seg_end);
		}
		i = seg_end;
	}
	return r;
}

int kh_norm_apply(struct kh_doc *doc)
{
	struct nbuf b = { .arena = &doc->arena };
	uint32_t n = doc->orig_len;
	int r;

	b.cap = n + n / 16 + 64;
	/* written in order, read only below b.len */
	b.s = kh_arena_alloc_uninit(&doc->arena, b.cap);
	b.os = kh_arena_alloc_uninit(&doc->arena, (size_t)b.cap * sizeof(uint32_t));
	b.oe = kh_arena_alloc_uninit(&doc->arena, (size_t)b.cap * sizeof(uint32_t));
	if (b.s == NULL || b.os == NULL || b.oe == NULL)
		return -ENOMEM;
	r = normalize(&b, doc->orig, n);
	if (r < 0)
		return r;
	/* room for the terminator and the final map entry */
	if (b.len + 1 > b.cap && nbuf_grow(&b, 1) < 0)
		return -ENOMEM;
	b.s[b.len] = '\0';
	b.os[b.len] = n;
	b.oe[b.len] = n;
	doc->norm = b.s;
	doc->norm_len = b.len;
	doc->norm_ostart = b.os;
	doc->norm_oend = b.oe;
	return 0;
}

/* ---- folding ------------------------------------------------------------------------------ */

/* Fold @p len bytes of analysis-view text into @p out (same length): ASCII
 * capitals to small letters, أ إ آ ٱ → ا, ى → ي, ة → ه.  Each of these is a
 * two-byte sequence D8/D9 xx, and so is its replacement: fold_pairs[lead - 0xD8]
 * [xx - 0x80] is the folded pair (the same pair for every other letter), so a
 * letter costs a load instead of a chain of tests. */
static const uint16_t fold_pairs[2][64] = {
	{
		0xD880, 0xD881, 0xD882, 0xD883, 0xD884, 0xD885, 0xD886, 0xD887,
		0xD888, 0xD889, 0xD88A, 0xD88B, 0xD88C, 0xD88D, 0xD88E, 0xD88F,
		0xD890, 0xD891, 0xD892, 0xD893, 0xD894, 0xD895, 0xD896, 0xD897,
		0xD898, 0xD899, 0xD89A, 0xD89B, 0xD89C, 0xD89D, 0xD89E, 0xD89F,
		0xD8A0, 0xD8A1, 0xD8A7, 0xD8A7, 0xD8A4, 0xD8A7, 0xD8A6, 0xD8A7,
		0xD8A8, 0xD987, 0xD8AA, 0xD8AB, 0xD8AC, 0xD8AD, 0xD8AE, 0xD8AF,
		0xD8B0, 0xD8B1, 0xD8B2, 0xD8B3, 0xD8B4, 0xD8B5, 0xD8B6, 0xD8B7,
		0xD8B8, 0xD8B9, 0xD8BA, 0xD8BB, 0xD8BC, 0xD8BD, 0xD8BE, 0xD8BF,
	},
	{
		0xD980, 0xD981, 0xD982, 0xD983, 0xD984, 0xD985, 0xD986, 0xD987,
		0xD988, 0xD98A, 0xD98A, 0xD98B, 0xD98C, 0xD98D, 0xD98E, 0xD98F,
		0xD990, 0xD991, 0xD992, 0xD993, 0xD994, 0xD995, 0xD996, 0xD997,
		0xD998, 0xD999, 0xD99A, 0xD99B, 0xD99C, 0xD99D, 0xD99E, 0xD99F,
		0xD9A0, 0xD9A1, 0xD9A2, 0xD9A3, 0xD9A4, 0xD9A5, 0xD9A6, 0xD9A7,
		0xD9A8, 0xD9A9, 0xD9AA, 0xD9AB, 0xD9AC, 0xD9AD, 0xD9AE, 0xD9AF,
		0xD9B0, 0xD8A7, 0xD9B2, 0xD9B3, 0xD9B4, 0xD9B5, 0xD9B6, 0xD9B7,
		0xD9B8, 0xD9B9, 0xD9BA, 0xD9BB, 0xD9BC, 0xD9BD, 0xD9BE, 0xD9BF,
	},
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FOLD_LETTERS_MASK UINT64_C(0xC0FEC0FEC0FEC0FE)
#define FOLD_LETTERS_ALL UINT64_C(0x80D880D880D880D8) /* four D8/D9 xx pairs */

/* Four Arabic letters at a time while the next eight bytes are four D8/D9 +
 * continuation pairs (what the pair loop of fold_into() would fold one by one):
 * one load and one store instead of eight byte moves.  @return where it stops. */
static size_t fold_letters8(unsigned char *o, const unsigned char *p, size_t i, size_t len)
{
	for (; len - i >= 8; i += 8) {
		uint64_t w;
		uint64_t r = 0;

		memcpy(&w, p + i, 8);
		if ((w & FOLD_LETTERS_MASK) != FOLD_LETTERS_ALL)
			break;
		for (unsigned j = 0; j < 64; j += 16) {
			uint64_t pair = w >> j;
			uint16_t m = fold_pairs[pair & 1u][(pair >> 8) & 0x3Fu];

			r |= (uint64_t)(uint16_t)(m >> 8 | m << 8) << j; /* the lead byte first */
		}
		memcpy(o + i, &r, 8);
	}
	return i;
}
#else
static size_t fold_letters8(unsigned char *o, const unsigned char *p, size_t i, size_t len)
{
	(void)o;
	(void)p;
	(void)len;
	return i;
}
#endif

/* inlined: kh_norm_fold_buf() is called once per token */
static inline __attribute__((always_inline)) void fold_into(char *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char *o = (unsigned char *)out;
	size_t i = 0;

	while (i < len) {
		unsigned c;
		unsigned d;

		i = fold_letters8(o, p, i, len);
		/* the common case first, in a tight loop: Arabic letters (D8/D9 + a
		 * continuation byte), the first branch below */
		for (; i + 1 < len; i += 2) {
			uint16_t m;

			c = p[i];
			d = p[i + 1];
			if ((c & 0xFEu) != 0xD8 || (d & 0xC0u) != 0x80)
				break;
			m = fold_pairs[c & 1u][d & 0x3Fu];
			o[i] = (unsigned char)(m >> 8);
			o[i + 1] = (unsigned char)m;
		}
		if (i >= len)
			break;
		c = p[i];
		if (c < 0x80) {
			o[i++] = (unsigned char)(c - 'A' < 26u ? c + 32 : c);
			continue;
		}
		if (i + 1 >= len) {
			o[i++] = (unsigned char)c;
			continue;
		}
		d = p[i + 1];
		if ((c == 0xD8 || c == 0xD9) && (d & 0xC0) == 0x80) {
			uint16_t m = fold_pairs[c - 0xD8][d - 0x80];

			o[i] = (unsigned char)(m >> 8);
			o[i + 1] = (unsigned char)m;
			i += 2;
		} else if (c == 0xD8 || c == 0xD9 || (d & 0xC0) == 0x80) {
			/* a D8/D9 lead takes the next byte whatever it is; any other
			 * lead byte keeps its continuation byte as it is */
			o[i] = (unsigned char)c;
			o[i + 1] = (unsigned char)d;
			i += 2;
		} else {
			o[i++] = (unsigned char)c;
		}
	}
}

size_t kh_norm_fold_buf(char *out, const char *s, size_t len)
{
	fold_into(out, s, len);
	out[len] = '\0';
	return len;
}

const char *kh_norm_fold(struct kh_arena *a, const char *s, size_t len)
{
	char *out = kh_arena_alloc_uninit(a, len + 1);

	if (out == NULL)
		return NULL;
	kh_norm_fold_buf(out, s, len);
	return out;
}

/* Only Arabic letters (U+0621..U+064A, U+066E..U+06D3), ASCII letters and spaces? */
static bool only_letters_and_spaces(const char *s, uint32_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (uint32_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (c == ' ' || (c | 0x20) - 'a' < 26u)
			continue;
		if ((c == 0xD8 || c == 0xD9 || c == 0xDA || c == 0xDB) && i + 1 < n) {
			uint32_t cp = ((c & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);

			if ((cp >= 0x621 && cp <= 0x64A) || (cp >= 0x66E && cp <= 0x6D3)) {
				i++;
				continue;
			}
		}
		return false;
	}
	return true;
}

static int split_spaces(const char *s, uint32_t n, struct kh_span *spans)
{
	int count = 0;

	for (uint32_t i = 0; i < n;) {
		uint32_t j;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		for (j = i; j < n && s[j] != ' '; j++)
			;
		spans[count].start = i;
		spans[count].end = j;
		count++;
		i = j;
	}
	return count;
}

char *kh_norm_key(const char *s, size_t len)
{
	struct nbuf b = { 0 };
	struct kh_span *spans = NULL;
	char *out = NULL;
	size_t o = 0;
	int n = -1;

	if (len >= UINT32_MAX / 4)
		return NULL;
	b.cap = (uint32_t)len + 64;
	b.s = malloc(b.cap);
	if (b.s != NULL && normalize(&b, s, (uint32_t)len) == 0) {
		spans = malloc(((size_t)b.len + 1) * sizeof(*spans));
		out = malloc((size_t)b.len * 2 + 1);
	}
	if (spans == NULL || out == NULL)
		goto cleanup;
	if (only_letters_and_spaces(b.s, b.len))
		n = split_spaces(b.s, b.len, spans); /* what the word break gives such text */
	else
		n = kh_seg_words(b.s, b.len, spans, b.len + 1);
	for (int i = 0; i < n; i++) {
		if (o > 0)
			out[o++] = ' ';
		fold_into(out + o, b.s + spans[i].start, spans[i].end - spans[i].start);
		o += spans[i].end - spans[i].start;
	}
	out[o] = '\0';
cleanup:
	if (n < 0) {
		free(out);
		out = NULL;
	}
	free(spans);
	free(b.s);
	return out;
}
