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

#include "doc.h"
#include "lexicon.h"

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

/** A reading of a token's first word (its key, or the word less proclitic letters the
 *  segmenter left on), derived once per document. */
struct kh_ent_alt {
	const char *key;  /**< folded key, NUL-terminated */
	uint32_t hash;    /**< the tables' hash of key */
	uint32_t start;   /**< byte where the name starts when this reading matches (skip 0) */
	uint32_t phrase;  /**< value of key in the lexicons' phrase table, 0 when absent */
	uint32_t ents;    /**< the key's row of entries in the phrase table, 0 when none */
	uint32_t tok;     /**< the token it reads */
	uint16_t len;     /**< strlen(key), less than MATCH_MAX_KEY */
	uint8_t skip;     /**< letters the reading leaves off the token (start not set), or 0 */
	uint8_t has;      /**< enum kh_ent_lex_bit of the lexicons with an entry in row ents */
};

/** Every token's first-word readings. */
struct kh_ent_alts {
	KH_VEC(struct kh_ent_alt) items; /**< malloc'd */
	uint32_t *first; /**< per token: index of its first reading (doc arena) */
	uint8_t *n;      /**< per token: its readings; 0 for no word (doc arena) */
	uint8_t *mask;   /**< per token: enum kh_ent_lex_bit of phrases its readings start */
	uint32_t *flen;  /**< per token: strlen(full_key) (doc arena) */
	uint32_t *fhash; /**< per token: the tables' hash of full_key as a word (doc arena) */
};

/** Bits of a phrase-table value: the first word of a phrase of the lexicon (bits 0-7),
 *  a whole phrase of it (8-15), a word prefix of a longer phrase of it (16-23). */
#define KH_PHR_FIRST_MASK 0xffu
#define KH_PHR_FOUND(bit) ((uint32_t)(bit) << 8)
#define KH_PHR_PREFIX(bit) ((uint32_t)(bit) << 16)

/**
 * Record a lexicon key in the phrase table: the key under KH_PHR_FOUND(@p bit), its word
 * prefixes under KH_PHR_PREFIX(@p bit), its first word under @p bit.
 * @param[in] key folded key, as the lexicon stores it
 * @return 0 or -ENOMEM
 */
int kh_ent_phrase_add(struct kh_ent_table *t, const char *key, uint32_t bit);

/** Lexicons of the phrase table, by bit number (enum kh_ent_lex_bit). */
#define KH_PHR_N_LEX 6u

/**
 * Store, for every key of the phrase table, the entry each lexicon holds under it, so that
 * matching need not look it up.  Call once after the last kh_ent_phrase_add.
 * @param[in] lx the KH_PHR_N_LEX lexicons, indexed by bit number (NULL: none)
 * @return 0, -EINVAL for a wrong @p n_lx, -ENOMEM
 */
int kh_ent_phrase_resolve(struct kh_ent_table *t, const struct kh_lexicon *const *lx, unsigned n_lx);

/** Class of a stop word (stopwords.tsv column 2), as the entity rules tell them apart. */
enum kh_ent_stop_cls {
	KH_STOP_NONE = 0, /**< not a stop word (or not known) */
	KH_STOP_OTHER,    /**< func, time, dir, or no class */
	KH_STOP_NOUN,
	KH_STOP_ADJ,
	KH_STOP_VERB,
};

/** enum kh_ent_stop_cls of a class name; never KH_STOP_NONE. */
uint8_t kh_ent_stop_cls_parse(const char *cls);

/**
 * Stop class of the stop-word entry under a phrase-table row (the value of a kh_ent_m from
 * kh_ent_alts_match), read at load time.
 * @return the class, KH_STOP_NONE when the row holds no stop word or is not known
 */
uint8_t kh_ent_phrase_stop_cls(const struct kh_ent_table *t, uint32_t row);

/**
 * Derive every token's readings and their phrase-table values.
 * @param[in,out] al zeroed; filled (free with kh_ent_alts_done, also after a failure)
 * @param[in] phrases the phrase table after kh_ent_phrase_resolve, or NULL
 * @param[in,out] doc its arena holds the per-token arrays
 * @return 0, -EINVAL for a phrase table not resolved, -ENOMEM
 */
int kh_ent_alts_build(struct kh_ent_alts *al, const struct kh_ent_table *phrases, struct kh_doc *doc);

/** Release what kh_ent_alts_build allocated outside the document. Accepts NULL. */
void kh_ent_alts_done(struct kh_ent_alts *al);

/**
 * kh_ent_match over the readings in @p al: the phrase table tells, without asking @p lx,
 * whether a key is or starts a phrase of the lexicon @p bit; @p lx is asked for hits only.
 * With @p bit 0 every key is looked up in @p lx.  ret->value is the matched key's
 * phrase-table row (0 when not known).
 * @return tokens matched, 0 when none
 */
uint32_t kh_ent_alts_match(const struct kh_ent_alts *al, const struct kh_ent_table *phrases,
			   const struct kh_lexicon *lx, uint32_t bit, const struct kh_doc *doc,
			   uint32_t i, uint32_t end, int strip, struct kh_ent_m *ret);

/**
 * kh_ent_alts_match for a caller that needs no entry: ret->entry is left NULL when the
 * phrase table knows the match's row (ret->value), so that the row (cold) is not read.
 * @return tokens matched, 0 when none
 */
uint32_t kh_ent_alts_span(const struct kh_ent_alts *al, const struct kh_ent_table *phrases,
			  const struct kh_lexicon *lx, uint32_t bit, const struct kh_doc *doc,
			  uint32_t i, uint32_t end, int strip, struct kh_ent_m *ret);

/** Longest phrase of table @p t at token @p i (see kh_ent_match) over the readings in @p al. */
uint32_t kh_ent_alts_table_match(const struct kh_ent_alts *al, const struct kh_ent_table *t,
				 const struct kh_doc *doc, uint32_t i, uint32_t end,
				 struct kh_ent_m *ret);

/**
 * The first token from @p i on, before @p end, where kh_ent_alts_table_match may find a
 * phrase of @p t: a word not @p covered (per token, nonzero: skip) with a reading the
 * table's filter lets through.  A pass over the tokens without a call for each.
 * @return the token, or @p end (at most the document's tokens) when none
 */
uint32_t kh_ent_alts_table_next(const struct kh_ent_alts *al, const struct kh_ent_table *t,
				const struct kh_doc *doc, uint32_t i, uint32_t end, const uint8_t *covered);

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
/**
 * kh_ent_table_add_tokens with the words' lengths and hashes from @p al (no key re-read
 * for its hash, no strlen), when the name starts at the first token's key; the same
 * table afterwards.
 * @return 0 or -ENOMEM
 */
int kh_ent_alts_table_add(const struct kh_ent_alts *al, struct kh_ent_table *t, const struct kh_doc *doc,
			  uint32_t tf, uint32_t te, uint32_t start, uint32_t value);
/** OR @p bits into the value under @p key (no prefixes marked). @return 0 or -ENOMEM */
int kh_ent_table_or(struct kh_ent_table *t, const char *key, uint32_t bits);

#endif
