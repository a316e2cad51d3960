/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the JSON-lines sink: hostile bytes stay one valid UTF-8
 * JSON object per line; rotation by size with gzip (decompressed with zlib
 * and compared line for line) keeps jsonl_keep files; reopen() follows a
 * logrotate rename; a flushed file survives kill -9; a write error
 * (ENOSPC from /dev/full) gives a bounded, counted backlog written later.
 * jsonl_format = ecs | ocsf: documents instead of records, held until the
 * session's terminal is known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <json-c/json.h>

#include "strsafe.h"
#include "timeutil.h"
#include "tests/unit/sink_test_util.h"
#include "recorder/sinks/sink.h"
#include "recorder/sinks/sink_format.h"

/* Lines of a file (plain, or gzip: gzread reads both), malloc'd. */
struct lines {
	char **v;
	size_t n;
};

static void read_lines(const char *path, struct lines *out)
{
	gzFile gz = gzopen(path, "rb");
	char *all = NULL, *p, *nl;
	size_t len = 0;
	int n;
	char chunk[65536];

	assert_non_null(gz);
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0) {
		all = realloc(all, len + (size_t)n + 1);
		memcpy(all + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	assert_true(n == 0);
	gzclose(gz);
	memset(out, 0, sizeof(*out));
	if (!all)
		return;
	all[len] = '\0';
	/* every line, the last one too, ends with a newline */
	assert_int_equal(all[len - 1], '\n');
	for (p = all; (nl = strchr(p, '\n')); p = nl + 1) {
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = strndup(p, (size_t)(nl - p));
	}
	free(all);
}

static void free_lines(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void sink_open(struct sr_sink *s, const struct sr_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->ops = &sr_sink_jsonl_ops;
	assert_int_equal(s->ops->init(s, cfg), 0);
}

static json_object *parse_line(const char *line)
{
	json_object *o;

	assert_true(sr_utf8_valid(line, strlen(line)));
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static void test_hostile_strings(void **state)
{
	static const char *const argv[] = {"sh",
	                                   "-c",
	                                   "echo \"$(printf '\\x1b]0;pwned\\a')\"\n rm -rf /",
	                                   "\xff\xfe\xc0\xaf",
	                                   "tab\there\r\n",
	                                   "\xe2\x80\xae\x65vil", /* U+202E then "evil" */
	                                   "\\\"}{"};
	char *dir = tu_tmpdir("jsonl");
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	struct lines l;
	json_object *o, *a;
	size_t i;

	(void)state;
	tu_config(&cfg, dir);
	tu_session(&s, 1, "al\x1b[2Jice", 0);
	sink_open(&sink, &cfg);
	tu_start(&t, &s);
	assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
	tu_free(&t);
	tu_command(&t, &s, 1, 10, 0, 100, "/bin/sh\n\xff", argv, 7);
	assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
	tu_free(&t);
	tu_disk(&t, &s, 2, 10, 100, "/tmp/\x01\x02\n\"quoted\"\xff");
	assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
	tu_free(&t);
	/* nothing reaches the file before flush */
	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 0);
	assert_int_equal(sink.ops->flush(&sink), 0);
	assert_int_equal(sink.health.written, 3);

	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 3);
	for (i = 0; i < l.n; i++) {
		o = parse_line(l.v[i]);
		assert_int_equal(json_object_get_int(json_object_object_get(o, "ei")), (int)i);
		json_object_put(o);
	}
	o = parse_line(l.v[1]);
	/* argv without argv[0] (Teleport), argv0 beside it */
	a = json_object_object_get(o, "argv");
	assert_int_equal(json_object_array_length(a), 6);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "argv0")), argv[0]);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 1)), argv[2]);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 2)),
	                    "\\xff\\xfe\\xc0\\xaf");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 5)), argv[6]);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "path")),
	                    "/bin/sh\n\\xff");
	json_object_put(o);
	o = parse_line(l.v[2]);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "path")),
	                    "/tmp/\x01\x02\n\"quoted\"\\xff");
	json_object_put(o);
	free_lines(&l);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void rotated(char *out, size_t len, const struct sr_config *cfg, const char *suffix)
{
	snprintf(out, len, "%s%s", cfg->jsonl_path, suffix);
}

