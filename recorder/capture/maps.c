// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon's side of the shared maps: session filter entries, per-session
 * configuration and loss counters. See capture.h for the contract.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/hint.h"
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

/* ---- sess_hint: the counts behind the filter's first check (bpf/hint.h) ---- */

/* The count of @key's slot for the filter map @map. */
static uint32_t *sr_hint_slot(struct sr_capture *cap, struct bpf_map *map, uint64_t key)
{
	struct sshrec_bpf *sk = cap->skel;

	if (map == sk->maps.sess_cgroup)
		return &cap->hint->cgroup[SR_HINT_CG(key)];
	if (map == sk->maps.sess_audit)
		return &cap->hint->audit[SR_HINT_AUDIT(key)];
	return &cap->hint->task[SR_HINT_TASK(key)];
}

/*
 * @key (@ksz bytes: 4 or 8) -> @session_key in the filter map @map, counted:
 * the count first, then an insert that only creates; an entry already there
 * (a restored session, a tgid the programs tracked) is updated and its count
 * given back.
 */
static int sr_hint_insert(struct sr_capture *cap, struct bpf_map *map, uint64_t key, size_t ksz,
                          uint64_t session_key)
{
	uint32_t *n = sr_hint_slot(cap, map, key);
	uint32_t k4 = (uint32_t)key;
	const void *kp = ksz == 4 ? (const void *)&k4 : (const void *)&key;
	int err = 0, i;

	for (i = 0; i < 3; i++) {
		__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
		err = bpf_map__update_elem(map, kp, ksz, &session_key, 8, BPF_NOEXIST);
		if (!err)
			return 0;
		__atomic_sub_fetch(n, 1, __ATOMIC_SEQ_CST);
		if (err != -EEXIST)
			break;
		err = bpf_map__update_elem(map, kp, ksz, &session_key, 8, BPF_EXIST);
		if (err != -ENOENT) /* gone meanwhile (its process exited): insert it again */
			break;
	}
	if (err)
		sr_err("capture: update of map %s: %s", bpf_map__name(map), strerror(-err));
	return err;
}

