/* SPDX-License-Identifier: MIT */
/**
 * @file numbers.h
 * Arabic counts in running text: digits (ASCII or Arabic-Indic), number words
 * (ثلاثة، خمسة وعشرون، ألفي، ثلاثمئة ...), vague quantities (عشرات، مئات، عدد من)
 * and the qualifiers around them (نحو → approximate, أكثر من / على الأقل → min,
 * أقل من → max).  Used by the dates and events stages.
 *
 * The word table is built once, on first use, and is read-only afterwards.
 */
#ifndef KHABAR_NUMBERS_H
#define KHABAR_NUMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

struct kh_lexicon;

/** Largest value a count can take; bigger numbers are capped here. */
#define KH_NUM_MAX INT64_C(1000000000000000)

/** Keys under which one token may be looked up (see kh_num_tok_keys()). */
struct kh_tok_keys {
	const char *k[4];   /**< folded keys, most specific first */
	uint32_t len[4];    /**< strlen(k[i]), known from the token: the callers need not count */
	uint8_t skip[4];    /**< bytes of the token's core left out in front of k[i] */
	uint8_t n;
	char buf[128];      /**< storage for a key rebuilt from لل */
};

/**
 * The folded keys of token @p tok: its key, then, when the segmenter left proclitics on
 * the token, the key without a leading و/ف and then without ب/ل/ك (لل read as ال).
 * @param[out] ret the keys
 */
void kh_num_tok_keys(const struct kh_doc *doc, uint32_t tok, struct kh_tok_keys *ret);

/**
 * Parse a count that starts at token @p tok (a qualifier, digits or number words).
 * @param[in] tok_end first token not to look at (e.g. the sentence end)
 * @param[out] ret_count the count: value (capped at KH_NUM_MAX), vague, bound, span of
 *             the qualifier and number; untouched when nothing is found
 * @return tokens consumed, 0 when no count starts at @p tok
 */
uint32_t kh_num_parse(const struct kh_doc *doc, uint32_t tok, uint32_t tok_end,
		      struct kh_count *ret_count);

/**
 * Value of one number word or digit string given as a folded key ("ثلاثه", "17").
 * @return the value, or -1 when @p key is no single number
 */
int64_t kh_num_word_value(const char *key);

/**
 * Add every number word and qualifier to @p lx with the given columns; the first word
 * of a qualifier phrase (أكثر of أكثر من) is added on its own too, so a caller can
 * tell from one look-up whether a count may start at a word.
 * @return 0 or -ENOMEM
 */
int kh_num_add_words(struct kh_lexicon *lx, const char *const *fields, unsigned n_fields);

/**
 * Add every number word and qualifier to @p known (the segmenter's word list).
 * @return 0 or -ENOMEM
 */
int kh_num_add_known(struct kh_lexicon *known);

#endif
