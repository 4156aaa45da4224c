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

/* Byte offset of unit offset @p u in @p s (len bytes), or -1 when it falls inside a character. */
static long byte_of(const char *s, size_t len, long long u, enum kh_offset_unit unit)
{
	long long at = 0;
	size_t i = 0;

	if (unit == KH_OFFSET_UTF8)
		return u >= 0 && (size_t)u <= len ? (long)u : -1;
	while (at < u && i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

		at += unit == KH_OFFSET_UTF16 && k == 4 ? 2 : 1;
		i += k;
	}
	return at == u ? (long)i : -1;
}

/* Every object with "start", "end" and "text" under @p v: the text is the slice. */
static unsigned check_spans(json_t *v, const char *s, size_t len, enum kh_offset_unit unit, unsigned *ret_bad)
{
	unsigned n = 0;
	const char *key;
	json_t *item, *st = json_object_get(v, "start"), *en = json_object_get(v, "end");
	json_t *tx = json_object_get(v, "text");
	size_t i;

	if (json_is_integer(st) && json_is_integer(en) && json_is_string(tx)) {
		long b = byte_of(s, len, json_integer_value(st), unit), e = byte_of(s, len, json_integer_value(en), unit);

		n++;
		if (b < 0 || e < b || (size_t)(e - b) != json_string_length(tx) || memcmp(s + b, json_string_value(tx), e - b) != 0)
			(*ret_bad)++;
	}
	if (json_is_object(v))
		json_object_foreach(v, key, item) n += check_spans(item, s, len, unit, ret_bad);
	else if (json_is_array(v))
		json_array_foreach(v, i, item) n += check_spans(item, s, len, unit, ret_bad);
	return n;
}

/* A prefix of 0..23 characters of 1-4 bytes moves the article over every alignment of the
 * writer's 8-byte steps: every span's offsets still slice out its text, in every unit. */
static void test_spans_slice_the_text(struct kh_pipeline *p, struct kh_analyzer *a)
{
	static const char *const chars[] = { "x", "é", "😀", "ق", "\"", "€" };
	const char *body = "قال وزير الخارجية الأردني أيمن الصفدي في عمان يوم الاثنين إن \"الحل\" «قريب». "
			   "وأضاف 😀 أن الجيش قتل 3 مسلحين في غارة على مدينة حلب.";
	char text[1024];
	unsigned spans = 0, bad = 0;

	for (unsigned k = 0; k < 24; k++) {
		size_t n = 0;
		struct kh_request req = { .text = text };
		struct kh_doc *doc = NULL;

		for (unsigned i = 0; i < k; i++) {
			memcpy(text + n, chars[(i * 7 + k) % 6], strlen(chars[(i * 7 + k) % 6]));
			n += strlen(chars[(i * 7 + k) % 6]);
		}
		text[n++] = ' ';
		memcpy(text + n, body, strlen(body));
		n += strlen(body);
		req.text_len = n;
		if (kh_analyze(a, p, &req, &doc, NULL) != KH_OK) {
			bad++;
			continue;
		}
		for (enum kh_offset_unit u = KH_OFFSET_CODEPOINT; u <= KH_OFFSET_UTF8; u++) {
			size_t len;
			char *out = kh_doc_to_json(doc, u, &len);
			json_t *root = out != NULL ? json_loads(out, 0, NULL) : NULL;
			json_t *length = json_object_get(root, "length");

			if (root == NULL || byte_of(text, n, json_integer_value(length), u) != (long)n)
				bad++;
			spans += check_spans(root, text, n, u, &bad);
			json_decref(root);
			free(out);
		}
		kh_doc_free(doc);
	}
	tap_ok(spans > 24 * 3 * 5, "spans checked: %u", spans);
	tap_is_int(bad, 0, "every span's offsets slice out its text, every unit and alignment");
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
		test_spans_slice_the_text(p, a);
		test_errors(p, a);
	}
	kh_analyzer_free(a);
	kh_pipeline_unref(p);
	return tap_done();
}
