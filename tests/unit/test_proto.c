/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the registration protocol (common/proto.c): encode/decode
 * round trips, hostile strings, oversize fields and messages, wrong types,
 * and the client call against a real SOCK_SEQPACKET socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

static struct sr_open_req *sample_open(void)
{
	struct sr_open_req *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->pid = 4242;
	strcpy(r->user, "alice");
	strcpy(r->service, "sshd");
	strcpy(r->tty, "ssh");
	strcpy(r->rhost, "192.0.2.7");
	r->audit_sid = 17;
	r->cgroup_id = 123456789012ULL;
	strcpy(r->cgroup_path, "/sshrec/s-4242-0123456789abcdef");
	r->cgroup_adopted = false;
	strcpy(r->ssh_connection, "192.0.2.7 50000 192.0.2.1 22");
	strcpy(r->ssh_auth_info, "publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0\n");
	return r;
}

/* Encode @p in, decode it, and compare field by field. */
static void roundtrip_open(const struct sr_open_req *in)
{
	char *buf = malloc(SR_PROTO_MAX_MSG);
	assert_non_null(buf);
	int len = sr_proto_encode_open(in, buf, SR_PROTO_MAX_MSG);
	assert_true(len > 0);
	assert_int_equal(strlen(buf), (size_t)len);
	struct sr_request *out = calloc(1, sizeof(*out));
	char err[256] = "";
	assert_int_equal(sr_proto_decode_request(buf, (size_t)len, out, err, sizeof(err)), 0);
	assert_int_equal(out->op, SR_OP_OPEN);
	const struct sr_open_req *o = &out->open;
	assert_int_equal(o->pid, in->pid);
	assert_string_equal(o->user, in->user);
	assert_string_equal(o->service, in->service);
	assert_string_equal(o->tty, in->tty);
	assert_string_equal(o->rhost, in->rhost);
	assert_int_equal(o->audit_sid, in->audit_sid);
	assert_true(o->cgroup_id == in->cgroup_id);
	assert_string_equal(o->cgroup_path, in->cgroup_path);
	assert_int_equal(o->cgroup_adopted, in->cgroup_adopted);
	assert_string_equal(o->ssh_connection, in->ssh_connection);
	assert_string_equal(o->ssh_auth_info, in->ssh_auth_info);
	free(out);
	free(buf);
}

static void test_open_roundtrip(void **state)
{
	(void)state;
	struct sr_open_req *r = sample_open();
	roundtrip_open(r);
	r->cgroup_adopted = true;
	strcpy(r->cgroup_path, "/user.slice/user-0.slice/session-3.scope");
	r->audit_sid = SR_AUDIT_SID_UNSET;
	r->rhost[0] = r->ssh_connection[0] = r->ssh_auth_info[0] = r->tty[0] = '\0';
	roundtrip_open(r);
	free(r);
}

static void test_open_hostile_strings(void **state)
{
	(void)state;
	struct sr_open_req *r = sample_open();
	/* JSON metacharacters, control characters, invalid UTF-8, fake fields */
	strcpy(r->user, "a\"b\\c\n\t\x01\x1f\x7f\xff\xfe\xc3\x28 \"}, \"op\":\"close");
	strcpy(r->service, "\",\"pid\":1,\"x\":\"");
	strcpy(r->tty, "\xe2\x80\xae\xf0\x9f\x92\xa9/dev/pts/0");
	strcpy(r->rhost, "</script>\\u0000");
	strcpy(r->ssh_auth_info,
	       "publickey ssh-rsa AAAA\nkeyboard-interactive\n\x1b[31mred\x1b[0m");
	roundtrip_open(r);
	free(r);
}

