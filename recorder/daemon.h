/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file daemon.h
 * @brief sshrecd's state and the functions of its parts (one file each).
 *
 * Single-threaded: one epoll loop (loop.c) drives the ring buffer
 * consumer, the control socket (control.c), sessions (session.c), signals
 * and timers. Records flow correlator -> sinks (sinks_run.c); the ring
 * buffer is committed only after every sink flushed.
 */
#ifndef SSHREC_DAEMON_H
#define SSHREC_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "recorder/auth_info.h"
#include "recorder/capture/capture.h"
#include "recorder/config.h"
#include "recorder/correlate.h"
#include "recorder/journal.h"
#include "recorder/policy/policy_kern.h"
#include "recorder/ringbuf.h"
#include "recorder/sinks/sink.h"

#define SR_MAX_SINKS    (3 + SR_JSONL_EXTRA_MAX) /* jsonl, jsonl.NAME..., syslog, sqlite */
#define SR_SESS_BUCKETS 1024
#define SR_RATE_SECS    10
/** Ring buffer bytes waiting before the kernel wakes the daemon (capped at 1/4 of the ring). */
#define SR_WAKEUP_BYTES (64u << 10)

/** The outage journal's file: the database's path with this suffix (journal_run.c). */
#define SR_JOURNAL_SUFFIX ".outage"

/** A loss count a restart found in the outage journal, recorded again as ei @p ei. */
struct sr_jloss {
	uint64_t ei;
	int64_t time_us;
	struct sr_session_lost lost;
};

/** A recorded session. */
struct sr_session {
	struct sr_corr_session corr; /**< info (sid, key, strings), process model */
	struct sr_session *next;     /**< hash chain */
	bool closing;
	bool cgroup_adopted; /**< not ours: a logind scope (adopted at open or followed) */
	bool lingering;      /**< cgroup empty, tracked processes run elsewhere (logged once) */
	int wd;              /**< inotify watch on cgroup.events, -1 when none */
	char *cg_dir;        /**< absolute cgroup directory */
	/** our own cgroup, left for a logind scope while a process was still in it:
	 * removed as soon as it is empty (sr_session_check, session end) */
	char *left_cg_dir;
	uint32_t classes, flags;
	struct sr_policy_set *pset; /**< its rule set in the kernel; NULL: no rules apply */
	/* from the outage journal (a restart): loss counts to record again, the end's time */
	struct sr_jloss *replay;
	size_t nreplay;
	int64_t end_replay_us; /**< 0: none */
};

/** A control-socket connection waiting for its request. */
struct sr_client {
	int fd;
	pid_t pid; /**< from SO_PEERCRED: for log lines and the owner of a close */
	int64_t since_us;
	bool reply_pending;  /**< an "open" waiting for the batch's flush */
	struct sr_reply rep; /**< its reply */
};

