/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file compat.bpf.h
 * @brief Is the current syscall a 32-bit one (int $0x80 on x86-64)?
 *
 * The per-syscall tracepoints ignore 32-bit tasks on x86-64, so the raw
 * syscall tracepoint programs take them; this one-load check is the first
 * thing those programs do, since they run for every syscall of the host.
 */
#ifndef SSHREC_BPF_LIB_COMPAT_H
#define SSHREC_BPF_LIB_COMPAT_H

#include "lib/maps.bpf.h"

static __always_inline bool sr_in_compat_syscall(void)
{
#ifdef __TARGET_ARCH_x86
	struct task_struct *t = bpf_get_current_task_btf();

	return t->thread_info.status & SR_TS_COMPAT;
#else
	return false;
#endif
}

#endif /* SSHREC_BPF_LIB_COMPAT_H */
