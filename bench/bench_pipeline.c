/* SPDX-License-Identifier: MIT */
/* In-process benchmark of the analysis pipeline (issue 9):
 *   bench_pipeline [--data-dir DIR] [--threads N] [--seconds S] [--corpus-only] FILE...
 * FILEs are UTF-8 article texts.  Prints words/s and MB/s per core over the
 * articles and over long inputs (the articles concatenated 1x, 10x, 100x), each
 * stage's share of the time, the ICU floor (NFKC + word break over the same
 * text), articles/s with N threads, and the memory one document holds.
 * Per-core figures are per CPU second of the thread (CLOCK_THREAD_CPUTIME_ID), so that a
 * loaded machine does not skew them; the N-thread rate is per wall second.
 * --corpus-only skips the long inputs and the threaded run (for profiling); --rounds N runs
 * the corpus exactly N times (a fixed amount of work, for perf stat and perf record). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "doc.h"
#include "khabar/khabar.h"
#include "malloc_tune.h"

struct text {
	char *s;
	size_t len;
	size_t words;
};

struct corpus {
	struct text *items;
	size_t n;
	size_t bytes;
	size_t words;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: the per-core figures are CPU seconds, so that other
 * load on a shared machine (which stretches wall time) does not move them. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t count_words(const char *s, size_t len)
{
	size_t n = 0;
	int in = 0;

	for (size_t i = 0; i < len; i++) {
		int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';

		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

static int read_file(const char *path, struct text *t)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return -errno;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	t->s = malloc((size_t)n + 1);
	if (t->s == NULL || fread(t->s, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	t->len = (size_t)n;
	t->words = count_words(t->s, t->len);
	return 0;
}

/* The articles joined k times, as one text. */
static struct text concat(const struct corpus *c, unsigned k)
{
	struct text t = { .len = c->bytes * k + c->n * k };
	size_t o = 0;

	t.s = malloc(t.len + 1);
	for (unsigned r = 0; t.s != NULL && r < k; r++) {
		for (size_t i = 0; i < c->n; i++) {
			memcpy(t.s + o, c->items[i].s, c->items[i].len);
			o += c->items[i].len;
			t.s[o++] = '\n';
		}
	}
	t.len = o;
	t.words = c->words * k;
	return t;
}

/* The floor: UTF-8 → UTF-16, NFKC, ICU word break to the end.  One word-break iterator is
 * opened once and given each text (ubrk_setText), as the pipeline's analyzers do: opening
 * one per text (ubrk_open) would add ~5 % to the floor's time. */
static UBreakIterator *floor_words;

static double icu_floor(const struct text *t)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
	int32_t n16 = 0, nn;
	UChar *u, *norm;
	double t0;

	if (floor_words == NULL)
		floor_words = ubrk_open(UBRK_WORD, "ar", NULL, 0, &st);
	if (U_FAILURE(st))
		return -1.0;
	t0 = cpu_now();
	u_strFromUTF8(NULL, 0, &n16, t->s, (int32_t)t->len, &st);
	st = U_ZERO_ERROR;
	u = malloc(((size_t)n16 + 1) * sizeof(UChar));
	norm = malloc(((size_t)n16 * 3 + 16) * sizeof(UChar));
	u_strFromUTF8(u, n16 + 1, &n16, t->s, (int32_t)t->len, &st);
	nn = unorm2_normalize(nfkc, u, n16, norm, n16 * 3 + 16, &st);
	ubrk_setText(floor_words, norm, nn, &st);
	while (ubrk_next(floor_words) != UBRK_DONE)
		;
	free(norm);
	free(u);
	return U_FAILURE(st) ? -1.0 : cpu_now() - t0;
}

struct run {
	double seconds;
	double stage[KH_STAGE__MAX];
	double json_seconds; /* kh_doc_to_json, outside the pipeline's time */
	size_t doc_bytes; /* largest arena + arrays of one document */
};

static int analyze_once(struct kh_analyzer *a, struct kh_pipeline *p, const struct text *t,
			struct run *r)
{
	struct kh_request req = { .text = t->s, .text_len = t->len };
	struct kh_doc *doc = NULL;
	size_t json_len;
	double t0 = cpu_now();
	int st = kh_analyze(a, p, &req, &doc, NULL);

	if (st != KH_OK)
		return -1;
	r->seconds += cpu_now() - t0;
	for (int s = 0; s < KH_STAGE__MAX; s++)
		r->stage[s] += doc->stage_seconds[s];
	if (kh_doc_memory(doc) > r->doc_bytes)
		r->doc_bytes = kh_doc_memory(doc);
	t0 = cpu_now();
	free(kh_doc_to_json(doc, KH_OFFSET_CODEPOINT, &json_len));
	r->json_seconds += cpu_now() - t0;
	kh_doc_free(doc);
	return 0;
}

