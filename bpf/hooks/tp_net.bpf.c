// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The send syscalls' tracepoints: the tracepoint backend's UDP sends
 * (sendto, sendmsg, sendmmsg; a connected socket's send() is sendto
 * without an address). Like every syscall tracepoint they put the host's
 * syscalls on the slow path, so the loader attaches them only while a
 * session records network; the filter runs before anything else.
 *
 * write(), writev() and io_uring's sends on a connected socket make no send
 * syscall: sock:sock_send_length (Linux 6.3) sees them after the fact. It
 * fires for every send, so a send syscall that gives an address of its own
 * marks its thread (udp_addr_send) from its enter to its exit, and
 * sock_send_length leaves that send to the enter program.
 *
 * 32-bit tasks' sends (int $0x80: sendto, sendmsg, sendmmsg, and the same
 * through socketcall(2)) skip the per-syscall tracepoints on x86-64: the raw
 * syscall tracepoints take them, with the 32-bit message layouts.
 */
#include "emit/udp.bpf.h"
#include "lib/compat.bpf.h"

#define SR_SOCKADDR_MAX 28   /* sizeof(struct sockaddr_in6) */
#define SR_UIO_MAXIOV   1024 /* the kernel sends no more messages of one sendmmsg */

/*
 * A send of @fd to the user sockaddr @uaddr (@len bytes; 0: the peer).
 * Not inlined: a program and its bpf_loop() callback share one 512-byte
 * stack, and with this body inlined in both, 32-bit sendmmsg's came to 704
 * bytes on Linux 6.1 and 6.12 (6.18 accepted it).
 */
static __noinline void sr_udp_send_user(const struct sr_sess *s, struct socket *sock,
                                        struct sock *sk, __u64 uaddr, __u32 len)
{
	__u8 buf[SR_SOCKADDR_MAX] = {};
	__u16 fam = 0;
	int err;

	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 skp = (__u64)sk;

	if (!uaddr || !len) {
		sr_udp_send(s, sock, sk, NULL, SR_SRC_TRACEPOINT);
		return;
	}
	/* not to the peer, even when this read fails: sock_send_length must not say so */
	bpf_map_update_elem(&udp_addr_send, &tid, &skp, BPF_ANY);
	/* fixed sizes: the kernel takes no less for either family */
	if (len < sizeof(struct sockaddr_in) || bpf_probe_read_user(&fam, 2, (const void *)uaddr))
		return;
	if (fam == SR_AF_INET6 && len >= SR_SOCKADDR_MAX)
		err = bpf_probe_read_user(buf, SR_SOCKADDR_MAX, (const void *)uaddr);
	else if (fam == SR_AF_INET)
		err = bpf_probe_read_user(buf, sizeof(struct sockaddr_in), (const void *)uaddr);
	else
		return; /* AF_UNSPEC, a short IPv6 address: the send fails or has no IP destination
		         */
	if (!err)
		sr_udp_send(s, sock, sk, (const struct sockaddr *)buf, SR_SRC_TRACEPOINT);
}

/* The session and UDP socket of @fd when this send is to be looked at. */
static __always_inline struct sock *sr_udp_enter(struct sr_sess *s, int fd, struct socket **sock)
{
	if (!(sr_tp_jobs & SR_TPJ_UDP_SEND) || !sr_filter_class(s, SR_CLASS_NETWORK))
		return NULL;
	*sock = sr_fd_socket(fd);
	return *sock ? sr_udp_sock(*sock) : NULL;
}

SEC("tp/syscalls/sys_enter_sendto")
int sr_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	struct socket *sock;
	struct sr_sess s;
	struct sock *sk = sr_udp_enter(&s, ctx->args[0], &sock);

	if (sk)
		sr_udp_send_user(&s, sock, sk, ctx->args[4], ctx->args[5]);
	return 0;
}

/* One user msghdr of sendmsg/sendmmsg. */
static __always_inline void sr_udp_msghdr(const struct sr_sess *s, struct socket *sock,
                                          struct sock *sk, const struct user_msghdr *um)
{
	struct user_msghdr m;

	if (bpf_probe_read_user(&m, sizeof(m), um))
		return;
	sr_udp_send_user(s, sock, sk, (__u64)m.msg_name, m.msg_name ? m.msg_namelen : 0);
}

