// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * io_uring opens and UDP sends on the tracepoint backend. IORING_OP_OPENAT/OPENAT2 do
 * not go through the open syscalls, so the syscall tracepoints never see
 * them. At submission (after the request's prep, so the name is already the
 * kernel's copy) the record is built and parked by request; the completion
 * fills in the result and emits it. What cannot be had is flagged, never
 * dropped: a request whose completion is not traced (IOSQE_CQE_SKIP_SUCCESS)
 * or that finds the in-flight table full is emitted at submission with
 * SR_OPEN_RET_UNKNOWN; one that failed before its submission was traced is
 * emitted at completion with SR_OPEN_PATH_MISSING.
 *
 * File changes (IORING_OP_UNLINKAT, RENAMEAT, LINKAT, SYMLINKAT) are
 * recorded at submission, from the request's own copies of the names, with
 * SR_FC_RET_UNKNOWN: their completion is not waited for.
 *
 * UDP sends (IORING_OP_SEND, SENDMSG and their zero-copy forms) bypass the
 * send syscalls too: at submission the socket is the request's fd in the
 * task's table and the destination the address its prep copied in (the
 * async msghdr), else the socket's peer; with IOSQE_FIXED_FILE the socket is
 * not known yet (assigned at issue) and the send is not recorded here.
 *
 * The submission tracepoint is io_uring_submit_req since Linux 6.4 and
 * io_uring_submit_sqe before; the loader attaches whichever exists.
 */
#include "emit/fchange.bpf.h"
#include "emit/open.bpf.h"
#include "emit/udp.bpf.h"

#define SR_REQ_F_CQE_SKIP   (1ull << 6) /* REQ_F_CQE_SKIP_BIT = IOSQE_CQE_SKIP_SUCCESS_BIT */
#define SR_REQ_F_FIXED_FILE (1ull << 0) /* REQ_F_FIXED_FILE_BIT = IOSQE_FIXED_FILE_BIT */

/* Linux < 6.4: the same record under another name (only req is read). */
struct trace_event_raw_io_uring_submit_sqe___sr {
	void *req;
} __attribute__((preserve_access_index));

static __always_inline struct io_open *sr_uring_open_of(struct io_kiocb *req)
{
	return (void *)req + bpf_core_field_offset(struct io_kiocb, cmd);
}

static __always_inline bool sr_uring_is_open(__u8 opcode)
{
	return opcode == IORING_OP_OPENAT || opcode == IORING_OP_OPENAT2;
}

/* Emit a parked or scratch-built io_uring open whose completion will not come. */
static __always_inline void sr_uring_emit_unknown(struct sr_uring_open *u)
{
	struct sr_open_event *ev = (void *)u->rec;
	__u32 size = ev->hdr.size;

	ev->oflags |= SR_OPEN_RET_UNKNOWN;
	if (size > sizeof(*u))
		size = sizeof(*u);
	sr_output(ev->hdr.session_key, SR_CLASS_DISK, u, size);
}

/* A name of an io_uring request (the kernel's copy) into @dst, made absolute against @dfd. */
static __always_inline __u32 sr_uring_name(struct sr_scratch *sc, char *dst,
                                           struct task_struct *task, struct filename *fn, int dfd,
                                           bool resolve, __u32 *fl)
{
	long n = bpf_probe_read_kernel_str(dst, SR_PATH_CAP, BPF_CORE_READ(fn, name));

	if (n <= 0) {
		*fl |= SR_OPEN_PATH_FAULT;
		dst[0] = 0;
		return 1;
	}
	return resolve ? sr_resolve_into(sc, dst, task, dfd, n, fl) : n;
}

static __always_inline bool sr_uring_is_fchange(__u8 opcode)
{
	return opcode == IORING_OP_UNLINKAT || opcode == IORING_OP_RENAMEAT ||
	       opcode == IORING_OP_LINKAT || opcode == IORING_OP_SYMLINKAT ||
	       opcode == IORING_OP_MKDIRAT;
}

