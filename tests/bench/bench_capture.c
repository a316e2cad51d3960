// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel capture benchmark (root): exec and open storms outside any
 * session and inside one, each against no BPF loaded, in one run; then a
 * sustained mixed load (execs + opens inside a session, default ring
 * buffer) checking for lost records. Prints a table, writes JSON.
 *
 *   bench_capture [-j results.json] [-m results.md] [-q] [-w wakeup_bytes] [-b backend]
 *                 [-e execs] [-o opens] [-s seconds] [-f file] [-F floor.bpf.o] [-x exe]
 *   (-q: shorter run; -w: sr_capture_opts.wakeup_bytes; -b: force a capture backend;
 *    -e/-o: operations per storm run; -s: seconds of the sustained load; -f: the file
 *    the open storms open, default /etc/hostname: in a QEMU guest whose root is 9p,
 *    a tmpfs file, or each open is a round trip to the host that hides the hooks;
 *    -F: also measure the floor, empty programs of tests/bench/floor.bpf.c on the
 *    backend's open hooks, against no BPF and the recorder in the same rounds;
 *    -x: the program the exec storms run, default /bin/true: in a guest, a static
 *    one on tmpfs (tests/bench/exec_true), or every exec loads ld.so and libc over 9p)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cgroup.h"
#include "log.h"
#include "tests/bench/bench_util.h"
#include "recorder/capture/capture.h"

#define KEY  0x0000425e00000001ull
#define REPS 5

static char cg_dir[512];
static int quick;
static enum sr_backend backend = SR_BACKEND_AUTO; /* -b */
static char backend_ran[16] = "?";                /* what the capture ran on */
static const char *open_path = "/etc/hostname";   /* -f */
static const char *exec_path = "/bin/true";       /* -x */
static enum sr_backend ran = SR_BACKEND_AUTO;     /* the same, as a value */
static struct sr_capture *cap;
static atomic_ullong rx[8];
static atomic_int stop_consumer;

/* ---- workloads, each in a child that may join the session cgroup ------------- */

static void exec_storm(long n)
{
	sr_bench_exec_storm_of(exec_path, n);
}

static void open_storm(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		int fd = open(open_path, O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
}

/* Paced: @rate operations per second for @secs seconds. */
static void paced(void (*op)(long), long rate, double secs, long batch)
{
	double t0 = sr_bench_now_s(), per = (double)batch / rate;
	long k;

	for (k = 0; sr_bench_now_s() - t0 < secs; k++) {
		double due = t0 + k * per, t = sr_bench_now_s();

		if (due > t)
			usleep((useconds_t)((due - t) * 1e6));
		op(batch);
	}
}

/*
 * The storm itself, in a fresh image (run_child): time @n operations of
 * @kind and write the seconds to fd 3.
 */
static int storm_main(const char *kind, long n)
{
	double t0 = sr_bench_now_s(), el;

	if (!strcmp(kind, "open"))
		open_storm(n);
	else
		exec_storm(n);
	el = sr_bench_now_s() - t0;
	return write(3, &el, sizeof(el)) == sizeof(el) ? 0 : 1;
}

/*
 * Run @fn(@n) in a child (inside the session cgroup when @inside); seconds
 * its loop took. The child execs this program again (storm_main) rather
 * than running @fn after fork(): a child of this process, which has a
 * consumer thread while the capture is loaded, keeps glibc's multi-threaded
 * state, whose cancellable open/close wrappers cost more per call than an
 * ordinary process pays, and only in the rows with the capture loaded.
 */
static double run_child(bool inside, void (*fn)(long), long n)
{
	char num[32];
	double el = -1;
	int p[2], st;
	pid_t pid;

	snprintf(num, sizeof(num), "%ld", n);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		if ((inside && sr_cgroup_move(cg_dir, 0) < 0) || dup2(p[1], 3) != 3)
			_exit(1);
		execl("/proc/self/exe", "bench_capture", "--storm",
		      fn == open_storm ? "open" : "exec", num, open_path, exec_path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &el, sizeof(el)) != sizeof(el))
		el = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (el <= 0) {
		fprintf(stderr, "bench_capture: a storm child failed\n");
		exit(1);
	}
	return el;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- consumer ------------------------------------------------------------------ */

static pthread_t consumer_th;
static uint32_t wakeup_bytes;
static int consumer_stop_fd = -1;
static int consumer_poll_ms; /* -1: block until records or stop, as sshrecd's loop does */
static bool consumer_on;

static int on_event(void *ctx, const void *data, size_t size)
{
	const struct sr_event_hdr *h = data;

	(void)ctx;
	(void)size;
	if (h->type < 8)
		atomic_fetch_add(&rx[h->type], 1);
	return 0;
}

/*
 * Wait on the ring buffer and the stop eventfd: with poll_ms -1 an idle
 * consumer costs nothing, like sshrecd's epoll loop; a timeout (the -w
 * wakeup threshold, or the floor's polling row) wakes it that often.
 */
static void *consumer(void *arg)
{
	struct epoll_event ev = {.events = EPOLLIN}, out[2];
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)arg;
	sr_capture_poll(cap, 0, on_event, NULL); /* sets the ring buffer consumer up */
	if (ep >= 0) {
		ev.data.fd = sr_capture_ringbuf_fd(cap);
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
		ev.data.fd = consumer_stop_fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}
	while (!atomic_load(&stop_consumer)) {
		if (ep < 0 || epoll_wait(ep, out, 2, consumer_poll_ms) >= 0)
			sr_capture_poll(cap, 0, on_event, NULL);
		if (ep < 0)
			usleep(50000);
	}
	sr_capture_poll(cap, 0, on_event, NULL);
	if (ep >= 0)
		close(ep);
	return NULL;
}

