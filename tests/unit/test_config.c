/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrecd.conf parser and command-line override tests. */
#include <errno.h>
#include <grp.h>
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
#include "recorder/store/records_perm.h"

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
	                      "syslog_resend_time = 2m\n"
	                      "syslog_resend_size = 16M\n"
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
	assert_int_equal(cfg.syslog_resend_s, 120);
	assert_int_equal(cfg.syslog_resend_bytes, 16ull << 20);
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
	expect_error("syslog_resend_time = 2h\n", "1: syslog_resend_time");
	expect_error("syslog_resend_time = -1\n", "1: syslog_resend_time");
	expect_error("syslog_resend_size = 2G\n", "1: syslog_resend_size");
	expect_error("syslog_resend_size = lots\n", "1: syslog_resend_size");
	expect_error("socket = relative\n", "1: socket");
	expect_error("just words\n", "1: expected 'key = value'");
	expect_error("disk.user. = off\n", "1: ");
	expect_error("disk.host.x = off\n", "1: unknown key");
	expect_error("network.user.bob = writes-only\n", "1: network.user.bob");
	expect_error("log_level = loud\n", "1: log_level");
	expect_error("syscall_linger = 5d\n", "1: syscall_linger");
	expect_error("syscall_linger = 25h\n", "1: syscall_linger");
	expect_error("syscall_linger = s\n", "1: syscall_linger");
	expect_error("syscall_linger_stopped = 2d\n", "1: syscall_linger_stopped");
	expect_error("capture_backend = kprobe\n", "1: capture_backend: expected auto, lsm");
	expect_error("retention = 3w\n", "1: retention");
	expect_error("retention = -1d\n", "1: retention");
	expect_error("retention = 999999d\n", "1: retention");
	expect_error("retention = \n", "1: retention");
}

/* Every kind of bad policy line gets its own error, naming the file and line. */
static void test_policy_errors(void **state)
{
	(void)state;
	expect_error("enforce = yes\n", "1: enforce: expected on, audit or off, not 'yes'");
	expect_error("deny_exec = usr/bin/nc\n",
	             "1: deny_exec: 'usr/bin/nc': expected an absolute");
	expect_error("\ndeny_exec = /usr/bin/nc, bin/ls\n", "2: deny_exec: 'bin/ls': expected");
	expect_error("deny_write = /etc/ssh/\n",
	             "1: deny_write: '/etc/ssh/': a path does not end in '/' (write /etc/ssh/* ");
	expect_error("deny_write = /etc/*/keys\n", "1: deny_write: '/etc/*/keys': '*' is only");
	expect_error("deny_write = /etc/ssh*\n", "1: deny_write: '/etc/ssh*': '*' is only");
	expect_error("deny_exec = /usr/../bin/nc\n",
	             "1: deny_exec: '/usr/../bin/nc': not a normal");
	expect_error("deny_exec = /usr//bin/nc\n", "1: deny_exec: '/usr//bin/nc': not a normal");
	expect_error("deny_exec = /usr/./nc\n", "1: deny_exec: '/usr/./nc': not a normal");
	expect_error("deny_exec = /usr/bin/nc,,/bin/sh\n", "1: deny_exec: empty entry");
	expect_error("deny_exec = /usr/bin/nc,\n", "1: deny_exec: empty entry");
	expect_error("deny_exec =\n", "1: deny_exec: expected a comma-separated list of paths");
	expect_error("deny_exec = /a\tb\n", "1: deny_exec: '/a\tb': control character");
	expect_error("deny_connect = 10.0.0.0/33\n",
	             "1: deny_connect: '10.0.0.0/33': the prefix length must be 0 to 32");
	expect_error("deny_connect = 10.0.0.1/8\n",
	             "1: deny_connect: '10.0.0.1/8': host bits are set beyond /8");
	expect_error("deny_connect = 10.0.0/8\n", "1: deny_connect: '10.0.0/8': '10.0.0' is not");
	expect_error("deny_connect = 192.168.1.10:0\n",
	             "1: deny_connect: '192.168.1.10:0': the port must be 1 to 65535");
	expect_error("deny_connect = 192.168.1.10:65536\n",
	             "1: deny_connect: '192.168.1.10:65536'");
	expect_error("deny_connect = 192.168.1.10:ssh\n", "1: deny_connect: '192.168.1.10:ssh'");
	expect_error("deny_connect = [fd00::/8\n", "1: deny_connect: '[fd00::/8': missing ']'");
	expect_error("deny_connect = [fd00::]/129\n",
	             "1: deny_connect: '[fd00::]/129': the prefix");
	expect_error("deny_connect = [10.0.0.1]:22\n",
	             "1: deny_connect: '[10.0.0.1]:22': '10.0.0.1' is not an IPv6");
	expect_error("deny_connect = fd00::/8:22\n",
	             "1: deny_connect: 'fd00::/8:22': write an IPv6");
	expect_error("deny_connect = 10.0.0.0/8 22\n", "1: deny_connect: '10.0.0.0/8 22'");
	expect_error("deny_connect = /etc/hosts\n", "1: deny_connect: '/etc/hosts'");
	expect_error("deny_exec.user. = /bin/sh\n", "1: 'deny_exec.user.': expected deny_exec,");
	expect_error("deny_exec.host.x = /bin/sh\n", "1: 'deny_exec.host.x': expected deny_exec");
	expect_error("deny_exec.group.a b = /bin/sh\n", "1: 'deny_exec.group.a b': expected");
	expect_error("deny_read = /etc/shadow\n", "1: unknown key 'deny_read'");
	expect_error("deny_execute = /bin/sh\n", "1: unknown key 'deny_execute'");
}