SEC("tp/syscalls/sys_enter_sendmsg")
int sr_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct socket *sock;
	struct sr_sess s;
	struct sock *sk = sr_udp_enter(&s, ctx->args[0], &sock);

	if (sk)
		sr_udp_msghdr(&s, sock, sk, (const struct user_msghdr *)ctx->args[1]);
	return 0;
}

/* One 32-bit user msghdr (struct compat_msghdr). */
struct sr_compat_msghdr {
	__u32 name;
	__s32 namelen;
	__u32 iov, iovlen, control, controllen, flags;
};

/* One 32-bit msghdr of sendmsg/sendmmsg at @um. */
static __always_inline void sr_udp_compat_msghdr(const struct sr_sess *s, struct socket *sock,
                                                 struct sock *sk, __u64 um)
{
	struct sr_compat_msghdr m;

	if (bpf_probe_read_user(&m, sizeof(m), (const void *)um) || m.namelen < 0)
		return;
	sr_udp_send_user(s, sock, sk, m.name, m.name ? m.namelen : 0);
}

/* One sendmmsg's state for its bpf_loop() callback. */
struct sr_mmsg_walk {
	const struct sr_sess *s;
	struct socket *sock;
	struct sock *sk;
	__u64 v;     /* the user vector */
	bool compat; /* of struct compat_mmsghdr (32 bytes), not struct mmsghdr */
};

static long sr_mmsg_step(__u32 i, void *data)
{
	struct sr_mmsg_walk *w = data;

	if (w->compat) /* compat_mmsghdr: a compat_msghdr, then msg_len */
		sr_udp_compat_msghdr(w->s, w->sock, w->sk,
		                     w->v + (__u64)i * (sizeof(struct sr_compat_msghdr) + 4));
	else
		sr_udp_msghdr(w->s, w->sock, w->sk, &((const struct mmsghdr *)w->v)[i].msg_hdr);
	return 0;
}

/* Every message of a sendmmsg of @vlen messages the kernel will send. */
static __always_inline void sr_udp_mmsg(const struct sr_sess *s, struct socket *sock,
                                        struct sock *sk, __u64 v, __u32 vlen, bool compat)
{
	struct sr_mmsg_walk w = {.s = s, .sock = sock, .sk = sk, .v = v, .compat = compat};

	bpf_loop(vlen < SR_UIO_MAXIOV ? vlen : SR_UIO_MAXIOV, sr_mmsg_step, &w, 0);
}

SEC("tp/syscalls/sys_enter_sendmmsg")
int sr_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct socket *sock;
	struct sr_sess s;
	struct sock *sk = sr_udp_enter(&s, ctx->args[0], &sock);

	if (sk)
		sr_udp_mmsg(&s, sock, sk, ctx->args[1], ctx->args[2], false);
	return 0;
}

/* The send syscall is over: its address no longer hides sends from sock_send_length. */
static __always_inline int sr_udp_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	/* the lookup takes no lock: most sends on the host have no mark to delete */
	if ((sr_tp_jobs & SR_TPJ_UDP_SEND) && bpf_map_lookup_elem(&udp_addr_send, &tid))
		bpf_map_delete_elem(&udp_addr_send, &tid);
	return 0;
}

SEC("tp/syscalls/sys_exit_sendto")
int sr_exit_sendto(void *ctx)
{
	return sr_udp_exit();
}

SEC("tp/syscalls/sys_exit_sendmsg")
int sr_exit_sendmsg(void *ctx)
{
	return sr_udp_exit();
}

SEC("tp/syscalls/sys_exit_sendmmsg")
int sr_exit_sendmmsg(void *ctx)
{
	return sr_udp_exit();
}

/* ---- 32-bit tasks ------------------------------------------------------ */

/* i386 syscall numbers, and socketcall(2)'s calls */
#define SR_NR32_SOCKETCALL 102
#define SR_NR32_SENDMMSG   345
#define SR_NR32_SENDTO     369
#define SR_NR32_SENDMSG    370
#define SR_SYS_SEND        9
#define SR_SYS_SENDTO      11
#define SR_SYS_SENDMSG     16
#define SR_SYS_SENDMMSG    20

/*
 * A 32-bit send: its syscall's number and arguments (i386 order: bx, cx,
 * dx, si, di, bp), or socketcall's call turned into them: the arguments
 * from user memory, as many as the kernel copies for that call (a read of
 * more could fault where the kernel's does not).
 */
