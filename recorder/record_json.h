/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file record_json.h
 * @brief JSON encoding of records (schema/RECORDS.md) with json-c.
 *
 * Every user-controlled string goes through sr_utf8_sanitize() first, so
 * the output is valid UTF-8 and valid JSON whatever the bytes were.
 */
#ifndef SSHREC_RECORD_JSON_H
#define SSHREC_RECORD_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "recorder/record.h"

/** A new object with the common fields of @p rec (needs rec->sess). NULL on ENOMEM. */
json_object *sr_json_common(const struct sr_record *rec, uint64_t cgroup_id, uint32_t audit_sid);

/** Add a string that is already valid UTF-8; NULL adds JSON null. */
void sr_json_put_str(json_object *o, const char *key, const char *s);

/** Add @p len raw user bytes, sanitized (stops at the first NUL). Returns 0 or -ENOMEM. */
int sr_json_put_bytes(json_object *o, const char *key, const char *s, size_t len);

/** Add an integer, or null when @p is_null. */
void sr_json_put_int(json_object *o, const char *key, int64_t v, bool is_null);

/**
 * Serialize @p o into rec->json / rec->json_len (owned by @p o: keep it
 * alive until the record is written). Returns 0 or -ENOMEM.
 */
int sr_json_finish(json_object *o, struct sr_record *rec);

/**
 * "O_WRONLY|O_CREAT|O_TRUNC": the access mode first, then each flag set
 * (kernel x86/generic values); unknown bits as one hex number.
 * @return @p buf.
 */
char *sr_open_flags_text(uint64_t flags, char *buf, size_t cap);

#endif
