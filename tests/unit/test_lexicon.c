/* SPDX-License-Identifier: MIT */
/* The lexicon loader and phrase matcher. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"
#include "tap.h"

static char *write_temp(const char *content)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/khabar-lex-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		return NULL;
	close(fd);
	return path;
}

static void test_load_and_get(void)
{
	struct kh_lexicon *lx = kh_lex_new();
	char *err = NULL;
	char *path = write_temp("# comment\n\nسورية|سوريا\tGPE\tSY\nقوات سورية الديمقراطية|قسد\tORG\t\n");
	int r = kh_lex_load(lx, path, 1, 2, &err);
	const struct kh_lex_entry *e;

	tap_is_int(r, 2, "two entries loaded");
	e = kh_lex_get(lx, "سوريه");
	tap_ok(e != NULL && strcmp(e->fields[0], "GPE") == 0, "folded key finds سورية");
	tap_ok(kh_lex_get(lx, "سوريا") != NULL, "variant سوريا is stored");
	tap_ok(kh_lex_has_prefix(lx, "قوات سوريه"), "multi-word prefix is marked");
	tap_ok(!kh_lex_has_prefix(lx, "قسد"), "a whole one-word key is no prefix");
	e = kh_lex_get(lx, "قوات سوريه الديمقراطيه");
	tap_ok(e != NULL && e->n_words == 3 && e->line == 4, "entry remembers words and line");
	tap_is_int(kh_lex_count(lx), 2, "count is lines, not variants");
	unlink(path);
	kh_lex_free(lx);
}

static void test_bad_line(void)
{
	struct kh_lexicon *lx = kh_lex_new();
	char *err = NULL;
	char *path = write_temp("دمشق\tGPE\nحلب\n");
	int r = kh_lex_load(lx, path, 1, 1, &err);

	tap_is_int(r, -EINVAL, "a line with too few columns fails the load");
	tap_ok(err != NULL && strstr(err, ":2:") != NULL, "message names line 2: %s", err ? err : "");
	free(err);
	unlink(path);
	kh_lex_free(lx);
}

static void test_missing_file(void)
{
	struct kh_lexicon *lx = kh_lex_new();
	char *err = NULL;
	int r = kh_lex_load(lx, "/nonexistent/khabar.tsv", 0, 0, &err);

	tap_is_int(r, -ENOENT, "a missing file is -ENOENT");
	tap_ok(err != NULL && strstr(err, "/nonexistent/khabar.tsv") != NULL, "message names the file");
	free(err);
	kh_lex_free(lx);
}

struct seen {
	char lines[4][16];
	unsigned lineno[4], n, stop_at;
};

static int note_line(char *line, size_t len, unsigned lineno, void *ud)
{
	struct seen *s = ud;

	if (s->n < 4 && len < sizeof(s->lines[0]) && strlen(line) == len) {
		memcpy(s->lines[s->n], line, len + 1);
		s->lineno[s->n] = lineno;
	}
	s->n++;
	return s->n == s->stop_at ? -ECANCELED : 0;
}

/* The line reader under every loader: line ends, numbers, limits, the callback's stop. */
static void test_each_line(void)
{
	struct seen s = { 0 };
	char *err = NULL;
	char *path = write_temp("one\r\n\ntwo\nthree");
	char long_line[80];
	int r = kh_lex_each_line(path, 0, note_line, &s, &err);

	tap_ok(r == 0 && s.n == 4 && strcmp(s.lines[0], "one") == 0 && s.lines[1][0] == '\0' &&
		       strcmp(s.lines[2], "two") == 0 && strcmp(s.lines[3], "three") == 0 && s.lineno[3] == 4,
	       "every line, CR LF and LF taken off, the last without one, numbered from 1");
	unlink(path);
	s = (struct seen){ .stop_at = 2 };
	path = write_temp("a\nb\nc\n");
	tap_is_int(kh_lex_each_line(path, 0, note_line, &s, &err), -ECANCELED, "a negative return stops");
	tap_is_int((long long)s.n, 2, "at that line");
	unlink(path);
	memset(long_line, 'x', sizeof(long_line) - 2);
	long_line[sizeof(long_line) - 2] = '\n';
	long_line[sizeof(long_line) - 1] = '\0';
	s = (struct seen){ 0 };
	path = write_temp(long_line);
	r = kh_lex_each_line(path, 64, note_line, &s, &err);
	tap_ok(r == -EINVAL && s.n == 0 && err != NULL && strstr(err, ":1: line too long") != NULL,
	       "a line above max_line: -EINVAL, FILE:1 in the message");
	free(err);
	err = NULL;
	unlink(path);
	r = kh_lex_each_line("/nonexistent/khabar.txt", 0, note_line, &s, &err);
	tap_ok(r == -ENOENT && err != NULL && strstr(err, "/nonexistent/khabar.txt:0:") != NULL,
	       "a missing file: -ENOENT and a message naming it");
	free(err);
}

