// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sshrec kernel capture: exec, failed exec, fork, exit, open family, TCP
 * connect and cgroup escape of tasks in recorded SSH sessions.
 *
 * Tracepoints, raw tracepoints and tp_btf only (no kprobes, fentry or LSM).
 * Every program first decides whether the task is recorded (sshrec.bpf.h:
 * sr_filter_current) and returns at once when it is not. The only things
 * done before the filter are tests that are cheaper than it: thread vs
 * process, the syscall number, "is this a compat syscall", "was there an
 * enter record for this tid".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "sshrec.bpf.h"
#include "enforce.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SR_O_WRONLY 01
#define SR_O_RDWR   02
#define SR_O_CREAT  0100
#define SR_O_TRUNC  01000

/* i386 syscall numbers (compat tasks on x86-64). */
#define SR_NR32_OPEN     5
#define SR_NR32_CREAT    8
#define SR_NR32_EXECVE   11
#define SR_NR32_OPENAT   295
#define SR_NR32_EXECVEAT 358
#define SR_NR32_OPENAT2  437

/* ---- exec ------------------------------------------------------------ */

/* Largest offset of a string in the exec tail (exe, after a full argv). */
#define SR_EXEC_TAIL_OFF_MAX (2 * SR_PATH_CAP + SR_ARGV_CAP)

/* @off bounded for the verifier: no string of the tail starts past the exe. */
static __always_inline __u32 sr_exec_tail_off(__u32 off)
{
	off &= 2 * SR_ARGV_CAP - 1;
	return off > SR_EXEC_TAIL_OFF_MAX ? SR_EXEC_TAIL_OFF_MAX : off;
}

/*
 * Copy the path that ends walk[] (first byte at walk[@w]; SR_PATH_CAP when
 * unresolvable) to @off of the exec tail; returns its length incl. the NUL.
 */
static __always_inline __u32 sr_exec_put_walk(struct sr_scratch *sc, __u32 w, bool trunc, __u32 off,
                                              __u32 *flags, __u32 fault, __u32 truncated)
{
	struct sr_exec_event *ev = (void *)sc->ev;
	__u32 len;

	off = sr_exec_tail_off(off);
	if (w >= SR_PATH_CAP) {
		*flags |= fault;
		ev->data[off] = 0;
		return 1;
	}
	if (trunc)
		*flags |= truncated;
	w &= SR_PATH_CAP - 1;
	len = SR_PATH_CAP - w;
	bpf_probe_read_kernel(&ev->data[off], len, &sc->walk[w]);
	return len;
}

/* Append the cwd at @off of the exec tail; returns its length incl. the NUL. */
static __always_inline __u32 sr_exec_cwd(struct sr_scratch *sc, struct task_struct *task, __u32 off,
                                         __u32 *flags)
{
	bool trunc = false;
	__u32 w = sr_walk_cwd(sc, task, &trunc);

	return sr_exec_put_walk(sc, w, trunc, off, flags, SR_EXEC_CWD_FAULT, SR_EXEC_CWD_TRUNC);
}

/*
 * Append the file being executed (bprm->file) at @off of the exec tail, so
 * that an exec through /proc/self/fd/N or /dev/fd/N names its file and a
 * fileless or deleted program says so. A file with no path at all (its
 * dentry is its own parent and not a mount root: alloc_file_pseudo, as
 * memfd_create makes) is given by its name, which memfd_create sets to
 * "memfd:<name>" and the user cannot choose otherwise.
 */
