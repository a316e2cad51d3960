/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * v4gen: databases written by an older sshrecd itself, for the upgrade's
 * tests and benchmark. It is compiled against that tree, not this one
 * (tests/bench/v4gen.sh): commit 6ffc7c5, the last with schema 4, the last
 * with schema 5 (record format 2, event ABI 4: execs also name the file that
 * ran, and one is fileless) or the last with schema 6 (session.denied).
 * The old correlator and the old SQLite and JSON-lines sinks write:
 *   v4gen fixture DB JSONL   two sessions with every kind of record, hostile
 *                            strings, IPv6, read faults (the parity fixture,
 *                            tests/e2e/data/parity/sshrec-v4.sql, came from it
 *                            and two sessions of that tree's gen_db)
 *   v4gen bulk DB EVENTS     50 interleaved sessions of commands (fork, exec,
 *                            six opens, exit) over 5,000 paths and 5,000
 *                            argument vectors, as bench_daemon's hard stage
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder/config.h"
#include "recorder/correlate.h"
#include "recorder/sinks/sink.h"
#include "timeutil.h"
#if __has_include("bpf/policy.h")
#include "bpf/policy.h" /* since schema 6 */
#endif

static struct sr_sink sinks[2];
static int nsinks;
static struct sr_corr c;
static uint64_t ts = 5000000000ull;
static union {
	struct sr_exec_event e;
	struct sr_open_event o;
	struct sr_connect_event c;
	struct sr_escape_event x;
	struct sr_exit_event q;
	struct sr_fork_event f;
#ifdef SR_EV_DENIED
	struct sr_denied_event d;
#endif
	char raw[8192];
} u;

static int out(void *ctx, const struct sr_record *r)
{
	(void)ctx;
	for (int i = 0; i < nsinks; i++)
		if (sinks[i].ops->write(&sinks[i], r))
			abort();
	return 0;
}

static void flush(void)
{
	for (int i = 0; i < nsinks; i++)
		if (sinks[i].ops->flush(&sinks[i]))
			abort();
}

static void hdr(struct sr_event_hdr *h, uint16_t type, uint32_t size, uint32_t pid, uint32_t ppid,
                const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->abi = SR_EVENTS_ABI_VERSION;
	h->size = size;
	h->ts_ns = ts += 1000123;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->cgroup_id = 777;
	h->audit_sid = 9;
	h->uid = 1000;
	h->gid = 1001;
	memcpy(h->comm, comm, strnlen(comm, 16));
}

static void ex(struct sr_corr_session *s, uint32_t pid, uint32_t ppid, const char *f, size_t fl,
               const char *cwd, size_t cl, const char *argv, size_t al, int ret, unsigned flags,
               const char *tty, const char *comm)
{
	size_t xl = 0;

#if SR_EVENTS_ABI_VERSION >= 4
	/* the file that ran: the path given (a successful exec) */
	xl = ret ? 0 : fl;
#endif
	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, ret ? SR_EV_EXEC_FAIL : SR_EV_EXEC,
	    (uint32_t)(sizeof(u.e) + fl + cl + al + xl), pid, ppid, comm);
	u.e.ret = ret;
	u.e.filename_len = (uint32_t)fl;
	u.e.cwd_len = (uint32_t)cl;
	u.e.argv_len = (uint32_t)al;
	u.e.flags = flags;
	u.e.egid = 5;
	memcpy(u.e.tty, tty, strlen(tty));
	memcpy(u.e.data, f, fl);
	memcpy(u.e.data + fl, cwd, cl);
	memcpy(u.e.data + fl + cl, argv, al);
#if SR_EVENTS_ABI_VERSION >= 4
	u.e.exe_len = (uint32_t)xl;
	memcpy(u.e.data + fl + cl + al, f, xl);
#endif
	sr_corr_event(&c, s, &u, u.e.hdr.size);
}

static void op(struct sr_corr_session *s, uint32_t pid, const char *p, size_t pl, uint64_t flags,
               int ret, unsigned of)
{
	memset(&u, 0, sizeof(u));
	hdr(&u.o.hdr, SR_EV_OPEN, (uint32_t)(sizeof(u.o) + pl), pid, 1, "cat");
	u.o.flags = flags;
	u.o.mode = 0644;
	u.o.ret = ret;
	u.o.oflags = of;
	u.o.path_len = (uint32_t)pl;
	memcpy(u.o.path, p, pl);
	sr_corr_event(&c, s, &u, u.o.hdr.size);
}

