/* SPDX-License-Identifier: MIT */
/* Tokens and sentences of the analysis view.
 *
 * Tokens: ICU word break over a UTF-16 copy of the view (measured faster than a
 * UTF-8 UText), each boundary mapped back to a byte offset by walking the view
 * alongside, then our fixes: a word that mixes Arabic letters with digits or
 * another script is cut where the script changes (الـ3 → ال 3, 2017م → 2017 م,
 * الـCNN → ال CNN), punctuation that ICU keeps inside a word next to Arabic
 * letters is its own token (الماضي.وقال), and 10/7 is one number.  Every word
 * then goes through the clitic analysis (clitics.c) for its core, stem and keys.
 *
 * Sentences: a break after . ! ? ؟ (and the closing quotes or brackets that
 * follow them) where ICU's sentence break agrees (asked on a small window
 * around the stop), unless the stop ends an abbreviation (single letters as in
 * د. or أ.د., a few Latin ones, list numbers "1." at a line start); and at
 * every line break.  A short line without a final stop is a headline. */
#include "segment.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include "clitics.h"
#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment_internal.h"
#include "utf8.h"

#define SEG_HEADLINE_MAX_TOKENS 32 /* tokens, punctuation included */

struct raw_tok {
	uint32_t start, end;
	uint8_t kind;
	uint8_t flags;
};

struct kh_segmenter {
	UBreakIterator *word;
	UBreakIterator *sent;
	UChar *u16;          /* the view in UTF-16, for ICU */
	int32_t n16, cap16;
	uint32_t c8, c16;    /* a cursor: byte c8 of the view is UTF-16 unit c16 */
	struct raw_tok *raw;
	uint32_t n_raw, cap_raw;
	const unsigned char *text; /* what tokenize() is working on */
	struct memo_slot *memo;    /* this document's analysed words, by their bytes */
	uint32_t memo_mask;        /* slots - 1, or 0 when there is no table */
	uint32_t memo_cap;
	uint32_t memo_free;        /* words the table still takes (it stays half empty) */
	uint32_t memo_base;        /* slots whose tok is not above it are empty (an earlier document's) */
	uint32_t memo_end;         /* above every tok written so far */
};

/* A word met before in the same document gets the same analysis and keys: both
 * depend only on its bytes (and the known words).  News repeats about four
 * words in ten. */
struct memo_slot {
	uint32_t hash;
	uint32_t tok; /* memo_base + index + 1 of the token that holds the analysis; <= memo_base: empty */
};

/* Prototypes, opened once and cloned per segmenter; and one shared segmenter
 * (behind a lock) for kh_seg_words(), which lexicon loading calls. */
static pthread_mutex_t proto_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cls_once = PTHREAD_ONCE_INIT;

static void cls_init(void);
static UBreakIterator *proto_word;
static UBreakIterator *proto_sent;
static struct kh_segmenter *shared_seg;

static int protos_open(void)
{
	UErrorCode st = U_ZERO_ERROR;
	int r = 0;

	pthread_once(&cls_once, cls_init);
	pthread_mutex_lock(&proto_lock);
	if (proto_word == NULL) {
		proto_word = ubrk_open(UBRK_WORD, "ar", NULL, 0, &st);
		if (U_FAILURE(st))
			proto_word = NULL;
	}
	st = U_ZERO_ERROR;
	if (proto_sent == NULL) {
		proto_sent = ubrk_open(UBRK_SENTENCE, "ar", NULL, 0, &st);
		if (U_FAILURE(st))
			proto_sent = NULL;
	}
	if (proto_word == NULL || proto_sent == NULL)
		r = -EIO;
	pthread_mutex_unlock(&proto_lock);
	return r;
}

struct kh_segmenter *kh_seg_new(void)
{
	struct kh_segmenter *s = calloc(1, sizeof(*s));
	UErrorCode st = U_ZERO_ERROR;

	if (s == NULL)
		return NULL;
	if (protos_open() < 0)
		return kh_seg_free(s);
	pthread_mutex_lock(&proto_lock);
	s->word = ubrk_clone(proto_word, &st);
	if (U_FAILURE(st))
		s->word = NULL;
	st = U_ZERO_ERROR;
	s->sent = ubrk_clone(proto_sent, &st);
	if (U_FAILURE(st))
		s->sent = NULL;
	pthread_mutex_unlock(&proto_lock);
	if (s->word == NULL || s->sent == NULL)
		return kh_seg_free(s);
	return s;
}

struct kh_segmenter *kh_seg_free(struct kh_segmenter *s)
{
	if (s == NULL)
		return NULL;
	if (s->word != NULL)
		ubrk_close(s->word);
	if (s->sent != NULL)
		ubrk_close(s->sent);
	free(s->u16);
	free(s->raw);
	free(s->memo);
	free(s);
	return NULL;
}

void kh_seg_shutdown(void)
{
	pthread_mutex_lock(&proto_lock);
	shared_seg = kh_seg_free(shared_seg);
	if (proto_word != NULL)
		ubrk_close(proto_word);
	if (proto_sent != NULL)
		ubrk_close(proto_sent);
	proto_word = proto_sent = NULL;
	pthread_mutex_unlock(&proto_lock);
}

/* ---- big arrays --------------------------------------------------------------------------- */

#define SEG_HUGE_BYTES (4u << 20) /* arrays this big ask for 2 MB pages */
#define SEG_HUGE_PAGE (2u << 20)

/* realloc() for the arrays that grow with the document.  A big one is aligned to
 * 2 MB and marked for transparent huge pages: first touching a fresh 100 MB
 * array 4 KB at a time costs a page fault each (about 10 us in a VM), which made
 * long documents cost more per byte than short ones.  @p keep bytes are copied.
 * @return the new array (the old one is freed), or NULL (the old one stays) */
static void *grow_array(void *old, size_t keep, size_t bytes)
{
	void *p;

	if (bytes < SEG_HUGE_BYTES)
		return realloc(old, bytes);
	if (posix_memalign(&p, SEG_HUGE_PAGE, bytes) != 0)
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it the array still works */
	if (keep > 0)
		memcpy(p, old, keep);
	free(old);
	return p;
}

/* ---- raw tokens ------------------------------------------------------------------------- */