static __always_inline __u32 sr_exec_exe(struct sr_scratch *sc, struct linux_binprm *bprm,
                                         __u32 off, __u32 *flags)
{
	struct file *file = BPF_CORE_READ(bprm, file);
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *m = BPF_CORE_READ(file, f_path.mnt);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct sr_exec_event *ev = (void *)sc->ev;
	bool trunc = false;
	long n;

	if (!d || !m)
		return sr_exec_put_walk(sc, SR_PATH_CAP, false, off, flags, SR_EXEC_EXE_FAULT, 0);
	/* d_unlinked(): unhashed and not a root; or no link left at all */
	if (!BPF_CORE_READ(file, f_inode, __i_nlink) ||
	    (!BPF_CORE_READ(d, d_hash.pprev) && parent != d))
		*flags |= SR_EXEC_EXE_UNLINKED;
	if (parent == d && d != BPF_CORE_READ(m, mnt_root)) {
		*flags |= SR_EXEC_EXE_ANON;
		off = sr_exec_tail_off(off);
		n = bpf_probe_read_kernel_str(&ev->data[off], SR_NAME_MAX + 1,
		                              BPF_CORE_READ(d, d_name.name));
		if (n <= 0) {
			*flags |= SR_EXEC_EXE_FAULT;
			ev->data[off] = 0;
			n = 1;
		}
		return n;
	}
	return sr_exec_put_walk(sc, sr_walk_path(sc, d, m, &trunc), trunc, off, flags,
	                        SR_EXEC_EXE_FAULT, SR_EXEC_EXE_TRUNC);
}

/* The controlling terminal's name ("pts3"), or "" when the task has none. */
static __always_inline void sr_exec_tty(struct task_struct *t, char *dst)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);

	dst[0] = 0;
	/* not BPF_CORE_READ_STR_INTO: it sizes the read by *dst, one char here */
	if (tty && bpf_core_read_str(dst, SR_TTY_LEN, &tty->name) <= 0)
		dst[0] = 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sr_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sr_exec_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 flags = 0, fl, cl, al = 0, el, cap;
	unsigned long start, end;
	long n;

	if (!sr_filter_current(&s))
		return 0;
	if (s.match != SR_MATCH_TASK)
		sr_track_tgid(p->tgid, s.key);
	if (!sr_wants(&s, SR_CLASS_COMMAND))
		return 0;
	sc = sr_scratch_get();
	if (!sc) {
		sr_count_lost(s.key, SR_CLASS_COMMAND);
		return 0;
	}
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_EXEC, &s, p, true);
	ev->ret = 0;
	ev->euid = BPF_CORE_READ(p, cred, euid.val);
	ev->egid = BPF_CORE_READ(p, cred, egid.val);
	ev->argc = BPF_CORE_READ(bprm, argc);
	sr_exec_tty(p, ev->tty);

	n = bpf_probe_read_kernel_str(ev->data, SR_PATH_CAP, BPF_CORE_READ(bprm, filename));
	if (n <= 0) {
		flags |= SR_EXEC_FILENAME_FAULT;
		ev->data[0] = 0;
		n = 1;
	} else if (n == SR_PATH_CAP) {
		flags |= SR_EXEC_FILENAME_TRUNC;
	}
	fl = n & (2 * SR_PATH_CAP - 1);
	if (fl > SR_PATH_CAP)
		fl = SR_PATH_CAP;
	cl = sr_exec_cwd(sc, p, fl, &flags);
	if (cl > SR_PATH_CAP)
		cl = SR_PATH_CAP;

	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	cap = sr_argv_cap;
	if (cap > SR_ARGV_CAP)
		cap = SR_ARGV_CAP;
	if (end > start) {
		al = end - start > cap ? cap : end - start;
		if (end - start > cap)
			flags |= SR_EXEC_ARGV_TRUNCATED;
		al &= 2 * SR_ARGV_CAP - 1;
		if (al > SR_ARGV_CAP)
			al = SR_ARGV_CAP;
		if (bpf_probe_read_user(&ev->data[fl + cl], al, (void *)start)) {
			flags |= SR_EXEC_ARGV_FAULT;
			al = 0;
		}
	} else {
		flags |= SR_EXEC_ARGV_FAULT;
	}
	el = sr_exec_exe(sc, bprm, fl + cl + al, &flags);
	if (el > SR_PATH_CAP)
		el = SR_PATH_CAP;
	ev->flags = flags;
	ev->filename_len = fl;
	ev->cwd_len = cl;
	ev->argv_len = al;
	ev->exe_len = el;
	ev->hdr.size = sizeof(*ev) + fl + cl + al + el;
	sr_output(&s, SR_CLASS_COMMAND, ev, ev->hdr.size);
	return 0;
}

struct sr_argv_ctx {
	__u64 argv; /* user pointer to the pointer array */
	__u32 compat;
	__u32 base; /* offset of argv in the exec tail */
	__u32 al;
	__u32 argc;
	__u32 flags;
};

