// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel capture test (root, real kernel): loads the capture through the
 * loader with a private pin directory, registers a fresh test cgroup as a
 * session, runs children in it and checks every record issue 3 asks for.
 * One "PASS:"/"FAIL:" line per assertion; exit 1 on any failure, 77 (with a
 * loud message) when not root or without kernel BTF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpf/hint.h"
#include "bpf/policy.h"
#include "cgroup.h"
#include "log.h"
#include "recorder/capture/capture.h"
#include "tests/kernel/ia32.h"

#define KEY  0x00005352000000a1ull
#define KEY2 0x00005352000000b2ull
#define KEY3 0x00005352000000c3ull

struct rec {
	size_t size;
	unsigned char data[];
};

static struct rec **recs;
static size_t nrecs, caprecs;
static int failures, passes;
static struct sr_capture *cap;
static char pin_dir[256], cg_root[512], cg_sess[600], cg_other[600], tmpdir[256];
static uint64_t sess_cgid, other_cgid;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passes++;
	else
		failures++;
}

/* ---- records ------------------------------------------------------------ */

static int on_event(void *ctx, const void *data, size_t size)
{
	struct rec *r;

	(void)ctx;
	if (nrecs == caprecs) {
		struct rec **n =
		    realloc(recs, (caprecs = caprecs ? caprecs * 2 : 1024) * sizeof(*n));

		if (!n)
			abort();
		recs = n;
	}
	r = malloc(sizeof(*r) + size);
	if (!r)
		abort();
	r->size = size;
	memcpy(r->data, data, size);
	recs[nrecs++] = r;
	return 0;
}

static void drain(struct sr_capture *c)
{
	int n, idle = 0;

	if (!c) { /* a reload failed (checked there): nothing to read, no crash */
		check(0, "ring buffer poll: no capture loaded");
		return;
	}
	while (idle < 2) {
		n = sr_capture_poll(c, 100, on_event, NULL);
		if (n < 0) {
			check(0, "ring buffer poll: %s", strerror(-n));
			return;
		}
		idle = n ? 0 : idle + 1;
	}
}

static void clear_recs(void)
{
	size_t i;

	for (i = 0; i < nrecs; i++)
		free(recs[i]);
	nrecs = 0;
}

static const struct sr_event_hdr *hdr_of(size_t i)
{
	return (const struct sr_event_hdr *)recs[i]->data;
}

static const char *exec_filename(const struct sr_exec_event *e)
{
	return e->data;
}

static const char *exec_cwd(const struct sr_exec_event *e)
{
	return e->data + e->filename_len;
}

static const char *exec_argv(const struct sr_exec_event *e)
{
	return e->data + e->filename_len + e->cwd_len;
}

/* The file that ran ("" when the record has none). */
static const char *exec_exe(const struct sr_exec_event *e)
{
	return e->exe_len ? exec_argv(e) + e->argv_len : "";
}

/* argv[i] of a record, or NULL. */
static const char *exec_arg(const struct sr_exec_event *e, unsigned idx)
{
	const char *p = exec_argv(e), *end = p + e->argv_len;
	unsigned i;

	for (i = 0; p < end; i++) {
		if (i == idx)
			return p;
		p += strnlen(p, end - p) + 1;
	}
	return NULL;
}

/* First exec record (type) of @pid whose argv contains @marker (NULL: any). */
static const struct sr_exec_event *find_exec(uint16_t type, pid_t pid, const char *filename,
                                             const char *marker)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_exec_event *e = (const void *)recs[i]->data;

		if (e->hdr.type != type || (pid && e->hdr.pid != (uint32_t)pid))
			continue;
		if (filename && strcmp(exec_filename(e), filename))
			continue;
		if (marker && !memmem(exec_argv(e), e->argv_len, marker, strlen(marker)))
			continue;
		return e;
	}
	return NULL;
}

static const struct sr_exit_event *find_exit(pid_t pid)
{
	size_t i;

	for (i = 0; i < nrecs; i++)
		if (hdr_of(i)->type == SR_EV_EXIT && hdr_of(i)->pid == (uint32_t)pid)
			return (const void *)recs[i]->data;
	return NULL;
}

static const struct sr_open_event *find_open(pid_t pid, const char *path, size_t pathlen)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_open_event *o = (const void *)recs[i]->data;

		if (o->hdr.type != SR_EV_OPEN || (pid && o->hdr.pid != (uint32_t)pid))
			continue;
		if (o->path_len == pathlen + 1 && !memcmp(o->path, path, pathlen))
			return o;
	}
	return NULL;
}

static size_t count_pid(pid_t pid)
{
	size_t i, n = 0;

	for (i = 0; i < nrecs; i++)
		n += hdr_of(i)->pid == (uint32_t)pid;
	return n;
}

/* ---- children ------------------------------------------------------------ */

/* Fork; the child joins @cgdir (NULL: stays outside), then runs @fn. */
static pid_t spawn(const char *cgdir, void (*fn)(void *), void *arg, int *status)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (cgdir && sr_cgroup_move(cgdir, 0) < 0)
			_exit(100);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, status, 0) < 0)
		perror("waitpid");
	return pid;
}

static void do_exec(void *arg)
{
	char **argv = arg;

	if (chdir(tmpdir) < 0)
		_exit(101);
	execv(argv[0], argv);
	_exit(127);
}

static pid_t run_argv(const char *cgdir, char **argv, int *status)
{
	return spawn(cgdir, do_exec, argv, status);
}

static pid_t run_sh(const char *cgdir, const char *script, int *status)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	return run_argv(cgdir, argv, status);
}