/* Good lines: each entry a rule, lines add up, scopes kept, rule text as written. */
static void test_policy_rules(void **state)
{
	struct sr_config cfg;
	char err[512], text[SR_POLICY_RULE_LEN];

	(void)state;
	assert_int_equal(load("deny_exec    = /usr/bin/nc, /usr/bin/ncat, /opt/tools/*\n"
	                      "deny_connect = 10.0.0.0/8, 192.168.1.10:22, [fd00::]/8\n"
	                      "deny_write   = /etc/ssh/*, /etc/sudoers\n"
	                      "deny_exec.group.contractors    = /usr/bin/curl, /usr/bin/wget\n"
	                      "deny_connect.user.backup       = 0.0.0.0/0:25\n"
	                      "deny_connect = [::ffff:10.0.0.0]/104, fd00::1, [fd00::2]:443\n"
	                      "enforce = audit\n",
	                      0, NULL, &cfg, err),
	                 0);
	assert_int_equal(cfg.policy.mode, SR_POLICY_AUDIT);
	assert_int_equal(cfg.policy.n, 14);
	assert_int_equal(cfg.policy.rules[2].action, SR_POLICY_EXEC);
	assert_true(cfg.policy.rules[2].prefix);
	assert_string_equal(cfg.policy.rules[2].path, "/opt/tools/");
	assert_false(cfg.policy.rules[0].prefix);
	assert_string_equal(cfg.policy.rules[0].path, "/usr/bin/nc");
	/* 192.168.1.10:22 is a host and a port */
	assert_int_equal(cfg.policy.rules[4].family, 4);
	assert_int_equal(cfg.policy.rules[4].plen, 32);
	assert_int_equal(cfg.policy.rules[4].port, 22);
	assert_int_equal(cfg.policy.rules[5].family, 6);
	assert_int_equal(cfg.policy.rules[5].plen, 8);
	assert_int_equal(cfg.policy.rules[5].addr[0], 0xfd);
	assert_int_equal(cfg.policy.rules[10].scope, SR_SCOPE_USER);
	assert_string_equal(cfg.policy.rules[10].name, "backup");
	assert_int_equal(cfg.policy.rules[10].plen, 0);
	assert_int_equal(cfg.policy.rules[10].port, 25);
	/* a v4-mapped range is an IPv4 rule: the kernel checks mapped destinations as IPv4 */
	assert_int_equal(cfg.policy.rules[11].family, 4);
	assert_int_equal(cfg.policy.rules[11].plen, 8);
	assert_int_equal(cfg.policy.rules[11].addr[0], 10);
	assert_int_equal(cfg.policy.rules[12].plen, 128); /* a bare IPv6 address */
	assert_int_equal(cfg.policy.rules[13].port, 443);
	assert_string_equal(sr_policy_rule_text(&cfg.policy.rules[8], text, sizeof(text)),
	                    "deny_exec.group.contractors = /usr/bin/curl");
	assert_string_equal(sr_policy_rule_text(&cfg.policy.rules[5], text, sizeof(text)),
	                    "deny_connect = [fd00::]/8");
	sr_config_free(&cfg);

	/* the root, everything, and the default mode */
	assert_int_equal(load("deny_write = /*\ndeny_exec = /\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.policy.mode, SR_POLICY_ENFORCE);
	assert_string_equal(cfg.policy.rules[0].path, "/");
	assert_true(cfg.policy.rules[0].prefix);
	assert_string_equal(cfg.policy.rules[1].path, "/");
	assert_false(cfg.policy.rules[1].prefix);
	sr_config_free(&cfg);

	/* a bad entry adds nothing of its line */
	assert_int_equal(sr_config_defaults(&cfg), 0);
	assert_int_equal(sr_config_set(&cfg, "deny_exec", "/a, /b, c", err, 512), -EINVAL);
	assert_int_equal(cfg.policy.n, 0);
	sr_config_free(&cfg);
}

/* User and group rules add to the global ones; other users' rules do not apply. */
static void test_policy_for_login(void **state)
{
	struct sr_config cfg;
	char err[512];
	size_t idx[16];
	const char *groups[] = {"users", "contractors"};

	(void)state;
	assert_int_equal(load("deny_exec = /usr/bin/nc\n"
	                      "deny_exec.group.contractors = /usr/bin/curl\n"
	                      "deny_connect.user.backup = 0.0.0.0/0:25\n"
	                      "deny_write.user.alice = /etc/*\n"
	                      "deny_write.group.admins = /root/*\n",
	                      0, NULL, &cfg, err),
	                 0);
	assert_false(sr_policy_has_scoped(&(struct sr_policy){0}));
	assert_true(sr_policy_has_scoped(&cfg.policy));
	assert_int_equal(sr_policy_for_login(&cfg.policy, "carol", NULL, 0, idx), 1);
	assert_int_equal(idx[0], 0);
	assert_int_equal(sr_policy_for_login(&cfg.policy, "alice", groups, 2, idx), 3);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 3);
	assert_int_equal(sr_policy_for_login(&cfg.policy, "backup", NULL, 0, idx), 2);
	assert_int_equal(idx[1], 2);
	sr_config_free(&cfg);
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
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.syscall_linger_stopped_s, 600);
	sr_config_free(&cfg);
	assert_int_equal(load("syscall_linger_stopped = 30s\n", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.syscall_linger_stopped_s, 30);
	assert_int_equal(cfg.syscall_linger_s, 60);
	sr_config_free(&cfg);
}

static void test_capture_backend(void **state)
{
	static const struct {
		const char *text;
		enum sr_backend want;
		const char *name;
	} cases[] = {
	    {"", SR_BACKEND_AUTO, "auto"},
	    {"capture_backend = auto\n", SR_BACKEND_AUTO, "auto"},
	    {"capture_backend = lsm\n", SR_BACKEND_LSM, "lsm"},
	    {"capture_backend = fentry\n", SR_BACKEND_FENTRY, "fentry"},
	    {"capture_backend = tracepoint\n", SR_BACKEND_TRACEPOINT, "tracepoint"},
	};
	struct sr_config cfg;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(cases[i].text, 0, NULL, &cfg, err), 0);
		assert_int_equal(cfg.backend, cases[i].want);
		assert_string_equal(sr_backend_name(cfg.backend), cases[i].name);
		sr_config_free(&cfg);
	}
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