/* One argument of a failed exec, read through the user's pointer array. */
static long sr_argv_step(__u32 i, void *data)
{
	struct sr_argv_ctx *c = data;
	struct sr_scratch *sc = sr_scratch_get();
	struct sr_exec_event *ev;
	__u64 ptr = 0;
	__u32 off;
	long n;

	if (!sc)
		return 1;
	ev = (void *)sc->ev;
	if (c->compat) {
		__u32 p32 = 0;

		if (bpf_probe_read_user(&p32, sizeof(p32), (void *)(c->argv + i * 4)))
			goto fault;
		ptr = p32;
	} else if (bpf_probe_read_user(&ptr, sizeof(ptr), (void *)(c->argv + i * 8))) {
		goto fault;
	}
	if (!ptr)
		return 1;
	if (c->al >= SR_ARGV_CAP - 1) {
		c->flags |= SR_EXEC_ARGV_TRUNCATED;
		return 1;
	}
	/* Each argument is read with at most SR_PATH_CAP bytes: the scratch slack. */
	off = c->base + c->al;
	if (off > 2 * SR_PATH_CAP + SR_ARGV_CAP)
		return 1;
	n = bpf_probe_read_user_str(&ev->data[off], SR_PATH_CAP, (void *)ptr);
	if (n <= 0)
		goto fault;
	if (n == SR_PATH_CAP)
		c->flags |= SR_EXEC_ARGV_TRUNCATED;
	c->al += n;
	c->argc++;
	return 0;
fault:
	c->flags |= SR_EXEC_ARGV_FAULT;
	return 1;
}

/*
 * Failed exec (SR_EV_EXEC_FAIL), on the syscall's exit. The filename and
 * argv come from the caller's memory, which is intact because the exec
 * failed before the point of no return.
 */
__noinline int sr_exec_fail(long ret, __u64 filename, __u64 argv, __u32 compat)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sr_exec_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 flags = compat ? SR_EXEC_COMPAT : 0, fl, cl, al = 0, argc = 0;
	struct sr_argv_ctx ac = {};
	long n;

	if (!sr_filter_current(&s) || !sr_wants(&s, SR_CLASS_COMMAND))
		return 0;
	sc = sr_scratch_get();
	if (!sc) {
		sr_count_lost(s.key, SR_CLASS_COMMAND);
		return 0;
	}
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_EXEC_FAIL, &s, task, true);
	ev->hdr.type = SR_EV_EXEC_FAIL;
	ev->ret = ret;
	ev->euid = BPF_CORE_READ(task, cred, euid.val);
	ev->egid = BPF_CORE_READ(task, cred, egid.val);
	sr_exec_tty(task, ev->tty);

	n = bpf_probe_read_user_str(ev->data, SR_PATH_CAP, (void *)filename);
	if (n <= 0) {
		flags |= SR_EXEC_FILENAME_FAULT;
		ev->data[0] = 0;
		n = 1;
	} else if (n == SR_PATH_CAP) {
		flags |= SR_EXEC_FILENAME_TRUNC;
	}
	fl = n & (2 * SR_PATH_CAP - 1);
	if (fl > SR_PATH_CAP)
		fl = SR_PATH_CAP;
	cl = sr_exec_cwd(sc, task, fl, &flags);
	if (cl > SR_PATH_CAP)
		cl = SR_PATH_CAP;

	ac.argv = argv;
	ac.compat = compat;
	ac.base = fl + cl;
	bpf_loop(SR_EXEC_MAX_ARGS, sr_argv_step, &ac, 0);
	al = ac.al;
	argc = ac.argc;
	flags |= ac.flags;
	if (al > SR_ARGV_CAP) {
		al = SR_ARGV_CAP;
		flags |= SR_EXEC_ARGV_TRUNCATED;
	}
	if (!argv)
		flags |= SR_EXEC_ARGV_FAULT;
	ev->flags = flags;
	ev->argc = argc;
	ev->filename_len = fl;
	ev->cwd_len = cl;
	ev->argv_len = al;
	ev->exe_len = 0; /* nothing was executed */
	ev->hdr.size = sizeof(*ev) + fl + cl + al;
	sr_output(&s, SR_CLASS_COMMAND, ev, ev->hdr.size);
	return 0;
}

