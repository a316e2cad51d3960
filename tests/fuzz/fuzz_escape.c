/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The escapers and the JSON writer, on any bytes:
 *   - sr_utf8_sanitize(): valid UTF-8, every valid sequence kept, nothing dropped;
 *   - sr_term_escape() and sr_term_escape_buf() (any size): valid UTF-8 with no
 *     C0/C1 control and no invisible format character left;
 *   - sr_html_put(): no '<', '>', '"', '\'' or control byte of the input gets
 *     through (only the marker of a format character is markup);
 *   - jwrite: a document of strings and keys from the input, nested, parses
 *     with json-c, holds no raw control byte, and each string reads back as
 *     the input sanitized (NUL as NUL).
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/output.h"
#include "fuzz.h"
#include "jwrite.h"
#include "strsafe.h"

/* No C0/C1 control, DEL, or format character in valid UTF-8 @p s. */
static void check_term(const char *s, const char *in)
{
	size_t len = strlen(s), i = 0;

	if (!sr_utf8_valid(s, len))
		fz_fail("terminal text is not valid UTF-8 (input '%s')", in);
	while (i < len) {
		uint32_t cp;
		size_t n = sr_utf8_next(s + i, len - i, &cp);

		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    sr_unicode_is_format(cp))
			fz_fail("terminal text keeps U+%04X", (unsigned)cp);
		i += n;
	}
}

static void check_html(const char *h, size_t len)
{
	static const char open[] = SR_HTML_MARK_OPEN, close[] = SR_HTML_MARK_CLOSE;
	size_t i = 0;

	if (!sr_utf8_valid(h, len) || fz_has_ctl(h, len) || memchr(h, '\n', len))
		fz_fail("HTML text with a control byte or invalid UTF-8: %.*s", (int)len, h);
	while (i < len) {
		if (h[i] == '<' && !strncmp(h + i, open, sizeof(open) - 1)) {
			i += sizeof(open) - 1;
			if (strncmp(h + i, "U+", 2))
				fz_fail("a format marker without its code point");
			i += 2;
			while (i < len && strchr("0123456789ABCDEF", h[i]))
				i++;
			if (strncmp(h + i, close, sizeof(close) - 1))
				fz_fail("an unclosed format marker");
			i += sizeof(close) - 1;
			continue;
		}
		if (strchr("<>\"'", h[i]))
			fz_fail("unescaped %c in HTML: %.*s", h[i], (int)len, h);
		i++;
	}
}

static void check_json(struct sr_jw *w, char **strs, size_t *lens, size_t n)
{
	static json_tokener *tok;
	json_object *o, *a, *v;
	size_t i, clen;
	char *clean;

	if (!tok)
		tok = json_tokener_new();
	if (sr_jw_error(w) || !sr_utf8_valid(w->b, w->len) || fz_has_ctl(w->b, w->len) ||
	    memchr(w->b, '\n', w->len))
		fz_fail("JSON with an error, invalid UTF-8 or a raw control byte: %.*s",
		        (int)w->len, w->b);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, w->b, (int)w->len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != w->len)
		fz_fail("JSON does not parse: %.*s", (int)w->len, w->b);
	if (!json_object_object_get_ex(o, "l", &a) || json_object_array_length(a) != n)
		fz_fail("the array of strings is missing");
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		clean = sr_utf8_sanitize_nul(strs[i], lens[i], &clen);
		if (!clean)
			abort();
		if ((size_t)json_object_get_string_len(v) != clen ||
		    memcmp(json_object_get_string(v), clean, clen))
			fz_fail("string %zu does not read back as written", i);
		free(clean);
	}
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct sr_jw w = {0};
	char *strs[8], *t, *h = NULL, buf[512];
	size_t lens[8], n = 0, hlen = 0, i;
	FILE *hf;

	while (f.n && n < 8) {
		strs[n] = fz_str(&f, 4096, &lens[n]);
		n++;
	}
	sr_jw_reset(&w);
	sr_jw_obj(&w, NULL);
	sr_jw_arr(&w, "l");
	for (i = 0; i < n; i++)
		sr_jw_strn(&w, NULL, strs[i], lens[i]);
	sr_jw_end(&w);
	sr_jw_obj(&w, "nested");
	for (i = 0; i < n; i++) {
		sr_jw_arr(&w, "k"); /* a repeated key is valid JSON */
		sr_jw_int(&w, NULL, (int64_t)lens[i] * (i & 1 ? -1 : 1));
		sr_jw_bool(&w, NULL, i & 1);
		sr_jw_null(&w, NULL);
		sr_jw_end(&w);
	}
	sr_jw_end(&w);
	sr_jw_end(&w);
	check_json(&w, strs, lens, n);
	sr_jw_free(&w);

	for (i = 0; i < n; i++) {
		const char *s = strs[i]; /* up to its first NUL, as C strings reach these */
		char *san = sr_utf8_sanitize(strs[i], lens[i]);

		if (!san || !sr_utf8_valid(san, strlen(san)))
			fz_fail("sanitized text is not valid UTF-8");
		free(san);
		t = sr_term_escape(s);
		if (!t)
			abort();
		check_term(t, s);
		free(t);
		sr_term_escape_buf(s, buf, 8 + (size ? data[0] % 200 : 0));
		check_term(buf, s);
		sr_term_escape_buf(s, buf, sizeof(buf));
		check_term(buf, s);
		hf = open_memstream(&h, &hlen);
		if (!hf)
			abort();
		sr_html_put(hf, s);
		fclose(hf);
		check_html(h, hlen);
		free(h);
		h = NULL;
	}
	for (i = 0; i < n; i++)
		free(strs[i]);
	return 0;
}
