// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Syscall tracepoints: the open family and the exec syscalls' exits (failed
 * execs), plus the raw syscall tracepoints for 32-bit tasks, which the
 * per-syscall ones ignore on x86-64 (their opens, failed execs and file
 * changes). The tracepoint backend's opens and
 * failed execs; a hook backend's fallback for what it cannot see on a
 * kernel without fexit (sr_tp_jobs says which jobs are theirs).
 *
 * While any of these is attached every syscall on the host takes the slow
 * path, so the loader attaches them only on demand. The only things done
 * before the session filter are cheaper tests: the jobs knob, "is this a
 * compat syscall", "was there an enter record for this tid".
 */
#include "emit/denied.bpf.h"
#include "emit/exec.bpf.h"
#include "emit/fchange.bpf.h"
#include "emit/open.bpf.h"
#include "lib/compat.bpf.h"

/* i386 syscall numbers (compat tasks on x86-64). */
#define SR_NR32_OPEN     5
#define SR_NR32_CREAT    8
#define SR_NR32_EXECVE   11
#define SR_NR32_OPENAT   295
#define SR_NR32_EXECVEAT 358
#define SR_NR32_OPENAT2  437
/* and of the file changes (tp_fchange.bpf.c has the 64-bit ones) */
#define SR_NR32_LINK        9
#define SR_NR32_UNLINK      10
#define SR_NR32_CHMOD       15
#define SR_NR32_LCHOWN16    16
#define SR_NR32_RENAME      38
#define SR_NR32_RMDIR       40
#define SR_NR32_SYMLINK     83
#define SR_NR32_TRUNCATE    92
#define SR_NR32_FTRUNCATE   93
#define SR_NR32_FCHMOD      94
#define SR_NR32_FCHOWN16    95
#define SR_NR32_CHOWN16     182
#define SR_NR32_TRUNCATE64  193
#define SR_NR32_FTRUNCATE64 194
#define SR_NR32_LCHOWN      198
#define SR_NR32_FCHOWN      207
#define SR_NR32_CHOWN       212
#define SR_NR32_FCHOWNAT    298
#define SR_NR32_UNLINKAT    301
#define SR_NR32_RENAMEAT    302
#define SR_NR32_LINKAT      303
#define SR_NR32_SYMLINKAT   304
#define SR_NR32_FCHMODAT    306
#define SR_NR32_MKDIR       39
#define SR_NR32_MKDIRAT     296
#define SR_NR32_MKNOD       14
#define SR_NR32_MKNODAT     297
#define SR_NR32_RENAMEAT2   353
#define SR_NR32_FCHMODAT2   452

/* ---- failed exec ------------------------------------------------------ */