static __always_inline int sr_exec_enter(__u64 filename, __u64 argv, __u32 compat)
{
	struct sr_exec_stash st = {.filename = filename, .argv = argv, .compat = compat};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_sess s;

	if (!sr_filter_current(&s) || !sr_wants(&s, SR_CLASS_COMMAND))
		return 0;
	bpf_map_update_elem(&exec_stash, &tid, &st, BPF_ANY);
	return 0;
}

static __always_inline int sr_exec_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_exec_stash *p = bpf_map_lookup_elem(&exec_stash, &tid);
	struct sr_exec_stash st;

	if (!p)
		return 0;
	st = *p;
	bpf_map_delete_elem(&exec_stash, &tid);
	if (ret >= 0)
		return 0; /* sched_process_exec recorded it */
	return sr_exec_fail(ret, st.filename, st.argv, st.compat);
}

SEC("tp/syscalls/sys_enter_execve")
int sr_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return sr_exec_enter(ctx->args[0], ctx->args[1], 0);
}

SEC("tp/syscalls/sys_enter_execveat")
int sr_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_exec_enter(ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_exit_execve")
int sr_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return sr_exec_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_execveat")
int sr_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return sr_exec_exit(ctx->ret);
}

/* ---- fork / exit ----------------------------------------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sr_fork, struct task_struct *parent, struct task_struct *child)
{
	struct sr_fork_event *ev;
	struct sr_sess s;

	if (child->pid != child->tgid)
		return 0; /* a thread */
	if (!sr_filter_current(&s))
		return 0;
	sr_track_tgid(child->tgid, s.key);
	if (!sr_wants(&s, SR_CLASS_COMMAND))
		return 0;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		sr_count_lost(s.key, SR_CLASS_COMMAND);
		return 0;
	}
	sr_fill_hdr(&ev->hdr, SR_EV_FORK, &s, bpf_get_current_task_btf(), true);
	ev->hdr.size = sizeof(*ev);
	ev->child_pid = child->tgid;
	ev->_pad = 0;
	bpf_ringbuf_submit(ev, sr_rb_flags());
	return 0;
}

/* Fires for every exiting thread; we report the process when its last thread goes. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sr_exit, struct task_struct *p)
{
	struct sr_exit_event *ev;
	struct sr_sess s;
	__u32 tgid;
	int code;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads remain */
	if (!sr_filter_current(&s))
		return 0;
	tgid = p->tgid;
	bpf_map_delete_elem(&sess_task, &tgid);
	if (!sr_wants(&s, SR_CLASS_COMMAND))
		return 0;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		sr_count_lost(s.key, SR_CLASS_COMMAND);
		return 0;
	}
	sr_fill_hdr(&ev->hdr, SR_EV_EXIT, &s, p, true);
	ev->hdr.size = sizeof(*ev);
	code = BPF_CORE_READ(p, exit_code);
	ev->signal = code & 0x7f;
	ev->exit_code = ev->signal ? 0 : (code >> 8) & 0xff;
	ev->core_dumped = !!(code & 0x80);
	ev->_pad = 0;
	ev->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	bpf_ringbuf_submit(ev, sr_rb_flags());
	return 0;
}

/* ---- cgroup escape --------------------------------------------------- */

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(sr_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
             bool threadgroup)
{
	struct sr_escape_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u64 to, *other;
	long n;

	/* Only the unified (v2) hierarchy, id 0, decides session membership. */
	if (BPF_CORE_READ(dst, root, hierarchy_id) != 0)
		return 0;
	if (!sr_filter_task(task, &s))
		return 0;
	to = BPF_CORE_READ(dst, kn, id);
	if (to == s.cgroup_id)
		return 0;
	other = bpf_map_lookup_elem(&sess_cgroup, &to);
	if (other && *other == s.key)
		return 0;
	/* Keep recording it wherever it went. */
	sr_track_tgid(BPF_CORE_READ(task, tgid), s.key);
	sc = sr_scratch_get();
	if (!sc) {
		sr_count_lost(s.key, SR_CLASS_COMMAND);
		return 0;
	}
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_ESCAPE, &s, task, false);
	ev->hdr.cgroup_id = s.cgroup_id;
	ev->to_cgroup_id = to;
	ev->threadgroup = threadgroup;
	n = bpf_probe_read_kernel_str(ev->path, SR_CGPATH_CAP, path);
	if (n <= 0) {
		ev->path[0] = 0;
		n = 1;
	}
	ev->path_len = n & (SR_CGPATH_CAP * 2 - 1);
	if (ev->path_len > SR_CGPATH_CAP)
		ev->path_len = SR_CGPATH_CAP;
	ev->hdr.size = sizeof(*ev) + ev->path_len;
	sr_output(&s, SR_CLASS_COMMAND, ev, ev->hdr.size);
	return 0;
}

