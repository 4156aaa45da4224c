/* SPDX-License-Identifier: MIT */
/* The pipeline: shared resources (kh_pipeline), per-thread state (kh_analyzer)
 * and kh_analyze(), which runs the stages in order over one document. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib.h"
#include "dates.h"
#include "doc.h"
#include "entities.h"
#include "events.h"
#include "khabar/khabar.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"
#include "translit.h"
#include "utf8.h"

struct kh_pipeline {
	atomic_int refs;
	struct kh_lexicon *known; /* words and names that tell clitics from letters */
	struct kh_ent_res *ent;
	struct kh_attr_res *attr;
	struct kh_event_res *event;
};

struct kh_analyzer {
	struct kh_segmenter *seg;
	struct kh_translit *translit;
};

static void pipeline_free(struct kh_pipeline *p)
{
	kh_event_res_free(p->event);
	kh_attr_res_free(p->attr);
	kh_ent_res_free(p->ent);
	kh_lex_free(p->known);
	free(p);
}

struct kh_pipeline *kh_pipeline_new(const struct kh_pipeline_options *opts, char **ret_err)
{
	struct kh_pipeline *p = calloc(1, sizeof(*p));
	char path[4096];
	char *err = NULL;
	int r;

	if (p == NULL)
		goto oom;
	atomic_init(&p->refs, 1);
	p->known = kh_lex_new();
	if (p->known == NULL)
		goto oom;
	snprintf(path, sizeof(path), "%s/words.txt", opts->data_dir);
	r = kh_lex_load(p->known, path, 0, 0, &err);
	if (r < 0 && r != -ENOENT)
		goto fail;
	free(err);
	err = NULL;
	if (kh_ent_res_load(opts->data_dir, opts->extra_lexicons, p->known, &p->ent, &err) < 0 ||
	    kh_attr_res_load(opts->data_dir, opts->extra_lexicons, p->known, &p->attr, &err) < 0 ||
	    kh_event_res_load(opts->data_dir, opts->extra_lexicons, p->known, &p->event, &err) < 0)
		goto fail;
	return p;
oom:
	err = strdup("out of memory");
fail:
	if (p != NULL)
		pipeline_free(p);
	if (ret_err != NULL)
		*ret_err = err;
	else
		free(err);
	return NULL;
}

