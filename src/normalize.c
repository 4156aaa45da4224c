/* SPDX-License-Identifier: MIT */
/* Provisional analysis view: removes Arabic diacritics and tatweel only.
 * The full ICU version replaces this file. */
#include "normalize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "utf8.h"

static int is_dropped(uint32_t cp)
{
	return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640;
}

int kh_norm_apply(struct kh_doc *doc)
{
	uint32_t n = doc->orig_len;
	const unsigned char *s = (const unsigned char *)doc->orig;
	uint32_t o = 0;

	doc->norm = kh_arena_alloc(&doc->arena, (size_t)n + 1);
	doc->norm_ostart = kh_arena_alloc(&doc->arena, ((size_t)n + 1) * sizeof(uint32_t));
	doc->norm_oend = kh_arena_alloc(&doc->arena, ((size_t)n + 1) * sizeof(uint32_t));
	if (doc->norm == NULL || doc->norm_ostart == NULL || doc->norm_oend == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n;) {
		uint32_t cp;
		unsigned k = kh_utf8_decode(s + i, n - i, &cp);

		if (is_dropped(cp) && o > 0) {
			/* a mark belongs to the letter before it */
			for (uint32_t j = o; j > 0 && doc->norm_ostart[j - 1] == doc->norm_ostart[o - 1]; j--)
				doc->norm_oend[j - 1] = i + k;
		} else if (!is_dropped(cp)) {
			for (unsigned j = 0; j < k; j++) {
				doc->norm[o] = (char)s[i + j];
				doc->norm_ostart[o] = i;
				doc->norm_oend[o] = i + k;
				o++;
			}
		}
		i += k;
	}
	doc->norm[o] = '\0';
	doc->norm_ostart[o] = n;
	doc->norm_oend[o] = n;
	doc->norm_len = o;
	return 0;
}

static unsigned fold_cp(uint32_t cp, char *out)
{
	switch (cp) {
	case 0x0623: case 0x0625: case 0x0622: case 0x0671:
		cp = 0x0627;
		break;
	case 0x0649:
		cp = 0x064A;
		break;
	case 0x0629:
		cp = 0x0647;
		break;
	default:
		break;
	}
	return kh_utf8_encode(cp, out);
}

const char *kh_norm_fold(struct kh_arena *a, const char *s, size_t len)
{
	char *out = kh_arena_alloc(a, len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		unsigned k = kh_utf8_decode((const unsigned char *)s + i, len - i, &cp);

		o += fold_cp(cp, out + o);
		i += k;
	}
	out[o] = '\0';
	return out;
}

char *kh_norm_key(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		unsigned k = kh_utf8_decode((const unsigned char *)s + i, len - i, &cp);

		i += k;
		if (is_dropped(cp))
			continue;
		if (cp == ' ' || cp == '\t' || cp == '\n') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		o += fold_cp(cp, out + o);
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}
