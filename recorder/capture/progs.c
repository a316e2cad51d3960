// SPDX-License-Identifier: BSD-2-Clause
/*
 * The program table and the backend selection.
 *
 * Every program of the object has one row per job it can do. A row says
 * which backends may use it for that job, what it needs from the kernel,
 * whether it is always attached or only while a session records some
 * class, and whether it could enforce a verdict. Rows of one job with the
 * same `alt` form one candidate; lower alts are preferred. The selection
 * takes the best backend (LSM > fentry > tracepoint, or the forced one)
 * for which every required job has a candidate whose rows are all
 * available, keeps those programs, and sets autoload(false) on all others,
 * so a program this kernel would refuse never takes the others down.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "recorder/capture/capture_priv.h"

/* What a row does. */
enum sr_job {
	SR_JOB_EXEC,      /* successful exec */
	SR_JOB_PROC,      /* fork, exit */
	SR_JOB_ESCAPE,    /* cgroup escape */
	SR_JOB_EXEC_FAIL, /* failed exec */
	SR_JOB_OPEN,      /* opens (on the hook backends: those that got past lookup) */
	SR_JOB_OPEN_FAIL, /* hook backends: failed and O_PATH opens */
	SR_JOB_URING,     /* tracepoint backend: io_uring opens */
	SR_JOB_CONNECT,   /* hook backends: connect() */
	SR_JOB_TCP_STATE, /* TCP outcome and accepts (and the tracepoint backend's connects) */
	SR_JOB_FCHANGE,   /* file changes: unlink, rename, chmod, chown, link, truncate ... */
	SR_JOB_UDP_SEND,  /* a UDP socket's first send to each destination */
	SR_JOB_URING_UDP, /* tracepoint backend: io_uring UDP sends */
	/* the session policy's BPF LSM hooks (without them: SIGKILL, bpf/emit/denied.bpf.h) */
	SR_JOB_POL_EXEC,    /* bprm_check_security */
	SR_JOB_POL_OPEN,    /* file_open for writing */
	SR_JOB_POL_CREATE,  /* path_mknod: creation (needs CONFIG_SECURITY_PATH) */
	SR_JOB_POL_CONNECT, /* socket_connect */
	SR_JOB_POL_SEND,    /* socket_sendmsg with a destination */
	SR_JOB_MAX,
};

static const struct {
	const char *name;
	uint8_t cls;
	bool best_effort; /* missing: a logged gap, not a failure */
	bool policy;      /* the session policy's: missing, verdicts are SIGKILL (no gap) */
} sr_jobs[SR_JOB_MAX] = {
    [SR_JOB_EXEC] = {"exec", SR_CLASS_COMMAND, false},
    [SR_JOB_PROC] = {"fork/exit", SR_CLASS_COMMAND, false},
    [SR_JOB_ESCAPE] = {"cgroup escape", SR_CLASS_COMMAND, false},
    [SR_JOB_EXEC_FAIL] = {"failed exec", SR_CLASS_COMMAND, false},
    [SR_JOB_OPEN] = {"open", SR_CLASS_DISK, false},
    [SR_JOB_OPEN_FAIL] = {"failed or O_PATH open", SR_CLASS_DISK, false},
    [SR_JOB_URING] = {"io_uring open", SR_CLASS_DISK, true},
    [SR_JOB_CONNECT] = {"connect", SR_CLASS_NETWORK, false},
    [SR_JOB_TCP_STATE] = {"TCP connect outcome", SR_CLASS_NETWORK, false},
    [SR_JOB_FCHANGE] = {"file change", SR_CLASS_DISK, false},
    [SR_JOB_UDP_SEND] = {"UDP send", SR_CLASS_NETWORK, true},
    [SR_JOB_URING_UDP] = {"io_uring UDP send", SR_CLASS_NETWORK, true},
    [SR_JOB_POL_EXEC] = {"policy: exec", SR_CLASS_COMMAND, true, true},
    [SR_JOB_POL_OPEN] = {"policy: open for writing", SR_CLASS_COMMAND, true, true},
    [SR_JOB_POL_CREATE] = {"policy: file creation", SR_CLASS_COMMAND, true, true},
    [SR_JOB_POL_CONNECT] = {"policy: connect", SR_CLASS_COMMAND, true, true},
    [SR_JOB_POL_SEND] = {"policy: sendmsg to an address", SR_CLASS_COMMAND, true, true},
};

