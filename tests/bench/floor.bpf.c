// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bench only (bench_capture -F): empty programs on the hooks where the
 * recorder's programs run on every open of the host. Attached instead of
 * the recorder, they measure what a BPF program on that hook costs by
 * itself (the trampoline, or the syscall tracepoints' slow path): the
 * floor under the recorder's own host cost. Nothing is read or written.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("lsm/file_open")
int BPF_PROG(floor_lsm_file_open, struct file *file, int ret)
{
	return ret; /* the verdict before this program, unchanged */
}

SEC("fentry/security_file_open")
int BPF_PROG(floor_fentry_file_open, struct file *file)
{
	return 0;
}

SEC("fexit/do_filp_open")
int BPF_PROG(floor_fexit_filp_open, int dfd, struct filename *pathname, const struct open_flags *op,
             struct file *ret)
{
	return 0;
}

/* The tracepoint backend's share: one enter and exit pair (the storm opens with openat) */
SEC("tp/syscalls/sys_enter_openat")
int floor_enter_openat(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int floor_exit_openat(void *ctx)
{
	return 0;
}
