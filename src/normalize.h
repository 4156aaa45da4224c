/* SPDX-License-Identifier: MIT */
/**
 * @file normalize.h
 * The analysis view: the article after NFKC, without diacritics, tatweel and
 * invisible controls, with ASCII digits, Arabic letters for Persian/Urdu
 * variants, unified quotation marks and LF line breaks; and the map from every
 * byte of that view back to the bytes the client sent.  Also the folded match
 * keys (أ إ آ ٱ → ا, ى → ي, ة → ه) that lexicon look-ups use.
 */
#ifndef KHABAR_NORMALIZE_H
#define KHABAR_NORMALIZE_H

#include <stddef.h>

struct kh_doc;
struct kh_arena;

/**
 * Build doc->norm, doc->norm_len, doc->norm_ostart and doc->norm_oend from
 * doc->orig (which must be valid UTF-8).
 * @return 0, or -ENOMEM
 */
int kh_norm_apply(struct kh_doc *doc);

/**
 * Fold analysis-view text into a match key.
 * @return arena string, or NULL on OOM
 */
const char *kh_norm_fold(struct kh_arena *a, const char *s, size_t len);

/**
 * Fold @p len bytes of analysis-view text into @p out, which must have room for
 * len + 1 bytes (folding never changes the length); NUL-terminates.
 * @return len
 */
size_t kh_norm_fold_buf(char *out, const char *s, size_t len);

/**
 * Normalize and fold a phrase from a lexicon or a test: the result holds the
 * folded tokens the segmenter would find in it (words, numbers, each
 * punctuation mark), separated by one space, with no leading or trailing space.
 * @return malloc'd key (caller frees), or NULL on OOM
 */
char *kh_norm_key(const char *s, size_t len);

#endif
