/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file capture.h
 * @brief Userspace loader of the kernel capture (bpf/sshrec.bpf.c).
 *
 * Loads the sshrec_bpf skeleton in the libbpf-tools order open -> configure
 * -> load -> attach, and manages the session filter maps, the per-session
 * loss counters and the ring buffer.
 *
 * Pinning and restart without loss. With sr_capture_opts.pin, the state
 * maps (ring buffer included) and every program link are pinned under
 * <pin_dir>/v<SR_EVENTS_ABI_VERSION>/ (maps by name, links as link_<prog>),
 * so the programs keep capturing into the ring buffer while the daemon is
 * down. A later sr_capture_open() of the same ABI version reuses the pinned
 * maps and links (a pinned link whose program differs from this build's is
 * replaced after the new one is attached); pins of another ABI version are
 * removed once this version is attached (unread records in their ring
 * buffer are lost with them). sr_capture_close() keeps the pins;
 * sr_capture_destroy() and sr_capture_unpin() remove them.
 *
 * Syscall tracepoints (open family, execve/execveat exits for failed execs,
 * the compat raw syscall tracepoints) make every syscall on the host take
 * the slow path while attached, so they are attached only on demand:
 * sr_capture_set_syscall_classes().
 *
 * Error convention (log.h): 0 or -errno; failures are logged once here.
 * Not thread-safe: one thread drives one struct sr_capture.
 */
#ifndef SSHREC_CAPTURE_H
#define SSHREC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/events.h"

/** Default ring buffer size in bytes (power of two, multiple of the page size). */
#define SR_CAPTURE_RINGBUF_DEFAULT (16u << 20)

/** Options of sr_capture_open(). Zero-initialize, then set what you need. */
struct sr_capture_opts {
	/** Ring buffer bytes; 0 = SR_CAPTURE_RINGBUF_DEFAULT. Rounded up to a power of two.
	 * Ignored (with a warning) when a pinned ring buffer of another size is reused. */
	uint32_t ringbuf_size;
	/** bpffs directory of the pins; NULL = SR_DEFAULT_PIN_DIR (/sys/fs/bpf/sshrec). */
	const char *pin_dir;
	/** Pin maps and links (and reuse existing pins). false: everything dies with close. */
	bool pin;
	/** Attach the open-family syscall tracepoints now (see sr_capture_set_syscall_classes). */
	bool need_disk;
	/** Attach the execve/execveat syscall tracepoints now (failed execs). */
	bool need_failed_exec;
	/** argv byte cap, 0 = SR_ARGV_CAP (a smaller value is for tests/benchmarks). */
	uint32_t argv_cap;
	/** 0: the consumer is woken for every record (libbpf's default). N: only once N
	 * bytes wait, which saves a wakeup per record under load but means the consumer
	 * MUST poll with a timeout (records may wait for it). */
	uint32_t wakeup_bytes;
};

struct sr_capture;

/**
 * Open, configure, load and attach the capture. Mounts bpffs on /sys/fs/bpf
 * (when pinning) and tracefs on /sys/kernel/tracing when missing.
 * Syscall tracepoints are attached when requested in @p opts or when their
 * links are already pinned (a restart keeps them until the caller says
 * otherwise with sr_capture_set_syscall_classes()).
 * @param opts NULL for defaults (pinned under SR_DEFAULT_PIN_DIR).
 * @param out receives the handle on success.
 * @return 0 or -errno.
 */
int sr_capture_open(const struct sr_capture_opts *opts, struct sr_capture **out);

/** True when maps were reused from pins left by a previous instance. */
bool sr_capture_reused(const struct sr_capture *cap);

/** The fd of map @p name of the BPF object (owned by @p cap), or -ENOENT. */
int sr_capture_map_fd(const struct sr_capture *cap, const char *name);

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

/* ---- syscall tracepoints --------------------------------------------- */

/**
 * Attach or detach the syscall tracepoints: the open family when @p
 * need_disk, execve/execveat exits when @p need_failed_exec, the compat raw
 * syscall tracepoints when either. Call it whenever the set of active
 * sessions' classes changes (disk on for any session => need_disk).
 * Detaching destroys the link and removes its pin.
 */
int sr_capture_set_syscall_classes(struct sr_capture *cap, bool need_disk, bool need_failed_exec);

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

/** Mount bpffs on /sys/fs/bpf and tracefs on /sys/kernel/tracing when missing. */
int sr_capture_mount_fs(void);

#endif
