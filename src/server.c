/* SPDX-License-Identifier: MIT */
/* The daemon, the pipeline holder (SIGHUP reload), signals and graceful shutdown. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uversion.h>
#include <unistd.h>

#include "apikey.h"
#include "doc.h"
#include "http.h"
#include "jobq.h"
#include "khabar/khabar.h"
#include "log.h"
#include "metrics.h"
#include "proxy.h"

/* Request headers (and the URL) must fit in this per-connection pool; 431 above. */
#define KH_HTTP_CONNECTION_MEMORY (64u * 1024u)
#define KH_HTTP_LISTEN_BACKLOG 1024u
/* After the drain timeout, how long the 503s of expired jobs may take to go out. */
#define KH_SHUTDOWN_FLUSH_MS 1000u
#define KH_MAX_LEXICONS 64

struct kh_server {
	const struct kh_config *cfg;
	struct MHD_Daemon *daemon;
	struct kh_jobq *jobq;
	struct kh_metrics *metrics;
	struct kh_proxy_list *proxies;
	struct kh_apikeys *keys;                /* under pipe_lock: SIGHUP swaps it */
	char *lexicon_store;                    /* the comma-separated list, split in place */
	const char *lexicons[KH_MAX_LEXICONS + 1];
	char icu_version[U_MAX_VERSION_STRING_LENGTH];
	unsigned port;

	pthread_mutex_t pipe_lock;
	struct kh_pipeline *pipe; /* the current one; each job takes its own reference */
	unsigned pipe_generation;
	time_t pipe_loaded_at;

	pthread_t reload_thread;
	bool reload_started;
	atomic_bool reload_running;

	atomic_bool draining;
	atomic_uint active; /* requests between their first call and completion */
	bool stopped;
};

const struct kh_config *kh_server_config(const struct kh_server *srv) { return srv->cfg; }
struct kh_jobq *kh_server_jobq(struct kh_server *srv) { return srv->jobq; }
struct kh_metrics *kh_server_metrics(struct kh_server *srv) { return srv->metrics; }
const struct kh_proxy_list *kh_server_proxies(const struct kh_server *srv) { return srv->proxies; }
bool kh_server_draining(const struct kh_server *srv) { return atomic_load(&srv->draining); }
/* Keys are configured or not for the whole run (a reload never turns them on or off). */
bool kh_server_auth_enabled(const struct kh_server *srv) { return srv->cfg->api_key_file[0] != '\0'; }

bool kh_server_key_ok(struct kh_server *srv, const char *token, size_t len)
{
	bool ok;

	pthread_mutex_lock(&srv->pipe_lock);
	ok = kh_apikeys_check(srv->keys, token, len);
	pthread_mutex_unlock(&srv->pipe_lock);
	return ok;
}

void kh_server_request_begin(struct kh_server *srv)
{
	atomic_fetch_add(&srv->active, 1);
}

void kh_server_request_end(struct kh_server *srv)
{
	atomic_fetch_sub(&srv->active, 1);
}

unsigned kh_server_connections(const struct kh_server *srv)
{
	const union MHD_DaemonInfo *info;

	if (srv->daemon == NULL)
		return 0;
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info != NULL ? info->num_connections : 0;
}

struct kh_pipeline *kh_server_pipeline(struct kh_server *srv, unsigned *ret_generation,
				       time_t *ret_loaded_at)
{
	struct kh_pipeline *p;

	pthread_mutex_lock(&srv->pipe_lock);
	p = kh_pipeline_ref(srv->pipe);
	if (ret_generation != NULL)
		*ret_generation = srv->pipe_generation;
	if (ret_loaded_at != NULL)
		*ret_loaded_at = srv->pipe_loaded_at;
	pthread_mutex_unlock(&srv->pipe_lock);
	return p;
}

/* ---- pipeline loading ----------------------------------------------------------------------- */

