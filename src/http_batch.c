/* SPDX-License-Identifier: MIT */
/* POST /v1/analyze/batch: NDJSON in (one request object per line), NDJSON out, one
 * result or error line per input line, in input order, streamed as results arrive.
 *
 * The documents go through the same worker pool as /v1/analyze.  A batch is admitted
 * with one queue reservation (503 when the queue is full) and then keeps at most
 * `workers` documents outstanding, feeding the next one as each finishes, so it
 * cannot flood the queue.  The response is a content-reader stream: when the next
 * line is not ready the reader suspends the connection, and the job that makes it
 * ready resumes it (the resume is decided under the batch lock, after the suspend). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "docjob.h"
#include "http.h"
#include "http_analyze.h"
#include "http_media.h"
#include "log.h"
#include "server.h"

#define KH_BATCH_BLOCK (64u * 1024u) /* response chunk size */

struct batch_line {
	const char *start; /* into the body */
	size_t len;
	size_t lineno;     /* 1-based line number in the body, blank lines counted */
	char *out;         /* the finished output line (malloc'd), NULL until ready */
	size_t out_len;
};

struct batch {
	atomic_int refs;
	pthread_mutex_t lock;
	struct kh_server *srv;
	struct kh_http_req *req;       /* valid until `closed` */
	struct MHD_Connection *conn;   /* valid until `closed` */
	enum kh_offset_unit unit;
	char *body;                    /* owned */
	size_t body_len;
	struct batch_line *lines;
	size_t n_lines;
	size_t next_submit;            /* next line to hand to the queue */
	size_t next_emit;              /* next line to write out */
	size_t emit_off;               /* bytes of lines[next_emit].out already written */
	unsigned outstanding, window;
	bool suspended;                /* the reader suspended the connection */
	bool closed;                   /* the request is over: never touch conn/req again */
	bool shut;                     /* the queue refused: the rest are shutting_down */
};

struct batch_ctx {
	struct kh_http_body_opts opts; /* first: filled by kh_http_body_check() */
	struct batch *batch;
};