static unsigned fixed_rounds; /* --rounds */

/* Repeat the whole set until min_seconds have passed (or --rounds times); returns the rounds run. */
static unsigned run_set(struct kh_analyzer *a, struct kh_pipeline *p, const struct text *texts,
			size_t n, double min_seconds, struct run *r)
{
	unsigned rounds = 0;

	memset(r, 0, sizeof(*r));
	do {
		for (size_t i = 0; i < n; i++)
			if (analyze_once(a, p, &texts[i], r) < 0)
				return 0;
		rounds++;
	} while (fixed_rounds > 0 ? rounds < fixed_rounds : r->seconds < min_seconds);
	return rounds;
}

struct worker_arg {
	struct kh_pipeline *p;
	const struct corpus *c;
	double until;
	size_t articles;
	double cpu; /* CPU seconds the thread spent */
};

static void *worker(void *arg)
{
	struct worker_arg *w = arg;
	struct kh_analyzer *a = kh_analyzer_new();
	struct run r = { 0 };
	double c0 = cpu_now();

	while (a != NULL && now() < w->until)
		for (size_t i = 0; i < w->c->n; i++, w->articles++)
			analyze_once(a, w->p, &w->c->items[i], &r);
	w->cpu = cpu_now() - c0;
	kh_analyzer_free(a);
	return NULL;
}

/* Articles per wall second with @p threads threads; *ret_per_cpu gets articles per CPU
 * second (what each core achieved, whatever else the machine was running). */
