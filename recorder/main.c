/* SPDX-License-Identifier: BSD-2-Clause */
/* sshrecd: arguments, setup, restart recovery, teardown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "recorder/daemon.h"
#include "recorder/store/db.h"
#include "timeutil.h"

/* server_id: the config, else /etc/machine-id as a UUID. */
static void host_identity(struct sr_daemon *d)
{
	char mid[64] = "";
	FILE *f;

	gethostname(d->hostname, sizeof(d->hostname) - 1);
	if (d->cfg->server_hostname)
		snprintf(d->hostname, sizeof(d->hostname), "%s", d->cfg->server_hostname);
	if (d->cfg->server_id) {
		snprintf(d->server_id, sizeof(d->server_id), "%s", d->cfg->server_id);
		return;
	}
	f = fopen("/etc/machine-id", "re");
	if (f) {
		if (!fgets(mid, sizeof(mid), f))
			mid[0] = '\0';
		fclose(f);
	}
	if (strspn(mid, "0123456789abcdef") >= 32) {
		snprintf(d->server_id, sizeof(d->server_id), "%.8s-%.4s-%.4s-%.4s-%.12s", mid,
		         mid + 8, mid + 12, mid + 16, mid + 20);
		return;
	}
	sr_uuid_v4(d->server_id);
	sr_warn("no /etc/machine-id and no server_id in the config: using %s for this run",
	        d->server_id);
}

/*
 * Raise our CPU priority. Under a login storm hundreds of session processes
 * compete with sshrecd for the CPU; starved, it cannot empty the ring buffer
 * (events lost) or answer registrations in time (logins refused). With
 * autogroup scheduling (the default on most kernels) every session leader
 * gets an equal share and a process's nice only counts inside its group, so
 * the group's nice is set too, but only when the group is ours: as a service
 * or daemon we lead our own session; in an admin's terminal we would boost
 * the admin's shell as well.
 */
static void raise_priority(int nice)
{
	char val[16];
	int err;

	if (setpriority(PRIO_PROCESS, 0, nice))
		sr_warn("cannot set nice %d: %s", nice, strerror(errno));
	if (getsid(0) != getpid())
		return;
	snprintf(val, sizeof(val), "%d", nice);
	err = sr_knob_write("/proc/self/autogroup", val);
	/* ENOENT: no autogroup scheduling, setpriority() was enough */
	if (err && err != -ENOENT)
		sr_warn("cannot set the autogroup nice to %d: %s", nice, strerror(-err));
}

static int setup(struct sr_daemon *d)
{
	struct sr_capture_opts opts = {0};
	sigset_t mask;
	int err;

	d->started_us = sr_now_us();
	raise_priority(d->cfg->nice);
	host_identity(d);
	err = sr_cgroup2_mount(d->cg2, sizeof(d->cg2));
	if (err) {
		sr_err("cgroup2 is not mounted: sshrec needs it for session cgroups");
		return err;
	}
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->clients = calloc(256, sizeof(*d->clients));
	if (d->epfd < 0 || d->inofd < 0 || d->sigfd < 0 || !d->clients)
		return -errno ? -errno : -ENOMEM;

	err = sr_sinks_open(d);
	if (err)
		return err;
	sr_journal_init(d);
	opts.ringbuf_size = (uint32_t)d->cfg->ringbuf_bytes;
	opts.pin_dir = d->cfg->pin_dir;
	opts.pin = d->cfg->pin;
	opts.backend = d->cfg->backend;
	/*
	 * Batch wakeups: the kernel wakes us only once this much waits, which
	 * saves a wakeup per record (about half the in-session cost of recording
	 * an open). What waits below it is read on the loop's 200 ms timer, and
	 * a session's end drains the ring before writing session.end.
	 */
	opts.wakeup_bytes = SR_WAKEUP_BYTES < d->cfg->ringbuf_bytes / 4
	                        ? SR_WAKEUP_BYTES
	                        : (uint32_t)(d->cfg->ringbuf_bytes / 4);
	err = sr_capture_open(&opts, &d->cap);
	if (err)
		return err;
	err =
	    sr_ringbuf_open(&d->rb, sr_capture_ringbuf_fd(d->cap), sr_capture_ringbuf_size(d->cap));
	if (err)
		return err;
	err = sr_policy_open(d);
	if (err)
		return err;
	err = sr_corr_init(&d->corr, sr_restore_next_entity(d->cfg), sr_sinks_write, d);
	if (err)
		return err;
	d->corr.want_json = sr_sinks_want_json(d);
	if (sr_capture_reused(d->cap))
		sr_info("reattached to pinned capture in %s: reading what queued while down",
		        d->cfg->pin_dir);
	/*
	 * Pinned on-demand links were kept (sr_capture_demand() says which): the
	 * linger in sr_session_update_demand() detaches what the restored
	 * sessions do not need.
	 */
	/* sessions first, so that the queued events find them */
	sr_restore(d);
	sr_policy_sweep(d);
	sr_restore_ring_position(d);
	d->sq_pos = d->rb.read_pos; /* SQLite holds what lies before (sr_loop_commit) */
	sr_session_update_demand(d);
	sr_loop_drain(d, true);
	for (size_t i = 0; i < SR_SESS_BUCKETS; i++) {
		struct sr_session *s, *next;

		/* losses of the outage journal after every event the ring still had */
		for (s = d->sess[i]; s; s = s->next)
			sr_journal_replay(d, s, true);
		for (s = d->sess[i]; s; s = next) {
			next = s->next;
			sr_session_check(d, s);
		}
	}
	/*
	 * SQLite's ring position and time base (or, while it cannot commit, the
	 * outage journal's) before the first login is acknowledged, not at the
	 * first timer flush: a kill -9 before that left a restart to measure a
	 * time base of its own (restore.c), and the records it made again from
	 * the ring were not the ones the other sinks had got.
	 */
	sr_sinks_flush(d);
	sr_loop_commit(d);
	return sr_control_open(d);
}

