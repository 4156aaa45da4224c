/* SPDX-License-Identifier: MIT */
/**
 * @file jsonw.h
 * A streaming JSON writer into one growable buffer, for the API's response body.
 *
 * Its text is byte for byte what jansson's json_dumps(..., JSON_COMPACT) prints for the
 * same tree: strings escape only '"', '\\' and the controls below U+0020 (\b \f \n \r \t
 * by name, the others as \u00XX with upper-case hex), '/' and non-ASCII stay as they are,
 * integers print as "%lld".  Like json_string(), a string that is not valid UTF-8 (as
 * jansson defines it: no overlong forms, no surrogates, nothing above U+10FFFF) fails
 * the whole text.  Building a jansson tree and dumping it cost more than the analysis it
 * reports on; this writes each byte once.
 *
 * Commas are the writer's business: every value or key after the first in its container
 * gets one.  Appending never fails loudly: on OOM or a bad string the writer is marked
 * failed, further appends are ignored, and kh_jsonw_steal() returns NULL.
 */
#ifndef KHABAR_JSONW_H
#define KHABAR_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kh_jsonw {
	char *data;
	size_t len;
	size_t cap;
	bool failed;     /**< OOM or a string that was not valid UTF-8 */
	bool need_comma; /**< the next key or array element follows a sibling */
};

/** Start with room for about @p hint bytes (0: a small default). */
void kh_jsonw_init(struct kh_jsonw *w, size_t hint);

/** Release the contents. Accepts a writer that failed or was stolen from. */
void kh_jsonw_done(struct kh_jsonw *w);

/** Take the text (malloc'd, NUL-terminated). @return NULL when the writer failed */
char *kh_jsonw_steal(struct kh_jsonw *w, size_t *ret_len);

/** Grow so that @p extra more bytes (and a NUL) fit. @return false when failed */
bool kh_jsonw_reserve_slow(struct kh_jsonw *w, size_t extra);

static inline bool kh_jsonw_reserve(struct kh_jsonw *w, size_t extra)
{
	if (w->len + extra < w->cap)
		return !w->failed;
	return kh_jsonw_reserve_slow(w, extra);
}

/** Append @p n bytes as they are. */
static inline void kh_jsonw_raw(struct kh_jsonw *w, const char *s, size_t n)
{
	if (!kh_jsonw_reserve(w, n))
		return;
	memcpy(w->data + w->len, s, n);
	w->len += n;
}

/** Append one byte as it is. */
static inline void kh_jsonw_byte(struct kh_jsonw *w, char c)
{
	if (!kh_jsonw_reserve(w, 1))
		return;
	w->data[w->len++] = c;
}

static inline void kh_jsonw_comma(struct kh_jsonw *w)
{
	if (w->need_comma)
		kh_jsonw_byte(w, ',');
}

/** Open an object or array (as a value: after a key or as an element). */
static inline void kh_jsonw_open(struct kh_jsonw *w, char bracket)
{
	kh_jsonw_comma(w);
	kh_jsonw_byte(w, bracket);
	w->need_comma = false;
}

/** Close the innermost object or array. */
static inline void kh_jsonw_close(struct kh_jsonw *w, char bracket)
{
	kh_jsonw_byte(w, bracket);
	w->need_comma = true;
}

/* After a comma if one is due: "s" and then @p tail (0: none), for text that needs no
 * escaping; @return false when the writer failed. */
static inline bool kh_jsonw_quoted(struct kh_jsonw *w, const char *s, size_t n, char tail)
{
	kh_jsonw_comma(w);
	if (!kh_jsonw_reserve(w, n + 3))
		return false;
	w->data[w->len++] = '"';
	memcpy(w->data + w->len, s, n);
	w->len += n;
	w->data[w->len++] = '"';
	if (tail != '\0')
		w->data[w->len++] = tail;
	return true;
}

/** A member's key, @p n bytes that need no escaping (the API's own names). */
static inline void kh_jsonw_keyn(struct kh_jsonw *w, const char *key, size_t n)
{
	if (kh_jsonw_quoted(w, key, n, ':'))
		w->need_comma = false;
}

/** kh_jsonw_keyn() for a string literal. */
#define KH_JSONW_KEY(w, lit) kh_jsonw_keyn((w), "" lit, sizeof(lit) - 1)

/** A string value the caller knows to need no escaping nor checking: the API's own ids and
 *  enum names (ASCII letters, digits, '_' and '-'), never text from outside. */
static inline void kh_jsonw_plain(struct kh_jsonw *w, const char *s, size_t n)
{
	if (kh_jsonw_quoted(w, s, n, '\0'))
		w->need_comma = true;
}

/** A string value of @p n bytes, escaped; fails the writer unless it is valid UTF-8. */
void kh_jsonw_strn(struct kh_jsonw *w, const char *s, size_t n);

/** A NUL-terminated string value (kh_jsonw_strn()). */
void kh_jsonw_str(struct kh_jsonw *w, const char *s);

/**
 * kh_jsonw_strn() for a string already known to be valid UTF-8: only what JSON escapes
 * is looked at, eight bytes a step (the spans of the checked input text).
 */
void kh_jsonw_strn_utf8(struct kh_jsonw *w, const char *s, size_t n);

/** An integer value, as jansson prints it. */
void kh_jsonw_int(struct kh_jsonw *w, long long v);

/** The value null. */
void kh_jsonw_null(struct kh_jsonw *w);

/** The value true or false. */
void kh_jsonw_bool(struct kh_jsonw *w, bool v);

#endif