static int split_lexicons(struct kh_server *srv)
{
	int r = kh_cfg_split_list(srv->cfg->lexicons, &srv->lexicon_store, srv->lexicons, KH_MAX_LEXICONS);

	if (r == -E2BIG)
		kh_log(KH_LOG_ERROR, NULL, "setting 'lexicons': more than %d files", KH_MAX_LEXICONS);
	return r < 0 ? r : 0;
}

static struct kh_pipeline *load_pipeline(struct kh_server *srv, double *ret_ms)
{
	struct kh_pipeline_options o = { .data_dir = srv->cfg->data_dir, .extra_lexicons = srv->lexicons };
	uint64_t t0 = kh_now_ns();
	char *err = NULL;
	struct kh_pipeline *p = kh_pipeline_new(&o, &err);

	*ret_ms = (double)(kh_now_ns() - t0) / 1e6;
	if (p == NULL) {
		kh_log(KH_LOG_ERROR, NULL, "cannot load the lexicons: %s", err != NULL ? err : "unknown error");
		free(err);
	}
	return p;
}

/* The key file again, for a reload; NULL (and *ret_ok false) when it cannot be read. */
static struct kh_apikeys *reload_keys(struct kh_server *srv, bool *ret_ok)
{
	struct kh_apikeys *keys = NULL;
	char *err = NULL;

	*ret_ok = true;
	if (!kh_server_auth_enabled(srv))
		return NULL;
	if (kh_apikeys_load(srv->cfg->api_key_file, &keys, &err) < 0) {
		kh_log(KH_LOG_ERROR, NULL, "setting 'api_key_file': %s", err != NULL ? err : "cannot load");
		free(err);
		*ret_ok = false;
		return NULL;
	}
	return keys;
}

static void *reload_main(void *arg)
{
	struct kh_server *srv = arg;
	double ms;
	struct kh_pipeline *p = load_pipeline(srv, &ms), *old;
	struct kh_apikeys *keys = NULL, *old_keys = NULL;
	bool keys_ok = false;
	unsigned gen;

	if (p != NULL)
		keys = reload_keys(srv, &keys_ok);
	if (p == NULL || !keys_ok) {
		kh_pipeline_unref(p);
		kh_log(KH_LOG_ERROR, NULL, "reload failed; the previous lexicons and keys stay in use");
		kh_metrics_reload(srv->metrics, false);
		atomic_store(&srv->reload_running, false);
		return NULL;
	}
	pthread_mutex_lock(&srv->pipe_lock);
	old = srv->pipe;
	srv->pipe = p;
	if (keys != NULL) {
		old_keys = srv->keys;
		srv->keys = keys;
	}
	gen = ++srv->pipe_generation;
	srv->pipe_loaded_at = time(NULL);
	pthread_mutex_unlock(&srv->pipe_lock);
	kh_metrics_reload(srv->metrics, true);
	kh_log(KH_LOG_INFO, NULL, "lexicons%s reloaded (generation %u, %.1f ms)", keys != NULL ? " and API keys" : "",
	       gen, ms);
	/* the new generation is visible: a SIGHUP from now on must start a new
	 * reload (start_reload joins this thread first, so freeing the old
	 * pipeline and keys below still finishes before it) */
	atomic_store(&srv->reload_running, false);
	kh_pipeline_unref(old); /* freed once the last job that holds it finishes */
	kh_apikeys_free(old_keys);
	return NULL;
}

static void start_reload(struct kh_server *srv)
{
	if (atomic_load(&srv->reload_running)) {
		kh_log(KH_LOG_WARN, NULL, "SIGHUP ignored: a reload is already running");
		return;
	}
	if (srv->reload_started)
		pthread_join(srv->reload_thread, NULL);
	srv->reload_started = false;
	atomic_store(&srv->reload_running, true);
	if (pthread_create(&srv->reload_thread, NULL, reload_main, srv) != 0) {
		atomic_store(&srv->reload_running, false);
		kh_log(KH_LOG_ERROR, NULL, "cannot start the reload thread");
		return;
	}
	srv->reload_started = true;
}

