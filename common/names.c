/* SPDX-License-Identifier: BSD-2-Clause */
/* Shell-like quoting of argument vectors, signal and errno names. */
#include "names.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c) != NULL;
}

char *sr_shell_quote(const char *word)
{
	size_t len = strlen(word), i, n = 0, quotes = 0;
	bool plain = len > 0;
	char *out;

	for (i = 0; i < len; i++) {
		if (!shell_safe((unsigned char)word[i]) || !word[i])
			plain = false;
		if (word[i] == '\'')
			quotes++;
	}
	if (plain)
		return strdup(word);
	out = malloc(len + quotes * 3 + 3);
	if (!out)
		return NULL;
	out[n++] = '\'';
	for (i = 0; i < len; i++) {
		if (word[i] == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = word[i];
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
	return out;
}

/* Append @p s to the growing buffer. */
static int buf_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 64);
		char *nb;

		while (nc < *len + l + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, l + 1);
	*len += l;
	return 0;
}

char *sr_argv_join_v(const char *const *words, size_t n, bool truncated)
{
	char *buf = NULL, *q;
	size_t len = 0, cap = 0, i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		q = sr_shell_quote(words[i] ? words[i] : "");
		if (!q) {
			rc = -ENOMEM;
			break;
		}
		if (i)
			rc = buf_add(&buf, &len, &cap, " ");
		if (rc == 0)
			rc = buf_add(&buf, &len, &cap, q);
		free(q);
	}
	if (rc == 0 && truncated)
		rc = buf_add(&buf, &len, &cap, n ? " \xe2\x80\xa6" : "\xe2\x80\xa6");
	if (rc == 0 && !buf)
		rc = buf_add(&buf, &len, &cap, "");
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Linux signal numbers (x86/arm generic), independent of the libc's view. */
static const char *const sig_names[] = {
    [1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
    [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
    [11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
    [31] = "SIGSYS",
};

const char *sr_signal_name(int sig, char *buf, size_t cap)
{
	if (sig > 0 && (size_t)sig < sizeof(sig_names) / sizeof(sig_names[0]) && sig_names[sig])
		return sig_names[sig];
	if (sig >= 34 && sig <= 64)
		snprintf(buf, cap, "SIGRTMIN+%d", sig - 34);
	else
		snprintf(buf, cap, "SIG%d", sig);
	return buf;
}

const char *sr_errno_name(int err, char *buf, size_t cap)
{
	const char *n = err > 0 ? strerrorname_np(err) : NULL;

	if (n)
		return n;
	snprintf(buf, cap, "E%d", err);
	return buf;
}

const char *sr_rc_errno_name(int64_t rc, char *buf, size_t cap)
{
	if (rc < 0 && rc >= -(int64_t)INT_MAX)
		return sr_errno_name((int)-rc, buf, cap);
	/* the magnitude in unsigned arithmetic: defined for INT64_MIN too */
	snprintf(buf, cap, "E%s%" PRIu64, rc > 0 ? "-" : "",
	         rc > 0 ? (uint64_t)rc : (uint64_t)0 - (uint64_t)rc);
	return buf;
}

bool sr_tty_is_terminal(const char *tty)
{
	return tty && tty[0] && strcmp(tty, "ssh") != 0;
}
