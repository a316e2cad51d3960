/* SPDX-License-Identifier: BSD-2-Clause */
#include "proto.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "strsafe.h"

static int emit(json_object *o, char *buf, size_t cap)
{
	if (!o)
		return -ENOMEM;
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	int ret;
	if (!s)
		ret = -ENOMEM;
	else if (len + 1 > cap)
		ret = -EMSGSIZE;
	else {
		memcpy(buf, s, len + 1);
		ret = (int)len;
	}
	json_object_put(o);
	return ret;
}

static json_object *new_req(const char *op)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "v", json_object_new_int(SR_PROTO_VERSION));
	json_object_object_add(o, "op", json_object_new_string(op));
	return o;
}

int sr_proto_encode_open(const struct sr_open_req *r, char *buf, size_t cap)
{
	json_object *o = new_req("open");
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "pid", json_object_new_int(r->pid));
	json_object_object_add(o, "user", json_object_new_string(r->user));
	json_object_object_add(o, "service", json_object_new_string(r->service));
	json_object_object_add(o, "tty", json_object_new_string(r->tty));
	json_object_object_add(o, "rhost", json_object_new_string(r->rhost));
	json_object_object_add(o, "audit_session_id", json_object_new_int64(r->audit_sid));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(r->cgroup_id));
	json_object_object_add(o, "cgroup_path", json_object_new_string(r->cgroup_path));
	json_object_object_add(o, "cgroup_adopted", json_object_new_boolean(r->cgroup_adopted));
	json_object_object_add(o, "ssh_connection", json_object_new_string(r->ssh_connection));
	json_object_object_add(o, "ssh_auth_info", json_object_new_string(r->ssh_auth_info));
	return emit(o, buf, cap);
}

int sr_proto_encode_close(const struct sr_close_req *r, char *buf, size_t cap)
{
	json_object *o = new_req("close");
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "sid", json_object_new_string(r->sid));
	json_object_object_add(o, "pid", json_object_new_int(r->pid));
	return emit(o, buf, cap);
}

int sr_proto_encode_status(char *buf, size_t cap)
{
	return emit(new_req("status"), buf, cap);
}

int sr_proto_encode_reply(const struct sr_reply *r, char *buf, size_t cap)
{
	json_object *o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	if (r->ok && r->sid[0]) {
		json_object_object_add(o, "sid", json_object_new_string(r->sid));
		json_object_object_add(o, "session_key", json_object_new_uint64(r->session_key));
	}
	if (!r->ok)
		json_object_object_add(o, "error", json_object_new_string(r->error));
	return emit(o, buf, cap);
}

/* Field readers: each says exactly what was wrong, for the error reply. */
static int get_str(json_object *o, const char *key, char *dst, size_t cap, bool required, char *err,
                   size_t errlen)
{
	json_object *v;
	dst[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "missing field \"%s\"", key);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "field \"%s\" must be a string", key);
		return -EINVAL;
	}
	size_t len = (size_t)json_object_get_string_len(v);
	const char *s = json_object_get_string(v);
	if (len + 1 > cap || memchr(s, '\0', len)) {
		snprintf(err, errlen, "field \"%s\" is too long or holds NUL", key);
		return -EINVAL;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

static int get_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *dst,
                   bool required, char *err, size_t errlen)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "missing field \"%s\"", key);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "field \"%s\" must be an integer", key);
		return -EINVAL;
	}
	errno = 0;
	int64_t x = json_object_get_int64(v);
	if (x < min || x > max ||
	    (x == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)) {
		snprintf(err, errlen, "field \"%s\" is out of range", key);
		return -EINVAL;
	}
	*dst = x;
	return 0;
}