/* jsonl_format, and more JSON-lines sinks as jsonl.NAME (format from NAME or .format). */
static void test_jsonl_sinks(void **state)
{
	struct sr_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_int_equal(cfg.jsonl_format, SR_JSONL_NATIVE);
	assert_int_equal(cfg.n_jsonl_extra, 0);
	sr_config_free(&cfg);
	assert_int_equal(load("jsonl_format = ocsf\njsonl.siem.format = ecs\n"
	                      "jsonl.siem = /var/log/sshrec/ecs.jsonl\n"
	                      "jsonl.ocsf = /var/log/sshrec/ocsf.jsonl\n"
	                      "jsonl.raw = /var/log/sshrec/raw.jsonl\n",
	                      0, NULL, &cfg, err),
	                 0);
	assert_int_equal(cfg.jsonl_format, SR_JSONL_OCSF);
	assert_int_equal(cfg.n_jsonl_extra, 3);
	assert_string_equal(cfg.jsonl_extra[0].label, "jsonl.siem");
	assert_string_equal(cfg.jsonl_extra[0].path, "/var/log/sshrec/ecs.jsonl");
	assert_int_equal(cfg.jsonl_extra[0].format, SR_JSONL_ECS);
	assert_int_equal(cfg.jsonl_extra[1].format, SR_JSONL_OCSF); /* named after it */
	assert_int_equal(cfg.jsonl_extra[2].format, SR_JSONL_NATIVE);
	assert_string_equal(sr_jsonl_format_name(cfg.jsonl_extra[1].format), "ocsf");
	sr_config_free(&cfg);
	expect_error("jsonl_format = cef\n", "1: jsonl_format: expected native, ecs or ocsf");
	expect_error("jsonl.x.format = xml\njsonl.x = /a\n", "1: jsonl.x.format: expected");
	expect_error("jsonl.Upper = /a\n", "1: jsonl.Upper: expected jsonl.NAME");
	expect_error("jsonl.x.max = 1\n", "1: jsonl.x.max: expected jsonl.NAME");
	expect_error("jsonl.x = relative\n", "1: jsonl.x: expected an absolute path");
	expect_error("jsonl.a = /1\njsonl.b = /2\njsonl.c = /3\njsonl.d = /4\njsonl.e = /5\n",
	             "5: jsonl.e: at most 4");
	assert_int_equal(load("jsonl.x.format = ecs\n", 0, NULL, &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "jsonl.x.format is set but jsonl.x (its file) is not"));
	sr_config_free(&cfg);
	assert_int_equal(load("jsonl = /a\njsonl.ecs = /a\n", 0, NULL, &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "jsonl.ecs: /a is already the jsonl file"));
	sr_config_free(&cfg);
}

