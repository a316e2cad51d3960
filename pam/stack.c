/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading a service's PAM session stack (see stack.h). */
#include "stack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* @include and include/substack nest at most this deep (Linux-PAM: 5 for substacks). */
#define MAX_DEPTH 8

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * Copy the next field at *@p p into @p out: up to white space, or a whole
 * "[...]" when it starts with '[' (a '\]' inside does not end it). Returns
 * the length, 0 at the end of the line, -EINVAL when too long or unterminated.
 */
static int field(const char **p, char *out, size_t cap)
{
	const char *s = skip_ws(*p), *e = s;

	if (*s == '[') {
		for (e = s + 1; *e && *e != ']'; e++)
			if (*e == '\\' && e[1])
				e++;
		if (*e != ']')
			return -EINVAL;
		e++;
	} else {
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
	}
	if ((size_t)(e - s) >= cap)
		return -EINVAL;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e;
	return (int)(e - s);
}

int sr_pam_conf_split(const char *line, struct sr_pam_line *out)
{
	const char *p = line;
	char type[sizeof(out->type) + 1];
	int n;

	memset(out, 0, sizeof(*out));
	n = field(&p, type, sizeof(type));
	if (n <= 0)
		return n;
	if (!strcmp(type, "@include")) {
		out->include = true;
		return field(&p, out->module, sizeof(out->module)) > 0 ? 1 : -EINVAL;
	}
	out->optional_type = type[0] == '-';
	if (!type[out->optional_type] || strlen(type + out->optional_type) >= sizeof(out->type))
		return -EINVAL;
	strcpy(out->type, type + out->optional_type);
	if (field(&p, out->control, sizeof(out->control)) <= 0 ||
	    field(&p, out->module, sizeof(out->module)) <= 0)
		return -EINVAL;
	p = skip_ws(p);
	if (strlen(p) >= sizeof(out->args))
		return -EINVAL;
	strcpy(out->args, p);
	/* trailing white space is no argument */
	for (n = (int)strlen(out->args); n > 0 && strchr(" \t\r\n", out->args[n - 1]); n--)
		out->args[n - 1] = '\0';
	return 1;
}

static bool module_is(const char *path, const char *name)
{
	const char *b = strrchr(path, '/');

	return !strcmp(b ? b + 1 : path, name);
}

bool sr_pam_line_user_env(const struct sr_pam_line *l)
{
	const char *p = l->args;
	char arg[sizeof(l->args)];
	long readenv = 0;

	if (l->include || !module_is(l->module, "pam_env.so"))
		return false;
	/* as pam_env parses it: the last user_readenv= wins, atoi() semantics */
	while (field(&p, arg, sizeof(arg)) > 0)
		if (!strncmp(arg, "user_readenv=", 13))
			readenv = strtol(arg + 13, NULL, 10);
	return readenv != 0;
}

struct walk {
	const char *confdir;
	bool found;    /* pam_sshrec's session line was reached */
	bool user_env; /* a user-env module was met before it (or anywhere) */
	char *where;
	size_t wlen;
};

static int walk_file(struct walk *w, const char *path, int depth);

static int walk_service(struct walk *w, const char *service, int depth)
{
	char path[4096];

	if (strchr(service, '/'))
		return -EINVAL; /* Linux-PAM refuses such service names too */
	snprintf(path, sizeof(path), "%s/%s", w->confdir, service);
	return walk_file(w, path, depth);
}

/* One logical line: comment stripped. Returns <0 to stop with an error. */
static int walk_line(struct walk *w, const char *path, int lineno, char *line, int depth)
{
	struct sr_pam_line l;
	char *hash = strchr(line, '#');
	char inc[4096];
	int rc;

	if (hash)
		*hash = '\0';
	if (sr_pam_conf_split(line, &l) <= 0)
		return 0; /* blank, or a line Linux-PAM would not load either */
	if (l.include) {
		if (l.module[0] == '/')
			snprintf(inc, sizeof(inc), "%s", l.module);
		else
			snprintf(inc, sizeof(inc), "%s/%s", w->confdir, l.module);
		return walk_file(w, inc, depth + 1);
	}
	if (strcmp(l.type, "session"))
		return 0;
	if (!strcmp(l.control, "include") || !strcmp(l.control, "substack")) {
		rc = walk_service(w, l.module, depth + 1);
		return rc;
	}
	if (module_is(l.module, "pam_sshrec.so")) {
		w->found = true;
		return 0;
	}
	if (!w->user_env && sr_pam_line_user_env(&l)) {
		w->user_env = true;
		snprintf(w->where, w->wlen, "%s:%d", path, lineno);
	}
	return 0;
}

static int walk_file(struct walk *w, const char *path, int depth)
{
	char *line = NULL, *logical = NULL;
	size_t cap = 0, llen = 0;
	int lineno = 0, start = 0, rc = 0;
	ssize_t n;
	FILE *f;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(w->where, w->wlen, "%s", path);
		return rc;
	}
	while (!w->found && (n = getline(&line, &cap, f)) > 0) {
		char *grown;
		bool more;

		lineno++;
		if (!logical)
			start = lineno;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		more = n > 0 && line[n - 1] == '\\'; /* continued on the next line */
		if (more)
			line[--n] = ' ';
		grown = realloc(logical, llen + (size_t)n + 1);
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		logical = grown;
		memcpy(logical + llen, line, (size_t)n + 1);
		llen += (size_t)n;
		if (more)
			continue;
		rc = walk_line(w, path, start, logical, depth);
		free(logical);
		logical = NULL;
		llen = 0;
		if (rc < 0)
			break;
	}
	if (rc == 0 && logical && !w->found)
		rc = walk_line(w, path, start, logical, depth);
	free(logical);
	free(line);
	fclose(f);
	return rc;
}

int sr_pam_user_env_first(const char *confdir, const char *service, char *where, size_t wlen)
{
	struct walk w = {.confdir = confdir, .where = where, .wlen = wlen};
	int rc;

	char path[4096];

	snprintf(where, wlen, "%s", service);
	if (strchr(service, '/'))
		return -EINVAL; /* Linux-PAM refuses such service names too */
	where[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", confdir, service);
	/* as Linux-PAM: a service without a file of its own gets "other" */
	rc = walk_service(&w, access(path, F_OK) && errno == ENOENT ? "other" : service, 0);
	if (rc < 0)
		return rc;
	return w.user_env ? 1 : 0;
}
