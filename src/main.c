/* SPDX-License-Identifier: MIT */
/* khabar: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "khabar/khabar.h"
#include "malloc_tune.h"

static void usage(FILE *f)
{
	fputs("usage: khabar serve [--config FILE] [--port N] [options]   run the HTTP service\n"
	      "       khabar analyze [options] [FILE|-]                  print the API's JSON for one article\n"
	      "       khabar analyze [options] FILE...|DIR...|--ndjson   batch: NDJSON out, or --out DIR\n"
	      "       khabar probe [--timeout SECONDS] [URL]             health probe: exit 0 on HTTP 2xx\n"
	      "       khabar --version\n"
	      "Run 'khabar SUBCOMMAND --help' for the options of each.\n",
	      f);
}

const char *kh_cli_default_data_dir(void)
{
	/* words.txt is the one lexicon file at the top of data/ (places.tsv moved to gazetteer/). */
	if (access(KH_INSTALL_DATA_DIR "/words.txt", R_OK) == 0)
		return KH_INSTALL_DATA_DIR;
	return KH_SOURCE_DATA_DIR;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	kh_malloc_keep_freed();
	if (strcmp(argv[1], "serve") == 0)
		return kh_cli_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "analyze") == 0)
		return kh_cli_analyze(argc - 1, argv + 1);
	if (strcmp(argv[1], "probe") == 0)
		return kh_cli_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("khabar %s\n", KH_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "khabar: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
