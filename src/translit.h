/* SPDX-License-Identifier: MIT */
/**
 * @file translit.h
 * Latin transliteration of entity names (ICU "Any-Latin; Latin-ASCII").  A
 * transliterator holds state, so each analyzer (thread) has its own clone.
 *
 * Each one also remembers the names it has transliterated (a bounded cache, emptied when
 * full): ICU's answer depends on the name alone, and names recur across articles.  The
 * environment variable KHABAR_TRANSLIT_CACHE sets how many names (default 2048, 0 turns
 * the cache off, e.g. to benchmark with every name a miss).
 */
#ifndef KHABAR_TRANSLIT_H
#define KHABAR_TRANSLIT_H

struct kh_doc;
struct kh_translit;

/** Open a transliterator (cache size from KHABAR_TRANSLIT_CACHE). @return NULL on ICU failure or OOM */
struct kh_translit *kh_translit_new(void);

/** Close it. Accepts NULL. @return NULL */
struct kh_translit *kh_translit_free(struct kh_translit *t);

/**
 * Set entity->translit for every entity of @p doc that has none.
 * @return 0, or -ENOMEM
 */
int kh_translit_apply(struct kh_translit *t, struct kh_doc *doc);

#endif
