/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file udp.bpf.h
 * @brief SR_EV_CONNECT with SR_CONNECT_UDP_SEND: the first datagram a UDP
 * socket sends to each destination.
 *
 * Only the first send per (socket, destination) is recorded (udp_seen), so
 * a process sending a flood of datagrams to one resolver costs one record,
 * not one per datagram. A send on a connected socket without an address
 * goes to its peer. Recorded when the send is made, before its result.
 */
#ifndef SSHREC_BPF_EMIT_UDP_H
#define SSHREC_BPF_EMIT_UDP_H

#include "emit/denied.bpf.h"
#include "lib/output.bpf.h"

/* Is @sock an IPv4/IPv6 UDP (or UDP-Lite) socket? Its sock, else NULL. */
static __always_inline struct sock *sr_udp_sock(struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 proto, fam;

	if (!sk || BPF_CORE_READ(sock, type) != SR_SOCK_DGRAM)
		return NULL;
	proto = BPF_CORE_READ(sk, sk_protocol);
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((proto != SR_IPPROTO_UDP && proto != SR_IPPROTO_UDPLITE) ||
	    (fam != SR_AF_INET && fam != SR_AF_INET6))
		return NULL;
	return sk;
}

/* @sk's peer (@peer) or local address into @a (16 bytes; IPv4 the first 4). */
static __always_inline void sr_sock_addr(struct sock *sk, __u16 fam, __u8 *a, bool peer)
{
	__u32 a4;

	__builtin_memset(a, 0, 16);
	if (fam == SR_AF_INET6) {
		if (peer)
			bpf_core_read(a, 16, &sk->__sk_common.skc_v6_daddr);
		else
			bpf_core_read(a, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		return;
	}
	a4 = peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr)
	          : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	__builtin_memcpy(a, &a4, 4);
}

/* The connected peer of @sk: 0, or -1 when it has none. */
static __always_inline int sr_udp_peer(struct sock *sk, __u16 *family, __u8 daddr[16], __u16 *port)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 p = BPF_CORE_READ(sk, __sk_common.skc_dport);

	if (!p)
		return -1;
	sr_sock_addr(sk, fam, daddr, true);
	*family = fam;
	*port = bpf_ntohs(p);
	return 0;
}

/*
 * A send on UDP socket @sk (of @sock) to @name (kernel memory), or to its
 * peer when @name is NULL: recorded for session @s when it is the socket's
 * first to that destination.
 */
static __always_inline void sr_udp_send(const struct sr_sess *s, struct socket *sock,
                                        struct sock *sk, const struct sockaddr *name, __u8 src)
{
	struct sr_connect_event ev = {};
	struct sr_udp_key k = {};
	__u8 one = 1;

	if (name ? sr_sockaddr_dst(name, &ev.family, ev.daddr, &ev.dport)
	         : sr_udp_peer(sk, &ev.family, ev.daddr, &ev.dport))
		return;
	k.sk = (__u64)sk;
	k.ino = BPF_CORE_READ(sock, file, f_inode, i_ino);
	__builtin_memcpy(k.daddr, ev.daddr, 16);
	k.dport = ev.dport;
	k.family = ev.family;
	if (bpf_map_update_elem(&udp_seen, &k, &one, BPF_NOEXIST))
		return; /* this socket sent there before */
	sr_fill_hdr(&ev.hdr, SR_EV_CONNECT, s, bpf_get_current_task_btf(), true, src);
	ev.hdr.size = sizeof(ev);
	ev.op = SR_CONNECT_UDP_SEND;
	ev.sport = BPF_CORE_READ(sk, __sk_common.skc_num); /* host order; 0: not bound yet */
	sr_sock_addr(sk, BPF_CORE_READ(sk, __sk_common.skc_family), ev.saddr, false);
	sr_output(s->key, SR_CLASS_NETWORK, &ev, sizeof(ev));
}

/* The socket behind the current task's @fd, NULL when it is none. */
static __always_inline struct socket *sr_fd_socket(int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f ||
	    (BPF_CORE_READ(f, f_inode, i_mode) & SR_S_IFMT) != SR_S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(f, private_data);
}

/* A security hook's sendmsg (LSM, fentry): @msg is the kernel's msghdr. */
static __always_inline void sr_udp_send_hook(struct socket *sock, struct msghdr *msg, __u8 src)
{
	struct sr_sess s;
	struct sock *sk;

	/* the filter first: outside sessions nothing else runs */
	if (!sr_filter_class(&s, SR_CLASS_NETWORK))
		return;
	sk = sr_udp_sock(sock);
	if (!sk)
		return;
	sr_udp_send(&s, sock, sk, BPF_CORE_READ(msg, msg_name), src);
}

#endif /* SSHREC_BPF_EMIT_UDP_H */
