/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file denied.bpf.h
 * @brief The session policy in the kernel: rule lookups in the maps of
 * bpf/enforce.bpf.h, the verdict (-EPERM from a BPF LSM hook, or SIGKILL
 * from the hook that saw the action) and its SR_EV_DENIED record.
 *
 * Only tasks the session filter matched get here: processes outside
 * sessions are never checked, so never denied. The BPF LSM checks
 * (sr_lsm_check_*) serve bpf/hooks/lsm.bpf.c; the signal checks
 * (sr_signal_*) are called by the recording programs when sr_policy_mech
 * says there is no BPF LSM.
 */
#ifndef SSHREC_BPF_EMIT_DENIED_H
#define SSHREC_BPF_EMIT_DENIED_H

#include "lib/filter.bpf.h"
#include "lib/output.bpf.h"
#include "lib/path.bpf.h"

#define SR_SIGKILL 9
#define SR_EPERM   1

/* What a check saw, besides -EPERM: nothing, a match that denied nothing, a kill. */
#define SR_POL_NONE   0
#define SR_POL_SEEN   1 /* audit mode, or a signal that could not be sent */
#define SR_POL_KILLED 2 /* SIGKILL is on its way */

/*
 * The rule of a path that cannot be checked (deeper or longer than the walk
 * reads, or not resolvable): denied, since any rule could have matched it.
 */
static const struct sr_policy_rule sr_rule_unresolved = {
    .rule_len = sizeof("(the path could not be read whole to check it)"),
    .rule = "(the path could not be read whole to check it)",
};

static __always_inline void sr_policy_count(int stat)
{
	__u32 zero = 0;
	struct sr_policy_stats *st = bpf_map_lookup_elem(&policy_stats, &zero);

	if (st && stat >= 0 && stat < SR_POLICY_STAT_MAX)
		st->n[stat]++; /* per-CPU: no atomics needed */
}

/* The session's policy when it has rules for @action and a mode that checks; else NULL. */
static __always_inline const struct sr_policy_sess *sr_policy_for(const struct sr_sess *s,
                                                                  int action)
{
	const struct sr_policy_sess *p = bpf_map_lookup_elem(&policy_sess, &s->key);

	if (!p || p->mode == SR_POLICY_OFF || !(p->actions & SR_POLICY_ACTION_BIT(action)))
		return NULL;
	return p;
}

/*
 * The rule of @map (policy_exec or policy_write) matching the path of
 * @len bytes (with its NUL) at @path in kernel memory: the longest stored
 * prefix of rule set, path and NUL. A path longer than the key is compared
 * on its first SR_POLICY_PATH_LEN bytes, which is where every rule fits.
 */
static __always_inline const struct sr_policy_rule *
sr_policy_match_path(void *map, __u32 ruleset, const char *path, __u32 len)
{
	__u32 zero = 0;
	struct sr_policy_scratch *ps = bpf_map_lookup_elem(&policy_scratch, &zero);

	if (!ps)
		return NULL;
	if (len > SR_POLICY_PATH_LEN)
		len = SR_POLICY_PATH_LEN;
	ps->key.path.ruleset = ruleset;
	if (len < 1 || bpf_probe_read_kernel(ps->key.path.path, len & 0x1ff, path))
		return NULL;
	ps->key.path.prefixlen = 32 + 8 * len;
	return bpf_map_lookup_elem(map, &ps->key.path);
}

/*
 * The rule matching a destination: this port first, then any port. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it is.
 */