static void consumer_start(int poll_ms)
{
	if (consumer_stop_fd < 0)
		consumer_stop_fd = eventfd(0, EFD_CLOEXEC);
	consumer_poll_ms = wakeup_bytes ? 50 : poll_ms;
	atomic_store(&stop_consumer, 0);
	consumer_on = pthread_create(&consumer_th, NULL, consumer, NULL) == 0;
}

static void consumer_stop(void)
{
	uint64_t one = 1;

	if (!consumer_on)
		return;
	atomic_store(&stop_consumer, 1);
	if (write(consumer_stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "bench_capture: waking the consumer: %s\n", strerror(errno));
	pthread_join(consumer_th, NULL);
	if (read(consumer_stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "bench_capture: the consumer's stop: %s\n", strerror(errno));
	consumer_on = false;
}

/*
 * Load the capture with a session on the bench cgroup; @poll_ms: the
 * consumer's wakeups (-1: only for records), or no consumer at all (-2).
 */
static int load_with(bool disk, int poll_ms)
{
	struct sr_capture_opts o = {.pin = false,
	                            .backend = backend,
	                            .demand = disk ? SR_CLASS_ALL : 0,
	                            .wakeup_bytes = wakeup_bytes};
	uint64_t cgid = 0;
	int err = sr_capture_open(&o, &cap);

	if (err) {
		fprintf(stderr, "bench_capture: cannot load the capture: %s\n", strerror(-err));
		return err;
	}
	ran = sr_capture_backend(cap);
	snprintf(backend_ran, sizeof(backend_ran), "%s", sr_backend_name(ran));
	sr_cgroup_id(cg_dir, &cgid);
	sr_capture_session_add(
	    cap, KEY, cgid, 0xffffffffu,
	    disk ? SR_CLASS_ALL : SR_CLASS_BIT(SR_CLASS_COMMAND) | SR_CLASS_BIT(SR_CLASS_NETWORK),
	    0);
	if (poll_ms >= -1)
		consumer_start(poll_ms);
	return 0;
}

static int load(bool disk)
{
	return load_with(disk, -1);
}

static void unload(struct sr_session_lost *lost)
{
	consumer_stop();
	if (lost)
		sr_capture_lost_read(cap, KEY, lost);
	sr_capture_destroy(cap);
	cap = NULL;
}

/*
 * Median ops/s without and with the capture, alternating (unload, run,
 * load, run) so that drift of the machine hits both sides alike; @noise is
 * the spread of the baseline runs (fastest/slowest - 1, in %): a cost
 * within it cannot be told from the machine's own jitter.
 */
static int pair(bool disk, bool inside, void (*fn)(long), long n, double *base, double *with,
                double *noise)
{
	double b[REPS], w[REPS];
	int i;

	for (i = 0; i < REPS; i++) {
		b[i] = n / run_child(inside, fn, n);
		if (load(disk))
			return -1;
		w[i] = n / run_child(inside, fn, n);
		unload(NULL);
	}
	qsort(b, REPS, sizeof(b[0]), cmp_d);
	qsort(w, REPS, sizeof(w[0]), cmp_d);
	*base = b[REPS / 2];
	*with = w[REPS / 2];
	*noise = (b[REPS - 1] / b[0] - 1.0) * 100.0;
	return 0;
}

/* ---- the floor: empty programs on the same hooks (-F) ------------------------------ */

/*
 * Per backend, the empty programs standing for what the recorder attaches on
 * every open while a session records disk: the security hook first (or the
 * open syscall's enter), then the exit of do_filp_open() (or the syscall's
 * exit). Without them nobody can tell how much of the recorder's cost is the
 * hook itself, which no program body can save.
 */
static const char *const floor_progs[][2] = {
    [SR_BACKEND_TRACEPOINT] = {"floor_enter_openat", "floor_exit_openat"},
    [SR_BACKEND_FENTRY] = {"floor_fentry_file_open", "floor_fexit_filp_open"},
    [SR_BACKEND_LSM] = {"floor_lsm_file_open", "floor_fexit_filp_open"},
};

static const char *floor_path; /* -F */
static struct bpf_object *floor_obj;
static struct bpf_link *floor_links[2];

static void floor_unload(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		bpf_link__destroy(floor_links[i]);
		floor_links[i] = NULL;
	}
	bpf_object__close(floor_obj);
	floor_obj = NULL;
}

/* Load and attach the first @n (1 or 2) empty programs of the backend that ran. */
static int floor_load(int n)
{
	struct bpf_program *p;
	int i, err;

	floor_obj = bpf_object__open_file(floor_path, NULL);
	if (!floor_obj) {
		err = -errno;
		goto fail;
	}
	bpf_object__for_each_program(p, floor_obj)
	{
		bool want = false;

		for (i = 0; i < n; i++)
			want |= !strcmp(bpf_program__name(p), floor_progs[ran][i]);
		bpf_program__set_autoload(p, want);
	}
	err = bpf_object__load(floor_obj);
	for (i = 0; !err && i < n; i++) {
		p = bpf_object__find_program_by_name(floor_obj, floor_progs[ran][i]);
		floor_links[i] = p ? bpf_program__attach(p) : NULL;
		if (!floor_links[i])
			err = p ? -errno : -ENOENT;
	}
	if (!err)
		return 0;
fail:
	fprintf(stderr, "bench_capture: -F %s: cannot attach the empty programs on %s: %s\n",
	        floor_path, backend_ran, strerror(-err));
	floor_unload();
	return err;
}

/*
 * Open storms outside sessions, in one round each: no BPF, the empty hook,
 * both; the recorder with no session recording disk (nothing of it on the
 * open path), with no consumer thread, with one that wakes every 50 ms, and
 * with one that waits for records (as sshrecd does); the recorder, a
 * session recording disk. The three "env" rows split what the recorder
 * costs away from the open path from what its programs cost on it.
 */
enum { FL_NONE, FL_HOOK, FL_BOTH, FL_ENV_NOCONS, FL_ENV_POLL, FL_ENV, FL_RECORDER, FL_N };

/* The recorder loaded without disk, its consumer as @poll_ms says (load_with) */
static int env_run(long n, int poll_ms, double *r)
{
	if (load_with(false, poll_ms))
		return -1;
	*r = n / run_child(false, open_storm, n);
	unload(NULL);
	return 0;
}

static double floor_ops[FL_N], floor_noise;

static int floor_measure(long n)
{
	double r[FL_N][REPS];
	int i, k;

	for (i = 0; i < REPS; i++) {
		r[FL_NONE][i] = n / run_child(false, open_storm, n);
		for (k = 1; k <= 2; k++) {
			if (floor_load(k))
				return -1;
			r[k == 1 ? FL_HOOK : FL_BOTH][i] = n / run_child(false, open_storm, n);
			floor_unload();
		}
		if (env_run(n, -2, &r[FL_ENV_NOCONS][i]) || env_run(n, 50, &r[FL_ENV_POLL][i]) ||
		    env_run(n, -1, &r[FL_ENV][i]))
			return -1;
		if (load(true))
			return -1;
		r[FL_RECORDER][i] = n / run_child(false, open_storm, n);
		unload(NULL);
	}
	for (k = 0; k < FL_N; k++) {
		qsort(r[k], REPS, sizeof(r[k][0]), cmp_d);
		floor_ops[k] = r[k][REPS / 2];
	}
	floor_noise = (r[FL_NONE][REPS - 1] / r[FL_NONE][0] - 1.0) * 100.0;
	return 0;
}

static double floor_pct(int k)
{
	return (floor_ops[FL_NONE] / floor_ops[k] - 1.0) * 100.0;
}

static void floor_report(FILE *f, bool md)
{
	static const char *const what[FL_N] = {
	    "no BPF",
	    "an empty program on the hook",
	    "empty programs on both",
	    "the recorder, no session records disk, no consumer thread",
	    "the recorder, no session records disk, a consumer polling every 50 ms",
	    "the recorder, no session records disk, a consumer waiting for records",
	    "the recorder, disk on"};
	const char *const *p = floor_progs[ran];
	int k;

	if (md) {
		fprintf(
		    f,
		    "\nFloor, open storm outside sessions, in the same rounds: no BPF; empty "
		    "programs (tests/bench/floor.bpf.c) on the hooks the recorder attaches while a "
		    "session records disk, `%s` alone, then with `%s`; the recorder, a session "
		    "recording disk.\n\n",
		    p[0], p[1]);
		fprintf(f, "| open storm, outside | ops/s | cost |\n|---|---:|---:|\n");
		for (k = 0; k < FL_N; k++)
			fprintf(f, "| %s | %.0f | %+.1f%% |\n", what[k], floor_ops[k],
			        floor_pct(k));
		fprintf(f,
		        "\nThe recorder above the empty programs: %+.1f points, of which %+.1f are "
		        "the recorder away from the open path (its waiting consumer, no session "
		        "recording disk): its programs' bodies on the open path %+.1f points. "
		        "Baseline spread %.1f%%.\n",
		        floor_pct(FL_RECORDER) - floor_pct(FL_BOTH), floor_pct(FL_ENV),
		        floor_pct(FL_RECORDER) - floor_pct(FL_BOTH) - floor_pct(FL_ENV),
		        floor_noise);
		return;
	}
	fprintf(f,
	        "  \"floor\": {\"programs\": [\"%s\", \"%s\"], \"baseline_ops_s\": %.0f, "
	        "\"hook_ops_s\": %.0f, \"hook_cost_pct\": %.2f, \"both_ops_s\": %.0f, "
	        "\"both_cost_pct\": %.2f, \"recorder_ops_s\": %.0f, \"recorder_cost_pct\": %.2f, "
	        "\"env_nocons_cost_pct\": %.2f, \"env_poll50_cost_pct\": %.2f, "
	        "\"env_cost_pct\": %.2f, \"baseline_spread_pct\": %.2f},\n",
	        p[0], p[1], floor_ops[FL_NONE], floor_ops[FL_HOOK], floor_pct(FL_HOOK),
	        floor_ops[FL_BOTH], floor_pct(FL_BOTH), floor_ops[FL_RECORDER],
	        floor_pct(FL_RECORDER), floor_pct(FL_ENV_NOCONS), floor_pct(FL_ENV_POLL),
	        floor_pct(FL_ENV), floor_noise);
}

/* ---- report ---------------------------------------------------------------------- */

struct row {
	const char *name;
	double base, with, noise;
	const char *target;
};

static double cost_pct(const struct row *r)
{
	return (r->base / r->with - 1.0) * 100.0;
}

int main(int argc, char **argv)
{
	const char *json = NULL, *md = NULL;
	long nexec = 800, nopen = 400000;
	double mix_secs = 10, t0, el;
	struct sr_session_lost lost = {};
	unsigned long long ex_before, op_before, got_exec, got_open, lost_all;
	uint32_t ringbuf = 0;
	struct row rows[8];
	int nrows = 0, c, i, ret = 1;
	char mnt[256];
	struct utsname un;
	pid_t ew1, ew2, ow;
	FILE *f;

	long e_opt = 0, o_opt = 0;
	double s_opt = 0;

	if (argc == 6 && !strcmp(argv[1], "--storm")) { /* run_child's fresh image */
		open_path = argv[4];
		exec_path = argv[5];
		return storm_main(argv[2], atol(argv[3]));
	}
	while ((c = getopt(argc, argv, "j:m:qw:b:e:o:s:f:F:x:")) != -1) {
		if (c == 'j')
			json = optarg;
		else if (c == 'm')
			md = optarg;
		else if (c == 'q')
			quick = 1;
		else if (c == 'w')
			wakeup_bytes = strtoul(optarg, NULL, 0);
		else if (c == 'b' && sr_backend_parse(optarg, &backend)) {
			fprintf(stderr, "bench_capture: -b %s: not a backend\n", optarg);
			return 2;
		} else if (c == 'e')
			e_opt = atol(optarg);
		else if (c == 'o')
			o_opt = atol(optarg);
		else if (c == 's')
			s_opt = atof(optarg);
		else if (c == 'f')
			open_path = optarg;
		else if (c == 'F')
			floor_path = optarg;
		else if (c == 'x')
			exec_path = optarg;
	}
	if (quick) {
		nexec = 300;
		nopen = 150000;
		mix_secs = 3;
	}
	if (e_opt > 0)
		nexec = e_opt;
	if (o_opt > 0)
		nopen = o_opt;
	if (s_opt > 0)
		mix_secs = s_opt;
	if (geteuid() != 0) {
		fprintf(stderr, "bench_capture: needs root\n");
		return 77;
	}
	if (access(exec_path, X_OK)) {
		fprintf(stderr, "bench_capture: -x %s: %s\n", exec_path, strerror(errno));
		return 2;
	}
	if (access(open_path, R_OK)) {
		fprintf(stderr, "bench_capture: -f %s: %s\n", open_path, strerror(errno));
		return 2;
	}
	sr_log_init("bench_capture", SR_LOG_STDERR, LOG_WARNING);
	if (sr_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return 1;
	snprintf(cg_dir, sizeof(cg_dir), "%s/sshrec-bench-%d", mnt, getpid());
	if (sr_cgroup_mkdir(cg_dir) < 0)
		return 1;
	uname(&un);

	static const struct {
		const char *name;
		bool disk, inside, exec;
		const char *target;
	} cfg[] = {
	    {"exec storm, outside, no session wants disk", false, false, true, "<= 3%"},
	    {"open storm, outside, no session wants disk", false, false, false, "<= 1%"},
	    {"exec storm, inside (command+network)", false, true, true, "-"},
	    {"exec storm, outside, disk on", true, false, true, "<= 3%"},
	    {"open storm, outside, disk on", true, false, false, "<= 3%"},
	    {"exec storm, inside, all classes", true, true, true, "-"},
	    {"open storm, inside, all classes", true, true, false, "-"},
	};
	for (i = 0; i < (int)(sizeof(cfg) / sizeof(cfg[0])); i++) {
		fprintf(stderr, "%s...\n", cfg[i].name);
		rows[nrows].name = cfg[i].name;
		rows[nrows].target = cfg[i].target;
		if (pair(cfg[i].disk, cfg[i].inside, cfg[i].exec ? exec_storm : open_storm,
		         cfg[i].exec ? nexec : nopen, &rows[nrows].base, &rows[nrows].with,
		         &rows[nrows].noise))
			goto out;
		nrows++;
	}
	if (floor_path) {
		fprintf(stderr, "floor: empty programs on the open hooks...\n");
		if (floor_measure(nopen))
			goto out;
	}

	/* Sustained: 2,000 execs/s + 100,000 opens/s inside, default ring buffer. */
	fprintf(stderr, "sustained mixed load for %.0f s...\n", mix_secs);
	if (load(true))
		goto out;
	ringbuf = sr_capture_ringbuf_size(cap);
	ex_before = atomic_load(&rx[SR_EV_EXEC]);
	op_before = atomic_load(&rx[SR_EV_OPEN]);
	t0 = sr_bench_now_s();
	ew1 = fork();
	if (ew1 == 0) {
		sr_cgroup_move(cg_dir, 0);
		paced(exec_storm, 1000, mix_secs, 10);
		_exit(0);
	}
	ew2 = fork();
	if (ew2 == 0) {
		sr_cgroup_move(cg_dir, 0);
		paced(exec_storm, 1000, mix_secs, 10);
		_exit(0);
	}
	ow = fork();
	if (ow == 0) {
		sr_cgroup_move(cg_dir, 0);
		paced(open_storm, 100000, mix_secs, 1000);
		_exit(0);
	}
	waitpid(ew1, NULL, 0);
	waitpid(ew2, NULL, 0);
	waitpid(ow, NULL, 0);
	el = sr_bench_now_s() - t0;
	usleep(300000);
	unload(&lost);
	got_exec = atomic_load(&rx[SR_EV_EXEC]) - ex_before;
	got_open = atomic_load(&rx[SR_EV_OPEN]) - op_before;
	lost_all = lost.lost[0] + lost.lost[1] + lost.lost[2];

	/* report */
	printf("\nsshrec kernel capture benchmark (kernel %s, %ld CPUs, backend %s, ring buffer %u "
	       "bytes, wakeup_bytes %u)\n\n",
	       un.release, sysconf(_SC_NPROCESSORS_ONLN), backend_ran, ringbuf, wakeup_bytes);
	printf("| workload | no BPF (ops/s) | with capture (ops/s) | cost | baseline spread | "
	       "target |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < nrows; i++)
		printf("| %s | %.0f | %.0f | %+.1f%% | %.1f%% | %s |\n", rows[i].name, rows[i].base,
		       rows[i].with, cost_pct(&rows[i]), rows[i].noise, rows[i].target);
	printf("\nSustained inside a session for %.1f s: %llu exec records (%.0f/s), %llu open "
	       "records (%.0f/s), lost %llu (command %llu, disk %llu, network %llu)\n",
	       el, got_exec, got_exec / el, got_open, got_open / el, lost_all,
	       (unsigned long long)lost.lost[0], (unsigned long long)lost.lost[1],
	       (unsigned long long)lost.lost[2]);

	if (json && (f = fopen(json, "w"))) {
		fprintf(f,
		        "{\n  \"kernel\": \"%s\",\n  \"cpus\": %ld,\n  \"backend\": \"%s\",\n"
		        "  \"ringbuf_bytes\": %u,\n  \"wakeup_bytes\": %u,\n",
		        un.release, sysconf(_SC_NPROCESSORS_ONLN), backend_ran, ringbuf,
		        wakeup_bytes);
		fprintf(f,
		        "  \"reps\": %d,\n  \"execs_per_rep\": %ld,\n  \"opens_per_rep\": %ld,\n"
		        "  \"open_file\": \"%s\",\n  \"exec_file\": \"%s\",\n",
		        REPS, nexec, nopen, open_path, exec_path);
		if (floor_path)
			floor_report(f, false);
		fprintf(f, "  \"storms\": [\n");
		for (i = 0; i < nrows; i++)
			fprintf(f,
			        "    {\"workload\": \"%s\", \"baseline_ops_s\": %.0f, "
			        "\"capture_ops_s\": %.0f, \"cost_pct\": %.2f, "
			        "\"baseline_spread_pct\": %.2f, \"target\": \"%s\"}%s\n",
			        rows[i].name, rows[i].base, rows[i].with, cost_pct(&rows[i]),
			        rows[i].noise, rows[i].target, i + 1 < nrows ? "," : "");
		fprintf(f,
		        "  ],\n  \"sustained\": {\"seconds\": %.2f, \"exec_records\": %llu, "
		        "\"open_records\": %llu, \"exec_per_s\": %.0f, \"open_per_s\": %.0f, "
		        "\"lost\": %llu}\n}\n",
		        el, got_exec, got_open, got_exec / el, got_open / el, lost_all);
		fclose(f);
	}
	if (md && (f = fopen(md, "a"))) {
		fprintf(f,
		        "Capture backend: **%s**. The open storms open `%s`, the exec storms run "
		        "`%s`.\n\n",
		        backend_ran, open_path, exec_path);
		fprintf(f, "| workload | no BPF (ops/s) | with capture (ops/s) | cost | baseline "
		           "spread | target |\n");
		fprintf(f, "|---|---:|---:|---:|---:|---|\n");
		for (i = 0; i < nrows; i++)
			fprintf(f, "| %s | %.0f | %.0f | %+.1f%% | %.1f%% | %s |\n", rows[i].name,
			        rows[i].base, rows[i].with, cost_pct(&rows[i]), rows[i].noise,
			        rows[i].target);
		fprintf(f,
		        "\nSustained inside a session, %.1f s: %llu exec records (%.0f/s), %llu "
		        "open records (%.0f/s), **lost %llu**.\n",
		        el, got_exec, got_exec / el, got_open, got_open / el, lost_all);
		if (floor_path)
			floor_report(f, true);
		fclose(f);
	}
	ret = 0;
out:
	rmdir(cg_dir);
	return ret;
}
