/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file uuid.h
 * @brief UUIDv7 session ids and UUIDv8 record ids (RFC 9562).
 */
#ifndef SSHREC_UUID_H
#define SSHREC_UUID_H

#include <stdint.h>

#define SR_UUID_STRLEN 37 /**< 36 characters and the NUL */

/**
 * Make a UUIDv7 (48-bit Unix ms timestamp, then random bits) into @p out.
 * @p key_out, if not NULL, receives the first 64 bits as a positive integer:
 * the session key used in BPF maps and as sessions.id in SQLite.
 * Returns 0 or -errno (getrandom failure).
 */
int sr_uuid_v7(char out[SR_UUID_STRLEN], uint64_t *key_out);

/** Make a random UUIDv4 into @p out. Returns 0 or -errno. */
int sr_uuid_v4(char out[SR_UUID_STRLEN]);

/**
 * The 128-bit seed of sr_uuid_v8() for @p name (a session's sid): a hash of
 * the text, so every daemon that knows the name derives the same seed.
 */
void sr_uuid_v8_seed(const char *name, uint64_t seed[2]);

/**
 * Make the UUIDv8 (RFC 9562, "custom") of (@p seed, @p a, @p b) into @p out:
 * the same inputs always give the same id; any other inputs another id
 * (122 bits of a hash). Record ids are made this way from (sid; ei; time
 * and kind), so a record that sshrecd makes again after a crash carries the
 * id it had, and two records given one ei (see sshrecd(8), a failing sink)
 * still differ. Not secret: who knows a record can compute its id.
 */
void sr_uuid_v8(const uint64_t seed[2], uint64_t a, uint64_t b, uint8_t out[16]);

/** Format 16 raw bytes as a canonical lower-case UUID string. */
void sr_uuid_format(const uint8_t b[16], char out[SR_UUID_STRLEN]);

/**
 * Parse the canonical text form sr_uuid_format() writes (36 characters,
 * lowercase hex, dashes at 8, 13, 18, 23) into 16 bytes, so that formatting
 * them gives @p s back exactly.
 * @return 0, or -EINVAL for any other text.
 */
int sr_uuid_parse(const char *s, uint8_t b[16]);

#endif