/* ---- daemon --------------------------------------------------------------------------------- */

/* fmt is libmicrohttpd's own format string; the attribute tells the compiler so. */
__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	kh_log(KH_LOG_WARN, NULL, "libmicrohttpd: %s", msg);
}

static int start_daemon(struct kh_server *srv)
{
	const struct kh_config *cfg = srv->cfg;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;

	if (inet_pton(AF_INET, cfg->bind, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->bind, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			flags |= MHD_USE_DUAL_STACK;
	} else {
		kh_log(KH_LOG_ERROR, NULL, "setting 'bind': '%s' is not an address", cfg->bind);
		return -EINVAL;
	}
	srv->daemon = MHD_start_daemon(
		flags, (uint16_t)cfg->port, NULL, NULL, kh_http_access, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv, /* first, so that it sees every message */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->polling_threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->connection_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)KH_HTTP_CONNECTION_MEMORY,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)KH_HTTP_LISTEN_BACKLOG,
		MHD_OPTION_NOTIFY_COMPLETED, kh_http_completed, srv,
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		kh_log(KH_LOG_ERROR, NULL, "cannot listen on %s port %u (in use, or not allowed?)", cfg->bind,
		       cfg->port);
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL && info->port != 0 ? info->port : cfg->port;
	return 0;
}

static int start_parts(struct kh_server *srv)
{
	const struct kh_config *cfg = srv->cfg;
	unsigned n_routes;
	struct kh_metrics_labels labels = { 0 };
	static const char *stages[KH_STAGE__MAX];
	UVersionInfo icu;
	char *err = NULL;
	double ms;
	int r;

	r = split_lexicons(srv);
	if (r < 0)
		return r;
	r = kh_proxy_list_parse(cfg->trusted_proxies, &srv->proxies, NULL);
	if (r < 0) {
		kh_log(KH_LOG_ERROR, NULL, "setting 'trusted_proxies' is invalid");
		return r;
	}
	if (cfg->api_key_file[0] != '\0') {
		r = kh_apikeys_load(cfg->api_key_file, &srv->keys, &err);
		if (r < 0) {
			kh_log(KH_LOG_ERROR, NULL, "setting 'api_key_file': %s", err != NULL ? err : "cannot load");
			free(err);
			return r;
		}
	}
	for (int i = 0; i < KH_STAGE__MAX; i++)
		stages[i] = kh_stage_name((enum kh_stage)i);
	u_getVersion(icu);
	u_versionToString(icu, srv->icu_version);
	labels.routes = kh_http_route_labels(&n_routes);
	labels.n_routes = n_routes;
	labels.stages = stages;
	labels.n_stages = KH_STAGE__MAX;
	labels.version = KH_VERSION;
	labels.mhd = MHD_get_version();
	labels.jansson = JANSSON_VERSION;
	labels.icu = srv->icu_version;
	srv->metrics = kh_metrics_new(&labels);
	if (srv->metrics == NULL)
		return -ENOMEM;
	srv->pipe = load_pipeline(srv, &ms);
	if (srv->pipe == NULL)
		return -EINVAL;
	srv->pipe_generation = 1;
	srv->pipe_loaded_at = time(NULL);
	kh_log(KH_LOG_INFO, NULL, "lexicons loaded from %s in %.1f ms", cfg->data_dir, ms);
	r = kh_jobq_new(cfg->workers, cfg->queue_length, &srv->jobq);
	if (r < 0) {
		kh_log(KH_LOG_ERROR, NULL, "cannot start %u workers: %s", cfg->workers, strerror(-r));
		return r;
	}
	return start_daemon(srv);
}

