/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file record.h
 * @brief What the correlator hands to the sinks: one finished record.
 *
 * The correlator (recorder/correlate.c) turns kernel events into records
 * and assigns ei and the record uid. A record carries every fact its JSON
 * (schema/RECORDS.md) is made of, and sr_record_json() (record_json.c) is
 * the one writer of that JSON: the daemon's text sinks get it from there,
 * and the CLI rebuilds stored records with it from the database rows
 * (recorder/store/store_read.c), so the two can never differ.
 */
#ifndef SSHREC_RECORD_H
#define SSHREC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "uuid.h"

/**
 * Version of the record format (schema/RECORDS.md) this build writes.
 * 2: session.command's argv leaves argv[0] out (Teleport) and argv0 carries
 * it, session.network's operation and action are Teleport's numbers, IPv6
 * addr.* are "[ip]:port", session.end has enhanced_recording, interactive,
 * participants. 3: session.denied's "action" is the number of
 * session.network's (1 denied, 0 audited or not applied), "kind" says exec,
 * connect or write and "policy_mode" enforced or audit (format 2: strings
 * "action" and "mode"), so that one field name has one JSON type in every
 * record. 1: before 2. Stored records keep the format they were written in
 * (the database keeps it with each record, events.fmt), and
 * sr_record_json() writes each in its own. 4: session.disk also records
 * file changes, with a "change" ("unlink", "rename", ...); an open has
 * none, as before. 5: session.network also records inbound TCP
 * connections (operation 2, an sshrec extension) and a UDP socket's first
 * send to each destination (operation 1, Teleport's SEND, result "sent").
 * 6: session.disk's "change" may be "exchange" (renameat2 RENAME_EXCHANGE,
 * which format 5 recorded as a "rename") or "mkdir" (with its "mode").
 * 7: session.disk's "change" may be "mknod" (a FIFO, device, socket or empty
 * file made, with its "mode", "file_type" and a device's numbers).
 */
#define SR_RECORD_FORMAT 7

/** Kinds of record, one per `event` value. */
enum sr_rec_kind {
	SR_REC_SESSION_START = 0, /**< session.start, T2000I */
	SR_REC_SESSION_END,       /**< session.end, T2004I */
	SR_REC_COMMAND,           /**< session.command, T4000I */
	SR_REC_DISK,              /**< session.disk, T4001I */
	SR_REC_NETWORK,           /**< session.network, T4002I */
	SR_REC_PROCESS_EXIT,      /**< session.process_exit, SR4010I */
	SR_REC_DATA_LOSS,         /**< session.data_loss, SR4090W */
	SR_REC_ESCAPE,            /**< session.escape, SR4091W */
	SR_REC_DENIED,            /**< session.denied, SR4020W */
	SR_REC_KIND_MAX,
};

/** Teleport's SessionNetwork.NetworkOperation (events.proto), written as a number. */
enum sr_net_operation {
	SR_NET_OP_CONNECT = 0, /**< TCP connect */
	SR_NET_OP_SEND = 1,    /**< UDP: a socket's first datagram to a destination (format 4) */
	SR_NET_OP_ACCEPT = 2,  /**< sshrec's: an inbound TCP connection accepted (format 4) */
};

/** Teleport's EventAction (events.proto): what was done about the event. */
enum sr_net_action {
	SR_NET_ACTION_OBSERVED = 0, /**< recorded only */
	SR_NET_ACTION_DENIED = 1,   /**< refused (enforcement) */
};

/** `event` and `code` strings of a kind. */
const char *sr_rec_event_name(enum sr_rec_kind kind);
const char *sr_rec_event_code(enum sr_rec_kind kind);

/** A session as the sinks see it (one row of the sessions table). */
struct sr_session_info {
	int64_t key; /**< sessions.id, the BPF map key */
	char sid[SR_UUID_STRLEN];
	const char *server_id;
	const char *server_hostname;
	const char *login;
	const char *user; /**< key fingerprint for publickey logins, else login */
	const char *service;
	const char *tty;
	const char *rhost;
	const char *remote_addr;
	int remote_port;
	const char *local_addr;
	int local_port;
	const char *auth_method;
	const char *key_type;
	const char *key_fingerprint;
	int32_t leader_pid;
	uint64_t cgroup_id;
	const char *cgroup_path;
	uint32_t audit_session_id;
	int64_t start_us;
	int64_t closing_us; /**< 0 when not closing */
	int64_t end_us;     /**< 0 while not ended */
	const char *state;  /**< "active", "closing", "ended" */
	/** Capture backend recording the session ("lsm", "fentry", "tracepoint"); NULL unknown. */
	const char *capture_backend;
	uint64_t counts[SR_REC_KIND_MAX]; /**< records written so far, by kind */
	uint64_t lost;                    /**< events lost in the kernel, total */
};

