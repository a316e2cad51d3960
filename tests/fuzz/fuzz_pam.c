/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_sshrec's parsers: module arguments (pam/options.c), lines of a PAM
 * service file (pam/stack.c), PAM_RHOST against a socket address, the audit
 * session id, the logind scope name and the SSH_AUTH_INFO_0 copy
 * (pam/login_info.c). Each must hold its contract on any input.
 *
 * Input: fields separated by 0xff bytes; the first ones are module
 * arguments, then a service file line, an address, a sessionid text, a
 * cgroup path and an auth info text.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/un.h>

#include "fuzz.h"
#include "pam/login_info.h"
#include "pam/options.h"
#include "pam/stack.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	char *args[6], *line, *addr, *sid, *cg, *auth, copy[64];
	const char *argv[6];
	struct sr_pam_opts o;
	struct sr_pam_line l;
	struct sockaddr_storage ss = {0};
	size_t sidlen, i, nargs = fz_u8(&f) % 6;
	uint32_t v;
	int rc;

	for (i = 0; i < nargs; i++)
		argv[i] = args[i] = fz_str(&f, 512, NULL);
	sr_pam_parse_opts((int)nargs, argv, &o, NULL, NULL);
	if ((o.fail != SR_PAM_FAIL_OPEN && o.fail != SR_PAM_FAIL_CLOSED) || o.timeout_ms < 1 ||
	    o.timeout_ms > SR_PAM_TIMEOUT_MAX || o.socket[0] != '/' ||
	    strnlen(o.socket, sizeof(o.socket)) == sizeof(o.socket))
		fz_fail("module options out of their range");

	line = fz_str(&f, 4096, NULL);
	rc = sr_pam_conf_split(line, &l);
	if (rc == 1) {
		if (strnlen(l.type, sizeof(l.type)) == sizeof(l.type) ||
		    strnlen(l.args, sizeof(l.args)) == sizeof(l.args) ||
		    (!l.include && (!l.type[0] || !l.control[0] || !l.module[0])))
			fz_fail("a split line with a missing or unterminated field");
		sr_pam_line_user_env(&l);
	} else if (rc != 0 && rc != -22) {
		fz_fail("unexpected result %d", rc);
	}

	addr = fz_str(&f, 128, NULL);
	ss.ss_family = (fz_u8(&f) & 1) ? AF_INET6 : AF_INET;
	v = fz_u32(&f);
	memcpy(ss.ss_family == AF_INET
	           ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
	           : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[12],
	       &v, 4);
	if (ss.ss_family == AF_INET6 && (v & 1))
		((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[10] =
		    ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[11] = 0xff;
	if (sr_pam_addr_is(addr, &ss)) {
		char out[160];

		/* a match is an address literal that formats back to the same address */
		if (sr_pam_format_conn(&ss, &ss, out, sizeof(out)) || !strchr(out, ' '))
			fz_fail("a matched address does not format");
	}

	sid = fz_str(&f, 64, &sidlen);
	v = sr_pam_parse_sessionid(sid, sidlen);
	if (v != SR_AUDIT_SID_UNSET && (sidlen == 0 || sid[0] < '0' || sid[0] > '9'))
		fz_fail("a session id from text that is no number");

	cg = fz_str(&f, 1024, NULL);
	if (sr_pam_is_logind_scope(cg) && !strstr(cg, "session-"))
		fz_fail("a logind scope without session-");

	auth = fz_str(&f, 1024, NULL);
	if (sr_pam_copy_auth_info(copy, sizeof(copy), auth) != (strlen(auth) < sizeof(copy)) ||
	    strncmp(copy, auth, strlen(copy)))
		fz_fail("auth info copied wrong");
	if (strlen(copy) && strlen(copy) < strlen(auth) && copy[strlen(copy) - 1] != '\n')
		fz_fail("auth info cut inside a line");

	for (i = 0; i < nargs; i++)
		free(args[i]);
	free(line);
	free(addr);
	free(sid);
	free(cg);
	free(auth);
	return 0;
}
