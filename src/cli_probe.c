/* SPDX-License-Identifier: MIT */
/*
 * khabar probe [--timeout SECONDS] [URL]: a tiny HTTP/1.0 health probe for container
 * HEALTHCHECKs and scripts, so the image needs no curl.  Plain sockets, no TLS, no
 * redirects: one GET, the status line decides.  Exit 0 on a 2xx answer within the timeout,
 * 1 on anything else (Docker reserves exit code 2 for HEALTHCHECKs, so usage errors are 1 too).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "khabar/khabar.h"

#define PROBE_DEFAULT_PORT "8080"
#define PROBE_DEFAULT_PATH "/healthz"
#define PROBE_DEFAULT_TIMEOUT_MS 2000
#define PROBE_MAX_TIMEOUT_MS 600000
#define PROBE_MAX_URL 1024
#define PROBE_MAX_HOST 256
#define PROBE_MAX_PORT 8
#define PROBE_MAX_RESPONSE_HEAD 1024

struct probe_url {
	char host[PROBE_MAX_HOST];
	char port[PROBE_MAX_PORT];
	const char *path; /* points into the URL string */
};

static void usage(FILE *f)
{
	fputs("usage: khabar probe [--timeout SECONDS] [URL]\n"
	      "  GET URL (default http://127.0.0.1:$KHABAR_PORT/healthz, port 8080 when unset)\n"
	      "  with HTTP/1.0; exit 0 on a 2xx status, 1 otherwise.  Only http:// URLs.\n",
	      f);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline)
{
	long long left = deadline - now_ms();

	if (left <= 0)
		return 0;
	return (int)left;
}

