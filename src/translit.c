/* SPDX-License-Identifier: MIT */
#include "translit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "doc.h"
#include "translit_internal.h"

#define TRANSLIT_MAX_NAME 256 /* UTF-16 units; longer names are not transliterated */

/*
 * Names -> transliterations already computed by this analyzer.  ICU takes about 10 us
 * per name (a fifth of the whole analysis of a news article), and a newsroom's articles
 * name the same people, places and bodies again and again.  The result depends on the
 * name's bytes only, so a hit is exactly what ICU would say.  Bounded: when the table or
 * the string pool is full, everything is dropped and filling starts again.
 */
struct cache_slot {
	uint32_t hash;    /* 0: empty */
	uint32_t off;     /* name, then its transliteration, in pool */
	uint16_t key_len;
	uint16_t val_len;
};

struct kh_translit {
	UTransliterator *tr;
	struct cache_slot *slots; /* 2 * max_entries, a power of two; NULL: no cache */
	uint32_t mask;
	uint32_t entries, max_entries;
	char *pool;
	uint32_t pool_len, pool_cap;
	uint64_t hits, misses, clears;
};

/* Parse KHABAR_TRANSLIT_CACHE: a number of names, 0 turns the cache off. */
static uint32_t cache_size_from_env(void)
{
	const char *v = getenv("KHABAR_TRANSLIT_CACHE");
	char *end;
	unsigned long n;

	if (v == NULL || *v == '\0')
		return KH_TRANSLIT_CACHE_DEFAULT;
	n = strtoul(v, &end, 10);
	if (*end != '\0')
		return KH_TRANSLIT_CACHE_DEFAULT;
	return n > KH_TRANSLIT_CACHE_MAX ? KH_TRANSLIT_CACHE_MAX : (uint32_t)n;
}

static int cache_init(struct kh_translit *t, uint32_t max_entries)
{
	uint32_t n_slots = 16;

	if (max_entries == 0)
		return 0;
	while (n_slots < 2 * max_entries)
		n_slots *= 2;
	t->slots = calloc(n_slots, sizeof(*t->slots));
	t->pool_cap = max_entries * KH_TRANSLIT_CACHE_BYTES_PER_NAME;
	t->pool = malloc(t->pool_cap);
	if (t->slots == NULL || t->pool == NULL)
		return -ENOMEM;
	t->mask = n_slots - 1;
	t->max_entries = max_entries;
	return 0;
}

struct kh_translit *kh_translit_new_sized(uint32_t cache_names)
{
	static const UChar id[] = u"Any-Latin; Latin-ASCII";
	UErrorCode st = U_ZERO_ERROR;
	struct kh_translit *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st) || cache_init(t, cache_names) < 0)
		return kh_translit_free(t);
	return t;
}

struct kh_translit *kh_translit_new(void)
{
	return kh_translit_new_sized(cache_size_from_env());
}

struct kh_translit *kh_translit_free(struct kh_translit *t)
{
	if (t == NULL)
		return NULL;
	if (t->tr != NULL)
		utrans_close(t->tr);
	free(t->slots);
	free(t->pool);
	free(t);
	return NULL;
}

/* FNV-1a, never 0 (0 marks an empty slot). */
static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h != 0 ? h : 1;
}

/* The slot that holds @p name, or the empty one where it would go. */
static struct cache_slot *cache_find(struct kh_translit *t, const char *name, size_t len, uint32_t h)
{
	for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
		struct cache_slot *s = &t->slots[i];

		if (s->hash == 0)
			return s;
		if (s->hash == h && s->key_len == len && memcmp(t->pool + s->off, name, len) == 0)
			return s;
	}
}

static void cache_clear(struct kh_translit *t)
{
	memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->entries = 0;
	t->pool_len = 0;
	t->clears++;
}

/* Remember name -> value; too long to keep, or full: drop everything first. */
static void cache_put(struct kh_translit *t, const char *name, size_t len, uint32_t h, const char *value,
		      size_t value_len)
{
	struct cache_slot *s;

	if (len > UINT16_MAX || value_len > UINT16_MAX || len + value_len > t->pool_cap)
		return;
	if (t->entries >= t->max_entries || t->pool_cap - t->pool_len < len + value_len)
		cache_clear(t);
	s = cache_find(t, name, len, h);
	s->hash = h;
	s->off = t->pool_len;
	s->key_len = (uint16_t)len;
	s->val_len = (uint16_t)value_len;
	memcpy(t->pool + t->pool_len, name, len);
	memcpy(t->pool + t->pool_len + len, value, value_len);
	t->pool_len += (uint32_t)(len + value_len);
	t->entries++;
}

/* ICU on one UTF-8 name; the UTF-8 result in out (of out_cap bytes). @return its length, or -1 */
static int32_t transliterate_icu(struct kh_translit *t, const char *name, char *out, int32_t out_cap)
{
	UChar buf[TRANSLIT_MAX_NAME * 4];
	int32_t len = 0, limit, out_len = 0;
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(buf, TRANSLIT_MAX_NAME, &len, name, -1, &st);
	if (U_FAILURE(st) || len >= TRANSLIT_MAX_NAME)
		return -1;
	limit = len;
	utrans_transUChars(t->tr, buf, &len, (int32_t)(sizeof(buf) / sizeof(buf[0])), 0, &limit, &st);
	if (U_FAILURE(st))
		return -1;
	u_strToUTF8(out, out_cap, &out_len, buf, len, &st);
	if (U_FAILURE(st) || out_len >= out_cap)
		return -1;
	return out_len;
}

/* Transliterate one UTF-8 name into an arena string; NULL when it can't. */
static const char *transliterate(struct kh_translit *t, struct kh_arena *a, const char *name)
{
	char out[TRANSLIT_MAX_NAME * 4 * sizeof(UChar) * 2];
	size_t len = strlen(name);
	uint32_t h = 0;
	int32_t out_len;

	if (t->slots != NULL) {
		const struct cache_slot *s;

		h = name_hash(name, len);
		s = cache_find(t, name, len, h);
		if (s->hash != 0) {
			t->hits++;
			return kh_arena_strndup(a, t->pool + s->off + s->key_len, s->val_len);
		}
		t->misses++;
	}
	out_len = transliterate_icu(t, name, out, (int32_t)sizeof(out));
	if (out_len < 0)
		return NULL; /* not remembered: it may be a passing ICU failure */
	if (t->slots != NULL)
		cache_put(t, name, len, h, out, (size_t)out_len);
	return kh_arena_strndup(a, out, (size_t)out_len);
}

int kh_translit_apply(struct kh_translit *t, struct kh_doc *doc)
{
	for (uint32_t i = 0; i < doc->entities.n; i++) {
		struct kh_entity *e = &doc->entities.items[i];

		if (e->translit != NULL || e->name == NULL || e->type == KH_ENT_DATE ||
		    e->type == KH_ENT_CARDINAL)
			continue;
		e->translit = transliterate(t, &doc->arena, e->name);
	}
	return 0;
}

void kh_translit_cache_stats(const struct kh_translit *t, struct kh_translit_stats *ret)
{
	*ret = (struct kh_translit_stats){
		.entries = t->entries,
		.max_entries = t->max_entries,
		.pool_bytes = t->pool_len,
		.pool_cap = t->pool_cap,
		.hits = t->hits,
		.misses = t->misses,
		.clears = t->clears,
	};
}
