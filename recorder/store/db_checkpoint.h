/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file db_checkpoint.h
 * @brief WAL checkpoints off the ingest thread.
 *
 * A WAL commit only appends pages to the -wal file; the checkpoint copies
 * them into the database and fsyncs, and that copy was the largest single
 * cost of a record (about half the SQLite time in bench_daemon). SQLite's
 * automatic checkpoint runs it inside the committing thread. Instead, the
 * writer's automatic checkpoint is turned off and a thread with its own
 * connection runs PASSIVE checkpoints (which never block the writer), woken
 * when the WAL has grown by SR_CKPT_BYTES since the last one, and at least
 * every SR_CKPT_INTERVAL_MS. After each round of the thread the writer
 * copies only the tail written meanwhile, which lets SQLite start the WAL
 * file over; should
 * the thread fall far behind (WAL past SR_CKPT_HARD_BYTES), the writer
 * checkpoints everything itself, so the WAL stays bounded whatever happens.
 */
#ifndef SSHREC_DB_CHECKPOINT_H
#define SSHREC_DB_CHECKPOINT_H

#include <sqlite3.h>

/** WAL growth since the last checkpoint that wakes the checkpointer. */
#define SR_CKPT_BYTES (16u << 20)
/** A checkpoint at least this often while records arrive. */
#define SR_CKPT_INTERVAL_MS 1000
/** WAL size past which the writer checkpoints itself. */
#define SR_CKPT_HARD_BYTES (256u << 20)

struct sr_ckpt;

/**
 * Turn off @p writer's automatic checkpoint and start the checkpoint thread
 * on its own connection to @p path. On failure the writer keeps SQLite's
 * automatic checkpoint (slower, still correct) and a warning is logged.
 * @param[out] out the checkpointer, NULL when it could not start.
 * @return 0 or -errno.
 */
int sr_ckpt_start(sqlite3 *writer, const char *path, struct sr_ckpt **out);

/**
 * Detach from the writer, stop and join the thread and close its connection
 * (NULL is a no-op). Call before closing the writer.
 */
void sr_ckpt_stop(struct sr_ckpt *c);

/** Checkpoints completed by the thread (for tests). */
unsigned long sr_ckpt_done(struct sr_ckpt *c);

/**
 * Wait until the thread has finished the round it was woken for, if any
 * (for tests: what the thread does depends on when the scheduler runs it;
 * this makes a test see the thread as one that always gets the CPU in time).
 */
void sr_ckpt_sync(struct sr_ckpt *c);

#endif
