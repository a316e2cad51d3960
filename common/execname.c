/* SPDX-License-Identifier: BSD-2-Clause */
/* Naming fileless, descriptor and deleted execs (see execname.h). */
#include "execname.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Skip one or more digits; NULL when there are none. */
static const char *digits(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	return p == s ? NULL : p;
}

bool sr_exec_via_fd(const char *path)
{
	const char *p = NULL;

	if (!path)
		return false;
	if (!strncmp(path, "/dev/fd/", 8)) {
		p = path + 8;
	} else if (!strncmp(path, "/proc/", 6)) {
		p = path + 6;
		if (!strncmp(p, "self/", 5))
			p += 5;
		else if (!strncmp(p, "thread-self/", 12))
			p += 12;
		else if ((p = digits(p)) && *p == '/')
			p++;
		else
			return false;
		if (strncmp(p, "fd/", 3))
			return false;
		p += 3;
	} else {
		return false;
	}
	p = digits(p);
	return p && (*p == '\0' || *p == '/');
}

/* "a", "a b", "a -> b c": the non-NULL parts joined, malloc'd. */
static char *join(const char *a, const char *sep, const char *b, const char *suffix)
{
	size_t n = strlen(a) + (b ? strlen(sep) + strlen(b) : 0) + strlen(suffix) + 1;
	char *out = malloc(n);

	if (out)
		snprintf(out, n, "%s%s%s%s", a, b ? sep : "", b ? b : "", suffix);
	return out;
}

static bool is(const char *kind, const char *what)
{
	return kind && !strcmp(kind, what);
}

char *sr_exe_label(const char *path, const char *exe, const char *kind)
{
	const char *del = is(kind, SR_EXE_DELETED) ? " (deleted)" : "";

	errno = 0;
	if (is(kind, SR_EXE_FILELESS))
		return join(exe ? exe : "?", "", NULL, " (fileless)");
	if (sr_exec_via_fd(path) && is(kind, SR_EXE_INTERPRETER) && exe)
		return join(path, " (a script run by ", exe, ")"); /* fd is the script, not exe */
	if (sr_exec_via_fd(path))
		return join(path, " -> ", exe, exe ? del : "");
	if (*del)
		return join(exe ? exe : path ? path : "?", "", NULL, del);
	return NULL;
}

const char *sr_exe_suffix(const char *kind)
{
	return is(kind, SR_EXE_FILELESS)  ? " (fileless)"
	       : is(kind, SR_EXE_DELETED) ? " (deleted)"
	                                  : "";
}

char *sr_exe_executable(const char *path, const char *exe, const char *kind)
{
	if (!exe)
		return strdup(path ? path : "");
	return join(exe, "", NULL, sr_exe_suffix(kind));
}
