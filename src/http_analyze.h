/* SPDX-License-Identifier: MIT */
/**
 * @file http_analyze.h
 * What the analysis endpoints share: the offsets= parameter and the step that
 * hands a document job to the worker pool.
 */
#ifndef KHABAR_HTTP_ANALYZE_H
#define KHABAR_HTTP_ANALYZE_H

#include "http.h"
#include "khabar/khabar.h"

struct kh_docjob;

/**
 * The offsets= query value of a request (codepoint when absent).
 * @return 0, or -EINVAL for an unknown unit
 */
int kh_http_offsets_param(struct kh_http_req *r, enum kh_offset_unit *ret_unit);

/**
 * Reserve a queue place, suspend the connection, then push @p j (in that order, so
 * a worker can never resume a connection that is not suspended); or answer 503.
 * @return MHD_YES when queued or answered
 */
enum MHD_Result kh_http_enqueue(struct kh_http_req *r, struct kh_docjob *j);

#endif