static __always_inline const struct sr_policy_rule *
sr_policy_match_net(__u32 ruleset, __u16 family, const __u8 daddr[16], __u16 port)
{
	__u32 zero = 0;
	struct sr_policy_scratch *ps = bpf_map_lookup_elem(&policy_scratch, &zero);
	struct sr_policy_net_key *k;
	const struct sr_policy_rule *r;
	__u32 w2 = 0, w3 = 0;

	if (!ps)
		return NULL;
	k = &ps->key.net;
	__builtin_memset(k, 0, sizeof(*k));
	k->ruleset = ruleset;
	if (family == SR_AF_INET6) {
		__builtin_memcpy(&w2, daddr + 8, 4);
		__builtin_memcpy(&w3, daddr + 12, 4);
	}
	if (family == SR_AF_INET6 && !((const __u64 *)daddr)[0] && w2 == bpf_htonl(0xffff)) {
		k->family = 4;
		__builtin_memcpy(k->addr, &w3, 4);
		k->prefixlen = 64 + 32;
	} else if (family == SR_AF_INET6) {
		k->family = 6;
		__builtin_memcpy(k->addr, daddr, 16);
		k->prefixlen = 64 + 128;
	} else {
		k->family = 4;
		__builtin_memcpy(k->addr, daddr, 4);
		k->prefixlen = 64 + 32;
	}
	k->port = port;
	r = bpf_map_lookup_elem(&policy_net, k);
	if (r || !port)
		return r;
	k->port = 0;
	return bpf_map_lookup_elem(&policy_net, k);
}

/* What the verdict concerns: a path (exec, write) or a destination (connect). */
struct sr_policy_target {
	const char *path; /* kernel memory, NUL-terminated, path_len bytes with it */
	__u32 path_len;
	__u8 path_flags; /* SR_DENIED_PATH_TRUNC */
	__u16 family;
	__u16 port;
	const __u8 *daddr; /* 16 bytes, network order */
	__u64 open_flags;
	__u8 src; /* enum sr_source of the program that saw the action */
};

/*
 * A rule matched: apply the verdict with @mech (SIGKILL now for the signal;
 * the caller returns what we return from an LSM hook), count it, and record
 * it as SR_EV_DENIED. The signal goes first so the record can say whether
 * it could be sent. Returns -EPERM when an LSM hook must refuse,
 * SR_POL_KILLED when SIGKILL is on its way, SR_POL_SEEN when the rule
 * matched but nothing was denied (audit mode, or the signal failed).
 */
static __always_inline int sr_policy_verdict(const struct sr_sess *s,
                                             const struct sr_policy_sess *pol, __u8 action,
                                             __u8 mech, const struct sr_policy_rule *rule,
                                             const struct sr_policy_target *t)
{
	bool enforce = pol->mode == SR_POLICY_ENFORCE;
	struct sr_policy_scratch *ps;
	struct sr_denied_event *ev;
	__u32 zero = 0, pl = 1, rl;
	__u8 flags = t->path_flags;

	int ret = !enforce ? SR_POL_SEEN : mech == SR_POLICY_MECH_LSM ? -SR_EPERM : SR_POL_KILLED;

	if (ret == SR_POL_KILLED && bpf_send_signal(SR_SIGKILL)) {
		flags |= SR_DENIED_NOT_APPLIED;
		sr_policy_count(SR_POLICY_STAT_NOT_APPLIED);
		ret = SR_POL_SEEN;
	} else {
		sr_policy_count(enforce ? SR_POLICY_STAT_DENIED : SR_POLICY_STAT_AUDITED);
	}
	ps = bpf_map_lookup_elem(&policy_scratch, &zero);
	if (!ps) {
		sr_policy_count(SR_POLICY_STAT_LOST);
		return ret;
	}
	ev = (void *)ps->ev;
	sr_fill_hdr(&ev->hdr, SR_EV_DENIED, s, bpf_get_current_task_btf(), true, t->src);
	ev->action = action;
	ev->mode = pol->mode;
	ev->mechanism = mech;
	ev->flags = flags;
	ev->family = t->family;
	ev->dport = t->port;
	__builtin_memset(ev->daddr, 0, 16);
	if (t->daddr)
		bpf_probe_read_kernel(ev->daddr, 16, t->daddr);
	ev->open_flags = t->open_flags;
	ev->data[0] = 0;
	/*
	 * Each length is clamped, then masked: clang knows the callers' lengths
	 * fit and may drop a clamp, and 6.1's verifier, less precise than clang,
	 * then sees a read past the buffer. A mask it always follows, and
	 * SR_DENIED_EV_MAX leaves room for the masked lengths.
	 */
	if (t->path) {
		pl = t->path_len;
		if (pl > SR_PATH_CAP)
			pl = SR_PATH_CAP;
		pl &= SR_DENIED_PATH_MASK;
		if (pl < 1 || bpf_probe_read_kernel(ev->data, pl, t->path))
			pl = 1;
		ev->data[(pl - 1) & (SR_PATH_CAP - 1)] = 0;
	}
	rl = rule->rule_len;
	if (rl > SR_POLICY_RULE_LEN)
		rl = SR_POLICY_RULE_LEN;
	if (pl > SR_PATH_CAP)
		pl = SR_PATH_CAP;
	pl &= SR_DENIED_PATH_MASK;
	rl &= SR_DENIED_RULE_MASK;
	if (rl < 1 || bpf_probe_read_kernel(&ev->data[pl], rl, rule->rule))
		rl = 0;
	ev->path_len = pl;
	ev->rule_len = rl;
	ev->hdr.size = sizeof(*ev) + pl + rl;
	if (bpf_ringbuf_output(&events, ev, ev->hdr.size & 0x3fff, sr_rb_flags())) {
		sr_count_lost(s->key, SR_CLASS_COMMAND);
		sr_policy_count(SR_POLICY_STAT_LOST);
	}
	return ret;
}

