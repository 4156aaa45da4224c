/* SPDX-License-Identifier: MIT */
/* Phrase matching for the entity stage and the per-document surface table. */
#include "ent_match.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "doc.h"
#include "ent_internal.h"
#include "lexicon.h"
#include "normalize.h"
#include "utf8.h"

#define MATCH_MAX_KEY 512u
#define MATCH_MAX_WORDS 12u
#define MATCH_MAX_ALTS 4u
#define KH_PHR_STOP_INDEX 5u /* bit number of KH_LB_STOP */

_Static_assert(KH_LB_STOP == 1u << KH_PHR_STOP_INDEX, "stop lexicon bit");

/* ---- first-token readings ---------------------------------------------------------------- */

static bool is_mark(uint32_t cp)
{
	return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640;
}

/* Byte after @p n letters (and their marks) from @p pos, not past @p end. */
static uint32_t skip_letters(const struct kh_doc *doc, uint32_t pos, uint32_t end, unsigned n)
{
	const unsigned char *s = (const unsigned char *)doc->norm;

	if (end > doc->norm_len)
		end = doc->norm_len;
	for (unsigned k = 0; k < n && pos < end; k++) {
		uint32_t cp;

		pos += kh_utf8_decode(s + pos, end - pos, &cp);
		while (pos < end) {
			unsigned len = kh_utf8_decode(s + pos, end - pos, &cp);

			if (!is_mark(cp))
				break;
			pos += len;
		}
	}
	return pos;
}

/* و or ف (two-byte letters; a shorter key fails at its NUL) */
static bool is_wa_fa(const char *k)
{
	return (unsigned char)k[0] == 0xd9 && ((unsigned char)k[1] == 0x88 || (unsigned char)k[1] == 0x81);
}

/* ب, ل or ك */
static bool is_bi_li_ka(const char *k)
{
	unsigned char a = (unsigned char)k[0], b = (unsigned char)k[1];

	return (a == 0xd8 && b == 0xa8) || (a == 0xd9 && (b == 0x84 || b == 0x83));
}

#define LAM "\xd9\x84"

#define PHRASE_MIX 0x9E3779B1u

/* The hash of a phrase whose words so far hash to h, followed by a word hashing to w: a
 * longer phrase extends a shorter one's hash with a word hash each token keeps. */
static uint32_t phrase_more(uint32_t h, uint32_t w)
{
	return (((h << 5) | (h >> 27)) ^ w) * PHRASE_MIX;
}

/* The tables' hash of a key of words separated by single spaces. */
static uint32_t hash_str(const char *s)
{
	size_t n = strcspn(s, " ");
	uint32_t h = kh_lex_hash(s, n);

	while (s[n] == ' ') {
		s += n + 1;
		n = strcspn(s, " ");
		h = phrase_more(h, kh_lex_hash(s, n));
	}
	return h;
}

/* A reading whose name starts at byte @p start, or (@p skip > 0) @p skip letters into the
 * token: skip_letters is run only for a reading that matches (reading_start). */
static void set_reading(struct kh_ent_alt *a, const char *key, size_t len, uint32_t hash,
			uint32_t start, unsigned skip)
{
	a->key = key;
	a->len = (uint16_t)len;
	a->hash = hash;
	a->start = start;
	a->skip = (uint8_t)skip;
	a->phrase = 0;
	a->ents = 0;
	a->has = 0;
}

/* Byte where the name starts when reading @p a of token @p i matches. */
static uint32_t reading_start(const struct kh_doc *doc, uint32_t i, const struct kh_ent_alt *a)
{
	const struct kh_token *t = &doc->tokens.items[i];

	return a->skip == 0 ? a->start : skip_letters(doc, t->start, t->end, a->skip);
}

/* The readings of token i's first word: its key, then (when the segmenter split nothing)
 * the word without و/ف and ب/ل/ك, and fused لل read as ال.  The keys point into the
 * token's keys, except the fused لل reading, which is written to @p fused (at most one
 * token reading needs it).  @p kl is strlen(full_key); @p ret_fh gets its kh_lex_hash.
 * @return readings written (at most MATCH_MAX_ALTS) */
static inline __attribute__((always_inline)) unsigned
first_alts(const struct kh_doc *doc, uint32_t i, int strip, size_t kl, struct kh_ent_alt *alts,
	   char *fused, uint32_t *ret_fh)
{
	const struct kh_token *t = &doc->tokens.items[i];
	const char *k = t->full_key;
	size_t bl;
	unsigned n = 0;

	*ret_fh = kh_lex_hash(k, kl);
	bl = kh_tok_key_len(t);
	if (bl >= MATCH_MAX_KEY)
		return 0;
	/* most keys are the full key itself (nothing split off) */
	set_reading(&alts[n++], t->key, bl, t->key == k ? *ret_fh : kh_lex_hash(t->key, bl), t->core_start, 0);
	if (!strip || kl >= MATCH_MAX_KEY)
		return n;
	if (t->core_start != t->start) {
		/* وكفر read as و + ك + فر: also try the word with only و/ف taken off */
		if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0 &&
		    (t->proclitics & ~(KH_PRO_WA | KH_PRO_FA)) != 0 && kl >= 8 &&
		    is_wa_fa(k))
			set_reading(&alts[n++], k + 2, kl - 2, kh_lex_hash(k + 2, kl - 2), 0, 1);
		return n;
	}
	for (unsigned skip = 1; skip <= 2 && n < MATCH_MAX_ALTS; skip++) {
		size_t off = 2 * skip;

		if (kl < off + 6)
			break; /* leave at least three letters */
		if (skip == 1 && !(is_wa_fa(k) || is_bi_li_ka(k)))
			break;
		if (skip == 2 && !(is_wa_fa(k) && is_bi_li_ka(k + 2)))
			break;
		/* fused لل: the second ل stands for the article */
		if (memcmp(k + off - 2, LAM, 2) == 0 && memcmp(k + off, LAM, 2) == 0) {
			memcpy(fused, "\xd8\xa7", 2); /* ا + ل... */
			memcpy(fused + 2, k + off, kl - off + 1);
			set_reading(&alts[n++], fused, kl - off + 2, kh_lex_hash(fused, kl - off + 2), 0, skip);
			continue;
		}
		set_reading(&alts[n++], k + off, kl - off, kh_lex_hash(k + off, kl - off), 0, skip);
	}
	return n;
}

