/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file proto.h
 * @brief The session registration protocol between pam_sshrec and sshrecd.
 *
 * Transport: a SOCK_SEQPACKET unix socket (default SR_DEFAULT_SOCKET, mode
 * 0600, root only; the daemon checks SO_PEERCRED). One request datagram,
 * one reply datagram, each a JSON object of at most SR_PROTO_MAX_MSG bytes
 * (the status reply may be up to SR_PROTO_MAX_REPLY).
 *
 * Requests:
 *   {"v":1,"op":"open","pid":N,"user":"…","service":"…","tty":"…","rhost":"…",
 *    "audit_session_id":N,"cgroup_id":N,"cgroup_path":"/sshrec/…",
 *    "cgroup_adopted":false,"ssh_connection":"…","ssh_auth_info":"…"}
 *   {"v":1,"op":"close","sid":"<uuid>","pid":N}
 *   {"v":1,"op":"status"}
 * Replies:
 *   {"ok":true,"sid":"<uuid>","session_key":N}      (open)
 *   {"ok":true}                                       (close)
 *   {"ok":true,"status":{…}}                          (status; see sshrecd(8))
 *   {"ok":false,"error":"one line saying what was wrong"}
 *
 * The daemon replies to "open" only once the session's cgroup id and audit
 * session id are in the kernel filter maps, so nothing the session runs can
 * precede recording.
 */
#ifndef SSHREC_PROTO_H
#define SSHREC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SR_PROTO_VERSION   1
#define SR_PROTO_MAX_MSG   (64 * 1024)
#define SR_PROTO_MAX_REPLY (192 * 1024)
#define SR_AUDIT_SID_UNSET 0xffffffffu

enum sr_op {
	SR_OP_OPEN = 1,
	SR_OP_CLOSE = 2,
	SR_OP_STATUS = 3,
};

/** "open": what the PAM module knows about the login. Strings NUL-terminated. */
struct sr_open_req {
	int32_t pid;               /**< the sshd process that ran pam_open_session */
	char user[256];            /**< PAM_USER */
	char service[128];         /**< PAM_SERVICE */
	char tty[128];             /**< PAM_TTY ("ssh" when no pty) */
	char rhost[256];           /**< PAM_RHOST */
	uint32_t audit_sid;        /**< /proc/self/sessionid, SR_AUDIT_SID_UNSET if none */
	uint64_t cgroup_id;        /**< the session cgroup's id */
	char cgroup_path[1024];    /**< relative to the cgroup2 mount: "/sshrec/…" */
	bool cgroup_adopted;       /**< a systemd session scope was adopted */
	char ssh_connection[256];  /**< SSH_CONNECTION: "raddr rport laddr lport" */
	char ssh_auth_info[16384]; /**< SSH_AUTH_INFO_0: "publickey ssh-ed25519 AAAA…" lines */
};

/** "close": the session is closing (it ends when its cgroup empties). */
struct sr_close_req {
	char sid[37];
	int32_t pid;
};

/** A decoded request. */
struct sr_request {
	enum sr_op op;
	union {
		struct sr_open_req open;
		struct sr_close_req close;
	};
};

/** A decoded reply (open/close; status is read with json-c directly). */
struct sr_reply {
	bool ok;
	char sid[37];
	uint64_t session_key;
	char error[256];
};

/** Encode requests/replies into @p buf. Return the length or -EMSGSIZE/-ENOMEM. */
int sr_proto_encode_open(const struct sr_open_req *req, char *buf, size_t cap);
int sr_proto_encode_close(const struct sr_close_req *req, char *buf, size_t cap);
int sr_proto_encode_status(char *buf, size_t cap);
int sr_proto_encode_reply(const struct sr_reply *rep, char *buf, size_t cap);

/**
 * Decode and validate a request. Every field is type- and length-checked;
 * unknown fields are ignored, missing required ones are errors. On failure
 * returns -EINVAL (or -EMSGSIZE) and writes a one-line reason into @p err.
 */
int sr_proto_decode_request(const char *buf, size_t len, struct sr_request *out, char *err,
                            size_t errlen);

/** Decode an open/close reply. -EINVAL when it is not a valid reply. */
int sr_proto_decode_reply(const char *buf, size_t len, struct sr_reply *out);

/**
 * Client side: connect to @p socket_path, send @p len bytes, wait at most
 * @p timeout_ms for the reply datagram into @p reply (capacity @p cap).
 * Returns the reply length, or -errno (-ETIMEDOUT, -ECONNREFUSED, -ENOENT…;
 * -ECONNRESET when the daemon hangs up without replying). A full listen
 * backlog (EAGAIN) is retried until the timeout.
 */
int sr_proto_call(const char *socket_path, const char *req, size_t len, char *reply, size_t cap,
                  int timeout_ms);

#endif