/* ---- TCP connect ----------------------------------------------------- */

static __always_inline void sr_connect_addrs(struct sr_connect_event *ev,
                                             struct trace_event_raw_inet_sock_set_state *ctx)
{
	ev->family = ctx->family;
	ev->dport = ctx->dport;
	if (ctx->sport)
		ev->sport = ctx->sport;
	/* Tracepoint context must be read at constant offsets: copy through a helper. */
	__builtin_memset(ev->saddr, 0, 16);
	__builtin_memset(ev->daddr, 0, 16);
	if (ctx->family == SR_AF_INET6) {
		bpf_probe_read_kernel(ev->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(ev->daddr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(ev->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(ev->daddr, 4, ctx->daddr);
	}
}

/*
 * SYN_SENT runs in the connecting process: attribute and park the record
 * by socket. The next state (often in softirq) completes it with the
 * source port and the outcome.
 */
SEC("tp/sock/inet_sock_set_state")
int sr_inet_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sr_connect_event ev = {}, *parked;
	__u64 sk = (__u64)ctx->skaddr;
	struct sr_sess s;

	if (ctx->protocol != SR_IPPROTO_TCP)
		return 0;
	if (ctx->newstate == SR_TCP_SYN_SENT) {
		if (!sr_filter_current(&s) || !sr_wants(&s, SR_CLASS_NETWORK))
			return 0;
		sr_fill_hdr(&ev.hdr, SR_EV_CONNECT, &s, bpf_get_current_task_btf(), true);
		ev.hdr.size = sizeof(ev);
		sr_connect_addrs(&ev, ctx);
		if (!bpf_map_update_elem(&connect_park, &sk, &ev, BPF_ANY))
			return 0;
		ev.op = SR_CONNECT_PENDING;
		sr_output(&s, SR_CLASS_NETWORK, &ev, sizeof(ev));
		return 0;
	}
	if (ctx->oldstate != SR_TCP_SYN_SENT)
		return 0;
	parked = bpf_map_lookup_elem(&connect_park, &sk);
	if (!parked)
		return 0;
	ev = *parked;
	bpf_map_delete_elem(&connect_park, &sk);
	sr_connect_addrs(&ev, ctx);
	ev.op = ctx->newstate == SR_TCP_CLOSE ? SR_CONNECT_FAILED : SR_CONNECT_ESTABLISHED;
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), sr_rb_flags()))
		sr_count_lost(ev.hdr.session_key, SR_CLASS_NETWORK);
	return 0;
}

/* ---- open family ----------------------------------------------------- */

static __always_inline int sr_open_enter(__s64 dirfd, __u64 path, __u64 flags, __u64 mode,
                                         __u64 how, __u32 sys, __u32 oflags)
{
	struct sr_open_stash st = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_sess s;

	if (!sr_filter_current(&s) || !sr_wants(&s, SR_CLASS_DISK))
		return 0;
	if (how) {
		struct open_how h = {};

		bpf_probe_read_user(&h, sizeof(h), (void *)how);
		flags = h.flags;
		mode = h.mode;
	}
	if ((s.flags & SR_CFG_DISK_WRITES_ONLY) &&
	    !(flags & (SR_O_WRONLY | SR_O_RDWR | SR_O_CREAT | SR_O_TRUNC)))
		return 0;
	st.path = path;
	st.flags = flags;
	st.mode = mode;
	st.dirfd = dirfd;
	st.syscall = sys;
	st.oflags = oflags;
	bpf_map_update_elem(&open_stash, &tid, &st, BPF_ANY);
	return 0;
}

