/* SPDX-License-Identifier: MIT */
/* khabar analyze: the API's JSON for one article read from a file or stdin. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "khabar/khabar.h"

#define ANALYZE_MAX_INPUT (64u * 1024u * 1024u)

static int read_all(FILE *f, char **ret_buf, size_t *ret_len)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= ANALYZE_MAX_INPUT) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: khabar analyze [--offsets codepoint|utf16|utf8] [--published YYYY-MM-DD]\n"
	      "                      [--data-dir DIR] [--lexicon FILE]... [FILE|-]\n",
	      f);
}

struct analyze_opts {
	enum kh_offset_unit unit;
	const char *published;
	const char *data_dir;
	const char *lexicons[17];
	int n_lexicons;
	const char *input;
};

static int parse_args(int argc, char **argv, struct analyze_opts *o)
{
	static const struct option longopts[] = {
		{ "offsets", required_argument, NULL, 'o' }, { "published", required_argument, NULL, 'p' },
		{ "data-dir", required_argument, NULL, 'd' }, { "lexicon", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	int c;

	o->data_dir = kh_cli_default_data_dir();
	while ((c = getopt_long(argc, argv, "o:p:d:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (kh_offset_unit_parse(optarg, &o->unit) < 0) {
				fprintf(stderr, "khabar analyze: unknown offset unit '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			o->published = optarg;
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'l':
			if (o->n_lexicons == 16) {
				fputs("khabar analyze: at most 16 --lexicon files\n", stderr);
				return 2;
			}
			o->lexicons[o->n_lexicons++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	o->input = optind < argc ? argv[optind] : "-";
	return 0;
}

static int analyze_text(const struct analyze_opts *o, const char *text, size_t len)
{
	struct kh_pipeline_options po = { .data_dir = o->data_dir, .extra_lexicons = o->lexicons };
	struct kh_request req = { .text = text, .text_len = len, .published = o->published };
	struct kh_pipeline *p;
	struct kh_analyzer *a = NULL;
	struct kh_doc *doc = NULL;
	char *err = NULL, *json = NULL;
	size_t bad = 0, jlen = 0;
	int r, rc = 1;

	p = kh_pipeline_new(&po, &err);
	if (p == NULL) {
		fprintf(stderr, "khabar analyze: %s\n", err != NULL ? err : "cannot load lexicons");
		free(err);
		return 1;
	}
	a = kh_analyzer_new();
	if (a == NULL) {
		fputs("khabar analyze: cannot open ICU\n", stderr);
		goto out;
	}
	r = kh_analyze(a, p, &req, &doc, &bad);
	if (r != KH_OK) {
		fprintf(stderr, "khabar analyze: %s", kh_status_name(r));
		if (r == KH_E_INVALID_UTF8 || r == KH_E_NUL_BYTE)
			fprintf(stderr, " at byte %zu", bad);
		fputc('\n', stderr);
		goto out;
	}
	json = kh_doc_to_json(doc, o->unit, &jlen);
	if (json == NULL) {
		fputs("khabar analyze: out of memory\n", stderr);
		goto out;
	}
	fwrite(json, 1, jlen, stdout);
	fputc('\n', stdout);
	rc = 0;
out:
	free(json);
	kh_doc_free(doc);
	kh_analyzer_free(a);
	kh_pipeline_unref(p);
	return rc;
}

int kh_cli_analyze(int argc, char **argv)
{
	struct analyze_opts o = { .unit = KH_OFFSET_CODEPOINT };
	FILE *f;
	char *text = NULL;
	size_t len = 0;
	int r;

	r = parse_args(argc, argv, &o);
	if (r != 0)
		return r == 1 ? 0 : r;
	f = strcmp(o.input, "-") == 0 ? stdin : fopen(o.input, "rb");
	if (f == NULL) {
		fprintf(stderr, "khabar analyze: %s: %s\n", o.input, strerror(errno));
		return 1;
	}
	r = read_all(f, &text, &len);
	if (f != stdin)
		fclose(f);
	if (r < 0) {
		fprintf(stderr, "khabar analyze: %s: %s\n", o.input, strerror(-r));
		return 1;
	}
	r = analyze_text(&o, text, len);
	free(text);
	return r;
}
