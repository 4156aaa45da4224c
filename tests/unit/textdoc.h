/* SPDX-License-Identifier: MIT */
/**
 * @file textdoc.h
 * Helpers for the text-layer tests: a document from a string, normalized and
 * segmented without the rest of the pipeline, and slicing in the three offset units.
 */
#ifndef KHABAR_TEXTDOC_H
#define KHABAR_TEXTDOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"

/** A document holding @p text with its analysis view (NULL on failure). */
static inline struct kh_doc *td_norm(const char *text, size_t len)
{
	struct kh_doc *doc = kh_doc_new();

	if (doc == NULL)
		return NULL;
	doc->orig = kh_arena_strndup(&doc->arena, text, len);
	doc->orig_len = (uint32_t)len;
	doc->lang = "ar";
	if (doc->orig == NULL || kh_norm_apply(doc) < 0)
		return kh_doc_free(doc);
	return doc;
}

/** td_norm() plus tokens and sentences. */
static inline struct kh_doc *td_seg(struct kh_segmenter *sg, const struct kh_lexicon *known,
				    const char *text)
{
	struct kh_doc *doc = td_norm(text, strlen(text));

	if (doc != NULL && kh_seg_apply(sg, known, doc) < 0)
		return kh_doc_free(doc);
	return doc;
}

/** Analysis-view text of token @p i (static buffer). */
static inline const char *td_tok(const struct kh_doc *doc, uint32_t i)
{
	static char buf[512];
	const struct kh_token *t;

	if (i >= doc->tokens.n)
		return "(none)";
	t = &doc->tokens.items[i];
	snprintf(buf, sizeof(buf), "%.*s", (int)(t->end - t->start), doc->norm + t->start);
	return buf;
}

/** Analysis-view text of [start, end) (static buffer). */
static inline const char *td_view(const struct kh_doc *doc, uint32_t start, uint32_t end)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "%.*s", (int)(end - start), doc->norm + start);
	return buf;
}

/** Original text of an analysis-view span (static buffer). */
static inline const char *td_orig(const struct kh_doc *doc, uint32_t start, uint32_t end)
{
	static char buf[2048];
	uint32_t os, oe;

	kh_doc_orig_span(doc, start, end, &os, &oe);
	snprintf(buf, sizeof(buf), "%.*s", (int)(oe - os), doc->orig + os);
	return buf;
}

/** Index of the first token whose text is @p s, from @p from; UINT32_MAX when none. */
static inline uint32_t td_find(const struct kh_doc *doc, const char *s, uint32_t from)
{
	size_t n = strlen(s);

	for (uint32_t i = from; i < doc->tokens.n; i++) {
		const struct kh_token *t = &doc->tokens.items[i];

		if (t->end - t->start == n && memcmp(doc->norm + t->start, s, n) == 0)
			return i;
	}
	return UINT32_MAX;
}

/** Read a whole file (malloc'd, NUL-terminated); NULL when it can't be read. */
static inline char *td_read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n = -1;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n >= 0 && fseek(f, 0, SEEK_SET) == 0)
		buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL) {
		buf[n] = '\0';
		if (ret_len != NULL)
			*ret_len = (size_t)n;
	}
	fclose(f);
	return buf;
}

#endif
