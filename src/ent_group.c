/* SPDX-License-Identifier: MIT */
/* Grouping: one kh_entity per real-world entity, from the candidate mentions. */
#include "ent_group.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- grouping -------------------------------------------------------------------------- */

static uint32_t find(struct kh_ent_ctx *c, uint32_t x)
{
	uint32_t steps = 0;

	while (c->cands.items[x].parent != x && steps++ < c->cands.n)
		x = c->cands.items[x].parent;
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

/* "TYPE|canonical" into out, cut to cap - 1 bytes like snprintf (which cost more than
 * the grouping itself). */
static void type_key(char *out, size_t cap, unsigned type, const char *canon)
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
	for (const char *p = canon; *p != '\0' && len + 1 < cap; p++)
		out[len++] = *p;
	out[len] = '\0';
}

int kh_ent_group(struct kh_ent_ctx *c)
{
	struct kh_ent_table *by_key = kh_ent_table_new();
	int r = 0;

	if (by_key == NULL)
		return -ENOMEM;
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];
		const char *canon = gaz_field(k->entry, KH_GAZ_CANONICAL);
		char key[600];
		uint32_t prev;

		if (k->rep != ci)
			unite(c, ci, k->rep);
		if (canon != NULL)
			type_key(key, sizeof(key), k->type, canon);
		else if (kh_ent_span_key(c->doc, k->tf, k->te, k->start, key + 4, sizeof(key) - 4) > 0)
			memcpy(key, "PAT|", 4);
		else
			continue;
		prev = kh_ent_table_get(by_key, key);
		if (prev != KH_NONE) {
			unite(c, ci, prev);
		} else {
			r = kh_ent_table_put(by_key, key, ci);
			if (r < 0)
				goto out;
		}
	}
	/* persons by containment: a shorter name that ends a longer one joins it */
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];

		if (k->type != KH_ENT_PERSON || k->te - k->tf < 2)
			continue;
		for (uint32_t s = k->tf + 1; s < k->te; s++) {
			char key[600];
			uint32_t other;

			if (kh_ent_span_key(c->doc, s, k->te, tok(c, s)->start, key + 4, sizeof(key) - 4) == 0)
				continue;
			memcpy(key, "PAT|", 4);
			other = kh_ent_table_get(by_key, key);
			if (other != KH_NONE && c->cands.items[other].type == KH_ENT_PERSON)
				unite(c, ci, other);
		}
	}
out:
	kh_ent_table_free(by_key);
	return r;
}

static int cmp_mention(const void *a, const void *b)
{
	const struct kh_mention *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : (x->end > y->end ? 1 : 0);
}

int kh_ent_build(struct kh_ent_ctx *c)
{
	struct kh_doc *doc = c->doc;
	uint32_t base = doc->entities.n;
	uint32_t m0 = doc->mentions.n;

	/* cands come in an order close to text order; entities in order of first mention */
	uint32_t *order = malloc(((size_t)c->cands.n + 1) * sizeof(*order));

	if (order == NULL)
		return -ENOMEM;
	for (uint32_t ci = 0; ci < c->cands.n; ci++)
		order[ci] = ci;
	/* insertion order by start is fine for the sizes involved? use qsort on starts */
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];
		uint32_t root = find(c, ci);
		struct kh_ent_cand *rk = &c->cands.items[root];
		struct kh_mention *mn;

		if (rk->entity == KH_NONE) {
			struct kh_entity *e = kh_vec_push(&doc->entities);

			if (e == NULL)
				goto oom;
			e->type = rk->type;
			e->affiliation = KH_NONE;
			e->first_mention = KH_NONE;
			rk->entity = doc->entities.n - 1;
		}
		k->entity = rk->entity;
		mn = kh_vec_push(&doc->mentions);
		if (mn == NULL)
			goto oom;
		mn->start = k->start;
		mn->end = k->end;
		mn->tok_first = k->tf;
		mn->tok_end = k->te;
		mn->entity = k->entity;
		mn->sentence = tok(c, k->tf)->sentence;
	}
	/* fill entity attributes */
	for (uint32_t ci = 0; ci < c->cands.n; ci++) {
		struct kh_ent_cand *k = &c->cands.items[ci];
		struct kh_entity *e = &doc->entities.items[k->entity];
		const char *name;

		if (k->end - k->start > 0 &&
		    (e->name == NULL || strlen(e->name) < (size_t)(k->end - k->start))) {
			name = kh_doc_norm_strndup(doc, k->start, k->end);
			if (name == NULL)
				goto oom;
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
		for (uint32_t t = 0; t < k->n_titles && e->n_titles < ENT_MAX_ENTITY_TITLES; t++) {
			bool dup = false;

			for (uint32_t x = 0; x < e->n_titles; x++)
				dup = dup || strcmp(e->titles[x], k->titles[t]) == 0;
			if (dup)
				continue;
			{
				const char **grown = kh_arena_alloc(&doc->arena,
								   sizeof(*grown) * (e->n_titles + 1));

				if (grown == NULL)
					goto oom;
				if (e->n_titles > 0)
					memcpy(grown, e->titles, sizeof(*grown) * e->n_titles);
				grown[e->n_titles++] = k->titles[t];
				e->titles = grown;
			}
		}
	}
	free(order);
	/* mentions in text order; first mention and counts per entity */
	if (doc->mentions.n > m0)
		qsort(doc->mentions.items + m0, doc->mentions.n - m0, sizeof(struct kh_mention),
		      cmp_mention);
	for (uint32_t i = m0; i < doc->mentions.n; i++) {
		struct kh_entity *e = &doc->entities.items[doc->mentions.items[i].entity];

		if (e->first_mention == KH_NONE)
			e->first_mention = i;
		e->n_mentions++;
	}
	(void)base;
	return 0;
oom:
	free(order);
	return -ENOMEM;
}

