/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file strsafe.h
 * @brief Making user-controlled bytes (argv, paths, comm) safe to store and show.
 *
 * Records must stay valid UTF-8 and valid JSON whatever bytes a user put in a
 * file name or argument, and we escape rather than drop. The rule, used
 * everywhere (JSON, SQLite text columns, CLI):
 *   - valid UTF-8 passes through unchanged (JSON encoding then escapes
 *     control characters as \\uXXXX);
 *   - every byte that is not part of a valid UTF-8 sequence (and NUL inside
 *     a length-delimited string) becomes the four characters "\xNN".
 * Terminal output additionally escapes every control character (C0, DEL,
 * C1, so ESC sequences are inert) as \\n, \\t, \\e or \\xNN, and every
 * invisible format character (Unicode category Cf: bidi overrides and
 * isolates, zero-width characters, BOM; and U+2028/2029) as \\uXXXX or
 * \\UXXXXXXXX, so a command cannot display reordered or hide a character.
 */
#ifndef SSHREC_STRSAFE_H
#define SSHREC_STRSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Return a malloc'd NUL-terminated valid UTF-8 copy of @p len bytes at @p in,
 * with invalid bytes escaped as "\xNN". NULL only on allocation failure.
 */
char *sr_utf8_sanitize(const char *in, size_t len);

/** True when @p len bytes at @p in are valid UTF-8 with no NUL. */
bool sr_utf8_valid(const char *in, size_t len);

/** True when @p len bytes at @p in are valid UTF-8, NUL bytes allowed. */
bool sr_utf8_valid_nul(const char *in, size_t len);

/**
 * As sr_utf8_sanitize(), but NUL bytes are kept as they are (for writers that
 * escape them, such as JSON's \u0000); the length is stored in *@p outlen.
 */
char *sr_utf8_sanitize_nul(const char *in, size_t len, size_t *outlen);

/**
 * Decode the valid UTF-8 sequence at the start of @p in (@p len bytes) into
 * *@p cp; returns its length (1..4), or 0 when it is not valid UTF-8 or NUL.
 */
size_t sr_utf8_next(const char *in, size_t len, uint32_t *cp);

/**
 * True when code point @p cp is an invisible format character (Unicode
 * category Cf, and the line/paragraph separators U+2028/2029).
 */
bool sr_unicode_is_format(uint32_t cp);

/**
 * Return a malloc'd copy of the NUL-terminated @p in that is safe to print on
 * a terminal: no control characters, no escape sequences, no invisible format
 * characters, valid UTF-8.
 */
char *sr_term_escape(const char *in);

/**
 * Like sr_term_escape() but into a caller buffer; output is truncated with
 * "..." when it does not fit. Returns @p out.
 */
char *sr_term_escape_buf(const char *in, char *out, size_t outcap);

/** Cut leading and trailing white space of @p s in place; returns its first non-blank. */
char *sr_trim(char *s);

#endif
