/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog sink: one RFC 5424 message per record, the record's JSON as MSG,
 * to "unix:/dev/log" (datagram), "udp://host:port" or "tcp://host:port"
 * (octet-counting framing, RFC 6587). Never blocks: sockets are
 * non-blocking, unsent messages stay in a buffer bounded by backlog_max
 * (counted when dropped), and TCP reconnects with backoff.
 *
 * The buffer always holds octet-counted frames ("LEN SP MSG"); datagram
 * transports send each MSG on its own, TCP sends the frames as they are.
 *
 * Plain TCP syslog has no receipt, and a collector that restarts loses
 * what was sent into its closed connection: send() still succeeds, the
 * reset comes later. So on TCP a frame is confirmed only once the
 * collector's TCP acknowledged all of it (TCP_INFO's bytes_acked, which a
 * reset does not clear); until then it stays in the buffer, and a
 * connection that fails (or that the collector closed, seen before each
 * send) is replaced and the frames not acknowledged are sent again, whole.
 *
 * An acknowledgement only says the collector's kernel has the bytes, not
 * that the collector wrote them: rsyslog's imtcp, stopped while records
 * flow, resets the connection with acknowledged data unread, and any
 * collector may lose what it queued in memory. So delivery is at least
 * once: confirmed frames stay in the buffer for syslog_resend_time seconds
 * (at most syslog_resend_size bytes), and after a failed connection they
 * are sent again, before anything new, as the very same bytes. A SIEM
 * drops the copies by keying records on (sid, ei); the resend is counted
 * (status "resent") and logged with its time range.
 *
 * While the collector is down, records wait in the buffer, reconnecting
 * every 0.2 s doubling to 5 s, for as long as it takes; the bound is
 * backlog_max records. Past it, new records are dropped (the oldest may be
 * half sent): counted, and logged with the time range they span, which
 * `sshrec export` can replay from the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked (glibc's lacks it) */
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"
#include "recorder/config.h"
#include "recorder/sinks/sink_priv.h"

#define RETRY_MIN_MS 200
#define RETRY_MAX_MS 5000
/* TCP: confirmations remembered for the resend window; older ones are merged */
#define CONFS 64
/* LOG_AUTHPRIV: records say who ran what, they belong with the auth logs */
#define FACILITY 10

enum transport { T_UNIX, T_UDP, T_TCP };

/* TCP: frames the collector acknowledged at one time, up to a stream position */
struct conf {
	uint64_t end; /* stream position after them */
	int64_t at_ms;
};

struct sl {
	enum transport t;
	char *target;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	bool connecting; /* TCP connect in progress */
	char *buf;       /* frames: kept (TCP) from keep, not yet confirmed from off */
	size_t len, cap, off;
	size_t sent; /* TCP: bytes from off handed to this connection, maybe unacknowledged */
	uint64_t acked_base;      /* TCP: bytes_acked when the connection was made (the SYN) */
	uint64_t popped;          /* TCP: frame bytes confirmed on this connection */
	size_t keep;              /* TCP: confirmed frames kept for a resend, from here to off */
	uint64_t base;            /* TCP: stream position of buf[0] (bytes ever moved out) */
	uint64_t again;           /* TCP: frames before this stream position are resends */
	struct conf confs[CONFS]; /* TCP: when the kept frames were confirmed, oldest first */
	size_t nconfs;
	uint64_t resend_bytes;
	int64_t resend_ms;
	uint64_t nmsg;                    /* records not confirmed yet (resends not counted) */
	uint64_t dropping;                /* records dropped since the backlog filled */
	int64_t drop_min_us, drop_max_us; /* their record times */
	uint64_t backlog_max;
	int64_t retry_at_ms;
	int64_t retry_ms;
	int last_err;
	char procid[16];
};

static int parse_target(struct sl *s, const char *target)
{
	struct addrinfo hints = {0}, *res = NULL;
	char host[256], *port;
	const char *hp;
	size_t n;
	int rc;

	if (!strncmp(target, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;

		if (strlen(target + 5) >= sizeof(un->sun_path) || !target[5])
			return -EINVAL;
		s->t = T_UNIX;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, target + 5);
		s->addrlen = sizeof(*un);
		return 0;
	}
	if (!strncmp(target, "udp://", 6))
		s->t = T_UDP;
	else if (!strncmp(target, "tcp://", 6))
		s->t = T_TCP;
	else
		return -EINVAL;
	hp = target + 6;
	/* "[v6addr]:port" or "host:port" */
	if (*hp == '[') {
		const char *close = strchr(hp, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - hp - 1);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, hp + 1, n);
		host[n] = '\0';
		port = (char *)close + 2;
	} else {
		const char *colon = strrchr(hp, ':');

		if (!colon || (size_t)(colon - hp) >= sizeof(host) || colon == hp)
			return -EINVAL;
		memcpy(host, hp, (size_t)(colon - hp));
		host[colon - hp] = '\0';
		port = (char *)colon + 1;
	}
	if (!*port || strspn(port, "0123456789") != strlen(port))
		return -EINVAL;
	hints.ai_socktype = s->t == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc || !res) {
		sr_err("sink syslog: %s: cannot resolve %s: %s", target, host, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void sl_disconnect(struct sl *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connecting = false;
	/* what the collector did not acknowledge is sent again, whole frames */
	s->sent = 0;
}

/* TCP: bytes the collector's TCP acknowledged on this connection so far. */
static int tcp_bytes_acked(int fd, uint64_t *out)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
		return -errno;
	*out = ti.tcpi_bytes_acked;
	return 0;
}

/* TCP: a new connection; count acknowledgements from here (the SYN is one). */
static void tcp_established(struct sl *s)
{
	s->popped = 0;
	if (s->t != T_TCP || tcp_bytes_acked(s->fd, &s->acked_base))
		s->acked_base = 1;
}

static int sl_connect(struct sl *s)
{
	int type = s->t == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int err;

	s->fd = socket(s->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen)) {
		if (errno == EINPROGRESS && s->t == T_TCP) {
			s->connecting = true;
			return 0;
		}
		err = -errno;
		sl_disconnect(s);
		return err;
	}
	tcp_established(s);
	return 0;
}