/** The daemon. */
struct sr_daemon {
	struct sr_config *cfg;
	struct sr_capture *cap;
	struct sr_ringbuf rb;
	struct sr_corr corr;
	struct sr_sink sinks[SR_MAX_SINKS];
	size_t nsinks;
	/*
	 * The SQLite sink (NULL: none), the store of record a restart rebuilds
	 * from. While it holds a backlog, the kernel ring buffer keeps the
	 * records it has not committed (sr_loop_commit), within a bound.
	 */
	struct sr_sink *sq;
	uint64_t sq_pos;      /**< ring read position SQLite has committed every record before */
	bool sq_unsafe;       /**< its backlog outgrew the bound: a kill -9 now loses it */
	uint64_t sq_unsafe_n; /**< times that happened since start */
	bool ring_in_epoll;   /**< the loop added the ring fd to epoll */
	bool ring_polled;     /**< ... and polls it (not while records are held in it) */
	uint64_t forks_pos;   /**< read position the SQLite sink's forked processes are of (+1) */
	/* the outage journal (journal_run.c): what only memory holds while SQLite cannot commit */
	char jnl_path[PATH_MAX]; /**< "": none (no SQLite sink) */
	int jnl_fd;              /**< open while the file exists and was written by us */
	struct sr_jw jnl_w;      /**< the entry being written */
	char *jnl_buf;           /**< entries since SQLite's last commit, not in the file yet */
	size_t jnl_len, jnl_cap;
	size_t jnl_size; /**< bytes in the file */
	bool
	    jnl_on_disk; /**< the file exists: removed at the first commit with nothing to replay */
	bool jnl_lost;   /**< an entry could not be kept (logged): until the next commit */
	size_t jnl_replay; /**< restored losses and ends not yet recorded again */
	/* its time base entries (journal.h): the last one in the file, of this daemon */
	bool jnl_base_in_file; /**< the file has jnl_base_ring/off (reset when removed) */
	uint32_t jnl_base_ring;
	int64_t jnl_base_off;
	/* the newest time base of this ring a restart found in the file (restore.c) */
	bool jnl_rbase;
	uint64_t jnl_rbase_pos;
	int64_t jnl_rbase_off;
	struct sr_session *sess[SR_SESS_BUCKETS];
	size_t nsessions;
	int epfd, sigfd, timerfd, inofd, listenfd;
	struct sr_client *clients;
	size_t nclients;
	char cg2[PATH_MAX];
	char server_id[SR_UUID_STRLEN];
	char hostname[256];
	bool stop;
	/** Opens of this loop iteration share one sink flush (group commit). */
	bool batch_opens;
	bool opens_pending;
	struct sr_policy_kern pk; /**< the policy in the kernel (policy_run.c) */
	int64_t demand_spare_us;  /**< CLOCK_MONOTONIC since when more is attached than needed */
	/* status */
	int64_t started_us;
	uint64_t records;       /**< records written */
	uint64_t orphans;       /**< events of no known session */
	uint64_t failed_events; /**< events skipped because correlating them failed (ENOMEM) */
	unsigned failed_streak; /**< consecutive such failures (log once per streak) */
	bool all_sinks_failing; /**< the last flush failed in every sink (log once) */
	uint64_t lost_total;    /**< kernel losses reported */
	uint64_t class_total[SR_CLASS_MAX];
	uint64_t rate[SR_RATE_SECS][SR_CLASS_MAX]; /**< per-second buckets */
	unsigned rate_idx;
	uint64_t rate_last[SR_CLASS_MAX];
};

/* sinks_run.c */
/** Open every configured sink. Fails only when none could be opened. */
int sr_sinks_open(struct sr_daemon *d);
/** The correlator's emit callback: write @p rec to every sink, in order. */
int sr_sinks_write(void *daemon, const struct sr_record *rec);
/** True when an open sink writes the records' JSON (all but SQLite, which stores the facts). */
bool sr_sinks_want_json(const struct sr_daemon *d);
/** A session's state changed with no record (closing): queue it in every sink that keeps it. */
void sr_sinks_session_update(struct sr_daemon *d, const struct sr_session_info *sess);
/** Flush every sink. A failing sink is unhealthy; returns 0 unless every sink failed. */
int sr_sinks_flush(struct sr_daemon *d);
/** SIGHUP: reopen files. */
void sr_sinks_reopen(struct sr_daemon *d);
void sr_sinks_close(struct sr_daemon *d);

/* session.c */
struct sr_session *sr_session_by_key(struct sr_daemon *d, uint64_t key);
struct sr_session *sr_session_by_sid(struct sr_daemon *d, const char *sid);
/** Add @p s (fully set up) to the table and start watching its cgroup. */
int sr_session_insert(struct sr_daemon *d, struct sr_session *s);
/** "open": register, emit session.start, flush. @p rep gets sid and key or the error. */
int sr_session_open(struct sr_daemon *d, const struct sr_open_req *req, struct sr_reply *rep);
/**
 * "close": mark closing; the session ends when its cgroup is empty. A sid
 * that is not open (it already ended) is acknowledged as closed. Only its
 * owner may close it: @p peer (the client's SO_PEERCRED pid) must be the
 * session's leader (the sshd that opened it) or a process in its cgroup;
 * anyone else gets -EPERM and the session stays as it is.
 */
int sr_session_close(struct sr_daemon *d, const struct sr_close_req *req, pid_t peer,
                     struct sr_reply *rep);
/**
 * End @p s once its cgroup is empty (or gone) and none of its tracked
 * processes runs elsewhere. When our own cgroup empties because logind took
 * the session leader into its scope, the scope is adopted instead.
 * Returns 1 when it ended.
 */
