/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The syslog sink against a real rsyslogd: the test starts its own rsyslogd
 * (private config, pid file and work dir in a temp dir, loopback ports,
 * its own unix socket; the system's rsyslog and /dev/log are not touched),
 * feeds records through the sink over tcp://, udp:// and unix:, and checks
 * that every message arrives intact as RFC 5424 (header fields parsed by
 * rsyslog, MSG equal byte for byte to the record's JSON). Then it stops the
 * collector, checks the TCP sink turns unhealthy with a bounded backlog, and
 * that the backlog arrives after rsyslogd is back (reconnect with backoff).
 * Skips (77) only when rsyslogd is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"
#include "tests/unit/sink_test_util.h"
#include "recorder/sinks/sink.h"

#define RSYSLOGD "/usr/sbin/rsyslogd"

static char *dir;
static int tcp_port, udp_port;
static pid_t rs_pid = -1;
static char out_path[600], sock_path[100], probe_path[600];

static int free_port(int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, type, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool tcp_up(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons((uint16_t)tcp_port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	close(fd);
	return ok;
}

/* UDP and the unix socket have no handshake: probe them with a message. */
static bool inputs_up(void)
{
	static const char probe[] = "<14>1 2026-01-01T00:00:00Z h srprobe - - - probe";
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons((uint16_t)udp_port)};
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (stat(probe_path, &st) == 0 && st.st_size > 0) {
		FILE *f = fopen(probe_path, "r");
		char line[256];
		int n = 0;

		while (f && fgets(line, sizeof(line), f))
			n++;
		if (f)
			fclose(f);
		if (n >= 2)
			return true;
		unlink(probe_path);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(fd, probe, sizeof(probe) - 1, 0, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	snprintf(u.sun_path, sizeof(u.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	sendto(fd, probe, sizeof(probe) - 1, 0, (struct sockaddr *)&u, sizeof(u));
	close(fd);
	return false;
}

static void rsyslog_start(void)
{
	char conf[600], pidf[600], log[600];
	FILE *f;
	int i;

	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dir);
	snprintf(pidf, sizeof(pidf), "%s/rsyslogd.pid", dir);
	snprintf(log, sizeof(log), "%s/rsyslogd.log", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(
	    f,
	    "global(workDirectory=\"%s\" maxMessageSize=\"128k\")\n"
	    "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
	    "module(load=\"imtcp\")\n"
	    "module(load=\"imudp\")\n"
	    "input(type=\"imuxsock\" Socket=\"%s\" UseSpecialParser=\"off\" "
	    "IgnoreTimestamp=\"off\" "
	    "ParseHostname=\"on\")\n"
	    "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
	    "input(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\")\n"
	    "template(name=\"t\" type=\"string\" string=\"%%hostname%%|%%app-name%%|"
	    "%%msgid%%|%%syslogfacility%%|%%syslogseverity%%|"
	    "%%timereported:::date-rfc3339%%|%%msg%%\\n\")\n"
	    "if $app-name == \"sshrecd\" then action(type=\"omfile\" file=\"%s\" template=\"t\")\n"
	    "if $app-name == \"srprobe\" then action(type=\"omfile\" file=\"%s\" "
	    "template=\"t\")\n",
	    dir, sock_path, tcp_port, udp_port, out_path, probe_path);
	fclose(f);
	rs_pid = fork();
	assert_true(rs_pid >= 0);
	if (rs_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(RSYSLOGD, RSYSLOGD, "-n", "-f", conf, "-i", pidf, (char *)NULL);
		_exit(127);
	}
	unlink(probe_path);
	for (i = 0; i < 100 && !(tcp_up() && inputs_up()); i++)
		usleep(100000);
	if (i == 100) {
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "cat %s >&2", log);
		if (system(cmd))
			fprintf(stderr, "(no rsyslogd log)\n");
		fail_msg("rsyslogd did not come up on 127.0.0.1:%d", tcp_port);
	}
}

static void rsyslog_stop(void)
{
	int st;

	if (rs_pid <= 0)
		return;
	kill(rs_pid, SIGTERM);
	waitpid(rs_pid, &st, 0);
	rs_pid = -1;
}

/* Lines of the rsyslog output file, once it has at least @want of them. */
static char **wait_lines(size_t want, size_t *n)
{
	char **v = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int i;

	for (i = 0; i < 100; i++) {
		FILE *f = fopen(out_path, "r");

		*n = 0;
		if (f) {
			while ((len = getline(&line, &cap, f)) > 0) {
				if (line[len - 1] == '\n')
					line[len - 1] = '\0';
				v = realloc(v, (*n + 1) * sizeof(*v));
				v[(*n)++] = strdup(line);
			}
			fclose(f);
		}
		if (*n >= want)
			break;
		while (*n)
			free(v[--*n]);
		usleep(100000);
	}
	free(line);
	return v;
}

static void free_lines(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

struct sent {
	char *json;
	char time[40];
	const char *event;
	int sev;
};

/* Feed @n records of a new session through a sink to @target. */
static void send_session(const char *target, struct sent *out, size_t n, bool big)
{
	static const char *const argv[] = {"sh", "-c", "printf '\\x1b[31m|x|\\n' \xff\xfe",
	                                   "\xe2\x82\xac"};
	char *bigarg = NULL;
	const char *bargv[2] = {"echo", NULL};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink = {.ops = &sr_sink_syslog_ops};
	struct tu_rec t = {0};
	size_t i;
	int tries;

	tu_config(&cfg, dir);
	cfg.syslog_target = (char *)target;
	assert_int_equal(sink.ops->init(&sink, &cfg), 0);
	tu_session(&s, 40, "mallory", 0);
	for (i = 0; i < n; i++) {
		if (i == 0) {
			tu_start(&t, &s);
		} else if (i == 1 && big) {
			bigarg = malloc(20000);
			memset(bigarg, 'A', 19999);
			bigarg[19999] = '\0';
			bargv[1] = bigarg;
			tu_command(&t, &s, i, 1, 0, 500, "/bin/echo", bargv, 2);
		} else if (i % 3 == 1) {
			tu_command(&t, &s, i, (int64_t)i, 0, 500, "/bin/sh", argv, 4);
		} else if (i % 3 == 2) {
			tu_loss(&t, &s, i, 3);
		} else {
			tu_disk(&t, &s, i, 1, 500, "/tmp/a|b\x1b");
		}
		out[i].json = strndup(t.rec.json, t.rec.json_len);
		out[i].event = sr_rec_event_name(t.rec.kind);
		out[i].sev = t.rec.kind == SR_REC_DATA_LOSS ? 4 : 6;
		sr_time_format(t.rec.time_us, out[i].time);
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
	}
	/* TCP connects in the background: flush until everything left */
	for (tries = 0; tries < 100; tries++) {
		sink.ops->flush(&sink);
		if (!sink.health.backlog && sink.health.written == n)
			break;
		usleep(50000);
	}
	if (!sink.health.ok)
		fail_msg("%s: %s", target, sink.health.last_error);
	assert_int_equal(sink.health.written, n);
	assert_int_equal(sink.health.dropped, 0);
	sink.ops->close(&sink);
	free(bigarg);
}

/* Every sent record is in @lines exactly once, with the right header fields. */
static void check_arrived(struct sent *sent, size_t n, char **lines, size_t nl)
{
	char want[200];
	size_t i, j, found;

	for (i = 0; i < n; i++) {
		found = 0;
		for (j = 0; j < nl; j++) {
			char *msg = lines[j];
			int k;

			/* 6 header fields, then MSG, which may itself contain '|' */
			for (k = 0; k < 6 && msg; k++)
				msg = strchr(msg, '|') ? strchr(msg, '|') + 1 : NULL;
			if (!msg || strcmp(msg, sent[i].json))
				continue;
			found++;
			/* authpriv = 10; RFC 3339 time as rsyslog re-renders it */
			snprintf(want, sizeof(want), "host1.example|sshrecd|%s|10|%d|",
			         sent[i].event, sent[i].sev);
			assert_memory_equal(lines[j], want, strlen(want));
			assert_memory_equal(lines[j] + strlen(want), sent[i].time, 19);
		}
		if (found != 1)
			fail_msg("record %zu arrived %zu times: %s", i, found, sent[i].json);
	}
}

static void free_sent(struct sent *s, size_t n)
{
	while (n)
		free(s[--n].json);
}

static void test_transports(void **state)
{
	struct sent tcp[12], udp[9], ux[9];
	char target[700];
	char **lines;
	size_t n;

	(void)state;
	unlink(out_path);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%d", tcp_port);
	send_session(target, tcp, 12, true);
	snprintf(target, sizeof(target), "udp://127.0.0.1:%d", udp_port);
	send_session(target, udp, 9, false);
	snprintf(target, sizeof(target), "unix:%s", sock_path);
	send_session(target, ux, 9, false);
	lines = wait_lines(30, &n);
	assert_int_equal(n, 30);
	check_arrived(tcp, 12, lines, n);
	check_arrived(udp, 9, lines, n);
	check_arrived(ux, 9, lines, n);
	free_lines(lines, n);
	free_sent(tcp, 12);
	free_sent(udp, 9);
	free_sent(ux, 9);
}

static void test_tcp_reconnect(void **state)
{
	char target[100];
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink = {.ops = &sr_sink_syslog_ops};
	struct tu_rec t = {0};
	struct sent sent[8];
	char **lines;
	size_t n, i;
	int tries, err;

	(void)state;
	unlink(out_path);
	rsyslog_stop();
	tu_config(&cfg, dir);
	cfg.backlog_max = 5;
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%d", tcp_port);
	cfg.syslog_target = target;
	/* the collector is down: init still succeeds, the sink is unhealthy */
	assert_int_equal(sink.ops->init(&sink, &cfg), 0);
	tu_session(&s, 41, "oscar", 0);
	for (i = 0; i < 8; i++) {
		tu_disk(&t, &s, i, 1, 600, "/tmp/x");
		sent[i].json = strndup(t.rec.json, t.rec.json_len);
		sent[i].event = "session.disk";
		sent[i].sev = 6;
		sr_time_format(t.rec.time_us, sent[i].time);
		assert_int_equal(sink.ops->write(&sink, &t.rec), 0);
		tu_free(&t);
		err = sink.ops->flush(&sink);
		(void)err;
	}
	assert_false(sink.health.ok);
	assert_non_null(strstr(sink.health.last_error, "refused"));
	/* bounded: 5 kept, the 3 newest dropped and counted */
	assert_int_equal(sink.health.backlog, 5);
	assert_int_equal(sink.health.dropped, 3);

	rsyslog_start();
	for (tries = 0; tries < 200 && (sink.health.backlog || !sink.health.ok); tries++) {
		sink.ops->flush(&sink);
		usleep(50000);
	}
	assert_true(sink.health.ok);
	assert_int_equal(sink.health.backlog, 0);
	assert_int_equal(sink.health.written, 5);
	lines = wait_lines(5, &n);
	assert_int_equal(n, 5);
	check_arrived(sent, 5, lines, n);
	free_lines(lines, n);
	free_sent(sent, 8);
	sink.ops->close(&sink);
}

static void test_bad_target(void **state)
{
	static const char *const bad[] = {"",           "tcp://",        "tcp://host",
	                                  "udp://:514", "tcp://h:x",     "file:/tmp/x",
	                                  "unix:",      "tcp://[::1:514"};
	struct sr_config cfg;
	size_t i;

	(void)state;
	tu_config(&cfg, dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sr_sink sink = {.ops = &sr_sink_syslog_ops};

		cfg.syslog_target = (char *)bad[i];
		assert_int_equal(sink.ops->init(&sink, &cfg), -EINVAL);
		assert_non_null(strstr(sink.health.last_error, "bad syslog target"));
	}
}

static int setup(void **state)
{
	(void)state;
	dir = tu_tmpdir("syslog");
	chmod(dir, 0755);
	snprintf(out_path, sizeof(out_path), "%s/received.log", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", dir);
	snprintf(probe_path, sizeof(probe_path), "%s/probe.log", dir);
	tcp_port = free_port(SOCK_STREAM);
	udp_port = free_port(SOCK_DGRAM);
	rsyslog_start();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rsyslog_stop();
	tu_rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transports),
	    cmocka_unit_test(test_tcp_reconnect),
	    cmocka_unit_test(test_bad_target),
	};

	if (access(RSYSLOGD, X_OK)) {
		fprintf(stderr,
		        "\n*** SKIP test_sink_syslog: %s not installed (Debian package "
		        "rsyslog) ***\n\n",
		        RSYSLOGD);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
