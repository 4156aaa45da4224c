/* SPDX-License-Identifier: MIT */
/* The error table, error bodies, request IDs and the response helpers. */
#include "http_reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "buf.h"
#include "http.h"
#include "server.h"

/* THE error table: every error reply of the API comes from here. */
static const struct kh_err_info errors[KH_ERR__MAX] = {
	[KH_ERR_BAD_JSON] = { 400, "malformed_json", "the body is not valid JSON", KH_REJECT_BAD_JSON },
	[KH_ERR_NOT_OBJECT] = { 400, "malformed_json", "the JSON body must be an object", KH_REJECT_BAD_JSON },
	[KH_ERR_MISSING_TEXT] = { 400, "missing_text", "the JSON body has no \"text\" member", KH_REJECT_BAD_INPUT },
	[KH_ERR_TEXT_NOT_STRING] = { 400, "text_not_string", "\"text\" must be a string", KH_REJECT_BAD_INPUT },
	[KH_ERR_BAD_FIELD] = { 400, "invalid_field", "a member of the request has the wrong type", KH_REJECT_BAD_INPUT },
	[KH_ERR_JSON_TOO_DEEP] = { 400, "json_too_deep", "the JSON body is nested too deeply", KH_REJECT_BAD_JSON },
	[KH_ERR_STRING_TOO_LONG] = { 400, "string_too_long", "a JSON string is longer than allowed", KH_REJECT_BAD_INPUT },
	[KH_ERR_BAD_QUERY] = { 400, "invalid_query", "a query parameter has an unknown value", KH_REJECT_BAD_INPUT },
	[KH_ERR_UNAUTHORIZED] = { 401, "unauthorized", "a valid API key is required (Authorization: Bearer KEY)", KH_REJECT_UNAUTHORIZED },
	[KH_ERR_NOT_FOUND] = { 404, "not_found", "no such endpoint", KH_REJECT_NONE },
	[KH_ERR_METHOD] = { 405, "method_not_allowed", "this endpoint does not accept that method", KH_REJECT_NONE },
	[KH_ERR_TOO_LARGE] = { 413, "payload_too_large", "the request body is larger than allowed", KH_REJECT_TOO_LARGE },
	[KH_ERR_URI_TOO_LONG] = { 414, "uri_too_long", "the request URL is longer than allowed", KH_REJECT_URI_TOO_LONG },
	[KH_ERR_MEDIA_TYPE] = { 415, "unsupported_media_type", "send application/json or text/plain; charset=utf-8", KH_REJECT_MEDIA_TYPE },
	[KH_ERR_INVALID_UTF8] = { 422, "invalid_utf8", "the text is not valid UTF-8", KH_REJECT_BAD_INPUT },
	[KH_ERR_NUL_BYTE] = { 422, "nul_byte", "the text holds a NUL character", KH_REJECT_BAD_INPUT },
	[KH_ERR_EMPTY_TEXT] = { 422, "empty_text", "the text is empty or only whitespace", KH_REJECT_BAD_INPUT },
	[KH_ERR_UNSUPPORTED_LANG] = { 422, "unsupported_language", "only \"ar\" (Modern Standard Arabic) is analysed", KH_REJECT_BAD_INPUT },
	[KH_ERR_BAD_DATE] = { 422, "invalid_published", "\"published\" must be a date YYYY-MM-DD", KH_REJECT_BAD_INPUT },
	[KH_ERR_TEXT_TOO_LARGE] = { 422, "text_too_large", "the text is longer than the analyzer accepts", KH_REJECT_TOO_LARGE },
	[KH_ERR_INTERNAL] = { 500, "internal_error", "the server failed to handle the request", KH_REJECT_NONE },
	[KH_ERR_OUT_OF_MEMORY] = { 503, "out_of_memory", "the server ran out of memory for this request", KH_REJECT_NONE },
	[KH_ERR_OVERLOADED] = { 503, "overloaded", "all workers are busy and the queue is full; retry later", KH_REJECT_QUEUE_FULL },
	[KH_ERR_SHUTTING_DOWN] = { 503, "shutting_down", "the server is shutting down", KH_REJECT_DRAINING },
	[KH_ERR_NOT_READY] = { 503, "not_ready", "the server is not ready for traffic", KH_REJECT_NONE },
	[KH_ERR_DEADLINE] = { 504, "deadline_exceeded", "the analysis did not finish within the deadline", KH_REJECT_DEADLINE },
};