int sr_session_check(struct sr_daemon *d, struct sr_session *s);
/** inotify said something changed: check the sessions it names. */
void sr_session_inotify(struct sr_daemon *d);
/** Take kernel loss counters of every session; emit data_loss records. */
void sr_session_poll_loss(struct sr_daemon *d);
/**
 * Attach the on-demand capture programs (the tracepoint backend's syscall
 * tracepoints, the hook backends' programs on every open) the sessions need at once; detach
 * unneeded ones once they have been unneeded for syscall_linger seconds (call every second).
 */
void sr_session_update_demand(struct sr_daemon *d);
/**
 * What a session with rule set @p set (NULL: none) recording @p classes needs
 * attached: its classes, SR_CAPTURE_DEMAND_POLICY with rules, and disk for
 * deny_write where verdicts are signals (the open programs check them).
 */
uint32_t sr_session_demand_of(struct sr_daemon *d, const struct sr_policy_set *set,
                              uint32_t classes);
/**
 * Attach, at once, the on-demand programs of @p more (sr_session_demand_of()
 * bits) and the policy's when the current policy has rules; detach nothing.
 * @return 0 or -errno (what could not be attached is logged).
 */
int sr_session_attach_demand(struct sr_daemon *d, uint32_t more);
/**
 * At shutdown, with on-demand programs attached: fork the watcher that
 * detaches them once no recorded process lives, or after
 * syscall_linger_stopped (recorder/linger.c). Call after the capture is closed.
 */
void sr_linger_spawn(struct sr_daemon *d);
/**
 * The names of all of @p login's groups (primary and supplementary,
 * getgrouplist, however many), in a malloc'd array stored in *@p names.
 * @return how many (0 for an unknown login; groups that cannot be read are
 * left out and logged).
 */
size_t sr_login_groups(const char *login, char ***names);
/** Free what sr_login_groups() returned (the array too). */
void sr_login_groups_free(char **names, size_t n);
/**
 * Classes and SR_CFG_* flags of @p login from the config: global defaults,
 * then per-group overrides for every group of the login (getgrouplist),
 * then per-user ones. Used at open and when restoring after a restart.
 */
void sr_session_login_classes(const struct sr_config *cfg, const char *login, uint32_t *classes,
                              uint32_t *flags);
/** Free every session (shutdown: they stay in the DB and the kernel maps). */
void sr_session_free_all(struct sr_daemon *d);

/* scope.c */
/**
 * Make the logind scope at @p path (relative to the cgroup2 mount; @p id its
 * cgroup id, 0: read it) the session's cgroup: kernel filter, inotify watch,
 * stored row; our own emptied cgroup is removed.
 */
int sr_session_adopt(struct sr_daemon *d, struct sr_session *s, const char *path, uint64_t id);
/**
 * An escape event of @p s (@p size bytes). True when it is no escape:
 * logind moving the session leader into the login's own scope (adopted
 * here) or a move into the scope already adopted. False: record it.
 */
bool sr_session_escape(struct sr_daemon *d, struct sr_session *s, const struct sr_escape_event *e,
                       size_t size);
/** Adopt the logind scope of the login the session leader is in now. Returns 1 when adopted. */
int sr_session_follow_leader(struct sr_daemon *d, struct sr_session *s);
/* policy_run.c */
/** Take the policy maps of the capture and the config's policy (after sr_capture_open). */
int sr_policy_open(struct sr_daemon *d);
/**
 * Point session @p s at the rules that apply to its login (at open and
 * restore). On failure the session has no rules and the error is logged.
 * @return 0 or -errno (-ENOSPC: the rule maps are full).
 */
int sr_policy_session_bind(struct sr_daemon *d, struct sr_session *s);
/** Session @p s ended: remove its entry and rule sets no session uses any more. */
void sr_policy_session_end(struct sr_daemon *d, struct sr_session *s);
/** After restore: remove what a previous sshrecd left in the maps and no session uses. */
void sr_policy_sweep(struct sr_daemon *d);
/**
 * SIGHUP: read the policy again from the config file and switch every
 * session to it atomically; a file that does not parse, or a policy that
 * does not fit in the maps, leaves the old policy in force (logged).
 * @return 0 or the reason it was kept (-EINVAL, -ENOSPC, -errno).
 */
int sr_policy_reload(struct sr_daemon *d);
/** Free the bookkeeping (the pinned maps keep enforcing). */
void sr_policy_close(struct sr_daemon *d);
/**
 * The policy part of `sshrec status` (a json_object *): enforce mode, rules,
 * rule sets and entries in the kernel, and the kernel's verdict counters
 * (denied, audited, not_applied, lost). NULL on ENOMEM.
 */
