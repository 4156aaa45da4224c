/* SPDX-License-Identifier: MIT */
#include "lexicon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "doc.h"
#include "normalize.h"
#include "utf8.h"

#define LEX_MAX_LINE (64u * 1024u)
#define LEX_MAX_KEY 512u

#define SLOT_INLINE 15u /* keys of at most this many bytes are kept in the slot itself */

/* The key's length is kept beside it: a look-up compares hash and length first, then the bytes
 * with memcmp-like word loads instead of strcmp (strcmp was 4-5% of the pipeline's time).  A
 * short key (most words: up to seven Arabic letters) sits in the slot, so that a hit reads one
 * cache line where a key in the arena cost a second miss (a third of lookup()'s time). */
struct slot {
	uint32_t hash;
	uint16_t len;                     /* strlen of the key, < LEX_MAX_KEY; 0: the slot is empty */
	bool prefix;                      /* some longer key continues this one */
	const struct kh_lex_entry *entry; /* head of the homograph chain, or NULL */
	union {
		char inl[SLOT_INLINE + 1]; /* len <= SLOT_INLINE: the key, NUL-terminated */
		const char *ptr;           /* a longer key, in the arena */
	} key;
};

_Static_assert(sizeof(struct slot) == 32, "two slots a cache line");

static inline const char *slot_key(const struct slot *s)
{
	return s->len <= SLOT_INLINE ? s->key.inl : s->key.ptr;
}

/* Most look-ups miss (a token is in few of the lexicons asked), and a miss in the slot array
 * costs a cache miss or several probes.  A bit filter (two bits per key, 8 bits per slot,
 * ~1.5% false positives at the load factor kept below) answers most misses from a few KB. */
struct kh_lexicon {
	struct kh_arena arena;
	struct slot *slots;
	size_t n_slots; /* power of two */
	size_t used;    /* kept at most half of n_slots: a miss probes ~2.5 slots */
	size_t count;
	uint64_t *filter;
	unsigned filter_bits; /* log2 of the filter's size in bits */
};

/* The filter's two bit positions for a hash, from the bits the slot index does not use. */
static inline uint64_t filter_mix(uint32_t h)
{
	return (uint64_t)h * 0x9E3779B97F4A7C15ull;
}

/* Both bits of a key lie in one 64-bit word (a blocked filter): a test reads one word, where
 * two words far apart cost two cache misses on the large lexicons.  The word comes from the
 * top bits of the mix, the two bit positions from bits 20..31, which it never reaches. */
static inline uint64_t filter_word(const struct kh_lexicon *lx, uint64_t g)
{
	return g >> (64 - (lx->filter_bits - 6));
}

static inline uint64_t filter_mask(uint64_t g)
{
	return 1ull << ((g >> 20) & 63) | 1ull << ((g >> 26) & 63);
}

static inline bool filter_test(const struct kh_lexicon *lx, uint32_t h)
{
	uint64_t g = filter_mix(h);
	uint64_t m = filter_mask(g);

	return (lx->filter[filter_word(lx, g)] & m) == m;
}

static inline void filter_set(struct kh_lexicon *lx, uint32_t h)
{
	uint64_t g = filter_mix(h);

	lx->filter[filter_word(lx, g)] |= filter_mask(g);
}

/* A filter of 8 bits per slot, filled from the slots' keys. */
static int filter_build(struct kh_lexicon *lx)
{
	unsigned bits = 3;
	uint64_t *f;

	while ((1ull << bits) < lx->n_slots)
		bits++;
	bits += 3;
	f = calloc((1ull << bits) / 64, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	free(lx->filter);
	lx->filter = f;
	lx->filter_bits = bits;
	for (size_t i = 0; i < lx->n_slots; i++)
		if (lx->slots[i].len != 0)
			filter_set(lx, lx->slots[i].hash);
	return 0;
}

struct kh_lexicon *kh_lex_new(void)
{
	struct kh_lexicon *lx = calloc(1, sizeof(*lx));

	if (lx == NULL)
		return NULL;
	lx->n_slots = 1024;
	lx->slots = calloc(lx->n_slots, sizeof(*lx->slots));
	if (lx->slots == NULL || filter_build(lx) < 0)
		return kh_lex_free(lx);
	return lx;
}

struct kh_lexicon *kh_lex_free(struct kh_lexicon *lx)
{
	if (lx == NULL)
		return NULL;
	kh_arena_done(&lx->arena);
	free(lx->filter);
	free(lx->slots);
	free(lx);
	return NULL;
}

static inline struct slot *find_slot(const struct kh_lexicon *lx, const char *key, size_t len, uint32_t h)
{
	size_t mask = lx->n_slots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &lx->slots[i];

		if (s->len == 0 || (s->hash == h && s->len == len && kh_lex_key_eq(slot_key(s), key, len)))
			return s;
	}
}

