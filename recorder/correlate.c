/* SPDX-License-Identifier: BSD-2-Clause */
/* The correlator: kernel events -> records, per-session process model. */
#include "recorder/correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execname.h"
#include "recorder/record_json.h"
#include "strsafe.h"
#include "timeutil.h"
#include "uuid.h"

/* An exit tombstone waits this long (event time) for a late exec event. */
#define SR_TOMBSTONE_NS (5ull * 1000000000ull)

struct sr_corr_proc {
	uint32_t pid;
	uint32_t ppid;
	int64_t entity; /* current image (own or inherited), 0: none */
	bool own;       /* entity was exec'd by this pid: exit fills it */
	bool exited;    /* tombstone: exit seen, no own row yet */
	int32_t exit_code, signal;
	uint64_t exit_ns;
	/* own row, for the process_exit record */
	int64_t parent_entity;
	int64_t start_us;
	uint64_t exec_ei;
	char *program, *path;
};

/* ---- pid table (open addressing, backward-shift delete) ---------------- */

static size_t slot_of(const struct sr_corr_session *s, uint32_t pid)
{
	return (pid * 2654435761u) & (s->cap - 1);
}

static struct sr_corr_proc *proc_get(const struct sr_corr_session *s, uint32_t pid)
{
	size_t i;

	if (!s->cap)
		return NULL;
	for (i = slot_of(s, pid); s->procs[i]; i = (i + 1) & (s->cap - 1))
		if (s->procs[i]->pid == pid)
			return s->procs[i];
	return NULL;
}

static void proc_free(struct sr_corr_proc *p)
{
	if (!p)
		return;
	free(p->program);
	free(p->path);
	free(p);
}

static int proc_grow(struct sr_corr_session *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 16, i, j;
	struct sr_corr_proc **n = calloc(ncap, sizeof(*n)), **old = s->procs;
	size_t ocap = s->cap;

	if (!n)
		return -ENOMEM;
	s->procs = n;
	s->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (!old[i])
			continue;
		for (j = slot_of(s, old[i]->pid); n[j]; j = (j + 1) & (ncap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	return 0;
}

/* The entry of @pid, created (zeroed) when missing; an existing one is reset. */
static struct sr_corr_proc *proc_put(struct sr_corr_session *s, uint32_t pid)
{
	struct sr_corr_proc *p = proc_get(s, pid);
	size_t i;

	if (p) {
		free(p->program);
		free(p->path);
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		return p;
	}
	if ((s->nprocs + 1) * 4 > s->cap * 3 && proc_grow(s))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	for (i = slot_of(s, pid); s->procs[i]; i = (i + 1) & (s->cap - 1))
		;
	s->procs[i] = p;
	s->nprocs++;
	return p;
}

static void proc_del(struct sr_corr_session *s, uint32_t pid)
{
	size_t i, j, k, mask = s->cap - 1;

	if (!s->cap)
		return;
	for (i = slot_of(s, pid); s->procs[i]; i = (i + 1) & mask)
		if (s->procs[i]->pid == pid)
			break;
	if (!s->procs[i])
		return;
	proc_free(s->procs[i]);
	s->procs[i] = NULL;
	s->nprocs--;
	/* backward shift: move later entries of the cluster into the hole */
	for (j = (i + 1) & mask; s->procs[j]; j = (j + 1) & mask) {
		k = slot_of(s, s->procs[j]->pid);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			s->procs[i] = s->procs[j];
			s->procs[j] = NULL;
			i = j;
		}
	}
}

size_t sr_corr_live_procs(const struct sr_corr_session *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->cap; i++)
		if (s->procs[i] && s->procs[i]->own && !s->procs[i]->exited)
			n++;
	return n;
}

/* ---- setup --------------------------------------------------------------- */

int sr_corr_init(struct sr_corr *c, int64_t first_entity, sr_corr_emit_fn emit, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->next_entity = first_entity > 0 ? first_entity : 1;
	c->emit = emit;
	c->ctx = ctx;
	c->want_json = true;
	return 0;
}

void sr_corr_free(struct sr_corr *c)
{
	sr_jw_free(&c->jw);
	sr_jw_free(&c->argv_jw);
}

/*
 * A session's strings come from PAM and sshd (and back from the database on
 * a restart): stored as every user-controlled string is, valid UTF-8 with
 * other bytes as \xNN (strsafe.h), in the records and in the database alike.
 */
