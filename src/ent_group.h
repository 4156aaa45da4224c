/* SPDX-License-Identifier: MIT */
/**
 * @file ent_group.h
 * The entity stage's working state for one document (candidate mentions found by
 * entities.c) and the grouping step (ent_group.c) that turns them into one
 * kh_entity per real-world entity with its mentions.
 */
#ifndef KHABAR_ENT_GROUP_H
#define KHABAR_ENT_GROUP_H

#include <stdint.h>

#include "doc.h"
#include "ent_internal.h"
#include "ent_match.h"
#include "lexicon.h"

#define ENT_MAX_TITLES 4u
#define ENT_MAX_ENTITY_TITLES 8u /* distinct titles kept on one entity */

/** Where a candidate came from: a lexicon, a pattern, or the second pass. */
enum kh_ent_src { KH_ENT_SRC_LEX = 0, KH_ENT_SRC_PATTERN, KH_ENT_SRC_SECOND };

struct kh_ent_cand {
	uint32_t tf, te;       /* tokens [tf, te) */
	uint32_t start, end;   /* bytes of the name */
	uint8_t type;
	uint8_t src;
	uint8_t n_titles;
	const struct kh_lex_entry *entry; /* gazetteer entry, or NULL */
	const char *key;       /* folded phrase key */
	const char *titles[ENT_MAX_TITLES];
	uint32_t aff;          /* cand index of the affiliation (NORP/GPE in the title), or KH_NONE */
	uint32_t rep;          /* second pass: the cand it repeats; else itself */
	uint32_t parent;       /* union-find */
	uint32_t entity;
};

struct kh_ent_ctx {
	const struct kh_ent_res *r;
	struct kh_doc *doc;
	uint8_t *covered; /* per token: 1 when inside an accepted mention */
	KH_VEC(struct kh_ent_cand) cands;
	struct kh_ent_table *surf; /* accepted surfaces -> cand */
	uint32_t sent_first, sent_end;
	/* per-token memo of look-ups the rules repeat: 2 bits (computed, value) per lexicon */
	uint16_t *memo;
	uint8_t *stop_cls;           /* enum kh_ent_stop_cls; valid when memo says F_STOP computed */
	struct kh_ent_m *gaz_m;      /* gazetteer match at the token up to the sentence end */
	uint8_t *gaz_n;              /* tokens of gaz_m; UINT8_MAX: not computed */
	struct kh_ent_alts alts;     /* every token's first-word readings */
};

static inline const struct kh_token *tok(const struct kh_ent_ctx *c, uint32_t i)
{
	return &c->doc->tokens.items[i];
}

static inline const char *gaz_field(const struct kh_lex_entry *e, enum kh_ent_gaz_field f)
{
	return e != NULL && f < e->n_fields && e->fields[f][0] != '\0' ? e->fields[f] : NULL;
}

/**
 * Group the candidates: by lexicon canonical name, by equal surface, persons by name
 * containment, and second-pass repeats with what they repeat.
 * @return 0 or -ENOMEM
 */
int kh_ent_group(struct kh_ent_ctx *c);

/**
 * Add the entities and their mentions (in text order) to the document, with name,
 * lexicon attributes, titles and affiliation.
 * @return 0 or -ENOMEM
 */
int kh_ent_build(struct kh_ent_ctx *c);

#endif