const struct kh_err_info *kh_err_get(enum kh_err e)
{
	if ((unsigned)e >= KH_ERR__MAX)
		e = KH_ERR_INTERNAL;
	return &errors[e];
}

char *kh_err_body(enum kh_err e, const char *detail, const char *request_id, size_t *ret_len)
{
	const struct kh_err_info *info = kh_err_get(e);
	struct kh_buf b = { 0 };

	kh_buf_puts(&b, "{\"error\":{");
	kh_buf_json_str(&b, "code", info->code);
	kh_buf_json_str(&b, "message", detail != NULL ? detail : info->message);
	kh_buf_json_num(&b, "status", info->status);
	if (request_id != NULL)
		kh_buf_json_str(&b, "request_id", request_id);
	kh_buf_puts(&b, "}}\n");
	return kh_buf_steal(&b, ret_len);
}

bool kh_request_id_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n == KH_REQUEST_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

/* SplitMix64's finalizer: a bijection, so distinct counter values give distinct outputs. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Each thread draws 128 random bits once and then counts: ids stay unique and unguessable
 * enough for log correlation without a getrandom call per request. */
static void id_state_seed(uint64_t state[2], const void *salt)
{
	if (getrandom(state, 2 * sizeof(uint64_t), GRND_NONBLOCK) != (ssize_t)(2 * sizeof(uint64_t))) {
		/* No entropy yet (very early boot): fall back to time and address bits. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		state[0] = mix64((uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)salt);
		state[1] = mix64((uint64_t)ts.tv_nsec ^ state[0]);
	}
}

void kh_request_id_new(char out[KH_REQUEST_ID_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	static _Thread_local uint64_t state[2];
	static _Thread_local bool seeded;
	uint64_t half[2];

	if (!seeded) {
		id_state_seed(state, out);
		seeded = true;
	}
	state[0]++;
	half[0] = mix64(state[0]);
	half[1] = mix64(state[1] ^ half[0]);
	for (size_t i = 0; i < 32; i++)
		out[i] = hex[(half[i / 16] >> (60 - 4 * (i % 16))) & 15];
	out[32] = '\0';
}

/* ---- queueing responses -------------------------------------------------------------------- */

enum MHD_Result kh_http_queue(struct kh_http_req *r, unsigned status, struct MHD_Response *resp,
			      const char *content_type, size_t len)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Request-ID", r->request_id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (kh_server_draining(r->srv))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES) {
		r->status = status;
		r->bytes_out = len;
	}
	return ret;
}

enum MHD_Result kh_http_reply_steal(struct kh_http_req *r, unsigned status, const char *content_type,
				    char *body, size_t len, const char *extra_name, const char *extra_value)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (extra_name != NULL)
		MHD_add_response_header(resp, extra_name, extra_value);
	return kh_http_queue(r, status, resp, content_type, len);
}

enum MHD_Result kh_http_reply_static(struct kh_http_req *r, unsigned status, const char *content_type,
				     const char *body, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	return kh_http_queue(r, status, resp, content_type, len);
}

enum MHD_Result kh_http_reply_error(struct kh_http_req *r, enum kh_err e, const char *detail_fmt, ...)
{
	const struct kh_err_info *info = kh_err_get(e);
	struct MHD_Response *resp;
	char detail[512];
	char *body;
	size_t len = 0;
	va_list ap;

	if (detail_fmt != NULL) {
		va_start(ap, detail_fmt);
		vsnprintf(detail, sizeof(detail), detail_fmt, ap);
		va_end(ap);
	}
	body = kh_err_body(e, detail_fmt != NULL ? detail : NULL, r->request_id, &len);
	if (body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (e == KH_ERR_OVERLOADED || e == KH_ERR_SHUTTING_DOWN || e == KH_ERR_OUT_OF_MEMORY)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (e == KH_ERR_METHOD && r->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (e == KH_ERR_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"khabar\"");
	r->error_code = info->code;
	kh_metrics_rejected(kh_server_metrics(r->srv), info->reason);
	return kh_http_queue(r, info->status, resp, "application/json", len);
}