static int dup_str(const char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	*dst = sr_utf8_sanitize(src, strlen(src));
	return *dst ? 0 : -ENOMEM;
}

int sr_corr_session_init(struct sr_corr_session *s, const struct sr_session_info *info,
                         const char *leader_comm, enum sr_disk_mode disk, bool network)
{
	struct sr_session_info *d = &s->info;
	int err = 0;

	memset(s, 0, sizeof(*s));
	*d = *info;
	err |= dup_str(&d->server_id, info->server_id);
	err |= dup_str(&d->server_hostname, info->server_hostname);
	err |= dup_str(&d->login, info->login);
	err |= dup_str(&d->user, info->user);
	err |= dup_str(&d->service, info->service);
	err |= dup_str(&d->tty, info->tty);
	err |= dup_str(&d->rhost, info->rhost);
	err |= dup_str(&d->remote_addr, info->remote_addr);
	err |= dup_str(&d->local_addr, info->local_addr);
	err |= dup_str(&d->auth_method, info->auth_method);
	err |= dup_str(&d->key_type, info->key_type);
	err |= dup_str(&d->key_fingerprint, info->key_fingerprint);
	err |= dup_str(&d->cgroup_path, info->cgroup_path);
	err |= dup_str(&d->capture_backend, info->capture_backend);
	err |= dup_str(&s->leader_comm, leader_comm ? leader_comm : "sshd");
	d->state = info->state ? info->state : "active";
	s->disk = disk;
	s->network = network;
	sr_uuid_v8_seed(d->sid, s->uid_seed);
	if (err) {
		sr_corr_session_free(s);
		return -ENOMEM;
	}
	return 0;
}

void sr_corr_session_free(struct sr_corr_session *s)
{
	struct sr_session_info *d = &s->info;
	const char **strs[] = {&d->server_id,   &d->server_hostname, &d->login,
	                       &d->user,        &d->service,         &d->tty,
	                       &d->rhost,       &d->remote_addr,     &d->local_addr,
	                       &d->auth_method, &d->key_type,        &d->key_fingerprint,
	                       &d->cgroup_path, &d->capture_backend, &s->leader_comm};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free((char *)*strs[i]);
		*strs[i] = NULL;
	}
	for (i = 0; i < s->cap; i++)
		proc_free(s->procs[i]);
	free(s->procs);
	s->procs = NULL;
	s->cap = s->nprocs = 0;
}

/* ---- emitting ------------------------------------------------------------ */

/* A new record of @p s: kind, time, the next ei, its id, the task's ids.
 * The id is a function of (sid, ei, time, kind): after a kill -9 the daemon
 * makes the records past SQLite's last commit again from the ring, and those
 * the JSON-lines sink had already written must come out as the same lines. */
static void rec_begin(struct sr_corr_session *s, struct sr_record *r, enum sr_rec_kind kind,
                      int64_t time_us, uint64_t cgroup_id, uint32_t audit_sid)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->sess = &s->info;
	r->ei = s->next_ei;
	r->time_us = time_us;
	r->cgroup_id = cgroup_id;
	r->audit_session_id = audit_sid;
	sr_uuid_v8(s->uid_seed, r->ei, (uint64_t)time_us << 4 | (uint64_t)kind, r->uid);
}

/* Write the record's JSON (when a sink wants text), count it, hand it over. */
static int rec_emit(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r)
{
	if (c->want_json) {
		int err = sr_record_json(&c->jw, r);

		if (err)
			return err;
		r->json = c->jw.b;
		r->json_len = c->jw.len;
	}
	s->next_ei++;
	s->info.counts[r->kind]++;
	return c->emit(c->ctx, r);
}

int sr_corr_start(struct sr_corr *c, struct sr_corr_session *s)
{
	const struct sr_session_info *i = &s->info;
	struct sr_record r;

	rec_begin(s, &r, SR_REC_SESSION_START, i->start_us, i->cgroup_id, i->audit_session_id);
	r.pid = i->leader_pid;
	r.program = s->leader_comm;
	r.tty = i->tty; /* PAM's: the session's may change with its first program */
	return rec_emit(c, s, &r);
}

int sr_corr_end(struct sr_corr *c, struct sr_corr_session *s, int64_t end_us)
{
	struct sr_session_info *i = &s->info;
	struct sr_record r;

	i->end_us = end_us;
	i->state = "ended";
	/* session_start, session_stop, counts and lost: the session's */
	rec_begin(s, &r, SR_REC_SESSION_END, end_us, i->cgroup_id, i->audit_session_id);
	r.pid = i->leader_pid;
	r.program = s->leader_comm;
	return rec_emit(c, s, &r);
}

