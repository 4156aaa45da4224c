/* SPDX-License-Identifier: MIT */
/* The normalizer, offset map and segmenter on arbitrary bytes: every map entry
 * and every token/sentence span must land on character boundaries of the
 * original text, in order, inside it. */
#include <stdlib.h>

#include "doc.h"
#include "fuzz.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"
#include "utf8.h"

static struct kh_segmenter *seg;
static struct kh_lexicon *known;

static bool at_boundary(const struct kh_doc *doc, uint32_t off)
{
	return off == doc->orig_len || ((unsigned char)doc->orig[off] & 0xC0) != 0x80;
}

static void check_span(const struct kh_doc *doc, uint32_t start, uint32_t end)
{
	uint32_t os, oe;

	FUZZ_ASSERT(start <= end && end <= doc->norm_len);
	kh_doc_orig_span(doc, start, end, &os, &oe);
	FUZZ_ASSERT(os <= oe && oe <= doc->orig_len);
	FUZZ_ASSERT(at_boundary(doc, os) && at_boundary(doc, oe));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh_doc *doc;

	if (seg == NULL) {
		seg = kh_seg_new();
		known = kh_lex_new();
		FUZZ_ASSERT(seg != NULL && known != NULL);
	}
	if (!kh_utf8_valid((const char *)data, size, NULL) || size > UINT32_MAX / 8)
		return 0;
	doc = kh_doc_new();
	FUZZ_ASSERT(doc != NULL);
	doc->orig = kh_arena_strndup(&doc->arena, (const char *)data, size);
	doc->orig_len = (uint32_t)size;
	if (doc->orig != NULL && kh_norm_apply(doc) == 0) {
		for (uint32_t i = 1; i <= doc->norm_len; i++)
			FUZZ_ASSERT(doc->norm_ostart[i - 1] <= doc->norm_ostart[i]);
		FUZZ_ASSERT(kh_utf8_valid(doc->norm, doc->norm_len, NULL));
		if (kh_seg_apply(seg, known, doc) == 0) {
			for (uint32_t i = 0; i < doc->tokens.n; i++) {
				const struct kh_token *t = &doc->tokens.items[i];

				check_span(doc, t->start, t->end);
				FUZZ_ASSERT(t->start <= t->core_start && t->core_start <= t->end);
				FUZZ_ASSERT(t->sentence < doc->sentences.n);
			}
			for (uint32_t i = 0; i < doc->sentences.n; i++)
				check_span(doc, doc->sentences.items[i].start, doc->sentences.items[i].end);
		}
	}
	kh_doc_free(doc);
	return 0;
}
