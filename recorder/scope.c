/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Follow systemd-logind's move of a session into its scope.
 *
 * With pam_sshrec before pam_systemd in the session stack, the login first
 * gets its own cgroup <cgroup2>/sshrec/s-..., then pam_systemd has logind
 * put the same process (sshd's session process, the session leader) into
 * /user.slice/user-<uid>.slice/session-<n>.scope. The session adopts that
 * scope: filter map entry, session cgroup id, inotify watch and the stored
 * row follow it, our emptied cgroup is removed, and the move is not an
 * escape. The kernel keeps recording throughout (the leader's tgid and the
 * audit session id are in the filter before and after).
 *
 * Who may move a session this way: only logind moving the leader into the
 * scope of the login's own uid. A user's own moves are of other processes
 * (the leader is root's sshd) and stay escapes.
 */
#include <errno.h>
#include <stdint.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "paths.h"
#include "recorder/daemon.h"

/* "[...]/user.slice/user-<uid>.slice/session-<id>.scope" of @p uid. */
static bool logind_scope_of(const char *path, uid_t uid)
{
	char slice[64];
	const char *base = strrchr(path, '/'), *p;
	size_t len, n;

	if (!base || strncmp(base, "/session-", 9) || (len = strlen(base)) <= 9 + 6 ||
	    strcmp(base + len - 6, ".scope"))
		return false;
	for (p = base + 9; p < base + len - 6; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	n = (size_t)snprintf(slice, sizeof(slice), "/user.slice/user-%u.slice", (unsigned)uid);
	return (size_t)(base - path) >= n && !strncmp(base - n, slice, n);
}

static bool login_uid(const struct sr_session *s, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (!s->corr.info.login || getpwnam_r(s->corr.info.login, &pw, buf, sizeof(buf), &res) ||
	    !res)
		return false;
	*uid = res->pw_uid;
	return true;
}

/* Is @p path (relative to the cgroup2 mount) where logind put this login? */
static bool is_login_scope(const struct sr_session *s, const char *path)
{
	uid_t uid;

	return login_uid(s, &uid) && logind_scope_of(path, uid);
}

int sr_session_adopt(struct sr_daemon *d, struct sr_session *s, const char *path, uint64_t id)
{
	struct sr_session_info *in = &s->corr.info;
	char dir[PATH_MAX + 1100], ev[sizeof(dir) + 16], *cpath, *cdir;
	int err, wd;

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", d->cg2, path) >= sizeof(dir))
		return -ENAMETOOLONG;
	if (!id && (err = sr_cgroup_id(dir, &id)))
		return err;
	cpath = strdup(path);
	cdir = strdup(dir);
	if (!cpath || !cdir) {
		free(cpath);
		free(cdir);
		return -ENOMEM;
	}
	err = sr_capture_session_set_cgroup(d->cap, (uint64_t)in->key, id);
	if (err) {
		sr_warn("session %s: cannot adopt %s in the kernel filter: %s (recording goes on "
		        "by audit session and process)",
		        in->sid, path, strerror(-err));
		free(cpath);
		free(cdir);
		return err;
	}
	snprintf(ev, sizeof(ev), "%s/cgroup.events", dir);
	wd = d->inofd >= 0 ? inotify_add_watch(d->inofd, ev, IN_MODIFY) : -1;
	if (wd < 0)
		sr_warn("session %s: cannot watch %s: %s", in->sid, ev, strerror(errno));
	if (s->wd >= 0 && s->wd != wd)
		inotify_rm_watch(d->inofd, s->wd);
	s->wd = wd;
	/* our own cgroup is empty now (logind took the leader): remove it; a
	 * process may still be on its way out (EBUSY): then later, once empty */
	if (!s->cgroup_adopted && s->cg_dir && rmdir(s->cg_dir) && errno != ENOENT) {
		if (errno == EBUSY && !s->left_cg_dir) {
			s->left_cg_dir = s->cg_dir;
			s->cg_dir = NULL;
		} else {
			sr_warn("session %s: cannot remove %s: %s", in->sid, s->cg_dir,
			        strerror(errno));
		}
	}
	sr_info("session %s: adopted logind scope %s (id %llu), left %s", in->sid, path,
	        (unsigned long long)id, in->cgroup_path ? in->cgroup_path : "?");
	free(s->cg_dir);
	s->cg_dir = cdir;
	free((char *)in->cgroup_path);
	in->cgroup_path = cpath;
	in->cgroup_id = id;
	s->cgroup_adopted = true;
	/* a restarted daemon must find the scope, not the removed cgroup */
	sr_journal_note_state(d, s);
	sr_sinks_session_update(d, in);
	sr_sinks_flush(d);
	return 0;
}

bool sr_session_escape(struct sr_daemon *d, struct sr_session *s, const struct sr_escape_event *e,
                       size_t size)
{
	char path[SR_CGPATH_CAP + 1];
	size_t n = e->path_len;

	if (size < sizeof(*e) || n > size - sizeof(*e) || n > SR_CGPATH_CAP)
		return false; /* the correlator counts it as malformed */
	if (e->to_cgroup_id == s->corr.info.cgroup_id)
		return true; /* into the scope already adopted (the event came late) */
	if (s->cgroup_adopted || (int32_t)e->hdr.pid != s->corr.info.leader_pid ||
	    e->hdr.audit_sid != s->corr.info.audit_session_id)
		return false;
	memcpy(path, e->path, n);
	path[n] = '\0';
	n = strnlen(path, n);
	path[n] = '\0';
	if (!is_login_scope(s, path))
		return false;
	return sr_session_adopt(d, s, path, e->to_cgroup_id) == 0;
}

/* The audit session id of @p pid, SR_AUDIT_SID_UNSET when unknown. */
static uint32_t audit_sid_of(pid_t pid)
{
	char path[64];
	unsigned long v = SR_AUDIT_SID_UNSET;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/sessionid", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return SR_AUDIT_SID_UNSET;
	if (fscanf(f, "%lu", &v) != 1 || v > UINT32_MAX)
		v = SR_AUDIT_SID_UNSET;
	fclose(f);
	return (uint32_t)v;
}

int sr_session_follow_leader(struct sr_daemon *d, struct sr_session *s)
{
	char path[PATH_MAX];
	pid_t leader = s->corr.info.leader_pid;
	uint32_t asid = s->corr.info.audit_session_id;

	/* the audit session id tells the leader from a process that reused its pid */
	if (s->cgroup_adopted || leader <= 0 || asid == SR_AUDIT_SID_UNSET ||
	    audit_sid_of(leader) != asid || sr_cgroup_of_pid(leader, path, sizeof(path)) ||
	    !is_login_scope(s, path))
		return 0;
	return sr_session_adopt(d, s, path, 0) == 0;
}
