/* SPDX-License-Identifier: BSD-2-Clause */
/* Pure formatting for the CLI: quoting, durations, names, tables, colour. */
#include "cli/output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strsafe.h"

char *sr_argv_join_obj(json_object *arr, const char *argv0, bool truncated)
{
	size_t i, pre = argv0 ? 1 : 0, n = json_object_array_length(arr);
	const char **w = calloc(n + pre ? n + pre : 1, sizeof(*w));
	char *out;

	if (!w)
		return NULL;
	if (pre)
		w[0] = argv0;
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		w[pre + i] = json_object_is_type(e, json_type_string)
		                 ? json_object_get_string(e)
		                 : json_object_to_json_string(e);
	}
	out = sr_argv_join_v(w, n + pre, truncated);
	free(w);
	return out;
}

/* sr_shell_quote()'s safe bytes, without its strchr() per byte. */
static inline bool shell_safe_byte(unsigned char c)
{
	switch (c) {
	case '_':
	case '@':
	case '%':
	case '+':
	case '=':
	case ':':
	case ',':
	case '.':
	case '/':
	case '-':
		return true;
	default:
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	}
}

/*
 * The arrays sshrecd writes: strings without escapes or control bytes, no
 * spaces, nothing after the ']'. json-c gives such a string's bytes as they
 * are, so they are quoted and joined here straight from the text, without a
 * json-c tree (a locale switch, an object and a copy per word): the output is
 * sr_argv_join_v()'s. Anything else sets *other and returns NULL, and the
 * caller parses it with json-c; NULL with !*other is out of memory.
 */
static char *argv_join_plain(const char *j, bool truncated, bool *other)
{
	size_t len = strlen(j), o = 0, n = 0;
	const unsigned char *s = (const unsigned char *)j + 1;
	char *out;

	*other = true;
	if (len < 2 || j[0] != '[' || j[len - 1] != ']')
		return NULL;
	/* a word costs at most 4 bytes a byte ("'" becomes '\''), its JSON
	 * quotes pay for its own and the comma for the space */
	out = malloc(len * 4 + sizeof(" \xe2\x80\xa6"));
	if (!out) {
		*other = false;
		return NULL;
	}
	if (*s != ']') {
		for (;;) {
			const unsigned char *w;
			bool plain = true;
			size_t wl, k;

			if (*s != '"')
				goto other;
			w = ++s;
			for (; *s != '"'; s++) {
				if (*s < 0x20 || *s == '\\')
					goto other;
				plain = plain && shell_safe_byte(*s);
			}
			wl = (size_t)(s - w);
			s++;
			if (n++)
				out[o++] = ' ';
			if (plain && wl) {
				memcpy(out + o, w, wl);
				o += wl;
			} else {
				out[o++] = '\'';
				for (k = 0; k < wl; k++) {
					if (w[k] == '\'') {
						memcpy(out + o, "'\\''", 4);
						o += 4;
					} else {
						out[o++] = (char)w[k];
					}
				}
				out[o++] = '\'';
			}
			if (*s == ']')
				break;
			if (*s != ',')
				goto other;
			s++;
		}
	}
	if (s + 1 != (const unsigned char *)j + len)
		goto other;
	if (truncated) {
		const char *e = n ? " \xe2\x80\xa6" : "\xe2\x80\xa6";

		memcpy(out + o, e, strlen(e));
		o += strlen(e);
	}
	out[o] = '\0';
	*other = false;
	return out;
other:
	free(out);
	return NULL;
}

char *sr_argv_join(const char *argv_json, bool truncated)
{
	json_object *arr;
	char *out;
	bool other = true;

	if (argv_json) {
		out = argv_join_plain(argv_json, truncated, &other);
		if (!other)
			return out;
	}
	arr = json_tokener_parse(argv_json ? argv_json : "");

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return sr_shell_quote(argv_json ? argv_json : "");
	}
	out = sr_argv_join_obj(arr, NULL, truncated);
	json_object_put(arr);
	return out;
}

size_t sr_fmt_int(int64_t v, char *buf)
{
	char b[SR_FMT_INT_MAX], *e = b + sizeof(b), *c = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	do
		*--c = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--c = '-';
	n = (size_t)(e - c);
	memcpy(buf, c, n);
	buf[n] = '\0';
	return n;
}

