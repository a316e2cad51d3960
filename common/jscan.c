/* SPDX-License-Identifier: BSD-2-Clause */
/* A validating scanner for one flat JSON record (see jscan.h). */
#include "jscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jwrite.h"
#include "strsafe.h"

#define MAX_DEPTH 64

struct cur {
	const char *p, *end;
	struct sr_jrec *r;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char h = p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * Decode the string at c->p (on the opening quote) into the arena, which the
 * caller sized to hold the whole text: a decoded string never outgrows its
 * quoted form. A lone surrogate becomes U+FFFD.
 */
static int scan_string(struct cur *c, const char **out, size_t *outlen)
{
	struct sr_jrec *r = c->r;
	char *o = r->arena + r->alen, *start = o;
	const char *p = c->p + 1;

	for (;;) {
		const char *run = p;

		while (p < c->end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		memcpy(o, run, (size_t)(p - run));
		o += p - run;
		if (p >= c->end || (unsigned char)*p < 0x20)
			return -EINVAL;
		if (*p == '"')
			break;
		if (++p >= c->end)
			return -EINVAL;
		switch (*p++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			unsigned cp, lo;

			if (c->end - p < 4 || hex4(p, &cp))
				return -EINVAL;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && c->end - p >= 6 && p[0] == '\\' &&
			    p[1] == 'u' && hex4(p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			o = put_utf8(o, cp);
			break;
		}
		default:
			return -EINVAL;
		}
	}
	*o++ = '\0';
	*out = start;
	*outlen = (size_t)(o - start - 1);
	r->alen += (size_t)(o - start);
	c->p = p + 1;
	return 0;
}

static int scan_number(struct cur *c, struct sr_jval *v)
{
	const char *p = c->p, *s = p;
	bool neg = false, is_int = true;
	uint64_t acc = 0;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p >= c->end || *p < '0' || *p > '9')
		return -EINVAL;
	if (*p == '0') {
		p++;
	} else {
		while (p < c->end && *p >= '0' && *p <= '9') {
			if (acc > (UINT64_MAX - 9) / 10)
				is_int = false;
			acc = acc * 10 + (uint64_t)(*p++ - '0');
		}
	}
	if (p < c->end && *p == '.') {
		is_int = false;
		if (++p >= c->end || *p < '0' || *p > '9')
			return -EINVAL;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		is_int = false;
		if (++p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return -EINVAL;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (is_int && acc > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		is_int = false;
	v->s = s;
	v->len = (size_t)(p - s);
	if (is_int) {
		v->t = SR_JT_INT;
		v->i = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	} else {
		/* the text is not NUL-terminated: copy it for strtod */
		char buf[64];
		size_t n = v->len < sizeof(buf) - 1 ? v->len : sizeof(buf) - 1;
		double d;

		memcpy(buf, s, n);
		buf[n] = '\0';
		d = strtod(buf, NULL);
		v->t = SR_JT_DOUBLE;
		v->i = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
	}
	c->p = p;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elsz)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elsz);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int scan_value(struct cur *c, struct sr_jval *v, int depth, bool list);

static int expect_lit(struct cur *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return -EINVAL;
	c->p += n;
	return 0;
}

/* An array or object at c->p (on '[' or '{'). With @p list, the array's
 * elements are appended to r->el. */
static int scan_container(struct cur *c, struct sr_jval *v, int depth, bool list)
{
	bool obj = *c->p == '{';
	char close = obj ? '}' : ']';
	const char *s = c->p;
	int rc;

	if (depth >= MAX_DEPTH)
		return -EINVAL;
	v->t = obj ? SR_JT_OBJ : SR_JT_ARR;
	v->first = c->r->nel;
	v->n = 0;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		v->s = s;
		v->len = (size_t)(c->p - s);
		return 0;
	}
	for (;;) {
		struct sr_jval e;

		skip_ws(c);
		if (obj) {
			const char *k;
			size_t kl;

			if (c->p >= c->end || *c->p != '"')
				return -EINVAL;
			if ((rc = scan_string(c, &k, &kl)))
				return rc;
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -EINVAL;
			c->p++;
		}
		if ((rc = scan_value(c, &e, depth + 1, false)))
			return rc;
		if (list) {
			if (grow((void **)&c->r->el, &c->r->elcap, c->r->nel + 1, sizeof(e)))
				return -ENOMEM;
			c->r->el[c->r->nel++] = e;
			v->n++;
		}
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == close)
			break;
		return -EINVAL;
	}
	c->p++;
	v->s = s;
	v->len = (size_t)(c->p - s);
	return 0;
}

static int scan_value(struct cur *c, struct sr_jval *v, int depth, bool list)
{
	skip_ws(c);
	if (c->p >= c->end)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	switch (*c->p) {
	case '"':
		v->t = SR_JT_STR;
		return scan_string(c, &v->s, &v->len);
	case '{':
	case '[':
		return scan_container(c, v, depth, list && *c->p == '[');
	case 't':
		v->t = SR_JT_BOOL;
		v->i = 1;
		v->s = "true";
		v->len = 4;
		return expect_lit(c, "true", 4);
	case 'f':
		v->t = SR_JT_BOOL;
		v->s = "false";
		v->len = 5;
		return expect_lit(c, "false", 5);
	case 'n':
		v->t = SR_JT_NULL;
		v->s = "null";
		v->len = 4;
		return expect_lit(c, "null", 4);
	default:
		return scan_number(c, v);
	}
}

static unsigned key_hash(const char *k, size_t len)
{
	unsigned h = (unsigned)len * 31u;

	if (len)
		h += (unsigned char)k[0] * 7u + (unsigned char)k[len - 1] * 13u +
		     (unsigned char)k[len / 2];
	return h & (SR_JREC_SLOTS - 1);
}

/* Index member @p i (replacing an earlier member of the same name). */
static void index_member(struct sr_jrec *r, size_t i)
{
	const struct sr_jmem *m = &r->m[i];
	unsigned h = key_hash(m->key, m->klen);

	if (i + 1 >= SR_JREC_SLOTS / 2)
		r->indexed = false;
	if (!r->indexed)
		return;
	while (r->slot[h]) {
		const struct sr_jmem *o = &r->m[r->slot[h] - 1];

		if (o->klen == m->klen && !memcmp(o->key, m->key, m->klen))
			break;
		h = (h + 1) & (SR_JREC_SLOTS - 1);
	}
	r->slot[h] = (uint16_t)(i + 1);
}

static int begin(struct sr_jrec *r, struct cur *c, const char *text, size_t len)
{
	r->n = r->nel = r->alen = 0;
	memset(r->slot, 0, sizeof(r->slot));
	r->indexed = true;
	if (grow((void **)&r->arena, &r->acap, len + 1, 1))
		return -ENOMEM;
	c->p = text;
	c->end = text + len;
	c->r = r;
	skip_ws(c);
	return 0;
}

static int finish(struct cur *c)
{
	skip_ws(c);
	return c->p == c->end ? 0 : -EINVAL;
}

int sr_jrec_parse(struct sr_jrec *r, const char *text, size_t len)
{
	struct cur c;
	int rc;

	if ((rc = begin(r, &c, text, len)))
		return rc;
	if (c.p >= c.end || *c.p != '{')
		return -EINVAL;
	c.p++;
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
		return finish(&c);
	}
	for (;;) {
		struct sr_jmem *m;

		skip_ws(&c);
		if (c.p >= c.end || *c.p != '"')
			return -EINVAL;
		if (grow((void **)&r->m, &r->cap, r->n + 1, sizeof(*r->m)))
			return -ENOMEM;
		m = &r->m[r->n];
		if ((rc = scan_string(&c, &m->key, &m->klen)))
			return rc;
		skip_ws(&c);
		if (c.p >= c.end || *c.p != ':')
			return -EINVAL;
		c.p++;
		if ((rc = scan_value(&c, &m->v, 1, true)))
			return rc;
		index_member(r, r->n++);
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		if (c.p < c.end && *c.p == '}')
			break;
		return -EINVAL;
	}
	c.p++;
	return finish(&c);
}

