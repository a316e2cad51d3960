/* SPDX-License-Identifier: BSD-2-Clause */
/* The control socket: registration (open/close) and status, root only, never blocking. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "recorder/daemon.h"
#include "timeutil.h"

#define SR_MAX_CLIENTS    256
#define SR_CLIENT_IDLE_US (5 * 1000000LL)

int sr_control_open(struct sr_daemon *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = d->cfg->socket_path;
	char dir[sizeof(sa.sun_path)], *slash;
	struct epoll_event ev = {.events = EPOLLIN};
	mode_t old;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		sr_err("control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = -errno;
			sr_err("cannot create %s: %s", dir, strerror(-err));
			return err;
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	old = umask(0177); /* created 0600: no window where others could connect */
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || chmod(path, 0600) || listen(fd, 128)) {
		err = -errno;
		sr_err("control socket %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	d->listenfd = fd;
	ev.data.fd = fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

static void reply(int fd, const struct sr_reply *rep)
{
	char buf[1024];
	int n = sr_proto_encode_reply(rep, buf, sizeof(buf));

	/* MSG_DONTWAIT: a client that does not read its reply loses it, we do not wait */
	if (n > 0 && send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		sr_debug("control: reply not sent: %s", strerror(errno));
}

static void reply_error(int fd, const char *msg)
{
	struct sr_reply rep = {.ok = false};

	snprintf(rep.error, sizeof(rep.error), "%s", msg);
	reply(fd, &rep);
}

static void client_drop(struct sr_daemon *d, size_t i)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->clients[i].fd, NULL);
	close(d->clients[i].fd);
	d->clients[i] = d->clients[--d->nclients];
}

void sr_control_accept(struct sr_daemon *d)
{
	int fd;

	while ((fd = accept4(d->listenfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred)) {
			/* cred holds nothing to log: say what failed instead */
			sr_warn("control: rejected a client whose credentials cannot be read: %s",
			        len != sizeof(cred) ? "short SO_PEERCRED" : strerror(errno));
			reply_error(fd, "permission denied");
			close(fd);
			continue;
		}
		if (cred.uid != 0) {
			sr_warn("control: rejected a client with uid %d (pid %d): root only",
			        (int)cred.uid, (int)cred.pid);
			reply_error(fd, "permission denied");
			close(fd);
			continue;
		}
		if (d->nclients >= SR_MAX_CLIENTS) {
			reply_error(fd, "too many clients, try again");
			close(fd);
			continue;
		}
		ev.data.fd = fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		d->clients[d->nclients] =
		    (struct sr_client){.fd = fd, .pid = cred.pid, .since_us = sr_now_us()};
		d->nclients++;
	}
}

static void serve_status(struct sr_daemon *d, int fd)
{
	char *st = sr_status_json(d);
	size_t len;
	char *msg;

	if (!st) {
		reply_error(fd, "out of memory");
		return;
	}
	len = strlen(st) + 32;
	msg = malloc(len);
	if (msg) {
		int n = snprintf(msg, len, "{\"ok\":true,\"status\":%s}", st);

		if ((size_t)n > SR_PROTO_MAX_REPLY)
			reply_error(fd, "status too large");
		else if (send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			sr_debug("control: status reply not sent: %s", strerror(errno));
	}
	free(msg);
	free(st);
}

void sr_control_serve(struct sr_daemon *d, int fd)
{
	static char buf[SR_PROTO_MAX_MSG + 1];
	struct sr_request req;
	struct sr_reply rep = {0};
	char err[256];
	ssize_t n;
	size_t i;

	for (i = 0; i < d->nclients && d->clients[i].fd != fd; i++)
		;
	if (i == d->nclients)
		return;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(d, i);
		return;
	}
	if ((size_t)n > SR_PROTO_MAX_MSG) {
		reply_error(fd, "message too large");
	} else if (sr_proto_decode_request(buf, (size_t)n, &req, err, sizeof(err))) {
		sr_warn("control: bad request: %s", err);
		reply_error(fd, err);
	} else if (req.op == SR_OP_STATUS) {
		serve_status(d, fd);
	} else {
		if (req.op == SR_OP_OPEN)
			sr_session_open(d, &req.open, &rep);
		else
			sr_session_close(d, &req.close, d->clients[i].pid, &rep);
		if (!rep.ok && rep.error[0])
			sr_warn("control: %s failed: %s", req.op == SR_OP_OPEN ? "open" : "close",
			        rep.error);
		if (!rep.ok && !rep.error[0])
			snprintf(rep.error, sizeof(rep.error), "internal error");
		if (rep.ok && req.op == SR_OP_OPEN && d->batch_opens) {
			d->clients[i].rep = rep;
			d->clients[i].reply_pending = true;
			d->opens_pending = true;
			return;
		}
		reply(fd, &rep);
	}
	client_drop(d, i);
}

void sr_control_commit_opens(struct sr_daemon *d)
{
	size_t i = 0;
	int err;

	if (!d->opens_pending)
		return;
	d->opens_pending = false;
	err = sr_sinks_flush(d);
	while (i < d->nclients) {
		struct sr_client *c = &d->clients[i];

		if (!c->reply_pending) {
			i++;
			continue;
		}
		if (err) {
			c->rep.ok = false;
			snprintf(c->rep.error, sizeof(c->rep.error),
			         "cannot record the session start: %s", strerror(-err));
			sr_warn("control: open failed: %s", c->rep.error);
		}
		reply(c->fd, &c->rep);
		client_drop(d, i); /* moves the last client into slot i */
	}
}

/* True when the client's request is already queued on its socket. */
static bool has_request(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void sr_control_expire(struct sr_daemon *d, int64_t now_us)
{
	size_t i = 0;

	while (i < d->nclients) {
		struct sr_client *c = &d->clients[i];

		/*
		 * Idle means the client sent nothing. A request that waited because
		 * the daemon itself stalled (slow disk under a sink flush) is served,
		 * never dropped: dropping it would refuse a login under fail=closed.
		 */
		if (c->reply_pending || now_us - c->since_us <= SR_CLIENT_IDLE_US ||
		    has_request(c->fd)) {
			i++;
			continue;
		}
		sr_warn("control: dropped client pid %d: no request within %llds", (int)c->pid,
		        SR_CLIENT_IDLE_US / 1000000);
		client_drop(d, i);
	}
}

void sr_control_close(struct sr_daemon *d)
{
	while (d->nclients)
		client_drop(d, 0);
	if (d->listenfd >= 0) {
		close(d->listenfd);
		unlink(d->cfg->socket_path);
		d->listenfd = -1;
	}
}