uint32_t kh_ent_core_start(const struct kh_doc *doc, uint32_t i, int strip_wa)
{
	const struct kh_token *t;

	if (i >= doc->tokens.n)
		return 0;
	t = &doc->tokens.items[i];
	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0 &&
	    (t->proclitics & ~(KH_PRO_WA | KH_PRO_FA)) != 0 && kh_tok_key_len(t) <= 4 &&
	    kh_tok_full_len(t) >= 8)
		return skip_letters(doc, t->start, t->end, 1); /* وكفر: only و is a proclitic */
	if (strip_wa && t->core_start == t->start && kh_tok_full_len(t) > 4 &&
	    is_wa_fa(t->full_key))
		return skip_letters(doc, t->start, t->end, 1);
	return t->core_start;
}

/* ---- generic longest match ------------------------------------------------------------- */

struct look {
	bool found;
	bool prefix;
	const struct kh_lex_entry *entry;
	uint32_t value;
};

/* Look up @p key (@p len bytes, hash_str @p hash); @p alt is the first-token reading the key
 * is, or NULL for a longer phrase. */
typedef struct look (*look_fn)(const void *tab, const char *key, size_t len, uint32_t hash,
			       const struct kh_ent_alt *alt);

static inline bool bloom_maybe(const struct kh_ent_table *t, uint32_t h);

/* Longest phrase at token i over the given first-token readings; @p al, when not NULL,
 * knows every token's full-key length and hash; @p filter, when not NULL, is the table
 * @p fn looks in, whose bit filter rules out most longer phrases before their key is
 * written out.  Inlined at each caller: with @p fn known there, the look-up is inlined too
 * (a call through the pointer for each word cost more than the copies of this loop). */
static inline __attribute__((always_inline)) uint32_t
match_alts(const void *tab, look_fn fn, const struct kh_ent_table *filter, const struct kh_doc *doc,
	   const struct kh_ent_alts *al, uint32_t i, uint32_t end, const struct kh_ent_alt *alts,
	   unsigned na, struct kh_ent_m *ret)
{
	char buf[MATCH_MAX_KEY];
	uint32_t best = 0;
	struct kh_ent_m bm = { 0 };
	uint32_t sentence = doc->tokens.items[i].sentence;

	for (unsigned a = 0; a < na; a++) {
		size_t len = alts[a].len;
		uint32_t h = alts[a].hash;

		for (uint32_t j = i; j < end && j < i + MATCH_MAX_WORDS; j++) {
			const struct kh_token *t = &doc->tokens.items[j];
			struct look lk;

			if (j > i) {
				size_t kl;

				if (t->kind == KH_TOK_PUNCT || t->sentence != sentence)
					break;
				kl = al != NULL ? al->flen[j] : kh_tok_full_len(t);
				if (len + kl + 2 > MATCH_MAX_KEY)
					break;
				h = phrase_more(h, al != NULL ? al->fhash[j] : kh_lex_hash(t->full_key, kl));
				if (filter != NULL && !bloom_maybe(filter, h))
					break; /* neither a phrase nor the start of one */
				if (j == i + 1)
					memcpy(buf, alts[a].key, len);
				buf[len++] = ' ';
				memcpy(buf + len, t->full_key, kl + 1);
				len += kl;
				lk = fn(tab, buf, len, h, NULL);
			} else {
				lk = fn(tab, alts[a].key, len, h, &alts[a]);
			}
			if (!lk.found && !lk.prefix)
				break;
			if (lk.found && j - i + 1 > best) {
				best = j - i + 1;
				bm.n = best;
				bm.start = reading_start(doc, i, &alts[a]);
				bm.entry = lk.entry;
				bm.value = lk.value;
			}
			if (!lk.prefix)
				break;
		}
		if (best > 0 && a == 0)
			break; /* the segmenter's reading wins when it matches */
	}
	if (best > 0)
		*ret = bm;
	return best;
}

static uint32_t match_with(const void *tab, look_fn fn, const struct kh_doc *doc, uint32_t i,
			   uint32_t end, int strip, struct kh_ent_m *ret)
{
	struct kh_ent_alt alts[MATCH_MAX_ALTS];
	char fused[MATCH_MAX_KEY + 2];
	uint32_t fh;
	unsigned na;

	if (end > doc->tokens.n)
		end = doc->tokens.n;
	if (i >= end || doc->tokens.items[i].kind != KH_TOK_WORD)
		return 0;
	na = first_alts(doc, i, strip, kh_tok_full_len(&doc->tokens.items[i]), alts, fused, &fh);
	return match_alts(tab, fn, NULL, doc, NULL, i, end, alts, na, ret);
}

static struct look look_lex(const void *tab, const char *key, size_t len, uint32_t hash,
			    const struct kh_ent_alt *alt)
{
	const struct kh_lexicon *lx = tab;
	struct look lk = { 0 };

	(void)hash;
	(void)alt;
	lk.entry = kh_lex_get_n(lx, key, len);
	lk.found = lk.entry != NULL;
	lk.prefix = kh_lex_has_prefix_n(lx, key, len);
	return lk;
}

