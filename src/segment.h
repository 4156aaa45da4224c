/* SPDX-License-Identifier: MIT */
/**
 * @file segment.h
 * Sentences and tokens of the analysis view, with clitics split off the words
 * whose rest is a known word or name.  A kh_segmenter holds one thread's ICU
 * break iterators.
 */
#ifndef KHABAR_SEGMENT_H
#define KHABAR_SEGMENT_H

struct kh_doc;
struct kh_lexicon;
struct kh_segmenter;

/** Open this thread's break iterators. @return NULL on OOM or ICU failure */
struct kh_segmenter *kh_seg_new(void);

/** Close them. Accepts NULL. @return NULL */
struct kh_segmenter *kh_seg_free(struct kh_segmenter *s);

/**
 * Fill doc->sentences and doc->tokens from doc->norm.
 * @param[in] known words and names that tell a clitic from a letter of the word
 * @return 0, or -ENOMEM
 */
int kh_seg_apply(struct kh_segmenter *s, const struct kh_lexicon *known, struct kh_doc *doc);

#endif
