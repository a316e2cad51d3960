/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sr_record_jrec() (sshrec export's records without their text) gives what
 * sr_jrec_parse() of sr_record_json() gives, member for member, and so the
 * same ECS and OCSF documents: for every kind, record format and hostile
 * strings (escapes, invalid UTF-8, missing values).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf/policy.h"
#include "export.h"
#include "recorder/record_json.h"

/* Strings of one variant of the test records (NULL where a record may lack one). */
static const struct variant {
	const char *text, *addr, *argv_json;
} variants[] = {
    {"/usr/bin/id", "192.0.2.7", "[\"id\",\"-u\"]"},
    {"/tmp/\x1b[2J\"q\\\n\xc2\x85", "2001:db8::1", "[\"sh\",\"-c\",\"echo \\\"a\\\\b\\\"\\n\"]"},
    {"bad\xff\xfe caf\xc3\xa9 trunc\xe2\x82", NULL, "[]"},
    {"", "10.0.0.1", "[\"only\"]"},
    {NULL, NULL, "[1,true,null,{\"a\":[2]},\"x\"]"},
};

static void assert_same_value(const struct sr_jrec *a, const struct sr_jval *x,
                              const struct sr_jrec *b, const struct sr_jval *y)
{
	size_t i;

	assert_int_equal(x->t, y->t);
	assert_int_equal(x->i, y->i);
	assert_int_equal(x->len, y->len);
	assert_memory_equal(x->s, y->s, x->len);
	if (x->t == SR_JT_STR)
		assert_int_equal(y->s[y->len], '\0');
	if (x->t != SR_JT_ARR)
		return;
	assert_int_equal(x->n, y->n);
	for (i = 0; i < x->n; i++)
		assert_same_value(a, &a->el[x->first + i], b, &b->el[y->first + i]);
}

/* @p rec both ways: the same members, the same ECS and OCSF documents. */
static void check(const struct sr_record *rec, const struct sr_exp_ctx *ctx)
{
	struct sr_jrec parsed = {0}, built = {0};
	struct sr_jw text = {0}, scratch = {0}, da = {0}, db = {0};
	size_t i;
	int fmt;

	assert_int_equal(sr_record_json(&text, rec), 0);
	assert_int_equal(sr_jrec_parse(&parsed, text.b, text.len), 0);
	assert_int_equal(sr_record_jrec(&built, &scratch, rec), 0);
	assert_int_equal(parsed.n, built.n);
	for (i = 0; i < parsed.n; i++) {
		assert_int_equal(parsed.m[i].klen, built.m[i].klen);
		assert_memory_equal(parsed.m[i].key, built.m[i].key, parsed.m[i].klen);
		assert_same_value(&parsed, &parsed.m[i].v, &built, &built.m[i].v);
	}
	for (fmt = 0; fmt < 2; fmt++) {
		int ra, rb;

		sr_jw_reset(&da);
		sr_jw_reset(&db);
		ra = fmt ? sr_ocsf_write(&parsed, ctx, &da) : sr_ecs_write(&parsed, ctx, &da);
		rb = fmt ? sr_ocsf_write(&built, ctx, &db) : sr_ecs_write(&built, ctx, &db);
		assert_int_equal(ra, rb);
		assert_int_equal(da.len, db.len);
		assert_memory_equal(da.b, db.b, da.len);
	}
	sr_jrec_free(&parsed);
	sr_jrec_free(&built);
	sr_jw_free(&text);
	sr_jw_free(&scratch);
	sr_jw_free(&da);
	sr_jw_free(&db);
}

static void test_every_kind(void **state)
{
	size_t v;

	(void)state;
	for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const struct variant *s = &variants[v];
		struct sr_session_info sess = {
		    .sid = "0190a0b0-0000-7000-8000-000000000001",
		    .server_hostname = s->text,
		    .login = s->text,
		    .user = s->text,
		    .service = "sshd",
		    .tty = v & 1 ? "/dev/pts/3" : NULL,
		    .remote_addr = s->addr,
		    .remote_port = 50022,
		    .local_addr = s->addr,
		    .local_port = 22,
		    .auth_method = "publickey",
		    .key_fingerprint = s->text,
		    .cgroup_path = s->text,
		    .capture_backend = "lsm",
		    .start_us = 1700000000123456,
		    .counts = {3, 1, 4, 1, 5, 9, 2, 6, 5},
		    .lost = v,
		};
		struct sr_process_info proc = {
		    .id = 42,
		    .parent_id = (int64_t)v,
		    .exe = s->text,
		    .exe_kind = v == 2   ? "deleted"
		                : v == 1 ? "fileless"
		                         : "file",
		    .argv_json = s->argv_json,
		    .argv_truncated = v & 1,
		    .uid = 1000,
		    .gid = -1,
		    .tty = s->text,
		};
		struct sr_exp_sess es = {.sid = sess.sid, .login = s->text, .remote_addr = s->addr};
		struct sr_exp_ctx ctx = {.sess = v & 1 ? &es : NULL};
		int kind, format;

		for (kind = 0; kind < SR_REC_KIND_MAX; kind++) {
			for (format = 1; format <= SR_RECORD_FORMAT; format++) {
				struct sr_record rec = {
				    .kind = (enum sr_rec_kind)kind,
				    .format = format,
				    .sess = &sess,
				    .ei = UINT64_MAX - v,
				    .time_us = 1700000001000000 + (int64_t)v,
				    .uid = {1, 2, 3, (uint8_t)v},
				    .cgroup_id = 1ULL << 63,
				    .pid = 1234,
				    .ppid = 1,
				    .program = s->text,
				    .process_id = v ? 42 : 0,
				    .path = s->text,
				    .has_return_code = v != 3,
				    .return_code = -13,
				    .proc = &proc,
				    .tty = s->text,
				    .cwd = s->text,
				    .flags = 0301 | (v << 16),
				    .mode = 0644,
				    .path_truncated = v & 1,
				    .path_error = (enum sr_path_error)(v % 3),
				    .src_addr = s->addr,
				    .dst_addr = s->addr,
				    .src_port = 40000,
				    .dst_port = 443,
				    .result = (int)v,
				    .action = (int)(v & 1),
				    .exit_code = 2,
				    .signal = v == 2 ? 9 : 0,
				    .duration_ms = 77,
				    .lost_command = 1,
				    .to_cgroup_path = s->text,
				    .denied_action = (uint8_t)(v % 3),
				    .denied_mode = v & 1 ? SR_POLICY_AUDIT : SR_POLICY_ENFORCE,
				    .rule = s->text,
				};

				check(&rec, &ctx);
			}
		}
	}
}

/* Nested text that is not JSON is refused as the scan of the record would be. */
static void test_bad_argv(void **state)
{
	struct sr_session_info sess = {.sid = "0190a0b0-0000-7000-8000-000000000001"};
	struct sr_process_info proc = {.id = 1, .argv_json = "[\"a\",]"};
	struct sr_record rec = {.kind = SR_REC_COMMAND, .format = 1, .sess = &sess, .proc = &proc};
	struct sr_jrec r = {0};
	struct sr_jw w = {0};

	(void)state;
	assert_int_equal(sr_record_jrec(&r, &w, &rec), -EINVAL);
	rec.proc = NULL;
	assert_int_equal(sr_record_jrec(&r, &w, &rec), -EINVAL);
	sr_jrec_free(&r);
	sr_jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_kind),
	    cmocka_unit_test(test_bad_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