uint32_t kh_ent_match(const struct kh_lexicon *lx, const struct kh_doc *doc, uint32_t i,
		      uint32_t end, int strip, struct kh_ent_m *ret)
{
	if (lx == NULL)
		return 0;
	return match_with(lx, look_lex, doc, i, end, strip, ret);
}

size_t kh_ent_span_key(const struct kh_doc *doc, uint32_t tf, uint32_t te, uint32_t start,
		       char *out, size_t cap)
{
	size_t len = 0;

	if (tf >= te || te > doc->tokens.n || cap == 0)
		return 0;
	for (uint32_t j = tf; j < te; j++) {
		const struct kh_token *t = &doc->tokens.items[j];
		const char *k = t->full_key;
		char *tmp = NULL;
		size_t kl = kh_tok_full_len(t);

		if (j == tf) {
			if (start == t->core_start) {
				k = t->key;
				kl = kh_tok_key_len(t);
			} else if (start > t->start && start < t->end) {
				tmp = kh_norm_key(doc->norm + start, t->end - start);
				if (tmp == NULL)
					return 0;
				k = tmp;
				kl = strlen(k);
			}
		}
		if (len + kl + 2 > cap) {
			free(tmp);
			return 0;
		}
		if (j > tf)
			out[len++] = ' ';
		memcpy(out + len, k, kl);
		len += kl;
		free(tmp);
	}
	out[len] = '\0';
	return len;
}

/* ---- the per-document table -------------------------------------------------------------- */

struct tslot {
	const char *key;
	uint32_t hash;
	uint32_t value; /* KH_NONE for a prefix-only slot */
	uint32_t ents; /* phrase table: 1 + row of the key's entries in kh_ent_table.ents, or 0 */
	uint16_t len;  /* strlen(key): keys are shorter than MATCH_MAX_KEY */
	bool prefix;
};

_Static_assert(MATCH_MAX_KEY <= UINT16_MAX, "key lengths fit a slot and a reading");
_Static_assert(sizeof(struct kh_ent_alt) == 32, "two readings a cache line");

struct kh_ent_table {
	struct kh_arena arena;
	struct tslot *slots;
	size_t n_slots;
	size_t used;
	/* phrase table: per key with KH_PHR_FOUND bits, the entry of each lexicon (by bit),
	 * and the class of its stop-word entry */
	const struct kh_lex_entry **ents;
	uint8_t *stop_cls;
	/* phrase table: a bit filter of the keys' hashes, small enough to stay in cache, so
	 * that most words no lexicon holds cost no probe of the slots */
	uint64_t *bloom;
	unsigned bloom_shift; /* 64 - log2 of the filter's words */
	/* phrase table, once resolved: per slot, hash | 1 of its key (0: empty), small enough
	 * to stay in cache, and the slot's key and values in one record, so that a miss reads
	 * the tags alone and a hit one record (instead of a slot and a key far apart) */
	uint32_t *ptags;
	struct pent *pents;
	size_t p_slots; /* of ptags and pents: a power of two, at least PENT_SPARSE * used */
};

#define PENT_INLINE 16u /* keys of at most so many bytes are stored in their record */
/* the resolved index has at least so many slots per key: at the slots' load (up to 3/4)
 * most probes met another key's tag first and went on, a branch the processor mispredicts */
#define PENT_SPARSE 4u

struct pent {
	uint32_t hash;
	uint32_t value;
	uint32_t ents;
	uint16_t len;
	uint8_t has; /* enum kh_ent_lex_bit of the lexicons with an entry in row ents */
	uint8_t pad;
	union {
		char bytes[PENT_INLINE]; /* len <= PENT_INLINE, NUL-padded */
		const char *ptr;         /* a longer key */
	} key;
};

_Static_assert(sizeof(struct pent) == 32, "two records a cache line");

static void bloom_set(struct kh_ent_table *t, uint32_t h);
static inline bool bloom_maybe(const struct kh_ent_table *t, uint32_t h);
static int bloom_build(struct kh_ent_table *t);

struct kh_ent_table *kh_ent_table_new(void)
{
	struct kh_ent_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	/* small: a document's surface table holds a few dozen keys (zeroing 256 slots per
	 * document cost more than growing the few larger tables) */
	t->n_slots = 64;
	t->slots = calloc(t->n_slots, sizeof(*t->slots));
	/* the filter grows with the table: most look-ups of a document's table miss */
	if (t->slots == NULL || bloom_build(t) < 0)
		return kh_ent_table_free(t);
	return t;
}

struct kh_ent_table *kh_ent_table_free(struct kh_ent_table *t)
{
	if (t == NULL)
		return NULL;
	kh_arena_done(&t->arena);
	free(t->slots);
	free(t->ents);
	free(t->stop_cls);
	free(t->bloom);
	free(t->ptags);
	free(t->pents);
	free(t);
	return NULL;
}

/* The slot of key (@p len bytes, strlen(key)), or the empty slot where it would go. */
static inline struct tslot *tfind(const struct kh_ent_table *t, const char *key, size_t len, uint32_t h)
{
	size_t mask = t->n_slots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct tslot *s = &t->slots[i];

		if (s->key == NULL || (s->hash == h && s->len == len && kh_lex_key_eq(s->key, key, len)))
			return s;
	}
}

static int tgrow(struct kh_ent_table *t)
{
	size_t old_n = t->n_slots;
	struct tslot *old = t->slots;

	t->slots = calloc(old_n * 2, sizeof(*t->slots));
	if (t->slots == NULL) {
		t->slots = old;
		return -ENOMEM;
	}
	t->n_slots = old_n * 2;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].key != NULL)
			*tfind(t, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
	return bloom_build(t);
}

