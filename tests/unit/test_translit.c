/* SPDX-License-Identifier: MIT */
/* Transliteration: the per-analyzer cache answers exactly what ICU answers, stays within
 * its bounds, and starts again when full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "tap.h"
#include "translit.h"
#include "translit_internal.h"

static const char *const names[] = {
	"ميخائيل بوغدانوف", "سيرغي لافروف", "دمشق", "وكالة سانا", "الأمم المتحدة",
	"مجلس الأمن الدولي", "بشار الأسد", "طهران", "حزب الله", "القاهرة",
	"عبد الله الثاني", "منظمة التعاون الإسلامي", "جنيف", "الاتحاد الأوروبي", "CNN",
	"رويترز Reuters", "قناة «الجزيرة»", "الأمين العام 2024", "غزة 😀", "لافتاً",
	"پژوهش", "أبو ظبي", "", "ءآأؤإئ", "ً ٌ ٍ",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* A document whose entities are @p n names, from names[first] on (wrapping). */
static struct kh_doc *doc_of(size_t first, size_t n)
{
	struct kh_doc *doc = kh_doc_new();

	for (size_t i = 0; doc != NULL && i < n; i++) {
		struct kh_entity *e = kh_vec_push(&doc->entities);

		if (e == NULL)
			return kh_doc_free(doc);
		memset(e, 0, sizeof(*e));
		e->type = KH_ENT_PERSON;
		e->name = names[(first + i) % N_NAMES];
	}
	return doc;
}

/* Same transliteration (or both none) for every entity. */
static bool same_results(const struct kh_doc *a, const struct kh_doc *b)
{
	for (uint32_t i = 0; i < a->entities.n; i++) {
		const char *x = a->entities.items[i].translit, *y = b->entities.items[i].translit;

		if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0)) {
			printf("# %s: %s vs %s\n", a->entities.items[i].name, x ? x : "(none)", y ? y : "(none)");
			return false;
		}
	}
	return true;
}

/* Run @p rounds documents through a cached and an uncached transliterator. */
static bool cached_equals_icu(struct kh_translit *cached, struct kh_translit *icu, size_t rounds, size_t per_doc)
{
	bool ok = true;

	for (size_t r = 0; r < rounds && ok; r++) {
		struct kh_doc *a = doc_of(r * 7, per_doc), *b = doc_of(r * 7, per_doc);

		ok = a != NULL && b != NULL && kh_translit_apply(cached, a) == 0 &&
		     kh_translit_apply(icu, b) == 0 && same_results(a, b);
		kh_doc_free(a);
		kh_doc_free(b);
	}
	return ok;
}

static void test_cache_hits(struct kh_translit *icu)
{
	struct kh_translit *t = kh_translit_new_sized(KH_TRANSLIT_CACHE_DEFAULT);
	struct kh_translit_stats st;

	tap_ok(t != NULL, "open a cached transliterator");
	if (t == NULL)
		return;
	tap_ok(cached_equals_icu(t, icu, 20, N_NAMES), "cached results are ICU's, first time and again");
	kh_translit_cache_stats(t, &st);
	tap_is_int(st.misses, N_NAMES, "each distinct name goes to ICU once");
	tap_is_int(st.hits, 19 * N_NAMES, "every later look-up is a hit");
	tap_is_int(st.clears, 0, "a cache with room is never emptied");
	tap_is_int(st.entries, N_NAMES, "one entry per distinct name");
	kh_translit_free(t);
}

static void test_cache_full(struct kh_translit *icu)
{
	struct kh_translit *t = kh_translit_new_sized(4);
	struct kh_translit_stats st;

	tap_ok(t != NULL, "open a transliterator with a cache of 4 names");
	if (t == NULL)
		return;
	tap_ok(cached_equals_icu(t, icu, 30, 9), "a cache emptied again and again still answers as ICU");
	kh_translit_cache_stats(t, &st);
	tap_ok(st.entries <= 4 && st.max_entries == 4, "never more names than its size (%u)", st.entries);
	tap_ok(st.pool_bytes <= st.pool_cap && st.pool_cap == 4 * KH_TRANSLIT_CACHE_BYTES_PER_NAME,
	       "never more bytes than its pool (%u of %u)", st.pool_bytes, st.pool_cap);
	tap_ok(st.clears > 0, "emptied when full (%llu times)", (unsigned long long)st.clears);
	kh_translit_free(t);
}

/* A name longer than the pool is answered by ICU and not kept; one too long for ICU has none. */
static void test_long_names(struct kh_translit *icu)
{
	struct kh_translit *t = kh_translit_new_sized(2);
	struct kh_doc *a = kh_doc_new(), *b = kh_doc_new();
	char *big = malloc(1001), *huge = malloc(2001);
	struct kh_translit_stats st;

	for (int i = 0; big != NULL && i < 500; i++)
		memcpy(big + 2 * i, "ب", 2);
	for (int i = 0; huge != NULL && i < 1000; i++)
		memcpy(huge + 2 * i, "ب", 2);
	if (t == NULL || a == NULL || b == NULL || big == NULL || huge == NULL) {
		tap_ok(false, "allocate");
		goto out;
	}
	big[200] = '\0'; /* 100 letters: ICU transliterates it, the 2-name pool cannot hold it */
	huge[2000] = '\0';
	for (int k = 0; k < 2; k++) {
		struct kh_doc *d = k == 0 ? a : b;
		struct kh_entity *e1 = kh_vec_push(&d->entities), *e2;

		if (e1 == NULL)
			break;
		memset(e1, 0, sizeof(*e1));
		e1->name = big;
		e2 = kh_vec_push(&d->entities);
		if (e2 == NULL)
			break;
		memset(e2, 0, sizeof(*e2));
		e2->name = huge;
	}
	kh_translit_apply(t, a);
	kh_translit_apply(icu, b);
	tap_ok(a->entities.n == 2 && same_results(a, b), "long names as ICU");
	tap_ok(a->entities.n == 2 && a->entities.items[0].translit != NULL &&
		       a->entities.items[1].translit == NULL,
	       "a 100-letter name has one, a 1000-letter name none");
	kh_translit_cache_stats(t, &st);
	tap_is_int(st.entries, 0, "neither is kept");
out:
	free(big);
	free(huge);
	kh_doc_free(a);
	kh_doc_free(b);
	kh_translit_free(t);
}

/* Dates and numbers keep what they have; so does an entity that already has one. */
static void test_skips(void)
{
	struct kh_translit *t = kh_translit_new_sized(8);
	struct kh_doc *d = doc_of(0, 3);

	if (t == NULL || d == NULL) {
		tap_ok(false, "allocate");
	} else {
		d->entities.items[0].type = KH_ENT_DATE;
		d->entities.items[1].type = KH_ENT_CARDINAL;
		d->entities.items[2].translit = "given";
		kh_translit_apply(t, d);
		tap_ok(d->entities.items[0].translit == NULL && d->entities.items[1].translit == NULL,
		       "no transliteration for dates and numbers");
		tap_is_str(d->entities.items[2].translit, "given", "an existing one stays");
	}
	kh_doc_free(d);
	kh_translit_free(t);
}

int main(void)
{
	struct kh_translit *icu = kh_translit_new_sized(0);

	tap_ok(icu != NULL, "open an uncached transliterator");
	if (icu != NULL) {
		test_cache_hits(icu);
		test_cache_full(icu);
		test_long_names(icu);
		test_skips();
	}
	kh_translit_free(icu);
	return tap_done();
}
