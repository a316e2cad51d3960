/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sink_priv.h
 * @brief Helpers shared by the sink implementations (recorder/sink_*.c).
 *
 * The daemon only needs sink.h; this is the sinks' own toolbox: the sink
 * registry, owned copies of records for backlogs, and health bookkeeping.
 */
#ifndef SSHREC_SINK_PRIV_H
#define SSHREC_SINK_PRIV_H

#include <stdarg.h>
#include <stdint.h>

#include "recorder/sinks/sink.h"

/** Every sink, NULL-terminated, in the order the daemon opens them. */
extern const struct sr_sink_ops *const sr_sink_registry[];

/** The sink named @p name ("sqlite", "jsonl", "syslog"), or NULL. */
const struct sr_sink_ops *sr_sink_find(const char *name);

/** One queued record. */
struct sr_rec_qent {
	struct sr_rec_qent *next;
	/**
	 * A deep copy of the record (session, process, strings) in the entry's
	 * own block, so it outlives sink->write(). The session's strings are
	 * copied for session.start only; other records keep its key, sid,
	 * cgroup and audit ids, state, tty, times and counts (all a later
	 * write needs).
	 */
	struct sr_record *rec;
	unsigned tries; /**< failed write attempts, so failures count once */
};

/** A FIFO of owned record copies (a batch or a failing sink's backlog). */
struct sr_rec_queue {
	struct sr_rec_qent *head, *tail;
	uint64_t n;
};

/** Append a copy of @p rec. Returns 0 or -ENOMEM. */
int sr_rec_queue_push(struct sr_rec_queue *q, const struct sr_record *rec);

/** Drop the head entry (after it was written). */
void sr_rec_queue_pop(struct sr_rec_queue *q);

/** Drop every entry. */
void sr_rec_queue_clear(struct sr_rec_queue *q);

/**
 * Mark @p sink unhealthy with a printf-style reason in last_error, and log it
 * once on the transition (a full disk must not flood the log).
 */
void sr_sink_set_error(struct sr_sink *sink, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Mark @p sink healthy again, logging the recovery once. */
void sr_sink_set_ok(struct sr_sink *sink);

/** CLOCK_MONOTONIC in ms, for retry backoff. */
int64_t sr_sink_mono_ms(void);

#endif
