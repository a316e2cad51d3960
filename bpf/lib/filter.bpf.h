/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file filter.bpf.h
 * @brief The in-kernel session filter: is this task in a recorded session?
 *
 * The first thing every program does (after tests that are cheaper than it):
 * session cgroup id, then audit session id, then inherited lineage (tgid).
 * Unrelated processes must cost next to nothing.
 */
#ifndef SSHREC_BPF_LIB_FILTER_H
#define SSHREC_BPF_LIB_FILTER_H

#include "lib/maps.bpf.h"

struct sr_sess {
	__u64 key;
	__u64 cgroup_id; /* the session's own cgroup */
	__u32 classes;
	__u32 flags; /* SR_CFG_* */
	__u8 match;
};

static __always_inline bool sr_sess_cfg(__u64 *key, __u8 match, struct sr_sess *s)
{
	struct sr_session_cfg *cfg;

	if (!key)
		return false;
	s->key = *key;
	cfg = bpf_map_lookup_elem(&session_cfg, &s->key);
	if (!cfg)
		return false; /* session being removed */
	s->classes = cfg->classes;
	s->flags = cfg->flags;
	s->cgroup_id = cfg->cgroup_id;
	s->match = match;
	return true;
}

/* Is the current task in a recorded session? cgroup, then audit id, then lineage. */
static __always_inline bool sr_filter_current(struct sr_sess *s)
{
	__u64 cgid = bpf_get_current_cgroup_id();
	__u64 *key = bpf_map_lookup_elem(&sess_cgroup, &cgid);
	struct task_struct *task;
	__u32 asid, tgid;

	if (key)
		return sr_sess_cfg(key, SR_MATCH_CGROUP, s);
	/* a direct (BTF) load: no probe-read helper call on every open outside sessions */
	task = bpf_get_current_task_btf();
	asid = task->sessionid;
	if (asid != SR_AUDIT_UNSET) {
		key = bpf_map_lookup_elem(&sess_audit, &asid);
		if (key)
			return sr_sess_cfg(key, SR_MATCH_AUDIT, s);
	}
	tgid = bpf_get_current_pid_tgid() >> 32;
	key = bpf_map_lookup_elem(&sess_task, &tgid);
	return sr_sess_cfg(key, SR_MATCH_TASK, s);
}

/* The same decision for a task that is not current (its cgroup may already be another). */
static __always_inline bool sr_filter_task(struct task_struct *task, struct sr_sess *s)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 *key = bpf_map_lookup_elem(&sess_task, &tgid);
	__u32 asid;

	if (key)
		return sr_sess_cfg(key, SR_MATCH_TASK, s);
	asid = BPF_CORE_READ(task, sessionid);
	if (asid == SR_AUDIT_UNSET)
		return false;
	key = bpf_map_lookup_elem(&sess_audit, &asid);
	return sr_sess_cfg(key, SR_MATCH_AUDIT, s);
}

static __always_inline bool sr_wants(const struct sr_sess *s, int cls)
{
	return s->classes & SR_CLASS_BIT(cls);
}

/* The current task is recorded and its session records @cls. */
static __always_inline bool sr_filter_class(struct sr_sess *s, int cls)
{
	return sr_filter_current(s) && sr_wants(s, cls);
}

/* With disk = writes-only, an open that cannot write is not recorded. */
static __always_inline bool sr_open_skipped(const struct sr_sess *s, __u64 flags)
{
	return (s->flags & SR_CFG_DISK_WRITES_ONLY) &&
	       !(flags & (SR_O_WRONLY | SR_O_RDWR | SR_O_CREAT | SR_O_TRUNC));
}

/* Remember the tgid so the process stays recorded if it leaves the cgroup. */
static __always_inline void sr_track_tgid(__u32 tgid, __u64 key)
{
	bpf_map_update_elem(&sess_task, &tgid, &key, BPF_ANY);
}

#endif /* SSHREC_BPF_LIB_FILTER_H */
