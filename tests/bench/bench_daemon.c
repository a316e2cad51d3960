/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Daemon benchmark: synthetic kernel events through the real correlator and
 * the real SQLite + JSON-lines sinks on one core (what sshrecd does after
 * the ring buffer), stage by stage, against the machine's SQLite floor (bare
 * rows of the records' JSON size, no index) measured in the same run; the
 * RSS with 1,000 open sessions, and the database bytes per event. Prints a
 * table and writes JSON to argv[2]. tests/bench/bench_daemon.sh runs it next
 * to the schema 4 build's.
 * usage: bench_daemon DIR OUT.json [EVENTS]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "recorder/daemon.h"
#include "recorder/store/db.h"
#include "recorder/store/records_perm.h"
#include "timeutil.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: steadier than wall time on a shared VM */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU time of the whole process, the sinks' checkpoint thread included: what
 * the ingest and the floor are compared in, since other work on a shared
 * machine moves wall time (and so a wall-time floor) by 2x from run to run
 */
static double proc_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static uint64_t ts_ns = 1;

static void hdr(struct sr_event_hdr *h, uint16_t type, uint32_t size, uint64_t key, uint32_t pid)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->abi = SR_EVENTS_ABI_VERSION;
	h->size = size;
	h->ts_ns = sr_boot_ns() + ts_ns++;
	h->session_key = key;
	h->pid = h->tid = pid;
	h->ppid = 1000;
	memcpy(h->comm, "bench", 6);
}

/* 0: the six fixed paths; else the last three opens of a command cycle
 * through this many distinct paths (index locality like a real tree). */
static unsigned spread_paths;

/* One command's worth of events: fork, exec, 6 opens, exit (9 events). */
static int one_command(struct sr_daemon *d, struct sr_session *s, uint32_t pid)
{
	static unsigned next_path;
	char spread[96];
	static union {
		struct sr_exec_event e;
		struct sr_open_event o;
		char raw[1024];
	} u;
	static const char argv[] = "grep\0-r\0--color=auto\0needle\0/var/log/syslog";
	struct sr_fork_event f;
	struct sr_exit_event x;
	uint64_t key = (uint64_t)s->corr.info.key;
	int i, err = 0;

	hdr(&f.hdr, SR_EV_FORK, sizeof(f), key, 1000);
	f.child_pid = pid;
	err |= sr_corr_event(&d->corr, &s->corr, &f, sizeof(f));
	memset(&u, 0, sizeof(u));
	u.e.filename_len = 14;
	u.e.cwd_len = 11;
	u.e.argv_len = sizeof(argv);
	memcpy(u.e.data, "/usr/bin/grep", 14);
	memcpy(u.e.data + 14, "/home/user", 11);
	memcpy(u.e.data + 25, argv, sizeof(argv));
	hdr(&u.e.hdr, SR_EV_EXEC, (uint32_t)(sizeof(u.e) + 25 + sizeof(argv)), key, pid);
	err |= sr_corr_event(&d->corr, &s->corr, &u, u.e.hdr.size);
	for (i = 0; i < 6; i++) {
		static const char *const paths[] = {"/etc/ld.so.cache",
		                                    "/lib/x86_64-linux-gnu/libc.so.6",
		                                    "/usr/lib/locale/locale-archive",
		                                    "/var/log/syslog",
		                                    "/home/user/out.txt",
		                                    "/tmp/scratch"};
		const char *path = paths[i];
		size_t pl;

		if (spread_paths && i >= 3) {
			unsigned k = next_path++ % spread_paths;

			snprintf(spread, sizeof(spread), "/home/user/src/dir%03u/file%05u.c",
			         k % 97, k);
			path = spread;
		}
		pl = strlen(path) + 1;
		memset(&u, 0, sizeof(struct sr_open_event));
		u.o.flags = i < 4 ? 02000000 : 01 | 0100 | 01000;
		u.o.ret = 3;
		u.o.path_len = (uint32_t)pl;
		memcpy(u.o.path, path, pl);
		hdr(&u.o.hdr, SR_EV_OPEN, (uint32_t)(sizeof(u.o) + pl), key, pid);
		err |= sr_corr_event(&d->corr, &s->corr, &u, u.o.hdr.size);
	}
	hdr(&x.hdr, SR_EV_EXIT, sizeof(x), key, pid);
	x.exit_code = 0;
	x.signal = 0;
	x.core_dumped = 0;
	x.start_ns = 0;
	err |= sr_corr_event(&d->corr, &s->corr, &x, sizeof(x));
	return err;
}

