/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A new database (full argv of every command) is never readable by others,
 * not even between its creation and a chmod: chmod is wrapped
 * (-Wl,--wrap=chmod) to see the mode the file had before it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "recorder/store/db.h"
#include "recorder/store/records_perm.h"

static mode_t seen_other; /* group/other bits a chmod'ed file had */

int __real_chmod(const char *path, mode_t mode);
int __wrap_chmod(const char *path, mode_t mode);
int __wrap_chmod(const char *path, mode_t mode)
{
	struct stat st;

	if (stat(path, &st) == 0)
		seen_other |= st.st_mode & 077;
	return __real_chmod(path, mode);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 0777;
}

static void test_new_db_private(void **state)
{
	char dir[] = "/tmp/sshrec-unit-dbmode.XXXXXX", path[128], side[160];
	sqlite3 *db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/sshrec.db", dir);
	umask(022);
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(seen_other, 0);
	assert_int_equal(mode_of(path), 0600);
	/* the WAL and shared-memory files follow the database's mode */
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	snprintf(side, sizeof(side), "%s-wal", path);
	assert_int_equal(mode_of(side) & 077, 0);
	snprintf(side, sizeof(side), "%s-shm", path);
	assert_int_equal(mode_of(side) & 077, 0);
	sqlite3_close(db);

	/* a database an older version left 0644 is narrowed */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sr_db_open(path, SR_NO_GROUP, &db), 0);
	assert_int_equal(mode_of(path), 0600);
	sqlite3_close(db);
	snprintf(side, sizeof(side), "rm -rf '%s'", dir);
	assert_int_equal(system(side), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_db_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
