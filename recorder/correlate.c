/* SPDX-License-Identifier: BSD-2-Clause */
/* The correlator: kernel events -> records, per-session process model. */
#include "recorder/correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "recorder/record_json.h"
#include "strsafe.h"
#include "timeutil.h"

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
	if (getrandom(c->rng, sizeof(c->rng), 0) != (ssize_t)sizeof(c->rng))
		return -errno;
	c->rng[0] |= 1;
	return 0;
}

void sr_corr_free(struct sr_corr *c)
{
	sr_jw_free(&c->jw);
	sr_jw_free(&c->argv_jw);
}

static int dup_str(const char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
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
	err |= dup_str(&s->leader_comm, leader_comm ? leader_comm : "sshd");
	d->state = info->state ? info->state : "active";
	s->disk = disk;
	s->network = network;
	if (err) {
		sr_corr_session_free(s);
		return -ENOMEM;
	}
	return 0;
}

void sr_corr_session_free(struct sr_corr_session *s)
{
	struct sr_session_info *d = &s->info;
	const char **strs[] = {
	    &d->server_id, &d->server_hostname, &d->login,       &d->user,       &d->service,
	    &d->tty,       &d->rhost,           &d->remote_addr, &d->local_addr, &d->auth_method,
	    &d->key_type,  &d->key_fingerprint, &d->cgroup_path, &s->leader_comm};
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

static uint64_t rng_next(struct sr_corr *c)
{
	/* xorshift128+: record ids need uniqueness, not secrecy */
	uint64_t x = c->rng[0], y = c->rng[1];

	c->rng[0] = y;
	x ^= x << 23;
	c->rng[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
	return c->rng[1] + y;
}

static void rec_begin(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r,
                      enum sr_rec_kind kind, int64_t time_us)
{
	uint8_t b[16];
	uint64_t a = rng_next(c), z = rng_next(c);

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->sess = &s->info;
	r->time_us = time_us;
	memcpy(b, &a, 8);
	memcpy(b + 8, &z, 8);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	sr_uuid_format(b, r->uid);
}

/* Close the record's JSON (in c->jw), assign ei, hand over. */
static int rec_emit(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r)
{
	int err = sr_json_finish(&c->jw, r);

	if (err)
		return err;
	s->next_ei++;
	s->info.counts[r->kind]++;
	return c->emit(c->ctx, r);
}

/* Start the record's JSON in c->jw with the common fields (they need r->ei). */
static struct sr_jw *rec_json(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r,
                              uint64_t cgroup_id, uint32_t audit_sid)
{
	r->ei = s->next_ei;
	sr_json_common(&c->jw, r, cgroup_id, audit_sid);
	return &c->jw;
}

int sr_corr_start(struct sr_corr *c, struct sr_corr_session *s)
{
	const struct sr_session_info *i = &s->info;
	struct sr_record r;
	struct sr_jw *o;
	char addr[320];

	rec_begin(c, s, &r, SR_REC_SESSION_START, i->start_us);
	r.pid = i->leader_pid;
	r.program = s->leader_comm;
	o = rec_json(c, s, &r, i->cgroup_id, i->audit_session_id);
	snprintf(addr, sizeof(addr), "%s:%d", i->remote_addr ? i->remote_addr : "", i->remote_port);
	sr_json_put_str(o, "addr.remote", i->remote_addr ? addr : NULL);
	snprintf(addr, sizeof(addr), "%s:%d", i->local_addr ? i->local_addr : "", i->local_port);
	sr_json_put_str(o, "addr.local", i->local_addr ? addr : NULL);
	sr_json_put_str(o, "tty", i->tty);
	sr_json_put_str(o, "service", i->service);
	sr_json_put_str(o, "rhost", i->rhost);
	sr_jw_obj(o, "auth");
	sr_json_put_str(o, "method", i->auth_method);
	sr_json_put_str(o, "key_type", i->key_type);
	sr_json_put_str(o, "fingerprint", i->key_fingerprint);
	sr_jw_end(o);
	sr_json_put_str(o, "cgroup_path", i->cgroup_path);
	return rec_emit(c, s, &r);
}

int sr_corr_end(struct sr_corr *c, struct sr_corr_session *s, int64_t end_us)
{
	struct sr_session_info *i = &s->info;
	char t1[SR_TIME_STRLEN], t2[SR_TIME_STRLEN];
	struct sr_record r;
	struct sr_jw *o;

	i->end_us = end_us;
	i->state = "ended";
	rec_begin(c, s, &r, SR_REC_SESSION_END, end_us);
	r.pid = i->leader_pid;
	r.program = s->leader_comm;
	o = rec_json(c, s, &r, i->cgroup_id, i->audit_session_id);
	sr_json_put_str(o, "session_start", sr_time_format(i->start_us, t1));
	sr_json_put_str(o, "session_stop", sr_time_format(end_us, t2));
	sr_jw_obj(o, "counts");
	sr_jw_int(o, "command", (int64_t)i->counts[SR_REC_COMMAND]);
	sr_jw_int(o, "disk", (int64_t)i->counts[SR_REC_DISK]);
	sr_jw_int(o, "network", (int64_t)i->counts[SR_REC_NETWORK]);
	sr_jw_int(o, "process_exit", (int64_t)i->counts[SR_REC_PROCESS_EXIT]);
	sr_jw_int(o, "escape", (int64_t)i->counts[SR_REC_ESCAPE]);
	sr_jw_end(o);
	sr_json_put_int(o, "lost", (int64_t)i->lost, false);
	return rec_emit(c, s, &r);
}

int sr_corr_loss(struct sr_corr *c, struct sr_corr_session *s, const struct sr_session_lost *delta,
                 int64_t now_us)
{
	uint64_t total = delta->lost[0] + delta->lost[1] + delta->lost[2];
	struct sr_record r;
	struct sr_jw *o;

	if (!total)
		return 0;
	s->info.lost += total;
	rec_begin(c, s, &r, SR_REC_DATA_LOSS, now_us);
	r.pid = s->info.leader_pid;
	r.program = s->leader_comm;
	o = rec_json(c, s, &r, s->info.cgroup_id, s->info.audit_session_id);
	sr_json_put_int(o, "lost", (int64_t)total, false);
	sr_jw_obj(o, "lost_by_type");
	sr_jw_int(o, "command", (int64_t)delta->lost[SR_CLASS_COMMAND]);
	sr_jw_int(o, "disk", (int64_t)delta->lost[SR_CLASS_DISK]);
	sr_jw_int(o, "network", (int64_t)delta->lost[SR_CLASS_NETWORK]);
	sr_jw_end(o);
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

static struct sr_jw *event_json(struct sr_corr *c, struct sr_corr_session *s, struct sr_record *r,
                                enum sr_rec_kind kind, const struct sr_event_hdr *h,
                                const char *comm)
{
	rec_begin(c, s, r, kind, sr_boot_to_us(h->ts_ns));
	r->pid = (int32_t)h->pid;
	r->ppid = (int32_t)h->ppid;
	r->program = comm;
	return rec_json(c, s, r, h->cgroup_id, h->audit_sid);
}

static int emit_exit(struct sr_corr *c, struct sr_corr_session *s, struct sr_corr_proc *p,
                     const struct sr_event_hdr *h, const char *comm, int32_t code, int32_t sig)
{
	struct sr_process_info pi = {0};
	struct sr_record r;
	struct sr_jw *o = event_json(c, s, &r, SR_REC_PROCESS_EXIT, h, comm);

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
	sr_json_put_int(o, "exit_code", code, sig != 0);
	sr_json_put_int(o, "signal", sig, false);
	sr_json_put_int(o, "duration_ms", pi.duration_ms, false);
	sr_json_put_int(o, "process_id", p->entity, false);
	return rec_emit(c, s, &r);
}

static char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return strdup(b && b[1] ? b + 1 : path);
}

/* argv (NUL-separated, @p len bytes) as a JSON array of sanitized strings, in c->argv_jw. */
static int argv_json(struct sr_corr *c, const char *argv, size_t len, size_t *out_len)
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
	sr_jw_put(w, "", 1); /* NUL-terminated for the SQLite sink */
	*out_len = w->len - 1;
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

static int on_exec(struct sr_corr *c, struct sr_corr_session *s, const struct sr_exec_event *e,
                   size_t size, const char *comm)
{
	const struct sr_event_hdr *h = &e->hdr;
	const char *fname = e->data, *cwd = fname + e->filename_len, *argv = cwd + e->cwd_len;
	bool ok = h->type == SR_EV_EXEC;
	struct sr_corr_proc *p = proc_get(s, h->pid), *tomb = NULL;
	struct sr_process_info pi = {0};
	struct sr_record r;
	struct sr_jw *o;
	char *path, *prog, tty[SR_TTY_LEN + 16];
	size_t argv_len;
	int err;

	if ((uint64_t)e->filename_len + e->cwd_len + e->argv_len > size - sizeof(*e))
		return -EINVAL;
	/* An exit that overtook this exec (same process: it exited after the exec). */
	if (p && p->exited && ok) {
		if (p->exit_ns >= h->ts_ns)
			tomb = p;
		else
			p = NULL; /* a stale tombstone: pid reuse */
	}
	path = sr_utf8_sanitize(fname, strnlen(fname, e->filename_len));
	if (!path || argv_json(c, argv, e->argv_len, &argv_len)) {
		free(path);
		return -ENOMEM;
	}
	o = event_json(c, s, &r, SR_REC_COMMAND, h, comm);
	pi.id = c->next_entity++;
	pi.parent_id = p && !tomb && !p->exited ? p->entity : entity_of(s, 0, h->ppid);
	if (tomb)
		pi.parent_id = tomb->entity ? tomb->entity : entity_of(s, 0, h->ppid);
	pi.pid = (int32_t)h->pid;
	pi.ppid = (int32_t)h->ppid;
	pi.path = path;
	prog = basename_of(path);
	pi.program = prog ? prog : path;
	pi.argv_json = c->argv_jw.b;
	pi.argv_truncated = e->flags & SR_EXEC_ARGV_TRUNCATED;
	pi.uid = h->uid;
	pi.gid = h->gid;
	pi.return_code = e->ret;
	pi.start_us = r.time_us;
	pi.exec_ei = r.ei;
	if (!ok) {
		/* a failed exec is a row of its own that never ran */
		pi.end_us = r.time_us;
	}
	tty_path(e->tty, sizeof(e->tty), tty, sizeof(tty));
	if (ok && take_session_tty(s, &pi, tty)) {
		free(prog);
		free(path);
		return -ENOMEM;
	}
	r.proc = &pi;
	r.process_id = pi.id;
	r.path = path;
	r.has_return_code = true;
	r.return_code = e->ret;
	sr_json_put_str(o, "path", path);
	sr_jw_raw(o, "argv", c->argv_jw.b, argv_len);
	sr_jw_bool(o, "argv_truncated", e->flags & SR_EXEC_ARGV_TRUNCATED);
	sr_json_put_int(o, "return_code", e->ret, false);
	if (e->flags & SR_EXEC_CWD_FAULT)
		sr_json_put_str(o, "cwd", NULL);
	else
		sr_json_put_bytes(o, "cwd", cwd, e->cwd_len);
	sr_json_put_int(o, "proc_uid", h->uid, false);
	sr_json_put_int(o, "proc_gid", h->gid, false);
	sr_json_put_int(o, "proc_euid", e->euid, false);
	sr_json_put_int(o, "proc_egid", e->egid, false);
	sr_json_put_int(o, "process_id", pi.id, false);
	sr_json_put_int(o, "parent_process_id", pi.parent_id, pi.parent_id == 0);
	sr_json_put_str(o, "tty", tty[0] ? tty : NULL);
	s->class_events[SR_CLASS_COMMAND]++;
	err = rec_emit(c, s, &r);

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

static int on_open(struct sr_corr *c, struct sr_corr_session *s, const struct sr_open_event *e,
                   size_t size, const char *comm)
{
	char ftext[256], *owned = NULL;
	const char *path = e->path;
	size_t n;
	struct sr_record r;
	struct sr_jw *o;

	if (e->path_len > size - sizeof(*e))
		return -EINVAL;
	if (s->disk == SR_DISK_OFF ||
	    (s->disk == SR_DISK_WRITES_ONLY && !sr_open_may_write(e->flags))) {
		s->filtered++;
		return 0;
	}
	s->class_events[SR_CLASS_DISK]++;
	/* the kernel's copy is used as it is when it is NUL-terminated, valid UTF-8 */
	n = strnlen(e->path, e->path_len);
	if (n == e->path_len || !sr_utf8_valid(e->path, n)) {
		path = owned = sr_utf8_sanitize(e->path, n);
		if (!owned)
			return -ENOMEM;
	}
	o = event_json(c, s, &r, SR_REC_DISK, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.path = path;
	r.has_return_code = true;
	r.return_code = e->ret;
	sr_json_put_str(o, "path", path);
	sr_json_put_int(o, "flags", (int64_t)e->flags, false);
	sr_json_put_str(o, "flags_text", sr_open_flags_text(e->flags, ftext, sizeof(ftext)));
	sr_json_put_int(o, "mode", e->mode, false);
	sr_json_put_int(o, "return_code", e->ret, false);
	sr_jw_bool(o, "path_resolved", e->oflags & SR_OPEN_PATH_RESOLVED);
	if (e->oflags & SR_OPEN_PATH_FAULT)
		sr_json_put_str(o, "path_error", "unreadable");
	sr_json_put_int(o, "process_id", r.process_id, r.process_id == 0);
	int err = rec_emit(c, s, &r);

	free(owned);
	return err;
}

static int on_connect(struct sr_corr *c, struct sr_corr_session *s,
                      const struct sr_connect_event *e, const char *comm)
{
	static const char *const results[] = {"pending", "established", "failed", "pending"};
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = e->family == 10 ? AF_INET6 : AF_INET;
	struct sr_record r;
	struct sr_jw *o;

	if (!s->network) {
		s->filtered++;
		return 0;
	}
	if (e->family != 2 && e->family != 10)
		return -EINVAL;
	s->class_events[SR_CLASS_NETWORK]++;
	inet_ntop(af, e->saddr, src, sizeof(src));
	inet_ntop(af, e->daddr, dst, sizeof(dst));
	o = event_json(c, s, &r, SR_REC_NETWORK, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	r.dst_addr = dst;
	r.dst_port = e->dport;
	sr_json_put_str(o, "src_addr", src);
	sr_json_put_int(o, "src_port", e->sport, false);
	sr_json_put_str(o, "dst_addr", dst);
	sr_json_put_int(o, "dst_port", e->dport, false);
	sr_json_put_int(o, "version", af == AF_INET6 ? 6 : 4, false);
	sr_json_put_str(o, "operation", "connect");
	sr_json_put_str(o, "result", results[e->op < 4 ? e->op : 0]);
	sr_json_put_int(o, "process_id", r.process_id, r.process_id == 0);
	return rec_emit(c, s, &r);
}

static int on_escape(struct sr_corr *c, struct sr_corr_session *s, const struct sr_escape_event *e,
                     size_t size, const char *comm)
{
	struct sr_record r;
	struct sr_jw *o;

	if (e->path_len > size - sizeof(*e))
		return -EINVAL;
	o = event_json(c, s, &r, SR_REC_ESCAPE, &e->hdr, comm);
	r.process_id = entity_of(s, e->hdr.pid, e->hdr.ppid);
	sr_json_put_int(o, "from_cgroup_id", (int64_t)e->hdr.cgroup_id, false);
	sr_json_put_int(o, "to_cgroup_id", (int64_t)e->to_cgroup_id, false);
	sr_json_put_bytes(o, "to_cgroup_path", e->path, e->path_len);
	sr_json_put_int(o, "process_id", r.process_id, r.process_id == 0);
	return rec_emit(c, s, &r);
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
	};
	const struct sr_event_hdr *h = data;
	char cbuf[SR_COMM_LEN + 1], *owned = NULL;
	const char *comm = cbuf;
	size_t n;
	int err;

	if (size < sizeof(*h) || h->type == 0 || h->type > SR_EV_ESCAPE ||
	    size < min_size[h->type] || h->size > size) {
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