static int grow(struct kh_lexicon *lx)
{
	size_t n = lx->n_slots * 2;
	struct slot *old = lx->slots;
	size_t old_n = lx->n_slots;

	lx->slots = calloc(n, sizeof(*lx->slots));
	if (lx->slots == NULL) {
		lx->slots = old;
		return -ENOMEM;
	}
	lx->n_slots = n;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].len != 0)
			*find_slot(lx, slot_key(&old[i]), old[i].len, old[i].hash) = old[i];
	free(old);
	return filter_build(lx);
}

/* Slot for key, created when missing. */
static struct slot *upsert(struct kh_lexicon *lx, const char *key, size_t len)
{
	char buf[LEX_MAX_KEY];
	uint32_t h;
	struct slot *s;

	if (len == 0 || len >= sizeof(buf))
		return NULL;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if ((lx->used + 1) * 2 > lx->n_slots && grow(lx) < 0)
		return NULL;
	h = kh_lex_hash(buf, len);
	s = find_slot(lx, buf, len, h);
	if (s->len == 0) {
		if (len <= SLOT_INLINE) {
			memcpy(s->key.inl, buf, len + 1);
		} else {
			s->key.ptr = kh_arena_strndup(&lx->arena, buf, len);
			if (s->key.ptr == NULL)
				return NULL;
		}
		s->hash = h;
		s->len = (uint16_t)len;
		lx->used++;
		filter_set(lx, h);
	}
	return s;
}

static int add_variant(struct kh_lexicon *lx, const char *variant, size_t vlen,
		       const char *const *fields, unsigned n_fields, const char *file, uint32_t line)
{
	char *key = kh_norm_key(variant, vlen);
	struct kh_lex_entry *e;
	struct slot *s;
	size_t klen;
	int r = -ENOMEM;

	if (key == NULL)
		return -ENOMEM;
	klen = strlen(key);
	if (klen == 0 || klen >= LEX_MAX_KEY) {
		r = -EINVAL;
		goto out;
	}
	e = kh_arena_alloc(&lx->arena, sizeof(*e));
	if (e == NULL)
		goto out;
	e->surface = kh_arena_strndup(&lx->arena, variant, vlen);
	if (e->surface == NULL)
		goto out;
	for (unsigned i = 0; i < n_fields && i < KH_LEX_MAX_FIELDS; i++) {
		e->fields[i] = kh_arena_strndup(&lx->arena, fields[i], strlen(fields[i]));
		if (e->fields[i] == NULL)
			goto out;
	}
	e->n_fields = (uint8_t)n_fields;
	e->file = file;
	e->line = line;
	e->n_words = 1;
	for (size_t i = 0; i < klen; i++) {
		if (key[i] != ' ')
			continue;
		e->n_words++;
		s = upsert(lx, key, i);
		if (s == NULL)
			goto out;
		s->prefix = true;
	}
	s = upsert(lx, key, klen);
	if (s == NULL)
		goto out;
	/* keep file order within a homograph chain: append */
	if (s->entry == NULL) {
		s->entry = e;
	} else {
		const struct kh_lex_entry *t = s->entry;

		while (t->next != NULL)
			t = t->next;
		((struct kh_lex_entry *)t)->next = e;
	}
	r = 0;
out:
	free(key);
	return r;
}

int kh_lex_add(struct kh_lexicon *lx, const char *variants, const char *const *fields,
	       unsigned n_fields, const char *file, uint32_t line)
{
	const char *p = variants;

	if (n_fields > KH_LEX_MAX_FIELDS)
		return -EINVAL;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		int r = add_variant(lx, p, n, fields, n_fields, file, line);

		if (r < 0)
			return r;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	lx->count++;
	return 0;
}

char *kh_lex_errorf(const char *path, unsigned line, const char *msg)
{
	size_t n = strlen(path) + strlen(msg) + 32;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s:%u: %s", path, line, msg);
	return s;
}

unsigned kh_lex_split_tabs(char *line, char **cols, unsigned max)
{
	unsigned n = 0;

	cols[n++] = line;
	for (char *p = line; *p != '\0' && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			cols[n++] = p + 1;
		}
	}
	return n;
}

/* @return 1 when an entry was added, 0 for a blank or comment line, <0 on error */
static int load_line(struct kh_lexicon *lx, char *line, const char *file, unsigned lineno,
		     unsigned min_fields, unsigned max_fields, char **ret_err)
{
	char *cols[KH_LEX_MAX_FIELDS + 2];
	size_t len = strlen(line);
	size_t bad;
	unsigned n;
	int r;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return 0; /* nothing to add */
	if (!kh_utf8_valid(line, len, &bad)) {
		*ret_err = kh_lex_errorf(file, lineno, "invalid UTF-8");
		return -EINVAL;
	}
	n = kh_lex_split_tabs(line, cols, KH_LEX_MAX_FIELDS + 2);
	if (n - 1 < min_fields || n - 1 > max_fields) {
		char msg[96];

		snprintf(msg, sizeof(msg), "expected %u to %u tab-separated columns after the name, found %u",
			 min_fields, max_fields, n - 1);
		*ret_err = kh_lex_errorf(file, lineno, msg);
		return -EINVAL;
	}
	r = kh_lex_add(lx, cols[0], (const char *const *)cols + 1, n - 1, file, lineno);
	if (r == -EINVAL)
		*ret_err = kh_lex_errorf(file, lineno, "a name variant is empty after normalization");
	return r < 0 ? r : 1;
}