/** One exec'd program (one row of the processes table). */
struct sr_process_info {
	int64_t id;        /**< entity id */
	int64_t parent_id; /**< 0: session root */
	int32_t pid, ppid;
	const char *program;   /**< basename of path (of exe when exec'd through a fd), sanitized */
	const char *path;      /**< sanitized */
	const char *exe;       /**< the file that ran (sanitized), NULL when unknown */
	const char *exe_kind;  /**< file, deleted, fileless, interpreter; NULL: failed exec */
	const char *argv_json; /**< JSON array of sanitized strings */
	bool argv_truncated;
	const char *cwd;
	int64_t uid, gid;
	int32_t return_code;
	int64_t euid, egid; /**< effective ids at exec (session.command) */
	const char *tty;    /**< controlling terminal ("/dev/pts/3"), NULL: none */
	int64_t start_us;
	int64_t end_us; /**< 0 while running */
	bool has_exit;
	int32_t exit_code;
	int32_t signal;
	int64_t duration_ms;
	uint64_t exec_ei;
};

/**
 * A finished record: every fact of its JSON. Pointers stay valid for the
 * duration of sink->write(). Strings are valid UTF-8 (sanitized, see
 * strsafe.h); fields that do not belong to the record's kind are zero.
 */
/** session.disk: why its path is missing. */
enum sr_path_error {
	SR_PATH_ERROR_NONE = 0,
	SR_PATH_ERROR_UNREADABLE,  /**< the string could not be read */
	SR_PATH_ERROR_UNAVAILABLE, /**< io_uring: failed before its path was seen */
};

struct sr_record {
	enum sr_rec_kind kind;
	int format; /**< record format version; 0 means SR_RECORD_FORMAT */
	const struct sr_session_info *sess;
	uint64_t ei;
	int64_t time_us;
	uint8_t uid[16];    /**< record UUID (v4) */
	uint64_t cgroup_id; /**< of the task (start, end, loss: the session's) */
	uint32_t audit_session_id;
	int32_t pid;
	int32_t ppid;
	const char *program; /**< comm; NULL writes "" */
	int64_t process_id;  /**< 0: none */
	const char *path;    /**< command, disk, denied exec/write; else NULL */
	bool has_return_code;
	int64_t return_code; /**< command: exec result; disk: fd or -errno */
	/**
	 * command: the new process row, which also holds the record's argv,
	 * argv_truncated, ids, parent and tty; process_exit: the updated row
	 * (for the SQLite sink only: the record's own facts are below).
	 */
	const struct sr_process_info *proc;
	const char *tty; /**< session.start: PAM's tty */
	const char *cwd; /**< command: working directory, NULL when unreadable */
	/* session.disk */
	uint64_t flags; /**< open flags (flags_text is derived from them) */
	uint32_t mode;
	bool path_resolved; /**< made absolute by sshrec */
	enum sr_path_error path_error;
	/* session.disk, a file change (format 4): fc_op 0 is an open */
	uint8_t fc_op;        /**< enum sr_fchange_op (bpf/events.h) */
	const char *path2;    /**< rename, link: the new name; symlink: its content */
	bool path2_resolved;  /**< rename, link: made absolute by sshrec */
	bool path2_truncated; /**< longer than 4096 bytes: its deepest part */
	enum sr_path_error path2_error;
	int64_t owner_uid; /**< chown: the new owner, -1 unchanged */
	int64_t owner_gid; /**< chown: the new group, -1 unchanged */
	int64_t length;    /**< truncate: the new size, -1 unknown (security hook) */
	uint32_t device;   /**< mknod: the device number as mknod(2) takes it */
	/*
	 * session.network (dst_addr, dst_port: also a denied connect). src is the
	 * end that initiated: the local one, the remote one of an accept.
	 */
	const char *src_addr, *dst_addr; /**< as inet_ntop writes them */
	int src_port, dst_port;
	int result;    /**< 0 pending, 1 established, 2 failed (a send: "sent" whatever this is) */
	int operation; /**< enum sr_net_operation */
	int action;    /**< enum sr_net_action: 0 observed, 1 denied (a connect refused) */
	/* session.process_exit */
	int32_t exit_code; /**< ignored (null) when signal != 0 */
	int32_t signal;
	int64_t duration_ms;
	/* session.data_loss: events lost in the kernel, per class */
	uint64_t lost_command, lost_disk, lost_network;
	/* session.escape (from_cgroup_id is cgroup_id) */
	uint64_t to_cgroup_id;
	const char *to_cgroup_path;
	/*
	 * session.denied: what a deny rule matched, with path (exec, write),
	 * dst_addr and dst_port (connect) or flags (write) above.
	 */
	uint8_t denied_action;    /**< enum sr_policy_action (bpf/policy.h) */
	uint8_t denied_mode;      /**< SR_POLICY_ENFORCE or SR_POLICY_AUDIT */
	uint8_t denied_mechanism; /**< enum sr_policy_mech */
	bool denied_not_applied;  /**< enforce, but the kernel could not apply it */
	bool path_truncated;      /**< disk, denied: the path was too long to be read whole */
	const char *rule;         /**< the rule as in sshrecd.conf; NULL: unknown */
	/** The JSON text (sr_record_json()), no trailing newline; NULL when not made. */
	const char *json;
	size_t json_len;
};

#endif
