/* SPDX-License-Identifier: MIT */
/* The error table, error bodies, request IDs, media types, JSON depth, API keys, proxies. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apikey.h"
#include "docjob.h"
#include "http_media.h"
#include "http_reply.h"
#include "proxy.h"
#include "tap.h"

static void test_error_table(void)
{
	for (int e = 0; e < KH_ERR__MAX; e++) {
		const struct kh_err_info *i = kh_err_get((enum kh_err)e);

		tap_ok(i->code != NULL && i->message != NULL && i->status >= 400 && i->status < 600,
		       "error %d has status %u, code and message", e, i->status);
	}
	tap_is_int(kh_err_get(KH_ERR_TOO_LARGE)->status, 413, "too large is 413");
	tap_is_str(kh_err_get(KH_ERR_TOO_LARGE)->code, "payload_too_large", "too large code");
	tap_is_int(kh_err_get(KH_ERR_INVALID_UTF8)->status, 422, "invalid UTF-8 is 422");
	tap_is_int(kh_err_get(KH_ERR_OVERLOADED)->status, 503, "overloaded is 503");
	tap_is_int(kh_err_get(KH_ERR_DEADLINE)->status, 504, "deadline is 504");
	tap_is_int(kh_err_get(KH_ERR_MEDIA_TYPE)->status, 415, "media type is 415");
	tap_is_int(kh_err_get((enum kh_err)999)->status, 500, "out of range maps to internal");
}

/* Every error code the table can produce is listed in the OpenAPI document. */
static void test_openapi_lists_codes(void)
{
	json_error_t je;
	json_t *doc = json_load_file(KH_SOURCE_DATA_DIR "/../api/openapi.json", 0, &je);
	json_t *codes;

	codes = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Error"), "properties"),
		"error"), "properties"), "code"), "enum");
	tap_ok(json_is_array(codes), "api/openapi.json lists the error codes");
	for (int e = 0; e < KH_ERR__MAX; e++) {
		const char *code = kh_err_get((enum kh_err)e)->code;
		bool found = false;
		size_t i;
		json_t *v;

		json_array_foreach(codes, i, v)
			if (strcmp(json_string_value(v), code) == 0)
				found = true;
		tap_ok(found, "OpenAPI lists error code %s", code);
	}
	json_decref(doc);
}

static void test_error_body(void)
{
	size_t len = 0;
	char *body = kh_err_body(KH_ERR_MISSING_TEXT, "no \"text\"\n here", "rid-1", &len);
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je);
	json_t *err = json_object_get(doc, "error");

	tap_ok(doc != NULL, "error body is JSON");
	tap_is_str(json_string_value(json_object_get(err, "code")), "missing_text", "code");
	tap_is_str(json_string_value(json_object_get(err, "message")), "no \"text\"\n here", "message escaped");
	tap_is_str(json_string_value(json_object_get(err, "request_id")), "rid-1", "request id");
	tap_is_int(json_integer_value(json_object_get(err, "status")), 400, "status");
	json_decref(doc);
	free(body);
	body = kh_err_body(KH_ERR_NOT_FOUND, NULL, NULL, &len);
	tap_ok(strstr(body, "no such endpoint") != NULL && strstr(body, "request_id") == NULL,
	       "default message, no request id");
	free(body);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Ids come from a per-thread counter under a mixing function: many in a row, and one from
 * another thread, must all differ and all be 32 lower-case hex digits. */
static void *other_thread_id(void *out)
{
	kh_request_id_new(out);
	return NULL;
}

static void test_request_ids_distinct(void)
{
	enum { N = 4096 };
	static char ids[N + 1][KH_REQUEST_ID_MAX + 1];
	size_t dup = 0, bad = 0;
	pthread_t t;

	for (size_t i = 0; i < N; i++) {
		kh_request_id_new(ids[i]);
		bad += strspn(ids[i], "0123456789abcdef") != 32 || ids[i][32] != '\0';
	}
	pthread_create(&t, NULL, other_thread_id, ids[N]);
	pthread_join(t, NULL);
	qsort(ids, N + 1, sizeof(ids[0]), cmp_id);
	for (size_t i = 1; i <= N; i++)
		dup += strcmp(ids[i - 1], ids[i]) == 0;
	tap_is_int((long long)bad, 0, "4096 ids are 32 hex digits each");
	tap_is_int((long long)dup, 0, "4096 ids and one from another thread all differ");
}

static void test_request_id(void)
{
	char id[KH_REQUEST_ID_MAX + 1], id2[KH_REQUEST_ID_MAX + 1];
	char long_id[200];

	tap_ok(kh_request_id_valid("abc-DEF_1.2"), "letters digits . _ -");
	tap_ok(!kh_request_id_valid(""), "empty refused");
	tap_ok(!kh_request_id_valid(NULL), "NULL refused");
	tap_ok(!kh_request_id_valid("a b"), "space refused");
	tap_ok(!kh_request_id_valid("a\"b"), "quote refused");
	tap_ok(!kh_request_id_valid("\xd8\xb9"), "non-ASCII refused");
	memset(long_id, 'a', 128);
	long_id[128] = '\0';
	tap_ok(kh_request_id_valid(long_id), "128 characters accepted");
	long_id[128] = 'a';
	long_id[129] = '\0';
	tap_ok(!kh_request_id_valid(long_id), "129 characters refused");
	kh_request_id_new(id);
	kh_request_id_new(id2);
	tap_is_int((long long)strlen(id), 32, "generated id has 32 hex digits");
	tap_ok(kh_request_id_valid(id), "generated id is valid");
	tap_ok(strcmp(id, id2) != 0, "two generated ids differ");
	test_request_ids_distinct();
}