static int decode_open(json_object *o, struct sr_open_req *r, char *err, size_t errlen)
{
	int64_t pid = 0, asid = SR_AUDIT_SID_UNSET, cgid = 0;
	int ret;
	memset(r, 0, sizeof(*r));
	if ((ret = get_int(o, "pid", 1, INT32_MAX, &pid, true, err, errlen)) ||
	    (ret = get_str(o, "user", r->user, sizeof(r->user), true, err, errlen)) ||
	    (ret = get_str(o, "service", r->service, sizeof(r->service), false, err, errlen)) ||
	    (ret = get_str(o, "tty", r->tty, sizeof(r->tty), false, err, errlen)) ||
	    (ret = get_str(o, "rhost", r->rhost, sizeof(r->rhost), false, err, errlen)) ||
	    (ret = get_int(o, "audit_session_id", 0, UINT32_MAX, &asid, false, err, errlen)) ||
	    (ret = get_int(o, "cgroup_id", 1, INT64_MAX, &cgid, true, err, errlen)) ||
	    (ret = get_str(o, "cgroup_path", r->cgroup_path, sizeof(r->cgroup_path), true, err,
	                   errlen)) ||
	    (ret = get_str(o, "ssh_connection", r->ssh_connection, sizeof(r->ssh_connection), false,
	                   err, errlen)) ||
	    (ret = get_str(o, "ssh_auth_info", r->ssh_auth_info, sizeof(r->ssh_auth_info), false,
	                   err, errlen)))
		return ret;
	if (!r->user[0]) {
		snprintf(err, errlen, "field \"user\" is empty");
		return -EINVAL;
	}
	if (!sr_cgroup_path_ok(r->cgroup_path)) {
		snprintf(err, errlen, "field \"cgroup_path\" must be an absolute cgroup path");
		return -EINVAL;
	}
	json_object *v;
	if (json_object_object_get_ex(o, "cgroup_adopted", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			snprintf(err, errlen, "field \"cgroup_adopted\" must be a boolean");
			return -EINVAL;
		}
		r->cgroup_adopted = json_object_get_boolean(v);
	}
	r->pid = (int32_t)pid;
	r->audit_sid = (uint32_t)asid;
	r->cgroup_id = (uint64_t)cgid;
	return 0;
}

static int decode_close(json_object *o, struct sr_close_req *r, char *err, size_t errlen)
{
	int64_t pid = 0;
	int ret;
	memset(r, 0, sizeof(*r));
	if ((ret = get_str(o, "sid", r->sid, sizeof(r->sid), true, err, errlen)) ||
	    (ret = get_int(o, "pid", 0, INT32_MAX, &pid, false, err, errlen)))
		return ret;
	if (strlen(r->sid) != 36) {
		snprintf(err, errlen, "field \"sid\" is not a UUID");
		return -EINVAL;
	}
	r->pid = (int32_t)pid;
	return 0;
}

static json_object *parse_object(const char *buf, size_t len, char *err, size_t errlen)
{
	if (len > SR_PROTO_MAX_MSG) {
		snprintf(err, errlen, "message of %zu bytes exceeds the %d byte limit", len,
		         SR_PROTO_MAX_MSG);
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	if (o && jerr == json_tokener_success && tok->char_offset < (int)len) {
		/* trailing bytes after the object: refuse rather than guess */
		json_object_put(o);
		o = NULL;
		snprintf(err, errlen, "trailing data after the JSON object");
	} else if (!o || jerr != json_tokener_success) {
		json_object_put(o);
		o = NULL;
		snprintf(err, errlen, "malformed JSON: %s",
		         jerr == json_tokener_continue ? "truncated"
		                                       : json_tokener_error_desc(jerr));
	} else if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
		snprintf(err, errlen, "message is not a JSON object");
	}
	json_tokener_free(tok);
	return o;
}