enum cls { C_NONE = 0, C_ARABIC, C_DIGIT, C_PUNCT, C_MARK, C_OTHER };

static uint8_t cls_table[0x800]; /* classify() of every code point below U+0800 */

static enum cls classify_slow(uint32_t cp);

/* Word-break classes for our own word break (see tokenize_fast()).  WB_HARD: a
 * character whose rules we do not follow (marks, format controls, CR, emoji,
 * scripts ICU breaks by dictionary, Hebrew, "_", "@"...): a text that holds one
 * goes through ICU's iterator instead. */
enum wb { WB_OTHER = 0, WB_LETTER, WB_NUMERIC, WB_MIDLETTER, WB_MIDNUM, WB_MIDNUMLET, WB_SPACE, WB_LF, WB_HARD };

static uint8_t wb_table[0x10000]; /* enum wb of every BMP code point */
/* [next byte << 8 | lead] (two bytes in one load on a little-endian machine): 1 for the two bytes of a letter of U+0600..U+067F that is
 * WB_LETTER and C_ARABIC (D8 xx, D9 xx); one load tests a pair of bytes, and only
 * two cache lines of it are ever read */
static uint8_t arabic_pair[0x10000];
/* Is any of U+0600..U+067F (D8 xx, D9 xx) WB_SPACE?  (None is: a word that follows
 * spaces is then known not to be more of them by its lead byte.) */
static bool arabic_space;

static uint8_t wb_class(UChar32 c)
{
	int script;

	if (c >= 0x80 && (u_hasBinaryProperty(c, UCHAR_EMOJI) || u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
			  u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC)))
		return WB_HARD;
	script = u_getIntPropertyValue(c, UCHAR_SCRIPT);
	if (u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT || script == USCRIPT_HAN ||
	    script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA || script == USCRIPT_HANGUL || c == '@')
		return WB_HARD; /* dictionary break; "@" joins e-mail addresses in some ICU versions */
	switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
	case U_WB_ALETTER:
		return WB_LETTER;
	case U_WB_NUMERIC:
		return WB_NUMERIC;
	case U_WB_MIDLETTER:
		/* ICU's rules leave the colons out of MidLetter */
		return c == ':' || c == 0xFE55 || c == 0xFF1A ? WB_OTHER : WB_MIDLETTER;
	case U_WB_MIDNUM:
		return WB_MIDNUM;
	case U_WB_MIDNUMLET:
	case U_WB_SINGLE_QUOTE:
		return WB_MIDNUMLET;
	case U_WB_WSEGSPACE:
		return WB_SPACE;
	case U_WB_LF:
		return WB_LF;
	case U_WB_OTHER:
	case U_WB_DOUBLE_QUOTE: /* only Hebrew letters (WB_HARD) give it a rule */
		return WB_OTHER;
	default:
		return WB_HARD;
	}
}

static void cls_init(void)
{
	for (uint32_t c = 0; c < 0x800; c++)
		cls_table[c] = (uint8_t)classify_slow(c);
	for (uint32_t c = 0; c < 0x10000; c++)
		wb_table[c] = c >= 0xD800 && c <= 0xDFFF ? WB_HARD : wb_class((UChar32)c);
	for (uint32_t c = 0x600; c < 0x680; c++)
		if (wb_table[c] == WB_LETTER && cls_table[c] == C_ARABIC)
			arabic_pair[(0x80u | (c & 0x3F)) << 8 | (0xC0u | (c >> 6))] = 1;
	for (uint32_t c = 0x600; c < 0x680; c++)
		if (wb_table[c] == WB_SPACE)
			arabic_space = true;
}

static enum cls classify_slow(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return C_DIGIT;
	if ((cp >= 0x621 && cp <= 0x64A) || (cp >= 0x66E && cp <= 0x6D3) ||
	    (cp >= 0x750 && cp <= 0x77F))
		return C_ARABIC;
	if (cp < 0x80)
		return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? C_OTHER : C_PUNCT;
	if (u_ispunct((UChar32)cp))
		return C_PUNCT;
	switch (u_charType((UChar32)cp)) {
	case U_NON_SPACING_MARK:
	case U_ENCLOSING_MARK:
	case U_COMBINING_SPACING_MARK:
	case U_FORMAT_CHAR:
		return C_MARK;
	default:
		break;
	}
	if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x8A0 && cp <= 0x8FF) ||
	    (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF))
		return C_ARABIC;
	return C_OTHER;
}

static inline enum cls classify(uint32_t cp)
{
	return cp < 0x800 ? (enum cls)cls_table[cp] : classify_slow(cp);
}

/* Decode one character of the (valid) view. */
static inline unsigned decode_at(const unsigned char *s, uint32_t n, uint32_t *ret_cp)
{
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] < 0xE0 && n >= 2) {
		*ret_cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	return kh_utf8_decode(s, n, ret_cp);
}

static __attribute__((noinline)) int raw_grow(struct kh_segmenter *sg)
{
	uint32_t ncap = sg->cap_raw != 0 ? sg->cap_raw * 2 : 256;
	struct raw_tok *n = grow_array(sg->raw, (size_t)sg->n_raw * sizeof(*n), (size_t)ncap * sizeof(*n));

	if (n == NULL)
		return -ENOMEM;
	sg->raw = n;
	sg->cap_raw = ncap;
	return 0;
}

/* 10/7 and 1/2: one number.  @return true when the number at [start, end) joined the
 * number and the slash before it. */
static bool join_fraction(struct kh_segmenter *sg, uint32_t start, uint32_t end, uint8_t flags)
{
	struct raw_tok *a, *slash;

	if (sg->n_raw < 2)
		return false;
	a = &sg->raw[sg->n_raw - 2];
	slash = &sg->raw[sg->n_raw - 1];
	if (a->kind == KH_TOK_NUMBER && slash->kind == KH_TOK_PUNCT && slash->flags == 0 && flags == 0 &&
	    slash->end - slash->start == 1 && sg->text[slash->start] == '/' && a->end == slash->start &&
	    slash->end == start) {
		a->end = end;
		sg->n_raw--;
		return true;
	}
	return false;
}

