/* SPDX-License-Identifier: BSD-2-Clause */
/* The event loop: ring buffer, control socket, signals, timers, cgroup.events. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "recorder/daemon.h"
#include "timeutil.h"

#define SR_BATCH           4096 /* records per sink transaction */
#define SR_TICK_MS         200  /* flush interval; also reads what waits below SR_WAKEUP_BYTES */
#define SR_POLL_TICKS      5    /* loss poll and rates every 5 ticks = 1 s */
#define SR_STALL_WARN_MS   1000 /* a round longer than this is logged */
#define SR_DRAIN_BUDGET_MS 100  /* the timer's drain yields to the loop after this */

static int on_record(void *ctx, const void *data, size_t size)
{
	struct sr_daemon *d = ctx;
	const struct sr_event_hdr *h = data;
	struct sr_session *s;
	int err;

	if (size < sizeof(*h)) {
		d->corr.malformed++;
		return 0;
	}
	s = sr_session_by_key(d, h->session_key);
	if (!s) {
		d->orphans++;
		return 0;
	}
	if (h->type == SR_EV_ESCAPE && sr_session_escape(d, s, data, size))
		return 0; /* logind's move into the login's scope: followed, no record */
	if (h->type == SR_EV_OPEN || h->type == SR_EV_FCHANGE)
		d->class_total[SR_CLASS_DISK]++;
	else if (h->type == SR_EV_CONNECT)
		d->class_total[SR_CLASS_NETWORK]++;
	else
		d->class_total[SR_CLASS_COMMAND]++;
	if (s->nreplay) /* a loss of the outage journal recorded at this point */
		sr_journal_replay(d, s, false);
	err = sr_corr_event(&d->corr, &s->corr, data, size);
	if (err && err != -EINVAL) {
		/*
		 * Out of memory half-way through an event: it may have emitted part
		 * of its records, so it is not retried (a retry would emit them
		 * again with new ei). Counted and skipped; logged once per streak.
		 */
		if (!d->failed_streak++)
			sr_err("correlating an event of session %s failed: %s (event skipped)",
			       s->corr.info.sid, strerror(-err));
		d->failed_events++;
		return 0;
	}
	d->failed_streak = 0;
	return 0; /* -EINVAL: malformed, counted by the correlator, skipped */
}

/* Take the ring fd in or out of epoll (it is level-triggered: readable while
 * the consumer position is behind the producer, so always while records are
 * held in it; the 200 ms timer reads them then). */
static void ring_poll(struct sr_daemon *d, bool on)
{
	struct epoll_event ev = {.events = on ? EPOLLIN : 0,
	                         .data.fd = sr_capture_ringbuf_fd(d->cap)};

	if (!d->ring_in_epoll || d->ring_polled == on)
		return;
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, ev.data.fd, &ev))
		sr_warn("epoll: the ring buffer fd: %s", strerror(errno));
	else
		d->ring_polled = on;
}

/*
 * Records that left the ring buffer are never handed out twice by one
 * daemon: once correlated, they got their ei and entity ids, and a second
 * pass would make new ones that no sink could tell from the first. So a
 * sink that cannot write keeps the batch in its own bounded backlog
 * (retried with backoff, overflow counted in its health as dropped) and
 * reports the failure through its health and `sshrec status`.
 *
 * The kernel's consumer position is another matter: it is where a restarted
 * daemon starts reading, correlating from the state SQLite holds. So while
 * the SQLite sink (the store of record) has a backlog, the consumer position
 * stays at the ring position of its last commit (sq_pos): a kill -9 then
 * loses no record, the next start reads those events again and, from the
 * same SQLite state, makes them into the same records (same ei, uid and
 * process ids; JSON lines may get those lines a second time, the very same
 * lines). The other sinks' backlogs are not kept: SQLite has their records.
 * Held records shrink the ring for the kernel, so this stops at half the
 * ring: past that the position advances as if nothing were kept (the kernel
 * must not drop events of sessions because the database is locked), the
 * backlog is no longer safe from a kill -9, and the log, the sink's status
 * (kill9_safe) and a counter say so until SQLite commits again.
 */
void sr_loop_commit(struct sr_daemon *d)
{
	struct sr_ringbuf *rb = &d->rb;
	uint64_t to = rb->read_pos, bound = (rb->mask + 1) / 2;

	if (!rb->consumer_pos)
		return;
	if (d->sq && d->sq_pos < rb->read_pos) {
		if (!d->sq_unsafe && rb->read_pos - d->sq_pos > bound) {
			d->sq_unsafe = true;
			d->sq_unsafe_n++;
			sr_err(
			    "sink sqlite: its backlog outgrew half the ring buffer (%llu bytes): "
			    "the ring advances again, and a kill -9 now loses the backlog until "
			    "the database takes it",
			    (unsigned long long)bound);
		}
		if (!d->sq_unsafe)
			to = d->sq_pos;
	} else if (d->sq_unsafe) {
		d->sq_unsafe = false;
		sr_info("sink sqlite: its backlog is stored");
	}
	if (d->sq)
		d->sq->ring_kept = to < rb->read_pos;
	sr_ringbuf_commit_to(rb, to);
	ring_poll(d, to == rb->read_pos);
}