static void test_open_full_fields(void **state)
{
	(void)state;
	struct sr_open_req *r = sample_open();
	/* every string field at its maximum length, worst-case escaping */
	memset(r->user, '"', sizeof(r->user) - 1);
	r->user[sizeof(r->user) - 1] = '\0';
	memset(r->service, '\\', sizeof(r->service) - 1);
	r->service[sizeof(r->service) - 1] = '\0';
	memset(r->tty, 'x', sizeof(r->tty) - 1);
	r->tty[sizeof(r->tty) - 1] = '\0';
	memset(r->rhost, '\x01', sizeof(r->rhost) - 1);
	r->rhost[sizeof(r->rhost) - 1] = '\0';
	r->cgroup_path[0] = '/';
	memset(r->cgroup_path + 1, 'c', sizeof(r->cgroup_path) - 2);
	r->cgroup_path[sizeof(r->cgroup_path) - 1] = '\0';
	memset(r->ssh_connection, 'y', sizeof(r->ssh_connection) - 1);
	r->ssh_connection[sizeof(r->ssh_connection) - 1] = '\0';
	memset(r->ssh_auth_info, 'A', sizeof(r->ssh_auth_info) - 1);
	r->ssh_auth_info[sizeof(r->ssh_auth_info) - 1] = '\0';
	roundtrip_open(r);

	/* a buffer too small is -EMSGSIZE, never a truncated message */
	char small[64];
	assert_int_equal(sr_proto_encode_open(r, small, sizeof(small)), -EMSGSIZE);

	/*
	 * Control characters escape to six bytes each: a full field of them
	 * would exceed the message limit, and the encoder refuses rather than
	 * send what the daemon must reject.
	 */
	memset(r->ssh_auth_info, '\x02', sizeof(r->ssh_auth_info) - 1);
	char *buf = malloc(SR_PROTO_MAX_MSG);
	assert_int_equal(sr_proto_encode_open(r, buf, SR_PROTO_MAX_MSG), -EMSGSIZE);
	free(buf);
	free(r);
}

