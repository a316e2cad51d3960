/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file capture.h
 * @brief Userspace loader of the kernel capture (bpf/hooks/, one skeleton).
 *
 * Lifecycle (capture.c): open -> probe kernel features (features.c) ->
 * select a backend and its programs from one static table (progs.c) ->
 * configure -> load -> attach. Backends, best first: BPF LSM, fentry,
 * tracepoints; sr_capture_opts.backend can force one. Every backend records
 * the same records into the same ring buffer; each record's header says which
 * mechanism produced it (sr_event_hdr.source).
 *
 * Pinning and restart without loss (pins.c). With sr_capture_opts.pin, the
 * state maps (ring buffer included) are pinned under
 * <pin_dir>/v<SR_EVENTS_ABI_VERSION>/ and the links of the selected backend
 * under <pin_dir>/v<ABI>/<backend>/link_<prog>, so the programs keep
 * capturing into the ring buffer while the daemon is down. A later open of
 * the same ABI version and backend adopts the pinned links (a link whose
 * program differs from this build's is replaced after the new one is
 * attached). Pins of another ABI version or another backend are removed
 * once this set is attached (another ABI's unread records are lost with its
 * ring buffer; another backend's share this ring buffer, nothing is lost).
 * sr_capture_close() keeps the pins; sr_capture_destroy() and
 * sr_capture_unpin() remove them.
 *
 * On-demand programs. Some programs tax the whole host while attached (the
 * syscall tracepoints of the tracepoint backend put every syscall on the slow
 * path; on the hook backends the fexit on do_filp_open(), and the file_open
 * hook of the LSM or fentry backend, put a trampoline on every open), so they
 * are attached only while a session records their class:
 * sr_capture_set_demand(). The session policy's own BPF LSM programs (the
 * sr_pol_* hooks) run on every exec, open, connect and sendmsg of the host:
 * they are attached only while a policy has rules (SR_CAPTURE_DEMAND_POLICY).
 * The LSM backend's file_open both records and refuses: it is attached for
 * either.
 *
 * Error convention (log.h): 0 or -errno; failures are logged once here.
 * Not thread-safe: one thread drives one struct sr_capture.
 */
#ifndef SSHREC_CAPTURE_H
#define SSHREC_CAPTURE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "bpf/events.h"

/** Default ring buffer size in bytes (power of two, multiple of the page size). */
#define SR_CAPTURE_RINGBUF_DEFAULT (16u << 20)

/** Capture backends; the values are those of enum sr_source. */
enum sr_backend {
	SR_BACKEND_AUTO = 0,                       /**< the best the kernel has */
	SR_BACKEND_TRACEPOINT = SR_SRC_TRACEPOINT, /**< tracepoints, raw_tp, tp_btf */
	SR_BACKEND_FENTRY = SR_SRC_FENTRY,         /**< fentry/fexit (BPF trampolines) */
	SR_BACKEND_LSM = SR_SRC_LSM,               /**< BPF LSM hooks */
};

/** "auto", "tracepoint", "fentry", "lsm" (NULL for an unknown value). Header-only, so the
 * config parser can use it without the loader. */
static inline const char *sr_backend_name(enum sr_backend b)
{
	switch (b) {
	case SR_BACKEND_AUTO:
		return "auto";
	case SR_BACKEND_TRACEPOINT:
		return "tracepoint";
	case SR_BACKEND_FENTRY:
		return "fentry";
	case SR_BACKEND_LSM:
		return "lsm";
	}
	return NULL;
}

/** Parse a backend name (as sr_backend_name() spells them). @return 0 or -EINVAL. */
static inline int sr_backend_parse(const char *name, enum sr_backend *out)
{
	int b;

	for (b = SR_BACKEND_AUTO; b <= SR_BACKEND_LSM; b++)
		if (!strcmp(name, sr_backend_name((enum sr_backend)b))) {
			*out = (enum sr_backend)b;
			return 0;
		}
	return -EINVAL;
}