char *sr_fmt_duration(int64_t ms, char *buf, size_t cap)
{
	if (ms >= 0 && ms < 1000 && cap >= sizeof("999 ms"))
		memcpy(buf + sr_fmt_int(ms, buf), " ms", sizeof(" ms"));
	else if (ms < 0)
		snprintf(buf, cap, "-");
	else if (ms < 1000)
		snprintf(buf, cap, "%" PRId64 " ms", ms);
	else if (ms < 60000)
		snprintf(buf, cap, "%" PRId64 ".%" PRId64 " s", ms / 1000, (ms % 1000) / 100);
	else if (ms < 3600000)
		snprintf(buf, cap, "%" PRId64 "m%02" PRId64 "s", ms / 60000, (ms / 1000) % 60);
	else if (ms < 86400000)
		snprintf(buf, cap, "%" PRId64 "h%02" PRId64 "m", ms / 3600000, (ms / 60000) % 60);
	else
		snprintf(buf, cap, "%" PRId64 "d%02" PRId64 "h", ms / 86400000,
		         (ms / 3600000) % 24);
	return buf;
}

char *sr_fmt_time(int64_t us, char *buf, size_t cap)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		snprintf(buf, cap, "%" PRId64, us);
	else
		strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

size_t sr_display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

const char *sr_col(bool on, enum sr_color_id c)
{
	static const char *const seq[] = {
	    [SR_C_RESET] = "\033[0m", [SR_C_BOLD] = "\033[1m",     [SR_C_DIM] = "\033[2m",
	    [SR_C_RED] = "\033[31m",  [SR_C_GREEN] = "\033[32m",   [SR_C_YELLOW] = "\033[33m",
	    [SR_C_BLUE] = "\033[34m", [SR_C_MAGENTA] = "\033[35m", [SR_C_CYAN] = "\033[36m",
	};
	return on ? seq[c] : "";
}

int sr_table_init(struct sr_table *t, size_t ncols, const char **head)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->head = head;
	t->width = calloc(ncols, sizeof(*t->width));
	if (!t->width)
		return -ENOMEM;
	for (i = 0; i < ncols; i++)
		t->width[i] = sr_display_width(head[i]);
	return 0;
}

static void stream_flush(struct sr_table *t, bool header);

int sr_table_add(struct sr_table *t, const char **cells)
{
	size_t i;

	/* streaming: the previous row is complete (colours set), print it; or
	 * the window is full: print it with the header */
	if (t->stream && t->nrows && (t->streaming || t->nrows >= t->window))
		stream_flush(t, !t->streaming);

	if (t->nrows == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, nc * t->ncols * sizeof(*c));
		enum sr_color_id *k;

		if (!c)
			return -ENOMEM;
		t->cells = c;
		k = realloc(t->colors, nc * t->ncols * sizeof(*k));
		if (!k)
			return -ENOMEM;
		t->colors = k;
		t->cap = nc;
	}
	for (i = 0; i < t->ncols; i++) {
		char *e = sr_term_escape(cells[i] ? cells[i] : "-");
		size_t w;

		if (!e) {
			while (i--)
				free(t->cells[t->nrows * t->ncols + i]);
			return -ENOMEM;
		}
		t->cells[t->nrows * t->ncols + i] = e;
		t->colors[t->nrows * t->ncols + i] = SR_C_RESET;
		w = sr_display_width(e);
		if (w > t->width[i] && !t->streaming)
			t->width[i] = w;
	}
	t->nrows++;
	return 0;
}

void sr_table_min_width(struct sr_table *t, size_t col, size_t width)
{
	if (col < t->ncols && t->width[col] < width)
		t->width[col] = width;
}

void sr_table_color(struct sr_table *t, size_t col, enum sr_color_id c)
{
	if (t->nrows && col < t->ncols)
		t->colors[(t->nrows - 1) * t->ncols + col] = c;
}

static void put_cell(FILE *out, const char *s, size_t width, bool last, const char *on,
                     const char *off)
{
	size_t w = sr_display_width(s);

	fprintf(out, "%s%s%s", on, s, off);
	if (!last)
		fprintf(out, "%*s", (int)(w > width ? 2 : width - w + 2), "");
}

