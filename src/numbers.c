/* SPDX-License-Identifier: MIT */
/* Arabic counts: digits, number words, vague quantities and qualifiers. */
#include "numbers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

#define NUM_MAX_TOKENS 12 /* a count never runs longer than this */

enum nw_kind {
	NW_UNIT = 1,  /* 1..9 */
	NW_TEN,       /* عشرة: 10, or the second word of a teen */
	NW_TENS,      /* 20..90 */
	NW_HUNDRED,   /* 100..900 */
	NW_SCALE,     /* ألف، مليون: multiplies what stands before */
	NW_SCALE_PL,  /* آلاف، ملايين: multiplies; alone it is vague */
	NW_WHOLE,     /* a complete value that ends the number: ألفان، مليونان */
	NW_VAGUE,     /* عشرات، مئات، بضعة */
	NW_VAGUE_OF,  /* عدد من، العديد من: vague, takes من */
	NW_QUAL,      /* a qualifier word or phrase */
};

struct num_word {
	const char *variants;
	uint8_t kind;
	int64_t value; /* for NW_QUAL: enum kh_count_bound */
};

/* Written as a person reads them; folded when the table is built. */
static const struct num_word num_words[] = {
	{ "واحد|واحدة|أحد|إحدى", NW_UNIT, 1 },
	{ "اثنان|اثنين|اثنتان|اثنتين|اثنا|اثني|اثنتا|اثنتي", NW_UNIT, 2 },
	{ "ثلاث|ثلاثة", NW_UNIT, 3 },
	{ "أربع|أربعة", NW_UNIT, 4 },
	{ "خمس|خمسة", NW_UNIT, 5 },
	{ "ست|ستة", NW_UNIT, 6 },
	{ "سبع|سبعة", NW_UNIT, 7 },
	{ "ثمان|ثماني|ثمانية", NW_UNIT, 8 },
	{ "تسع|تسعة", NW_UNIT, 9 },
	{ "عشر|عشرة", NW_TEN, 10 },
	{ "عشرون|عشرين", NW_TENS, 20 },
	{ "ثلاثون|ثلاثين", NW_TENS, 30 },
	{ "أربعون|أربعين", NW_TENS, 40 },
	{ "خمسون|خمسين", NW_TENS, 50 },
	{ "ستون|ستين", NW_TENS, 60 },
	{ "سبعون|سبعين", NW_TENS, 70 },
	{ "ثمانون|ثمانين", NW_TENS, 80 },
	{ "تسعون|تسعين", NW_TENS, 90 },
	{ "مئة|مائة|مئه|ماية|مية", NW_HUNDRED, 100 },
	{ "مئتان|مئتين|مائتان|مائتين|مئتا|مائتا|مئتي|مائتي", NW_HUNDRED, 200 },
	{ "ثلاثمئة|ثلاثمائة|ثلثمائة", NW_HUNDRED, 300 },
	{ "أربعمئة|أربعمائة", NW_HUNDRED, 400 },
	{ "خمسمئة|خمسمائة", NW_HUNDRED, 500 },
	{ "ستمئة|ستمائة", NW_HUNDRED, 600 },
	{ "سبعمئة|سبعمائة", NW_HUNDRED, 700 },
	{ "ثمانمئة|ثمانمائة|ثمانيمئة|ثمانيمائة", NW_HUNDRED, 800 },
	{ "تسعمئة|تسعمائة", NW_HUNDRED, 900 },
	{ "ألف|ألفا", NW_SCALE, 1000 },
	{ "آلاف|ألوف", NW_SCALE_PL, 1000 },
	{ "مليون|مليونا", NW_SCALE, 1000000 },
	{ "ملايين", NW_SCALE_PL, 1000000 },
	{ "مليار|مليارا|بليون", NW_SCALE, 1000000000 },
	{ "مليارات", NW_SCALE_PL, 1000000000 },
	{ "ألفان|ألفين|ألفي", NW_WHOLE, 2000 },
	{ "مليونان|مليونين|مليوني", NW_WHOLE, 2000000 },
	{ "عشرات|العشرات|مئات|المئات|الآلاف|بضعة|بضع|عدة|الملايين", NW_VAGUE, 0 },
	{ "عدد|عددا|العديد", NW_VAGUE_OF, 0 },
	{ "نحو|حوالي|حوالى|قرابة|زهاء|ما يقارب|ما يقرب من|يقارب|ما يناهز|يناهز", NW_QUAL, KH_COUNT_APPROX },
	{ "أكثر من|ما يزيد عن|ما يزيد على|يزيد عن|يزيد على|ما لا يقل عن|لا يقل عن|على الأقل|أزيد من|ما يربو على|يربو على", NW_QUAL, KH_COUNT_MIN },
	{ "أقل من|ما دون|ما لا يزيد عن|ما لا يزيد على|لا يزيد عن|لا يزيد على", NW_QUAL, KH_COUNT_MAX },
};

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static struct kh_lexicon *table; /* built once, read-only afterwards; NULL on OOM */

