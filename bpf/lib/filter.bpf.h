/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file filter.bpf.h
 * @brief The in-kernel session filter: is this task in a recorded session?
 *
 * The first thing every program does (after tests that are cheaper than it):
 * session cgroup id, then audit session id, then inherited lineage (tgid).
 * Unrelated processes must cost next to nothing: the three keys' slots in
 * sess_hint (bpf/hint.h) reject them before any hash lookup.
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

static __always_inline struct sr_hint *sr_hint_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sess_hint, &zero); /* an array: inlined, no hashing */
}

/*
 * Is the current task in a recorded session? cgroup, then audit id, then
 * lineage. First the slots of its three keys in sess_hint: all zero means
 * none of the three maps holds it, and a task outside sessions is rejected
 * with array loads instead of three hash lookups.
 */
static __always_inline bool sr_filter_current(struct sr_sess *s)
{
	/*
	 * direct (BTF) loads: no probe-read and no cgroup-id helper call (with
	 * its RCU lock and unlock) on every open outside sessions. The same
	 * walk as bpf_get_current_cgroup_id(): the default hierarchy's cgroup of
	 * the task's css_set, its kernfs node id.
	 */
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id;
	__u32 asid = task->sessionid, tgid = task->tgid;
	struct sr_hint *h = sr_hint_get();
	__u64 *key;

	if (h && h->ready && !h->cgroup[SR_HINT_CG(cgid)] && !h->task[SR_HINT_TASK(tgid)] &&
	    (asid == SR_AUDIT_UNSET || !h->audit[SR_HINT_AUDIT(asid)]))
		return false;
	key = bpf_map_lookup_elem(&sess_cgroup, &cgid);
	if (key)
		return sr_sess_cfg(key, SR_MATCH_CGROUP, s);
	if (asid != SR_AUDIT_UNSET) {
		key = bpf_map_lookup_elem(&sess_audit, &asid);
		if (key)
			return sr_sess_cfg(key, SR_MATCH_AUDIT, s);
	}
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

/*
 * Remember the tgid so the process stays recorded if it leaves the cgroup.
 * Its sess_hint slot counts the entry (bpf/hint.h): raised before the insert,
 * lowered again when the tgid was already there (its value is replaced) or
 * the map is full.
 */
static __always_inline void sr_track_tgid(__u32 tgid, __u64 key)
{
	struct sr_hint *h = sr_hint_get();
	__u32 *n = h ? &h->task[SR_HINT_TASK(tgid)] : NULL;

	if (n)
		__sync_fetch_and_add(n, 1);
	if (!bpf_map_update_elem(&sess_task, &tgid, &key, BPF_NOEXIST))
		return;
	bpf_map_update_elem(&sess_task, &tgid, &key, BPF_EXIST);
	if (n)
		__sync_fetch_and_add(n, -1);
}

/* Forget the tgid (its process is gone), and its count once it was there. */
static __always_inline void sr_untrack_tgid(__u32 tgid)
{
	struct sr_hint *h;

	if (bpf_map_delete_elem(&sess_task, &tgid))
		return;
	h = sr_hint_get();
	if (h)
		__sync_fetch_and_add(&h->task[SR_HINT_TASK(tgid)], -1);
}

#endif /* SSHREC_BPF_LIB_FILTER_H */
