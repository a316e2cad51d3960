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
 */
#include "emit/udp.bpf.h"

#define SR_SOCKADDR_MAX 28   /* sizeof(struct sockaddr_in6) */
#define SR_UIO_MAXIOV   1024 /* the kernel sends no more messages of one sendmmsg */

/* A send of @fd to the user sockaddr @uaddr (@len bytes; 0: the peer). */
static __always_inline void sr_udp_send_user(const struct sr_sess *s, struct socket *sock,
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

/* One sendmmsg's state for its bpf_loop() callback. */
struct sr_mmsg_walk {
	const struct sr_sess *s;
	struct socket *sock;
	struct sock *sk;
	const struct mmsghdr *v;
};

static long sr_mmsg_step(__u32 i, void *data)
{
	struct sr_mmsg_walk *w = data;

	sr_udp_msghdr(w->s, w->sock, w->sk, &w->v[i].msg_hdr);
	return 0;
}

/*
 * sendmmsg: every message the kernel will send (each may have its own
 * address). A bpf_loop(), not an unrolled scan: a fixed scan of the first
 * few messages let a datagram to a new destination hide behind them.
 */
SEC("tp/syscalls/sys_enter_sendmmsg")
int sr_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct sr_mmsg_walk w = {.v = (const void *)ctx->args[1]};
	__u32 vlen = ctx->args[2];
	struct sr_sess s;

	w.sk = sr_udp_enter(&s, ctx->args[0], &w.sock);
	if (!w.sk)
		return 0;
	w.s = &s;
	bpf_loop(vlen < SR_UIO_MAXIOV ? vlen : SR_UIO_MAXIOV, sr_mmsg_step, &w, 0);
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
