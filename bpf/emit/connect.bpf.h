/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file connect.bpf.h
 * @brief SR_EV_CONNECT: TCP connects, attributed in process context and
 * completed by the TCP state tracepoint.
 *
 * A connect is parked by socket (struct sock *) when it starts: at the
 * security hook (socket_connect) on the hook backends, else at the
 * SYN_SENT transition, which also runs in the connecting process (and is
 * the only start a TCP fast open has). The record is emitted when the
 * connection leaves SYN_SENT, so that the source port and the outcome are
 * known.
 *
 * Inbound connections need no hook of their own: a listener is parked by
 * (network namespace, port) when a recorded process makes it (CLOSE ->
 * LISTEN, in that process), and a child socket of that port reaching
 * ESTABLISHED from SYN_RECV is recorded with the listener's header. The
 * child's transition runs in softirq (on loopback, in the connecting
 * process), so nothing of the current task is used there. This sees every
 * connection a listener completes, accept(2), accept4(2) or io_uring's
 * IORING_OP_ACCEPT, on every backend, and taxes no syscall.
 */
#ifndef SSHREC_BPF_EMIT_CONNECT_H
#define SSHREC_BPF_EMIT_CONNECT_H

#include "emit/denied.bpf.h"
#include "lib/output.bpf.h"

