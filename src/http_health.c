/* SPDX-License-Identifier: MIT */
/* GET /healthz (liveness: the polling thread answers) and GET /readyz (readiness:
 * not draining, queue below its high-water mark).  Both are answered on the
 * polling thread and never wait in the job queue. */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "jobq.h"
#include "server.h"

static const char healthz_body[] = "{\"status\":\"ok\"}\n";

enum MHD_Result kh_http_healthz(struct kh_http_req *r)
{
	return kh_http_reply_static(r, MHD_HTTP_OK, "application/json", healthz_body, sizeof(healthz_body) - 1);
}

/* Not ready once this share of the queue is taken (at least one waiting job). */
#define KH_READY_HIGH_WATER_PCT 75u

enum MHD_Result kh_http_readyz(struct kh_http_req *r)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	struct kh_jobq *q = kh_server_jobq(r->srv);
	unsigned queued, inflight, high;
	char *body = NULL;
	int n;

	if (kh_server_draining(r->srv))
		return kh_http_reply_error(r, KH_ERR_NOT_READY, "the server is draining");
	kh_jobq_stats(q, &queued, &inflight);
	high = cfg->queue_length * KH_READY_HIGH_WATER_PCT / 100;
	if (high == 0)
		high = 1;
	if (queued >= high)
		return kh_http_reply_error(r, KH_ERR_NOT_READY, "%u jobs wait; the high-water mark is %u", queued,
					   high);
	n = asprintf(&body, "{\"status\":\"ready\",\"queued\":%u,\"inflight\":%u,\"workers\":%u}\n", queued,
		     inflight, kh_jobq_workers(q));
	if (n < 0)
		return MHD_NO;
	return kh_http_reply_steal(r, MHD_HTTP_OK, "application/json", body, (size_t)n, NULL, NULL);
}
