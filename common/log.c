/* SPDX-License-Identifier: BSD-2-Clause */
#include "log.h"

#include <stdio.h>
#include <string.h>

#include "strsafe.h"

static const char *log_ident = "sshrec";
static enum sr_log_target log_target = SR_LOG_STDERR;
static int log_max = LOG_INFO;

void sr_log_init(const char *ident, enum sr_log_target target, int max_level)
{
	log_ident = ident ? ident : "sshrec";
	log_target = target;
	log_max = max_level;
	if (target == SR_LOG_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void sr_vlog(int level, const char *fmt, va_list ap)
{
	if (level > log_max)
		return;
	/* Messages quote what clients sent (user names, paths): one line each,
	 * with no control character reaching a log reader's terminal. */
	char line[2048], safe[4096];
	vsnprintf(line, sizeof(line), fmt, ap);
	sr_term_escape_buf(line, safe, sizeof(safe));
	if (log_target == SR_LOG_SYSLOG) {
		syslog(level, "%s", safe);
		return;
	}
	/* One fprintf per line so concurrent writers do not interleave mid-line. */
	fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), safe);
}

void sr_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sr_vlog(level, fmt, ap);
	va_end(ap);
}