static __always_inline int sr_exec_enter(__u64 filename, __u64 argv, __u32 compat)
{
	struct sr_exec_stash st = {.filename = filename, .argv = argv, .compat = compat};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_sess s;

	if (!(sr_tp_jobs & SR_TPJ_EXEC_FAIL) || !sr_filter_class(&s, SR_CLASS_COMMAND))
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
	return sr_emit_exec_fail(ret, st.filename, st.argv, st.compat, SR_SRC_TRACEPOINT);
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

/* ---- open family ----------------------------------------------------- */

static __always_inline int sr_open_enter(__s64 dirfd, __u64 path, __u64 flags, __u64 mode,
                                         __u64 how, __u32 sys, __u32 oflags)
{
	struct sr_open_stash st = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_sess s;

	if (!(sr_tp_jobs & (SR_TPJ_OPEN | SR_TPJ_OPEN_FAIL)) || !sr_filter_current(&s))
		return 0;
	if (how) {
		struct open_how h = {};

		bpf_probe_read_user(&h, sizeof(h), (void *)how);
		flags = h.flags;
		mode = h.mode;
	}
	st.record = sr_wants(&s, SR_CLASS_DISK) && !sr_open_skipped(&s, flags);
	/* deny_write without BPF LSM, on this backend: the opened file at the exit */
	st.check = (sr_tp_jobs & SR_TPJ_OPEN) && sr_policy_mech == SR_POLICY_MECH_SIGNAL &&
	           (flags & (SR_O_WRONLY | SR_O_RDWR | SR_O_CREAT | SR_O_TRUNC)) &&
	           sr_policy_for(&s, SR_POLICY_WRITE);
	if (!st.record && !st.check)
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

/* The open syscall's exit: the path is read from the caller's memory now. */
static __noinline int sr_open_exit(long ret)
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
	if (st.check && ret >= 0)
		sr_signal_open(&s, NULL, (int)ret, st.flags, SR_SRC_TRACEPOINT);
	if (!st.record || (ret >= 0 && !(sr_tp_jobs & SR_TPJ_OPEN)))
		return 0; /* not recorded, or a hook records successful opens */
	task = bpf_get_current_task_btf();
	ev = sr_open_begin(&s, &sc, task, SR_SRC_TRACEPOINT);
	if (!ev)
		return 0;
	ev->ret = ret;
	ev->flags = st.flags;
	ev->mode = st.mode;
	ev->dirfd = st.dirfd;
	ev->syscall = st.syscall;
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
		len = sr_open_resolve(sc, task, st.dirfd, len, &oflags);
	}
	sr_open_finish(&s, ev, len, oflags);
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
 * These run for every syscall on the host while attached: the first test is
 * the one-load TS_COMPAT check (lib/compat.bpf.h). tp_net.bpf.c has the
 * 32-bit sends.
 */

/* A 16-bit uid or gid of the old chown calls: 0xffff is -1, "unchanged". */
static __always_inline __u64 sr_id16(__u64 v)
{
	return (v & 0xffff) == 0xffff ? SR_NOCHANGE : (v & 0xffff);
}

/*
 * A 32-bit file change: its arguments as the 64-bit tracepoints have them
 * (i386 order: bx, cx, dx, si). Returns whether @id is one.
 */
static __always_inline bool sr_compat_fc_enter(struct pt_regs *regs, long id, __u64 a0, __u64 a1,
                                               __u64 a2, __u64 a3)
{
	switch (id) {
	case SR_NR32_UNLINK:
		sr_fc_enter(SR_FC_UNLINK, SR_AT_FDCWD, a0, 0, 0);
		return true;
	case SR_NR32_UNLINKAT:
		sr_fc_enter(a2 & SR_AT_REMOVEDIR ? SR_FC_RMDIR : SR_FC_UNLINK, (__s32)a0, a1, 0, 0);
		return true;
	case SR_NR32_RMDIR:
		sr_fc_enter(SR_FC_RMDIR, SR_AT_FDCWD, a0, 0, 0);
		return true;
	case SR_NR32_RENAME:
		sr_fc_enter(SR_FC_RENAME, SR_AT_FDCWD, a0, SR_AT_FDCWD, a1);
		return true;
	case SR_NR32_RENAMEAT:
		sr_fc_enter(SR_FC_RENAME, (__s32)a0, a1, (__s32)a2, a3);
		return true;
	case SR_NR32_RENAMEAT2: /* its flags are the fifth argument: %edi */
		sr_fc_enter(sr_fc_rename_op((__u32)BPF_CORE_READ(regs, di)), (__s32)a0, a1,
		            (__s32)a2, a3);
		return true;
	case SR_NR32_LINK:
		sr_fc_enter(SR_FC_LINK, SR_AT_FDCWD, a0, SR_AT_FDCWD, a1);
		return true;
	case SR_NR32_LINKAT: /* its flags are the fifth argument: %edi */
		sr_fc_enter_at(SR_FC_LINK, (__s32)a0, a1, (__s32)a2, a3,
		               (__u32)BPF_CORE_READ(regs, di));
		return true;
	case SR_NR32_SYMLINK:
		sr_fc_enter(SR_FC_SYMLINK, SR_AT_FDCWD, a1, SR_FC_NO_RESOLVE, a0);
		return true;
	case SR_NR32_SYMLINKAT:
		sr_fc_enter(SR_FC_SYMLINK, (__s32)a1, a2, SR_FC_NO_RESOLVE, a0);
		return true;
	case SR_NR32_CHMOD:
		sr_fc_enter_arg(SR_FC_CHMOD, SR_AT_FDCWD, a0, a1, 0);
		return true;
	case SR_NR32_FCHMOD:
		sr_fc_enter_arg(SR_FC_CHMOD, (__s32)a0, 0, a1, 0);
		return true;
	case SR_NR32_MKDIR:
		sr_fc_enter_arg(SR_FC_MKDIR, SR_AT_FDCWD, a0, a1, 0);
		return true;
	case SR_NR32_MKDIRAT:
		sr_fc_enter_arg(SR_FC_MKDIR, (__s32)a0, a1, a2, 0);
		return true;
	case SR_NR32_MKNOD:
		sr_fc_enter_arg(SR_FC_MKNOD, SR_AT_FDCWD, a0, a1, a2);
		return true;
	case SR_NR32_MKNODAT:
		sr_fc_enter_arg(SR_FC_MKNOD, (__s32)a0, a1, a2, a3);
		return true;
	case SR_NR32_FCHMODAT:
		sr_fc_enter_arg(SR_FC_CHMOD, (__s32)a0, a1, a2, 0);
		return true;
	case SR_NR32_FCHMODAT2:
		sr_fc_enter_arg_at(SR_FC_CHMOD, (__s32)a0, a1, a2, 0, a3);
		return true;
	case SR_NR32_CHOWN16:
	case SR_NR32_LCHOWN16:
		sr_fc_enter_arg(SR_FC_CHOWN, SR_AT_FDCWD, a0, sr_id16(a1), sr_id16(a2));
		return true;
	case SR_NR32_FCHOWN16:
		sr_fc_enter_arg(SR_FC_CHOWN, (__s32)a0, 0, sr_id16(a1), sr_id16(a2));
		return true;
	case SR_NR32_CHOWN:
	case SR_NR32_LCHOWN:
		sr_fc_enter_arg(SR_FC_CHOWN, SR_AT_FDCWD, a0, a1, a2);
		return true;
	case SR_NR32_FCHOWN:
		sr_fc_enter_arg(SR_FC_CHOWN, (__s32)a0, 0, a1, a2);
		return true;
	case SR_NR32_FCHOWNAT: /* flags in %edi */
		sr_fc_enter_arg_at(SR_FC_CHOWN, (__s32)a0, a1, a2, a3,
		                   (__u32)BPF_CORE_READ(regs, di));
		return true;
	case SR_NR32_TRUNCATE: /* compat_off_t: 32 bits, signed */
		sr_fc_enter_arg(SR_FC_TRUNCATE, SR_AT_FDCWD, a0, (__s64)(__s32)a1, 0);
		return true;
	case SR_NR32_FTRUNCATE:
		sr_fc_enter_arg(SR_FC_TRUNCATE, (__s32)a0, 0, (__s64)(__s32)a1, 0);
		return true;
	case SR_NR32_TRUNCATE64: /* the length in two registers, low first */
		sr_fc_enter_arg(SR_FC_TRUNCATE, SR_AT_FDCWD, a0, a1 | a2 << 32, 0);
		return true;
	case SR_NR32_FTRUNCATE64:
		sr_fc_enter_arg(SR_FC_TRUNCATE, (__s32)a0, 0, a1 | a2 << 32, 0);
		return true;
	}
	return false;
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
	/* with file changes on, every 32-bit syscall goes on to the change switch */
	if (id != SR_NR32_OPEN && id != SR_NR32_CREAT && id != SR_NR32_OPENAT &&
	    id != SR_NR32_OPENAT2 && id != SR_NR32_EXECVE && id != SR_NR32_EXECVEAT &&
	    !(sr_tp_jobs & SR_TPJ_FCHANGE))
		return 0;
	regs = (struct pt_regs *)ctx->args[0];
	a0 = (__u32)BPF_CORE_READ(regs, bx);
	a1 = (__u32)BPF_CORE_READ(regs, cx);
	a2 = (__u32)BPF_CORE_READ(regs, dx);
	a3 = (__u32)BPF_CORE_READ(regs, si);
	if ((sr_tp_jobs & SR_TPJ_FCHANGE) && sr_compat_fc_enter(regs, id, a0, a1, a2, a3))
		return 0;
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
	/* a file change: only its enter left a stash for this thread */
	if (sr_tp_jobs & SR_TPJ_FCHANGE)
		return sr_fc_exit(ctx->args[1]);
#endif
	return 0;
}
