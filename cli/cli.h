/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file cli.h
 * @brief Shared state and helpers of the `sshrec` auditor CLI.
 *
 * Error convention (common/log.h): helpers return 0 or -errno. A subcommand
 * prints one line "sshrec: <what>" (sr_cli_error()) at the point that knows
 * what went wrong and returns its exit code: 0 ok, 1 error, 2 usage.
 */
#ifndef SSHREC_CLI_H
#define SSHREC_CLI_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "recorder/store/store_read.h"

/** Exit codes of the CLI. */
enum {
	SR_EXIT_OK = 0,    /**< success */
	SR_EXIT_ERROR = 1, /**< runtime error (missing DB, unknown sid, …) */
	SR_EXIT_USAGE = 2, /**< bad command line */
};

/** Highest schema version (PRAGMA user_version) this sshrec reads. */
#define SR_CLI_SCHEMA_MAX 7
/** Lowest schema version this sshrec reads (sshrecd upgrades older ones). */
#define SR_CLI_SCHEMA_MIN 7

/** Global options and state shared by the subcommands. */
struct sr_cli {
	const char *db_path;     /**< --db, $SSHREC_DB or SR_DEFAULT_DB */
	const char *socket_path; /**< --socket or SR_DEFAULT_SOCKET */
	bool color;              /**< colour the output (resolved --color) */
	bool utf8;               /**< stdout is a tty with a UTF-8 locale */
	bool tty;                /**< stdout is a tty */
	sqlite3 *db;             /**< read-only connection, opened on demand */
	int schema_version;      /**< PRAGMA user_version of the open DB */
	int64_t now_us;          /**< wall clock at start, for relative times */
};

/** Print "sshrec: <message>" on stderr (one line, escaped). */
void sr_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * End of a subcommand's getopt switch: for 'h' (-h, --help) print @p usage on
 * stdout and return SR_EXIT_OK; for anything else (getopt already named the
 * bad option) print it on stderr and return SR_EXIT_USAGE.
 */
int sr_cli_usage(const char *usage, int c);

/* ---- db.c ---- */

/**
 * Open @p cli->db_path read-only (URI mode=ro), check the schema version.
 * Prints the error line itself. Returns 0 or -errno.
 */
int sr_db_open_ro(struct sr_cli *cli);

/** Close the connection opened by sr_db_open_ro(). */
void sr_db_close(struct sr_cli *cli);

/**
 * Set up @p rd, which rebuilds stored records (recorder/store/store_read.h), on
 * the CLI connection. Prints the error line. Returns 0 or -errno.
 */
int sr_db_reader(struct sr_cli *cli, struct sr_store_reader *rd);

/**
 * sr_store_read_json() on the current row of @p st (SR_STORE_EVENT_COLS at
 * @p col), or sr_store_read() alone when @p json is NULL (@p len unused);
 * prints the error line when the record cannot be rebuilt.
 * Returns 0 or -errno.
 */
int sr_db_record(struct sr_cli *cli, struct sr_store_reader *rd, sqlite3_stmt *st, int col,
                 const struct sr_record **rec, const char **json, size_t *len);

/**
 * Prepare @p sql on the CLI connection. On failure prints the error line
 * (with sqlite's message) and returns -EIO.
 */
int sr_db_prepare(struct sr_cli *cli, const char *sql, sqlite3_stmt **st);

struct sr_jarr;
struct sr_table;

/**
 * End a listing: close the JSON array @p ja or print and free the table
 * @p tab, then turn the last sqlite3_step() code @p rc into an exit code
 * (printing the error line when it is not SQLITE_DONE; -1: an error whose
 * line is printed already).
 */
int sr_listing_finish(struct sr_cli *cli, int rc, struct sr_jarr *ja, struct sr_table *tab);

/** A session row as the subcommands need it. Strings are malloc'd. */
struct sr_session_row {
	int64_t id;
	char *sid, *server_id, *server_hostname, *login, *user, *service, *tty, *rhost;
	char *remote_addr, *local_addr, *auth_method, *key_type, *key_fingerprint, *state;
	int remote_port, local_port, leader_pid;
	int64_t start_us, closing_us, end_us; /**< 0 when NULL */
	int64_t n_command, n_disk, n_network, n_exit, n_escape, lost;
	int64_t n_denied; /**< session.denied records (0 before schema 6) */
};

/**
 * Resolve @p sid (full, or a unique prefix of at least 8 characters) and load
 * its row into @p out. Prints the error line: unknown sid, ambiguous prefix.
 * Returns 0, -ENOENT, -EINVAL (ambiguous/too short) or -EIO.
 */
int sr_db_session(struct sr_cli *cli, const char *sid, struct sr_session_row *out);

/** Load the session with sessions.id @p id. Returns 0, -ENOENT or -EIO. */
int sr_db_session_by_id(struct sr_cli *cli, int64_t id, struct sr_session_row *out);

/** Free the strings of @p row. */
void sr_session_row_free(struct sr_session_row *row);

/**
 * Column list matching sr_session_row_from_stmt(), for "SELECT <cols> FROM
 * sessions" on @p cli's database (its schema version decides).
 */
const char *sr_session_cols(const struct sr_cli *cli);

/** Fill @p out from the current row of @p st (columns sr_session_cols() from @p col). */
int sr_session_row_from_stmt(sqlite3_stmt *st, int col, struct sr_session_row *out);