/* Make the relative path in ev->path absolute against dir in walk[w..]. */
static __always_inline __u32 sr_join(struct sr_scratch *sc, __u32 w, __u32 rel_len, __u32 *oflags)
{
	struct sr_open_event *ev = (void *)sc->ev;
	__u32 dlen, pos;
	long n;

	rel_len &= 2 * SR_PATH_CAP - 1;
	if (rel_len > SR_PATH_CAP)
		rel_len = SR_PATH_CAP;
	bpf_probe_read_kernel(sc->tmp, rel_len, ev->path);
	w &= SR_PATH_CAP - 1;
	dlen = SR_PATH_CAP - 1 - w; /* without the NUL */
	bpf_probe_read_kernel(ev->path, dlen, &sc->walk[w]);
	pos = dlen;
	if (dlen != 1) /* not "/" */
		ev->path[pos++ & (SR_PATH_CAP - 1)] = '/';
	if (pos >= SR_PATH_CAP - 1) {
		*oflags |= SR_OPEN_PATH_TRUNC;
		ev->path[SR_PATH_CAP - 1] = 0;
		return SR_PATH_CAP;
	}
	n = bpf_probe_read_kernel_str(&ev->path[pos & (SR_PATH_CAP - 1)], SR_PATH_CAP, sc->tmp);
	if (n <= 0)
		n = 1;
	pos += n;
	if (pos > SR_PATH_CAP) {
		*oflags |= SR_OPEN_PATH_TRUNC;
		ev->path[SR_PATH_CAP - 1] = 0;
		return SR_PATH_CAP;
	}
	*oflags |= SR_OPEN_PATH_RESOLVED;
	return pos;
}

__noinline int sr_open_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_open_stash *p = bpf_map_lookup_elem(&open_stash, &tid);
	struct task_struct *task;
	struct sr_open_event *ev;
	struct sr_open_stash st;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 oflags, len;
	long n;

	if (!p)
		return 0;
	st = *p;
	bpf_map_delete_elem(&open_stash, &tid);
	if (!sr_filter_current(&s))
		return 0;
	sc = sr_scratch_get();
	if (!sc) {
		sr_count_lost(s.key, SR_CLASS_DISK);
		return 0;
	}
	task = bpf_get_current_task_btf();
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_OPEN, &s, task, true);
	ev->ret = ret;
	ev->flags = st.flags;
	ev->mode = st.mode;
	ev->dirfd = st.dirfd;
	ev->syscall = st.syscall;
	ev->_pad = 0;
	oflags = st.oflags;

	n = bpf_probe_read_user_str(ev->path, SR_PATH_CAP, (void *)st.path);
	if (n <= 0) {
		oflags |= SR_OPEN_PATH_FAULT;
		ev->path[0] = 0;
		len = 1;
	} else {
		len = n;
		if (n == SR_PATH_CAP) {
			char c = 0;

			if (!bpf_probe_read_user(&c, 1, (void *)(st.path + SR_PATH_CAP - 1)) && c)
				oflags |= SR_OPEN_PATH_TRUNC;
		}
		if (ev->path[0] != '/') {
			bool trunc = false;
			__u32 w;

			if (st.dirfd == SR_AT_FDCWD)
				w = sr_walk_cwd(sc, task, &trunc);
			else
				w = sr_walk_fd(sc, task, st.dirfd, &trunc);
			if (w >= SR_PATH_CAP)
				oflags |= SR_OPEN_DIR_FAULT;
			else
				len = sr_join(sc, w, len, &oflags);
			if (trunc)
				oflags |= SR_OPEN_PATH_TRUNC;
		}
	}
	len &= 2 * SR_PATH_CAP - 1;
	if (len > SR_PATH_CAP)
		len = SR_PATH_CAP;
	ev->oflags = oflags;
	ev->path_len = len;
	ev->hdr.size = sizeof(*ev) + len;
	sr_output(&s, SR_CLASS_DISK, ev, ev->hdr.size);
	return 0;
}

SEC("tp/syscalls/sys_enter_open")
int sr_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return sr_open_enter(SR_AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2], 0, SR_SYS_OPEN,
	                     0);
}

SEC("tp/syscalls/sys_enter_openat")
int sr_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_open_enter((int)ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3], 0,
	                     SR_SYS_OPENAT, 0);
}

