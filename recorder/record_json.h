/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file record_json.h
 * @brief JSON encoding of records (schema/RECORDS.md) with the common/jwrite.h
 * writer, straight into one reused buffer, from the facts of a struct
 * sr_record.
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

#include "jscan.h"
#include "jwrite.h"
#include "recorder/record.h"

/**
 * Write @p rec as its JSON object (schema/RECORDS.md) into @p w (reset
 * first): the text is w->b, w->len bytes, followed by a NUL. This is the
 * only writer of record JSON: the daemon's sinks and the CLI's rebuild of
 * stored records both go through it.
 * @return 0, or -ENOMEM when an allocation failed while writing.
 */
int sr_record_json(struct sr_jw *w, const struct sr_record *rec);

/**
 * Put @p rec into @p r as sr_jrec_parse() of its sr_record_json() text
 * would, without writing and scanning that text: for the mappings of
 * export.h. @p w is scratch space (its text is not the record's).
 * @return 0, -EINVAL as sr_record_json(), or -ENOMEM.
 */
int sr_record_jrec(struct sr_jrec *r, struct sr_jw *w, const struct sr_record *rec);

/**
 * `version` of a session.network record: 6 when its destination is an IPv6
 * address (inet_ntop writes every one with a colon), else 4.
 */
int sr_record_ip_version(const struct sr_record *rec);

/**
 * `change` of a session.disk record of a file change: "unlink", "rmdir",
 * "rename", "chmod", "chown", "link", "symlink", "truncate", "exchange", "mkdir", "mknod" for @p op
 * (enum sr_fchange_op); NULL for 0 (an open) and unknown values.
 */
const char *sr_fchange_op_name(unsigned op);

/** A char or block device's mode (S_IFCHR, S_IFBLK). */
#define SR_MODE_IS_DEVICE(m) (((m)&0170000) == 0020000 || ((m)&0170000) == 0060000)

/**
 * `file_type` of a mknod record: "fifo", "char", "block", "socket",
 * "regular" for the type bits (S_IFMT) of @p mode; "unknown" for others.
 */
const char *sr_file_type_name(uint32_t mode);

/**
 * `action` of a session.denied record, Teleport's EventAction as in
 * session.network: SR_NET_ACTION_DENIED when the policy enforced the
 * verdict, SR_NET_ACTION_OBSERVED when it only audited or could not apply it.
 */
int sr_denied_net_action(const struct sr_record *rec);

/** Add a string that is already valid UTF-8; NULL adds JSON null. */
void sr_json_put_str(struct sr_jw *w, const char *key, const char *s);

/** Add @p len raw user bytes, sanitized (stops at the first NUL). */
void sr_json_put_bytes(struct sr_jw *w, const char *key, const char *s, size_t len);

/** Add an integer, or null when @p is_null. */
void sr_json_put_int(struct sr_jw *w, const char *key, int64_t v, bool is_null);

/**
 * "O_WRONLY|O_CREAT|O_TRUNC": the access mode first, then each flag set
 * (kernel x86/generic values); unknown bits as one hex number.
 * @return @p buf.
 */
char *sr_open_flags_text(uint64_t flags, char *buf, size_t cap);

/**
 * The flags sr_open_flags_text() wrote @p text for, into *@p flags (the
 * database upgrade: a session.denied record stored only the text).
 * @return 0, or -EINVAL when @p text has a name it does not write.
 */
int sr_open_flags_parse(const char *text, uint64_t *flags);

#endif