/* The slot of key (@p len bytes, hash_str @p h), added when absent; NULL on OOM. */
static struct tslot *tupsert_hash(struct kh_ent_table *t, const char *key, size_t len, uint32_t h)
{
	struct tslot *s;

	if ((t->used + 1) * 4 > t->n_slots * 3 && tgrow(t) < 0)
		return NULL;
	s = tfind(t, key, len, h);
	if (s->key == NULL) {
		s->key = kh_arena_strndup(&t->arena, key, len);
		if (s->key == NULL)
			return NULL;
		s->hash = h;
		s->len = (uint16_t)len;
		s->value = UINT32_MAX;
		t->used++;
		bloom_set(t, h);
	}
	return s;
}

static struct tslot *tupsert(struct kh_ent_table *t, const char *key)
{
	return tupsert_hash(t, key, strlen(key), hash_str(key));
}

int kh_ent_table_put(struct kh_ent_table *t, const char *key, uint32_t value)
{
	char buf[MATCH_MAX_KEY];
	size_t len = strlen(key);
	size_t w = 0; /* start of the current word */
	uint32_t h = 0;
	struct tslot *s;

	if (len >= sizeof(buf))
		return 0; /* too long to be a name: ignore */
	memcpy(buf, key, len + 1);
	/* each word prefix is marked, its hash extended word by word (as hash_str would) */
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != ' ')
			continue;
		h = w == 0 ? kh_lex_hash(buf, i) : phrase_more(h, kh_lex_hash(buf + w, i - w));
		buf[i] = '\0';
		s = tupsert_hash(t, buf, i, h);
		if (s == NULL)
			return -ENOMEM;
		s->prefix = true;
		buf[i] = ' ';
		w = i + 1;
	}
	h = w == 0 ? kh_lex_hash(buf, len) : phrase_more(h, kh_lex_hash(buf + w, len - w));
	s = tupsert_hash(t, buf, len, h);
	if (s == NULL)
		return -ENOMEM;
	if (s->value == UINT32_MAX)
		s->value = value;
	return 0;
}

int kh_ent_table_or(struct kh_ent_table *t, const char *key, uint32_t bits)
{
	struct tslot *s;

	if (strlen(key) >= MATCH_MAX_KEY)
		return 0;
	s = tupsert(t, key);
	if (s == NULL)
		return -ENOMEM;
	s->value = s->value == UINT32_MAX ? bits : (s->value | bits);
	return 0;
}

uint32_t kh_ent_table_get(const struct kh_ent_table *t, const char *key)
{
	uint32_t h = hash_str(key);
	const struct tslot *s;

	if (!bloom_maybe(t, h))
		return UINT32_MAX;
	s = tfind(t, key, strlen(key), h);
	return s->key != NULL ? s->value : UINT32_MAX;
}

int kh_ent_table_add_tokens(struct kh_ent_table *t, const struct kh_doc *doc, uint32_t tf,
			    uint32_t te, uint32_t start, uint32_t value)
{
	char key[MATCH_MAX_KEY];

	if (kh_ent_span_key(doc, tf, te, start, key, sizeof(key)) == 0)
		return 0;
	return kh_ent_table_put(t, key, value);
}

/* The length of the key of tokens [tf, te) from the words' lengths, as kh_ent_span_key would
 * write it (first word @p len0 bytes); 0 when kh_ent_span_key or kh_ent_table_put would
 * refuse it, or a word holds a space (kh_ent_table_put would split there). */
static size_t span_len(const struct kh_ent_alts *al, const struct kh_doc *doc, uint32_t tf,
		       uint32_t te, size_t len0)
{
	size_t len = len0;

	if (len0 + 2 > MATCH_MAX_KEY)
		return 0;
	for (uint32_t j = tf + 1; j < te; j++) {
		size_t kl = al->flen[j];

		if (len + kl + 2 > MATCH_MAX_KEY || memchr(doc->tokens.items[j].full_key, ' ', kl) != NULL)
			return 0;
		len += 1 + kl;
	}
	return len < MATCH_MAX_KEY ? len : 0;
}

int kh_ent_alts_table_add(const struct kh_ent_alts *al, struct kh_ent_table *t, const struct kh_doc *doc,
			  uint32_t tf, uint32_t te, uint32_t start, uint32_t value)
{
	char buf[MATCH_MAX_KEY];
	const struct kh_ent_alt *a0;
	struct tslot *s;
	size_t len, total;
	uint32_t h;

	if (tf >= te || te > doc->tokens.n || al->n[tf] == 0 || start != doc->tokens.items[tf].core_start)
		return kh_ent_table_add_tokens(t, doc, tf, te, start, value);
	a0 = &al->items.items[al->first[tf]];
	if (a0->key != doc->tokens.items[tf].key || memchr(a0->key, ' ', a0->len) != NULL)
		return kh_ent_table_add_tokens(t, doc, tf, te, start, value);
	total = span_len(al, doc, tf, te, a0->len);
	if (total == 0)
		return kh_ent_table_add_tokens(t, doc, tf, te, start, value); /* it decides */
	/* kh_ent_table_put's work, with each word's hash and length already known */
	memcpy(buf, a0->key, a0->len);
	len = a0->len;
	h = a0->hash;
	for (uint32_t j = tf + 1;; j++) {
		buf[len] = '\0';
		s = tupsert_hash(t, buf, len, h);
		if (s == NULL)
			return -ENOMEM;
		if (j == te)
			break;
		s->prefix = true;
		buf[len++] = ' ';
		memcpy(buf + len, doc->tokens.items[j].full_key, al->flen[j]);
		len += al->flen[j];
		h = phrase_more(h, al->fhash[j]);
	}
	if (s->value == UINT32_MAX)
		s->value = value;
	return 0;
}

