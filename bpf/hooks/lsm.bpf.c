// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BPF LSM programs.
 *
 * Recording (the LSM backend's opens, connects and UDP sends): a security hook sees
 * every open that got past path lookup and every connect(), however they
 * were made (syscalls, io_uring, /proc/self/fd), in the task that makes
 * them, and costs nothing on the syscall path of other processes.
 *
 * Enforcing (the session policy, on whatever backend records, wherever BPF
 * LSM is active): a hook returns -EPERM for what a session's rules deny
 * (nothing in audit mode), after the SR_EV_DENIED record. On the LSM backend
 * the recording programs check first and record nothing they refused; the
 * sr_pol_open and sr_pol_connect programs do the check on the other backends.
 *
 * Every program returns the verdict of the BPF LSM programs before it
 * unchanged.
 */
#include "emit/connect.bpf.h"
#include "emit/denied.bpf.h"
#include "emit/open.bpf.h"
#include "emit/udp.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(sr_lsm_file_open, struct file *file, int ret)
{
	__u32 kflags, fmode;
	struct sr_sess s;

	if (ret)
		return ret; /* already denied: nothing was opened */
	/* the filter first, once for both jobs: outside sessions nothing else runs */
	if (!sr_filter_current(&s))
		return 0;
	/* the hook's own argument, a BTF pointer: direct loads, no helper call */
	kflags = file->f_flags;
	fmode = file->f_mode;
	ret = sr_lsm_ret(sr_lsm_check_open_in(&s, file, fmode, kflags));
	if (ret)
		return ret; /* refused: the denial is the record */
	sr_emit_open_file(&s, file, kflags, fmode, SR_SRC_LSM);
	return 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(sr_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
             int ret)
{
	if (ret)
		return ret;
	ret = sr_lsm_ret(sr_lsm_check_connect(address));
	if (ret)
		return ret;
	sr_connect_hook(sock, address, SR_SRC_LSM);
	return 0;
}

/* A UDP send: recorded once per (socket, destination); never refuses. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(sr_lsm_udp_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (!ret)
		sr_udp_send_hook(sock, msg, SR_SRC_LSM);
	return ret;
}

/* ---- the session policy on the other backends, and its own hooks ---- */

SEC("lsm/file_open")
int BPF_PROG(sr_pol_open, struct file *file, int ret)
{
	return ret ? ret : sr_lsm_ret(sr_lsm_check_open(file));
}

SEC("lsm/socket_connect")
int BPF_PROG(sr_pol_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	return ret ? ret : sr_lsm_ret(sr_lsm_check_connect(address));
}

/* Every stage of an exec: a #! script, then its interpreter. */
SEC("lsm/bprm_check_security")
int BPF_PROG(sr_pol_exec, struct linux_binprm *bprm, int ret)
{
	return ret ? ret : sr_lsm_ret(sr_lsm_check_exec(bprm));
}

/* A file about to be created: an O_CREAT open of a new name, mknod (CONFIG_SECURITY_PATH). */
SEC("lsm/path_mknod")
int BPF_PROG(sr_pol_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
             unsigned int dev, int ret)
{
	return ret ? ret : sr_lsm_ret(sr_lsm_check_create(dir, dentry));
}

/* A destination given to sendmsg(2): a datagram to an address, a TCP fast open. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(sr_pol_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	return ret ? ret : sr_lsm_ret(sr_lsm_check_sendmsg(sock, msg));
}
