/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file fchange.bpf.h
 * @brief The SR_EV_FCHANGE filler: unlink, rmdir, rename, chmod, chown,
 * link, symlink and truncate, from a syscall's arguments and its result.
 *
 * The record is built in the per-CPU scratch: the first path at data[0],
 * the second (rename, link: the new name; symlink: its content) first at
 * data[SR_PATH_CAP], then moved down behind the first, so the ring buffer
 * carries only the bytes the paths have.
 */
#ifndef SSHREC_BPF_EMIT_FCHANGE_H
#define SSHREC_BPF_EMIT_FCHANGE_H

#include "emit/open.bpf.h"

/*
 * The user string at @uptr into @dst, made absolute against @dirfd (never
 * with SR_FC_NO_RESOLVE: a symlink's content). Returns its length incl. the NUL.
 */
static __always_inline __u32 sr_fc_user_path(struct sr_scratch *sc, char *dst,
                                             struct task_struct *task, __u64 uptr, int dirfd,
                                             __u32 *fl)
{
	long n = bpf_probe_read_user_str(dst, SR_PATH_CAP, (void *)uptr);

	if (n <= 0) {
		*fl |= SR_OPEN_PATH_FAULT;
		dst[0] = 0;
		return 1;
	}
	if (n == SR_PATH_CAP) {
		char c = 0;

		if (!bpf_probe_read_user(&c, 1, (void *)(uptr + SR_PATH_CAP - 1)) && c)
			*fl |= SR_OPEN_PATH_TRUNC;
	}
	if (dirfd == SR_FC_NO_RESOLVE)
		return n;
	return sr_resolve_into(sc, dst, task, dirfd, n, fl);
}

/*
 * The path of the file behind @fd into @dst (fchmod, fchown, ftruncate); with
 * @at_cwd (AT_EMPTY_PATH and an empty path) AT_FDCWD is the cwd, as there.
 */
static __always_inline __u32 sr_fc_fd_path(struct sr_scratch *sc, char *dst,
                                           struct task_struct *task, int fd, bool at_cwd, __u32 *fl)
{
	bool trunc = false;
	__u32 w = at_cwd ? sr_walk_dir(sc, task, fd, &trunc) : sr_walk_fd(sc, task, fd, &trunc);

	if (w >= SR_PATH_CAP)
		*fl |= SR_OPEN_PATH_FAULT; /* a bad fd: no path at all */
	return sr_walked_into(sc, dst, w, trunc, fl);
}

static __always_inline __u32 sr_fc_clamp(__u32 len)
{
	len &= 2 * SR_PATH_CAP - 1;
	return len > SR_PATH_CAP ? SR_PATH_CAP : len;
}

/*
 * Move the second path (len2 bytes at data[SR_PATH_CAP]) down behind the
 * first (len bytes), size the record and write it out.
 */
static __always_inline void sr_fc_finish(const struct sr_sess *s, struct sr_scratch *sc,
                                         struct sr_fchange_event *ev, __u32 len, __u32 len2,
                                         __u32 fl)
{
	len = sr_fc_clamp(len);
	len2 = sr_fc_clamp(len2);
	if (len2) {
		/* through tmp: the two places may overlap */
		bpf_probe_read_kernel(sc->tmp, len2, &ev->data[SR_PATH_CAP]);
		bpf_probe_read_kernel(&ev->data[len], len2, sc->tmp);
	}
	ev->cflags = fl;
	ev->path_len = len;
	ev->path2_len = len2;
	ev->hdr.size = sizeof(*ev) + len + len2;
	sr_output(s->key, SR_CLASS_DISK, ev, ev->hdr.size);
}

/* Begin a file change record of the current task in the scratch (NULL: counted as lost). */
static __always_inline struct sr_fchange_event *sr_fc_begin(const struct sr_sess *s,
                                                            struct sr_scratch **scp,
                                                            struct task_struct *task, __u32 op,
                                                            __u8 src)
{
	struct sr_scratch *sc = sr_scratch_or_lost(s, SR_CLASS_DISK);
	struct sr_fchange_event *ev;

	*scp = sc;
	if (!sc)
		return NULL;
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_FCHANGE, s, task, true, src);
	ev->ret = 0;
	ev->length = 0;
	ev->op = op;
	ev->mode = 0;
	ev->uid = (__u32)-1;
	ev->gid = (__u32)-1;
	ev->_pad = 0;
	return ev;
}

