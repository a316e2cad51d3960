/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The auditor's views of a recorded session, end to end: the SQLite sink
 * stores a session whose strings and records come from the input (as
 * sshrecd's correlator builds them, tests/unit/sink_test_util.c), the
 * session row is then overwritten with raw input bytes (a foreign or
 * tampered database), and the sshrec CLI itself (cli/main.c, its main()
 * renamed) writes the HTML report and prints tree, timeline, replay and
 * sessions. Checked:
 *   - the report is valid UTF-8 and every '<' in it opens or closes one of
 *     the report's own elements: nothing from the database became markup;
 *   - the terminal views (stdout and stderr) hold no control byte but \n and
 *     no invisible format character.
 *
 * Input: fields separated by 0xff bytes: login, remote address, tty, rhost,
 * then per record a kind byte and its strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "recorder/config.h"
#include "recorder/sinks/sink.h"
#include "strsafe.h"
#include "tests/unit/sink_test_util.h"

int sr_cli_main(int argc, char **argv);

static char dir[64], db[128], html[128];
static struct sr_config cfg;
static struct sr_sink sink = {.ops = &sr_sink_sqlite_ops};
static int64_t next_key = 1, written;

static void sink_open(void)
{
	static char dbdir[96], jl[128];
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/db'", dir);
	if (system(cmd))
		abort();
	snprintf(dbdir, sizeof(dbdir), "%s/db", dir);
	mkdir(dbdir, 0700);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(db, sizeof(db), "%s/sshrec.db", dbdir);
	snprintf(jl, sizeof(jl), "%s/events.jsonl", dbdir);
	cfg.db_path = db;
	cfg.jsonl_path = jl;
	cfg.backlog_max = 1000;
	if (sink.ops->init(&sink, &cfg))
		abort();
	written = 0;
}

/* libFuzzer ends a run with exit(): the database directory goes with it. */
static void cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "fuzz_report: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(dir, sizeof(dir), "/dev/shm/sshrec-fuzz-report.XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof(dir), "/tmp/sshrec-fuzz-report.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(html, sizeof(html), "%s/r.html", dir);
	sink_open();
	atexit(cleanup);
	return 0;
}

/* Elements the report itself writes. */
static bool own_tag(const char *p)
{
	static const char *const tags[] = {
	    "!DOCTYPE", "html",    "head",    "meta", "title", "style", "body",    "h1",
	    "h2",       "table",   "tr",      "th",   "td",    "div",   "svg",     "rect",
	    "text",     "line",    "g",       "ul",   "li",    "span",  "p",       "b",
	    "small",    "details", "summary", "code", "pre",   "a",     "section", "header",
	    "footer",   "dl",      "dt",      "dd",   "ol"};
	size_t i, n;

	if (*p == '/')
		p++;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		n = strlen(tags[i]);
		if (!strncmp(p, tags[i], n) &&
		    (p[n] == '>' || p[n] == ' ' || p[n] == '\n' || p[n] == '/'))
			return true;
	}
	return false;
}