int sr_corr_loss(struct sr_corr *c, struct sr_corr_session *s, const struct sr_session_lost *delta,
                 int64_t now_us)
{
	uint64_t total = delta->lost[0] + delta->lost[1] + delta->lost[2];
	struct sr_record r;

	if (!total)
		return 0;
	s->info.lost += total;
	rec_begin(s, &r, SR_REC_DATA_LOSS, now_us, s->info.cgroup_id, s->info.audit_session_id);
	r.pid = s->info.leader_pid;
	r.program = s->leader_comm;
	r.lost_command = delta->lost[SR_CLASS_COMMAND];
	r.lost_disk = delta->lost[SR_CLASS_DISK];
	r.lost_network = delta->lost[SR_CLASS_NETWORK];
	return rec_emit(c, s, &r);
}

/* ---- kernel events ------------------------------------------------------ */

/* Entity a record of @pid is attributed to: its own/inherited image, else its parent's. */
static int64_t entity_of(const struct sr_corr_session *s, uint32_t pid, uint32_t ppid)
{
	const struct sr_corr_proc *p = proc_get(s, pid);

	if (p && !p->exited)
		return p->entity;
	p = proc_get(s, ppid);
	return p && !p->exited ? p->entity : 0;
}

/* A record made from kernel event @p h: the task's time, ids and comm. */
static void event_rec(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r,
                      enum sr_rec_kind kind, const struct sr_event_hdr *h, const char *comm)
{
	rec_begin(s, r, kind, sr_boot_to_us(h->ts_ns), h->cgroup_id, h->audit_sid);
	r->pid = (int32_t)h->pid;
	r->ppid = (int32_t)h->ppid;
	r->program = comm;
}

/*
 * @p len bytes of a kernel string as the records keep it: up to the first
 * NUL, valid UTF-8. The kernel's copy itself when it is both (the usual
 * case), else a sanitized copy in *@p owned (NULL: out of memory).
 */
static const char *kstr(const char *s, size_t len, char **owned)
{
	size_t n = strnlen(s, len);

	*owned = NULL;
	if (n < len && sr_utf8_valid(s, n))
		return s;
	*owned = sr_utf8_sanitize(s, n);
	return *owned;
}

static int emit_exit(struct sr_corr *c, struct sr_corr_session *s, struct sr_corr_proc *p,
                     const struct sr_event_hdr *h, const char *comm, int32_t code, int32_t sig)
{
	struct sr_process_info pi = {0};
	struct sr_record r;

	event_rec(c, s, &r, SR_REC_PROCESS_EXIT, h, comm);
	pi.id = p->entity;
	pi.parent_id = p->parent_entity;
	pi.pid = (int32_t)p->pid;
	pi.ppid = (int32_t)p->ppid;
	pi.program = p->program;
	pi.path = p->path;
	pi.start_us = p->start_us;
	pi.end_us = r.time_us;
	pi.has_exit = true;
	pi.exit_code = code;
	pi.signal = sig;
	pi.duration_ms = r.time_us > p->start_us ? (r.time_us - p->start_us) / 1000 : 0;
	pi.exec_ei = p->exec_ei;
	r.proc = &pi;
	r.process_id = p->entity;
	r.exit_code = code;
	r.signal = sig;
	r.duration_ms = pi.duration_ms;
	return rec_emit(c, s, &r);
}

static char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return strdup(b && b[1] ? b + 1 : path);
}

/* argv (NUL-separated, @p len bytes) as a JSON array of sanitized strings, in c->argv_jw. */
static int argv_json(struct sr_corr *c, const char *argv, size_t len)
{
	struct sr_jw *w = &c->argv_jw;
	size_t off, n;

	sr_jw_reset(w);
	sr_jw_arr(w, NULL);
	for (off = 0; off < len; off += n + 1) {
		n = strnlen(argv + off, len - off);
		sr_jw_strn(w, NULL, argv + off, n);
	}
	sr_jw_end(w);
	sr_jw_put(w, "", 1); /* NUL-terminated: the process row keeps it */
	return sr_jw_error(w);
}