/* An io_uring file change at its submission: its result is not known (no completion wait). */
static __noinline int sr_uring_fchange(struct io_kiocb *req, __u8 opcode)
{
	void *cmd = (void *)req + bpf_core_field_offset(struct io_kiocb, cmd);
	struct io_unlink *un = cmd;
	struct io_link *ln = cmd; /* io_rename has the same first members */
	struct task_struct *task;
	struct sr_fchange_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u32 fl = SR_FC_RET_UNKNOWN, fl2 = 0, len, len2 = 0;

	if (!sr_filter_class(&s, SR_CLASS_DISK))
		return 0;
	task = bpf_get_current_task_btf();
	ev = sr_fc_begin(&s, &sc, task, SR_FC_UNLINK, SR_SRC_TRACEPOINT);
	if (!ev)
		return 0;
	if (opcode == IORING_OP_UNLINKAT) {
		if (BPF_CORE_READ(un, flags) & 0x200) /* AT_REMOVEDIR */
			ev->op = SR_FC_RMDIR;
		len = sr_uring_name(sc, ev->data, task, BPF_CORE_READ(un, filename),
		                    BPF_CORE_READ(un, dfd), true, &fl);
	} else if (opcode == IORING_OP_MKDIRAT) {
		struct io_mkdir *mk = cmd;

		ev->op = SR_FC_MKDIR;
		ev->mode = sr_mkdir_mode(BPF_CORE_READ(mk, mode));
		len = sr_uring_name(sc, ev->data, task, BPF_CORE_READ(mk, filename),
		                    BPF_CORE_READ(mk, dfd), true, &fl);
	} else if (opcode == IORING_OP_SYMLINKAT) {
		/* io_link: oldpath is the content, newpath the link made */
		ev->op = SR_FC_SYMLINK;
		len = sr_uring_name(sc, ev->data, task, BPF_CORE_READ(ln, newpath),
		                    BPF_CORE_READ(ln, new_dfd), true, &fl);
		len2 = sr_uring_name(sc, &ev->data[SR_PATH_CAP], task, BPF_CORE_READ(ln, oldpath),
		                     0, false, &fl2);
	} else {
		ev->op = opcode == IORING_OP_RENAMEAT
		             ? sr_fc_rename_op(BPF_CORE_READ((struct io_rename *)cmd, flags))
		             : SR_FC_LINK;
		len = sr_uring_name(sc, ev->data, task, BPF_CORE_READ(ln, oldpath),
		                    BPF_CORE_READ(ln, old_dfd), true, &fl);
		len2 = sr_uring_name(sc, &ev->data[SR_PATH_CAP], task, BPF_CORE_READ(ln, newpath),
		                     BPF_CORE_READ(ln, new_dfd), true, &fl2);
	}
	sr_fc_finish(&s, sc, ev, len, len2, fl | fl2 << SR_FC_PATH2_SHIFT);
	return 0;
}

static __always_inline bool sr_uring_is_send(__u8 opcode)
{
	return opcode == IORING_OP_SEND || opcode == IORING_OP_SENDMSG ||
	       opcode == IORING_OP_SEND_ZC || opcode == IORING_OP_SENDMSG_ZC;
}

/* A UDP send submitted through io_uring (prep done: the address is the kernel's copy). */
static __always_inline void sr_uring_send(struct io_kiocb *req)
{
	struct io_async_msghdr *km;
	struct socket *sock;
	struct sr_sess s;
	struct sock *sk;

	if (!(sr_tp_jobs & SR_TPJ_UDP_SEND) || !sr_filter_class(&s, SR_CLASS_NETWORK) ||
	    (BPF_CORE_READ(req, flags) & SR_REQ_F_FIXED_FILE))
		return;
	sock = sr_fd_socket(BPF_CORE_READ(req, cqe.fd));
	sk = sock ? sr_udp_sock(sock) : NULL;
	if (!sk)
		return;
	km = BPF_CORE_READ(req, async_data);
	sr_udp_send(&s, sock, sk, km ? BPF_CORE_READ(km, msg.msg_name) : NULL, SR_SRC_TRACEPOINT);
}

