// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Process lifecycle on every backend: exec, fork, exit (sched tracepoints)
 * and cgroup escapes. tp_btf programs run only for those events, so they
 * cost the host nothing on its syscall path.
 */
#include "emit/denied.bpf.h"
#include "emit/exec.bpf.h"
#include "emit/proc.bpf.h"

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sr_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sr_sess s;

	if (!sr_filter_current(&s))
		return 0;
	if (s.match != SR_MATCH_TASK)
		sr_track_tgid(p->tgid, s.key);
	if (sr_wants(&s, SR_CLASS_COMMAND))
		sr_emit_exec(&s, p, bprm);
	sr_signal_exec(&s, bprm); /* deny_exec without BPF LSM */
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sr_fork, struct task_struct *parent, struct task_struct *child)
{
	struct sr_sess s;

	if (child->pid != child->tgid)
		return 0; /* a thread */
	if (!sr_filter_current(&s))
		return 0;
	sr_track_tgid(child->tgid, s.key);
	if (sr_wants(&s, SR_CLASS_COMMAND))
		sr_emit_fork(&s, child);
	return 0;
}

/* Fires for every exiting thread; we report the process when its last thread goes. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sr_exit, struct task_struct *p)
{
	struct sr_sess s;
	__u32 tgid;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads remain */
	if (!sr_filter_current(&s))
		return 0;
	tgid = p->tgid;
	sr_untrack_tgid(tgid);
	if (sr_wants(&s, SR_CLASS_COMMAND))
		sr_emit_exit(&s, p);
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(sr_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
             bool threadgroup)
{
	struct sr_sess s;
	__u64 to, *other;

	/* Only the unified (v2) hierarchy, id 0, decides session membership. */
	if (BPF_CORE_READ(dst, root, hierarchy_id) != 0)
		return 0;
	if (!sr_filter_task(task, &s))
		return 0;
	to = BPF_CORE_READ(dst, kn, id);
	if (to == s.cgroup_id)
		return 0;
	other = bpf_map_lookup_elem(&sess_cgroup, &to);
	if (other && *other == s.key)
		return 0;
	/* Keep recording it wherever it went. */
	sr_track_tgid(BPF_CORE_READ(task, tgid), s.key);
	sr_emit_escape(&s, task, to, path, threadgroup);
	return 0;
}