struct kh_pipeline *kh_pipeline_ref(struct kh_pipeline *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

struct kh_pipeline *kh_pipeline_unref(struct kh_pipeline *p)
{
	if (p != NULL && atomic_fetch_sub(&p->refs, 1) == 1)
		pipeline_free(p);
	return NULL;
}

size_t kh_pipeline_lexicon_size(const struct kh_pipeline *p, const char *name)
{
	if (strcmp(name, "words") == 0)
		return kh_lex_count(p->known);
	return kh_ent_res_count(p->ent, name) + kh_attr_res_count(p->attr, name) +
	       kh_event_res_count(p->event, name);
}

struct kh_analyzer *kh_analyzer_new(void)
{
	struct kh_analyzer *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->seg = kh_seg_new();
	a->translit = kh_translit_new();
	if (a->seg == NULL || a->translit == NULL)
		return kh_analyzer_free(a);
	return a;
}

struct kh_analyzer *kh_analyzer_free(struct kh_analyzer *a)
{
	if (a == NULL)
		return NULL;
	kh_seg_free(a->seg);
	kh_translit_free(a->translit);
	free(a);
	return NULL;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_published(struct kh_doc *doc, const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-' || y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return KH_E_BAD_DATE;
	doc->pub_year = y;
	doc->pub_month = m;
	doc->pub_day = d;
	return KH_OK;
}

/* Refuse what no stage should see; fills doc->orig. */
static int admit_text(struct kh_doc *doc, const struct kh_request *req, size_t *ret_bad_offset)
{
	size_t bad = 0;
	const char *nul;
	size_t i;

	if (req->text_len > UINT32_MAX / 4)
		return KH_E_TOO_LARGE;
	if (!kh_utf8_valid(req->text, req->text_len, &bad)) {
		if (ret_bad_offset != NULL)
			*ret_bad_offset = bad;
		return KH_E_INVALID_UTF8;
	}
	nul = memchr(req->text, '\0', req->text_len);
	if (nul != NULL) {
		if (ret_bad_offset != NULL)
			*ret_bad_offset = (size_t)(nul - req->text);
		return KH_E_NUL_BYTE;
	}
	for (i = 0; i < req->text_len; i++)
		if (strchr(" \t\r\n\v\f", req->text[i]) == NULL)
			break;
	if (i == req->text_len)
		return KH_E_EMPTY_TEXT;
	doc->orig = kh_arena_strndup(&doc->arena, req->text, req->text_len);
	if (doc->orig == NULL)
		return -ENOMEM;
	doc->orig_len = (uint32_t)req->text_len;
	return KH_OK;
}

static int fill_request(struct kh_doc *doc, const struct kh_request *req, size_t *ret_bad_offset)
{
	int r;

	if (req->lang != NULL && strcmp(req->lang, "ar") != 0)
		return KH_E_UNSUPPORTED_LANG;
	doc->lang = "ar";
	if (req->published != NULL) {
		r = parse_published(doc, req->published);
		if (r != KH_OK)
			return r;
	}
	if (req->id != NULL) {
		doc->id = kh_arena_strndup(&doc->arena, req->id, strlen(req->id));
		if (doc->id == NULL)
			return -ENOMEM;
	}
	return admit_text(doc, req, ret_bad_offset);
}

static int run_stage(struct kh_analyzer *a, struct kh_pipeline *p, struct kh_doc *doc,
		     enum kh_stage stage)
{
	switch (stage) {
	case KH_STAGE_NORMALIZE:
		return kh_norm_apply(doc);
	case KH_STAGE_SEGMENT:
		return kh_seg_apply(a->seg, p->known, doc);
	case KH_STAGE_ENTITIES: {
		int r = kh_ent_apply(p->ent, doc);

		return r < 0 ? r : kh_translit_apply(a->translit, doc);
	}
	case KH_STAGE_DATES:
		return kh_date_apply(doc);
	case KH_STAGE_ATTRIBUTIONS:
		return kh_attr_apply(p->attr, doc);
	case KH_STAGE_EVENTS:
		return kh_event_apply(p->event, doc);
	default:
		return 0;
	}
}

int kh_analyze(struct kh_analyzer *a, struct kh_pipeline *p, const struct kh_request *req,
	       struct kh_doc **ret_doc, size_t *ret_bad_offset)
{
	struct kh_doc *doc = kh_doc_new();
	double t0;
	int r;

	if (doc == NULL)
		return -ENOMEM;
	r = fill_request(doc, req, ret_bad_offset);
	if (r != KH_OK)
		goto fail;
	t0 = now_seconds();
	/* One clock read per stage boundary: a stage's end is the next one's start. */
	for (int s = 0; s < KH_STAGE__MAX; s++) {
		double t1;

		if (req->cancel != NULL && *req->cancel != 0) {
			r = KH_E_CANCELLED;
			goto fail;
		}
		r = run_stage(a, p, doc, (enum kh_stage)s);
		if (r < 0)
			goto fail;
		t1 = now_seconds();
		doc->stage_seconds[s] = t1 - t0;
		t0 = t1;
	}
	*ret_doc = doc;
	return KH_OK;
fail:
	kh_doc_free(doc);
	return r;
}

const char *kh_status_name(int status)
{
	switch (status) {
	case KH_OK:
		return "ok";
	case KH_E_INVALID_UTF8:
		return "invalid_utf8";
	case KH_E_EMPTY_TEXT:
		return "empty_text";
	case KH_E_TOO_LARGE:
		return "payload_too_large";
	case KH_E_BAD_DATE:
		return "invalid_published";
	case KH_E_UNSUPPORTED_LANG:
		return "unsupported_language";
	case KH_E_NUL_BYTE:
		return "nul_byte";
	case KH_E_CANCELLED:
		return "cancelled";
	case -ENOMEM:
		return "out_of_memory";
	default:
		return "internal_error";
	}
}
