/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file path.bpf.h
 * @brief Absolute paths from (dentry, vfsmount) pairs, walked in the kernel.
 *
 * The walk goes up to the global root, crossing mounts, so a chroot or a
 * private mount namespace does not change what is recorded (bpf_d_path
 * would give the path as the task's root sees it). It takes a struct path's
 * two halves, so a security hook's struct file feeds it unchanged.
 */
#ifndef SSHREC_BPF_LIB_PATH_H
#define SSHREC_BPF_LIB_PATH_H

#include "lib/maps.bpf.h"

struct sr_walk_ctx {
	struct dentry *dentry;
	struct mount *mnt;
	__u32 off;
	__u32 done; /* reached the root (or a disconnected dentry) */
	__u32 trunc;
};

/* One path component; a bpf_loop() callback so the verifier sees it once. */
static long sr_walk_step(__u32 i, void *data)
{
	struct sr_walk_ctx *c = data;
	struct dentry *dentry = c->dentry, *mnt_root, *parent;
	struct mount *mnt = c->mnt, *mnt_parent;
	struct sr_scratch *sc = sr_scratch_get();
	struct qstr name;
	__u32 len, off = c->off;

	if (!sc)
		return 1;
	mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root || dentry == parent) {
		c->done = 1;
		if (dentry != mnt_root)
			return 1; /* disconnected: keep what we have */
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt)
			return 1; /* the global root */
		c->done = 0;
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mnt_parent;
		return 0;
	}
	name = BPF_CORE_READ(dentry, d_name);
	len = name.len & SR_NAME_MAX;
	if (len + 1 > off) {
		c->trunc = 1;
		return 1;
	}
	off -= len + 1;
	bpf_probe_read_kernel(&sc->walk[(off + 1) & (SR_PATH_CAP - 1)], len, name.name);
	sc->walk[off & (SR_PATH_CAP - 1)] = '/';
	c->off = off;
	c->dentry = parent;
	return 0;
}

/*
 * Walk @dentry up to the global root, crossing mounts, writing the path
 * backwards so it ends at walk[SR_PATH_CAP - 1] (the NUL). Returns the
 * offset of its first byte; *trunc is set when the walk hit the depth or
 * size limit (the result is then the deepest part of the path).
 */
static __always_inline __u32 sr_walk_path(struct sr_scratch *sc, struct dentry *dentry,
                                          struct vfsmount *vfsmnt, bool *trunc)
{
	struct sr_walk_ctx c = {
	    .dentry = dentry,
	    .mnt = container_of(vfsmnt, struct mount, mnt),
	    .off = SR_PATH_CAP - 1,
	};
	__u32 off;

	sc->walk[SR_PATH_CAP - 1] = 0;
	bpf_loop(SR_PATH_DEPTH, sr_walk_step, &c, 0);
	*trunc = c.trunc || !c.done;
	off = c.off & (SR_PATH_CAP - 1);
	if (off == SR_PATH_CAP - 1) {
		off--;
		sc->walk[off] = '/';
	}
	return off;
}

/* Path of @f into walk[]; SR_PATH_CAP when it has none. */
static __always_inline __u32 sr_walk_file(struct sr_scratch *sc, struct file *f, bool *trunc)
{
	struct dentry *d;
	struct vfsmount *m;

	if (!f)
		return SR_PATH_CAP;
	d = BPF_CORE_READ(f, f_path.dentry);
	m = BPF_CORE_READ(f, f_path.mnt);
	if (!d || !m)
		return SR_PATH_CAP;
	return sr_walk_path(sc, d, m, trunc);
}

/* Path of the task's cwd into walk[]. */
static __always_inline __u32 sr_walk_cwd(struct sr_scratch *sc, struct task_struct *task,
                                         bool *trunc)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct dentry *d;
	struct vfsmount *m;

	if (!fs)
		return SR_PATH_CAP; /* no fs (exiting): unresolvable */
	d = BPF_CORE_READ(fs, pwd.dentry);
	m = BPF_CORE_READ(fs, pwd.mnt);
	if (!d || !m)
		return SR_PATH_CAP;
	return sr_walk_path(sc, d, m, trunc);
}

/* Path of the task's file descriptor @fd into walk[]. */
static __always_inline __u32 sr_walk_fd(struct sr_scratch *sc, struct task_struct *task, int fd,
                                        bool *trunc)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return SR_PATH_CAP;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return SR_PATH_CAP;
	return sr_walk_file(sc, f, trunc);
}

/* The directory a relative path starts from: @dirfd, or the cwd for AT_FDCWD. */
static __always_inline __u32 sr_walk_dir(struct sr_scratch *sc, struct task_struct *task, int dirfd,
                                         bool *trunc)
{
	if (dirfd == SR_AT_FDCWD)
		return sr_walk_cwd(sc, task, trunc);
	return sr_walk_fd(sc, task, dirfd, trunc);
}

#endif /* SSHREC_BPF_LIB_PATH_H */
