/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sshdrive.c
 * @brief Test SSH client on libssh: logs in with a key and runs a script.
 *
 * Used by the end-to-end scenarios and the load test. One run opens N SSH
 * sessions in parallel (one thread and one libssh session each). Every session
 * logs in with public-key authentication (the host key is not checked: the
 * tests talk to a throwaway sshd on loopback) and then either
 *  - runs each command of the script over its own channel (exec request), or
 *  - with --shell, opens one shell channel (with a pty when --pty is given)
 *    and types each command into it, waiting for it to finish before typing
 *    the next one.
 *
 * In commands, "{S}" is replaced by the session index (0..N-1) and "{C}" by
 * the command index (0..M-1), so parallel sessions can carry unique markers.
 *
 * Exit status: 0 when every login and every command succeeded, 1 when any
 * failed (each failure is reported on stderr with its session and command),
 * 2 on usage errors. A summary goes to stderr unless -q is given.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

/** Marker the shell prints after each typed command: "<MARK><status>:<index>." */
#define SD_MARK "SSHDRIVE-RC:"

/** Run options (parsed once, then read-only for every thread). */
struct sd_opts {
	const char *host;         /**< address to connect to */
	unsigned int port;        /**< TCP port */
	const char *user;         /**< login */
	const char *key;          /**< private key file */
	char **cmds;              /**< script commands (templates with {S} / {C}) */
	size_t ncmds;             /**< number of commands */
	bool shell;               /**< type the commands into one shell channel */
	bool pty;                 /**< request a pty for the shell channel */
	bool print_output;        /**< copy command output to stdout */
	bool ignore_status;       /**< a non-zero exit status is not a failure */
	bool quiet;               /**< no summary */
	bool sync;                /**< all sessions log in before any runs commands */
	unsigned int n;           /**< parallel sessions */
	unsigned int timeout;     /**< seconds per command (and per login) */
	unsigned int retries;     /**< extra connection attempts on connect failure */
	unsigned int keydelay_us; /**< delay between typed bytes (--shell) */
};

/** Per-session outcome. */
struct sd_result {
	bool login_ok;        /**< connected and authenticated */
	unsigned int retries; /**< connection attempts that had to be repeated */
	size_t cmds_ok;       /**< commands that succeeded */
	size_t cmds_failed;   /**< commands that failed */
	size_t bytes_out;     /**< output bytes received */
};

/** Per-thread context. */
struct sd_worker {
	const struct sd_opts *o;
	unsigned int idx;
	pthread_t thread;
	struct sd_result res;
};

/** A growable byte buffer. */
struct sd_buf {
	char *p;
	size_t len;
	size_t cap;
};

static pthread_mutex_t sd_out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t sd_barrier;

static double sd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sd_report(unsigned int sess, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Report one failure on stderr, whole lines only (threads share stderr). */
static void sd_report(unsigned int sess, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sd_out_lock);
	fprintf(stderr, "sshdrive: session %u: ", sess);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&sd_out_lock);
}