static void cn(struct sr_corr_session *s, uint32_t pid, int fam, int opv)
{
	memset(&u, 0, sizeof(u));
	hdr(&u.c.hdr, SR_EV_CONNECT, sizeof(u.c), pid, 1, "curl");
	u.c.family = (uint16_t)fam;
	u.c.sport = 4000;
	u.c.dport = 443;
	u.c.op = (uint8_t)opv;
	if (fam == 2) {
		u.c.saddr[0] = 10;
		u.c.saddr[3] = 1;
		u.c.daddr[0] = 192;
		u.c.daddr[2] = 2;
		u.c.daddr[3] = 7;
	} else {
		u.c.daddr[0] = 0x20;
		u.c.daddr[1] = 1;
		u.c.daddr[15] = 5;
		u.c.saddr[15] = 1;
	}
	sr_corr_event(&c, s, &u, sizeof(u.c));
}

static void xt(struct sr_corr_session *s, uint32_t pid, int code, int sig)
{
	memset(&u, 0, sizeof(u));
	hdr(&u.q.hdr, SR_EV_EXIT, sizeof(u.q), pid, 1, "bash");
	u.q.exit_code = code;
	u.q.signal = sig;
	sr_corr_event(&c, s, &u, sizeof(u.q));
}

static void fk(struct sr_corr_session *s, uint32_t pid, uint32_t child)
{
	memset(&u, 0, sizeof(u));
	hdr(&u.f.hdr, SR_EV_FORK, sizeof(u.f), pid, 1, "bash");
	u.f.child_pid = child;
	sr_corr_event(&c, s, &u, sizeof(u.f));
}

static void es(struct sr_corr_session *s, uint32_t pid, const char *p, size_t pl)
{
	memset(&u, 0, sizeof(u));
	hdr(&u.x.hdr, SR_EV_ESCAPE, (uint32_t)(sizeof(u.x) + pl), pid, 1, "bash");
	u.x.to_cgroup_id = 12;
	u.x.path_len = (uint32_t)pl;
	memcpy(u.x.path, p, pl);
	sr_corr_event(&c, s, &u, u.x.hdr.size);
}

#ifdef SR_EV_DENIED
/* A session.denied record: path (exec, write) or an IPv4/IPv6 destination. */
static void dn(struct sr_corr_session *s, uint32_t pid, int action, int mode, int mech, int flags,
               const char *p, size_t pl, int fam, const char *rule)
{
	size_t rl = rule ? strlen(rule) : 0;

	memset(&u, 0, sizeof(u));
	hdr(&u.d.hdr, SR_EV_DENIED, (uint32_t)(sizeof(u.d) + pl + rl), pid, 1, "tee");
	u.d.action = (uint8_t)action;
	u.d.mode = (uint8_t)mode;
	u.d.mechanism = (uint8_t)mech;
	u.d.flags = (uint8_t)flags;
	u.d.family = (uint16_t)fam;
	u.d.dport = 22;
	u.d.daddr[0] = fam == 10 ? 0xfd : 10;
	u.d.daddr[fam == 10 ? 15 : 3] = 9;
	u.d.open_flags = 01 | 0100 | 01000 | 0x40000000;
	u.d.path_len = (uint32_t)pl;
	u.d.rule_len = (uint32_t)rl;
	memcpy(u.d.data, p, pl);
	memcpy(u.d.data + pl, rule, rl);
	sr_corr_event(&c, s, &u, u.d.hdr.size);
}
#endif

static void start(struct sr_corr_session *s, int n, const char *sid, int64_t key)
{
	struct sr_session_info in = {
	    .key = key,
	    .login = n % 2 ? "bob" : "alice",
	    .user = n % 2 ? "bob" : "SHA256:abc\x1b]0;t\x07",
	    .leader_pid = 100 + n,
	    .start_us = sr_boot_to_us(ts),
	    .server_id = "4f1c2a9e-8b7d-4e21-9a55-0c3b6d2e7f10",
	    .server_hostname = "h\x01st",
	    .service = "sshd",
	    .tty = "ssh",
	    .remote_addr = n % 2 ? "192.0.2.9" : "2001:db8::1",
	    .remote_port = 5000,
	    .local_addr = n % 2 ? "10.0.0.4" : NULL,
	    .local_port = 22,
	    .rhost = "r\xffh",
	    .auth_method = n % 2 ? "password" : "publickey",
	    .key_type = n % 2 ? NULL : "ssh-ed25519",
	    .key_fingerprint = n % 2 ? NULL : "SHA256:x",
	    .cgroup_id = 777,
	    .cgroup_path = "/sshrec/x",
	    .audit_session_id = 9,
	};

	snprintf(in.sid, sizeof(in.sid), "%s", sid);
	if (sr_corr_session_init(s, &in, "sshd", SR_DISK_ALL, true))
		abort();
	sr_corr_start(&c, s);
}

