/* SPDX-License-Identifier: MIT */
#include "arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_BLOCK (64u * 1024u)
#define ARENA_ALIGN 16u
/* Blocks a thread keeps for its next documents: fresh pages from the kernel cost a
 * page fault each, which was a fifth of the pipeline's time before this cache. */
#define ARENA_CACHE_MAX_BLOCK (4u * 1024u * 1024u)
#define ARENA_CACHE_MAX_BYTES (32u * 1024u * 1024u)

struct kh_arena_block {
	struct kh_arena_block *next;
	size_t used;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

struct block_cache {
	struct kh_arena_block *head;
	size_t bytes;
};

static _Thread_local struct block_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void free_blocks(struct kh_arena_block *b)
{
	while (b != NULL) {
		struct kh_arena_block *next = b->next;

		free(b);
		b = next;
	}
}

/* Thread exit: the key's value is the thread's cache. */
static void cache_destroy(void *p)
{
	struct block_cache *c = p;

	free_blocks(c->head);
	c->head = NULL;
	c->bytes = 0;
}

/* Process exit: the main thread has no key destructor. */
static void cache_destroy_main(void)
{
	cache_destroy(&cache);
}

static void cache_init(void)
{
	if (pthread_key_create(&cache_key, cache_destroy) != 0)
		return;
	atexit(cache_destroy_main);
}

/* A cached block of at least cap bytes, or NULL. */
static struct kh_arena_block *cache_take(size_t cap)
{
	for (struct kh_arena_block **p = &cache.head; *p != NULL; p = &(*p)->next) {
		struct kh_arena_block *b = *p;

		if (b->cap >= cap) {
			*p = b->next;
			cache.bytes -= b->cap;
			return b;
		}
	}
	return NULL;
}

static void cache_put(struct kh_arena_block *b)
{
	if (b->cap > ARENA_CACHE_MAX_BLOCK || cache.bytes + b->cap > ARENA_CACHE_MAX_BYTES) {
		free(b);
		return;
	}
	pthread_once(&cache_once, cache_init);
	if (cache.head == NULL)
		pthread_setspecific(cache_key, &cache);
	b->next = cache.head;
	cache.head = b;
	cache.bytes += b->cap;
}

void *kh_arena_alloc_uninit(struct kh_arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct kh_arena_block *b = a->head;

	if (need < size)
		return NULL;
	if (b == NULL || b->cap - b->used < need) {
		size_t cap = need > ARENA_MIN_BLOCK ? need : ARENA_MIN_BLOCK;

		if (cap > SIZE_MAX - sizeof(*b))
			return NULL;
		b = cache_take(cap);
		if (b == NULL) {
			b = malloc(sizeof(*b) + cap);
			if (b == NULL)
				return NULL;
			b->cap = cap;
		}
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *kh_arena_alloc(struct kh_arena *a, size_t size)
{
	void *p = kh_arena_alloc_uninit(a, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

char *kh_arena_strndup(struct kh_arena *a, const char *s, size_t len)
{
	char *p = kh_arena_alloc_uninit(a, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void kh_arena_done(struct kh_arena *a)
{
	struct kh_arena_block *b = a->head;

	while (b != NULL) {
		struct kh_arena_block *next = b->next;

		cache_put(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}
