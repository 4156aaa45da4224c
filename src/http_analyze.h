/* SPDX-License-Identifier: MIT */
/**
 * @file http_analyze.h
 * What the analysis endpoints share: the offsets= parameter and the step that
 * hands a document job to the worker pool.
 */
#ifndef KHABAR_HTTP_ANALYZE_H
#define KHABAR_HTTP_ANALYZE_H

#include "http.h"
#include "http_media.h"
#include "khabar/khabar.h"

struct kh_docjob;

/** What the first call learnt about a body request; the handler context starts with it. */
struct kh_http_body_opts {
	enum kh_media media;      /**< from Content-Type */
	enum kh_offset_unit unit; /**< from offsets= (codepoint when absent) */
};

/**
 * First-call checks shared by the analysis endpoints: allocate the handler context
 * (@p ctx_size bytes, beginning with struct kh_http_body_opts), check Content-Type
 * against @p accept (bits 1 << enum kh_media) and the offsets= value.
 * @return KH_ERR__MAX when acceptable, else KH_ERR_MEDIA_TYPE, KH_ERR_BAD_QUERY or
 *         KH_ERR_OUT_OF_MEMORY
 */
enum kh_err kh_http_body_check(struct kh_http_req *r, size_t ctx_size, void (*ctx_free)(void *),
			       unsigned accept);

/**
 * Reserve a queue place, suspend the connection, then push @p j (in that order, so
 * a worker can never resume a connection that is not suspended); or answer 503.
 * @return MHD_YES when queued or answered
 */
enum MHD_Result kh_http_enqueue(struct kh_http_req *r, struct kh_docjob *j);

#endif
