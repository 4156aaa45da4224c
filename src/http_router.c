/* SPDX-License-Identifier: MIT */
/* The route table and the request lifecycle around it: routing, limits, API keys,
 * body accumulation, then the handler; metrics and the access log at completion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "http.h"
#include "jobq.h"
#include "log.h"
#include "metrics.h"
#include "server.h"

/* Above this many discarded bytes past the limit the connection is simply closed. */
#define KH_HTTP_PREALLOC_MAX (1024u * 1024u) /* body bytes allocated up front from Content-Length */
#define KH_HTTP_DISCARD_SLACK (4u * 1024u * 1024u)

static const struct kh_route routes[] = {
	{ "POST", "/v1/analyze", kh_http_analyze, kh_http_analyze_check, KH_ROUTE_BODY | KH_ROUTE_AUTH },
	{ "POST", "/v1/analyze/batch", kh_http_batch, kh_http_batch_check,
	  KH_ROUTE_BODY | KH_ROUTE_AUTH | KH_ROUTE_BATCH },
	{ "GET", "/v1/info", kh_http_info, NULL, KH_ROUTE_AUTH },
	{ "GET", "/healthz", kh_http_healthz, NULL, 0 },
	{ "GET", "/readyz", kh_http_readyz, NULL, 0 },
	{ "GET", "/metrics", kh_http_metrics, NULL, 0 },
	{ "GET", "/openapi.json", kh_http_openapi, NULL, 0 },
	{ "GET", "/", kh_http_page, NULL, 0 },
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const char *route_labels[N_ROUTES];

/* Called once at start-up, before any request thread runs. */
const char *const *kh_http_route_labels(unsigned *ret_n)
{
	for (size_t i = 0; i < N_ROUTES; i++)
		route_labels[i] = routes[i].path;
	*ret_n = N_ROUTES;
	return route_labels;
}

/* Find the route of (method, path); on a path match with the wrong method set *ret_allow
 * and *ret_label (the path's metrics label). */
static const struct kh_route *route_find(const char *method, const char *path, const char **ret_allow,
					 unsigned *ret_label)
{
	static const char *const allow_get = "GET, HEAD";
	bool head = strcmp(method, "HEAD") == 0;
	const struct kh_route *path_match = NULL;

	for (size_t i = 0; i < N_ROUTES; i++) {
		const struct kh_route *rt = &routes[i];

		if (strcmp(rt->path, path) != 0)
			continue;
		if (strcmp(rt->method, method) == 0 || (head && strcmp(rt->method, "GET") == 0))
			return rt;
		path_match = rt;
	}
	if (path_match != NULL)
		*ret_label = (unsigned)(path_match - routes);
	if (path_match != NULL)
		*ret_allow = strcmp(path_match->method, "GET") == 0 ? allow_get : path_match->method;
	return NULL;
}

static enum MHD_Result sum_arg_len(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + 2 + (value != NULL ? strlen(value) : 0);
	return MHD_YES;
}

/* The request URL length: path plus the query arguments as parsed. */
static size_t url_length(struct MHD_Connection *c, const char *url)
{
	size_t n = strlen(url);

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, sum_arg_len, &n);
	return n;
}

static void set_client_ip(struct kh_http_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char peer[KH_IP_STRLEN];

	kh_proxy_addr_str(ci != NULL ? ci->client_addr : NULL, peer);
	kh_proxy_client_ip(kh_server_proxies(r->srv), peer,
			   MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For"), r->client_ip);
}

static bool authorized(struct kh_http_req *r)
{
	const char *h;

	if (!kh_server_auth_enabled(r->srv))
		return true;
	h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	return kh_server_key_ok(r->srv, h, strlen(h));
}

static struct kh_http_req *req_new(struct kh_server *srv, struct MHD_Connection *c, const char *url,
				   const char *method)
{
	struct kh_http_req *r = calloc(1, sizeof(*r));
	const char *rid;

	if (r == NULL)
		return NULL;
	r->srv = srv;
	r->conn = c;
	r->method = method;
	r->t_start_ns = kh_now_ns();
	r->early_err = KH_ERR__MAX;
	r->path = strndup(url, kh_server_config(srv)->max_url + 1);
	if (r->path == NULL) {
		free(r);
		return NULL;
	}
	rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-ID");
	if (kh_request_id_valid(rid))
		memcpy(r->request_id, rid, strlen(rid) + 1);
	else
		kh_request_id_new(r->request_id);
	set_client_ip(r);
	kh_server_request_begin(srv);
	return r;
}

/* First call: route, check limits and headers. May queue an immediate 413. */
static enum MHD_Result first_call(struct kh_http_req *r, const char *url)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	const char *allow = NULL;
	const char *cl;

	r->route_label = N_ROUTES; /* "other" until a route matches */
	if (url_length(r->conn, url) > cfg->max_url) {
		r->early_err = KH_ERR_URI_TOO_LONG;
		return MHD_YES;
	}
	r->route = route_find(r->method, url, &allow, &r->route_label);
	if (r->route == NULL) {
		r->early_err = allow != NULL ? KH_ERR_METHOD : KH_ERR_NOT_FOUND;
		r->allow = allow;
		return MHD_YES;
	}
	r->route_label = (unsigned)(r->route - routes);
	if ((r->route->flags & KH_ROUTE_AUTH) != 0 && !authorized(r)) {
		r->early_err = KH_ERR_UNAUTHORIZED;
		return MHD_YES;
	}
	if ((r->route->flags & KH_ROUTE_BODY) == 0)
		return MHD_YES;
	r->body_limit = (r->route->flags & KH_ROUTE_BATCH) != 0 ? cfg->batch_max_body : cfg->max_body;
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);

		if (n > r->body_limit) {
			/* Answer before reading the body; MHD closes the connection after it. */
			r->too_large = true;
			return kh_http_reply_error(r, KH_ERR_TOO_LARGE, "the body is %llu bytes; the limit is %zu",
						   n, r->body_limit);
		}
		if (*end == '\0' && n > 0) {
			/* Size the buffer from Content-Length, but let a client that announces a big
			 * body and sends nothing cost at most KH_HTTP_PREALLOC_MAX. */
			size_t cap = (size_t)(n < KH_HTTP_PREALLOC_MAX ? n : KH_HTTP_PREALLOC_MAX) + 1;

			r->body = malloc(cap);
			if (r->body == NULL)
				return MHD_NO;
			r->body_cap = cap;
		}
	}
	if (r->route->check != NULL)
		r->early_err = r->route->check(r);
	return MHD_YES;
}

