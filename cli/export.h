/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file export.h
 * @brief Mapping native records (schema/RECORDS.md) to Elastic Common Schema
 * and OCSF. Pure functions over json-c objects, unit-tested without a DB.
 */
#ifndef SSHREC_CLI_EXPORT_H
#define SSHREC_CLI_EXPORT_H

#include <json-c/json.h>
#include <stdint.h>

#include "cli/cli.h"

/** ECS version the mapping follows. */
#define SR_ECS_VERSION "8.11.0"
/** OCSF schema version the mapping follows. */
#define SR_OCSF_VERSION "1.1.0"

/** The exec'd image a record belongs to (processes row), when known. */
struct sr_exp_proc {
	int64_t id;            /**< processes.id; 0 when unknown */
	const char *path;      /**< executable */
	const char *argv_json; /**< JSON array */
	const char *cwd;
	int pid, ppid;
	int64_t start_us;
	json_object *argv;   /**< parsed argv_json (optional cache, not owned) */
	const char *cmdline; /**< argv joined (optional cache) */
};

/** What a mapping needs besides the record itself. */
struct sr_exp_ctx {
	const struct sr_session_row *sess; /**< the record's session (may be NULL) */
	const struct sr_exp_proc *proc;    /**< its process (may be NULL) */
};

/**
 * Map one native record to an ECS document. Returns a new object (caller
 * puts it) or NULL when @p rec is not a record (no "event" string) or on
 * allocation failure.
 */
json_object *sr_ecs_map(json_object *rec, const struct sr_exp_ctx *ctx);

/**
 * Map one native record to an OCSF event: session.command / process_exit /
 * escape to Process Activity (1007), session.disk to File System Activity
 * (1001), session.network to Network Activity (4001). Returns NULL for
 * records with no OCSF class here (session.start, session.end,
 * session.data_loss), setting *@p unmapped to true, or on failure.
 */
json_object *sr_ocsf_map(json_object *rec, const struct sr_exp_ctx *ctx, bool *unmapped);

/** Shared json-c helpers for the mappings. */
const char *sr_j_str(json_object *o, const char *k);
int64_t sr_j_int(json_object *o, const char *k, int64_t dflt);
bool sr_j_has(json_object *o, const char *k);
/** Get or create the object member @p k of @p o. */
json_object *sr_j_obj(json_object *o, const char *k);
/** Add a string (or nothing when @p v is NULL). */
void sr_j_put_str(json_object *o, const char *k, const char *v);
/** Milliseconds since the epoch of the RFC 3339 "time" of @p rec (0 if missing). */
int64_t sr_j_time_ms(json_object *rec);

#endif