/* Delete @key from the filter map @map; its count goes down once it was there. */
static int sr_hint_delete(struct sr_capture *cap, struct bpf_map *map, uint64_t key, size_t ksz)
{
	uint32_t k4 = (uint32_t)key;
	const void *kp = ksz == 4 ? (const void *)&k4 : (const void *)&key;

	if (bpf_map__delete_elem(map, kp, ksz, 0))
		return -ENOENT;
	__atomic_sub_fetch(sr_hint_slot(cap, map, key), 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* Add one to the count of every key of @map (@ksz bytes) in @h. */
static void sr_hint_count(struct sr_capture *cap, struct bpf_map *map, size_t ksz,
                          struct sr_hint *h)
{
	struct sr_hint *live = cap->hint;
	uint64_t key = 0, next = 0;
	void *prev = NULL;

	cap->hint = h; /* sr_hint_slot() of the copy */
	while (!bpf_map__get_next_key(map, prev, &next, ksz)) {
		key = next;
		prev = &key;
		(*sr_hint_slot(cap, map, ksz == 4 ? (uint32_t)key : key))++;
	}
	cap->hint = live;
}

/*
 * Make the counts complete when they may not be (sess_hint new next to maps
 * of a build without it), once no session is left: then no program adds to
 * the filter maps (what they track needs a session_cfg entry), the counts of
 * what remains are taken, and the first check is turned on.
 */
static void sr_hint_complete(struct sr_capture *cap)
{
	struct sshrec_bpf *sk = cap->skel;
	struct sr_hint *h;
	uint64_t next;

	if (__atomic_load_n(&cap->hint->ready, __ATOMIC_SEQ_CST))
		return;
	if (!bpf_map__get_next_key(sk->maps.session_cfg, NULL, &next, 8))
		return; /* sessions of the old maps remain: the full filter for every task */
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	sr_hint_count(cap, sk->maps.sess_cgroup, 8, h);
	sr_hint_count(cap, sk->maps.sess_audit, 4, h);
	sr_hint_count(cap, sk->maps.sess_task, 4, h);
	memcpy(cap->hint->cgroup, h->cgroup, sizeof(h->cgroup));
	memcpy(cap->hint->audit, h->audit, sizeof(h->audit));
	memcpy(cap->hint->task, h->task, sizeof(h->task));
	free(h);
	__atomic_store_n(&cap->hint->ready, 1, __ATOMIC_SEQ_CST);
	sr_info("capture: the session filter's first check is on (sess_hint counted)");
}

int sr_hint_open(struct sr_capture *cap, bool pinned)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (sizeof(struct sr_hint) + (size_t)page - 1) / (size_t)page * (size_t)page;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	               bpf_map__fd(cap->skel->maps.sess_hint), 0);

	if (p == MAP_FAILED) {
		int err = -errno;

		sr_err("capture: cannot map sess_hint: %s", strerror(errno));
		return err;
	}
	cap->hint = p;
	cap->hint_len = len;
	if (!pinned && !cap->reused) {
		/* new, with every other map: nothing to count */
		__atomic_store_n(&cap->hint->ready, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	/* pinned: counted all along by every writer, and complete if it says so */
	sr_hint_complete(cap);
	if (!cap->hint->ready)
		sr_warn("capture: pinned maps without sess_hint (an older build): every task takes "
		        "the full session filter until their sessions end");
	return 0;
}

void sr_hint_close(struct sr_capture *cap)
{
	if (cap->hint)
		munmap(cap->hint, cap->hint_len);
	cap->hint = NULL;
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
		err = sr_hint_insert(cap, sk->maps.sess_cgroup, cgroup_id, 8, session_key);
		if (err)
			return err;
	}
	if (audit_sid != 0xffffffffu) {
		err = sr_hint_insert(cap, sk->maps.sess_audit, audit_sid, 4, session_key);
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

/* Delete every entry of the filter map @map whose 8-byte value is @session_key. */
static void sr_delete_by_value(struct sr_capture *cap, struct bpf_map *map, size_t ksz,
                               uint64_t session_key)
{
	uint64_t *keys;
	size_t n = sr_keys_by_value(map, ksz, session_key, &keys), i;

	for (i = 0; i < n; i++)
		sr_hint_delete(cap, map, ksz == 4 ? (uint32_t)keys[i] : keys[i], ksz);
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
			sr_hint_delete(cap, map, tgid, 4);
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
	sr_delete_by_value(cap, sk->maps.sess_cgroup, 8, session_key);
	sr_delete_by_value(cap, sk->maps.sess_audit, 4, session_key);
	sr_delete_by_value(cap, sk->maps.sess_task, 4, session_key);
	bpf_map__delete_elem(sk->maps.session_cfg, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost_ack, &session_key, 8, 0);
	sr_hint_complete(cap);
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
	err = sr_hint_insert(cap, sk->maps.sess_cgroup, cgroup_id, 8, session_key);
	if (err)
		return err;
	cfg.cgroup_id = cgroup_id;
	err = sr_update(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), BPF_EXIST);
	if (err)
		return err;
	if (old && old != cgroup_id)
		sr_hint_delete(cap, sk->maps.sess_cgroup, old, 8);
	return 0;
}

int sr_capture_task_add(struct sr_capture *cap, pid_t tgid, uint64_t session_key)
{
	uint32_t k = (uint32_t)tgid;

	if (tgid <= 0)
		return -EINVAL;
	return sr_hint_insert(cap, cap->skel->maps.sess_task, k, 4, session_key);
}

int sr_capture_task_remove(struct sr_capture *cap, pid_t tgid)
{
	return sr_hint_delete(cap, cap->skel->maps.sess_task, (uint32_t)tgid, 4);
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
