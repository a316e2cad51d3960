/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sink.h
 * @brief Sinks: where records go (SQLite, JSON lines, syslog), as small vtables.
 *
 * A new sink is one file that defines a `const struct sr_sink_ops` and is
 * listed in sink.c. The daemon calls write() for each record in order, then
 * flush() at the end of every batch (and at least every 200 ms); only after
 * every enabled sink's flush() returned does it advance the kernel ring
 * buffer, so a crash never loses a record a healthy sink had not made
 * durable. A record written to a sink is accepted by it: a sink whose flush
 * fails must keep it in a bounded backlog (overflow counted in
 * health.dropped) and retry, because the daemon never hands the same kernel
 * event out twice while it runs (a second correlation in the same process
 * would give it new ei and entity ids, i.e. a duplicate). The daemon
 * advances the ring buffer anyway, except for the SQLite sink's backlog,
 * which it keeps in the ring within a bound (sr_loop_commit()): a daemon
 * killed then correlates those events again on restart, from SQLite's
 * state, into the same records.
 *
 * Errors follow log.h: 0 or -errno. A sink that fails keeps its own
 * health (sr_sink_health) and must never block or crash the daemon; other
 * sinks keep writing.
 */
#ifndef SSHREC_SINK_H
#define SSHREC_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "recorder/record.h"

struct sr_config;
struct sr_sink;

/** Health shown by `sshrec status`. */
struct sr_sink_health {
	bool ok;
	uint64_t written; /**< records written */
	uint64_t failed;  /**< records that could not be written */
	uint64_t backlog; /**< records held in memory waiting to be written */
	uint64_t dropped; /**< records dropped because the backlog bound was hit */
	uint64_t resent;  /**< records sent again after a failed connection (TCP syslog) */
	uint64_t pruned;  /**< sessions removed by retention (SQLite) */
	char last_error[256];
};

/** The sink vtable. */
struct sr_sink_ops {
	const char *name;
	/** Open the sink with the daemon configuration. */
	int (*init)(struct sr_sink *sink, const struct sr_config *cfg);
	/** Queue or write one record. */
	int (*write)(struct sr_sink *sink, const struct sr_record *rec);
	/** Make everything written so far durable against a daemon crash. */
	int (*flush)(struct sr_sink *sink);
	/** Reopen files (SIGHUP, logrotate). May be NULL. */
	int (*reopen)(struct sr_sink *sink);
	/**
	 * A session's state changed without a record (PAM close: "closing",
	 * closing_us): store @p sess's state, closing_us, end_us, counts and
	 * lost, durably with the next flush(), ordered with the records written
	 * before and after it. May be NULL for sinks that keep no session rows.
	 */
	int (*session_update)(struct sr_sink *sink, const struct sr_session_info *sess);
	/**
	 * Every record of the ring buffer (map id @p ring_id) before read
	 * position @p pos has been written to the sink: a sink that can store
	 * the position atomically with its next flush() does, so a restarted
	 * daemon skips what is already stored. Called before each flush. May be
	 * NULL.
	 */
	void (*position)(struct sr_sink *sink, uint32_t ring_id, uint64_t pos);
	/** Flush and release everything. */
	void (*close)(struct sr_sink *sink);
};

/** A sink instance. */
struct sr_sink {
	const struct sr_sink_ops *ops;
	const char *label; /**< its name in status ("jsonl.ecs"); NULL: ops->name */
	const void *arg;   /**< what init() opens when a sink kind has several (jsonl.NAME) */
	void *priv;        /**< the sink's own state */
	struct sr_sink_health health;
	/** the daemon keeps in the ring buffer what this sink has not made
	 * durable, so a next start reads it again (SQLite, sr_loop_commit()) */
	bool ring_kept;
};

/** The name a sink goes by in logs and status: its label, else its kind. */
static inline const char *sr_sink_name(const struct sr_sink *s)
{
	return s->label ? s->label : s->ops->name;
}

extern const struct sr_sink_ops sr_sink_sqlite_ops;
extern const struct sr_sink_ops sr_sink_jsonl_ops;
extern const struct sr_sink_ops sr_sink_syslog_ops;

/**
 * The processes forked and not exec'd at the ring position the SQLite sink
 * stores next (sr_corr_forks_text() of every session): stored with that
 * position when they changed, by the next flush even when it has no record,
 * so a restart knows them (restore.c).
 */
void sr_sink_sqlite_forks(struct sr_sink *sink, const char *text, size_t len);

#endif
