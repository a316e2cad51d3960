/* SPDX-License-Identifier: BSD-2-Clause */
/* Record JSON encoder: hostile strings stay valid JSON and valid UTF-8. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "bpf/policy.h"
#include "recorder/record_json.h"
#include "strsafe.h"

static const struct {
	const char *in;
	size_t len;
	const char *decoded; /* what a JSON parser gives back */
} hostile[] = {
    {"plain", 5, "plain"},
    {"a\nb\tc\r", 6, "a\nb\tc\r"},
    {"\x1b[2J\x1b]0;pwn\x07", 12, "\x1b[2J\x1b]0;pwn\x07"},
    {"q\"uo\\te'", 8, "q\"uo\\te'"},
    {"bad\xff\xfe", 5, "bad\\xff\\xfe"},
    {"trunc\xe2\x82", 7, "trunc\\xe2\\x82"},
    {"\xc0\xaf overlong", 11, "\\xc0\\xaf overlong"},
    {"caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "caf\xc3\xa9 \xf0\x9f\x98\x80"},
    {"/a/</script>", 12, "/a/</script>"},
};

static void test_hostile_strings(void **state)
{
	struct sr_session_info sess = {.sid = "0190a0b0-0000-7000-8000-000000000001"};
	struct sr_record rec = {.kind = SR_REC_DISK, .sess = &sess, .ei = 3};
	struct sr_jw w = {0};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		json_object *back, *v, *ref;
		char *clean, *raw = strndup(hostile[i].in, hostile[i].len);

		/* the writer sanitizes what the correlator did not */
		rec.path = raw;
		assert_int_equal(sr_record_json(&w, &rec), 0);
		assert_int_equal(strlen(w.b), w.len); /* NUL-terminated */
		assert_true(sr_utf8_valid(w.b, w.len));
		assert_null(memchr(w.b, '\n', w.len)); /* one line */
		for (size_t k = 0; k < w.len; k++)
			assert_true((unsigned char)w.b[k] >= 0x20);
		back = json_tokener_parse(w.b);
		assert_non_null(back);
		assert_true(json_object_object_get_ex(back, "path", &v));
		assert_string_equal(json_object_get_string(v), hostile[i].decoded);
		assert_true(json_object_object_get_ex(back, "event", &v));
		assert_string_equal(json_object_get_string(v), "session.disk");
		/* byte for byte what json-c writes for the sanitized string */
		clean = sr_utf8_sanitize(hostile[i].in, hostile[i].len);
		ref = json_object_new_string(clean);
		assert_non_null(strstr(
		    w.b, json_object_to_json_string_ext(ref, JSON_C_TO_STRING_NOSLASHESCAPE)));
		json_object_put(ref);
		free(clean);
		free(raw);
		json_object_put(back);
	}
	sr_jw_free(&w);
}

/* Every control byte and a NUL inside the length: escaped as json-c does. */
static void test_control_bytes_match_json_c(void **state)
{
	struct sr_jw w = {0};
	char raw[32];
	json_object *ref;
	int c;

	(void)state;
	for (c = 0; c < 32; c++)
		raw[c] = (char)(c ? c : 'x');
	sr_jw_reset(&w);
	sr_jw_strn(&w, NULL, raw, sizeof(raw));
	ref = json_object_new_string_len(raw, sizeof(raw));
	assert_int_equal(
	    w.len, strlen(json_object_to_json_string_ext(ref, JSON_C_TO_STRING_NOSLASHESCAPE)));
	assert_memory_equal(
	    w.b, json_object_to_json_string_ext(ref, JSON_C_TO_STRING_NOSLASHESCAPE), w.len);
	json_object_put(ref);
	/* json_put_bytes stops at the first NUL, as the kernel strings end there */
	sr_jw_reset(&w);
	sr_jw_obj(&w, NULL);
	sr_json_put_bytes(&w, "p", "ab\0cd", 5);
	sr_json_put_str(&w, "n", NULL);
	sr_json_put_int(&w, "i", -42, false);
	sr_json_put_int(&w, "z", 7, true);
	sr_jw_end(&w);
	assert_int_equal(w.len, strlen("{\"p\":\"ab\",\"n\":null,\"i\":-42,\"z\":null}"));
	assert_memory_equal(w.b, "{\"p\":\"ab\",\"n\":null,\"i\":-42,\"z\":null}", w.len);
	sr_jw_free(&w);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sr_rec_event_name(SR_REC_SESSION_START), "session.start");
	assert_string_equal(sr_rec_event_code(SR_REC_SESSION_START), "T2000I");
	assert_string_equal(sr_rec_event_code(SR_REC_PROCESS_EXIT), "SR4010I");
	assert_string_equal(sr_rec_event_name(SR_REC_ESCAPE), "session.escape");
	assert_string_equal(sr_rec_event_code(SR_REC_DATA_LOSS), "SR4090W");
	assert_null(sr_rec_event_name(SR_REC_KIND_MAX));
}