/* Inline, with the rare steps out of line: it runs once a token. */
static inline int raw_push(struct kh_segmenter *sg, uint32_t start, uint32_t end, uint8_t kind, uint8_t flags)
{
	struct raw_tok *t;

	if (sg->n_raw == sg->cap_raw && raw_grow(sg) < 0)
		return -ENOMEM;
	if (kind == KH_TOK_NUMBER && join_fraction(sg, start, end, flags))
		return 0;
	t = &sg->raw[sg->n_raw++];
	t->start = start;
	t->end = end;
	t->kind = kind;
	t->flags = flags;
	return 0;
}

static uint8_t piece_kind(const unsigned char *s, uint32_t a, uint32_t b)
{
	if (!(s[a] >= '0' && s[a] <= '9'))
		return KH_TOK_WORD;
	for (uint32_t i = a; i < b; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ','))
			return KH_TOK_WORD;
	return KH_TOK_NUMBER;
}

static int push_piece(struct kh_segmenter *sg, const unsigned char *s, uint32_t a, uint32_t b,
		      uint8_t *flags)
{
	int r;

	if (a >= b)
		return 0;
	r = raw_push(sg, a, b, piece_kind(s, a, b), *flags);
	*flags = 0;
	return r;
}

/* A segment ICU calls a word or number: cut it where we want it cut. */
static int push_word(struct kh_segmenter *sg, const unsigned char *s, uint32_t p, uint32_t q,
		     uint8_t *flags)
{
	enum cls prev = C_NONE;
	uint32_t piece = p, i = p;
	int r;

	while (i < q) {
		uint32_t cp;
		unsigned k = decode_at(s + i, q - i, &cp);
		enum cls c = classify(cp);

		if (c == C_PUNCT) {
			uint32_t cp2 = 0;
			enum cls next = C_NONE;
			bool keep;

			if (i + k < q) {
				decode_at(s + i + k, q - i - k, &cp2);
				next = classify(cp2);
			}
			if (prev == C_DIGIT && next == C_DIGIT)
				keep = cp == '.' || cp == ',';
			else
				keep = prev != C_ARABIC && next != C_ARABIC && prev != C_NONE && next != C_NONE;
			if (!keep) {
				r = push_piece(sg, s, piece, i, flags);
				if (r == 0)
					r = raw_push(sg, i, i + k, KH_TOK_PUNCT, *flags);
				if (r < 0)
					return r;
				*flags = 0;
				i += k;
				piece = i;
				prev = C_NONE;
				continue;
			}
		} else if ((c == C_ARABIC && (prev == C_DIGIT || prev == C_OTHER)) ||
			   ((c == C_DIGIT || c == C_OTHER) && prev == C_ARABIC)) {
			r = push_piece(sg, s, piece, i, flags);
			if (r < 0)
				return r;
			piece = i;
		}
		if (c != C_MARK)
			prev = c;
		i += k;
	}
	return push_piece(sg, s, piece, q, flags);
}

/* The view in UTF-16 for ICU, and the cursor at its start. */
static int to_utf16(struct kh_segmenter *sg, const char *text, uint32_t n)
{
	UErrorCode st = U_ZERO_ERROR;

	if ((uint64_t)n + 1 > (uint64_t)sg->cap16) {
		int32_t cap = (int32_t)(n + 1 > 1024 ? n + 1 : 1024);
		UChar *u = n + 1 >= INT32_MAX ? NULL : realloc(sg->u16, (size_t)cap * sizeof(UChar));

		if (u == NULL)
			return -ENOMEM;
		sg->u16 = u;
		sg->cap16 = cap;
	}
	u_strFromUTF8(sg->u16, sg->cap16, &sg->n16, text, (int32_t)n, &st);
	if (U_FAILURE(st))
		return -EIO;
	sg->c8 = 0;
	sg->c16 = 0;
	return 0;
}

/* Byte offset of UTF-16 offset @p u16 (at or after the cursor); moves the cursor. */
static uint32_t byte_at(struct kh_segmenter *sg, uint32_t u16)
{
	const unsigned char *s = sg->text;

	while (sg->c16 < u16) {
		unsigned char c = s[sg->c8];

		if (c < 0x80) {
			sg->c8++;
			sg->c16++;
		} else if (c < 0xE0) {
			sg->c8 += 2;
			sg->c16++;
		} else if (c < 0xF0) {
			sg->c8 += 3;
			sg->c16++;
		} else {
			sg->c8 += 4;
			sg->c16 += 2;
		}
	}
	return sg->c8;
}

/* UTF-16 units of the view's bytes [a, b) (character boundaries). */
static uint32_t u16_units(const char *text, uint32_t a, uint32_t b)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t n = 0;

	for (uint32_t i = a; i < b; i++)
		n += (s[i] & 0xC0) != 0x80 ? 1u + (s[i] >= 0xF0) : 0u;
	return n;
}

/* Raw tokens of the word-break segment [p, q): a word or number (ICU rule status
 * >= UBRK_WORD_NONE_LIMIT), else a space run, a line break or one mark. */
static int push_segment(struct kh_segmenter *sg, const unsigned char *s, uint32_t p, uint32_t q,
			bool word, uint8_t *flags)
{
	if (word)
		return push_word(sg, s, p, q, flags);
	for (uint32_t i = p; i < q; i++) {
		uint32_t cp;
		int r;

		if (s[i] == ' ') {
			*flags |= KH_TOKF_SPACE_BEFORE;
			continue;
		}
		if (s[i] == '\n') {
			*flags |= KH_TOKF_SPACE_BEFORE | KH_TOKF_LINE_START;
			continue;
		}
		kh_utf8_decode(s + i, q - i, &cp);
		r = raw_push(sg, i, q, classify(cp) == C_PUNCT ? KH_TOK_PUNCT : KH_TOK_OTHER, *flags);
		*flags = 0;
		return r;
	}
	return 0;
}

/* The word-break class of the character at @p s (@p n bytes left), its code
 * point and its length. */
static inline enum wb wb_at(const unsigned char *s, uint32_t n, uint32_t *ret_cp, unsigned *ret_k)
{
	if (s[0] < 0x80) {
		*ret_k = 1;
		*ret_cp = s[0];
		return (enum wb)wb_table[s[0]];
	}
	if (s[0] < 0xE0 && n >= 2) {
		*ret_k = 2;
		*ret_cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return (enum wb)wb_table[*ret_cp];
	}
	*ret_k = kh_utf8_decode(s, n, ret_cp);
	return *ret_cp < 0x10000 ? (enum wb)wb_table[*ret_cp] : WB_HARD;
}