/*
 * Check a path action (exec, write) on the path of @len bytes (with its NUL)
 * at @path in kernel memory. A path that could not be read whole (@trunc)
 * is denied when the session has rules for the action: any of them might
 * have matched it.
 */
static __always_inline int sr_policy_check_path(const struct sr_sess *s, int action, __u8 mech,
                                                __u8 src, const char *path, __u32 len, bool trunc,
                                                __u64 open_flags)
{
	const struct sr_policy_sess *pol = sr_policy_for(s, action);
	struct sr_policy_target t = {
	    .path = path, .path_len = len, .open_flags = open_flags, .src = src};
	const struct sr_policy_rule *rule;
	void *map = action == SR_POLICY_EXEC ? (void *)&policy_exec : (void *)&policy_write;

	if (!pol)
		return 0;
	if (trunc) {
		rule = &sr_rule_unresolved;
		t.path_flags = SR_DENIED_PATH_TRUNC;
	} else {
		rule = sr_policy_match_path(map, pol->ruleset, path, len);
	}
	if (!rule)
		return 0;
	return sr_policy_verdict(s, pol, action, mech, rule, &t);
}

/* The same for a resolved path at the end of walk[] (from walk[@w]; SR_PATH_CAP: none). */
static __always_inline int sr_policy_check_walk(const struct sr_sess *s, int action, __u8 mech,
                                                __u8 src, struct sr_scratch *sc, __u32 w,
                                                bool trunc, __u64 open_flags)
{
	if (w >= SR_PATH_CAP) {
		trunc = true;
		w = SR_PATH_CAP - 1; /* the walk's NUL: an empty path */
	}
	w &= SR_PATH_CAP - 1;
	return sr_policy_check_path(s, action, mech, src, &sc->walk[w], SR_PATH_CAP - w, trunc,
	                            open_flags);
}

/* Check a connect to @daddr (16 bytes, network order) port @port (host order). */
static __always_inline int sr_policy_check_net(const struct sr_sess *s, __u8 mech, __u8 src,
                                               __u16 family, const __u8 *daddr, __u16 port)
{
	const struct sr_policy_sess *pol = sr_policy_for(s, SR_POLICY_CONNECT);
	struct sr_policy_target t = {.family = family, .port = port, .daddr = daddr, .src = src};
	const struct sr_policy_rule *rule;

	if (!pol || (family != SR_AF_INET && family != SR_AF_INET6))
		return 0;
	rule = sr_policy_match_net(pol->ruleset, family, daddr, port);
	if (!rule)
		return 0;
	return sr_policy_verdict(s, pol, SR_POLICY_CONNECT, mech, rule, &t);
}

