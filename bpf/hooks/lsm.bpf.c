// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BPF LSM programs: the LSM backend's opens and connects. A security hook
 * sees every open that got past path lookup and every connect(), however
 * they were made (syscalls, io_uring, /proc/self/fd), in the task that
 * makes them, and costs nothing on the syscall path of other processes.
 * They return the verdict of the BPF LSM programs before them unchanged:
 * recording never denies.
 */
#include "emit/connect.bpf.h"
#include "emit/open.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(sr_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret; /* already denied: nothing was opened */
	sr_emit_open_file(file, SR_SRC_LSM);
	return 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(sr_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
             int ret)
{
	if (ret)
		return ret;
	sr_connect_hook(sock, address, SR_SRC_LSM);
	return 0;
}