static double threaded_rate(struct kh_pipeline *p, const struct corpus *c, int threads, double secs,
			    double *ret_per_cpu)
{
	pthread_t tid[64];
	struct worker_arg args[64];
	size_t total = 0;
	double t0 = now(), cpu = 0;

	for (int i = 0; i < threads; i++) {
		args[i] = (struct worker_arg){ .p = p, .c = c, .until = t0 + secs };
		pthread_create(&tid[i], NULL, worker, &args[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += args[i].articles;
		cpu += args[i].cpu;
	}
	*ret_per_cpu = cpu > 0 ? (double)total / cpu : 0;
	return (double)total / (now() - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The pipeline/floor ratio from short runs of each taken in turn: on a shared machine the
 * host's load moves both alike within a pair, which two long runs one after the other do
 * not see.  Prints the median pair and the range. */
static void ratio_interleaved(struct kh_analyzer *a, struct kh_pipeline *p, const struct corpus *c,
			      double secs)
{
	enum { PAIRS = 9 };
	double ratio[PAIRS], block = secs / (2 * PAIRS);

	for (int k = 0; k < PAIRS; k++) {
		struct run r;
		unsigned rounds = run_set(a, p, c->items, c->n, block, &r), fr = 0;
		double fs = 0, t0 = cpu_now();

		do {
			for (size_t i = 0; i < c->n; i++)
				fs += icu_floor(&c->items[i]);
			fr++;
		} while (cpu_now() - t0 < block);
		ratio[k] = rounds > 0 && fs > 0 ? (r.seconds / rounds) / (fs / fr) : 0;
	}
	qsort(ratio, PAIRS, sizeof(ratio[0]), cmp_double);
	printf("ratio pipeline/floor, %d interleaved pairs: median %.2fx (range %.2fx-%.2fx; target <= 4x)\n",
	       PAIRS, ratio[PAIRS / 2], ratio[0], ratio[PAIRS - 1]);
}

static void report_stages(const struct run *r)
{
	double sum = 0;

	for (int s = 0; s < KH_STAGE__MAX; s++)
		sum += r->stage[s];
	printf("stage shares:");
	for (int s = 0; s < KH_STAGE__MAX; s++)
		printf(" %s=%.1f%%", kh_stage_name((enum kh_stage)s), sum > 0 ? 100.0 * r->stage[s] / sum : 0);
	printf("\n");
}

/* The articles joined 1x, 10x, 100x.  Each size is analysed once before it is timed: the
 * first pass over a size the process has never held faults its memory in (printed apart as
 * "first run"); the timed passes are what a running service pays. */
static void bench_long(struct kh_analyzer *a, struct kh_pipeline *p, const struct corpus *c)
{
	double base = 0;

	for (unsigned k = 1; k <= 100; k *= 10) {
		struct text t = concat(c, k);
		struct run first, r;
		unsigned rounds;
		double per;

		if (t.s == NULL)
			return;
		run_set(a, p, &t, 1, 0.0, &first);
		rounds = run_set(a, p, &t, 1, k == 100 ? 1.0 : 0.5, &r);
		per = r.seconds / rounds;
		if (k == 1)
			base = per;
		printf("long x%-3u %8.2f MB  %9.0f words/s  %7.2f MB/s  time %.2fx of x1 (linear: %ux; "
		       "first run %.2fx)  doc memory %.1f MB (%.1f bytes per input byte)\n",
		       k, (double)t.len / 1e6, (double)t.words / per, (double)t.len / per / 1e6,
		       per / base, k, first.seconds / base, (double)r.doc_bytes / 1e6,
		       (double)r.doc_bytes / (double)t.len);
		free(t.s);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "corpus-only", no_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct kh_pipeline_options po = { .data_dir = KH_SOURCE_DATA_DIR };
	struct corpus c = { 0 };
	int threads = 2, opt, corpus_only = 0;
	double secs = 2.0, floor_s = 0;
	struct kh_pipeline *p;
	struct kh_analyzer *a;
	struct run r;
	char *err = NULL;
	unsigned rounds;

	kh_malloc_keep_freed(); /* as khabar does */
	while ((opt = getopt_long(argc, argv, "d:t:s:cr:", longopts, NULL)) != -1) {
		if (opt == 'c')
			corpus_only = 1;
		else if (opt == 'd')
			po.data_dir = optarg;
		else if (opt == 't')
			threads = atoi(optarg) < 1 ? 1 : atoi(optarg) > 64 ? 64 : atoi(optarg);
		else if (opt == 's')
			secs = atof(optarg);
		else if (opt == 'r')
			fixed_rounds = (unsigned)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	c.items = calloc((size_t)(argc - optind) + 1, sizeof(*c.items));
	for (int i = optind; i < argc; i++) {
		if (read_file(argv[i], &c.items[c.n]) < 0) {
			fprintf(stderr, "bench: cannot read %s\n", argv[i]);
			return 1;
		}
		c.bytes += c.items[c.n].len;
		c.words += c.items[c.n++].words;
	}
	if (c.n == 0) {
		fprintf(stderr, "usage: bench_pipeline [--data-dir DIR] [--threads N] FILE...\n");
		return 2;
	}
	p = kh_pipeline_new(&po, &err);
	a = kh_analyzer_new();
	if (p == NULL || a == NULL) {
		fprintf(stderr, "bench: %s\n", err != NULL ? err : "cannot open pipeline");
		return 1;
	}
	for (size_t i = 0; i < c.n; i++)
		floor_s += icu_floor(&c.items[i]);
	rounds = run_set(a, p, c.items, c.n, secs, &r);
	{
		double per_set = r.seconds / rounds;
		double floor_rounds = 0;
		double t0 = cpu_now();
		unsigned fr = 0;

		do {
			for (size_t i = 0; i < c.n; i++)
				floor_rounds += icu_floor(&c.items[i]);
			fr++;
		} while (cpu_now() - t0 < secs / 2);
		floor_s = floor_rounds / fr;
		printf("corpus: %zu articles, %zu words, %.1f KB\n", c.n, c.words, (double)c.bytes / 1e3);
		printf("pipeline 1 thread: %.0f words/s  %.2f MB/s  %.0f articles/s\n",
		       (double)c.words / per_set, (double)c.bytes / per_set / 1e6, (double)c.n / per_set);
		printf("ICU floor (NFKC + word break): %.0f words/s  %.2f MB/s\n", (double)c.words / floor_s,
		       (double)c.bytes / floor_s / 1e6);
		printf("ratio pipeline/floor: %.2fx (the two runs above, one after the other)\n", per_set / floor_s);
		if (fixed_rounds == 0)
			ratio_interleaved(a, p, &c, secs);
		report_stages(&r);
		printf("response JSON (kh_doc_to_json, what the service adds): %.1f%% of the pipeline's time\n",
		       100.0 * r.json_seconds / r.seconds);
		printf("memory per document: at most %.1f KB (%.1f bytes per input byte)\n",
		       (double)r.doc_bytes / 1e3, (double)r.doc_bytes / (double)c.bytes * (double)c.n);
		if (!corpus_only) {
			double per_cpu, rate;

			bench_long(a, p, &c);
			rate = threaded_rate(p, &c, threads, secs, &per_cpu);
			printf("pipeline %d threads: %.0f articles/s (wall clock; %.0f articles per CPU second)\n",
			       threads, rate, per_cpu);
		}
	}
	if (floor_words != NULL)
		ubrk_close(floor_words);
	kh_analyzer_free(a);
	kh_pipeline_unref(p);
	for (size_t i = 0; i < c.n; i++)
		free(c.items[i].s);
	free(c.items);
	return 0;
}