/* ---- the BPF LSM hooks' checks (programs: hooks that return our -EPERM) ---- */

/* What an LSM hook returns for a check's result: -EPERM, or 0 (allowed, audited). */
static __always_inline int sr_lsm_ret(int r)
{
	return r < 0 ? r : 0;
}

#define SR_FMODE_WRITE  0x2
#define SR_MSG_FASTOPEN 0x20000000
#define SR_SOCK_DGRAM   2

/* bprm_check_security: every stage of an exec, a script and then its interpreter. */
static __always_inline int sr_lsm_check_exec(struct linux_binprm *bprm)
{
	struct sr_scratch *sc;
	struct sr_sess s;
	struct file *f;
	bool trunc = false;
	__u32 w;

	if (!sr_filter_current(&s) || !sr_policy_for(&s, SR_POLICY_EXEC))
		return 0;
	sc = sr_scratch_get();
	if (!sc)
		return 0;
	f = BPF_CORE_READ(bprm, file);
	w = sr_walk_path(sc, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), &trunc);
	return sr_policy_check_walk(&s, SR_POLICY_EXEC, SR_POLICY_MECH_LSM, SR_SRC_LSM, sc, w,
	                            trunc, 0);
}

static __always_inline bool sr_open_writes(__u32 fmode, __u32 fl)
{
	return (fmode & SR_FMODE_WRITE) || (fl & SR_O_TRUNC);
}

/*
 * file_open by a task of session @s (f_mode @fmode, f_flags @fl): an open
 * for writing (or truncating) of an existing file.
 */
static __always_inline int sr_lsm_check_open_in(const struct sr_sess *s, struct file *file,
                                                __u32 fmode, __u32 fl)
{
	struct sr_scratch *sc;
	bool trunc = false;
	__u32 w;

	if (!sr_open_writes(fmode, fl))
		return 0;
	if (fmode & SR_FMODE_NOACCOUNT)
		return 0; /* overlayfs' open of the real file: the user's open was checked */
	if (!sr_policy_for(s, SR_POLICY_WRITE))
		return 0;
	sc = sr_scratch_get();
	if (!sc)
		return 0;
	w = sr_walk_path(sc, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
	                 &trunc);
	return sr_policy_check_walk(s, SR_POLICY_WRITE, SR_POLICY_MECH_LSM, SR_SRC_LSM, sc, w,
	                            trunc, fl);
}

/* file_open by any task: most opens only read, which is cheaper to see than the filter. */
static __always_inline int sr_lsm_check_open(struct file *file)
{
	__u32 fmode = BPF_CORE_READ(file, f_mode), fl = BPF_CORE_READ(file, f_flags);
	struct sr_sess s;

	if (!sr_open_writes(fmode, fl) || !sr_filter_current(&s))
		return 0;
	return sr_lsm_check_open_in(&s, file, fmode, fl);
}

/*
 * path_mknod: a file about to be created (open with O_CREAT of a name that
 * does not exist yet, mknod): the new dentry already has its name and parent.
 */
static __always_inline int sr_lsm_check_create(const struct path *dir, struct dentry *dentry)
{
	struct sr_scratch *sc;
	struct sr_sess s;
	bool trunc = false;
	__u32 w;

	if (!sr_filter_current(&s) || !sr_policy_for(&s, SR_POLICY_WRITE))
		return 0;
	sc = sr_scratch_get();
	if (!sc)
		return 0;
	w = sr_walk_path(sc, dentry, BPF_CORE_READ(dir, mnt), &trunc);
	return sr_policy_check_walk(&s, SR_POLICY_WRITE, SR_POLICY_MECH_LSM, SR_SRC_LSM, sc, w,
	                            trunc, SR_O_CREAT);
}

