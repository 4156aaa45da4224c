/* SPDX-License-Identifier: MIT */
/**
 * @file malloc_tune.h
 * How the executables (khabar, the benchmarks) set glibc's allocator.  By default glibc maps
 * each allocation above 128 KiB afresh and gives freed heap tops back to the kernel, so a
 * long article's arrays were page-faulted in again for every article: past a few MB of text
 * that made the cost grow faster than the text (100x the text took 135x the time).  A
 * long-running process keeps them instead; the memory kept is bounded by the largest
 * documents analysed at once (workers x max_body x ~30 bytes per byte).
 */
#ifndef KHABAR_MALLOC_TUNE_H
#define KHABAR_MALLOC_TUNE_H

#include <malloc.h>

static inline void kh_malloc_keep_freed(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);  /* glibc's ceiling for this setting */
	mallopt(M_TRIM_THRESHOLD, 256 << 20); /* give back only beyond this much free */
}

#endif
