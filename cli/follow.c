/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --follow: wait for what sshrecd stores next.
 *
 * Why the database and not the daemon's socket: the CLI stays what it is
 * everywhere else, a read-only reader that needs no daemon, no root and no
 * socket access, and it shows exactly what was stored, in ei order, with
 * the same filters and the same JSON as without --follow. The price is latency: sshrecd
 * commits a batch every 200 ms (recorder/loop.c SR_TICK_MS) and we look
 * every SR_FOLLOW_POLL_MS, so a record shows about 0.2-0.5 s after it
 * happened. Looking costs one PRAGMA data_version (no table read) unless
 * another connection committed; in WAL mode a reader never blocks the
 * daemon, and no read transaction is held between looks, so checkpoints
 * are not held up.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

void sr_follow_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: the sleep ends at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int sr_follow_stopped(void)
{
	return stop_sig;
}

/* PRAGMA data_version of the connection: changes when another one commits. */
static int data_version(struct sr_cli *cli, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sr_db_prepare(cli, "PRAGMA data_version", &st))
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		return -EIO;
	}
	return 0;
}

int sr_follow_wait(struct sr_cli *cli, int64_t *version)
{
	const struct timespec tick = {0, SR_FOLLOW_POLL_MS * 1000000L};
	int64_t v;

	for (;;) {
		if (stop_sig)
			return 0;
		if (data_version(cli, &v))
			return -EIO;
		if (v != *version) {
			*version = v;
			return 1;
		}
		fflush(stdout);
		nanosleep(&tick, NULL);
	}
}

int sr_follow_begin(struct sr_cli *cli)
{
	if (sqlite3_exec(cli->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sr_cli_error("database %s: %s", cli->db_path, sqlite3_errmsg(cli->db));
		return -EIO;
	}
	return 0;
}

void sr_follow_end(struct sr_cli *cli)
{
	sqlite3_exec(cli->db, "COMMIT", NULL, NULL, NULL);
	fflush(stdout);
}