static struct look look_table(const void *tab, const char *key, size_t len, uint32_t hash,
			      const struct kh_ent_alt *alt)
{
	const struct kh_ent_table *t = tab;
	const struct tslot *s;
	struct look lk = { 0 };

	(void)alt;
	if (!bloom_maybe(t, hash))
		return lk;
	s = tfind(t, key, len, hash);
	if (s->key == NULL)
		return lk;
	lk.found = s->value != UINT32_MAX;
	lk.value = s->value;
	lk.prefix = s->prefix;
	return lk;
}

/* ---- per-document readings and the phrase table ------------------------------------------ */

int kh_ent_phrase_add(struct kh_ent_table *t, const char *key, uint32_t bit)
{
	char buf[MATCH_MAX_KEY];
	size_t len = strlen(key);
	const char *sp = strchr(key, ' ');
	int rc;

	if (len == 0 || len >= sizeof(buf))
		return 0; /* the lexicons hold no such key either */
	memcpy(buf, key, len + 1);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != ' ')
			continue;
		buf[i] = '\0';
		rc = kh_ent_table_or(t, buf, KH_PHR_PREFIX(bit) | (sp == key + i && i > 0 ? bit : 0));
		if (rc < 0)
			return rc;
		buf[i] = ' ';
	}
	return kh_ent_table_or(t, buf, KH_PHR_FOUND(bit) | (sp == NULL ? bit : 0));
}

/* Both bits of a hash lie in one 64-bit word (a blocked filter, as the lexicon's): a test
 * reads one word instead of two far apart.  The word comes from the top bits of the mix,
 * the bit positions from bits 20..31, which it does not reach while the filter has fewer
 * than 2^32 words. */
static inline uint64_t bloom_mix(uint32_t h)
{
	return (uint64_t)h * 0x9E3779B97F4A7C15ull;
}

static inline uint64_t bloom_bits(uint64_t g)
{
	return 1ull << ((g >> 20) & 63) | 1ull << ((g >> 26) & 63);
}

static void bloom_set(struct kh_ent_table *t, uint32_t h)
{
	uint64_t g = bloom_mix(h);

	if (t->bloom == NULL)
		return;
	t->bloom[g >> t->bloom_shift] |= bloom_bits(g);
}

/* false: no key of the table has hash h */
static inline bool bloom_maybe(const struct kh_ent_table *t, uint32_t h)
{
	uint64_t g = bloom_mix(h);
	uint64_t m = bloom_bits(g);

	if (t->bloom == NULL)
		return true;
	return (t->bloom[g >> t->bloom_shift] & m) == m;
}

static int bloom_build(struct kh_ent_table *t)
{
	unsigned log_words = 6; /* 4096 bits */

	while (((size_t)64 << log_words) < t->used * 16 && log_words < 24)
		log_words++;
	free(t->bloom);
	t->bloom = calloc((size_t)1 << log_words, sizeof(*t->bloom));
	if (t->bloom == NULL)
		return -ENOMEM;
	t->bloom_shift = 64 - log_words;
	for (size_t i = 0; i < t->n_slots; i++)
		if (t->slots[i].key != NULL)
			bloom_set(t, t->slots[i].hash);
	return 0;
}

/* The record of key (@p len bytes) in the resolved phrase table, NULL when absent or only a
 * prefix of a user phrase.  No bit filter first: more than half the words a document asks
 * for are there (stop words, first words of names), and a longer phrase passed the filter
 * already. */
static inline const struct pent *phrase_find(const struct kh_ent_table *t, const char *key,
					     size_t len, uint32_t h)
{
	size_t mask = t->p_slots - 1;
	uint32_t tag = h | 1u;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct pent *e;

		if (t->ptags[i] == 0)
			return NULL;
		if (t->ptags[i] != tag)
			continue;
		e = &t->pents[i];
		if (e->hash != h || e->len != len)
			continue;
		if (!kh_lex_key_eq(len <= PENT_INLINE ? e->key.bytes : e->key.ptr, key, len))
			continue;
		return e->value != UINT32_MAX ? e : NULL;
	}
}

/* The records and tags of the phrase table, in an index of its own, sparser than the slots
 * (looked up by key only: its order is never read). */
static int phrase_index(struct kh_ent_table *t)
{
	size_t n = 64;

	while (n < t->used * PENT_SPARSE)
		n *= 2;
	free(t->ptags);
	free(t->pents);
	t->p_slots = n;
	t->ptags = calloc(n, sizeof(*t->ptags));
	t->pents = calloc(n, sizeof(*t->pents));
	if (t->ptags == NULL || t->pents == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_slots; i++) {
		const struct tslot *s = &t->slots[i];
		struct pent *e;
		size_t at;

		if (s->key == NULL)
			continue;
		for (at = s->hash & (n - 1); t->ptags[at] != 0; at = (at + 1) & (n - 1))
			;
		e = &t->pents[at];
		t->ptags[at] = s->hash | 1u;
		e->hash = s->hash;
		e->value = s->value;
		e->ents = s->ents;
		e->len = s->len;
		for (unsigned b = 0; b < KH_PHR_N_LEX && s->ents != 0 && t->ents != NULL; b++)
			if (t->ents[(size_t)(s->ents - 1) * KH_PHR_N_LEX + b] != NULL)
				e->has |= (uint8_t)(1u << b);
		if (s->len <= PENT_INLINE)
			memcpy(e->key.bytes, s->key, s->len);
		else
			e->key.ptr = s->key;
	}
	return 0;
}