/* Print the held rows (after the header unless already streaming). */
static void print_rows(const struct sr_table *t, FILE *out, bool color, bool header)
{
	size_t r, c;

	if (header) {
		for (c = 0; c < t->ncols; c++)
			put_cell(out, t->head[c], t->width[c], c + 1 == t->ncols,
			         sr_col(color, SR_C_BOLD), sr_col(color, SR_C_RESET));
		fputc('\n', out);
	}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			enum sr_color_id k = t->colors[r * t->ncols + c];
			bool on = color && k != SR_C_RESET;

			put_cell(out, t->cells[r * t->ncols + c], t->width[c], c + 1 == t->ncols,
			         sr_col(on, k), sr_col(on, SR_C_RESET));
		}
		fputc('\n', out);
	}
}

/* Drop the held rows (after printing them). */
static void drop_rows(struct sr_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	t->nrows = 0;
}

void sr_table_stream(struct sr_table *t, FILE *out, bool color, size_t window)
{
	t->stream = out;
	t->stream_color = color;
	t->window = window ? window : 1;
}

/* Streaming: the window is full (print it with the header), or a row is
 * complete once the next one starts or the table ends (print it). */
static void stream_flush(struct sr_table *t, bool header)
{
	print_rows(t, t->stream, t->stream_color, header);
	drop_rows(t);
	t->streaming = true;
}

void sr_table_print(struct sr_table *t, FILE *out, bool color)
{
	if (t->stream) {
		stream_flush(t, !t->streaming);
		return;
	}
	print_rows(t, out, color, true);
}

void sr_table_free(struct sr_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colors);
	free(t->width);
	memset(t, 0, sizeof(*t));
}

int sr_put_term(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	char *e;

	/* printable ASCII is its own escaped form: no copy */
	while (*c >= 0x20 && *c < 0x7F)
		c++;
	if (!*c) {
		fputs(s ? s : "", out);
		return 0;
	}
	e = sr_term_escape(s);

	if (!e)
		return -ENOMEM;
	fputs(e, out);
	free(e);
	return 0;
}

void sr_put_exe_label(FILE *out, bool color, const char *label)
{
	if (!label)
		return;
	fprintf(out, "%s[", sr_col(color, SR_C_RED));
	sr_put_term(out, label);
	fprintf(out, "]%s ", sr_col(color, SR_C_RESET));
}

char *sr_exe_prefix(const char *label, char *buf, size_t cap)
{
	if (label)
		snprintf(buf, cap, "[%s] ", label);
	else if (cap)
		buf[0] = '\0';
	return buf;
}

char *sr_denied_text(const char *action, const char *target, const char *rule, const char *mode,
                     const char *mechanism, const char *effect, char *buf, size_t cap)
{
	bool audit = mode && !strcmp(mode, "audit");
	const char *what = "?";

	if (!effect)
		what = "?";
	else if (!strcmp(effect, "blocked"))
		what = "refused with EPERM, it did not happen";
	else if (!strcmp(effect, "killed"))
		what = "killed before the new program ran";
	else if (!strcmp(effect, "killed_after"))
		what = action && !strcmp(action, "connect")
		           ? "killed in connect(2), the SYN may have been sent"
		           : "killed in open(2), the file may have been opened";
	else if (!strcmp(effect, "not_applied"))
		what = "NOT APPLIED, the kernel could not deliver the verdict";
	else if (!strcmp(effect, "audit"))
		what = "allowed (audit mode)";
	snprintf(buf, cap, "%s %s %s %s: %s%s%s%s", action ? action : "?", target ? target : "?",
	         audit ? "matches" : "denied by", rule ? rule : "an unknown rule", what,
	         audit ? "" : " (",
	         audit       ? ""
	         : mechanism ? mechanism
	                     : "?",
	         audit ? "" : ")");
	return buf;
}

void sr_html_put(FILE *f, const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t n = sr_utf8_next(s + i, len - i, &cp);

		if (!n) {
			fprintf(f, "\\x%02x",
			        (unsigned char)s[i]); /* not UTF-8: shown, not guessed */
			i++;
			continue;
		}
		i += n;
		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
				fprintf(f, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
			else if (sr_unicode_is_format(cp))
				fprintf(f, SR_HTML_MARK_OPEN "U+%04X" SR_HTML_MARK_CLOSE,
				        (unsigned)cp);
			else
				fwrite(s + i - n, 1, n, f);
		}
	}
}

FILE *sr_fopen_private(const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), err;

	if (fd < 0)
		return NULL;
	/* an existing file keeps its mode through O_TRUNC: a regular one is narrowed */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600))
		goto fail;
	f = fdopen(fd, "w");
	if (f)
		return f;
fail:
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}