static struct sr_session *new_session(struct sr_daemon *d, int i)
{
	struct sr_session *s = calloc(1, sizeof(*s));
	struct sr_session_info in = {.login = "bench",
	                             .user = "SHA256:bench",
	                             .service = "sshd",
	                             .tty = "ssh",
	                             .remote_addr = "127.0.0.1",
	                             .remote_port = 4000,
	                             .local_addr = "127.0.0.1",
	                             .local_port = 22,
	                             .auth_method = "publickey",
	                             .leader_pid = 1000,
	                             .cgroup_path = "/sshrec/bench",
	                             .cgroup_id = 77,
	                             .audit_session_id = (uint32_t)i,
	                             .start_us = sr_now_us(),
	                             .server_id = d->server_id,
	                             .server_hostname = "bench"};

	sr_uuid_v7(in.sid, NULL);
	in.key = 1000000 + i;
	if (sr_corr_session_init(&s->corr, &in, "sshd", SR_DISK_ALL, true))
		return NULL;
	s->wd = -1;
	sr_corr_start(&d->corr, &s->corr);
	return s;
}

static long count_only;

/* The "no sink" stage: the correlator's records are counted, not written. */
static int count_record(void *ctx, const struct sr_record *rec)
{
	(void)ctx;
	(void)rec;
	count_only++;
	return 0;
}

/*
 * One ingest run of @p events through the correlator and the sinks the
 * config names (none: records are only counted), in batches of 4096 events
 * then a flush, as the daemon's loop does. Returns events/s (wall time), or
 * -1; @p per_cpu_s gets events per CPU second of this (the ingest) thread,
 * @p per_proc_cpu_s per CPU second of the process (all its threads).
 */
static double ingest(struct sr_config *cfg, const char *db, const char *jl, long events, int nsess,
                     double *db_bytes_per_event, double *per_cpu_s, double *per_proc_cpu_s)
{
	struct sr_daemon d = {.inofd = -1};
	struct sr_session *sess[64];
	uint32_t pid = 2000;
	long done = 0;
	double t0, t1, c0, c1, p0, p1;
	struct stat st;
	bool sinks = cfg->db_path[0] || cfg->jsonl_path[0];
	int i, n = 0;

	unlink(db);
	unlink(jl);
	d.cfg = cfg;
	snprintf(d.server_id, sizeof(d.server_id), "00000000-0000-4000-8000-000000000000");
	if ((sinks && sr_sinks_open(&d)) ||
	    sr_corr_init(&d.corr, 1, sinks ? sr_sinks_write : count_record, &d))
		return -1;
	/* as sshrecd: no JSON when only SQLite takes the records (always for the
	 * no-sink stage, which measures the correlator and the writer) */
	d.corr.want_json = !sinks || sr_sinks_want_json(&d);
	for (i = 0; i < nsess && i < 64; i++)
		if (!(sess[n++] = new_session(&d, i)))
			return -1;
	c0 = cpu_s();
	p0 = proc_cpu_s();
	t0 = now_s();
	while (done < events) {
		int b;

		/* commands of the sessions interleave, as concurrent logins do */
		for (b = 0; b < 4096 / 9 + 1 && done < events; b++, done += 9)
			if (one_command(&d, sess[b % n], pid++)) {
				fprintf(stderr, "correlator failed\n");
				return -1;
			}
		if (sinks)
			sr_sinks_flush(&d);
	}
	t1 = now_s();
	c1 = cpu_s();
	p1 = proc_cpu_s();
	for (i = 0; i < n; i++)
		sr_corr_end(&d.corr, &sess[i]->corr, sr_now_us());
	if (sinks) {
		sr_sinks_flush(&d);
		sr_sinks_close(&d);
	}
	/* closed: the WAL is checkpointed into the file and removed */
	if (db_bytes_per_event && !stat(db, &st))
		*db_bytes_per_event = (double)st.st_size / (double)done;
	for (i = 0; i < n; i++) {
		sr_corr_session_free(&sess[i]->corr);
		free(sess[i]);
	}
	sr_corr_free(&d.corr);
	*per_cpu_s = (double)done / (c1 - c0);
	*per_proc_cpu_s = (double)done / (p1 - p0);
	return (double)done / (t1 - t0);
}