int kh_lex_each_line(const char *path, size_t max_line, kh_lex_line_fn fn, void *ud, char **ret_err)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned lineno = 0;
	int r = 0;

	if (f == NULL) {
		r = -errno;
		if (ret_err != NULL)
			*ret_err = kh_lex_errorf(path, 0, strerror(errno));
		return r;
	}
	while (r >= 0 && (got = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)got;

		lineno++;
		if ((max_line > 0 && len > max_line) || memchr(line, '\0', len) != NULL) {
			if (ret_err != NULL)
				*ret_err = kh_lex_errorf(path, lineno, "line too long or holds a NUL byte");
			r = -EINVAL;
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		r = fn(line, len, lineno, ud);
	}
	free(line);
	fclose(f);
	return r < 0 ? r : 0;
}

struct load_state {
	struct kh_lexicon *lx;
	const char *file;
	unsigned min_fields, max_fields;
	char **ret_err;
	int count;
};

static int load_each(char *line, size_t len, unsigned lineno, void *ud)
{
	struct load_state *st = ud;
	int r;

	(void)len;
	r = load_line(st->lx, line, st->file, lineno, st->min_fields, st->max_fields, st->ret_err);
	if (r > 0)
		st->count += r;
	return r;
}

int kh_lex_load(struct kh_lexicon *lx, const char *path, unsigned min_fields, unsigned max_fields,
		char **ret_err)
{
	struct load_state st = { .lx = lx, .min_fields = min_fields, .max_fields = max_fields, .ret_err = ret_err };
	int r;

	st.file = kh_arena_strndup(&lx->arena, path, strlen(path));
	if (st.file == NULL)
		return -ENOMEM;
	r = kh_lex_each_line(path, LEX_MAX_LINE, load_each, &st, ret_err);
	return r < 0 ? r : st.count;
}

/* The slot holding key, or NULL: the filter first, the slots only when it may be there. */
static inline const struct slot *lookup(const struct kh_lexicon *lx, const char *key, size_t len)
{
	uint32_t h;
	const struct slot *s;

	if (len >= LEX_MAX_KEY)
		return NULL; /* never stored */
	h = kh_lex_hash(key, len);
	if (!filter_test(lx, h))
		return NULL;
	s = find_slot(lx, key, len, h);
	return s->len != 0 ? s : NULL;
}

const struct kh_lex_entry *kh_lex_get(const struct kh_lexicon *lx, const char *key)
{
	const struct slot *s = lookup(lx, key, strlen(key));

	return s != NULL ? s->entry : NULL;
}

const struct kh_lex_entry *kh_lex_get_n(const struct kh_lexicon *lx, const char *key, size_t len)
{
	const struct slot *s = lookup(lx, key, len);

	return s != NULL ? s->entry : NULL;
}

bool kh_lex_has_prefix(const struct kh_lexicon *lx, const char *key)
{
	return kh_lex_has_prefix_n(lx, key, strlen(key));
}

bool kh_lex_has_prefix_n(const struct kh_lexicon *lx, const char *key, size_t len)
{
	const struct slot *s = lookup(lx, key, len);

	return s != NULL && s->prefix;
}

int kh_lex_each_key(const struct kh_lexicon *lx, int (*fn)(const char *key, size_t len, void *ud),
		    void *ud)
{
	for (size_t i = 0; i < lx->n_slots; i++) {
		const struct slot *s = &lx->slots[i];
		int r = s->len != 0 ? fn(slot_key(s), s->len, ud) : 0;

		if (r != 0)
			return r;
	}
	return 0;
}

size_t kh_lex_count(const struct kh_lexicon *lx)
{
	return lx->count;
}

uint32_t kh_lex_match(const struct kh_lexicon *lx, const struct kh_doc *doc, uint32_t tok,
		      const struct kh_lex_entry **ret_entry)
{
	char buf[LEX_MAX_KEY];
	size_t len = 0;
	uint32_t best = 0;
	const struct kh_lex_entry *best_e = NULL;

	for (uint32_t i = tok; i < doc->tokens.n; i++) {
		const struct kh_token *t = &doc->tokens.items[i];
		const char *k = i == tok ? t->key : t->full_key;
		const struct slot *s;
		size_t kl;

		if (t->kind == KH_TOK_PUNCT || t->sentence != doc->tokens.items[tok].sentence)
			break;
		kl = i == tok ? kh_tok_key_len(t) : kh_tok_full_len(t); /* strlen of the key */
		if (len + kl + 2 > sizeof(buf))
			break;
		if (i > tok)
			buf[len++] = ' ';
		memcpy(buf + len, k, kl);
		len += kl;
		s = lookup(lx, buf, len);
		if (s == NULL)
			break;
		if (s->entry != NULL) {
			best = i - tok + 1;
			best_e = s->entry;
		}
		if (!s->prefix)
			break;
	}
	if (best > 0)
		*ret_entry = best_e;
	return best;
}
