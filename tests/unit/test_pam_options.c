/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for pam_sshrec's module argument parser (pam/options.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "pam/options.h"
#include "paths.h"

/* What the parser reported, for the assertions. */
struct reports {
	int n;
	int level[8];
	char arg[8][128];
};

static void collect(void *ctx, int level, const char *arg, const char *why)
{
	struct reports *r = ctx;
	assert_non_null(why);
	assert_true(why[0] != '\0');
	if (r->n < 8) {
		r->level[r->n] = level;
		snprintf(r->arg[r->n], sizeof(r->arg[r->n]), "%s", arg);
	}
	r->n++;
}

static int parse(struct sr_pam_opts *o, struct reports *r, int argc, const char **argv)
{
	memset(r, 0, sizeof(*r));
	int n = sr_pam_parse_opts(argc, argv, o, collect, r);
	assert_int_equal(n, r->n);
	return n;
}

static void test_defaults(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	assert_int_equal(parse(&o, &r, 0, NULL), 0);
	assert_int_equal(o.fail, SR_PAM_FAIL_OPEN);
	assert_int_equal(o.timeout_ms, 2000);
	assert_string_equal(o.socket, SR_DEFAULT_SOCKET);
	assert_false(o.debug);
}

static void test_all_options(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	const char *argv[] = {"fail=closed", "timeout=150", "socket=/tmp/x y/sshrecd.sock",
	                      "debug"};
	assert_int_equal(parse(&o, &r, 4, argv), 0);
	assert_int_equal(o.fail, SR_PAM_FAIL_CLOSED);
	assert_int_equal(o.timeout_ms, 150);
	assert_string_equal(o.socket, "/tmp/x y/sshrecd.sock");
	assert_true(o.debug);
}

static void test_later_wins(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	const char *argv[] = {"fail=closed", "fail=open", "timeout=5", "timeout=60000"};
	assert_int_equal(parse(&o, &r, 4, argv), 0);
	assert_int_equal(o.fail, SR_PAM_FAIL_OPEN);
	assert_int_equal(o.timeout_ms, 60000);
}

static void test_unknown_ignored(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	const char *argv[] = {"frobnicate", "debug=1", "FAIL=closed", "", "fail", "use_first_pass"};
	assert_int_equal(parse(&o, &r, 6, argv), 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(r.level[i], LOG_WARNING);
		assert_string_equal(r.arg[i], argv[i]);
	}
	assert_int_equal(o.fail, SR_PAM_FAIL_OPEN);
	assert_false(o.debug);
}

static void test_bad_fail_value_fails_closed(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	const char *bad[] = {"fail=close", "fail=", "fail=OPEN", "fail=closed ", "fail=open\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, &r, 1, &bad[i]), 1);
		assert_int_equal(r.level[0], LOG_ERR);
		assert_int_equal(o.fail, SR_PAM_FAIL_CLOSED);
	}
}

static void test_bad_timeout(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	const char *bad[] = {"timeout=",      "timeout=0",    "timeout=-5",
	                     "timeout=60001", "timeout=12ms", "timeout= 100",
	                     "timeout=+10",   "timeout=1e3",  "timeout=99999999999999999999",
	                     "timeout=0x10"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = {"timeout=300", bad[i]};
		assert_int_equal(parse(&o, &r, 2, argv), 1);
		assert_int_equal(r.level[0], LOG_WARNING);
		assert_string_equal(r.arg[0], bad[i]);
		assert_int_equal(o.timeout_ms, 300); /* the previous value stays */
	}
	const char *one[] = {"timeout=1"};
	assert_int_equal(parse(&o, &r, 1, one), 0);
	assert_int_equal(o.timeout_ms, 1);
}

static void test_bad_socket(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	struct reports r;
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath, "socket=/", 8);
	const char *bad[] = {"socket=", "socket=relative/sock", longpath};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, &r, 1, &bad[i]), 1);
		assert_int_equal(r.level[0], LOG_WARNING);
		assert_string_equal(o.socket, SR_DEFAULT_SOCKET);
	}
	/* the longest path that fits sun_path (107 bytes + NUL) is accepted */
	char fits[7 + 108];
	memcpy(fits, "socket=/", 8);
	memset(fits + 8, 'b', 106);
	fits[7 + 107] = '\0';
	const char *argv[] = {fits};
	assert_int_equal(parse(&o, &r, 1, argv), 0);
	assert_int_equal(strlen(o.socket), 107);
	fits[7 + 106] = 'c';
	char over[7 + 109];
	snprintf(over, sizeof(over), "%sd", fits);
	const char *argv2[] = {over};
	assert_int_equal(parse(&o, &r, 1, argv2), 1);
	assert_string_equal(o.socket, SR_DEFAULT_SOCKET);
}

static void test_null_report_and_null_arg(void **state)
{
	(void)state;
	struct sr_pam_opts o;
	const char *argv[] = {NULL, "bogus", "fail=closed"};
	assert_int_equal(sr_pam_parse_opts(3, argv, &o, NULL, NULL), 1);
	assert_int_equal(o.fail, SR_PAM_FAIL_CLOSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_all_options),
	    cmocka_unit_test(test_later_wins),
	    cmocka_unit_test(test_unknown_ignored),
	    cmocka_unit_test(test_bad_fail_value_fails_closed),
	    cmocka_unit_test(test_bad_timeout),
	    cmocka_unit_test(test_bad_socket),
	    cmocka_unit_test(test_null_report_and_null_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