static void test_rotation_gzip_keep(void **state)
{
	static const char *const argv[] = {"find", "/", "-name", "x"};
	char *dir = tu_tmpdir("jsonl"), p[600];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	struct lines files[3], all = {0};
	char **want;
	struct stat st;
	size_t i, j, k, n = 300;

	(void)state;
	tu_config(&cfg, dir);
	cfg.jsonl_max_bytes = 8192;
	cfg.jsonl_keep = 2;
	sink_open(&sink, &cfg);
	want = calloc(n, sizeof(*want));
	tu_session(&s, 2, "grace", 0);
	for (i = 0; i < n; i++) {
		tu_command(&t, &s, i, (int64_t)i + 1, 0, 200, "/usr/bin/find", argv, 4);
		want[i] = strndup(t.rec.json, t.rec.json_len);
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
		/* flush now and then, as the daemon does per batch */
		if (i % 7 == 6)
			assert_int_equal(sink.ops->flush(&sink), 0);
	}
	assert_int_equal(sink.ops->flush(&sink), 0);
	assert_int_equal(sink.health.written, n);

	/* keep=2: .1.gz and .2.gz, no .3.gz, no uncompressed .1, no temp files */
	rotated(p, sizeof(p), &cfg, ".3.gz");
	assert_int_equal(stat(p, &st), -1);
	rotated(p, sizeof(p), &cfg, ".1");
	assert_int_equal(stat(p, &st), -1);
	rotated(p, sizeof(p), &cfg, ".1.gz.tmp");
	assert_int_equal(stat(p, &st), -1);
	/* the current file never exceeds the limit */
	assert_int_equal(stat(cfg.jsonl_path, &st), 0);
	assert_true((uint64_t)st.st_size <= cfg.jsonl_max_bytes);

	/* oldest kept first: .2.gz, .1.gz, current; together the newest records in order */
	rotated(p, sizeof(p), &cfg, ".2.gz");
	read_lines(p, &files[0]);
	rotated(p, sizeof(p), &cfg, ".1.gz");
	read_lines(p, &files[1]);
	read_lines(cfg.jsonl_path, &files[2]);
	for (k = 0; k < 3; k++) {
		size_t bytes = 0;

		assert_true(files[k].n > 0);
		for (j = 0; j < files[k].n; j++) {
			bytes += strlen(files[k].v[j]) + 1;
			all.v = realloc(all.v, (all.n + 1) * sizeof(*all.v));
			all.v[all.n++] = files[k].v[j];
		}
		/* each rotated file was full: the next line would not have fit */
		assert_true(bytes <= cfg.jsonl_max_bytes);
		if (k < 2)
			assert_true(bytes + strlen(files[k + 1].v[0]) + 1 > cfg.jsonl_max_bytes);
	}
	/* gzip really compressed (JSON lines compress well) */
	rotated(p, sizeof(p), &cfg, ".1.gz");
	assert_int_equal(stat(p, &st), 0);
	assert_true((uint64_t)st.st_size < cfg.jsonl_max_bytes / 3);
	assert_true(all.n < n);
	for (j = 0; j < all.n; j++)
		assert_string_equal(all.v[j], want[n - all.n + j]);
	for (k = 0; k < 3; k++)
		free_lines(&files[k]);
	free(all.v);
	for (i = 0; i < n; i++)
		free(want[i]);
	free(want);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_reopen_after_logrotate(void **state)
{
	char *dir = tu_tmpdir("jsonl"), old[600];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	struct lines l;

	(void)state;
	tu_config(&cfg, dir);
	sink_open(&sink, &cfg);
	tu_session(&s, 3, "heidi", 0);
	tu_start(&t, &s);
	assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
	tu_free(&t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	/* logrotate: rename, then SIGHUP */
	snprintf(old, sizeof(old), "%s-20260101", cfg.jsonl_path);
	assert_int_equal(rename(cfg.jsonl_path, old), 0);
	assert_int_equal(sink.ops->reopen(&sink), 0);
	tu_end(&t, &s, 1);
	assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
	tu_free(&t);
	assert_int_equal(sink.ops->flush(&sink), 0);
	read_lines(old, &l);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.v[0], "\"session.start\""));
	free_lines(&l);
	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.v[0], "\"session.end\""));
	free_lines(&l);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

