/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file output.bpf.h
 * @brief Record headers, the ring buffer output and loss accounting.
 *
 * A record that cannot be written is counted per session and class, never
 * dropped silently (the daemon turns the counts into session.data_loss).
 */
#ifndef SSHREC_BPF_LIB_OUTPUT_H
#define SSHREC_BPF_LIB_OUTPUT_H

#include "lib/filter.bpf.h"

static __always_inline void sr_count_lost(__u64 key, int cls)
{
	struct sr_session_lost *l = bpf_map_lookup_elem(&session_lost, &key);

	if (!l) {
		struct sr_session_lost zero = {};

		bpf_map_update_elem(&session_lost, &key, &zero, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&session_lost, &key);
		if (!l)
			return;
	}
	if (cls >= 0 && cls < SR_CLASS_MAX)
		__sync_fetch_and_add(&l->lost[cls], 1);
}

static __always_inline __u64 sr_rb_flags(void)
{
	if (!sr_wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= sr_wakeup_bytes
	           ? BPF_RB_FORCE_WAKEUP
	           : BPF_RB_NO_WAKEUP;
}

/* Copy a built record to the ring buffer; a failure is counted, never silent. */
static __always_inline void sr_output(__u64 key, int cls, void *rec, __u64 size)
{
	if (size > SR_EV_BUF)
		size = SR_EV_BUF;
	if (size < sizeof(struct sr_event_hdr) ||
	    bpf_ringbuf_output(&events, rec, size, sr_rb_flags()))
		sr_count_lost(key, cls);
}

/* The per-CPU scratch, or the record counted as lost. */
static __always_inline struct sr_scratch *sr_scratch_or_lost(const struct sr_sess *s, int cls)
{
	struct sr_scratch *sc = sr_scratch_get();

	if (!sc)
		sr_count_lost(s->key, cls);
	return sc;
}

static __always_inline __u64 sr_task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/*
 * The common header. @src is the mechanism of the calling program
 * (enum sr_source); @is_current says @task is the running task.
 */
static __always_inline void sr_fill_hdr(struct sr_event_hdr *h, __u16 type, const struct sr_sess *s,
                                        struct task_struct *task, bool is_current, __u8 src)
{
	h->type = type;
	h->match = s->match;
	h->abi = SR_EVENTS_ABI_VERSION;
	h->size = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->session_key = s->key;
	h->cgroup_id = is_current ? bpf_get_current_cgroup_id() : sr_task_cgroup_id(task);
	h->audit_sid = BPF_CORE_READ(task, sessionid);
	h->pid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(task, cred, uid.val);
	h->gid = BPF_CORE_READ(task, cred, gid.val);
	h->loginuid = BPF_CORE_READ(task, loginuid.val);
	h->source = src;
	h->verdict = SR_VERDICT_NONE;
	h->_pad = 0;
	if (is_current)
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	else
		BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}

#endif /* SSHREC_BPF_LIB_OUTPUT_H */
