/* SPDX-License-Identifier: MIT */
/**
 * @file segment.h
 * Sentences and tokens of the analysis view, with clitics split off the words
 * whose rest is a known word or name.  A kh_segmenter holds one thread's ICU
 * break iterators.
 */
#ifndef KHABAR_SEGMENT_H
#define KHABAR_SEGMENT_H

#include <stdint.h>

struct kh_doc;
struct kh_lexicon;
struct kh_segmenter;
struct kh_span;

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

/**
 * The token boundaries kh_seg_apply() would find in an analysis-view string
 * (without clitic analysis), for building lexicon keys.  Thread-safe: it uses
 * one shared iterator behind a lock, so it is meant for loading, not analysis.
 * @param[out] ret_spans room for @p max spans (len + 1 always suffices)
 * @return number of tokens, or -ENOMEM / -EIO
 */
int kh_seg_words(const char *norm, uint32_t len, struct kh_span *ret_spans, uint32_t max);

/**
 * Close the break-iterator prototypes and the shared iterator.  Call at exit,
 * after every segmenter is freed and before u_cleanup(); later kh_seg_new()
 * calls open them again.
 */
void kh_seg_shutdown(void);

#endif
