/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_sshrec: PAM session module that gives each login its own cgroup v2 and
 * registers it with sshrecd before any command of the session runs.
 *
 * sshd calls pam_open_session in its privileged process after
 * authentication and before it forks the session's children, so moving the
 * calling process moves everything the login will start. The daemon replies
 * to "open" only once the cgroup id and the audit session id are in the
 * kernel filter maps.
 *
 * Stack requirements (pam_sshrec(8)):
 *   - pam_loginuid.so earlier in the session stack: it gives the process its
 *     audit session id (/proc/self/sessionid), the second key of the kernel
 *     session filter;
 *   - "ExposeAuthInfo yes" in sshd_config, so sshd fills SSH_AUTH_INFO_0
 *     (method, key type and key) in the PAM environment; it is trusted only
 *     when no pam_env reading a user's file runs before this module
 *     (stack.h says why).
 *
 * Only the session entry points are provided.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "cgroup.h"
#include "login_info.h"
#include "options.h"
#include "paths.h"
#include "proto.h"
#include "stack.h"

/* The module is built with -fvisibility=hidden: only these are exported. */
#define SR_PAM_EXPORT __attribute__((visibility("default")))

/* pam_set_data key for the session id handed from open to close. */
#define SID_DATA "sshrec_sid"
#define SID_ENV  "SSHREC_SID"
/* Where a session stands while open_session sets it up, for the undo path. */
struct setup {
	char mount[PATH_MAX]; /* cgroup2 mount point */
	char orig[PATH_MAX];  /* the caller's cgroup before, relative to mount */
	char dir[PATH_MAX];   /* the session cgroup directory (absolute) */
	bool created;         /* dir was created by us */
	bool moved;           /* the caller was moved into dir */
	char reason[512];     /* why it failed, for the auth log */
};

static const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err < 0 ? -err : err, buf, len);
}

/* Record why setup failed; returns @p err for "return fail(...)". */
__attribute__((format(printf, 3, 4))) static int fail(struct setup *s, int err, const char *fmt,
                                                      ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	return err;
}

static void report_opt(void *ctx, int level, const char *arg, const char *why)
{
	pam_syslog((pam_handle_t *)ctx, level, "sshrec: module option \"%s\": %s", arg, why);
}

/* Create <mount>/sshrec/s-<pid>-<random> (root owned, 0755) in s->dir. */
static int make_session_cgroup(struct setup *s)
{
	char parent[PATH_MAX], ebuf[128];
	int ret;
	if (snprintf(parent, sizeof(parent), "%s/%s", s->mount, SR_CGROUP_PARENT) >=
	    (int)sizeof(parent))
		return fail(s, -ENAMETOOLONG, "cgroup path under %s is too long", s->mount);
	if ((ret = sr_cgroup_mkdir(parent)) < 0)
		return fail(s, ret, "cannot create cgroup %s: %s", parent,
		            errstr(ret, ebuf, sizeof(ebuf)));
	/* sshd's umask must not make the tree unreadable to auditors' tools */
	chmod(parent, 0755);
	for (int attempt = 0; attempt < 8; attempt++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			rnd = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
			      ((uint64_t)attempt << 56);
		}
		if (snprintf(s->dir, sizeof(s->dir), "%s/s-%d-%016llx", parent, (int)getpid(),
		             (unsigned long long)rnd) >= (int)sizeof(s->dir))
			return fail(s, -ENAMETOOLONG, "cgroup path under %s is too long", parent);
		if (mkdir(s->dir, 0755) == 0) {
			s->created = true;
			chmod(s->dir, 0755);
			return 0;
		}
		if (errno != EEXIST)
			return fail(s, -errno, "cannot create cgroup %s: %s", s->dir,
			            errstr(errno, ebuf, sizeof(ebuf)));
	}
	return fail(s, -EEXIST, "cannot create a unique cgroup under %s", parent);
}

/* Put the caller back where it was and remove the cgroup we created. */
static void undo_setup(pam_handle_t *pamh, struct setup *s)
{
	char back[PATH_MAX * 2];
	if (s->moved) {
		snprintf(back, sizeof(back), "%s%s", s->mount, s->orig);
		int ret = sr_cgroup_move(back, 0);
		if (ret < 0) {
			errno = -ret;
			pam_syslog(pamh, LOG_WARNING, "sshrec: cannot move back to cgroup %s: %m",
			           back);
		}
		s->moved = false;
	}
	if (s->created) {
		if (rmdir(s->dir) < 0)
			pam_syslog(pamh, LOG_WARNING, "sshrec: cannot remove cgroup %s: %m",
			           s->dir);
		s->created = false;
	}
}

