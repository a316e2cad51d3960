/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file open.bpf.h
 * @brief The SR_EV_OPEN filler, shared by every way an open is observed.
 *
 * A record is begun in the per-CPU scratch (sr_open_begin), its path copied
 * in by the caller (from user memory, a struct filename or a struct file),
 * made absolute against the directory it was relative to (sr_open_resolve)
 * and written out (sr_open_finish). The two hook-side entry points below
 * serve both hook backends: the security hook sees every open that got past
 * path lookup (sr_emit_open_file), the exit of do_filp_open() the ones that
 * did not, and O_PATH opens, which never reach the hook (sr_emit_open_name).
 */
#ifndef SSHREC_BPF_EMIT_OPEN_H
#define SSHREC_BPF_EMIT_OPEN_H

#include "lib/output.bpf.h"
#include "lib/path.bpf.h"

/* Begin an open record of the current task in the scratch (NULL: counted as lost). */
static __always_inline struct sr_open_event *
sr_open_begin(const struct sr_sess *s, struct sr_scratch **scp, struct task_struct *task, __u8 src)
{
	struct sr_scratch *sc = sr_scratch_or_lost(s, SR_CLASS_DISK);
	struct sr_open_event *ev;

	*scp = sc;
	if (!sc)
		return NULL;
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_OPEN, s, task, true, src);
	ev->ret = 0;
	ev->flags = 0;
	ev->mode = 0;
	ev->dirfd = SR_AT_FDCWD;
	ev->syscall = SR_SYS_UNKNOWN;
	ev->_pad = 0;
	return ev;
}

/* Make the relative path in @dst (a path buffer in the scratch) absolute against dir in walk[w..].
 */
static __always_inline __u32 sr_join(struct sr_scratch *sc, char *dst, __u32 w, __u32 rel_len,
                                     __u32 *oflags)
{
	__u32 dlen, pos;
	long n;

	rel_len &= 2 * SR_PATH_CAP - 1;
	if (rel_len > SR_PATH_CAP)
		rel_len = SR_PATH_CAP;
	bpf_probe_read_kernel(sc->tmp, rel_len, dst);
	w &= SR_PATH_CAP - 1;
	dlen = SR_PATH_CAP - 1 - w; /* without the NUL */
	bpf_probe_read_kernel(dst, dlen, &sc->walk[w]);
	pos = dlen;
	if (dlen != 1) /* not "/" */
		dst[pos++ & (SR_PATH_CAP - 1)] = '/';
	if (pos >= SR_PATH_CAP - 1) {
		*oflags |= SR_OPEN_PATH_TRUNC;
		dst[SR_PATH_CAP - 1] = 0;
		return SR_PATH_CAP;
	}
	n = bpf_probe_read_kernel_str(&dst[pos & (SR_PATH_CAP - 1)], SR_PATH_CAP, sc->tmp);
	if (n <= 0)
		n = 1;
	pos += n;
	if (pos > SR_PATH_CAP) {
		*oflags |= SR_OPEN_PATH_TRUNC;
		dst[SR_PATH_CAP - 1] = 0;
		return SR_PATH_CAP;
	}
	*oflags |= SR_OPEN_PATH_RESOLVED;
	return pos;
}

/*
 * @dst (a path buffer in the scratch) holds the string the task passed
 * (@len bytes incl. the NUL): when relative, make it absolute against
 * @dirfd (or the cwd). Returns the new length; unresolvable directories set
 * SR_OPEN_DIR_FAULT.
 */
static __always_inline __u32 sr_resolve_into(struct sr_scratch *sc, char *dst,
                                             struct task_struct *task, int dirfd, __u32 len,
                                             __u32 *oflags)
{
	bool trunc = false;
	__u32 w;

	if (dst[0] == '/')
		return len;
	w = sr_walk_dir(sc, task, dirfd, &trunc);
	if (w >= SR_PATH_CAP)
		*oflags |= SR_OPEN_DIR_FAULT;
	else
		len = sr_join(sc, dst, w, len, oflags);
	if (trunc)
		*oflags |= SR_OPEN_PATH_TRUNC;
	return len;
}

/* sr_resolve_into() for the open record in the scratch. */
static __always_inline __u32 sr_open_resolve(struct sr_scratch *sc, struct task_struct *task,
                                             int dirfd, __u32 len, __u32 *oflags)
{
	struct sr_open_event *ev = (void *)sc->ev;

	return sr_resolve_into(sc, ev->path, task, dirfd, len, oflags);
}

/* Copy the path walked into walk[w..] into @dst; returns its length incl. the NUL. */
static __always_inline __u32 sr_walked_into(struct sr_scratch *sc, char *dst, __u32 w, bool trunc,
                                            __u32 *oflags)
{
	__u32 len;

	if (w >= SR_PATH_CAP) {
		*oflags |= SR_OPEN_DIR_FAULT;
		dst[0] = 0;
		return 1;
	}
	w &= SR_PATH_CAP - 1;
	len = SR_PATH_CAP - w;
	bpf_probe_read_kernel(dst, len, &sc->walk[w]);
	*oflags |= SR_OPEN_PATH_RESOLVED;
	if (trunc)
		*oflags |= SR_OPEN_PATH_TRUNC;
	return len;
}