/* Every kind of record, hostile strings, faults, IPv6. */
static void fixture_session(int n, const char *sid, int64_t key)
{
	struct sr_session_lost l = {{1, 2, 3}};
	struct sr_corr_session s;

	start(&s, n, sid, key);
	ex(&s, 200, 100, "/bin/bash", 10, "/home/a\xff", 9, "-bash\0-c\0e\x1b[31m\xfe\0", 18, 0, 0,
	   "pts3", "bash");
	fk(&s, 200, 201);
	ex(&s, 201, 200, "/usr/bin/nope", 14, "/x", 3, "nope", 5, -2, 0, "", "bash");
	ex(&s, 201, 200, "/usr/bin/ls", 12, "/tmp/verylongnoterm", 5, "ls\0-l", 5, 0, 2, "", "ls");
	ex(&s, 202, 200, "/usr/bin/cat", 12, "/", 2, "cat", 4, 0, 1, "tty1", "cat");
	ex(&s, 206, 200, "/opt/<script>alert(1)</script>", 31, "/srv/it's", 10, "x\0'\"\\\0\n", 8,
	   0, 0, "", "<script>alert(1");
#if SR_EVENTS_ABI_VERSION >= 4
	/* a fileless program (memfd_create, execveat of its descriptor) */
	memset(&u, 0, sizeof(u));
	hdr(&u.e.hdr, SR_EV_EXEC, (uint32_t)(sizeof(u.e) + 17 + 2 + 8 + 14), 207, 200, "7");
	u.e.filename_len = 17;
	u.e.cwd_len = 2;
	u.e.argv_len = 8;
	u.e.exe_len = 14;
	u.e.flags = SR_EXEC_EXE_ANON;
	memcpy(u.e.data, "/proc/self/fd/7\0\0/\0payload\0memfd:payload", 17 + 2 + 8 + 14);
	sr_corr_event(&c, &s, &u, u.e.hdr.size);
	xt(&s, 207, 0, 0);
#endif
	op(&s, 201, "/etc/passwd", 12, 0, 3, 0);
	op(&s, 201, "/etc/\xff\x1b", 8, 0101 | 0x80000000ull, -13, 1);
	op(&s, 201, "noterm", 6, 02000000, 4, 2);
	op(&s, 203, "", 1, 04010000, 5, 3);
	op(&s, 206, "/etc/ssl/certs/ca.crt", 22, 0, 7, 1);
	op(&s, 206, "/var/log/app/today.log", 23, 02001, 8, 1);
	cn(&s, 201, 2, 0);
	cn(&s, 201, 2, 1);
	cn(&s, 201, 10, 2);
	cn(&s, 201, 2, 3);
	cn(&s, 201, 10, 7);
	es(&s, 201, "/other/\xff", 8);
	es(&s, 999, "/noterm", 7);
#ifdef SR_EV_DENIED
	/* every verdict: a refused write (a hostile path cut short), a killed
	 * exec that could not be applied, audited IPv4 and IPv6 connects */
	dn(&s, 201, SR_POLICY_WRITE, SR_POLICY_ENFORCE, SR_POLICY_MECH_LSM, SR_DENIED_PATH_TRUNC,
	   "/etc/ssh/\x1b[2J\xff", 14, 0, "deny_write = /etc/ssh/*");
	dn(&s, 202, SR_POLICY_EXEC, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL, SR_DENIED_NOT_APPLIED,
	   "/usr/bin/nc", 11, 0, "deny_exec.group.staff = /usr/bin/nc");
	dn(&s, 201, SR_POLICY_CONNECT, SR_POLICY_AUDIT, SR_POLICY_MECH_SIGNAL, 0, "", 0, 2,
	   "deny_connect = 10.0.0.0/8");
	dn(&s, 206, SR_POLICY_CONNECT, SR_POLICY_ENFORCE, SR_POLICY_MECH_SIGNAL, 0, "", 0, 10,
	   NULL);
#endif
	xt(&s, 205, 3, 0);
	ex(&s, 205, 200, "/bin/true", 10, "/", 2, "true", 5, 0, 0, "", "true");
	xt(&s, 201, 0, 0);
	xt(&s, 202, 0, 9);
	xt(&s, 206, 0, 15);
	xt(&s, 200, 1, 0);
	sr_corr_loss(&c, &s, &l, sr_boot_to_us(ts += 1000000));
	sr_corr_end(&c, &s, sr_boot_to_us(ts += 2000000));
	flush();
	sr_corr_session_free(&s);
}

