// SPDX-License-Identifier: BSD-2-Clause
/*
 * Session policy benchmark (root): what the deny-rule check costs per exec
 * and per write-open inside a recorded session, with 100 rules against none
 * (the same session, the capture loaded both times: only the policy
 * differs). Rounds alternate none / 100 rules so drift hits both; the
 * medians are compared. None of the rules matches the storm, so nothing is
 * denied: this is the price of looking. Prints a table, writes JSON and
 * appends Markdown rows.
 *
 *   bench_policy [-j results.json] [-m results.md] [-q]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "tests/bench/bench_util.h"
#include "recorder/capture/capture.h"
#include "recorder/policy/policy_kern.h"

#define KEY   0x0000b0110c000001ull
#define REPS  7
#define RULES 100

static char cg_dir[512], tmpfile_path[256];
static struct sr_capture *cap;
static atomic_int stop_consumer;
static atomic_ullong records;

/* Opens for writing: the ones deny_write checks (read-only opens are not checked). */
static void write_open_storm(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		int fd = open(tmpfile_path, O_WRONLY);

		if (fd >= 0)
			close(fd);
	}
}

/* Seconds to run @fn(@n) in a child inside the session cgroup. */
static double run_inside(void (*fn)(long), long n)
{
	double t0 = sr_bench_now_s();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (sr_cgroup_move(cg_dir, 0) < 0)
			_exit(1);
		fn(n);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return sr_bench_now_s() - t0;
}

static int on_event(void *ctx, const void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	atomic_fetch_add(&records, 1);
	return 0;
}

static void *consumer(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_consumer))
		sr_capture_poll(cap, 50, on_event, NULL);
	sr_capture_poll(cap, 0, on_event, NULL);
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * 100 rules, none matching the storm: exec rules (exact and prefix) beside
 * /bin/true's resolved path, write rules beside the temporary file, so the
 * lookups walk the same trie branches a real policy would.
 */
static int make_policy(struct sr_policy *p)
{
	char err[512], val[4096];
	size_t n = 0;
	int i;

	sr_policy_init(p);
	for (i = 0; i < RULES / 2; i++)
		n += (size_t)snprintf(val + n, sizeof(val) - n, "%s/usr/bin/tool%02d%s",
		                      i ? ", " : "", i, i % 2 ? "" : "/*");
	if (sr_policy_set(p, "deny_exec", val, err, sizeof(err)))
		return fprintf(stderr, "bench_policy: %s\n", err), -EINVAL;
	for (n = 0, i = 0; i < RULES / 2; i++)
		n += (size_t)snprintf(val + n, sizeof(val) - n, "%s/tmp/sshrec-bench-no%02d%s",
		                      i ? ", " : "", i, i % 2 ? "" : "/*");
	if (sr_policy_set(p, "deny_write", val, err, sizeof(err)))
		return fprintf(stderr, "bench_policy: %s\n", err), -EINVAL;
	return 0;
}

struct row {
	const char *name;
	long ops;
	double none[REPS], with[REPS];
};

static double median(double *v)
{
	qsort(v, REPS, sizeof(*v), cmp_d);
	return v[REPS / 2];
}

