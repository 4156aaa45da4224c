/* SPDX-License-Identifier: MIT */
/* Provisional segmenter: whitespace and punctuation, one sentence per line or stop.
 * The ICU version replaces this file. */
#include "segment.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "utf8.h"

struct kh_segmenter {
	int unused;
};

struct kh_segmenter *kh_seg_new(void)
{
	return calloc(1, sizeof(struct kh_segmenter));
}

struct kh_segmenter *kh_seg_free(struct kh_segmenter *s)
{
	free(s);
	return NULL;
}

static int is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0;
}

static int is_punct(uint32_t cp)
{
	return (cp < 0x80 && cp != '_' && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') &&
		!(cp >= '0' && cp <= '9')) ||
	       cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0xAB || cp == 0xBB ||
	       cp == 0x201C || cp == 0x201D;
}

static int push_token(struct kh_doc *doc, uint32_t s, uint32_t e, int kind, uint8_t flags)
{
	struct kh_token *t = kh_vec_push(&doc->tokens);

	if (t == NULL)
		return -ENOMEM;
	t->start = t->core_start = t->stem_start = s;
	t->end = t->stem_end = e;
	t->kind = (uint8_t)kind;
	t->flags = flags;
	t->sentence = doc->sentences.n;
	t->full_key = kh_norm_fold(&doc->arena, doc->norm + s, e - s);
	if (t->full_key == NULL)
		return -ENOMEM;
	t->key = t->stem_key = t->full_key;
	return 0;
}

static int end_sentence(struct kh_doc *doc, uint32_t *first_tok)
{
	struct kh_sentence *s;

	if (doc->tokens.n == *first_tok)
		return 0;
	s = kh_vec_push(&doc->sentences);
	if (s == NULL)
		return -ENOMEM;
	s->tok_first = *first_tok;
	s->tok_end = doc->tokens.n;
	s->start = doc->tokens.items[s->tok_first].start;
	s->end = doc->tokens.items[s->tok_end - 1].end;
	*first_tok = doc->tokens.n;
	return 0;
}

int kh_seg_apply(struct kh_segmenter *sg, const struct kh_lexicon *known, struct kh_doc *doc)
{
	const unsigned char *p = (const unsigned char *)doc->norm;
	uint32_t n = doc->norm_len, i = 0, first = 0;
	uint8_t flags = KH_TOKF_LINE_START;
	int r;

	(void)sg;
	(void)known;
	while (i < n) {
		uint32_t cp;
		unsigned k = kh_utf8_decode(p + i, n - i, &cp);

		if (is_space(cp)) {
			if (cp == '\n') {
				r = end_sentence(doc, &first);
				if (r < 0)
					return r;
				flags |= KH_TOKF_LINE_START;
			}
			flags |= KH_TOKF_SPACE_BEFORE;
			i += k;
			continue;
		}
		if (is_punct(cp)) {
			r = push_token(doc, i, i + k, KH_TOK_PUNCT, flags);
			if (r < 0)
				return r;
			flags = 0;
			i += k;
			if ((cp == '.' || cp == '!' || cp == 0x061F) &&
			    end_sentence(doc, &first) < 0)
				return -ENOMEM;
			continue;
		}
		uint32_t s = i;
		int digits = 1;

		while (i < n) {
			k = kh_utf8_decode(p + i, n - i, &cp);
			if (is_space(cp) || is_punct(cp))
				break;
			if (!(cp >= '0' && cp <= '9'))
				digits = 0;
			i += k;
		}
		r = push_token(doc, s, i, digits ? KH_TOK_NUMBER : KH_TOK_WORD, flags);
		if (r < 0)
			return r;
		flags = 0;
	}
	return end_sentence(doc, &first);
}