/* Bits of the first two bytes of every qualifier phrase (a letter: no key of the table is
 * shorter): match_qualifier() looks up nothing at a token whose key starts otherwise. */
#define QUAL_FIRST_BITS 10
static uint64_t qual_first[(1u << QUAL_FIRST_BITS) / 64];

static const struct num_word *word_of(const struct kh_lex_entry *e);

static uint32_t first_bit(const char *k)
{
	unsigned a = (unsigned char)k[0], b = (unsigned char)k[1];

	return (a << 6 ^ b) & ((1u << QUAL_FIRST_BITS) - 1);
}

/* kh_lex_each_key() callback: a key of a qualifier (its folded first letter) */
static int add_qual_first(const char *key, size_t len, void *ud)
{
	const struct num_word *w = word_of(kh_lex_get_n(ud, key, len));
	uint32_t b;

	if (w == NULL || w->kind != NW_QUAL)
		return 0;
	if (len < 2)
		return -EINVAL; /* the filter could not tell */
	b = first_bit(key);
	qual_first[b / 64] |= 1ull << (b % 64);
	return 0;
}

static void build_table(void)
{
	struct kh_lexicon *lx = kh_lex_new();

	if (lx == NULL)
		return;
	for (size_t i = 0; i < sizeof(num_words) / sizeof(num_words[0]); i++) {
		char idx[16];
		const char *f[1] = { idx };

		snprintf(idx, sizeof(idx), "%zu", i);
		if (kh_lex_add(lx, num_words[i].variants, f, 1, "numbers.c", (uint32_t)i + 1) < 0) {
			kh_lex_free(lx);
			return;
		}
	}
	if (kh_lex_each_key(lx, add_qual_first, lx) != 0) {
		kh_lex_free(lx);
		return;
	}
	table = lx;
}

static const struct kh_lexicon *get_table(void)
{
	pthread_once(&table_once, build_table);
	return table;
}

static const struct num_word *word_of(const struct kh_lex_entry *e)
{
	size_t i = 0;
	const char *p;

	if (e == NULL || e->n_fields < 1)
		return NULL;
	/* build_table wrote "%zu" (another table's columns start otherwise): read without
	 * strtol, this runs for every entry found */
	p = e->fields[0];
	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		i = i * 10 + (size_t)(*p - '0');
		if (i >= sizeof(num_words) / sizeof(num_words[0]))
			return NULL;
	}
	return &num_words[i];
}

/* Does @p k begin with the letter whose UTF-8 bytes are @p a @p b? */
static inline bool begins(const char *k, unsigned char a, unsigned char b)
{
	return (unsigned char)k[0] == a && (unsigned char)k[1] == b;
}

/* Append key @p k of @p len bytes, @p skip bytes into the token's core, to @p ret. */
static void put_key(struct kh_tok_keys *ret, const char *k, uint32_t len, uint8_t skip)
{
	ret->k[ret->n] = k;
	ret->len[ret->n] = len;
	ret->skip[ret->n++] = skip;
}

