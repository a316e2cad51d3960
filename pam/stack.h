/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file stack.h
 * @brief Can the user have rewritten SSH_AUTH_INFO_0 before pam_sshrec reads it?
 *
 * sshd (OpenSSH auth-pam.c) puts SSH_AUTH_INFO_0 into the PAM environment
 * right before pam_open_session, so the first session module sees what sshd
 * set. pam_env with user_readenv=1 (Debian's stock /etc/pam.d/sshd) loads the
 * user's ~/.pam_environment, whose OVERRIDE= replaces any variable for every
 * module after it. No earlier copy of the final method's key exists: sshd
 * runs the account stack before it adds that method to the variable (monitor
 * .c), and pam_setcred sees the account-time value. So the module reads the
 * service's PAM configuration, as Linux-PAM does, and trusts the variable
 * only when no pam_env that reads a user's file comes before pam_sshrec in
 * the session stack.
 */
#ifndef SSHREC_PAM_STACK_H
#define SSHREC_PAM_STACK_H

#include <stdbool.h>
#include <stddef.h>

/** Where Linux-PAM reads service files. */
#define SR_PAM_CONFDIR "/etc/pam.d"

/** One line of a PAM service file, split as Linux-PAM splits it. */
struct sr_pam_line {
	bool include;       /**< "@include FILE": @c module is FILE */
	bool optional_type; /**< the type had a leading '-' */
	char type[16];      /**< "auth", "account", "session", "password" */
	char control[256];  /**< a keyword or "[value=action ...]" */
	char module[256];   /**< module path, or the service of include/substack */
	char args[1024];    /**< arguments, as written (brackets kept) */
};

/**
 * Split one logical line (comments and continuations already removed).
 * @return 1 when it holds a directive, 0 when it is blank, -EINVAL when it
 *         is malformed (too few fields, an unterminated bracket, too long).
 */
int sr_pam_conf_split(const char *line, struct sr_pam_line *out);

/**
 * True when @p l is a module that lets the user set PAM environment
 * variables: pam_env.so with user_readenv=1 or a user_envfile= argument.
 */
bool sr_pam_line_user_env(const struct sr_pam_line *l);

/**
 * Does a module that lets the user set PAM environment variables come
 * before pam_sshrec.so in the session stack of @p service (under
 * @p confdir; "other" when the service has no file)? Follows "@include",
 * "include" and "substack". When pam_sshrec is not found, any such module in
 * the stack counts.
 * @return 1 (yes: @p where gets "FILE:LINE"), 0 (no), or -errno when the
 *         configuration cannot be read (@p where says which file).
 */
int sr_pam_user_env_first(const char *confdir, const char *service, char *where, size_t wlen);

#endif
