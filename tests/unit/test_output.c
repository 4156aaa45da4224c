/* SPDX-License-Identifier: MIT */
/* The JSON writer: offsets in each unit point into the text as sent. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "khabar/khabar.h"
#include "tap.h"

static struct kh_pipeline *open_pipeline(void)
{
	const char *dir = getenv("KHABAR_DATA_DIR");
	struct kh_pipeline_options o = { .data_dir = dir != NULL ? dir : KH_SOURCE_DATA_DIR };
	char *err = NULL;
	struct kh_pipeline *p = kh_pipeline_new(&o, &err);

	if (p == NULL)
		printf("# pipeline: %s\n", err ? err : "?");
	free(err);
	return p;
}

/* Offset of the sentence that contains "ب" in each unit, checked by slicing. */
static void test_units(struct kh_pipeline *p, struct kh_analyzer *a)
{
	/* 😀 is 1 code point, 2 UTF-16 units, 4 bytes; é is 1, 1, 2 */
	const char *text = "😀é قال.\nب😀 ج.";
	struct kh_request req = { .text = text, .text_len = strlen(text) };
	struct kh_doc *doc = NULL;
	static const struct {
		enum kh_offset_unit unit;
		long long start, end;
	} want[] = {
		{ KH_OFFSET_CODEPOINT, 8, 13 },
		{ KH_OFFSET_UTF16, 9, 15 },
		{ KH_OFFSET_UTF8, 15, 25 },
	};

	tap_is_int(kh_analyze(a, p, &req, &doc, NULL), KH_OK, "analyze mixed-plane text");
	for (size_t i = 0; doc != NULL && i < 3; i++) {
		size_t len;
		char *s = kh_doc_to_json(doc, want[i].unit, &len);
		json_t *root = json_loads(s, 0, NULL);
		json_t *sent = json_array_get(json_object_get(root, "sentences"), 1);

		tap_is_int(json_integer_value(json_object_get(sent, "start")), want[i].start,
			   "second sentence start, unit %d", want[i].unit);
		tap_is_int(json_integer_value(json_object_get(sent, "end")), want[i].end,
			   "second sentence end, unit %d", want[i].unit);
		json_decref(root);
		free(s);
	}
	kh_doc_free(doc);
}

static void test_errors(struct kh_pipeline *p, struct kh_analyzer *a)
{
	struct kh_doc *doc = NULL;
	size_t bad = 99;
	struct kh_request req = { .text = "ab\xff", .text_len = 3 };

	tap_is_int(kh_analyze(a, p, &req, &doc, &bad), KH_E_INVALID_UTF8, "invalid UTF-8 refused");
	tap_is_int((long long)bad, 2, "bad byte offset reported");
	req.text = "a\0b";
	tap_is_int(kh_analyze(a, p, &req, &doc, &bad), KH_E_NUL_BYTE, "NUL byte refused");
	tap_is_int((long long)bad, 1, "NUL offset reported");
	req.text = " \n\t ";
	req.text_len = 4;
	tap_is_int(kh_analyze(a, p, &req, &doc, &bad), KH_E_EMPTY_TEXT, "blank text refused");
	req.text = "نص";
	req.text_len = strlen(req.text);
	req.lang = "en";
	tap_is_int(kh_analyze(a, p, &req, &doc, &bad), KH_E_UNSUPPORTED_LANG, "lang en refused");
	req.lang = NULL;
	req.published = "2017-13-01";
	tap_is_int(kh_analyze(a, p, &req, &doc, &bad), KH_E_BAD_DATE, "bad published date refused");
	tap_ok(doc == NULL, "no document on failure");
}

int main(void)
{
	struct kh_pipeline *p = open_pipeline();
	struct kh_analyzer *a = kh_analyzer_new();

	tap_ok(p != NULL && a != NULL, "pipeline and analyzer open");
	if (p != NULL && a != NULL) {
		test_units(p, a);
		test_errors(p, a);
	}
	kh_analyzer_free(a);
	kh_pipeline_unref(p);
	return tap_done();
}
