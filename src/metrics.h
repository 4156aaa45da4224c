/* SPDX-License-Identifier: MIT */
/**
 * @file metrics.h
 * Prometheus metrics of the service: lock-free counters and fixed-bucket
 * histograms (stdatomic), rendered in the text exposition format 0.0.4.
 * Labels are bounded: route templates, methods, status codes, stage names.
 */
#ifndef KHABAR_METRICS_H
#define KHABAR_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Why a request was refused (label of kh_http_rejected_total). */
enum kh_reject_reason {
	KH_REJECT_TOO_LARGE = 0,
	KH_REJECT_QUEUE_FULL,
	KH_REJECT_DEADLINE,
	KH_REJECT_BAD_JSON,
	KH_REJECT_BAD_INPUT,
	KH_REJECT_MEDIA_TYPE,
	KH_REJECT_UNAUTHORIZED,
	KH_REJECT_URI_TOO_LONG,
	KH_REJECT_DRAINING,
	KH_REJECT__MAX,
	KH_REJECT_NONE = -1,
};

/** Fixed label sets and build information. Strings must outlive the metrics. */
struct kh_metrics_labels {
	const char *const *routes; /**< route templates; index n_routes is "other" */
	unsigned n_routes;
	const char *const *stages; /**< analysis stage names */
	unsigned n_stages;
	const char *version, *mhd, *jansson, *icu;
};

/** Values read at scrape time. */
struct kh_metrics_gauges {
	uint64_t queued;
	uint64_t inflight;
	uint64_t workers;
	uint64_t jobs_on_workers;  /**< jobs run on a worker thread so far */
	uint64_t jobs_on_polling;  /**< jobs run on the polling thread that read them */
	uint64_t connections;
	bool draining;
};

struct kh_metrics;

/** @return new metrics (start time = now), or NULL on OOM */
struct kh_metrics *kh_metrics_new(const struct kh_metrics_labels *labels);

/** Free. Accepts NULL. @return NULL */
struct kh_metrics *kh_metrics_free(struct kh_metrics *m);

/**
 * Count one answered request.
 * @param[in] route index into labels.routes, or n_routes for "other"
 * @param[in] method the HTTP method (anything but GET/HEAD/POST counts as "other")
 * @param[in] body_bytes request body size; observed only when @p has_body
 */
void kh_metrics_request(struct kh_metrics *m, unsigned route, const char *method, unsigned status,
			double seconds, bool has_body, uint64_t body_bytes);

/** Count one refused request. */
void kh_metrics_rejected(struct kh_metrics *m, enum kh_reject_reason reason);

/** Observe the stage times of one analysed document (n = labels.n_stages entries). */
void kh_metrics_stages(struct kh_metrics *m, const double *stage_seconds);

/** Observe the memory one analysed document held (kh_doc_memory). */
void kh_metrics_doc_memory(struct kh_metrics *m, size_t bytes);

/** Count a lexicon reload (SIGHUP). */
void kh_metrics_reload(struct kh_metrics *m, bool ok);

/**
 * Render every metric family.
 * @param[out] ret_len length of the text
 * @return malloc'd text ending in a newline, or NULL on OOM
 */
char *kh_metrics_render(const struct kh_metrics *m, const struct kh_metrics_gauges *g, size_t *ret_len);

#endif
