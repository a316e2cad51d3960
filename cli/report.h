/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file report.h
 * @brief The HTML report of one session (sshrec report), split by job:
 * report_html.c (escaping, style, what counts as noise; no database, so
 * the unit tests link it alone), report_cmds.c
 * (the commands and the full process tree), report_lists.c (the summary
 * and the lists: connections, files written, failed execs, escapes, data
 * loss, denials, sshd's own activity), cmd_report.c (loading and the page).
 *
 * The page is one self-contained file: inline CSS, no script, no fetch (a
 * content security policy says so too). Everything recorded is text,
 * escaped. What is long is folded in <details>, which the browser keeps
 * out of the layout until it is opened: a session with 10,000 file opens
 * still opens on its summary.
 */
#ifndef SSHREC_CLI_REPORT_H
#define SSHREC_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"

/** Items shown before the rest of a list folds into <details>. */
#define RP_SHOW 50
/** The same under a command in the summary of commands. */
#define RP_SHOW_BRIEF 5

/** What a process and everything it started did (the subtree's sums). */
struct rp_stat {
	size_t programs; /**< processes in the subtree, itself included */
	size_t writes;   /**< opens for writing or creating, outside /dev */
	size_t conns;    /**< TCP connects */
	size_t failed;   /**< failed execs */
	size_t unusual;  /**< fileless, through a descriptor, deleted */
	size_t denied;   /**< session.denied records */
};

/** A record shown as it is (escape, data loss, denial). */
struct rp_rec {
	int64_t time_us;
	int pid;
	char *program; /**< comm */
	char *text;    /**< raw one-line description */
};

/** A list of such records. */
struct rp_recs {
	struct rp_rec *v;
	size_t n, cap;
};

/** The report being written. */
struct rp {
	FILE *f;
	const struct sr_session_row *s;
	const struct sr_tree *t;
	struct rp_stat *st;             /**< per process (t->p order) */
	size_t *cmds, ncmds;            /**< the user's commands (see rp_find_commands()) */
	struct rp_recs escapes, losses; /**< session.escape, session.data_loss */
	struct rp_recs denials;         /**< session.denied (SR4020W, enforcement) */
};

/* ---- report_html.c ---- */

/** The page's style sheet (inline, no external resource). */
extern const char rp_css[];

/** Write @p s HTML-escaped, invisible format characters marked (sr_html_put()). */
void rp_html(FILE *f, const char *s);

/** "08:12:01.123" (UTC) of @p us into @p buf. Returns @p buf. */
char *rp_clock(int64_t us, char *buf, size_t cap);

/** True for an open that may write: O_WRONLY, O_RDWR, O_CREAT or O_TRUNC. */
bool rp_is_write(const struct sr_attach *a);

/**
 * True for a read-only open that every program makes by starting and that
 * says nothing about what it did: shared libraries and the loader's cache,
 * locales and character sets, /proc.
 */
bool rp_is_routine(const struct sr_attach *a);

/** True for a write that is not a file (terminal, /dev/null: under /dev). */
bool rp_is_device(const struct sr_attach *a);

/* ---- report_cmds.c ---- */

/** A process's outcome as a span (ok / bad). */
void rp_outcome(FILE *f, const struct sr_proc *p);

/** "<label> <cmdline>" of @p p: its unusual-exec label (red) and command line. */
void rp_cmdline(FILE *f, const struct sr_proc *p);

/**
 * The user's commands: the programs each root-level program started (the
 * login shell's children; a root with no children is a command itself), in
 * start order, into r->cmds. Returns 0 or -ENOMEM.
 */
int rp_find_commands(struct rp *r);

/** Sum what each process's subtree did into r->st. Returns 0 or -ENOMEM. */
int rp_stats(struct rp *r);

/**
 * @p att[0..n) as a list: @p full all of them, routine read-only opens
 * folded into one <details>; else only what changed something (writes
 * outside /dev, connects). Repeated opens of one path are one item with a
 * count; past RP_SHOW items the rest folds. Nothing when nothing is shown.
 */
void rp_atts(FILE *f, const struct sr_attach *att, size_t n, bool full);

/** The "Commands" section. */
void rp_commands(struct rp *r);

/** The full process tree with every file and connection, noise folded. */
void rp_full_tree(struct rp *r);

/* ---- report_lists.c ---- */

/** The summary: who, from where, which key, when and how long, and what to look at. */
void rp_summary(struct rp *r);

/**
 * Outbound connections, files written, failed and unusual execs, escapes,
 * data loss, and the denials unless there are some (then rp_denials() put
 * them first).
 */
void rp_lists(struct rp *r);

/** The session policy's denials (session.denied, SR4020W). */
void rp_denials(struct rp *r);

/** sshd's own file opens before (and after) the shell, folded. */
void rp_sshd(struct rp *r);

#endif