/* Only Arabic letters, or only ASCII digits: push_word() would keep it whole. */
static inline bool plain_char(uint32_t cp, enum cls first)
{
	return cp < 0x800 && cls_table[cp] == first && (first == C_ARABIC || cp < 0x80);
}

/* The word break of ICU's rules (UAX #29 as ICU tailors it) for texts of letters,
 * digits, punctuation, spaces and line feeds, straight on the UTF-8 view: a word
 * is letters and digits, joined across one MidLetter / MidNumLet between letters
 * (WB6, WB7) or one MidNum / MidNumLet between digits (WB11, WB12); spaces stay
 * together (WB3d); anything else stands alone.  It costs a fraction of ICU's
 * iterator, which also wants the text in UTF-16.  (test_segment checks it
 * against ICU.)  @return 0, 1 when the text holds a WB_HARD character (nothing
 * is kept: ask ICU), or -ENOMEM */
/* Past the Arabic letters (arabic_pair) from @p at on, before @p end.  Four
 * pairs are tested together and the letters among them counted: the loop goes
 * round again only after four letters, so a word of a few letters costs one
 * branch whose outcome is mostly the same, not one exit at a varying count. */
static inline const unsigned char *arabic_run(const unsigned char *at, const unsigned char *end)
{
	while (end - at >= 8) {
		unsigned ok = 0;
		unsigned m;

		for (unsigned q = 0; q < 4; q++)
			ok |= (unsigned)arabic_pair[(uint32_t)at[2 * q + 1] << 8 | at[2 * q]] << q;
		m = (unsigned)__builtin_ctz(~ok); /* ok < 16: at most 4 */
		at += 2 * m;
		if (m < 4)
			return at;
	}
	while (at < end - 1 && arabic_pair[(uint32_t)at[1] << 8 | at[0]] != 0)
		at += 2;
	return at;
}

static int tokenize_fast(struct kh_segmenter *sg, const unsigned char *s, uint32_t n)
{
	uint8_t flags = KH_TOKF_LINE_START;
	uint32_t p = 0;

	while (p < n) {
		unsigned k;
		uint32_t cp;
		enum wb c;
		enum wb last;
		enum cls first;
		bool plain;
		uint32_t q;
		int r;

		if (s[p] == ' ' || s[p] == '\n') {
			/* what push_segment() makes of spaces and a line feed: flags (first, before
			 * the classes below, which a space between words does not need); a space
			 * run followed by another space character goes on below */
			q = p + 1;
			while (q < n && s[q] == ' ' && s[p] == ' ')
				q++;
			if (q >= n || ((s[q] & 0xFEu) == 0xD8 && !arabic_space) ||
			    wb_at(s + q, n - q, &cp, &k) != WB_SPACE) {
				flags |= s[p] == ' ' ? KH_TOKF_SPACE_BEFORE : KH_TOKF_SPACE_BEFORE | KH_TOKF_LINE_START;
				p = q;
				continue;
			}
		}
		if (p + 1 < n && arabic_pair[(uint32_t)s[p + 1] << 8 | s[p]] != 0) {
			/* most words start with an Arabic letter: what wb_at(), cls_table and
			 * plain_char() say of it is known */
			c = last = WB_LETTER;
			first = C_ARABIC;
			plain = true;
			q = p + 2;
		} else {
			c = wb_at(s + p, n - p, &cp, &k);
			last = c;
			first = cp < 0x800 ? (enum cls)cls_table[cp] : C_OTHER;
			plain = (first == C_ARABIC || first == C_DIGIT) && plain_char(cp, first);
			q = p + k;
			if (c == WB_HARD)
				return 1;
		}
		if (c == WB_SPACE) {
			while (q < n && s[q] == ' ')
				q++; /* the only space below U+0800; others are rare: one at a time */
			while (q < n && wb_at(s + q, n - q, &cp, &k) == WB_SPACE)
				q += k;
		} else if (c == WB_LETTER || c == WB_NUMERIC) {
			while (q < n) {
				unsigned k2;

				/* the common case first: more Arabic letters (D8 xx, D9 xx) */
				if (first == C_ARABIC && last == WB_LETTER) {
					const unsigned char *at = arabic_run(s + q, s + n);

					q = (uint32_t)(at - s);
					if (q >= n)
						break;
				}
				if (s[q] == ' ' || s[q] == '\n')
					break; /* WB_SPACE, WB_LF: what ends most words, without wb_at() */
				uint32_t cp2;
				enum wb c1, c2;

				c1 = wb_at(s + q, n - q, &cp, &k);

				if (c1 == WB_LETTER || c1 == WB_NUMERIC) {
					last = c1;
					plain = plain && plain_char(cp, first);
					q += k;
					continue;
				}
				if (c1 == WB_HARD)
					return 1;
				if (c1 != WB_MIDLETTER && c1 != WB_MIDNUM && c1 != WB_MIDNUMLET)
					break;
				if (q + k >= n)
					break;
				c2 = wb_at(s + q + k, n - q - k, &cp2, &k2);
				if (c2 == WB_HARD)
					return 1;
				if (c2 != last || (last == WB_LETTER && c1 == WB_MIDNUM) ||
				    (last == WB_NUMERIC && c1 == WB_MIDLETTER))
					break;
				plain = false; /* a mark inside: push_word() decides */
				q += k + k2;
			}
		}
		if ((c == WB_LETTER || c == WB_NUMERIC) && plain) {
			r = raw_push(sg, p, q, first == C_DIGIT ? KH_TOK_NUMBER : KH_TOK_WORD, flags);
			flags = 0;
		} else {
			r = push_segment(sg, s, p, q, c == WB_LETTER || c == WB_NUMERIC, &flags);
		}
		if (r < 0)
			return r;
		p = q;
	}
	return 0;
}

