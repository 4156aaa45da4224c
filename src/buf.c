/* SPDX-License-Identifier: MIT */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct kh_buf *b, size_t extra)
{
	size_t need, ncap;
	char *nd;

	if (b->failed)
		return false;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	ncap = b->cap != 0 ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(b->data, ncap);
	if (nd == NULL) {
		b->failed = true;
		return false;
	}
	b->data = nd;
	b->cap = ncap;
	return true;
}

void kh_buf_add(struct kh_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kh_buf_puts(struct kh_buf *b, const char *s)
{
	kh_buf_add(b, s, strlen(s));
}

void kh_buf_printf(struct kh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void kh_buf_json_escape(struct kh_buf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		kh_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			kh_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			kh_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			kh_buf_add(b, "\\n", 2);
			break;
		case '\r':
			kh_buf_add(b, "\\r", 2);
			break;
		case '\t':
			kh_buf_add(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			kh_buf_add(b, esc, 6);
			break;
		}
	}
	kh_buf_add(b, s + run, n - run);
}

static void json_key(struct kh_buf *b, const char *key)
{
	if (b->len > 0 && b->data[b->len - 1] != '{' && b->data[b->len - 1] != '[')
		kh_buf_add(b, ",", 1);
	kh_buf_add(b, "\"", 1);
	kh_buf_json_escape(b, key, strlen(key));
	kh_buf_add(b, "\":", 2);
}

void kh_buf_json_str(struct kh_buf *b, const char *key, const char *value)
{
	json_key(b, key);
	if (value == NULL) {
		kh_buf_add(b, "null", 4);
		return;
	}
	kh_buf_add(b, "\"", 1);
	kh_buf_json_escape(b, value, strlen(value));
	kh_buf_add(b, "\"", 1);
}

void kh_buf_json_num(struct kh_buf *b, const char *key, long long value)
{
	json_key(b, key);
	kh_buf_printf(b, "%lld", value);
}

bool kh_buf_failed(const struct kh_buf *b)
{
	return b->failed;
}

char *kh_buf_steal(struct kh_buf *b, size_t *ret_len)
{
	char *d;

	if (b->failed || b->data == NULL) {
		kh_buf_done(b);
		return NULL;
	}
	d = b->data;
	if (ret_len != NULL)
		*ret_len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void kh_buf_done(struct kh_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
