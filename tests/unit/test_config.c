/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrecd.conf parser and command-line override tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf/events.h"
#include "recorder/config.h"

static char path[64];

static void write_conf(const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int load(const char *conf, int argc, char **argv, struct sr_config *cfg, char *err)
{
	enum sr_config_action act;
	char *args[32] = {"sshrecd", "-c", path};
	int i, ret;

	write_conf(conf);
	for (i = 0; i < argc; i++)
		args[3 + i] = argv[i];
	err[0] = '\0';
	ret = sr_config_load(cfg, 3 + argc, args, &act, err, 512);
	unlink(path);
	return ret;
}

static void test_good_file(void **state)
{
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("# comment\n\n"
	                      "socket = /run/x.sock\n"
	                      "database = /var/x.db\n"
	                      "jsonl =\n"
	                      "jsonl_max_size = 256M\n"
	                      "jsonl_keep = 20\n"
	                      "syslog = tcp://127.0.0.1:6514\n"
	                      "ringbuf_size = 4M\n"
	                      "disk = writes-only\n"
	                      "network = off\n"
	                      "pin = no\n"
	                      "log = syslog\n"
	                      "log_level = debug\n"
	                      "server_id = 01234567-89ab-cdef-0123-456789abcdef\n"
	                      "  disk.group.admins  =  all  \n",
	                      0, NULL, &cfg, err),
	                 0);
	assert_string_equal(cfg.socket_path, "/run/x.sock");
	assert_string_equal(cfg.db_path, "/var/x.db");
	assert_string_equal(cfg.jsonl_path, "");
	assert_int_equal(cfg.jsonl_max_bytes, 256ull << 20);
	assert_int_equal(cfg.jsonl_keep, 20);
	assert_string_equal(cfg.syslog_target, "tcp://127.0.0.1:6514");
	assert_int_equal(cfg.ringbuf_bytes, 4u << 20);
	assert_int_equal(cfg.disk, SR_DISK_WRITES_ONLY);
	assert_false(cfg.network);
	assert_false(cfg.pin);
	assert_true(cfg.log_syslog);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_string_equal(cfg.server_id, "01234567-89ab-cdef-0123-456789abcdef");
	assert_int_equal(cfg.n_overrides, 1);
	assert_string_equal(cfg.overrides[0].name, "admins");
	assert_true(cfg.overrides[0].group);
	sr_config_free(&cfg);
}

