/* SPDX-License-Identifier: MIT */
/**
 * @file buf.h
 * A growable byte buffer for building replies, log lines and metrics text.
 * Appending never fails loudly: on OOM the buffer is marked failed and further
 * appends are ignored; check kh_buf_failed() once at the end.
 */
#ifndef KHABAR_BUF_H
#define KHABAR_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct kh_buf {
	char *data;   /**< NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	bool failed;  /**< an allocation failed; contents are incomplete */
};

/** Append @p n bytes. */
void kh_buf_add(struct kh_buf *b, const char *s, size_t n);

/** Append a NUL-terminated string. */
void kh_buf_puts(struct kh_buf *b, const char *s);

/** Append printf-style. */
void kh_buf_printf(struct kh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Append @p n bytes as the body of a JSON string (no quotes): escapes ", \ and controls. */
void kh_buf_json_escape(struct kh_buf *b, const char *s, size_t n);

/** Append "key":"value", or "key":null when @p value is NULL (with a leading comma unless
 * the buffer ends in '{'). */
void kh_buf_json_str(struct kh_buf *b, const char *key, const char *value);

/** Append "key":number (with a leading comma unless the buffer ends in '{'). */
void kh_buf_json_num(struct kh_buf *b, const char *key, long long value);

/** @return true when an append failed */
bool kh_buf_failed(const struct kh_buf *b);

/** Take the data (malloc'd, NUL-terminated) and reset the buffer. @return NULL when failed or empty */
char *kh_buf_steal(struct kh_buf *b, size_t *ret_len);

/** Release the contents. Accepts an empty buffer. */
void kh_buf_done(struct kh_buf *b);

#endif