static void test_media(void)
{
	tap_is_int(kh_media_parse("application/json"), KH_MEDIA_JSON, "json");
	tap_is_int(kh_media_parse("Application/JSON; charset=UTF-8"), KH_MEDIA_JSON, "json, case, charset");
	tap_is_int(kh_media_parse("application/json; charset=\"utf-8\""), KH_MEDIA_JSON, "quoted charset");
	tap_is_int(kh_media_parse("application/json; charset=latin1"), KH_MEDIA_OTHER, "other charset refused");
	tap_is_int(kh_media_parse("text/plain"), KH_MEDIA_TEXT, "text/plain");
	tap_is_int(kh_media_parse("text/plain;charset=utf8"), KH_MEDIA_TEXT, "utf8 spelling");
	tap_is_int(kh_media_parse("text/plainx"), KH_MEDIA_OTHER, "prefix is not a match");
	tap_is_int(kh_media_parse("application/x-ndjson"), KH_MEDIA_NDJSON, "ndjson");
	tap_is_int(kh_media_parse(NULL), KH_MEDIA_NONE, "none");
}

static void test_json_depth(void)
{
	tap_ok(kh_json_depth_ok("{\"a\":[1,{\"b\":2}]}", 17, 3), "depth 3 within 3");
	tap_ok(!kh_json_depth_ok("{\"a\":[1,{\"b\":2}]}", 17, 2), "depth 3 over 2");
	tap_ok(kh_json_depth_ok("{\"a\":\"[[[[[[\"}", 14, 1), "brackets inside strings do not count");
	tap_ok(kh_json_depth_ok("{\"a\":\"\\\"[[[\"}", 14, 1), "escaped quote keeps the string open");
}

static void test_apikeys(void)
{
	char path[] = "/tmp/khabar-test-keys-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct kh_apikeys *k = NULL;
	char *err = NULL;

	fputs("# keys\n\n  first-key-0123456789  \nsecond-key-abcdefghij\n", f);
	fclose(f);
	tap_is_int(kh_apikeys_load(path, &k, &err), 0, "key file loads");
	tap_is_int((long long)kh_apikeys_count(k), 2, "two keys");
	tap_ok(kh_apikeys_check(k, "first-key-0123456789", 20), "first key accepted");
	tap_ok(kh_apikeys_check(k, "second-key-abcdefghij", 21), "second key accepted");
	tap_ok(!kh_apikeys_check(k, "first-key-012345678", 19), "prefix refused");
	tap_ok(!kh_apikeys_check(k, "first-key-0123456789x", 21), "longer refused");
	tap_ok(!kh_apikeys_check(k, "", 0), "empty refused");
	tap_ok(!kh_apikeys_check(NULL, "x", 1), "no keys refuses");
	k = kh_apikeys_free(k);
	f = fopen(path, "w");
	fputs("short\n", f);
	fclose(f);
	tap_is_int(kh_apikeys_load(path, &k, &err), -22, "a short key is refused");
	tap_ok(err != NULL && strstr(err, ":1:") != NULL, "message names the line: %s", err != NULL ? err : "");
	free(err);
	unlink(path);
}

static void test_proxies(void)
{
	struct kh_proxy_list *l = NULL;
	char out[KH_IP_STRLEN];
	char *bad = NULL;

	tap_is_int(kh_proxy_list_parse("127.0.0.1, 10.0.0.0/8,fd00::/8", &l, &bad), 0, "list parses");
	tap_ok(kh_proxy_list_contains(l, "10.200.1.1"), "inside 10/8");
	tap_ok(!kh_proxy_list_contains(l, "11.0.0.1"), "outside 10/8");
	tap_ok(kh_proxy_list_contains(l, "fd12::1"), "inside fd00::/8");
	kh_proxy_client_ip(l, "127.0.0.1", "198.51.100.7, 10.0.0.2", out);
	tap_is_str(out, "198.51.100.7", "right-most untrusted hop");
	kh_proxy_client_ip(l, "192.0.2.5", "198.51.100.7", out);
	tap_is_str(out, "192.0.2.5", "untrusted peer: header ignored");
	kh_proxy_client_ip(l, "127.0.0.1", "not-an-ip", out);
	tap_is_str(out, "127.0.0.1", "garbage header: peer kept");
	kh_proxy_client_ip(l, "127.0.0.1", NULL, out);
	tap_is_str(out, "127.0.0.1", "no header: peer");
	kh_proxy_list_free(l);
	tap_is_int(kh_proxy_list_parse("10.0.0.0/8, bogus", &l, &bad), -22, "bad entry refused");
	tap_is_str(bad, "bogus", "the bad entry is named");
	free(bad);
}

int main(void)
{
	test_error_table();
	test_error_body();
	test_openapi_lists_codes();
	test_request_id();
	test_media();
	test_json_depth();
	test_apikeys();
	test_proxies();
	return tap_done();
}
