/* SPDX-License-Identifier: MIT */
/* Grouping: one kh_entity per real-world entity, from the candidate mentions. */
#include "ent_group.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

/* ---- grouping -------------------------------------------------------------------------- */

/* The root of x's group.  Path halving (each node on the way points to its grandparent)
 * keeps the chains short; the roots, which unite chooses, stay as they were. */
static uint32_t find(struct kh_ent_ctx *c, uint32_t x)
{
	uint32_t steps = 0;

	while (c->cands.items[x].parent != x && steps++ < c->cands.n) {
		uint32_t p = c->cands.items[x].parent;

		c->cands.items[x].parent = c->cands.items[p].parent;
		x = c->cands.items[x].parent;
	}
	return x;
}

static void unite(struct kh_ent_ctx *c, uint32_t a, uint32_t b)
{
	a = find(c, a);
	b = find(c, b);
	if (a == b)
		return;
	if (b < a) {
		uint32_t t = a;

		a = b;
		b = t;
	}
	c->cands.items[b].parent = a;
}

/* ---- the grouping keys ------------------------------------------------------------------ */

/* Keys the grouping reads: exact look-ups only, so no word prefixes are marked (as
 * kh_ent_table_put does for phrase matching), and at most one key per candidate, so the
 * slots are sized once.  Keys of GROUP_MAX_KEY bytes or more are never stored, as
 * kh_ent_table_put ignored them. */
#define GROUP_MAX_KEY 512u

struct gslot {
	uint32_t hash; /* 0: empty (hashes are made odd) */
	uint32_t len;
	uint32_t off;  /* of the key in the pool */
	uint32_t value;
};

struct gtable {
	struct gslot *slots;
	uint32_t mask;
	char *pool;
	size_t pool_len, pool_cap;
};

static int gtable_init(struct gtable *g, uint32_t n_keys)
{
	uint32_t n = 16;

	while (n < (uint64_t)n_keys * 2 + 2)
		n *= 2;
	g->slots = calloc(n, sizeof(*g->slots));
	g->mask = n - 1;
	g->pool = NULL;
	g->pool_len = g->pool_cap = 0;
	return g->slots != NULL ? 0 : -ENOMEM;
}

static void gtable_done(struct gtable *g)
{
	free(g->slots);
	free(g->pool);
}

/* The lexicon's hash of the key, never 0 (0 marks an empty slot). */
static uint32_t gkey_hash(const char *key, size_t len)
{
	return kh_lex_hash(key, len) | 1u;
}

static struct gslot *gtable_find(const struct gtable *g, const char *key, size_t len, uint32_t h)
{
	for (uint32_t i = h & g->mask;; i = (i + 1) & g->mask) {
		struct gslot *s = &g->slots[i];

		if (s->hash == 0 || (s->hash == h && s->len == len && memcmp(g->pool + s->off, key, len) == 0))
			return s;
	}
}

/* The value under key, KH_NONE when absent (or too long to be stored). */
static uint32_t gtable_get(const struct gtable *g, const char *key, size_t len)
{
	const struct gslot *s;

	if (len >= GROUP_MAX_KEY)
		return KH_NONE;
	s = gtable_find(g, key, len, gkey_hash(key, len));
	return s->hash != 0 ? s->value : KH_NONE;
}

/* The value under key; when absent, @p value is stored and KH_NONE returned. A key too long
 * to be stored gives KH_NONE.  At most the n_keys of gtable_init may be added. */
static int gtable_get_or_put(struct gtable *g, const char *key, size_t len, uint32_t value,
			     uint32_t *ret_prev)
{
	uint32_t h;
	struct gslot *s;

	if (len >= GROUP_MAX_KEY) {
		*ret_prev = KH_NONE;
		return 0;
	}
	h = gkey_hash(key, len);
	s = gtable_find(g, key, len, h);
	if (s->hash != 0) {
		*ret_prev = s->value;
		return 0;
	}
	if (g->pool_len + len > UINT32_MAX)
		return -ENOMEM; /* offsets are 32 bits */
	if (g->pool_len + len > g->pool_cap) {
		size_t cap = g->pool_cap > 0 ? g->pool_cap * 2 : 4096;
		char *p;

		while (cap < g->pool_len + len)
			cap *= 2;
		p = realloc(g->pool, cap);
		if (p == NULL)
			return -ENOMEM;
		g->pool = p;
		g->pool_cap = cap;
	}
	memcpy(g->pool + g->pool_len, key, len);
	*s = (struct gslot){ .hash = h, .len = (uint32_t)len, .off = (uint32_t)g->pool_len, .value = value };
	g->pool_len += len;
	*ret_prev = KH_NONE;
	return 0;
}

