/* SPDX-License-Identifier: MIT */
/* The settings table and its four layers: defaults, INI file, environment, flags. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

enum setting_type { T_UINT, T_SIZE, T_STR, T_LEVEL, T_BOOL };

struct setting {
	const char *section;
	const char *key;
	enum setting_type type;
	size_t offset;
	unsigned long long min, max;
	const char *def;
	const char *help;
};

#define OFF(field) offsetof(struct kh_config, field)

/* The one table: INI [section] key, KHABAR_<KEY> and --<key-with-dashes> all come from it. */
static const struct setting settings[] = {
	{ "http", "bind", T_STR, OFF(bind), 0, 0, "0.0.0.0", "listen address (IPv4 or IPv6 literal; :: for both)" },
	{ "http", "port", T_UINT, OFF(port), 0, 65535, "8080", "TCP port (0: any free port, logged at start)" },
	{ "http", "polling_threads", T_UINT, OFF(polling_threads), 0, 1024, "0", "libmicrohttpd polling threads (0: as many as workers)" },
	{ "http", "connection_limit", T_UINT, OFF(connection_limit), 1, 1000000, "1024", "open connections at most" },
	{ "http", "connection_timeout_s", T_UINT, OFF(connection_timeout_s), 1, 86400, "30", "seconds before an idle or stalled connection is closed" },
	{ "http", "per_ip_limit", T_UINT, OFF(per_ip_limit), 0, 1000000, "0", "connections per client address (0: no limit; keep 0 behind a proxy)" },
	{ "http", "max_body", T_SIZE, OFF(max_body), 1, KH_CFG_MAX_BODY_CEILING, "1MiB", "request body size at most (413 above)" },
	{ "http", "max_url", T_SIZE, OFF(max_url), 64, 65536, "2048", "request URL length at most (414 above)" },
	{ "http", "drain_timeout_ms", T_UINT, OFF(drain_timeout_ms), 0, 3600000, "10000", "on SIGTERM, how long to wait for in-flight requests" },
	{ "http", "trusted_proxies", T_STR, OFF(trusted_proxies), 0, 0, "", "comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed" },
	{ "http", "api_key_file", T_STR, OFF(api_key_file), 0, 0, "", "file of accepted API keys, one per line (empty: no authentication)" },
	{ "analysis", "workers", T_UINT, OFF(workers), 0, 1024, "0", "analysis threads (0: one per CPU)" },
	{ "analysis", "inline_max", T_SIZE, OFF(inline_max), 0, KH_CFG_MAX_BODY_CEILING, "64KiB", "a text up to this size is analysed on the polling thread that read it when a worker is free (0: always on a worker)" },
	{ "analysis", "queue_length", T_UINT, OFF(queue_length), 1, 1000000, "64", "requests waiting for a worker at most (503 above)" },
	{ "analysis", "deadline_ms", T_UINT, OFF(deadline_ms), 1, 3600000, "10000", "per-request analysis deadline (504 after it)" },
	{ "analysis", "data_dir", T_STR, OFF(data_dir), 0, 0, "", "lexicon directory (empty: installed data, else the source tree)" },
	{ "analysis", "lexicons", T_STR, OFF(lexicons), 0, 0, "", "comma-separated extra lexicon files" },
	{ "analysis", "json_max_depth", T_UINT, OFF(json_max_depth), 1, 1000, "32", "nesting depth of a request JSON document at most" },
	{ "analysis", "json_max_string", T_SIZE, OFF(json_max_string), 1, KH_CFG_MAX_BODY_CEILING, "4096", "bytes of a request JSON string other than text at most" },
	{ "analysis", "batch_max_lines", T_UINT, OFF(batch_max_lines), 1, 1000000, "1000", "documents in one /v1/analyze/batch request at most" },
	{ "analysis", "batch_max_body", T_SIZE, OFF(batch_max_body), 1, KH_CFG_MAX_BODY_CEILING, "16MiB", "bytes of a /v1/analyze/batch body at most" },
	{ "log", "log_level", T_LEVEL, OFF(log_level), 0, 0, "info", "lowest level logged: debug, info, warn, error" },
	{ "log", "access_log", T_BOOL, OFF(access_log), 0, 0, "true", "one JSON line per request" },
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))
_Static_assert(N_SETTINGS <= KH_CFG_MAX_SETTINGS, "raise KH_CFG_MAX_SETTINGS");