/** Append @p n bytes; returns 0 or -ENOMEM. */
static int sd_buf_add(struct sd_buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void sd_buf_free(struct sd_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/**
 * Expand "{S}" (session index) and "{C}" (command index) in @p tmpl.
 * Returns a malloc'ed string or NULL (out of memory).
 */
static char *sd_expand(const char *tmpl, unsigned int sess, size_t cmd)
{
	struct sd_buf b = {0};
	const char *s = tmpl;

	while (*s) {
		char num[32];
		int n;

		if (s[0] == '{' && (s[1] == 'S' || s[1] == 'C') && s[2] == '}') {
			n = snprintf(num, sizeof(num), "%zu", s[1] == 'S' ? (size_t)sess : cmd);
			if (sd_buf_add(&b, num, (size_t)n) < 0)
				goto oom;
			s += 3;
			continue;
		}
		if (sd_buf_add(&b, s, 1) < 0)
			goto oom;
		s++;
	}
	if (sd_buf_add(&b, "", 0) < 0)
		goto oom;
	return b.p;
oom:
	sd_buf_free(&b);
	return NULL;
}

/** Copy command output to stdout as one block (under the output lock). */
static void sd_print(const struct sd_buf *out, const struct sd_buf *err)
{
	pthread_mutex_lock(&sd_out_lock);
	if (out->len)
		fwrite(out->p, 1, out->len, stdout);
	if (err->len)
		fwrite(err->p, 1, err->len, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&sd_out_lock);
}

/**
 * Wait up to @p ms for channel data and read what is there from stdout and
 * stderr. Returns 1 at end of file, 0 when more may come, -EIO on error.
 */
static int sd_pump(ssh_channel ch, struct sd_buf *out, struct sd_buf *err, int ms)
{
	char tmp[16384];
	int n;

	n = ssh_channel_read_timeout(ch, tmp, sizeof(tmp), 0, ms);
	if (n == SSH_ERROR)
		return -EIO;
	if (n > 0 && sd_buf_add(out, tmp, (size_t)n) < 0)
		return -ENOMEM;
	for (;;) {
		n = ssh_channel_read_nonblocking(ch, tmp, sizeof(tmp), 1);
		if (n == SSH_ERROR)
			return -EIO;
		if (n <= 0)
			break;
		if (sd_buf_add(err, tmp, (size_t)n) < 0)
			return -ENOMEM;
	}
	return ssh_channel_is_eof(ch) ? 1 : 0;
}

/** Connect and authenticate; returns the session or NULL (reported). */
static ssh_session sd_login(struct sd_worker *w)
{
	const struct sd_opts *o = w->o;
	ssh_key key = NULL;
	unsigned int attempt;
	long timeout = (long)o->timeout;
	int verbosity = SSH_LOG_NOLOG;
	int no = 0;

	if (ssh_pki_import_privkey_file(o->key, NULL, NULL, NULL, &key) != SSH_OK) {
		sd_report(w->idx, "login: cannot read private key %s", o->key);
		return NULL;
	}
	for (attempt = 0; attempt <= o->retries; attempt++) {
		ssh_session s = ssh_new();
		int rc;

		if (!s) {
			sd_report(w->idx, "login: out of memory");
			break;
		}
		ssh_options_set(s, SSH_OPTIONS_HOST, o->host);
		ssh_options_set(s, SSH_OPTIONS_PORT, &o->port);
		ssh_options_set(s, SSH_OPTIONS_USER, o->user);
		ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
		ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
		ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &no);
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
		ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
		ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
		if (ssh_connect(s) != SSH_OK) {
			/* sshd may shed connections under a burst (MaxStartups): retry */
			if (attempt < o->retries) {
				w->res.retries++;
				ssh_free(s);
				usleep(100000u * (attempt + 1));
				continue;
			}
			sd_report(w->idx, "login: connect to %s port %u failed: %s", o->host,
			          o->port, ssh_get_error(s));
			ssh_free(s);
			break;
		}
		rc = ssh_userauth_publickey(s, NULL, key);
		if (rc != SSH_AUTH_SUCCESS) {
			sd_report(w->idx, "login: public-key authentication of %s failed (%d): %s",
			          o->user, rc, ssh_get_error(s));
			ssh_disconnect(s);
			ssh_free(s);
			break;
		}
		ssh_key_free(key);
		return s;
	}
	ssh_key_free(key);
	return NULL;
}

/** Run one command over its own exec channel; returns 0 on success. */
static int sd_exec_one(struct sd_worker *w, ssh_session s, size_t ci, const char *cmd)
{
	const struct sd_opts *o = w->o;
	struct sd_buf out = {0}, err = {0};
	ssh_channel ch = ssh_channel_new(s);
	double deadline = sd_now() + o->timeout;
	int rc = -EIO, r, status;

	if (!ch) {
		sd_report(w->idx, "command %zu (%s): cannot create channel: %s", ci, cmd,
		          ssh_get_error(s));
		return -ENOMEM;
	}
	if (ssh_channel_open_session(ch) != SSH_OK) {
		sd_report(w->idx, "command %zu (%s): channel open failed: %s", ci, cmd,
		          ssh_get_error(s));
		goto out;
	}
	if (ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		sd_report(w->idx, "command %zu (%s): exec request failed: %s", ci, cmd,
		          ssh_get_error(s));
		goto close;
	}
	for (;;) {
		r = sd_pump(ch, &out, &err, 200);
		if (r < 0) {
			sd_report(w->idx, "command %zu (%s): read failed: %s", ci, cmd,
			          ssh_get_error(s));
			goto close;
		}
		if (r == 1)
			break;
		if (sd_now() > deadline) {
			sd_report(w->idx, "command %zu (%s): no end of output after %u s", ci, cmd,
			          o->timeout);
			rc = -ETIMEDOUT;
			goto close;
		}
	}
	ssh_channel_send_eof(ch);
	status = ssh_channel_get_exit_status(ch);
	w->res.bytes_out += out.len + err.len;
	if (o->print_output)
		sd_print(&out, &err);
	if (status == 0 || (o->ignore_status && status >= 0)) {
		rc = 0;
	} else if (status < 0) {
		sd_report(w->idx, "command %zu (%s): no exit status (killed by a signal?)", ci,
		          cmd);
	} else {
		sd_report(w->idx, "command %zu (%s): exit status %d%s%.*s", ci, cmd, status,
		          err.len ? "; stderr: " : "", (int)(err.len > 300 ? 300 : err.len),
		          err.len ? err.p : "");
		rc = -ECHILD;
	}
close:
	ssh_channel_close(ch);
out:
	ssh_channel_free(ch);
	sd_buf_free(&out);
	sd_buf_free(&err);
	return rc;
}

/** Type @p len bytes into the shell channel, one write per byte. */
static int sd_type(const struct sd_opts *o, ssh_channel ch, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (ssh_channel_write(ch, p + i, 1) != 1)
			return -EIO;
		if (o->keydelay_us)
			usleep(o->keydelay_us);
	}
	return 0;
}