/* TCP: has the non-blocking connect finished? 0 yes, -EAGAIN not yet, else the error */
static int sl_connected(struct sl *s)
{
	struct pollfd p = {.fd = s->fd, .events = POLLOUT};
	int soerr = 0;
	socklen_t l = sizeof(soerr);

	if (!s->connecting)
		return 0;
	if (poll(&p, 1, 0) == 0)
		return -EAGAIN;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &l) || soerr)
		return soerr ? -soerr : -errno;
	s->connecting = false;
	tcp_established(s);
	return 0;
}

/* Parse the frame at @p: its MSG and total frame length. */
static void frame_at(const char *p, const char **msg, size_t *msglen, size_t *framelen)
{
	/* "LEN SP MSG", written by sl_write: LEN is digits only */
	size_t digits = strspn(p, "0123456789");
	size_t n = strtoul(p, NULL, 10);

	*msg = p + digits + 1;
	*msglen = n;
	*framelen = digits + 1 + n;
}

static void frame_done(struct sl *s, struct sr_sink *sink, size_t framelen, bool sent)
{
	s->off += framelen;
	s->nmsg--;
	if (sent)
		sink->health.written++;
	else
		sink->health.dropped++;
}

/*
 * TCP: did the collector close the connection (-ESHUTDOWN: in order, it read
 * all it acknowledged) or reset it (-ECONNRESET)? It never sends.
 */
static int tcp_peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n == 0)
		return -ESHUTDOWN; /* what is sent now is not acknowledged: sent again */
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return -errno;
	return 0;
}

/* The RFC 5424 TIMESTAMP of a frame's MSG ("<PRI>1 TIMESTAMP HOST ..."). */
static void frame_time(const char *msg, size_t msglen, char out[SR_TIME_STRLEN])
{
	const char *ts = memchr(msg, ' ', msglen), *end = NULL;
	size_t n;

	if (ts) {
		ts++;
		end = memchr(ts, ' ', msglen - (size_t)(ts - msg));
	}
	n = end ? (size_t)(end - ts) : 0;
	n = n < SR_TIME_STRLEN ? n : SR_TIME_STRLEN - 1;
	memcpy(out, ts ? ts : "", n);
	out[n] = '\0';
}

/*
 * TCP: forget the kept frames that left the resend window: confirmed more
 * than resend_ms ago, or beyond the newest resend_bytes.
 */