static void expect_error(const char *conf, const char *want)
{
	struct sr_config cfg;
	char err[512], loc[600];

	assert_int_equal(load(conf, 0, NULL, &cfg, err), -EINVAL);
	snprintf(loc, sizeof(loc), "%s:%s", path, want);
	if (!strstr(err, loc))
		fail_msg("error '%s' does not contain '%s'", err, loc);
	sr_config_free(&cfg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("socket = /a\nfrobnicate = 1\n", "2: unknown key 'frobnicate'");
	expect_error("disk = some\n", "1: disk: expected all, writes-only or off");
	expect_error("\n\nnetwork = maybe\n", "3: network");
	expect_error("ringbuf_size = 3M\n", "1: ringbuf_size");
	expect_error("jsonl_max_size = 12Q\n", "1: jsonl_max_size");
	expect_error("jsonl_keep = -1\n", "1: jsonl_keep");
	expect_error("server_id = not-a-uuid\n", "1: server_id");
	expect_error("syslog = ftp://x:1\n", "1: syslog");
	expect_error("socket = relative\n", "1: socket");
	expect_error("just words\n", "1: expected 'key = value'");
	expect_error("disk.user. = off\n", "1: ");
	expect_error("disk.host.x = off\n", "1: unknown key");
	expect_error("network.user.bob = writes-only\n", "1: network.user.bob");
	expect_error("log_level = loud\n", "1: log_level");
	expect_error("syscall_linger = 5d\n", "1: syscall_linger");
	expect_error("syscall_linger = 25h\n", "1: syscall_linger");
	expect_error("syscall_linger = s\n", "1: syscall_linger");
	expect_error("retention = 3w\n", "1: retention");
	expect_error("retention = -1d\n", "1: retention");
	expect_error("retention = 999999d\n", "1: retention");
	expect_error("retention = \n", "1: retention");
}

static void test_syscall_linger(void **state)
{
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.syscall_linger_s, 60);
	sr_config_free(&cfg);
	assert_int_equal(load("syscall_linger = 5m\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.syscall_linger_s, 300);
	sr_config_free(&cfg);
	assert_int_equal(load("syscall_linger = 0\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.syscall_linger_s, 0);
	sr_config_free(&cfg);
}

/* The shipped sample (contrib/sshrecd.conf), every line uncommented, parses. */
static void test_sample_file(void **state)
{
	const char *top = getenv("SR_TOP_SRCDIR");
	char sample[1024], line[512], text[8192] = "", err[512];
	struct sr_config cfg;
	size_t n = 0, keys = 0;
	FILE *f;

	(void)state;
	snprintf(sample, sizeof(sample), "%s/contrib/sshrecd.conf", top ? top : ".");
	f = fopen(sample, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *l = line;

		if (l[0] == '#' && strchr(l, '=')) { /* "#key = value": a setting */
			l++;
			keys++;
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", l);
		assert_true(n < sizeof(text));
	}
	fclose(f);
	assert_true(keys >= 15);
	assert_int_equal(load(text, 0, NULL, &cfg, err), 0);
	sr_config_free(&cfg);
}

static void test_retention(void **state)
{
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.retention_s, 0); /* keep everything */
	sr_config_free(&cfg);
	assert_int_equal(load("retention = 90d\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.retention_s, 90 * 86400);
	sr_config_free(&cfg);
	assert_int_equal(load("retention = 12h\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.retention_s, 12 * 3600);
	sr_config_free(&cfg);
}

static void test_nice(void **state)
{
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.nice, SR_DEFAULT_NICE);
	sr_config_free(&cfg);
	assert_int_equal(load("nice = 5\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.nice, 5);
	sr_config_free(&cfg);
	expect_error("nice = -21\n", "1: nice");
	expect_error("nice = 20\n", "1: nice");
	expect_error("nice = high\n", "1: nice");
}

static void test_cli_override(void **state)
{
	char *argv[] = {"--db",     "/tmp/cli.db", "--disk",    "off",
	                "--no-pin", "-f",          "--network", "on"};
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(
	    load("database = /var/file.db\ndisk = all\nnetwork = off\n", 8, argv, &cfg, err), 0);
	assert_string_equal(cfg.db_path, "/tmp/cli.db");
	assert_int_equal(cfg.disk, SR_DISK_OFF);
	assert_true(cfg.network);
	assert_false(cfg.pin);
	assert_true(cfg.foreground);
	sr_config_free(&cfg);

	char *bad[] = {"--disk", "sometimes"};
	assert_int_equal(load("", 2, bad, &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "--disk: disk: expected"));
	sr_config_free(&cfg);
	char *unknown[] = {"--bogus"};
	assert_int_equal(load("", 1, unknown, &cfg, err), -EINVAL);
	sr_config_free(&cfg);
}

static void test_missing_file(void **state)
{
	enum sr_config_action act;
	struct sr_config cfg;
	char err[512];
	char *args[] = {"sshrecd", "-c", "/nonexistent/sshrecd.conf"};

	(void)state;
	assert_int_equal(sr_config_load(&cfg, 3, args, &act, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/sshrecd.conf"));
	sr_config_free(&cfg);
}

static void test_classes(void **state)
{
	struct sr_config cfg;
	char err[512];
	uint32_t classes, flags;
	const char *groups[] = {"staff", "admins"};

	(void)state;
	assert_int_equal(load("disk = writes-only\n"
	                      "disk.group.admins = all\n"
	                      "disk.user.bob = off\n"
	                      "network.group.staff = off\n"
	                      "network.user.alice = on\n",
	                      0, NULL, &cfg, err),
	                 0);
	sr_config_classes(&cfg, "carol", NULL, 0, &classes, &flags);
	assert_int_equal(classes, SR_CLASS_ALL);
	assert_int_equal(flags, SR_CFG_DISK_WRITES_ONLY);
	sr_config_classes(&cfg, "carol", groups, 2, &classes, &flags);
	assert_int_equal(classes, SR_CLASS_BIT(SR_CLASS_COMMAND) | SR_CLASS_BIT(SR_CLASS_DISK));
	assert_int_equal(flags, 0);
	sr_config_classes(&cfg, "bob", groups, 2, &classes, &flags); /* user beats group */
	assert_int_equal(classes, SR_CLASS_BIT(SR_CLASS_COMMAND));
	sr_config_classes(&cfg, "alice", groups, 2, &classes, &flags);
	assert_int_equal(classes, SR_CLASS_ALL);
	sr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_cli_override), cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_classes),      cmocka_unit_test(test_syscall_linger),
	    cmocka_unit_test(test_retention),    cmocka_unit_test(test_sample_file),
	    cmocka_unit_test(test_nice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
