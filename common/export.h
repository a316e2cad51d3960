/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file export.h
 * @brief Mapping native records (schema/RECORDS.md) to Elastic Common Schema
 * and OCSF: from a scanned record (jscan.h) straight to JSON text (jwrite.h),
 * with no intermediate object tree. Pure functions, unit-tested without a DB;
 * shared by `sshrec export` (records from SQLite) and sshrecd's JSON-lines
 * sink (jsonl_format = ecs | ocsf).
 */
#ifndef SSHREC_EXPORT_H
#define SSHREC_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "jscan.h"
#include "jwrite.h"
#include "names.h"
#include "timeutil.h"

/**
 * The ECS version the mapping follows, and the only one it claims: every
 * field outside sshrec.* is a field of it (tests/siem checks them against
 * elastic/ecs generated/ecs/ecs_flat.yml of this version).
 */
#define SR_ECS_VERSION "9.4.0"
/** OCSF schema version the mapping follows (tests/siem checks against it). */
#define SR_OCSF_VERSION "1.1.0"

/** What the mappings need of the record's session (its row, or the daemon's state). */
struct sr_exp_sess {
	const char *sid, *login, *service;
	const char *tty; /**< the session's final terminal (sr_tty_is_terminal()) */
	const char *remote_addr, *local_addr, *key_fingerprint;
	int remote_port, local_port, leader_pid;
	int64_t start_us;
};

/** The exec'd image a record belongs to (processes row), when known. */
struct sr_exp_proc {
	int64_t id;            /**< processes.id; 0 when unknown */
	const char *path;      /**< executable */
	const char *argv_json; /**< JSON array */
	const char *cwd;
	const char *exe, *exe_kind; /**< the file that ran and its kind (NULL unknown) */
	int pid, ppid;
	int64_t start_us;
	/* Filled by sr_exp_proc_prepare() from the fields above: */
	bool have_args;             /**< argv_json is a JSON array */
	char *args;                 /**< argv_json re-encoded compactly (valid UTF-8) */
	size_t args_len;            /**< length of @c args */
	int64_t nargs;              /**< number of elements */
	char *cmdline;              /**< argv joined shell-like */
	char start[SR_TIME_STRLEN]; /**< start_us as RFC 3339 ("" when 0) */
};

/**
 * Derive the cached fields of @p p (args, cmdline, start) from argv_json and
 * start_us, using @p scratch to scan. Returns 0 or -ENOMEM (a malformed
 * argv_json is not an error: have_args stays false).
 */
int sr_exp_proc_prepare(struct sr_exp_proc *p, struct sr_jrec *scratch);

/** Free what sr_exp_proc_prepare() allocated. */
void sr_exp_proc_clear(struct sr_exp_proc *p);

/** An owned, prepared copy of an exec'd image: an entry of a process cache. */
struct sr_exp_image {
	struct sr_exp_proc p;                     /**< prepared; its strings are the copies below */
	char *path, *argv, *cwd, *exe, *exe_kind; /**< owned */
	bool valid;                               /**< holds image p.id */
};

/**
 * Make @p m a copy of image @p src (its strings copied, NULL stays NULL) and
 * prepare it (@p scratch to scan argv). Returns 0, or -ENOMEM with @p m cleared.
 */
int sr_exp_image_set(struct sr_exp_image *m, const struct sr_exp_proc *src,
                     struct sr_jrec *scratch);

/** Free what @p m holds and mark it empty. */
void sr_exp_image_clear(struct sr_exp_image *m);

/** Fragments of one session's documents, rendered once from its row. */
struct sr_exp_frag {
	char *ecs_leader;        /**< ECS process.entry_leader object */
	size_t ecs_leader_len;   /**< its length */
	char *ocsf_session;      /**< OCSF session object (uid: the row's sid) */
	size_t ocsf_session_len; /**< its length */
};

/** Render the fragments of session @p s into @p f. Returns 0 or -ENOMEM. */
int sr_exp_frag_prepare(struct sr_exp_frag *f, const struct sr_exp_sess *s);

/** Free what sr_exp_frag_prepare() allocated. */
void sr_exp_frag_clear(struct sr_exp_frag *f);

/** What a mapping needs besides the record itself. */
struct sr_exp_ctx {
	const struct sr_exp_sess *sess; /**< the record's session (may be NULL) */
	const struct sr_exp_frag *frag; /**< sess's fragments (optional cache) */
	const struct sr_exp_proc *proc; /**< its process, prepared (may be NULL) */
};

/**
 * Write the ECS process.entry_leader object (member "entry_leader") of
 * session @p s, or from the record @p rec when @p s is NULL.
 */
void sr_ecs_entry_leader(struct sr_jw *w, const struct sr_jrec *rec, const struct sr_exp_sess *s);