#define SR_AT_EMPTY_PATH 0x1000

/* AT_EMPTY_PATH with an empty path: the change is to the file of st->dirfd (as fchown's). */
static __always_inline bool sr_fc_empty_at(const struct sr_fc_stash *st)
{
	char c = 1;

	return (st->at & SR_AT_EMPTY_PATH) && !bpf_probe_read_user(&c, 1, (void *)st->path) && !c;
}

/* Record the change @st of session @s's current task, with the syscall's result @ret. */
static __noinline int sr_emit_fchange(struct sr_sess *s, const struct sr_fc_stash *st, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sr_fchange_event *ev;
	struct sr_scratch *sc;
	__u32 fl = 0, fl2 = 0, len, len2 = 0;

	ev = sr_fc_begin(s, &sc, task, st->op, SR_SRC_TRACEPOINT);
	if (!ev)
		return 0;
	ev->ret = ret;
	ev->length = st->length;
	ev->mode = st->mode;
	ev->uid = st->uid;
	ev->gid = st->gid;
	if (st->path && !sr_fc_empty_at(st))
		len = sr_fc_user_path(sc, ev->data, task, st->path, st->dirfd, &fl);
	else /* fchmod & co., or AT_EMPTY_PATH with an empty path (AT_FDCWD: the cwd) */
		len = sr_fc_fd_path(sc, ev->data, task, st->dirfd, st->path != 0, &fl);
	if (st->path2)
		len2 =
		    sr_fc_user_path(sc, &ev->data[SR_PATH_CAP], task, st->path2, st->dirfd2, &fl2);
	sr_fc_finish(s, sc, ev, len, len2, fl | fl2 << SR_FC_PATH2_SHIFT);
	return 0;
}

/*
 * A change seen at a security hook (lsm/path_*, fentry/security_path_*):
 * before it is made, so its result is not known (SR_FC_RET_UNKNOWN). The
 * paths come from the dentries, absolute; a change that fails before the
 * hook (a missing name, a lookup refused) never reaches it.
 */
struct sr_fc_hook {
	struct dentry *d, *d2;    /* the file; rename, link: the new name (NULL: none) */
	struct vfsmount *m, *m2;  /* their mounts */
	const char *target;       /* symlink: its content (kernel string) */
	__u32 op, mode, uid, gid; /* enum sr_fchange_op; chmod; chown ((__u32)-1: unchanged) */
	__u32 cflags;             /* SR_FC_LEN_UNKNOWN */
	__u32 dev;                /* mknod: the device number */
};

static __noinline int sr_emit_fchange_hook(const struct sr_fc_hook *h, __u8 src)
{
	struct task_struct *task;
	struct sr_fchange_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 fl = SR_FC_RET_UNKNOWN, fl2 = 0, len, len2 = 0, w;
	bool trunc = false;
	long n;

	if (!h || !sr_filter_class(&s, SR_CLASS_DISK))
		return 0;
	task = bpf_get_current_task_btf();
	ev = sr_fc_begin(&s, &sc, task, h->op, src);
	if (!ev)
		return 0;
	ev->mode = h->mode;
	ev->uid = h->uid;
	ev->gid = h->gid;
	ev->length = h->dev;
	fl |= h->cflags;
	w = sr_walk_path(sc, h->d, h->m, &trunc);
	len = sr_walked_into(sc, ev->data, w, trunc, &fl);
	if (h->d2) {
		trunc = false;
		w = sr_walk_path(sc, h->d2, h->m2, &trunc);
		len2 = sr_walked_into(sc, &ev->data[SR_PATH_CAP], w, trunc, &fl2);
	} else if (h->target) {
		n = bpf_probe_read_kernel_str(&ev->data[SR_PATH_CAP], SR_PATH_CAP, h->target);
		if (n <= 0) {
			fl2 |= SR_OPEN_PATH_FAULT;
			ev->data[SR_PATH_CAP] = 0;
			n = 1;
		} else if (n == SR_PATH_CAP) {
			fl2 |= SR_OPEN_PATH_TRUNC;
		}
		len2 = n;
	}
	sr_fc_finish(&s, sc, ev, len, len2, fl | fl2 << SR_FC_PATH2_SHIFT);
	return 0;
}

#define SR_AT_REMOVEDIR    0x200
#define SR_RENAME_EXCHANGE (1u << 1)
#define SR_NOCHANGE        ((__u32)-1)

