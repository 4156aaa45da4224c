/* SPDX-License-Identifier: MIT */
/**
 * @file segment_internal.h
 * For the tests: the raw tokens of either word break, so that ours can be held
 * against ICU's.
 */
#ifndef KHABAR_SEGMENT_INTERNAL_H
#define KHABAR_SEGMENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct kh_segmenter;

/** One token before clitic analysis. */
struct kh_seg_raw {
	uint32_t start, end;
	uint8_t kind;  /**< enum kh_tok_kind */
	uint8_t flags; /**< enum kh_tok_flag bits */
};

/**
 * Cut the analysis-view text @p text into raw tokens.
 * @param[in] icu true: with ICU's word break iterator; false: with our own
 * @param[out] ret the first @p max tokens
 * @return number of tokens, -EAGAIN when our own word break does not handle a
 *         character of the text, or -ENOMEM / -EIO
 */
int kh_seg_raw_tokens(struct kh_segmenter *sg, const char *text, uint32_t n, bool icu,
		      struct kh_seg_raw *ret, uint32_t max);

#endif
