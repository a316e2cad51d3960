/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for common/strsafe.c: the escaping rules every record relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jwrite.h"
#include "strsafe.h"

static void sanitize_is(const char *in, size_t len, const char *want)
{
	char *out = sr_utf8_sanitize(in, len);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_true(sr_utf8_valid(out, strlen(out)));
	free(out);
}

static void test_valid_utf8_passes(void **state)
{
	(void)state;
	sanitize_is("ls -la /tmp", 11, "ls -la /tmp");
	sanitize_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* control characters are valid UTF-8: JSON escapes them later */
	sanitize_is("a\nb\tc\x1b[0m", 9, "a\nb\tc\x1b[0m");
	/* a backslash stays as it is */
	sanitize_is("grep '\\d'", 9, "grep '\\d'");
}

static void test_invalid_bytes_escaped(void **state)
{
	(void)state;
	sanitize_is("bad\xff", 4, "bad\\xff");
	sanitize_is("\xc3", 1, "\\xc3");                            /* truncated sequence */
	sanitize_is("\xc0\xaf", 2, "\\xc0\\xaf");                   /* overlong '/' */
	sanitize_is("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");          /* UTF-16 surrogate */
	sanitize_is("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	sanitize_is("a\0b", 3, "a\\x00b");                          /* NUL inside */
	sanitize_is("", 0, "");
}

static void test_valid_check(void **state)
{
	(void)state;
	assert_true(sr_utf8_valid("plain", 5));
	assert_false(sr_utf8_valid("x\xfe", 2));
	assert_false(sr_utf8_valid("a\0b", 3));
}

/* jwrite.h: a NUL inside a string is \u0000 whatever else the string holds
 * (it was the text \x00 when another byte was not valid UTF-8). */
static void jw_is(const char *in, size_t len, const char *want)
{
	struct sr_jw w = {0};

	sr_jw_reset(&w);
	sr_jw_quote(&w, in, len);
	sr_jw_put(&w, "", 1);
	assert_int_equal(sr_jw_error(&w), 0);
	assert_string_equal(w.b, want);
	sr_jw_free(&w);
}

static void test_jwrite_nul(void **state)
{
	(void)state;
	jw_is("a\0b", 3, "\"a\\u0000b\"");
	jw_is("\xc3\xa9\0", 3, "\"\xc3\xa9\\u0000\"");
	jw_is("\xff\0", 2, "\"\\\\xff\\u0000\"");
	jw_is("\0\xc3\xa9\xc3", 4, "\"\\u0000\xc3\xa9\\\\xc3\"");
	/* DEL and C1 controls are escaped too (found by fuzz_escape) */
	jw_is("a\x7f\xc2\x9b"
	      "2J\xc2\xa0",
	      8, "\"a\\u007f\\u009b2J\xc2\xa0\"");
	jw_is("\xc2\x9b\xff", 3, "\"\\u009b\\\\xff\"");
	char *out;
	size_t n;
	out = sr_utf8_sanitize_nul("a\0\xff", 3, &n);
	assert_non_null(out);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "a\0\\xff", 6);
	free(out);
	assert_true(sr_utf8_valid_nul("a\0\xc3\xa9", 4));
	assert_false(sr_utf8_valid_nul("a\0\xc3", 3));
}

static void term_is(const char *in, const char *want)
{
	char *out = sr_term_escape(in);
	assert_non_null(out);
	assert_string_equal(out, want);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		assert_false(*p < 0x20 || *p == 0x7f);
	free(out);
}

static void test_terminal_escape(void **state)
{
	(void)state;
	term_is("echo hi", "echo hi");
	term_is("\x1b]0;pwned\x07", "\\e]0;pwned\\x07");
	term_is("line1\nline2\ttab\r", "line1\\nline2\\ttab\\r");
	term_is("del\x7f", "del\\x7f");
	term_is("c1 \xc2\x9b"
	        "31m",
	        "c1 \\u009b31m"); /* 8-bit CSI */
	term_is("bad\xff", "bad\\xff");
	term_is("caf\xc3\xa9", "caf\xc3\xa9");
	/* the printable ASCII range is copied as it is, its ends escaped */
	char all[0x7f - 0x20 + 1];
	for (int c = 0x20; c < 0x7f; c++)
		all[c - 0x20] = (char)c;
	all[sizeof(all) - 1] = '\0';
	term_is(all, all);
	term_is("", "");
	term_is(" ~\x1f", " ~\\x1f");
	term_is("~\x7f", "~\\x7f");
}

/* Invisible format characters (Unicode Cf) cannot reorder or hide text. */
static void test_terminal_escape_format_chars(void **state)
{
	(void)state;
	term_is("cat invoice\xe2\x80\xae"
	        "fdp.exe",
	        "cat invoice\\u202efdp.exe");                    /* RLO */
	term_is("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"); /* LRI, PDI */
	term_is("a\xe2\x80\x8b"
	        "b\xe2\x80\x8f",
	        "a\\u200bb\\u200f");                             /* ZWSP, RLM */
	term_is("\xef\xbb\xbfx\xe2\x81\xa0", "\\ufeffx\\u2060"); /* BOM, WJ */
	term_is("l1\xe2\x80\xa8l2", "l1\\u2028l2");              /* LINE SEP */
	term_is("\xf3\xa0\x81\x81", "\\U000e0041");              /* TAG A */
	term_is("soft\xc2\xadhyphen", "soft\\u00adhyphen");
	/* visible letters of other scripts are kept */
	term_is("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d caf\xc3\xa9 \xe2\x82\xac",
	        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d caf\xc3\xa9 \xe2\x82\xac");
	assert_true(sr_unicode_is_format(0x202E));
	assert_true(sr_unicode_is_format(0xE007F));
	assert_false(sr_unicode_is_format(0x2065)); /* unassigned */
	assert_false(sr_unicode_is_format('a'));
}

static void test_terminal_escape_buf_truncates(void **state)
{
	(void)state;
	char buf[16];
	sr_term_escape_buf("0123456789abcdefghij", buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, "..."));
	sr_term_escape_buf("short", buf, sizeof(buf));
	assert_string_equal(buf, "short");
	/* an escape is never split in half */
	sr_term_escape_buf("abcdefghij\x1b\x1b\x1b", buf, sizeof(buf));
	assert_null(strchr(buf, 0x1b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_utf8_passes),
	    cmocka_unit_test(test_invalid_bytes_escaped),
	    cmocka_unit_test(test_valid_check),
	    cmocka_unit_test(test_jwrite_nul),
	    cmocka_unit_test(test_terminal_escape),
	    cmocka_unit_test(test_terminal_escape_format_chars),
	    cmocka_unit_test(test_terminal_escape_buf_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