SEC("tp/syscalls/sys_enter_openat2")
int sr_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return sr_open_enter((int)ctx->args[0], ctx->args[1], 0, 0, ctx->args[2], SR_SYS_OPENAT2,
	                     0);
}

SEC("tp/syscalls/sys_enter_creat")
int sr_enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_open_enter(SR_AT_FDCWD, ctx->args[0], SR_O_CREAT | SR_O_WRONLY | SR_O_TRUNC,
	                     ctx->args[1], 0, SR_SYS_CREAT, 0);
}

SEC("tp/syscalls/sys_exit_open")
int sr_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return sr_open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_openat")
int sr_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return sr_open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_openat2")
int sr_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return sr_open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_creat")
int sr_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return sr_open_exit(ctx->ret);
}

/* ---- compat (32-bit) syscalls ---------------------------------------- */
/*
 * Per-syscall tracepoints ignore compat syscalls on x86-64, so 32-bit
 * processes are covered here. These run for every syscall on the host
 * while attached: the first test is the one-load TS_COMPAT check.
 */

static __always_inline bool sr_in_compat_syscall(void)
{
#ifdef __TARGET_ARCH_x86
	struct task_struct *t = bpf_get_current_task_btf();

	return sr_compat && (t->thread_info.status & SR_TS_COMPAT);
#else
	return false;
#endif
}

SEC("raw_tp/sys_enter")
int sr_compat_enter(struct bpf_raw_tracepoint_args *ctx)
{
#ifdef __TARGET_ARCH_x86
	struct pt_regs *regs;
	long id;
	__u64 a0, a1, a2, a3;

	if (!sr_in_compat_syscall())
		return 0;
	id = ctx->args[1];
	if (id != SR_NR32_OPEN && id != SR_NR32_CREAT && id != SR_NR32_OPENAT &&
	    id != SR_NR32_OPENAT2 && id != SR_NR32_EXECVE && id != SR_NR32_EXECVEAT)
		return 0;
	regs = (struct pt_regs *)ctx->args[0];
	a0 = (__u32)BPF_CORE_READ(regs, bx);
	a1 = (__u32)BPF_CORE_READ(regs, cx);
	a2 = (__u32)BPF_CORE_READ(regs, dx);
	a3 = (__u32)BPF_CORE_READ(regs, si);
	switch (id) {
	case SR_NR32_OPEN:
		return sr_open_enter(SR_AT_FDCWD, a0, a1, a2, 0, SR_SYS_OPEN, SR_OPEN_COMPAT);
	case SR_NR32_CREAT:
		return sr_open_enter(SR_AT_FDCWD, a0, SR_O_CREAT | SR_O_WRONLY | SR_O_TRUNC, a1, 0,
		                     SR_SYS_CREAT, SR_OPEN_COMPAT);
	case SR_NR32_OPENAT:
		return sr_open_enter((__s32)a0, a1, a2, a3, 0, SR_SYS_OPENAT, SR_OPEN_COMPAT);
	case SR_NR32_OPENAT2:
		return sr_open_enter((__s32)a0, a1, 0, 0, a2, SR_SYS_OPENAT2, SR_OPEN_COMPAT);
	case SR_NR32_EXECVE:
		return sr_exec_enter(a0, a1, 1);
	case SR_NR32_EXECVEAT:
		return sr_exec_enter(a1, a2, 1);
	}
#endif
	return 0;
}

SEC("raw_tp/sys_exit")
int sr_compat_exit(struct bpf_raw_tracepoint_args *ctx)
{
#ifdef __TARGET_ARCH_x86
	struct pt_regs *regs;
	long id;

	if (!sr_in_compat_syscall())
		return 0;
	regs = (struct pt_regs *)ctx->args[0];
	id = BPF_CORE_READ(regs, orig_ax);
	switch (id) {
	case SR_NR32_OPEN:
	case SR_NR32_CREAT:
	case SR_NR32_OPENAT:
	case SR_NR32_OPENAT2:
		return sr_open_exit(ctx->args[1]);
	case SR_NR32_EXECVE:
	case SR_NR32_EXECVEAT:
		return sr_exec_exit(ctx->args[1]);
	}
#endif
	return 0;
}