static const char *const source_names[] = { "default", "file", "env", "flag" };

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const struct setting *find(const char *key)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

int kh_cfg_parse_size(const char *s, size_t *ret_size)
{
	static const struct {
		const char *suffix;
		unsigned long long mult;
	} units[] = {
		{ "", 1 },          { "B", 1 },
		{ "K", 1ull << 10 }, { "KiB", 1ull << 10 }, { "k", 1ull << 10 }, { "KB", 1ull << 10 },
		{ "M", 1ull << 20 }, { "MiB", 1ull << 20 }, { "MB", 1ull << 20 },
		{ "G", 1ull << 30 }, { "GiB", 1ull << 30 }, { "GB", 1ull << 30 },
	};
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (v > SIZE_MAX / units[i].mult)
				return -EINVAL;
			*ret_size = (size_t)(v * units[i].mult);
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long long *ret)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *type_hint(const struct setting *s, char *buf, size_t len)
{
	switch (s->type) {
	case T_UINT:
		snprintf(buf, len, "an integer from %llu to %llu", s->min, s->max);
		break;
	case T_SIZE:
		snprintf(buf, len, "a size in bytes (suffix K, M or G allowed) from %llu to %llu",
			 s->min, s->max);
		break;
	case T_LEVEL:
		snprintf(buf, len, "one of debug, info, warn, error");
		break;
	case T_BOOL:
		snprintf(buf, len, "true or false");
		break;
	default:
		snprintf(buf, len, "a string");
		break;
	}
	return buf;
}

/* Check a string setting that has a syntax of its own. */
static int check_string(const struct setting *s, const char *value, char **ret_why)
{
	if (strcmp(s->key, "bind") == 0) {
		unsigned char a[16];

		if (inet_pton(AF_INET, value, a) != 1 && inet_pton(AF_INET6, value, a) != 1) {
			*ret_why = msgf("'%s' is not an IPv4 or IPv6 address", value);
			return -EINVAL;
		}
	} else if (strcmp(s->key, "trusted_proxies") == 0) {
		struct kh_proxy_list *l = NULL;
		char *bad = NULL;
		int r = kh_proxy_list_parse(value, &l, &bad);

		kh_proxy_list_free(l);
		if (r < 0) {
			*ret_why = msgf("'%s' is not an address or CIDR block%s", bad != NULL ? bad : value,
					r == -E2BIG ? " (too many entries)" : "");
			free(bad);
			return -EINVAL;
		}
	}
	return 0;
}

int kh_cfg_set(struct kh_config *c, const char *key, const char *value, enum kh_cfg_source src,
	       char **ret_err)
{
	const struct setting *s = find(key);
	void *field;
	char hint[160];
	char *why = NULL;
	int r = 0;

	if (s == NULL) {
		*ret_err = msgf("unknown setting '%s'", key);
		return -ENOENT;
	}
	field = (char *)c + s->offset;
	switch (s->type) {
	case T_UINT: {
		unsigned long long v;

		r = parse_uint(value, &v);
		if (r == 0 && (v < s->min || v > s->max))
			r = -EINVAL;
		if (r == 0)
			*(unsigned *)field = (unsigned)v;
		break;
	}
	case T_SIZE: {
		size_t v;

		r = kh_cfg_parse_size(value, &v);
		if (r == 0 && (v < s->min || v > s->max))
			r = -EINVAL;
		if (r == 0)
			*(size_t *)field = v;
		break;
	}
	case T_LEVEL:
		r = kh_log_level_parse(value, (enum kh_log_level *)field);
		break;
	case T_BOOL:
		r = parse_bool(value, (bool *)field);
		break;
	case T_STR: {
		char *copy;

		r = check_string(s, value, &why);
		if (r < 0)
			break;
		copy = strdup(value);
		if (copy == NULL) {
			*ret_err = msgf("out of memory");
			return -ENOMEM;
		}
		free(*(char **)field);
		*(char **)field = copy;
		break;
	}
	}
	if (r < 0) {
		if (why != NULL)
			*ret_err = msgf("setting '%s': %s", key, why);
		else
			*ret_err = msgf("setting '%s': invalid value '%s': expected %s", key, value,
					type_hint(s, hint, sizeof(hint)));
		free(why);
		return -EINVAL;
	}
	c->source[s - settings] = (unsigned char)src;
	return 0;
}

