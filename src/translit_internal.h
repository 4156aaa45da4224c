/* SPDX-License-Identifier: MIT */
/* The transliteration cache's size and counters, for tests and benchmarks. */
#ifndef KHABAR_TRANSLIT_INTERNAL_H
#define KHABAR_TRANSLIT_INTERNAL_H

#include <stdint.h>

#define KH_TRANSLIT_CACHE_DEFAULT 2048u     /* names per analyzer */
#define KH_TRANSLIT_CACHE_MAX (1u << 16)    /* the most KHABAR_TRANSLIT_CACHE may ask for */
#define KH_TRANSLIT_CACHE_BYTES_PER_NAME 64u /* pool bytes per name (name + result) */

struct kh_translit;

struct kh_translit_stats {
	uint32_t entries, max_entries; /**< names held, and the most it holds */
	uint32_t pool_bytes, pool_cap; /**< bytes of names and results held, and the most */
	uint64_t hits, misses, clears; /**< look-ups answered, sent to ICU; times it was emptied */
};

/**
 * Open a transliterator whose cache holds at most @p cache_names names (0: no cache).
 * @return NULL on ICU failure or OOM
 */
struct kh_translit *kh_translit_new_sized(uint32_t cache_names);

/** The cache's counters. @param[out] ret filled */
void kh_translit_cache_stats(const struct kh_translit *t, struct kh_translit_stats *ret);

#endif
