/* SPDX-License-Identifier: MIT */
/* The request parser on arbitrary bytes: input = Content-Type line, offsets= line,
 * then the body.  Media type, offset unit, JSON depth check and the request
 * object's fields (text, id, published, lang) must be classified without a crash
 * or a leak, and an accepted request must carry a text inside the body. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "docjob.h"
#include "fuzz.h"
#include "http_media.h"

#define FUZZ_MAX_DEPTH 32
#define FUZZ_MAX_STRING (1u << 20)

/* Split off the next line of [*p, end) into a NUL-terminated copy in buf. */
static void take_line(const char **p, const char *end, char *buf, size_t cap)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl != NULL ? nl : end) - *p);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char ctype[256], query[64], detail[256];
	enum kh_offset_unit unit;
	struct kh_docjob *j;
	enum kh_media media;

	take_line(&p, end, ctype, sizeof(ctype));
	take_line(&p, end, query, sizeof(query));
	media = kh_media_parse(ctype);
	FUZZ_ASSERT(media >= KH_MEDIA_NONE && media <= KH_MEDIA_OTHER);
	if (kh_offset_unit_parse(query, &unit) == 0)
		FUZZ_ASSERT(unit <= KH_OFFSET_UTF8);
	if (media != KH_MEDIA_JSON)
		return 0;
	j = kh_docjob_new(NULL, NULL, NULL);
	FUZZ_ASSERT(j != NULL);
	if (kh_json_depth_ok(p, (size_t)(end - p), FUZZ_MAX_DEPTH) &&
	    kh_docjob_parse_json(j, p, (size_t)(end - p), FUZZ_MAX_DEPTH, FUZZ_MAX_STRING, detail,
				 sizeof(detail)) == KH_ERR__MAX) {
		FUZZ_ASSERT(j->text != NULL);
		FUZZ_ASSERT(j->text_len <= (size_t)(end - p) * 6);
	}
	kh_job_unref(&j->base);
	return 0;
}
