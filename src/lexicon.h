/* SPDX-License-Identifier: MIT */
/**
 * @file lexicon.h
 * Phrase tables loaded from the plain UTF-8 files in data/: one entry a line,
 * tab-separated columns, the first column holding the surface variants
 * separated by '|'.  Each variant is normalized and folded (kh_norm_key) and
 * stored under that key, so look-ups ignore diacritics and hamza/yaa/taa-marbuta
 * spelling.  Immutable once loaded; shared by all threads without locks.
 */
#ifndef KHABAR_LEXICON_H
#define KHABAR_LEXICON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * The last @p len < 8 bytes of @p s as memcpy into a zeroed word would give them, from at
 * most two overlapping loads instead of a byte loop.
 */
static inline uint64_t kh_lex_tail_word(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t lo;
	uint32_t hi;

	if (len >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		/* hi holds bytes len-4 .. len-1; keep those past byte 3, at their places */
		return (uint64_t)lo | ((uint64_t)hi >> (8 * (8 - len))) << 32;
	}
	if (len == 0)
		return 0;
	return (uint64_t)p[0] | (uint64_t)p[len / 2] << (8 * (len / 2)) | (uint64_t)p[len - 1] << (8 * (len - 1));
}

/**
 * Are the @p len bytes at @p a and @p b equal?  Eight bytes a step and the tail as one
 * overlapping load: keys are short, and the libc call (or a byte loop) costs more than the
 * compare.
 */
static inline bool kh_lex_key_eq(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	uint32_t u, v;
	size_t i;

	if (len < 8) {
		if (len < 4)
			return kh_lex_tail_word(a, len) == kh_lex_tail_word(b, len);
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return false;
		memcpy(&u, a + len - 4, 4);
		memcpy(&v, b + len - 4, 4);
		return u == v;
	}
	for (i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return x == y;
}

/**
 * The lexicon's hash of a key, eight bytes a step (keys are Arabic words of 8 to 30 bytes;
 * hashing byte by byte was a tenth of the pipeline's instructions).  Inline, so that the
 * entity stage's phrase tables hash their words the same way without a call.
 */
static inline uint32_t kh_lex_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
	uint64_t w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 29;
	}
	w = kh_lex_tail_word(s, len);
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

struct kh_doc;

#define KH_LEX_MAX_FIELDS 8

struct kh_lex_entry {
	const char *surface;      /**< the variant as written in the file */
	const char *fields[KH_LEX_MAX_FIELDS]; /**< the columns after the first ("" when empty) */
	uint8_t n_fields;
	uint8_t n_words;          /**< words in the key */
	const char *file;         /**< where it came from, for messages */
	uint32_t line;
	const struct kh_lex_entry *next; /**< another entry under the same key (homographs) */
};

struct kh_lexicon;

/** New empty lexicon; NULL on OOM. */
struct kh_lexicon *kh_lex_new(void);

/** Free a lexicon. Accepts NULL. @return NULL */
struct kh_lexicon *kh_lex_free(struct kh_lexicon *lx);

/**
 * Load a TSV lexicon file into @p lx.
 * @param[in] min_fields, max_fields columns allowed after the first
 * @param[out] ret_err on failure, malloc'd "FILE:LINE: message"
 * @return entries loaded (>= 0), -EINVAL for a bad line, -errno when the file can't be read
 */
int kh_lex_load(struct kh_lexicon *lx, const char *path, unsigned min_fields, unsigned max_fields,
		char **ret_err);

/** Called by kh_lex_each_line() for each line, its end of line removed. <0 stops the walk. */
typedef int (*kh_lex_line_fn)(char *line, size_t len, unsigned lineno, void *ud);

/**
 * Read a data file line by line: the one loop behind every lexicon and stage loader.
 * @param[in] max_line longest line accepted (with its line end), 0 for any; a longer line,
 *            or one holding a NUL byte, is an error
 * @param[out] ret_err on a failure of its own, malloc'd "FILE:LINE: message" (may be NULL);
 *            @p fn sets it for the errors it returns
 * @return 0, the first negative return of @p fn, -EINVAL for a bad line, or -errno when
 *         the file cannot be read (-ENOENT when it does not exist)
 */
int kh_lex_each_line(const char *path, size_t max_line, kh_lex_line_fn fn, void *ud, char **ret_err);

/** A malloc'd "FILE:LINE: message" (NULL on OOM). */
char *kh_lex_errorf(const char *file, unsigned line, const char *msg);

/** Split @p line on tabs in place into at most @p max columns. @return the column count */
unsigned kh_lex_split_tabs(char *line, char **cols, unsigned max);

/**
 * Add one entry under every variant of @p variants ('|'-separated).
 * @return 0, -EINVAL when a variant normalizes to nothing, -ENOMEM
 */
int kh_lex_add(struct kh_lexicon *lx, const char *variants, const char *const *fields,
	       unsigned n_fields, const char *file, uint32_t line);

/** Entry stored under the folded key @p key (words joined by one space), or NULL. */
const struct kh_lex_entry *kh_lex_get(const struct kh_lexicon *lx, const char *key);

/**
 * kh_lex_get() for a key of known length, which need not be NUL-terminated.
 * @param[in] key @p len bytes of a folded key
 * @return the entry, or NULL
 */
const struct kh_lex_entry *kh_lex_get_n(const struct kh_lexicon *lx, const char *key, size_t len);

/** True when some stored key starts with the words of @p key followed by a space. */
bool kh_lex_has_prefix(const struct kh_lexicon *lx, const char *key);

/** kh_lex_has_prefix() for a key of @p len bytes, which need not be NUL-terminated. */
bool kh_lex_has_prefix_n(const struct kh_lexicon *lx, const char *key, size_t len);

/**
 * Call @p fn with every key stored in @p lx: each folded variant and each of its word
 * prefixes (what kh_lex_get(), kh_lex_has_prefix() and kh_lex_match() can find).  The key
 * (NUL-terminated) may lie in the table: copy it to keep it past the next kh_lex_add().
 * @return 0, or the first non-zero return of @p fn
 */
int kh_lex_each_key(const struct kh_lexicon *lx, int (*fn)(const char *key, size_t len, void *ud),
		    void *ud);

/** Number of lines loaded or entries added. */
size_t kh_lex_count(const struct kh_lexicon *lx);

/**
 * Longest phrase of @p lx that starts at token @p tok of @p doc.  The first token
 * is matched without its proclitics (token key), the following ones whole.
 * @param[out] ret_entry the entry when found
 * @return number of tokens matched, 0 when none
 */
uint32_t kh_lex_match(const struct kh_lexicon *lx, const struct kh_doc *doc, uint32_t tok,
		      const struct kh_lex_entry **ret_entry);

#endif
