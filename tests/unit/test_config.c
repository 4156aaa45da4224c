/* SPDX-License-Identifier: MIT */
/* The settings table: defaults, parsing, precedence, error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static int load(struct kh_config *c, char **ret_err, int argc, char **argv)
{
	kh_cfg_init(c);
	return kh_cfg_load(c, argc, argv, ret_err);
}

static void test_defaults(void)
{
	struct kh_config c;
	char *err = NULL;
	char *argv[] = { "serve", NULL };

	tap_is_int(load(&c, &err, 1, argv), 0, "defaults load");
	tap_is_int(c.port, 8080, "default port 8080");
	tap_is_int((long long)c.max_body, 1048576, "default max_body 1 MiB");
	tap_is_str(c.bind, "0.0.0.0", "default bind");
	tap_is_int(c.workers, 0, "workers 0 before finish");
	tap_is_int(kh_cfg_finish(&c, "/tmp", &err), 0, "finish");
	tap_ok(c.workers >= 1, "workers = CPU count after finish (%u)", c.workers);
	tap_is_str(c.data_dir, "/tmp", "data_dir falls back to the default");
	tap_ok(c.access_log, "access log on by default");
	kh_cfg_done(&c);
}

static void test_sizes(void)
{
	size_t n = 0;

	tap_ok(kh_cfg_parse_size("4096", &n) == 0 && n == 4096, "plain size");
	tap_ok(kh_cfg_parse_size("2MiB", &n) == 0 && n == 2097152, "MiB suffix");
	tap_ok(kh_cfg_parse_size("3K", &n) == 0 && n == 3072, "K suffix");
	tap_ok(kh_cfg_parse_size("1G", &n) == 0 && n == 1073741824, "G suffix");
	tap_ok(kh_cfg_parse_size("-1", &n) < 0, "negative refused");
	tap_ok(kh_cfg_parse_size("12XB", &n) < 0, "bad suffix refused");
	tap_ok(kh_cfg_parse_size("", &n) < 0, "empty refused");
	tap_ok(kh_cfg_parse_size("99999999999999999999", &n) < 0, "overflow refused");
}

static void test_set_errors(void)
{
	struct kh_config c;
	char *err = NULL;

	kh_cfg_init(&c);
	tap_is_int(kh_cfg_set(&c, "port", "70000", KH_CFG_FLAG, &err), -22, "port out of range");
	tap_ok(err != NULL && strstr(err, "'port'") != NULL && strstr(err, "0 to 65535") != NULL,
	       "message names the setting and the range: %s", err);
	free(err);
	err = NULL;
	tap_is_int(kh_cfg_set(&c, "colour", "blue", KH_CFG_FLAG, &err), -2, "unknown key");
	tap_ok(err != NULL && strstr(err, "colour") != NULL, "message names the key");
	free(err);
	err = NULL;
	tap_is_int(kh_cfg_set(&c, "bind", "localhost", KH_CFG_FLAG, &err), -22, "bind must be an address");
	free(err);
	err = NULL;
	tap_is_int(kh_cfg_set(&c, "trusted_proxies", "10.0.0.0/8, ::1, 192.168.1.1", KH_CFG_FLAG, &err), 0,
		   "a good proxy list");
	tap_is_int(kh_cfg_set(&c, "trusted_proxies", "10.0.0.0/33", KH_CFG_FLAG, &err), -22, "bad CIDR refused");
	free(err);
	err = NULL;
	tap_is_int(kh_cfg_set(&c, "log_level", "loud", KH_CFG_FLAG, &err), -22, "bad log level");
	free(err);
	err = NULL;
	tap_is_int(kh_cfg_set(&c, "access_log", "off", KH_CFG_FLAG, &err), 0, "bool off");
	tap_ok(!c.access_log, "access_log now false");
	tap_is_int(kh_cfg_set(&c, "workers", "", KH_CFG_FLAG, &err), -22, "empty integer refused");
	free(err);
	kh_cfg_done(&c);
}

static void test_layers(void)
{
	char path[] = "/tmp/khabar-test-config-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct kh_config c;
	char *err = NULL;
	char *argv[] = { "serve", "--config", path, "--queue-length", "11", "--deadline-ms=250", NULL };

	fputs("[http]\nport = 7001\nmax_body = 64K\n[analysis]\nqueue_length = 9\nworkers = 3\n", f);
	fclose(f);
	setenv("KHABAR_PORT", "7002", 1);
	tap_is_int(load(&c, &err, 6, argv), 0, "file + env + flags load: %s", err != NULL ? err : "");
	tap_is_int(c.port, 7002, "env beats file");
	tap_is_int((long long)c.max_body, 65536, "file beats default");
	tap_is_int(c.queue_length, 11, "flag beats file");
	tap_is_int(c.workers, 3, "file value kept");
	tap_is_int(c.deadline_ms, 250, "--key=value form");
	tap_is_int(c.source[1], KH_CFG_ENV, "source of port recorded");
	kh_cfg_done(&c);
	unsetenv("KHABAR_PORT");

	f = fopen(path, "w");
	fputs("[http]\nport = 1\n\n[analysis]\nbogus = 2\n", f);
	fclose(f);
	tap_is_int(load(&c, &err, 3, argv), -22, "unknown key in the file stops loading");
	tap_ok(err != NULL && strstr(err, ":5:") != NULL && strstr(err, "bogus") != NULL,
	       "message has file:line and key: %s", err != NULL ? err : "");
	free(err);
	err = NULL;
	kh_cfg_done(&c);
	unlink(path);

	{
		char *argv2[] = { "serve", "--port", NULL };

		tap_is_int(load(&c, &err, 2, argv2), -22, "flag without value");
		free(err);
		kh_cfg_done(&c);
	}
}

int main(void)
{
	unsetenv("KHABAR_CONFIG");
	unsetenv("KHABAR_DATA_DIR");
	test_defaults();
	test_sizes();
	test_set_errors();
	test_layers();
	return tap_done();
}
