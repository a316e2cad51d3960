/* SPDX-License-Identifier: BSD-2-Clause */
/* The outage journal's lines (recorder/journal.c): round trips, and hostile lines refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "recorder/journal.h"

#define SID "01938a6b-7c1d-7def-8123-456789abcdef"

static int parse(const char *line, struct sr_jentry *e, char *err)
{
	return sr_journal_parse(line, strlen(line), e, err, 256);
}

static void test_round_trip(void **state)
{
	struct sr_session_info in = {0};
	struct sr_jw w = {0};
	struct sr_jentry e;
	uint64_t lost[3] = {1, 2, 3};
	char err[256];

	(void)state;
	in.key = 42;
	snprintf(in.sid, sizeof(in.sid), "%s", SID);
	in.login = "root";
	in.user = "SHA256:abc";
	in.tty = "\x1b]0;evil\"\\\n";
	in.remote_addr = "192.0.2.7";
	in.remote_port = 50022;
	in.key_fingerprint = "SHA256:abc";
	in.cgroup_path = "/sshrec/" SID;
	in.cgroup_id = 1ull << 40;
	in.audit_session_id = 0xffffffffu;
	in.leader_pid = 1234;
	in.start_us = 1764680000000000;
	sr_journal_put_open(&w, &in, "sshd");
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_OPEN);
	assert_int_equal(e.info.key, 42);
	assert_string_equal(e.info.sid, SID);
	assert_string_equal(e.info.login, "root");
	assert_string_equal(e.info.tty, in.tty);
	assert_string_equal(e.info.key_fingerprint, "SHA256:abc");
	assert_null(e.info.service);
	assert_int_equal(e.info.remote_port, 50022);
	assert_int_equal(e.info.cgroup_id, 1ull << 40);
	assert_int_equal(e.info.audit_session_id, 0xffffffffu);
	assert_int_equal(e.info.start_us, in.start_us);
	assert_string_equal(e.comm, "sshd");
	sr_journal_entry_free(&e);

	in.closing_us = in.start_us + 5;
	sr_journal_put_state(&w, &in);
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_STATE);
	assert_int_equal(e.info.closing_us, in.closing_us);
	assert_string_equal(e.info.cgroup_path, in.cgroup_path);
	sr_journal_entry_free(&e);

	sr_journal_put_loss(&w, 42, 7, in.start_us + 9, lost);
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_LOSS);
	assert_int_equal(e.ei, 7);
	assert_int_equal(e.time_us, in.start_us + 9);
	assert_int_equal(e.lost[2], 3);
	sr_journal_entry_free(&e);

	sr_journal_put_end(&w, 42, 8, in.start_us + 10);
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_END);
	assert_int_equal(e.ei, 8);
	sr_journal_entry_free(&e);

	/* the time base, at the ends of its ranges */
	sr_journal_put_base(&w, UINT32_MAX, INT64_MAX, -INT64_MAX);
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_BASE);
	assert_int_equal(e.ring, UINT32_MAX);
	assert_int_equal(e.pos, INT64_MAX);
	assert_true(e.offset_us == -INT64_MAX);
	sr_journal_entry_free(&e);
	sr_journal_put_base(&w, 7, 123456, 1764680000123457);
	assert_int_equal(sr_journal_parse(w.b, w.len, &e, err, sizeof(err)), 0);
	assert_int_equal(e.op, SR_JOP_BASE);
	assert_int_equal(e.info.key, 0);
	assert_int_equal(e.ring, 7);
	assert_int_equal(e.pos, 123456);
	assert_true(e.offset_us == 1764680000123457);
	sr_journal_entry_free(&e);
	sr_jw_free(&w);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
	    "",
	    "not json",
	    "[1,2]",
	    "{\"op\":\"end\",\"key\":1,\"ei\":0,\"time_us\":5} trailing",
	    "{\"op\":\"drop\",\"key\":1}",
	    "{\"op\":\"end\",\"key\":0,\"ei\":0,\"time_us\":5}",
	    "{\"op\":\"end\",\"key\":\"1\",\"ei\":0,\"time_us\":5}",
	    "{\"op\":\"end\",\"key\":1,\"ei\":-1,\"time_us\":5}",
	    "{\"op\":\"end\",\"key\":99999999999999999999,\"ei\":0,\"time_us\":5}",
	    "{\"op\":\"loss\",\"key\":1,\"ei\":0,\"time_us\":5,\"lost\":[1,2]}",
	    "{\"op\":\"loss\",\"key\":1,\"ei\":0,\"time_us\":5,\"lost\":[1,2,\"x\"]}",
	    "{\"op\":\"state\",\"key\":1,\"closing_us\":1,\"cgroup_id\":1,\"cgroup_path\":\"/a/../"
	    "b\"}",
	    "{\"op\":\"state\",\"key\":1,\"closing_us\":1,\"cgroup_id\":1,\"cgroup_path\":5}",
	    /* a time base names a ring buffer (a kernel map id) and a position */
	    "{\"op\":\"base\",\"ring\":0,\"pos\":1,\"offset_us\":5}",
	    "{\"op\":\"base\",\"ring\":4294967296,\"pos\":1,\"offset_us\":5}",
	    "{\"op\":\"base\",\"ring\":1,\"pos\":-1,\"offset_us\":5}",
	    "{\"op\":\"base\",\"ring\":1,\"offset_us\":5}",
	    "{\"op\":\"base\",\"ring\":1,\"pos\":1,\"offset_us\":\"5\"}",
	    "{\"op\":\"base\",\"ring\":1,\"pos\":1,\"offset_us\":1.5}",
	    /* json-c's clamps: past INT64_MAX and below INT64_MIN */
	    "{\"op\":\"base\",\"ring\":1,\"pos\":1,\"offset_us\":99999999999999999999}",
	    "{\"op\":\"base\",\"ring\":1,\"pos\":1,\"offset_us\":-99999999999999999999}",
	    /* an open must name a UUID, a login and a cgroup the daemon may remove */
	    "{\"op\":\"open\",\"key\":1,\"sid\":\"x\",\"login\":\"a\",\"cgroup_path\":\"/s/x\","
	    "\"remote_port\":1,\"local_port\":1,\"leader_pid\":1,\"cgroup_id\":1,"
	    "\"audit_session_id\":1,\"start_us\":1}",
	    "{\"op\":\"open\",\"key\":1,\"sid\":\"" SID "\",\"login\":\"a\",\"cgroup_path\":\"..\","
	    "\"remote_port\":1,\"local_port\":1,\"leader_pid\":1,\"cgroup_id\":1,"
	    "\"audit_session_id\":1,\"start_us\":1}",
	    "{\"op\":\"open\",\"key\":1,\"sid\":\"" SID
	    "\",\"login\":\"a\",\"cgroup_path\":\"/s/x\","
	    "\"remote_port\":70000,\"local_port\":1,\"leader_pid\":1,\"cgroup_id\":1,"
	    "\"audit_session_id\":1,\"start_us\":1}",
	    "{\"op\":\"open\",\"key\":1,\"sid\":\"" SID "\",\"login\":\"a\\u0000b\","
	    "\"cgroup_path\":\"/s/x\",\"remote_port\":1,\"local_port\":1,\"leader_pid\":1,"
	    "\"cgroup_id\":1,\"audit_session_id\":1,\"start_us\":1}",
	    "{\"op\":\"open\",\"key\":1,\"sid\":\"" SID
	    "\",\"login\":\"a\",\"cgroup_path\":\"/s/x\"}",
	};
	char err[256], big[SR_JOURNAL_LINE_MAX + 64];
	struct sr_jentry e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i], &e, err), -EINVAL);
		assert_true(err[0] != '\0');
		assert_null(e.info.login); /* nothing left to free */
	}
	/* a valid open passes, with the same members */
	assert_int_equal(parse("{\"op\":\"open\",\"key\":1,\"sid\":\"" SID "\",\"login\":\"a\","
	                       "\"cgroup_path\":\"/s/x\",\"remote_port\":1,\"local_port\":1,"
	                       "\"leader_pid\":1,\"cgroup_id\":1,\"audit_session_id\":1,"
	                       "\"start_us\":1}",
	                       &e, err),
	                 0);
	sr_journal_entry_free(&e);
	/* too long a line, and a string past the cap */
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, &e, err), -EINVAL);
	snprintf(big, sizeof(big), "{\"op\":\"open\",\"key\":1,\"sid\":\"" SID "\",\"login\":\"");
	i = strlen(big);
	memset(big + i, 'a', SR_JOURNAL_STR_MAX + 1);
	snprintf(big + i + SR_JOURNAL_STR_MAX + 1, sizeof(big) - i - SR_JOURNAL_STR_MAX - 1,
	         "\",\"cgroup_path\":\"/s/x\"}");
	assert_int_equal(parse(big, &e, err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