#define B_TP    (1u << SR_BACKEND_TRACEPOINT)
#define B_FE    (1u << SR_BACKEND_FENTRY)
#define B_LSM   (1u << SR_BACKEND_LSM)
#define B_HOOKS (B_FE | B_LSM)
#define B_ALL   (B_TP | B_FE | B_LSM)

#define CMD  SR_CLASS_BIT(SR_CLASS_COMMAND)
#define DISK SR_CLASS_BIT(SR_CLASS_DISK)
#define NET  SR_CLASS_BIT(SR_CLASS_NETWORK)
#define POL  SR_CAPTURE_DEMAND_POLICY

struct sr_prog_row {
	const char *prog; /* program name in the object */
	uint8_t job;      /* enum sr_job */
	uint8_t alt;      /* candidate within the job, 0 preferred */
	uint8_t backends; /* which backends may use this candidate */
	uint8_t needs;    /* enum sr_feature bits */
	uint32_t demand;  /* 0: always attached; else attached while sessions record these */
	uint32_t tp_jobs; /* sr_tp_jobs bits this row turns on (syscall tracepoints) */
	bool optional;    /* unavailable: the candidate stands without it (32-bit compat, 6.3+) */
	bool can_enforce; /* could deny (enforcement builds on these) */
};

#define TPJ_OPEN      (1u << 0) /* SR_TPJ_* of bpf/lib/maps.bpf.h */
#define TPJ_OPEN_FAIL (1u << 1)
#define TPJ_EXEC_FAIL (1u << 2)
#define TPJ_FCHANGE   (1u << 3)
#define TPJ_UDP_SEND  (1u << 4)

