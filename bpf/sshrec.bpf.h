/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file sshrec.bpf.h
 * @brief Maps, the in-kernel session filter and helpers of sshrec.bpf.c.
 *
 * Only included by bpf/sshrec.bpf.c (after vmlinux.h and the libbpf BPF
 * headers). Map names are part of the pinning layout: the loader pins the
 * state maps by these names under <pin dir>/v<SR_EVENTS_ABI_VERSION>/.
 */
#ifndef SSHREC_BPF_H
#define SSHREC_BPF_H

#include "events.h"

#define SR_AUDIT_UNSET   0xffffffffu
#define SR_MAX_SESSIONS  4096
#define SR_MAX_TASKS     65536
#define SR_PATH_DEPTH    64 /* dentry components walked for a cwd/dirfd */
#define SR_NAME_MAX      255
#define SR_EXEC_MAX_ARGS 256 /* failed exec: argv pointers read from user memory */
#define SR_AT_FDCWD      -100

#define SR_TCP_ESTABLISHED 1
#define SR_TCP_SYN_SENT    2
#define SR_TCP_CLOSE       7
#define SR_IPPROTO_TCP     6
#define SR_AF_INET         2
#define SR_AF_INET6        10

/* x86 thread_info.status bit set while the task runs a 32-bit syscall. */
#define SR_TS_COMPAT 0x0002

/* Loader knobs (rodata, set between open and load). */
const volatile __u32 sr_argv_cap = SR_ARGV_CAP;
const volatile bool sr_compat = true;
/* 0: wake the consumer for every record; else only once this many bytes wait. */
const volatile __u32 sr_wakeup_bytes = 0;

/* ---- session filter maps (filled by the daemon, except sess_task) ---- */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);   /* cgroup v2 id */
	__type(value, __u64); /* session_key */
} sess_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u32);   /* audit session id */
	__type(value, __u64); /* session_key */
} sess_audit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_TASKS);
	__type(key, __u32);   /* tgid */
	__type(value, __u64); /* session_key */
} sess_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_cfg);
} session_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_lost);
} session_lost SEC(".maps");

/* Userspace-only: what sr_capture_lost_take() already reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_lost);
} session_lost_ack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* set by the loader */
} events SEC(".maps");

/* ---- syscall enter -> exit stashes, keyed by tid -------------------- */
struct sr_open_stash {
	__u64 path; /* user pointer */
	__u64 flags;
	__u32 mode;
	__s32 dirfd;
	__u32 syscall;
	__u32 oflags; /* SR_OPEN_COMPAT */
};

struct sr_exec_stash {
	__u64 filename; /* user pointer */
	__u64 argv;     /* user pointer to the pointer array */
	__u32 compat;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sr_open_stash);
} open_stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct sr_exec_stash);
} exec_stash SEC(".maps");

/* TCP connects parked at SYN_SENT until the source port is known. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* skaddr */
	__type(value, struct sr_connect_event);
} connect_park SEC(".maps");

/*
 * Per-CPU scratch, one slot per CPU (an ARRAY indexed by CPU: a per-CPU
 * array value is limited to 32 KiB). Records are built here and copied to
 * the ring buffer with their exact size, so a 100-byte open does not
 * reserve the 45 KiB an exec can need.
 */
#define SR_EV_BUF (SR_EVENT_MAX_SIZE + SR_PATH_CAP)
struct sr_scratch {
	__u8 ev[SR_EV_BUF] __attribute__((aligned(8))); /* the record being built */
	char walk[2 * SR_PATH_CAP]; /* dentry walk, the result ends at walk[SR_PATH_CAP - 1] */
	char tmp[2 * SR_PATH_CAP];  /* user string being made absolute */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the number of possible CPUs by the loader */
	__type(key, __u32);
	__type(value, struct sr_scratch);
} scratch SEC(".maps");

static __always_inline struct sr_scratch *sr_scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

/* ---- the session filter --------------------------------------------- */
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
	task = bpf_get_current_task_btf();
	asid = BPF_CORE_READ(task, sessionid);
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

/* Remember the tgid so the process stays recorded if it leaves the cgroup. */
static __always_inline void sr_track_tgid(__u32 tgid, __u64 key)
{
	bpf_map_update_elem(&sess_task, &tgid, &key, BPF_ANY);
}