/**
 * Find the completion marker of command @p ci in the output: the shell
 * prints SD_MARK "<status>:<ci>." after the command; the typed line itself
 * holds "$?" and "$((ci+0))", so an echoed input line never matches.
 * Returns true and sets @p status when found.
 */
static bool sd_find_mark(const struct sd_buf *out, size_t from, size_t ci, int *status)
{
	const char *p = out->p ? out->p + from : NULL;

	while (p && (p = strstr(p, SD_MARK)) != NULL) {
		char *end;
		long st, idx;

		p += strlen(SD_MARK);
		st = strtol(p, &end, 10);
		if (end == p || *end != ':')
			continue;
		idx = strtol(end + 1, &end, 10);
		if (*end != '.' || idx < 0 || (size_t)idx != ci)
			continue;
		*status = (int)st;
		return true;
	}
	return false;
}

/** Run the whole script as keystrokes in one shell channel. */
static void sd_shell(struct sd_worker *w, ssh_session s)
{
	const struct sd_opts *o = w->o;
	struct sd_buf out = {0}, err = {0};
	ssh_channel ch = ssh_channel_new(s);
	size_t ci, scan = 0;
	int r, status;

	if (!ch) {
		sd_report(w->idx, "shell: cannot create channel");
		w->res.cmds_failed += o->ncmds;
		return;
	}
	if (ssh_channel_open_session(ch) != SSH_OK) {
		sd_report(w->idx, "shell: channel open failed: %s", ssh_get_error(s));
		goto fail_all;
	}
	if (o->pty && ssh_channel_request_pty_size(ch, "xterm", 120, 40) != SSH_OK) {
		sd_report(w->idx, "shell: pty request failed: %s", ssh_get_error(s));
		goto fail_all;
	}
	if (ssh_channel_request_shell(ch) != SSH_OK) {
		sd_report(w->idx, "shell: shell request failed: %s", ssh_get_error(s));
		goto fail_all;
	}
	for (ci = 0; ci < o->ncmds; ci++) {
		char *cmd = sd_expand(o->cmds[ci], w->idx, ci);
		char mark[96];
		double deadline = sd_now() + o->timeout;
		bool found = false;
		int n;

		if (!cmd) {
			sd_report(w->idx, "command %zu: out of memory", ci);
			w->res.cmds_failed++;
			continue;
		}
		n = snprintf(mark, sizeof(mark), "echo \"" SD_MARK "$?:$((%zu+0)).\"\n", ci);
		if (sd_type(o, ch, cmd, strlen(cmd)) < 0 || sd_type(o, ch, "\n", 1) < 0 ||
		    sd_type(o, ch, mark, (size_t)n) < 0) {
			sd_report(w->idx, "command %zu (%s): typing into the shell failed: %s", ci,
			          cmd, ssh_get_error(s));
			free(cmd);
			w->res.cmds_failed += o->ncmds - ci;
			goto close;
		}
		status = -1;
		while (!found) {
			r = sd_pump(ch, &out, o->pty ? &out : &err, 200);
			found = sd_find_mark(&out, scan, ci, &status);
			if (found)
				break;
			if (r != 0 || sd_now() > deadline) {
				sd_report(w->idx, "command %zu (%s): %s", ci, cmd,
				          r < 0   ? "shell channel read failed"
				          : r > 0 ? "shell ended before the command finished"
				                  : "no completion marker before the timeout");
				break;
			}
		}
		scan = out.len;
		if (found && (status == 0 || o->ignore_status)) {
			w->res.cmds_ok++;
		} else {
			if (found)
				sd_report(w->idx, "command %zu (%s): exit status %d", ci, cmd,
				          status);
			w->res.cmds_failed++;
		}
		free(cmd);
		if (!found) {
			w->res.cmds_failed += o->ncmds - ci - 1;
			goto close;
		}
	}
	if (sd_type(o, ch, "exit\n", 5) < 0) {
		sd_report(w->idx, "shell: typing exit failed");
		goto close;
	}
	{
		double deadline = sd_now() + o->timeout;

		for (;;) {
			r = sd_pump(ch, &out, o->pty ? &out : &err, 200);
			if (r != 0)
				break;
			if (sd_now() > deadline) {
				sd_report(w->idx, "shell: did not end %u s after exit", o->timeout);
				break;
			}
		}
	}
	goto close;
fail_all:
	w->res.cmds_failed += o->ncmds;
close:
	w->res.bytes_out += out.len + err.len;
	if (o->print_output)
		sd_print(&out, &err);
	ssh_channel_close(ch);
	ssh_channel_free(ch);
	sd_buf_free(&out);
	sd_buf_free(&err);
}