/* The keys of kh_num_tok_keys() after the first: without a leading و/ف of @p k
 * (@p len bytes), then without ب/ل/ك.  Apart from kh_num_tok_keys() so that its
 * common case (one key) saves no registers: it runs once per token. */
static void __attribute__((noinline)) proclitic_keys(struct kh_tok_keys *ret, const char *k, uint32_t len)
{
	uint8_t skip = 0;

	/* و / ف (2 bytes each in UTF-8), with more after them; k[1] is never NUL
	 * when k[0] is a lead byte, so k[2] may be read */
	if ((begins(k, 0xD9, 0x88) || begins(k, 0xD9, 0x81)) && k[2] != '\0') {
		k += 2;
		len -= 2;
		skip += 2;
		put_key(ret, k, len, skip);
	}
	if (begins(k, 0xD9, 0x84) && begins(k + 2, 0xD9, 0x84) && k[4] != '\0' && k[5] != '\0' &&
	    k[6] != '\0') { /* لل and more than one byte after it */
		if (len + 1 <= sizeof(ret->buf)) {
			memcpy(ret->buf, "ال", 4);
			memcpy(ret->buf + 4, k + 4, len - 4 + 1);
			put_key(ret, ret->buf, len, (uint8_t)(skip + 2));
		}
	} else if ((begins(k, 0xD8, 0xA8) || begins(k, 0xD9, 0x84) || begins(k, 0xD9, 0x83)) && k[2] != '\0' &&
		   ret->n < 4) { /* ب ل ك */
		put_key(ret, k + 2, len - 2, (uint8_t)(skip + 2));
	}
}

void kh_num_tok_keys(const struct kh_doc *doc, uint32_t tok, struct kh_tok_keys *ret)
{
	const struct kh_token *t = &doc->tokens.items[tok];
	const char *k = t->key != NULL ? t->key : "";
	uint32_t len = t->key != NULL ? kh_tok_key_len(t) : 0;
	unsigned c0 = (unsigned char)k[0], c1;

	ret->n = 0;
	put_key(ret, k, len, 0);
	if (t->core_start != t->start || t->kind != KH_TOK_WORD || (c0 & 0xFEu) != 0xD8)
		return; /* the segmenter already split what it knew; no و ف ب ل ك in front */
	/* ب is D8 A8; و ف ل ك are D9 88, 81, 84, 83 (bits 8, 1, 4, 3 of 0x11A, a 64-bit
	 * constant so that any 6-bit shift is defined); k[1]
	 * may be read after a lead byte (at worst the NUL) */
	c1 = (unsigned char)k[1];
	if (c0 == 0xD8 ? c1 == 0xA8 : (c1 & 0xC0u) == 0x80 && (0x11Aull >> (c1 & 0x3Fu) & 1u) != 0)
		proclitic_keys(ret, k, len);
}

/* Digits (ASCII or Arabic-Indic) of a whole key, with an optional decimal part.
 * Returns true and the value in thousandths. */
static bool digits_value(const char *k, int64_t *ret_milli)
{
	const unsigned char *p = (const unsigned char *)k;
	int64_t v = 0;
	int64_t frac = 0, scale = 1000;
	bool any = false, dot = false;

	while (*p != '\0') {
		int d = -1;

		if (*p >= '0' && *p <= '9') {
			d = *p - '0';
			p++;
		} else if (p[0] == 0xD9 && p[1] >= 0xA0 && p[1] <= 0xA9) { /* U+0660..0669 */
			d = p[1] - 0xA0;
			p += 2;
		} else if (p[0] == 0xDB && p[1] >= 0xB0 && p[1] <= 0xB9) { /* U+06F0..06F9 */
			d = p[1] - 0xB0;
			p += 2;
		} else if ((*p == '.' || *p == ',') && any && !dot && p[1] != '\0') {
			dot = true;
			p++;
			continue;
		} else if (p[0] == 0xD9 && p[1] == 0xAB && any && !dot) { /* ٫ decimal separator */
			dot = true;
			p += 2;
			continue;
		} else {
			return false;
		}
		any = true;
		if (dot) {
			if (scale > 1) {
				scale /= 10;
				frac += d * scale;
			}
		} else if (v < KH_NUM_MAX) {
			v = v * 10 + d;
		}
	}
	if (!any)
		return false;
	if (v > KH_NUM_MAX)
		v = KH_NUM_MAX;
	*ret_milli = v * 1000 + frac;
	return true;
}