static void test_flush_survives_kill9(void **state)
{
	char *dir = tu_tmpdir("jsonl");
	struct sr_config cfg;
	struct lines l;
	pid_t pid;
	int status;

	(void)state;
	tu_config(&cfg, dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sr_sink sink = {.ops = &sr_sink_jsonl_ops};
		struct sr_session_info s;
		struct tu_rec t = {0};

		if (sink.ops->init(&sink, &cfg))
			_exit(2);
		tu_session(&s, 4, "ivan", 0);
		tu_start(&t, &s);
		sink.ops->write(&sink, &t.rec);
		if (sink.ops->flush(&sink))
			_exit(3);
		tu_end(&t, &s, 1); /* not flushed */
		sink.ops->write(&sink, &t.rec);
		raise(SIGKILL);
		_exit(4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.v[0], "\"session.start\""));
	free_lines(&l);
	tu_rmdir(dir);
}

static void test_enospc_backlog(void **state)
{
	char *dir = tu_tmpdir("jsonl"), link[600];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	struct lines l;
	uint64_t i;
	int err, tries = 0;
	json_object *o;

	(void)state;
	tu_config(&cfg, dir);
	cfg.backlog_max = 10;
	/* the log file is /dev/full: every write fails with ENOSPC */
	snprintf(link, sizeof(link), "%s/events.jsonl", dir);
	assert_int_equal(symlink("/dev/full", link), 0);
	cfg.jsonl_path = link;
	sink_open(&sink, &cfg);
	tu_session(&s, 5, "judy", 0);
	for (i = 0; i < 5; i++) {
		tu_disk(&t, &s, i, 1, 300, "/tmp/f");
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
	}
	assert_int_equal(sink.ops->flush(&sink), -ENOSPC);
	assert_false(sink.health.ok);
	assert_non_null(strstr(sink.health.last_error, "No space left"));
	assert_int_equal(sink.health.failed, 5);
	assert_int_equal(sink.health.backlog, 5);
	for (; i < 25; i++) {
		tu_disk(&t, &s, i, 1, 300, "/tmp/f");
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
	}
	/* bounded: the 15 oldest are dropped and counted */
	assert_int_equal(sink.health.dropped, 15);
	assert_true(sink.ops->flush(&sink) < 0);
	assert_int_equal(sink.health.backlog, 10);

	/* space again (the admin fixed it, then SIGHUP): the newest 10 arrive in order */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(sink.ops->reopen(&sink), 0);
	while ((err = sink.ops->flush(&sink)) != 0 && tries++ < 100)
		usleep(100000);
	assert_int_equal(err, 0);
	assert_true(sink.health.ok);
	assert_int_equal(sink.health.backlog, 0);
	assert_int_equal(sink.health.written, 10);
	read_lines(link, &l);
	assert_int_equal(l.n, 10);
	for (i = 0; i < 10; i++) {
		o = parse_line(l.v[i]);
		assert_int_equal(json_object_get_int(json_object_object_get(o, "ei")), 15 + (int)i);
		json_object_put(o);
	}
	free_lines(&l);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

/* A write cut short by a full filesystem (RLIMIT_FSIZE here: a short write,
 * then EFBIG) leaves no half line in the file, and the retry writes every
 * record once, whole and in order. */
static void test_short_write_whole_lines(void **state)
{
	char *dir = tu_tmpdir("jsonl"), path[600];
	struct rlimit old, lim;
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	struct lines l;
	struct stat st;
	uint64_t i;
	int err, tries = 0;
	json_object *o;

	(void)state;
	tu_config(&cfg, dir);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	cfg.jsonl_path = path;
	sink_open(&sink, &cfg);
	tu_session(&s, 6, "kim", 0);
	for (i = 0; i < 10; i++) {
		tu_disk(&t, &s, i, 1, 300, "/tmp/f");
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
	}
	/* room for a line and a half: the second line is cut */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 1500;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	err = sink.ops->flush(&sink);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	assert_false(sink.health.ok);
	read_lines(path, &l);
	assert_true(l.n >= 1 && l.n < 10);
	for (i = 0; i < l.n; i++)
		json_object_put(parse_line(l.v[i]));
	free_lines(&l);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 0 && st.st_size < 1500);
	{
		char last = 0;
		FILE *f = fopen(path, "r");

		assert_non_null(f);
		assert_int_equal(fseek(f, -1, SEEK_END), 0);
		last = (char)fgetc(f);
		fclose(f);
		assert_int_equal(last, '\n');
	}

	/* space again: the rest arrives, each record once */
	while ((err = sink.ops->flush(&sink)) != 0 && tries++ < 100)
		usleep(100000);
	assert_int_equal(err, 0);
	assert_int_equal(sink.health.written, 10);
	read_lines(path, &l);
	assert_int_equal(l.n, 10);
	for (i = 0; i < 10; i++) {
		o = parse_line(l.v[i]);
		assert_int_equal(json_object_get_int(json_object_object_get(o, "ei")), (int)i);
		json_object_put(o);
	}
	free_lines(&l);
	sink.ops->close(&sink);
	tu_rmdir(dir);
}