/* ---- cleanup --------------------------------------------------------------- */

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rmdir_retry(const char *dir)
{
	int i;

	for (i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(20000);
}

static void cleanup(void)
{
	if (cap) {
		sr_capture_destroy(cap);
		cap = NULL;
	}
	sr_capture_unpin(pin_dir);
	if (cg_other[0])
		rmdir_retry(cg_other);
	if (cg_sess[0])
		rmdir_retry(cg_sess);
	if (cg_root[0])
		rmdir_retry(cg_root);
	if (tmpdir[0])
		nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- scenarios ------------------------------------------------------------- */

static void t_exec_100_args(void)
{
	char *argv[103], buf[100][16];
	const struct sr_exec_event *e;
	const struct sr_exit_event *x;
	int i, status, ok = 1;
	size_t want = sizeof("/bin/true");
	pid_t pid;

	argv[0] = "/bin/true";
	for (i = 0; i < 100; i++) {
		snprintf(buf[i], sizeof(buf[i]), "arg-%03d", i);
		argv[i + 1] = buf[i];
		want += strlen(buf[i]) + 1;
	}
	argv[101] = NULL;
	pid = run_argv(cg_sess, argv, &status);
	drain(cap);
	e = find_exec(SR_EV_EXEC, pid, "/bin/true", NULL);
	check(e != NULL, "exec of /bin/true with 100 args recorded (pid %d)", pid);
	if (!e)
		return;
	check(e->ret == 0 && e->hdr.session_key == KEY && e->hdr.match == SR_MATCH_CGROUP,
	      "exec: ret 0, session key, matched by cgroup (ret %d match %u)", e->ret,
	      e->hdr.match);
	check(e->argc == 101, "exec: argc 101 (got %u)", e->argc);
	check(e->argv_len == want && !(e->flags & SR_EXEC_ARGV_TRUNCATED),
	      "exec: argv complete, %zu bytes, not truncated (got %u, flags %#x)", want,
	      e->argv_len, e->flags);
	for (i = 0; i <= 100; i++) {
		const char *a = exec_arg(e, i);

		if (!a || strcmp(a, argv[i]))
			ok = 0;
	}
	check(ok, "exec: every argv[i] matches, argv[0] included");
	check(!strcmp(exec_cwd(e), tmpdir), "exec: cwd resolved to %s (got %s)", tmpdir,
	      exec_cwd(e));
	check(e->hdr.ppid == (uint32_t)getpid(), "exec: ppid is the test process (%u)",
	      e->hdr.ppid);
	check(e->hdr.uid == 0 && e->euid == 0 && !strcmp(e->hdr.comm, "true"),
	      "exec: uid/euid 0, comm \"true\" (comm %s)", e->hdr.comm);
	x = find_exit(pid);
	check(x && x->exit_code == 0 && x->signal == 0 && x->start_ns && x->hdr.ts_ns > x->start_ns,
	      "exit code 0 recorded with start time");
}

static void t_exec_big_argv(void)
{
	static char big[100][1024];
	char *argv[102];
	const struct sr_exec_event *e;
	const char *a1;
	pid_t pid;
	int i, status;

	argv[0] = "/bin/true";
	for (i = 0; i < 100; i++) {
		memset(big[i], 'a' + i % 26, 1023);
		big[i][1023] = 0;
		argv[i + 1] = big[i];
	}
	argv[101] = NULL;
	pid = run_argv(cg_sess, argv, &status);
	drain(cap);
	e = find_exec(SR_EV_EXEC, pid, "/bin/true", NULL);
	check(e != NULL, "exec with a 100 KiB argv recorded");
	if (!e)
		return;
	check((e->flags & SR_EXEC_ARGV_TRUNCATED) && e->argv_len == SR_ARGV_CAP,
	      "100 KiB argv: truncated flag and %d bytes (flags %#x, len %u)", SR_ARGV_CAP,
	      e->flags, e->argv_len);
	a1 = exec_arg(e, 1);
	check(e->argc == 101 && a1 && !strcmp(a1, big[0]),
	      "100 KiB argv: argc 101 and the first arguments intact");
}

static void t_exec_missing(void)
{
	char *argv[] = {"/nonexistent/sshrec-missing", "missing-arg", NULL};
	const struct sr_exec_event *e;
	const char *a;
	int status;
	pid_t pid;

	pid = run_argv(cg_sess, argv, &status);
	drain(cap);
	e = find_exec(SR_EV_EXEC_FAIL, pid, "/nonexistent/sshrec-missing", NULL);
	check(e != NULL, "failed exec of a missing file recorded");
	if (!e)
		return;
	check(e->ret == -2, "failed exec: return_code -2 (got %d)", e->ret);
	a = exec_arg(e, 1);
	check(e->argc == 2 && a && !strcmp(a, "missing-arg"),
	      "failed exec: argv read from the caller (argc %u)", e->argc);
	check(!strcmp(exec_cwd(e), tmpdir), "failed exec: cwd %s", exec_cwd(e));
	check(e->exe_len == 0, "failed exec: nothing ran, no exe (exe_len %u)", e->exe_len);
}

/* How a child runs /bin/true in t_exec_unusual(). */
enum fexec_how { FEXEC_MEMFD, FEXEC_PROC_FD, FEXEC_DELETED, FEXEC_SCRIPT };

/* Copy /bin/true into @fd; 0 or -1. */
static int copy_true(int fd)
{
	struct stat st;
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	off_t off = 0;

	if (in < 0 || fstat(in, &st) < 0)
		return -1;
	while (off < st.st_size)
		if (sendfile(fd, in, &off, (size_t)(st.st_size - off)) <= 0)
			return -1;
	close(in);
	return 0;
}

static void do_fexec(void *arg)
{
	enum fexec_how how = *(enum fexec_how *)arg;
	char *argv[] = {"true", "fexec-marker", NULL}, *envp[] = {NULL}, p[PATH_MAX];
	int fd = -1, w;

	if (chdir(tmpdir) < 0)
		_exit(101);
	if (how == FEXEC_MEMFD) {
		fd = memfd_create("sshrec-fileless", 0);
		if (fd < 0 || copy_true(fd) < 0)
			_exit(102);
	} else if (how == FEXEC_PROC_FD || how == FEXEC_SCRIPT) {
		snprintf(p, sizeof(p), "%s/script.sh", tmpdir);
		if (how == FEXEC_SCRIPT) {
			w = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
			if (w < 0 || write(w, "#!/bin/sh\nexit 0\n", 18) != 18 || close(w) < 0)
				_exit(102);
		}
		fd = open(how == FEXEC_SCRIPT ? p : "/bin/true", O_RDONLY);
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		execve(p, argv, envp);
		_exit(127);
	} else {
		snprintf(p, sizeof(p), "%s/deleted-true", tmpdir);
		w = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (w < 0 || copy_true(w) < 0 || close(w) < 0)
			_exit(102);
		fd = open(p, O_RDONLY);
		if (fd < 0 || unlink(p) < 0)
			_exit(103);
	}
	execveat(fd, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

/*
 * A fileless program (memfd_create + execveat), an exec through
 * /proc/self/fd/N, a deleted binary, and a #! script through /proc/self/fd/N:
 * the record carries the file that ran and says what it was.
 */
static void t_exec_unusual(void)
{
	static const struct {
		enum fexec_how how;
		const char *what;
	} cases[] = {
	    {FEXEC_MEMFD, "memfd execveat"},
	    {FEXEC_PROC_FD, "exec of /proc/self/fd/N"},
	    {FEXEC_DELETED, "execveat of a deleted file"},
	    {FEXEC_SCRIPT, "exec of a #! script through /proc/self/fd/N"},
	};
	char truepath[PATH_MAX], shpath[PATH_MAX], deleted[PATH_MAX + 32];
	const struct sr_exec_event *e;
	uint32_t kind;
	size_t i;
	int status;
	pid_t pid;

	if (!realpath("/bin/true", truepath))
		snprintf(truepath, sizeof(truepath), "/bin/true");
	if (!realpath("/bin/sh", shpath))
		snprintf(shpath, sizeof(shpath), "/bin/sh");
	snprintf(deleted, sizeof(deleted), "%s/deleted-true", tmpdir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum fexec_how how = cases[i].how;

		pid = spawn(cg_sess, do_fexec, &how, &status);
		drain(cap);
		e = find_exec(SR_EV_EXEC, pid, NULL, "fexec-marker");
		check(e != NULL && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s: ran (status %#x) and recorded", cases[i].what, status);
		if (!e)
			continue;
		kind = e->flags & (SR_EXEC_EXE_ANON | SR_EXEC_EXE_UNLINKED | SR_EXEC_EXE_FAULT |
		                   SR_EXEC_EXE_INTERP);
		if (how == FEXEC_MEMFD)
			check(!strcmp(exec_exe(e), "memfd:sshrec-fileless") &&
			          (kind & ~SR_EXEC_EXE_UNLINKED) == SR_EXEC_EXE_ANON &&
			          !strncmp(exec_filename(e), "/dev/fd/", 8),
			      "%s: exe \"%s\", flags %#x, filename %s", cases[i].what, exec_exe(e),
			      e->flags, exec_filename(e));
		else if (how == FEXEC_PROC_FD)
			check(!strcmp(exec_exe(e), truepath) && kind == 0 &&
			          !strncmp(exec_filename(e), "/proc/self/fd/", 14),
			      "%s: exe %s (want %s), flags %#x, filename %s", cases[i].what,
			      exec_exe(e), truepath, e->flags, exec_filename(e));
		else if (how == FEXEC_DELETED)
			check(!strcmp(exec_exe(e), deleted) && kind == SR_EXEC_EXE_UNLINKED,
			      "%s: exe %s (want %s), flags %#x", cases[i].what, exec_exe(e),
			      deleted, e->flags);
		else /* the kernel runs the interpreter; the script's file is gone by then */
			check(!strcmp(exec_exe(e), shpath) && kind == SR_EXEC_EXE_INTERP &&
			          !strncmp(exec_filename(e), "/proc/self/fd/", 14),
			      "%s: exe %s (want %s), flags %#x, filename %s", cases[i].what,
			      exec_exe(e), shpath, e->flags, exec_filename(e));
		check(e->hdr.size == sizeof(*e) + e->filename_len + e->cwd_len + e->argv_len +
		                         e->exe_len &&
		          e->exe_len == strlen(exec_exe(e)) + 1,
		      "%s: the exe ends the record (exe_len %u)", cases[i].what, e->exe_len);
	}
	/* an ordinary exec names its file too */
	run_sh(cg_sess, "exec /bin/true plain-marker; :", &status);
	drain(cap);
	e = find_exec(SR_EV_EXEC, 0, "/bin/true", "plain-marker");
	check(e && !strcmp(exec_exe(e), truepath) && !(e->flags & SR_EXEC_EXE_UNLINKED),
	      "plain exec: exe %s", e ? exec_exe(e) : "(none)");
}

static int has_fork(pid_t parent, pid_t child)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_fork_event *f = (const void *)recs[i]->data;

		if (f->hdr.type == SR_EV_FORK && f->hdr.pid == (uint32_t)parent &&
		    f->child_pid == (uint32_t)child)
			return 1;
	}
	return 0;
}

static void t_pipeline(void)
{
	static const char *const progs[] = {"/bin/echo", "/bin/cat", "/usr/bin/wc"};
	const struct sr_exec_event *sh, *e;
	int status, i;
	pid_t pid;

	pid = run_sh(cg_sess, "/bin/echo pipeline-marker | /bin/cat | /usr/bin/wc -c >/dev/null",
	             &status);
	drain(cap);
	sh = find_exec(SR_EV_EXEC, pid, "/bin/sh", "pipeline-marker");
	check(sh != NULL, "sh -c pipeline: sh exec recorded");
	if (!sh)
		return;
	for (i = 0; i < 3; i++) {
		e = find_exec(SR_EV_EXEC, 0, progs[i], NULL);
		check(e && e->hdr.ppid == (uint32_t)pid && has_fork(pid, e->hdr.pid),
		      "pipeline: %s recorded with ppid = sh (%d) and a fork record", progs[i], pid);
	}
}

static void t_exit_codes(void)
{
	const struct sr_exit_event *x;
	int status;
	pid_t pid;

	pid = run_sh(cg_sess, "exit 3", &status);
	drain(cap);
	x = find_exit(pid);
	check(x && x->exit_code == 3 && x->signal == 0, "exit code 3 recorded (got %d)",
	      x ? x->exit_code : -1);
	pid = run_sh(cg_sess, "kill -9 $$", &status);
	drain(cap);
	x = find_exit(pid);
	check(x && x->signal == SIGKILL && WIFSIGNALED(status),
	      "SIGKILL recorded as signal 9 (got %d)", x ? x->signal : -1);
}

static void do_opens(void *arg)
{
	struct open_how how = {.flags = O_RDONLY};
	int fd, dfd;

	(void)arg;
	if (chdir(tmpdir) < 0)
		_exit(101);
	fd = open("relfile", O_CREAT | O_WRONLY, 0640);
	close(fd);
	mkdir("sub", 0755);
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "inner", O_CREAT | O_RDWR, 0600);
	close(fd);
	close(dfd);
	fd = syscall(SYS_open, "relfile", O_RDONLY);
	close(fd);
	fd = syscall(SYS_creat, "created", 0600);
	close(fd);
	fd = syscall(SYS_openat2, AT_FDCWD, "relfile", &how, sizeof(how));
	close(fd);
	fd = open("/nonexistent/sshrec-nofile", O_RDONLY);
	fd = open("we\nird\xff\xfe.txt", O_CREAT | O_WRONLY, 0600);
	close(fd);
	syscall(SYS_open, (void *)8, O_RDONLY); /* unreadable user string */
}

/* The backend runs on security hooks (LSM or fentry), not on syscall tracepoints. */
static bool on_hooks(void)
{
	return sr_capture_backend(cap) != SR_BACKEND_TRACEPOINT;
}

/* The open record of @pid for @path whose flags & @mask == @want (NULL: none). */
static const struct sr_open_event *find_open_flags(pid_t pid, const char *path, uint64_t mask,
                                                   uint64_t want)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_open_event *c = (const void *)recs[i]->data;

		if (c->hdr.type == SR_EV_OPEN && c->hdr.pid == (uint32_t)pid &&
		    !strcmp(c->path, path) && (c->flags & mask) == want)
			return c;
	}
	return NULL;
}

/* The first open record of @pid with every bit of @oflags set (NULL: none). */
static const struct sr_open_event *find_open_oflags(pid_t pid, uint32_t oflags)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_open_event *c = (const void *)recs[i]->data;

		if (c->hdr.type == SR_EV_OPEN && c->hdr.pid == (uint32_t)pid &&
		    (c->oflags & oflags) == oflags)
			return c;
	}
	return NULL;
}

