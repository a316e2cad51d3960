/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file record_json.h
 * @brief JSON encoding of records (schema/RECORDS.md) with the common/jwrite.h
 * writer, straight into one reused buffer.
 *
 * Every user-controlled string is checked and, when it is not valid UTF-8,
 * passed through sr_utf8_sanitize() first, so the output is valid UTF-8 and
 * valid JSON whatever the bytes were.
 */
#ifndef SSHREC_RECORD_JSON_H
#define SSHREC_RECORD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jwrite.h"
#include "recorder/record.h"

/**
 * Start @p w as a new record object holding the common fields of @p rec
 * (needs rec->sess and rec->ei). The object stays open for the record's own
 * fields; sr_json_finish() closes it.
 */
void sr_json_common(struct sr_jw *w, const struct sr_record *rec, uint64_t cgroup_id,
                    uint32_t audit_sid);

/** Add a string that is already valid UTF-8; NULL adds JSON null. */
void sr_json_put_str(struct sr_jw *w, const char *key, const char *s);

/** Add @p len raw user bytes, sanitized (stops at the first NUL). */
void sr_json_put_bytes(struct sr_jw *w, const char *key, const char *s, size_t len);

/** Add an integer, or null when @p is_null. */
void sr_json_put_int(struct sr_jw *w, const char *key, int64_t v, bool is_null);

/**
 * Close the record object and point rec->json / rec->json_len at the text
 * (NUL-terminated, owned by @p w: valid until its next reset).
 * Returns 0 or -ENOMEM when an allocation failed while writing.
 */
int sr_json_finish(struct sr_jw *w, struct sr_record *rec);

/**
 * "O_WRONLY|O_CREAT|O_TRUNC": the access mode first, then each flag set
 * (kernel x86/generic values); unknown bits as one hex number.
 * @return @p buf.
 */
char *sr_open_flags_text(uint64_t flags, char *buf, size_t cap);

#endif
