/* SPDX-License-Identifier: MIT */
#include "http_media.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* true when every charset= parameter in @p params names UTF-8 */
static bool charset_utf8(const char *params)
{
	const char *p = params;

	while (p != NULL && *p != '\0') {
		p = skip_space(p + (*p == ';' ? 1 : 0));
		if (strncasecmp(p, "charset=", 8) == 0) {
			const char *v = p + 8;
			size_t n;

			if (*v == '"')
				v++;
			n = strcspn(v, "\"; \t");
			if (!((n == 5 && strncasecmp(v, "utf-8", 5) == 0) || (n == 4 && strncasecmp(v, "utf8", 4) == 0)))
				return false;
		}
		p = strchr(p, ';');
	}
	return true;
}

enum kh_media kh_media_parse(const char *ct)
{
	static const struct {
		const char *type;
		enum kh_media media;
	} types[] = {
		{ "application/json", KH_MEDIA_JSON },       { "text/plain", KH_MEDIA_TEXT },
		{ "application/x-ndjson", KH_MEDIA_NDJSON }, { "application/ndjson", KH_MEDIA_NDJSON },
		{ "application/jsonl", KH_MEDIA_NDJSON },    { "application/x-jsonlines", KH_MEDIA_NDJSON },
	};
	size_t n;

	if (ct == NULL)
		return KH_MEDIA_NONE;
	ct = skip_space(ct);
	n = strcspn(ct, "; \t");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0)
			return charset_utf8(ct + n) ? types[i].media : KH_MEDIA_OTHER;
	}
	return KH_MEDIA_OTHER;
}