/* sr_walked_into() for the open record in the scratch. */
static __always_inline __u32 sr_open_walked(struct sr_scratch *sc, __u32 w, bool trunc,
                                            __u32 *oflags)
{
	struct sr_open_event *ev = (void *)sc->ev;

	return sr_walked_into(sc, ev->path, w, trunc, oflags);
}

/* Size the record and write it out. */
static __always_inline void sr_open_finish(const struct sr_sess *s, struct sr_open_event *ev,
                                           __u32 len, __u32 oflags)
{
	len &= 2 * SR_PATH_CAP - 1;
	if (len > SR_PATH_CAP)
		len = SR_PATH_CAP;
	ev->oflags = oflags;
	ev->path_len = len;
	ev->hdr.size = sizeof(*ev) + len;
	sr_output(s->key, SR_CLASS_DISK, ev, ev->hdr.size);
}

/* Flags as the kernel holds them, without its internal bits and O_LARGEFILE (always set). */
static __always_inline __u64 sr_open_flags(__u32 kflags)
{
	return kflags & SR_O_ALLFLAGS & ~(SR_FMODE_EXEC | SR_O_LARGEFILE);
}

/*
 * The security hook (lsm/file_open, fentry/security_file_open): an open of
 * @f that got past path lookup, however it was made (syscall, io_uring,
 * /proc/self/fd, dirfd), by a task of session @s, with @f's f_flags and
 * f_mode. The hook runs the filter first and reads @f only for a task in a
 * session: outside sessions an open costs the filter and nothing else. The
 * fd is not known yet: SR_OPEN_NO_FD.
 */
static __always_inline void sr_emit_open_file(const struct sr_sess *s, struct file *f, __u32 kflags,
                                              __u32 fmode, __u8 src)
{
	struct task_struct *task;
	struct sr_open_event *ev;
	struct sr_scratch *sc;
	__u32 oflags = SR_OPEN_NO_FD, len, w;
	bool trunc = false;

	if (kflags & SR_FMODE_EXEC)
		return; /* the exec's own open: part of the exec record */
	if (fmode & SR_FMODE_NOACCOUNT)
		return; /* the kernel's own open behind another one (overlayfs' real file) */
	if (!sr_wants(s, SR_CLASS_DISK) || sr_open_skipped(s, kflags))
		return;
	task = bpf_get_current_task_btf();
	ev = sr_open_begin(s, &sc, task, src);
	if (!ev)
		return;
	ev->flags = sr_open_flags(kflags);
	if (kflags & SR_O_CREAT)
		ev->mode = BPF_CORE_READ(f, f_inode, i_mode) & 07777;
	w = sr_walk_file(sc, f, &trunc);
	len = sr_open_walked(sc, w, trunc, &oflags);
	sr_open_finish(s, ev, len, oflags);
}

/*
 * The exit of do_filp_open(@dfd, @name, @op) -> @res: record the opens the
 * security hook cannot see: failures (path from the kernel's copy of the
 * name, with the errno) and O_PATH opens (path from the file).
 */
static __always_inline void sr_emit_open_name(int dfd, struct filename *name,
                                              const struct open_flags *op, struct file *res,
                                              __u8 src)
{
	long err = (unsigned long)res >= (unsigned long)-4095 ? (long)res : 0; /* IS_ERR */
	/*
	 * @op is the fexit's own argument, a BTF pointer: a direct load, so an
	 * ordinary open (most of the host's) returns below without a helper call
	 */
	__u32 kflags = op->open_flag, oflags = 0, len, w;
	struct task_struct *task;
	struct sr_open_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	bool trunc = false;
	long n;

	if (kflags & SR_FMODE_EXEC)
		return; /* exec: its failure is a failed exec record */
	if (!err && !(kflags & SR_O_PATH))
		return; /* the security hook recorded it */
	/* io_uring's non-blocking attempt: it is retried, the retry is recorded */
	if (err == -SR_EAGAIN && (op->lookup_flags & SR_LOOKUP_CACHED))
		return;
	if (!sr_filter_class(&s, SR_CLASS_DISK) || sr_open_skipped(&s, kflags))
		return;
	task = bpf_get_current_task_btf();
	ev = sr_open_begin(&s, &sc, task, src);
	if (!ev)
		return;
	ev->ret = err;
	ev->flags = sr_open_flags(kflags);
	ev->mode = BPF_CORE_READ(op, mode) & 07777;
	ev->dirfd = dfd;
	if (!err) {
		w = sr_walk_file(sc, res, &trunc);
		len = sr_open_walked(sc, w, trunc, &oflags);
	} else {
		n = bpf_probe_read_kernel_str(ev->path, SR_PATH_CAP, BPF_CORE_READ(name, name));
		if (n <= 0) {
			oflags |= SR_OPEN_PATH_FAULT;
			ev->path[0] = 0;
			len = 1;
		} else {
			len = sr_open_resolve(sc, task, dfd, n, &oflags);
		}
	}
	sr_open_finish(&s, ev, len, oflags);
}

#endif /* SSHREC_BPF_EMIT_OPEN_H */
