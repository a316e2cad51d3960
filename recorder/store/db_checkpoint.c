/* SPDX-License-Identifier: BSD-2-Clause */
/* WAL checkpoints on a thread of their own (see db_checkpoint.h). */
#include "recorder/store/db_checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "recorder/store/db.h"

struct sr_ckpt {
	sqlite3 *writer;
	sqlite3 *db; /* the thread's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t idle_cv; /* broadcast when a round ends (sr_ckpt_sync) */
	bool pending, stop;
	bool running;       /* a round is under way */
	int signalled_at;   /* WAL pages when the thread was last woken (writer side) */
	int last_pages;     /* WAL pages at the writer's previous commit */
	int signal_pages;   /* SR_CKPT_BYTES in pages of this database */
	int hard_pages;     /* SR_CKPT_HARD_BYTES in pages */
	int backfilled;     /* WAL frames the thread has copied (atomic) */
	int last_rc;        /* of the last checkpoint, to log transitions once */
	unsigned long done; /* checkpoints run */
};

static void run_checkpoint(struct sr_ckpt *c)
{
	int backfilled = 0;
	int rc =
	    sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, &backfilled);

	if (rc == SQLITE_OK && backfilled > 0)
		__atomic_store_n(&c->backfilled, backfilled, __ATOMIC_RELEASE);

	/* BUSY: another checkpoint is running; the next round catches up */
	if (rc == SQLITE_BUSY)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK && c->last_rc == SQLITE_OK)
		sr_warn("database checkpoint failed: %s (the WAL file grows until it works)",
		        sqlite3_errmsg(c->db));
	else if (rc == SQLITE_OK && c->last_rc != SQLITE_OK)
		sr_info("database checkpoints work again");
	c->last_rc = rc;
}

static void *ckpt_main(void *arg)
{
	struct sr_ckpt *c = arg;
	struct timespec until;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		if (!c->pending) {
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += SR_CKPT_INTERVAL_MS / 1000;
			until.tv_nsec += (long)(SR_CKPT_INTERVAL_MS % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->cv, &c->mu, &until);
			if (c->stop)
				break;
		}
		c->pending = false;
		c->running = true;
		pthread_mutex_unlock(&c->mu);
		run_checkpoint(c);
		pthread_mutex_lock(&c->mu);
		c->running = false;
		c->done++;
		pthread_cond_broadcast(&c->idle_cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/*
 * After each commit of the writer: @pages frames are in the WAL.
 *
 * A PASSIVE checkpoint on another connection never quite catches up with a
 * busy writer, and SQLite only starts the WAL file over when every frame has
 * been copied. So the thread copies the bulk and, each time it has finished
 * a round, the writer copies the tail written meanwhile; the next
 * transaction then starts the WAL from its beginning.
 */
static int wal_hook(void *arg, sqlite3 *writer, const char *schema, int pages)
{
	struct sr_ckpt *c = arg;
	int backfilled;

	if (pages < c->last_pages) {
		/* the WAL was started over: what the thread copied is history */
		c->signalled_at = 0;
		__atomic_store_n(&c->backfilled, 0, __ATOMIC_RELEASE);
	}
	c->last_pages = pages;
	backfilled = __atomic_load_n(&c->backfilled, __ATOMIC_ACQUIRE);
	if (pages >= c->hard_pages || (backfilled > 0 && pages >= c->signal_pages)) {
		/* SQLITE_BUSY while the thread runs one: the next commit tries again */
		if (sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, NULL,
		                              NULL) == SQLITE_OK)
			__atomic_store_n(&c->backfilled, 0, __ATOMIC_RELEASE);
		return SQLITE_OK;
	}
	if (pages - c->signalled_at >= c->signal_pages) {
		c->signalled_at = pages;
		pthread_mutex_lock(&c->mu);
		c->pending = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

static unsigned page_size(sqlite3 *db)
{
	sqlite3_stmt *st;
	unsigned n = 4096;

	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= 512)
			n = (unsigned)sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return n;
}

int sr_ckpt_start(sqlite3 *writer, const char *path, struct sr_ckpt **out)
{
	struct sr_ckpt *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;
	sigset_t all, old;
	unsigned page;
	int rc, err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL);
	/* a connection learns the file is in WAL mode only once it reads it */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = sr_db_errno(rc) ? sr_db_errno(rc) : -EIO;
		sr_warn("database %s: cannot open the checkpoint connection: %s; checkpoints stay "
		        "in the writer",
		        path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return err;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&c->idle_cv, NULL);
	/* signals belong to the main loop's signalfd, never to this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&c->thread, NULL, ckpt_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		sr_warn("database %s: cannot start the checkpoint thread: %s; checkpoints stay in "
		        "the writer",
		        path, strerror(-err));
		pthread_cond_destroy(&c->cv);
		pthread_cond_destroy(&c->idle_cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return err;
	}
	page = page_size(writer);
	c->signal_pages = (int)(SR_CKPT_BYTES / page);
	c->hard_pages = (int)(SR_CKPT_HARD_BYTES / page);
	/* replaces (and so turns off) SQLite's automatic checkpoint on the writer */
	c->writer = writer;
	sqlite3_wal_hook(writer, wal_hook, c);
	*out = c;
	return 0;
}

void sr_ckpt_stop(struct sr_ckpt *c)
{
	if (!c)
		return;
	sqlite3_wal_hook(c->writer, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_cond_destroy(&c->idle_cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}

unsigned long sr_ckpt_done(struct sr_ckpt *c)
{
	unsigned long n;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->done;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void sr_ckpt_sync(struct sr_ckpt *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while ((c->pending || c->running) && !c->stop)
		pthread_cond_wait(&c->idle_cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
}