void kh_cfg_init(struct kh_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_SETTINGS; i++) {
		char *err = NULL;

		/* The defaults are valid by construction; a failure here is a programming error. */
		if (kh_cfg_set(c, settings[i].key, settings[i].def, KH_CFG_DEFAULT, &err) < 0) {
			fprintf(stderr, "khabar: bad built-in default: %s\n", err);
			abort();
		}
	}
}

struct ini_state {
	struct kh_config *c;
	char *err; /* first error */
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	const struct setting *s = find(name);
	char *err = NULL;

	if (st->err != NULL)
		return 0;
	if (s == NULL || strcmp(s->section, section) != 0) {
		if (s != NULL)
			st->err = msgf("setting '%s' belongs in section [%s], not [%s]", name, s->section,
				       section);
		else
			st->err = msgf("unknown setting '%s' in section [%s]", name, section);
		return 0;
	}
	if (kh_cfg_set(st->c, name, value, KH_CFG_FILE, &err) < 0) {
		st->err = err;
		return 0;
	}
	return 1;
}

static int load_file(struct kh_config *c, const char *path, char **ret_err)
{
	struct ini_state st = { .c = c };
	int line = ini_parse(path, on_ini, &st);

	if (line == 0)
		return 0;
	if (line < 0) {
		*ret_err = msgf("%s: cannot read the config file%s", path, line == -2 ? " (out of memory)" : "");
		free(st.err);
		return -ENOENT;
	}
	*ret_err = msgf("%s:%d: %s", path, line, st.err != NULL ? st.err : "syntax error (expected key = value or [section])");
	free(st.err);
	return -EINVAL;
}

static void env_name(const struct setting *s, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "KHABAR_%s", s->key);

	for (size_t i = 7; i < n && i < len; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

static void flag_name(const struct setting *s, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "--%s", s->key);

	for (size_t i = 2; i < n && i < len; i++)
		if (out[i] == '_')
			out[i] = '-';
}

static int load_env(struct kh_config *c, char **ret_err)
{
	for (size_t i = 0; i < N_SETTINGS; i++) {
		char name[64];
		const char *v;
		char *err = NULL;

		env_name(&settings[i], name, sizeof(name));
		v = secure_getenv(name);
		if (v == NULL)
			continue;
		if (kh_cfg_set(c, settings[i].key, v, KH_CFG_ENV, &err) < 0) {
			*ret_err = msgf("environment %s: %s", name, err != NULL ? err : "?");
			free(err);
			return -EINVAL;
		}
	}
	return 0;
}

/* The setting a flag names ("--max-body" or "--max_body"), or NULL. */
static const struct setting *find_flag(const char *flag, size_t len)
{
	for (size_t i = 0; i < N_SETTINGS; i++) {
		char name[64];

		flag_name(&settings[i], name, sizeof(name));
		if (strlen(name) == len && strncmp(name, flag, len) == 0)
			return &settings[i];
		if (strlen(settings[i].key) + 2 == len && strncmp(flag + 2, settings[i].key, len - 2) == 0)
			return &settings[i];
	}
	return NULL;
}

/* Walk the flags; with apply false only --config/--help/--check-config are taken. */
static int walk_flags(struct kh_config *c, int argc, char **argv, bool apply, char **ret_err)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq = strchr(a, '=');
		size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		const char *value = eq != NULL ? eq + 1 : NULL;
		const struct setting *s;
		char *err = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (strcmp(a, "--check-config") == 0) {
			c->check_only = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			*ret_err = msgf("unexpected argument '%s'", a);
			return -EINVAL;
		}
		if (len == 8 && strncmp(a, "--config", 8) == 0) {
			s = NULL;
		} else {
			s = find_flag(a, len);
			if (s == NULL) {
				*ret_err = msgf("unknown option '%.*s' (see khabar serve --help)", (int)len, a);
				return -EINVAL;
			}
		}
		if (value == NULL) {
			if (i + 1 >= argc) {
				*ret_err = msgf("option '%s' needs a value", a);
				return -EINVAL;
			}
			value = argv[++i];
		}
		if (s == NULL) {
			if (!apply) {
				free(c->config_file);
				c->config_file = strdup(value);
			}
			continue;
		}
		if (apply && kh_cfg_set(c, s->key, value, KH_CFG_FLAG, &err) < 0) {
			*ret_err = msgf("option %.*s: %s", (int)len, a, err != NULL ? err : "?");
			free(err);
			return -EINVAL;
		}
	}
	return 0;
}