/* records_group: a group name resolved at load time; empty means root only. */
static void test_records_group(void **state)
{
	struct sr_config cfg;
	char err[512];
	struct group *gr = getgrgid(getegid());

	(void)state;
	assert_non_null(gr);
	assert_int_equal(load("", 0, NULL, &cfg, err), 0);
	assert_null(cfg.records_group);
	assert_int_equal(cfg.records_gid, SR_NO_GROUP);
	sr_config_free(&cfg);
	{
		char conf[300];
		gid_t want = gr->gr_gid;

		snprintf(conf, sizeof(conf), "records_group = %s\n", gr->gr_name);
		assert_int_equal(load(conf, 0, NULL, &cfg, err), 0);
		assert_int_equal(cfg.records_gid, want);
		sr_config_free(&cfg);
		snprintf(conf, sizeof(conf), "records_group = %s\nrecords_group =\n", gr->gr_name);
		assert_int_equal(load(conf, 0, NULL, &cfg, err), 0);
		assert_null(cfg.records_group);
		assert_int_equal(cfg.records_gid, SR_NO_GROUP);
		sr_config_free(&cfg);
	}
	expect_error("records_group = no-such-group-sshrec\n",
	             "1: records_group: no group 'no-such-group-sshrec'");
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
	    cmocka_unit_test(test_good_file),        cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_cli_override),     cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_classes),          cmocka_unit_test(test_syscall_linger),
	    cmocka_unit_test(test_capture_backend),  cmocka_unit_test(test_retention),
	    cmocka_unit_test(test_sample_file),      cmocka_unit_test(test_nice),
	    cmocka_unit_test(test_policy_errors),    cmocka_unit_test(test_policy_rules),
	    cmocka_unit_test(test_policy_for_login), cmocka_unit_test(test_jsonl_sinks),
	    cmocka_unit_test(test_records_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
