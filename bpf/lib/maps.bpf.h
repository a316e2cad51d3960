/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file maps.bpf.h
 * @brief Maps, loader knobs and constants shared by every bpf/hooks/ source.
 *
 * Every hooks/ *.bpf.c includes this (through the emit/ headers). Maps and
 * knobs are __weak so that the per-hook objects, linked into one by
 * `bpftool gen object`, share a single instance of each. Map names are part
 * of the pinning layout: the loader pins the state maps by these names under
 * <pin dir>/v<SR_EVENTS_ABI_VERSION>/ (recorder/capture/pins.c).
 */
#ifndef SSHREC_BPF_LIB_MAPS_H
#define SSHREC_BPF_LIB_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "events.h"
#include "hint.h"

#define SR_AUDIT_UNSET    0xffffffffu
#define SR_MAX_SESSIONS   4096
#define SR_MAX_TASKS      65536
#define SR_PATH_DEPTH     2048 /* dentry components walked: a 4096-byte path has at most 2048 */
#define SR_NAME_MAX       255
#define SR_EXEC_MAX_ARGS  256 /* failed exec: argv pointers read from user memory */
#define SR_AT_FDCWD       -100
#define SR_URING_INFLIGHT 1024 /* io_uring opens between submission and completion */

#define SR_TCP_ESTABLISHED 1
#define SR_TCP_SYN_SENT    2
#define SR_TCP_SYN_RECV    3
#define SR_TCP_CLOSE       7
#define SR_TCP_LISTEN      10
#define SR_IPPROTO_TCP     6
#define SR_IPPROTO_UDP     17
#define SR_IPPROTO_UDPLITE 136
#define SR_S_IFMT          0170000
#define SR_S_IFSOCK        0140000
#define SR_AF_INET         2
#define SR_AF_INET6        10
#define SR_SOCK_STREAM     1

#define SR_O_WRONLY        01
#define SR_O_RDWR          02
#define SR_O_CREAT         0100
#define SR_O_TRUNC         01000
#define SR_O_NONBLOCK      04000
#define SR_O_LARGEFILE     0100000
#define SR_O_PATH          010000000
#define SR_O_ALLFLAGS      037777777  /* every uapi O_* bit (x86: up to __O_TMPFILE) */
#define SR_FMODE_EXEC      040        /* __FMODE_EXEC in f_flags: the exec's own open */
#define SR_FMODE_NOACCOUNT 0x20000000 /* f_mode: an internal open (overlayfs' backing file) */
#define SR_LOOKUP_CACHED   0x200000   /* io_uring's non-blocking first attempt */
#define SR_EAGAIN          11

/* x86 thread_info.status bit set while the task runs a 32-bit syscall. */
#define SR_TS_COMPAT 0x0002

/* Jobs of the syscall tracepoint programs (sr_tp_jobs), set by the loader. */
#define SR_TPJ_OPEN      (1u << 0) /* every open (tracepoint backend) */
#define SR_TPJ_OPEN_FAIL (1u << 1) /* failed opens only (a hook backend's fallback) */
#define SR_TPJ_EXEC_FAIL (1u << 2) /* failed execs */
#define SR_TPJ_FCHANGE   (1u << 3) /* file changes: unlink, rename, chmod ... (since ABI 6) */
#define SR_TPJ_UDP_SEND  (1u << 4) /* UDP sends (tracepoint backend) */

/* Loader knobs (rodata, set between open and load). */
const volatile __u32 sr_argv_cap __weak = SR_ARGV_CAP;
/* 0: wake the consumer for every record; else only once this many bytes wait. */
const volatile __u32 sr_wakeup_bytes __weak = 0;
const volatile __u32 sr_tp_jobs __weak =
    SR_TPJ_OPEN | SR_TPJ_EXEC_FAIL | SR_TPJ_FCHANGE | SR_TPJ_UDP_SEND;

char LICENSE[] SEC("license") __weak = "Dual BSD/GPL";

/* ---- session filter maps (filled by the daemon, except sess_task) ---- */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);   /* cgroup v2 id */
	__type(value, __u64); /* session_key */
} sess_cgroup SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u32);   /* audit session id */
	__type(value, __u64); /* session_key */
} sess_audit SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_TASKS);
	__type(key, __u32);   /* tgid */
	__type(value, __u64); /* session_key */
} sess_task SEC(".maps") __weak;

