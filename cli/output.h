/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file output.h
 * @brief Pure formatting for the CLI: shell-like argv joining, durations,
 * signal and errno names, aligned tables, colour. No database access, so the
 * unit tests link this file alone.
 *
 * Strings handed to the table are raw (as stored); they are passed through
 * sr_term_escape() before they reach the terminal.
 */
#ifndef SSHREC_CLI_OUTPUT_H
#define SSHREC_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "names.h" /* quoting, signal and errno names (shared with the daemon) */

/**
 * Join a JSON array of strings (processes.argv) shell-like, words separated
 * by one space, " …" appended when @p truncated. A value that is not a JSON
 * array is returned quoted as one word. malloc'd; NULL on allocation failure.
 */
char *sr_argv_join(const char *argv_json, bool truncated);

struct json_object;
/**
 * Like sr_argv_join() on an already parsed json-c array @p arr, preceded by
 * the word @p argv0 unless it is NULL (a record's "argv0": since record
 * format 2, "argv" leaves argv[0] out as Teleport does).
 */
char *sr_argv_join_obj(struct json_object *arr, const char *argv0, bool truncated);

/**
 * @p v in decimal, NUL-terminated, at @p buf (room for SR_FMT_INT_MAX bytes),
 * as printf's %" PRId64 " without its cost on a line per process. Returns the length.
 */
size_t sr_fmt_int(int64_t v, char *buf);

/** Room sr_fmt_int() needs: "-9223372036854775808" and the NUL. */
#define SR_FMT_INT_MAX 21

/** "850 ms", "3.2 s", "4m05s", "2h03m", "3d04h"; "-" when @p ms < 0. Returns @p buf. */
char *sr_fmt_duration(int64_t ms, char *buf, size_t cap);

/** Short local-free time: "2026-11-22 08:12:01" (UTC) of @p us. Returns @p buf. */
char *sr_fmt_time(int64_t us, char *buf, size_t cap);

/**
 * One line for a session.denied record, from its fields (NULL reads "?"):
 * "exec /usr/bin/nc denied by deny_exec = /usr/bin/nc: killed before the new
 * program ran (signal)", or in audit mode "... matches RULE: allowed (audit
 * mode)". Says when the action may have happened (a signal in connect or
 * open) and when the verdict could not be applied. Returns @p buf.
 */
char *sr_denied_text(const char *action, const char *target, const char *rule, const char *mode,
                     const char *mechanism, const char *effect, char *buf, size_t cap);

/** Number of terminal columns of the valid UTF-8 string @p s (code points). */
size_t sr_display_width(const char *s);

/** ANSI colours; sr_col() returns "" when colour is off. */
enum sr_color_id {
	SR_C_RESET,
	SR_C_BOLD,
	SR_C_DIM,
	SR_C_RED,
	SR_C_GREEN,
	SR_C_YELLOW,
	SR_C_BLUE,
	SR_C_MAGENTA,
	SR_C_CYAN,
};

/** The escape sequence for @p c, or "" when @p on is false. */
const char *sr_col(bool on, enum sr_color_id c);

/** An aligned text table. Cells are raw strings, escaped when added. */
struct sr_table {
	size_t ncols;
	const char **head;
	char **cells;             /**< nrows * ncols escaped strings */
	enum sr_color_id *colors; /**< per cell, SR_C_RESET for none */
	size_t nrows, cap;
	size_t *width;
	FILE *stream; /**< sr_table_stream(): where rows go once the window is full */
	bool stream_color;
	size_t window;  /**< rows that set the column widths before streaming */
	bool streaming; /**< header and window printed: rows now go out as added */
};

/** Initialise a table with @p ncols headers. Returns 0 or -ENOMEM. */
int sr_table_init(struct sr_table *t, size_t ncols, const char **head);

/** Add a row of @p t->ncols raw strings (NULL prints "-"). Returns 0 or -ENOMEM. */
int sr_table_add(struct sr_table *t, const char **cells);

/**
 * Make @p t stream to @p out: the first @p window rows are held to set the
 * column widths, then printed with the header, and every later row is
 * printed as soon as it is complete (sr_table_color() still applies to it),
 * so memory stays bounded and output starts early. A later cell wider than
 * its column shifts that row's remaining cells (two spaces still separate
 * them). A table that never fills its window prints exactly as unstreamed.
 */
void sr_table_stream(struct sr_table *t, FILE *out, bool color, size_t window);

/** Make column @p col at least @p width wide (rows still to come may be wider). */
void sr_table_min_width(struct sr_table *t, size_t col, size_t width);

/** Colour cell @p col of the last row added. */
void sr_table_color(struct sr_table *t, size_t col, enum sr_color_id c);

/**
 * Print aligned, header bold when @p color. For a streaming table: print
 * what is still held (the header too when the window never filled).
 */
void sr_table_print(struct sr_table *t, FILE *out, bool color);

/** Free the table. */
void sr_table_free(struct sr_table *t);

/**
 * Write @p s as an escaped terminal string to @p out (sr_term_escape()).
 * Returns 0 or -ENOMEM.
 */
int sr_put_term(FILE *out, const char *s);

/**
 * Write "[label] " (escaped, red when @p color) before a command line whose
 * exec was unusual (sr_exe_label(): fileless, through a descriptor,
 * deleted); nothing when @p label is NULL.
 */
void sr_put_exe_label(FILE *out, bool color, const char *label);

/** Room for sr_exe_prefix(): two paths, an arrow and a note. */
#define SR_PATH_MAX_LABEL 8256

/** "[label] " (raw) into @p buf, or "" when @p label is NULL. Returns @p buf. */
char *sr_exe_prefix(const char *label, char *buf, size_t cap);

/**
 * Open @p path for writing, created 0600 (a report or an export holds full
 * argv); an existing regular file is truncated and narrowed to 0600. NULL
 * with errno on failure.
 */
FILE *sr_fopen_private(const char *path);

/** How sr_html_put() shows an invisible format character ("U+202E" between these). */
#define SR_HTML_MARK_OPEN                                                                          \
	"<span title='invisible format character' style='color:#c93c37;border:1px solid "          \
	"#c93c37;border-radius:3px;padding:0 2px;font-size:11px'>"
#define SR_HTML_MARK_CLOSE "</span>"

/**
 * Write @p s HTML-escaped to @p f: & < > " ' as entities, control characters
 * as \\xNN / \\u00NN, bytes that are not UTF-8 as \\xNN, and each invisible
 * format character (sr_unicode_is_format(): bidi overrides, zero-width
 * characters) as a visible marked "U+XXXX", so text cannot display reordered.
 */
void sr_html_put(FILE *f, const char *s);

#endif
