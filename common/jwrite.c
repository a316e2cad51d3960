/* SPDX-License-Identifier: BSD-2-Clause */
/* A compact JSON text writer (see jwrite.h). */
#include "jwrite.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strsafe.h"

static bool reserve(struct sr_jw *w, size_t extra)
{
	size_t n;
	char *b;

	if (w->oom)
		return false;
	if (w->len + extra <= w->cap)
		return true;
	/* small first: sshrec export keeps one writer's text per cached process
	 * (its argv, mostly < 256 bytes), and 4 KiB blocks freed in random order
	 * made malloc search its bins (~6 % of an ECS export); a reused writer
	 * (a record's) reaches its size in a few doublings once */
	n = w->cap ? w->cap : 256;
	while (n < w->len + extra)
		n *= 2;
	b = realloc(w->b, n);
	if (!b) {
		w->oom = true;
		return false;
	}
	w->b = b;
	w->cap = n;
	return true;
}

void sr_jw_put(struct sr_jw *w, const char *s, size_t len)
{
	if (!reserve(w, len))
		return;
	memcpy(w->b + w->len, s, len);
	w->len += len;
}

void sr_jw_reset(struct sr_jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->more[0] = false;
	w->oom = false;
}

void sr_jw_free(struct sr_jw *w)
{
	free(w->b);
	memset(w, 0, sizeof(*w));
}

int sr_jw_error(const struct sr_jw *w)
{
	return w->oom ? -ENOMEM : 0;
}

/* Bytes that end a run of plain text: 1 escaped ('"', '\\', controls, DEL),
 * 2 a byte of a multi-byte sequence (a C1 control, or UTF-8 to check). */
static const unsigned char stop[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1, [0x80 ... 0xff] = 2,
};

/* True when one of the 8 bytes of @p x ends a run (stop[] not 0): below
 * 0x20, '"', '\\', or 0x7f and up (the words of ASCII text skip the table). */
static bool word_stops(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x | (x + ones)) &
	       highs;
}

/* Escape @p len bytes (json-c's rules, '/' not escaped). Returns false,
 * writing nothing, when they hold a byte >= 0x80 and are not valid UTF-8. */
static bool quote_valid(struct sr_jw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	bool high = false;
	size_t start = w->len;
	char *o;

	if (!reserve(w, len * 6 + 2))
		return true;
	o = w->b + w->len;
	*o++ = '"';
	while (p < end) {
		const unsigned char *run = p;

		/* DEL and C1 controls (UTF-8 C2 80..C2 9F) too: a terminal showing
		 * the JSON lines must not act on them */
		for (;;) {
			uint64_t x;

			while (end - p >= 8 && (memcpy(&x, p, 8), !word_stops(x)))
				p += 8;
			while (p < end && !stop[*p])
				p++;
			if (p >= end || stop[*p] == 1 ||
			    (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] < 0xa0))
				break;
			high = true;
			p++;
		}
		memcpy(o, run, (size_t)(p - run));
		o += p - run;
		if (p >= end)
			break;
		*o++ = '\\';
		if (*p == 0xc2) { /* a C1 control: \u0080..\u009f */
			high = true;
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[p[1] >> 4];
			*o++ = hex[p[1] & 0xf];
			p += 2;
			continue;
		}
		switch (*p) {
		case '"':
		case '\\':
			*o++ = (char)*p;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
		p++;
	}
	*o++ = '"';
	if (high && !sr_utf8_valid_nul(s, len)) {
		w->len = start;
		return false;
	}
	w->len = (size_t)(o - w->b);
	return true;
}

void sr_jw_quote(struct sr_jw *w, const char *s, size_t len)
{
	size_t clen;
	char *clean;

	if (quote_valid(w, s, len))
		return;
	/* NUL stays NUL (written \u0000) whatever the other bytes are */
	clean = sr_utf8_sanitize_nul(s, len, &clen);
	if (!clean) {
		w->oom = true;
		return;
	}
	quote_valid(w, clean, clen);
	free(clean);
}

/* The separator and "key": before a member or element. */
static void member(struct sr_jw *w, const char *key, size_t kl)
{

	if (!reserve(w, kl + 4))
		return;
	if (w->more[w->depth])
		w->b[w->len++] = ',';
	w->more[w->depth] = true;
	if (key) {
		w->b[w->len++] = '"';
		memcpy(w->b + w->len, key, kl);
		w->len += kl;
		w->b[w->len++] = '"';
		w->b[w->len++] = ':';
	}
}

static void open_c(struct sr_jw *w, const char *key, size_t kl, char open, char close)
{
	if (w->depth > 0 || w->len > 0)
		member(w, key, kl);
	if (w->depth + 1 >= SR_JW_MAX_DEPTH) {
		w->oom = true; /* a programming error: the mappings nest 4 deep */
		return;
	}
	sr_jw_put(w, &open, 1);
	w->depth++;
	w->more[w->depth] = false;
	w->close[w->depth] = close;
}

void sr_jw_obj_k(struct sr_jw *w, const char *key, size_t klen)
{
	open_c(w, key, klen, '{', '}');
}

void sr_jw_arr_k(struct sr_jw *w, const char *key, size_t klen)
{
	open_c(w, key, klen, '[', ']');
}

void sr_jw_end(struct sr_jw *w)
{
	if (w->depth <= 0)
		return;
	sr_jw_put(w, &w->close[w->depth], 1);
	w->depth--;
}

void sr_jw_strn_k(struct sr_jw *w, const char *key, size_t klen, const char *v, size_t len)
{
	member(w, key, klen);
	sr_jw_quote(w, v, len);
}

size_t sr_jw_fmt_int(int64_t v, char buf[24])
{
	char tmp[24], *e = tmp + sizeof(tmp), *p = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	memcpy(buf, p, (size_t)(e - p));
	return (size_t)(e - p);
}

void sr_jw_int_k(struct sr_jw *w, const char *key, size_t klen, int64_t v)
{
	char buf[24];
	size_t n = sr_jw_fmt_int(v, buf);

	member(w, key, klen);
	sr_jw_put(w, buf, n);
}

void sr_jw_null_k(struct sr_jw *w, const char *key, size_t klen)
{
	member(w, key, klen);
	sr_jw_put(w, "null", 4);
}

void sr_jw_bool_k(struct sr_jw *w, const char *key, size_t klen, bool v)
{
	member(w, key, klen);
	sr_jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void sr_jw_raw_k(struct sr_jw *w, const char *key, size_t klen, const char *json, size_t len)
{
	member(w, key, klen);
	sr_jw_put(w, json, len);
}
