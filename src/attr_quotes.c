/* SPDX-License-Identifier: MIT */
/* The attribution stage, part 2: quotation marks (pairs, nesting, pairs over several
 * sentences of a paragraph) and the extent of reported content (a quotation, or a
 * clause up to its sentence end or to the next reporting frame). */
#include <string.h>

#include "attr_internal.h"
#include "doc.h"

#define QUOTE_DEPTH 8u
#define MIN_MIXED_QUOTE 3u /* words a quoted part needs to make an indirect clause "mixed" */

static const struct kh_token *T(const struct kh_attr_ctx *c, uint32_t i)
{
	return &c->tok[i];
}

/* ---- quotation marks --------------------------------------------------------------------- */

static int quote_type(const struct kh_token *t)
{
	if ((t->flags & KH_TOKF_QUOTE_OPEN) != 0)
		return 1;
	if ((t->flags & KH_TOKF_QUOTE_CLOSE) != 0)
		return -1;
	if (t->kind != KH_TOK_PUNCT)
		return 0;
	/* « » (C2 ..), “ ” (E2 ..) and ": other punctuation at its first byte */
	if ((unsigned char)t->key[0] != 0xC2 && (unsigned char)t->key[0] != 0xE2 && t->key[0] != '"')
		return 0;
	if (KH_ATTR_EQ(t->key, "«") || KH_ATTR_EQ(t->key, "“"))
		return 1;
	if (KH_ATTR_EQ(t->key, "»") || KH_ATTR_EQ(t->key, "”"))
		return -1;
	if (KH_ATTR_EQ(t->key, "\""))
		return 2; /* straight quote: decided by position */
	return 0;
}

void kh_attr_pair_quotes(struct kh_attr_ctx *c)
{
	uint32_t stack[QUOTE_DEPTH];
	uint32_t depth = 0;

	for (uint32_t i = 0; i < c->n; i++) {
		const struct kh_token *t = T(c, i);
		uint32_t open;
		int q;

		/* most tokens are words that neither start a line nor are marked: one test */
		if (t->kind != KH_TOK_PUNCT &&
		    (t->flags & (KH_TOKF_LINE_START | KH_TOKF_QUOTE_OPEN | KH_TOKF_QUOTE_CLOSE)) == 0)
			continue;
		if ((t->flags & KH_TOKF_LINE_START) != 0)
			depth = 0; /* a quotation left open ends with its paragraph: not a pair */
		q = quote_type(t);
		if (q == 0)
			continue;
		if (q == 2) {
			bool top_straight = depth > 0 && KH_ATTR_EQ(T(c, stack[depth - 1])->key, "\"");

			q = top_straight ? -1 : 1;
		}
		if (q == 1) {
			if (depth < QUOTE_DEPTH)
				stack[depth++] = i;
			continue;
		}
		if (depth == 0)
			continue;
		depth--;
		open = stack[depth];
		c->mate[open] = i;
		c->mate[i] = open;
		/* the tokens inside the pair, marked as it is made (each mark is paired once and
		 * only here: a pass over every token afterwards found the same pairs) */
		if (c->tok[open].kind == KH_TOK_PUNCT)
			for (uint32_t k = open + 1; k < i; k++)
				c->inq[k] = 1;
	}
}

/* ---- content spans ----------------------------------------------------------------------- */

uint32_t kh_attr_tok_start(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t = T(c, i);

	/* spans leave out و ف ب ل; a token read with other proclitics keeps its start */
	if (t->kind != KH_TOK_WORD || t->core_start >= t->end ||
	    (t->proclitics & ~(KH_PRO_WA | KH_PRO_FA | KH_PRO_BI | KH_PRO_LI)) != 0)
		return t->start;
	return t->core_start;
}

/* Does a new frame start at token i (after a comma)? */
bool kh_attr_frame_starts(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_lex_entry *e = NULL;

	if (i >= c->n)
		return false;
	if (kh_attr_cue_at(c, i, &e) > 0 && kh_attr_cue_class(e) != KH_CUE_NOUN)
		return true;
	return kh_attr_word_is(c, i, KH_AW_LINK);
}

