/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control protocol (common/proto.c) as sshrecd meets it: any datagram is
 * decoded or refused with a one-line reason; what decodes encodes back to a
 * message that decodes to the same request. Replies likewise. The strings of
 * an accepted "open" then go through the daemon's parsers of what sshd said
 * (recorder/auth_info.c).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"
#include "recorder/auth_info.h"

static void same_open(const struct sr_open_req *a, const struct sr_open_req *b)
{
	if (a->pid != b->pid || a->audit_sid != b->audit_sid || a->cgroup_id != b->cgroup_id ||
	    a->cgroup_adopted != b->cgroup_adopted || strcmp(a->user, b->user) ||
	    strcmp(a->service, b->service) || strcmp(a->tty, b->tty) ||
	    strcmp(a->rhost, b->rhost) || strcmp(a->cgroup_path, b->cgroup_path) ||
	    strcmp(a->ssh_connection, b->ssh_connection) ||
	    strcmp(a->ssh_auth_info, b->ssh_auth_info))
		fz_fail("open request changed in an encode/decode round trip");
}

static void check_err(const char *err)
{
	size_t n = strnlen(err, 256);

	if (n == 0 || n == 256 || memchr(err, '\n', n))
		fz_fail("a refusal must give a one-line reason, got '%.256s'", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sr_request req, again;
	static char msg[SR_PROTO_MAX_MSG];
	char err[256] = "", ra[128], la[128], m[64], kt[128], fp[128];
	struct sr_reply rep, rep2;
	int rp, lp, n;

	if (sr_proto_decode_request((const char *)data, size, &req, err, sizeof(err)) == 0) {
		if (req.op == SR_OP_OPEN) {
			n = sr_proto_encode_open(&req.open, msg, sizeof(msg));
			if (n < 0 ||
			    sr_proto_decode_request(msg, (size_t)n, &again, err, sizeof(err)))
				fz_fail("an accepted open does not survive a round trip: %s", err);
			same_open(&req.open, &again.open);
			sr_parse_ssh_connection(req.open.ssh_connection, ra, sizeof(ra), &rp, la,
			                        sizeof(la), &lp);
			if (sr_parse_auth_info(req.open.ssh_auth_info, m, sizeof(m), kt, sizeof(kt),
			                       fp, sizeof(fp)) == 0 &&
			    kt[0] && !fp[0])
				fz_fail("a key type without a fingerprint");
		} else if (req.op == SR_OP_CLOSE) {
			n = sr_proto_encode_close(&req.close, msg, sizeof(msg));
			if (n < 0 ||
			    sr_proto_decode_request(msg, (size_t)n, &again, err, sizeof(err)) ||
			    strcmp(req.close.sid, again.close.sid) ||
			    req.close.pid != again.close.pid)
				fz_fail("an accepted close does not survive a round trip");
		}
	} else {
		check_err(err);
	}
	if (sr_proto_decode_reply((const char *)data, size, &rep) == 0) {
		n = sr_proto_encode_reply(&rep, msg, sizeof(msg));
		/* a key means something only with its sid: without one it is not sent */
		if (n < 0 || sr_proto_decode_reply(msg, (size_t)n, &rep2) || rep.ok != rep2.ok ||
		    strcmp(rep.sid, rep2.sid) || strcmp(rep.error, rep2.error) ||
		    (rep.sid[0] && rep.session_key != rep2.session_key))
			fz_fail("an accepted reply does not survive a round trip");
	}
	return 0;
}