static void t_opens(void)
{
	char path[512];
	const struct sr_open_event *o;
	int status;
	pid_t pid;

	pid = spawn(cg_sess, do_opens, NULL, &status);
	drain(cap);
	snprintf(path, sizeof(path), "%s/relfile", tmpdir);
	o = find_open(pid, path, strlen(path));
	check(o && (o->oflags & SR_OPEN_PATH_RESOLVED) && o->ret >= 0 && (o->flags & O_CREAT) &&
	          o->mode == 0640,
	      "relative open resolved to %s with flags, mode, fd", path);
	snprintf(path, sizeof(path), "%s/sub/inner", tmpdir);
	o = find_open(pid, path, strlen(path));
	check(o && (o->oflags & SR_OPEN_PATH_RESOLVED) && (on_hooks() || o->dirfd >= 0) &&
	          o->ret >= 0,
	      "openat(dirfd) resolved through the dirfd to %s", path);
	snprintf(path, sizeof(path), "%s/relfile", tmpdir);
	if (on_hooks()) {
		/* the hook does not know which syscall: open(2) and openat2(2) read relfile */
		size_t i, n = 0;

		for (i = 0; i < nrecs; i++) {
			const struct sr_open_event *c = (const void *)recs[i]->data;

			n += c->hdr.type == SR_EV_OPEN && c->hdr.pid == (uint32_t)pid &&
			     !strcmp(c->path, path) && (c->flags & O_ACCMODE) == O_RDONLY &&
			     (c->oflags & SR_OPEN_NO_FD) && c->ret == 0;
		}
		check(n == 2, "open(2) and openat2(2) of relfile recorded at the hook (%zu)", n);
		snprintf(path, sizeof(path), "%s/created", tmpdir);
		o = find_open_flags(pid, path, O_ACCMODE | O_CREAT | O_TRUNC,
		                    O_WRONLY | O_CREAT | O_TRUNC);
		check(o && o->mode == 0600 && o->ret == 0,
		      "creat(2) recorded with its flags and mode");
	} else {
		o = NULL;
		for (size_t i = 0; i < nrecs; i++) {
			const struct sr_open_event *c = (const void *)recs[i]->data;

			if (c->hdr.type == SR_EV_OPEN && c->hdr.pid == (uint32_t)pid &&
			    c->syscall == SR_SYS_OPEN && !strcmp(c->path, path))
				o = c;
		}
		check(o && o->ret >= 0, "open(2) syscall tracepoint recorded");
		snprintf(path, sizeof(path), "%s/created", tmpdir);
		o = find_open(pid, path, strlen(path));
		check(o && o->syscall == SR_SYS_CREAT && o->ret >= 0, "creat(2) recorded");
		o = NULL;
		for (size_t i = 0; i < nrecs; i++) {
			const struct sr_open_event *c = (const void *)recs[i]->data;

			if (c->hdr.type == SR_EV_OPEN && c->hdr.pid == (uint32_t)pid &&
			    c->syscall == SR_SYS_OPENAT2)
				o = c;
		}
		check(o && o->ret >= 0 && (o->oflags & SR_OPEN_PATH_RESOLVED),
		      "openat2(2) recorded");
	}
	o = find_open(pid, "/nonexistent/sshrec-nofile", strlen("/nonexistent/sshrec-nofile"));
	check(o && o->ret == -ENOENT && !(o->oflags & SR_OPEN_PATH_RESOLVED),
	      "failed open: -ENOENT (got %lld)", o ? (long long)o->ret : 0LL);
	snprintf(path, sizeof(path), "%s/we\nird\xff\xfe.txt", tmpdir);
	o = find_open(pid, path, strlen(path));
	check(o && o->ret >= 0, "filename with a newline and invalid UTF-8 kept byte for byte");
	o = find_open_oflags(pid, SR_OPEN_PATH_FAULT);
	if (on_hooks())
		/* getname() fails before any lookup: no hook sees it (SECURITY.md) */
		check(!o,
		      "unreadable path: nothing looked up, nothing recorded on the hook backends");
	else
		check(o && o->ret == -EFAULT && o->path_len == 1,
		      "unreadable path flagged SR_OPEN_PATH_FAULT, not silently empty");
}

static int listener(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		*len = sizeof(*s6);
	}
	if (fd < 0 || bind(fd, (void *)ss, *len) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (void *)ss, len) < 0) {
		perror("listener");
		return -1;
	}
	return fd;
}

static struct sockaddr_storage l4, l6, closed4;
static socklen_t l4len, l6len, closed4len;

static void do_connects(void *arg)
{
	int fd;

	(void)arg;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (void *)&l4, l4len) < 0)
		_exit(3);
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (connect(fd, (void *)&l6, l6len) < 0)
		_exit(4);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	connect(fd, (void *)&closed4, closed4len); /* refused */
	close(fd);
}

static const struct sr_connect_event *find_connect(pid_t pid, int family, int dport)
{
	size_t i;

	for (i = 0; i < nrecs; i++) {
		const struct sr_connect_event *c = (const void *)recs[i]->data;

		if (c->hdr.type == SR_EV_CONNECT && c->hdr.pid == (uint32_t)pid &&
		    c->family == family && c->dport == dport)
			return c;
	}
	return NULL;
}

static void t_connect(void)
{
	const struct sr_connect_event *c;
	static const unsigned char lo4[4] = {127, 0, 0, 1};
	int f4, f6, fc, status, p4, p6, pc;
	pid_t pid;

	f4 = listener(AF_INET, &l4, &l4len);
	f6 = listener(AF_INET6, &l6, &l6len);
	fc = listener(AF_INET, &closed4, &closed4len);
	close(fc); /* nothing listens there any more: the connect is refused */
	p4 = ntohs(((struct sockaddr_in *)&l4)->sin_port);
	p6 = ntohs(((struct sockaddr_in6 *)&l6)->sin6_port);
	pc = ntohs(((struct sockaddr_in *)&closed4)->sin_port);
	pid = spawn(cg_sess, do_connects, NULL, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "connect child succeeded (status %#x)",
	      status);
	c = find_connect(pid, AF_INET, p4);
	check(c && c->op == SR_CONNECT_ESTABLISHED && c->sport != 0 && !memcmp(c->daddr, lo4, 4) &&
	          !memcmp(c->saddr, lo4, 4),
	      "TCP connect to 127.0.0.1:%d recorded, established, source port %d", p4,
	      c ? c->sport : 0);
	c = find_connect(pid, AF_INET6, p6);
	check(c && c->op == SR_CONNECT_ESTABLISHED && c->sport != 0 &&
	          !memcmp(c->daddr, &in6addr_loopback, 16),
	      "TCP connect to [::1]:%d recorded, established, source port %d", p6,
	      c ? c->sport : 0);
	c = find_connect(pid, AF_INET, pc);
	check(c && c->op == SR_CONNECT_FAILED, "refused TCP connect recorded as failed");
	close(f4);
	close(f6);
}

/* ---- UDP sends on a connected socket ------------------------------------ */

static int udp_fd = -1, udp_fd2 = -1;
static struct sockaddr_in udp_dst, udp_other;

/* Does this kernel have sock:sock_send_length (6.3)? Its BTF says, as for the loader. */
static bool have_send_length(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool have =
	    btf && btf__find_by_name_kind(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) >= 0;

	btf__free(btf);
	return have;
}

/* A UDP socket bound to 127.0.0.1 (its port into @port), @a its address. */
static int udp_bound(struct sockaddr_in *a, int *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*a);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (void *)a, sizeof(*a)) < 0 || getsockname(fd, (void *)a, &len) < 0) {
		perror("udp socket");
		exit(1);
	}
	*port = ntohs(a->sin_port);
	return fd;
}

static void do_udp_write(void *arg)
{
	int i;

	(void)arg;
	if (connect(udp_fd, (void *)&udp_dst, sizeof(udp_dst)) < 0)
		_exit(3);
	for (i = 0; i < 3; i++)
		if (write(udp_fd, "w", 1) != 1)
			_exit(4);
}

static void do_udp_send(void *arg)
{
	(void)arg;
	if (send(udp_fd, "s", 1, 0) != 1)
		_exit(5);
}

/* Connected to udp_dst, sends to udp_other with an address of its own. */
static void do_udp_sendto_other(void *arg)
{
	(void)arg;
	if (connect(udp_fd2, (void *)&udp_dst, sizeof(udp_dst)) < 0 ||
	    sendto(udp_fd2, "o", 1, 0, (void *)&udp_other, sizeof(udp_other)) != 1)
		_exit(6);
}

/*
 * UDP send records to 127.0.0.1:@dport, by @pid (0: any) from the local
 * port @sport (0: any; then from any local address).
 */
static size_t count_udp_by(pid_t pid, int sport, int dport)
{
	static const unsigned char lo4[4] = {127, 0, 0, 1};
	size_t i, n = 0;

	for (i = 0; i < nrecs; i++) {
		const struct sr_connect_event *c = (const void *)recs[i]->data;

		n += c->hdr.type == SR_EV_CONNECT && c->op == SR_CONNECT_UDP_SEND &&
		     (!pid || c->hdr.pid == (uint32_t)pid) && c->family == AF_INET &&
		     (!sport || (c->sport == sport && !memcmp(c->saddr, lo4, 4))) &&
		     c->dport == dport && !memcmp(c->daddr, lo4, 4);
	}
	return n;
}

static size_t count_udp(int sport, int dport)
{
	return count_udp_by(0, sport, dport);
}

/*
 * write() on a connected UDP socket: seen by the hook backends and, from
 * 6.3, by sock:sock_send_length on the tracepoint backend; a later send()
 * to the same peer is the same (socket, destination): one record in all.
 */
static void t_udp_connected(void)
{
	bool seen = on_hooks() || have_send_length();
	struct sockaddr_in src, src2;
	int rx, rx2, dport, oport, sport, sport2, status;

	rx = udp_bound(&udp_dst, &dport);
	rx2 = udp_bound(&udp_other, &oport);
	udp_fd = udp_bound(&src, &sport);
	udp_fd2 = udp_bound(&src2, &sport2);
	spawn(cg_sess, do_udp_write, NULL, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "UDP write child ran (status %#x)",
	      status);
	if (seen)
		check(count_udp(sport, dport) == 1,
		      "%s backend: 3 write()s on a connected UDP socket, one send record "
		      "127.0.0.1:%d -> 127.0.0.1:%d (got %zu)",
		      sr_backend_name(sr_capture_backend(cap)), sport, dport,
		      count_udp(sport, dport));
	else
		check(count_udp(sport, dport) == 0,
		      "tracepoint backend without sock:sock_send_length (before 6.3): write() on a "
		      "connected UDP socket is not seen, as documented (got %zu)",
		      count_udp(sport, dport));
	spawn(cg_sess, do_udp_send, NULL, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && count_udp(sport, dport) == 1,
	      "send() after the write()s to the same peer: still exactly one record (got %zu)",
	      count_udp(sport, dport));
	spawn(cg_sess, do_udp_sendto_other, NULL, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && count_udp(sport2, oport) == 1 &&
	          count_udp(sport2, dport) == 0,
	      "sendto() with another address on a connected socket: recorded to it (%zu), not to "
	      "the peer (%zu)",
	      count_udp(sport2, oport), count_udp(sport2, dport));
	close(udp_fd);
	close(udp_fd2);
	close(rx);
	close(rx2);
}

/* ---- sendmmsg: every message's destination ----------------------------- */

#define MMSG_N 12 /* more than the 8 messages the tracepoint backend used to scan */

static struct sockaddr_in mmsg_dst[MMSG_N];

static void do_sendmmsg(void *arg)
{
	struct mmsghdr v[MMSG_N];
	struct iovec io = {.iov_base = "m", .iov_len = 1};
	int i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < MMSG_N; i++) {
		v[i].msg_hdr.msg_name = &mmsg_dst[i];
		v[i].msg_hdr.msg_namelen = sizeof(mmsg_dst[i]);
		v[i].msg_hdr.msg_iov = &io;
		v[i].msg_hdr.msg_iovlen = 1;
	}
	if (sendmmsg(*(int *)arg, v, MMSG_N, 0) != MMSG_N)
		_exit(7);
}