int kh_ent_phrase_resolve(struct kh_ent_table *t, const struct kh_lexicon *const *lx, unsigned n_lx)
{
	size_t rows = 0, row = 0;
	int rc;

	if (n_lx != KH_PHR_N_LEX)
		return -EINVAL;
	for (size_t i = 0; i < t->n_slots; i++)
		if (t->slots[i].key != NULL && t->slots[i].value != UINT32_MAX &&
		    (t->slots[i].value & KH_PHR_FOUND(KH_PHR_FIRST_MASK)) != 0)
			rows++;
	free(t->ents);
	free(t->stop_cls);
	t->ents = calloc(rows > 0 ? rows * KH_PHR_N_LEX : 1, sizeof(*t->ents));
	t->stop_cls = calloc(rows + 1, sizeof(*t->stop_cls));
	if (t->ents == NULL || t->stop_cls == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_slots; i++) {
		struct tslot *s = &t->slots[i];

		s->ents = 0;
		if (s->key == NULL || s->value == UINT32_MAX ||
		    (s->value & KH_PHR_FOUND(KH_PHR_FIRST_MASK)) == 0)
			continue;
		for (unsigned b = 0; b < KH_PHR_N_LEX; b++)
			if ((s->value & KH_PHR_FOUND(1u << b)) != 0 && lx[b] != NULL)
				t->ents[row * KH_PHR_N_LEX + b] = kh_lex_get(lx[b], s->key);
		s->ents = (uint32_t)++row;
		{
			const struct kh_lex_entry *e = t->ents[(row - 1) * KH_PHR_N_LEX + KH_PHR_STOP_INDEX];

			if (e != NULL)
				t->stop_cls[row] = kh_ent_stop_cls_parse(e->n_fields > 0 ? e->fields[0] : "");
		}
	}
	rc = phrase_index(t);
	if (rc < 0)
		return rc;
	return bloom_build(t);
}

uint8_t kh_ent_stop_cls_parse(const char *cls)
{
	if (strcmp(cls, "noun") == 0)
		return KH_STOP_NOUN;
	if (strcmp(cls, "adj") == 0)
		return KH_STOP_ADJ;
	if (strcmp(cls, "verb") == 0)
		return KH_STOP_VERB;
	return KH_STOP_OTHER;
}

uint8_t kh_ent_phrase_stop_cls(const struct kh_ent_table *t, uint32_t row)
{
	return t != NULL && t->stop_cls != NULL && row != 0 ? t->stop_cls[row] : KH_STOP_NONE;
}

/* The entry of lexicon bit under a phrase-table row, NULL when the table has none. */
static const struct kh_lex_entry *row_entry(const struct kh_ent_table *t, uint32_t row, uint32_t bit,
					    bool *ret_known)
{
	unsigned b = (unsigned)__builtin_ctz(bit);

	*ret_known = t->ents != NULL && row != 0 && b < KH_PHR_N_LEX;
	return *ret_known ? t->ents[(size_t)(row - 1) * KH_PHR_N_LEX + b] : NULL;
}

/* Room for one more token's readings in al->items (grown by half when short). */
static int alts_reserve(struct kh_ent_alts *al)
{
	struct kh_ent_alt *x;
	uint32_t cap;

	if (al->items.n + MATCH_MAX_ALTS <= al->items.cap)
		return 0;
	cap = al->items.cap + al->items.cap / 2 + MATCH_MAX_ALTS;
	x = realloc(al->items.items, sizeof(*x) * cap);
	if (x == NULL)
		return -ENOMEM;
	al->items.items = x;
	al->items.cap = cap;
	return 0;
}

#define ALTS_AHEAD 8u /* readings whose record is fetched ahead of the look-up */
#define ALTS_LAG 24u  /* readings made after one before it is looked up (> 2 * ALTS_AHEAD) */
#define ALTS_BATCH 8u /* readings looked up together */

/* Token i's readings into al (phrase values not yet looked up), written in place. */
static inline __attribute__((always_inline)) int alts_collect_one(struct kh_ent_alts *al, struct kh_doc *doc, uint32_t i)
{
	const struct kh_token *t = &doc->tokens.items[i];
	char fused[MATCH_MAX_KEY + 2];
	struct kh_ent_alt *x;
	unsigned na = 0;
	size_t kl = kh_tok_full_len(t);

	if (alts_reserve(al) < 0)
		return -ENOMEM;
	x = al->items.items + al->items.n;
	al->first[i] = al->items.n;
	al->flen[i] = (uint32_t)kl;
	fused[0] = '\0'; /* first_alts writes a fused reading (never empty) there */
	if (t->kind == KH_TOK_WORD)
		na = first_alts(doc, i, 1, kl, x, fused, &al->fhash[i]);
	else
		al->fhash[i] = kh_lex_hash(t->full_key, kl);
	for (unsigned a = 0; fused[0] != '\0' && a < na; a++) {
		if (x[a].key == fused) {
			x[a].key = kh_arena_strndup(&doc->arena, fused, x[a].len);
			if (x[a].key == NULL)
				return -ENOMEM;
		}
	}
	for (unsigned a = 0; a < na; a++)
		x[a].tok = i;
	al->items.n += na;
	al->n[i] = (uint8_t)na;
	al->mask[i] = 0;
	return 0;
}

/* Look up reading k in the phrase table and add its phrases to its token's mask; the slot of
 * the reading ALTS_AHEAD or 2 * ALTS_AHEAD later is fetched ahead. */
