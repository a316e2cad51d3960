// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * File changes at the security hooks: BPF LSM (lsm/path_*) on the LSM
 * backend, fentry on the functions that call them (security_path_*) on the
 * fentry backend; both need CONFIG_SECURITY_PATH. They see every change
 * however it was asked for (syscalls, io_uring's unlinkat, renameat,
 * linkat, symlinkat...) and cost nothing on the syscall path of other
 * processes. (Short program names: the kernel keeps 15 characters of each.)
 * They run before the change: its result is not known
 * (SR_FC_RET_UNKNOWN), nor a truncate's length. Each program records only;
 * the LSM ones return the verdict before them unchanged.
 */
#include "emit/fchange.bpf.h"

/* One body per hook, for both mechanisms. */
static __always_inline int sr_fch_unlink(const struct path *dir, struct dentry *d, __u32 op,
                                         __u8 src)
{
	struct sr_fc_hook h = {
	    .d = d, .m = BPF_CORE_READ(dir, mnt), .op = op, .uid = (__u32)-1, .gid = (__u32)-1};

	return sr_emit_fchange_hook(&h, src);
}

static __always_inline int sr_fch_rename(const struct path *od, struct dentry *o,
                                         const struct path *nd, struct dentry *n,
                                         unsigned int flags, __u8 src)
{
	struct sr_fc_hook h = {.d = o,
	                       .m = BPF_CORE_READ(od, mnt),
	                       .d2 = n,
	                       .m2 = BPF_CORE_READ(nd, mnt),
	                       .op = sr_fc_rename_op(flags),
	                       .uid = (__u32)-1,
	                       .gid = (__u32)-1};

	return sr_emit_fchange_hook(&h, src);
}

static __always_inline int sr_fch_link(struct dentry *o, const struct path *nd, struct dentry *n,
                                       __u8 src)
{
	struct vfsmount *m = BPF_CORE_READ(nd, mnt); /* a hard link never crosses mounts */
	struct sr_fc_hook h = {
	    .d = o, .m = m, .d2 = n, .m2 = m, .op = SR_FC_LINK, .uid = (__u32)-1, .gid = (__u32)-1};

	return sr_emit_fchange_hook(&h, src);
}

static __always_inline int sr_fch_symlink(const struct path *dir, struct dentry *d,
                                          const char *target, __u8 src)
{
	struct sr_fc_hook h = {.d = d,
	                       .m = BPF_CORE_READ(dir, mnt),
	                       .target = target,
	                       .op = SR_FC_SYMLINK,
	                       .uid = (__u32)-1,
	                       .gid = (__u32)-1};

	return sr_emit_fchange_hook(&h, src);
}

/*
 * mkdir: the hook has the mode with the umask applied only where the parent
 * has no POSIX ACLs (ext4, tmpfs have them); apply it here too, as the
 * tracepoint and io_uring programs do, so every backend says the same
 */
static __always_inline int sr_fch_mkdir(const struct path *dir, struct dentry *d, umode_t mode,
                                        __u8 src)
{
	struct sr_fc_hook h = {.d = d,
	                       .m = BPF_CORE_READ(dir, mnt),
	                       .op = SR_FC_MKDIR,
	                       .mode = sr_mkdir_mode(mode),
	                       .uid = (__u32)-1,
	                       .gid = (__u32)-1};

	return sr_emit_fchange_hook(&h, src);
}

/*
 * mknod, and a unix socket's bind to a path (it makes its node through the
 * same hook, S_IFSOCK): the mode with its type, the umask applied as above
 */
static __always_inline int sr_fch_mknod(const struct path *dir, struct dentry *d, umode_t mode,
                                        unsigned int dev, __u8 src)
{
	struct sr_fc_hook h = {.d = d,
	                       .m = BPF_CORE_READ(dir, mnt),
	                       .op = SR_FC_MKNOD,
	                       .mode = sr_mknod_mode(mode),
	                       .uid = (__u32)-1,
	                       .gid = (__u32)-1,
	                       .dev = dev};

	return sr_emit_fchange_hook(&h, src);
}

static __always_inline int sr_fch_attr(const struct path *p, __u32 op, __u32 mode, __u32 uid,
                                       __u32 gid, __u8 src)
{
	struct sr_fc_hook h = {.d = BPF_CORE_READ(p, dentry),
	                       .m = BPF_CORE_READ(p, mnt),
	                       .op = op,
	                       .mode = mode & 07777,
	                       .uid = uid,
	                       .gid = gid,
	                       .cflags = op == SR_FC_TRUNCATE ? SR_FC_LEN_UNKNOWN : 0};

	return sr_emit_fchange_hook(&h, src);
}

#define NOID ((__u32)-1)

/*
 * A truncate: not the one an O_TRUNC open of an existing file makes through
 * the same hooks. That one runs inside the open's path walk (the only time
 * current->nameidata is set): its open record says O_TRUNC, as on the
 * tracepoint backend, so it is not a truncate record too.
 */
static __always_inline int sr_fch_truncate(const struct path *p, __u8 src)
{
	if (bpf_get_current_task_btf()->nameidata)
		return 0;
	return sr_fch_attr(p, SR_FC_TRUNCATE, 0, NOID, NOID, src);
}

/* ---- BPF LSM ---------------------------------------------------------- */

