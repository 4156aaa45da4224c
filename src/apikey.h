/* SPDX-License-Identifier: MIT */
/**
 * @file apikey.h
 * Optional API keys for deployments without a gateway: a file with one key per
 * line (blank lines and lines starting with # are ignored).  Keys are compared in
 * constant time and never logged.
 */
#ifndef KHABAR_APIKEY_H
#define KHABAR_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define KH_APIKEY_MAX 256  /**< bytes of one key at most */
#define KH_APIKEY_MIN 16   /**< bytes of one key at least */
#define KH_APIKEYS_MAX 1024 /**< keys in the file at most */

struct kh_apikeys;

/**
 * Load a key file.
 * @param[out] ret_keys the keys
 * @param[out] ret_err on failure a malloc'd message naming the file and line
 * @return 0, -ENOENT/-EACCES when unreadable, -EINVAL for a bad line or no key, -ENOMEM
 */
int kh_apikeys_load(const char *path, struct kh_apikeys **ret_keys, char **ret_err);

/** @return true when @p token (@p len bytes) is one of the keys; time independent of key contents */
bool kh_apikeys_check(const struct kh_apikeys *k, const char *token, size_t len);

/** @return the number of keys */
size_t kh_apikeys_count(const struct kh_apikeys *k);

/** Free. Accepts NULL. @return NULL */
struct kh_apikeys *kh_apikeys_free(struct kh_apikeys *k);

#endif
