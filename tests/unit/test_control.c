/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket's credential check (recorder/control.c) with the rest of
 * the daemon stubbed out. getsockopt is wrapped (-Wl,--wrap=getsockopt) so
 * that SO_PEERCRED can fail, scribbling on its buffer as a failed call may:
 * the client is refused and the log says why, without a uid it never read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "recorder/daemon.h"

/* ---- the daemon parts control.c calls, never reached by these tests ---- */
int sr_session_open(struct sr_daemon *d, const struct sr_open_req *req, struct sr_reply *rep)
{
	(void)d, (void)req, (void)rep;
	fail_msg("unexpected open");
	return -EINVAL;
}

int sr_session_close(struct sr_daemon *d, const struct sr_close_req *req, pid_t peer,
                     struct sr_reply *rep)
{
	(void)d, (void)req, (void)peer, (void)rep;
	fail_msg("unexpected close");
	return -EINVAL;
}

char *sr_status_json(struct sr_daemon *d)
{
	(void)d;
	return strdup("{}");
}

int sr_sinks_flush(struct sr_daemon *d)
{
	(void)d;
	return 0;
}

/* ---- SO_PEERCRED that fails ---- */
static bool fail_peercred;

int __real_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (fail_peercred && level == SOL_SOCKET && name == SO_PEERCRED) {
		memset(val, 0x41, *len);
		errno = EINVAL;
		return -1;
	}
	return __real_getsockopt(fd, level, name, val, len);
}

/* Run sr_control_accept with stderr (the log) captured into @p log. */
static void accept_logged(struct sr_daemon *d, char *log, size_t cap)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	sr_control_accept(d);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(log, 1, cap - 1, f);
	log[n] = '\0';
	fclose(f);
}

static void test_peercred_fails(void **state)
{
	char dir[] = "/tmp/sshrec-test-control.XXXXXX", path[64], log[4096], reply[512];
	struct sr_config cfg = {0};
	struct sr_daemon d = {.cfg = &cfg, .listenfd = -1};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	ssize_t n;
	int c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	cfg.socket_path = path;
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	d.clients = calloc(256, sizeof(*d.clients));
	assert_true(d.epfd >= 0 && d.clients);
	assert_int_equal(sr_control_open(&d), 0);

	c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fail_peercred = true;
	accept_logged(&d, log, sizeof(log));
	fail_peercred = false;
	assert_int_equal(d.nclients, 0);
	n = recv(c, reply, sizeof(reply) - 1, 0);
	assert_true(n > 0);
	reply[n] = '\0';
	assert_non_null(strstr(reply, "permission denied"));
	if (!strstr(log, "credentials cannot be read: Invalid argument"))
		fail_msg("the log does not say why: %s", log);
	if (strstr(log, "1094795585"))
		fail_msg("the log shows a uid that was never read: %s", log);
	close(c);

	/* the check itself still lets root in */
	c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	accept_logged(&d, log, sizeof(log));
	assert_int_equal(d.nclients, geteuid() == 0 ? 1 : 0);
	close(c);

	sr_control_close(&d);
	close(d.epfd);
	free(d.clients);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peercred_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