/*
 * One sendmmsg(2) of 12 datagrams, each to another port: 12 records on
 * every backend, the 9th to 12th included (an attacker's datagram after
 * eight harmless ones must not go unrecorded).
 */
static void t_udp_sendmmsg(void)
{
	int rx[MMSG_N], dport[MMSG_N], fd, sport, status, i, got = 0, late = 0;
	struct sockaddr_in src;

	for (i = 0; i < MMSG_N; i++)
		rx[i] = udp_bound(&mmsg_dst[i], &dport[i]);
	fd = udp_bound(&src, &sport);
	spawn(cg_sess, do_sendmmsg, &fd, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sendmmsg child ran (status %#x)",
	      status);
	for (i = 0; i < MMSG_N; i++) {
		got += count_udp(sport, dport[i]) == 1;
		late += i >= 8 && count_udp(sport, dport[i]) == 1;
	}
	check(got == MMSG_N && late == MMSG_N - 8,
	      "%s backend: one sendmmsg of %d datagrams to %d ports, one record each (%d of %d; "
	      "the 9th to 12th: %d of %d)",
	      sr_backend_name(sr_capture_backend(cap)), MMSG_N, MMSG_N, got, MMSG_N, late,
	      MMSG_N - 8);
	close(fd);
	for (i = 0; i < MMSG_N; i++)
		close(rx[i]);
}

static void t_escape(void)
{
	char script[1024];
	const struct sr_exec_event *e;
	size_t i;
	int status, found = 0;
	pid_t pid;

	snprintf(script, sizeof(script), "echo $$ > %s/cgroup.procs && /bin/true escaped-marker",
	         cg_other);
	pid = run_sh(cg_sess, script, &status);
	drain(cap);
	for (i = 0; i < nrecs; i++) {
		const struct sr_escape_event *x = (const void *)recs[i]->data;

		if (x->hdr.type == SR_EV_ESCAPE && x->hdr.pid == (uint32_t)pid &&
		    x->to_cgroup_id == other_cgid && x->hdr.cgroup_id == sess_cgid &&
		    x->hdr.session_key == KEY)
			found = 1;
	}
	check(found, "escape record: pid %d left cgroup %llu for %llu", pid,
	      (unsigned long long)sess_cgid, (unsigned long long)other_cgid);
	e = find_exec(SR_EV_EXEC, 0, "/bin/true", "escaped-marker");
	check(e && e->hdr.session_key == KEY && e->hdr.cgroup_id == other_cgid,
	      "after the escape the process is still recorded (exec in cgroup %llu, match %u)",
	      e ? (unsigned long long)e->hdr.cgroup_id : 0ULL, e ? e->hdr.match : 0);
}

/* Run tests/kernel/uring_ops with @a1..@a3 in the session, from tmpdir. */
static pid_t run_uring(const char *a1, const char *a2, const char *a3, int *status)
{
	static char bin[512];
	const char *top = getenv("SR_TOP_BUILDDIR");
	char *argv[] = {bin, (char *)a1, (char *)a2, (char *)a3, NULL};

	snprintf(bin, sizeof(bin), "%s/tests/kernel/uring_ops", top ? top : ".");
	return run_argv(cg_sess, argv, status);
}

static const struct sr_fchange_event *find_fc(pid_t pid, uint32_t op, const char *name);
static void compat_fchanges(pid_t pid);
static bool fc_path2(const struct sr_fchange_event *c, const char *want, bool raw);
static unsigned test_umask(void);

static void t_uring(void)
{
	const struct sr_fchange_event *f;
	char missing[512], rel[512];
	const struct sr_open_event *o;
	const struct sr_connect_event *c;
	struct sockaddr_storage ss;
	socklen_t sl;
	char port[16];
	int status, lfd;
	pid_t pid;
	bool hooks = sr_capture_backend(cap) != SR_BACKEND_TRACEPOINT;

	pid = run_uring("openat", "/etc/hostname", NULL, &status);
	drain(cap);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "io_uring helper ran (status %#x)",
	      status);
	o = find_open(pid, "/etc/hostname", strlen("/etc/hostname"));
	check(o && o->ret >= 0 &&
	          (hooks ? (o->oflags & SR_OPEN_NO_FD) && o->hdr.source == sr_capture_backend(cap)
	                 : o->syscall == SR_SYS_URING_OPENAT && !(o->oflags & SR_OPEN_RET_UNKNOWN)),
	      "io_uring IORING_OP_OPENAT of /etc/hostname recorded (ret %lld, syscall %u, "
	      "source %u)",
	      o ? (long long)o->ret : 0LL, o ? o->syscall : 0, o ? o->hdr.source : 0);

	pid = run_uring("openat", "uring-missing-file", NULL, &status);
	drain(cap);
	snprintf(missing, sizeof(missing), "%s/uring-missing-file", tmpdir);
	o = find_open(pid, missing, strlen(missing));
	check(o && o->ret == -ENOENT && (o->oflags & SR_OPEN_PATH_RESOLVED),
	      "io_uring openat of a missing file: resolved against the cwd, -ENOENT (got %lld)",
	      o ? (long long)o->ret : 0LL);

	pid = run_uring("openat2", "/etc/hostname", NULL, &status);
	drain(cap);
	o = find_open(pid, "/etc/hostname", strlen("/etc/hostname"));
	check(o && o->ret >= 0 && (hooks || o->syscall == SR_SYS_URING_OPENAT2),
	      "io_uring IORING_OP_OPENAT2 recorded (syscall %u)", o ? o->syscall : 0);

	snprintf(rel, sizeof(rel), "%s/relfile", tmpdir);
	pid = run_uring("openat-dirfd", "/", rel + 1, &status);
	drain(cap);
	o = find_open(pid, rel, strlen(rel));
	check(o && o->ret >= 0 && (o->oflags & SR_OPEN_PATH_RESOLVED),
	      "io_uring openat relative to a dirfd resolved to %s", rel);

	pid = run_uring("openat-skip", "/etc/hostname", NULL, &status);
	drain(cap);
	o = find_open(pid, "/etc/hostname", strlen("/etc/hostname"));
	check(o && (hooks ? (o->oflags & SR_OPEN_NO_FD) != 0
	                  : (o->oflags & SR_OPEN_RET_UNKNOWN) && o->ret == 0),
	      "io_uring open without a completion (CQE_SKIP_SUCCESS) recorded%s (oflags %#x)",
	      hooks ? " at the hook" : ", result flagged unknown", o ? o->oflags : 0);

	/* file changes: at the submission (tracepoints) or the path hook, result unknown */
	snprintf(rel, sizeof(rel), "%s/uring-victim", tmpdir);
	close(creat(rel, 0600));
	pid = run_uring("renameat", "uring-victim", "uring-renamed", &status);
	drain(cap);
	f = find_fc(pid, SR_FC_RENAME, "uring-victim");
	check(f && f->ret == 0 && (f->cflags & SR_FC_RET_UNKNOWN) &&
	          fc_path2(f, "uring-renamed", false),
	      "io_uring IORING_OP_RENAMEAT recorded with both names resolved, result unknown");
	snprintf(rel, sizeof(rel), "%s/uring-other", tmpdir);
	close(creat(rel, 0600));
	pid = run_uring("exchange", "uring-renamed", "uring-other", &status);
	drain(cap);
	f = find_fc(pid, SR_FC_EXCHANGE, "uring-renamed");
	check(f && (f->cflags & SR_FC_RET_UNKNOWN) && fc_path2(f, "uring-other", false) &&
	          !find_fc(pid, SR_FC_RENAME, "uring-renamed") && access(rel, F_OK) == 0,
	      "io_uring IORING_OP_RENAMEAT with RENAME_EXCHANGE recorded as an exchange of both "
	      "names, not a rename");
	unlink(rel);
	pid = run_uring("mkdirat", "uring-dir", NULL, &status);
	drain(cap);
	f = find_fc(pid, SR_FC_MKDIR, "uring-dir");
	check(f && (f->cflags & SR_FC_RET_UNKNOWN) && (f->cflags & SR_OPEN_PATH_RESOLVED) &&
	          f->mode == (0750 & ~test_umask()),
	      "io_uring IORING_OP_MKDIRAT recorded, resolved, its mode with the umask applied "
	      "(%#o)",
	      f ? f->mode : 0);
	snprintf(rel, sizeof(rel), "%s/uring-dir", tmpdir);
	rmdir(rel);
	pid = run_uring("unlinkat", "uring-renamed", NULL, &status);
	drain(cap);
	f = find_fc(pid, SR_FC_UNLINK, "uring-renamed");
	check(f && (f->cflags & SR_FC_RET_UNKNOWN) && (f->cflags & SR_OPEN_PATH_RESOLVED),
	      "io_uring IORING_OP_UNLINKAT recorded, resolved, result unknown");

	lfd = listener(AF_INET, &ss, &sl);
	snprintf(port, sizeof(port), "%d", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	pid = run_uring("connect", "127.0.0.1", port, &status);
	drain(cap);
	c = find_connect(pid, AF_INET, atoi(port));
	check(c && c->op == SR_CONNECT_ESTABLISHED, "io_uring IORING_OP_CONNECT recorded, "
	                                            "established");
	close(lfd);
}

static void t_outside(void)
{
	char *argv[] = {"/bin/true", "outside-marker", NULL};
	int status;
	pid_t pid, pid2;

	pid = run_argv(NULL, argv, &status);
	pid2 = spawn(NULL, do_opens, NULL, &status);
	drain(cap);
	check(count_pid(pid) == 0 && count_pid(pid2) == 0 &&
	          !find_exec(SR_EV_EXEC, 0, NULL, "outside-marker"),
	      "processes outside the session cgroup produce zero records");
}

/*
 * The 32-bit helper's UDP sends (one datagram to each of 8 ports: sendto,
 * sendmsg, sendmmsg x2, then socketcall's sendto, sendmsg, sendmmsg x2):
 * one record per port on every backend.
 */
static void compat_udp(pid_t pid, const int port[8])
{
	static const char *const how[8] = {"sendto",
	                                   "sendmsg",
	                                   "sendmmsg #1",
	                                   "sendmmsg #2",
	                                   "socketcall sendto",
	                                   "socketcall sendmsg",
	                                   "socketcall sendmmsg #1",
	                                   "socketcall sendmmsg #2"};
	int i;

	for (i = 0; i < 8; i++)
		check(count_udp_by(pid, 0, port[i]) == 1,
		      "%s backend: 32-bit UDP %s to 127.0.0.1:%d recorded once (got %zu)",
		      sr_backend_name(sr_capture_backend(cap)), how[i], port[i],
		      count_udp_by(pid, 0, port[i]));
}

static void t_compat(void)
{
	char bin[512], path[512], ports[8][8];
	char *argv[] = {bin,      tmpdir,   ports[0], ports[1], ports[2], ports[3],
	                ports[4], ports[5], ports[6], ports[7], NULL};
	struct sockaddr_in rxa;
	int rx[8], port[8], i;
	const char *top = getenv("SR_TOP_BUILDDIR");
	const struct sr_open_event *o;
	const struct sr_exec_event *e;
	enum sr_ia32 ia32;
	int status;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/tests/kernel/compat32", top ? top : ".");
	if (access(bin, X_OK) < 0) {
		check(0, "compat: 32-bit helper %s missing (make check builds it; needs gcc -m32)",
		      bin);
		return;
	}
	ia32 = sr_ia32_state(bin);
	check(ia32 != SR_IA32_UNKNOWN, "compat path probed: a 32-bit exec and int $0x80 agree (%s)",
	      ia32 == SR_IA32_OPEN ? "open" : "closed");
	/* The Debian guests boot with IA-32 emulation on: recording is proven there. */
	if (getenv("SR_EXPECT_IA32"))
		check(ia32 == SR_IA32_OPEN, "SR_EXPECT_IA32: this kernel runs 32-bit code");
	if (ia32 == SR_IA32_CLOSED) {
		pid = run_argv(cg_sess, argv, &status);
		drain(cap);
		e = find_exec(SR_EV_EXEC_FAIL, pid, bin, NULL);
		check(e && e->ret == -ENOEXEC,
		      "IA-32 emulation off in this kernel: the 32-bit exec is refused "
		      "(ENOEXEC) and recorded as a failed exec (got %d)",
		      e ? e->ret : 0);
		return;
	}
	if (ia32 != SR_IA32_OPEN)
		return;
	for (i = 0; i < 8; i++) {
		rx[i] = udp_bound(&rxa, &port[i]);
		snprintf(ports[i], sizeof(ports[i]), "%d", port[i]);
	}
	pid = run_argv(cg_sess, argv, &status);
	drain(cap);
	for (i = 0; i < 8; i++)
		close(rx[i]);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "compat helper ran (status %#x)",
	      status);
	compat_udp(pid, port);
	snprintf(path, sizeof(path), "%s/compat-creat", tmpdir);
	o = find_open(pid, path, strlen(path));
	/* the hooks see the open, not the syscall: no compat flag there */
	check(o && (on_hooks() || (o->oflags & SR_OPEN_COMPAT)) && o->ret >= 0,
	      "32-bit compat creat/open recorded and resolved (%s)", path);
	snprintf(path, sizeof(path), "%s/compat-missing-file", tmpdir);
	o = find_open(pid, path, strlen(path));
	check(o && (on_hooks() || ((o->oflags & SR_OPEN_COMPAT) && o->syscall == SR_SYS_OPENAT)) &&
	          o->ret == -ENOENT,
	      "32-bit compat openat recorded with -ENOENT");
	e = find_exec(SR_EV_EXEC_FAIL, pid, "/nonexistent/compat-missing", "compat-arg");
	check(e && (e->flags & SR_EXEC_COMPAT) && e->ret == -2 && e->argc == 2,
	      "32-bit compat failed execve recorded with 32-bit argv");
	compat_fchanges(pid);
}

