/* SPDX-License-Identifier: MIT */
/* bench_text: time normalize + segment over 1x, 10x and 100x copies of an
 * article and print ns per byte (flat = linear) and words per second, next to
 * the bare ICU baseline (NFKC + word break over the same text).
 *
 * The table is printed twice: with glibc malloc's defaults, where freeing a
 * large document gives its pages back to the kernel and the next document
 * faults them in again (a cost that grows with the document), and with malloc
 * told to keep freed memory, as a long-running server's allocator is warm:
 * there ns/byte must stay flat from 1x to 100x.
 *
 *   bench_text [FILE] [DATA_DIR]      (defaults: tests/data/article_ar.txt, data/) */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/uclean.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"

#ifndef KH_BENCH_TEXT
#define KH_BENCH_TEXT "tests/data/article_ar.txt"
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	if (f == NULL || buf == NULL) {
		free(buf);
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	for (;;) {
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

/* One run of normalize + segment; returns seconds, sets *ret_words. */
static double run_ours(struct kh_segmenter *sg, const struct kh_lexicon *known, const char *text,
		       size_t len, size_t *ret_words)
{
	struct kh_doc *doc = kh_doc_new();
	double t0, t1;
	size_t words = 0;

	doc->orig = text;
	doc->orig_len = (uint32_t)len;
	t0 = now();
	if (kh_norm_apply(doc) < 0 || kh_seg_apply(sg, known, doc) < 0) {
		fprintf(stderr, "bench_text: pipeline failed\n");
		exit(1);
	}
	t1 = now();
	for (uint32_t i = 0; i < doc->tokens.n; i++)
		words += doc->tokens.items[i].kind == KH_TOK_WORD || doc->tokens.items[i].kind == KH_TOK_NUMBER;
	*ret_words = words;
	doc->orig = NULL;
	kh_doc_free(doc);
	return t1 - t0;
}

/* ICU alone: UTF-8 → UTF-16, NFKC, word break. */
static double run_icu(UBreakIterator *wb, const char *text, size_t len)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
	int32_t n16 = 0;
	UChar *u16 = malloc((len + 1) * sizeof(UChar));
	UChar *nf = malloc((len * 2 + 16) * sizeof(UChar));
	double t0 = now(), t1;
	int32_t nn, count = 0;

	u_strFromUTF8(u16, (int32_t)len + 1, &n16, text, (int32_t)len, &st);
	nn = unorm2_normalize(nfkc, u16, n16, nf, (int32_t)(len * 2 + 16), &st);
	ubrk_setText(wb, nf, nn, &st);
	for (int32_t p = ubrk_first(wb); p != UBRK_DONE; p = ubrk_next(wb))
		count++;
	t1 = now();
	if (U_FAILURE(st) || count == 0)
		fprintf(stderr, "bench_text: ICU baseline failed: %s\n", u_errorName(st));
	free(u16);
	free(nf);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : KH_BENCH_TEXT;
	const char *data = argc > 2 ? argv[2] : KH_SOURCE_DATA_DIR;
	static const int factors[] = { 1, 10, 100 };
	char words_path[4096], *err = NULL;
	size_t len;
	char *one = read_file(path, &len);
	struct kh_lexicon *known = kh_lex_new();
	struct kh_segmenter *sg = kh_seg_new();
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *wb = ubrk_open(UBRK_WORD, "ar", NULL, 0, &st);

	if (one == NULL || known == NULL || sg == NULL || U_FAILURE(st)) {
		fprintf(stderr, "bench_text: cannot read %s or open ICU\n", path);
		return 1;
	}
	snprintf(words_path, sizeof(words_path), "%s/words.txt", data);
	if (kh_lex_load(known, words_path, 0, 0, &err) < 0)
		fprintf(stderr, "bench_text: %s (continuing without known words)\n", err);
	free(err);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			mallopt(M_TRIM_THRESHOLD, 1 << 30);
			mallopt(M_MMAP_THRESHOLD, 1 << 30);
			mallopt(M_TOP_PAD, 64 << 20);
		}
		printf("%s\n%-6s %10s %8s %12s %12s %12s %8s\n",
		       pass == 0 ? "malloc defaults:" : "malloc keeps freed memory:", "copies", "bytes", "words",
		       "ns/byte", "words/s", "icu ns/byte", "ratio");
		for (size_t f = 0; f < sizeof(factors) / sizeof(factors[0]); f++) {
			size_t n = len * (size_t)factors[f], words = 0;
			char *text = malloc(n + 1);
			double best = 1e9, best_icu = 1e9;
			int reps = factors[f] >= 100 ? 7 : 50;

			for (int i = 0; i < factors[f]; i++)
				memcpy(text + (size_t)i * len, one, len);
			text[n] = '\0';
			for (int r = 0; r < reps; r++) {
				double t = run_ours(sg, known, text, n, &words);
				double ti = run_icu(wb, text, n);

				best = t < best ? t : best;
				best_icu = ti < best_icu ? ti : best_icu;
			}
			printf("%-6d %10zu %8zu %12.2f %12.0f %12.2f %8.2f\n", factors[f], n, words,
			       best * 1e9 / (double)n, (double)words / best, best_icu * 1e9 / (double)n,
			       best / best_icu);
			free(text);
		}
	}
	ubrk_close(wb);
	kh_seg_free(sg);
	kh_lex_free(known);
	free(one);
	kh_seg_shutdown();
	u_cleanup();
	return 0;
}