/* Read batches; after each, flush every sink, then commit (sr_loop_commit). */
int sr_loop_drain(struct sr_daemon *d, bool all)
{
	int n, total = 0;
	bool failing;
	/* Drain up to what the kernel had produced when we started, not until
	 * the ring is empty: under a steady flood of events an "until empty"
	 * loop never returns and starves the control socket (logins time out).
	 * Anything a just-emptied session did is before this point. */
	uint64_t until = __atomic_load_n(d->rb.producer_pos, __ATOMIC_ACQUIRE);

	do {
		uint64_t from = d->rb.read_pos;

		n = sr_ringbuf_read(&d->rb, SR_BATCH, on_record, d);
		/* nothing read (held records keep the ring "pending": no flush for them) */
		if (n == 0 && d->rb.read_pos == from) {
			sr_loop_commit(d);
			break;
		}
		failing = sr_sinks_flush(d) != 0;
		if (failing && !d->all_sinks_failing)
			sr_err("every sink failed: records wait in the sinks' bounded backlogs");
		d->all_sinks_failing = failing;
		sr_loop_commit(d);
		total += n;
	} while (all && n > 0 && d->rb.read_pos < until);
	return total;
}

static int add_fd(struct sr_daemon *d, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void on_signal(struct sr_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sr_info("SIGHUP: reopening sink files, reloading the policy");
			sr_sinks_reopen(d);
			sr_policy_reload(d);
		} else {
			sr_info("%s: draining and exiting (pins stay: capture continues)",
			        strsignal((int)si.ssi_signo));
			d->stop = true;
		}
	}
}

static void on_timer(struct sr_daemon *d, unsigned *ticks)
{
	uint64_t exp;
	size_t i;
	struct sr_session *s, *next;

	if (read(d->timerfd, &exp, sizeof(exp)) != sizeof(exp))
		return;
	/*
	 * With batched wakeups the ring may hold records no wakeup announced:
	 * read what waits, but within a time budget. A backlog of a full ring
	 * read in one go kept the loop away from logins for tens of seconds
	 * under a login storm; the ring fd stays readable, so the rest comes
	 * in the next rounds, between which the control socket is served.
	 */
	int64_t until = sr_now_us() + SR_DRAIN_BUDGET_MS * 1000;

	while (sr_loop_drain(d, false) > 0 && sr_now_us() < until)
		;
	if (++*ticks % SR_POLL_TICKS)
		return;
	sr_time_resync();
	sr_session_poll_loss(d);
	sr_session_update_demand(d);
	sr_status_tick(d);
	sr_control_expire(d, sr_now_us());
	/* a missed inotify event must not keep a session open forever */
	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = next) {
			next = s->next;
			sr_session_check(d, s);
		}
	sr_sinks_flush(d); /* SQLite's retry: what it stores leaves the ring */
	sr_loop_commit(d);
}

/*
 * One loop round that takes seconds delays every login waiting on an ack and
 * every ring buffer wakeup: say so, it is the first thing to look at when
 * logins time out (slow disk under a sink flush, an overloaded host).
 */
static void note_stall(int64_t t0_us)
{
	int64_t ms = (sr_now_us() - t0_us) / 1000;

	if (ms >= SR_STALL_WARN_MS)
		sr_warn("event loop: one round took %lld ms (logins wait for their ack meanwhile)",
		        (long long)ms);
}

int sr_loop_run(struct sr_daemon *d)
{
	struct itimerspec its = {.it_interval = {0, SR_TICK_MS * 1000000L},
	                         .it_value = {0, SR_TICK_MS * 1000000L}};
	struct epoll_event evs[64];
	unsigned ticks = 0;
	int rbfd = sr_capture_ringbuf_fd(d->cap), n, i, err;

	err = add_fd(d, rbfd);
	d->ring_in_epoll = d->ring_polled = !err;
	if (!err)
		err = add_fd(d, d->sigfd);
	if (!err)
		err = add_fd(d, d->inofd);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL))
		err = -errno;
	if (!err)
		err = add_fd(d, d->timerfd);
	if (err) {
		sr_err("event loop setup: %s", strerror(-err));
		return err;
	}
	d->batch_opens = true;
	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			sr_err("epoll_wait: %s", strerror(-err));
			return err;
		}
		int64_t t0 = sr_now_us();

		for (i = 0; i < n && !d->stop; i++) {
			int fd = evs[i].data.fd;

			if (fd == rbfd)
				sr_loop_drain(d, false);
			else if (fd == d->sigfd)
				on_signal(d);
			else if (fd == d->timerfd)
				on_timer(d, &ticks);
			else if (fd == d->inofd)
				sr_session_inotify(d);
			else if (fd == d->listenfd)
				sr_control_accept(d);
			else
				sr_control_serve(d, fd);
		}
		sr_control_commit_opens(d);
		note_stall(t0);
	}
	d->batch_opens = false;
	/* shutdown: everything that left the kernel goes to the sinks */
	sr_loop_drain(d, true);
	sr_session_poll_loss(d);
	sr_sinks_flush(d);
	sr_loop_commit(d);
	return 0;
}