static void teardown(struct sr_daemon *d)
{
	sr_control_close(d);
	sr_sinks_close(d);
	sr_journal_close(d);
	sr_session_free_all(d);
	sr_policy_close(d);
	sr_corr_free(&d->corr);
	sr_ringbuf_close(&d->rb);
	sr_linger_spawn(d);       /* before the close: it asks the capture what is attached */
	sr_capture_close(d->cap); /* pins stay: capture continues until the next start */
	if (d->timerfd >= 0)
		close(d->timerfd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->inofd >= 0)
		close(d->inofd);
	if (d->epfd >= 0)
		close(d->epfd);
	free(d->clients);
}

int main(int argc, char **argv)
{
	struct sr_daemon d = {
	    .epfd = -1, .sigfd = -1, .timerfd = -1, .inofd = -1, .listenfd = -1, .jnl_fd = -1};
	enum sr_config_action action;
	struct sr_config cfg;
	char err[1024] = "";
	int ret;

	sr_log_init("sshrecd", SR_LOG_STDERR, LOG_INFO);
	ret = sr_config_load(&cfg, argc, argv, &action, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sshrecd: %s\n", err[0] ? err : strerror(-ret));
		if (ret == -EINVAL && !strchr(err, ':'))
			sr_config_usage(stderr);
		sr_config_free(&cfg);
		return 2;
	}
	if (action == SR_CONFIG_HELP || action == SR_CONFIG_VERSION) {
		if (action == SR_CONFIG_HELP)
			sr_config_usage(stdout);
		else
			printf("sshrecd %s (event ABI %d, record format %d)\n", PACKAGE_VERSION,
			       SR_EVENTS_ABI_VERSION, SR_RECORD_FORMAT);
		sr_config_free(&cfg);
		return 0;
	}
	if (cfg.check_config) {
		printf("%s: OK\n", cfg.conf_path);
		sr_config_free(&cfg);
		return 0;
	}
	sr_log_init("sshrecd", cfg.log_syslog ? SR_LOG_SYSLOG : SR_LOG_STDERR, cfg.log_level);
	if (cfg.unpin) {
		ret = sr_capture_unpin(cfg.pin_dir);
		sr_config_free(&cfg);
		return ret ? 1 : 0;
	}
	if (cfg.upgrade_db) {
		/* what a start does first, alone: no BPF, no socket (and no root needed) */
		sqlite3 *db = NULL;

		ret = sr_db_open(cfg.db_path, cfg.records_gid, &db);
		sqlite3_close(db);
		if (!ret)
			printf("%s: schema version %d\n", cfg.db_path, SR_DB_VERSION);
		sr_config_free(&cfg);
		return ret ? 1 : 0;
	}
	if (geteuid() != 0) {
		sr_err("must run as root (loads BPF programs, owns the session cgroups)");
		sr_config_free(&cfg);
		return 1;
	}
	if (!cfg.foreground) {
		/* classic daemon: detach, and log to syslog since stderr is gone */
		if (!cfg.log_syslog)
			sr_log_init("sshrecd", SR_LOG_SYSLOG, cfg.log_level);
		if (daemon(0, 0)) {
			sr_err("cannot detach: %s", strerror(errno));
			sr_config_free(&cfg);
			return 1;
		}
	}
	d.cfg = &cfg;
	ret = setup(&d);
	if (!ret) {
		sr_info("sshrecd %s ready on %s (server id %s)", PACKAGE_VERSION, cfg.socket_path,
		        d.server_id);
		ret = sr_loop_run(&d);
	}
	teardown(&d);
	sr_config_free(&cfg);
	return ret ? 1 : 0;
}
