/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file log.h
 * @brief Logging and the one error convention of the codebase.
 *
 * Error convention: functions return 0 (or a non-negative count) on success
 * and a negative errno value on failure (-EINVAL, -ENOMEM, ...), like libbpf
 * and the kernel. A function that fails logs what it knows (file, line,
 * value) once, at the lowest level that has the context; callers propagate
 * the code without logging it again.
 */
#ifndef SSHREC_LOG_H
#define SSHREC_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/** Where log lines go. */
enum sr_log_target {
	SR_LOG_STDERR = 0, /**< "sshrecd: level: message" on stderr (default) */
	SR_LOG_SYSLOG = 1, /**< syslog(3), facility LOG_DAEMON */
};

/** Configure logging: program name, target and the most verbose level kept. */
void sr_log_init(const char *ident, enum sr_log_target target, int max_level);

/** Log at a syslog level (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
void sr_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sr_vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define sr_err(...)   sr_log(LOG_ERR, __VA_ARGS__)
#define sr_warn(...)  sr_log(LOG_WARNING, __VA_ARGS__)
#define sr_info(...)  sr_log(LOG_INFO, __VA_ARGS__)
#define sr_debug(...) sr_log(LOG_DEBUG, __VA_ARGS__)

#endif