static struct batch *batch_ref(struct batch *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

static void batch_unref(struct batch *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	for (size_t i = 0; i < b->n_lines; i++)
		free(b->lines[i].out);
	free(b->lines);
	free(b->body);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void batch_ctx_free(void *p)
{
	struct batch_ctx *c = p;

	if (c == NULL)
		return;
	if (c->batch != NULL) {
		pthread_mutex_lock(&c->batch->lock);
		c->batch->closed = true;
		c->batch->req = NULL;
		c->batch->conn = NULL;
		pthread_mutex_unlock(&c->batch->lock);
		batch_unref(c->batch);
	}
	free(c);
}

enum kh_err kh_http_batch_check(struct kh_http_req *r)
{
	return kh_http_body_check(r, sizeof(struct batch_ctx), batch_ctx_free, 1u << KH_MEDIA_NDJSON);
}

/* ---- output lines ------------------------------------------------------------------------- */

static char *error_line(size_t lineno, const char *id, enum kh_err e, const char *detail, size_t *ret_len)
{
	const struct kh_err_info *info = kh_err_get(e);
	struct kh_buf b = { 0 };

	kh_buf_printf(&b, "{\"line\":%zu", lineno);
	kh_buf_json_str(&b, "id", id);
	kh_buf_puts(&b, ",\"error\":{");
	kh_buf_json_str(&b, "code", info->code);
	kh_buf_json_str(&b, "message", detail != NULL && detail[0] != '\0' ? detail : info->message);
	kh_buf_json_num(&b, "status", info->status);
	kh_buf_puts(&b, "}}\n");
	return kh_buf_steal(&b, ret_len);
}

/* The document JSON with "line" put first: {"line":N,...}\n */
static char *result_line(size_t lineno, const char *json, size_t len, size_t *ret_len)
{
	struct kh_buf b = { 0 };

	kh_buf_printf(&b, "{\"line\":%zu,", lineno);
	kh_buf_add(&b, json + 1, len - 1);
	kh_buf_add(&b, "\n", 1);
	return kh_buf_steal(&b, ret_len);
}

/* Under the lock. A line whose output cannot even be allocated gets a fixed one. */
static void set_line(struct batch *b, size_t i, char *out, size_t len)
{
	static const char oom[] = "{\"error\":{\"code\":\"out_of_memory\",\"status\":503}}\n";

	if (out == NULL) {
		out = strdup(oom);
		len = sizeof(oom) - 1;
	}
	b->lines[i].out = out;
	b->lines[i].out_len = out != NULL ? len : 0;
}

static void finish_job_line(struct batch *b, struct kh_docjob *j, char **ret_out, size_t *ret_len)
{
	char detail[256] = "";
	enum kh_err e;

	if (kh_job_get_state(&j->base) == KH_JOB_EXPIRED) {
		e = kh_job_shut_down(&j->base) ? KH_ERR_SHUTTING_DOWN : KH_ERR_DEADLINE;
		*ret_out = error_line(b->lines[j->index].lineno, j->id, e, NULL, ret_len);
	} else if (j->status == KH_OK) {
		*ret_out = result_line(b->lines[j->index].lineno, j->json, j->json_len, ret_len);
	} else {
		e = kh_docjob_error(j, detail, sizeof(detail));
		*ret_out = error_line(b->lines[j->index].lineno, j->id, e, detail, ret_len);
	}
}

/* ---- feeding the queue -------------------------------------------------------------------- */

static void item_finish(struct kh_docjob *j);

/* Parse line i into a job, or produce its error line. Called without the lock. */
static struct kh_docjob *prepare(struct batch *b, size_t i, char **ret_err, size_t *ret_len)
{
	const struct kh_config *cfg = kh_server_config(b->srv);
	struct kh_docjob *j = kh_docjob_new(b->srv, item_finish, b);
	char detail[256] = "";
	enum kh_err e;

	if (j == NULL) {
		*ret_err = error_line(b->lines[i].lineno, NULL, KH_ERR_OUT_OF_MEMORY, NULL, ret_len);
		return NULL;
	}
	j->index = i;
	j->unit = b->unit;
	e = kh_docjob_parse_json(j, b->lines[i].start, b->lines[i].len, cfg->json_max_depth, cfg->json_max_string,
				 detail, sizeof(detail));
	if (e != KH_ERR__MAX) {
		*ret_err = error_line(b->lines[i].lineno, j->id, e, detail, ret_len);
		kh_job_unref(&j->base);
		return NULL;
	}
	return j;
}

/* Resume the connection if the reader waits and the next line is ready. Under the lock;
 * returns true when the caller must call MHD_resume_connection (after unlocking). */
static bool want_resume(struct batch *b)
{
	if (!b->suspended || b->closed)
		return false;
	if (b->next_emit < b->n_lines && b->lines[b->next_emit].out == NULL)
		return false;
	b->suspended = false;
	return true;
}

static void resume_if(struct batch *b, bool resume, struct MHD_Connection *conn)
{
	if (resume)
		MHD_resume_connection(conn);
}

/* Hand lines to the queue while fewer than `window` are outstanding. */
static void feed(struct batch *b)
{
	for (;;) {
		struct MHD_Connection *conn;
		struct kh_docjob *j;
		char *out = NULL;
		size_t i, len = 0;
		bool resume;
		int r;

		pthread_mutex_lock(&b->lock);
		if (b->closed || b->next_submit >= b->n_lines || b->outstanding >= b->window) {
			pthread_mutex_unlock(&b->lock);
			return;
		}
		i = b->next_submit++;
		if (b->shut) {
			out = error_line(b->lines[i].lineno, NULL, KH_ERR_SHUTTING_DOWN, NULL, &len);
			set_line(b, i, out, len);
			conn = b->conn;
			resume = want_resume(b);
			pthread_mutex_unlock(&b->lock);
			resume_if(b, resume, conn);
			continue;
		}
		b->outstanding++;
		pthread_mutex_unlock(&b->lock);

		j = prepare(b, i, &out, &len);
		r = 0;
		if (j != NULL) {
			/* The job's reference on the batch, released by item_finish; taken before
			 * the push, since a worker may finish the job before push returns. */
			batch_ref(b);
			r = kh_jobq_push_extra(kh_server_jobq(b->srv), &j->base, kh_server_config(b->srv)->deadline_ms);
			if (r == 0) {
				kh_job_unref(&j->base); /* the queue holds its own */
				continue;
			}
			batch_unref(b); /* cannot be the last: our caller holds one */
			out = error_line(b->lines[i].lineno, j->id, KH_ERR_SHUTTING_DOWN, NULL, &len);
			kh_job_unref(&j->base);
		}
		pthread_mutex_lock(&b->lock);
		if (r < 0)
			b->shut = true;
		b->outstanding--;
		set_line(b, i, out, len);
		conn = b->conn;
		resume = want_resume(b);
		pthread_mutex_unlock(&b->lock);
		resume_if(b, resume, conn);
	}
}

/* A document of the batch is done or expired (worker or timer thread). */
static void item_finish(struct kh_docjob *j)
{
	struct batch *b = j->owner;
	struct MHD_Connection *conn;
	char *out = NULL;
	size_t len = 0;
	bool resume;

	finish_job_line(b, j, &out, &len);
	pthread_mutex_lock(&b->lock);
	set_line(b, j->index, out, len);
	b->outstanding--;
	conn = b->conn;
	resume = want_resume(b);
	pthread_mutex_unlock(&b->lock);
	resume_if(b, resume, conn);
	feed(b);
	batch_unref(b);
}

/* ---- the response stream ------------------------------------------------------------------ */

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct batch *b = cls;
	size_t done = 0;

	(void)pos;
	pthread_mutex_lock(&b->lock);
	while (done < max && b->next_emit < b->n_lines && b->lines[b->next_emit].out != NULL) {
		struct batch_line *l = &b->lines[b->next_emit];
		size_t n = l->out_len - b->emit_off;

		if (n > max - done)
			n = max - done;
		memcpy(buf + done, l->out + b->emit_off, n);
		done += n;
		b->emit_off += n;
		if (b->emit_off == l->out_len) {
			free(l->out);
			l->out = NULL;
			l->out_len = 0;
			l->start = NULL; /* marks the line as written */
			b->next_emit++;
			b->emit_off = 0;
		}
	}
	if (done > 0 && b->req != NULL)
		b->req->bytes_out += done;
	if (done == 0 && b->next_emit >= b->n_lines) {
		pthread_mutex_unlock(&b->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (done == 0 && !b->closed) {
		/* Nothing ready: wait for the job that finishes the next line to resume us. */
		b->suspended = true;
		MHD_suspend_connection(b->conn);
	}
	pthread_mutex_unlock(&b->lock);
	return (ssize_t)done;
}

static void reader_free(void *cls)
{
	batch_unref(cls);
}

/* Visit the non-blank lines of the body (a trailing \r is dropped); store them when
 * b->lines is set.  @return the number of lines, stopping at max + 1 */
static size_t scan_lines(struct batch *b, size_t max)
{
	size_t n = 0, pos = 0, lineno = 0;

	while (pos < b->body_len && n <= max) {
		const char *start = b->body + pos;
		const char *nl = memchr(start, '\n', b->body_len - pos);
		size_t len = nl != NULL ? (size_t)(nl - start) : b->body_len - pos;
		size_t blank = 0;

		pos += len + (nl != NULL ? 1 : 0);
		lineno++;
		if (len > 0 && start[len - 1] == '\r')
			len--;
		while (blank < len && (start[blank] == ' ' || start[blank] == '\t' || start[blank] == '\r'))
			blank++;
		if (blank == len)
			continue;
		if (b->lines != NULL && n < max) {
			b->lines[n].start = start;
			b->lines[n].len = len;
			b->lines[n].lineno = lineno;
		}
		n++;
	}
	return n;
}

/* @return 0, -E2BIG over max_lines, -ENOMEM */
static int split_lines(struct batch *b, size_t max_lines)
{
	size_t n = scan_lines(b, max_lines);

	if (n > max_lines)
		return -E2BIG;
	if (n == 0)
		return 0;
	b->lines = calloc(n, sizeof(*b->lines));
	if (b->lines == NULL)
		return -ENOMEM;
	scan_lines(b, n);
	b->n_lines = n;
	return 0;
}

static struct batch *batch_new(struct kh_http_req *r, enum kh_offset_unit unit)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	pthread_mutex_init(&b->lock, NULL);
	b->srv = r->srv;
	b->req = r;
	b->conn = r->conn;
	b->unit = unit;
	b->window = cfg->workers > 0 ? cfg->workers : 1;
	b->body = r->body; /* the batch takes the body */
	b->body_len = r->body_len;
	r->body = NULL;
	return b;
}

enum MHD_Result kh_http_batch(struct kh_http_req *r)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	struct batch_ctx *c = r->hctx;
	struct MHD_Response *resp;
	struct batch *b;
	int rc;

	if (c->batch != NULL)
		return MHD_YES; /* the response is already queued */
	b = batch_new(r, c->opts.unit);
	if (b == NULL)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	c->batch = b;
	rc = split_lines(b, cfg->batch_max_lines);
	if (rc == -ENOMEM)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	if (rc < 0)
		return kh_http_reply_error(r, KH_ERR_TOO_LARGE, "the batch has more than %u lines",
					   cfg->batch_max_lines);
	/* Admission: a batch needs room in the queue like any request. */
	rc = kh_jobq_reserve(kh_server_jobq(r->srv));
	if (rc == -EAGAIN)
		return kh_http_reply_error(r, KH_ERR_OVERLOADED, NULL);
	if (rc < 0)
		return kh_http_reply_error(r, KH_ERR_SHUTTING_DOWN, NULL);
	kh_jobq_unreserve(kh_server_jobq(r->srv));
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, KH_BATCH_BLOCK, reader, batch_ref(b),
						 reader_free);
	if (resp == NULL) {
		batch_unref(b);
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	}
	if (kh_http_queue(r, MHD_HTTP_OK, resp, "application/x-ndjson", 0) != MHD_YES)
		return MHD_NO;
	feed(b);
	return MHD_YES;
}
