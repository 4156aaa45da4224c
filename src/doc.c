/* SPDX-License-Identifier: MIT */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

void *kh_vec_grow(void **items, uint32_t *n, uint32_t *cap, size_t size)
{
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 16;
		void *p;

		if (ncap < *cap || (size_t)ncap > SIZE_MAX / size)
			return NULL;
		p = realloc(*items, (size_t)ncap * size);
		if (p == NULL)
			return NULL;
		*items = p;
		*cap = ncap;
	}
	void *item = (char *)*items + (size_t)*n * size;
	memset(item, 0, size);
	(*n)++;
	return item;
}

static const char *const stage_names[KH_STAGE__MAX] = {
	"normalize", "segment", "entities", "dates", "attributions", "events",
};

static const char *const ent_type_names[KH_ENT__MAX] = {
	"PERSON", "NORP",    "FAC",     "ORG",   "GPE",   "LOC",   "DATE",
	"TIME",   "CARDINAL", "QUANTITY", "PERCENT", "MONEY", "EVENT",
};

static const char *const event_type_names[KH_EV__MAX] = {
	"meeting",      "visit",     "agreement",        "air_strike", "shelling",
	"explosion",    "armed_clash", "territory_change", "attack",   "abduction",
	"arrest",       "protest",   "military_aid",     "defection",  "displacement",
};

static const char *const attr_kind_names[] = { "direct", "indirect", "mixed", "summary" };

static const char *const source_kind_names[] = {
	"person", "organization", "agency", "media", "government", "group", "anonymous", "unknown",
};

static const char *const modality_names[] = { "asserted", "planned", "negated", "reported" };

#define NAME_OR_EMPTY(table, i) ((unsigned)(i) < sizeof(table) / sizeof((table)[0]) ? (table)[i] : "")

const char *kh_stage_name(enum kh_stage s) { return NAME_OR_EMPTY(stage_names, s); }
const char *kh_ent_type_name(enum kh_ent_type t) { return NAME_OR_EMPTY(ent_type_names, t); }
const char *kh_event_type_name(enum kh_event_type t) { return NAME_OR_EMPTY(event_type_names, t); }
const char *kh_attr_kind_name(enum kh_attr_kind k) { return NAME_OR_EMPTY(attr_kind_names, k); }
const char *kh_source_kind_name(enum kh_source_kind k) { return NAME_OR_EMPTY(source_kind_names, k); }
const char *kh_modality_name(enum kh_modality m) { return NAME_OR_EMPTY(modality_names, m); }

static int parse_name(const char *const *table, size_t n, const char *name)
{
	/* the first byte tells most names apart: strcmp only on a likely hit (the stages
	 * parse a lexicon field on many tokens) */
	for (size_t i = 0; i < n; i++)
		if (table[i][0] == name[0] && strcmp(table[i], name) == 0)
			return (int)i;
	return -1;
}

int kh_ent_type_parse(const char *name)
{
	return parse_name(ent_type_names, KH_ENT__MAX, name);
}

int kh_event_type_parse(const char *name)
{
	return parse_name(event_type_names, KH_EV__MAX, name);
}

int kh_source_kind_parse(const char *name)
{
	return parse_name(source_kind_names, sizeof(source_kind_names) / sizeof(source_kind_names[0]),
			  name);
}

struct kh_doc *kh_doc_new(void)
{
	return calloc(1, sizeof(struct kh_doc));
}

struct kh_doc *kh_doc_free(struct kh_doc *doc)
{
	if (doc == NULL)
		return NULL;
	kh_vec_free(&doc->sentences);
	kh_vec_free(&doc->tokens);
	kh_vec_free(&doc->entities);
	kh_vec_free(&doc->mentions);
	kh_vec_free(&doc->attributions);
	kh_vec_free(&doc->events);
	kh_arena_done(&doc->arena);
	free(doc);
	return NULL;
}

size_t kh_doc_memory(const struct kh_doc *doc)
{
	return doc->arena.total + (size_t)doc->tokens.cap * sizeof(*doc->tokens.items) +
	       (size_t)doc->sentences.cap * sizeof(*doc->sentences.items) +
	       (size_t)doc->mentions.cap * sizeof(*doc->mentions.items) +
	       (size_t)doc->entities.cap * sizeof(*doc->entities.items) +
	       (size_t)doc->attributions.cap * sizeof(*doc->attributions.items) +
	       (size_t)doc->events.cap * sizeof(*doc->events.items);
}

void kh_doc_orig_span(const struct kh_doc *doc, uint32_t start, uint32_t end, uint32_t *ret_start,
		      uint32_t *ret_end)
{
	uint32_t s, e;

	if (start > doc->norm_len)
		start = doc->norm_len;
	if (end > doc->norm_len)
		end = doc->norm_len;
	if (end <= start) {
		s = doc->norm_ostart[start];
		*ret_start = s;
		*ret_end = s;
		return;
	}
	s = doc->norm_ostart[start];
	e = doc->norm_oend[end - 1];
	*ret_start = s;
	*ret_end = e < s ? s : e;
}

const char *kh_doc_norm_strndup(struct kh_doc *doc, uint32_t start, uint32_t end)
{
	if (end > doc->norm_len)
		end = doc->norm_len;
	if (start > end)
		start = end;
	return kh_arena_strndup(&doc->arena, doc->norm + start, end - start);
}
