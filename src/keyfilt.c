/* SPDX-License-Identifier: MIT */
#include "keyfilt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "normalize.h"

void kh_kf_add(struct kh_keyfilt *f, const char *key, size_t len)
{
	uint32_t b = kh_kf_hash(key, len);

	f->w[b / 64] |= 1ull << (b % 64);
}

/* The folded key of s[0, n) and its word prefixes. */
static int each_folded(const char *s, size_t n, int (*fn)(const char *key, size_t len, void *ud), void *ud)
{
	char *key = kh_norm_key(s, n);
	size_t kl;
	int r = 0;

	if (key == NULL)
		return -ENOMEM;
	kl = strlen(key);
	for (size_t i = 0; i < kl && r == 0; i++)
		if (key[i] == ' ')
			r = fn(key, i, ud);
	if (r == 0)
		r = fn(key, kl, ud);
	free(key);
	return r;
}

int kh_kf_each_key(const char *variants, int (*fn)(const char *key, size_t len, void *ud), void *ud)
{
	const char *p = variants;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		int r = each_folded(p, n, fn, ud);

		/* a first word may be added on its own, folded alone (numbers.c does) */
		for (size_t i = 0; i < n && r == 0; i++)
			if (p[i] == ' ')
				r = each_folded(p, i, fn, ud);
		if (r < 0)
			return r;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static int add_one(const char *key, size_t len, void *ud)
{
	kh_kf_add(ud, key, len);
	return 0;
}

int kh_kf_add_variants(struct kh_keyfilt *f, const char *variants)
{
	return kh_kf_each_key(variants, add_one, f);
}

int kh_kf_add_file(struct kh_keyfilt *f, const char *path)
{
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (fp == NULL)
		return -errno;
	while (getline(&line, &cap, fp) >= 0) {
		size_t len = strlen(line);

		/* as kh_lex_load reads a line: trailing line ends off, blanks and comments skipped */
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		line[strcspn(line, "\t")] = '\0';
		r = kh_kf_add_variants(f, line);
		if (r < 0)
			break;
	}
	free(line);
	fclose(fp);
	return r;
}