/** Write the OCSF session object (member "session") with uid @p sid. */
void sr_ocsf_session(struct sr_jw *w, const char *sid, const struct sr_exp_sess *s);

/**
 * Write the ECS document of the scanned native record @p rec as one JSON
 * text into @p w (after sr_jw_reset()). Returns 0, -EINVAL when @p rec is
 * not a record (no "event" string) or -ENOMEM.
 */
int sr_ecs_write(const struct sr_jrec *rec, const struct sr_exp_ctx *ctx, struct sr_jw *w);

/**
 * Write the OCSF event of @p rec into @p w: session.command / process_exit /
 * escape as Process Activity (1007), session.disk as File System Activity
 * (1001), session.network as Network Activity (4001), session.start and
 * session.end as Authentication (3002) Logon and Logoff, all with the host
 * profile. Returns 0, -ENOENT for a record with no OCSF 1.1 class
 * (session.data_loss: OCSF has Event Log Activity only from 1.3), -EINVAL
 * when @p rec is not a record, or -ENOMEM.
 */
int sr_ocsf_write(const struct sr_jrec *rec, const struct sr_exp_ctx *ctx, struct sr_jw *w);

/** Milliseconds since the epoch of the RFC 3339 "time" of @p rec (0 if missing). */
int64_t sr_exp_time_ms(const struct sr_jrec *rec);

/**
 * Write "<sid>-<id>" (the entity id of process @p id) as string member
 * @p key; @p sid NULL counts as "".
 */
void sr_exp_entity(struct sr_jw *w, const char *key, const char *sid, int64_t id);

/** Write @p v in decimal as string member @p key. */
void sr_exp_int_str(struct sr_jw *w, const char *key, int64_t v);

/** Copy the string member @p rkey of @p rec as member @p key (nothing when absent). */
static inline void sr_exp_copy(struct sr_jw *w, const char *key, const struct sr_jrec *rec,
                               const char *rkey)
{
	size_t len;
	const char *v = sr_jrec_strn(rec, rkey, &len);

	if (v)
		sr_jw_strn(w, key, v, len);
}

/** A file path split as ECS file.* and OCSF file want it. */
struct sr_exp_file {
	const char *name; /**< the last component ("etc" of "/etc/", "/" of "/"); NULL: no path */
	size_t name_len;
	const char *dir; /**< its directory ("/" of "/etc/"), NULL when it has none */
	size_t dir_len;
	bool is_dir; /**< opened as a directory: O_DIRECTORY, or a trailing slash */
};

/**
 * Split @p path (trailing slashes ignored, so a directory is named by its own
 * name) into @p f; @p flags are the open flags (O_DIRECTORY marks a directory).
 */
void sr_exp_file_split(const char *path, int64_t flags, struct sr_exp_file *f);

/**
 * The exit status a shell reports for a process killed by the signal of
 * @p rec ("signal", 128 + its number) into *@p code; false when the record
 * has no real signal number (1..127: a hostile value would overflow).
 */
bool sr_exp_signal_status(const struct sr_jrec *rec, int64_t *code);

/** The last path component of @p p (NULL when @p p is NULL). */
const char *sr_exp_basename(const char *p);

/**
 * The string member @p key, else the string member @p old (the name it had
 * in an older record format: session.denied's "kind" and "policy_mode" were
 * the strings "action" and "mode" in format 2), else NULL.
 */
static inline const char *sr_exp_str_or(const struct sr_jrec *rec, const char *key, const char *old)
{
	const char *v = sr_jrec_str(rec, key);

	return v ? v : sr_jrec_str(rec, old);
}

/** What ran, for the process fields of a record. */
struct sr_exp_exec {
	const char *executable; /**< as sr_exe_executable(): "memfd:x (fileless)", "/tmp/y" */
	const char *name;       /**< basename of the file that ran (or of the path) */
	char *owned;            /**< executable when it had to be made (malloc'd), else NULL */
};

/**
 * The executable and name of the record's process: from the record itself
 * for a command (@p is_cmd), else from its processes row @p p. Both are
 * NULL when no path is known. Free out->owned. Returns 0 or -ENOMEM.
 */
int sr_exp_exec(const struct sr_jrec *rec, const struct sr_exp_proc *p, bool is_cmd,
                struct sr_exp_exec *out);

/**
 * Write the whole argument vector as member @p key of @p w, re-encoded:
 * @p a0 (argv[0], from the record's "argv0"; NULL or not a string: none)
 * followed by the array @p v (a scanned top-level array of @p rec, the
 * record's "argv", which since record format 2 leaves argv[0] out as
 * Teleport does). Returns the joined command line (malloc'd) in *@p cmdline
 * when @p cmdline is not NULL. Returns 0 or -ENOMEM.
 */
int sr_exp_argv(const struct sr_jrec *rec, const struct sr_jval *v, const struct sr_jval *a0,
                struct sr_jw *w, const char *key, char **cmdline);

#endif