int kh_server_start(const struct kh_config *cfg, struct kh_server **ret_srv)
{
	struct kh_server *srv = calloc(1, sizeof(*srv));
	int r;

	if (srv == NULL)
		return -ENOMEM;
	srv->cfg = cfg;
	pthread_mutex_init(&srv->pipe_lock, NULL);
	atomic_init(&srv->draining, false);
	atomic_init(&srv->active, 0);
	atomic_init(&srv->reload_running, false);
	r = start_parts(srv);
	if (r < 0) {
		kh_server_free(srv);
		return r;
	}
	kh_log(KH_LOG_INFO, NULL, "listening on %s port %u (%u workers, queue %u, %u polling threads%s)",
	       cfg->bind, srv->port, cfg->workers, cfg->queue_length, cfg->polling_threads,
	       srv->keys != NULL ? ", API keys required" : "");
	*ret_srv = srv;
	return 0;
}

/* ---- shutdown ------------------------------------------------------------------------------- */

/* Wait until no request is in progress, up to @p ms; a second SIGTERM/SIGINT cuts it short. */
static bool wait_idle(struct kh_server *srv, unsigned ms)
{
	uint64_t end = kh_now_ns() + (uint64_t)ms * 1000000u;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (atomic_load(&srv->active) > 0) {
		struct timespec step = { .tv_sec = 0, .tv_nsec = 20 * 1000000 };

		if (kh_now_ns() >= end)
			return false;
		if (sigtimedwait(&set, NULL, &step) > 0) {
			kh_log(KH_LOG_WARN, NULL, "second stop signal: not waiting any longer");
			return false;
		}
	}
	return true;
}

static void shutdown_server(struct kh_server *srv)
{
	unsigned left;

	if (srv->stopped)
		return;
	srv->stopped = true;
	atomic_store(&srv->draining, true);
	if (srv->daemon != NULL) {
		MHD_socket ls = MHD_quiesce_daemon(srv->daemon);

		/* Close at once: new connections get ECONNREFUSED instead of hanging in the backlog. */
		if (ls != MHD_INVALID_SOCKET)
			close(ls);
		kh_log(KH_LOG_INFO, NULL, "draining: %u requests in progress", atomic_load(&srv->active));
		if (!wait_idle(srv, srv->cfg->drain_timeout_ms)) {
			kh_jobq_close(srv->jobq);
			left = kh_jobq_expire_all(srv->jobq);
			kh_log(KH_LOG_WARN, NULL, "drain timeout: %u jobs cancelled", left);
			wait_idle(srv, KH_SHUTDOWN_FLUSH_MS);
		}
	}
	/* Nothing is suspended any more: every job is done or expired (and resumed). */
	if (srv->jobq != NULL) {
		kh_jobq_close(srv->jobq);
		kh_jobq_expire_all(srv->jobq);
	}
	if (srv->daemon != NULL) {
		MHD_stop_daemon(srv->daemon);
		srv->daemon = NULL;
	}
	srv->jobq = kh_jobq_free(srv->jobq);
	if (srv->reload_started) {
		pthread_join(srv->reload_thread, NULL);
		srv->reload_started = false;
	}
}

int kh_server_wait(struct kh_server *srv)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			kh_log(KH_LOG_INFO, NULL, "SIGHUP: reloading the lexicons");
			start_reload(srv);
			continue;
		}
		break;
	}
	kh_log(KH_LOG_INFO, NULL, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	shutdown_server(srv);
	kh_log(KH_LOG_INFO, NULL, "stopped cleanly");
	return 0;
}

struct kh_server *kh_server_free(struct kh_server *srv)
{
	if (srv == NULL)
		return NULL;
	shutdown_server(srv);
	kh_pipeline_unref(srv->pipe);
	kh_metrics_free(srv->metrics);
	kh_proxy_list_free(srv->proxies);
	kh_apikeys_free(srv->keys);
	free(srv->lexicon_store);
	pthread_mutex_destroy(&srv->pipe_lock);
	free(srv);
	return NULL;
}