/* "/dev/pts/3" for the kernel's "pts3", "/dev/tty1" for "tty1"; "" for none. */
static void tty_path(const char *name, size_t len, char *out, size_t cap)
{
	size_t n = strnlen(name, len);

	out[0] = '\0';
	if (!n || !sr_utf8_valid(name, n) || memchr(name, '/', n))
		return; /* none, or not a kernel tty name */
	if (n > 3 && !strncmp(name, "pts", 3))
		snprintf(out, cap, "/dev/pts/%.*s", (int)(n - 3), name + 3);
	else
		snprintf(out, cap, "/dev/%.*s", (int)n, name);
}

/*
 * PAM names no terminal for sshd ("ssh": the pty comes after open_session).
 * The session's terminal is that of its first root-level program with one
 * (the login shell, or the command of `ssh -t`); a pty made later inside the
 * session (script, tmux) does not count.
 */
static int take_session_tty(struct sr_corr_session *s, const struct sr_process_info *pi,
                            const char *tty)
{
	char *dup;

	if (!tty[0] || pi->parent_id || (s->info.tty && strchr(s->info.tty, '/')))
		return 0;
	dup = strdup(tty);
	if (!dup)
		return -ENOMEM;
	free((char *)s->info.tty);
	s->info.tty = dup;
	return 0;
}

/* exe_kind of a successful exec (execname.h), from the kernel's flags. */
static const char *exe_kind(uint32_t flags)
{
	return flags & SR_EXEC_EXE_ANON       ? SR_EXE_FILELESS
	       : flags & SR_EXEC_EXE_UNLINKED ? SR_EXE_DELETED
	       : flags & SR_EXEC_EXE_INTERP   ? SR_EXE_INTERPRETER
	                                      : SR_EXE_FILE;
}

static int on_exec(struct sr_corr *c, struct sr_corr_session *s, const struct sr_exec_event *e,
                   size_t size, const char *comm)
{
	const struct sr_event_hdr *h = &e->hdr;
	const char *fname = e->data, *cwd = fname + e->filename_len, *argv = cwd + e->cwd_len;
	const char *exe_raw = argv + e->argv_len;
	bool ok = h->type == SR_EV_EXEC;
	struct sr_corr_proc *p = proc_get(s, h->pid), *tomb = NULL;
	struct sr_process_info pi = {0};
	struct sr_record r;
	char *path, *prog, *exe = NULL, *cwd_owned = NULL, tty[SR_TTY_LEN + 16];
	int err;

	if ((uint64_t)e->filename_len + e->cwd_len + e->argv_len + e->exe_len > size - sizeof(*e))
		return -EINVAL;
	/* An exit that overtook this exec (same process: it exited after the exec). */
	if (p && p->exited && ok) {
		if (p->exit_ns >= h->ts_ns)
			tomb = p;
		else
			p = NULL; /* a stale tombstone: pid reuse */
	}
	path = sr_utf8_sanitize(fname, strnlen(fname, e->filename_len));
	if (ok && e->exe_len && !(e->flags & SR_EXEC_EXE_FAULT))
		exe = sr_utf8_sanitize(exe_raw, strnlen(exe_raw, e->exe_len));
	if (!path || (ok && e->exe_len && !(e->flags & SR_EXEC_EXE_FAULT) && !exe) ||
	    argv_json(c, argv, e->argv_len)) {
		free(path);
		free(exe);
		return -ENOMEM;
	}
	event_rec(c, s, &r, SR_REC_COMMAND, h, comm);
	if (!(e->flags & SR_EXEC_CWD_FAULT) && !kstr(cwd, e->cwd_len, &cwd_owned)) {
		free(path);
		free(exe);
		return -ENOMEM;
	}
	pi.id = c->next_entity++;
	pi.parent_id = p && !tomb && !p->exited ? p->entity : entity_of(s, 0, h->ppid);
	if (tomb)
		pi.parent_id = tomb->entity ? tomb->entity : entity_of(s, 0, h->ppid);
	pi.pid = (int32_t)h->pid;
	pi.ppid = (int32_t)h->ppid;
	pi.path = path;
	pi.exe = exe;
	pi.exe_kind = ok ? exe_kind(e->flags) : NULL;
	/* an exec through a descriptor is named after the file that ran ("3" says
	 * nothing), unless that is a script's interpreter */
	prog = basename_of(exe && !(e->flags & SR_EXEC_EXE_INTERP) &&
	                           (sr_exec_via_fd(path) || (e->flags & SR_EXEC_EXE_ANON))
	                       ? exe
	                       : path);
	pi.program = prog ? prog : path;
	pi.argv_json = c->argv_jw.b;
	pi.argv_truncated = e->flags & SR_EXEC_ARGV_TRUNCATED;
	pi.uid = h->uid;
	pi.gid = h->gid;
	pi.euid = e->euid;
	pi.egid = e->egid;
	pi.return_code = e->ret;
	pi.start_us = r.time_us;
	pi.exec_ei = r.ei;
	if (!ok) {
		/* a failed exec is a row of its own that never ran */
		pi.end_us = r.time_us;
	}
	tty_path(e->tty, sizeof(e->tty), tty, sizeof(tty));
	pi.tty = tty[0] ? tty : NULL;
	if (ok && take_session_tty(s, &pi, tty)) {
		free(cwd_owned);
		free(prog);
		free(path);
		free(exe);
		return -ENOMEM;
	}
	r.proc = &pi;
	r.process_id = pi.id;
	r.path = path;
	r.has_return_code = true;
	r.return_code = e->ret;
	r.cwd = e->flags & SR_EXEC_CWD_FAULT ? NULL : cwd_owned ? cwd_owned : cwd;
	s->class_events[SR_CLASS_COMMAND]++;
	err = rec_emit(c, s, &r);
	free(cwd_owned);

	if (!err && ok) {
		int32_t code = tomb ? tomb->exit_code : 0, sig = tomb ? tomb->signal : 0;

		p = proc_put(s, h->pid);
		if (!p) {
			err = -ENOMEM;
		} else {
			p->ppid = h->ppid;
			p->entity = pi.id;
			p->own = true;
			p->parent_entity = pi.parent_id;
			p->start_us = pi.start_us;
			p->exec_ei = pi.exec_ei;
			p->program = prog;
			p->path = path;
			prog = path = NULL;
			if (tomb) {
				err = emit_exit(c, s, p, h, comm, code, sig);
				proc_del(s, h->pid);
			}
		}
	}
	free(prog);
	free(path);
	free(exe);
	return err;
}

