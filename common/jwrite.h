/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file jwrite.h
 * @brief A small JSON text writer: one document is built in a growable
 * buffer, compact ("{"a":1,"b":[2]}"), members in call order. The daemon
 * writes every record with it and the CLI its exports; json-c remains the
 * parser. Hand-written because building json-c objects was the largest
 * single cost per record (allocations, hashing, printbuf); the unit tests
 * check the output against json-c's for hostile strings.
 * Strings are escaped as json-c does with JSON_C_TO_STRING_NOSLASHESCAPE
 * (\\" \\\\ \\b \\f \\n \\r \\t, other control characters as \\u00xx), and
 * also DEL and the C1 controls (\\u007f, \\u0080..\\u009f), which json-c passes
 * raw: a terminal showing the JSON lines would act on them. A string that is
 * not valid UTF-8 is first passed through sr_utf8_sanitize_nul(), so the
 * output is always valid UTF-8.
 */
#ifndef SSHREC_JWRITE_H
#define SSHREC_JWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Deepest nesting the writer tracks. */
#define SR_JW_MAX_DEPTH 16

/** A document being written. Zero-initialise, then sr_jw_reset() per document. */
struct sr_jw {
	char *b;
	size_t len, cap;
	int depth;
	bool more[SR_JW_MAX_DEPTH];  /**< a member was written at this depth */
	char close[SR_JW_MAX_DEPTH]; /**< '}' or ']' of each open container */
	bool oom;                    /**< an allocation failed (the text is incomplete) */
};

/** Start a new document (keeps the buffer). */
void sr_jw_reset(struct sr_jw *w);

/** Free the buffer. */
void sr_jw_free(struct sr_jw *w);

/*
 * Each writer of a member takes its key and the key's length (_k); the
 * inline forms without _k measure the key where they are called, so that
 * the compiler folds the length of a string literal (most keys).
 */

/** The length of @p key, 0 for NULL (an array element). */
static inline size_t sr_jw_klen(const char *key)
{
	return key ? strlen(key) : 0;
}

/** Open an object: member @p key (@p klen bytes) of the enclosing object; NULL: an element. */
void sr_jw_obj_k(struct sr_jw *w, const char *key, size_t klen);

/** Open an array (as sr_jw_obj_k()). */
void sr_jw_arr_k(struct sr_jw *w, const char *key, size_t klen);

/** Write a string member of @p len bytes (may hold NUL, escaped as \\u0000). */
void sr_jw_strn_k(struct sr_jw *w, const char *key, size_t klen, const char *v, size_t len);

/** Write a null member. */
void sr_jw_null_k(struct sr_jw *w, const char *key, size_t klen);

/** Write an integer member. */
void sr_jw_int_k(struct sr_jw *w, const char *key, size_t klen, int64_t v);

/** Write a boolean member. */
void sr_jw_bool_k(struct sr_jw *w, const char *key, size_t klen, bool v);

/** Write a member whose value is @p len bytes of ready JSON text. */
void sr_jw_raw_k(struct sr_jw *w, const char *key, size_t klen, const char *json, size_t len);

/** Open an object: member @p key of the enclosing object, or an element when NULL. */
static inline void sr_jw_obj(struct sr_jw *w, const char *key)
{
	sr_jw_obj_k(w, key, sr_jw_klen(key));
}

/** Open an array (as sr_jw_obj()). */
static inline void sr_jw_arr(struct sr_jw *w, const char *key)
{
	sr_jw_arr_k(w, key, sr_jw_klen(key));
}

/** Close the innermost object or array. */
void sr_jw_end(struct sr_jw *w);

/** Write a string member of @p len bytes (may hold NUL, escaped as \\u0000). */
static inline void sr_jw_strn(struct sr_jw *w, const char *key, const char *v, size_t len)
{
	sr_jw_strn_k(w, key, sr_jw_klen(key), v, len);
}

/** Write a string member (nothing when @p v is NULL). @p key NULL: an array element. */
static inline void sr_jw_str(struct sr_jw *w, const char *key, const char *v)
{
	if (v)
		sr_jw_strn_k(w, key, sr_jw_klen(key), v, strlen(v));
}

/** Write a null member. */
static inline void sr_jw_null(struct sr_jw *w, const char *key)
{
	sr_jw_null_k(w, key, sr_jw_klen(key));
}

/** Write an integer member. */
static inline void sr_jw_int(struct sr_jw *w, const char *key, int64_t v)
{
	sr_jw_int_k(w, key, sr_jw_klen(key), v);
}

/** Write @p v in decimal at @p buf (no NUL); returns the length. */
size_t sr_jw_fmt_int(int64_t v, char buf[24]);

/** Write a boolean member. */
static inline void sr_jw_bool(struct sr_jw *w, const char *key, bool v)
{
	sr_jw_bool_k(w, key, sr_jw_klen(key), v);
}

/** Write a member whose value is @p len bytes of ready JSON text. */
static inline void sr_jw_raw(struct sr_jw *w, const char *key, const char *json, size_t len)
{
	sr_jw_raw_k(w, key, sr_jw_klen(key), json, len);
}

/**
 * Append @p s (@p len bytes) as a quoted, escaped JSON string to the buffer,
 * with no separator: for building fragments. Invalid UTF-8 is sanitized.
 */
void sr_jw_quote(struct sr_jw *w, const char *s, size_t len);

/** Append raw bytes with no separator. */
void sr_jw_put(struct sr_jw *w, const char *s, size_t len);

/** 0, or -ENOMEM when an allocation failed since sr_jw_reset(). */
int sr_jw_error(const struct sr_jw *w);

#endif
