/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for recorder/store/records_perm.c and the database's use of it: the
 * records are root's (0600 files, 0700 new directories) or open to the
 * records_group (0640, 0750, that group), the database's -wal and -shm
 * follow it, existing directories are left alone, symlinks are not followed,
 * and a directory that keeps the group out is reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "recorder/store/db.h"
#include "recorder/store/records_perm.h"

static char dir[] = "/tmp/sshrec-unit-perm.XXXXXX";
static gid_t group; /* a group the records are given to */

static void at(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* "0640 4242" for a path */
static void expect_mode(const char *path, unsigned mode, gid_t gid)
{
	struct stat st;

	if (lstat(path, &st))
		fail_msg("%s: %s", path, strerror(errno));
	if ((st.st_mode & 07777) != mode || st.st_gid != gid)
		fail_msg("%s: %04o group %u, expected %04o group %u", path, st.st_mode & 07777,
		         (unsigned)st.st_gid, mode, (unsigned)gid);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	/* root can give files to any group; another user to its own */
	group = geteuid() == 0 ? 4242 : getegid();
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_mkdir_parents(void **state)
{
	char p[256];

	(void)state;
	at(p, sizeof(p), "root/a/b/file.db");
	assert_int_equal(sr_records_mkdir_parents(p, SR_NO_GROUP), 0);
	at(p, sizeof(p), "root/a");
	expect_mode(p, 0700, getegid());
	at(p, sizeof(p), "root/a/b");
	expect_mode(p, 0700, getegid());

	/* an existing directory keeps its mode, the new ones open to the group */
	at(p, sizeof(p), "grp");
	assert_int_equal(mkdir(p, 0711), 0);
	at(p, sizeof(p), "grp/c/d/events.jsonl");
	assert_int_equal(sr_records_mkdir_parents(p, group), 0);
	at(p, sizeof(p), "grp");
	expect_mode(p, 0711, getegid());
	at(p, sizeof(p), "grp/c");
	expect_mode(p, 0750, group);
	at(p, sizeof(p), "grp/c/d");
	expect_mode(p, 0750, group);
}

static void test_files(void **state)
{
	char p[256], link[256];
	int fd;

	(void)state;
	at(p, sizeof(p), "f");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sr_records_fd(fd, group, p), 0);
	close(fd);
	expect_mode(p, 0640, group);
	assert_int_equal(sr_records_path(p, SR_NO_GROUP), 0);
	expect_mode(p, 0600, group); /* 0600 keeps the group out; no chown needed */
	at(p, sizeof(p), "missing");
	assert_int_equal(sr_records_path(p, group), 0);

	/* a symlink is not followed: its target keeps its mode */
	at(p, sizeof(p), "target");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(p, 0644), 0);
	at(link, sizeof(link), "link");
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(sr_records_path(link, group), -ELOOP);
	expect_mode(p, 0644, getegid());
}

/* The database and the -wal and -shm SQLite makes follow records_group,
 * both ways. */
static void test_database(void **state)
{
	char db_path[256], side[300];
	const char *ext[] = {"", "-wal", "-shm"};
	sqlite3 *db;
	size_t i;

	(void)state;
	at(db_path, sizeof(db_path), "lib/sshrec.db");
	assert_int_equal(sr_db_open(db_path, group, &db), 0);
	assert_int_equal(
	    sqlite3_exec(db, "INSERT INTO meta (key, value) VALUES ('t', 'x')", NULL, NULL, NULL),
	    SQLITE_OK);
	at(side, sizeof(side), "lib");
	expect_mode(side, 0750, group);
	for (i = 0; i < 3; i++) {
		snprintf(side, sizeof(side), "%s%s", db_path, ext[i]);
		expect_mode(side, 0640, group);
	}
	/* a second connection while the first holds the WAL: the group is gone */
	{
		sqlite3 *db2;

		assert_int_equal(sr_db_open(db_path, SR_NO_GROUP, &db2), 0);
		for (i = 0; i < 3; i++) {
			snprintf(side, sizeof(side), "%s%s", db_path, ext[i]);
			expect_mode(side, 0600, group);
		}
		sqlite3_close(db2);
	}
	sqlite3_close(db);
}

/* Whether another process sees a lock on byte @p off of @p path that keeps
 * it from writing there. */
static bool locked_elsewhere(const char *path, off_t off)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct flock fl = {
		    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = off, .l_len = 1};
		int fd = open(path, O_RDWR);

		_exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Setting the modes must not drop SQLite's POSIX locks (closing any
 * descriptor of a file drops all of the process's locks on it): the
 * connection keeps its shared lock on the -shm's dead-man-switch byte
 * (SQLite's UNIX_SHM_DMS, 128), which tells the next connection that the
 * WAL index is live. */
static void test_sqlite_locks_kept(void **state)
{
	char db_path[256], shm[300];
	sqlite3 *db;

	(void)state;
	at(db_path, sizeof(db_path), "locks.db");
	snprintf(shm, sizeof(shm), "%s-shm", db_path);
	assert_int_equal(sr_db_open(db_path, group, &db), 0);
	/* the first write opens the WAL and its index */
	assert_int_equal(
	    sqlite3_exec(db, "INSERT INTO meta (key, value) VALUES ('l', 'x')", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_true(locked_elsewhere(shm, 128));
	assert_int_equal(sr_records_path(shm, group), 0);
	assert_int_equal(sr_records_path(db_path, group), 0);
	assert_true(locked_elsewhere(shm, 128));
	sqlite3_close(db);
	assert_false(locked_elsewhere(shm, 128));
}

/* A directory that lets neither the group nor others through is reported. */
static void test_check_reach(void **state)
{
	char p[256], logf[256], buf[1024] = "";
	int saved, fd;
	ssize_t n;

	(void)state;
	at(p, sizeof(p), "closed");
	assert_int_equal(mkdir(p, 0700), 0);
	at(p, sizeof(p), "closed/events.jsonl");
	at(logf, sizeof(logf), "log");
	fd = open(logf, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(2);
	dup2(fd, 2);
	sr_records_check_reach(p, SR_NO_GROUP); /* root only: nothing to say */
	sr_records_check_reach(p, group);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	at(p, sizeof(p), "closed is 0700");
	if (!strstr(buf, "cannot reach") || !strstr(buf, p))
		fail_msg("expected a warning naming '%s', got: %s", p, buf);
	/* one warning: the root-only call said nothing */
	assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mkdir_parents), cmocka_unit_test(test_files),
	    cmocka_unit_test(test_database),      cmocka_unit_test(test_sqlite_locks_kept),
	    cmocka_unit_test(test_check_reach),
	};

	sr_log_init("test_records_perm", SR_LOG_STDERR, LOG_DEBUG);
	return cmocka_run_group_tests(tests, setup, teardown);
}
