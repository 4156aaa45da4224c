/* SPDX-License-Identifier: MIT */
/* Log lines are single JSON objects; levels filter; the buffer escapes what JSON needs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "tap.h"

/* Run fn with stderr sent to a temporary file; return what it wrote. */
static char *capture(void (*fn)(void))
{
	char path[] = "/tmp/khabar-test-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	char *out = calloc(1, 65536);
	ssize_t n;

	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, 65535);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return out;
}

static void write_some(void)
{
	struct kh_log_access a = { .request_id = "r-1", .method = "POST", .route = "/v1/analyze",
				   .path = "/v1/analyze\"x\n", .client_ip = "127.0.0.1", .status = 200,
				   .bytes_in = 10, .bytes_out = 20, .duration_ms = 1.5, .outcome = "completed" };

	kh_log_set_level(KH_LOG_INFO);
	kh_log(KH_LOG_DEBUG, NULL, "hidden %d", 1);
	kh_log(KH_LOG_WARN, "rid", "shown %s", "here");
	kh_log_access(&a);
}

int main(void)
{
	char *out = capture(write_some);
	char *nl = strchr(out, '\n');
	json_error_t e;
	json_t *l1, *l2;
	enum kh_log_level lv;
	struct kh_buf b = { 0 };

	tap_ok(strstr(out, "hidden") == NULL, "debug filtered at info");
	tap_ok(nl != NULL, "first line ends with a newline");
	l1 = json_loadb(out, (size_t)(nl - out), 0, &e);
	l2 = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &e);
	tap_ok(l1 != NULL && l2 != NULL, "both lines are JSON objects");
	tap_is_str(json_string_value(json_object_get(l1, "level")), "warn", "level");
	tap_is_str(json_string_value(json_object_get(l1, "msg")), "shown here", "message");
	tap_is_str(json_string_value(json_object_get(l1, "request_id")), "rid", "request id");
	tap_ok(strlen(json_string_value(json_object_get(l1, "ts"))) == 24, "RFC 3339 with milliseconds");
	tap_is_str(json_string_value(json_object_get(l2, "path")), "/v1/analyze\"x\n", "path escaped and restored");
	tap_is_int(json_integer_value(json_object_get(l2, "status")), 200, "status");
	tap_is_int(json_integer_value(json_object_get(l2, "bytes_out")), 20, "bytes out");
	tap_ok(json_object_get(l2, "outcome") == NULL, "completed requests carry no outcome");
	json_decref(l1);
	json_decref(l2);
	free(out);

	tap_ok(kh_log_level_parse("warning", &lv) == 0 && lv == KH_LOG_WARN, "warning = warn");
	tap_ok(kh_log_level_parse("shout", &lv) < 0, "unknown level");
	kh_buf_puts(&b, "{");
	kh_buf_json_str(&b, "k", "a\x01\tb\\");
	kh_buf_json_num(&b, "n", -3);
	kh_buf_json_str(&b, "id", NULL);
	kh_buf_puts(&b, "}");
	tap_is_str(b.data, "{\"k\":\"a\\u0001\\tb\\\\\",\"n\":-3,\"id\":null}", "buffer JSON escaping, NULL as null");
	kh_buf_done(&b);
	return tap_done();
}