static void do_marker_open(void *arg)
{
	open((const char *)arg, O_RDONLY);
}

static int link_pinned(const char *prog)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/v%d/%s/link_%s", pin_dir, SR_EVENTS_ABI_VERSION,
	         sr_backend_name(sr_capture_backend(cap)), prog);
	return access(p, F_OK) == 0;
}

/* The program that records opens on a backend (its link shows the set is attached). */
static const char *open_prog(enum sr_backend b)
{
	return b == SR_BACKEND_LSM      ? "sr_lsm_file_open"
	       : b == SR_BACKEND_FENTRY ? "sr_fentry_file_open"
	                                : "sr_enter_openat";
}

static int count_links(const char *name);

static void t_switches(void)
{
	const char *m1 = "/nonexistent/class-off-marker", *m2 = "/nonexistent/detached-marker",
	           *m3 = "/nonexistent/reattached-marker";
	int status, err;
	pid_t pid;

	err = sr_capture_session_set_classes(
	    cap, KEY, SR_CLASS_BIT(SR_CLASS_COMMAND) | SR_CLASS_BIT(SR_CLASS_NETWORK), 0);
	pid = spawn(cg_sess, do_marker_open, (void *)m1, &status);
	drain(cap);
	check(!err && !find_open(pid, m1, strlen(m1)) && find_exit(pid),
	      "disk class off for the session: no open record, exit still recorded");
	sr_capture_session_set_classes(cap, KEY, SR_CLASS_ALL, 0);

	if (on_hooks()) {
		bool fe = sr_capture_backend(cap) == SR_BACKEND_FENTRY;

		/*
		 * demand ALL since the start: still no program that taxes every
		 * syscall; the on-demand ones are the open and UDP send hooks
		 */
		check(
		    !link_pinned("sr_enter_openat") && !link_pinned("sr_exit_openat") &&
		        !link_pinned("sr_enter_execve") && !link_pinned("sr_compat_enter") &&
		        !link_pinned("sr_enter_sendto") && !link_pinned("sr_compat_send_enter") &&
		        (sr_capture_demand_classes(cap) & SR_CLASS_ALL) ==
		            (SR_CLASS_BIT(SR_CLASS_DISK) | SR_CLASS_BIT(SR_CLASS_NETWORK)) &&
		        link_pinned("sr_fexit_filp_open") &&
		        link_pinned(open_prog(sr_capture_backend(cap))) &&
		        link_pinned(fe ? "sr_fentry_udp_sendmsg" : "sr_lsm_udp_sendmsg"),
		    "%s backend: no syscall tracepoint attached although sessions record disk and "
		    "network; its on-demand open and UDP send programs are",
		    sr_backend_name(sr_capture_backend(cap)));
		/* the marker's open fails: only the fexit on do_filp_open() records it */
		err = sr_capture_set_demand(cap, 0);
		pid = spawn(cg_sess, do_marker_open, (void *)m2, &status);
		drain(cap);
		check(!err && !link_pinned("sr_fexit_filp_open") &&
		          count_links("sr_fexit_filp_open") == 0 &&
		          !link_pinned(fe ? "sr_fentry_file_open" : "sr_lsm_file_open") &&
		          count_links(fe ? "sr_fentry_file_open" : "sr_lsm_file_open") == 0 &&
		          link_pinned("sr_exec") && !find_open(pid, m2, strlen(m2)) &&
		          find_exit(pid),
		      "no session wants disk: the programs on every open detached (pins and links "
		      "of sr_fexit_filp_open and %s gone, sr_exec kept), no open record, exit "
		      "still recorded",
		      fe ? "sr_fentry_file_open" : "sr_lsm_file_open");
		err = sr_capture_set_demand(cap, SR_CLASS_ALL);
		pid = spawn(cg_sess, do_marker_open, (void *)m3, &status);
		drain(cap);
		check(!err && link_pinned("sr_fexit_filp_open") &&
		          link_pinned(fe ? "sr_fentry_file_open" : "sr_lsm_file_open") &&
		          find_open(pid, m3, strlen(m3)),
		      "reattached: the failed open recorded again");
		return;
	}
	err = sr_capture_set_demand(cap, 0);
	check(!err && !link_pinned("sr_enter_openat") && !link_pinned("sr_compat_enter") &&
	          !link_pinned("sr_compat_send_enter") && link_pinned("sr_exec"),
	      "syscall tracepoints detached and their pins removed, core links kept");
	pid = spawn(cg_sess, do_marker_open, (void *)m2, &status);
	drain(cap);
	check(!find_open(pid, m2, strlen(m2)) && find_exit(pid),
	      "detached: no open record, exec/exit capture unaffected");
	err = sr_capture_set_demand(cap, SR_CLASS_ALL);
	pid = spawn(cg_sess, do_marker_open, (void *)m3, &status);
	drain(cap);
	check(!err && link_pinned("sr_enter_openat") && link_pinned("sr_compat_send_enter") &&
	          find_open(pid, m3, strlen(m3)),
	      "reattached: open recorded again (and the 32-bit send programs attached)");
}

/*
 * The session policy's own LSM programs (a trampoline on every exec, open and
 * connect of the host) are attached only while a policy has rules.
 */
static void t_policy_demand(void)
{
	/* sr_pol_open: the policy's own file_open, on the backends that record elsewhere */
	bool lsm = sr_capture_backend(cap) == SR_BACKEND_LSM;
	int err;

	if (sr_capture_policy_mech(cap) != SR_POLICY_MECH_LSM) {
		printf("NOTE: BPF LSM is not active: the policy's own programs are not tested "
		       "here (the Debian guests do)\n");
		return;
	}
	err = sr_capture_set_demand(cap, SR_CLASS_ALL);
	check(!err && (sr_capture_demand_classes(cap) & SR_CAPTURE_DEMAND_POLICY) &&
	          !link_pinned("sr_pol_exec") && count_links("sr_pol_exec") == 0 &&
	          !link_pinned("sr_pol_sendmsg") && (lsm || count_links("sr_pol_open") == 0) &&
	          link_pinned("sr_exec"),
	      "no policy with rules: the policy's programs are not attached (sessions record "
	      "every class)");
	err = sr_capture_set_demand(cap, SR_CLASS_ALL | SR_CAPTURE_DEMAND_POLICY);
	check(!err && link_pinned("sr_pol_exec") && count_links("sr_pol_exec") == 1 &&
	          link_pinned("sr_pol_sendmsg") && (lsm || link_pinned("sr_pol_open")) &&
	          (!lsm || link_pinned("sr_lsm_file_open")),
	      "a policy with rules: its programs attached");
	err = sr_capture_set_demand(cap, SR_CLASS_ALL);
	check(!err && !link_pinned("sr_pol_exec") && count_links("sr_pol_exec") == 0 &&
	          (lsm ? link_pinned("sr_lsm_file_open") : !link_pinned("sr_pol_open")),
	      "no rules any more: detached again%s",
	      lsm ? " (sr_lsm_file_open, which records disk, stays)" : "");
	/* rules and no session recording disk: LSM's file_open still refuses writes */
	err = sr_capture_set_demand(cap, SR_CAPTURE_DEMAND_POLICY);
	check(!err && link_pinned("sr_pol_exec") && !link_pinned("sr_fexit_filp_open") &&
	          (lsm ? link_pinned("sr_lsm_file_open") && count_links("sr_lsm_file_open") == 1
	               : link_pinned("sr_pol_open")),
	      "rules, disk not recorded: %s attached, sr_fexit_filp_open not",
	      lsm ? "sr_lsm_file_open (the policy's open check)" : "sr_pol_open");
	err = sr_capture_set_demand(cap, 0);
	check(!err && !link_pinned("sr_pol_exec") && count_links("sr_pol_open") == 0 &&
	          count_links("sr_lsm_file_open") == 0 && count_links("sr_fexit_filp_open") == 0,
	      "neither rules nor disk: no program on the open path attached");
	err = sr_capture_set_demand(cap, SR_CLASS_ALL);
	check(!err && link_pinned(open_prog(sr_capture_backend(cap))),
	      "disk recorded again: %s attached", open_prog(sr_capture_backend(cap)));
}

