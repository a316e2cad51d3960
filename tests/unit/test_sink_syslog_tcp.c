/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The syslog sink's TCP delivery against a collector this test plays itself,
 * on a loopback socket with a small receive buffer, so that what the
 * collector's TCP acknowledged, what it read and what it never got are
 * known exactly (a real rsyslog cannot be paused between the three).
 * Delivery is at least once:
 * - records it acknowledged and dropped unread (it reset the connection)
 *   arrive on the next connection, as do the ones it never acknowledged;
 * - after any failed connection, the records confirmed within the resend
 *   window (syslog_resend_time, syslog_resend_size) are sent again, first,
 *   byte for byte, and counted as resent, never as written twice;
 * - records confirmed before the window are not sent again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "timeutil.h"
#include "tests/unit/sink_test_util.h"
#include "recorder/sinks/sink.h"

#define NREC 120

static char *dir;

/* One record as sent: its JSON, its time as the sink writes it, and where it arrived. */
struct rec {
	char *json;
	int seen;    /* how many times a collector read it */
	char *frame; /* the first frame that carried it */
	size_t flen;
	int order; /* when it was first read, from 1 */
};

static int nread;

struct coll {
	int lfd, port;
	int fd;    /* the accepted connection */
	char *buf; /* bytes read, not yet a whole frame */
	size_t len;
};

