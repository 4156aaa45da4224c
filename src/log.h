/* SPDX-License-Identifier: MIT */
/**
 * @file log.h
 * Structured logs of the service: one JSON object per line on stderr, each
 * line written with a single write(2).  Only the server (src/http_*.c,
 * src/server.c, src/cli_serve.c) logs; libkhabar never does.
 */
#ifndef KHABAR_LOG_H
#define KHABAR_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum kh_log_level { KH_LOG_DEBUG = 0, KH_LOG_INFO, KH_LOG_WARN, KH_LOG_ERROR };

/** One finished request, as the access log records it. Strings may be NULL. */
struct kh_log_access {
	const char *request_id;
	const char *method;
	const char *route;      /**< the route template, or NULL when none matched */
	const char *path;
	const char *client_ip;
	const char *error_code; /**< the kh_err code of an error reply, or NULL */
	const char *outcome;    /**< "completed" or why the connection ended early */
	unsigned status;        /**< 0 when no response was sent */
	uint64_t bytes_in;
	uint64_t bytes_out;
	double duration_ms;
};

/** Set the lowest level written (default KH_LOG_INFO). */
void kh_log_set_level(enum kh_log_level level);

/** @return true when lines of @p level are written */
bool kh_log_enabled(enum kh_log_level level);

/**
 * Parse "debug", "info", "warn" or "error".
 * @return 0 and *ret_level set, or -EINVAL
 */
int kh_log_level_parse(const char *name, enum kh_log_level *ret_level);

/** Name of a level ("info" ...). */
const char *kh_log_level_name(enum kh_log_level level);

/**
 * Start a line: {"ts":...,"level":...,"msg":... into @p b (which must be empty).
 * Add fields with kh_buf_json_str()/kh_buf_json_num(), then kh_log_end().
 */
void kh_log_begin(struct kh_buf *b, enum kh_log_level level, const char *msg);

/** Close the object, write the line and release @p b. */
void kh_log_end(struct kh_buf *b);

/** Write a plain message line, with request_id when not NULL. */
void kh_log(enum kh_log_level level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Write the access log line of one request (level info). */
void kh_log_access(const struct kh_log_access *a);

#endif