static void test_match(void)
{
	struct kh_lexicon *lx = kh_lex_new();
	struct kh_lexicon *known = kh_lex_new();
	struct kh_segmenter *sg = kh_seg_new();
	struct kh_doc *doc = kh_doc_new();
	const char *text = "قال إن قوات سوريا الديمقراطية تقدمت.";
	const char *f[] = { "ORG" };
	const struct kh_lex_entry *e = NULL;
	uint32_t n = 0;

	kh_lex_add(lx, "قوات سوريا الديمقراطية", f, 1, "test", 1);
	doc->orig = text;
	doc->orig_len = (uint32_t)strlen(text);
	if (kh_norm_apply(doc) == 0 && kh_seg_apply(sg, known, doc) == 0) {
		for (uint32_t i = 0; i < doc->tokens.n && n == 0; i++)
			n = kh_lex_match(lx, doc, i, &e);
	}
	tap_is_int(n, 3, "three-token phrase matched");
	tap_ok(e != NULL && strcmp(e->fields[0], "ORG") == 0, "with its entry");
	kh_doc_free(doc);
	kh_seg_free(sg);
	kh_lex_free(known);
	kh_lex_free(lx);
}

/* Thousands of keys: the table and its miss filter grow several times; every key stays
 * found (a filter that forgot a key would lose it silently), absent keys and prefixes of
 * different lengths (the hash reads 8 bytes a step) are told apart. */
/* i spelled with ten Arabic letters (folding leaves them alone), after @p stem. */
static void letters_name(char *out, size_t n, const char *stem, unsigned i, const char *tail)
{
	static const char *const digit[] = { "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز" };
	size_t o = (size_t)snprintf(out, n, "%s", stem);

	do {
		o += (size_t)snprintf(out + o, n - o, "%s", digit[i % 10]);
		i /= 10;
	} while (i > 0 && o < n);
	snprintf(out + o, n - o, "%s", tail);
}

static void test_many_keys(void)
{
	struct kh_lexicon *lx = kh_lex_new();
	char name[96];
	unsigned found = 0, absent = 0, prefixes = 0;

	for (unsigned i = 0; i < 6000; i++) {
		letters_name(name, sizeof(name), "مدينة", i, " ناحية");
		kh_lex_add(lx, name, NULL, 0, "test", i + 1);
	}
	for (unsigned i = 0; i < 6000; i++) {
		letters_name(name, sizeof(name), "مدينه", i, " ناحيه");
		found += kh_lex_get(lx, name) != NULL;
		letters_name(name, sizeof(name), "مدينه", i, "");
		prefixes += kh_lex_has_prefix(lx, name) && kh_lex_get(lx, name) == NULL;
		letters_name(name, sizeof(name), "مدينه", i + 6000, " ناحيه");
		absent += kh_lex_get(lx, name) == NULL;
	}
	tap_is_int(found, 6000, "all 6000 keys found after the table grew");
	tap_is_int(prefixes, 6000, "their first words are prefixes, not entries");
	tap_is_int(absent, 6000, "6000 absent keys are not found");
	tap_ok(kh_lex_get(lx, "") == NULL && kh_lex_get(lx, "مدينهت ناحيه ") == NULL,
	       "empty key and a key with a trailing space miss");
	kh_lex_free(lx);
}

int main(void)
{
	test_load_and_get();
	test_bad_line();
	test_missing_file();
	test_each_line();
	test_match();
	test_many_keys();
	return tap_done();
}
