/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file record.h
 * @brief What the correlator hands to the sinks: one finished record.
 *
 * The correlator (recorder/correlate.c) turns kernel events into records,
 * assigns ei and the record uid, and serializes the JSON once
 * (schema/RECORDS.md). Sinks receive the JSON text plus the structured
 * fields they need for indexing (SQLite columns); they never re-encode.
 */
#ifndef SSHREC_RECORD_H
#define SSHREC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uuid.h"

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
	SR_REC_KIND_MAX,
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
	uint64_t counts[SR_REC_KIND_MAX]; /**< records written so far, by kind */
	uint64_t lost;                    /**< events lost in the kernel, total */
};

/** One exec'd program (one row of the processes table). */
struct sr_process_info {
	int64_t id;        /**< entity id */
	int64_t parent_id; /**< 0: session root */
	int32_t pid, ppid;
	const char *program; /**< basename of path, sanitized */
	const char *path;    /**< sanitized */
	const char *argv_json; /**< JSON array of sanitized strings */
	bool argv_truncated;
	const char *cwd;
	int64_t uid, gid;
	int32_t return_code;
	int64_t start_us;
	int64_t end_us; /**< 0 while running */
	bool has_exit;
	int32_t exit_code;
	int32_t signal;
	int64_t duration_ms;
	uint64_t exec_ei;
};

/** A finished record. Pointers stay valid for the duration of sink->write(). */
struct sr_record {
	enum sr_rec_kind kind;
	const struct sr_session_info *sess;
	uint64_t ei;
	int64_t time_us;
	char uid[SR_UUID_STRLEN];
	int32_t pid;
	int32_t ppid;
	const char *program;  /**< comm, sanitized; NULL for start/end */
	int64_t process_id;   /**< 0: none */
	const char *path;     /**< command/disk, sanitized; else NULL */
	const char *dst_addr; /**< network; else NULL */
	int dst_port;
	bool has_return_code;
	int64_t return_code;
	/** command: the new process row; process_exit: the updated row. */
	const struct sr_process_info *proc;
	const char *json; /**< the serialized record, no trailing newline */
	size_t json_len;
};

#endif