/**
 * Parse a time argument (sr_time_parse) for option @p opt; prints
 * "sshrec: --since: bad time 'x' (…)" on failure. Returns 0 or -EINVAL.
 */
int sr_cli_time_arg(struct sr_cli *cli, const char *opt, const char *arg, int64_t *out);

/**
 * sr_cli_time_arg() for --since @p since_s and --until @p until_s, each only
 * when given (NULL leaves @p since / @p until as they are). Returns 0 or -EINVAL.
 */
int sr_cli_time_range(struct sr_cli *cli, const char *since_s, const char *until_s, int64_t *since,
                      int64_t *until);

/* ---- proctree.c: a session's processes in memory ---- */

/** One attached event (disk, network or denied) under a process. */
struct sr_attach {
	int64_t time_us;
	bool network;
	bool denied;    /**< a session.denied record (always loaded, shown highlighted) */
	char *text;     /**< raw (unescaped) one-line description */
	char *path;     /**< disk: the path opened (raw); NULL otherwise */
	uint64_t flags; /**< disk: open flags */
	int64_t rc;     /**< return_code (disk) */
	bool failed;
};

/** One exec'd image (processes row). */
struct sr_proc {
	int64_t id, parent_id; /**< parent_id 0: session root */
	int pid, ppid;
	const char *program, *path; /**< shared: the tree's dictionary strings */
	char *argv_json;
	const char *cwd; /**< shared, like program and path; NULL unknown */
	bool argv_truncated;
	int return_code;
	int64_t start_us, end_us; /**< end_us 0: still running / exec'd over */
	bool has_exit;            /**< exit_code or signal known */
	bool execd;               /**< replaced by a later exec (a child with the same pid) */
	int exit_code, signal;
	int64_t duration_ms;              /**< -1 unknown */
	char *cmdline;                    /**< argv joined shell-like (raw, unescaped) */
	const char *exe;                  /**< the file that ran (shared); NULL unknown */
	char *exe_kind;                   /**< its kind; NULL unknown */
	char *label;                      /**< sr_exe_label(): fileless, via fd, deleted; or NULL */
	size_t parent_idx;                /**< index of the parent, SIZE_MAX at the root */
	size_t first_child, next_sibling; /**< SIZE_MAX: none */
	int depth;
	struct sr_attach *att;
	size_t natt, att_cap;
	size_t ndenied; /**< attached session.denied records */
};

/** The process forest of one session. */
struct sr_tree {
	struct sr_proc *p;
	size_t n;
	size_t first_root;        /**< SIZE_MAX: no processes */
	struct sr_attach *orphan; /**< attached events with no process */
	size_t norphan, orphan_cap;
	char **strs; /**< the dictionary strings the processes point at, each read once */
	size_t nstrs, strs_cap;
};

/**
 * Load the processes of session @p session_id, link parents and children
 * (siblings in start order) and compute depths. With @p files / @p net /
 * @p denied the session.disk / session.network / session.denied events are
 * attached to their process.
 * Returns 0 or -errno (prints the error line).
 */
int sr_tree_load(struct sr_cli *cli, int64_t session_id, bool files, bool net, bool denied,
                 struct sr_tree *t);

/** Free everything sr_tree_load() allocated. */
void sr_tree_free(struct sr_tree *t);

/** Visit order: preorder DFS. Returns the next index after @p i, SIZE_MAX at the end. */
size_t sr_tree_next(const struct sr_tree *t, size_t i);

/** Process outcome in words: "exit 0", "killed by SIGKILL", "exec failed: ENOENT", "running". */
char *sr_proc_outcome(const struct sr_proc *p, char *buf, size_t cap);

/* ---- describe.c ---- */

struct json_object;

/**
 * The essential fields of record @p o of type @p event (session.command,
 * session.disk, …) as one line, raw (not escaped), into @p buf: what the
 * timeline shows after the program, and the report's escapes, losses and
 * denials. A record of an unknown type is its JSON text.
 */
void sr_describe(struct json_object *o, const char *event, char *buf, size_t cap);

/* ---- follow.c: --follow, waiting for what the daemon stores next ---- */

/** How often --follow looks at the database, in ms (the daemon commits every 200). */
#define SR_FOLLOW_POLL_MS 200

/** Catch SIGINT and SIGTERM for a --follow loop: sr_follow_wait() then returns 0. */
void sr_follow_signals(void);

/** The signal that stopped a --follow loop, 0 while none came. */
int sr_follow_stopped(void);

/**
 * Sleep in SR_FOLLOW_POLL_MS steps until another connection committed to
 * the database (PRAGMA data_version differs from *@p version, which is
 * updated; start with -1 to return at once) or a stop signal came.
 * Flushes stdout before it sleeps. Returns 1 (changed), 0 (stopped) or -EIO.
 */
int sr_follow_wait(struct sr_cli *cli, int64_t *version);

/** Open a read transaction: what is read until sr_follow_end() is one snapshot. Returns 0 or -EIO.
 */
int sr_follow_begin(struct sr_cli *cli);

/** End the read transaction (so checkpoints are not held up) and flush stdout. */
void sr_follow_end(struct sr_cli *cli);

/* ---- the subcommands: each parses its own arguments ---- */

int sr_cmd_sessions(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_timeline(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_tree(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_replay(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_search(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_export(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_report(struct sr_cli *cli, int argc, char **argv);
int sr_cmd_status(struct sr_cli *cli, int argc, char **argv);

#endif