/* A decimal TCP port 1..65535 with nothing else around it. */
static bool valid_port(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len >= PROBE_MAX_PORT)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* http://HOST[:PORT][/PATH] with HOST a name, an IPv4 address or [IPv6]. */
static int parse_url(const char *url, struct probe_url *ret_url)
{
	static const char scheme[] = "http://";
	struct probe_url u;
	const char *p, *host, *host_end, *port = NULL;
	size_t host_len, port_len = 0;

	if (strlen(url) > PROBE_MAX_URL || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return -EINVAL;
	p = url + sizeof(scheme) - 1;
	if (*p == '[') {
		host = p + 1;
		host_end = strchr(host, ']');
		if (host_end == NULL)
			return -EINVAL;
		p = host_end + 1;
	} else {
		host = p;
		host_end = p + strcspn(p, ":/?#");
		p = host_end;
	}
	host_len = (size_t)(host_end - host);
	if (host_len == 0 || host_len >= sizeof(u.host))
		return -EINVAL;
	if (*p == ':') {
		port = p + 1;
		port_len = strcspn(port, "/?#");
		if (!valid_port(port, port_len))
			return -EINVAL;
		p = port + port_len;
	}
	if (*p != '\0' && *p != '/')
		return -EINVAL;
	for (const char *c = p; *c != '\0'; c++) {
		/* The path goes into the request line as is: no spaces or control bytes. */
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return -EINVAL;
	}
	memcpy(u.host, host, host_len);
	u.host[host_len] = '\0';
	if (port != NULL) {
		memcpy(u.port, port, port_len);
		u.port[port_len] = '\0';
	} else {
		strcpy(u.port, "80");
	}
	u.path = *p == '\0' ? "/" : p;
	*ret_url = u;
	return 0;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&pfd, 1, remaining_ms(deadline));

		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Non-blocking connect to the first address that answers before the deadline. */
static int connect_any(const struct probe_url *u, long long deadline, int *ret_fd)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int r, last = -ECONNREFUSED;

	r = getaddrinfo(u->host, u->port, &hints, &res);
	if (r != 0)
		return -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
		int err = 0;
		socklen_t len = sizeof(err);

		if (fd < 0) {
			last = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			if (errno != EINPROGRESS) {
				last = -errno;
				close(fd);
				continue;
			}
			r = wait_fd(fd, POLLOUT, deadline);
			if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				r = -errno;
			if (r == 0 && err != 0)
				r = -err;
			if (r != 0) {
				last = r;
				close(fd);
				if (r == -ETIMEDOUT)
					break;
				continue;
			}
		}
		freeaddrinfo(res);
		*ret_fd = fd;
		return 0;
	}
	freeaddrinfo(res);
	return last;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int r = wait_fd(fd, POLLOUT, deadline);

				if (r != 0)
					return r;
				continue;
			}
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until the status line is complete; return the status code (100..599). */
static int read_status(int fd, long long deadline, int *ret_status)
{
	char buf[PROBE_MAX_RESPONSE_HEAD + 1];
	size_t len = 0;
	int status = 0;

	while (len < PROBE_MAX_RESPONSE_HEAD && memchr(buf, '\n', len) == NULL) {
		ssize_t n = recv(fd, buf + len, PROBE_MAX_RESPONSE_HEAD - len, 0);

		if (n < 0) {
			int r;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			r = wait_fd(fd, POLLIN, deadline);
			if (r != 0)
				return r;
			continue;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	/* "HTTP/1.x SSS" followed by a space or the line end */
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[7] < '0' || buf[7] > '9' ||
	    buf[8] != ' ')
		return -EPROTO;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EPROTO;
		status = status * 10 + (buf[i] - '0');
	}
	if (status < 100 || (buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n'))
		return -EPROTO;
	*ret_status = status;
	return 0;
}

static int parse_timeout(const char *s, int *ret_ms)
{
	char *end = NULL;
	double secs;

	errno = 0;
	secs = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(secs > 0) || secs * 1000 > PROBE_MAX_TIMEOUT_MS)
		return -EINVAL;
	*ret_ms = (int)(secs * 1000);
	if (*ret_ms < 1)
		*ret_ms = 1;
	return 0;
}

int kh_cli_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char default_url[64];
	char request[PROBE_MAX_URL + PROBE_MAX_HOST + 128];
	const char *url;
	struct probe_url u;
	long long deadline;
	int c, r, n, fd = -1, status = 0, timeout_ms = PROBE_DEFAULT_TIMEOUT_MS, rc = 1;

	while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_timeout(optarg, &timeout_ms) != 0) {
				fprintf(stderr, "khabar probe: --timeout: expected seconds > 0, got '%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 1;
	}
	if (optind < argc) {
		url = argv[optind];
	} else {
		/* Follow the service's port setting so a HEALTHCHECK keeps working when it moves. */
		const char *port = getenv("KHABAR_PORT");

		if (port == NULL || !valid_port(port, strlen(port)))
			port = PROBE_DEFAULT_PORT;
		snprintf(default_url, sizeof(default_url), "http://127.0.0.1:%s%s", port,
			 PROBE_DEFAULT_PATH);
		url = default_url;
	}
	if (parse_url(url, &u) != 0) {
		fprintf(stderr, "khabar probe: not an http://HOST[:PORT][/PATH] URL: '%s'\n", url);
		return 1;
	}

	deadline = now_ms() + timeout_ms;
	r = connect_any(&u, deadline, &fd);
	if (r != 0) {
		fprintf(stderr, "khabar probe: %s: connect: %s\n", url, strerror(-r));
		goto cleanup;
	}
	n = snprintf(request, sizeof(request),
		     "GET %s HTTP/1.0\r\nHost: %s%s%s:%s\r\nUser-Agent: khabar-probe/" KH_VERSION
		     "\r\nAccept: */*\r\nConnection: close\r\n\r\n",
		     u.path, strchr(u.host, ':') != NULL ? "[" : "", u.host,
		     strchr(u.host, ':') != NULL ? "]" : "", u.port);
	if (n < 0 || (size_t)n >= sizeof(request)) {
		fprintf(stderr, "khabar probe: %s: URL too long\n", url);
		goto cleanup;
	}
	r = send_all(fd, request, (size_t)n, deadline);
	if (r == 0)
		r = read_status(fd, deadline, &status);
	if (r != 0) {
		fprintf(stderr, "khabar probe: %s: %s\n", url,
			r == -EPROTO ? "not an HTTP response" : strerror(-r));
		goto cleanup;
	}
	printf("khabar probe: %s: HTTP %d\n", url, status);
	rc = status >= 200 && status <= 299 ? 0 : 1;

cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}