/* The destination of a sockaddr in kernel memory: 0, or -1 when not IPv4/IPv6. */
static __always_inline int sr_sockaddr_dst(const struct sockaddr *sa, __u16 *family, __u8 daddr[16],
                                           __u16 *port)
{
	__u16 fam = 0, p = 0;

	if (!sa || bpf_probe_read_kernel(&fam, sizeof(fam), &sa->sa_family))
		return -1;
	__builtin_memset(daddr, 0, 16);
	if (fam == SR_AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		bpf_probe_read_kernel(&p, 2, &in->sin_port);
		bpf_probe_read_kernel(daddr, 4, &in->sin_addr);
	} else if (fam == SR_AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		bpf_probe_read_kernel(&p, 2, &in6->sin6_port);
		bpf_probe_read_kernel(daddr, 16, &in6->sin6_addr);
	} else {
		return -1;
	}
	*family = fam;
	*port = bpf_ntohs(p);
	return 0;
}

/* socket_connect: connect(2) of an IPv4/IPv6 socket, TCP or UDP, however made. */
static __always_inline int sr_lsm_check_connect(struct sockaddr *address)
{
	__u8 daddr[16];
	__u16 family, port;
	struct sr_sess s;

	if (!sr_filter_current(&s) || !sr_policy_for(&s, SR_POLICY_CONNECT) ||
	    sr_sockaddr_dst(address, &family, daddr, &port))
		return 0;
	return sr_policy_check_net(&s, SR_POLICY_MECH_LSM, SR_SRC_LSM, family, daddr, port);
}

/*
 * socket_sendmsg with a destination: a TCP fast open (the connect happens
 * in sendmsg and never reaches socket_connect) or a datagram sent to an
 * address without connect(2).
 */
static __always_inline int sr_lsm_check_sendmsg(struct socket *sock, struct msghdr *msg)
{
	struct sockaddr *name = BPF_CORE_READ(msg, msg_name);
	unsigned int flags = BPF_CORE_READ(msg, msg_flags);
	short type = BPF_CORE_READ(sock, type);
	__u8 daddr[16];
	__u16 family, port;
	struct sr_sess s;

	if (!name || (type != SR_SOCK_DGRAM && !(flags & SR_MSG_FASTOPEN)))
		return 0;
	if (!sr_filter_current(&s) || !sr_policy_for(&s, SR_POLICY_CONNECT) ||
	    sr_sockaddr_dst(name, &family, daddr, &port))
		return 0;
	return sr_policy_check_net(&s, SR_POLICY_MECH_LSM, SR_SRC_LSM, family, daddr, port);
}

/* ---- the signal mechanism: checks inside the recording programs ---- */

/*
 * A #! script under the signal: the file that runs is its interpreter, and
 * the script itself is gone by sched_process_exec. Check it by the path it
 * was run by (bprm->filename), made absolute against the cwd (leading "./"
 * dropped) but not resolved, in tmp[].
 */
static __always_inline void sr_signal_exec_script(const struct sr_sess *s, struct sr_scratch *sc,
                                                  struct linux_binprm *bprm)
{
	const char *fn = BPF_CORE_READ(bprm, filename);
	__u32 off = 0, w, dl;
	bool trunc = false;
	char c = 0;
	long n;