/* Run the schema validator on @p files; returns its exit status. */
static int validate(const char *files, bool partial)
{
	const char *top = getenv("SR_TOP_SRCDIR");
	char cmd[2048];
	int rc;

	snprintf(cmd, sizeof(cmd),
	         "/usr/bin/python3 %s/tests/e2e/validate_jsonl.py %s %s/schema/json %s",
	         top ? top : ".", partial ? "--partial" : "", top ? top : ".", files);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every event type, hostile strings included, validates; broken files do not. */
static void test_schemas_validate(void **state)
{
	static const char *const argv[] = {"sh", "-c", "echo \xff[0m | base64 -d | sh", "ÿþ"};
	char *dir = tu_tmpdir("jsonl"), cp[700], files[1400];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink;
	struct tu_rec t = {0};
	int i;

	(void)state;
	if (system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
		/* the e2e runner installs python3-jsonschema; say so loudly, do not pass */
		fail_msg("/usr/bin/python3 with jsonschema (python3-jsonschema) is needed");
	}
	tu_config(&cfg, dir);
	sink_open(&sink, &cfg);
	for (i = 0; i < 2; i++) {
		tu_session(&s, 10 + i, "kim", 0);
		tu_start(&t, &s);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_command(&t, &s, 1, 50, 0, 400, "/bin/shÿ", argv, 4);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_disk(&t, &s, 2, 50, 400, "/etc/]0;xpasswd");
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_network(&t, &s, 3, 50, 400, 443);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_loss(&t, &s, 4, 12);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_escape(&t, &s, 5, 50, 400);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_exit(&t, &s, 6, 50, 400, 0, i ? 15 : 0);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_denied(&t, &s, 7, 50, 400, i == 1);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		tu_end(&t, &s, 8);
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
	}
	assert_int_equal(sink.ops->flush(&sink), 0);
	sink.ops->close(&sink);
	assert_int_equal(validate(cfg.jsonl_path, false), 0);

	/* a gap in ei fails; --partial still wants gapless */
	snprintf(cp, sizeof(cp), "%s/gap.jsonl", dir);
	snprintf(files, sizeof(files), "grep -v '\"ei\":3,' %s > %s", cfg.jsonl_path, cp);
	assert_int_equal(system(files), 0);
	assert_int_equal(validate(cp, false), 1);
	assert_int_equal(validate(cp, true), 1);
	/* a session whose start was rotated away: only --partial accepts it */
	snprintf(files, sizeof(files), "grep -v '\"ei\":0,' %s > %s", cfg.jsonl_path, cp);
	assert_int_equal(system(files), 0);
	assert_int_equal(validate(cp, false), 1);
	assert_int_equal(validate(cp, true), 0);
	/* invalid UTF-8, a missing field, an unknown field, a torn last line */
	snprintf(cp, sizeof(cp), "%s/bad.jsonl", dir);
	append(cp, "{\"event\":\"session.start\",\"x\":\"\xff\"}\n");
	assert_int_equal(validate(cp, false), 1);
	unlink(cp);
	snprintf(files, sizeof(files), "sed 's/\"argv_truncated\":false,//' %s > %s",
	         cfg.jsonl_path, cp);
	assert_int_equal(system(files), 0);
	assert_int_equal(validate(cp, false), 1);
	snprintf(files, sizeof(files), "sed 's/\"tty\":/\"ttyy\":/' %s > %s", cfg.jsonl_path, cp);
	assert_int_equal(system(files), 0);
	assert_int_equal(validate(cp, false), 1);
	snprintf(files, sizeof(files), "head -c -1 %s > %s", cfg.jsonl_path, cp);
	assert_int_equal(system(files), 0);
	assert_int_equal(validate(cp, false), 1);
	tu_rmdir(dir);
}

/* Member @p path ("a.b.c") of line @p i as JSON text, "-" when absent. */
static const char *member(const struct lines *l, size_t i, const char *path, char *buf, size_t cap)
{
	json_object *o, *v;
	char p[128], *tok, *save = NULL;

	assert_true(i < l->n);
	o = parse_line(l->v[i]);
	v = o;
	snprintf(p, sizeof(p), "%s", path);
	for (tok = strtok_r(p, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(v, tok, &v))
			v = NULL;
	snprintf(buf, cap, "%s",
	         v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	                                                   JSON_C_TO_STRING_NOSLASHESCAPE)
	           : "-");
	json_object_put(o);
	return buf;
}

/*
 * ECS and OCSF sinks: a session's documents wait until its terminal is
 * known (the login shell's, set on the session before its command record
 * arrives), then come out in order, all saying interactive; the image of a
 * command completes its process's later documents. A session with no
 * terminal SR_FMT_SETTLE_US after its login goes at the next flush, Logon
 * and Logoff both Network.
 */
static void test_formats(void **state)
{
	static const char *const argv[] = {"bash", "-l"};
	char *dir = tu_tmpdir("fmt"), ocsf_path[512], b[256];
	struct sr_config cfg;
	struct sr_jsonl_sink extra = {.label = "jsonl.siem", .format = SR_JSONL_OCSF};
	struct sr_sink ecs, ocsf;
	struct sr_session_info s, n;
	struct tu_rec t = {0};
	struct lines l;
	int64_t now = sr_now_us();
	int k;

	(void)state;
	tu_config(&cfg, dir);
	cfg.jsonl_format = SR_JSONL_ECS;
	snprintf(ocsf_path, sizeof(ocsf_path), "%s/log/ocsf.jsonl", dir);
	extra.path = ocsf_path;
	sink_open(&ecs, &cfg);
	memset(&ocsf, 0, sizeof(ocsf));
	ocsf.ops = &sr_sink_jsonl_ops;
	ocsf.arg = &extra;
	assert_int_equal(ocsf.ops->init(&ocsf, &cfg), 0);

	tu_session(&s, 31, "alice", now);
	s.tty = "ssh"; /* PAM's, before sshd opened the pty */
	for (k = 0; k < 2; k++) {
		struct sr_sink *sk = k ? &ocsf : &ecs;

		tu_start(&t, &s);
		assert_int_equal(sk->ops->write(sk, &t.rec), 0);
		tu_disk(&t, &s, 1, 0, s.leader_pid, "/etc/motd");
		assert_int_equal(sk->ops->write(sk, &t.rec), 0);
		tu_free(&t);
	}
	assert_int_equal(ecs.ops->flush(&ecs), 0);
	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 0); /* held: the terminal is not known yet */
	free_lines(&l);
	s.tty = "/dev/pts/3"; /* the login shell's, as the correlator sets it */
	for (k = 0; k < 2; k++) {
		struct sr_sink *sk = k ? &ocsf : &ecs;

		tu_command(&t, &s, 2, 10, 0, 4001, "/bin/bash", argv, 2);
		assert_int_equal(sk->ops->write(sk, &t.rec), 0);
		tu_exit(&t, &s, 3, 10, 4001, 0, 0);
		assert_int_equal(sk->ops->write(sk, &t.rec), 0);
		tu_end(&t, &s, 4);
		assert_int_equal(sk->ops->write(sk, &t.rec), 0);
		assert_int_equal(sk->ops->flush(sk), 0);
		tu_free(&t);
	}
	read_lines(cfg.jsonl_path, &l);
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < l.n; i++) {
		char want[24];

		snprintf(want, sizeof(want), "%zu", i);
		assert_string_equal(member(&l, i, "event.sequence", b, sizeof(b)), want);
		assert_string_equal(member(&l, i, "process.entry_leader.interactive", b, sizeof(b)),
		                    "true");
		assert_string_equal(member(&l, i, "ecs.version", b, sizeof(b)), "\"9.4.0\"");
	}
	assert_string_equal(member(&l, 3, "process.executable", b, sizeof(b)), "\"/bin/bash\"");
	assert_string_equal(member(&l, 3, "process.args", b, sizeof(b)), "[\"bash\",\"-l\"]");
	free_lines(&l);
	read_lines(ocsf_path, &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(member(&l, 0, "activity_name", b, sizeof(b)), "\"Logon\"");
	assert_string_equal(member(&l, 0, "logon_type_id", b, sizeof(b)), "10");
	assert_string_equal(member(&l, 4, "activity_name", b, sizeof(b)), "\"Logoff\"");
	assert_string_equal(member(&l, 4, "logon_type_id", b, sizeof(b)), "10");
	assert_string_equal(member(&l, 0, "metadata.profiles", b, sizeof(b)), "[\"host\"]");
	free_lines(&l);

	/* ssh host cmd: no terminal; the login was long enough ago */
	tu_session(&n, 32, "bob", now - SR_FMT_SETTLE_US - 1000000);
	n.tty = "ssh";
	tu_start(&t, &n);
	assert_int_equal(ocsf.ops->write(&ocsf, &t.rec), 0);
	tu_command(&t, &n, 1, 20, 0, 5001, "/bin/sh", argv, 2);
	assert_int_equal(ocsf.ops->write(&ocsf, &t.rec), 0);
	tu_free(&t);
	assert_int_equal(ocsf.ops->flush(&ocsf), 0); /* the settle time is over: out */
	tu_end(&t, &n, 2);
	assert_int_equal(ocsf.ops->write(&ocsf, &t.rec), 0);
	assert_int_equal(ocsf.ops->flush(&ocsf), 0);
	tu_free(&t);
	read_lines(ocsf_path, &l);
	assert_int_equal(l.n, 8);
	assert_string_equal(member(&l, 5, "logon_type_id", b, sizeof(b)), "3");
	assert_string_equal(member(&l, 5, "logon_type", b, sizeof(b)), "\"Network\"");
	assert_string_equal(member(&l, 7, "logon_type_id", b, sizeof(b)), "3");
	free_lines(&l);
	assert_int_equal(ocsf.health.written, 8);
	ecs.ops->close(&ecs);
	ocsf.ops->close(&ocsf);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_rotation_gzip_keep),
	    cmocka_unit_test(test_reopen_after_logrotate),
	    cmocka_unit_test(test_flush_survives_kill9),
	    cmocka_unit_test(test_enospc_backlog),
	    cmocka_unit_test(test_short_write_whole_lines),
	    cmocka_unit_test(test_schemas_validate),
	    cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
