// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon's side of the shared maps: session filter entries, per-session
 * configuration and loss counters. See capture.h for the contract.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/sshrec.skel.h"
#include "log.h"
#include "recorder/capture/capture_priv.h"

static int sr_update(struct bpf_map *map, const void *key, size_t ksz, const void *val, size_t vsz,
                     __u64 flags)
{
	int err = bpf_map__update_elem(map, key, ksz, val, vsz, flags);

	if (err)
		sr_err("capture: update of map %s: %s", bpf_map__name(map), strerror(-err));
	return err;
}

int sr_capture_session_add(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id,
                           uint32_t audit_sid, uint32_t classes, uint32_t flags)
{
	struct sr_session_cfg cfg = {.classes = classes, .flags = flags, .cgroup_id = cgroup_id};
	struct sr_session_lost zero = {};
	struct sshrec_bpf *sk = cap->skel;
	int err;

	/* Configuration and counters first: the filter entries make it live. */
	err = sr_update(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), BPF_ANY);
	if (err)
		return err;
	bpf_map__update_elem(sk->maps.session_lost, &session_key, 8, &zero, sizeof(zero),
	                     BPF_NOEXIST);
	bpf_map__update_elem(sk->maps.session_lost_ack, &session_key, 8, &zero, sizeof(zero),
	                     BPF_NOEXIST);
	if (cgroup_id) {
		err = sr_update(sk->maps.sess_cgroup, &cgroup_id, 8, &session_key, 8, BPF_ANY);
		if (err)
			return err;
	}
	if (audit_sid != 0xffffffffu) {
		err = sr_update(sk->maps.sess_audit, &audit_sid, 4, &session_key, 8, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

/* The keys (@ksz bytes, at most 8) of @map whose 8-byte value is @session_key (malloc'd). */
static size_t sr_keys_by_value(struct bpf_map *map, size_t ksz, uint64_t session_key,
                               uint64_t **out)
{
	uint64_t key = 0, next = 0, val;
	uint64_t *keys = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map__get_next_key(map, prev, &next, ksz)) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, ksz, &val, 8, 0) || val != session_key)
			continue;
		if (n == cap) {
			uint64_t *k = realloc(keys, (cap = cap ? 2 * cap : 64) * sizeof(*keys));

			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key;
	}
	*out = keys;
	return n;
}

/* Delete every entry of @map whose 8-byte value is @session_key. */
static void sr_delete_by_value(struct bpf_map *map, size_t ksz, uint64_t session_key)
{
	uint64_t *keys;
	size_t n = sr_keys_by_value(map, ksz, session_key, &keys), i;

	for (i = 0; i < n; i++)
		bpf_map__delete_elem(map, &keys[i], ksz, 0);
	free(keys);
}

int sr_capture_session_tasks(struct sr_capture *cap, uint64_t session_key)
{
	struct bpf_map *map = cap->skel->maps.sess_task;
	uint64_t *keys;
	size_t n = sr_keys_by_value(map, 4, session_key, &keys), i;
	int live = 0;

	for (i = 0; i < n; i++) {
		uint32_t tgid = (uint32_t)keys[i];

		/* an entry whose process is gone (its exit was not seen) is stale */
		if (kill((pid_t)tgid, 0) == 0 || errno == EPERM)
			live++;
		else
			bpf_map__delete_elem(map, &tgid, 4, 0);
	}
	free(keys);
	return live;
}

int sr_capture_session_remove(struct sr_capture *cap, uint64_t session_key)
{
	struct sshrec_bpf *sk = cap->skel;
	struct sr_session_cfg cfg;

	if (bpf_map__lookup_elem(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	/* Filter entries first, so nothing new is attributed while we clean up. */
	sr_delete_by_value(sk->maps.sess_cgroup, 8, session_key);
	sr_delete_by_value(sk->maps.sess_audit, 4, session_key);
	sr_delete_by_value(sk->maps.sess_task, 4, session_key);
	bpf_map__delete_elem(sk->maps.session_cfg, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost_ack, &session_key, 8, 0);
	return 0;
}

int sr_capture_session_set_classes(struct sr_capture *cap, uint64_t session_key, uint32_t classes,
                                   uint32_t flags)
{
	struct bpf_map *map = cap->skel->maps.session_cfg;
	struct sr_session_cfg cfg;

	if (bpf_map__lookup_elem(map, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	cfg.classes = classes;
	cfg.flags = flags;
	return sr_update(map, &session_key, 8, &cfg, sizeof(cfg), BPF_EXIST);
}

int sr_capture_session_set_cgroup(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id)
{
	struct sshrec_bpf *sk = cap->skel;
	struct sr_session_cfg cfg;
	uint64_t old;
	int err;

	if (bpf_map__lookup_elem(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	old = cfg.cgroup_id;
	/* the new cgroup first: the session's tasks are recorded all along */
	err = sr_update(sk->maps.sess_cgroup, &cgroup_id, 8, &session_key, 8, BPF_ANY);
	if (err)
		return err;
	cfg.cgroup_id = cgroup_id;
	err = sr_update(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), BPF_EXIST);
	if (err)
		return err;
	if (old && old != cgroup_id)
		bpf_map__delete_elem(sk->maps.sess_cgroup, &old, 8, 0);
	return 0;
}

int sr_capture_task_add(struct sr_capture *cap, pid_t tgid, uint64_t session_key)
{
	uint32_t k = (uint32_t)tgid;

	if (tgid <= 0)
		return -EINVAL;
	return sr_update(cap->skel->maps.sess_task, &k, 4, &session_key, 8, BPF_ANY);
}

int sr_capture_task_remove(struct sr_capture *cap, pid_t tgid)
{
	uint32_t k = (uint32_t)tgid;

	return bpf_map__delete_elem(cap->skel->maps.sess_task, &k, 4, 0) ? -ENOENT : 0;
}

int sr_capture_lost_read(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *total)
{
	if (bpf_map__lookup_elem(cap->skel->maps.session_lost, &session_key, 8, total,
	                         sizeof(*total), 0))
		return -ENOENT;
	return 0;
}

int sr_capture_lost_take(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *delta)
{
	struct sr_session_lost total, ack = {};
	bool any = false;
	int i, err;

	memset(delta, 0, sizeof(*delta));
	err = sr_capture_lost_read(cap, session_key, &total);
	if (err)
		return err;
	bpf_map__lookup_elem(cap->skel->maps.session_lost_ack, &session_key, 8, &ack, sizeof(ack),
	                     0);
	for (i = 0; i < SR_CLASS_MAX; i++) {
		delta->lost[i] = total.lost[i] - ack.lost[i];
		any |= delta->lost[i] != 0;
	}
	if (!any)
		return 0;
	err = sr_update(cap->skel->maps.session_lost_ack, &session_key, 8, &total, sizeof(total),
	                BPF_ANY);
	return err ? err : 1;
}
