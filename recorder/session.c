/* SPDX-License-Identifier: BSD-2-Clause */
/* Session lifecycle: open (maps, session.start), close, end on empty cgroup. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "recorder/daemon.h"
#include "timeutil.h"
#include "uuid.h"

static size_t bucket(uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 54) & (SR_SESS_BUCKETS - 1);
}

struct sr_session *sr_session_by_key(struct sr_daemon *d, uint64_t key)
{
	struct sr_session *s;

	for (s = d->sess[bucket(key)]; s; s = s->next)
		if ((uint64_t)s->corr.info.key == key)
			return s;
	return NULL;
}

struct sr_session *sr_session_by_sid(struct sr_daemon *d, const char *sid)
{
	size_t i;
	struct sr_session *s;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next)
			if (!strcmp(s->corr.info.sid, sid))
				return s;
	return NULL;
}

static void session_free(struct sr_session *s)
{
	sr_corr_session_free(&s->corr);
	free(s->cg_dir);
	free(s->left_cg_dir);
	free(s->replay);
	free(s);
}

static void session_unlink(struct sr_daemon *d, struct sr_session *s)
{
	struct sr_session **pp = &d->sess[bucket((uint64_t)s->corr.info.key)];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			d->nsessions--;
			return;
		}
}

int sr_session_insert(struct sr_daemon *d, struct sr_session *s)
{
	size_t b = bucket((uint64_t)s->corr.info.key);
	char path[PATH_MAX];

	s->wd = -1;
	if (s->cg_dir && d->inofd >= 0) {
		snprintf(path, sizeof(path), "%s/cgroup.events", s->cg_dir);
		s->wd = inotify_add_watch(d->inofd, path, IN_MODIFY);
		if (s->wd < 0)
			sr_warn("session %s: cannot watch %s: %s", s->corr.info.sid, path,
			        strerror(errno));
	}
	s->next = d->sess[b];
	d->sess[b] = s;
	d->nsessions++;
	return 0;
}

size_t sr_login_groups(const char *login, char ***names)
{
	struct passwd *pw = login ? getpwnam(login) : NULL;
	gid_t *gids = NULL;
	int cap = 64, ng = 0, i;
	size_t n = 0;

	*names = NULL;
	/* as many groups as the login has: getgrouplist says how many when short */
	while (pw) {
		gid_t *more = realloc(gids, (size_t)cap * sizeof(*gids));

		ng = 0;
		if (!more)
			break;
		gids = more;
		ng = cap;
		if (getgrouplist(login, pw->pw_gid, gids, &ng) >= 0)
			break;
		if (ng <= cap) { /* no count to grow to */
			ng = 0;
			break;
		}
		cap = ng;
	}
	if (ng > 0 && (*names = calloc((size_t)ng, sizeof(**names)))) {
		for (i = 0; i < ng; i++) {
			struct group *g = getgrgid(gids[i]);

			if (g && ((*names)[n] = strdup(g->gr_name)))
				n++;
		}
	}
	if (pw && (!ng || n < (size_t)ng))
		sr_warn("login %s: %zu of its groups could not be read: their overrides do not "
		        "apply",
		        login, ng ? (size_t)ng - n : (size_t)cap);
	free(gids);
	return n;
}

