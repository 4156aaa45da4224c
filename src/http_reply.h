/* SPDX-License-Identifier: MIT */
/**
 * @file http_reply.h
 * Every error the HTTP API can answer comes from ONE table (kh_err_*): its
 * status, its stable code string, its message and the metrics reason.  Error
 * bodies are always {"error":{"code","message","status","request_id"}}.
 * Also: request IDs (X-Request-ID) and the helpers that queue responses.
 */
#ifndef KHABAR_HTTP_REPLY_H
#define KHABAR_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"

enum kh_err {
	KH_ERR_BAD_JSON = 0,     /**< 400 the body is not valid JSON */
	KH_ERR_NOT_OBJECT,       /**< 400 the JSON body is not an object */
	KH_ERR_MISSING_TEXT,     /**< 400 no "text" member */
	KH_ERR_TEXT_NOT_STRING,  /**< 400 "text" is not a string */
	KH_ERR_BAD_FIELD,        /**< 400 id/published/lang of the wrong type */
	KH_ERR_JSON_TOO_DEEP,    /**< 400 nesting over json_max_depth */
	KH_ERR_STRING_TOO_LONG,  /**< 400 a string over json_max_string */
	KH_ERR_BAD_QUERY,        /**< 400 an unknown query value (offsets=) */
	KH_ERR_UNAUTHORIZED,     /**< 401 missing or wrong API key */
	KH_ERR_NOT_FOUND,        /**< 404 no such route */
	KH_ERR_METHOD,           /**< 405 route exists, method does not (Allow:) */
	KH_ERR_TOO_LARGE,        /**< 413 body over max_body */
	KH_ERR_URI_TOO_LONG,     /**< 414 URL over max_url */
	KH_ERR_MEDIA_TYPE,       /**< 415 content type not accepted */
	KH_ERR_INVALID_UTF8,     /**< 422 text is not UTF-8 */
	KH_ERR_NUL_BYTE,         /**< 422 text holds U+0000 */
	KH_ERR_EMPTY_TEXT,       /**< 422 text is empty or blank */
	KH_ERR_UNSUPPORTED_LANG, /**< 422 lang other than "ar" */
	KH_ERR_BAD_DATE,         /**< 422 published not YYYY-MM-DD */
	KH_ERR_TEXT_TOO_LARGE,   /**< 422 text over the analyzer's own limit */
	KH_ERR_INTERNAL,         /**< 500 a bug or an unexpected failure */
	KH_ERR_OUT_OF_MEMORY,    /**< 503 memory ran out for this request */
	KH_ERR_OVERLOADED,       /**< 503 the queue is full (Retry-After) */
	KH_ERR_SHUTTING_DOWN,    /**< 503 the server is draining (Retry-After) */
	KH_ERR_NOT_READY,        /**< 503 /readyz: draining or queue above high-water */
	KH_ERR_DEADLINE,         /**< 504 the analysis did not finish in deadline_ms */
	KH_ERR__MAX
};

struct kh_err_info {
	unsigned status;              /**< HTTP status */
	const char *code;             /**< stable machine-readable code */
	const char *message;          /**< default human-readable message */
	enum kh_reject_reason reason; /**< kh_http_rejected_total label, or KH_REJECT_NONE */
};

/** @return the table entry of @p e (KH_ERR_INTERNAL's for an out-of-range value) */
const struct kh_err_info *kh_err_get(enum kh_err e);

/**
 * The JSON error body.
 * @param[in] detail message to use instead of the table's, or NULL
 * @param[in] request_id or NULL
 * @param[out] ret_len body length
 * @return malloc'd body, or NULL on OOM
 */
char *kh_err_body(enum kh_err e, const char *detail, const char *request_id, size_t *ret_len);

#define KH_REQUEST_ID_MAX 128

/** @return true when @p s is a usable request ID: [A-Za-z0-9._-]{1,128} */
bool kh_request_id_valid(const char *s);

/** Write a fresh request ID (32 hex digits) into @p out: random per thread, distinct per call. */
void kh_request_id_new(char out[KH_REQUEST_ID_MAX + 1]);

#endif
