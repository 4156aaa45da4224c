/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = KH_LOG_INFO;
static pthread_mutex_t long_line_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void kh_log_set_level(enum kh_log_level level)
{
	atomic_store(&min_level, (int)level);
}

bool kh_log_enabled(enum kh_log_level level)
{
	return (int)level >= atomic_load(&min_level);
}

int kh_log_level_parse(const char *name, enum kh_log_level *ret_level)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*ret_level = (enum kh_log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "warning") == 0) {
		*ret_level = KH_LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

const char *kh_log_level_name(enum kh_log_level level)
{
	return (unsigned)level < 4 ? level_names[level] : "info";
}

void kh_log_begin(struct kh_buf *b, enum kh_log_level level, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	kh_buf_printf(b, "{\"ts\":\"%s.%03ldZ\"", stamp, ts.tv_nsec / 1000000);
	kh_buf_json_str(b, "level", kh_log_level_name(level));
	kh_buf_json_str(b, "msg", msg);
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void kh_log_end(struct kh_buf *b)
{
	kh_buf_add(b, "}\n", 2);
	if (!kh_buf_failed(b)) {
		/* Writes up to PIPE_BUF are atomic on pipes; longer lines take the lock so
		 * that two of them never interleave. */
		if (b->len <= PIPE_BUF) {
			write_all(b->data, b->len);
		} else {
			pthread_mutex_lock(&long_line_lock);
			write_all(b->data, b->len);
			pthread_mutex_unlock(&long_line_lock);
		}
	}
	kh_buf_done(b);
}

void kh_log(enum kh_log_level level, const char *request_id, const char *fmt, ...)
{
	struct kh_buf b = { 0 };
	char msg[1024];
	va_list ap;

	if (!kh_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kh_log_begin(&b, level, msg);
	if (request_id != NULL)
		kh_buf_json_str(&b, "request_id", request_id);
	kh_log_end(&b);
}

static void opt_str(struct kh_buf *b, const char *key, const char *value)
{
	if (value != NULL)
		kh_buf_json_str(b, key, value);
}

void kh_log_access(const struct kh_log_access *a)
{
	struct kh_buf b = { 0 };

	if (!kh_log_enabled(KH_LOG_INFO))
		return;
	kh_log_begin(&b, KH_LOG_INFO, "request");
	opt_str(&b, "request_id", a->request_id);
	opt_str(&b, "method", a->method);
	opt_str(&b, "route", a->route);
	opt_str(&b, "path", a->path);
	kh_buf_json_num(&b, "status", a->status);
	kh_buf_json_num(&b, "bytes_in", (long long)a->bytes_in);
	kh_buf_json_num(&b, "bytes_out", (long long)a->bytes_out);
	kh_buf_printf(&b, ",\"duration_ms\":%.3f", a->duration_ms);
	opt_str(&b, "client_ip", a->client_ip);
	opt_str(&b, "error_code", a->error_code);
	if (a->outcome != NULL && strcmp(a->outcome, "completed") != 0)
		kh_buf_json_str(&b, "outcome", a->outcome);
	kh_log_end(&b);
}