static uint32_t read_audit_sid(void)
{
	char buf[32];
	int fd = open("/proc/self/sessionid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SR_AUDIT_SID_UNSET;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? sr_pam_parse_sessionid(buf, (size_t)n) : SR_AUDIT_SID_UNSET;
}

/* Copy @p src (NULL: empty) into @p dst, truncating to @p cap - 1 bytes. */
static void copy_field(char *dst, size_t cap, const char *src)
{
	size_t len = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

static void free_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

static const char *item_str(pam_handle_t *pamh, int type)
{
	const void *v = NULL;
	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/* Fill the request from PAM items, the connection socket and /proc. */
static void gather(pam_handle_t *pamh, const struct sr_pam_opts *o, struct sr_open_req *req)
{
	req->pid = (int32_t)getpid();
	copy_field(req->service, sizeof(req->service), item_str(pamh, PAM_SERVICE));
	const char *tty = item_str(pamh, PAM_TTY);
	copy_field(req->tty, sizeof(req->tty), tty && *tty ? tty : "ssh");
	const char *rhost = item_str(pamh, PAM_RHOST);
	copy_field(req->rhost, sizeof(req->rhost), rhost);

	req->audit_sid = read_audit_sid();
	if (req->audit_sid == SR_AUDIT_SID_UNSET)
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: audit session id of user %s is unset (is pam_loginuid.so "
		           "before pam_sshrec.so in the session stack?); recording relies on the "
		           "session cgroup alone",
		           req->user);

	/* never SSH_CONNECTION: the user's ~/.pam_environment can override it */
	int ret = sr_pam_connection(rhost, req->ssh_connection, sizeof(req->ssh_connection));
	if (o->debug)
		pam_syslog(pamh, LOG_DEBUG, "sshrec: connection of user %s: %s", req->user,
		           ret == 0 ? req->ssh_connection : "no TCP peer among sshd's descriptors");

	const char *auth = pam_getenv(pamh, "SSH_AUTH_INFO_0");
	if (!auth || !*auth) {
		if (o->debug)
			pam_syslog(
			    pamh, LOG_DEBUG,
			    "sshrec: SSH_AUTH_INFO_0 not in the PAM environment (ExposeAuthInfo "
			    "yes in sshd_config?); no key fingerprint for user %s",
			    req->user);
		return;
	}
	char where[4200], ebuf[128];
	ret = sr_pam_user_env_first(SR_PAM_CONFDIR, req->service, where, sizeof(where));
	if (ret > 0) {
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: no key recorded for user %s: pam_env with user_readenv (%s) "
		           "runs before pam_sshrec, so the user can set SSH_AUTH_INFO_0; put "
		           "pam_sshrec.so before it in the session stack",
		           req->user, where);
		return;
	}
	if (ret < 0) {
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: no key recorded for user %s: cannot read the PAM configuration "
		           "%s (%s) to tell whether the user could set SSH_AUTH_INFO_0",
		           req->user, where, errstr(ret, ebuf, sizeof(ebuf)));
		return;
	}
	if (!sr_pam_copy_auth_info(req->ssh_auth_info, sizeof(req->ssh_auth_info), auth))
		pam_syslog(
		    pamh, LOG_WARNING,
		    "sshrec: SSH_AUTH_INFO_0 of user %s is %zu bytes; recorded the first %zu",
		    req->user, strlen(auth), strlen(req->ssh_auth_info));
}

/* Set up the session cgroup: adopt a logind scope or create and enter ours. */
static int setup_cgroup(pam_handle_t *pamh, const struct sr_pam_opts *o, struct setup *s,
                        struct sr_open_req *req)
{
	char ebuf[128];
	int ret;
	if ((ret = sr_cgroup2_mount(s->mount, sizeof(s->mount))) < 0)
		return fail(s, ret, "no cgroup2 mount in /proc/self/mountinfo: %s",
		            errstr(ret, ebuf, sizeof(ebuf)));
	if ((ret = sr_cgroup_of_pid(0, s->orig, sizeof(s->orig))) < 0)
		return fail(s, ret, "cannot read /proc/self/cgroup: %s",
		            errstr(ret, ebuf, sizeof(ebuf)));
	if (strlen(s->orig) >= sizeof(req->cgroup_path))
		return fail(s, -ENAMETOOLONG, "cgroup path %.64s... is too long", s->orig);
	if (sr_pam_is_logind_scope(s->orig)) {
		req->cgroup_adopted = true;
		if (snprintf(s->dir, sizeof(s->dir), "%s%s", s->mount, s->orig) >=
		    (int)sizeof(s->dir))
			return fail(s, -ENAMETOOLONG, "cgroup path %s is too long", s->orig);
		copy_field(req->cgroup_path, sizeof(req->cgroup_path), s->orig);
	} else {
		if ((ret = make_session_cgroup(s)) < 0)
			return ret;
		if ((ret = sr_cgroup_move(s->dir, 0)) < 0)
			return fail(s, ret, "cannot move pid %d into cgroup %s: %s", (int)getpid(),
			            s->dir, errstr(ret, ebuf, sizeof(ebuf)));
		s->moved = true;
		copy_field(req->cgroup_path, sizeof(req->cgroup_path), s->dir + strlen(s->mount));
	}
	if ((ret = sr_cgroup_id(s->dir, &req->cgroup_id)) < 0)
		return fail(s, ret, "cannot read the id of cgroup %s: %s", s->dir,
		            errstr(ret, ebuf, sizeof(ebuf)));
	if (o->debug)
		pam_syslog(pamh, LOG_DEBUG, "sshrec: %s cgroup %s (id %llu)",
		           req->cgroup_adopted ? "adopted logind" : "created", s->dir,
		           (unsigned long long)req->cgroup_id);
	return 0;
}

/* Send "open" and wait for the sid. */
static int register_session(const struct sr_pam_opts *o, struct setup *s,
                            const struct sr_open_req *req, struct sr_reply *rep)
{
	char ebuf[128], reply[4096];
	char *msg = malloc(SR_PROTO_MAX_MSG);
	if (!msg)
		return fail(s, -ENOMEM, "out of memory");
	int len = sr_proto_encode_open(req, msg, SR_PROTO_MAX_MSG);
	int n = len < 0 ? len
	                : sr_proto_call(o->socket, msg, (size_t)len, reply, sizeof(reply),
	                                o->timeout_ms);
	free(msg);
	if (len < 0)
		return fail(s, len, "cannot encode the registration: %s",
		            errstr(len, ebuf, sizeof(ebuf)));
	if (n == -ETIMEDOUT)
		return fail(s, n, "recorder daemon at %s did not answer within %d ms", o->socket,
		            o->timeout_ms);
	if (n < 0)
		return fail(s, n, "recorder daemon unreachable at %s: %s", o->socket,
		            errstr(n, ebuf, sizeof(ebuf)));
	if (sr_proto_decode_reply(reply, (size_t)n, rep) < 0)
		return fail(s, -EPROTO, "recorder daemon at %s sent an invalid reply", o->socket);
	if (!rep->ok)
		return fail(s, -EPERM, "recorder daemon refused the session: %s",
		            rep->error[0] ? rep->error : "(no reason given)");
	if (strlen(rep->sid) != 36)
		return fail(s, -EPROTO, "recorder daemon at %s replied without a session id",
		            o->socket);
	return 0;
}

/* Export the sid and keep it for close_session. Failures only lose the env. */
static void publish_sid(pam_handle_t *pamh, const char *user, const char *sid)
{
	char env[sizeof(SID_ENV) + 40];
	snprintf(env, sizeof(env), "%s=%s", SID_ENV, sid);
	int ret = pam_putenv(pamh, env);
	if (ret != PAM_SUCCESS)
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: session %s of user %s is recorded but %s is not exported: %s",
		           sid, user, SID_ENV, pam_strerror(pamh, ret));
	char *copy = strdup(sid);
	if (!copy || pam_set_data(pamh, SID_DATA, copy, free_data) != PAM_SUCCESS) {
		free(copy);
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: cannot keep session id %s for close_session; it will end "
		           "when its cgroup empties",
		           sid);
	}
}

