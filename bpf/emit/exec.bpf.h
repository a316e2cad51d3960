/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file exec.bpf.h
 * @brief Fillers of SR_EV_EXEC (sched_process_exec) and SR_EV_EXEC_FAIL.
 *
 * Independent of the backend: a successful exec comes from the
 * sched_process_exec tracepoint on every backend; a failed exec from the
 * exec syscall's exit, whichever program observes it (syscall tracepoint or
 * fexit), with the caller's own filename and argv pointers.
 */
#ifndef SSHREC_BPF_EMIT_EXEC_H
#define SSHREC_BPF_EMIT_EXEC_H

#include "lib/output.bpf.h"
#include "lib/path.bpf.h"

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

	/* a #! script (or binfmt_misc): the kernel runs its interpreter now, and
	 * the script's own file is already released (fs/exec.c exec_binprm) */
	if (BPF_CORE_READ(bprm, interp) != BPF_CORE_READ(bprm, filename))
		*flags |= SR_EXEC_EXE_INTERP;
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

/* Clamp a string read result into a tail length (incl. NUL), flagging faults. */
static __always_inline __u32 sr_exec_name_len(long n, char *dst, __u32 *flags)
{
	__u32 fl;

	if (n <= 0) {
		*flags |= SR_EXEC_FILENAME_FAULT;
		dst[0] = 0;
		n = 1;
	} else if (n == SR_PATH_CAP) {
		*flags |= SR_EXEC_FILENAME_TRUNC;
	}
	fl = n & (2 * SR_PATH_CAP - 1);
	return fl > SR_PATH_CAP ? SR_PATH_CAP : fl;
}

/* SR_EV_EXEC for task @p (current) that just exec'd @bprm. */
static __always_inline void sr_emit_exec(const struct sr_sess *s, struct task_struct *p,
                                         struct linux_binprm *bprm)
{
	struct sr_exec_event *ev;
	struct sr_scratch *sc = sr_scratch_or_lost(s, SR_CLASS_COMMAND);
	__u32 flags = 0, fl, cl, al = 0, el, cap;
	unsigned long start, end;

	if (!sc)
		return;
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_EXEC, s, p, true, SR_SRC_TRACEPOINT);
	ev->ret = 0;
	ev->euid = BPF_CORE_READ(p, cred, euid.val);
	ev->egid = BPF_CORE_READ(p, cred, egid.val);
	ev->argc = BPF_CORE_READ(bprm, argc);
	sr_exec_tty(p, ev->tty);

	fl = sr_exec_name_len(
	    bpf_probe_read_kernel_str(ev->data, SR_PATH_CAP, BPF_CORE_READ(bprm, filename)),
	    ev->data, &flags);
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
	ev->_pad = 0;
	ev->hdr.size = sizeof(*ev) + fl + cl + al + el;
	sr_output(s->key, SR_CLASS_COMMAND, ev, ev->hdr.size);
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
 * Failed exec (SR_EV_EXEC_FAIL) of the current task, at the exec syscall's
 * exit. The filename and argv come from the caller's memory, which is intact
 * because the exec failed before the point of no return.
 */
static __noinline int sr_emit_exec_fail(long ret, __u64 filename, __u64 argv, __u32 compat,
                                        __u8 src)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sr_exec_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 flags = compat ? SR_EXEC_COMPAT : 0, fl, cl, al = 0;
	struct sr_argv_ctx ac = {};

	if (!sr_filter_class(&s, SR_CLASS_COMMAND))
		return 0;
	sc = sr_scratch_or_lost(&s, SR_CLASS_COMMAND);
	if (!sc)
		return 0;
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_EXEC_FAIL, &s, task, true, src);
	ev->ret = ret;
	ev->euid = BPF_CORE_READ(task, cred, euid.val);
	ev->egid = BPF_CORE_READ(task, cred, egid.val);
	sr_exec_tty(task, ev->tty);

	fl = sr_exec_name_len(bpf_probe_read_user_str(ev->data, SR_PATH_CAP, (void *)filename),
	                      ev->data, &flags);
	cl = sr_exec_cwd(sc, task, fl, &flags);
	if (cl > SR_PATH_CAP)
		cl = SR_PATH_CAP;

	ac.argv = argv;
	ac.compat = compat;
	ac.base = fl + cl;
	bpf_loop(SR_EXEC_MAX_ARGS, sr_argv_step, &ac, 0);
	al = ac.al;
	flags |= ac.flags;
	if (al > SR_ARGV_CAP) {
		al = SR_ARGV_CAP;
		flags |= SR_EXEC_ARGV_TRUNCATED;
	}
	if (!argv)
		flags |= SR_EXEC_ARGV_FAULT;
	ev->flags = flags;
	ev->argc = ac.argc;
	ev->filename_len = fl;
	ev->cwd_len = cl;
	ev->argv_len = al;
	ev->exe_len = 0; /* nothing was executed */
	ev->_pad = 0;
	ev->hdr.size = sizeof(*ev) + fl + cl + al;
	sr_output(s.key, SR_CLASS_COMMAND, ev, ev->hdr.size);
	return 0;
}

#endif /* SSHREC_BPF_EMIT_EXEC_H */
