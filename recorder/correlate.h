/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file correlate.h
 * @brief Kernel events to records: the per-session process model (pure logic, no I/O).
 *
 * Each session keeps a table pid -> process state. A process's "entity" is
 * the process row (one per exec'd image, successful or failed exec) it
 * currently belongs to: a fork inherits the parent's entity, a successful
 * exec makes a new row whose parent is the entity the pid had before (so an
 * exec over an exec'd image chains), an exit fills exit code, signal and
 * duration on the pid's own row. An exit seen before the exec event of the
 * same process (lost ordering, restart) is kept briefly as a tombstone and
 * applied when the exec arrives. Every record gets the next ei of its
 * session (gapless) and a UUIDv8 made from (sid, ei, time, kind), its JSON is written once by
 * sr_record_json() (when wanted), and it goes to the emit callback.
 */
#ifndef SSHREC_CORRELATE_H
#define SSHREC_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"
#include "bpf/policy.h"
#include "jwrite.h"
#include "recorder/config.h"
#include "recorder/record.h"

/** Receives every finished record, in order. Non-zero return is passed back to the caller. */
typedef int (*sr_corr_emit_fn)(void *ctx, const struct sr_record *rec);

struct sr_corr_proc;

/** Per-session correlation state (embedded in the daemon's session). */
struct sr_corr_session {
	struct sr_session_info info; /**< strings owned (freed by sr_corr_session_free) */
	uint64_t next_ei;
	enum sr_disk_mode disk; /**< userspace filter (the kernel may filter too) */
	bool network;
	const char *leader_comm; /**< `program` of start/end records; owned */
	/* pid -> process state, open addressing */
	struct sr_corr_proc **procs;
	size_t nprocs, cap;
	uint64_t class_events[SR_CLASS_MAX]; /**< events accepted, per class (for rates) */
	uint64_t filtered;                   /**< events dropped by the class filter */
	uint64_t uid_seed[2];                /**< record ids: sr_uuid_v8(seed of sid, ei, time) */
};

/** The correlator. */
struct sr_corr {
	int64_t next_entity; /**< next processes.id */
	sr_corr_emit_fn emit;
	void *ctx;
	uint64_t malformed; /**< events that failed validation */
	/**
	 * Write each record's JSON before emit (rec->json, valid during emit):
	 * on by default; off when no sink needs text (the SQLite sink stores
	 * the facts).
	 */
	bool want_json;
	struct sr_jw jw;      /**< the record's JSON */
	struct sr_jw argv_jw; /**< an exec's argv array */
};

/** Set up @p c; entity ids start at @p first_entity (> 0). Returns 0 or -errno. */
int sr_corr_init(struct sr_corr *c, int64_t first_entity, sr_corr_emit_fn emit, void *ctx);

/** Free the correlator's buffers (sessions are freed on their own). */
void sr_corr_free(struct sr_corr *c);

/**
 * Set a session's strings (copied) from @p info; counts and ei are taken
 * as given (0 for a new session, the DB's values on restore).
 * @return 0 or -ENOMEM.
 */
int sr_corr_session_init(struct sr_corr_session *s, const struct sr_session_info *info,
                         const char *leader_comm, enum sr_disk_mode disk, bool network);

/** Free a session's strings and process table. */
void sr_corr_session_free(struct sr_corr_session *s);

/** Emit session.start (ei 0 of a new session). */
int sr_corr_start(struct sr_corr *c, struct sr_corr_session *s);

/**
 * Turn one kernel record (@p size bytes, read-only) into zero or more records.
 * @return 0, -EINVAL for a malformed event (counted, nothing emitted), or the emit error.
 */
int sr_corr_event(struct sr_corr *c, struct sr_corr_session *s, const void *data, size_t size);

/** Emit session.data_loss for @p delta (per class) and add it to the session's lost total. */
int sr_corr_loss(struct sr_corr *c, struct sr_corr_session *s, const struct sr_session_lost *delta,
                 int64_t now_us);

/** Emit session.end at @p end_us (state becomes "ended"). */
int sr_corr_end(struct sr_corr *c, struct sr_corr_session *s, int64_t end_us);

/**
 * Restore a live process row after a restart: @p pid runs the image
 * @p entity (exec'd at @p start_us, session record @p exec_ei).
 * @return 0 or -ENOMEM.
 */
int sr_corr_restore_proc(struct sr_corr_session *s, uint32_t pid, uint32_t ppid, int64_t entity,
                         int64_t parent_entity, int64_t start_us, uint64_t exec_ei,
                         const char *program, const char *path);

/**
 * Append to @p w a line "KEY PID ENTITY" for each process of @p s that was
 * forked and has not exec'd since: it runs the image @p ENTITY it inherited,
 * which its exec names as its parent. Only its fork event says so, and a
 * restart reads no event before the ring position SQLite committed, so the
 * SQLite sink stores these lines with that position (restore.c reads them).
 */
void sr_corr_forks_text(const struct sr_corr_session *s, struct sr_jw *w);

/** Restore a process of sr_corr_forks_text() after a restart. @return 0 or -ENOMEM. */
int sr_corr_restore_fork(struct sr_corr_session *s, uint32_t pid, int64_t entity);

/** Live process rows (own exec, not exited) of a session. */
size_t sr_corr_live_procs(const struct sr_corr_session *s);

/** True when an open with @p flags may write (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC). */
bool sr_open_may_write(uint64_t flags);

#endif