static int on_fork(struct sr_corr_session *s, const struct sr_fork_event *e)
{
	int64_t ent = entity_of(s, e->hdr.pid, e->hdr.ppid);
	struct sr_corr_proc *p = proc_put(s, e->child_pid); /* resets a reused pid */

	if (!p)
		return -ENOMEM;
	p->ppid = e->hdr.pid;
	p->entity = ent;
	s->class_events[SR_CLASS_COMMAND]++;
	return 0;
}

static int on_proc_exit(struct sr_corr *c, struct sr_corr_session *s, const struct sr_exit_event *e,
                        const char *comm)
{
	struct sr_corr_proc *p = proc_get(s, e->hdr.pid);
	int err = 0;

	s->class_events[SR_CLASS_COMMAND]++;
	if (p && p->own && !p->exited) {
		err = emit_exit(c, s, p, &e->hdr, comm, e->exit_code, e->signal);
		proc_del(s, e->hdr.pid);
		return err;
	}
	/* No own row: forked and never exec'd, or its exec event is still to come. */
	p = proc_put(s, e->hdr.pid);
	if (!p)
		return -ENOMEM;
	p->ppid = e->hdr.ppid;
	p->exited = true;
	p->exit_ns = e->hdr.ts_ns;
	p->exit_code = e->exit_code;
	p->signal = e->signal;
	return 0;
}

/* Drop tombstones older than SR_TOMBSTONE_NS before @now_ns. */
static void sweep_tombstones(struct sr_corr_session *s, uint64_t now_ns)
{
	size_t i = 0;

	while (i < s->cap) {
		struct sr_corr_proc *p = s->procs[i];

		if (p && p->exited && p->exit_ns + SR_TOMBSTONE_NS < now_ns) {
			proc_del(s, p->pid); /* may shift another entry into slot i */
			continue;
		}
		i++;
	}
}

bool sr_open_may_write(uint64_t flags)
{
	return (flags & 3) != 0 || (flags & (00000100 | 00001000)) != 0;
}

static enum sr_path_error path_error_of(uint32_t f)
{
	return f & SR_OPEN_PATH_FAULT     ? SR_PATH_ERROR_UNREADABLE
	       : f & SR_OPEN_PATH_MISSING ? SR_PATH_ERROR_UNAVAILABLE
	                                  : SR_PATH_ERROR_NONE;
}