static __always_inline void sr_uring_submit(struct io_kiocb *req)
{
	__u8 opcode = BPF_CORE_READ(req, opcode);
	struct io_open *op = sr_uring_open_of(req);
	struct sr_uring_open *old;
	struct task_struct *task;
	struct sr_open_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u64 key = (__u64)req, flags;
	__u32 oflags = 0, len;
	int dfd;
	long n;

	if (sr_uring_is_fchange(opcode)) {
		sr_uring_fchange(req, opcode);
		return;
	}
	if (sr_uring_is_send(opcode)) {
		sr_uring_send(req);
		return;
	}
	if (!sr_uring_is_open(opcode) || !sr_filter_class(&s, SR_CLASS_DISK))
		return;
	flags = BPF_CORE_READ(op, how.flags);
	if (sr_open_skipped(&s, flags))
		return;
	task = bpf_get_current_task_btf();
	ev = sr_open_begin(&s, &sc, task, SR_SRC_TRACEPOINT);
	if (!ev)
		return;
	dfd = BPF_CORE_READ(op, dfd);
	ev->flags = flags;
	ev->mode = BPF_CORE_READ(op, how.mode);
	ev->dirfd = dfd;
	ev->syscall = opcode == IORING_OP_OPENAT ? SR_SYS_URING_OPENAT : SR_SYS_URING_OPENAT2;
	n = bpf_probe_read_kernel_str(ev->path, SR_PATH_CAP, BPF_CORE_READ(op, filename, name));
	if (n <= 0) {
		oflags |= SR_OPEN_PATH_FAULT;
		ev->path[0] = 0;
		len = 1;
	} else {
		len = sr_open_resolve(sc, task, dfd, n, &oflags);
	}
	len &= 2 * SR_PATH_CAP - 1;
	if (len > SR_PATH_CAP)
		len = SR_PATH_CAP;
	ev->oflags = oflags;
	ev->path_len = len;
	ev->hdr.size = sizeof(*ev) + len;
	if (BPF_CORE_READ(req, flags) & SR_REQ_F_CQE_SKIP) {
		sr_uring_emit_unknown((void *)ev); /* no completion on success */
		return;
	}
	/* A request address still parked never completed visibly: say so, then reuse it. */
	old = bpf_map_lookup_elem(&uring_park, &key);
	if (old) {
		sr_uring_emit_unknown(old);
		bpf_map_delete_elem(&uring_park, &key);
	}
	if (bpf_map_update_elem(&uring_park, &key, ev, BPF_NOEXIST))
		sr_uring_emit_unknown((void *)ev);
}

SEC("tp/io_uring/io_uring_submit_req")
int sr_uring_submit_req(struct trace_event_raw_io_uring_submit_req *ctx)
{
	sr_uring_submit(ctx->req);
	return 0;
}

SEC("tp/io_uring/io_uring_submit_sqe")
int sr_uring_submit_sqe(struct trace_event_raw_io_uring_submit_sqe___sr *ctx)
{
	sr_uring_submit(ctx->req);
	return 0;
}

/* A failed open that was never parked (its prep failed): path unknown, result known. */
static __always_inline void sr_uring_orphan(struct io_kiocb *req, __u8 opcode, int res)
{
	struct io_open *op = sr_uring_open_of(req);
	struct sr_open_event *ev;
	struct sr_scratch *sc;
	struct sr_sess s;
	__u64 flags;

	if (res >= 0 || !sr_filter_class(&s, SR_CLASS_DISK))
		return;
	flags = BPF_CORE_READ(op, how.flags);
	if (sr_open_skipped(&s, flags))
		return;
	ev = sr_open_begin(&s, &sc, bpf_get_current_task_btf(), SR_SRC_TRACEPOINT);
	if (!ev)
		return;
	ev->ret = res;
	ev->flags = flags;
	ev->dirfd = BPF_CORE_READ(op, dfd);
	ev->syscall = opcode == IORING_OP_OPENAT ? SR_SYS_URING_OPENAT : SR_SYS_URING_OPENAT2;
	ev->path[0] = 0;
	sr_open_finish(&s, ev, 1, SR_OPEN_PATH_MISSING);
}

SEC("tp/io_uring/io_uring_complete")
int sr_uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	struct io_kiocb *req = ctx->req;
	__u8 opcode = BPF_CORE_READ(req, opcode);
	__u64 key = (__u64)req;
	struct sr_open_event *ev;
	struct sr_uring_open *u;
	__u32 size;

	if (!sr_uring_is_open(opcode))
		return 0;
	u = bpf_map_lookup_elem(&uring_park, &key);
	if (!u) {
		sr_uring_orphan(req, opcode, ctx->res);
		return 0;
	}
	ev = (void *)u->rec;
	ev->ret = ctx->res;
	size = ev->hdr.size;
	if (size > sizeof(*u))
		size = sizeof(*u);
	sr_output(ev->hdr.session_key, SR_CLASS_DISK, u, size);
	bpf_map_delete_elem(&uring_park, &key);
	return 0;
}
