/* SPDX-License-Identifier: MIT */
#include "proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cidr {
	uint8_t addr[16]; /* IPv4 as IPv4-mapped IPv6 */
	unsigned prefix;  /* 0..128 */
};

struct kh_proxy_list {
	unsigned n;
	struct cidr items[KH_PROXY_MAX];
};

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parse an address into 16 bytes; *ret_v4 tells whether it was IPv4. */
static bool parse_addr(const char *s, uint8_t out[16], bool *ret_v4)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(out, v4_mapped_prefix, 12);
		memcpy(out + 12, &a4, 4);
		*ret_v4 = true;
		return true;
	}
	*ret_v4 = false;
	return inet_pton(AF_INET6, s, out) == 1;
}

static bool parse_entry(const char *s, struct cidr *ret)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	bool v4;
	long prefix;

	if (alen == 0 || alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (!parse_addr(addr, ret->addr, &v4))
		return false;
	if (slash == NULL) {
		ret->prefix = 128;
		return true;
	}
	{
		char *end;

		errno = 0;
		prefix = strtol(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' || prefix < 0 || prefix > (v4 ? 32 : 128))
			return false;
	}
	ret->prefix = (unsigned)prefix + (v4 ? 96 : 0);
	return true;
}

int kh_proxy_list_parse(const char *spec, struct kh_proxy_list **ret_list, char **ret_bad)
{
	struct kh_proxy_list *l = calloc(1, sizeof(*l));
	const char *p = spec != NULL ? spec : "";
	int r = 0;

	if (l == NULL)
		return -ENOMEM;
	while (*p != '\0') {
		char item[80];
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		if (n >= sizeof(item) || l->n == KH_PROXY_MAX) {
			r = n >= sizeof(item) ? -EINVAL : -E2BIG;
			if (ret_bad != NULL)
				*ret_bad = strndup(p, n);
			goto fail;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (!parse_entry(item, &l->items[l->n])) {
			r = -EINVAL;
			if (ret_bad != NULL)
				*ret_bad = strdup(item);
			goto fail;
		}
		l->n++;
		p += n;
	}
	*ret_list = l;
	return 0;
fail:
	free(l);
	return r;
}

struct kh_proxy_list *kh_proxy_list_free(struct kh_proxy_list *l)
{
	free(l);
	return NULL;
}

static bool cidr_match(const struct cidr *c, const uint8_t a[16])
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (memcmp(c->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool kh_proxy_list_contains(const struct kh_proxy_list *l, const char *ip)
{
	uint8_t a[16];
	bool v4;

	if (l == NULL || !parse_addr(ip, a, &v4))
		return false;
	for (unsigned i = 0; i < l->n; i++)
		if (cidr_match(&l->items[i], a))
			return true;
	return false;
}

int kh_proxy_addr_str(const struct sockaddr *sa, char out[KH_IP_STRLEN])
{
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, out, KH_IP_STRLEN);
		return 0;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (memcmp(s6->sin6_addr.s6_addr, v4_mapped_prefix, 12) == 0)
			inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, out, KH_IP_STRLEN);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out, KH_IP_STRLEN);
		return 0;
	}
	snprintf(out, KH_IP_STRLEN, "unknown");
	return -EAFNOSUPPORT;
}

void kh_proxy_client_ip(const struct kh_proxy_list *l, const char *peer, const char *xff,
			char out[KH_IP_STRLEN])
{
	size_t end;

	snprintf(out, KH_IP_STRLEN, "%s", peer);
	if (xff == NULL || !kh_proxy_list_contains(l, peer))
		return;
	/* Walk the hops from the right: the first one we do not trust is the client. */
	end = strlen(xff);
	while (end > 0) {
		size_t start = end, a, b;
		char hop[KH_IP_STRLEN];
		uint8_t bin[16];
		bool v4;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		a = start;
		b = end;
		while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
			a++;
		while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
			b--;
		if (b - a == 0 || b - a >= sizeof(hop))
			return; /* malformed: keep what we have */
		memcpy(hop, xff + a, b - a);
		hop[b - a] = '\0';
		if (!parse_addr(hop, bin, &v4))
			return;
		snprintf(out, KH_IP_STRLEN, "%s", hop);
		if (!kh_proxy_list_contains(l, hop))
			return;
		end = start > 0 ? start - 1 : 0;
	}
}
