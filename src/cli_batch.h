/* SPDX-License-Identifier: MIT */
/**
 * @file cli_batch.h
 * `khabar analyze` over many inputs (files, directories, NDJSON): a pool of threads,
 * each with its own kh_analyzer over one shared kh_pipeline, output kept in input order
 * with a bounded reorder window, a progress bar, Ctrl-C and restart.  CLI only: the
 * library knows nothing of it.  See README, "Batch analysis".
 */
#ifndef KHABAR_CLI_BATCH_H
#define KHABAR_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "khabar/khabar.h"

/** At most this many worker threads (--jobs). */
#define KH_CLI_BATCH_MAX_JOBS 256

/** One article (a file, or the text of an NDJSON line) is at most this many bytes. */
#define KH_CLI_BATCH_MAX_INPUT (64u * 1024u * 1024u)

/** An NDJSON request line nests no deeper than this. */
#define KH_CLI_BATCH_MAX_DEPTH 32

/** Inputs kept in memory per worker thread (queued, running, or waiting for their turn). */
#define KH_CLI_BATCH_WINDOW_PER_JOB 4

/** What to analyse and where to write it. */
struct kh_cli_batch_opts {
	enum kh_offset_unit unit;
	const char *published;          /**< default anchor date, or NULL */
	const char *data_dir;
	const char *const *lexicons;    /**< NULL-terminated extra lexicon files */
	const char *const *inputs;      /**< FILEs and DIRECTORYs; with ndjson at most one (or none: stdin) */
	size_t n_inputs;
	bool ndjson;                    /**< the input is NDJSON request lines */
	const char *glob;               /**< basename pattern of files taken from directories */
	const char *out_dir;            /**< one JSON file per input here, or NULL: NDJSON on stdout */
	const char *resume;             /**< NDJSON output file that is also the journal, or NULL */
	bool force;                     /**< with out_dir: redo inputs whose result file exists */
	unsigned jobs;                  /**< threads; 0 = the number of CPUs */
	int progress;                   /**< -1 when stderr is a terminal, 0 never, 1 always */
	bool quiet;                     /**< no summary */
};

/**
 * Run a batch.
 * @param[in] o the options
 * @return the process exit code: 0 all inputs succeeded (or were skipped as done),
 *         1 some failed, 2 setup error (lexicons, output, resume file),
 *         128+signal when interrupted by SIGINT/SIGTERM
 */
int kh_cli_batch_run(const struct kh_cli_batch_opts *o);

#endif