static __always_inline void sr_connect_addrs(struct sr_connect_event *ev,
                                             struct trace_event_raw_inet_sock_set_state *ctx)
{
	ev->family = ctx->family;
	ev->dport = ctx->dport;
	if (ctx->sport)
		ev->sport = ctx->sport;
	/* Tracepoint context must be read at constant offsets: copy through a helper. */
	__builtin_memset(ev->saddr, 0, 16);
	__builtin_memset(ev->daddr, 0, 16);
	if (ctx->family == SR_AF_INET6) {
		bpf_probe_read_kernel(ev->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(ev->daddr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(ev->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(ev->daddr, 4, ctx->daddr);
	}
}

/*
 * connect() on @sock to @addr, seen at the security hook (source @src):
 * park a TCP connect with the caller's header and the destination it asked for.
 */
static __always_inline void sr_connect_hook(struct socket *sock, struct sockaddr *addr, __u8 src)
{
	struct sr_connect_event ev = {};
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u64 key = (__u64)sk;
	__u16 family = 0;
	struct sr_sess s;

	if (!sk || BPF_CORE_READ(sock, type) != SR_SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != SR_IPPROTO_TCP)
		return;
	bpf_probe_read_kernel(&family, sizeof(family), &addr->sa_family);
	if (family != SR_AF_INET && family != SR_AF_INET6)
		return;
	if (!sr_filter_class(&s, SR_CLASS_NETWORK))
		return;
	sr_fill_hdr(&ev.hdr, SR_EV_CONNECT, &s, bpf_get_current_task_btf(), true, src);
	ev.hdr.size = sizeof(ev);
	ev.family = family;
	ev.op = SR_CONNECT_PENDING;
	if (family == SR_AF_INET6) {
		struct sockaddr_in6 *a6 = (void *)addr;

		ev.dport = bpf_ntohs(BPF_CORE_READ(a6, sin6_port));
		bpf_probe_read_kernel(ev.daddr, 16, &a6->sin6_addr);
	} else {
		struct sockaddr_in *a4 = (void *)addr;

		ev.dport = bpf_ntohs(BPF_CORE_READ(a4, sin_port));
		bpf_probe_read_kernel(ev.daddr, 4, &a4->sin_addr);
	}
	if (bpf_map_update_elem(&connect_park, &key, &ev, BPF_ANY))
		sr_output(s.key, SR_CLASS_NETWORK, &ev, sizeof(ev)); /* emitted as pending */
}

static __always_inline void sr_listen_key(struct sr_listen_key *k, const void *skaddr, __u16 port)
{
	const struct sock *sk = skaddr;

	k->net = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
	k->port = port;
	k->_pad = 0;
}

/* A listener starts or stops; a connection to one becomes established. */
static __always_inline void sr_accept_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sr_connect_event ev = {}, *parked;
	struct sr_listen_key k;
	struct sr_sess s;

	sr_listen_key(&k, ctx->skaddr, ctx->sport);
	if (ctx->newstate == SR_TCP_LISTEN) {
		if (!sr_filter_class(&s, SR_CLASS_NETWORK))
			return;
		sr_fill_hdr(&ev.hdr, SR_EV_CONNECT, &s, bpf_get_current_task_btf(), true,
		            SR_SRC_TRACEPOINT);
		ev.hdr.size = sizeof(ev);
		ev.op = SR_CONNECT_ACCEPTED;
		bpf_map_update_elem(&listen_park, &k, &ev, BPF_ANY);
		return;
	}
	if (ctx->oldstate == SR_TCP_LISTEN) {
		/* LISTEN -> SYN_RECV is a child, cloned from its listener: not its end */
		if (ctx->newstate == SR_TCP_CLOSE)
			bpf_map_delete_elem(&listen_park, &k);
		return;
	}
	if (ctx->oldstate != SR_TCP_SYN_RECV || ctx->newstate != SR_TCP_ESTABLISHED)
		return;
	parked = bpf_map_lookup_elem(&listen_park, &k);
	if (!parked)
		return;
	ev = *parked;
	ev.hdr.ts_ns = bpf_ktime_get_boot_ns();
	sr_connect_addrs(&ev, ctx);
	sr_output(ev.hdr.session_key, SR_CLASS_NETWORK, &ev, sizeof(ev));
}

/* The TCP state tracepoint: park at SYN_SENT, emit when the connection leaves it. */
static __always_inline void sr_connect_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sr_connect_event ev = {}, *parked;
	__u64 sk = (__u64)ctx->skaddr;
	struct sr_sess s;

	if (ctx->protocol != SR_IPPROTO_TCP)
		return;
	if (ctx->newstate == SR_TCP_LISTEN || ctx->oldstate == SR_TCP_LISTEN ||
	    ctx->oldstate == SR_TCP_SYN_RECV) {
		sr_accept_state(ctx);
		return;
	}
	if (ctx->newstate == SR_TCP_SYN_SENT) {
		__u8 verdict;

		/* deny_connect without BPF LSM: killed here, the record says so */
		sr_connect_addrs(&ev, ctx);
		verdict = sr_signal_connect(ev.family, ev.daddr, ev.dport) == SR_POL_KILLED
		              ? SR_VERDICT_DENIED
		              : SR_VERDICT_NONE;
		parked = bpf_map_lookup_elem(&connect_park, &sk);
		/* Parked by this process's connect() hook: keep that header. */
		if (parked && parked->hdr.source != SR_SRC_TRACEPOINT &&
		    parked->hdr.pid == bpf_get_current_pid_tgid() >> 32) {
			sr_connect_addrs(parked, ctx);
			parked->hdr.verdict = verdict;
			return;
		}
		if (!sr_filter_class(&s, SR_CLASS_NETWORK))
			return;
		sr_fill_hdr(&ev.hdr, SR_EV_CONNECT, &s, bpf_get_current_task_btf(), true,
		            SR_SRC_TRACEPOINT);
		ev.hdr.size = sizeof(ev);
		ev.hdr.verdict = verdict;
		if (!bpf_map_update_elem(&connect_park, &sk, &ev, BPF_ANY))
			return;
		ev.op = SR_CONNECT_PENDING;
		sr_output(s.key, SR_CLASS_NETWORK, &ev, sizeof(ev));
		return;
	}
	if (ctx->oldstate != SR_TCP_SYN_SENT)
		return;
	parked = bpf_map_lookup_elem(&connect_park, &sk);
	if (!parked)
		return;
	ev = *parked;
	bpf_map_delete_elem(&connect_park, &sk);
	sr_connect_addrs(&ev, ctx);
	ev.op = ctx->newstate == SR_TCP_CLOSE ? SR_CONNECT_FAILED : SR_CONNECT_ESTABLISHED;
	sr_output(ev.hdr.session_key, SR_CLASS_NETWORK, &ev, sizeof(ev));
}

#endif /* SSHREC_BPF_EMIT_CONNECT_H */