static void test_flags_text(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(sr_open_flags_text(0, buf, sizeof(buf)), "O_RDONLY");
	assert_string_equal(sr_open_flags_text(01 | 0100 | 01000, buf, sizeof(buf)),
	                    "O_WRONLY|O_CREAT|O_TRUNC");
	assert_string_equal(sr_open_flags_text(02 | 02000 | 02000000, buf, sizeof(buf)),
	                    "O_RDWR|O_APPEND|O_CLOEXEC");
	assert_string_equal(sr_open_flags_text(04010000, buf, sizeof(buf)), "O_RDONLY|O_SYNC");
	assert_string_equal(sr_open_flags_text(020200000 | 02, buf, sizeof(buf)),
	                    "O_RDWR|O_TMPFILE");
	assert_string_equal(sr_open_flags_text(0200000 | 0x80000000ull, buf, sizeof(buf)),
	                    "O_RDONLY|O_DIRECTORY|0x80000000");
	/* a short buffer truncates, always terminated */
	assert_string_equal(sr_open_flags_text(01 | 0100, buf, 10), "O_WRONLY|");
	assert_string_equal(sr_open_flags_text(01 | 0100, buf, 4), "O_W");
}

/* The text back to the flags (the upgrade of stored session.denied records). */
static void test_flags_parse(void **state)
{
	static const uint64_t cases[] = {
	    0,  01 | 0100 | 01000,       02 | 02000 | 02000000,          04010000, 020200000 | 02,
	    03, 0200000 | 0x80000000ull, 01 | 0x40000000 | 0x4ull << 40,
	};
	char buf[256];
	uint64_t f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = ~0ull;
		assert_int_equal(
		    sr_open_flags_parse(sr_open_flags_text(cases[i], buf, sizeof(buf)), &f), 0);
		assert_true(f == cases[i]);
	}
	/* what it does not write is refused, f untouched */
	f = 7;
	assert_int_equal(sr_open_flags_parse("O_WRONLY|O_BOGUS", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse("O_CREAT", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse("O_RDONLY|0x", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse("O_RDONLY|0x12z", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse("O_WRONLYX", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse("", &f), -EINVAL);
	assert_int_equal(sr_open_flags_parse(NULL, &f), -EINVAL);
	assert_true(f == 7);
}

/*
 * A session.denied record in the format its row says: format 3 names what it
 * was about "kind" and the policy's mode "policy_mode", and "action" is
 * Teleport's number; format 2 (records stored before) had words there.
 */
static void test_denied_formats(void **state)
{
	struct sr_session_info sess = {.sid = "0190a0b0-0000-7000-8000-000000000001"};
	struct sr_record rec = {.kind = SR_REC_DENIED,
	                        .sess = &sess,
	                        .ei = 4,
	                        .path = "/etc/shadow",
	                        .flags = 01,
	                        .rule = "deny_write = /etc/*",
	                        .denied_action = SR_POLICY_WRITE,
	                        .denied_mode = SR_POLICY_ENFORCE,
	                        .denied_mechanism = SR_POLICY_MECH_LSM};
	struct sr_jw w = {0};

	(void)state;
	rec.format = 3;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"kind\":\"write\",\"action\":1,\"target\":\"/etc/shadow\""));
	assert_non_null(strstr(w.b, "\"policy_mode\":\"enforced\",\"mechanism\":\"lsm\""));
	assert_null(strstr(w.b, "\"mode\":"));
	rec.format = 2;
	rec.denied_mode = SR_POLICY_AUDIT;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"action\":\"write\",\"target\":\"/etc/shadow\""));
	assert_non_null(strstr(w.b, "\"mode\":\"audit\",\"mechanism\":\"lsm\""));
	assert_null(strstr(w.b, "\"kind\":"));
	assert_null(strstr(w.b, "\"policy_mode\":"));
	sr_jw_free(&w);
}

