/* SPDX-License-Identifier: MIT */
/**
 * @file config.h
 * The settings of `khabar serve`.  One table describes every setting; the
 * layers apply in this order, each overriding the one before:
 * built-in defaults < INI file (libinih) < KHABAR_* environment < command-line flags.
 * An unknown key or a bad value stops start-up with a message naming the setting.
 */
#ifndef KHABAR_CONFIG_H
#define KHABAR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

/** Where a setting's value came from. */
enum kh_cfg_source { KH_CFG_DEFAULT = 0, KH_CFG_FILE, KH_CFG_ENV, KH_CFG_FLAG };

/** Hard ceilings on client-controlled quantities (STYLE rule 12). */
#define KH_CFG_MAX_BODY_CEILING (256u * 1024u * 1024u)
#define KH_CFG_MAX_SETTINGS 32

/** The effective configuration. Strings are malloc'd ("" when unset). */
struct kh_config {
	char *bind;                 /**< listen address (IPv4 or IPv6 literal) */
	unsigned port;              /**< TCP port; 0 lets the kernel pick one */
	unsigned polling_threads;   /**< libmicrohttpd polling threads */
	unsigned connection_limit;  /**< open connections at most */
	unsigned connection_timeout_s; /**< idle or stalled connections are closed after this */
	unsigned per_ip_limit;      /**< connections per client address, 0 = no limit */
	size_t max_body;            /**< request body bytes at most */
	size_t max_url;             /**< request URL bytes at most (414 above) */
	unsigned drain_timeout_ms;  /**< how long shutdown waits for in-flight requests */
	char *trusted_proxies;      /**< comma-separated addresses/CIDRs whose X-Forwarded-For is believed */
	char *api_key_file;         /**< file of accepted Bearer keys, one per line; "" = no auth */
	unsigned workers;           /**< analysis threads; 0 in the file means one per CPU */
	size_t inline_max;          /**< texts up to this size may run on the polling thread */
	unsigned queue_length;      /**< jobs waiting for a worker at most */
	unsigned deadline_ms;       /**< per-request analysis deadline */
	char *data_dir;             /**< lexicon directory; "" = installed or source tree */
	char *lexicons;             /**< comma-separated extra lexicon files */
	unsigned json_max_depth;    /**< nesting depth of request JSON at most */
	size_t json_max_string;     /**< bytes of any request JSON string other than text */
	unsigned batch_max_lines;   /**< documents per /v1/analyze/batch request at most */
	size_t batch_max_body;      /**< bytes of a batch request body at most */
	enum kh_log_level log_level;
	bool access_log;            /**< one log line per request */

	char *config_file;          /**< the INI file read, or NULL */
	bool check_only;            /**< --check-config: print and exit */
	bool help;                  /**< --help was given */
	unsigned char source[KH_CFG_MAX_SETTINGS]; /**< enum kh_cfg_source of each table entry */
};

/** Fill @p c with the built-in defaults. */
void kh_cfg_init(struct kh_config *c);

/**
 * Build the effective configuration from defaults, the INI file (--config FILE or
 * KHABAR_CONFIG), the KHABAR_* environment and the flags in @p argv (argv[0] is
 * the subcommand name).
 * @param[out] ret_err on failure, a malloc'd message naming the setting (caller frees)
 * @return 0, or -EINVAL on a bad setting, -ENOENT when the file cannot be read
 */
int kh_cfg_load(struct kh_config *c, int argc, char **argv, char **ret_err);

/**
 * Set one setting by its key ("port", "max_body", ...).
 * @return 0, -ENOENT for an unknown key, -EINVAL for a bad value (message in *ret_err)
 */
int kh_cfg_set(struct kh_config *c, const char *key, const char *value, enum kh_cfg_source src,
	       char **ret_err);

/** Fill in derived values (workers 0 → CPU count, data_dir "" → default) and cross-check. */
int kh_cfg_finish(struct kh_config *c, const char *default_data_dir, char **ret_err);

/** Print the effective configuration as an INI file, each line noting its source. */
void kh_cfg_print(const struct kh_config *c, FILE *f);

/** Print the flags and environment variables of every setting. */
void kh_cfg_usage(FILE *f);

/**
 * Parse a size: digits with an optional K, KiB, M, MiB, G or GiB suffix.
 * @return 0 and *ret_size, or -EINVAL
 */
int kh_cfg_parse_size(const char *s, size_t *ret_size);

/**
 * Split a comma-separated list (blanks around items are dropped, empty items skipped).
 * @param[out] ret_store a malloc'd copy the items point into (caller frees)
 * @param[out] items up to @p max items, NULL-terminated (room for max + 1)
 * @return the number of items, -E2BIG for more than @p max, -ENOMEM
 */
int kh_cfg_split_list(const char *list, char **ret_store, const char **items, size_t max);

/** Release the strings. */
void kh_cfg_done(struct kh_config *c);

#endif