SEC("lsm/path_unlink")
int BPF_PROG(sr_lsm_unlink, const struct path *dir, struct dentry *d, int ret)
{
	if (!ret)
		sr_fch_unlink(dir, d, SR_FC_UNLINK, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_rmdir")
int BPF_PROG(sr_lsm_rmdir, const struct path *dir, struct dentry *d, int ret)
{
	if (!ret)
		sr_fch_unlink(dir, d, SR_FC_RMDIR, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_rename")
int BPF_PROG(sr_lsm_rename, const struct path *od, struct dentry *o, const struct path *nd,
             struct dentry *n, unsigned int flags, int ret)
{
	if (!ret)
		sr_fch_rename(od, o, nd, n, flags, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_link")
int BPF_PROG(sr_lsm_link, struct dentry *o, const struct path *nd, struct dentry *n, int ret)
{
	if (!ret)
		sr_fch_link(o, nd, n, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_symlink")
int BPF_PROG(sr_lsm_symlink, const struct path *dir, struct dentry *d, const char *target, int ret)
{
	if (!ret)
		sr_fch_symlink(dir, d, target, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_chmod")
int BPF_PROG(sr_lsm_chmod, const struct path *p, umode_t mode, int ret)
{
	if (!ret)
		sr_fch_attr(p, SR_FC_CHMOD, mode, NOID, NOID, SR_SRC_LSM);
	return ret;
}

/* kuid_t and kgid_t are one-member structs passed by value: their __u32 */
SEC("lsm/path_chown")
int BPF_PROG(sr_lsm_chown, const struct path *p, __u32 uid, __u32 gid, int ret)
{
	if (!ret)
		sr_fch_attr(p, SR_FC_CHOWN, 0, uid, gid, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_mkdir")
int BPF_PROG(sr_lsm_mkdir, const struct path *dir, struct dentry *d, umode_t mode, int ret)
{
	if (!ret)
		sr_fch_mkdir(dir, d, mode, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_mknod")
int BPF_PROG(sr_lsm_mknod, const struct path *dir, struct dentry *d, umode_t mode, unsigned int dev,
             int ret)
{
	if (!ret)
		sr_fch_mknod(dir, d, mode, dev, SR_SRC_LSM);
	return ret;
}

SEC("lsm/path_truncate")
int BPF_PROG(sr_lsm_truncate, const struct path *p, int ret)
{
	if (!ret)
		sr_fch_truncate(p, SR_SRC_LSM);
	return ret;
}

/* ftruncate and O_TRUNC opens of existing files since 6.2 (before: path_truncate) */
SEC("lsm/file_truncate")
int BPF_PROG(sr_lsm_ftruncate, struct file *f, int ret)
{
	if (!ret)
		sr_fch_truncate(&f->f_path, SR_SRC_LSM);
	return ret;
}

/* ---- fentry on the functions that call the hooks ------------------------ */

SEC("fentry/security_path_unlink")
int BPF_PROG(sr_fe_unlink, const struct path *dir, struct dentry *d)
{
	return sr_fch_unlink(dir, d, SR_FC_UNLINK, SR_SRC_FENTRY);
}

SEC("fentry/security_path_rmdir")
int BPF_PROG(sr_fe_rmdir, const struct path *dir, struct dentry *d)
{
	return sr_fch_unlink(dir, d, SR_FC_RMDIR, SR_SRC_FENTRY);
}

SEC("fentry/security_path_rename")
int BPF_PROG(sr_fe_rename, const struct path *od, struct dentry *o, const struct path *nd,
             struct dentry *n, unsigned int flags)
{
	return sr_fch_rename(od, o, nd, n, flags, SR_SRC_FENTRY);
}

SEC("fentry/security_path_link")
int BPF_PROG(sr_fe_link, struct dentry *o, const struct path *nd, struct dentry *n)
{
	return sr_fch_link(o, nd, n, SR_SRC_FENTRY);
}

SEC("fentry/security_path_symlink")
int BPF_PROG(sr_fe_symlink, const struct path *dir, struct dentry *d, const char *target)
{
	return sr_fch_symlink(dir, d, target, SR_SRC_FENTRY);
}

SEC("fentry/security_path_chmod")
int BPF_PROG(sr_fe_chmod, const struct path *p, umode_t mode)
{
	return sr_fch_attr(p, SR_FC_CHMOD, mode, NOID, NOID, SR_SRC_FENTRY);
}

SEC("fentry/security_path_chown")
int BPF_PROG(sr_fe_chown, const struct path *p, __u32 uid, __u32 gid)
{
	return sr_fch_attr(p, SR_FC_CHOWN, 0, uid, gid, SR_SRC_FENTRY);
}

SEC("fentry/security_path_mkdir")
int BPF_PROG(sr_fe_mkdir, const struct path *dir, struct dentry *d, umode_t mode)
{
	return sr_fch_mkdir(dir, d, mode, SR_SRC_FENTRY);
}

SEC("fentry/security_path_mknod")
int BPF_PROG(sr_fe_mknod, const struct path *dir, struct dentry *d, umode_t mode, unsigned int dev)
{
	return sr_fch_mknod(dir, d, mode, dev, SR_SRC_FENTRY);
}

SEC("fentry/security_path_truncate")
int BPF_PROG(sr_fe_truncate, const struct path *p)
{
	return sr_fch_truncate(p, SR_SRC_FENTRY);
}

SEC("fentry/security_file_truncate")
int BPF_PROG(sr_fe_ftruncate, struct file *f)
{
	return sr_fch_truncate(&f->f_path, SR_SRC_FENTRY);
}
