/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CLI's formatting fed what sshrecd never writes (a foreign or tampered
 * database): ECS / OCSF documents stay one line of valid JSON and no
 * arithmetic on a hostile number overflows (UBSan aborts the test if it
 * does); the HTML escaper lets no markup through and marks invisible format
 * characters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "export.h"
#include "cli/output.h"

#define REC_HEAD                                                                                   \
	"{\"code\":\"T4000I\",\"time\":\"2026-01-05T08:00:01Z\",\"ei\":3,\"uid\":\"u\",\"sid\":"   \
	"\"s1\",\"login\":\"alice\",\"user\":\"alice\",\"pid\":2001,\"ppid\":2000,\"program\":"    \
	"\"x\","

/* Map @p rec (format 0 ECS, 1 OCSF) with @p proc; the text must be one line
 * that json-c parses whole. Returns the parsed document. */
static json_object *map(const char *rec, int fmt, const struct sr_exp_proc *proc)
{
	struct sr_exp_ctx ctx = {.proc = proc};
	struct sr_jrec r = {0};
	struct sr_jw w = {0};
	json_tokener *tok = json_tokener_new();
	json_object *d;

	assert_int_equal(sr_jrec_parse(&r, rec, strlen(rec)), 0);
	sr_jw_reset(&w);
	assert_int_equal(fmt == 0 ? sr_ecs_write(&r, &ctx, &w) : sr_ocsf_write(&r, &ctx, &w), 0);
	if (memchr(w.b, '\n', w.len) || memchr(w.b, '\r', w.len))
		fail_msg("a raw line break in a JSON-lines document: %.*s", (int)w.len, w.b);
	d = json_tokener_parse_ex(tok, w.b, (int)w.len);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	assert_int_equal(json_tokener_get_parse_end(tok), w.len);
	assert_non_null(d);
	json_tokener_free(tok);
	sr_jw_free(&w);
	sr_jrec_free(&r);
	return d;
}

static json_object *get(json_object *o, const char *a, const char *b)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, a, &v) || !b)
		return v;
	return json_object_object_get_ex(v, b, &v) ? v : NULL;
}

/* An exec with no arguments at all: its argv is an empty array, both in the
 * record and in the process row (no element was scanned: no element array). */
static void test_empty_argv(void **state)
{
	static const char rec[] = REC_HEAD "\"event\":\"session.command\",\"path\":\"/bin/x\","
	                                   "\"argv\":[]}";
	struct sr_exp_proc p = {.id = 1, .path = "/bin/x", .argv_json = "[]", .pid = 2001};
	struct sr_jrec scratch = {0};
	json_object *d;
	int fmt;

	(void)state;
	assert_int_equal(sr_exp_proc_prepare(&p, &scratch), 0);
	assert_true(p.have_args);
	assert_int_equal(p.nargs, 0);
	assert_int_equal(p.args_len, 2);
	assert_memory_equal(p.args, "[]", 2);
	for (fmt = 0; fmt < 2; fmt++) {
		d = map(rec, fmt, fmt ? &p : NULL);
		if (fmt == 0) {
			assert_int_equal(json_object_get_int(get(d, "process", "args_count")), 0);
			assert_int_equal(json_object_array_length(get(d, "process", "args")), 0);
		}
		json_object_put(d);
	}
	sr_exp_proc_clear(&p);
	sr_jrec_free(&scratch);
}

/* A nested value inside argv, spread over lines: exported as the string of
 * its text, on the document's one line. */
static void test_nested_argv(void **state)
{
	static const char rec[] = REC_HEAD "\"event\":\"session.command\",\"path\":\"/bin/x\","
	                                   "\"argv\":[\"x\",{\n\"k\" :\r\n [1,\n2]},[\n]]}";
	json_object *d, *args;
	int fmt;

	(void)state;
	for (fmt = 0; fmt < 2; fmt++) {
		d = map(rec, fmt, NULL);
		if (fmt == 0) {
			args = get(d, "process", "args");
			assert_int_equal(json_object_array_length(args), 3);
			assert_string_equal(
			    json_object_get_string(json_object_array_get_idx(args, 1)),
			    "{\n\"k\" :\r\n [1,\n2]}");
			assert_string_equal(
			    json_object_get_string(json_object_array_get_idx(args, 2)), "[\n]");
		}
		json_object_put(d);
	}
}

/* A process killed by a "signal" no kernel sends: no 128 + signal overflow,
 * and no exit status made up from it. */
static void test_hostile_signal(void **state)
{
	static const char *const recs[] = {
	    REC_HEAD "\"event\":\"session.process_exit\",\"signal\":9223372036854775807}",
	    REC_HEAD "\"event\":\"session.process_exit\",\"signal\":9223372036854775680}",
	    REC_HEAD "\"event\":\"session.process_exit\",\"signal\":4096}",
	};
	json_object *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		d = map(recs[i], 0, NULL);
		assert_null(get(d, "process", "exit_code"));
		json_object_put(d);
		d = map(recs[i], 1, NULL);
		assert_null(get(d, "exit_code", NULL));
		json_object_put(d);
	}
	/* a real one still maps to the shell's status */
	d = map(REC_HEAD "\"event\":\"session.process_exit\",\"signal\":15}", 0, NULL);
	assert_int_equal(json_object_get_int(get(d, "process", "exit_code")), 143);
	json_object_put(d);
}

/* fuzz_export (long run): OCSF's status_code negated a return code of
 * INT64_MIN; every failure code now names its errno or its magnitude */
static void test_hostile_return_code(void **state)
{
	static const char *const kinds[] = {"session.disk", "session.command"};
	json_object *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char rec[1024];

		snprintf(rec, sizeof(rec),
		         REC_HEAD "\"event\":\"%s\",\"path\":\"/x\",\"return_code\":"
		                  "-9223372036854775808}",
		         kinds[i]);
		d = map(rec, 1, NULL);
		assert_string_equal(json_object_get_string(get(d, "status_code", NULL)),
		                    "E9223372036854775808");
		json_object_put(d);
		json_object_put(map(rec, 0, NULL));
	}
	d = map(REC_HEAD "\"event\":\"session.disk\",\"path\":\"/x\",\"return_code\":-2}", 1, NULL);
	assert_string_equal(json_object_get_string(get(d, "status_code", NULL)), "ENOENT");
	json_object_put(d);
}

static char *html(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sr_html_put(f, in);
	fclose(f);
	return buf;
}

static void test_html(void **state)
{
	char *h;

	(void)state;
	h = html("<script>x='1'&\"</script>");
	assert_string_equal(h, "&lt;script&gt;x=&#39;1&#39;&amp;&quot;&lt;/script&gt;");
	free(h);
	h = html("a\x1b[2J\x07\xc2\x9b\xff\xc3");
	assert_string_equal(h, "a\\x1b[2J\\x07\\u009b\\xff\\xc3");
	free(h);
	h = html("invoice\xe2\x80\xae"
	         "fdp.exe \xe2\x80\x8b \xc3\xa9");
	assert_string_equal(h,
	                    "invoice" SR_HTML_MARK_OPEN "U+202E" SR_HTML_MARK_CLOSE
	                    "fdp.exe " SR_HTML_MARK_OPEN "U+200B" SR_HTML_MARK_CLOSE " \xc3\xa9");
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_argv),     cmocka_unit_test(test_nested_argv),
	    cmocka_unit_test(test_hostile_signal), cmocka_unit_test(test_hostile_return_code),
	    cmocka_unit_test(test_html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
