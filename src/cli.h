/* SPDX-License-Identifier: MIT */
/**
 * @file cli.h
 * The khabar binary's subcommands.  Each takes the arguments after its name and
 * returns the process exit code.
 */
#ifndef KHABAR_CLI_H
#define KHABAR_CLI_H

/** khabar analyze [--offsets UNIT] [--published DATE] [--data-dir DIR] [FILE|-]; with several
 *  FILEs, a DIR, --ndjson, --out or --resume: batch mode (cli_batch.h, README, "Batch analysis"). */
int kh_cli_analyze(int argc, char **argv);

/** khabar serve [--config FILE] [--port N] ... */
int kh_cli_serve(int argc, char **argv);

/** khabar probe [--timeout SECONDS] [URL]: exit 0 when URL answers 2xx, 1 otherwise. */
int kh_cli_probe(int argc, char **argv);

/** The lexicon directory to use when none is configured: installed, else the source tree. */
const char *kh_cli_default_data_dir(void);

#endif
