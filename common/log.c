/* SPDX-License-Identifier: BSD-2-Clause */
#include "log.h"

#include <stdio.h>
#include <string.h>

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
	if (log_target == SR_LOG_SYSLOG) {
		vsyslog(level, fmt, ap);
		return;
	}
	/* One fprintf per line so concurrent writers do not interleave mid-line. */
	char line[2048];
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), line);
}

void sr_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sr_vlog(level, fmt, ap);
	va_end(ap);
}
