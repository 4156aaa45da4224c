/* SPDX-License-Identifier: MIT */
/* Property test of the text layer over random Unicode text (fixed seed): no
 * offset ever points outside the text or inside a character (so never inside
 * a UTF-8 sequence nor, in UTF-16, inside a surrogate pair); spans are ordered;
 * the offset map is monotonic; the JSON writer agrees in every unit. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>
#include <unicode/ustring.h>

#include "khabar/khabar.h"
#include "tap.h"
#include "textdoc.h"
#include "utf8.h"

#define ITERATIONS 5000
#define MAX_CPS 160

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static uint32_t range(uint32_t lo, uint32_t hi)
{
	return lo + rnd(hi - lo + 1);
}

/* A code point from a mix that stresses the normalizer and the segmenters. */
static uint32_t random_cp(void)
{
	static const uint32_t special[] = {
		'\r', '\n', ' ', '.', '!', '?', '"', 0x61F, 0x60C, 0xAB, 0xBB, 0x201C, 0x201D, 0x200C,
		0x200D, 0x200F, 0x61C, 0xFEFF, 0xAD, 0x640, 0x651, 0x654, 0x653, 0x670, 0xFDFA, 0xFDFD,
		0x2026, 0x2033, 0xA0, 0x2028, 0x1F1F8, 0x1F3FD, 0x20000, 0xFFFD, '/', ',', '0', '5',
	};
	uint32_t cp;

	switch (rnd(12)) {
	case 0:
		cp = range(1, 0x7F); /* ASCII, controls included, NUL excluded */
		break;
	case 1:
	case 2:
	case 3:
		cp = range(0x600, 0x6FF); /* Arabic, marks, digits */
		break;
	case 4:
		cp = range(0x621, 0x64A); /* plain letters, for clitics */
		break;
	case 5:
		cp = special[rnd(sizeof(special) / sizeof(special[0]))];
		break;
	case 6:
		cp = rnd(2) != 0 ? range(0xFB50, 0xFDFF) : range(0xFE70, 0xFEFF); /* presentation forms */
		break;
	case 7:
		cp = rnd(2) != 0 ? range(0x300, 0x36F) : range(0x2000, 0x206F); /* marks, punctuation */
		break;
	case 8:
		cp = range(0x1F300, 0x1FAFF); /* emoji */
		break;
	case 9:
		cp = range(0xAC00, 0xD7A3); /* Hangul (NFKC composes jamo) */
		break;
	default:
		cp = range(1, 0x10FFFF); /* anything */
		break;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD;
	return cp;
}

static bool boundary(const char *s, uint32_t len, uint32_t at)
{
	return at <= len && (at == len || ((unsigned char)s[at] & 0xC0) != 0x80);
}

static const char *check_doc(const struct kh_doc *doc)
{
	uint32_t prev_end = 0, prev_os = 0;

	if (!kh_utf8_valid(doc->norm, doc->norm_len, NULL) || strlen(doc->norm) != doc->norm_len)
		return "view is not valid UTF-8 of norm_len bytes";
	if (doc->norm_ostart[doc->norm_len] != doc->orig_len || doc->norm_oend[doc->norm_len] != doc->orig_len)
		return "map does not end at orig_len";
	for (uint32_t i = 0; i < doc->norm_len; i++) {
		uint32_t s = doc->norm_ostart[i], e = doc->norm_oend[i];

		if (s < prev_os)
			return "norm_ostart not monotonic";
		if (s >= e || e > doc->orig_len || !boundary(doc->orig, doc->orig_len, s) ||
		    !boundary(doc->orig, doc->orig_len, e))
			return "map entry outside the text or inside a character";
		prev_os = s;
	}
	for (uint32_t k = 0; k < doc->tokens.n; k++) {
		const struct kh_token *t = &doc->tokens.items[k];
		uint32_t os, oe;

		if (!(prev_end <= t->start && t->start < t->end && t->end <= doc->norm_len))
			return "token span out of order or outside the view";
		if (!(t->start <= t->core_start && t->core_start <= t->stem_start &&
		      t->stem_start <= t->stem_end && t->stem_end <= t->end))
			return "token parts out of order";
		if (!boundary(doc->norm, doc->norm_len, t->start) || !boundary(doc->norm, doc->norm_len, t->end) ||
		    !boundary(doc->norm, doc->norm_len, t->core_start) ||
		    !boundary(doc->norm, doc->norm_len, t->stem_start) ||
		    !boundary(doc->norm, doc->norm_len, t->stem_end))
			return "token offset inside a UTF-8 sequence of the view";
		if (t->key == NULL || t->stem_key == NULL || t->full_key == NULL)
			return "token without keys";
		if (strlen(t->full_key) != kh_tok_full_len(t) || strlen(t->key) != kh_tok_key_len(t) ||
		    strlen(t->stem_key) != kh_tok_stem_len(t))
			return "token key length differs from kh_tok_*_len";
		kh_doc_orig_span(doc, t->start, t->end, &os, &oe);
		if (os >= oe || !boundary(doc->orig, doc->orig_len, os) || !boundary(doc->orig, doc->orig_len, oe))
			return "token's original span empty or inside a character";
		if (t->sentence >= doc->sentences.n)
			return "token sentence index out of range";
		prev_end = t->end;
	}
	for (uint32_t i = 0, next_tok = 0, prev = 0; i < doc->sentences.n; i++) {
		const struct kh_sentence *s = &doc->sentences.items[i];

		if (s->tok_first != next_tok || s->tok_end <= s->tok_first || s->tok_end > doc->tokens.n)
			return "sentences do not tile the tokens";
		if (s->start < prev || s->start >= s->end || s->end > doc->norm_len)
			return "sentence span out of order";
		next_tok = s->tok_end;
		prev = s->end;
		if (i + 1 == doc->sentences.n && next_tok != doc->tokens.n)
			return "tokens after the last sentence";
	}
	return NULL;
}

/* Is UTF-16 offset @p at between the two halves of a surrogate pair of @p u? */
static bool inside_pair(const UChar *u, int32_t n, json_int_t at)
{
	return at > 0 && at < n && u[at] >= 0xDC00 && u[at] <= 0xDFFF && u[at - 1] >= 0xD800 && u[at - 1] <= 0xDBFF;
}

/* Every start/end the JSON writer gives for sentences lands on a character of the text. */
static const char *check_json(const struct kh_doc *doc)
{
	static const enum kh_offset_unit units[] = { KH_OFFSET_CODEPOINT, KH_OFFSET_UTF16, KH_OFFSET_UTF8 };
	static UChar u16[MAX_CPS * 2 + 2];
	int32_t n16 = 0;
	UErrorCode st = U_ZERO_ERROR;
	const char *bad = NULL;

	u_strFromUTF8(u16, MAX_CPS * 2 + 2, &n16, doc->orig, (int32_t)doc->orig_len, &st);
	if (U_FAILURE(st))
		return "the text does not convert to UTF-16";

	for (size_t u = 0; u < 3 && bad == NULL; u++) {
		char *js = kh_doc_to_json(doc, units[u], NULL);
		json_t *root = json_loads(js != NULL ? js : "", 0, NULL);
		json_t *sents = json_object_get(root, "sentences");
		json_int_t length = json_integer_value(json_object_get(root, "length"));
		json_int_t prev = 0;

		if (root == NULL)
			bad = "JSON writer failed";
		for (size_t i = 0; bad == NULL && i < json_array_size(sents); i++) {
			json_int_t a = json_integer_value(json_object_get(json_array_get(sents, i), "start"));
			json_int_t b = json_integer_value(json_object_get(json_array_get(sents, i), "end"));

			if (a < prev || b <= a || b > length)
				bad = "JSON sentence offsets out of order or outside the text";
			else if (units[u] == KH_OFFSET_UTF16 && (inside_pair(u16, n16, a) || inside_pair(u16, n16, b)))
				bad = "JSON UTF-16 offset inside a surrogate pair";
			else if (units[u] == KH_OFFSET_UTF16 && length != n16)
				bad = "JSON UTF-16 length differs from the text's";
			prev = b;
		}
		json_decref(root);
		free(js);
	}
	return bad;
}

int main(void)
{
	struct kh_segmenter *sg = kh_seg_new();
	struct kh_lexicon *known = kh_lex_new();
	char *text = malloc(MAX_CPS * 4 + 1);
	unsigned failures = 0;
	const char *first = NULL;

	kh_lex_add(known, "قال|بيروت|زيارة|حكومة|مدينة|وزير", NULL, 0, "test", 1);
	for (int it = 0; it < ITERATIONS; it++) {
		uint32_t n = rnd(MAX_CPS + 1), len = 0;
		struct kh_doc *doc;
		const char *why;

		for (uint32_t i = 0; i < n; i++)
			len += kh_utf8_encode(random_cp(), text + len);
		text[len] = '\0';
		doc = td_norm(text, len);
		if (doc == NULL || kh_seg_apply(sg, known, doc) < 0) {
			why = "normalize or segment failed";
		} else {
			why = check_doc(doc);
			if (why == NULL && it % 2 == 0)
				why = check_json(doc);
		}
		if (why != NULL && failures++ == 0) {
			first = why;
			printf("# iteration %d: %s; input bytes:", it, why);
			for (uint32_t i = 0; i < len; i++)
				printf(" %02x", (unsigned char)text[i]);
			printf("\n");
		}
		kh_doc_free(doc);
	}
	tap_is_int(failures, 0, "%d random texts keep every offset invariant%s%s", ITERATIONS,
		   first != NULL ? ": " : "", first != NULL ? first : "");
	free(text);
	kh_lex_free(known);
	kh_seg_free(sg);
	kh_seg_shutdown();
	u_cleanup();
	return tap_done();
}