static void test_close_status_roundtrip(void **state)
{
	(void)state;
	struct sr_close_req c = {.pid = 99};
	strcpy(c.sid, "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b");
	char buf[512], err[256];
	int len = sr_proto_encode_close(&c, buf, sizeof(buf));
	assert_true(len > 0);
	struct sr_request out;
	assert_int_equal(sr_proto_decode_request(buf, (size_t)len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.op, SR_OP_CLOSE);
	assert_string_equal(out.close.sid, c.sid);
	assert_int_equal(out.close.pid, 99);
	assert_int_equal(sr_proto_encode_close(&c, buf, 10), -EMSGSIZE);

	len = sr_proto_encode_status(buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(sr_proto_decode_request(buf, (size_t)len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.op, SR_OP_STATUS);
}

static void test_reply_roundtrip(void **state)
{
	(void)state;
	char buf[1024];
	struct sr_reply in = {.ok = true, .session_key = 77}, out;
	strcpy(in.sid, "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b");
	int len = sr_proto_encode_reply(&in, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(sr_proto_decode_reply(buf, (size_t)len, &out), 0);
	assert_true(out.ok);
	assert_string_equal(out.sid, in.sid);
	assert_true(out.session_key == 77);

	struct sr_reply bad = {.ok = false};
	strcpy(bad.error, "field \"user\" is empty \x1b[2J");
	len = sr_proto_encode_reply(&bad, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(sr_proto_decode_reply(buf, (size_t)len, &out), 0);
	assert_false(out.ok);
	assert_string_equal(out.error, bad.error);
	assert_string_equal(out.sid, "");

	struct sr_reply closed = {.ok = true};
	len = sr_proto_encode_reply(&closed, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true}");
	assert_int_equal(sr_proto_decode_reply(buf, (size_t)len, &out), 0);
	assert_true(out.ok);
}

static void test_reply_rejects(void **state)
{
	(void)state;
	struct sr_reply out;
	const char *bad[] = {
	    "",
	    "{",
	    "[]",
	    "null",
	    "{}",
	    "{\"ok\":1}",
	    "{\"ok\":\"true\"}",
	    "{\"ok\":true,\"sid\":7}",
	    "{\"ok\":true,\"sid\":\"0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b-too-long\"}",
	    "{\"ok\":true,\"session_key\":-1}",
	    "{\"ok\":true,\"session_key\":\"1\"}",
	    "{\"ok\":true} trailing",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sr_proto_decode_reply(bad[i], strlen(bad[i]), &out), -EINVAL);
	/* an error reply with an oversized or mistyped reason is still a refusal */
	char big[1024];
	snprintf(big, sizeof(big), "{\"ok\":false,\"error\":\"%0600d\"}", 0);
	assert_int_equal(sr_proto_decode_reply(big, strlen(big), &out), 0);
	assert_false(out.ok);
	assert_true(out.error[0] != '\0');
	const char *num = "{\"ok\":false,\"error\":5}";
	assert_int_equal(sr_proto_decode_reply(num, strlen(num), &out), 0);
	assert_false(out.ok);
}

/* Decoding must fail with a reason for every one of these. */
static void expect_reject(const char *msg, size_t len, const char *reason_part)
{
	struct sr_request *out = calloc(1, sizeof(*out));
	char err[256] = "";
	int ret = sr_proto_decode_request(msg, len, out, err, sizeof(err));
	if (ret == 0)
		fail_msg("accepted: %.200s", msg);
	assert_true(ret == -EINVAL || ret == -EMSGSIZE);
	assert_true(err[0] != '\0');
	if (reason_part && !strstr(err, reason_part))
		fail_msg("reason \"%s\" lacks \"%s\" for %.200s", err, reason_part, msg);
	free(out);
}
#define REJECT(s, why) expect_reject(s, strlen(s), why)

#define OPEN_PREFIX "{\"v\":1,\"op\":\"open\","
#define OPEN_OK     "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/sshrec/a\""

static void test_request_rejects(void **state)
{
	(void)state;
	/* sanity: the minimal valid open is accepted */
	struct sr_request *out = calloc(1, sizeof(*out));
	char err[256];
	const char *ok = OPEN_PREFIX OPEN_OK "}";
	assert_int_equal(sr_proto_decode_request(ok, strlen(ok), out, err, sizeof(err)), 0);
	assert_int_equal(out->open.audit_sid, SR_AUDIT_SID_UNSET);
	free(out);

	REJECT("", "truncated");
	REJECT("{\"v\":1,\"op\":\"open\",\"pid\":", "truncated");
	REJECT("garbage", "malformed");
	REJECT("[1,2,3]", "not a JSON object");
	REJECT("\"open\"", "not a JSON object");
	REJECT("{\"v\":1,\"op\":\"status\"}{\"v\":1}", "trailing");
	REJECT("{\"op\":\"status\"}", "\"v\"");
	REJECT("{\"v\":\"1\",\"op\":\"status\"}", "\"v\"");
	REJECT("{\"v\":2,\"op\":\"status\"}", "version");
	REJECT("{\"v\":1}", "\"op\"");
	REJECT("{\"v\":1,\"op\":7}", "\"op\"");
	REJECT("{\"v\":1,\"op\":\"destroy\"}", "unknown op");
	/* the client's op is escaped in the one-line reason (found by fuzz_proto) */
	REJECT("{\"v\":1,\"op\":\"bl\\n\\u001b[2J\"}", "unknown op \"bl\\n\\e[2J\"");
	REJECT("{\"v\":1,\"op\":\"openopenopenopenopen\"}", "\"op\"");
	REJECT(OPEN_PREFIX "\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}", "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":0,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":-1,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":2147483648,\"user\":\"u\",\"cgroup_id\":9,"
	                   "\"cgroup_path\":\"/a\"}",
	       "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":1.5,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":\"5\",\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"pid\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"\",\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"user\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":[\"u\"],\"cgroup_id\":9,\"cgroup_path\":\"/a\"}",
	       "\"user\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\\u0000root\",\"cgroup_id\":9,"
	                   "\"cgroup_path\":\"/a\"}",
	       "\"user\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":0,\"cgroup_path\":\"/a\"}",
	       "\"cgroup_id\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":18446744073709551615,"
	                   "\"cgroup_path\":\"/a\"}",
	       "\"cgroup_id\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9}", "\"cgroup_path\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"a/b\"}",
	       "\"cgroup_path\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9,"
	                   "\"cgroup_path\":\"/sshrec/../../etc\"}",
	       "\"cgroup_path\"");
	/* a trailing ".." the daemon's own check refused later: one check now */
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9,"
	                   "\"cgroup_path\":\"/sshrec/..\"}",
	       "\"cgroup_path\"");
	REJECT(OPEN_PREFIX "\"pid\":5,\"user\":\"u\",\"cgroup_id\":9,\"cgroup_path\":\"/.\"}",
	       "\"cgroup_path\"");
	REJECT(OPEN_PREFIX OPEN_OK ",\"cgroup_adopted\":\"yes\"}", "\"cgroup_adopted\"");
	REJECT(OPEN_PREFIX OPEN_OK ",\"audit_session_id\":4294967296}", "\"audit_session_id\"");
	REJECT(OPEN_PREFIX OPEN_OK ",\"audit_session_id\":-3}", "\"audit_session_id\"");
	REJECT(OPEN_PREFIX OPEN_OK ",\"tty\":{}}", "\"tty\"");
	REJECT("{\"v\":1,\"op\":\"close\"}", "\"sid\"");
	REJECT("{\"v\":1,\"op\":\"close\",\"sid\":\"short\"}", "\"sid\"");
	REJECT("{\"v\":1,\"op\":\"close\",\"sid\":\"0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b\","
	       "\"pid\":-1}",
	       "\"pid\"");

	/* binary junk, with and without NUL bytes */
	char bin[256];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 37 + 11);
	expect_reject(bin, sizeof(bin), NULL);
	const char nul[] = "{\"v\":1,\0\"op\":\"status\"}";
	expect_reject(nul, sizeof(nul) - 1, NULL);

	/* deep nesting is refused by the parser, not a stack overflow */
	char *deep = malloc(20001);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	expect_reject(deep, 20000, NULL);
	free(deep);
}

static void test_request_oversize(void **state)
{
	(void)state;
	/* a field longer than its slot */
	char *msg = malloc(SR_PROTO_MAX_MSG * 2);
	assert_non_null(msg);
	int n = snprintf(msg, SR_PROTO_MAX_MSG, OPEN_PREFIX OPEN_OK ",\"rhost\":\"");
	memset(msg + n, 'h', 256);
	strcpy(msg + n + 256, "\"}");
	expect_reject(msg, strlen(msg), "\"rhost\"");
	/* exactly one byte below the slot fits */
	strcpy(msg + n + 255, "\"}");
	struct sr_request *out = calloc(1, sizeof(*out));
	char err[256];
	assert_int_equal(sr_proto_decode_request(msg, strlen(msg), out, err, sizeof(err)), 0);
	assert_int_equal(strlen(out->open.rhost), 255);
	free(out);

	/* the whole message above the limit: -EMSGSIZE before parsing */
	n = snprintf(msg, SR_PROTO_MAX_MSG, OPEN_PREFIX OPEN_OK ",\"pad\":\"");
	memset(msg + n, 'p', SR_PROTO_MAX_MSG);
	strcpy(msg + n + SR_PROTO_MAX_MSG, "\"}");
	out = calloc(1, sizeof(*out));
	assert_int_equal(sr_proto_decode_request(msg, strlen(msg), out, err, sizeof(err)),
	                 -EMSGSIZE);
	assert_non_null(strstr(err, "limit"));
	free(out);
	free(msg);
}

/* A one-shot server on a real SOCK_SEQPACKET socket for sr_proto_call. */
struct server {
	int lfd;
	const char *reply; /* NULL: read and never answer; "": close without reply */
	size_t reply_len;
	char got[1024];
	ssize_t got_len;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	s->got_len = recv(fd, s->got, sizeof(s->got) - 1, 0);
	if (s->reply && s->reply_len)
		send(fd, s->reply, s->reply_len, MSG_NOSIGNAL);
	if (!s->reply) {
		struct timespec ts = {.tv_nsec = 400 * 1000000};
		nanosleep(&ts, NULL);
	}
	close(fd);
	return NULL;
}

static void socket_path(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/sshrec-test-proto-%d.sock", (int)getpid());
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static int call_with(struct server *s, const char *req, char *reply, size_t cap, int timeout_ms)
{
	char path[108];
	socket_path(path, sizeof(path));
	s->lfd = listen_at(path);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, serve, s), 0);
	int ret = sr_proto_call(path, req, strlen(req), reply, cap, timeout_ms);
	pthread_join(t, NULL);
	close(s->lfd);
	unlink(path);
	return ret;
}

static void test_call(void **state)
{
	(void)state;
	char reply[256];
	const char *req = "{\"v\":1,\"op\":\"status\"}";

	struct server ok = {.reply = "{\"ok\":true}", .reply_len = 11};
	assert_int_equal(call_with(&ok, req, reply, sizeof(reply), 2000), 11);
	assert_string_equal(reply, "{\"ok\":true}");
	assert_int_equal(ok.got_len, (ssize_t)strlen(req));
	ok.got[ok.got_len] = '\0';
	assert_string_equal(ok.got, req);

	/* no answer within the timeout */
	struct server silent = {.reply = NULL};
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(call_with(&silent, req, reply, sizeof(reply), 100), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 90);

	/* the daemon hangs up without replying */
	struct server hangup = {.reply = "", .reply_len = 0};
	assert_int_equal(call_with(&hangup, req, reply, sizeof(reply), 2000), -ECONNRESET);

	/* a reply larger than the buffer is an error, not a truncated reply */
	static char big[1000];
	memset(big, 'x', sizeof(big));
	struct server huge = {.reply = big, .reply_len = sizeof(big)};
	assert_int_equal(call_with(&huge, req, reply, sizeof(reply), 2000), -EMSGSIZE);

	/* nobody listening */
	char path[108];
	socket_path(path, sizeof(path));
	unlink(path);
	assert_int_equal(sr_proto_call(path, req, strlen(req), reply, sizeof(reply), 100), -ENOENT);
	int lfd = listen_at(path);
	close(lfd); /* the socket file stays, nobody listens */
	assert_int_equal(sr_proto_call(path, req, strlen(req), reply, sizeof(reply), 100),
	                 -ECONNREFUSED);
	unlink(path);

	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(sr_proto_call(longpath, req, strlen(req), reply, sizeof(reply), 100),
	                 -ENAMETOOLONG);
}

/* A full listen backlog must be waited out until the deadline, not fail at once. */
static void *accept_late(void *arg)
{
	struct server *s = arg;
	struct timespec ts = {.tv_nsec = 150 * 1000000};
	nanosleep(&ts, NULL);
	for (int i = 0; i < 4; i++) {
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			break;
		char buf[256];
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			send(fd, "{\"ok\":true}", 11, MSG_NOSIGNAL);
		close(fd);
	}
	return NULL;
}

static void test_call_backlog_full(void **state)
{
	(void)state;
	char path[108], reply[64];
	socket_path(path, sizeof(path));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	unlink(path);
	struct server s = {.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)};
	assert_int_equal(bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s.lfd, 0), 0);
	/* fill the backlog with connections that are not accepted yet */
	int filler[2], queued = 0;
	for (int i = 0; i < 2; i++) {
		filler[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (connect(filler[i], (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			send(filler[i], "{}", 2, MSG_NOSIGNAL);
			queued++;
		}
	}
	/* the backlog is full: a plain non-blocking connect now fails */
	int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_int_equal(connect(probe, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EAGAIN);
	close(probe);
	assert_true(queued >= 1);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, accept_late, &s), 0);
	const char *req = "{\"v\":1,\"op\":\"status\"}";
	int ret = sr_proto_call(path, req, strlen(req), reply, sizeof(reply), 3000);
	for (int i = 0; i < 2; i++)
		close(filler[i]);
	shutdown(s.lfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(s.lfd);
	unlink(path);
	assert_int_equal(ret, 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_roundtrip),
	    cmocka_unit_test(test_open_hostile_strings),
	    cmocka_unit_test(test_open_full_fields),
	    cmocka_unit_test(test_close_status_roundtrip),
	    cmocka_unit_test(test_reply_roundtrip),
	    cmocka_unit_test(test_reply_rejects),
	    cmocka_unit_test(test_request_rejects),
	    cmocka_unit_test(test_request_oversize),
	    cmocka_unit_test(test_call),
	    cmocka_unit_test(test_call_backlog_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
