/* SPDX-License-Identifier: MIT */
/**
 * @file http.h
 * What the HTTP layer shares: the per-request context that hangs off MHD's
 * *con_cls, the route table entry, and the handler signature.  The context is
 * allocated on the first call of the access handler and freed only in the
 * NOTIFY_COMPLETED callback (STYLE rule 4).
 */
#ifndef KHABAR_HTTP_H
#define KHABAR_HTTP_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "http_reply.h"
#include "proxy.h"

struct kh_server;
struct kh_http_req;

/**
 * A route handler: called once the request body is complete, and again after the
 * connection is resumed.  It must queue a response or leave the connection suspended.
 */
typedef enum MHD_Result (*kh_http_handler)(struct kh_http_req *r);

/** Early check on the first call (headers only): KH_ERR__MAX when acceptable. */
typedef enum kh_err (*kh_http_check)(struct kh_http_req *r);

enum kh_route_flags {
	KH_ROUTE_BODY = 1 << 0,     /**< reads a request body */
	KH_ROUTE_AUTH = 1 << 1,     /**< needs an API key when keys are configured */
	KH_ROUTE_BATCH = 1 << 3,    /**< body limit is batch_max_body instead of max_body */
};

struct kh_route {
	const char *method;     /**< GET routes also answer HEAD */
	const char *path;
	kh_http_handler handler;
	kh_http_check check;    /**< or NULL */
	unsigned flags;         /**< enum kh_route_flags */
};

/** One request. Fields are owned by the router unless noted. */
struct kh_http_req {
	struct kh_server *srv;
	struct MHD_Connection *conn;
	const struct kh_route *route;   /**< NULL when no route matched */
	unsigned route_label;           /**< metrics label index */
	const char *method;             /**< MHD's string, valid for the request */
	char *path;                     /**< copy of the URL path */
	char request_id[KH_REQUEST_ID_MAX + 1];
	char client_ip[KH_IP_STRLEN];
	uint64_t t_start_ns;

	char *body;                     /**< the body so far (NUL-terminated), NULL when none */
	size_t body_len, body_cap, body_limit;
	uint64_t bytes_in;              /**< body bytes received, kept or not */
	bool too_large;
	bool first_call_done;
	enum kh_err early_err;          /**< decided on the first call; KH_ERR__MAX = none */
	const char *allow;              /**< Allow: value for 405 */

	int phase;                      /**< the handler's own state, starts at 0 */
	void *hctx;                     /**< the handler's own data */
	void (*hctx_free)(void *hctx);  /**< frees hctx at completion */

	unsigned status;                /**< status of the queued response, 0 = none */
	uint64_t bytes_out;
	const char *error_code;
};

/** libmicrohttpd access handler (cls = struct kh_server *). */
enum MHD_Result kh_http_access(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls);

/** libmicrohttpd NOTIFY_COMPLETED callback: metrics, access log, free the context. */
void kh_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		       enum MHD_RequestTerminationCode toe);

/** The route templates used as metrics labels, and how many. */
const char *const *kh_http_route_labels(unsigned *ret_n);

/**
 * Queue a response whose body is malloc'd; the response takes it (freed with free()).
 * Adds X-Request-ID and the common headers. @p extra_name/@p extra_value may add one header.
 * @return MHD_YES, or MHD_NO when the response could not be queued (body freed)
 */
enum MHD_Result kh_http_reply_steal(struct kh_http_req *r, unsigned status, const char *content_type,
				    char *body, size_t len, const char *extra_name, const char *extra_value);

/**
 * Add the common headers (X-Request-ID, Content-Type, ...) to @p resp, queue it and
 * destroy our handle. @p len is recorded as the response size for the access log.
 */
enum MHD_Result kh_http_queue(struct kh_http_req *r, unsigned status, struct MHD_Response *resp,
			      const char *content_type, size_t len);

/** Queue a response over a static body that outlives the daemon. */
enum MHD_Result kh_http_reply_static(struct kh_http_req *r, unsigned status, const char *content_type,
				     const char *body, size_t len);

/** Queue the JSON error reply of @p e, with @p detail (printf-style, may be NULL). */
enum MHD_Result kh_http_reply_error(struct kh_http_req *r, enum kh_err e, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Handlers, one file per endpoint family.  Each is a kh_http_handler: it returns
 * MHD_YES when it queued a response or suspended the connection, MHD_NO to drop it.
 * The *_check functions are the first-call kh_http_check of the body endpoints.
 */

/** POST /v1/analyze (src/http_analyze.c) */
enum MHD_Result kh_http_analyze(struct kh_http_req *r);
/** First call of POST /v1/analyze: media type and offsets= */
enum kh_err kh_http_analyze_check(struct kh_http_req *r);
/** POST /v1/analyze/batch (src/http_batch.c) */
enum MHD_Result kh_http_batch(struct kh_http_req *r);
/** First call of POST /v1/analyze/batch: media type and offsets= */
enum kh_err kh_http_batch_check(struct kh_http_req *r);
/** GET /healthz (src/http_health.c) */
enum MHD_Result kh_http_healthz(struct kh_http_req *r);
/** GET /readyz (src/http_health.c) */
enum MHD_Result kh_http_readyz(struct kh_http_req *r);
/** GET /metrics (src/http_meta.c) */
enum MHD_Result kh_http_metrics(struct kh_http_req *r);
/** GET /v1/info (src/http_meta.c) */
enum MHD_Result kh_http_info(struct kh_http_req *r);
/** GET /openapi.json (src/http_meta.c) */
enum MHD_Result kh_http_openapi(struct kh_http_req *r);
enum MHD_Result kh_http_page(struct kh_http_req *r);

#endif
