/* SPDX-License-Identifier: MIT */
/**
 * @file evdoc.h
 * Test helpers for the numbers, dates and events tests: a document run through
 * normalize and segment, entities added by hand (the entities stage is tested on
 * its own), then the dates and events stages.
 */
#ifndef KHABAR_TEST_EVDOC_H
#define KHABAR_TEST_EVDOC_H

#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "doc.h"
#include "events.h"
#include "khabar/khabar.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"

/** Normalize and segment @p text (segmenter word list: @p known, may be NULL). */
static inline struct kh_doc *evdoc_new(const char *text, int y, int m, int d, const struct kh_lexicon *known)
{
	struct kh_doc *doc = kh_doc_new();
	struct kh_segmenter *sg = kh_seg_new();
	struct kh_lexicon *empty = known == NULL ? kh_lex_new() : NULL;

	if (doc == NULL || sg == NULL)
		abort();
	doc->orig = kh_arena_strndup(&doc->arena, text, strlen(text));
	doc->orig_len = (uint32_t)strlen(text);
	doc->pub_year = y;
	doc->pub_month = m;
	doc->pub_day = d;
	if (kh_norm_apply(doc) < 0 || kh_seg_apply(sg, known != NULL ? known : empty, doc) < 0)
		abort();
	kh_seg_free(sg);
	kh_lex_free(empty);
	return doc;
}

/** First token whose span starts at the first occurrence of @p s in the analysis view
 * (also inside a token after its proclitics); UINT32_MAX when none. */
static inline uint32_t evdoc_tok(const struct kh_doc *doc, const char *s)
{
	const char *p = strstr(doc->norm, s);
	uint32_t off;

	if (p == NULL)
		return UINT32_MAX;
	off = (uint32_t)(p - doc->norm);
	for (uint32_t i = 0; i < doc->tokens.n; i++)
		if (doc->tokens.items[i].end > off)
			return i;
	return UINT32_MAX;
}

/** Add an entity of @p type with one mention at the first occurrence of @p name. */
static inline void evdoc_entity(struct kh_doc *doc, const char *name, enum kh_ent_type type)
{
	const char *p = strstr(doc->norm, name);
	uint32_t s, e, tf = UINT32_MAX, te = 0;
	struct kh_entity *ent;
	struct kh_mention *mn;

	if (p == NULL)
		abort();
	s = (uint32_t)(p - doc->norm);
	e = s + (uint32_t)strlen(name);
	for (uint32_t i = 0; i < doc->tokens.n; i++) {
		if (doc->tokens.items[i].end > s && doc->tokens.items[i].start < e) {
			if (tf == UINT32_MAX)
				tf = i;
			te = i + 1;
		}
	}
	ent = kh_vec_push(&doc->entities);
	if (ent == NULL)
		abort();
	ent->type = (uint8_t)type;
	ent->name = kh_doc_norm_strndup(doc, s, e);
	ent->affiliation = KH_NONE;
	ent->first_mention = doc->mentions.n;
	ent->n_mentions = 1;
	mn = kh_vec_push(&doc->mentions);
	if (mn == NULL)
		abort();
	mn->start = s;
	mn->end = e;
	mn->tok_first = tf;
	mn->tok_end = te;
	mn->entity = doc->entities.n - 1;
	mn->sentence = doc->tokens.items[tf].sentence;
}

/** The analysis-view text of a span, in a static buffer. */
static inline const char *evdoc_text(const struct kh_doc *doc, struct kh_span sp)
{
	static char buf[512];
	size_t n = sp.end > sp.start ? sp.end - sp.start : 0;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, doc->norm + sp.start, n);
	buf[n] = '\0';
	return buf;
}

#endif
