/* SPDX-License-Identifier: MIT */
/**
 * @file server.h
 * `khabar serve`: the libmicrohttpd daemon, the job queue and worker pool, the
 * current pipeline (swapped on SIGHUP), and the graceful shutdown.
 */
#ifndef KHABAR_SERVER_H
#define KHABAR_SERVER_H

#include <stdbool.h>
#include <time.h>

#include "config.h"

struct kh_server;
struct kh_jobq;
struct kh_metrics;
struct kh_pipeline;
struct kh_proxy_list;

/**
 * Load the pipeline, start the workers and the daemon.
 * @param[in] cfg the effective configuration (borrowed; must outlive the server)
 * @param[out] ret_srv the running server
 * @return 0, or a negative errno (the reason is logged)
 */
int kh_server_start(const struct kh_config *cfg, struct kh_server **ret_srv);

/**
 * Wait for signals: SIGHUP reloads the lexicons, SIGTERM/SIGINT drain and stop.
 * The caller must have blocked SIGTERM, SIGINT, SIGHUP and SIGPIPE in every thread.
 * @return 0 after a clean shutdown
 */
int kh_server_wait(struct kh_server *srv);

/** Stop everything (drain first when still running) and free. Accepts NULL. @return NULL */
struct kh_server *kh_server_free(struct kh_server *srv);


/* Accessors for the HTTP handlers. */
const struct kh_config *kh_server_config(const struct kh_server *srv);
struct kh_jobq *kh_server_jobq(struct kh_server *srv);
struct kh_metrics *kh_server_metrics(struct kh_server *srv);
const struct kh_proxy_list *kh_server_proxies(const struct kh_server *srv);
bool kh_server_draining(const struct kh_server *srv);

/**
 * @return true when API keys are configured and @p token (@p len bytes) is one of the
 *         current ones (SIGHUP reloads the key file with the lexicons)
 */
bool kh_server_key_ok(struct kh_server *srv, const char *token, size_t len);

/** @return true when API keys are configured */
bool kh_server_auth_enabled(const struct kh_server *srv);

/** Count a request as in progress (first call) or finished (completed callback). */
void kh_server_request_begin(struct kh_server *srv);
void kh_server_request_end(struct kh_server *srv);

/** @return open connections, as libmicrohttpd counts them */
unsigned kh_server_connections(const struct kh_server *srv);

/**
 * The current pipeline with a reference taken (kh_pipeline_unref when done).
 * @param[out] ret_generation how many loads it took to get here (1 = the first), may be NULL
 * @param[out] ret_loaded_at when it was loaded, may be NULL
 */
struct kh_pipeline *kh_server_pipeline(struct kh_server *srv, unsigned *ret_generation,
				       time_t *ret_loaded_at);

#endif
