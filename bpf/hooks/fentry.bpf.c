// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fentry/fexit programs. The fentry backend's opens, connects and UDP sends (at the
 * security_* functions the LSM hooks are called from), and, on both hook
 * backends, what the hooks cannot see: failed opens and O_PATH opens at the
 * exit of do_filp_open() (every path-based open, io_uring's included) and
 * failed execs at the exit of the exec syscalls. A trampoline runs only for
 * its own function, so the host's other syscalls stay on the fast path.
 */
#include "emit/connect.bpf.h"
#include "emit/denied.bpf.h"
#include "emit/exec.bpf.h"
#include "emit/open.bpf.h"
#include "emit/udp.bpf.h"

SEC("fentry/security_file_open")
int BPF_PROG(sr_fentry_file_open, struct file *file)
{
	__u32 kflags, fmode;
	struct sr_sess s;

	/* the filter first, once for both jobs: outside sessions nothing else runs */
	if (!sr_filter_current(&s))
		return 0;
	/* the hook's own argument, a BTF pointer: direct loads, no helper call */
	kflags = file->f_flags;
	fmode = file->f_mode;
	sr_emit_open_file(&s, file, kflags, fmode, SR_SRC_FENTRY);
	/*
	 * deny_write without BPF LSM: the open is under way, the task dies
	 * before it writes. Checked once, at the user's open: not again at
	 * overlayfs' internal open of the real file (same path, NOACCOUNT).
	 */
	if (sr_policy_mech == SR_POLICY_MECH_SIGNAL && !(kflags & SR_FMODE_EXEC) &&
	    !(fmode & SR_FMODE_NOACCOUNT))
		sr_signal_open(&s, file, -1, sr_open_flags(kflags), SR_SRC_FENTRY);
	return 0;
}

SEC("fentry/security_socket_connect")
int BPF_PROG(sr_fentry_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	sr_connect_hook(sock, address, SR_SRC_FENTRY);
	return 0;
}

SEC("fentry/security_socket_sendmsg")
int BPF_PROG(sr_fentry_udp_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	sr_udp_send_hook(sock, msg, SR_SRC_FENTRY);
	return 0;
}

SEC("fexit/do_filp_open")
int BPF_PROG(sr_fexit_filp_open, int dfd, struct filename *pathname, const struct open_flags *op,
             struct file *ret)
{
	sr_emit_open_name(dfd, pathname, op, ret, SR_SRC_FENTRY);
	return 0;
}

#ifdef __TARGET_ARCH_x86
/* Failed execs: the syscall wrappers' pt_regs hold the caller's arguments. */
SEC("fexit/__x64_sys_execve")
int BPF_PROG(sr_fexit_execve, const struct pt_regs *regs, long ret)
{
	if (ret < 0)
		sr_emit_exec_fail(ret, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si), 0,
		                  SR_SRC_FENTRY);
	return 0;
}

SEC("fexit/__x64_sys_execveat")
int BPF_PROG(sr_fexit_execveat, const struct pt_regs *regs, long ret)
{
	if (ret < 0)
		sr_emit_exec_fail(ret, BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx), 0,
		                  SR_SRC_FENTRY);
	return 0;
}

/* 32-bit tasks: i386 argument registers, 32-bit argv pointers. */
SEC("fexit/__ia32_compat_sys_execve")
int BPF_PROG(sr_fexit_compat_execve, const struct pt_regs *regs, long ret)
{
	if (ret < 0)
		sr_emit_exec_fail(ret, (__u32)BPF_CORE_READ(regs, bx),
		                  (__u32)BPF_CORE_READ(regs, cx), 1, SR_SRC_FENTRY);
	return 0;
}

SEC("fexit/__ia32_compat_sys_execveat")
int BPF_PROG(sr_fexit_compat_execveat, const struct pt_regs *regs, long ret)
{
	if (ret < 0)
		sr_emit_exec_fail(ret, (__u32)BPF_CORE_READ(regs, cx),
		                  (__u32)BPF_CORE_READ(regs, dx), 1, SR_SRC_FENTRY);
	return 0;
}
#endif