/* A file change syscall's enter and exit programs (bpf/hooks/tp_fchange.bpf.c). */
#define FC_ROWS(sys, opt)                                                                          \
	{"sr_fc_" #sys, SR_JOB_FCHANGE, 1, B_ALL, 0, DISK, TPJ_FCHANGE, opt, false},               \
	{                                                                                          \
		"sr_fcx_" #sys, SR_JOB_FCHANGE, 1, B_ALL, 0, DISK, TPJ_FCHANGE, opt, false         \
	}
/* A file change security hook, for BPF LSM and fentry (bpf/hooks/fchange_hooks.bpf.c). */
#define FC_HOOK(hook, opt)                                                                         \
	{"sr_lsm_" #hook, SR_JOB_FCHANGE, 0, B_LSM, SR_FEAT_LSM, DISK, 0, opt, false},             \
	{                                                                                          \
		"sr_fe_" #hook, SR_JOB_FCHANGE, 0, B_FE, SR_FEAT_TRACING, DISK, 0, opt, false      \
	}

/* The table. Order within a job is the order of preference. */
static const struct sr_prog_row sr_rows[] = {
    /* command: exec, fork and exit on the sched tracepoints, whatever the backend */
    {"sr_exec", SR_JOB_EXEC, 0, B_ALL, 0, 0, 0, false, false},
    {"sr_fork", SR_JOB_PROC, 0, B_ALL, 0, 0, 0, false, false},
    {"sr_exit", SR_JOB_PROC, 0, B_ALL, 0, 0, 0, false, false},
    {"sr_cgroup_attach", SR_JOB_ESCAPE, 0, B_ALL, 0, 0, 0, false, false},
    /* failed execs: fexit on the exec syscalls, else their tracepoints on demand */
    {"sr_fexit_execve", SR_JOB_EXEC_FAIL, 0, B_HOOKS, SR_FEAT_TRACING, 0, 0, false, false},
    {"sr_fexit_execveat", SR_JOB_EXEC_FAIL, 0, B_HOOKS, SR_FEAT_TRACING, 0, 0, false, false},
    {"sr_fexit_compat_execve", SR_JOB_EXEC_FAIL, 0, B_HOOKS, SR_FEAT_TRACING, 0, 0, true, false},
    {"sr_fexit_compat_execveat", SR_JOB_EXEC_FAIL, 0, B_HOOKS, SR_FEAT_TRACING, 0, 0, true, false},
    {"sr_enter_execve", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, false, false},
    {"sr_exit_execve", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, false, false},
    {"sr_enter_execveat", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, false, false},
    {"sr_exit_execveat", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, false, false},
    {"sr_compat_enter", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, true, false},
    {"sr_compat_exit", SR_JOB_EXEC_FAIL, 1, B_ALL, 0, CMD, TPJ_EXEC_FAIL, true, false},
    /*
     * disk: the security hook, else the open syscall tracepoints; all on demand
     * (each hook is a trampoline on every open of the host)
     */
    {"sr_lsm_file_open", SR_JOB_OPEN, 0, B_LSM, SR_FEAT_LSM, DISK, 0, false, true},
    {"sr_fentry_file_open", SR_JOB_OPEN, 0, B_FE, SR_FEAT_TRACING, DISK, 0, false, false},
    {"sr_enter_open", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_enter_openat", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_enter_openat2", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_enter_creat", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_exit_open", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_exit_openat", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_exit_openat2", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_exit_creat", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, false, false},
    {"sr_compat_enter", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, true, false},
    {"sr_compat_exit", SR_JOB_OPEN, 0, B_TP, 0, DISK, TPJ_OPEN, true, false},
    /*
     * failed and O_PATH opens, which the security hook never sees: a trampoline
     * on every open of the host, so on demand like the syscall tracepoints
     */
    {"sr_fexit_filp_open", SR_JOB_OPEN_FAIL, 0, B_HOOKS, SR_FEAT_TRACING, DISK, 0, false, false},
    {"sr_enter_open", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_enter_openat", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_enter_openat2", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_enter_creat", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_exit_open", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_exit_openat", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_exit_openat2", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_exit_creat", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, false, false},
    {"sr_compat_enter", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, true, false},
    {"sr_compat_exit", SR_JOB_OPEN_FAIL, 1, B_HOOKS, 0, DISK, TPJ_OPEN_FAIL, true, false},
    /* io_uring opens bypass the open syscalls: their own tracepoints (renamed in 6.4) */
    {"sr_uring_submit_req", SR_JOB_URING, 0, B_TP, 0, DISK, 0, false, false},
    {"sr_uring_complete", SR_JOB_URING, 0, B_TP, 0, DISK, 0, false, false},
    {"sr_uring_submit_sqe", SR_JOB_URING, 1, B_TP, 0, DISK, 0, false, false},
    {"sr_uring_complete", SR_JOB_URING, 1, B_TP, 0, DISK, 0, false, false},
    /*
     * file changes: the path security hooks (CONFIG_SECURITY_PATH; file_truncate
     * is new in 6.2, before it ftruncate calls path_truncate), else their
     * syscall tracepoints, on demand like the open syscall programs (fchmodat2
     * is new in 6.6)
     */
    FC_HOOK(unlink, false),
    FC_HOOK(rmdir, false),
    FC_HOOK(rename, false),
    FC_HOOK(link, false),
    FC_HOOK(symlink, false),
    FC_HOOK(mkdir, false),
    FC_HOOK(mknod, false),
    FC_HOOK(chmod, false),
    FC_HOOK(chown, false),
    FC_HOOK(truncate, false),
    FC_HOOK(ftruncate, true),
    FC_ROWS(unlink, false),
    FC_ROWS(unlinkat, false),
    FC_ROWS(rmdir, false),
    FC_ROWS(rename, false),
    FC_ROWS(renameat, false),
    FC_ROWS(renameat2, false),
    FC_ROWS(link, false),
    FC_ROWS(linkat, false),
    FC_ROWS(symlink, false),
    FC_ROWS(symlinkat, false),
    FC_ROWS(mkdir, false),
    FC_ROWS(mkdirat, false),
    FC_ROWS(mknod, false),
    FC_ROWS(mknodat, false),
    FC_ROWS(chmod, false),
    FC_ROWS(fchmod, false),
    FC_ROWS(fchmodat, false),
    FC_ROWS(fchmodat2, true),
    FC_ROWS(chown, false),
    FC_ROWS(lchown, false),
    FC_ROWS(fchown, false),
    FC_ROWS(fchownat, false),
    FC_ROWS(truncate, false),
    FC_ROWS(ftruncate, false),
    /* 32-bit tasks' changes (the raw syscall tracepoints, shared with opens and execs) */
    {"sr_compat_enter", SR_JOB_FCHANGE, 1, B_ALL, 0, DISK, TPJ_FCHANGE, true, false},
    {"sr_compat_exit", SR_JOB_FCHANGE, 1, B_ALL, 0, DISK, TPJ_FCHANGE, true, false},
    /* network: connect() at the security hook; the TCP state tracepoint everywhere */
    {"sr_lsm_socket_connect", SR_JOB_CONNECT, 0, B_LSM, SR_FEAT_LSM, 0, 0, false, true},
    {"sr_fentry_connect", SR_JOB_CONNECT, 0, B_FE, SR_FEAT_TRACING, 0, 0, false, false},
    {"sr_inet_state", SR_JOB_TCP_STATE, 0, B_ALL, 0, 0, 0, false, false},
    /*
     * UDP sends: the sendmsg security hook (every path, io_uring's included),
     * else the send syscalls' tracepoints; all on demand (each is on every
     * send of the host)
     */
    {"sr_lsm_udp_sendmsg", SR_JOB_UDP_SEND, 0, B_LSM, SR_FEAT_LSM, NET, 0, false, false},
    {"sr_fentry_udp_sendmsg", SR_JOB_UDP_SEND, 0, B_FE, SR_FEAT_TRACING, NET, 0, false, false},
    {"sr_enter_sendto", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_enter_sendmsg", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_enter_sendmmsg", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_exit_sendto", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_exit_sendmsg", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_exit_sendmmsg", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    /* 32-bit tasks' sends (int $0x80, socketcall included): the raw syscall tracepoints */
    {"sr_compat_send_enter", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, true, false},
    {"sr_compat_send_exit", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, true, false},
    /*
     * write()/writev() (and the rest) on a connected socket: sock:sock_send_length
     * (6.3; before it these sends are not recorded). A plain tracepoint, so it
     * spares the syscall slow path, but it runs on every send of the host
     * (sshd's own included): on demand too, which costs nothing while no
     * session records network
     */
    {"sr_sock_send_length", SR_JOB_UDP_SEND, 0, B_TP, 0, NET, TPJ_UDP_SEND, true, false},
    /* io_uring's sends bypass the send syscalls: the submission tracepoint, as for opens */
    {"sr_uring_submit_req", SR_JOB_URING_UDP, 0, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    {"sr_uring_submit_sqe", SR_JOB_URING_UDP, 1, B_TP, 0, NET, TPJ_UDP_SEND, false, false},
    /*
     * the session policy: BPF LSM hooks on every backend where BPF LSM works,
     * attached only while a policy has rules (each is a trampoline on every
     * exec, open or connect of the host); on the LSM backend the recording
     * programs of file_open and socket_connect also refuse (file_open is
     * attached for disk or for the policy, socket_connect always: it records),
     * elsewhere programs of their own do
     */
    {"sr_pol_exec", SR_JOB_POL_EXEC, 0, B_ALL, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_lsm_file_open", SR_JOB_POL_OPEN, 0, B_LSM, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_pol_open", SR_JOB_POL_OPEN, 0, B_TP | B_FE, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_pol_mknod", SR_JOB_POL_CREATE, 0, B_ALL, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_lsm_socket_connect", SR_JOB_POL_CONNECT, 0, B_LSM, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_pol_connect", SR_JOB_POL_CONNECT, 0, B_TP | B_FE, SR_FEAT_LSM, POL, 0, false, true},
    {"sr_pol_sendmsg", SR_JOB_POL_SEND, 0, B_ALL, SR_FEAT_LSM, POL, 0, false, true},
};

#define SR_NROWS (sizeof(sr_rows) / sizeof(sr_rows[0]))

uint32_t sr_progs_on_demand(const char *prog)
{
	uint32_t demand = 0;
	size_t i;

	for (i = 0; i < SR_NROWS; i++) {
		if (strcmp(sr_rows[i].prog, prog))
			continue;
		if (!sr_rows[i].demand)
			return 0;
		demand |= sr_rows[i].demand;
	}
	return demand;
}

/* Can this row run here: its program is in the object, its features and target exist? */
static bool sr_row_ok(struct bpf_object *obj, const struct sr_prog_row *r, uint32_t have)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, r->prog);

	return p && (r->needs & have) == r->needs &&
	       sr_features_target(bpf_program__section_name(p));
}

/* Does candidate (@job, @alt) serve backend @b here? (it exists: some row of it serves @b) */
static bool sr_candidate_ok(struct bpf_object *obj, int job, int alt, enum sr_backend b,
                            uint32_t have)
{
	size_t i;
	bool any = false;

	for (i = 0; i < SR_NROWS; i++) {
		const struct sr_prog_row *r = &sr_rows[i];

		if (r->job != job || r->alt != alt || !(r->backends & (1u << b)))
			continue;
		any = true;
		if (!r->optional && !sr_row_ok(obj, r, have))
			return false;
	}
	return any;
}

/* The best candidate of @job for @b: its alt, -1 when none works, -2 when @b has none. */
static int sr_job_pick(struct bpf_object *obj, int job, enum sr_backend b, uint32_t have)
{
	bool exists = false;
	int alt;

	for (alt = 0; alt < 4; alt++) {
		size_t i;
		bool has = false;

		for (i = 0; i < SR_NROWS && !has; i++)
			has = sr_rows[i].job == job && sr_rows[i].alt == alt &&
			      (sr_rows[i].backends & (1u << b));
		if (!has)
			continue;
		exists = true;
		if (sr_candidate_ok(obj, job, alt, b, have))
			return alt;
	}
	return exists ? -1 : -2;
}

static int sr_slot_of(struct sr_selection *sel, struct bpf_program *p)
{
	int i;

	for (i = 0; i < sel->nslots; i++)
		if (sel->slots[i].prog == p)
			return i;
	if (sel->nslots == SR_MAX_SLOTS)
		return -1;
	memset(&sel->slots[sel->nslots], 0, sizeof(sel->slots[0]));
	sel->slots[sel->nslots].prog = p;
	return sel->nslots++;
}

static void sr_gap(struct sr_selection *sel, const char *job, const char *why)
{
	int n = snprintf(sel->gaps + sel->gaps_len, sizeof(sel->gaps) - sel->gaps_len, "%s (%s)",
	                 job, why);

	if (n > 0 && sel->gaps_len + n + 1 < sizeof(sel->gaps))
		sel->gaps_len += n + 1;
	sr_warn("capture: %s are not recorded on this kernel: %s", job, why);
}

/* Take every row of each job's chosen candidate for @b. */
static int sr_take(struct bpf_object *obj, enum sr_backend b, const int *alts, uint32_t have,
                   struct sr_selection *sel)
{
	size_t i;

	for (i = 0; i < SR_NROWS; i++) {
		const struct sr_prog_row *r = &sr_rows[i];
		struct bpf_program *p;
		struct sr_slot *s;
		int k;

		if (alts[r->job] != r->alt || !(r->backends & (1u << b)) ||
		    !sr_row_ok(obj, r, have))
			continue;
		p = bpf_object__find_program_by_name(obj, r->prog);
		k = sr_slot_of(sel, p);
		if (k < 0) {
			sr_err("capture: more than %d programs selected", SR_MAX_SLOTS);
			return -E2BIG;
		}
		s = &sel->slots[k];
		if (!s->job) {
			s->job = sr_jobs[r->job].name;
			s->cls = sr_jobs[r->job].cls;
		}
		/* a program serving an always-on job is always on */
		if (!r->demand)
			s->always = true;
		s->demand = s->always ? 0 : s->demand | r->demand;
		s->can_enforce |= r->can_enforce;
		sel->tp_jobs |= r->tp_jobs;
	}
	return 0;
}

/*
 * The session policy denies with BPF LSM when its exec, open, connect and
 * sendmsg hooks are all there (creation is refused too where path_mknod
 * exists), else with SIGKILL from the recording programs: then none of its
 * LSM programs is taken.
 */
static void sr_policy_pick(struct sr_selection *sel, int *alts, const struct sr_features *f)
{
	static const int need[] = {SR_JOB_POL_EXEC, SR_JOB_POL_OPEN, SR_JOB_POL_CONNECT,
	                           SR_JOB_POL_SEND};
	size_t i;

	sel->policy_lsm = true;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		sel->policy_lsm &= alts[need[i]] >= 0;
	if (!sel->policy_lsm) {
		for (i = 0; i < SR_JOB_MAX; i++)
			if (sr_jobs[i].policy)
				alts[i] = -1;
		sr_info("capture: the session policy denies with SIGKILL: %s",
		        f->have & SR_FEAT_LSM ? "BPF LSM lacks its hooks here" : f->why_lsm);
		return;
	}
	sr_info("capture: the session policy denies with BPF LSM (EPERM)%s",
	        alts[SR_JOB_POL_CREATE] < 0 ? ", except file creation (no path_mknod hook: "
	                                      "CONFIG_SECURITY_PATH is off)"
	                                    : "");
}

int sr_progs_select(struct bpf_object *obj, enum sr_backend forced, struct sr_selection *sel)
{
	static const enum sr_backend order[] = {SR_BACKEND_LSM, SR_BACKEND_FENTRY,
	                                        SR_BACKEND_TRACEPOINT};
	const struct sr_features *f = sr_features_get();
	int alts[SR_JOB_MAX], job, err;
	struct bpf_program *p;
	size_t i;

	memset(sel, 0, sizeof(*sel));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum sr_backend b = order[i];
		bool ok = true;

		if (forced != SR_BACKEND_AUTO && b != forced)
			continue;
		for (job = 0; job < SR_JOB_MAX && ok; job++) {
			alts[job] = sr_job_pick(obj, job, b, f->have);
			if (alts[job] == -1 && !sr_jobs[job].best_effort) {
				ok = false;
				if (forced != SR_BACKEND_AUTO)
					sr_err("capture: backend %s cannot record %ss here: %s",
					       sr_backend_name(b), sr_jobs[job].name,
					       b == SR_BACKEND_LSM ? f->why_lsm
					       : b == SR_BACKEND_FENTRY
					           ? f->why_tracing
					           : "its kernel hooks are missing");
			}
		}
		if (!ok)
			continue;
		sel->backend = b;
		sr_policy_pick(sel, alts, f);
		for (job = 0; job < SR_JOB_MAX; job++)
			if (alts[job] == -1 && !sr_jobs[job].policy)
				sr_gap(sel, sr_jobs[job].name, "the kernel has none of its hooks");
		err = sr_take(obj, b, alts, f->have, sel);
		if (err)
			return err;
		bpf_object__for_each_program(p, obj)
		{
			int k;

			for (k = 0; k < sel->nslots && sel->slots[k].prog != p; k++)
				;
			if (k == sel->nslots)
				bpf_program__set_autoload(p, false);
		}
		sr_info("capture: backend %s (%s)%s", sr_backend_name(b),
		        forced != SR_BACKEND_AUTO ? "forced" : "the best this kernel offers",
		        b == SR_BACKEND_TRACEPOINT && forced == SR_BACKEND_AUTO
		            ? ": syscall tracepoints attach on demand and tax every syscall while "
		              "attached"
		            : "");
		return 0;
	}
	if (forced == SR_BACKEND_AUTO)
		sr_err("capture: no backend can record here (even the tracepoints are missing)");
	return -EOPNOTSUPP;
}