/* "TYPE|canonical" into out, cut to cap - 1 bytes like snprintf (which cost more than
 * the grouping itself).  @return its length */
static size_t type_key(char *out, size_t cap, unsigned type, const char *canon)
{
	char num[4];
	size_t nd = 0, len = 0;

	do {
		num[nd++] = (char)('0' + type % 10);
		type /= 10;
	} while (type > 0 && nd < sizeof(num));
	while (nd > 0 && len + 1 < cap)
		out[len++] = num[--nd];
	if (len + 1 < cap)
		out[len++] = '|';
	if (len + 1 < cap) {
		size_t n = strnlen(canon, cap - 1 - len);

		memcpy(out + len, canon, n);
		len += n;
	}
	out[len] = '\0';
	return len;
}

int kh_ent_group(struct kh_ent_ctx *c)
{
	struct gtable by_key;
	int r = gtable_init(&by_key, c->cands.n);

	if (r < 0)
		goto out;
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];
		const char *canon = gaz_field(k->entry, KH_GAZ_CANONICAL);
		char key[600];
		size_t len;
		uint32_t prev;

		if (k->rep != ci)
			unite(c, ci, k->rep);
		if (canon != NULL) {
			len = type_key(key, sizeof(key), k->type, canon);
		} else {
			len = kh_ent_span_key(c->doc, k->tf, k->te, k->start, key + 4, sizeof(key) - 4);
			if (len == 0)
				continue;
			memcpy(key, "PAT|", 4);
			len += 4;
		}
		r = gtable_get_or_put(&by_key, key, len, ci, &prev);
		if (r < 0)
			goto out;
		if (prev != KH_NONE)
			unite(c, ci, prev);
	}
	/* persons by containment: a shorter name that ends a longer one joins it */
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];

		if (k->type != KH_ENT_PERSON || k->te - k->tf < 2)
			continue;
		for (uint32_t s = k->tf + 1; s < k->te; s++) {
			char key[600];
			size_t len = kh_ent_span_key(c->doc, s, k->te, tok(c, s)->start, key + 4, sizeof(key) - 4);
			uint32_t other;

			if (len == 0)
				continue;
			memcpy(key, "PAT|", 4);
			other = gtable_get(&by_key, key, len + 4);
			if (other != KH_NONE && c->cands.items[other].type == KH_ENT_PERSON)
				unite(c, ci, other);
		}
	}
out:
	gtable_done(&by_key);
	return r;
}

/* Does mention a go after mention b (by start, then end)? */
static bool mention_after(const struct kh_mention *a, const struct kh_mention *b)
{
	return a->start != b->start ? a->start > b->start : a->end > b->end;
}

/* Stable sort of m[0, n) by start then end, with tmp room for n mentions: the order qsort
 * gave with the same comparison (glibc's is a stable merge sort), at the cost of a pass
 * when the mentions come already in text order, as they mostly do. */
static void sort_mentions(struct kh_mention *m, size_t n, struct kh_mention *tmp)
{
	size_t h = n / 2, i = 0, j = h, o = 0;

	if (n < 16) {
		for (size_t a = 1; a < n; a++) {
			struct kh_mention x = m[a];
			size_t b = a;

			for (; b > 0 && mention_after(&m[b - 1], &x); b--)
				m[b] = m[b - 1];
			m[b] = x;
		}
		return;
	}
	sort_mentions(m, h, tmp);
	sort_mentions(m + h, n - h, tmp);
	if (!mention_after(&m[h - 1], &m[h]))
		return; /* the halves are in order already */
	while (i < h && j < n)
		tmp[o++] = mention_after(&m[i], &m[j]) ? m[j++] : m[i++];
	while (i < h)
		tmp[o++] = m[i++];
	memcpy(m, tmp, o * sizeof(*m)); /* m[j, n) is in place */
}

/* Room for @p extra more items in a KH_VEC (@p size bytes an item), so that a push is a
 * store: one realloc for the stage instead of a kh_vec_grow call per item. */
static int vec_reserve(void **items, uint32_t n, uint32_t *cap, uint32_t extra, size_t size)
{
	void *p;

	if ((uint64_t)n + extra <= *cap)
		return 0;
	if ((uint64_t)n + extra > UINT32_MAX || (size_t)(n + extra) > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*items, (size_t)(n + extra) * size);
	if (p == NULL)
		return -ENOMEM;
	*items = p;
	*cap = n + extra;
	return 0;
}

/* One entity per candidate group (in order of first candidate) and one mention per candidate,
 * into room reserved beforehand. */