int main(int argc, char **argv)
{
	const char *json = NULL, *md = NULL;
	struct sr_policy pol;
	struct sr_policy_kern pk;
	struct sr_policy_maps m;
	struct sr_policy_set *set = NULL;
	struct sr_capture_opts o = {.pin = false,
	                            .demand = SR_CLASS_ALL | SR_CAPTURE_DEMAND_POLICY};
	struct row rows[2] = {{"exec (fork + exec /bin/true)", 3000, {0}, {0}},
	                      {"open for writing", 200000, {0}, {0}}};
	char mnt[256];
	struct utsname un;
	uint64_t cgid = 0;
	size_t idx[RULES], r, k;
	int c, fd, ret = 1;
	FILE *f;

	while ((c = getopt(argc, argv, "j:m:q")) != -1) {
		if (c == 'j')
			json = optarg;
		else if (c == 'm')
			md = optarg;
		else if (c == 'q')
			rows[0].ops /= 5, rows[1].ops /= 5;
		else
			return fprintf(stderr, "usage: bench_policy [-j JSON] [-m MD] [-q]\n"), 2;
	}
	if (geteuid() != 0)
		return fprintf(stderr, "bench_policy: needs root (loads BPF programs)\n"), 77;
	sr_log_init("bench_policy", SR_LOG_STDERR, LOG_WARNING);
	uname(&un);
	snprintf(tmpfile_path, sizeof(tmpfile_path), "/tmp/sshrec-bench-policy-%d", getpid());
	fd = open(tmpfile_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || close(fd) || sr_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return fprintf(stderr, "bench_policy: setup: %s\n", strerror(errno)), 1;
	snprintf(cg_dir, sizeof(cg_dir), "%s/sshrec-bench-policy-%d", mnt, getpid());
	if (sr_cgroup_mkdir(cg_dir) < 0 || sr_cgroup_id(cg_dir, &cgid) < 0)
		goto out_file;
	if (make_policy(&pol))
		goto out_cg;
	if (sr_capture_open(&o, &cap)) {
		fprintf(stderr, "bench_policy: cannot load the capture\n");
		goto out_pol;
	}
	m.sess_fd = sr_capture_map_fd(cap, "policy_sess");
	m.rule_fd[SR_POLICY_EXEC] = sr_capture_map_fd(cap, "policy_exec");
	m.rule_fd[SR_POLICY_CONNECT] = sr_capture_map_fd(cap, "policy_net");
	m.rule_fd[SR_POLICY_WRITE] = sr_capture_map_fd(cap, "policy_write");
	sr_policy_kern_init(&pk, &m, &pol);
	for (k = 0; k < pol.n; k++)
		idx[k] = k;
	if (sr_policy_kern_get(&pk, idx, pol.n, &set) || !set) {
		fprintf(stderr, "bench_policy: cannot write the rules\n");
		goto out_cap;
	}
	sr_capture_session_add(cap, KEY, cgid, 0xffffffffu, SR_CLASS_ALL, 0);
	pthread_t th;
	pthread_create(&th, NULL, consumer, NULL);

	printf("session policy benchmark: kernel %s, %ld CPUs, %d rounds, %d rules, mechanism %s "
	       "(capture backend as the daemon would pick)\n",
	       un.release, sysconf(_SC_NPROCESSORS_ONLN), REPS, RULES,
	       sr_capture_policy_mech(cap) == SR_POLICY_MECH_LSM ? "lsm" : "signal");
	for (k = 0; k < REPS; k++)
		for (r = 0; r < 2; r++) {
			void (*fn)(long) = r ? write_open_storm : sr_bench_exec_storm;

			sr_policy_kern_unbind(&pk, KEY);
			rows[r].none[k] = run_inside(fn, rows[r].ops);
			sr_policy_kern_bind(&pk, KEY, set, SR_POLICY_ENFORCE);
			rows[r].with[k] = run_inside(fn, rows[r].ops);
		}
	sr_policy_kern_unbind(&pk, KEY);
	atomic_store(&stop_consumer, 1);
	pthread_join(th, NULL);

	printf("\n%-30s %14s %14s %12s %8s\n", "inside a session", "none (ns/op)", "100 rules",
	       "check (ns)", "cost");
	for (r = 0; r < 2; r++) {
		double a = median(rows[r].none) / rows[r].ops * 1e9,
		       b = median(rows[r].with) / rows[r].ops * 1e9;

		printf("%-30s %14.0f %14.0f %+12.0f %+7.1f%%\n", rows[r].name, a, b, b - a,
		       (b / a - 1) * 100);
		if (md && (f = fopen(md, "a"))) {
			fprintf(f, "| %s | %.0f | %.0f | %+.0f | %+.1f%% |\n", rows[r].name, a, b,
			        b - a, (b / a - 1) * 100);
			fclose(f);
		}
	}
	printf("records read: %llu\n", (unsigned long long)atomic_load(&records));
	if (json && (f = fopen(json, "w"))) {
		fprintf(f,
		        "{\n  \"kernel\": \"%s\",\n  \"cpus\": %ld,\n  \"rounds\": %d,\n"
		        "  \"rules\": %d,\n  \"mechanism\": \"%s\",\n  \"rows\": [\n",
		        un.release, sysconf(_SC_NPROCESSORS_ONLN), REPS, RULES,
		        sr_capture_policy_mech(cap) == SR_POLICY_MECH_LSM ? "lsm" : "signal");
		for (r = 0; r < 2; r++) {
			double a = median(rows[r].none) / rows[r].ops * 1e9,
			       b = median(rows[r].with) / rows[r].ops * 1e9;

			fprintf(
			    f,
			    "    {\"workload\": \"%s\", \"ops\": %ld, \"none_ns_per_op\": %.0f, "
			    "\"rules_ns_per_op\": %.0f, \"check_ns\": %.0f, \"cost_pct\": "
			    "%.2f}%s\n",
			    rows[r].name, rows[r].ops, a, b, b - a, (b / a - 1) * 100,
			    r ? "" : ",");
		}
		fprintf(f, "  ]\n}\n");
		fclose(f);
	}
	ret = 0;
	sr_policy_kern_put(&pk, set);
	sr_policy_kern_gc(&pk, false);
out_cap:
	sr_policy_kern_free(&pk);
	sr_capture_destroy(cap);
out_pol:
	sr_policy_free(&pol);
out_cg:
	rmdir(cg_dir);
out_file:
	unlink(tmpfile_path);
	return ret;
}
