/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file journal.h
 * @brief The outage journal's entries: one JSON object per line (pure logic, json-c).
 *
 * While the SQLite sink cannot commit, the kernel ring buffer keeps the
 * events of its backlog (loop.c, sr_loop_commit), but not what exists only
 * in the daemon's memory: a login's registration, a session's closing state
 * or cgroup, the loss counts it took from the kernel, a session's end. The
 * daemon appends those here (journal_run.c), and a restart after a kill -9
 * reads them back alongside the database and the pinned maps.
 *
 * Lines: {"op":"open", "key", "sid", the session's strings and numbers,
 * "comm"}, {"op":"state", "key", "closing_us", "cgroup_id", "cgroup_path"},
 * {"op":"loss", "key", "ei", "time_us", "lost": [command, disk, network]},
 * {"op":"end", "key", "ei", "time_us"},
 * {"op":"base", "ring", "pos", "offset_us"}: the time base the daemon
 * converted the ring's records with (sr_boot_offset_us()) at ring read
 * position "pos" of ring buffer "ring" (its kernel map id), as the SQLite
 * sink's ring position row in meta says it at each commit: a restart takes
 * the newer of the two, so that the records it makes again from the ring
 * are the ones the killed daemon wrote to the other sinks.
 */
#ifndef SSHREC_JOURNAL_H
#define SSHREC_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "jwrite.h"
#include "recorder/record.h"

/** Longest line the parser accepts (an open with every string at its cap fits). */
#define SR_JOURNAL_LINE_MAX (16u << 10)
/** Longest string member the parser accepts. */
#define SR_JOURNAL_STR_MAX 4096

enum sr_jop { SR_JOP_OPEN = 1, SR_JOP_STATE, SR_JOP_LOSS, SR_JOP_END, SR_JOP_BASE };

/** One entry. Strings are owned (sr_journal_entry_free). */
struct sr_jentry {
	enum sr_jop op;
	/** open: all of it (counts, end, state unused); state: key, closing_us,
	 * cgroup_id, cgroup_path; loss, end: key; base: nothing (key 0) */
	struct sr_session_info info;
	char *comm;        /**< open: the leader's comm, the `program` of session.start */
	uint64_t ei;       /**< loss, end: the record's ei */
	int64_t time_us;   /**< loss, end: the record's time */
	uint64_t lost[3];  /**< loss: per class (command, disk, network) */
	uint32_t ring;     /**< base: the ring buffer's kernel map id (not 0) */
	uint64_t pos;      /**< base: the ring read position it was written at */
	int64_t offset_us; /**< base: the boot-time-to-wall-clock offset (sr_boot_offset_us) */
};

/*
 * The writers make the entry @p w's document (they reset it; no newline):
 * the caller appends it to the journal, so that a line is whole or absent.
 */
/** The open entry of session @p info (leader comm @p comm). */
void sr_journal_put_open(struct sr_jw *w, const struct sr_session_info *info, const char *comm);
/** A state entry (closing time, cgroup) of @p info. */
void sr_journal_put_state(struct sr_jw *w, const struct sr_session_info *info);
/** A loss entry: @p lost[3] events lost, recorded as ei @p ei at @p time_us. */
void sr_journal_put_loss(struct sr_jw *w, int64_t key, uint64_t ei, int64_t time_us,
                         const uint64_t lost[3]);
/** An end entry: session.end as ei @p ei at @p time_us. */
void sr_journal_put_end(struct sr_jw *w, int64_t key, uint64_t ei, int64_t time_us);
/** A base entry: time base @p offset_us at read position @p pos of ring buffer @p ring. */
void sr_journal_put_base(struct sr_jw *w, uint32_t ring, uint64_t pos, int64_t offset_us);

/**
 * Parse one line (@p len bytes, no newline) into @p e.
 * @return 0, or -EINVAL with the reason in @p err (@p e then holds nothing
 * to free), -ENOMEM.
 */
int sr_journal_parse(const char *line, size_t len, struct sr_jentry *e, char *err, size_t errlen);

/** Free the strings of an entry sr_journal_parse() filled. */
void sr_journal_entry_free(struct sr_jentry *e);

#endif
