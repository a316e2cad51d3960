/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file proc.bpf.h
 * @brief Fillers of SR_EV_FORK, SR_EV_EXIT and SR_EV_ESCAPE (process lifecycle).
 */
#ifndef SSHREC_BPF_EMIT_PROC_H
#define SSHREC_BPF_EMIT_PROC_H

#include "lib/output.bpf.h"

/* A new process @child of the current task (which is recorded in @s). */
static __always_inline void sr_emit_fork(const struct sr_sess *s, struct task_struct *child)
{
	struct sr_fork_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		sr_count_lost(s->key, SR_CLASS_COMMAND);
		return;
	}
	sr_fill_hdr(&ev->hdr, SR_EV_FORK, s, bpf_get_current_task_btf(), true, SR_SRC_TRACEPOINT);
	ev->hdr.size = sizeof(*ev);
	ev->child_pid = BPF_CORE_READ(child, tgid);
	ev->_pad = 0;
	bpf_ringbuf_submit(ev, sr_rb_flags());
}

/* The last thread of @p (current) exits. */
static __always_inline void sr_emit_exit(const struct sr_sess *s, struct task_struct *p)
{
	struct sr_exit_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	int code;

	if (!ev) {
		sr_count_lost(s->key, SR_CLASS_COMMAND);
		return;
	}
	sr_fill_hdr(&ev->hdr, SR_EV_EXIT, s, p, true, SR_SRC_TRACEPOINT);
	ev->hdr.size = sizeof(*ev);
	code = BPF_CORE_READ(p, exit_code);
	ev->signal = code & 0x7f;
	ev->exit_code = ev->signal ? 0 : (code >> 8) & 0xff;
	ev->core_dumped = !!(code & 0x80);
	ev->_pad = 0;
	ev->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	bpf_ringbuf_submit(ev, sr_rb_flags());
}

/* Recorded @task was attached to cgroup @to (path @path), which is not its session's. */
static __always_inline void sr_emit_escape(const struct sr_sess *s, struct task_struct *task,
                                           __u64 to, const char *path, bool threadgroup)
{
	struct sr_escape_event *ev;
	struct sr_scratch *sc = sr_scratch_or_lost(s, SR_CLASS_COMMAND);
	long n;

	if (!sc)
		return;
	ev = (void *)sc->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_ESCAPE, s, task, false, SR_SRC_TRACEPOINT);
	ev->hdr.cgroup_id = s->cgroup_id;
	ev->to_cgroup_id = to;
	ev->threadgroup = threadgroup;
	n = bpf_probe_read_kernel_str(ev->path, SR_CGPATH_CAP, path);
	if (n <= 0) {
		ev->path[0] = 0;
		n = 1;
	}
	ev->path_len = n & (SR_CGPATH_CAP * 2 - 1);
	if (ev->path_len > SR_CGPATH_CAP)
		ev->path_len = SR_CGPATH_CAP;
	ev->hdr.size = sizeof(*ev) + ev->path_len;
	sr_output(s->key, SR_CLASS_COMMAND, ev, ev->hdr.size);
}

#endif /* SSHREC_BPF_EMIT_PROC_H */