int kh_cfg_load(struct kh_config *c, int argc, char **argv, char **ret_err)
{
	const char *env_file;
	int r;

	r = walk_flags(c, argc, argv, false, ret_err);
	if (r < 0 || c->help)
		return r;
	env_file = secure_getenv("KHABAR_CONFIG");
	if (c->config_file == NULL && env_file != NULL && env_file[0] != '\0')
		c->config_file = strdup(env_file);
	if (c->config_file != NULL) {
		r = load_file(c, c->config_file, ret_err);
		if (r < 0)
			return r;
	}
	r = load_env(c, ret_err);
	if (r < 0)
		return r;
	return walk_flags(c, argc, argv, true, ret_err);
}

int kh_cfg_finish(struct kh_config *c, const char *default_data_dir, char **ret_err)
{
	if (c->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		c->workers = n > 0 ? (unsigned)(n > 1024 ? 1024 : n) : 1;
	}
	if (c->polling_threads == 0)
		c->polling_threads = c->workers; /* each may analyse a short text itself */
	if (c->data_dir[0] == '\0' && default_data_dir != NULL) {
		char *d = strdup(default_data_dir);

		if (d == NULL) {
			*ret_err = msgf("out of memory");
			return -ENOMEM;
		}
		free(c->data_dir);
		c->data_dir = d;
	}
	if (c->batch_max_body < c->max_body) {
		*ret_err = msgf("setting 'batch_max_body' (%zu) must be at least max_body (%zu)",
				c->batch_max_body, c->max_body);
		return -EINVAL;
	}
	return 0;
}

static void print_value(const struct kh_config *c, const struct setting *s, FILE *f)
{
	const void *field = (const char *)c + s->offset;

	switch (s->type) {
	case T_UINT:
		fprintf(f, "%u", *(const unsigned *)field);
		break;
	case T_SIZE:
		fprintf(f, "%zu", *(const size_t *)field);
		break;
	case T_LEVEL:
		fputs(kh_log_level_name(*(const enum kh_log_level *)field), f);
		break;
	case T_BOOL:
		fputs(*(const bool *)field ? "true" : "false", f);
		break;
	case T_STR:
		fputs(*(char *const *)field, f);
		break;
	}
}

void kh_cfg_print(const struct kh_config *c, FILE *f)
{
	const char *section = "";

	if (c->config_file != NULL)
		fprintf(f, "; effective khabar configuration (file: %s)\n", c->config_file);
	else
		fputs("; effective khabar configuration (no file)\n", f);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];

		if (strcmp(section, s->section) != 0) {
			section = s->section;
			fprintf(f, "\n[%s]\n", section);
		}
		fprintf(f, "%s = ", s->key);
		print_value(c, s, f);
		fprintf(f, "  ; %s\n", source_names[c->source[i] & 3]);
	}
}

void kh_cfg_usage(FILE *f)
{
	fputs("usage: khabar serve [--config FILE] [--check-config] [--SETTING VALUE]...\n"
	      "Each setting is read, in increasing priority, from its default, the INI file\n"
	      "(--config FILE or KHABAR_CONFIG), the environment and the command line.\n\n",
	      f);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		char flag[64], env[64];

		flag_name(&settings[i], flag, sizeof(flag));
		env_name(&settings[i], env, sizeof(env));
		fprintf(f, "  %-24s %-30s [%s] %s (default %s)\n      %s\n", flag, env,
			settings[i].section, settings[i].key,
			settings[i].def[0] != '\0' ? settings[i].def : "empty", settings[i].help);
	}
}

int kh_cfg_split_list(const char *list, char **ret_store, const char **items, size_t max)
{
	char *store = strdup(list != NULL ? list : "");
	char *save = NULL;
	size_t n = 0;

	if (store == NULL)
		return -ENOMEM;
	for (char *tok = strtok_r(store, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		if (*tok == '\0')
			continue;
		if (n == max) {
			free(store);
			return -E2BIG;
		}
		items[n++] = tok;
	}
	items[n] = NULL;
	*ret_store = store;
	return (int)n;
}

void kh_cfg_done(struct kh_config *c)
{
	for (size_t i = 0; i < N_SETTINGS; i++) {
		if (settings[i].type == T_STR) {
			char **p = (char **)((char *)c + settings[i].offset);

			free(*p);
			*p = NULL;
		}
	}
	free(c->config_file);
	c->config_file = NULL;
}
