/* SPDX-License-Identifier: MIT */
#include "apikey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key {
	unsigned char bytes[KH_APIKEY_MAX]; /* zero-padded */
	size_t len;
};

struct kh_apikeys {
	size_t n;
	struct key *keys;
};

static char *errorf(const char *path, unsigned line, const char *msg)
{
	char *s = NULL;

	if (asprintf(&s, "%s:%u: %s", path, line, msg) < 0)
		return NULL;
	return s;
}

int kh_apikeys_load(const char *path, struct kh_apikeys **ret_keys, char **ret_err)
{
	struct kh_apikeys *k = calloc(1, sizeof(*k));
	char line[KH_APIKEY_MAX + 64];
	unsigned lineno = 0;
	FILE *f;
	int r = 0;

	if (k == NULL)
		return -ENOMEM;
	k->keys = calloc(KH_APIKEYS_MAX, sizeof(*k->keys));
	if (k->keys == NULL) {
		free(k);
		return -ENOMEM;
	}
	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		*ret_err = errorf(path, 0, strerror(errno));
		kh_apikeys_free(k);
		return r;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t a = 0, b = strlen(line);

		lineno++;
		if (b == sizeof(line) - 1 && line[b - 1] != '\n') {
			*ret_err = errorf(path, lineno, "line too long");
			r = -EINVAL;
			break;
		}
		while (a < b && (line[a] == ' ' || line[a] == '\t'))
			a++;
		while (b > a && (line[b - 1] == '\n' || line[b - 1] == '\r' || line[b - 1] == ' ' || line[b - 1] == '\t'))
			b--;
		if (a == b || line[a] == '#')
			continue;
		if (b - a < KH_APIKEY_MIN || b - a > KH_APIKEY_MAX || memchr(line + a, ' ', b - a) != NULL) {
			*ret_err = errorf(path, lineno, "a key must be 16 to 256 characters without spaces");
			r = -EINVAL;
			break;
		}
		if (k->n == KH_APIKEYS_MAX) {
			*ret_err = errorf(path, lineno, "too many keys");
			r = -EINVAL;
			break;
		}
		memcpy(k->keys[k->n].bytes, line + a, b - a);
		k->keys[k->n].len = b - a;
		k->n++;
	}
	fclose(f);
	if (r == 0 && k->n == 0) {
		*ret_err = errorf(path, lineno, "no key in the file");
		r = -EINVAL;
	}
	if (r < 0) {
		kh_apikeys_free(k);
		return r;
	}
	*ret_keys = k;
	return 0;
}

bool kh_apikeys_check(const struct kh_apikeys *k, const char *token, size_t len)
{
	volatile unsigned char found = 0;

	if (k == NULL)
		return false;
	for (size_t i = 0; i < k->n; i++) {
		const struct key *key = &k->keys[i];
		unsigned char diff = (unsigned char)(len != key->len);

		/* Every byte of every key is compared; no early exit on a mismatch. */
		for (size_t j = 0; j < KH_APIKEY_MAX; j++) {
			unsigned char t = j < len ? (unsigned char)token[j] : 0;

			diff |= (unsigned char)(t ^ key->bytes[j]);
		}
		found |= (unsigned char)(diff == 0);
	}
	return found != 0 && len <= KH_APIKEY_MAX;
}

size_t kh_apikeys_count(const struct kh_apikeys *k)
{
	return k != NULL ? k->n : 0;
}

struct kh_apikeys *kh_apikeys_free(struct kh_apikeys *k)
{
	if (k == NULL)
		return NULL;
	if (k->keys != NULL)
		explicit_bzero(k->keys, KH_APIKEYS_MAX * sizeof(*k->keys));
	free(k->keys);
	free(k);
	return NULL;
}