/* Raw tokens of @p s into sg->raw, by ICU's word break iterator. */
static int tokenize_icu(struct kh_segmenter *sg, const char *text, uint32_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	UErrorCode st = U_ZERO_ERROR;
	uint8_t flags = KH_TOKF_LINE_START;
	int32_t q16;
	uint32_t p, q;
	int r;

	sg->n_raw = 0;
	sg->text = s;
	r = to_utf16(sg, text, n);
	if (r < 0)
		return r;
	ubrk_setText(sg->word, sg->u16, sg->n16, &st);
	if (U_FAILURE(st))
		return -EIO;
	p = 0;
	ubrk_first(sg->word);
	for (q16 = ubrk_next(sg->word); q16 != UBRK_DONE && r == 0; p = q, q16 = ubrk_next(sg->word)) {
		int32_t status = ubrk_getRuleStatus(sg->word);

		q = byte_at(sg, (uint32_t)q16);
		r = push_segment(sg, s, p, q, status >= UBRK_WORD_NONE_LIMIT, &flags);
	}
	return r;
}

/* Raw tokens of @p s into sg->raw. */
static int tokenize(struct kh_segmenter *sg, const char *text, uint32_t n)
{
	int r;

	pthread_once(&cls_once, cls_init);
	sg->n_raw = 0;
	sg->text = (const unsigned char *)text;
	r = tokenize_fast(sg, (const unsigned char *)text, n);
	return r <= 0 ? r : tokenize_icu(sg, text, n);
}

int kh_seg_raw_tokens(struct kh_segmenter *sg, const char *text, uint32_t n, bool icu,
		      struct kh_seg_raw *ret, uint32_t max)
{
	int r;

	pthread_once(&cls_once, cls_init);
	sg->n_raw = 0;
	sg->text = (const unsigned char *)text;
	r = icu ? tokenize_icu(sg, text, n) : tokenize_fast(sg, (const unsigned char *)text, n);
	if (r == 1)
		return -EAGAIN;
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < sg->n_raw && i < max; i++) {
		ret[i].start = sg->raw[i].start;
		ret[i].end = sg->raw[i].end;
		ret[i].kind = sg->raw[i].kind;
		ret[i].flags = sg->raw[i].flags;
	}
	return (int)sg->n_raw;
}

int kh_seg_words(const char *norm, uint32_t len, struct kh_span *ret_spans, uint32_t max)
{
	int r;

	struct kh_segmenter *fresh = NULL;

	pthread_mutex_lock(&proto_lock);
	if (shared_seg == NULL) {
		pthread_mutex_unlock(&proto_lock);
		fresh = kh_seg_new(); /* takes the lock itself */
		if (fresh == NULL)
			return -ENOMEM;
		pthread_mutex_lock(&proto_lock);
		if (shared_seg == NULL) {
			shared_seg = fresh;
			fresh = NULL;
		}
	}
	r = tokenize(shared_seg, norm, len);
	if (r == 0) {
		uint32_t n = shared_seg->n_raw < max ? shared_seg->n_raw : max;

		for (uint32_t i = 0; i < n; i++) {
			ret_spans[i].start = shared_seg->raw[i].start;
			ret_spans[i].end = shared_seg->raw[i].end;
		}
		r = (int)n;
	}
	pthread_mutex_unlock(&proto_lock);
	kh_seg_free(fresh);
	return r;
}

/* ---- tokens with clitics and keys -------------------------------------------------------- */

static bool is_char(const struct kh_doc *doc, const struct kh_token *t, const char *c)
{
	size_t n = strlen(c);

	return t->end - t->start == n && memcmp(doc->norm + t->start, c, n) == 0;
}

/* Opening and closing quotation marks; " by its neighbours. */
static void quote_flags(struct kh_doc *doc, uint32_t k, bool *dq_open)
{
	struct kh_token *t = &doc->tokens.items[k];
	const struct kh_token *prev = k > 0 ? &doc->tokens.items[k - 1] : NULL;
	bool open_ctx, close_ctx;
	unsigned char next;

	if ((t->flags & KH_TOKF_LINE_START) != 0)
		*dq_open = false;
	if (is_char(doc, t, "«")) {
		t->flags |= KH_TOKF_QUOTE_OPEN;
		return;
	}
	if (is_char(doc, t, "»")) {
		t->flags |= KH_TOKF_QUOTE_CLOSE;
		return;
	}
	if (!is_char(doc, t, "\""))
		return;
	next = (unsigned char)doc->norm[t->end];
	open_ctx = (t->flags & (KH_TOKF_SPACE_BEFORE | KH_TOKF_LINE_START)) != 0 || prev == NULL ||
		   (prev->kind == KH_TOK_PUNCT && ((prev->flags & KH_TOKF_QUOTE_OPEN) != 0 ||
						   is_char(doc, prev, "(") || is_char(doc, prev, "[")));
	close_ctx = next == '\0' || next == ' ' || next == '\n' || strchr(".,:;!?)]", next) != NULL ||
		    (next == 0xD8 && ((unsigned char)doc->norm[t->end + 1] == 0x8C ||
				      (unsigned char)doc->norm[t->end + 1] == 0x9B ||
				      (unsigned char)doc->norm[t->end + 1] == 0x9F)); /* ، ؛ ؟ */
	if (open_ctx && !close_ctx)
		*dq_open = true;
	else if (close_ctx && !open_ctx)
		*dq_open = false;
	else
		*dq_open = !*dq_open;
	t->flags |= *dq_open ? KH_TOKF_QUOTE_OPEN : KH_TOKF_QUOTE_CLOSE;
}

/* An empty table with room for the words of @p n_tokens tokens. */
/* At most this many slots (512 KB): a table that outgrows the cache makes every
 * token of a long document a cache miss, which cost more than the analysis it
 * saves; the words of a document are far fewer than its tokens anyway. */
#define SEG_MEMO_MAX_SLOTS (UINT32_C(1) << 16)

/* The table is not cleared for each document: the slots an earlier document
 * filled hold a tok at or below the new memo_base, which reads as empty.  It is
 * cleared only when fresh or when the numbers would wrap.  @p n_index: above
 * the index of every token this document may put in it. */
