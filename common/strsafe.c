/* SPDX-License-Identifier: BSD-2-Clause */
#include "strsafe.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF); NUL is valid only
 * when @p nul. */
static size_t utf8_seq_nul(const unsigned char *s, size_t avail, bool nul)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c || nul ? 1 : 0;
	size_t n;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	return utf8_seq_nul(s, avail, false);
}

static bool valid(const char *in, size_t len, bool nul)
{
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_nul(s + i, len - i, nul);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

bool sr_utf8_valid(const char *in, size_t len)
{
	return valid(in, len, false);
}

bool sr_utf8_valid_nul(const char *in, size_t len)
{
	return valid(in, len, true);
}

static char *sanitize(const char *in, size_t len, bool nul, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	char *out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_nul(s + i, len - i, nul);
		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			o += (size_t)sprintf(out + o, "\\x%02x", s[i]);
			i++;
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

char *sr_utf8_sanitize(const char *in, size_t len)
{
	return sanitize(in, len, false, NULL);
}

char *sr_utf8_sanitize_nul(const char *in, size_t len, size_t *outlen)
{
	return sanitize(in, len, true, outlen);
}

size_t sr_utf8_next(const char *in, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = len ? utf8_seq(s, len) : 0;
	uint32_t c;

	if (!n)
		return 0;
	c = n == 1 ? s[0] : s[0] & (0xFF >> (n + 1));
	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*cp = c;
	return n;
}

/*
 * Unicode general category Cf (format: invisible, and some reorder what
 * follows them), Unicode 15.1, plus the line and paragraph separators: a
 * terminal or browser would show "ls" for "\u202esl" or hide a zero-width
 * space inside a command.
 */
static const struct {
	uint32_t lo, hi;
} format_chars[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
};

bool sr_unicode_is_format(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(format_chars) / sizeof(format_chars[0]); i++)
		if (cp >= format_chars[i].lo && cp <= format_chars[i].hi)
			return true;
	return false;
}

/* Write the terminal-safe form of in into out (cap >= 1); returns bytes used,
 * stopping early (and flagging *cut) when the next piece would not fit. */
static size_t term_escape_into(const char *in, char *out, size_t cap, bool *cut)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), o = 0;
	*cut = false;
	for (size_t i = 0; i < len;) {
		char piece[16];
		size_t plen;
		uint32_t c = s[i], cp = 0;
		size_t n = sr_utf8_next(in + i, len - i, &cp);
		if (n >= 2 && ((cp >= 0x80 && cp < 0xA0) || sr_unicode_is_format(cp))) {
			/* C1 controls (CSI and friends) and invisible format characters */
			plen = (size_t)snprintf(piece, sizeof(piece),
			                        cp > 0xFFFF ? "\\U%08x" : "\\u%04x", cp);
		} else if (n == 1 && (c < 0x20 || c == 0x7F)) {
			switch (c) {
			case '\n':
				plen = 2;
				memcpy(piece, "\\n", 2);
				break;
			case '\t':
				plen = 2;
				memcpy(piece, "\\t", 2);
				break;
			case '\r':
				plen = 2;
				memcpy(piece, "\\r", 2);
				break;
			case 0x1B:
				plen = 2;
				memcpy(piece, "\\e", 2);
				break;
			default:
				plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", c);
			}
		} else if (n == 0) {
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", c);
			n = 1;
		} else {
			plen = n;
			memcpy(piece, s + i, n);
		}
		if (o + plen + 1 > cap) {
			*cut = true;
			break;
		}
		memcpy(out + o, piece, plen);
		o += plen;
		i += n;
	}
	out[o] = '\0';
	return o;
}

char *sr_term_escape(const char *in)
{
	const unsigned char *c = (const unsigned char *)in;
	size_t cap;
	char *out;

	/* printable ASCII is its own escaped form (every table cell goes here) */
	while (*c >= 0x20 && *c < 0x7F)
		c++;
	if (!*c)
		return strdup(in);
	cap = strlen(in) * 6 + 1;
	out = malloc(cap);
	if (!out)
		return NULL;
	bool cut;
	term_escape_into(in, out, cap, &cut);
	return out;
}

char *sr_term_escape_buf(const char *in, char *out, size_t outcap)
{
	if (outcap < 8) {
		if (outcap)
			out[0] = '\0';
		return out;
	}
	bool cut;
	size_t o = term_escape_into(in, out, outcap - 3, &cut);
	if (cut)
		memcpy(out + o, "...", 4);
	return out;
}

char *sr_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