/*
 * The mode a mkdir of @mode gives, as the security hook sees it: the
 * caller's umask applied (a default ACL of the parent may give another).
 */
static __always_inline __u32 sr_mkdir_mode(__u64 mode)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return (__u32)mode & 07777 & ~(__u32)BPF_CORE_READ(t, fs, umask);
}

/*
 * The mode a mknod of @mode gives: its file type (0 is a regular file, as
 * the kernel takes it) and its permissions, the umask applied as for mkdir.
 */
static __always_inline __u32 sr_mknod_mode(__u64 mode)
{
	__u32 type = (__u32)mode & 0170000;

	return (type ? type : 0100000) | sr_mkdir_mode(mode);
}

/* A rename's op: RENAME_EXCHANGE swaps the two names, it moves neither away. */
static __always_inline __u32 sr_fc_rename_op(__u64 flags)
{
	return flags & SR_RENAME_EXCHANGE ? SR_FC_EXCHANGE : SR_FC_RENAME;
}

/*
 * The syscall tracepoints' halves (tp_fchange.bpf.c, and the 32-bit ones in
 * tp_syscalls.bpf.c): the arguments at the enter, stashed per thread while
 * the task is in a session recording disk; the record at the exit, with the
 * result.
 */

/*
 * A change's arguments; @at: the call's AT_* flags (linkat, fchownat,
 * fchmodat2 take AT_EMPTY_PATH: an empty path then names the file of @dirfd
 * itself).
 */
static __always_inline struct sr_fc_stash sr_fc_args(__u32 op, int dirfd, __u64 path, int dirfd2,
                                                     __u64 path2, __u64 at)
{
	struct sr_fc_stash st = {.op = op,
	                         .dirfd = dirfd,
	                         .path = path,
	                         .dirfd2 = dirfd2,
	                         .path2 = path2,
	                         .uid = SR_NOCHANGE,
	                         .gid = SR_NOCHANGE,
	                         .at = (__u32)at};

	return st;
}

/* Keep @st for the exit when the current task is in a session recording disk. */
static __always_inline int sr_fc_stash_put(const struct sr_fc_stash *st)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_sess s;

	if (!(sr_tp_jobs & SR_TPJ_FCHANGE) || !sr_filter_class(&s, SR_CLASS_DISK))
		return 0;
	bpf_map_update_elem(&fc_stash, &tid, st, BPF_ANY);
	return 0;
}

static __always_inline int sr_fc_enter_at(__u32 op, int dirfd, __u64 path, int dirfd2, __u64 path2,
                                          __u64 at)
{
	struct sr_fc_stash st = sr_fc_args(op, dirfd, path, dirfd2, path2, at);

	return sr_fc_stash_put(&st);
}

static __always_inline int sr_fc_enter(__u32 op, int dirfd, __u64 path, int dirfd2, __u64 path2)
{
	return sr_fc_enter_at(op, dirfd, path, dirfd2, path2, 0);
}

/* The same with the op's number arguments (mode, owner, length, device) filled in. */
static __always_inline int sr_fc_enter_arg_at(__u32 op, int dirfd, __u64 path, __u64 a, __u64 b,
                                              __u64 at)
{
	struct sr_fc_stash st = sr_fc_args(op, dirfd, path, 0, 0, at);

	if (op == SR_FC_CHMOD)
		st.mode = a & 07777;
	else if (op == SR_FC_MKDIR)
		st.mode = sr_mkdir_mode(a);
	else if (op == SR_FC_MKNOD) {
		st.mode = sr_mknod_mode(a);
		st.length = (__u32)b; /* the device number */
	} else if (op == SR_FC_CHOWN) {
		st.uid = a;
		st.gid = b;
	} else
		st.length = a;
	return sr_fc_stash_put(&st);
}

static __always_inline int sr_fc_enter_arg(__u32 op, int dirfd, __u64 path, __u64 a, __u64 b)
{
	return sr_fc_enter_arg_at(op, dirfd, path, a, b, 0);
}

static __noinline int sr_fc_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sr_fc_stash *p = bpf_map_lookup_elem(&fc_stash, &tid);
	struct sr_fc_stash st;
	struct sr_sess s;

	if (!p)
		return 0;
	st = *p;
	bpf_map_delete_elem(&fc_stash, &tid);
	if (!sr_filter_class(&s, SR_CLASS_DISK))
		return 0;
	return sr_emit_fchange(&s, &st, ret);
}

#endif /* SSHREC_BPF_EMIT_FCHANGE_H */