void sr_login_groups_free(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

void sr_session_login_classes(const struct sr_config *cfg, const char *login, uint32_t *classes,
                              uint32_t *flags)
{
	char **names = NULL;
	size_t n = cfg->n_overrides ? sr_login_groups(login, &names) : 0;

	sr_config_classes(cfg, login, (const char *const *)names, n, classes, flags);
	sr_login_groups_free(names, n);
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "sshd");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint32_t sr_session_demand_of(struct sr_daemon *d, const struct sr_policy_set *set,
                              uint32_t classes)
{
	uint32_t want = classes;

	if (set)
		want |= SR_CAPTURE_DEMAND_POLICY;
	/* deny_write without BPF LSM checks opens where disk events are seen */
	if (set && (set->actions & SR_POLICY_ACTION_BIT(SR_POLICY_WRITE)) &&
	    sr_capture_policy_mech(d->cap) == SR_POLICY_MECH_SIGNAL)
		want |= SR_CLASS_BIT(SR_CLASS_DISK);
	return want;
}

/* The policy's own programs are wanted while the policy has rules, or a session still holds some.
 */
static uint32_t policy_demand(const struct sr_daemon *d)
{
	const struct sr_policy *p = d->pk.pol;

	return p && p->n && p->mode != SR_POLICY_OFF ? SR_CAPTURE_DEMAND_POLICY : 0;
}

int sr_session_attach_demand(struct sr_daemon *d, uint32_t more)
{
	uint32_t have = sr_capture_demand(d->cap);
	uint32_t want = (have | more | policy_demand(d)) & sr_capture_demand_classes(d->cap);

	return want == have ? 0 : sr_capture_set_demand(d->cap, want);
}

/*
 * Attaching the syscall tracepoints takes milliseconds and detaching them far
 * more (each link's release waits for an RCU grace period): done per login,
 * every sequential login paid both before its acknowledgement. So on-demand
 * programs are attached as soon as a session needs them, but detached only
 * once no session has needed them for syscall_linger seconds (the timer calls
 * this each second). The hook backends' on-demand programs (a trampoline on
 * every open of the host) and the policy's own (while a policy has rules)
 * follow the same rule.
 */
void sr_session_update_demand(struct sr_daemon *d)
{
	uint32_t want = policy_demand(d), have = sr_capture_demand(d->cap);
	int64_t now = mono_us(), linger = (int64_t)d->cfg->syscall_linger_s * 1000000;
	size_t i;
	struct sr_session *s;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next)
			want |= sr_session_demand_of(d, s->pset, s->classes);
	want &= sr_capture_demand_classes(d->cap);
	if (have & ~want) {
		if (!d->demand_spare_us)
			d->demand_spare_us = now;
		if (now - d->demand_spare_us < linger)
			want |= have;
	} else {
		d->demand_spare_us = 0;
	}
	if (want == have)
		return;
	if (!sr_capture_set_demand(d->cap, want) && (have & ~want))
		sr_info("on-demand capture programs detached (unused for %us)",
		        d->cfg->syscall_linger_s);
}

