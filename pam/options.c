/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "paths.h"

static int bad(sr_pam_opt_report report, void *ctx, int level, const char *arg, const char *why)
{
	if (report)
		report(ctx, level, arg, why);
	return 1;
}

static bool parse_ms(const char *s, int *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > SR_PAM_TIMEOUT_MAX)
		return false;
	*out = (int)v;
	return true;
}

int sr_pam_parse_opts(int argc, const char **argv, struct sr_pam_opts *o, sr_pam_opt_report report,
                      void *ctx)
{
	int nbad = 0;
	memset(o, 0, sizeof(*o));
	o->fail = SR_PAM_FAIL_OPEN;
	o->timeout_ms = SR_PAM_TIMEOUT_DEFAULT;
	strcpy(o->socket, SR_DEFAULT_SOCKET);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!a)
			continue;
		if (!strcmp(a, "debug")) {
			o->debug = true;
		} else if (!strncmp(a, "fail=", 5)) {
			if (!strcmp(a + 5, "open")) {
				o->fail = SR_PAM_FAIL_OPEN;
			} else if (!strcmp(a + 5, "closed")) {
				o->fail = SR_PAM_FAIL_CLOSED;
			} else {
				o->fail = SR_PAM_FAIL_CLOSED;
				nbad += bad(report, ctx, LOG_ERR, a,
				            "value must be \"open\" or \"closed\"; failing closed");
			}
		} else if (!strncmp(a, "timeout=", 8)) {
			if (!parse_ms(a + 8, &o->timeout_ms))
				nbad += bad(report, ctx, LOG_WARNING, a,
				            "value must be milliseconds from 1 to 60000; ignored");
		} else if (!strncmp(a, "socket=", 7)) {
			const char *p = a + 7;
			if (p[0] != '/')
				nbad += bad(report, ctx, LOG_WARNING, a,
				            "value must be an absolute path; ignored");
			else if (strlen(p) >= sizeof(o->socket))
				nbad += bad(report, ctx, LOG_WARNING, a,
				            "path is too long for a unix socket; ignored");
			else
				strcpy(o->socket, p);
		} else {
			nbad += bad(report, ctx, LOG_WARNING, a, "unknown option; ignored");
		}
	}
	return nbad;
}
