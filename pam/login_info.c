/* SPDX-License-Identifier: BSD-2-Clause */
/* The login's peer and key from what the user cannot set (see login_info.h). */
#include "login_info.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto.h"

/* The address of @p ss as IPv6 (IPv4 as IPv4-mapped). */
static bool addr6(const struct sockaddr_storage *ss, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (ss->ss_family == AF_INET) {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		return true;
	}
	return false;
}

bool sr_pam_addr_is(const char *text, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage t = {0};
	struct in6_addr a, b;

	if (!text)
		return false;
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)&t)->sin_addr) == 1)
		t.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&t)->sin6_addr) == 1)
		t.ss_family = AF_INET6;
	else
		return false;
	return addr6(&t, &a) && addr6(ss, &b) && !memcmp(&a, &b, sizeof(a));
}

/* "host" and port of @p ss; IPv4-mapped IPv6 as IPv4 (as sshd prints it). */
static int format_addr(const struct sockaddr_storage *ss, char *host, size_t hlen, int *port)
{
	struct in6_addr a;

	if (!addr6(ss, &a))
		return -EAFNOSUPPORT;
	if (IN6_IS_ADDR_V4MAPPED(&a))
		inet_ntop(AF_INET, &a.s6_addr[12], host, (socklen_t)hlen);
	else
		inet_ntop(AF_INET6, &a, host, (socklen_t)hlen);
	*port = ss->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)ss)->sin_port)
	                                 : ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

int sr_pam_format_conn(const struct sockaddr_storage *peer, const struct sockaddr_storage *self,
                       char *out, size_t cap)
{
	char rh[INET6_ADDRSTRLEN], lh[INET6_ADDRSTRLEN];
	int rp, lp;

	if (format_addr(peer, rh, sizeof(rh), &rp) || format_addr(self, lh, sizeof(lh), &lp))
		return -EAFNOSUPPORT;
	snprintf(out, cap, "%s %d %s %d", rh, rp, lh, lp);
	return 0;
}

/* Peer and local address of @p fd when it is a connected TCP socket. */
static bool tcp_conn(int fd, struct sockaddr_storage *peer, struct sockaddr_storage *self)
{
	socklen_t pl = sizeof(*peer), sl = sizeof(*self), tl;
	struct stat st;
	int type = 0;

	tl = sizeof(type);
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM &&
	       getpeername(fd, (struct sockaddr *)peer, &pl) == 0 &&
	       getsockname(fd, (struct sockaddr *)self, &sl) == 0 &&
	       (peer->ss_family == AF_INET || peer->ss_family == AF_INET6);
}

int sr_pam_connection(const char *rhost, char *out, size_t cap)
{
	struct sockaddr_storage peer, self;
	DIR *d = opendir("/proc/self/fd");
	long first = LONG_MAX, match = -1;
	struct dirent *e;

	if (!d)
		return -errno;
	/* a PAM module may have its own TCP connection (LDAP): match PAM_RHOST */
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd == dirfd(d) || fd > INT_MAX ||
		    !tcp_conn((int)fd, &peer, &self))
			continue;
		if (fd < first)
			first = fd;
		if (sr_pam_addr_is(rhost, &peer) && (match < 0 || fd < match))
			match = fd;
	}
	closedir(d);
	if (match < 0 && first == LONG_MAX)
		return -ENOTCONN;
	if (!tcp_conn((int)(match >= 0 ? match : first), &peer, &self))
		return -ENOTCONN;
	return sr_pam_format_conn(&peer, &self, out, cap);
}

bool sr_pam_copy_auth_info(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);
	if (len < cap) {
		memcpy(dst, src, len + 1);
		return true;
	}
	size_t keep = cap - 1;
	while (keep > 0 && src[keep - 1] != '\n')
		keep--;
	memcpy(dst, src, keep);
	dst[keep] = '\0';
	return false;
}

bool sr_pam_is_logind_scope(const char *cgpath)
{
	const char *base = strrchr(cgpath, '/');
	base = base ? base + 1 : cgpath;
	size_t len = strlen(base);
	if (len <= strlen("session-.scope") || strncmp(base, "session-", 8) != 0 ||
	    strcmp(base + len - 6, ".scope") != 0)
		return false;
	for (const char *p = base + 8; p < base + len - 6; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

uint32_t sr_pam_parse_sessionid(const char *buf, size_t len)
{
	uint64_t v = 0;
	size_t i;

	/* the kernel prints "%u", nothing else */
	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(buf[i] - '0');
		if (v > UINT32_MAX)
			return SR_AUDIT_SID_UNSET;
	}
	if (i == 0 || (i < len && buf[i] != '\n'))
		return SR_AUDIT_SID_UNSET;
	return (uint32_t)v;
}
