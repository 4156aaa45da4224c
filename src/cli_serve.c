/* SPDX-License-Identifier: MIT */
/* khabar serve: read the configuration, run the HTTP service until SIGTERM/SIGINT. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unicode/uclean.h>

#include "apikey.h"
#include "cli.h"
#include "config.h"
#include "khabar/khabar.h"
#include "log.h"
#include "segment.h"
#include "server.h"

#define KH_CLI_MAX_LEXICONS 64

/* --check-config also loads what the settings name, so a typo in a path shows now. */
static int check_resources(const struct kh_config *cfg)
{
	const char *lexicons[KH_CLI_MAX_LEXICONS + 1];
	struct kh_pipeline_options o = { .data_dir = cfg->data_dir, .extra_lexicons = lexicons };
	struct kh_apikeys *keys = NULL;
	struct kh_pipeline *p = NULL;
	char *store = NULL, *err = NULL;
	int rc = 0;

	if (kh_cfg_split_list(cfg->lexicons, &store, lexicons, KH_CLI_MAX_LEXICONS) < 0) {
		fprintf(stderr, "khabar serve: setting 'lexicons': more than %d files\n", KH_CLI_MAX_LEXICONS);
		return 1;
	}
	p = kh_pipeline_new(&o, &err);
	if (p == NULL) {
		fprintf(stderr, "khabar serve: lexicons: %s\n", err != NULL ? err : "cannot load");
		rc = 1;
	}
	free(err);
	err = NULL;
	kh_pipeline_unref(p);
	free(store);
	if (cfg->api_key_file[0] != '\0' && kh_apikeys_load(cfg->api_key_file, &keys, &err) < 0) {
		fprintf(stderr, "khabar serve: setting 'api_key_file': %s\n", err != NULL ? err : "cannot load");
		rc = 1;
	}
	free(err);
	kh_apikeys_free(keys);
	return rc;
}

int kh_cli_serve(int argc, char **argv)
{
	struct kh_config cfg;
	struct kh_server *srv = NULL;
	sigset_t set;
	char *err = NULL;
	int rc = 1;

	kh_cfg_init(&cfg);
	if (kh_cfg_load(&cfg, argc, argv, &err) < 0 ||
	    (!cfg.help && kh_cfg_finish(&cfg, kh_cli_default_data_dir(), &err) < 0)) {
		fprintf(stderr, "khabar serve: %s\n", err != NULL ? err : "invalid configuration");
		free(err);
		kh_cfg_done(&cfg);
		return 2;
	}
	if (cfg.help) {
		kh_cfg_usage(stdout);
		kh_cfg_done(&cfg);
		return 0;
	}
	if (cfg.check_only) {
		kh_cfg_print(&cfg, stdout);
		rc = check_resources(&cfg) != 0 ? 2 : 0;
		kh_cfg_done(&cfg);
		kh_seg_shutdown();
		u_cleanup();
		return rc;
	}
	kh_log_set_level(cfg.log_level);
	/* Before any thread starts: signals go to sigwait() in this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	json_object_seed(0);
	if (kh_server_start(&cfg, &srv) == 0)
		rc = kh_server_wait(srv) == 0 ? 0 : 1;
	srv = kh_server_free(srv);
	kh_cfg_done(&cfg);
	kh_seg_shutdown(); /* break-iterator prototypes, before ICU's own cleanup */
	u_cleanup(); /* every thread is joined: ICU's caches can go */
	return rc;
}
