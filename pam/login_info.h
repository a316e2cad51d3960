/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file login_info.h
 * @brief What pam_sshrec tells the daemon about a login, taken from what the
 * user cannot set.
 *
 * The PAM environment is the user's to write (stack.h says how): the peer
 * comes from the connection socket among sshd's descriptors (the one whose
 * address is PAM_RHOST, which only sshd sets), never from SSH_CONNECTION.
 * The parsers here are pure and fuzzed (tests/fuzz/fuzz_pam.c).
 */
#ifndef SSHREC_PAM_LOGIN_INFO_H
#define SSHREC_PAM_LOGIN_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/**
 * True when @p text is an IPv4 or IPv6 address literal (PAM_RHOST under
 * "UseDNS no") equal to the address of @p ss (IPv4-mapped IPv6 counts as
 * IPv4).
 */
bool sr_pam_addr_is(const char *text, const struct sockaddr_storage *ss);

/**
 * Format @p peer and @p self as SSH_CONNECTION does: "raddr rport laddr lport"
 * (IPv4-mapped IPv6 addresses as IPv4). Returns 0 or -EAFNOSUPPORT.
 */
int sr_pam_format_conn(const struct sockaddr_storage *peer, const struct sockaddr_storage *self,
                       char *out, size_t cap);

/**
 * The login's connection from sshd's descriptors: among the connected TCP
 * sockets of this process, the one whose peer is @p rhost (an address
 * literal), else (rhost NULL or a host name) the lowest-numbered one, into
 * @p out as sr_pam_format_conn(). Returns 0 or -ENOTCONN when there is none.
 */
int sr_pam_connection(const char *rhost, char *out, size_t cap);

/**
 * Copy SSH_AUTH_INFO_0 @p src into @p dst (@p cap bytes), cutting at a line
 * boundary when it does not fit. Returns true when it was copied whole.
 */
bool sr_pam_copy_auth_info(char *dst, size_t cap, const char *src);

/** A systemd-logind session scope: last path component "session-<id>.scope". */
bool sr_pam_is_logind_scope(const char *cgpath);

/**
 * The audit session id in the text of /proc/self/sessionid (@p len bytes),
 * or 0xffffffff (unset) when it is not a decimal number of 32 bits.
 */
uint32_t sr_pam_parse_sessionid(const char *buf, size_t len);

#endif
