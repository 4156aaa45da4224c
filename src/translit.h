/* SPDX-License-Identifier: MIT */
/**
 * @file translit.h
 * Latin transliteration of entity names (ICU "Any-Latin; Latin-ASCII").  A
 * transliterator holds state, so each analyzer (thread) has its own clone.
 */
#ifndef KHABAR_TRANSLIT_H
#define KHABAR_TRANSLIT_H

struct kh_doc;
struct kh_translit;

/** Open a transliterator. @return NULL on ICU failure or OOM */
struct kh_translit *kh_translit_new(void);

/** Close it. Accepts NULL. @return NULL */
struct kh_translit *kh_translit_free(struct kh_translit *t);

/**
 * Set entity->translit for every entity of @p doc that has none.
 * @return 0, or -ENOMEM
 */
int kh_translit_apply(struct kh_translit *t, struct kh_doc *doc);

#endif
