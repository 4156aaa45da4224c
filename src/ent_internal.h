/* SPDX-License-Identifier: MIT */
/**
 * @file ent_internal.h
 * The entity stage's resources, shared by its modules (ent_lexicon.c loads them,
 * entities.c uses them) and visible to the unit tests.
 */
#ifndef KHABAR_ENT_INTERNAL_H
#define KHABAR_ENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct kh_lexicon;
struct kh_lex_entry;

/** Gazetteer columns after the variants (struct kh_lex_entry fields[]). */
enum kh_ent_gaz_field {
	KH_GAZ_TYPE = 0,
	KH_GAZ_CANONICAL,
	KH_GAZ_NAME_EN,
	KH_GAZ_COUNTRY,
	KH_GAZ_KIND,
	KH_GAZ_ID,
	KH_GAZ_GENERATED, /**< present ("1") only on NORP inflections the loader generated */
	KH_GAZ__N
};

/** heads.tsv columns after the variants. */
enum kh_ent_head_field { KH_HEAD_CLASS = 0, KH_HEAD_TYPE, KH_HEAD_KEEP, KH_HEAD_CHAIN };

/** Bits of kh_ent_res.first: which lexicons hold a phrase starting with a word. */
enum kh_ent_lex_bit {
	KH_LB_GAZ = 1 << 0,
	KH_LB_GIVEN = 1 << 1,
	KH_LB_FAMILY = 1 << 2,
	KH_LB_TITLES = 1 << 3,
	KH_LB_HEADS = 1 << 4,
	KH_LB_STOP = 1 << 5,
};

struct kh_ent_table;

struct kh_ent_res {
	struct kh_arena arena;        /**< file names and generated strings */
	struct kh_lexicon *gaz;       /**< every .tsv of data/gazetteer, NORP inflections, user lexicons */
	struct kh_lexicon *given;     /**< data/names/given.tsv */
	struct kh_lexicon *family;    /**< data/names/family.tsv */
	struct kh_lexicon *titles;    /**< data/titles.tsv */
	struct kh_lexicon *heads;     /**< data/heads.tsv */
	struct kh_lexicon *stop;      /**< data/stopwords.tsv: words that are never part of a name */
	struct kh_lexicon *common;    /**< data/words.txt: general vocabulary (a name is rarely in it) */
	struct kh_lexicon *personwords; /**< every word of person names, given and family names */
	const struct kh_lexicon *known; /**< the pipeline's known words (borrowed), or NULL */
	struct kh_ent_table *first;   /**< phrase table: every key of the lexicons above, its word
				       *   prefixes and first word -> KH_PHR_* bits (ent_match.h) */
	uint32_t cur_bit;             /**< the bit of the file being loaded */
	size_t n_gaz, n_given, n_family, n_titles, n_heads, n_stop, n_norp_forms, n_extra;
};

/**
 * Add the inflections of a NORP nisba adjective (سوري → سورية السوريون ...) to @p out as a
 * '|'-separated list.
 * @param[in] word one variant ending in ي
 * @param[out] out buffer
 * @param[in] cap its size
 * @return bytes written (without the NUL), 0 when @p word does not end in ي or the buffer is short
 */
size_t kh_ent_norp_forms(const char *word, char *out, size_t cap);

#endif