static int memo_reset(struct kh_segmenter *sg, uint32_t n_tokens, uint32_t n_index)
{
	uint32_t cap = 64;
	bool clear = false;

	while (cap < 2 * (uint64_t)n_tokens && cap < SEG_MEMO_MAX_SLOTS)
		cap *= 2;
	if (cap > sg->memo_cap) {
		struct memo_slot *m = grow_array(sg->memo, 0, (size_t)cap * sizeof(*m));

		if (m == NULL)
			return -ENOMEM;
		sg->memo = m;
		sg->memo_cap = cap;
		clear = true;
	}
	if ((uint64_t)sg->memo_end + n_index + 1 > UINT32_MAX)
		clear = true;
	if (clear) {
		memset(sg->memo, 0, (size_t)sg->memo_cap * sizeof(*sg->memo));
		sg->memo_end = 0;
	}
	sg->memo_base = sg->memo_end;
	sg->memo_end = sg->memo_base + n_index + 1;
	sg->memo_mask = cap - 1;
	sg->memo_free = cap / 2;
	return 0;
}

/* @p n >= 4: whole 8-byte (or 4-byte) loads, the last one overlapping. */
static uint32_t word_hash(const unsigned char *p, uint32_t n)
{
	const unsigned char *end = p + n;
	uint64_t h = (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15);
	uint64_t v;

	if (n < 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, end - 4, 4);
		v = ((uint64_t)a << 32) | b;
	} else {
		for (; end - p > 8; p += 8) {
			memcpy(&v, p, 8);
			h = (h ^ v) * UINT64_C(0xFF51AFD7ED558CCD);
			h ^= h >> 32;
		}
		memcpy(&v, end - 8, 8);
	}
	h = (h ^ v) * UINT64_C(0xC4CEB9FE1A85EC53);
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

/* The slot of the word of token @p t: the earlier token with its bytes, or the empty
 * slot to fill.  The table never fills: it takes words while half of it is empty. */
static struct memo_slot *memo_find(struct kh_segmenter *sg, const struct kh_doc *doc,
				   const struct kh_token *t, uint32_t h)
{
	uint32_t len = t->end - t->start;

	for (uint32_t i = h & sg->memo_mask;; i = (i + 1) & sg->memo_mask) {
		struct memo_slot *m = &sg->memo[i];
		const struct kh_token *o;

		if (m->tok <= sg->memo_base)
			return m;
		if (m->hash != h)
			continue;
		o = &doc->tokens.items[m->tok - sg->memo_base - 1];
		if (o->end - o->start == len && kh_lex_key_eq(doc->norm + o->start, doc->norm + t->start, len))
			return m;
	}
}

/* Token @p t is the word of the earlier token @p o: the same parts and keys. */
static void copy_analysis(struct kh_token *t, const struct kh_token *o)
{
	t->core_start = t->start + (o->core_start - o->start);
	t->stem_start = t->start + (o->stem_start - o->start);
	t->stem_end = t->start + (o->stem_end - o->start);
	t->key = o->key;
	t->stem_key = o->stem_key;
	t->full_key = o->full_key;
	t->proclitics = o->proclitics;
	t->flags |= o->flags & (KH_TOKF_ARTICLE | KH_TOKF_SUFFIX | KH_TOKF_FUSED);
}

static int analyse_word(const struct kh_lexicon *known, struct kh_doc *doc, struct kh_token *t);

/* Keys of token @p t; its full key is folded into @p *keys, which advances. */
static int token_keys(struct kh_segmenter *sg, const struct kh_lexicon *known, struct kh_doc *doc,
		      struct kh_token *t, char **keys)
{
	uint32_t len = t->end - t->start;
	struct memo_slot *m = NULL;
	uint32_t h = 0;
	int r;

	/* words too short or too long for clitics only need their key */
	if (t->kind == KH_TOK_WORD && len >= 4 && len <= KH_CLITICS_MAX_BYTES) {
		h = word_hash((const unsigned char *)doc->norm + t->start, len);
		m = memo_find(sg, doc, t, h);
		if (m->tok > sg->memo_base) {
			copy_analysis(t, &doc->tokens.items[m->tok - sg->memo_base - 1]);
			return 0;
		}
	}
	kh_norm_fold_buf(*keys, doc->norm + t->start, len);
	t->full_key = *keys;
	*keys += len + 1;
	t->key = t->stem_key = t->full_key;
	if (m == NULL)
		return 0;
	r = analyse_word(known, doc, t);
	if (r < 0 || sg->memo_free == 0)
		return r;
	m->hash = h;
	m->tok = sg->memo_base + (uint32_t)(t - doc->tokens.items) + 1;
	sg->memo_free--;
	return 0;
}

/* Clitics, core, stem and their keys of the word token @p t, whose full key is made.
 * kh_clitics_analyze() finds something only in a word of two-byte letters, whose
 * folding is letter by letter: the keys of its parts are slices of the full key. */
static int analyse_word(const struct kh_lexicon *known, struct kh_doc *doc, struct kh_token *t)
{
	const char *w = doc->norm + t->start;
	uint32_t len = t->end - t->start;
	struct kh_clitics c;
	char *key;

	if (!kh_clitics_analyze(known, w, t->full_key, len, &c))
		return 0;
	t->core_start = t->start + c.core;
	t->stem_start = t->start + c.stem;
	t->stem_end = t->start + c.stem_end;
	t->proclitics = c.proclitics;
	if (c.article)
		t->flags |= KH_TOKF_ARTICLE;
	if (c.stem_end < len)
		t->flags |= KH_TOKF_SUFFIX;
	/* key: the core, with the ل of a fused لل written as the article ال */
	if (c.fused) {
		key = kh_arena_alloc_uninit(&doc->arena, (size_t)(len - c.core) + 3);
		if (key == NULL)
			return -ENOMEM;
		key[0] = (char)0xD8;
		key[1] = (char)0xA7; /* ا */
		memcpy(key + 2, t->full_key + c.core, len - c.core + 1); /* with its NUL */
		t->key = key;
		t->flags |= KH_TOKF_FUSED;
	} else if (c.core > 0) {
		t->key = t->full_key + c.core; /* folding keeps lengths */
	}
	if (c.stem == c.core && c.stem_end == len && !c.fused) {
		t->stem_key = t->key;
		return 0;
	}
	key = kh_arena_alloc_uninit(&doc->arena, (size_t)(c.stem_end - c.stem) + 1);
	if (key == NULL)
		return -ENOMEM;
	memcpy(key, t->full_key + c.stem, c.stem_end - c.stem);
	key[c.stem_end - c.stem] = '\0';
	if (c.restore != 0 && c.stem_end - c.stem >= 2) {
		char *last = key + (c.stem_end - c.stem) - 2;
		uint32_t f = kh_clitics_folded_restore(c.restore);

		last[0] = (char)(0xC0 | (f >> 6));
		last[1] = (char)(0x80 | (f & 0x3F));
	}
	t->stem_key = key;
	return 0;
}