static enum sr_backend forced = SR_BACKEND_AUTO; /* SR_CAPTURE_BACKEND */

/* Close the capture (the daemon "stops"), run @marker's exec, reopen on @b. */
static int reopen(enum sr_backend b, const char *marker, uint32_t demand)
{
	char *argv[] = {"/bin/true", (char *)marker, NULL};
	struct sr_capture_opts o = {
	    .pin = true, .pin_dir = pin_dir, .backend = b, .demand = demand};
	int status;

	sr_capture_close(cap);
	cap = NULL;
	run_argv(cg_sess, argv, &status);
	return sr_capture_open(&o, &cap);
}

static size_t count_exec(const char *marker)
{
	size_t i, n = 0;

	for (i = 0; i < nrecs; i++) {
		const struct sr_exec_event *e = (const void *)recs[i]->data;

		n += e->hdr.type == SR_EV_EXEC &&
		     memmem(exec_argv(e), e->argv_len, marker, strlen(marker)) != NULL;
	}
	return n;
}

/* Links in the whole kernel whose program is named @name (as truncated by the kernel). */
static int count_links(const char *name)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 ll = sizeof(li), pl = sizeof(pi);
		int fd = bpf_link_get_fd_by_id(id), pfd;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &li, &ll) &&
		    (pfd = bpf_prog_get_fd_by_id(li.prog_id)) >= 0) {
			if (!bpf_obj_get_info_by_fd(pfd, &pi, &pl) &&
			    !strncmp(pi.name, name, sizeof(pi.name) - 1))
				n++;
			close(pfd);
		}
		close(fd);
	}
	return n;
}

/* Timestamps of the exec records of @marker, for a failure message. */
static void exec_times(const char *marker, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < nrecs && off < len; i++) {
		const struct sr_exec_event *e = (const void *)recs[i]->data;

		if (e->hdr.type == SR_EV_EXEC &&
		    memmem(exec_argv(e), e->argv_len, marker, strlen(marker)))
			off += (size_t)snprintf(buf + off, len - off, " %llu/%u/#%zu",
			                        (unsigned long long)e->hdr.ts_ns, e->hdr.tid, i);
	}
}

static void t_restart(void)
{
	enum sr_backend was = sr_capture_backend(cap), other;
	char stale[512], times[256];
	int err;

	err = reopen(forced, "while-down-marker", 0);
	check(!err && cap && sr_capture_reused(cap), "reopened from pins (reused maps)");
	if (err)
		return;
	drain(cap);
	check(count_exec("while-down-marker") == 1,
	      "exec made while no loader was running is in the pinned ring buffer, once");
	check(link_pinned(open_prog(was)), "pinned %s links survived the restart",
	      sr_backend_name(was));

	/* Another backend's pin set is stale: it goes once this one is attached. */
	other = was == SR_BACKEND_TRACEPOINT ? SR_BACKEND_LSM : SR_BACKEND_TRACEPOINT;
	snprintf(stale, sizeof(stale), "%s/v%d/%s", pin_dir, SR_EVENTS_ABI_VERSION,
	         sr_backend_name(other));
	if (was == SR_BACKEND_TRACEPOINT) {
		/* only this backend works here: plant a stale set by hand */
		char sub[600];

		snprintf(sub, sizeof(sub), "%s/planted", stale);
		mkdir(stale, 0700);
		mkdir(sub, 0700);
		err = reopen(forced, "switch-marker", 0);
		check(!err && access(stale, F_OK) < 0 && link_pinned(open_prog(was)),
		      "a stale pin set of another backend is removed at open");
		drain(cap);
		return;
	}
	/* a hook backend: switch to the tracepoints, then back */
	err = reopen(SR_BACKEND_TRACEPOINT, "switch-marker", 0);
	drain(cap);
	snprintf(stale, sizeof(stale), "%s/v%d/%s", pin_dir, SR_EVENTS_ABI_VERSION,
	         sr_backend_name(was));
	check(count_links(open_prog(was)) == 0, "the %s programs are detached (%d links left)",
	      sr_backend_name(was), count_links(open_prog(was)));
	check(!err && sr_capture_reused(cap) && access(stale, F_OK) < 0 && link_pinned("sr_exec") &&
	          count_exec("switch-marker") == 1,
	      "restart on the tracepoint backend: %s pins removed, ring buffer kept, the exec "
	      "made meanwhile recorded once",
	      sr_backend_name(was));
	/* a session records disk again: the on-demand programs come back with the rest */
	err = reopen(was, "switch-back-marker", SR_CLASS_ALL);
	drain(cap);
	exec_times("switch-back-marker", times, sizeof(times));
	check(!err && sr_capture_backend(cap) == was && link_pinned(open_prog(was)) &&
	          count_exec("switch-back-marker") == 1,
	      "and back on %s (err %d, link %d, exec records%s)", sr_backend_name(was), err,
	      link_pinned(open_prog(was)), times);
}

/* ---- file changes ---------------------------------------------------------- */

/* A unix socket bound to @name: the kernel makes its node through the mknod hook. */
static void fc_unix_bind(const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		unlink(name);
	if (s >= 0)
		close(s);
}

static void do_fchanges(void *arg)
{
	int fd;

	(void)arg;
	if (chdir(tmpdir) < 0)
		_exit(101);
	close(creat("fa", 0600));
	rename("fa", "fb");
	link("fb", "fl");
	symlink("fb", "fs");
	/* swapped and swapped back: two exchanges, no rename */
	syscall(SYS_renameat2, AT_FDCWD, "fb", AT_FDCWD, "fs", RENAME_EXCHANGE);
	syscall(SYS_renameat2, AT_FDCWD, "fb", AT_FDCWD, "fs", RENAME_EXCHANGE);
	chmod("fb", 0640);
	truncate("fb", 5);
	close(open("fb", O_WRONLY | O_TRUNC)); /* an open with O_TRUNC, not a truncate */
	fd = open("fb", O_WRONLY);
	ftruncate(fd, 2);
	fchmod(fd, 0600);
	fchown(fd, (uid_t)-1, 0);
	close(fd);
	unlink("fl");
	unlink("fs");
	mkdir("fdir", 0777); /* the umask matters: the hooks get it unapplied on ACL filesystems */
	rmdir("fdir");
	/* nodes: glibc's mkfifo is mknodat; mknod(2) itself; type 0 is a regular file */
	mkfifo("ffifo", 0666);
	syscall(SYS_mknod, "fchr", S_IFCHR | 0666, makedev(1, 3));
	syscall(SYS_mknodat, AT_FDCWD, "freg", 0666, 0);
	unlink("ffifo");
	unlink("fchr");
	unlink("freg");
	fc_unix_bind("fsock");
	/* AT_EMPTY_PATH: the fd's own file (how an O_TMPFILE file gets a name) */
	fd = open("fe", O_CREAT | O_WRONLY, 0600);
	linkat(fd, "", AT_FDCWD, "fe2", AT_EMPTY_PATH);
	fchownat(fd, "", (uid_t)-1, 0, AT_EMPTY_PATH);
	close(fd);
	unlink("fe2");
	unlink("fe");
	unlink("/nonexistent/sshrec-fc");
	unlink("fb");
}

/* The file change @op of @pid on @name (relative to tmpdir, or absolute) (NULL: none). */
static const struct sr_fchange_event *find_fc(pid_t pid, uint32_t op, const char *name)
{
	char path[512];
	size_t i;

	snprintf(path, sizeof(path), name[0] == '/' ? "%s" : "%s/%s",
	         name[0] == '/' ? name : tmpdir, name);
	for (i = 0; i < nrecs; i++) {
		const struct sr_fchange_event *c = (const void *)recs[i]->data;

		if (c->hdr.type == SR_EV_FCHANGE && c->hdr.pid == (uint32_t)pid && c->op == op &&
		    c->path_len == strlen(path) + 1 && !memcmp(c->data, path, c->path_len))
			return c;
	}
	return NULL;
}

/* This process's umask (its children, the test's actors, inherit it). */
static unsigned test_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

/* Its second path is @want (relative to tmpdir unless @raw). */
static bool fc_path2(const struct sr_fchange_event *c, const char *want, bool raw)
{
	char path[512];

	snprintf(path, sizeof(path), raw ? "%s%s" : "%s/%s", raw ? "" : tmpdir, want);
	return c && c->path2_len == strlen(path) + 1 &&
	       !memcmp(c->data + c->path_len, path, c->path2_len);
}

/* Its result: @want on the syscall tracepoints, not known at a security hook. */
static bool fc_ret(const struct sr_fchange_event *c, long want)
{
	return c && (on_hooks() ? c->ret == 0 && (c->cflags & SR_FC_RET_UNKNOWN)
	                        : c->ret == want && !(c->cflags & SR_FC_RET_UNKNOWN));
}

/* How many file changes @op of @pid on @name, to @name2, with the result 0 (fc_ret). */
static size_t count_fc(pid_t pid, uint32_t op, const char *name, const char *name2)
{
	char path[512];
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	for (i = 0; i < nrecs; i++) {
		const struct sr_fchange_event *c = (const void *)recs[i]->data;

		n += c->hdr.type == SR_EV_FCHANGE && c->hdr.pid == (uint32_t)pid && c->op == op &&
		     c->path_len == strlen(path) + 1 && !memcmp(c->data, path, c->path_len) &&
		     fc_path2(c, name2, false) && fc_ret(c, 0);
	}
	return n;
}

/* The nodes of do_fchanges: mknodat (mkfifo), mknod(2), a type-0 mknodat, a unix bind. */
static void fc_nodes(pid_t pid)
{
	unsigned perm = 0666 & ~test_umask();
	const struct sr_fchange_event *c = find_fc(pid, SR_FC_MKNOD, "ffifo");

	check(fc_ret(c, 0) && c->mode == (S_IFIFO | perm) && c->length == 0,
	      "mkfifo recorded as a mknod of a FIFO, the umask applied (%#o)", c ? c->mode : 0);
	c = find_fc(pid, SR_FC_MKNOD, "fchr");
	check(fc_ret(c, 0) && c->mode == (S_IFCHR | perm) && c->length == 0x103,
	      "mknod(2) of a char device recorded with its device number (%#o, %#llx)",
	      c ? c->mode : 0, c ? (unsigned long long)c->length : 0ull);
	c = find_fc(pid, SR_FC_MKNOD, "freg");
	check(fc_ret(c, 0) && c->mode == (S_IFREG | perm),
	      "mknodat of type 0 recorded as a regular file made (%#o)", c ? c->mode : 0);
	c = find_fc(pid, SR_FC_MKNOD, "fsock");
	if (on_hooks())
		check(c && c->mode == (S_IFSOCK | (0777 & ~test_umask())),
		      "a unix socket's bind to a path recorded at the mknod hook (%#o)",
		      c ? c->mode : 0);
	else
		check(!c, "a unix socket's bind makes no mknod syscall: not a mknod record");
}

