/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sink_test_util.h
 * @brief Synthetic records for the sink unit tests, encoded like the
 *        correlator does (recorder/record_json.c), so they match RECORDS.md.
 */
#ifndef SSHREC_SINK_TEST_UTIL_H
#define SSHREC_SINK_TEST_UTIL_H

#include "jwrite.h"
#include "recorder/config.h"
#include "recorder/record.h"

/** One synthetic record and what it owns. */
struct tu_rec {
	struct sr_record rec;
	struct sr_process_info proc;
	struct sr_jw o;    /**< owns rec.json */
	struct sr_jw argv; /**< owns proc.argv_json */
	char *path;        /**< owns rec.path (disk) */
};

/** A session with fixed strings, key @p key, started at @p start_us. */
void tu_session(struct sr_session_info *s, int64_t key, const char *login, int64_t start_us);

/** session.start (ei 0). */
void tu_start(struct tu_rec *t, struct sr_session_info *s);

/**
 * session.command at ei @p ei: process @p id (parent @p parent, 0 = root),
 * @p argc raw arguments (any bytes; sanitized like the daemon does).
 */
void tu_command(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id,
                int64_t parent, int32_t pid, const char *path, const char *const *argv, int argc);

/** session.process_exit of process @p id; @p sig != 0 means killed by it. */
void tu_exit(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
             int32_t code, int32_t sig);

/** session.disk: open of @p path (raw bytes) by @p pid. */
void tu_disk(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
             const char *path);

/** session.network: a TCP connect by @p pid to 127.0.0.1:@p port. */
void tu_network(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
                int port);

/** session.data_loss of @p lost disk events. */
void tu_loss(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, uint64_t lost);

/** session.escape: @p pid moved itself to another cgroup. */
void tu_escape(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid);
/** session.denied: an enforced write (signal), or with @p connect an audited IPv6 connect. */
void tu_denied(struct tu_rec *t, struct sr_session_info *s, uint64_t ei, int64_t id, int32_t pid,
               bool connect);

/** session.end; sets s->state/end_us like the correlator. */
void tu_end(struct tu_rec *t, struct sr_session_info *s, uint64_t ei);

/** Release what tu_* allocated. */
void tu_free(struct tu_rec *t);

/** Sink configuration for a temp dir (db and jsonl paths in @p dir). */
void tu_config(struct sr_config *cfg, const char *dir);

/** mkdtemp a directory /tmp/sshrec-unit-@p tag.XXXXXX; returns a malloc'd path. */
char *tu_tmpdir(const char *tag);

/** rm -r @p dir and free it. */
void tu_rmdir(char *dir);

/** Send stderr (log lines, cmocka's reports) to the file @p path; returns the old stderr. */
int tu_stderr_to(const char *path);

/** Give stderr back (@p saved from tu_stderr_to()). */
void tu_stderr_back(int saved);

#endif