int sr_jrec_parse_array(struct sr_jrec *r, const char *text, size_t len)
{
	struct sr_jval v;
	struct cur c;
	int rc;

	if ((rc = begin(r, &c, text, len)))
		return rc;
	if (c.p >= c.end || *c.p != '[')
		return -EINVAL;
	if ((rc = scan_value(&c, &v, 0, true)))
		return rc;
	return finish(&c);
}

/* ---- building from values ---------------------------------------------- */

/*
 * While building, a value's text is in the arena, which may still move: it
 * sits at offset v->first with v->s NULL, and sr_jrec_built() points v->s
 * at it (a JSON text, typed SR_JT_OBJ until then, is scanned there).
 */

void sr_jrec_build(struct sr_jrec *r)
{
	r->n = r->nel = r->alen = 0;
	memset(r->slot, 0, sizeof(r->slot));
	r->indexed = true;
	r->oom = false;
}

/* A new member @p key of type @p t, or NULL when out of memory. */
static struct sr_jval *add(struct sr_jrec *r, const char *key, enum sr_jt t)
{
	struct sr_jmem *m;

	if (r->oom || grow((void **)&r->m, &r->cap, r->n + 1, sizeof(*r->m))) {
		r->oom = true;
		return NULL;
	}
	m = &r->m[r->n];
	m->key = key;
	m->klen = strlen(key);
	memset(&m->v, 0, sizeof(m->v));
	m->v.t = t;
	index_member(r, r->n++);
	return &m->v;
}

