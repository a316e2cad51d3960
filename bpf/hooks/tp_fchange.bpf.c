// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Syscall tracepoints of the file changes (unlink, rmdir, rename, chmod,
 * chown, link, symlink, truncate and their *at and f* forms): the arguments
 * at the enter, the record with the result at the exit, where the paths are
 * read from the caller's memory (the kernel has just read them too). Like
 * the open syscall programs they are attached only while a session records
 * disk: each puts every syscall of the host on the slow path. 32-bit tasks'
 * changes come through sr_compat_enter/exit (tp_syscalls.bpf.c), which the
 * per-syscall tracepoints ignore on x86-64.
 */
#include "emit/fchange.bpf.h"

#define SR_FC_EXIT(name)                                                                           \
	SEC("tp/syscalls/sys_exit_" #name)                                                         \
	int sr_fcx_##name(struct trace_event_raw_sys_exit *ctx)                                    \
	{                                                                                          \
		return sr_fc_exit(ctx->ret);                                                       \
	}

SEC("tp/syscalls/sys_enter_unlink")
int sr_fc_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_UNLINK, SR_AT_FDCWD, ctx->args[0], 0, 0);
}
SR_FC_EXIT(unlink)

SEC("tp/syscalls/sys_enter_unlinkat")
int sr_fc_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 op = ctx->args[2] & SR_AT_REMOVEDIR ? SR_FC_RMDIR : SR_FC_UNLINK;

	return sr_fc_enter(op, (int)ctx->args[0], ctx->args[1], 0, 0);
}
SR_FC_EXIT(unlinkat)

SEC("tp/syscalls/sys_enter_rmdir")
int sr_fc_rmdir(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_RMDIR, SR_AT_FDCWD, ctx->args[0], 0, 0);
}
SR_FC_EXIT(rmdir)

SEC("tp/syscalls/sys_enter_rename")
int sr_fc_rename(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_RENAME, SR_AT_FDCWD, ctx->args[0], SR_AT_FDCWD, ctx->args[1]);
}
SR_FC_EXIT(rename)

SEC("tp/syscalls/sys_enter_renameat")
int sr_fc_renameat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_RENAME, (int)ctx->args[0], ctx->args[1], (int)ctx->args[2],
	                   ctx->args[3]);
}
SR_FC_EXIT(renameat)

SEC("tp/syscalls/sys_enter_renameat2")
int sr_fc_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(sr_fc_rename_op(ctx->args[4]), (int)ctx->args[0], ctx->args[1],
	                   (int)ctx->args[2], ctx->args[3]);
}
SR_FC_EXIT(renameat2)

SEC("tp/syscalls/sys_enter_link")
int sr_fc_link(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_LINK, SR_AT_FDCWD, ctx->args[0], SR_AT_FDCWD, ctx->args[1]);
}
SR_FC_EXIT(link)

SEC("tp/syscalls/sys_enter_linkat")
int sr_fc_linkat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_at(SR_FC_LINK, (int)ctx->args[0], ctx->args[1], (int)ctx->args[2],
	                      ctx->args[3], ctx->args[4]);
}
SR_FC_EXIT(linkat)

/* symlink(target, linkpath): path is the link made, path2 its content as given */
SEC("tp/syscalls/sys_enter_symlink")
int sr_fc_symlink(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_SYMLINK, SR_AT_FDCWD, ctx->args[1], SR_FC_NO_RESOLVE,
	                   ctx->args[0]);
}
SR_FC_EXIT(symlink)

SEC("tp/syscalls/sys_enter_symlinkat")
int sr_fc_symlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter(SR_FC_SYMLINK, (int)ctx->args[1], ctx->args[2], SR_FC_NO_RESOLVE,
	                   ctx->args[0]);
}
SR_FC_EXIT(symlinkat)

SEC("tp/syscalls/sys_enter_chmod")
int sr_fc_chmod(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHMOD, SR_AT_FDCWD, ctx->args[0], ctx->args[1], 0);
}
SR_FC_EXIT(chmod)

SEC("tp/syscalls/sys_enter_fchmod")
int sr_fc_fchmod(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHMOD, (int)ctx->args[0], 0, ctx->args[1], 0);
}
SR_FC_EXIT(fchmod)

SEC("tp/syscalls/sys_enter_fchmodat")
int sr_fc_fchmodat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHMOD, (int)ctx->args[0], ctx->args[1], ctx->args[2], 0);
}
SR_FC_EXIT(fchmodat)

/* since 6.6 (optional in the program table) */
SEC("tp/syscalls/sys_enter_fchmodat2")
int sr_fc_fchmodat2(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg_at(SR_FC_CHMOD, (int)ctx->args[0], ctx->args[1], ctx->args[2], 0,
	                          ctx->args[3]);
}
SR_FC_EXIT(fchmodat2)

SEC("tp/syscalls/sys_enter_mkdir")
int sr_fc_mkdir(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_MKDIR, SR_AT_FDCWD, ctx->args[0], ctx->args[1], 0);
}
SR_FC_EXIT(mkdir)

SEC("tp/syscalls/sys_enter_mkdirat")
int sr_fc_mkdirat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_MKDIR, (int)ctx->args[0], ctx->args[1], ctx->args[2], 0);
}
SR_FC_EXIT(mkdirat)

SEC("tp/syscalls/sys_enter_mknod")
int sr_fc_mknod(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_MKNOD, SR_AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
}
SR_FC_EXIT(mknod)

SEC("tp/syscalls/sys_enter_mknodat")
int sr_fc_mknodat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_MKNOD, (int)ctx->args[0], ctx->args[1], ctx->args[2],
	                       ctx->args[3]);
}
SR_FC_EXIT(mknodat)

SEC("tp/syscalls/sys_enter_chown")
int sr_fc_chown(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHOWN, SR_AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
}
SR_FC_EXIT(chown)

SEC("tp/syscalls/sys_enter_lchown")
int sr_fc_lchown(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHOWN, SR_AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
}
SR_FC_EXIT(lchown)

SEC("tp/syscalls/sys_enter_fchown")
int sr_fc_fchown(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_CHOWN, (int)ctx->args[0], 0, ctx->args[1], ctx->args[2]);
}
SR_FC_EXIT(fchown)

SEC("tp/syscalls/sys_enter_fchownat")
int sr_fc_fchownat(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg_at(SR_FC_CHOWN, (int)ctx->args[0], ctx->args[1], ctx->args[2],
	                          ctx->args[3], ctx->args[4]);
}
SR_FC_EXIT(fchownat)

SEC("tp/syscalls/sys_enter_truncate")
int sr_fc_truncate(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_TRUNCATE, SR_AT_FDCWD, ctx->args[0], ctx->args[1], 0);
}
SR_FC_EXIT(truncate)

SEC("tp/syscalls/sys_enter_ftruncate")
int sr_fc_ftruncate(struct trace_event_raw_sys_enter *ctx)
{
	return sr_fc_enter_arg(SR_FC_TRUNCATE, (int)ctx->args[0], 0, ctx->args[1], 0);
}
SR_FC_EXIT(ftruncate)