static void put_entities_and_mentions(struct kh_ent_ctx *c)
{
	struct kh_doc *doc = c->doc;

	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];
		struct kh_ent_cand *rk = &c->cands.items[find(c, ci)];
		struct kh_mention *mn;

		if (rk->entity == KH_NONE) {
			struct kh_entity *e = &doc->entities.items[doc->entities.n++];

			*e = (struct kh_entity){ 0 };
			e->type = rk->type;
			e->affiliation = KH_NONE;
			e->first_mention = KH_NONE;
			rk->entity = doc->entities.n - 1;
		}
		k->entity = rk->entity;
		mn = &doc->mentions.items[doc->mentions.n++];
		*mn = (struct kh_mention){ 0 };
		mn->start = k->start;
		mn->end = k->end;
		mn->tok_first = k->tf;
		mn->tok_end = k->te;
		mn->entity = k->entity;
		mn->sentence = tok(c, k->tf)->sentence;
	}
}

/* The candidate's titles the entity does not have yet, up to ENT_MAX_ENTITY_TITLES. */
static int add_titles(struct kh_doc *doc, struct kh_entity *e, const struct kh_ent_cand *k)
{
	for (uint32_t t = 0; t < k->n_titles && e->n_titles < ENT_MAX_ENTITY_TITLES; t++) {
		const char **grown;
		bool dup = false;

		for (uint32_t x = 0; x < e->n_titles; x++)
			dup = dup || strcmp(e->titles[x], k->titles[t]) == 0;
		if (dup)
			continue;
		grown = kh_arena_alloc(&doc->arena, sizeof(*grown) * (e->n_titles + 1));
		if (grown == NULL)
			return -ENOMEM;
		if (e->n_titles > 0)
			memcpy(grown, e->titles, sizeof(*grown) * e->n_titles);
		grown[e->n_titles++] = k->titles[t];
		e->titles = grown;
	}
	return 0;
}

/* What candidate @p k tells of its entity: the longest name, the first gazetteer entry's
 * fields, the first affiliation, titles. */
static int fill_entity(struct kh_ent_ctx *c, const struct kh_ent_cand *k)
{
	struct kh_doc *doc = c->doc;
	struct kh_entity *e = &doc->entities.items[k->entity];

	if (k->end - k->start > 0 && (e->name == NULL || strlen(e->name) < (size_t)(k->end - k->start))) {
		const char *name = kh_doc_norm_strndup(doc, k->start, k->end);

		if (name == NULL)
			return -ENOMEM;
		e->name = name;
	}
	if (k->entry != NULL && e->canonical == NULL) {
		e->canonical = gaz_field(k->entry, KH_GAZ_CANONICAL);
		e->name_en = gaz_field(k->entry, KH_GAZ_NAME_EN);
		e->country = gaz_field(k->entry, KH_GAZ_COUNTRY);
		e->kind = gaz_field(k->entry, KH_GAZ_KIND);
		e->agency_id = gaz_field(k->entry, KH_GAZ_ID);
	}
	if (k->aff != KH_NONE && e->affiliation == KH_NONE && k->aff < c->cands.n)
		e->affiliation = c->cands.items[k->aff].entity;
	return add_titles(doc, e, k);
}

int kh_ent_build(struct kh_ent_ctx *c)
{
	struct kh_doc *doc = c->doc;
	uint32_t m0 = doc->mentions.n;

	/* at most one entity and exactly one mention per candidate */
	if (vec_reserve((void **)&doc->entities.items, doc->entities.n, &doc->entities.cap, c->cands.n,
			sizeof(*doc->entities.items)) < 0 ||
	    vec_reserve((void **)&doc->mentions.items, doc->mentions.n, &doc->mentions.cap, c->cands.n,
			sizeof(*doc->mentions.items)) < 0)
		return -ENOMEM;
	put_entities_and_mentions(c);
	for (uint32_t ci = 0; ci < c->cands.n; ci++)
		if (fill_entity(c, &c->cands.items[ci]) < 0)
			return -ENOMEM;
	/* mentions in text order; first mention and counts per entity */
	if (doc->mentions.n > m0) {
		struct kh_mention *tmp = malloc((doc->mentions.n - m0) * sizeof(*tmp));

		if (tmp == NULL)
			return -ENOMEM;
		sort_mentions(doc->mentions.items + m0, doc->mentions.n - m0, tmp);
		free(tmp);
	}
	for (uint32_t i = m0; i < doc->mentions.n; i++) {
		struct kh_entity *e = &doc->entities.items[doc->mentions.items[i].entity];

		if (e->first_mention == KH_NONE)
			e->first_mention = i;
		e->n_mentions++;
	}
	return 0;
}

