/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file options.h
 * @brief Module arguments of pam_sshrec (see pam_sshrec(8)).
 *
 * Kept apart from the PAM entry points so it can be unit-tested without
 * libpam: problems are reported through a callback, which the module points
 * at pam_syslog().
 */
#ifndef SSHREC_PAM_OPTIONS_H
#define SSHREC_PAM_OPTIONS_H

#include <stdbool.h>
#include <sys/un.h>

/** Default wait for the daemon's reply, in milliseconds. */
#define SR_PAM_TIMEOUT_DEFAULT 2000
/** Largest accepted timeout= value, in milliseconds (one minute). */
#define SR_PAM_TIMEOUT_MAX 60000
/** close_session never waits longer than this (logout must not block). */
#define SR_PAM_CLOSE_TIMEOUT_MAX 500

/** What to do when the daemon cannot be reached or refuses the session. */
enum sr_pam_fail {
	SR_PAM_FAIL_OPEN = 0,   /**< log a warning, let the login go on unrecorded */
	SR_PAM_FAIL_CLOSED = 1, /**< refuse the login (PAM_SESSION_ERR) */
};

/** Parsed module arguments. */
struct sr_pam_opts {
	enum sr_pam_fail fail;                                    /**< fail=open|closed */
	int timeout_ms;                                           /**< timeout=MS */
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)]; /**< socket=PATH */
	bool debug;                                               /**< debug */
};

/** Severity of a problem found while parsing (a syslog level). */
typedef void (*sr_pam_opt_report)(void *ctx, int level, const char *arg, const char *why);

/**
 * Fill @p o with the defaults, then apply @p argv in order (a later
 * occurrence wins). Never fails: each bad argument is reported through
 * @p report (may be NULL) and handled as follows, per PAM convention:
 *   - unknown option: LOG_WARNING, ignored;
 *   - "fail=" with a value other than open/closed: LOG_ERR, and the module
 *     fails closed (a mistyped "fail=closed" must not silently record nothing);
 *   - "timeout=" not an integer in 1..SR_PAM_TIMEOUT_MAX: LOG_WARNING, the
 *     previous value stays;
 *   - "socket=" not an absolute path that fits a unix socket address:
 *     LOG_WARNING, the previous value stays.
 * @return the number of arguments reported (0 when all were valid).
 */
int sr_pam_parse_opts(int argc, const char **argv, struct sr_pam_opts *o, sr_pam_opt_report report,
                      void *ctx);

#endif