static void *sd_worker_main(void *arg)
{
	struct sd_worker *w = arg;
	const struct sd_opts *o = w->o;
	ssh_session s = sd_login(w);
	size_t ci;

	w->res.login_ok = s != NULL;
	if (o->sync)
		pthread_barrier_wait(&sd_barrier);
	if (!s)
		return NULL;
	if (o->shell) {
		sd_shell(w, s);
	} else {
		for (ci = 0; ci < o->ncmds; ci++) {
			char *cmd = sd_expand(o->cmds[ci], w->idx, ci);

			if (cmd && sd_exec_one(w, s, ci, cmd) == 0)
				w->res.cmds_ok++;
			else
				w->res.cmds_failed++;
			if (!cmd)
				sd_report(w->idx, "command %zu: out of memory", ci);
			free(cmd);
		}
	}
	ssh_disconnect(s);
	ssh_free(s);
	return NULL;
}

/** Append one command to the script; returns 0 or -ENOMEM. */
static int sd_add_cmd(struct sd_opts *o, const char *cmd, size_t len)
{
	char **v = realloc(o->cmds, (o->ncmds + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	o->cmds = v;
	v[o->ncmds] = strndup(cmd, len);
	if (!v[o->ncmds])
		return -ENOMEM;
	o->ncmds++;
	return 0;
}

/** Read a script file: one command per line, blank lines and '#' lines skipped. */
static int sd_read_script(struct sd_opts *o, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) >= 0) {
		const char *p = line;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		rc = sd_add_cmd(o, line, (size_t)n);
		if (rc < 0)
			break;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static void sd_usage(FILE *f)
{
	fputs("usage: sshdrive -p PORT -i KEY [-u USER] [-H HOST] [-n SESSIONS]\n"
	      "                (-c CMD)... | -f SCRIPT  [--shell [--pty]] [options]\n"
	      "  -H, --host HOST       address to connect to (default 127.0.0.1; ::1 works)\n"
	      "  -p, --port PORT       sshd port\n"
	      "  -u, --user USER       login (default root)\n"
	      "  -i, --key FILE        private key for public-key authentication\n"
	      "  -c, --command CMD     a command (repeatable, run in order)\n"
	      "  -f, --script FILE     commands, one per line ('-' is stdin; blank and # lines "
	      "skipped)\n"
	      "  -n, --sessions N      N sessions in parallel (default 1)\n"
	      "      --shell           type the commands into one interactive shell channel\n"
	      "      --pty             request a pty for the shell (implies --shell)\n"
	      "      --key-delay US    microseconds between typed bytes (default 0)\n"
	      "      --print-output    copy command output to stdout\n"
	      "      --ignore-status   a non-zero exit status is not a failure\n"
	      "      --no-sync         do not wait for all logins before running commands\n"
	      "  -t, --timeout S       seconds allowed per login and per command (default 60)\n"
	      "  -r, --retries N       connection retries (default 3)\n"
	      "  -q, --quiet           no summary line\n"
	      "In commands, {S} becomes the session index and {C} the command index.\n",
	      f);
}

static int sd_parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_SHELL = 256, O_PTY, O_PRINT, O_IGNORE, O_NOSYNC, O_KEYDELAY };
	static const struct option lopts[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {"user", required_argument, NULL, 'u'},
	    {"key", required_argument, NULL, 'i'},
	    {"command", required_argument, NULL, 'c'},
	    {"script", required_argument, NULL, 'f'},
	    {"sessions", required_argument, NULL, 'n'},
	    {"timeout", required_argument, NULL, 't'},
	    {"retries", required_argument, NULL, 'r'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"shell", no_argument, NULL, O_SHELL},
	    {"pty", no_argument, NULL, O_PTY},
	    {"print-output", no_argument, NULL, O_PRINT},
	    {"ignore-status", no_argument, NULL, O_IGNORE},
	    {"no-sync", no_argument, NULL, O_NOSYNC},
	    {"key-delay", required_argument, NULL, O_KEYDELAY},
	    {NULL, 0, NULL, 0},
	};
	struct sd_opts o = {
	    .host = "127.0.0.1",
	    .user = "root",
	    .n = 1,
	    .timeout = 60,
	    .retries = 3,
	    .sync = true,
	};
	struct sd_worker *w;
	size_t logins_failed = 0, ok = 0, failed = 0, bytes = 0, i;
	unsigned int retries = 0;
	double t0, el;
	int c, rc, exit_code;

	while ((c = getopt_long(argc, argv, "H:p:u:i:c:f:n:t:r:qh", lopts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			rc = sd_parse_uint(optarg, 1, 65535, &o.port);
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'i':
			o.key = optarg;
			break;
		case 'c':
			rc = sd_add_cmd(&o, optarg, strlen(optarg));
			break;
		case 'f':
			rc = sd_read_script(&o, optarg);
			if (rc < 0) {
				fprintf(stderr, "sshdrive: cannot read script %s: %s\n", optarg,
				        strerror(-rc));
				return 2;
			}
			break;
		case 'n':
			rc = sd_parse_uint(optarg, 1, 10000, &o.n);
			break;
		case 't':
			rc = sd_parse_uint(optarg, 1, 86400, &o.timeout);
			break;
		case 'r':
			rc = sd_parse_uint(optarg, 0, 100, &o.retries);
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			sd_usage(stdout);
			return 0;
		case O_SHELL:
			o.shell = true;
			break;
		case O_PTY:
			o.shell = o.pty = true;
			break;
		case O_PRINT:
			o.print_output = true;
			break;
		case O_IGNORE:
			o.ignore_status = true;
			break;
		case O_NOSYNC:
			o.sync = false;
			break;
		case O_KEYDELAY:
			rc = sd_parse_uint(optarg, 0, 1000000, &o.keydelay_us);
			break;
		default:
			sd_usage(stderr);
			return 2;
		}
		if (rc < 0) {
			fprintf(stderr, "sshdrive: bad value for -%c: '%s'\n", c < 256 ? c : '-',
			        optarg ? optarg : "");
			return 2;
		}
	}
	if (optind != argc || !o.port || !o.key || !o.ncmds) {
		fputs("sshdrive: need -p PORT, -i KEY and at least one command\n", stderr);
		sd_usage(stderr);
		return 2;
	}
	w = calloc(o.n, sizeof(*w));
	if (!w || ssh_init() != SSH_OK) {
		fputs("sshdrive: initialisation failed\n", stderr);
		return 2;
	}
	if (o.sync)
		pthread_barrier_init(&sd_barrier, NULL, o.n);
	t0 = sd_now();
	for (i = 0; i < o.n; i++) {
		w[i].o = &o;
		w[i].idx = (unsigned int)i;
		rc = pthread_create(&w[i].thread, NULL, sd_worker_main, &w[i]);
		if (rc) {
			/* with a barrier, the started threads would wait forever */
			fprintf(stderr, "sshdrive: cannot start session thread %zu: %s\n", i,
			        strerror(rc));
			_exit(2);
		}
	}
	for (i = 0; i < o.n; i++) {
		pthread_join(w[i].thread, NULL);
		if (!w[i].res.login_ok)
			logins_failed++;
		ok += w[i].res.cmds_ok;
		failed += w[i].res.cmds_failed;
		if (!w[i].res.login_ok)
			failed += o.ncmds;
		bytes += w[i].res.bytes_out;
		retries += w[i].res.retries;
	}
	el = sd_now() - t0;
	if (o.sync)
		pthread_barrier_destroy(&sd_barrier);
	if (!o.quiet)
		fprintf(stderr,
		        "sshdrive: sessions %u (%zu logins failed, %u connect retries), commands "
		        "%zu (%zu ok, %zu failed), output %zu bytes, elapsed %.3f s, %.2f "
		        "sessions/s, %.1f commands/s\n",
		        o.n, logins_failed, retries, (size_t)o.n * o.ncmds, ok, failed, bytes, el,
		        el > 0 ? o.n / el : 0.0, el > 0 ? (double)(ok + failed) / el : 0.0);
	exit_code = (logins_failed || failed) ? 1 : 0;
	for (i = 0; i < o.ncmds; i++)
		free(o.cmds[i]);
	free(o.cmds);
	free(w);
	ssh_finalize();
	return exit_code;
}