/* ---- sentences ---------------------------------------------------------------------------- */

static bool is_stop(const struct kh_doc *doc, const struct kh_token *t)
{
	return t->kind == KH_TOK_PUNCT &&
	       (is_char(doc, t, ".") || is_char(doc, t, "!") || is_char(doc, t, "?") ||
		is_char(doc, t, "؟"));
}

static bool is_closing(const struct kh_doc *doc, const struct kh_token *t)
{
	return t->kind == KH_TOK_PUNCT &&
	       ((t->flags & KH_TOKF_QUOTE_CLOSE) != 0 || is_char(doc, t, ")") || is_char(doc, t, "]"));
}

/* Latin abbreviations that ICU's own list might miss in Arabic text. */
static bool latin_abbrev(const char *key)
{
	static const char *const abbrevs[] = {
		"co", "corp", "dr", "gen", "inc", "jr", "ltd", "mr", "mrs", "ms", "no", "prof", "sr", "st", "vs",
	};

	for (size_t i = 0; i < sizeof(abbrevs) / sizeof(abbrevs[0]); i++)
		if (strcmp(key, abbrevs[i]) == 0)
			return true;
	return false;
}

/* Does the stop at token k end an abbreviation rather than a sentence? */
static bool abbreviation_stop(const struct kh_doc *doc, uint32_t k)
{
	const struct kh_token *stop = &doc->tokens.items[k];
	const struct kh_token *w;
	uint32_t cp;
	unsigned n;

	if (k == 0 || !is_char(doc, stop, "."))
		return false;
	w = &doc->tokens.items[k - 1];
	/* "1." "2." numbering a list at the start of a line */
	if (w->kind == KH_TOK_NUMBER && w->end == stop->start && (w->flags & KH_TOKF_LINE_START) != 0)
		return true;
	if (w->kind != KH_TOK_WORD || w->end != stop->start)
		return false;
	n = kh_utf8_decode((const unsigned char *)doc->norm + w->start, w->end - w->start, &cp);
	if (n == w->end - w->start) {
		/* a single letter: د. م. أ.د.; but م. and هـ. after a year close the sentence */
		if ((cp == 0x645 || cp == 0x647) && k >= 2 &&
		    doc->tokens.items[k - 2].kind == KH_TOK_NUMBER)
			return false;
		return true;
	}
	return latin_abbrev(w->full_key);
}

struct sent_state {
	uint32_t first;   /* first token of the open sentence */
	int32_t stop_tok; /* last stop, while only closing marks follow it; or -1 */
	uint32_t cur;     /* index of the open sentence: the count of those closed */
};

/* Does ICU's sentence break see a boundary between the stop at token @p stop
 * and token @p k?  It is asked on a window from the word before the stop to
 * the word after token k: the rules look no further (SB6-SB8a), and a window
 * costs a few dozen characters where the whole text would cost all of them. */
static bool icu_agrees_slow(struct kh_segmenter *sg, const struct kh_doc *doc, uint32_t stop, uint32_t k);

/* The common case without ICU: the stop, then only spaces, then a word that starts with
 * a common Arabic letter (D8 A1..BA, D9 81..8A: U+0621..U+063A, U+0641..U+064A, all
 * OLetter).  The rules that join across a stop (SB6-SB8a) want a digit, a capital, a
 * small letter or SContinue / a stop after it; an OLetter is none of them, so the break
 * falls after the spaces (SB11), at the word, which ICU would find too. */
static bool icu_agrees(struct kh_segmenter *sg, const struct kh_doc *doc, uint32_t stop, uint32_t k)
{
	const struct kh_token *t = doc->tokens.items;
	const unsigned char *s = (const unsigned char *)doc->norm;

	if (k == stop + 1 && t[k].kind == KH_TOK_WORD && t[k].end - t[k].start >= 2) {
		unsigned a = s[t[k].start], b = s[t[k].start + 1];
		bool gap_spaces = true;

		for (uint32_t i = t[stop].end; i < t[k].start && gap_spaces; i++)
			gap_spaces = s[i] == ' ';
		if (gap_spaces && ((a == 0xD8 && b >= 0xA1 && b <= 0xBA) || (a == 0xD9 && b >= 0x81 && b <= 0x8A)))
			return true;
	}
	return icu_agrees_slow(sg, doc, stop, k);
}

static bool icu_agrees_slow(struct kh_segmenter *sg, const struct kh_doc *doc, uint32_t stop, uint32_t k)
{
	const struct kh_token *t = doc->tokens.items;
	uint32_t first = stop > 0 && (t[stop].flags & KH_TOKF_LINE_START) == 0 ? stop - 1 : stop;
	uint32_t last = k + 1 < doc->tokens.n && (t[k + 1].flags & KH_TOKF_LINE_START) == 0 ? k + 1 : k;
	uint32_t w0 = t[first].start;
	int32_t from = (int32_t)u16_units(doc->norm, w0, t[stop].end);
	int32_t to = (int32_t)u16_units(doc->norm, w0, t[k].start);
	UErrorCode st = U_ZERO_ERROR;
	int32_t b;

	/* the window in UTF-16 (the whole view is not converted when our own word
	 * break cut it) */
	if (to_utf16(sg, doc->norm + w0, t[last].end - w0) < 0)
		return true;
	ubrk_setText(sg->sent, sg->u16, sg->n16, &st);
	if (U_FAILURE(st))
		return true;
	b = ubrk_following(sg->sent, from - 1);
	return b != UBRK_DONE && b <= to;
}