/** Options of sr_capture_open(). Zero-initialize, then set what you need. */
struct sr_capture_opts {
	/** Ring buffer bytes; 0 = SR_CAPTURE_RINGBUF_DEFAULT. Rounded up to a power of two.
	 * Ignored (with a warning) when a pinned ring buffer of another size is reused. */
	uint32_t ringbuf_size;
	/** bpffs directory of the pins; NULL = SR_DEFAULT_PIN_DIR (/sys/fs/bpf/sshrec). */
	const char *pin_dir;
	/** Pin maps and links (and reuse existing pins). false: everything dies with close. */
	bool pin;
	/** SR_BACKEND_AUTO picks the best available; another value forces it (or fails). */
	enum sr_backend backend;
	/** SR_CLASS_BIT mask of the classes sessions record now, and SR_CAPTURE_DEMAND_POLICY
	 * while a policy has rules: their on-demand programs are attached at once (see
	 * sr_capture_set_demand()). */
	uint32_t demand;
	/** argv byte cap, 0 = SR_ARGV_CAP (a smaller value is for tests/benchmarks). */
	uint32_t argv_cap;
	/** 0: the consumer is woken for every record (libbpf's default). N: only once N
	 * bytes wait, which saves a wakeup per record under load but means the consumer
	 * MUST poll with a timeout (records may wait for it). */
	uint32_t wakeup_bytes;
};

struct sr_capture;

/**
 * Open, probe, select, configure, load and attach the capture. Mounts
 * bpffs on /sys/fs/bpf (when pinning), tracefs on /sys/kernel/tracing and
 * securityfs on /sys/kernel/security when missing. On-demand programs are
 * attached for @p opts->demand, and kept when their links are already
 * pinned (a restart keeps them until the caller says otherwise).
 * @param opts NULL for defaults (auto backend, pinned under SR_DEFAULT_PIN_DIR).
 * @param out receives the handle on success.
 * @return 0 or -errno (-EOPNOTSUPP: the forced backend is not available here).
 */
int sr_capture_open(const struct sr_capture_opts *opts, struct sr_capture **out);

/** True when maps were reused from pins left by a previous instance. */
bool sr_capture_reused(const struct sr_capture *cap);

/** The fd of map @p name of the BPF object (owned by @p cap), or -ENOENT. */
int sr_capture_map_fd(const struct sr_capture *cap, const char *name);

/**
 * How the loaded programs apply the session policy's deny verdicts:
 * SR_POLICY_MECH_LSM (BPF LSM hooks refuse the call) or
 * SR_POLICY_MECH_SIGNAL (SIGKILL from the hook that saw the action), bpf/policy.h.
 */
int sr_capture_policy_mech(const struct sr_capture *cap);

/** The backend this capture runs on (never SR_BACKEND_AUTO). */
enum sr_backend sr_capture_backend(const struct sr_capture *cap);

/** Free the handle; pinned maps and links stay (programs keep capturing). NULL is fine. */
void sr_capture_close(struct sr_capture *cap);

/**
 * Detach every program, remove this instance's pins (and the pin directory
 * when empty), then free the handle. For clean shutdown, `sshrecd --unpin`
 * and tests. NULL is fine.
 * @return 0 or the first -errno met while unpinning (the handle is freed anyway).
 */
int sr_capture_destroy(struct sr_capture *cap);

/** Remove every sshrec pin (all ABI versions) under @p pin_dir (NULL: default) without loading. */
int sr_capture_unpin(const char *pin_dir);

/**
 * Without loading anything: how many processes attributed to sessions (the
 * pinned tgid map under @p pin_dir) are still alive. Used while the daemon is
 * down to decide whether pinned on-demand programs are still needed.
 * @return the count, or -errno (-ENOENT: no pins).
 */
int sr_capture_pinned_live_tasks(const char *pin_dir);

/**
 * Without loading anything: remove the pinned links of on-demand programs
 * under @p pin_dir (every backend of this ABI version), which detaches them,
 * except those of programs wanted for a bit of @p keep (SR_CAPTURE_DEMAND_POLICY:
 * the policy's verdicts stay in force).
 * @return the number removed, or -errno.
 */
int sr_capture_unpin_demand(const char *pin_dir, uint32_t keep);

/* ---- what runs ------------------------------------------------------- */

/** One attached (or attachable) program, for status output. */
struct sr_capture_prog {
	const char *name; /**< program name in the object */
	const char *hook; /**< its section, e.g. "lsm/file_open" */
	const char *job;  /**< what it records, e.g. "open", "failed open" */
	uint8_t cls;      /**< enum sr_class of the job */
	uint32_t demand;  /**< 0: always attached; else the SR_CLASS_BIT mask (or
	                   *   SR_CAPTURE_DEMAND_POLICY) it waits for */
	bool attached;
	bool can_enforce; /**< may return a verdict (BPF LSM) */
};

/**
 * Visit the selected programs in table order. @p fn returns non-zero to stop.
 * @return the number visited.
 */
int sr_capture_progs(const struct sr_capture *cap,
                     int (*fn)(void *ctx, const struct sr_capture_prog *p), void *ctx);

