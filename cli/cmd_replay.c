/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrec replay SID: play the session's commands back in (scaled) real time. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "strsafe.h"

static const char replay_usage[] =
    "usage: sshrec replay SID [--speed N] [--step] [--idle-limit SECONDS]\n"
    "  --speed N       play N times faster (0.1 .. 1000, default 1)\n"
    "  --step          wait for a key before each command (q quits)\n"
    "  --idle-limit S  never wait more than S seconds between two events\n";

/* Terminal state restored on every way out, including signals. */
static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_raw, cursor_hidden;

static void restore_terminal(void)
{
	if (tty_raw) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_raw = 0;
	}
	if (cursor_hidden) {
		if (write(STDOUT_FILENO, "\033[?25h", 6) < 0) {
			/* nothing more to do on the way out */
		}
		cursor_hidden = 0;
	}
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct rev {
	int64_t t;
	size_t proc;
	bool exit;
	size_t order; /* preorder position, ties keep tree order */
};

static int cmp_rev(const void *a, const void *b)
{
	const struct rev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->exit != y->exit)
		return x->exit ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void sleep_us(int64_t us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};

	while (us > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait for a key on the terminal; returns the byte or -1 on EOF/error. */
static int wait_key(void)
{
	unsigned char ch;
	ssize_t n;

	do
		n = read(tty_fd, &ch, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? ch : -1;
}

static void stamp(int64_t rel_us)
{
	int64_t ms = rel_us / 1000;

	printf("[+%02" PRId64 ":%02" PRId64 ".%03" PRId64 "] ", ms / 60000, (ms / 1000) % 60,
	       ms % 1000);
}

static void indent(const struct sr_cli *cli, int depth)
{
	int k, d = depth > 32 ? 32 : depth;

	for (k = 0; k < d; k++)
		fputs(cli->utf8 ? "\xe2\x94\x82 " : "| ", stdout);
}

int sr_cmd_replay(struct sr_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"speed", required_argument, NULL, 's'},
	    {"step", no_argument, NULL, 'S'},
	    {"idle-limit", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	double speed = 1.0, idle = -1;
	bool step = false;
	struct sr_session_row s;
	struct sr_tree t;
	struct rev *ev = NULL;
	size_t nev = 0, i, order = 0;
	int64_t prev;
	char *end, h[512], id[160], from[512], out[96], dur[32];
	int c, ret = SR_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			speed = strtod(optarg, &end);
			if (*end || !(speed >= 0.1 && speed <= 1000)) {
				sr_cli_error(
				    "--speed: expected a number from 0.1 to 1000, not '%s'",
				    optarg);
				return SR_EXIT_USAGE;
			}
			break;
		case 'S':
			step = true;
			break;
		case 'i':
			idle = strtod(optarg, &end);
			if (*end || !(idle >= 0)) {
				sr_cli_error("--idle-limit: expected seconds, not '%s'", optarg);
				return SR_EXIT_USAGE;
			}
			break;
		default: /* -h, --help, or a bad option */
			return sr_cli_usage(replay_usage, c);
		}
	}
	if (optind + 1 != argc) {
		fputs(replay_usage, stderr);
		return SR_EXIT_USAGE;
	}
	if (sr_db_open_ro(cli) || sr_db_session(cli, argv[optind], &s))
		return SR_EXIT_ERROR;
	if (sr_tree_load(cli, s.id, false, false, false, &t)) {
		sr_session_row_free(&s);
		return SR_EXIT_ERROR;
	}
	ev = malloc((t.n * 2 + 1) * sizeof(*ev));
	if (!ev) {
		sr_cli_error("out of memory");
		goto out;
	}
	for (i = t.first_root; i != SIZE_MAX; i = sr_tree_next(&t, i)) {
		const struct sr_proc *p = &t.p[i];

		ev[nev++] = (struct rev){p->start_us, i, false, order++};
		if (p->return_code >= 0 && (p->has_exit || p->execd) && p->end_us >= p->start_us)
			ev[nev++] = (struct rev){p->end_us, i, true, order++};
	}
	qsort(ev, nev, sizeof(*ev), cmp_rev);

	if (step) {
		struct termios raw;

		tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (tty_fd < 0 || tcgetattr(tty_fd, &tty_saved) != 0) {
			sr_cli_error("replay --step needs a terminal to read keys from");
			goto out;
		}
		raw = tty_saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		signal(SIGQUIT, on_signal);
		if (tcsetattr(tty_fd, TCSAFLUSH, &raw) != 0) {
			sr_cli_error("replay: cannot set the terminal to raw mode: %s",
			             strerror(errno));
			goto out;
		}
		tty_raw = 1;
	}
	if (cli->tty) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		fputs("\033[?25l", stdout);
		cursor_hidden = 1;
	}
	printf("%sreplay of session %s%s: %s from %s, %zu programs, ",
	       sr_col(cli->color, SR_C_BOLD), sr_term_escape_buf(s.sid, id, sizeof(id)),
	       sr_col(cli->color, SR_C_RESET),
	       sr_term_escape_buf(s.login ? s.login : "?", h, sizeof(h)),
	       sr_term_escape_buf(s.remote_addr ? s.remote_addr : "-", from, sizeof(from)), t.n);
	if (step)
		printf("step mode: any key for the next command, q to quit\n");
	else
		printf("speed %gx\n", speed);
	fflush(stdout);
	prev = s.start_us;
	for (i = 0; i < nev; i++) {
		const struct sr_proc *p = &t.p[ev[i].proc];
		bool bad = p->return_code < 0 || (p->has_exit && (p->signal > 0 || p->exit_code));

		if (step && !ev[i].exit) {
			int k = wait_key();

			if (k < 0 || k == 'q' || k == 'Q')
				break;
		} else if (!step && ev[i].t > prev) {
			double wait = (double)(ev[i].t - prev) / speed;

			if (idle >= 0 && wait > idle * 1e6)
				wait = idle * 1e6;
			sleep_us((int64_t)wait);
		}
		if (ev[i].t > prev)
			prev = ev[i].t;
		fputs(sr_col(cli->color, SR_C_DIM), stdout);
		stamp(ev[i].t - s.start_us);
		fputs(sr_col(cli->color, SR_C_RESET), stdout);
		indent(cli, p->depth);
		if (!ev[i].exit) {
			fputs(cli->utf8 ? "\xe2\x96\xb6 " : "> ", stdout);
			sr_put_exe_label(stdout, cli->color, p->label);
			fputs(sr_col(cli->color, SR_C_BOLD), stdout);
			sr_put_term(stdout, p->cmdline);
			printf("%s  %s(pid %d)%s", sr_col(cli->color, SR_C_RESET),
			       sr_col(cli->color, SR_C_DIM), p->pid,
			       sr_col(cli->color, SR_C_RESET));
			if (p->return_code < 0)
				printf("  %s%s%s", sr_col(cli->color, SR_C_RED),
				       sr_proc_outcome(p, out, sizeof(out)),
				       sr_col(cli->color, SR_C_RESET));
		} else {
			fputs(cli->utf8 ? "  \xe2\x86\xb3 " : "  => ", stdout);
			printf("%s%s%s", sr_col(cli->color, bad ? SR_C_RED : SR_C_GREEN),
			       sr_proc_outcome(p, out, sizeof(out)),
			       sr_col(cli->color, SR_C_RESET));
			if (p->duration_ms >= 0)
				printf(" after %s",
				       sr_fmt_duration(p->duration_ms, dur, sizeof(dur)));
			fputs(sr_col(cli->color, SR_C_DIM), stdout);
			fputs("  ", stdout);
			sr_put_term(stdout, p->program);
			fputs(sr_col(cli->color, SR_C_RESET), stdout);
		}
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (i == nev) {
		printf("%s-- end of session %s%s\n", sr_col(cli->color, SR_C_DIM),
		       s.end_us ? "(ended)" : "(still active when recorded)",
		       sr_col(cli->color, SR_C_RESET));
	} else {
		printf("-- replay stopped\n");
	}
	ret = SR_EXIT_OK;
out:
	restore_terminal();
	if (tty_fd >= 0)
		close(tty_fd);
	tty_fd = -1;
	free(ev);
	sr_tree_free(&t);
	sr_session_row_free(&s);
	return ret;
}
