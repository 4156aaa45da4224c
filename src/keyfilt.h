/* SPDX-License-Identifier: MIT */
/**
 * @file keyfilt.h
 * A small bit filter over the folded keys of a lexicon, for stages that look up many
 * words of a document that are in none of their lexicons.  It answers "certainly not
 * a key" from a few KB that stay in cache, where a miss in the lexicon reads its
 * larger arrays.  A set bit proves nothing: the caller then asks the lexicon.
 * Filled while the lexicon is loaded; read-only afterwards, shared by all threads.
 */
#ifndef KHABAR_KEYFILT_H
#define KHABAR_KEYFILT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kh_lexicon;

#define KH_KF_BITS (1u << 15) /**< bits of one filter (4 KB): ~3% false positives at 1000 keys */

struct kh_keyfilt {
	uint64_t w[KH_KF_BITS / 64];
};

/* A key's first and last eight bytes (four and four below 8 bytes, the bytes themselves
 * below 4): what the key hashes read instead of looping over the bytes, in loads of fixed
 * size (a folded Arabic word is 4 to 24 bytes). */
static inline void kh_kf_ends(const char *s, size_t len, uint64_t *ret_a, uint64_t *ret_b)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 8) {
		memcpy(ret_a, s, 8);
		memcpy(ret_b, s + len - 8, 8);
	} else if (len >= 4) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + len - 4, 4);
		*ret_a = x;
		*ret_b = y;
	} else {
		*ret_a = len > 0 ? u[0] : 0;
		*ret_b = len > 1 ? (uint64_t)u[1] << 8 | (len > 2 ? u[2] : 0) : 0;
	}
}

/* A hash of a key from its ends (kh_kf_ends) and its length. */
static inline uint32_t kh_kf_hash32(const char *s, size_t len)
{
	uint64_t a, b, h;

	kh_kf_ends(s, len, &a, &b);
	h = (a ^ (uint64_t)len * 0x9E3779B97F4A7C15ull) * 0xFF51AFD7ED558CCDull;
	h = (h ^ (h >> 31) ^ b) * 0xC4CEB9FE1A85EC53ull;
	return (uint32_t)(h >> 32);
}

static inline uint32_t kh_kf_hash(const char *s, size_t len)
{
	return kh_kf_hash32(s, len) & (KH_KF_BITS - 1);
}

/** False when the @p len bytes at @p key are certainly no key added to @p f. */
static inline bool kh_kf_has(const struct kh_keyfilt *f, const char *key, size_t len)
{
	uint32_t b = kh_kf_hash(key, len);

	return (f->w[b / 64] >> (b % 64) & 1) != 0;
}

/** kh_kf_has() of a NUL-terminated key. */
static inline bool kh_kf_has_str(const struct kh_keyfilt *f, const char *key)
{
	return kh_kf_has(f, key, strlen(key));
}

/** Add one folded key of @p len bytes. */
void kh_kf_add(struct kh_keyfilt *f, const char *key, size_t len);

/** Add every key stored in @p lx (kh_lex_each_key): call once the lexicon is loaded. */
void kh_kf_add_lexicon(struct kh_keyfilt *f, const struct kh_lexicon *lx);

#endif
