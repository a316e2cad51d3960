// SPDX-License-Identifier: BSD-2-Clause
/*
 * While sshrecd is down, the on-demand programs (the tracepoint backend's
 * syscall tracepoints, the hook backends' programs on every open) stay
 * pinned, so the sessions that need them lose nothing across a restart.
 * They also tax every syscall (or open) on the host, so they must not
 * outlive that purpose: a watcher forked at shutdown
 * removes their pins (which detaches them) once no recorded process is
 * alive, or after syscall_linger_stopped at the latest, and exits as soon as
 * a new sshrecd listens on the control socket (it owns the pins again).
 * The session policy's own programs are removed only once no recorded
 * process is alive: its verdicts hold while a session they apply to runs.
 *
 * The watcher leaves the daemon's cgroup for one of its own: a service
 * manager stopping sshrecd kills everything left in the service's cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "paths.h"
#include "recorder/daemon.h"

/* Is a daemon accepting connections on @path? */
static bool sr_daemon_listening(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0); /* as control.c */
	bool up;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	up = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return up;
}

static double sr_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The watcher's loop; never returns. @cg is its own cgroup ("" none) under @cg2. */
static void sr_linger_watch(const char *pin_dir, const char *sock, const char *cg2, const char *cg,
                            uint32_t max_s)
{
	double t0 = sr_mono_s();
	const char *why;
	int live = 0, n;

	for (;;) {
		sleep(1);
		if (sr_daemon_listening(sock)) {
			why = NULL;
			break;
		}
		live = sr_capture_pinned_live_tasks(pin_dir);
		if (live < 0) {
			why = NULL; /* pins removed (sshrecd --unpin): nothing to do */
			break;
		}
		if (live == 0) {
			why = "no recorded process is alive";
			break;
		}
		if (sr_mono_s() - t0 >= max_s) {
			why = "syscall_linger_stopped is over: opens and failed execs of the "
			      "sessions "
			      "still running are NOT recorded until sshrecd starts again";
			break;
		}
	}
	if (why && !sr_daemon_listening(sock)) {
		/* the policy's verdicts hold as long as a session they apply to runs */
		n = sr_capture_unpin_demand(pin_dir, live ? SR_CAPTURE_DEMAND_POLICY : 0);
		if (n > 0)
			sr_warn("sshrecd down: %d on-demand capture programs detached (%s)", n,
			        why);
	}
	/* leave our cgroup for the root one and remove it */
	if (cg[0] && !sr_cgroup_move(cg2, 0))
		rmdir(cg);
	_exit(0);
}

void sr_linger_spawn(struct sr_daemon *d)
{
	char pin_dir[1024], sock[sizeof(((struct sockaddr_un *)0)->sun_path)], cg[PATH_MAX + 64];
	uint32_t max_s = d->cfg->syscall_linger_stopped_s;
	pid_t pid;

	if (!d->cfg->pin || !d->cap || !sr_capture_demand(d->cap))
		return;
	if (!max_s) {
		sr_capture_unpin_demand(d->cfg->pin_dir,
		                        sr_capture_pinned_live_tasks(d->cfg->pin_dir) > 0
		                            ? SR_CAPTURE_DEMAND_POLICY
		                            : 0);
		sr_info("on-demand capture programs detached at stop (syscall_linger_stopped = 0)");
		return;
	}
	snprintf(pin_dir, sizeof(pin_dir), "%s", d->cfg->pin_dir);
	snprintf(sock, sizeof(sock), "%s", d->cfg->socket_path);
	pid = fork();
	if (pid < 0) {
		sr_warn("cannot fork the linger watcher (%s): on-demand capture programs stay "
		        "attached until sshrecd starts again",
		        strerror(errno));
		return;
	}
	if (pid > 0) {
		sr_info("on-demand capture programs stay attached while recorded processes live, "
		        "at most %us (syscall_linger_stopped): linger watcher pid %d",
		        max_s, (int)pid);
		return;
	}
	/* the capture's link, map and program fds would keep the programs attached */
	close_range(3, ~0u, 0);
	setsid();
	snprintf(cg, sizeof(cg), "%s/" SR_CGROUP_PARENT "/linger-%d", d->cg2, (int)getpid());
	if (sr_cgroup_mkdir(cg) || sr_cgroup_move(cg, 0))
		cg[0] = '\0';
	sr_linger_watch(pin_dir, sock, d->cg2, cg, max_s);
}
