/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file auth_info.h
 * @brief Parsers of what sshd says about a login (the "open" request's
 * ssh_connection and ssh_auth_info): pure, unit-tested and fuzzed.
 */
#ifndef SSHREC_AUTH_INFO_H
#define SSHREC_AUTH_INFO_H

#include <stddef.h>

/** Parse "raddr rport laddr lport" (SSH_CONNECTION). Returns 0 or -EINVAL. */
int sr_parse_ssh_connection(const char *s, char *raddr, size_t rlen, int *rport, char *laddr,
                            size_t llen, int *lport);

/**
 * Parse the first line of SSH_AUTH_INFO_0 ("publickey ssh-ed25519 AAAA…"):
 * method, and for a key that parses as its type, the key type and the
 * "SHA256:…" fingerprint (libssh); both stay "" otherwise.
 * @return 0, or -EINVAL when it is not a method line or the key does not parse.
 */
int sr_parse_auth_info(const char *s, char *method, size_t mlen, char *ktype, size_t klen, char *fp,
                       size_t fplen);

#endif
