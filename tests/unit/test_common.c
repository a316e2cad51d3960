/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for common/: time parsing and formatting, UUIDs, cgroup parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "execname.h"
#include "log.h"
#include "timeutil.h"
#include "uuid.h"

static void test_time_format(void **state)
{
	(void)state;
	char buf[SR_TIME_STRLEN];
	assert_string_equal(sr_time_format(0, buf), "1970-01-01T00:00:00.000000Z");
	assert_string_equal(sr_time_format(1795335121123456LL, buf), "2026-11-22T08:12:01.123456Z");
	/* the same second again (cached date part), then the next one and back */
	assert_string_equal(sr_time_format(1795335121000007LL, buf), "2026-11-22T08:12:01.000007Z");
	assert_string_equal(sr_time_format(1795335122999999LL, buf), "2026-11-22T08:12:02.999999Z");
	assert_string_equal(sr_time_format(-1, buf), "1969-12-31T23:59:59.999999Z");
	assert_string_equal(sr_time_format(951782400000000LL, buf), "2000-02-29T00:00:00.000000Z");
}

static void test_time_parse_rfc3339(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(sr_time_parse("2026-11-22T08:12:01.123456Z", 0, &t), 0);
	assert_int_equal(t, 1795335121123456LL);
	assert_int_equal(sr_time_parse("2026-11-22T09:12:01+01:00", 0, &t), 0);
	assert_int_equal(t, 1795335121000000LL);
	assert_int_equal(sr_time_parse("2026-11-22T08:12:01.5Z", 0, &t), 0);
	assert_int_equal(t, 1795335121500000LL);
	assert_int_equal(sr_time_parse("2026-11-22", 0, &t), 0);
	assert_int_equal(t, 1795305600000000LL);
	assert_int_equal(sr_time_parse("2026-11-22 08:12:01", 0, &t), 0);
	assert_int_equal(t, 1795335121000000LL);
}

