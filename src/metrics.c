/* SPDX-License-Identifier: MIT */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

#define N_METHODS 4
#define N_CODES 500 /* 100..599 */

static const char *const method_names[N_METHODS] = { "GET", "HEAD", "POST", "other" };
static const char *const reject_names[KH_REJECT__MAX] = {
	"too_large", "queue_full", "deadline", "bad_json", "bad_input",
	"media_type", "unauthorized", "uri_too_long", "draining",
};

static const double duration_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					  0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
static const double stage_bounds[] = { 0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005,
				       0.01,    0.05,    0.1,    0.5,    1,     5 };
static const double bytes_bounds[] = { 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216 };
static const double docmem_bounds[] = { 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456 };

#define N_DURATION (sizeof(duration_bounds) / sizeof(duration_bounds[0]))
#define N_STAGE_B (sizeof(stage_bounds) / sizeof(stage_bounds[0]))
#define N_BYTES (sizeof(bytes_bounds) / sizeof(bytes_bounds[0]))
#define N_DOCMEM (sizeof(docmem_bounds) / sizeof(docmem_bounds[0]))
#define MAX_BUCKETS 16

struct hist {
	atomic_uint_fast64_t buckets[MAX_BUCKETS]; /* non-cumulative; index n is +Inf */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum; /* nanoseconds or bytes */
};

struct kh_metrics {
	struct kh_metrics_labels l;
	double start_time;
	atomic_uint_fast64_t *requests; /* [route][method][code] */
	struct hist *duration;          /* [route] */
	struct hist body;
	struct hist *stages;            /* [stage] */
	struct hist doc_memory;
	atomic_uint_fast64_t rejected[KH_REJECT__MAX];
	atomic_uint_fast64_t reloads[2]; /* failed, ok */
};

struct kh_metrics *kh_metrics_new(const struct kh_metrics_labels *labels)
{
	struct kh_metrics *m = calloc(1, sizeof(*m));
	struct timespec ts;
	size_t n_req;

	if (m == NULL)
		return NULL;
	m->l = *labels;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_time = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	n_req = (size_t)(labels->n_routes + 1) * N_METHODS * N_CODES;
	m->requests = calloc(n_req, sizeof(*m->requests));
	m->duration = calloc(labels->n_routes + 1, sizeof(*m->duration));
	m->stages = calloc(labels->n_stages + 1, sizeof(*m->stages));
	if (m->requests == NULL || m->duration == NULL || m->stages == NULL)
		return kh_metrics_free(m);
	return m;
}

struct kh_metrics *kh_metrics_free(struct kh_metrics *m)
{
	if (m == NULL)
		return NULL;
	free(m->requests);
	free(m->duration);
	free(m->stages);
	free(m);
	return NULL;
}

static unsigned method_index(const char *method)
{
	for (unsigned i = 0; i < N_METHODS - 1; i++)
		if (strcmp(method, method_names[i]) == 0)
			return i;
	return N_METHODS - 1;
}

static void observe(struct hist *h, const double *bounds, size_t n, double value, uint64_t sum_add)
{
	size_t i = 0;

	while (i < n && value > bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, sum_add, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

void kh_metrics_request(struct kh_metrics *m, unsigned route, const char *method, unsigned status,
			double seconds, bool has_body, uint64_t body_bytes)
{
	size_t idx;

	if (m == NULL)
		return;
	if (route > m->l.n_routes)
		route = m->l.n_routes;
	if (status < 100 || status > 599)
		status = 599;
	idx = ((size_t)route * N_METHODS + method_index(method)) * N_CODES + (status - 100);
	atomic_fetch_add_explicit(&m->requests[idx], 1, memory_order_relaxed);
	if (seconds < 0)
		seconds = 0;
	observe(&m->duration[route], duration_bounds, N_DURATION, seconds, (uint64_t)(seconds * 1e9));
	if (has_body)
		observe(&m->body, bytes_bounds, N_BYTES, (double)body_bytes, body_bytes);
}

void kh_metrics_rejected(struct kh_metrics *m, enum kh_reject_reason reason)
{
	if (m != NULL && reason >= 0 && reason < KH_REJECT__MAX)
		atomic_fetch_add_explicit(&m->rejected[reason], 1, memory_order_relaxed);
}

void kh_metrics_doc_memory(struct kh_metrics *m, size_t bytes)
{
	observe(&m->doc_memory, docmem_bounds, N_DOCMEM, (double)bytes, bytes);
}

void kh_metrics_stages(struct kh_metrics *m, const double *stage_seconds)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->l.n_stages; i++) {
		double s = stage_seconds[i] < 0 ? 0 : stage_seconds[i];

		observe(&m->stages[i], stage_bounds, N_STAGE_B, s, (uint64_t)(s * 1e9));
	}
}