/* Keep body bytes up to the limit; past it, drop them and remember. */
static enum MHD_Result take_body(struct kh_http_req *r, const char *data, size_t size)
{
	bool keep = r->route != NULL && (r->route->flags & KH_ROUTE_BODY) != 0 && r->early_err == KH_ERR__MAX;

	r->bytes_in += size;
	if (!keep)
		return r->bytes_in > (uint64_t)KH_HTTP_DISCARD_SLACK * 4 ? MHD_NO : MHD_YES;
	if (r->too_large || r->body_len + size > r->body_limit) {
		if (!r->too_large) {
			free(r->body);
			r->body = NULL;
			r->body_len = r->body_cap = 0;
			r->too_large = true;
		}
		return r->bytes_in > (uint64_t)r->body_limit + KH_HTTP_DISCARD_SLACK ? MHD_NO : MHD_YES;
	}
	if (r->body_len + size + 1 > r->body_cap) {
		size_t ncap = r->body_cap != 0 ? r->body_cap : 4096;
		char *nb;

		while (ncap < r->body_len + size + 1)
			ncap *= 2;
		if (ncap > r->body_limit + 1)
			ncap = r->body_limit + 1;
		nb = realloc(r->body, ncap);
		if (nb == NULL)
			return MHD_NO;
		r->body = nb;
		r->body_cap = ncap;
	}
	memcpy(r->body + r->body_len, data, size);
	r->body_len += size;
	r->body[r->body_len] = '\0';
	return MHD_YES;
}

enum MHD_Result kh_http_access(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct kh_http_req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		r = req_new(cls, conn, url, method);
		if (r == NULL)
			return MHD_NO;
		*con_cls = r;
		/* Answer on a later call: a response queued on the first call makes MHD close
		 * the connection (see LIBRARIES.md 2.1, keep-alive pitfall). */
		return first_call(r, url);
	}
	if (*upload_data_size != 0) {
		enum MHD_Result ret = take_body(r, upload_data, *upload_data_size);

		*upload_data_size = 0;
		return ret;
	}
	if (r->status != 0)
		return MHD_YES; /* already answered (early 413) */
	if (r->early_err != KH_ERR__MAX)
		return kh_http_reply_error(r, r->early_err, NULL);
	if (r->too_large)
		return kh_http_reply_error(r, KH_ERR_TOO_LARGE, "the body is over the limit of %zu bytes",
					   r->body_limit);
	return r->route->handler(r);
}

static const char *outcome_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return "completed";
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "read_error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	default:
		return "unknown";
	}
}

void kh_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		       enum MHD_RequestTerminationCode toe)
{
	struct kh_http_req *r = *con_cls;
	struct kh_server *srv = cls;
	double secs;

	(void)conn;
	if (r == NULL)
		return;
	*con_cls = NULL;
	secs = (double)(kh_now_ns() - r->t_start_ns) * 1e-9;
	kh_metrics_request(kh_server_metrics(srv), r->route_label, r->method, r->status != 0 ? r->status : 499,
			   secs, r->route != NULL && (r->route->flags & KH_ROUTE_BODY) != 0, r->bytes_in);
	if (kh_server_config(srv)->access_log) {
		struct kh_log_access a = {
			.request_id = r->request_id,
			.method = r->method,
			.route = r->route != NULL ? r->route->path : NULL,
			.path = r->path,
			.client_ip = r->client_ip,
			.error_code = r->error_code,
			.outcome = outcome_name(toe),
			.status = r->status,
			.bytes_in = r->bytes_in,
			.bytes_out = r->bytes_out,
			.duration_ms = secs * 1e3,
		};

		kh_log_access(&a);
	}
	if (r->hctx_free != NULL)
		r->hctx_free(r->hctx);
	free(r->body);
	free(r->path);
	free(r);
	kh_server_request_end(srv);
}