/* Copy @p len bytes and a NUL to the arena as the pending text of @p v. */
static void add_text(struct sr_jrec *r, struct sr_jval *v, const char *s, size_t len)
{
	if (grow((void **)&r->arena, &r->acap, r->alen + len + 1, 1)) {
		r->oom = true;
		return;
	}
	memcpy(r->arena + r->alen, s, len);
	r->arena[r->alen + len] = '\0';
	v->first = r->alen;
	v->len = len;
	r->alen += len + 1;
}

/* True when one of the @p len bytes at @p s is 0x80 or above. */
static bool any_high(const char *s, size_t len)
{
	uint64_t x, acc = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&x, s + i, 8);
		acc |= x;
	}
	for (; i < len; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) != 0;
}

void sr_jrec_add_str(struct sr_jrec *r, const char *key, const char *s)
{
	struct sr_jval *v;
	size_t len, i;
	char *clean = NULL;

	if (!s) {
		sr_jrec_add_null(r, key);
		return;
	}
	if (!(v = add(r, key, SR_JT_STR)))
		return;
	len = strlen(s);
	/* what the writer's text of it reads back as (jwrite.c) */
	if (any_high(s, len) && !sr_utf8_valid_nul(s, len)) {
		clean = sr_utf8_sanitize_nul(s, len, &i);
		if (!clean) {
			r->oom = true;
			return;
		}
		s = clean;
		len = i;
	}
	add_text(r, v, s, len);
	free(clean);
}

void sr_jrec_add_int(struct sr_jrec *r, const char *key, int64_t n)
{
	struct sr_jval *v = add(r, key, SR_JT_INT);
	char buf[24];

	if (!v)
		return;
	v->i = n;
	add_text(r, v, buf, sr_jw_fmt_int(n, buf));
}

void sr_jrec_add_bool(struct sr_jrec *r, const char *key, bool b)
{
	struct sr_jval *v = add(r, key, SR_JT_BOOL);

	if (!v)
		return;
	v->i = b;
	v->s = b ? "true" : "false";
	v->len = b ? 4 : 5;
}

void sr_jrec_add_null(struct sr_jrec *r, const char *key)
{
	struct sr_jval *v = add(r, key, SR_JT_NULL);

	if (!v)
		return;
	v->s = "null";
	v->len = 4;
}

void sr_jrec_add_json(struct sr_jrec *r, const char *key, const char *json, size_t len)
{
	struct sr_jval *v = add(r, key, SR_JT_OBJ);

	if (v)
		add_text(r, v, json, len);
}

int sr_jrec_built(struct sr_jrec *r)
{
	size_t i;
	int rc;

	if (r->oom)
		return -ENOMEM;
	/* room for the scans: a decoded string never outgrows its text */
	if (grow((void **)&r->arena, &r->acap, r->alen * 2 + 1, 1))
		return -ENOMEM;
	for (i = 0; i < r->n; i++) {
		struct sr_jval *v = &r->m[i].v;
		struct cur c = {
		    .p = r->arena + v->first, .end = r->arena + v->first + v->len, .r = r};

		if (v->s)
			continue;
		if (v->t != SR_JT_OBJ) {
			v->s = c.p;
			v->first = 0;
			continue;
		}
		if ((rc = scan_value(&c, v, 1, true)) || (rc = finish(&c)))
			return rc;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

const struct sr_jval *sr_jrec_get_k(const struct sr_jrec *r, const char *key, size_t kl)
{
	size_t i = r->n;

	if (r->indexed) {
		unsigned h = key_hash(key, kl);

		while (r->slot[h]) {
			const struct sr_jmem *m = &r->m[r->slot[h] - 1];

			if (m->klen == kl && !memcmp(m->key, key, kl))
				return &m->v;
			h = (h + 1) & (SR_JREC_SLOTS - 1);
		}
		return NULL;
	}
	while (i-- > 0)
		if (r->m[i].klen == kl && !memcmp(r->m[i].key, key, kl))
			return &r->m[i].v;
	return NULL;
}

int64_t sr_jval_int(const struct sr_jval *v, int64_t dflt)
{
	if (!v || v->t == SR_JT_NULL)
		return dflt;
	switch (v->t) {
	case SR_JT_INT:
	case SR_JT_DOUBLE:
	case SR_JT_BOOL:
		return v->i;
	case SR_JT_STR:
		return strtoll(v->s, NULL, 10);
	default:
		return 0;
	}
}

bool sr_jval_bool(const struct sr_jval *v)
{
	if (!v)
		return false;
	switch (v->t) {
	case SR_JT_BOOL:
	case SR_JT_INT:
	case SR_JT_DOUBLE:
		return v->i != 0;
	case SR_JT_STR:
		return v->len != 0;
	default:
		return false;
	}
}

void sr_jrec_free(struct sr_jrec *r)
{
	free(r->m);
	free(r->el);
	free(r->arena);
	memset(r, 0, sizeof(*r));
}