static void t_fchange(void)
{
	const struct sr_fchange_event *c;
	int status;
	pid_t pid = spawn(cg_sess, do_fchanges, NULL, &status);

	drain(cap);
	c = find_fc(pid, SR_FC_RENAME, "fa");
	check(fc_ret(c, 0) && (c->cflags & SR_OPEN_PATH_RESOLVED) && fc_path2(c, "fb", false),
	      "rename recorded with both names resolved and its result");
	c = find_fc(pid, SR_FC_LINK, "fb");
	check(fc_ret(c, 0) && fc_path2(c, "fl", false), "link recorded with the new name");
	c = find_fc(pid, SR_FC_SYMLINK, "fs");
	check(fc_ret(c, 0) && fc_path2(c, "fb", true), "symlink recorded with its content");
	check(count_fc(pid, SR_FC_EXCHANGE, "fb", "fs") == 2 && !find_fc(pid, SR_FC_RENAME, "fb"),
	      "renameat2 RENAME_EXCHANGE, twice: two exchanges of fb and fs with their result, "
	      "no rename (%zu)",
	      count_fc(pid, SR_FC_EXCHANGE, "fb", "fs"));
	c = find_fc(pid, SR_FC_CHMOD, "fb");
	check(fc_ret(c, 0) && c->mode == 0640, "chmod recorded with its mode");
	c = find_fc(pid, SR_FC_MKDIR, "fdir");
	check(fc_ret(c, 0) && c->mode == (0777 & ~test_umask()),
	      "mkdir recorded with its mode, the umask applied (%#o)", c ? c->mode : 0);
	c = find_fc(pid, SR_FC_CHOWN, "fb");
	check(fc_ret(c, 0) && c->uid == UINT32_MAX && c->gid == 0,
	      "fchown recorded with its file's path, the owner left unchanged");
	fc_nodes(pid);
	c = find_fc(pid, SR_FC_LINK, "fe");
	check(fc_ret(c, 0) && fc_path2(c, "fe2", false),
	      "linkat(fd, \"\", AT_EMPTY_PATH) recorded as a link of the fd's file");
	c = find_fc(pid, SR_FC_CHOWN, "fe");
	check(fc_ret(c, 0) && c->gid == 0,
	      "fchownat(fd, \"\", AT_EMPTY_PATH) recorded with the fd's file");
	check(find_fc(pid, SR_FC_UNLINK, "fl") && find_fc(pid, SR_FC_UNLINK, "fs") &&
	          find_fc(pid, SR_FC_RMDIR, "fdir") && find_fc(pid, SR_FC_UNLINK, "fb"),
	      "unlinks and rmdir recorded");
	c = find_fc(pid, SR_FC_UNLINK, "/nonexistent/sshrec-fc");
	if (on_hooks()) {
		size_t i, n = 0;

		/* no length at the hook: truncate(2) and ftruncate(2) are two of fb */
		for (i = 0; i < nrecs; i++) {
			const struct sr_fchange_event *e = (const void *)recs[i]->data;

			n += e == find_fc(pid, SR_FC_TRUNCATE, "fb") ||
			     (e->hdr.type == SR_EV_FCHANGE && e->hdr.pid == (uint32_t)pid &&
			      e->op == SR_FC_TRUNCATE && (e->cflags & SR_FC_LEN_UNKNOWN) &&
			      e->path_len == find_fc(pid, SR_FC_TRUNCATE, "fb")->path_len &&
			      !memcmp(e->data, find_fc(pid, SR_FC_TRUNCATE, "fb")->data,
			              e->path_len));
		}
		check(find_fc(pid, SR_FC_TRUNCATE, "fb") && n == 2,
		      "truncate and ftruncate recorded at the hook, length unknown, and not the "
		      "O_TRUNC open (%zu)",
		      n);
		check(!c, "a unlink failing in lookup never reaches the hook: not recorded");
		return;
	}
	c = find_fc(pid, SR_FC_TRUNCATE, "fb");
	check(fc_ret(c, 0) && c->length == 5, "truncate recorded with its length");
	c = NULL;
	for (size_t i = 0; i < nrecs; i++) {
		const struct sr_fchange_event *e = (const void *)recs[i]->data;

		if (e->hdr.type == SR_EV_FCHANGE && e->hdr.pid == (uint32_t)pid &&
		    e->op == SR_FC_TRUNCATE && e->length == 2)
			c = e;
	}
	check(c && c->path_len > 1 && !c->ret, "ftruncate recorded with its file's path");
	c = find_fc(pid, SR_FC_UNLINK, "/nonexistent/sshrec-fc");
	check(c && c->ret == -ENOENT && !(c->cflags & SR_OPEN_PATH_RESOLVED),
	      "a failed unlink recorded with -ENOENT");
}

/* The 32-bit file changes of tests/kernel/compat32.c (run by t_compat as @pid). */
static void compat_fchanges(pid_t pid)
{
	const struct sr_fchange_event *c;
	size_t i;

	c = find_fc(pid, SR_FC_RENAME, "c-fa");
	check(fc_ret(c, 0) && fc_path2(c, "c-fb", false), "32-bit rename recorded with both names");
	c = find_fc(pid, SR_FC_RENAME, "c-fb");
	check(fc_ret(c, 0) && fc_path2(c, "c-fr", false), "32-bit renameat2 recorded");
	c = find_fc(pid, SR_FC_MKDIR, "c-dir");
	check(fc_ret(c, 0) && c->mode == (0700 & ~test_umask()),
	      "32-bit mkdir recorded with its mode (%#o)", c ? c->mode : 0);
	c = find_fc(pid, SR_FC_MKNOD, "c-fifo");
	check(fc_ret(c, 0) && c->mode == (S_IFIFO | (0640 & ~test_umask())),
	      "32-bit mknod of a FIFO recorded (%#o)", c ? c->mode : 0);
	c = find_fc(pid, SR_FC_MKNOD, "c-node");
	check(fc_ret(c, 0) && c->mode == (S_IFCHR | (0600 & ~test_umask())) && c->length == 0x103,
	      "32-bit mknodat of a char device recorded with its device number (%#o)",
	      c ? c->mode : 0);
	check(count_fc(pid, SR_FC_EXCHANGE, "c-fb", "c-fs") == 2,
	      "32-bit renameat2 RENAME_EXCHANGE, twice: two exchanges (%zu)",
	      count_fc(pid, SR_FC_EXCHANGE, "c-fb", "c-fs"));
	c = find_fc(pid, SR_FC_LINK, "c-fb");
	check(fc_ret(c, 0) && fc_path2(c, "c-fl", false), "32-bit link recorded with the new name");
	check(count_fc(pid, SR_FC_LINK, "c-fb", "c-fe") == 1,
	      "32-bit linkat(fd, \"\", AT_EMPTY_PATH) recorded as a link of the fd's file");
	c = find_fc(pid, SR_FC_SYMLINK, "c-fs");
	check(fc_ret(c, 0) && fc_path2(c, "c-fb", true),
	      "32-bit symlink recorded with its content");
	c = find_fc(pid, SR_FC_CHMOD, "c-fb");
	check(fc_ret(c, 0) && c->mode == 0640, "32-bit chmod recorded with its mode");
	c = find_fc(pid, SR_FC_CHOWN, "c-fb");
	check(fc_ret(c, 0) && c->uid == UINT32_MAX && c->gid == 0,
	      "32-bit chown32 recorded, the owner left unchanged");
	c = find_fc(pid, SR_FC_CHOWN, "c-fs");
	check(fc_ret(c, 0) && c->uid == UINT32_MAX && c->gid == 0,
	      "16-bit lchown recorded, 0xffff as unchanged (uid %u)", c ? c->uid : 0);
	check(find_fc(pid, SR_FC_UNLINK, "c-fl") && find_fc(pid, SR_FC_UNLINK, "c-fs") &&
	          find_fc(pid, SR_FC_UNLINK, "c-fr") && find_fc(pid, SR_FC_RMDIR, "c-dir") &&
	          find_fc(pid, SR_FC_RMDIR, "c-dir2"),
	      "32-bit unlink, unlinkat, rmdir and unlinkat(AT_REMOVEDIR) recorded");
	c = find_fc(pid, SR_FC_TRUNCATE, "c-fb");
	if (on_hooks()) {
		check(c && (c->cflags & SR_FC_LEN_UNKNOWN), "32-bit truncate recorded at the hook");
		check(!find_fc(pid, SR_FC_UNLINK, "c-missing"),
		      "a 32-bit unlink failing in lookup never reaches the hook");
		return;
	}
	c = NULL;
	for (i = 0; i < nrecs; i++) {
		const struct sr_fchange_event *e = (const void *)recs[i]->data;

		if (e->hdr.type == SR_EV_FCHANGE && e->hdr.pid == (uint32_t)pid &&
		    e->op == SR_FC_TRUNCATE && e->length == (1ll << 32) + 5)
			c = e;
	}
	check(fc_ret(c, 0), "32-bit truncate64 recorded with its 64-bit length");
	c = NULL;
	for (i = 0; i < nrecs; i++) {
		const struct sr_fchange_event *e = (const void *)recs[i]->data;

		if (e->hdr.type == SR_EV_FCHANGE && e->hdr.pid == (uint32_t)pid &&
		    e->op == SR_FC_TRUNCATE && e->length == 2)
			c = e;
	}
	check(fc_ret(c, 0) && c->path_len > 1, "32-bit ftruncate recorded with its file's path");
	c = find_fc(pid, SR_FC_UNLINK, "c-missing");
	check(c && c->ret == -ENOENT, "a failed 32-bit unlink recorded with -ENOENT");
}

/* The mechanisms a record of this type may come from on the running backend. */
static bool source_ok(const struct sr_event_hdr *h)
{
	enum sr_backend b = sr_capture_backend(cap);

	switch (h->type) {
	case SR_EV_OPEN: /* hooks: failed and O_PATH opens come from fexit */
		return b == SR_BACKEND_LSM ? h->source == SR_SRC_LSM || h->source == SR_SRC_FENTRY
		                           : h->source == (uint8_t)b;
	case SR_EV_EXEC_FAIL:
		return h->source ==
		       (b == SR_BACKEND_TRACEPOINT ? SR_SRC_TRACEPOINT : SR_SRC_FENTRY);
	case SR_EV_CONNECT:
	case SR_EV_FCHANGE: /* hooks: the path security hooks */
		return h->source == (uint8_t)b;
	default: /* exec, fork, exit, escape: the sched and cgroup tracepoints */
		return h->source == SR_SRC_TRACEPOINT;
	}
}