/* A quotation closed at q1 ends the reported clause (nothing but punctuation follows). */
bool kh_attr_quote_ends_clause(const struct kh_attr_ctx *c, uint32_t q1)
{
	uint32_t a = q1 + 1;

	if (a >= c->n || (T(c, a)->sentence != T(c, q1)->sentence && T(c, a)->kind != KH_TOK_PUNCT))
		return true;
	if ((T(c, a)->flags & KH_TOKF_LINE_START) != 0)
		return true;
	if (T(c, a)->kind == KH_TOK_WORD)
		return kh_attr_frame_starts(c, a);
	return !kh_attr_quote_open(c, a) && !kh_attr_punct_is(c, a, "(");
}

/* After a comma: a short subject and a reporting verb (، إلا أنّ الولايات المتحدة أكّدت ...). */
bool kh_attr_verb_clause_follows(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_lex_entry *e = NULL;

	for (uint32_t t = i; t < c->n && t < i + 5; t++) {
		if (c->tok[t].kind != KH_TOK_WORD)
			return false;
		if (t > i && kh_attr_cue_at(c, t, &e) > 0) {
			enum kh_attr_cue_class k = kh_attr_cue_class(e);

			return k == KH_CUE_VERB || k == KH_CUE_VERB_TELL;
		}
	}
	return false;
}

/* Last token of the clause that starts at c0. */
static uint32_t clause_end(const struct kh_attr_ctx *c, uint32_t c0)
{
	uint32_t se = kh_attr_sent_end(c, c0);
	uint32_t last = c0, t = c0;

	for (uint32_t steps = 0; t < c->n && steps < KH_ATTR_MAX_CLAUSE; steps++) {
		if (t > c0 && (T(c, t)->flags & KH_TOKF_LINE_START) != 0)
			break;
		if (kh_attr_quote_open(c, t)) {
			uint32_t q = c->mate[t];
			uint32_t qe = kh_attr_sent_end(c, q);

			if (qe > se)
				se = qe;
			last = q;
			t = q + 1;
			continue;
		}
		if (t >= se)
			break;
		if (kh_attr_is_stop_punct(c, t))
			break;
		if (kh_attr_is_comma(c, t) && (kh_attr_frame_starts(c, t + 1) || kh_attr_verb_clause_follows(c, t + 1)))
			break;
		last = t;
		t++;
	}
	return last;
}

/* Trim trailing punctuation (and a closing quotation mark) from [c0, end]. */
uint32_t kh_attr_trim_end(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end)
{
	while (end > c0 && T(c, end)->kind == KH_TOK_PUNCT && !kh_attr_punct_is(c, end, ")"))
		end--;
	return end;
}

bool kh_attr_has_long_quote(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end)
{
	for (uint32_t t = c0; t <= end && t < c->n; t++) {
		if (!kh_attr_quote_open(c, t))
			continue;
		if (c->mate[t] - t - 1 >= MIN_MIXED_QUOTE)
			return true;
		t = c->mate[t];
	}
	return false;
}

bool kh_attr_quote_content(const struct kh_attr_ctx *c, uint32_t q, struct kh_attr_content *ret)
{
	uint32_t q1 = c->mate[q];

	if (q1 == KH_NONE || q1 <= q + 1)
		return false;
	ret->kind = KH_ATTR_DIRECT;
	ret->span.start = T(c, q + 1)->start;
	ret->span.end = T(c, q1 - 1)->end;
	ret->last = q1;
	return ret->span.end > ret->span.start;
}

/* Content of a reported clause starting at c0 (after a complementizer, colon or preposition). */
bool kh_attr_clause_content(const struct kh_attr_ctx *c, uint32_t c0, bool direct, struct kh_attr_content *ret)
{
	uint32_t end;

	if (c0 >= c->n)
		return false;
	if (kh_attr_quote_open(c, c0) && kh_attr_quote_ends_clause(c, c->mate[c0]))
		return kh_attr_quote_content(c, c0, ret);
	if (T(c, c0)->kind == KH_TOK_PUNCT && !kh_attr_quote_open(c, c0) && !kh_attr_punct_is(c, c0, "("))
		return false;
	end = kh_attr_trim_end(c, c0, clause_end(c, c0));
	if (end < c0 || (end == c0 && T(c, c0)->kind == KH_TOK_PUNCT))
		return false;
	ret->kind = direct ? KH_ATTR_DIRECT : kh_attr_has_long_quote(c, c0, end) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
	ret->span.start = kh_attr_tok_start(c, c0);
	ret->span.end = T(c, end)->end;
	ret->last = end;
	return ret->span.end > ret->span.start;
}

