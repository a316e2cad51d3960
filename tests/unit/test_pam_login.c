/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What pam_sshrec trusts about a login: the PAM stack reader (does a pam_env
 * that reads the user's file run before the module?), the peer address
 * match against PAM_RHOST, and the small parsers of login_info.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pam/login_info.h"
#include "pam/stack.h"
#include "proto.h"

static char confdir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(confdir, sizeof(confdir), "/tmp/sshrec-test-pamconf.XXXXXX");
	assert_non_null(mkdtemp(confdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", confdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int first(const char *service, char *where)
{
	return sr_pam_user_env_first(confdir, service, where, 256);
}

static void test_stack_order(void **state)
{
	char where[256];

	(void)state;
	/* Debian's order: pam_env user_readenv=1 near the end, after pam_loginuid */
	put("late", "auth required pam_permit.so\n"
	            "session required pam_loginuid.so\n"
	            "session required pam_env.so # [1]\n"
	            "session required pam_env.so user_readenv=1 envfile=/etc/default/locale\n"
	            "session required /usr/lib/security/pam_sshrec.so fail=closed\n");
	assert_int_equal(first("late", where), 1);
	assert_non_null(strstr(where, "/late:4"));
	/* before it: trusted */
	put("early", "session required pam_loginuid.so\n"
	             "session required pam_sshrec.so\n"
	             "session required pam_env.so user_readenv=1\n");
	assert_int_equal(first("early", where), 0);
	/* user_readenv=0, no option (off by default), other types: harmless */
	put("off", "session required pam_env.so user_readenv=0\n"
	           "session required pam_env.so readenv=1 user_envfile=.x\n"
	           "auth required pam_env.so user_readenv=1\n"
	           "session optional pam_sshrec.so\n");
	assert_int_equal(first("off", where), 0);
	/* the last user_readenv= wins, as in pam_env */
	put("last", "session required pam_env.so user_readenv=0 user_readenv=1\n"
	            "session required pam_sshrec.so\n");
	assert_int_equal(first("last", where), 1);
	put("last0", "session required pam_env.so user_readenv=1 user_readenv=0\n"
	             "session required pam_sshrec.so\n");
	assert_int_equal(first("last0", where), 0);
}

static void test_stack_syntax(void **state)
{
	char where[256];

	(void)state;
	/* @include, include and substack, followed; a '-' type; brackets with blanks */
	put("common-env", "-session [success=ok default=ignore] pam_env.so \\\n"
	                  "   conffile=/etc/x user_readenv=1\n");
	put("inc", "@include common-env\nsession required pam_sshrec.so\n");
	assert_int_equal(first("inc", where), 1);
	assert_non_null(strstr(where, "/common-env:1"));
	put("sub", "session substack inc-less\nsession required pam_sshrec.so\n");
	put("inc-less", "# only a comment\n\nsession include common-env\n");
	assert_int_equal(first("sub", where), 1);
	/* '#' starts a comment anywhere: the option is commented out */
	put("comment", "session required pam_env.so #user_readenv=1\n"
	               "session required pam_sshrec.so\n");
	assert_int_equal(first("comment", where), 0);
	/* not in the stack at all: any user-env module counts */
	put("absent", "session required pam_env.so user_readenv=1\n");
	assert_int_equal(first("absent", where), 1);
	put("absent-ok", "session required pam_permit.so\n");
	assert_int_equal(first("absent-ok", where), 0);
	/* a service with no file gets "other" */
	put("other", "session required pam_env.so user_readenv=1\n"
	             "session required pam_sshrec.so\n");
	assert_int_equal(first("no-such-service", where), 1);
	assert_non_null(strstr(where, "/other:1"));
	/* unreadable configuration: an error, never "trusted" */
	put("broken", "@include missing-file\nsession required pam_sshrec.so\n");
	assert_int_equal(first("broken", where), -ENOENT);
	assert_non_null(strstr(where, "missing-file"));
	put("loop", "@include loop\n");
	assert_int_equal(first("loop", where), -ELOOP);
	assert_int_equal(first("../etc/passwd", where), -EINVAL);
}

static void test_conf_split(void **state)
{
	struct sr_pam_line l;

	(void)state;
	assert_int_equal(sr_pam_conf_split("  \t", &l), 0);
	assert_int_equal(sr_pam_conf_split("session [a=b c=d] /x/pam_env.so  a [b c]  ", &l), 1);
	assert_string_equal(l.type, "session");
	assert_string_equal(l.control, "[a=b c=d]");
	assert_string_equal(l.module, "/x/pam_env.so");
	assert_string_equal(l.args, "a [b c]");
	assert_int_equal(sr_pam_conf_split("-session optional pam_x.so", &l), 1);
	assert_true(l.optional_type);
	assert_string_equal(l.type, "session");
	assert_int_equal(sr_pam_conf_split("@include common-session", &l), 1);
	assert_true(l.include);
	assert_string_equal(l.module, "common-session");
	assert_int_equal(sr_pam_conf_split("session [unterminated pam_x.so", &l), -EINVAL);
	assert_int_equal(sr_pam_conf_split("session required", &l), -EINVAL);
	assert_int_equal(sr_pam_conf_split("@include", &l), -EINVAL);
	assert_int_equal(sr_pam_conf_split("averyveryverylongtype required x.so", &l), -EINVAL);
	/* found by fuzz_pam: a lone '-' is no type */
	assert_int_equal(sr_pam_conf_split("- required pam_x.so", &l), -EINVAL);
}

static struct sockaddr_storage sa4(const char *ip, int port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage sa6(const char *ip, int port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;

	in->sin6_family = AF_INET6;
	in->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, ip, &in->sin6_addr), 1);
	return ss;
}

static void test_addr(void **state)
{
	struct sockaddr_storage a = sa4("192.0.2.7", 50022), b = sa6("::ffff:192.0.2.7", 22),
	                        c = sa6("2001:db8::1", 2222);
	char out[128];

	(void)state;
	assert_true(sr_pam_addr_is("192.0.2.7", &a));
	assert_true(sr_pam_addr_is("192.0.2.7", &b)); /* v4-mapped is v4 */
	assert_true(sr_pam_addr_is("::ffff:192.0.2.7", &a));
	assert_true(sr_pam_addr_is("2001:db8:0::1", &c));
	assert_false(sr_pam_addr_is("192.0.2.8", &a));
	assert_false(sr_pam_addr_is("host.example", &a)); /* UseDNS yes: a name */
	assert_false(sr_pam_addr_is("", &a));
	assert_false(sr_pam_addr_is(NULL, &a));
	assert_int_equal(sr_pam_format_conn(&a, &b, out, sizeof(out)), 0);
	assert_string_equal(out, "192.0.2.7 50022 192.0.2.7 22");
	assert_int_equal(sr_pam_format_conn(&c, &c, out, sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::1 2222 2001:db8::1 2222");
}

static void test_parsers(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(sr_pam_parse_sessionid("42", 2), 42);
	assert_int_equal(sr_pam_parse_sessionid("42\n", 3), 42);
	assert_int_equal(sr_pam_parse_sessionid("4294967295", 10), SR_AUDIT_SID_UNSET);
	assert_int_equal(sr_pam_parse_sessionid("4294967296", 10), SR_AUDIT_SID_UNSET);
	assert_int_equal(sr_pam_parse_sessionid("99999999999999999999999", 23), SR_AUDIT_SID_UNSET);
	assert_int_equal(sr_pam_parse_sessionid("", 0), SR_AUDIT_SID_UNSET);
	assert_int_equal(sr_pam_parse_sessionid("-1", 2), SR_AUDIT_SID_UNSET);
	assert_int_equal(sr_pam_parse_sessionid("12x", 3), SR_AUDIT_SID_UNSET);
	assert_true(sr_pam_is_logind_scope("/user.slice/user-0.slice/session-c3.scope"));
	assert_false(sr_pam_is_logind_scope("/user.slice/session-.scope"));
	assert_false(sr_pam_is_logind_scope("/x/session-1/2.scope"));
	assert_false(sr_pam_is_logind_scope("/x/session-a_b.scope"));
	assert_true(sr_pam_copy_auth_info(buf, sizeof(buf), "publickey x\n"));
	assert_string_equal(buf, "publickey x\n");
	assert_false(sr_pam_copy_auth_info(buf, sizeof(buf), "line one\nline two is long\n"));
	assert_string_equal(buf, "line one\n");
	assert_false(sr_pam_copy_auth_info(buf, sizeof(buf), "no newline at all, long"));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stack_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stack_syntax, setup, teardown),
	    cmocka_unit_test(test_conf_split),
	    cmocka_unit_test(test_addr),
	    cmocka_unit_test(test_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
