/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file hint.h
 * @brief The session filter's first check, shared by the BPF programs and sshrecd.
 *
 * One value of the sess_hint map (a BPF_F_MMAPABLE ARRAY of one element,
 * pinned with the other state maps): per slot, the number of entries of the
 * filter maps whose key falls in that slot (cgroup id, audit session id,
 * tgid, each masked). A task whose three slots are all zero is in no
 * session, and the filter rejects it with three array loads instead of three
 * hash lookups (bpf/lib/filter.bpf.h).
 *
 * The invariant every writer keeps, the BPF programs (sess_task) and sshrecd
 * (all three, through an mmap of the value, with atomic adds): a count is
 * raised before an insert (BPF_NOEXIST, undone when it fails) and lowered
 * after a delete that removed something, so a slot is never zero while an
 * entry falls in it. Collisions and leftovers only send a task to the full
 * filter.
 *
 * @c ready says the counts are complete: a map set made by a build without
 * this one has no counts for its entries, and until its sessions are gone
 * (sshrecd then recounts) every task goes to the full filter.
 *
 * Compiled both by clang -target bpf (vmlinux.h included) and the host compiler.
 */
#ifndef SSHREC_BPF_HINT_H
#define SSHREC_BPF_HINT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SR_HINT_SLOTS      4096  /* cgroup ids, audit session ids */
#define SR_HINT_TASK_SLOTS 16384 /* tgids: a session may have many processes */

struct sr_hint {
	__u32 ready; /* the counts cover every entry: the first check may reject */
	__u32 _pad;
	__u32 cgroup[SR_HINT_SLOTS];
	__u32 audit[SR_HINT_SLOTS];
	__u32 task[SR_HINT_TASK_SLOTS];
};

/* Consecutive ids (pids, audit sessions, kernfs inodes) fill distinct slots. */
#define SR_HINT_CG(id)    ((__u32)(id) & (SR_HINT_SLOTS - 1))
#define SR_HINT_AUDIT(id) ((__u32)(id) & (SR_HINT_SLOTS - 1))
#define SR_HINT_TASK(id)  ((__u32)(id) & (SR_HINT_TASK_SLOTS - 1))

#endif /* SSHREC_BPF_HINT_H */
