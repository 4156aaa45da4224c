/* SPDX-License-Identifier: MIT */
/**
 * @file arena.h
 * A bump allocator owned by one document: every string and array a stage adds to
 * the document model comes from here and is released at once by kh_arena_done().
 */
#ifndef KHABAR_ARENA_H
#define KHABAR_ARENA_H

#include <stddef.h>

struct kh_arena_block;

struct kh_arena {
	struct kh_arena_block *head;
	size_t total; /**< bytes handed out, for the in-flight memory report */
};

/** Allocate @p size bytes aligned for any type; NULL on OOM. Memory is zeroed. */
void *kh_arena_alloc(struct kh_arena *a, size_t size);

/** As kh_arena_alloc(), not zeroed: for buffers written in full before they are read
 * (clearing the analysis view's offset maps was a fifth of normalization). */
void *kh_arena_alloc_uninit(struct kh_arena *a, size_t size);

/** Copy @p len bytes of @p s and NUL-terminate; NULL on OOM. */
char *kh_arena_strndup(struct kh_arena *a, const char *s, size_t len);

/**
 * Release every block. The arena is empty and reusable afterwards.  Blocks go to a
 * per-thread cache for the thread's next document (bounded; freed at thread exit).
 */
void kh_arena_done(struct kh_arena *a);

#endif