int sr_session_open(struct sr_daemon *d, const struct sr_open_req *req, struct sr_reply *rep)
{
	char raddr[128] = "", laddr[128] = "", method[64], ktype[128], fp[128], comm[32];
	char dir[PATH_MAX + 1100];
	struct sr_session_info info = {0};
	struct sr_session *s;
	int rport = 0, lport = 0, err;
	uint64_t key;

	if (!sr_cgroup_path_ok(req->cgroup_path)) { /* the daemon rmdirs it later */
		snprintf(rep->error, sizeof(rep->error),
		         "cgroup_path must be absolute, without '.' or '..' components");
		return -EINVAL;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s%.1023s", d->cg2, req->cgroup_path) >=
	    sizeof(dir)) {
		snprintf(rep->error, sizeof(rep->error), "cgroup_path too long");
		return -ENAMETOOLONG;
	}
	/*
	 * A request read after its login gave up waiting (the module then
	 * removes the cgroup) must not become a session nobody will close.
	 */
	if (access(dir, F_OK)) {
		err = -errno;
		snprintf(rep->error, sizeof(rep->error),
		         "cgroup %.200s: %s (did the login give up waiting?)", req->cgroup_path,
		         strerror(-err));
		return err;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = sr_uuid_v7(info.sid, &key);
	if (err) {
		free(s);
		return err;
	}
	sr_parse_ssh_connection(req->ssh_connection, raddr, sizeof(raddr), &rport, laddr,
	                        sizeof(laddr), &lport);
	if (sr_parse_auth_info(req->ssh_auth_info, method, sizeof(method), ktype, sizeof(ktype), fp,
	                       sizeof(fp)) &&
	    req->ssh_auth_info[0])
		sr_warn("open: cannot parse SSH_AUTH_INFO_0 of %s (no fingerprint recorded)",
		        req->user);
	read_comm(req->pid, comm, sizeof(comm));
	sr_session_login_classes(d->cfg, req->user, &s->classes, &s->flags);
	info.key = (int64_t)key;
	info.server_id = d->server_id;
	info.server_hostname = d->hostname;
	info.login = req->user;
	info.user = fp[0] ? fp : req->user;
	info.service = req->service;
	info.tty = req->tty;
	info.rhost = req->rhost;
	info.remote_addr = raddr[0] ? raddr : NULL;
	info.remote_port = rport;
	info.local_addr = laddr[0] ? laddr : NULL;
	info.local_port = lport;
	info.auth_method = method[0] ? method : NULL;
	info.key_type = ktype[0] ? ktype : NULL;
	info.key_fingerprint = fp[0] ? fp : NULL;
	info.leader_pid = req->pid;
	info.cgroup_id = req->cgroup_id;
	info.cgroup_path = req->cgroup_path;
	info.capture_backend = sr_backend_name(sr_capture_backend(d->cap));
	info.audit_session_id = req->audit_sid;
	info.start_us = sr_now_us();
	info.state = "active";
	err = sr_corr_session_init(&s->corr, &info, comm, sr_config_disk_mode(s->classes, s->flags),
	                           s->classes & SR_CLASS_BIT(SR_CLASS_NETWORK));
	if (err) {
		free(s);
		return err;
	}
	s->cgroup_adopted = req->cgroup_adopted;
	s->cg_dir = strdup(dir);
	/* Kernel filter first: nothing the session runs may precede recording. */
	err = sr_capture_session_add(d->cap, key, req->cgroup_id, req->audit_sid, s->classes,
	                             s->flags);
	if (!err && req->pid > 0)
		err = sr_capture_task_add(d->cap, req->pid, key);
	if (err) {
		snprintf(rep->error, sizeof(rep->error),
		         "cannot register the session in the kernel: %s", strerror(-err));
		sr_capture_session_remove(d->cap, key);
		session_free(s);
		return err;
	}
	/* Its deny rules too: a session the policy cannot cover is refused, not let in unchecked.
	 */
	err = sr_policy_session_bind(d, s);
	if (err) {
		snprintf(rep->error, sizeof(rep->error), "cannot apply the session policy: %s",
		         strerror(-err));
		sr_capture_session_remove(d->cap, key);
		session_free(s);
		return err;
	}
	/* And the programs its recording and its rules need: attached before its login goes on. */
	err = sr_session_attach_demand(d, sr_session_demand_of(d, s->pset, s->classes));
	if (err) {
		snprintf(rep->error, sizeof(rep->error),
		         "cannot attach the capture programs the session needs: %s",
		         strerror(-err));
		sr_policy_session_end(d, s);
		sr_capture_session_remove(d->cap, key);
		session_free(s);
		return err;
	}
	sr_session_insert(d, s);
	sr_session_update_demand(d);
	/* Records of the session already in the ring come after session.start. */
	err = sr_corr_start(&d->corr, &s->corr);
	if (!err)
		sr_journal_note_open(d, s); /* in the file before the ack if SQLite cannot commit */
	if (!err && !d->batch_opens)        /* else sr_control_commit_opens() flushes */
		err = sr_sinks_flush(d);
	if (err) {
		snprintf(rep->error, sizeof(rep->error), "cannot record the session start: %s",
		         strerror(-err));
		return err;
	}
	sr_info("session %s opened: login %s from %s, cgroup %s (id %llu), audit session %u",
	        s->corr.info.sid, req->user, raddr[0] ? raddr : "?", req->cgroup_path,
	        (unsigned long long)req->cgroup_id, req->audit_sid);
	rep->ok = true;
	snprintf(rep->sid, sizeof(rep->sid), "%s", s->corr.info.sid);
	rep->session_key = key;
	sr_session_check(d, s);
	return 0;
}

/*
 * Is @p peer (the closing client's SO_PEERCRED pid) the owner of @p s: the
 * sshd process that opened it, or a process inside its cgroup? Anything
 * else is another login's sshd, or a root process of another session, that
 * got hold of this sid (SSHREC_SID is in every session's environment).
 */
static bool session_owner(const struct sr_session *s, pid_t peer)
{
	char cg[PATH_MAX];

	if (peer <= 0)
		return false;
	if (peer == s->corr.info.leader_pid)
		return true;
	return sr_cgroup_of_pid(peer, cg, sizeof(cg)) == 0 && s->corr.info.cgroup_path &&
	       !strcmp(cg, s->corr.info.cgroup_path);
}

int sr_session_close(struct sr_daemon *d, const struct sr_close_req *req, pid_t peer,
                     struct sr_reply *rep)
{
	struct sr_session *s = sr_session_by_sid(d, req->sid);

	if (!s) {
		/*
		 * Not open: it already ended (its cgroup emptied before PAM closed
		 * it) or it was never opened here. Either way there is nothing left
		 * to mark, and an error would only make the module log a failure.
		 */
		sr_info("session %s closed by PAM: not open (already ended)", req->sid);
		rep->ok = true;
		snprintf(rep->sid, sizeof(rep->sid), "%s", req->sid);
		return 0;
	}
	if (!session_owner(s, peer)) {
		snprintf(rep->error, sizeof(rep->error),
		         "session %s was not opened by pid %d: not closed", s->corr.info.sid,
		         (int)peer);
		return -EPERM;
	}
	if (!s->closing) {
		s->closing = true;
		s->corr.info.closing_us = sr_now_us();
		s->corr.info.state = "closing";
		sr_info("session %s closing", s->corr.info.sid);
		/* no record says so: store the state now, not with the next record */
		sr_journal_note_state(d, s);
		sr_sinks_session_update(d, &s->corr.info);
		sr_sinks_flush(d);
	}
	rep->ok = true;
	snprintf(rep->sid, sizeof(rep->sid), "%s", s->corr.info.sid);
	rep->session_key = (uint64_t)s->corr.info.key;
	return 0;
}

static void session_take_loss(struct sr_daemon *d, struct sr_session *s)
{
	struct sr_session_lost delta;

	if (sr_capture_lost_take(d->cap, (uint64_t)s->corr.info.key, &delta) == 1) {
		uint64_t n = delta.lost[0] + delta.lost[1] + delta.lost[2];
		int64_t now = sr_now_us();

		sr_warn("session %s: %llu events lost in the kernel (ring buffer full)",
		        s->corr.info.sid, (unsigned long long)n);
		d->lost_total += n;
		/* taken from the kernel: only memory has it now */
		if (n)
			sr_journal_note_loss(d, s, now, &delta);
		sr_corr_loss(&d->corr, &s->corr, &delta, now);
	}
}

void sr_session_poll_loss(struct sr_daemon *d)
{
	size_t i;
	struct sr_session *s;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		for (s = d->sess[i]; s; s = s->next)
			session_take_loss(d, s);
}

/* Remove the cgroup a session left for a logind scope once it is empty
 * (EBUSY: not yet; anything else is said once and given up). */
static void remove_left_cgroup(struct sr_session *s)
{
	if (!s->left_cg_dir)
		return;
	if (rmdir(s->left_cg_dir) && errno != ENOENT) {
		if (errno == EBUSY)
			return;
		sr_warn("session %s: cannot remove %s: %s", s->corr.info.sid, s->left_cg_dir,
		        strerror(errno));
	}
	free(s->left_cg_dir);
	s->left_cg_dir = NULL;
}

/* Drain, losses, session.end, cgroup and map cleanup. */
static void session_end(struct sr_daemon *d, struct sr_session *s)
{
	uint64_t key = (uint64_t)s->corr.info.key;
	int64_t end_us;

	sr_loop_drain(d, true);
	session_take_loss(d, s);
	sr_journal_replay(d, s, true);
	/* the end a previous sshrecd recorded before a kill -9 (outage journal) */
	end_us = s->end_replay_us ? s->end_replay_us : sr_now_us();
	if (s->end_replay_us)
		d->jnl_replay--;
	s->end_replay_us = 0;
	sr_journal_note_end(d, s, end_us);
	sr_corr_end(&d->corr, &s->corr, end_us);
	sr_sinks_flush(d);
	if (s->wd >= 0)
		inotify_rm_watch(d->inofd, s->wd);
	if (!s->cgroup_adopted && s->cg_dir && rmdir(s->cg_dir) && errno != ENOENT)
		sr_warn("session %s: cannot remove %s: %s", s->corr.info.sid, s->cg_dir,
		        strerror(errno));
	remove_left_cgroup(s);
	if (s->left_cg_dir)
		sr_warn("session %s: cannot remove %s: %s", s->corr.info.sid, s->left_cg_dir,
		        strerror(EBUSY));
	sr_capture_session_remove(d->cap, key);
	sr_policy_session_end(d, s);
	sr_info("session %s ended: %llu commands, %llu lost", s->corr.info.sid,
	        (unsigned long long)s->corr.info.counts[SR_REC_COMMAND],
	        (unsigned long long)s->corr.info.lost);
	session_unlink(d, s);
	session_free(s);
	sr_session_update_demand(d);
}

int sr_session_check(struct sr_daemon *d, struct sr_session *s)
{
	bool populated = true;
	int err, tasks;

	remove_left_cgroup(s);
	if (!s->cg_dir)
		return 0;
	err = sr_cgroup_populated(s->cg_dir, &populated);
	if (err == -ENOENT)
		populated = false;
	else if (err)
		return 0;
	if (populated)
		return 0;
	/*
	 * Our own cgroup emptied: pam_systemd may have had logind take the
	 * leader into its scope. The escape event says so (it may still wait
	 * in the ring), else the leader's /proc entry does; then the scope is
	 * the session's cgroup.
	 */
	if (!s->cgroup_adopted) {
		sr_loop_drain(d, true);
		if (s->cgroup_adopted || sr_session_follow_leader(d, s))
			return sr_session_check(d, s);
	}
	/* processes that moved elsewhere are still the session's (the timer looks again) */
	tasks = sr_capture_session_tasks(d->cap, (uint64_t)s->corr.info.key);
	if (tasks > 0) {
		if (!s->lingering)
			sr_info("session %s: cgroup %s is empty, %d of its processes still run "
			        "elsewhere: it goes on",
			        s->corr.info.sid, s->corr.info.cgroup_path, tasks);
		s->lingering = true;
		return 0;
	}
	session_end(d, s);
	return 1;
}

void sr_session_inotify(struct sr_daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(d->inofd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			size_t i;
			struct sr_session *s, *hit = NULL;

			for (i = 0; i < SR_SESS_BUCKETS && !hit; i++)
				for (s = d->sess[i]; s; s = s->next)
					if (s->wd == ev->wd) {
						hit = s;
						break;
					}
			if (hit)
				sr_session_check(d, hit);
			p += sizeof(*ev) + ev->len;
		}
	}
}

void sr_session_free_all(struct sr_daemon *d)
{
	size_t i;

	for (i = 0; i < SR_SESS_BUCKETS; i++)
		while (d->sess[i]) {
			struct sr_session *s = d->sess[i];

			d->sess[i] = s->next;
			session_free(s);
		}
	d->nsessions = 0;
}