static void coll_listen(struct coll *c, int rcvbuf)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);

	c->fd = -1;
	c->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->lfd >= 0);
	/* set before listen(): accepted sockets inherit it, the window stays small */
	assert_int_equal(setsockopt(c->lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	assert_int_equal(bind(c->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(c->lfd, 4), 0);
	assert_int_equal(getsockname(c->lfd, (struct sockaddr *)&a, &l), 0);
	c->port = ntohs(a.sin_port);
}

/* Flush @p sink until the collector has accepted its connection. */
static void coll_accept(struct coll *c, struct sr_sink *sink)
{
	int i;

	assert_int_equal(fcntl(c->lfd, F_SETFL, O_NONBLOCK), 0);
	for (i = 0; i < 200 && c->fd < 0; i++) {
		sink->ops->flush(sink);
		c->fd = accept(c->lfd, NULL, NULL);
		if (c->fd < 0)
			usleep(25000);
	}
	assert_true(c->fd >= 0);
	c->len = 0;
}

/* Count the whole frames in @p c->buf against @p r, keep a partial one. */
static void coll_frames(struct coll *c, struct rec *r, size_t n)
{
	size_t off = 0, i;

	for (;;) {
		char *sp = memchr(c->buf + off, ' ', c->len - off);
		size_t flen, mlen;

		if (!sp)
			break;
		mlen = strtoul(c->buf + off, NULL, 10);
		flen = (size_t)(sp + 1 - (c->buf + off)) + mlen;
		if (off + flen > c->len)
			break;
		for (i = 0; i < n; i++) {
			size_t jl = strlen(r[i].json);

			if (mlen < jl || memcmp(sp + 1 + mlen - jl, r[i].json, jl))
				continue;
			if (r[i].seen++) {
				/* a copy is the very same bytes */
				if (flen != r[i].flen || memcmp(c->buf + off, r[i].frame, flen))
					fail_msg("record %zu came again, not byte for byte", i);
				break;
			}
			r[i].frame = malloc(flen);
			assert_non_null(r[i].frame);
			memcpy(r[i].frame, c->buf + off, flen);
			r[i].flen = flen;
			r[i].order = ++nread;
			break;
		}
		if (i == n)
			fail_msg("a frame that is no record: %.80s", sp + 1);
		off += flen;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

/* Read what the connection holds now (non-blocking) and count its frames. */
static void coll_read(struct coll *c, struct rec *r, size_t n)
{
	char tmp[65536];
	ssize_t got;

	while ((got = recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0) {
		c->buf = realloc(c->buf, c->len + (size_t)got);
		assert_non_null(c->buf);
		memcpy(c->buf + c->len, tmp, (size_t)got);
		c->len += (size_t)got;
	}
	coll_frames(c, r, n);
}

static size_t seen_total(const struct rec *r, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (size_t)r[i].seen;
	return k;
}

/* Records @p from..@p to of one session, big enough that a few fill the window. */
static void make_records(struct rec *r, size_t from, size_t to, struct sr_session_info *s,
                         struct sr_sink *sink)
{
	char path[1200];
	struct tu_rec t = {0};
	size_t i;

	for (i = from; i < to; i++) {
		snprintf(path, sizeof(path), "/var/tmp/%04zu-%01100d", i, 0);
		tu_disk(&t, s, i, 1, 700, path);
		r[i].json = strndup(t.rec.json, t.rec.json_len);
		assert_int_equal(sink->ops->write(sink, &t.rec), 0);
		tu_free(&t);
	}
}

/* Run @p sink's flush with stderr (the daemon's log) captured into @p out. */
static void flush_logged(struct sr_sink *sink, char *out, size_t outlen)
{
	char path[600];
	int saved = dup(2), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	sink->ops->flush(sink);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	fputs(out, stderr);
}

static void sink_open(struct sr_sink *sink, struct sr_config *cfg, char *target, size_t tl,
                      int port, uint32_t resend_s, uint64_t resend_bytes)
{
	tu_config(cfg, dir);
	snprintf(target, tl, "tcp://127.0.0.1:%d", port);
	cfg->syslog_target = target;
	cfg->backlog_max = 10000;
	cfg->syslog_resend_s = resend_s;
	cfg->syslog_resend_bytes = resend_bytes;
	assert_int_equal(sink->ops->init(sink, cfg), 0);
}

static void recs_free(struct rec *r, struct coll *c, struct sr_sink *sink)
{
	size_t i;

	sink->ops->close(sink);
	close(c->fd);
	close(c->lfd);
	free(c->buf);
	for (i = 0; i < NREC; i++) {
		free(r[i].json);
		free(r[i].frame);
	}
}

/* Flush and read until the collector has @p n records and the sink confirmed them. */
static void deliver(struct coll *c, struct rec *r, struct sr_sink *sink, size_t n)
{
	int tries;

	for (tries = 0; tries < 400 && (seen_total(r, NREC) < n || sink->health.written < n);
	     tries++) {
		sink->ops->flush(sink);
		coll_read(c, r, NREC);
		usleep(5000);
	}
	assert_int_equal(seen_total(r, NREC), n);
	assert_int_equal(sink->health.written, n);
}

/* After a failure: reconnect, flush and read until nothing waits. */
static void drain(struct coll *c, struct rec *r, struct sr_sink *sink)
{
	int tries;

	coll_accept(c, sink);
	for (tries = 0; tries < 400 && (sink->health.backlog || !sink->health.ok || c->len ||
	                                seen_total(r, NREC) < NREC);
	     tries++) {
		sink->ops->flush(sink);
		coll_read(c, r, NREC);
		usleep(5000);
	}
	usleep(50000);
	sink->ops->flush(sink);
	coll_read(c, r, NREC);
	assert_true(sink->health.ok);
	assert_int_equal(sink->health.backlog, 0);
	assert_int_equal(sink->health.written, NREC);
	assert_int_equal(sink->health.dropped, 0);
}

static void test_reset_with_unread(void **state)
{
	struct rec r[NREC] = {0};
	struct coll c = {0};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink = {.ops = &sr_sink_syslog_ops};
	char target[64], log[4096];
	size_t i, acked;
	int tries, unread = 0;

	(void)state;
	nread = 0;
	coll_listen(&c, 4096);
	sink_open(&sink, &cfg, target, sizeof(target), c.port, 10, 8 << 20);
	tu_session(&s, 42, "trent", 1700000000000000);
	coll_accept(&c, &sink);

	/* 1: the collector reads 20 records, and the sink confirms them */
	make_records(r, 0, 20, &s, &sink);
	deliver(&c, r, &sink, 20);

	/*
	 * 2: it stops reading; 100 more fill its window, and the rest waits
	 * unacknowledged in the sink's socket. Flush until its acknowledgements
	 * settle: every byte in its buffer acknowledged and confirmed.
	 */
	make_records(r, 20, NREC, &s, &sink);
	for (tries = 0; tries < 400; tries++) {
		int q = 0;

		sink.ops->flush(&sink);
		usleep(5000);
		ioctl(c.fd, FIONREAD, &q);
		if (q && q == unread && sink.health.written > 20)
			break;
		unread = q;
	}
	acked = (size_t)sink.health.written;
	assert_true(acked > 20 && acked < NREC);
	assert_true(sink.health.backlog > 0);

	/* 3: it closes with those bytes unread: Linux resets the connection */
	close(c.fd);
	c.fd = -1;
	flush_logged(&sink, log, sizeof(log));
	assert_false(sink.health.ok);
	assert_non_null(strstr(log, "sending again the"));
	assert_int_equal(sink.health.resent, acked);

	/*
	 * 4: everything it confirmed is sent again, first and in order, then
	 * what it never acknowledged: every record arrives, the ones it had read
	 * twice (byte for byte), the ones it dropped once.
	 */
	drain(&c, r, &sink);
	for (i = 0; i < NREC; i++)
		if (r[i].seen != (i < 20 ? 2 : 1))
			fail_msg("record %zu arrived %d times", i, r[i].seen);
	for (i = 21; i < NREC; i++)
		assert_true(r[i].order == r[i - 1].order + 1);
	assert_int_equal(sink.health.resent, acked);
	recs_free(r, &c, &sink);
}

/*
 * A collector that read everything and closes in order (FIN): the records it
 * confirmed are sent again too (it may not have written them); the ones that
 * came after the close arrive once.
 */
static void test_orderly_close(void **state)
{
	struct rec r[NREC] = {0};
	struct coll c = {0};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink = {.ops = &sr_sink_syslog_ops};
	char target[64], log[4096];
	size_t i;

	(void)state;
	nread = 0;
	coll_listen(&c, 1 << 20);
	sink_open(&sink, &cfg, target, sizeof(target), c.port, 10, 8 << 20);
	tu_session(&s, 43, "peggy", 1700000100000000);
	coll_accept(&c, &sink);
	make_records(r, 0, 30, &s, &sink);
	deliver(&c, r, &sink, 30);
	close(c.fd);
	c.fd = -1;
	usleep(20000);
	make_records(r, 30, NREC, &s, &sink);
	flush_logged(&sink, log, sizeof(log));
	assert_false(sink.health.ok);
	assert_non_null(strstr(sink.health.last_error, "closed the connection"));
	assert_non_null(strstr(log, "sending again the 30 records"));
	drain(&c, r, &sink);
	for (i = 0; i < NREC; i++)
		if (r[i].seen != (i < 30 ? 2 : 1))
			fail_msg("record %zu arrived %d times", i, r[i].seen);
	assert_int_equal(sink.health.resent, 30);
	recs_free(r, &c, &sink);
}

/* Flush and read until the collector read @p total frames and nothing waits. */
static void settle(struct coll *c, struct rec *r, struct sr_sink *sink, size_t total)
{
	int tries;

	for (tries = 0; tries < 400 &&
	                (sink->health.backlog || !sink->health.ok || seen_total(r, NREC) < total);
	     tries++) {
		sink->ops->flush(sink);
		coll_read(c, r, NREC);
		usleep(5000);
	}
	assert_int_equal(seen_total(r, NREC), total);
	assert_int_equal(sink->health.backlog, 0);
}

/* The collector goes away (FIN); flush with the log captured. */
static void collector_gone(struct coll *c, struct sr_sink *sink, char *log, size_t loglen)
{
	close(c->fd);
	c->fd = -1;
	usleep(20000);
	flush_logged(sink, log, loglen);
	assert_false(sink->health.ok);
}

/*
 * The window's bounds: records confirmed more than syslog_resend_time before
 * the failure are not sent again, and of the rest only the newest that fit
 * syslog_resend_size are.
 */
static void test_window(void **state)
{
	struct rec r[NREC] = {0};
	struct coll c = {0};
	struct sr_config cfg;
	struct sr_session_info s;
	struct sr_sink sink = {.ops = &sr_sink_syslog_ops};
	char target[64], log[4096];
	size_t i, bound;

	(void)state;
	nread = 0;
	coll_listen(&c, 1 << 20);
	tu_session(&s, 44, "victor", 1700000200000000);
	/* a first sink measures the frames (the same records give the same frames) */
	sink_open(&sink, &cfg, target, sizeof(target), c.port, 0, 0);
	coll_accept(&c, &sink);
	make_records(r, 0, 80, &s, &sink);
	deliver(&c, r, &sink, 80);
	collector_gone(&c, &sink, log, sizeof(log));
	assert_null(strstr(log, "sending again")); /* a window of 0: nothing kept */
	sink.ops->close(&sink);
	bound = 0;
	for (i = 70; i < 80; i++)
		bound += r[i].flen;
	bound += r[69].flen / 2; /* 70-79 fit, 69 does not */
	for (i = 0; i < NREC; i++) {
		free(r[i].json);
		free(r[i].frame);
	}
	memset(r, 0, sizeof(r));
	nread = 0;

	/*
	 * A window of 3 s: 0-39 are made to leave it by a sleep (a lower bound,
	 * whatever the load); what must stay in it (40-44, then 70-79) only has
	 * to reach collector_gone() within 3 s. With 1 s, a loaded CI machine
	 * (make check -j2 under ASan) once took longer and nothing was resent.
	 */
	sink = (struct sr_sink){.ops = &sr_sink_syslog_ops};
	sink_open(&sink, &cfg, target, sizeof(target), c.port, 3, bound);
	coll_accept(&c, &sink);
	make_records(r, 0, 40, &s, &sink);
	deliver(&c, r, &sink, 40);
	usleep(3300000); /* 0-39 leave the 3 s window */
	make_records(r, 40, 45, &s, &sink);
	deliver(&c, r, &sink, 45);
	/* 1: the time bound holds: 40-44 only, though 10 would fit the size */
	collector_gone(&c, &sink, log, sizeof(log));
	assert_non_null(strstr(log, "sending again the 5 records"));
	coll_accept(&c, &sink);
	settle(&c, r, &sink, 50);
	/* 2: the size bound holds: 70-79 only, though 40-79 are all recent */
	make_records(r, 45, 80, &s, &sink);
	settle(&c, r, &sink, 85);
	collector_gone(&c, &sink, log, sizeof(log));
	assert_non_null(strstr(log, "sending again the 10 records"));
	make_records(r, 80, NREC, &s, &sink);
	drain(&c, r, &sink);
	for (i = 0; i < NREC; i++)
		if (r[i].seen != ((i >= 40 && i < 45) || (i >= 70 && i < 80) ? 2 : 1))
			fail_msg("record %zu arrived %d times", i, r[i].seen);
	assert_int_equal(sink.health.resent, 15);
	recs_free(r, &c, &sink);
}

static int setup(void **state)
{
	(void)state;
	dir = tu_tmpdir("syslogtcp");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_with_unread),
	    cmocka_unit_test(test_orderly_close),
	    cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
