/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file names.h
 * @brief Shell-like quoting of argument vectors and the names of signals and
 * errno values: what the CLI prints and the ECS/OCSF writers (export.h) put
 * into documents, shared by sshrec and sshrecd.
 */
#ifndef SSHREC_NAMES_H
#define SSHREC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Quote one word for a POSIX shell when it needs it: words made only of
 * [A-Za-z0-9_@%+=:,./-] are returned as is, others in single quotes with
 * embedded quotes as '\''; the empty word is ''. Returns a malloc'd string
 * or NULL on allocation failure.
 */
char *sr_shell_quote(const char *word);

/**
 * Join @p n words shell-like (sr_shell_quote() each, one space between),
 * " …" appended when @p truncated; a NULL word counts as "". malloc'd; NULL
 * on allocation failure.
 */
char *sr_argv_join_v(const char *const *words, size_t n, bool truncated);

/** "SIGKILL" for 9 …; "SIG<n>" for unknown numbers. Returns a static or @p buf. */
const char *sr_signal_name(int sig, char *buf, size_t cap);

/**
 * Whether a session's tty names a terminal: PAM's "ssh" (sshd opens the pty
 * after open_session) or nothing does not; the terminal of the session's
 * first root-level program ("/dev/pts/3") does. The records' session.end
 * "interactive", ECS process.entry_leader.interactive and OCSF's logon type
 * all follow it.
 */
bool sr_tty_is_terminal(const char *tty);

/** "ENOENT" for 2 …; "E<n>" for unknown numbers. Returns a static or @p buf. */
const char *sr_errno_name(int err, char *buf, size_t cap);

/**
 * The errno name of a failed syscall's return code (-2 gives "ENOENT"), for
 * any 64-bit value: the code comes from a record, which may be hostile, and
 * negating INT64_MIN (or INT_MIN) is undefined. Out of range: "E<n>" with n
 * the code's magnitude. Returns a static or @p buf.
 */
const char *sr_rc_errno_name(int64_t rc, char *buf, size_t cap);

#endif