/*
 * The floor: the same number of rows of the same size (the records' average
 * JSON length) into a table with no index at all, on a database opened like
 * the daemon's (WAL, synchronous=NORMAL), 4096 rows per transaction. No
 * SQLite sink can beat this on the machine. Returns rows/s (wall), or -1;
 * @p per_cpu_s gets rows per CPU second of the process.
 */
static double sqlite_floor(const char *db, long rows, size_t row_bytes, double *per_cpu_s)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char *blob = malloc(row_bytes);
	double t0, t1 = -1, c0;
	long i;

	unlink(db);
	if (!blob || sr_db_open(db, SR_NO_GROUP, &h) ||
	    sqlite3_exec(h, "CREATE TABLE floor (json TEXT NOT NULL)", NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(h, "INSERT INTO floor VALUES (?)", -1, &st, NULL))
		goto out;
	memset(blob, 'j', row_bytes);
	c0 = proc_cpu_s();
	t0 = now_s();
	for (i = 0; i < rows; i++) {
		if (i % 4096 == 0 && sqlite3_exec(h, "BEGIN", NULL, NULL, NULL))
			goto out;
		sqlite3_bind_text(st, 1, blob, (int)row_bytes, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
		if ((i % 4096 == 4095 || i == rows - 1) &&
		    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL))
			goto out;
	}
	t1 = now_s();
	*per_cpu_s = (double)rows / (proc_cpu_s() - c0);
	t1 = (double)rows / (t1 - t0);
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(blob);
	unlink(db);
	return t1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *json;
		bool db, jl;
	} stages[] = {
	    {"correlator + record JSON only", "correlator_only", false, false},
	    {"  + JSON-lines sink", "jsonl_only", false, true},
	    {"  + SQLite sink", "sqlite_only", true, false},
	    {"  + SQLite and JSON lines (daemon)", "sqlite_and_jsonl", true, true},
	};
	struct sr_config cfg;
	struct sr_daemon d = {.inofd = -1};
	char db[4096], jl[4096];
	long events = argc > 3 ? atol(argv[3]) : 1000000, rss0, rss1;
	double rate[4], cpu_rate[4], proc_rate[4], db_bpe = 0, spread_bpe = 0, json_avg = 0;
	double spread_rate, spread_cpu, spread_proc;
	double floor_wall[2] = {-1, -1}, floor_cpu[2] = {0, 0}, floor_rate, floor_cpu_rate;
	struct sr_session **many;
	FILE *out;
	size_t k;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_daemon DIR OUT.json [EVENTS]\n");
		return 2;
	}
	snprintf(db, sizeof(db), "%s/bench.db", argv[1]);
	snprintf(jl, sizeof(jl), "%s/bench.jsonl", argv[1]);
	sr_config_defaults(&cfg);
	cfg.jsonl_max_bytes = 1ull << 40; /* no rotation inside the measurement */
	for (k = 0; k < 4; k++) {
		struct stat js;

		free(cfg.db_path);
		free(cfg.jsonl_path);
		cfg.db_path = strdup(stages[k].db ? db : "");
		cfg.jsonl_path = strdup(stages[k].jl ? jl : "");
		rate[k] = ingest(&cfg, db, jl, events, 1, k == 3 ? &db_bpe : NULL, &cpu_rate[k],
		                 &proc_rate[k]);
		if (rate[k] < 0)
			return 1;
		/* records are ~0.9 per event: one line each in the JSON-lines file */
		if (k == 1 && !stat(jl, &js))
			json_avg = (double)js.st_size / ((double)events * 8 / 9);
		/* the floor once before the SQLite stages and once after them, so
		 * that a change of the machine's speed meets both sides */
		if (k == 1)
			floor_wall[0] =
			    sqlite_floor(db, events * 8 / 9, json_avg > 0 ? (size_t)json_avg : 600,
			                 &floor_cpu[0]);
	}

	/* the daemon stage again, less kind to the indexes: 50 interleaved
	 * sessions, the writes spread over 5,000 distinct paths */
	spread_paths = 5000;
	spread_rate = ingest(&cfg, db, jl, events, 50, &spread_bpe, &spread_cpu, &spread_proc);
	spread_paths = 0;
	if (spread_rate < 0)
		return 1;
	floor_wall[1] =
	    sqlite_floor(db, events * 8 / 9, json_avg > 0 ? (size_t)json_avg : 600, &floor_cpu[1]);
	if (floor_wall[0] < 0 || floor_wall[1] < 0)
		return 1;
	/* rows over the time of both runs (harmonic mean of the rates) */
	floor_rate = 2 / (1 / floor_wall[0] + 1 / floor_wall[1]);
	floor_cpu_rate = 2 / (1 / floor_cpu[0] + 1 / floor_cpu[1]);

	/* RSS with 1,000 open sessions, each with a few live processes */
	d.cfg = &cfg;
	snprintf(d.server_id, sizeof(d.server_id), "00000000-0000-4000-8000-000000000000");
	if (sr_sinks_open(&d) || sr_corr_init(&d.corr, 1, sr_sinks_write, &d))
		return 1;
	rss0 = rss_kib();
	many = calloc(1000, sizeof(*many));
	for (i = 0; i < 1000; i++) {
		many[i] = new_session(&d, i + 1);
		for (int p = 0; p < 3; p++) {
			static const char ex[] = "bash";
			/* a union: a flexible array member must end its struct (ISO C) */
			union {
				struct sr_exec_event e;
				char raw[sizeof(struct sr_exec_event) + 32];
			} u = {0};

			u.e.filename_len = 10;
			u.e.cwd_len = 2;
			u.e.argv_len = sizeof(ex);
			memcpy(u.e.data, "/bin/bash\0/\0bash", 17);
			hdr(&u.e.hdr, SR_EV_EXEC, sizeof(u), (uint64_t)many[i]->corr.info.key,
			    (uint32_t)(100000 + i * 4 + p));
			sr_corr_event(&d.corr, &many[i]->corr, &u, sizeof(u));
		}
		if (i % 100 == 99)
			sr_sinks_flush(&d);
	}
	sr_sinks_flush(&d);
	rss1 = rss_kib();

	/* targets (issue 16) relative to this run's floor: 250k and 150k events/s
	 * against the 565k rows/s floor the issue measured; in wall time and in
	 * the process's CPU time (the steadier of the two on a shared machine) */
	printf("%-46s %9s %10s %10s %8s %8s\n", "ingest, events/s", "wall", "per CPU-s",
	       "proc CPU-s", "x floor", "x fl.CPU");
	for (k = 0; k < 4; k++)
		printf("%-46s %9.0f %10.0f %10.0f %8.2f %8.2f\n", stages[k].name, rate[k],
		       cpu_rate[k], proc_rate[k], rate[k] / floor_rate,
		       proc_rate[k] / floor_cpu_rate);
	printf("%-46s %9.0f %10.0f %10.0f %8.2f %8.2f\n", "  daemon, 50 sessions, 5,000 paths",
	       spread_rate, spread_cpu, spread_proc, spread_rate / floor_rate,
	       spread_proc / floor_cpu_rate);
	printf("\n%-44s %14s %10s\n", "measure", "value", "target");
	printf("%-44s %14ld %10s\n", "events per ingest run", events, "");
	printf("%-44s %14.0f %10s\n", "SQLite floor, rows/s (no index)", floor_rate, "");
	printf("%-44s %7.0f %6.0f %10s\n", "  its two runs (before, after)", floor_wall[0],
	       floor_wall[1], "");
	printf("%-44s %14.0f %10s\n", "  rows per CPU-s", floor_cpu_rate, "");
	printf("%-44s %14.0f %10s\n", "  row size (the records' mean JSON)", json_avg, "");
	printf("%-44s %7.2f %6.2f %10s\n", "daemon / floor, one session (wall, CPU)",
	       rate[3] / floor_rate, proc_rate[3] / floor_cpu_rate, ">=0.45");
	printf("%-44s %7.2f %6.2f %10s\n", "daemon / floor, 50 sessions (wall, CPU)",
	       spread_rate / floor_rate, spread_proc / floor_cpu_rate, ">=0.27");
	printf("%-44s %14.0f %10s\n", "database bytes per event, one session", db_bpe, "<=200");
	printf("%-44s %14.0f %10s\n", "  50 sessions, 5,000 paths", spread_bpe, "<=200");
	printf("%-44s %14.1f %10s\n", "process RSS, 1000 sessions (MiB)", rss1 / 1024.0, "<=64");
	printf("%-44s %14.1f %10s\n", "  of which the sessions (MiB)", (rss1 - rss0) / 1024.0, "");
	out = fopen(argv[2], "w");
	if (out) {
		fprintf(out,
		        "{\"schema_version\":%d,\"ingest_events_per_sec\":%.0f,\"events\":%ld,"
		        "\"stages\":{",
		        SR_DB_VERSION, rate[3], events);
		for (k = 0; k < 4; k++)
			fprintf(out,
			        "%s\"%s\":{\"wall\":%.0f,\"per_cpu_s\":%.0f,\"per_process_cpu_s\":%"
			        ".0f}",
			        k ? "," : "", stages[k].json, rate[k], cpu_rate[k], proc_rate[k]);
		fprintf(out,
		        ",\"sqlite_and_jsonl_50_sessions_5000_paths\":{\"wall\":%.0f,"
		        "\"per_cpu_s\":%.0f,\"per_process_cpu_s\":%.0f}",
		        spread_rate, spread_cpu, spread_proc);
		fprintf(out,
		        "},\"sqlite_floor_rows_per_sec\":%.0f,\"sqlite_floor_runs\":[%.0f,%.0f],"
		        "\"sqlite_floor_rows_per_cpu_s\":%.0f,\"record_json_bytes\":%.0f,"
		        "\"ingest_vs_floor\":{\"one_session\":%.3f,"
		        "\"50_sessions_5000_paths\":%.3f},"
		        "\"ingest_vs_floor_cpu\":{\"one_session\":%.3f,"
		        "\"50_sessions_5000_paths\":%.3f},"
		        "\"db_bytes_per_event\":{\"one_session\":%.1f,"
		        "\"50_sessions_5000_paths\":%.1f},"
		        "\"rss_mib_1000_sessions\":%.1f,\"sessions_rss_mib\":%.1f,"
		        "\"db_mib_per_million_events\":%.1f}\n",
		        floor_rate, floor_wall[0], floor_wall[1], floor_cpu_rate, json_avg,
		        rate[3] / floor_rate, spread_rate / floor_rate,
		        proc_rate[3] / floor_cpu_rate, spread_proc / floor_cpu_rate, db_bpe,
		        spread_bpe, rss1 / 1024.0, (rss1 - rss0) / 1024.0,
		        db_bpe * 1e6 / 1048576.0);
		fclose(out);
	}
	for (i = 0; i < 1000; i++)
		if (many[i]) {
			sr_corr_session_free(&many[i]->corr);
			free(many[i]);
		}
	free(many);
	sr_sinks_close(&d);
	sr_corr_free(&d.corr);
	sr_config_free(&cfg);
	return 0;
}