static inline __attribute__((always_inline)) void alts_look_up(struct kh_ent_alts *al,
							       const struct kh_ent_table *phrases, uint32_t k)
{
	struct kh_ent_alt *items = al->items.items;
	const struct pent *s;

	if (k + 2 * ALTS_AHEAD < al->items.n)
		__builtin_prefetch(&phrases->ptags[items[k + 2 * ALTS_AHEAD].hash & (phrases->p_slots - 1)]);
	if (k + ALTS_AHEAD < al->items.n) {
		/* the tag is in cache by now: fetch the record a hit will read */
		uint32_t h = items[k + ALTS_AHEAD].hash;
		size_t at = h & (phrases->p_slots - 1);
		uintptr_t tag_at = (uintptr_t)&phrases->ptags[at];
		uintptr_t hit = (uintptr_t)0 - (uintptr_t)(phrases->ptags[at] == (h | 1u));

		/* a select by mask, not a branch (the compiler made one of ?:), as half the words
		 * hit, unpredictably: a miss fetches its tag again, which is in cache */
		__builtin_prefetch((const void *)(tag_at + (((uintptr_t)&phrases->pents[at] - tag_at) & hit)));
	}
	s = phrase_find(phrases, items[k].key, items[k].len, items[k].hash);
	if (s == NULL)
		return;
	items[k].phrase = s->value;
	items[k].ents = s->ents;
	items[k].has = s->has;
	al->mask[items[k].tok] |= (uint8_t)(s->value & KH_PHR_FIRST_MASK);
	/* pass 1 reads the entry of a gazetteer or head match (kh_ent_alts_match) */
	if ((s->has & (KH_LB_GAZ | KH_LB_HEADS)) != 0)
		__builtin_prefetch(&phrases->ents[(size_t)(s->ents - 1) * KH_PHR_N_LEX]);
}

int kh_ent_alts_build(struct kh_ent_alts *al, const struct kh_ent_table *phrases, struct kh_doc *doc)
{
	uint32_t n = doc->tokens.n;
	uint32_t k = 0;
	int rc;

	if (phrases != NULL && phrases->ptags == NULL)
		return -EINVAL; /* not resolved: no records to look in */
	/* all written below, for every token */
	al->first = kh_arena_alloc_uninit(&doc->arena, sizeof(*al->first) * n);
	al->n = kh_arena_alloc_uninit(&doc->arena, sizeof(*al->n) * n);
	al->mask = kh_arena_alloc_uninit(&doc->arena, sizeof(*al->mask) * n);
	al->flen = kh_arena_alloc_uninit(&doc->arena, sizeof(*al->flen) * n);
	al->fhash = kh_arena_alloc_uninit(&doc->arena, sizeof(*al->fhash) * n);
	if (al->first == NULL || al->n == NULL || al->mask == NULL || al->flen == NULL ||
	    al->fhash == NULL)
		return -ENOMEM;
	/* most tokens have one or two readings: one allocation for the document */
	al->items.items = malloc(sizeof(*al->items.items) * ((size_t)n * 2 + 16));
	if (al->items.items == NULL)
		return -ENOMEM;
	al->items.cap = n * 2 + 16;
	if (phrases == NULL) {
		for (uint32_t i = 0; i < n; i++) {
			rc = alts_collect_one(al, doc, i);
			if (rc < 0)
				return rc;
		}
		memset(al->mask, 0, sizeof(*al->mask) * n);
		return 0;
	}
	/* one pass: readings are looked up, ALTS_BATCH at a time (a loop of a fixed count, not
	 * one of each token's readings, whose end the processor mispredicts), ALTS_LAG readings
	 * after they were made, while they are still in cache (a second pass read them back
	 * from memory) */
	for (uint32_t i = 0; i < n; i++) {
		rc = alts_collect_one(al, doc, i);
		if (rc < 0)
			return rc;
		if (al->items.n < k + ALTS_LAG + ALTS_BATCH)
			continue;
		for (unsigned b = 0; b < ALTS_BATCH; b++)
			alts_look_up(al, phrases, k + b);
		k += ALTS_BATCH;
	}
	for (; k < al->items.n; k++)
		alts_look_up(al, phrases, k);
	return 0;
}

void kh_ent_alts_done(struct kh_ent_alts *al)
{
	if (al == NULL)
		return;
	kh_vec_free(&al->items);
	al->first = NULL;
	al->n = NULL;
	al->mask = NULL;
	al->flen = NULL;
	al->fhash = NULL;
}

struct phrase_look {
	const struct kh_ent_table *t;
	const struct kh_lexicon *lx;
	uint32_t bit;
};

/* The phrase table says whether lx holds the key or a longer phrase; only a hit asks lx. */
static struct look look_phrase(const void *tab, const char *key, size_t len, uint32_t hash,
			       const struct kh_ent_alt *alt)
{
	const struct phrase_look *pl = tab;
	struct look lk = { 0 };
	uint32_t v;

	uint32_t row;
	uint8_t has;
	bool known;

	if (alt != NULL) {
		v = alt->phrase;
		row = alt->ents;
		has = alt->has;
	} else {
		const struct pent *s = phrase_find(pl->t, key, len, hash);

		v = s != NULL ? s->value : 0;
		row = s != NULL ? s->ents : 0;
		has = s != NULL ? s->has : 0;
	}
	if ((v & KH_PHR_FOUND(pl->bit)) != 0) {
		/* the record tells whether the row holds an entry: the (cold) row is read once,
		 * for the match kh_ent_alts_match returns, not for every key on the way */
		(void)row_entry(pl->t, row, pl->bit, &known);
		if (known) {
			lk.found = (has & pl->bit) != 0;
		} else {
			lk.entry = kh_lex_get(pl->lx, key);
			lk.found = lk.entry != NULL;
		}
		lk.value = known ? row : 0;
	}
	lk.prefix = (v & KH_PHR_PREFIX(pl->bit)) != 0;
	return lk;
}

