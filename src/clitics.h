/* SPDX-License-Identifier: MIT */
/**
 * @file clitics.h
 * Clitic analysis of one Arabic word of the analysis view: proclitics
 * (و ف ب ل ك س and their combinations), the article ال (also fused in لل), and
 * pronoun suffixes (ه ها هم هما هن ك كم نا ي).  A proclitic or a suffix is split
 * off only when what remains is a known word or name, or (for و ف ب ك ل) when
 * the remainder begins with the article; so names that merely begin with those
 * letters (بيروت, لبنان, كركوك) stay whole.  The suffix ي is split only after
 * a ة written as ت (زيارتي): after any other stem it is far more often the
 * nisba ending of an adjective (سوري, حمصي) than "my".
 */
#ifndef KHABAR_CLITICS_H
#define KHABAR_CLITICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kh_lexicon;

#define KH_CLITICS_MAX_BYTES 128u /**< longer words are not analysed */

/** Where the parts of a word begin, in bytes from the start of the word. */
struct kh_clitics {
	uint32_t core;       /**< after the proclitics (the article stays in the core) */
	uint32_t stem;       /**< after the article too (== core when there is none) */
	uint32_t stem_end;   /**< where a pronoun suffix begins (== word length when none) */
	uint8_t proclitics;  /**< enum kh_proclitic bits */
	bool article;        /**< the core begins with ال, or with the ل of a fused لل */
	bool fused;          /**< لل: the core is "ل" + stem; its key is "ال" + stem */
	uint32_t restore;    /**< 0, or the letter the stem's last letter stands for
				  without the suffix: ة for زيارته, ى for مستواه, ء for نظرائه */
};

/**
 * Analyse the word @p w (@p len bytes of analysis-view text).
 * @param[in] known folded keys of known words and names (an entry counts; a
 *            key that only begins a longer phrase does not); NULL: nothing is known
 * @param[in] folded the word already folded (kh_norm_fold, same length, NUL-terminated), or NULL
 * @param[out] ret_c the analysis; a word that is not Arabic, or that has no
 *             clitic, gets core = stem = 0, stem_end = len and no flags
 * @return true when some clitic or the article was found
 */
bool kh_clitics_analyze(const struct kh_lexicon *known, const char *w, const char *folded, size_t len,
			struct kh_clitics *ret_c);

/** The folded form of a restored letter (ة → ه, ى → ي, ء stays). */
uint32_t kh_clitics_folded_restore(uint32_t restore);

/**
 * Is the analysis-view text @p s (one word) known?  Folds it first.
 * @param[in] restore 0, or a letter that replaces the last letter before the look-up
 */
bool kh_clitics_known(const struct kh_lexicon *known, const char *s, size_t len, uint32_t restore);

#endif