static void t_backend(void)
{
	struct sr_capture_opts o = {.pin = false, .backend = SR_BACKEND_LSM};
	enum sr_backend b = sr_capture_backend(cap);
	struct sr_capture *c3 = NULL;
	int err;

	printf("backend: %s (%s)\n", sr_backend_name(b), forced ? "forced" : "auto");
	check(b != SR_BACKEND_AUTO && (!forced || b == forced), "running on the %s backend",
	      sr_backend_name(forced ? forced : b));
	if (forced)
		return;
	/* forcing LSM works exactly where auto picked it, else it is refused cleanly */
	err = sr_capture_open(&o, &c3);
	if (b == SR_BACKEND_LSM)
		check(!err, "forced lsm loads where auto chose it");
	else
		check(err == -EOPNOTSUPP, "forced lsm on a kernel without it: refused (%s)",
		      strerror(-err));
	sr_capture_destroy(c3);
}

static void do_open_storm(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 3000; i++)
		open("/nonexistent/storm", O_RDONLY);
}

static void t_loss(void)
{
	struct sr_capture_opts o = {
	    .pin = false, .ringbuf_size = 8192, .demand = SR_CLASS_ALL, .backend = forced};
	struct sr_session_lost d;
	struct sr_capture *c2 = NULL;
	int status, err, r1, r2;

	err = sr_capture_open(&o, &c2);
	check(!err, "second, unpinned instance with an 8 KiB ring buffer");
	if (err)
		return;
	sr_capture_session_add(c2, KEY2, sess_cgid, 0xffffffffu, SR_CLASS_ALL, 0);
	spawn(cg_sess, do_open_storm, NULL, &status);
	r1 = sr_capture_lost_take(c2, KEY2, &d);
	check(r1 == 1 && d.lost[SR_CLASS_DISK] > 0,
	      "overflow counted per session and class (disk lost %llu)",
	      (unsigned long long)d.lost[SR_CLASS_DISK]);
	r2 = sr_capture_lost_take(c2, KEY2, &d);
	check(r2 == 0 && d.lost[SR_CLASS_DISK] == 0, "loss take resets (second take %d)", r2);
	check(sr_capture_session_remove(c2, KEY2) == 0 &&
	          sr_capture_lost_read(c2, KEY2, &d) == -ENOENT,
	      "session removal drops its counters");
	sr_capture_destroy(c2);
	drain(cap);
	clear_recs();
}

/* sess_hint's value (bpf/hint.h), read through its fd. */
static bool hint_read(struct sr_hint *h)
{
	__u32 zero = 0;
	int fd = sr_capture_map_fd(cap, "sess_hint");

	return fd >= 0 && !bpf_map_lookup_elem(fd, &zero, h);
}

/* Slots of sess_task whose count is not its number of entries (the invariant, exactly). */
static int hint_task_off(const struct sr_hint *h)
{
	static __u32 n[SR_HINT_TASK_SLOTS];
	int fd = sr_capture_map_fd(cap, "sess_task"), off = 0, i;
	__u32 key, next, *prev = NULL;

	memset(n, 0, sizeof(n));
	while (fd >= 0 && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n[SR_HINT_TASK(key)]++;
	}
	for (i = 0; i < SR_HINT_TASK_SLOTS; i++)
		off += n[i] != h->task[i];
	return off;
}

/*
 * The filter's first check (bpf/hint.h): its counts follow the filter maps
 * through re-adds (a restored session), removals and restarts, and a pin set
 * from a build without sess_hint gets it counted once its sessions are gone.
 */
static void t_hint(void)
{
	struct sr_hint *h = calloc(1, sizeof(*h));
	char path[600];
	int status, err;
	char *argv[] = {"/bin/true", "hint-marker", NULL};
	bool ok;

	if (!h)
		return;
	/* read before check(): its arguments are evaluated in no set order */
	ok = hint_read(h);
	check(ok && h->ready && h->cgroup[SR_HINT_CG(sess_cgid)] == 1 && hint_task_off(h) == 0,
	      "sess_hint after the restarts: on, the session cgroup counted once (%u), every "
	      "tgid slot exact (%d off)",
	      h->cgroup[SR_HINT_CG(sess_cgid)], hint_task_off(h));
	/* a restored session is added again: counted once all the same */
	sr_capture_session_add(cap, KEY, sess_cgid, 0xffffffffu, SR_CLASS_ALL, 0);
	sr_capture_session_add(cap, KEY3, 0, 0x7ffffff3u, SR_CLASS_ALL, 0);
	ok = hint_read(h);
	check(ok && h->cgroup[SR_HINT_CG(sess_cgid)] == 1 &&
	          h->audit[SR_HINT_AUDIT(0x7ffffff3u)] == 1,
	      "a session added again is counted once (cgroup %u), an audit id counted (%u)",
	      h->cgroup[SR_HINT_CG(sess_cgid)], h->audit[SR_HINT_AUDIT(0x7ffffff3u)]);
	sr_capture_session_remove(cap, KEY3);
	ok = hint_read(h);
	check(ok && h->audit[SR_HINT_AUDIT(0x7ffffff3u)] == 0 &&
	          h->cgroup[SR_HINT_CG(sess_cgid)] == 1,
	      "a removed session's audit slot is back to 0 (%u)",
	      h->audit[SR_HINT_AUDIT(0x7ffffff3u)]);

	/* pins of a build without sess_hint (its programs are replaced): the full filter
	 * until no session is left */
	snprintf(path, sizeof(path), "%s/v%d/sess_hint", pin_dir, SR_EVENTS_ABI_VERSION);
	unlink(path);
	err = reopen(forced, "hint-marker", SR_CLASS_ALL);
	check(!err && hint_read(h) && !h->ready,
	      "sess_hint new next to pinned maps with a session: off (every task takes the full "
	      "filter)");
	if (err)
		goto out;
	drain(cap);
	check(count_exec("hint-marker") == 1, "and the session is recorded meanwhile");
	sr_capture_session_remove(cap, KEY);
	ok = hint_read(h);
	check(ok && h->ready && h->cgroup[SR_HINT_CG(sess_cgid)] == 0 && hint_task_off(h) == 0,
	      "once no session is left: counted and on (%d tgid slots off)", hint_task_off(h));
	err = sr_capture_session_add(cap, KEY, sess_cgid, 0xffffffffu, SR_CLASS_ALL, 0);
	clear_recs();
	run_argv(cg_sess, argv, &status);
	drain(cap);
	ok = hint_read(h);
	check(!err && count_exec("hint-marker") == 1 && ok && h->cgroup[SR_HINT_CG(sess_cgid)] == 1,
	      "the session added again is recorded through the first check");
	clear_recs();
out:
	free(h);
}

int main(void)
{
	struct sr_capture_opts o = {.pin = true, .demand = SR_CLASS_ALL};
	const char *want = getenv("SR_CAPTURE_BACKEND");
	char mnt[256], real[PATH_MAX];
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		fprintf(stderr, "\n*** SKIP: test_capture needs root and /sys/kernel/btf/vmlinux: "
		                "kernel capture NOT TESTED ***\n\n");
		return 77;
	}
	sr_log_init("test_capture", SR_LOG_STDERR, LOG_INFO);
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/sshrec-test-%d", getpid());
	o.pin_dir = pin_dir;
	if (want && *want && sr_backend_parse(want, &forced)) {
		fprintf(stderr, "FAIL: SR_CAPTURE_BACKEND=%s: not a backend\n", want);
		return 1;
	}
	o.backend = forced;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	err = sr_cgroup2_mount(mnt, sizeof(mnt));
	if (err) {
		fprintf(stderr, "FAIL: no cgroup2 mount: %s\n", strerror(-err));
		return 1;
	}
	snprintf(cg_root, sizeof(cg_root), "%s/sshrec-test-%d", mnt, getpid());
	snprintf(cg_sess, sizeof(cg_sess), "%s/sess", cg_root);
	snprintf(cg_other, sizeof(cg_other), "%s/other", cg_root);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sshrec-test-XXXXXX");
	if (!mkdtemp(tmpdir) || !realpath(tmpdir, real) || sr_cgroup_mkdir(cg_root) ||
	    sr_cgroup_mkdir(cg_sess) || sr_cgroup_mkdir(cg_other) ||
	    sr_cgroup_id(cg_sess, &sess_cgid) || sr_cgroup_id(cg_other, &other_cgid)) {
		fprintf(stderr, "FAIL: test setup (tmpdir, cgroups): %s\n", strerror(errno));
		cleanup();
		return 1;
	}
	if (strlen(real) >= sizeof(tmpdir)) {
		fprintf(stderr, "FAIL: temporary directory name too long\n");
		cleanup();
		return 1;
	}
	memcpy(tmpdir, real, strlen(real) + 1);
	err = sr_capture_open(&o, &cap);
	check(!err, "capture loaded and attached (pin dir %s)", pin_dir);
	if (err) {
		cleanup();
		return 1;
	}
	check(sr_capture_ringbuf_fd(cap) >= 0 &&
	          sr_capture_ringbuf_size(cap) == SR_CAPTURE_RINGBUF_DEFAULT,
	      "ring buffer fd and default size %u", sr_capture_ringbuf_size(cap));
	err = sr_capture_session_add(cap, KEY, sess_cgid, 0xffffffffu, SR_CLASS_ALL, 0);
	check(!err, "session registered (cgroup %llu)", (unsigned long long)sess_cgid);
	t_backend();

	t_exec_100_args();
	t_exec_big_argv();
	t_exec_missing();
	t_exec_unusual();
	t_pipeline();
	t_exit_codes();
	t_opens();
	t_fchange();
	t_connect();
	t_udp_connected();
	t_udp_sendmmsg();
	t_escape();
	t_compat();
	t_uring();
	t_outside();
	{
		size_t i, bad = 0;

		for (i = 0; i < nrecs; i++)
			bad += hdr_of(i)->session_key != KEY ||
			       hdr_of(i)->abi != SR_EVENTS_ABI_VERSION ||
			       hdr_of(i)->size != recs[i]->size;
		check(bad == 0 && nrecs > 0,
		      "all %zu records: session key, ABI version, hdr.size == record size", nrecs);
		for (i = 0, bad = 0; i < nrecs; i++)
			bad += !source_ok(hdr_of(i));
		check(bad == 0, "every record's source is a mechanism of the %s backend (%zu not)",
		      sr_backend_name(sr_capture_backend(cap)), bad);
	}
	clear_recs();
	t_switches();
	t_policy_demand();
	t_restart();
	t_hint();
	t_loss();

	cleanup();
	clear_recs();
	free(recs);
	printf("%s: %d passed, %d failed\n", failures ? "FAIL" : "PASS", passes, failures);
	return failures ? 1 : 0;
}