static void keep_trim(struct sl *s, int64_t now)
{
	while (s->keep < s->off) {
		const char *msg;
		size_t msglen, framelen;
		uint64_t end;

		frame_at(s->buf + s->keep, &msg, &msglen, &framelen);
		end = s->base + s->keep + framelen;
		while (s->nconfs && s->confs[0].end < end) {
			memmove(s->confs, s->confs + 1, --s->nconfs * sizeof(s->confs[0]));
		}
		if (s->off - s->keep <= s->resend_bytes && s->nconfs &&
		    s->confs[0].at_ms + s->resend_ms > now)
			break;
		s->keep += framelen;
	}
	while (s->nconfs && s->confs[0].end <= s->base + s->keep)
		memmove(s->confs, s->confs + 1, --s->nconfs * sizeof(s->confs[0]));
}

/* TCP: frames up to the stream position @p end were confirmed at @p now. */
static void keep_confirmed(struct sl *s, uint64_t end, int64_t now)
{
	if (s->nconfs == CONFS) {
		/* the two oldest become one, kept as long as the newer: never shorter */
		memmove(s->confs, s->confs + 1, --s->nconfs * sizeof(s->confs[0]));
	}
	s->confs[s->nconfs++] = (struct conf){.end = end, .at_ms = now};
	keep_trim(s, now);
}

/*
 * TCP: the connection failed: send the kept frames again, first. The
 * collector acknowledged them, but may not have written them.
 */
static void keep_resend(struct sr_sink *sink, struct sl *s, int64_t now)
{
	size_t p, n = 0;
	char t[SR_TIME_STRLEN], a[SR_TIME_STRLEN] = "", b[SR_TIME_STRLEN] = "";

	keep_trim(s, now);
	for (p = s->keep; p < s->off;) {
		const char *msg;
		size_t msglen, framelen;

		frame_at(s->buf + p, &msg, &msglen, &framelen);
		/* sr_time_format's text sorts as the time it says */
		frame_time(msg, msglen, t);
		if (!n || strcmp(t, a) < 0)
			memcpy(a, t, sizeof(a));
		if (!n || strcmp(t, b) > 0)
			memcpy(b, t, sizeof(b));
		n++;
		p += framelen;
	}
	s->nconfs = 0;
	if (!n)
		return;
	if (s->again < s->base + s->off)
		s->again = s->base + s->off;
	sink->health.resent += n;
	sr_warn("sink syslog: the connection to %s failed: sending again the %zu records (%zu "
	        "bytes, recorded between %s and %s) it acknowledged in the last %lld s, as it may "
	        "not have written them; copies are byte-identical, a SIEM drops them by (sid, ei)",
	        s->target, n, s->off - s->keep, a, b, (long long)(s->resend_ms / 1000));
	s->off = s->keep;
}

/* TCP: the frames whose bytes the collector acknowledged are done. */
static int tcp_confirm(struct sr_sink *sink, struct sl *s)
{
	uint64_t total;
	size_t acked;
	bool any = false;
	int err = tcp_bytes_acked(s->fd, &total);

	if (err)
		return err;
	total -= total > s->acked_base ? s->acked_base : total;
	acked = total > s->popped ? (size_t)(total - s->popped) : 0;
	while (s->off < s->len) {
		const char *msg;
		size_t msglen, framelen;

		frame_at(s->buf + s->off, &msg, &msglen, &framelen);
		if (framelen > acked)
			break;
		acked -= framelen;
		s->sent -= framelen;
		s->popped += framelen;
		any = true;
		if (s->base + s->off < s->again)
			s->off += framelen; /* a resend: counted once, when first confirmed */
		else
			frame_done(s, sink, framelen, true);
	}
	if (any)
		keep_confirmed(s, s->base + s->off, sr_sink_mono_ms());
	return 0;
}

/* TCP: confirm what the collector acknowledged, hand it what it has not had yet. */
static int tcp_send(struct sr_sink *sink, struct sl *s)
{
	int err = tcp_confirm(sink, s);

	if (!err)
		err = tcp_peer_gone(s->fd);
	if (err)
		return err;
	while (s->off + s->sent < s->len) {
		ssize_t w = send(s->fd, s->buf + s->off + s->sent, s->len - s->off - s->sent,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			s->sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == ENOBUFS))
			break;
		return w < 0 ? -errno : -EPIPE;
	}
	return tcp_confirm(sink, s);
}