/* Per slot, how many entries of the three maps above fall in it (bpf/hint.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE); /* sshrecd counts with atomic adds on an mmap */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sr_hint);
} sess_hint SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_cfg);
} session_cfg SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_lost);
} session_lost SEC(".maps") __weak;

/* Userspace-only: what sr_capture_lost_take() already reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct sr_session_lost);
} session_lost_ack SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* set by the loader */
} events SEC(".maps") __weak;

/* ---- syscall enter -> exit stashes, keyed by tid -------------------- */
struct sr_open_stash {
	__u64 path; /* user pointer */
	__u64 flags;
	__u32 mode;
	__s32 dirfd;
	__u32 syscall;
	__u32 oflags; /* SR_OPEN_COMPAT */
	__u8 record;  /* the open is to be recorded */
	__u8 check;   /* deny_write without BPF LSM: check the opened file at the exit */
	__u8 _pad[6];
};

/* A file change syscall's arguments, from its enter to its exit. */
struct sr_fc_stash {
	__u64 path;  /* user pointer; 0: the file of fd */
	__u64 path2; /* user pointer, 0: none */
	__s64 length;
	__u32 op; /* enum sr_fchange_op */
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__s32 dirfd;  /* path relative to it (AT_FDCWD: the cwd), or the fd of fchmod & co. */
	__s32 dirfd2; /* path2 relative to it; SR_FC_NO_RESOLVE: a symlink's content */
	__u32 at;     /* the call's AT_* flags: AT_EMPTY_PATH, an empty path is dirfd's file */
	__u32 _pad;
};

#define SR_FC_NO_RESOLVE (-1000)

struct sr_exec_stash {
	__u64 filename; /* user pointer */
	__u64 argv;     /* user pointer to the pointer array */
	__u32 compat;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sr_open_stash);
} open_stash SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct sr_fc_stash);
} fc_stash SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct sr_exec_stash);
} exec_stash SEC(".maps") __weak;

/* TCP connects parked at connect()/SYN_SENT until the source port and outcome are known. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* struct sock * */
	__type(value, struct sr_connect_event);
} connect_park SEC(".maps") __weak;

/* A session's TCP listener, by its network namespace and port (accepts). */
struct sr_listen_key {
	__u64 net; /* struct net * */
	__u32 port;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct sr_listen_key);
	__type(value, struct sr_connect_event); /* the header of its listen() */
} listen_park SEC(".maps") __weak;

/* A (UDP socket, destination) already recorded: only its first send is. */
struct sr_udp_key {
	__u64 sk;  /* struct sock * */
	__u64 ino; /* its inode number: a new socket at a reused address differs */
	__u8 daddr[16];
	__u16 dport;
	__u16 family;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sr_udp_key);
	__type(value, __u8);
} udp_seen SEC(".maps") __weak;

/*
 * Tracepoint backend: the UDP socket (struct sock *) a thread's send
 * syscall gives an address of its own, from its enter to its exit, so
 * sock:sock_send_length does not take that send for one to the peer.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);   /* thread id */
	__type(value, __u64); /* struct sock * */
} udp_addr_send SEC(".maps") __weak;

/* An io_uring open between its submission and its completion (tracepoint backend). */
struct sr_uring_open {
	__u8 rec[sizeof(struct sr_open_event) + SR_PATH_CAP] __attribute__((aligned(8)));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SR_URING_INFLIGHT);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* struct io_kiocb * */
	__type(value, struct sr_uring_open);
} uring_park SEC(".maps") __weak;

/*
 * Per-CPU scratch, one slot per CPU (an ARRAY indexed by CPU: a per-CPU
 * array value is limited to 32 KiB). Records are built here and copied to
 * the ring buffer with their exact size, so a 100-byte open does not
 * reserve the 45 KiB an exec can need.
 */
#define SR_EV_BUF (SR_EVENT_MAX_SIZE + SR_PATH_CAP)
struct sr_scratch {
	__u8 ev[SR_EV_BUF] __attribute__((aligned(8))); /* the record being built */
	char walk[2 * SR_PATH_CAP]; /* dentry walk, the result ends at walk[SR_PATH_CAP - 1] */
	char tmp[2 * SR_PATH_CAP];  /* relative path being made absolute */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the number of possible CPUs by the loader */
	__type(key, __u32);
	__type(value, struct sr_scratch);
} scratch SEC(".maps") __weak;

static __always_inline struct sr_scratch *sr_scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

#include "enforce.bpf.h" /* the policy maps (enforcement, recorder/policy/policy_kern.c) */

#endif /* SSHREC_BPF_LIB_MAPS_H */
