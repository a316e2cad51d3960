/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sink_format.h
 * @brief Records as ECS or OCSF documents for the JSON-lines sink
 * (jsonl_format = ecs | ocsf), with the mappings `sshrec export` uses
 * (common/export.h), so a sink's line and the export of the same record are
 * the same text.
 *
 * The mappings need two things a record does not carry: the session's final
 * terminal (ECS process.entry_leader.interactive, OCSF session.terminal and
 * the logon type of Logon and Logoff) and the exec'd image of a process for
 * its later records (executable, arguments, working directory). The
 * terminal is known once the session's first root-level program with one
 * has started (the login shell; the session's tty is set then), or, when
 * none has, SR_FMT_SETTLE_US after the login (`ssh host cmd`), or at its
 * end. Until then a session's records are held, in order, and written once
 * it is known; the decision then stands for the session. Images are learnt
 * from the session.command records that pass through (a bounded cache per
 * session); a record of a program exec'd before a daemon restart has no
 * image to add.
 */
#ifndef SSHREC_SINK_FORMAT_H
#define SSHREC_SINK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "recorder/config.h"
#include "recorder/record.h"

/** How long after its login a session without a terminal counts as non-interactive. */
#define SR_FMT_SETTLE_US (10 * 1000000LL)

struct sr_fmt;

/** Receives one finished document (no newline); returns 0 or -errno. */
typedef int (*sr_fmt_out_fn)(void *ctx, const char *doc, size_t len);

/** A formatter for @p format (ECS or OCSF) into *@p out. Returns 0 or -ENOMEM. */
int sr_fmt_new(int format, struct sr_fmt **out);

/** Free @p f and every held record (sr_fmt_release_all() first to keep them). */
void sr_fmt_free(struct sr_fmt *f);

/**
 * Take one record: hand its document to @p out now, after the held records
 * of its session, or hold it until the session's terminal is known.
 * Returns 0, -ENOMEM, or what @p out returned.
 */
int sr_fmt_record(struct sr_fmt *f, const struct sr_record *rec, sr_fmt_out_fn out, void *ctx);

/**
 * Write the held records of sessions that logged in at least
 * SR_FMT_SETTLE_US before @p now_us (wall clock): they have no terminal.
 */
int sr_fmt_tick(struct sr_fmt *f, int64_t now_us, sr_fmt_out_fn out, void *ctx);

/** Write every held record, deciding each session with what is known (shutdown). */
int sr_fmt_release_all(struct sr_fmt *f, sr_fmt_out_fn out, void *ctx);

/** Records held now, over all sessions. */
uint64_t sr_fmt_held(const struct sr_fmt *f);

#endif
