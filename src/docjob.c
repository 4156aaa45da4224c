/* SPDX-License-Identifier: MIT */
#include "docjob.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "metrics.h"
#include "server.h"

static void docjob_run(struct kh_job *base, struct kh_worker *w)
{
	struct kh_docjob *j = (struct kh_docjob *)base;
	struct kh_pipeline *p = kh_server_pipeline(j->srv, NULL, NULL);
	struct kh_request req = {
		.text = j->text,
		.text_len = j->text_len,
		.id = j->id,
		.published = j->published,
		.lang = j->lang,
		.cancel = &base->cancel,
	};
	struct kh_doc *doc = NULL;

	j->status = kh_analyze(kh_worker_analyzer(w), p, &req, &doc, &j->bad_offset);
	if (j->status == KH_OK) {
		kh_metrics_stages(kh_server_metrics(j->srv), doc->stage_seconds);
		kh_metrics_doc_memory(kh_server_metrics(j->srv), kh_doc_memory(doc));
		j->json = kh_doc_to_json(doc, j->unit, &j->json_len);
		if (j->json == NULL)
			j->status = -ENOMEM;
	}
	kh_doc_free(doc);
	kh_pipeline_unref(p);
}

static void docjob_finish(struct kh_job *base)
{
	struct kh_docjob *j = (struct kh_docjob *)base;

	j->on_finish(j);
}

static void docjob_free(struct kh_job *base)
{
	struct kh_docjob *j = (struct kh_docjob *)base;

	json_decref(j->root);
	free(j->text_buf);
	free(j->json);
	free(j);
}

static const struct kh_job_ops docjob_ops = {
	.run = docjob_run,
	.finish = docjob_finish,
	.free = docjob_free,
};

struct kh_docjob *kh_docjob_new(struct kh_server *srv, kh_docjob_finish on_finish, void *owner)
{
	struct kh_docjob *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	kh_job_init(&j->base, &docjob_ops);
	j->srv = srv;
	j->on_finish = on_finish;
	j->owner = owner;
	j->unit = KH_OFFSET_CODEPOINT;
	return j;
}

bool kh_json_depth_ok(const char *body, size_t len, unsigned max_depth)
{
	unsigned depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = body[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return false;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* Every string (and key) under @p v except the top-level "text" is at most max bytes. */
static bool strings_ok(json_t *v, size_t max, bool top, const char **ret_key)
{
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) <= max;
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
			if (!strings_ok(item, max, false, ret_key))
				return false;
		return true;
	case JSON_OBJECT:
		json_object_foreach(v, key, item) {
			if (top && strcmp(key, "text") == 0)
				continue;
			if (strlen(key) > max || !strings_ok(item, max, false, ret_key)) {
				*ret_key = key;
				return false;
			}
		}
		return true;
	default:
		return true;
	}
}

/* An optional string member; NUL bytes are not allowed in it. */
static bool opt_string(json_t *root, const char *key, const char **ret)
{
	json_t *v = json_object_get(root, key);

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return false;
	*ret = json_string_value(v);
	return true;
}

enum kh_err kh_docjob_set_json(struct kh_docjob *j, json_t *root, size_t max_string, char *detail,
			       size_t detail_len)
{
	const char *key = NULL;
	json_t *text, *id;

	json_decref(j->root);
	j->root = root;
	if (!json_is_object(root))
		return KH_ERR_NOT_OBJECT;
	if (!strings_ok(root, max_string, true, &key)) {
		snprintf(detail, detail_len, "a string under \"%.64s\" is longer than %zu bytes",
			 key != NULL ? key : "?", max_string);
		return KH_ERR_STRING_TOO_LONG;
	}
	id = json_object_get(root, "id");
	if (json_is_integer(id)) {
		snprintf(j->id_buf, sizeof(j->id_buf), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
		j->id = j->id_buf;
	} else if (!opt_string(root, "id", &j->id)) {
		snprintf(detail, detail_len, "\"id\" must be a string or an integer");
		return KH_ERR_BAD_FIELD;
	}
	if (!opt_string(root, "published", &j->published)) {
		snprintf(detail, detail_len, "\"published\" must be a string YYYY-MM-DD");
		return KH_ERR_BAD_FIELD;
	}
	if (!opt_string(root, "lang", &j->lang)) {
		snprintf(detail, detail_len, "\"lang\" must be a string");
		return KH_ERR_BAD_FIELD;
	}
	text = json_object_get(root, "text");
	if (text == NULL)
		return KH_ERR_MISSING_TEXT;
	if (!json_is_string(text))
		return KH_ERR_TEXT_NOT_STRING;
	j->text = json_string_value(text);
	j->text_len = json_string_length(text);
	return KH_ERR__MAX;
}

enum kh_err kh_docjob_parse_json(struct kh_docjob *j, const char *body, size_t len, unsigned max_depth,
				 size_t max_string, char *detail, size_t detail_len)
{
	json_error_t err;
	json_t *root;

	if (!kh_json_depth_ok(body, len, max_depth)) {
		snprintf(detail, detail_len, "the JSON body nests deeper than %u levels", max_depth);
		return KH_ERR_JSON_TOO_DEEP;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (root == NULL) {
		if (json_error_code(&err) == json_error_invalid_utf8) {
			snprintf(detail, detail_len, "the body is not valid UTF-8 (byte offset %d)", err.position);
			return KH_ERR_INVALID_UTF8;
		}
		if (json_error_code(&err) == json_error_out_of_memory)
			return KH_ERR_OUT_OF_MEMORY;
		snprintf(detail, detail_len, "malformed JSON at line %d, column %d (byte offset %d): %s", err.line,
			 err.column, err.position, err.text);
		return KH_ERR_BAD_JSON;
	}
	return kh_docjob_set_json(j, root, max_string, detail, detail_len);
}

enum kh_err kh_docjob_error(const struct kh_docjob *j, char *detail, size_t detail_len)
{
	switch (j->status) {
	case KH_E_INVALID_UTF8:
		snprintf(detail, detail_len, "the text is not valid UTF-8 (byte offset %zu)", j->bad_offset);
		return KH_ERR_INVALID_UTF8;
	case KH_E_NUL_BYTE:
		snprintf(detail, detail_len, "the text holds a NUL character (byte offset %zu)", j->bad_offset);
		return KH_ERR_NUL_BYTE;
	case KH_E_EMPTY_TEXT:
		return KH_ERR_EMPTY_TEXT;
	case KH_E_TOO_LARGE:
		return KH_ERR_TEXT_TOO_LARGE;
	case KH_E_BAD_DATE:
		return KH_ERR_BAD_DATE;
	case KH_E_UNSUPPORTED_LANG:
		snprintf(detail, detail_len, "language \"%.32s\" is not supported; only \"ar\" is",
			 j->lang != NULL ? j->lang : "");
		return KH_ERR_UNSUPPORTED_LANG;
	case KH_E_CANCELLED:
		return KH_ERR_DEADLINE;
	case -ENOMEM:
		return KH_ERR_OUT_OF_MEMORY;
	default:
		return KH_ERR_INTERNAL;
	}
}
