/* SPDX-License-Identifier: MIT */
/**
 * @file proxy.h
 * Trusted reverse proxies: which peers may tell us the client address in
 * X-Forwarded-For.  Entries are IPv4/IPv6 addresses or CIDR blocks.
 */
#ifndef KHABAR_PROXY_H
#define KHABAR_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define KH_PROXY_MAX 64 /**< entries in the trusted list at most */
#define KH_IP_STRLEN 46 /**< INET6_ADDRSTRLEN */

struct kh_proxy_list;

/**
 * Parse a comma-separated list ("10.0.0.0/8, 127.0.0.1, ::1").
 * @param[out] ret_list the list (NULL for an empty spec is not used: an empty list is returned)
 * @param[out] ret_bad on -EINVAL, a malloc'd copy of the bad entry (caller frees), may be NULL
 * @return 0, -EINVAL for a bad entry, -E2BIG for too many, -ENOMEM
 */
int kh_proxy_list_parse(const char *spec, struct kh_proxy_list **ret_list, char **ret_bad);

/** Free a list. Accepts NULL. @return NULL */
struct kh_proxy_list *kh_proxy_list_free(struct kh_proxy_list *l);

/** @return true when the address text @p ip is in the list */
bool kh_proxy_list_contains(const struct kh_proxy_list *l, const char *ip);

/**
 * Write the text form of a socket address (IPv4-mapped IPv6 shown as IPv4).
 * @return 0, or -EAFNOSUPPORT
 */
int kh_proxy_addr_str(const struct sockaddr *sa, char out[KH_IP_STRLEN]);

/**
 * The client address of a request: the peer, unless the peer is a trusted proxy
 * and X-Forwarded-For names an address; then the right-most address of the header
 * that is not itself a trusted proxy.
 * @param[in] peer the peer address text
 * @param[in] xff the X-Forwarded-For header, or NULL
 * @param[out] out the client address text
 */
void kh_proxy_client_ip(const struct kh_proxy_list *l, const char *peer, const char *xff,
			char out[KH_IP_STRLEN]);

#endif
