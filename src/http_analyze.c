/* SPDX-License-Identifier: MIT */
/* POST /v1/analyze: a JSON object or a text/plain body → one analysed document.
 *
 * First call (headers): kh_http_analyze_check() refuses a wrong media type (415)
 * or offsets= value (400) before the body is read.  Body complete: parse, reserve a
 * queue place, suspend the connection, THEN push the job (a worker may resume at
 * once) — or, for a short text and a free analysis slot, run it right here.
 * Resumed: answer from the job's result, 504 past the deadline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docjob.h"
#include "http.h"
#include "http_analyze.h"
#include "http_media.h"
#include "log.h"
#include "server.h"

struct analyze_ctx {
	struct kh_http_body_opts opts; /* first: filled by kh_http_body_check() */
	struct kh_docjob *job;         /* set once queued */
};

static void analyze_ctx_free(void *p)
{
	struct analyze_ctx *a = p;

	if (a == NULL)
		return;
	if (a->job != NULL)
		kh_job_unref(&a->job->base);
	free(a);
}

/* The unit of offsets= (codepoint by default); -EINVAL for an unknown one. */
static int offsets_param(struct kh_http_req *r, enum kh_offset_unit *ret_unit)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "offsets");

	*ret_unit = KH_OFFSET_CODEPOINT;
	if (v == NULL)
		return 0;
	return kh_offset_unit_parse(v, ret_unit);
}

enum kh_err kh_http_body_check(struct kh_http_req *r, size_t ctx_size, void (*ctx_free)(void *),
			       unsigned accept)
{
	struct kh_http_body_opts *o = calloc(1, ctx_size);
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (o == NULL)
		return KH_ERR_OUT_OF_MEMORY;
	r->hctx = o;
	r->hctx_free = ctx_free;
	o->media = kh_media_parse(ct);
	if ((accept & (1u << o->media)) == 0)
		return KH_ERR_MEDIA_TYPE;
	if (offsets_param(r, &o->unit) < 0)
		return KH_ERR_BAD_QUERY;
	return KH_ERR__MAX;
}

enum kh_err kh_http_analyze_check(struct kh_http_req *r)
{
	return kh_http_body_check(r, sizeof(struct analyze_ctx), analyze_ctx_free,
				  1u << KH_MEDIA_JSON | 1u << KH_MEDIA_TEXT);
}

static void resume_connection(struct kh_docjob *j)
{
	MHD_resume_connection(j->owner); /* the last touch of this request from another thread */
}

static void answered_here(struct kh_docjob *j)
{
	(void)j; /* the polling thread that ran the job answers once kh_jobq_run_here returns */
}

/* A small article is analysed on the polling thread that read it when a slot is free:
 * most requests then skip the hand-off to a worker and back (suspend, queue, wake-up,
 * resume), which costs about as much as analysing a short article.  A long one goes to
 * the workers so that it does not hold up the other connections of this thread. */
static bool run_here(struct kh_http_req *r, struct kh_docjob *j)
{
	const struct kh_config *cfg = kh_server_config(r->srv);

	if (j->text_len > cfg->inline_max)
		return false;
	j->on_finish = answered_here;
	if (kh_jobq_run_here(kh_server_jobq(r->srv), &j->base, cfg->deadline_ms) == 0)
		return true;
	j->on_finish = resume_connection;
	return false;
}

/* Reserve, suspend, push. Used by every handler that queues a document job. */
enum MHD_Result kh_http_enqueue(struct kh_http_req *r, struct kh_docjob *j)
{
	int rc = kh_jobq_reserve(kh_server_jobq(r->srv));

	if (rc == -EAGAIN)
		return kh_http_reply_error(r, KH_ERR_OVERLOADED, NULL);
	if (rc < 0)
		return kh_http_reply_error(r, KH_ERR_SHUTTING_DOWN, NULL);
	MHD_suspend_connection(r->conn);
	kh_jobq_push(kh_server_jobq(r->srv), &j->base, kh_server_config(r->srv)->deadline_ms);
	return MHD_YES;
}

static enum MHD_Result answer(struct kh_http_req *r, struct kh_docjob *j)
{
	char detail[256] = "";
	enum kh_err e;
	char *json;

	if (kh_job_get_state(&j->base) == KH_JOB_EXPIRED) {
		if (kh_job_shut_down(&j->base))
			return kh_http_reply_error(r, KH_ERR_SHUTTING_DOWN, NULL);
		return kh_http_reply_error(r, KH_ERR_DEADLINE, "the analysis took longer than %u ms",
					   kh_server_config(r->srv)->deadline_ms);
	}
	if (j->status == KH_OK) {
		json = j->json;
		j->json = NULL;
		return kh_http_reply_steal(r, MHD_HTTP_OK, "application/json", json, j->json_len, NULL, NULL);
	}
	e = kh_docjob_error(j, detail, sizeof(detail));
	if (e == KH_ERR_INTERNAL)
		kh_log(KH_LOG_ERROR, r->request_id, "analysis failed: %s (%d)", kh_status_name(j->status), j->status);
	return kh_http_reply_error(r, e, detail[0] != '\0' ? "%s" : NULL, detail);
}

enum MHD_Result kh_http_analyze(struct kh_http_req *r)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	struct analyze_ctx *a = r->hctx;
	struct kh_docjob *j;
	char detail[256] = "";
	enum kh_err e = KH_ERR__MAX;

	if (a->job != NULL)
		return answer(r, a->job);
	j = kh_docjob_new(r->srv, resume_connection, r->conn);
	if (j == NULL)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	j->unit = a->opts.unit;
	if (a->opts.media == KH_MEDIA_JSON) {
		e = kh_docjob_parse_json(j, r->body != NULL ? r->body : "", r->body_len, cfg->json_max_depth,
					 cfg->json_max_string, detail, sizeof(detail));
	} else {
		j->text_buf = r->body; /* the job takes the body */
		j->text = r->body != NULL ? r->body : "";
		j->text_len = r->body_len;
		r->body = NULL;
	}
	if (e != KH_ERR__MAX) {
		kh_job_unref(&j->base);
		return kh_http_reply_error(r, e, detail[0] != '\0' ? "%s" : NULL, detail);
	}
	a->job = j;
	if (run_here(r, j))
		return answer(r, j);
	return kh_http_enqueue(r, j);
}