/**
 * Set up the login's cgroup and register it with sshrecd.
 *
 * @return PAM_SUCCESS when the session is registered, or when it could not be
 *         and fail=open (a LOG_WARNING says so); PAM_SESSION_ERR when it could
 *         not be and fail=closed (a LOG_ERR says why); PAM_BUF_ERR when out of
 *         memory and fail=closed.
 */
SR_PAM_EXPORT PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
                                                 const char **argv)
{
	(void)flags;
	struct sr_pam_opts o;
	sr_pam_parse_opts(argc, argv, &o, report_opt, pamh);

	const char *user = NULL;
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || !user || !*user) {
		pam_syslog(pamh, LOG_ERR, "sshrec: PAM_USER is not set; cannot register a session");
		return o.fail == SR_PAM_FAIL_CLOSED ? PAM_SESSION_ERR : PAM_SUCCESS;
	}
	struct setup *s = calloc(1, sizeof(*s));
	struct sr_open_req *req = calloc(1, sizeof(*req));
	if (!s || !req) {
		free(s);
		free(req);
		pam_syslog(pamh, LOG_CRIT, "sshrec: out of memory registering user %s", user);
		return o.fail == SR_PAM_FAIL_CLOSED ? PAM_BUF_ERR : PAM_SUCCESS;
	}
	int ret = 0;
	if (strlen(user) >= sizeof(req->user))
		ret = fail(s, -ENAMETOOLONG, "user name is longer than %zu bytes",
		           sizeof(req->user) - 1);
	else
		copy_field(req->user, sizeof(req->user), user);

	struct sr_reply rep;
	if (ret == 0)
		ret = setup_cgroup(pamh, &o, s, req);
	if (ret == 0) {
		gather(pamh, &o, req);
		ret = register_session(&o, s, req, &rep);
	}
	int pam_ret = PAM_SUCCESS;
	if (ret == 0) {
		publish_sid(pamh, user, rep.sid);
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG,
			           "sshrec: session %s of user %s registered (cgroup %s, audit "
			           "session %u)",
			           rep.sid, user, req->cgroup_path, req->audit_sid);
	} else {
		undo_setup(pamh, s);
		if (o.fail == SR_PAM_FAIL_CLOSED) {
			pam_syslog(pamh, LOG_ERR, "sshrec: refusing login of %s: %s (fail=closed)",
			           user, s->reason);
			pam_ret = PAM_SESSION_ERR;
		} else {
			pam_syslog(pamh, LOG_WARNING,
			           "sshrec: recording unavailable for user %s: %s; login continues "
			           "unrecorded (fail=open)",
			           user, s->reason);
		}
	}
	free(req);
	free(s);
	return pam_ret;
}