static int64_t cap_mul(int64_t a, int64_t b)
{
	if (a <= 0 || b <= 0)
		return 0;
	if (a > KH_NUM_MAX / b)
		return KH_NUM_MAX;
	return a * b;
}

static int64_t cap_add(int64_t a, int64_t b)
{
	int64_t s = a + b; /* both <= KH_NUM_MAX: no overflow */

	return s > KH_NUM_MAX ? KH_NUM_MAX : s;
}

int64_t kh_num_word_value(const char *key)
{
	const struct kh_lexicon *lx = get_table();
	const struct num_word *w;
	int64_t milli;

	if (key == NULL)
		return -1;
	if (digits_value(key, &milli))
		return milli / 1000;
	if (lx == NULL)
		return -1;
	w = word_of(kh_lex_get(lx, key));
	if (w == NULL || w->kind == NW_VAGUE || w->kind == NW_VAGUE_OF || w->kind == NW_QUAL)
		return -1;
	return w->value;
}

/* A single-word entry of the table for token tok, trying its keys in turn. */
static const struct num_word *lookup_word_keys(const struct kh_lexicon *lx, const struct kh_doc *doc,
					       uint32_t tok, const struct kh_tok_keys *keys, bool *ret_wa,
					       uint8_t *ret_skip)
{
	const struct kh_token *t = &doc->tokens.items[tok];

	for (uint8_t i = 0; i < keys->n; i++) {
		const struct num_word *w = word_of(kh_lex_get_n(lx, keys->k[i], keys->len[i]));

		if (w != NULL) {
			*ret_wa = (t->proclitics & KH_PRO_WA) != 0 || keys->skip[i] > 0;
			*ret_skip = keys->skip[i];
			return w;
		}
	}
	return NULL;
}

static const struct num_word *lookup_word(const struct kh_lexicon *lx, const struct kh_doc *doc,
					  uint32_t tok, bool *ret_wa, uint8_t *ret_skip)
{
	struct kh_tok_keys keys;

	kh_num_tok_keys(doc, tok, &keys);
	return lookup_word_keys(lx, doc, tok, &keys, ret_wa, ret_skip);
}

/* Digits token (its keys): value in thousandths. */
static bool lookup_digits(const struct kh_tok_keys *keys, int64_t *ret_milli, uint8_t *ret_skip)
{
	for (uint8_t i = 0; i < keys->n; i++) {
		if (digits_value(keys->k[i], ret_milli)) {
			*ret_skip = keys->skip[i];
			return true;
		}
	}
	return false;
}

/* A multi-word qualifier (أكثر من، ما لا يقل عن) at tok: tokens matched, bound. */
static uint32_t match_qualifier(const struct kh_lexicon *lx, const struct kh_doc *doc, uint32_t tok,
				uint32_t tok_end, const struct kh_tok_keys *keys, uint8_t *ret_bound,
				uint8_t *ret_skip)
{
	char buf[256];
	uint32_t best = 0;

	for (uint8_t c = 0; c < keys->n; c++) {
		size_t len = keys->len[c];
		uint32_t b;

		if (len + 1 > sizeof(buf))
			continue;
		/* a phrase starts with its first token's key: most keys (digits, most words)
		 * start no qualifier */
		if (len >= 2) {
			b = first_bit(keys->k[c]);
			if ((qual_first[b / 64] >> (b % 64) & 1) == 0)
				continue;
		}
		memcpy(buf, keys->k[c], len + 1);
		for (uint32_t i = tok; i < tok_end && i < tok + 5; i++) {
			const struct num_word *w;

			if (i > tok) {
				const char *k = doc->tokens.items[i].full_key;
				size_t kl = kh_tok_full_len(&doc->tokens.items[i]);

				if (doc->tokens.items[i].kind == KH_TOK_PUNCT || len + kl + 2 > sizeof(buf))
					break;
				buf[len++] = ' ';
				memcpy(buf + len, k, kl + 1);
				len += kl;
			}
			w = word_of(kh_lex_get_n(lx, buf, len));
			if (w != NULL && w->kind == NW_QUAL && i - tok + 1 > best) {
				best = i - tok + 1;
				*ret_bound = (uint8_t)w->value;
				*ret_skip = keys->skip[c];
			}
			if (!kh_lex_has_prefix_n(lx, buf, len))
				break;
		}
	}
	return best;
}