static void test_time_parse_relative(void **state)
{
	(void)state;
	int64_t now = 1795335121000000LL, t;
	assert_int_equal(sr_time_parse("-2h", now, &t), 0);
	assert_int_equal(t, now - 7200LL * 1000000);
	assert_int_equal(sr_time_parse("30m", now, &t), 0);
	assert_int_equal(t, now - 1800LL * 1000000);
	assert_int_equal(sr_time_parse("now", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(sr_time_parse("today", now, &t), 0);
	assert_int_equal(t, 1795305600000000LL);
	assert_int_equal(sr_time_parse("yesterday", now, &t), 0);
	assert_int_equal(t, 1795305600000000LL - 86400LL * 1000000);
}

static void test_time_parse_rejects(void **state)
{
	(void)state;
	int64_t t;
	const char *bad[] = {"",
	                     "2h ago",
	                     "-2x",
	                     "2026-13-01",
	                     "2026-11-22T25:00:00Z",
	                     "2026-11-22T08:12:01Zjunk",
	                     "tomorrow",
	                     "-",
	                     "2026-11-22T08:12"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sr_time_parse(bad[i], 0, &t), -EINVAL);
}

static void test_uuid(void **state)
{
	(void)state;
	char a[SR_UUID_STRLEN], b[SR_UUID_STRLEN];
	uint64_t ka, kb;
	assert_int_equal(sr_uuid_v7(a, &ka), 0);
	assert_int_equal(sr_uuid_v7(b, &kb), 0);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '7');
	assert_true(strchr("89ab", a[19]) != NULL);
	assert_string_not_equal(a, b);
	assert_true(ka > 0 && ka <= INT64_MAX);
	/* v7 keys are time ordered to the millisecond */
	assert_true(kb >> 16 >= ka >> 16);
	assert_int_equal(sr_uuid_v4(a), 0);
	assert_int_equal(a[14], '4');
}

/* the boot-time offset: stable under measurement noise, a previous
 * daemon's kept when it agrees, a real difference (a clock step) wins */
static void test_boot_offset(void **state)
{
	(void)state;
	int64_t o = sr_boot_offset_us();

	sr_time_resync();
	assert_int_equal(sr_boot_offset_us(), o);
	sr_boot_offset_keep(o + 300);
	assert_int_equal(sr_boot_offset_us(), o + 300);
	assert_int_equal(sr_boot_to_us(5000000), o + 300 + 5000);
	sr_time_resync();
	assert_int_equal(sr_boot_offset_us(), o + 300);
	sr_boot_offset_keep(o + 60000000); /* a minute off: not this clock */
	assert_true(llabs(sr_boot_offset_us() - o) < 1000);
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* record ids: the same (seed, n) gives the same UUIDv8, another n another */
static void test_uuid_v8(void **state)
{
	(void)state;
	uint64_t s1[2], s2[2], s3[2];
	uint8_t x[16], y[16];
	char t[SR_UUID_STRLEN];

	sr_uuid_v8_seed("0190a0b0-0000-7000-8000-000000000001", s1);
	sr_uuid_v8_seed("0190a0b0-0000-7000-8000-000000000001", s2);
	sr_uuid_v8_seed("0190a0b0-0000-7000-8000-000000000002", s3);
	assert_memory_equal(s1, s2, sizeof(s1));
	assert_memory_not_equal(s1, s3, sizeof(s1));
	sr_uuid_v8(s1, 7, 99, x);
	sr_uuid_v8(s2, 7, 99, y);
	assert_memory_equal(x, y, 16);
	sr_uuid_format(x, t);
	assert_int_equal(t[14], '8');
	assert_true(strchr("89ab", t[19]) != NULL);
	sr_uuid_v8(s3, 7, 99, y);
	assert_memory_not_equal(x, y, 16);
	sr_uuid_v8(s1, 7, 100, y); /* one ei, another time: another record */
	assert_memory_not_equal(x, y, 16);
	/* 200,000 consecutive numbers of one seed: no two ids alike (sorted, then
	 * neighbours compared) */
	enum { N = 200000 };
	uint8_t(*ids)[16] = malloc(N * sizeof(*ids));
	assert_non_null(ids);
	for (uint64_t n = 0; n < N; n++)
		sr_uuid_v8(s1, n, 99, ids[n]);
	qsort(ids, N, sizeof(*ids), cmp16);
	for (size_t i = 1; i < N; i++)
		assert_memory_not_equal(ids[i - 1], ids[i], 16);
	free(ids);
}

static void test_mountinfo_line(void **state)
{
	(void)state;
	char buf[256];
	const char *hybrid = "35 25 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 "
	                     "cgroup2 rw,nsdelegate\n";
	assert_int_equal(sr_cgroup2_mount_from_line(hybrid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified");
	const char *unified = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	assert_int_equal(sr_cgroup2_mount_from_line(unified, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup");
	const char *v1 = "36 25 0:31 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
	assert_int_equal(sr_cgroup2_mount_from_line(v1, buf, sizeof(buf)), -ENOENT);
	const char *spaced = "30 23 0:26 / /mnt/cg\\040two rw - cgroup2 none rw\n";
	assert_int_equal(sr_cgroup2_mount_from_line(spaced, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/cg two");
	assert_int_equal(sr_cgroup2_mount_from_line(unified, buf, 5), -ENAMETOOLONG);
	/* a backslash without three octal digits is no escape (and no negative shift) */
	const char *odd = "30 23 0:26 / /mnt/a\\9z!\\07x\\1 rw - cgroup2 none rw\n";
	assert_int_equal(sr_cgroup2_mount_from_line(odd, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/a\\9z!\\07x\\1");
	const char *low = "30 23 0:26 / /mnt/\\!#$x rw - cgroup2 none rw\n";
	assert_int_equal(sr_cgroup2_mount_from_line(low, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/\\!#$x");
}

/* A log line quoting client bytes stays one line without control characters. */
static void test_log_one_line(void **state)
{
	char buf[256];
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	(void)state;
	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	sr_log_init("t", SR_LOG_STDERR, LOG_INFO);
	sr_warn("bad request: %s", "unknown op \"x\n\x1b[2Jforged: line\"");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf,
	                    "t: warning: bad request: unknown op \"x\\n\\e[2Jforged: line\"\n");
}

/* One check of the cgroup paths the daemon accepts (and later removes). */
static void test_cgroup_path_ok(void **state)
{
	static const char *const good[] = {
	    "/", "/sshrec/s-1-ab", "/user.slice/session-3.scope", "/a/...", "/a/.b/..c", "/a//b/"};
	static const char *const bad[] = {"",   "sshrec/x", "/sshrec/..", "/sshrec/../x", "/..",
	                                  "/.", "/a/./b",   "/a/.",       "../x"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!sr_cgroup_path_ok(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sr_cgroup_path_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
}

static void test_exec_via_fd(void **state)
{
	static const char *const yes[] = {
	    "/dev/fd/3",       "/proc/self/fd/12", "/proc/thread-self/fd/0",
	    "/proc/4242/fd/7", "/dev/fd/3/name",   "/proc/self/fd/4/sub/x"};
	static const char *const no[] = {
	    "/dev/fd/",     "/dev/fd/x",   "/dev/fd/3x",  "/proc/self/fd/", "/proc/self/3",
	    "/proc/x/fd/3", "/proc//fd/3", "/usr/bin/id", "dev/fd/3",       "/proc/self/fdx/3"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(sr_exec_via_fd(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(sr_exec_via_fd(no[i]));
	assert_false(sr_exec_via_fd(NULL));
}

/* sr_exe_label() of one exec, "(none)" for an ordinary one. */
static void check_label(const char *path, const char *exe, const char *kind, const char *want,
                        const char *want_exec)
{
	char *l = sr_exe_label(path, exe, kind), *x = sr_exe_executable(path, exe, kind);

	assert_string_equal(l ? l : "(none)", want);
	assert_non_null(x);
	assert_string_equal(x, want_exec);
	free(l);
	free(x);
}

static void test_exe_label(void **state)
{
	(void)state;
	check_label("/dev/fd/3", "memfd:payload", "fileless", "memfd:payload (fileless)",
	            "memfd:payload (fileless)");
	check_label("/proc/self/fd/3", "memfd:x", "fileless", "memfd:x (fileless)",
	            "memfd:x (fileless)");
	check_label("/proc/self/fd/3", "/usr/bin/id", "file", "/proc/self/fd/3 -> /usr/bin/id",
	            "/usr/bin/id");
	check_label("/dev/fd/8", "/tmp/x", "deleted", "/dev/fd/8 -> /tmp/x (deleted)",
	            "/tmp/x (deleted)");
	check_label("/dev/fd/8", NULL, NULL, "/dev/fd/8", "/dev/fd/8");
	check_label("./x", "/tmp/x", "deleted", "/tmp/x (deleted)", "/tmp/x (deleted)");
	check_label("/usr/bin/python3", "/usr/bin/python3.11", "file", "(none)",
	            "/usr/bin/python3.11");
	/* a #! script: through a descriptor the fd is the script, not its interpreter */
	check_label("/dev/fd/9", "/usr/bin/dash", "interpreter",
	            "/dev/fd/9 (a script run by /usr/bin/dash)", "/usr/bin/dash");
	check_label("/tmp/s.sh", "/usr/bin/dash", "interpreter", "(none)", "/usr/bin/dash");
	/* a failed exec, and a record older than exe */
	check_label("/nonexistent", NULL, NULL, "(none)", "/nonexistent");
	check_label("/bin/true", NULL, NULL, "(none)", "/bin/true");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_format),
	    cmocka_unit_test(test_time_parse_rfc3339),
	    cmocka_unit_test(test_time_parse_relative),
	    cmocka_unit_test(test_time_parse_rejects),
	    cmocka_unit_test(test_uuid),
	    cmocka_unit_test(test_uuid_v8),
	    cmocka_unit_test(test_boot_offset),
	    cmocka_unit_test(test_mountinfo_line),
	    cmocka_unit_test(test_exec_via_fd),
	    cmocka_unit_test(test_exe_label),
	    cmocka_unit_test(test_cgroup_path_ok),
	    cmocka_unit_test(test_log_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
