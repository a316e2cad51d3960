/* SPDX-License-Identifier: BSD-2-Clause */
/* The daemon's parsers of SSH_CONNECTION and SSH_AUTH_INFO_0 (recorder/auth_info.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "recorder/auth_info.h"

#define KEY "AAAAC3NzaC1lZDI1NTE5AAAAIGZh8IN/MwyTUN8BEn5jRRR5HfdnNEOjvNgo6w0B/N2L"
#define FP  "SHA256:TJtIwu1sQ7QG7+DufVMfcYi+1PXYFni0Q6WC6J0ao2w"

static int parse(const char *s, char *m, char *kt, char *fp)
{
	return sr_parse_auth_info(s, m, 64, kt, 128, fp, 128);
}

static void test_auth_info(void **state)
{
	char m[64], kt[128], fp[128];

	(void)state;
	assert_int_equal(parse("publickey ssh-ed25519 " KEY "\n", m, kt, fp), 0);
	assert_string_equal(m, "publickey");
	assert_string_equal(kt, "ssh-ed25519");
	assert_string_equal(fp, FP);
	/* the first line counts; a second method follows it */
	assert_int_equal(
	    parse("publickey ssh-ed25519 " KEY "\nkeyboard-interactive/pam\n", m, kt, fp), 0);
	assert_string_equal(fp, FP);
	assert_int_equal(parse("password\n", m, kt, fp), 0);
	assert_string_equal(m, "password");
	assert_string_equal(kt, "");
	assert_string_equal(fp, "");
	/* a key that does not parse: no key type either (it was kept before) */
	assert_int_equal(parse("publickey ssh-ed25519 AAAAnotakey\n", m, kt, fp), -EINVAL);
	assert_string_equal(m, "publickey");
	assert_string_equal(kt, "");
	assert_string_equal(fp, "");
	assert_int_equal(parse("publickey \x1b]0;owned\x07 " KEY "\n", m, kt, fp), -EINVAL);
	assert_string_equal(kt, "");
	assert_int_equal(parse("publickey ssh-rsa " KEY "\n", m, kt, fp), -EINVAL);
	assert_string_equal(kt, "");
	assert_int_equal(parse("", m, kt, fp), -EINVAL);
	assert_int_equal(parse(NULL, m, kt, fp), -EINVAL);
}

static void test_connection(void **state)
{
	char ra[64], la[64];
	int rp, lp;

	(void)state;
	assert_int_equal(sr_parse_ssh_connection("192.0.2.7 50022 10.0.0.4 22", ra, sizeof(ra), &rp,
	                                         la, sizeof(la), &lp),
	                 0);
	assert_string_equal(ra, "192.0.2.7");
	assert_int_equal(rp, 50022);
	assert_string_equal(la, "10.0.0.4");
	assert_int_equal(lp, 22);
	assert_int_equal(sr_parse_ssh_connection("a 1 b", ra, sizeof(ra), &rp, la, sizeof(la), &lp),
	                 -EINVAL);
	assert_int_equal(
	    sr_parse_ssh_connection("a 70000 b 1", ra, sizeof(ra), &rp, la, sizeof(la), &lp),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth_info),
	    cmocka_unit_test(test_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