static int close_sentence(struct kh_doc *doc, struct sent_state *ss, uint32_t end_tok, bool at_line_end)
{
	struct kh_sentence *s;
	const struct kh_token *last;
	uint32_t j;

	if (end_tok <= ss->first)
		return 0;
	s = kh_vec_push(&doc->sentences);
	if (s == NULL)
		return -ENOMEM;
	s->tok_first = ss->first;
	s->tok_end = end_tok;
	s->start = doc->tokens.items[ss->first].start;
	s->end = doc->tokens.items[end_tok - 1].end;
	/* the tokens' sentence index: set by sentences() as it went */
	/* a whole line without a final stop: a headline or a dateline */
	j = end_tok - 1;
	while (j > ss->first && is_closing(doc, &doc->tokens.items[j]))
		j--;
	last = &doc->tokens.items[j];
	/* a headline may trail off with ".." or "..."; a long line without a stop
	 * is a paragraph that lost its full stop, not a headline */
	s->headline = at_line_end && (doc->tokens.items[ss->first].flags & KH_TOKF_LINE_START) != 0 &&
		      end_tok - ss->first <= SEG_HEADLINE_MAX_TOKENS &&
		      (!is_stop(doc, last) || (is_char(doc, last, ".") && j > ss->first &&
					       is_char(doc, &doc->tokens.items[j - 1], "."))) &&
		      !is_char(doc, last, ":");
	ss->first = end_tok;
	return 0;
}

/* The sentence pass's common case, inline where the tokens are made (a call per token cost
 * more than it saved): a word inside a line with no stop before it goes in the open
 * sentence.  @return false for any other token (sentence_step() decides it). */
static inline bool sentence_plain(struct kh_token *t, const struct sent_state *ss)
{
	if (t->kind == KH_TOK_PUNCT || (t->flags & KH_TOKF_LINE_START) != 0 || ss->stop_tok >= 0)
		return false;
	t->sentence = ss->cur;
	return true;
}

/* One token of the sentence pass: token @p k, whose successor (if any) is built already
 * (icu_agrees() looks at it); the tokens before it are done. */
static int sentence_step(struct kh_segmenter *sg, struct kh_doc *doc, struct sent_state *ss, uint32_t k)
{
	struct kh_token *t = &doc->tokens.items[k];
	bool stop, closing;
	int r;

	if (sentence_plain(t, ss))
		return 0;
	stop = is_stop(doc, t);
	closing = is_closing(doc, t);
	if (k > 0 && (t->flags & KH_TOKF_LINE_START) != 0) {
		r = close_sentence(doc, ss, k, true);
		if (r < 0)
			return r;
		ss->stop_tok = -1;
	} else if (ss->stop_tok >= 0 && !closing && !stop) {
		if (!abbreviation_stop(doc, (uint32_t)ss->stop_tok) && icu_agrees(sg, doc, (uint32_t)ss->stop_tok, k)) {
			r = close_sentence(doc, ss, k, false);
			if (r < 0)
				return r;
		}
		ss->stop_tok = -1;
	}
	/* whatever closed above ended before k: k is in the open sentence */
	ss->cur = doc->sentences.n;
	t->sentence = ss->cur;
	if (stop)
		ss->stop_tok = (int32_t)k;
	else if (!closing)
		ss->stop_tok = -1;
	return 0;
}

/* Sentences of every token, in a pass of their own (when kh_seg_apply() adds to
 * tokens it did not make now). */
static int sentences(struct kh_segmenter *sg, struct kh_doc *doc)
{
	struct sent_state ss = { .stop_tok = -1, .cur = doc->sentences.n };
	int r;

	for (uint32_t k = 0; k < doc->tokens.n; k++) {
		r = sentence_step(sg, doc, &ss, k);
		if (r < 0)
			return r;
	}
	return close_sentence(doc, &ss, doc->tokens.n, true);
}

int kh_seg_apply(struct kh_segmenter *sg, const struct kh_lexicon *known, struct kh_doc *doc)
{
	bool dq_open = false;
	bool fused = doc->tokens.n == 0; /* the sentence pass goes along with the tokens */
	struct sent_state ss = { .stop_tok = -1, .cur = doc->sentences.n };
	char *keys;
	int r;

	r = tokenize(sg, doc->norm, doc->norm_len);
	if (r < 0)
		return r;
	/* every full key in one block: the tokens' bytes, each with its NUL */
	keys = kh_arena_alloc_uninit(&doc->arena, (size_t)doc->norm_len + sg->n_raw + 1);
	if (keys == NULL)
		return -ENOMEM;
	if (doc->tokens.cap < doc->tokens.n + sg->n_raw) {
		struct kh_token *items = grow_array(doc->tokens.items, (size_t)doc->tokens.n * sizeof(*items),
						    ((size_t)doc->tokens.n + sg->n_raw) * sizeof(*items));

		if (items == NULL)
			return -ENOMEM;
		doc->tokens.items = items;
		doc->tokens.cap = doc->tokens.n + sg->n_raw;
	}
	if ((uint64_t)doc->tokens.n + sg->n_raw >= UINT32_MAX)
		return -ENOMEM;
	r = memo_reset(sg, sg->n_raw, doc->tokens.n + sg->n_raw);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < sg->n_raw; i++) {
		struct kh_token *t = &doc->tokens.items[doc->tokens.n++]; /* room reserved above */
		const struct raw_tok *rt = &sg->raw[i];

		/* one store of the whole token, its parts set to the whole word (what
		 * token_keys() keeps when it finds no clitic) */
		*t = (struct kh_token){
			.start = rt->start,
			.end = rt->end,
			.core_start = rt->start,
			.stem_start = rt->start,
			.stem_end = rt->end,
			.kind = rt->kind,
			.flags = rt->flags,
		};
		r = token_keys(sg, known, doc, t, &keys);
		if (r < 0)
			return r;
		if (t->kind == KH_TOK_PUNCT)
			quote_flags(doc, doc->tokens.n - 1, &dq_open);
		/* the token before, while it is still in the cache: a pass of its own
		 * read the tokens back from memory once a document outgrew the cache */
		if (fused && i > 0 && !sentence_plain(t - 1, &ss)) {
			r = sentence_step(sg, doc, &ss, doc->tokens.n - 2);
			if (r < 0)
				return r;
		}
	}
	if (!fused)
		return sentences(sg, doc);
	if (doc->tokens.n > 0) {
		r = sentence_step(sg, doc, &ss, doc->tokens.n - 1);
		if (r < 0)
			return r;
	}
	return close_sentence(doc, &ss, doc->tokens.n, true);
}
