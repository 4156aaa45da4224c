/* SPDX-License-Identifier: MIT */
/**
 * @file tap.h
 * A minimal TAP producer for the unit tests (meson reads protocol: 'tap').
 */
#ifndef KHABAR_TAP_H
#define KHABAR_TAP_H

#include <stdbool.h>

/** Record one check; prints "ok N - name" or "not ok N - name". @return cond */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Like tap_ok for two integers, printing both when they differ. */
bool tap_is_int(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Like tap_ok for two strings (NULL allowed), printing both when they differ. */
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Print the plan and return the exit status: 0 when every check passed. */
int tap_done(void);

#endif
