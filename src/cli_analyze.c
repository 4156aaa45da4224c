/* SPDX-License-Identifier: MIT */
/* khabar analyze: the API's JSON for one article read from a file or stdin. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_batch.h"
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
	      "                      [--data-dir DIR] [--lexicon FILE]... [FILE|-]\n"
	      "       khabar analyze [options] [--jobs N] [--out DIR [--force]] [--glob PAT | --ext EXT]\n"
	      "                      FILE|DIR...\n"
	      "       khabar analyze [options] [--jobs N] [--out DIR [--force] | --resume FILE] --ndjson [FILE|-]\n",
	      f);
}

static void help(void)
{
	usage(stdout);
	fputs("\n"
	      "One FILE (or '-', standard input, the default) is one article: its JSON is printed.\n"
	      "\n"
	      "Batch mode (several FILEs, a DIRECTORY, --ndjson, --out or --resume):\n"
	      "  FILE|DIR...        files, and *.txt files found in directories (recursively, in name\n"
	      "                     order, hidden entries skipped); the id of a file is its path relative\n"
	      "                     to its directory argument (a FILE argument: the path as given)\n"
	      "  --ndjson           read request lines {\"id\",\"text\",\"published\",\"lang\"} (as for\n"
	      "                     POST /v1/analyze/batch) from FILE or standard input; blank lines skipped\n"
	      "  --glob PAT         take the files of directories whose name matches PAT (default *.txt)\n"
	      "  --ext EXT          the same as --glob '*.EXT'\n"
	      "  -j, --jobs N       analyse with N threads (default: the number of CPUs)\n"
	      "  --out DIR          write one DIR/<id with .json for its extension> per input, atomically\n"
	      "                     (temporary file + rename); stdout then only carries the error lines.\n"
	      "                     An existing result file means done: that input is skipped\n"
	      "  --force            with --out: analyse again inputs whose result file exists\n"
	      "  --resume FILE      write the NDJSON output to FILE instead of stdout, and first read\n"
	      "                     FILE as the journal of a previous run: inputs whose id (or line\n"
	      "                     number, for NDJSON lines without an id) has a line there, result or\n"
	      "                     error, are skipped; a torn last line is cut; new lines are appended\n"
	      "  --progress, --no-progress   a progress bar on stderr (default: when it is a terminal)\n"
	      "  -q, --quiet        no summary line on stderr\n"
	      "\n"
	      "Output: NDJSON on stdout, one line per input in input order: the result document (with\n"
	      "\"id\"; NDJSON inputs also \"line\"), or {\"id\",\"line\",\"error\":{\"code\",\"message\"}}\n"
	      "for an input that failed (invalid UTF-8, empty, unreadable, bad NDJSON line, ...).\n"
	      "Ctrl-C (SIGINT) or SIGTERM: no new input is started, those running are finished and\n"
	      "written, then the run stops; run the same command again (with --out or --resume) to do\n"
	      "only the rest.  A second Ctrl-C exits at once.\n"
	      "Exit status: 0 all inputs analysed (or skipped as done), 1 some failed, 2 usage or setup\n"
	      "error, 130 interrupted by SIGINT, 143 by SIGTERM.\n",
	      stdout);
}

struct analyze_opts {
	enum kh_offset_unit unit;
	const char *published;
	const char *data_dir;
	const char *lexicons[17];
	int n_lexicons;
	const char *input;
	bool batch;
	struct kh_cli_batch_opts b;
	char *glob_buf;
};

enum {
	OPT_NDJSON = 0x100,
	OPT_GLOB,
	OPT_EXT,
	OPT_OUT,
	OPT_FORCE,
	OPT_RESUME,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
};

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int parse_args(int argc, char **argv, struct analyze_opts *o)
{
	static const struct option longopts[] = {
		{ "offsets", required_argument, NULL, 'o' }, { "published", required_argument, NULL, 'p' },
		{ "data-dir", required_argument, NULL, 'd' }, { "lexicon", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },          { "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },         { "ndjson", no_argument, NULL, OPT_NDJSON },
		{ "glob", required_argument, NULL, OPT_GLOB }, { "ext", required_argument, NULL, OPT_EXT },
		{ "out", required_argument, NULL, OPT_OUT }, { "force", no_argument, NULL, OPT_FORCE },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	long n;

	o->data_dir = kh_cli_default_data_dir();
	o->b.glob = "*.txt";
	o->b.progress = -1;
	while ((c = getopt_long(argc, argv, "o:p:d:l:hj:q", longopts, NULL)) != -1) {
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
		case 'j':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || n < 1 || n > KH_CLI_BATCH_MAX_JOBS) {
				fprintf(stderr, "khabar analyze: --jobs wants 1..%d\n", KH_CLI_BATCH_MAX_JOBS);
				return 2;
			}
			o->b.jobs = (unsigned)n;
			break;
		case 'q':
			o->b.quiet = true;
			break;
		case OPT_NDJSON:
			o->b.ndjson = true;
			o->batch = true;
			break;
		case OPT_GLOB:
			o->b.glob = optarg;
			break;
		case OPT_EXT:
			free(o->glob_buf);
			if (asprintf(&o->glob_buf, "*.%s", optarg[0] == '.' ? optarg + 1 : optarg) < 0) {
				o->glob_buf = NULL;
				return 2;
			}
			o->b.glob = o->glob_buf;
			break;
		case OPT_OUT:
			o->b.out_dir = optarg;
			o->batch = true;
			break;
		case OPT_FORCE:
			o->b.force = true;
			break;
		case OPT_RESUME:
			o->b.resume = optarg;
			o->batch = true;
			break;
		case OPT_PROGRESS:
			o->b.progress = 1;
			break;
		case OPT_NO_PROGRESS:
			o->b.progress = 0;
			break;
		case 'h':
			help();
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	o->input = optind < argc ? argv[optind] : "-";
	if (argc - optind > 1 || (optind < argc && is_dir(argv[optind])))
		o->batch = true;
	if (!o->batch)
		return 0;
	o->b.inputs = (const char *const *)argv + optind;
	o->b.n_inputs = (size_t)(argc - optind);
	if (o->b.ndjson && o->b.n_inputs > 1) {
		fputs("khabar analyze: --ndjson reads one FILE or standard input\n", stderr);
		return 2;
	}
	if (!o->b.ndjson && o->b.n_inputs == 0) {
		fputs("khabar analyze: batch mode needs FILEs or DIRECTORYs (or --ndjson)\n", stderr);
		return 2;
	}
	for (size_t i = 0; !o->b.ndjson && i < o->b.n_inputs; i++) {
		if (strcmp(o->b.inputs[i], "-") == 0) {
			fputs("khabar analyze: '-' is one article; use --ndjson for many on standard input\n", stderr);
			return 2;
		}
	}
	if (o->b.resume != NULL && o->b.out_dir != NULL) {
		fputs("khabar analyze: --resume is for NDJSON output; with --out the result files say what is done\n",
		      stderr);
		return 2;
	}
	o->b.unit = o->unit;
	o->b.published = o->published;
	o->b.data_dir = o->data_dir;
	o->b.lexicons = o->lexicons;
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
	if (r != 0) {
		free(o.glob_buf);
		return r == 1 ? 0 : r;
	}
	if (o.batch) {
		r = kh_cli_batch_run(&o.b);
		free(o.glob_buf);
		return r;
	}
	free(o.glob_buf);
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