int sr_proto_decode_request(const char *buf, size_t len, struct sr_request *out, char *err,
                            size_t errlen)
{
	json_object *o = parse_object(buf, len, err, errlen);
	if (!o)
		return len > SR_PROTO_MAX_MSG ? -EMSGSIZE : -EINVAL;
	int ret = -EINVAL;
	int64_t v = 0;
	char op[16];
	if (get_int(o, "v", 1, 1000, &v, true, err, errlen) ||
	    get_str(o, "op", op, sizeof(op), true, err, errlen))
		goto cleanup;
	if (v != SR_PROTO_VERSION) {
		snprintf(err, errlen, "protocol version %lld is not supported (want %d)",
		         (long long)v, SR_PROTO_VERSION);
		goto cleanup;
	}
	memset(out, 0, sizeof(*out));
	if (!strcmp(op, "open")) {
		out->op = SR_OP_OPEN;
		ret = decode_open(o, &out->open, err, errlen);
	} else if (!strcmp(op, "close")) {
		out->op = SR_OP_CLOSE;
		ret = decode_close(o, &out->close, err, errlen);
	} else if (!strcmp(op, "status")) {
		out->op = SR_OP_STATUS;
		ret = 0;
	} else {
		char shown[96]; /* the client's bytes: escaped for the log line and the reply */

		snprintf(err, errlen, "unknown op \"%s\"",
		         sr_term_escape_buf(op, shown, sizeof(shown)));
	}
cleanup:
	json_object_put(o);
	return ret;
}

int sr_proto_decode_reply(const char *buf, size_t len, struct sr_reply *out)
{
	char err[128];
	memset(out, 0, sizeof(*out));
	json_object *o = parse_object(buf, len, err, sizeof(err));
	if (!o)
		return -EINVAL;
	int ret = -EINVAL;
	json_object *v;
	if (!json_object_object_get_ex(o, "ok", &v) || !json_object_is_type(v, json_type_boolean))
		goto cleanup;
	out->ok = json_object_get_boolean(v);
	if (out->ok) {
		int64_t key = 0;
		if (get_str(o, "sid", out->sid, sizeof(out->sid), false, err, sizeof(err)) ||
		    get_int(o, "session_key", 0, INT64_MAX, &key, false, err, sizeof(err)))
			goto cleanup;
		out->session_key = (uint64_t)key;
	} else if (get_str(o, "error", out->error, sizeof(out->error), false, err, sizeof(err))) {
		snprintf(out->error, sizeof(out->error), "(unreadable error reply)");
	}
	ret = 0;
cleanup:
	json_object_put(o);
	return ret;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sr_proto_call(const char *socket_path, const char *req, size_t len, char *reply, size_t cap,
                  int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, socket_path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int ret;
	int64_t deadline = mono_ms() + timeout_ms;
	/*
	 * A non-blocking connect to a unix socket whose listen backlog is full
	 * fails with EAGAIN (many logins at once): retry until the deadline.
	 */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		if (errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			goto cleanup;
		}
		if (mono_ms() >= deadline) {
			ret = -ETIMEDOUT;
			goto cleanup;
		}
		struct timespec pause = {.tv_nsec = 2 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	for (;;) {
		ssize_t w = send(fd, req, len, MSG_NOSIGNAL);
		if (w == (ssize_t)len)
			break;
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			goto cleanup;
		}
		int left = (int)(deadline - mono_ms());
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (left <= 0 || poll(&p, 1, left) == 0) {
			ret = -ETIMEDOUT;
			goto cleanup;
		}
	}
	for (;;) {
		ssize_t r = recv(fd, reply, cap - 1, MSG_TRUNC);
		if (r == 0) {
			/* end of stream: the daemon hung up without a reply */
			ret = -ECONNRESET;
			goto cleanup;
		}
		if (r > 0) {
			if ((size_t)r >= cap) {
				ret = -EMSGSIZE;
				goto cleanup;
			}
			reply[r] = '\0';
			ret = (int)r;
			goto cleanup;
		}
		if (errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			goto cleanup;
		}
		int left = (int)(deadline - mono_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) == 0) {
			ret = -ETIMEDOUT;
			goto cleanup;
		}
	}
cleanup:
	close(fd);
	return ret;
}
