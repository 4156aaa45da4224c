/* SPDX-License-Identifier: MIT */
/**
 * @file fuzz.h
 * Shared by the fuzz targets: each defines LLVMFuzzerTestOneInput; with
 * -Dfuzz=true it links libFuzzer, otherwise fuzz_main.c replays a corpus.
 */
#ifndef KHABAR_FUZZ_H
#define KHABAR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Abort with a message when an invariant does not hold (a finding). */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#endif
