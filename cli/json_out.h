/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file json_out.h
 * @brief Streaming JSON array output for the --json flags, and the session
 * object shared by `sessions --json` and `search --json`.
 */
#ifndef SSHREC_CLI_JSON_OUT_H
#define SSHREC_CLI_JSON_OUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"

/** A JSON array written element by element (no need to hold them all). */
struct sr_jarr {
	FILE *out;
	bool any;
};

/** Write "[". */
void sr_jarr_begin(struct sr_jarr *a, FILE *out);

/** Write one element (and release @p o). */
void sr_jarr_add(struct sr_jarr *a, json_object *o);

/** Write one element given as JSON text (already valid JSON). */
void sr_jarr_add_raw(struct sr_jarr *a, const char *json);

/** Write "]\n". */
void sr_jarr_end(struct sr_jarr *a);

/** A session row as a JSON object (NULL on allocation failure). */
json_object *sr_session_json(const struct sr_session_row *s);

struct sr_table;

/** Add "key": RFC 3339 string of @p us, or null when @p us is 0. */
void sr_json_add_time(json_object *o, const char *key, int64_t us);

/** The string member @p k of @p o, or NULL (absent, or not a string). */
const char *sr_j_str(json_object *o, const char *k);

/**
 * The string member @p k, else the string member @p old (the name it had
 * in an older record format: session.denied's "kind" and "policy_mode"
 * were the strings "action" and "mode" in format 2), else NULL.
 */
const char *sr_j_str_or(json_object *o, const char *k, const char *old);

/** The member @p k of @p o as an integer, or @p dflt when absent or null. */
int64_t sr_j_int(json_object *o, const char *k, int64_t dflt);

/** True when member @p k of @p o is present and not null. */
bool sr_j_has(json_object *o, const char *k);

#endif