/* One command: fork, exec, six opens (three over 5,000 paths), exit. */
static void bulk_command(struct sr_corr_session *s, uint32_t pid, unsigned k)
{
	static const char *const fixed[] = {"/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6",
	                                    "/usr/lib/locale/locale-archive"};
	char path[96], argv[128];
	int i, al;

	fk(s, 1000, pid);
	al = snprintf(argv, sizeof(argv), "grep%c-r%cneedle%u%c/home/user/src/dir%03u", 0, 0,
	              k % 5000, 0, k % 97);
	ex(s, pid, 1000, "/usr/bin/grep", 14, "/home/user", 11, argv, (size_t)al + 1, 0, 0, "pts3",
	   "grep");
	for (i = 0; i < 6; i++) {
		const char *p = i < 3 ? fixed[i] : path;

		if (i >= 3)
			snprintf(path, sizeof(path), "/home/user/src/dir%03u/file%05u.c",
			         (k + i) % 97, (k * 3 + i) % 5000);
		op(s, pid, p, strlen(p) + 1, i < 3 ? 02000000 : 01 | 0100 | 01000, 3, 1);
	}
	xt(s, pid, 0, 0);
}

int main(int argc, char **argv)
{
	struct sr_config cfg;
	int i;

	if (argc < 4 || (strcmp(argv[1], "fixture") && strcmp(argv[1], "bulk"))) {
		fprintf(stderr, "usage: v4gen fixture DB JSONL | v4gen bulk DB EVENTS\n");
		return 2;
	}
	sr_config_defaults(&cfg);
	cfg.db_path = argv[2];
	cfg.jsonl_max_bytes = 1ull << 40;
	sinks[nsinks++].ops = &sr_sink_sqlite_ops;
	if (!strcmp(argv[1], "fixture")) {
		cfg.jsonl_path = argv[3];
		sinks[nsinks++].ops = &sr_sink_jsonl_ops;
	}
	for (i = 0; i < nsinks; i++) {
		sinks[i].health.ok = true;
		if (sinks[i].ops->init(&sinks[i], &cfg))
			abort();
	}
	sr_corr_init(&c, 100000, out, NULL);
	c.rng[0] = 12345;
	c.rng[1] = 67890;
	if (!strcmp(argv[1], "fixture")) {
		fixture_session(0, "018bd5fc-0c00-7000-8000-000000000001", 0x18bd5fc0c007000);
		fixture_session(1, "018bd600-a080-7000-8000-000000000002", 0x18bd600a0807000);
	} else {
		static struct sr_corr_session s[50];
		long events = atol(argv[3]), done = 0;
		char sid[40];
		unsigned k = 0;

		for (i = 0; i < 50; i++) {
			snprintf(sid, sizeof(sid), "018bd5fc-0c00-7000-8000-%012d", i + 1);
			start(&s[i], i, sid, 0x18bd5fc0c007000 + i);
		}
		/* 9 events a command, 455 commands (about 4,096 events) a flush */
		while (done < events) {
			for (int b = 0; b < 455 && done < events; b++, done += 9, k++)
				bulk_command(&s[k % 50], 2000 + k, k);
			flush();
		}
		for (i = 0; i < 50; i++) {
			sr_corr_end(&c, &s[i], sr_boot_to_us(ts += 1000));
			sr_corr_session_free(&s[i]);
		}
		flush();
	}
	for (i = 0; i < nsinks; i++)
		sinks[i].ops->close(&sinks[i]);
	sr_corr_free(&c);
	return 0;
}
