/* SPDX-License-Identifier: MIT */
/* Prometheus rendering: families, labels, cumulative buckets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "tap.h"

static const char *const routes[] = { "/v1/analyze", "/healthz", "/healthz" };
static const char *const stages[] = { "normalize", "segment" };

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

int main(void)
{
	struct kh_metrics_labels l = { .routes = routes, .n_routes = 3, .stages = stages, .n_stages = 2,
				       .version = "0.1.0", .mhd = "0.9.75", .jansson = "2.14", .icu = "72.1" };
	struct kh_metrics *m = kh_metrics_new(&l);
	struct kh_metrics_gauges g = { .queued = 3, .inflight = 2, .workers = 4, .connections = 5 };
	double st[2] = { 0.002, 0.00002 };
	size_t len = 0;
	char *text;

	tap_ok(m != NULL, "metrics created");
	kh_metrics_request(m, 0, "POST", 200, 0.003, true, 1500);
	kh_metrics_request(m, 0, "POST", 200, 0.2, true, 100);
	kh_metrics_request(m, 0, "POST", 413, 0.0001, true, 5000000);
	kh_metrics_request(m, 1, "HEAD", 200, 0.0001, false, 0);
	kh_metrics_request(m, 3, "BREW", 404, 0.0001, false, 0);
	kh_metrics_rejected(m, KH_REJECT_QUEUE_FULL);
	kh_metrics_rejected(m, KH_REJECT_QUEUE_FULL);
	kh_metrics_stages(m, st);
	kh_metrics_doc_memory(m, 300000);
	kh_metrics_reload(m, true);
	text = kh_metrics_render(m, &g, &len);
	tap_ok(text != NULL && len == strlen(text), "rendered");
	tap_ok(len > 0 && text[len - 1] == '\n', "ends with a newline");
	tap_ok(strstr(text, "kh_http_requests_total{route=\"/v1/analyze\",method=\"POST\",code=\"200\"} 2\n") != NULL,
	       "request counter by route, method, code");
	tap_ok(strstr(text, "kh_http_requests_total{route=\"other\",method=\"other\",code=\"404\"} 1\n") != NULL,
	       "unknown route and method fold into other");
	tap_ok(strstr(text, "kh_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"0.005\"} 2\n") != NULL,
	       "cumulative duration buckets");
	tap_ok(strstr(text, "kh_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"+Inf\"} 3\n") != NULL,
	       "+Inf bucket equals count");
	tap_ok(strstr(text, "kh_http_request_duration_seconds_count{route=\"/v1/analyze\"} 3\n") != NULL, "count");
	tap_is_int(count_lines(text, "kh_http_request_duration_seconds_count{route=\"/healthz\"}"), 1,
		   "a route template listed under two methods appears once");
	tap_ok(strstr(text, "kh_http_request_body_bytes_bucket{le=\"1024\"} 1\n") != NULL, "body size buckets");
	tap_ok(strstr(text, "kh_http_request_body_bytes_sum 5001600\n") != NULL, "body size sum in bytes");
	tap_ok(strstr(text, "kh_http_rejected_total{reason=\"queue_full\"} 2\n") != NULL, "rejections by reason");
	tap_ok(strstr(text, "kh_jobs_queued 3\n") != NULL && strstr(text, "kh_jobs_inflight 2\n") != NULL, "gauges");
	tap_ok(strstr(text, "kh_stage_duration_seconds_count{stage=\"segment\"} 1\n") != NULL, "stage histogram");
	tap_ok(strstr(text, "kh_document_memory_bytes_bucket{le=\"262144\"} 0\n") != NULL &&
		       strstr(text, "kh_document_memory_bytes_bucket{le=\"1048576\"} 1\n") != NULL &&
		       strstr(text, "kh_document_memory_bytes_sum 300000\n") != NULL,
	       "document memory histogram");
	tap_ok(strstr(text, "kh_build_info{version=\"0.1.0\",mhd=\"0.9.75\",jansson=\"2.14\",icu=\"72.1\"} 1\n") != NULL,
	       "build info");
	tap_ok(strstr(text, "process_start_time_seconds ") != NULL, "start time");
	tap_is_int(count_lines(text, "# TYPE kh_http_requests_total "), 1, "one TYPE line per family");
	tap_is_int(count_lines(text, "# HELP kh_http_requests_total "), 1, "one HELP line per family");
	free(text);
	kh_metrics_free(m);
	tap_ok(kh_metrics_free(NULL) == NULL, "free(NULL)");
	return tap_done();
}