/* ---- loss accounting ------------------------------------------------- */
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
static __always_inline void sr_output(const struct sr_sess *s, int cls, void *rec, __u64 size)
{
	if (size > SR_EV_BUF)
		size = SR_EV_BUF;
	if (size < sizeof(struct sr_event_hdr) ||
	    bpf_ringbuf_output(&events, rec, size, sr_rb_flags()))
		sr_count_lost(s->key, cls);
}

/* ---- record headers -------------------------------------------------- */
static __always_inline __u64 sr_task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

static __always_inline void sr_fill_hdr(struct sr_event_hdr *h, __u16 type, const struct sr_sess *s,
                                        struct task_struct *task, bool is_current)
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
	h->_pad = 0;
	if (is_current)
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	else
		BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}

/* ---- paths ----------------------------------------------------------- */
struct sr_walk_ctx {
	struct dentry *dentry;
	struct mount *mnt;
	__u32 off;
	__u32 done; /* reached the root (or a disconnected dentry) */
	__u32 trunc;
};

/* One path component; a bpf_loop() callback so the verifier sees it once. */
static long sr_walk_step(__u32 i, void *data)
{
	struct sr_walk_ctx *c = data;
	struct dentry *dentry = c->dentry, *mnt_root, *parent;
	struct mount *mnt = c->mnt, *mnt_parent;
	struct sr_scratch *sc = sr_scratch_get();
	struct qstr name;
	__u32 len, off = c->off;

	if (!sc)
		return 1;
	mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root || dentry == parent) {
		c->done = 1;
		if (dentry != mnt_root)
			return 1; /* disconnected: keep what we have */
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt)
			return 1; /* the global root */
		c->done = 0;
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mnt_parent;
		return 0;
	}
	name = BPF_CORE_READ(dentry, d_name);
	len = name.len & SR_NAME_MAX;
	if (len + 1 > off) {
		c->trunc = 1;
		return 1;
	}
	off -= len + 1;
	bpf_probe_read_kernel(&sc->walk[(off + 1) & (SR_PATH_CAP - 1)], len, name.name);
	sc->walk[off & (SR_PATH_CAP - 1)] = '/';
	c->off = off;
	c->dentry = parent;
	return 0;
}

/*
 * Walk @dentry up to the global root, crossing mounts, writing the path
 * backwards so it ends at walk[SR_PATH_CAP - 1] (the NUL). Returns the
 * offset of its first byte; *trunc is set when the walk hit the depth or
 * size limit (the result is then the deepest part of the path).
 */
static __always_inline __u32 sr_walk_path(struct sr_scratch *sc, struct dentry *dentry,
                                          struct vfsmount *vfsmnt, bool *trunc)
{
	struct sr_walk_ctx c = {
	    .dentry = dentry,
	    .mnt = container_of(vfsmnt, struct mount, mnt),
	    .off = SR_PATH_CAP - 1,
	};
	__u32 off;

	sc->walk[SR_PATH_CAP - 1] = 0;
	bpf_loop(SR_PATH_DEPTH, sr_walk_step, &c, 0);
	*trunc = c.trunc || !c.done;
	off = c.off & (SR_PATH_CAP - 1);
	if (off == SR_PATH_CAP - 1) {
		off--;
		sc->walk[off] = '/';
	}
	return off;
}

/* Path of the current task's cwd into walk[]. */
static __always_inline __u32 sr_walk_cwd(struct sr_scratch *sc, struct task_struct *task,
                                         bool *trunc)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct dentry *d;
	struct vfsmount *m;

	if (!fs)
		return SR_PATH_CAP; /* no fs (exiting): unresolvable */
	d = BPF_CORE_READ(fs, pwd.dentry);
	m = BPF_CORE_READ(fs, pwd.mnt);
	if (!d || !m)
		return SR_PATH_CAP;
	return sr_walk_path(sc, d, m, trunc);
}

/* Path of the current task's file descriptor @fd into walk[]. */
static __always_inline __u32 sr_walk_fd(struct sr_scratch *sc, struct task_struct *task, int fd,
                                        bool *trunc)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;
	struct dentry *d;
	struct vfsmount *m;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return SR_PATH_CAP;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return SR_PATH_CAP;
	d = BPF_CORE_READ(f, f_path.dentry);
	m = BPF_CORE_READ(f, f_path.mnt);
	if (!d || !m)
		return SR_PATH_CAP;
	return sr_walk_path(sc, d, m, trunc);
}

#endif /* SSHREC_BPF_H */