static __always_inline long sr_compat_send_args(struct pt_regs *regs, __u32 a[6])
{
	long id = BPF_CORE_READ(regs, orig_ax);
	__u32 call;
	__u64 p;

	a[0] = BPF_CORE_READ(regs, bx);
	a[1] = BPF_CORE_READ(regs, cx);
	a[2] = BPF_CORE_READ(regs, dx);
	a[3] = BPF_CORE_READ(regs, si);
	a[4] = BPF_CORE_READ(regs, di);
	a[5] = BPF_CORE_READ(regs, bp);
	if (id != SR_NR32_SOCKETCALL)
		return id;
	call = a[0];
	p = a[1];
	switch (call) {
	case SR_SYS_SEND: /* fd, buf, len, flags: sendto without an address */
		if (bpf_probe_read_user(a, 4 * sizeof(__u32), (const void *)p))
			return -1;
		a[4] = a[5] = 0;
		return SR_NR32_SENDTO;
	case SR_SYS_SENDTO:
		return bpf_probe_read_user(a, 6 * sizeof(__u32), (const void *)p) ? -1
		                                                                  : SR_NR32_SENDTO;
	case SR_SYS_SENDMSG:
		return bpf_probe_read_user(a, 3 * sizeof(__u32), (const void *)p) ? -1
		                                                                  : SR_NR32_SENDMSG;
	case SR_SYS_SENDMMSG:
		return bpf_probe_read_user(a, 4 * sizeof(__u32), (const void *)p)
		           ? -1
		           : SR_NR32_SENDMMSG;
	}
	return -1;
}

SEC("raw_tp/sys_enter")
int sr_compat_send_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 a[6] = {};
	struct socket *sock;
	struct sr_sess s;
	struct sock *sk;
	long id = ctx->args[1];

	if (!(sr_tp_jobs & SR_TPJ_UDP_SEND) || !sr_in_compat_syscall() ||
	    (id != SR_NR32_SOCKETCALL && id != SR_NR32_SENDTO && id != SR_NR32_SENDMSG &&
	     id != SR_NR32_SENDMMSG))
		return 0;
	id = sr_compat_send_args((struct pt_regs *)ctx->args[0], a);
	if (id < 0)
		return 0;
	sk = sr_udp_enter(&s, (__s32)a[0], &sock);
	if (!sk)
		return 0;
	if (id == SR_NR32_SENDTO)
		sr_udp_send_user(&s, sock, sk, a[4], a[5]);
	else if (id == SR_NR32_SENDMSG)
		sr_udp_compat_msghdr(&s, sock, sk, a[1]);
	else
		sr_udp_mmsg(&s, sock, sk, a[1], a[2], true);
	return 0;
}

SEC("raw_tp/sys_exit")
int sr_compat_send_exit(struct bpf_raw_tracepoint_args *ctx)
{
	if (!(sr_tp_jobs & SR_TPJ_UDP_SEND) || !sr_in_compat_syscall())
		return 0;
	return sr_udp_exit();
}

/*
 * Every successful send on a session's UDP socket, whatever the path
 * (write, writev, send, sendmsg, io_uring), when it went to the connected
 * peer: the same first-send-per-(socket, destination) record as the send
 * syscalls', under the same udp_seen key (socket, inode, peer), so a send
 * the enter program recorded is not recorded twice. A send with an address
 * of its own is the enter program's (udp_addr_send); one from io_uring with
 * an address on a connected socket is taken for one to the peer.
 */
SEC("tp_btf/sock_send_length")
int BPF_PROG(sr_sock_send_length, struct sock *sk, int ret, int flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct socket *sock;
	struct sr_sess s;
	__u64 *marked;

	if (!(sr_tp_jobs & SR_TPJ_UDP_SEND) || ret < 0 || !sr_filter_class(&s, SR_CLASS_NETWORK))
		return 0;
	sock = BPF_CORE_READ(sk, sk_socket);
	/* a kernel socket (no file) is not the session's */
	if (!sock || !BPF_CORE_READ(sock, file) || sr_udp_sock(sock) != sk)
		return 0;
	marked = bpf_map_lookup_elem(&udp_addr_send, &tid);
	if (marked && *marked == (__u64)sk)
		return 0;
	sr_udp_send(&s, sock, sk, NULL, SR_SRC_TRACEPOINT);
	return 0;
}