	if (BPF_CORE_READ(bprm, interp) == fn)
		return; /* not a script */
	bpf_probe_read_kernel(&c, 1, fn);
	if (c != '/') {
		w = sr_walk_cwd(sc, bpf_get_current_task_btf(), &trunc);
		if (w >= SR_PATH_CAP)
			return;
		w &= SR_PATH_CAP - 1;
		dl = SR_PATH_CAP - 1 - w; /* without the NUL */
		bpf_probe_read_kernel(sc->tmp, dl & (SR_PATH_CAP - 1), &sc->walk[w]);
		off = dl;
		if (dl > 1)
			sc->tmp[off++ & (SR_PATH_CAP - 1)] = '/';
		for (int i = 0; i < 8; i++) { /* "./" prefixes */
			char d[2] = {};

			bpf_probe_read_kernel(d, 2, fn);
			if (d[0] != '.' || d[1] != '/')
				break;
			fn += 2;
		}
	}
	off &= SR_PATH_CAP - 1;
	n = bpf_probe_read_kernel_str(&sc->tmp[off], SR_PATH_CAP, fn);
	if (n <= 0)
		return;
	sr_policy_check_path(s, SR_POLICY_EXEC, SR_POLICY_MECH_SIGNAL, SR_SRC_TRACEPOINT, sc->tmp,
	                     off + n, trunc || off + n > SR_PATH_CAP, 0);
}

/*
 * deny_exec with the signal, at sched_process_exec: the file being executed,
 * resolved (symlinks followed; for a script, its interpreter, and the script
 * by its given path), once the new image is in place and before it runs:
 * SIGKILL is delivered on the way back to user space, so the program never
 * runs an instruction.
 */
static __always_inline void sr_signal_exec(const struct sr_sess *s, struct linux_binprm *bprm)
{
	struct sr_scratch *sc;
	struct file *f;
	bool trunc = false;
	__u32 w;

	if (sr_policy_mech != SR_POLICY_MECH_SIGNAL || !sr_policy_for(s, SR_POLICY_EXEC))
		return;
	sc = sr_scratch_get();
	if (!sc)
		return;
	f = BPF_CORE_READ(bprm, file);
	w = sr_walk_file(sc, f, &trunc);
	if (!sr_policy_check_walk(s, SR_POLICY_EXEC, SR_POLICY_MECH_SIGNAL, SR_SRC_TRACEPOINT, sc,
	                          w, trunc, 0))
		sr_signal_exec_script(s, sc, bprm);
}

/*
 * deny_write with the signal: a file the current task opened for writing
 * (at the open syscall's exit, by its descriptor @fd, or at
 * security_file_open on the fentry backend, @f), resolved. The open (and a
 * creation or truncation) has happened; the task dies before it writes
 * through it.
 */
static __always_inline void sr_signal_open(const struct sr_sess *s, struct file *f, int fd,
                                           __u64 flags, __u8 src)
{
	struct sr_scratch *sc;
	bool trunc = false;
	__u32 w;

	if (sr_policy_mech != SR_POLICY_MECH_SIGNAL ||
	    !(flags & (SR_O_WRONLY | SR_O_RDWR | SR_O_CREAT | SR_O_TRUNC)) ||
	    !sr_policy_for(s, SR_POLICY_WRITE))
		return;
	sc = sr_scratch_get();
	if (!sc)
		return;
	w = f ? sr_walk_file(sc, f, &trunc)
	      : sr_walk_fd(sc, bpf_get_current_task_btf(), fd, &trunc);
	sr_policy_check_walk(s, SR_POLICY_WRITE, SR_POLICY_MECH_SIGNAL, src, sc, w, trunc, flags);
}

/*
 * deny_connect with the signal, at SYN_SENT in connect(2) (TCP; a fast open
 * too): the SYN is queued and may reach the peer before the task dies.
 * Returns SR_POL_KILLED when the connect is being killed.
 */
static __always_inline int sr_signal_connect(__u16 family, const __u8 *daddr, __u16 port)
{
	struct sr_sess s;

	if (sr_policy_mech != SR_POLICY_MECH_SIGNAL || !sr_filter_current(&s))
		return SR_POL_NONE;
	return sr_policy_check_net(&s, SR_POLICY_MECH_SIGNAL, SR_SRC_TRACEPOINT, family, daddr,
	                           port);
}

#endif /* SSHREC_BPF_EMIT_DENIED_H */