/* A file change: its "change", its own fields only, and an explicit unknown result. */
static void test_fchange(void **state)
{
	struct sr_session_info sess = {.sid = "0190a0b0-0000-7000-8000-000000000001"};
	struct sr_record rec = {.kind = SR_REC_DISK,
	                        .sess = &sess,
	                        .ei = 5,
	                        .fc_op = SR_FC_RENAME,
	                        .path = "/w/a",
	                        .path_resolved = true,
	                        .path2 = "/w/b\n",
	                        .path2_resolved = true,
	                        .has_return_code = true,
	                        .return_code = -13,
	                        .process_id = 9};
	struct sr_jw w = {0};

	(void)state;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(
	    strstr(w.b, "\"change\":\"rename\",\"path\":\"/w/a\",\"flags\":0,\"path_resolved\":"
	                "true,\"new_path\":\"/w/b\\n\",\"new_path_resolved\":true,"
	                "\"return_code\":-13,\"process_id\":9}"));
	assert_null(strstr(w.b, "\"flags_text"));
	/* format 6: an exchange has both names, as a rename */
	rec.fc_op = SR_FC_EXCHANGE;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"change\":\"exchange\",\"path\":\"/w/a\","));
	assert_non_null(strstr(w.b, "\"new_path\":\"/w/b\\n\",\"new_path_resolved\":true,"));
	rec.fc_op = SR_FC_MKDIR;
	rec.mode = 0750;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"change\":\"mkdir\",\"path\":\"/w/a\","));
	assert_non_null(strstr(w.b, "\"mode\":488,\"return_code\":-13,"));
	assert_null(strstr(w.b, "new_path"));
	/* format 7: mknod, the permissions, the type, a device's numbers */
	rec.fc_op = SR_FC_MKNOD;
	rec.mode = 010644;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"change\":\"mknod\",\"path\":\"/w/a\","));
	assert_non_null(strstr(w.b, "\"mode\":420,\"file_type\":\"fifo\",\"return_code\":-13,"));
	rec.mode = 060600;
	rec.device = (0x123 << 8 & 0xfff00) | 0x45 | (0x1234 & ~0xffu) << 12; /* 291:4677 */
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"mode\":384,\"file_type\":\"block\",\"device_major\":291,"
	                            "\"device_minor\":4677,\"return_code\":-13,"));
	rec.mode = 0140755;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"mode\":493,\"file_type\":\"socket\",\"return_code\""));
	rec.device = 0;
	rec.fc_op = SR_FC_CHOWN;
	rec.owner_uid = 1000;
	rec.owner_gid = -1;
	rec.has_return_code = false;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"owner_uid\":1000,\"owner_gid\":null,\"return_code\":null"));
	assert_null(strstr(w.b, "new_path"));
	rec.fc_op = SR_FC_SYMLINK;
	rec.path2_error = SR_PATH_ERROR_UNREADABLE;
	rec.path2 = "";
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"target\":\"\",\"target_error\":\"unreadable\""));
	rec.fc_op = SR_FC_TRUNCATE;
	rec.length = 1LL << 40;
	assert_int_equal(sr_record_json(&w, &rec), 0);
	assert_non_null(strstr(w.b, "\"change\":\"truncate\""));
	assert_non_null(strstr(w.b, "\"length\":1099511627776,"));
	assert_string_equal(sr_fchange_op_name(SR_FC_RMDIR), "rmdir");
	assert_null(sr_fchange_op_name(0));
	assert_null(sr_fchange_op_name(SR_FC_MAX));
	sr_jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_control_bytes_match_json_c),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_flags_text),
	    cmocka_unit_test(test_flags_parse),
	    cmocka_unit_test(test_denied_formats),
	    cmocka_unit_test(test_fchange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
