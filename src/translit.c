/* SPDX-License-Identifier: MIT */
#include "translit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "doc.h"

#define TRANSLIT_MAX_NAME 256 /* UTF-16 units; longer names are not transliterated */

struct kh_translit {
	UTransliterator *tr;
};

struct kh_translit *kh_translit_new(void)
{
	static const UChar id[] = u"Any-Latin; Latin-ASCII";
	UErrorCode st = U_ZERO_ERROR;
	struct kh_translit *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st))
		return kh_translit_free(t);
	return t;
}

struct kh_translit *kh_translit_free(struct kh_translit *t)
{
	if (t == NULL)
		return NULL;
	if (t->tr != NULL)
		utrans_close(t->tr);
	free(t);
	return NULL;
}

/* Transliterate one UTF-8 name into an arena string; NULL when it can't. */
static const char *transliterate(struct kh_translit *t, struct kh_arena *a, const char *name)
{
	UChar buf[TRANSLIT_MAX_NAME * 4];
	char out[sizeof(buf) * 2];
	int32_t len = 0, limit, out_len = 0;
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(buf, TRANSLIT_MAX_NAME, &len, name, -1, &st);
	if (U_FAILURE(st) || len >= TRANSLIT_MAX_NAME)
		return NULL;
	limit = len;
	utrans_transUChars(t->tr, buf, &len, (int32_t)(sizeof(buf) / sizeof(buf[0])), 0, &limit, &st);
	if (U_FAILURE(st))
		return NULL;
	u_strToUTF8(out, (int32_t)sizeof(out), &out_len, buf, len, &st);
	if (U_FAILURE(st) || out_len >= (int32_t)sizeof(out))
		return NULL;
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
