/* SPDX-License-Identifier: MIT */
/**
 * @file ent_match.h
 * Phrase matching for the entity stage: longest match of a lexicon (or of the
 * per-document table of accepted surfaces) at a token, where the first token may
 * carry proclitics the segmenter did not split (وموسكو, بريف, للأمم).
 */
#ifndef KHABAR_ENT_MATCH_H
#define KHABAR_ENT_MATCH_H

#include <stddef.h>
#include <stdint.h>

struct kh_doc;
struct kh_lexicon;
struct kh_lex_entry;
struct kh_ent_table;

/** A match: n tokens, the name starting at byte start. */
struct kh_ent_m {
	uint32_t n;
	uint32_t start;
	const struct kh_lex_entry *entry; /**< lexicon matches */
	uint32_t value;                   /**< table matches */
};

/**
 * Longest phrase of @p lx at token @p i, not past token @p end.
 * @param[in] strip also try the first token without proclitic letters the segmenter left on
 * @param[out] ret the match (written only when one is found)
 * @return tokens matched, 0 when none
 */
uint32_t kh_ent_match(const struct kh_lexicon *lx, const struct kh_doc *doc, uint32_t i,
		      uint32_t end, int strip, struct kh_ent_m *ret);

/** Byte where the name in token @p i starts: after its proclitics (and a و the segmenter
 *  left when @p strip_wa). */
uint32_t kh_ent_core_start(const struct kh_doc *doc, uint32_t i, int strip_wa);

/**
 * Folded key of tokens [tf, te) whose name starts at byte @p start of token tf.
 * @return length written, 0 when it does not fit
 */
size_t kh_ent_span_key(const struct kh_doc *doc, uint32_t tf, uint32_t te, uint32_t start,
		       char *out, size_t cap);

/** New per-document table of phrases; NULL on OOM. */
struct kh_ent_table *kh_ent_table_new(void);
/** Free. Accepts NULL. @return NULL */
struct kh_ent_table *kh_ent_table_free(struct kh_ent_table *t);
/** Store @p value under @p key (first value kept). @return 0 or -ENOMEM */
int kh_ent_table_put(struct kh_ent_table *t, const char *key, uint32_t value);
/** Value under @p key or KH_NONE. */
uint32_t kh_ent_table_get(const struct kh_ent_table *t, const char *key);
/** Store the phrase of tokens [tf, te) (name starting at @p start) with its prefixes marked. */
int kh_ent_table_add_tokens(struct kh_ent_table *t, const struct kh_doc *doc, uint32_t tf,
			    uint32_t te, uint32_t start, uint32_t value);
/** OR @p bits into the value under @p key (no prefixes marked). @return 0 or -ENOMEM */
int kh_ent_table_or(struct kh_ent_table *t, const char *key, uint32_t bits);
/** OR of the values stored under every first-token reading of token @p i (0 when none). */
uint32_t kh_ent_table_first_mask(const struct kh_ent_table *t, const struct kh_doc *doc, uint32_t i);
/** Longest stored phrase at token @p i (see kh_ent_match). @return tokens matched */
uint32_t kh_ent_table_match(const struct kh_ent_table *t, const struct kh_doc *doc, uint32_t i,
			    uint32_t end, struct kh_ent_m *ret);

#endif
