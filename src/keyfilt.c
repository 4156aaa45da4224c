/* SPDX-License-Identifier: MIT */
#include "keyfilt.h"

#include "lexicon.h"

void kh_kf_add(struct kh_keyfilt *f, const char *key, size_t len)
{
	uint32_t b = kh_kf_hash(key, len);

	f->w[b / 64] |= 1ull << (b % 64);
}

static int add_one(const char *key, size_t len, void *ud)
{
	kh_kf_add(ud, key, len);
	return 0;
}

void kh_kf_add_lexicon(struct kh_keyfilt *f, const struct kh_lexicon *lx)
{
	kh_lex_each_key(lx, add_one, f);
}