/* match_alts when no reading of token i starts a longer phrase of lexicon @p bit, which is
 * most calls: the readings' phrase-table values answer without a look-up (the first reading
 * the lexicon holds wins, as there).  UINT32_MAX when a reading is a prefix, or a value
 * lacks its row (match_alts decides). */
static inline uint32_t one_word_match(const struct kh_ent_alts *al, const struct kh_ent_table *phrases,
				      uint32_t bit, const struct kh_doc *doc, uint32_t i, unsigned na,
				      bool want_entry, struct kh_ent_m *ret)
{
	const struct kh_ent_alt *alts = al->items.items + al->first[i];
	unsigned b = (unsigned)__builtin_ctz(bit);

	if ((bit & (bit - 1)) != 0 || b >= KH_PHR_N_LEX || phrases->ents == NULL)
		return UINT32_MAX;
	for (unsigned a = 0; a < na; a++)
		if ((alts[a].phrase & KH_PHR_PREFIX(bit)) != 0 ||
		    ((alts[a].phrase & KH_PHR_FOUND(bit)) != 0 && alts[a].ents == 0))
			return UINT32_MAX;
	for (unsigned a = 0; a < na; a++) {
		struct kh_ent_m m = { 0 };

		if ((alts[a].phrase & KH_PHR_FOUND(bit)) == 0 || (alts[a].has & bit) == 0)
			continue;
		m.n = 1;
		m.start = reading_start(doc, i, &alts[a]);
		m.value = alts[a].ents;
		if (want_entry)
			m.entry = phrases->ents[(size_t)(alts[a].ents - 1) * KH_PHR_N_LEX + b];
		*ret = m;
		return 1;
	}
	return 0;
}

static inline __attribute__((always_inline)) uint32_t
alts_match(const struct kh_ent_alts *al, const struct kh_ent_table *phrases, const struct kh_lexicon *lx,
	   uint32_t bit, const struct kh_doc *doc, uint32_t i, uint32_t end, int strip, bool want_entry,
	   struct kh_ent_m *ret)
{
	struct phrase_look pl = { .t = phrases, .lx = lx, .bit = bit };
	unsigned na;
	uint32_t n;

	if (lx == NULL)
		return 0;
	if (end > doc->tokens.n)
		end = doc->tokens.n;
	if (i >= end || al->n[i] == 0)
		return 0; /* no word, or no reading (the token is not read) */
	na = al->n[i];
	if (!strip && na > 1)
		na = 1;
	if (phrases == NULL || bit == 0)
		return match_alts(lx, look_lex, NULL, doc, al, i, end, al->items.items + al->first[i], na, ret);
	n = one_word_match(al, phrases, bit, doc, i, na, want_entry, ret);
	if (n != UINT32_MAX)
		return n;
	n = match_alts(&pl, look_phrase, phrases, doc, al, i, end, al->items.items + al->first[i], na, ret);
	if (n > 0 && ret->entry == NULL && want_entry) {
		bool known;

		ret->entry = row_entry(phrases, ret->value, bit, &known); /* look_phrase left it */
	}
	return n;
}

uint32_t kh_ent_alts_match(const struct kh_ent_alts *al, const struct kh_ent_table *phrases,
			   const struct kh_lexicon *lx, uint32_t bit, const struct kh_doc *doc,
			   uint32_t i, uint32_t end, int strip, struct kh_ent_m *ret)
{
	return alts_match(al, phrases, lx, bit, doc, i, end, strip, true, ret);
}

uint32_t kh_ent_alts_span(const struct kh_ent_alts *al, const struct kh_ent_table *phrases,
			  const struct kh_lexicon *lx, uint32_t bit, const struct kh_doc *doc,
			  uint32_t i, uint32_t end, int strip, struct kh_ent_m *ret)
{
	return alts_match(al, phrases, lx, bit, doc, i, end, strip, false, ret);
}

uint32_t kh_ent_alts_table_next(const struct kh_ent_alts *al, const struct kh_ent_table *t,
				const struct kh_doc *doc, uint32_t i, uint32_t end, const uint8_t *covered)
{
	if (end > doc->tokens.n)
		end = doc->tokens.n;
	if (i >= end)
		return end;
	/* over the readings, which lie in token order (a token that is no word has none): most
	 * are ruled out by the filter, and only the others ask whether their token is covered */
	for (uint32_t k = al->first[i]; k < al->items.n && al->items.items[k].tok < end; k++)
		if (bloom_maybe(t, al->items.items[k].hash) && covered[al->items.items[k].tok] == 0)
			return al->items.items[k].tok;
	return end;
}

uint32_t kh_ent_alts_table_match(const struct kh_ent_alts *al, const struct kh_ent_table *t,
				 const struct kh_doc *doc, uint32_t i, uint32_t end,
				 struct kh_ent_m *ret)
{
	const struct kh_ent_alt *alts;
	unsigned a;

	if (end > doc->tokens.n)
		end = doc->tokens.n;
	if (i >= end || al->n[i] == 0)
		return 0; /* no word, or no reading (the token is not read) */
	/* most words start no stored phrase: the filter says so without a call */
	alts = al->items.items + al->first[i];
	for (a = 0; a < al->n[i] && !bloom_maybe(t, alts[a].hash); a++)
		;
	if (a == al->n[i])
		return 0;
	return match_alts(t, look_table, t, doc, al, i, end, alts, al->n[i], ret);
}
