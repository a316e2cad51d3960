/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file jscan.h
 * @brief A fast, validating scanner for one flat JSON record (one object
 * whose members the export mappings read by name), without building a
 * json-c tree. Strings are decoded (escapes, surrogate pairs) into an arena;
 * a top-level array's elements are listed; nested objects are validated and
 * kept as raw text. The last of duplicate keys wins, as in json-c.
 */
#ifndef SSHREC_CLI_JSCAN_H
#define SSHREC_CLI_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Type of a scanned value. */
enum sr_jt {
	SR_JT_NULL,
	SR_JT_BOOL,
	SR_JT_INT,
	SR_JT_DOUBLE,
	SR_JT_STR,
	SR_JT_ARR,
	SR_JT_OBJ,
};

/** One scanned value. */
struct sr_jval {
	enum sr_jt t;
	const char *s; /**< SR_JT_STR: decoded, NUL-terminated; else the raw JSON text */
	size_t len;    /**< length of @c s */
	int64_t i;     /**< SR_JT_INT and SR_JT_BOOL (0/1); SR_JT_DOUBLE truncated */
	size_t first;  /**< SR_JT_ARR at the top level: index of the first element */
	size_t n;      /**< SR_JT_ARR at the top level: number of elements */
};

/** One member of the record. */
struct sr_jmem {
	const char *key; /**< decoded, NUL-terminated */
	size_t klen;
	struct sr_jval v;
};

/** Slots of the member index (a power of two, more than members of a record). */
#define SR_JREC_SLOTS 128

/** A scanned record; reused from one record to the next. */
struct sr_jrec {
	struct sr_jmem *m; /**< members in text order */
	size_t n, cap;
	uint16_t slot[SR_JREC_SLOTS]; /**< open-addressing index: member index + 1, 0 empty */
	bool indexed;                 /**< slot[] is usable (fewer members than slots) */
	struct sr_jval *el;           /**< elements of the top-level arrays */
	size_t nel, elcap;
	char *arena; /**< decoded strings */
	size_t alen, acap;
};

/**
 * Scan the JSON object of @p len bytes at @p text into @p r (replacing what
 * it held). Returns 0, -EINVAL when the text is not one valid JSON object
 * (or nests deeper than 64), or -ENOMEM.
 */
int sr_jrec_parse(struct sr_jrec *r, const char *text, size_t len);

/**
 * Scan the JSON array of @p len bytes at @p text into @p r (replacing what it
 * held); its elements are r->el[0 .. r->nel). Returns 0, -EINVAL or -ENOMEM.
 */
int sr_jrec_parse_array(struct sr_jrec *r, const char *text, size_t len);

/** The value of member @p key (the last one when repeated), or NULL. */
const struct sr_jval *sr_jrec_get(const struct sr_jrec *r, const char *key);

/** The string member @p key and its length in *@p len, or NULL. */
const char *sr_jrec_strn(const struct sr_jrec *r, const char *key, size_t *len);

/** The string member @p key, or NULL when absent or not a string. */
const char *sr_jrec_str(const struct sr_jrec *r, const char *key);

/**
 * The member @p key as an integer (json-c's get_int64 rules: numbers
 * truncated, booleans 0/1, numeric strings parsed, anything else 0), or
 * @p dflt when it is absent or null.
 */
int64_t sr_jrec_int(const struct sr_jrec *r, const char *key, int64_t dflt);

/** True when member @p key is present and not null. */
bool sr_jrec_has(const struct sr_jrec *r, const char *key);

/** The member @p key as a boolean (json-c's get_boolean rules); false when absent. */
bool sr_jrec_bool(const struct sr_jrec *r, const char *key);

/** Free what @p r holds (it may be scanned into again afterwards). */
void sr_jrec_free(struct sr_jrec *r);

#endif