void kh_metrics_reload(struct kh_metrics *m, bool ok)
{
	if (m != NULL)
		atomic_fetch_add_explicit(&m->reloads[ok ? 1 : 0], 1, memory_order_relaxed);
}

/* A label value with \\, \" and \n escaped. */
static void label_value(struct kh_buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			kh_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			kh_buf_puts(b, "\\n");
		else
			kh_buf_add(b, v, 1);
	}
}

static void family(struct kh_buf *b, const char *name, const char *type, const char *help)
{
	kh_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram series; label is "name=\"value\"," or "". sum_scale turns the sum into base units. */
static void render_hist(struct kh_buf *b, const char *name, const char *lname, const char *lvalue,
			const struct hist *h, const double *bounds, size_t n, double sum_scale)
{
	uint64_t cum = 0;
	struct kh_buf lab = { 0 };

	if (lname != NULL) {
		kh_buf_printf(&lab, "%s=\"", lname);
		label_value(&lab, lvalue);
		kh_buf_puts(&lab, "\",");
	}
	for (size_t i = 0; i <= n; i++) {
		cum += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
		if (i < n)
			kh_buf_printf(b, "%s_bucket{%sle=\"%.10g\"} %llu\n", name, lab.data != NULL ? lab.data : "",
				      bounds[i], (unsigned long long)cum);
		else
			kh_buf_printf(b, "%s_bucket{%sle=\"+Inf\"} %llu\n", name,
				      lab.data != NULL ? lab.data : "", (unsigned long long)cum);
	}
	if (lab.len > 0)
		lab.data[--lab.len] = '\0'; /* drop the trailing comma */
	kh_buf_printf(b, "%s_sum%s%s%s %.9g\n", name, lab.len > 0 ? "{" : "", lab.len > 0 ? lab.data : "",
		      lab.len > 0 ? "}" : "",
		      (double)atomic_load_explicit(&h->sum, memory_order_relaxed) * sum_scale);
	kh_buf_printf(b, "%s_count%s%s%s %llu\n", name, lab.len > 0 ? "{" : "", lab.len > 0 ? lab.data : "",
		      lab.len > 0 ? "}" : "",
		      (unsigned long long)atomic_load_explicit(&h->count, memory_order_relaxed));
	kh_buf_done(&lab);
}

static const char *route_label(const struct kh_metrics *m, unsigned r)
{
	return r < m->l.n_routes ? m->l.routes[r] : "other";
}

/* A route template can appear under several methods; print each distinct one once. */
static bool first_of_route(const struct kh_metrics *m, unsigned r)
{
	for (unsigned i = 0; i < r && r < m->l.n_routes; i++)
		if (strcmp(m->l.routes[i], m->l.routes[r]) == 0)
			return false;
	return true;
}

static void render_requests(struct kh_buf *b, const struct kh_metrics *m)
{
	family(b, "kh_http_requests_total", "counter",
	       "HTTP requests answered, by route template, method and status code.");
	for (unsigned r = 0; r <= m->l.n_routes; r++) {
		for (unsigned me = 0; me < N_METHODS; me++) {
			for (unsigned c = 0; c < N_CODES; c++) {
				size_t idx = ((size_t)r * N_METHODS + me) * N_CODES + c;
				uint64_t v = atomic_load_explicit(&m->requests[idx], memory_order_relaxed);

				if (v == 0)
					continue;
				kh_buf_puts(b, "kh_http_requests_total{route=\"");
				label_value(b, route_label(m, r));
				kh_buf_printf(b, "\",method=\"%s\",code=\"%u\"} %llu\n", method_names[me], c + 100,
					      (unsigned long long)v);
			}
		}
	}
	family(b, "kh_http_request_duration_seconds", "histogram",
	       "Time from the request line to the end of the response, by route template.");
	for (unsigned r = 0; r <= m->l.n_routes; r++) {
		if (!first_of_route(m, r))
			continue;
		render_hist(b, "kh_http_request_duration_seconds", "route", route_label(m, r), &m->duration[r],
			    duration_bounds, N_DURATION, 1e-9);
	}
	family(b, "kh_http_request_body_bytes", "histogram", "Size of request bodies received.");
	render_hist(b, "kh_http_request_body_bytes", NULL, NULL, &m->body, bytes_bounds, N_BYTES, 1);
	family(b, "kh_http_rejected_total", "counter", "Requests refused, by reason.");
	for (int i = 0; i < KH_REJECT__MAX; i++)
		kh_buf_printf(b, "kh_http_rejected_total{reason=\"%s\"} %llu\n", reject_names[i],
			      (unsigned long long)atomic_load_explicit(&m->rejected[i], memory_order_relaxed));
}

char *kh_metrics_render(const struct kh_metrics *m, const struct kh_metrics_gauges *g, size_t *ret_len)
{
	struct kh_buf b = { 0 };

	render_requests(&b, m);
	family(&b, "kh_jobs_queued", "gauge", "Analysis jobs waiting for a worker.");
	kh_buf_printf(&b, "kh_jobs_queued %llu\n", (unsigned long long)g->queued);
	family(&b, "kh_jobs_inflight", "gauge", "Analysis jobs running (on a worker or a polling thread).");
	kh_buf_printf(&b, "kh_jobs_inflight %llu\n", (unsigned long long)g->inflight);
	family(&b, "kh_jobs_run_total", "counter",
	       "Analysis jobs run, by thread: a worker, or the polling thread that read a short text.");
	kh_buf_printf(&b, "kh_jobs_run_total{thread=\"worker\"} %llu\n", (unsigned long long)g->jobs_on_workers);
	kh_buf_printf(&b, "kh_jobs_run_total{thread=\"polling\"} %llu\n", (unsigned long long)g->jobs_on_polling);
	family(&b, "kh_workers", "gauge", "Analysis worker threads.");
	kh_buf_printf(&b, "kh_workers %llu\n", (unsigned long long)g->workers);
	family(&b, "kh_http_connections", "gauge", "Open HTTP connections.");
	kh_buf_printf(&b, "kh_http_connections %llu\n", (unsigned long long)g->connections);
	family(&b, "kh_draining", "gauge", "1 while the server shuts down.");
	kh_buf_printf(&b, "kh_draining %d\n", g->draining ? 1 : 0);
	family(&b, "kh_document_memory_bytes", "histogram",
	       "Memory one document held while it was analysed (text, tokens, entities, ...).");
	render_hist(&b, "kh_document_memory_bytes", NULL, NULL, &m->doc_memory, docmem_bounds, N_DOCMEM, 1);
	family(&b, "kh_stage_duration_seconds", "histogram", "Time spent in each analysis stage per document.");
	for (unsigned s = 0; s < m->l.n_stages; s++)
		render_hist(&b, "kh_stage_duration_seconds", "stage", m->l.stages[s], &m->stages[s], stage_bounds,
			    N_STAGE_B, 1e-9);
	family(&b, "kh_lexicon_reloads_total", "counter", "Lexicon reloads (SIGHUP), by result.");
	kh_buf_printf(&b, "kh_lexicon_reloads_total{result=\"ok\"} %llu\n",
		      (unsigned long long)atomic_load(&m->reloads[1]));
	kh_buf_printf(&b, "kh_lexicon_reloads_total{result=\"failed\"} %llu\n",
		      (unsigned long long)atomic_load(&m->reloads[0]));
	family(&b, "kh_build_info", "gauge", "Version of khabar and of the libraries it runs on.");
	kh_buf_puts(&b, "kh_build_info{version=\"");
	label_value(&b, m->l.version);
	kh_buf_puts(&b, "\",mhd=\"");
	label_value(&b, m->l.mhd);
	kh_buf_puts(&b, "\",jansson=\"");
	label_value(&b, m->l.jansson);
	kh_buf_puts(&b, "\",icu=\"");
	label_value(&b, m->l.icu);
	kh_buf_puts(&b, "\"} 1\n");
	family(&b, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.");
	kh_buf_printf(&b, "process_start_time_seconds %.3f\n", m->start_time);
	return kh_buf_steal(&b, ret_len);
}