static int on_open(struct sr_corr *c, struct sr_corr_session *s, const struct sr_open_event *e,
                   size_t size, const char *comm)
{
	char *owned;
	const char *path;
	struct sr_record r;
	int err;

	if (e->path_len > size - sizeof(*e))
		return -EINVAL;
	if (s->disk == SR_DISK_OFF ||
	    (s->disk == SR_DISK_WRITES_ONLY && !sr_open_may_write(e->flags))) {
		s->filtered++;
		return 0;
	}
	s->class_events[SR_CLASS_DISK]++;
	path = kstr(e->path, e->path_len, &owned);
	if (!path)
		return -ENOMEM;
	event_rec(c, s, &r, SR_REC_DISK, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.path = path;
	r.has_return_code = !(e->oflags & SR_OPEN_RET_UNKNOWN);
	r.return_code = e->ret;
	r.flags = e->flags;
	r.mode = e->mode;
	r.path_resolved = e->oflags & SR_OPEN_PATH_RESOLVED;
	r.path_error = path_error_of(e->oflags);
	r.path_truncated = e->oflags & SR_OPEN_PATH_TRUNC;
	err = rec_emit(c, s, &r);

	free(owned);
	return err;
}

/* A file change: session.disk with its operation, under the disk switch (every one writes). */
static int on_fchange(struct sr_corr *c, struct sr_corr_session *s,
                      const struct sr_fchange_event *e, size_t size, const char *comm)
{
	uint32_t f = e->cflags, f2 = e->cflags >> SR_FC_PATH2_SHIFT;
	char *owned = NULL, *owned2 = NULL;
	struct sr_record r;
	int err = -ENOMEM;

	if (e->path_len > size - sizeof(*e) || e->path2_len > size - sizeof(*e) - e->path_len ||
	    !e->path_len || e->op == 0 || e->op >= SR_FC_MAX)
		return -EINVAL;
	if (s->disk == SR_DISK_OFF) {
		s->filtered++;
		return 0;
	}
	s->class_events[SR_CLASS_DISK]++;
	event_rec(c, s, &r, SR_REC_DISK, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.fc_op = (uint8_t)e->op;
	r.path = kstr(e->data, e->path_len, &owned);
	if (e->path2_len)
		r.path2 = kstr(e->data + e->path_len, e->path2_len, &owned2);
	if (!r.path || (e->path2_len && !r.path2))
		goto out;
	r.has_return_code = !(f & SR_FC_RET_UNKNOWN);
	r.return_code = e->ret;
	r.path_resolved = f & SR_OPEN_PATH_RESOLVED;
	r.path_error = path_error_of(f);
	r.path_truncated = f & SR_OPEN_PATH_TRUNC;
	r.path2_resolved = f2 & SR_OPEN_PATH_RESOLVED;
	r.path2_error = path_error_of(f2);
	r.path2_truncated = f2 & SR_OPEN_PATH_TRUNC;
	/* mknod's mode keeps its file type (S_IFMT) */
	r.mode = e->mode & (e->op == SR_FC_MKNOD ? 0177777 : 07777);
	r.device = e->op == SR_FC_MKNOD ? (uint32_t)e->length : 0;
	r.owner_uid = e->uid == UINT32_MAX ? -1 : (int64_t)e->uid;
	r.owner_gid = e->gid == UINT32_MAX ? -1 : (int64_t)e->gid;
	r.length = f & SR_FC_LEN_UNKNOWN ? -1 : e->op == SR_FC_MKNOD ? 0 : e->length;
	err = rec_emit(c, s, &r);
out:
	free(owned);
	free(owned2);
	return err;
}

static int on_connect(struct sr_corr *c, struct sr_corr_session *s,
                      const struct sr_connect_event *e, const char *comm)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = e->family == 10 ? AF_INET6 : AF_INET;
	struct sr_record r;

	if (!s->network) {
		s->filtered++;
		return 0;
	}
	if (e->family != 2 && e->family != 10)
		return -EINVAL;
	s->class_events[SR_CLASS_NETWORK]++;
	inet_ntop(af, e->saddr, src, sizeof(src));
	inet_ntop(af, e->daddr, dst, sizeof(dst));
	event_rec(c, s, &r, SR_REC_NETWORK, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.src_addr = src;
	r.src_port = e->sport;
	r.dst_addr = dst;
	r.dst_port = e->dport;
	r.result = e->op < 4 ? e->op : 0;
	if (e->op == SR_CONNECT_UDP_SEND)
		r.operation = SR_NET_OP_SEND;
	if (e->op == SR_CONNECT_ACCEPTED) {
		/* the peer initiated: it is the source (the event has local, remote) */
		r.operation = SR_NET_OP_ACCEPT;
		r.result = SR_CONNECT_ESTABLISHED;
		r.src_addr = dst;
		r.src_port = e->dport;
		r.dst_addr = src;
		r.dst_port = e->sport;
	}
	/* killed by the policy at SYN_SENT (signal): the SYN was out, the connect denied */
	if (e->hdr.verdict == SR_VERDICT_DENIED)
		r.action = SR_NET_ACTION_DENIED;
	return rec_emit(c, s, &r);
}

static int on_escape(struct sr_corr *c, struct sr_corr_session *s, const struct sr_escape_event *e,
                     size_t size, const char *comm)
{
	struct sr_record r;
	char *owned;
	int err;

	if (e->path_len > size - sizeof(*e))
		return -EINVAL;
	event_rec(c, s, &r, SR_REC_ESCAPE, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.to_cgroup_id = e->to_cgroup_id;
	r.to_cgroup_path = kstr(e->path, e->path_len, &owned);
	if (!r.to_cgroup_path)
		return -ENOMEM;
	err = rec_emit(c, s, &r);
	free(owned);
	return err;
}

static int on_denied(struct sr_corr *c, struct sr_corr_session *s, const struct sr_denied_event *e,
                     size_t size, const char *comm)
{
	bool net = e->action == SR_POLICY_CONNECT;
	char dst[INET6_ADDRSTRLEN] = "", *opath = NULL, *orule = NULL;
	struct sr_record r;
	int err = -ENOMEM;

	if ((uint64_t)e->path_len + e->rule_len > size - sizeof(*e) ||
	    e->action >= SR_POLICY_ACTION_MAX ||
	    (e->mode != SR_POLICY_ENFORCE && e->mode != SR_POLICY_AUDIT) ||
	    (e->mechanism != SR_POLICY_MECH_LSM && e->mechanism != SR_POLICY_MECH_SIGNAL) ||
	    (net && e->family != 2 && e->family != 10))
		return -EINVAL;
	/* a denial is recorded whatever classes the session records */
	event_rec(c, s, &r, SR_REC_DENIED, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.denied_action = e->action;
	r.denied_mode = e->mode;
	r.denied_mechanism = e->mechanism;
	r.denied_not_applied = e->flags & SR_DENIED_NOT_APPLIED;
	r.path_truncated = e->flags & SR_DENIED_PATH_TRUNC;
	if (net) {
		inet_ntop(e->family == 10 ? AF_INET6 : AF_INET, e->daddr, dst, sizeof(dst));
		r.dst_addr = dst;
		r.dst_port = e->dport;
	} else if (!(r.path = kstr(e->data, e->path_len, &opath))) {
		return -ENOMEM;
	}
	if (e->action == SR_POLICY_WRITE)
		r.flags = e->open_flags;
	if (e->rule_len && !(r.rule = kstr(e->data + e->path_len, e->rule_len, &orule)))
		goto out;
	err = rec_emit(c, s, &r);
	/*
	 * A connect a BPF LSM hook refused never reaches the TCP state the
	 * network records come from: its session.network is made here, with
	 * Teleport's action DENIED, so SIEM content for those sees it.
	 */
	if (!err && net && e->mode == SR_POLICY_ENFORCE && e->mechanism == SR_POLICY_MECH_LSM &&
	    !(e->flags & SR_DENIED_NOT_APPLIED) && s->network) {
		int64_t pid = r.process_id;

		s->class_events[SR_CLASS_NETWORK]++;
		event_rec(c, s, &r, SR_REC_NETWORK, &e->hdr, comm);
		r.process_id = pid;
		r.src_addr = e->family == 10 ? "::" : "0.0.0.0"; /* not bound: no source yet */
		r.dst_addr = dst;
		r.dst_port = e->dport;
		r.result = 2; /* failed */
		r.action = SR_NET_ACTION_DENIED;
		err = rec_emit(c, s, &r);
	}
out:
	free(opath);
	free(orule);
	return err;
}

int sr_corr_event(struct sr_corr *c, struct sr_corr_session *s, const void *data, size_t size)
{
	static const size_t min_size[] = {
	    [SR_EV_EXEC] = sizeof(struct sr_exec_event),
	    [SR_EV_EXEC_FAIL] = sizeof(struct sr_exec_event),
	    [SR_EV_FORK] = sizeof(struct sr_fork_event),
	    [SR_EV_EXIT] = sizeof(struct sr_exit_event),
	    [SR_EV_OPEN] = sizeof(struct sr_open_event),
	    [SR_EV_CONNECT] = sizeof(struct sr_connect_event),
	    [SR_EV_ESCAPE] = sizeof(struct sr_escape_event),
	    [SR_EV_FCHANGE] = sizeof(struct sr_fchange_event),
	};
	const struct sr_event_hdr *h = data;
	char cbuf[SR_COMM_LEN + 1], *owned = NULL;
	const char *comm = cbuf;
	size_t n;
	int err;

	/* the header's own size is what is read: it must cover the record's struct */
	if (size < sizeof(*h) || h->size > size ||
	    (h->type == SR_EV_DENIED
	         ? h->size < sizeof(struct sr_denied_event)
	         : h->type == 0 || h->type > SR_EV_FCHANGE || h->size < min_size[h->type])) {
		c->malformed++;
		return -EINVAL;
	}
	size = h->size;
	n = strnlen(h->comm, SR_COMM_LEN);
	if (sr_utf8_valid(h->comm, n)) {
		memcpy(cbuf, h->comm, n); /* the usual case: no allocation */
		cbuf[n] = '\0';
	} else {
		comm = owned = sr_utf8_sanitize(h->comm, n);
		if (!owned)
			return -ENOMEM;
	}
	switch (h->type) {
	case SR_EV_EXEC:
	case SR_EV_EXEC_FAIL:
		err = on_exec(c, s, data, size, comm);
		break;
	case SR_EV_FORK:
		err = on_fork(s, data);
		break;
	case SR_EV_EXIT:
		err = on_proc_exit(c, s, data, comm);
		break;
	case SR_EV_OPEN:
		err = on_open(c, s, data, size, comm);
		break;
	case SR_EV_CONNECT:
		err = on_connect(c, s, data, comm);
		break;
	case SR_EV_DENIED:
		err = on_denied(c, s, data, size, comm);
		break;
	case SR_EV_FCHANGE:
		err = on_fchange(c, s, data, size, comm);
		break;
	default:
		err = on_escape(c, s, data, size, comm);
		break;
	}
	free(owned);
	if (err == -EINVAL)
		c->malformed++;
	if (h->type == SR_EV_EXIT)
		sweep_tombstones(s, h->ts_ns);
	return err;
}

int sr_corr_restore_proc(struct sr_corr_session *s, uint32_t pid, uint32_t ppid, int64_t entity,
                         int64_t parent_entity, int64_t start_us, uint64_t exec_ei,
                         const char *program, const char *path)
{
	struct sr_corr_proc *p = proc_put(s, pid);

	if (!p)
		return -ENOMEM;
	p->ppid = ppid;
	p->entity = entity;
	p->own = true;
	p->parent_entity = parent_entity;
	p->start_us = start_us;
	p->exec_ei = exec_ei;
	p->program = program ? strdup(program) : NULL;
	p->path = path ? strdup(path) : NULL;
	return 0;
}

/*
 * A process forked before the last SQLite commit and exec'd after a restart:
 * its fork event lies before the ring position the restart reads from, and
 * SQLite has rows only for exec'd images. Without this, its exec found
 * neither it nor (when its parent was a subshell that never exec'd, or had
 * exited) its parent, and came out without a parent (parent_process_id null).
 */
void sr_corr_forks_text(const struct sr_corr_session *s, struct sr_jw *w)
{
	char line[64];
	size_t i;
	int n;

	for (i = 0; i < s->cap; i++) {
		const struct sr_corr_proc *p = s->procs[i];

		if (!p || p->own || p->exited || !p->entity)
			continue;
		n = snprintf(line, sizeof(line), "%lld %u %lld\n", (long long)s->info.key, p->pid,
		             (long long)p->entity);
		sr_jw_put(w, line, (size_t)n);
	}
}

int sr_corr_restore_fork(struct sr_corr_session *s, uint32_t pid, int64_t entity)
{
	struct sr_corr_proc *p = proc_put(s, pid);

	if (!p)
		return -ENOMEM;
	p->entity = entity;
	return 0;
}
