/* SPDX-License-Identifier: MIT */
/**
 * @file docjob.h
 * One article to analyse on the worker pool: the request fields taken from a
 * JSON object or a text/plain body, the result (JSON text or a status), and the
 * job that carries it through the queue.  Shared by POST /v1/analyze and the
 * per-line jobs of POST /v1/analyze/batch.
 */
#ifndef KHABAR_DOCJOB_H
#define KHABAR_DOCJOB_H

#include <jansson.h>
#include <stddef.h>

#include "http_reply.h"
#include "jobq.h"
#include "khabar/khabar.h"

struct kh_server;
struct kh_docjob;

/** Called once when the job is done or expired (any thread). */
typedef void (*kh_docjob_finish)(struct kh_docjob *j);

struct kh_docjob {
	struct kh_job base;       /**< must be first */
	struct kh_server *srv;
	kh_docjob_finish on_finish;
	void *owner;              /**< for on_finish: the connection or the batch */
	size_t index;             /**< position in a batch */

	json_t *root;             /**< the request object (owns text/id/published/lang), or NULL */
	char *text_buf;           /**< the text when it came as text/plain, or NULL */
	const char *text;
	size_t text_len;
	const char *id, *published, *lang;
	char id_buf[24];          /**< an integer id as text */
	enum kh_offset_unit unit;

	int status;               /**< KH_OK, enum kh_status, or -errno (set by the worker) */
	size_t bad_offset;        /**< for invalid UTF-8 / NUL */
	char *json;               /**< the result document, malloc'd */
	size_t json_len;
};

/** A new job with one reference (the caller's); NULL on OOM. */
struct kh_docjob *kh_docjob_new(struct kh_server *srv, kh_docjob_finish on_finish, void *owner);

/**
 * Check that @p body nests no deeper than @p max_depth (arrays and objects), without parsing it.
 * @return true when it does not
 */
bool kh_json_depth_ok(const char *body, size_t len, unsigned max_depth);

/**
 * Take the fields of a request object: "text" (required string), "id" (string or
 * integer), "published" and "lang" (strings or null).  Takes @p root in every case.
 * @param[out] detail a message for the error reply
 * @return KH_ERR__MAX when usable, else the error to answer
 */
enum kh_err kh_docjob_set_json(struct kh_docjob *j, json_t *root, size_t max_string, char *detail,
			       size_t detail_len);

/**
 * Parse a JSON body (depth limit, duplicates refused) and take its fields.
 * @return KH_ERR__MAX when usable, else the error to answer
 */
enum kh_err kh_docjob_parse_json(struct kh_docjob *j, const char *body, size_t len, unsigned max_depth,
				 size_t max_string, char *detail, size_t detail_len);

/** The error reply for a finished job whose status is not KH_OK. */
enum kh_err kh_docjob_error(const struct kh_docjob *j, char *detail, size_t detail_len);

#endif