/** Jobs the selected backend cannot do on this kernel ("io_uring opens (no tracepoints)"),
 * NUL-separated, empty when none. Owned by @p cap. */
const char *sr_capture_gaps(const struct sr_capture *cap);

/* ---- sessions -------------------------------------------------------- */

/**
 * Register a session in the kernel filter: its cgroup id (0: none) and its
 * audit session id (SR_AUDIT_SID_UNSET / 0xffffffff: none), enabled classes
 * (SR_CLASS_BIT mask) and SR_CFG_* flags. Creates its loss counters.
 * Replaces an existing registration of the same key.
 */
int sr_capture_session_add(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id,
                           uint32_t audit_sid, uint32_t classes, uint32_t flags);

/**
 * Forget a session: its cgroup and audit entries, its configuration, its
 * loss counters and every tgid entry that points to it. -ENOENT if unknown.
 */
int sr_capture_session_remove(struct sr_capture *cap, uint64_t session_key);

/** Change a session's enabled classes and SR_CFG_* flags. -ENOENT if unknown. */
int sr_capture_session_set_classes(struct sr_capture *cap, uint64_t session_key, uint32_t classes,
                                   uint32_t flags);

/**
 * Move a session to another cgroup (logind put its tasks into a session
 * scope): filter entry for @p cgroup_id, the session's cgroup id (an escape
 * event's "from", and moves into it are no escape) and the old cgroup's
 * filter entry dropped, in that order. -ENOENT if the session is unknown.
 */
int sr_capture_session_set_cgroup(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id);

/** Attribute process @p tgid (and its future children) to a session (restart/adoption). */
int sr_capture_task_add(struct sr_capture *cap, pid_t tgid, uint64_t session_key);

/**
 * How many processes the kernel tracks for a session (its tgid entries:
 * forks and moves of its tasks, removed at exit) that still run. Entries
 * of processes that are gone are dropped.
 */
int sr_capture_session_tasks(struct sr_capture *cap, uint64_t session_key);

/** Drop the tgid entry of @p tgid. -ENOENT if absent. */
int sr_capture_task_remove(struct sr_capture *cap, pid_t tgid);

/** Cumulative lost-record counts of a session, per class. -ENOENT if unknown. */
int sr_capture_lost_read(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *total);

/**
 * Losses since the previous take, per class ("read and reset" without
 * racing the kernel's atomic adds: the reported totals are kept in a pinned
 * map, so a restarted daemon does not report a loss twice).
 * @return 1 when something was lost since the last take, 0 when not, or -errno.
 */
int sr_capture_lost_take(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *delta);

/* ---- on-demand programs ---------------------------------------------- */

/** Demand bit (beside the SR_CLASS_BIT ones): some policy has rules, its own programs run. */
#define SR_CAPTURE_DEMAND_POLICY (1u << 31)

/**
 * Attach the on-demand programs of the classes in @p classes (SR_CLASS_BIT
 * mask: the classes some active session records, and SR_CAPTURE_DEMAND_POLICY)
 * and detach the others (destroying their links and pins). Call it whenever
 * that set changes.
 */
int sr_capture_set_demand(struct sr_capture *cap, uint32_t classes);

/** SR_CLASS_BIT mask of the classes whose on-demand programs are attached now. */
uint32_t sr_capture_demand(const struct sr_capture *cap);

/** SR_CLASS_BIT mask of the classes that have on-demand programs on this backend. */
uint32_t sr_capture_demand_classes(const struct sr_capture *cap);

/* ---- ring buffer ------------------------------------------------------- */

/** The ring buffer map fd, for a consumer that mmaps it itself (owned by @p cap). */
int sr_capture_ringbuf_fd(const struct sr_capture *cap);

/** The ring buffer data size in bytes (max_entries of the map). */
uint32_t sr_capture_ringbuf_size(const struct sr_capture *cap);

/** Callback of sr_capture_poll(): one record (read-only). Non-zero stops the poll. */
typedef int (*sr_capture_event_fn)(void *ctx, const void *data, size_t size);

/**
 * Convenience consumer (libbpf ring_buffer__poll): wait up to @p timeout_ms
 * and deliver every available record to @p fn. Do not mix with a consumer
 * of your own on the same ring buffer.
 * @return records consumed (>= 0) or -errno.
 */
int sr_capture_poll(struct sr_capture *cap, int timeout_ms, sr_capture_event_fn fn, void *ctx);

/** Mount bpffs on /sys/fs/bpf, tracefs on /sys/kernel/tracing and securityfs on
 * /sys/kernel/security when missing. */
int sr_capture_mount_fs(void);

#endif