void *sr_policy_status_json(struct sr_daemon *d);

/* loop.c */
/** Set up epoll, signalfd, timerfd and inotify; run until SIGTERM/SIGINT. */
int sr_loop_run(struct sr_daemon *d);
/** Read, correlate, write and flush every pending ring buffer record, then commit. */
int sr_loop_drain(struct sr_daemon *d, bool all);
/**
 * After a flush of every sink: advance the kernel's consumer position to the
 * read position, or, while the SQLite sink holds a backlog, only to what it
 * committed (sq_pos), as long as that keeps at most half the ring.
 */
void sr_loop_commit(struct sr_daemon *d);

/* control.c */
/** Create the socket (mode 0600) and listen. */
int sr_control_open(struct sr_daemon *d);
/** The listening socket is readable: accept and check credentials. */
void sr_control_accept(struct sr_daemon *d);
/** A client fd is readable: read one request, reply, close. */
void sr_control_serve(struct sr_daemon *d, int fd);
/** Close clients idle for too long. */
void sr_control_expire(struct sr_daemon *d, int64_t now_us);
/**
 * Flush the sinks once for every "open" served in this loop iteration, then
 * send their replies: a burst of logins costs one commit, not one each, and
 * no login is acknowledged before its session.start is in the sinks.
 */
void sr_control_commit_opens(struct sr_daemon *d);
void sr_control_close(struct sr_daemon *d);

/* journal_run.c */
/** Name the journal after the database (call after sr_sinks_open). */
void sr_journal_init(struct sr_daemon *d);
void sr_journal_close(struct sr_daemon *d);
/*
 * Notes of what only memory holds, made as it happens; sr_journal_flushed()
 * writes them to the file when SQLite did not commit them.
 */
/** Session @p s opened (its info and leader comm, as session.start has them). */
void sr_journal_note_open(struct sr_daemon *d, const struct sr_session *s);
/** Its closing time or cgroup changed. */
void sr_journal_note_state(struct sr_daemon *d, const struct sr_session *s);
/** A loss count taken from the kernel, about to be recorded as the session's next ei. */
void sr_journal_note_loss(struct sr_daemon *d, const struct sr_session *s, int64_t time_us,
                          const struct sr_session_lost *delta);
/** The session's end, about to be recorded as its next ei. */
void sr_journal_note_end(struct sr_daemon *d, const struct sr_session *s, int64_t time_us);
/**
 * After the SQLite sink's flush: @p committed false appends and fsyncs the
 * notes (bounded; a failure is logged), after the time base when the file
 * does not have this one yet and something waits (notes, or records read
 * past SQLite's last commit: a restart makes those again from the ring);
 * true forgets them and removes the file once nothing of it waits to be
 * recorded again.
 */
void sr_journal_flushed(struct sr_daemon *d, bool committed);
typedef void (*sr_journal_apply_fn)(struct sr_daemon *d, const struct sr_jentry *e, void *ctx);
/**
 * Read the journal a previous sshrecd left (root's, mode 0600, bounded; a
 * file that is not, or a bad line, is logged and not used) and pass each
 * entry to @p apply. @return entries read, or -ENOMEM.
 */
int sr_journal_load(struct sr_daemon *d, sr_journal_apply_fn apply, void *ctx);
/**
 * Record the restored losses of @p s whose ei has come (@p all: all of them,
 * in ei order).
 */
void sr_journal_replay(struct sr_daemon *d, struct sr_session *s, bool all);

/* status.c */
/** Roll the per-second rate buckets (call once a second). */
void sr_status_tick(struct sr_daemon *d);
/** The status object as JSON text (malloc'd). NULL on ENOMEM. */
char *sr_status_json(struct sr_daemon *d);

/* restore.c */
/** Rebuild open sessions from the DB and the cgroup tree after a restart. */
int sr_restore(struct sr_daemon *d);
/** First free processes.id (sr_db_next_process_id() of the DB, else the clock). */
int64_t sr_restore_next_entity(const struct sr_config *cfg);
/**
 * Exactly once across a kill: skip the queued records before the ring
 * position stored with the last committed SQLite batch (only when the pinned
 * ring buffer it refers to was reused).
 */
void sr_restore_ring_position(struct sr_daemon *d);

#endif