/* Send what the socket takes now. 0 (maybe with data left: EAGAIN) or -errno. */
static int sl_send(struct sr_sink *sink, struct sl *s)
{
	if (s->t == T_TCP)
		return tcp_send(sink, s);
	while (s->off < s->len) {
		const char *msg;
		size_t msglen, framelen;
		ssize_t w;

		frame_at(s->buf + s->off, &msg, &msglen, &framelen);
		w = send(s->fd, msg, msglen, MSG_NOSIGNAL);
		if (w >= 0) {
			frame_done(s, sink, framelen, true);
			continue;
		}
		if (errno == EMSGSIZE) {
			/* a datagram cannot carry it: no retry can help */
			sr_warn("sink syslog: a %zu-byte record is too big for a datagram: "
			        "dropped (use tcp://)",
			        msglen);
			frame_done(s, sink, framelen, false);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			return 0;
		return -errno;
	}
	s->off = s->len = 0;
	return 0;
}

/* Say once, when the collector takes records again, which ones it missed. */
static void report_drops(struct sl *s)
{
	char a[SR_TIME_STRLEN], b[SR_TIME_STRLEN];

	if (!s->dropping)
		return;
	sr_warn("sink syslog: %llu records recorded between %s and %s were not sent to %s (the "
	        "backlog was full); the database has them: sshrec export --since %s --until %s",
	        (unsigned long long)s->dropping, sr_time_format(s->drop_min_us, a),
	        sr_time_format(s->drop_max_us, b), s->target, a, b);
	s->dropping = 0;
}

static int sl_flush(struct sr_sink *sink)
{
	struct sl *s = sink->priv;
	int64_t now = sr_sink_mono_ms();
	int err = 0;

	/* TCP goes on: a collector that went away while idle is noticed now */
	if (s->t != T_TCP && s->off == s->len && s->fd >= 0 && !s->connecting) {
		sr_sink_set_ok(sink);
		return 0;
	}
	if (s->fd < 0 && now < s->retry_at_ms) {
		sink->health.backlog = s->nmsg;
		return s->last_err;
	}
	if (s->fd < 0)
		err = sl_connect(s);
	if (!err)
		err = sl_connected(s);
	if (err == -EAGAIN) {
		sink->health.backlog = s->nmsg;
		return 0; /* connect in progress: the messages wait, bounded */
	}
	if (!err)
		err = sl_send(sink, s);
	sink->health.backlog = s->nmsg;
	if (!err) {
		s->retry_ms = RETRY_MIN_MS;
		s->last_err = 0;
		sr_sink_set_ok(sink);
		if (s->nmsg < s->backlog_max)
			report_drops(s);
		return 0;
	}
	sl_disconnect(s);
	if (s->t == T_TCP)
		keep_resend(sink, s, now);
	s->last_err = err;
	sr_sink_set_error(sink, "%s: %s", s->target,
	                  err == -ESHUTDOWN ? "the collector closed the connection"
	                                    : strerror(-err));
	s->retry_at_ms = now + s->retry_ms;
	s->retry_ms = s->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : s->retry_ms * 2;
	return err;
}

/* RFC 5424 HOSTNAME: 1..255 printable US-ASCII without spaces, else "-" */
static void hostname_field(const char *in, char *out, size_t outlen)
{
	size_t i = 0;

	for (; in && in[i] && i + 1 < outlen && i < 255; i++)
		out[i] = in[i] > 32 && in[i] < 127 ? in[i] : '_';
	out[i] = '\0';
	if (!i)
		snprintf(out, outlen, "-");
}

static int reserve(struct sl *s, size_t need)
{
	/* TCP keeps the confirmed frames of the resend window */
	size_t from = s->t == T_TCP ? s->keep : s->off;
	char *nb;
	size_t cap;

	if (from && s->len + need > s->cap) {
		memmove(s->buf, s->buf + from, s->len - from);
		s->len -= from;
		s->off -= from;
		s->keep -= s->t == T_TCP ? from : 0;
		s->base += from;
	}
	if (s->len + need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 65536;
	while (cap < s->len + need)
		cap *= 2;
	nb = realloc(s->buf, cap);
	if (!nb)
		return -ENOMEM;
	s->buf = nb;
	s->cap = cap;
	return 0;
}

static int sl_write(struct sr_sink *sink, const struct sr_record *rec)
{
	struct sl *s = sink->priv;
	char t[SR_TIME_STRLEN], host[256], hdr[512], len[24];
	const char *code = sr_rec_event_code(rec->kind);
	int sev = code && code[strlen(code) - 1] == 'W' ? LOG_WARNING : LOG_INFO;
	int hl, ll;

	if (!rec->json)
		return -EINVAL;
	/*
	 * Over the bound the new record is dropped (not the oldest, which may be
	 * half sent on TCP and must stay whole for the framing).
	 */
	if (s->nmsg >= s->backlog_max) {
		sink->health.dropped++;
		if (!s->dropping++) {
			s->drop_min_us = s->drop_max_us = rec->time_us;
			sr_warn(
			    "sink syslog: %llu records wait for %s: dropping new records until it "
			    "takes them (they stay in the database)",
			    (unsigned long long)s->nmsg, s->target);
		}
		/* record times need not rise across sessions */
		if (rec->time_us < s->drop_min_us)
			s->drop_min_us = rec->time_us;
		if (rec->time_us > s->drop_max_us)
			s->drop_max_us = rec->time_us;
		return 0;
	}
	hostname_field(rec->sess ? rec->sess->server_hostname : NULL, host, sizeof(host));
	/* MSG without a BOM is MSG-ANY in RFC 5424: collectors pass JSON through as is */
	hl = snprintf(hdr, sizeof(hdr), "<%d>1 %s %s sshrecd %s %s - ", FACILITY * 8 + sev,
	              sr_time_format(rec->time_us, t), host, s->procid,
	              sr_rec_event_name(rec->kind));
	ll = snprintf(len, sizeof(len), "%zu ", (size_t)hl + rec->json_len);
	if (reserve(s, (size_t)ll + (size_t)hl + rec->json_len)) {
		sink->health.dropped++;
		sr_sink_set_error(sink, "out of memory buffering a record");
		return -ENOMEM;
	}
	memcpy(s->buf + s->len, len, (size_t)ll);
	memcpy(s->buf + s->len + ll, hdr, (size_t)hl);
	memcpy(s->buf + s->len + ll + hl, rec->json, rec->json_len);
	s->len += (size_t)ll + (size_t)hl + rec->json_len;
	s->nmsg++;
	return 0;
}

static void sl_close(struct sr_sink *sink)
{
	struct sl *s = sink->priv;
	int i;

	if (!s)
		return;
	/* give a connecting or congested TCP socket a moment, never more */
	for (i = 0; i < 20 && s->off < s->len; i++) {
		s->retry_at_ms = 0;
		sl_flush(sink);
		if (s->off < s->len && s->fd >= 0)
			poll(&(struct pollfd){.fd = s->fd, .events = POLLOUT}, 1, 50);
		else if (s->off < s->len)
			break;
	}
	report_drops(s);
	if (s->nmsg)
		sr_warn("sink syslog: %llu records not sent to %s", (unsigned long long)s->nmsg,
		        s->target);
	sl_disconnect(s);
	free(s->buf);
	free(s->target);
	free(s);
	sink->priv = NULL;
}

static int sl_init(struct sr_sink *sink, const struct sr_config *cfg)
{
	struct sl *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->target = strdup(cfg->syslog_target);
	s->backlog_max = cfg->backlog_max ? cfg->backlog_max : 1;
	s->retry_ms = RETRY_MIN_MS;
	s->resend_ms = (int64_t)cfg->syslog_resend_s * 1000;
	s->resend_bytes = cfg->syslog_resend_bytes;
	snprintf(s->procid, sizeof(s->procid), "%d", (int)getpid());
	err = s->target ? parse_target(s, cfg->syslog_target) : -ENOMEM;
	if (err) {
		snprintf(sink->health.last_error, sizeof(sink->health.last_error),
		         "bad syslog target '%s': expected unix:/PATH, udp://HOST:PORT or "
		         "tcp://HOST:PORT",
		         cfg->syslog_target);
		free(s->target);
		free(s);
		return err;
	}
	sink->priv = s;
	sink->health.ok = true;
	/* a collector that is down now is retried later, it does not stop the daemon */
	err = sl_connect(s);
	if (err) {
		s->last_err = err;
		s->retry_at_ms = sr_sink_mono_ms() + s->retry_ms;
		sr_sink_set_error(sink, "%s: %s", s->target, strerror(-err));
	}
	return 0;
}

const struct sr_sink_ops sr_sink_syslog_ops = {
    .name = "syslog",
    .init = sl_init,
    .write = sl_write,
    .flush = sl_flush,
    .reopen = NULL,
    .close = sl_close,
};
