/* SPDX-License-Identifier: MIT */
/**
 * @file utf8.h
 * UTF-8 validation and decoding, strict per RFC 3629 (no overlongs, no
 * surrogates, nothing above U+10FFFF).
 */
#ifndef KHABAR_UTF8_H
#define KHABAR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Check that @p s is well-formed UTF-8.
 * @param[out] ret_bad on failure, byte offset of the first byte of the bad sequence
 * @return true when valid
 */
bool kh_utf8_valid(const char *s, size_t len, size_t *ret_bad);

/**
 * Decode one code point of valid UTF-8 at @p s (at most @p len bytes).
 * @param[out] ret_cp the code point (U+FFFD for a malformed sequence)
 * @return bytes consumed (1..4), at least 1 when len > 0
 */
unsigned kh_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp);

/** Encode @p cp into @p out (4 bytes room). @return bytes written */
unsigned kh_utf8_encode(uint32_t cp, char *out);

#endif
