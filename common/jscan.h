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
#include <string.h>

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
	bool oom; /**< sr_jrec_build(): an add failed */
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

/** The value of member @p key of @p klen bytes (the last one when repeated), or NULL. */
const struct sr_jval *sr_jrec_get_k(const struct sr_jrec *r, const char *key, size_t klen);

/*
 * The readers by name below are inline so that the length of a literal key
 * is folded where they are called (the mappings look up ~40 keys a record).
 */

/** The value of member @p key (the last one when repeated), or NULL. */
static inline const struct sr_jval *sr_jrec_get(const struct sr_jrec *r, const char *key)
{
	return sr_jrec_get_k(r, key, strlen(key));
}

/** The string member @p key and its length in *@p len, or NULL. */
static inline const char *sr_jrec_strn(const struct sr_jrec *r, const char *key, size_t *len)
{
	const struct sr_jval *v = sr_jrec_get(r, key);

	if (!v || v->t != SR_JT_STR)
		return NULL;
	*len = v->len;
	return v->s;
}

/** The string member @p key, or NULL when absent or not a string. */
static inline const char *sr_jrec_str(const struct sr_jrec *r, const char *key)
{
	const struct sr_jval *v = sr_jrec_get(r, key);

	return v && v->t == SR_JT_STR ? v->s : NULL;
}

/**
 * The value @p v as an integer (json-c's get_int64 rules: numbers
 * truncated, booleans 0/1, numeric strings parsed, anything else 0), or
 * @p dflt when it is NULL or null.
 */
int64_t sr_jval_int(const struct sr_jval *v, int64_t dflt);

/**
 * The member @p key as an integer (json-c's get_int64 rules: numbers
 * truncated, booleans 0/1, numeric strings parsed, anything else 0), or
 * @p dflt when it is absent or null.
 */
static inline int64_t sr_jrec_int(const struct sr_jrec *r, const char *key, int64_t dflt)
{
	return sr_jval_int(sr_jrec_get(r, key), dflt);
}

/** True when member @p key is present and not null. */
static inline bool sr_jrec_has(const struct sr_jrec *r, const char *key)
{
	const struct sr_jval *v = sr_jrec_get(r, key);

	return v && v->t != SR_JT_NULL;
}

/** The value @p v as a boolean (json-c's get_boolean rules); false when NULL. */
bool sr_jval_bool(const struct sr_jval *v);

/** The member @p key as a boolean (json-c's get_boolean rules); false when absent. */
static inline bool sr_jrec_bool(const struct sr_jrec *r, const char *key)
{
	return sr_jval_bool(sr_jrec_get(r, key));
}

/**
 * Start filling @p r member by member (replacing what it held), as
 * sr_jrec_parse() would from the JSON text with those members: the
 * sr_jrec_add_*() calls in text order, then sr_jrec_built(). For writers
 * that have the values at hand (sshrec export rebuilds records from rows):
 * no text is written and scanned again. Keys must outlive the use of @p r
 * (string literals).
 */
void sr_jrec_build(struct sr_jrec *r);

/**
 * Add string member @p key (copied; sanitized as the JSON writer does when
 * not valid UTF-8, so it reads back as written text would); @p s NULL adds
 * a null member.
 */
void sr_jrec_add_str(struct sr_jrec *r, const char *key, const char *s);

/** Add integer member @p key. */
void sr_jrec_add_int(struct sr_jrec *r, const char *key, int64_t v);

/** Add boolean member @p key. */
void sr_jrec_add_bool(struct sr_jrec *r, const char *key, bool v);

/** Add null member @p key. */
void sr_jrec_add_null(struct sr_jrec *r, const char *key);

/** Add member @p key whose value is the JSON text @p json (copied, scanned by sr_jrec_built()). */
void sr_jrec_add_json(struct sr_jrec *r, const char *key, const char *json, size_t len);

/**
 * Finish what sr_jrec_build() started. Returns 0, -EINVAL when a text of
 * sr_jrec_add_json() is not one JSON value, or -ENOMEM (also when an add
 * failed).
 */
int sr_jrec_built(struct sr_jrec *r);

/** Free what @p r holds (it may be scanned into again afterwards). */
void sr_jrec_free(struct sr_jrec *r);

#endif