uint32_t kh_num_parse(const struct kh_doc *doc, uint32_t tok, uint32_t tok_end,
		      struct kh_count *ret_count)
{
	const struct kh_lexicon *lx = get_table();
	struct kh_count c = { 0 };
	uint32_t i = tok, first, q;
	uint8_t bound = KH_COUNT_EXACT, skip = 0, first_skip = 0, q_skip = 0;
	int64_t total = 0, cur = 0, milli = 0;
	bool wa = false;
	const struct num_word *w;
	struct kh_tok_keys keys;

	if (lx == NULL || tok >= tok_end || tok_end > doc->tokens.n)
		return 0;
	/* the first token's keys serve the qualifier and, when there is none, the number */
	kh_num_tok_keys(doc, i, &keys);
	q = match_qualifier(lx, doc, i, tok_end, &keys, &bound, &q_skip);
	i += q;
	if (i >= tok_end)
		return 0;
	first = i;
	if (q > 0)
		kh_num_tok_keys(doc, i, &keys);
	if (lookup_digits(&keys, &milli, &skip)) {
		first_skip = skip;
		i++;
		/* 1.5 split by the tokenizer into "1" "." "5" */
		if (i + 1 < tok_end && milli % 1000 == 0 && doc->tokens.items[i].kind == KH_TOK_PUNCT &&
		    doc->tokens.items[i].end - doc->tokens.items[i].start == 1 &&
		    (doc->norm[doc->tokens.items[i].start] == '.' || doc->norm[doc->tokens.items[i].start] == ',') &&
		    (doc->tokens.items[i].flags & KH_TOKF_SPACE_BEFORE) == 0 &&
		    (doc->tokens.items[i + 1].flags & KH_TOKF_SPACE_BEFORE) == 0 &&
		    doc->tokens.items[i + 1].kind == KH_TOK_NUMBER) {
			int64_t frac = 0;
			const char *fk = doc->tokens.items[i + 1].key;

			if (digits_value(fk, &frac) && strlen(fk) <= 3) {
				for (size_t z = strlen(fk); z < 3; z++)
					frac *= 10;
				milli += frac / 1000;
				i += 2;
			}
		}
		cur = milli / 1000;
	} else {
		w = lookup_word_keys(lx, doc, i, &keys, &wa, &skip);
		if (w == NULL || w->kind == NW_QUAL)
			return 0;
		first_skip = skip;
		if (w->kind == NW_VAGUE || w->kind == NW_VAGUE_OF || w->kind == NW_SCALE_PL) {
			/* عشرات / عدد من / آلاف on its own: a vague count */
			c.vague = true;
			i++;
			if (i < tok_end) {
				bool wa2;
				uint8_t sk2;
				const struct num_word *w2 = lookup_word(lx, doc, i, &wa2, &sk2);

				/* عشرات الآلاف، مئات الآلاف */
				if (w2 != NULL && (w2->kind == NW_VAGUE || w2->kind == NW_SCALE_PL) && !wa2)
					i++;
			}
			if (w->kind == NW_VAGUE_OF) {
				if (i < tok_end && strcmp(doc->tokens.items[i].full_key, "من") == 0)
					i++;
				else if (strcmp(doc->tokens.items[first].key, "العديد") != 0 &&
					 strcmp(doc->tokens.items[first].key, "عددا") != 0)
					return 0; /* عدد alone is "number", not a count */
			}
			goto done;
		}
		cur = w->value; /* ثلاثة، ألف جندي، ألفي مسلح */
		milli = cur * 1000;
		i++;
	}
	/* continuation: teens, "ثلاث مئة", scales, "و" + smaller parts */
	for (uint32_t guard = 0; i < tok_end && guard < NUM_MAX_TOKENS; guard++) {
		const struct kh_token *t = &doc->tokens.items[i];

		if (t->kind == KH_TOK_PUNCT)
			break;
		w = lookup_word(lx, doc, i, &wa, &skip);
		if (w == NULL)
			break;
		if (!wa && w->kind == NW_TEN && cur > 0 && cur < 10) {
			cur += 10; /* ثلاثة عشر */
		} else if (!wa && w->kind == NW_HUNDRED && w->value == 100 && cur > 0 && cur < 10) {
			cur *= 100; /* ثلاث مئة */
		} else if (!wa && (w->kind == NW_SCALE || w->kind == NW_SCALE_PL) && (cur > 0 || milli > 0)) {
			if (milli % 1000 != 0 && cur == milli / 1000) /* 1.5 مليون */
				cur = cap_mul(milli, w->value) / 1000;
			else
				cur = cap_mul(cur, w->value);
			total = cap_add(total, cur);
			cur = 0;
		} else if (wa && (w->kind == NW_UNIT || w->kind == NW_TEN || w->kind == NW_TENS ||
				  w->kind == NW_HUNDRED) && (cur > 0 || total > 0)) {
			cur = cap_add(cur, w->value); /* خمسة وعشرون */
		} else {
			break;
		}
		milli = 0;
		i++;
	}
	c.value = cap_add(total, cur);
done:
	/* a trailing "على الأقل" right after the number (the cheap test of على first: most
	 * numbers are followed by something else) */
	if (i < tok_end && doc->tokens.items[i].key != NULL && strcmp(doc->tokens.items[i].key, "علي") == 0) {
		uint8_t b2 = KH_COUNT_EXACT;
		uint8_t sk;
		uint32_t q2;

		kh_num_tok_keys(doc, i, &keys);
		q2 = match_qualifier(lx, doc, i, tok_end, &keys, &b2, &sk);

		if (q2 > 0 && b2 == KH_COUNT_MIN) {
			bound = b2;
			i += q2;
		}
	}
	c.present = true;
	c.bound = bound;
	c.span.start = doc->tokens.items[tok].core_start + (q == 0 ? first_skip : q_skip);
	c.span.end = doc->tokens.items[i - 1].end;
	*ret_count = c;
	return i - tok;
}

int kh_num_add_words(struct kh_lexicon *lx, const char *const *fields, unsigned n_fields)
{
	for (size_t i = 0; i < sizeof(num_words) / sizeof(num_words[0]); i++) {
		const char *v = num_words[i].variants;

		if (kh_lex_add(lx, v, fields, n_fields, "numbers.c", (uint32_t)i + 1) < 0)
			return -ENOMEM;
		/* the first word of a qualifier phrase (أكثر من → أكثر) on its own */
		if (num_words[i].kind == NW_QUAL) {
			char buf[64];
			const char *p = v;

			while (*p != '\0') {
				size_t n = strcspn(p, "|");
				size_t w = strcspn(p, " |");

				if (w < n && w < sizeof(buf)) {
					memcpy(buf, p, w);
					buf[w] = '\0';
					if (kh_lex_add(lx, buf, fields, n_fields, "numbers.c", (uint32_t)i + 1) < 0)
						return -ENOMEM;
				}
				p += n;
				if (*p == '|')
					p++;
			}
		}
	}
	return 0;
}

int kh_num_add_known(struct kh_lexicon *known)
{
	return kh_num_add_words(known, NULL, 0);
}