static void check_report(void)
{
	FILE *f = fopen(html, "re");
	char *buf = NULL, *p;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return; /* the command refused (a session it could not read) */
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	unlink(html);
	if (n <= 0) {
		free(buf);
		return;
	}
	if (!sr_utf8_valid(buf, (size_t)n))
		fz_fail("report is not valid UTF-8");
	for (p = buf; (p = memchr(p, '<', (size_t)(buf + n - p))); p++)
		if (!own_tag(p + 1))
			fz_fail("markup from the database in the report: %.60s", p);
	for (p = buf; p < buf + n; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			fz_fail("control byte in the report");
	free(buf);
}

/* Run "sshrec --db DB --color never ARGS..." with stdout and stderr captured and checked. */
static void run(const char *const *args, int nargs)
{
	char *argv[16];
	int argc = 0, out = memfd_create("out", MFD_CLOEXEC), o1 = dup(1), o2 = dup(2);
	struct stat st;
	char *text;

	argv[argc++] = "sshrec";
	argv[argc++] = "--db";
	argv[argc++] = db;
	argv[argc++] = "--color";
	argv[argc++] = "never";
	for (int i = 0; i < nargs; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(out, 2);
	optind = 0;
	sr_cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	if (fstat(out, &st) || !st.st_size) {
		close(out);
		return;
	}
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, out, 0);
	if (text == MAP_FAILED)
		abort();
	for (off_t i = 0; i < st.st_size;) {
		uint32_t cp = 0;
		size_t k = sr_utf8_next(text + i, (size_t)(st.st_size - i), &cp);

		if (!k)
			fz_fail("%s: output is not valid UTF-8", args[0]);
		if ((cp < 0x20 && cp != '\n') || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    sr_unicode_is_format(cp))
			fz_fail("%s: U+%04X reached the terminal", args[0], (unsigned)cp);
		i += (off_t)k;
	}
	munmap(text, (size_t)st.st_size);
	close(out);
}

static void store(struct fz *f, struct sr_session_info *s)
{
	struct tu_rec t = {0};
	char *strs[4];
	const char *argv[4];
	uint64_t ei = 1;
	int64_t id = next_key * 100;
	int kind;

	tu_start(&t, s);
	sink.ops->write(&sink, &t.rec);
	tu_free(&t);
	for (int r = 0; r < 12 && f->n; r++) {
		kind = fz_u8(f) % 4;
		memset(&t, 0, sizeof(t));
		for (int i = 0; i < 4; i++)
			strs[i] = fz_str(f, 512, NULL), argv[i] = strs[i];
		if (kind == 0) {
			id++;
			tu_command(&t, s, ei++, id, r & 1 ? id - 1 : 0, 3000 + r, strs[0], argv,
			           1 + r % 4);
		} else if (kind == 1)
			tu_disk(&t, s, ei++, id, 3000 + r, strs[0]);
		else if (kind == 2)
			tu_exit(&t, s, ei++, id, 3000 + r, (int32_t)fz_u32(f),
			        (int32_t)fz_u8(f) % 70);
		else
			tu_network(&t, s, ei++, id, 3000 + r, fz_u8(f));
		sink.ops->write(&sink, &t.rec);
		tu_free(&t);
		for (int i = 0; i < 4; i++)
			free(strs[i]);
	}
	memset(&t, 0, sizeof(t));
	tu_end(&t, s, ei);
	sink.ops->write(&sink, &t.rec);
	tu_free(&t);
	sink.ops->flush(&sink);
}

/* Overwrite the row's strings with raw bytes, as a foreign database may hold them. */
static void tamper(const char *sid, char *const *raw, const size_t *len)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		abort();
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h,
	                       "UPDATE sessions SET login = ?1, remote_addr = ?2, tty = ?3, "
	                       "rhost = ?4, auth_method = ?1, key_fingerprint = ?2 WHERE sid = ?5",
	                       -1, &st, NULL) == SQLITE_OK) {
		for (int i = 0; i < 4; i++)
			sqlite3_bind_text(st, i + 1, raw[i], (int)len[i], SQLITE_STATIC);
		sqlite3_bind_text(st, 5, sid, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct sr_session_info s;
	char *str[4], sid[40];
	size_t len[4];
	bool raw;

	if (written > 2000) {
		sink.ops->close(&sink);
		sink_open();
	}
	for (int i = 0; i < 4; i++)
		str[i] = fz_str(&f, 256, &len[i]);
	raw = fz_u8(&f) & 1;
	tu_session(&s, next_key++, str[0], 0);
	s.remote_addr = str[1];
	s.tty = str[2];
	s.rhost = str[3];
	s.user = s.key_fingerprint = str[1];
	store(&f, &s);
	written++;
	snprintf(sid, sizeof(sid), "%s", s.sid);
	if (raw)
		tamper(sid, str, len);
	{
		const char *report[] = {"report", sid, "-o", html};
		const char *tree[] = {"tree", sid, "--files", "--net"};
		const char *timeline[] = {"timeline", sid};
		const char *replay[] = {"replay", sid, "--speed", "1000", "--idle-limit", "0"};
		const char *sessions[] = {"sessions", "--user", str[0]};

		run(report, 4);
		check_report();
		run(tree, 4);
		run(timeline, 2);
		run(replay, 6);
		run(sessions, 3);
	}
	for (int i = 0; i < 4; i++)
		free(str[i]);
	return 0;
}

/* The CLI's own entry point, renamed: libFuzzer has the main(). */
#define main sr_cli_main
#include "cli/main.c"
