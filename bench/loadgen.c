/* SPDX-License-Identifier: MIT */
/* Open-loop HTTP/1.1 load generator for latency at a fixed rate (wrk only does
 * closed loops).  Latency is measured from each request's scheduled time, so a
 * stalled server cannot hide its queueing (no coordinated omission).
 *   loadgen PORT PATH BODY_FILE RATE SECONDS CONNECTIONS [CONTENT_TYPE]
 * Prints: RESULT rate=... p50_ms=... p99_ms=... max_ms=... sent=... ok=... errors=... */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 512
#define RESP_BUF (1u << 20)

struct conn {
	int fd;
	bool busy;
	double sched;     /* scheduled send time of the request in flight */
	size_t sent;      /* bytes of the request written */
	char *resp;
	size_t got;
	size_t need;      /* header + body length once known, else 0 */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Write what the socket takes of the request; wait for EPOLLOUT only while some of it is
 * left, because an idle socket is always writable and a level-triggered EPOLLOUT on it
 * makes epoll_wait() return at once: the generator then spins a whole core, which on a
 * small machine it takes from the server it measures. */
static void send_some(int ep, struct conn *c, uint32_t idx, const char *req, size_t req_len)
{
	struct epoll_event ev = { .data.u32 = idx };
	ssize_t r = write(c->fd, req + c->sent, req_len - c->sent);
	bool was_waiting = c->sent > 0; /* an earlier call left it waiting for EPOLLOUT */

	if (r > 0)
		c->sent += (size_t)r;
	ev.events = c->sent < req_len ? EPOLLIN | EPOLLOUT : EPOLLIN;
	if (c->sent < req_len || was_waiting)
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Length of a complete response in c->resp, 0 when not complete yet. */
static size_t response_length(struct conn *c)
{
	char *end;
	const char *cl;

	c->resp[c->got] = '\0';
	end = strstr(c->resp, "\r\n\r\n");
	if (end == NULL)
		return 0;
	cl = strcasestr(c->resp, "\r\ncontent-length:");
	if (cl == NULL || cl > end)
		return (size_t)(end - c->resp) + 4;
	return (size_t)(end - c->resp) + 4 + strtoul(cl + 17, NULL, 10);
}

int main(int argc, char **argv)
{
	struct conn conns[MAX_CONNS];
	char *req, *body;
	size_t req_len, body_len, n_lat = 0, sent = 0, ok = 0, errors = 0;
	double *lat, rate, secs, t0, next;
	int port, n_conns, ep;
	FILE *f;

	if (argc < 7) {
		fprintf(stderr, "usage: loadgen PORT PATH BODY_FILE RATE SECONDS CONNECTIONS [CONTENT_TYPE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[1]);
	rate = atof(argv[4]);
	secs = atof(argv[5]);
	n_conns = atoi(argv[6]);
	if (n_conns < 1 || n_conns > MAX_CONNS || rate <= 0 || secs <= 0)
		return 2;
	f = fopen(argv[3], "rb");
	if (f == NULL)
		return 1;
	fseek(f, 0, SEEK_END);
	body_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	body = malloc(body_len + 1);
	if (body == NULL || fread(body, 1, body_len, f) != body_len)
		return 1;
	fclose(f);
	req = malloc(body_len + 512);
	req_len = (size_t)sprintf(req, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
				       "Content-Length: %zu\r\n\r\n",
				  argv[2], argc > 7 ? argv[7] : "text/plain; charset=utf-8", body_len);
	memcpy(req + req_len, body, body_len);
	req_len += body_len;
	lat = malloc(sizeof(double) * (size_t)(rate * secs + 16));
	ep = epoll_create1(0);
	for (int i = 0; i < n_conns; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		conns[i] = (struct conn){ .fd = connect_to(port), .resp = malloc(RESP_BUF + 1) };
		if (conns[i].fd < 0) {
			fprintf(stderr, "loadgen: cannot connect to port %d\n", port);
			return 1;
		}
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
	}
	t0 = now();
	next = t0;
	while (now() < t0 + secs || n_lat + errors < sent) {
		struct epoll_event evs[64];
		double t = now();
		int n;

		/* start every request whose time has come on an idle connection */
		for (int i = 0; i < n_conns && next <= t && t < t0 + secs; i++) {
			if (conns[i].busy)
				continue;
			conns[i].busy = true;
			conns[i].sched = next;
			conns[i].sent = 0;
			conns[i].got = 0;
			conns[i].need = 0;
			next += 1.0 / rate;
			sent++;
			send_some(ep, &conns[i], (uint32_t)i, req, req_len);
		}
		if (t > t0 + secs + 10)
			break;
		n = epoll_wait(ep, evs, 64, 1);
		for (int k = 0; k < n; k++) {
			struct conn *c = &conns[evs[k].data.u32];
			ssize_t r;

			if (!c->busy)
				continue;
			if (c->sent < req_len && (evs[k].events & EPOLLOUT))
				send_some(ep, c, evs[k].data.u32, req, req_len);
			if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = read(c->fd, c->resp + c->got, RESP_BUF - c->got);
			if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
				struct epoll_event ev = { .events = EPOLLIN, .data = evs[k].data };

				/* the server closed the connection: count the request, reconnect */
				errors++;
				c->busy = false;
				close(c->fd);
				c->fd = connect_to(port);
				if (c->fd >= 0)
					epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
				continue;
			}
			if (r > 0)
				c->got += (size_t)r;
			if (c->need == 0)
				c->need = response_length(c);
			if (c->need != 0 && c->got >= c->need) {
				lat[n_lat++] = now() - c->sched;
				if (strncmp(c->resp + 9, "200", 3) == 0)
					ok++;
				c->busy = false;
			}
		}
	}
	qsort(lat, n_lat, sizeof(double), cmp_double);
	printf("RESULT rate=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f sent=%zu ok=%zu errors=%zu\n",
	       (double)n_lat / secs, n_lat ? lat[n_lat / 2] * 1e3 : 0, n_lat ? lat[n_lat * 99 / 100] * 1e3 : 0,
	       n_lat ? lat[n_lat - 1] * 1e3 : 0, sent, ok, errors);
	return 0;
}