/**
 * Tell sshrecd the session is closing; it ends when its cgroup empties.
 *
 * @return PAM_SUCCESS always: a failure is logged and never blocks logout.
 */
SR_PAM_EXPORT PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
                                                  const char **argv)
{
	(void)flags;
	struct sr_pam_opts o;
	sr_pam_parse_opts(argc, argv, &o, report_opt, pamh);

	/* only what this handle opened: SSHREC_SID in the environment is the user's */
	const void *data = NULL;
	const char *sid = NULL;
	if (pam_get_data(pamh, SID_DATA, &data) == PAM_SUCCESS && data)
		sid = data;
	if (!sid || strlen(sid) != 36) {
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG, "sshrec: no recorded session to close");
		return PAM_SUCCESS;
	}
	struct sr_close_req req = {.pid = (int32_t)getpid()};
	memcpy(req.sid, sid, 37);
	char msg[256], reply[4096], ebuf[128];
	int len = sr_proto_encode_close(&req, msg, sizeof(msg));
	if (len < 0) {
		pam_syslog(pamh, LOG_WARNING, "sshrec: cannot encode close of session %s: %s", sid,
		           errstr(len, ebuf, sizeof(ebuf)));
		return PAM_SUCCESS;
	}
	int tmo = o.timeout_ms < SR_PAM_CLOSE_TIMEOUT_MAX ? o.timeout_ms : SR_PAM_CLOSE_TIMEOUT_MAX;
	int n = sr_proto_call(o.socket, msg, (size_t)len, reply, sizeof(reply), tmo);
	struct sr_reply rep;
	if (n < 0)
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: cannot tell the recorder daemon at %s that session %s is "
		           "closing: %s; it ends when its cgroup empties",
		           o.socket, sid, errstr(n, ebuf, sizeof(ebuf)));
	else if (sr_proto_decode_reply(reply, (size_t)n, &rep) < 0)
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: invalid reply from the recorder daemon closing session %s",
		           sid);
	else if (!rep.ok)
		pam_syslog(pamh, LOG_WARNING,
		           "sshrec: recorder daemon refused to close session %s: %s", sid,
		           rep.error);
	else if (o.debug)
		pam_syslog(pamh, LOG_DEBUG, "sshrec: session %s closing", sid);
	return PAM_SUCCESS;
}
