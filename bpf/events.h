/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/**
 * @file events.h
 * @brief The kernel/user event ABI shared by the BPF programs and sshrecd.
 *
 * This is the one contract between the programs in bpf/hooks/ and the daemon. Every
 * record in the ring buffer starts with struct sr_event_hdr; hdr.type says
 * which struct follows and hdr.size is the whole record length in bytes,
 * including any variable-length tail. Bump SR_EVENTS_ABI_VERSION on any
 * change here: the daemon refuses pinned objects of another version.
 *
 * Compiled both by clang -target bpf (with vmlinux.h already included, so no
 * libc headers) and by the host compiler (with <stdint.h>).
 */
#ifndef SSHREC_BPF_EVENTS_H
#define SSHREC_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* __u8 ... __s64, as <sys/mount.h> and libbpf also see them */
#endif

#define SR_EVENTS_ABI_VERSION 6

/** Byte cap for argv (all arguments, NUL separated). At least 32 KiB. */
#define SR_ARGV_CAP 32768
/** Byte cap for a path (filename, cwd, open path), including the NUL. */
#define SR_PATH_CAP 4096
#define SR_COMM_LEN 16
#define SR_TTY_LEN  32 /* tty_struct name, e.g. "pts3" (since ABI 3) */
/** Byte cap for a cgroup path carried by an escape event. */
#define SR_CGPATH_CAP 512

/** Event classes: the unit of per-session switching and of loss counting. */
enum sr_class {
	SR_CLASS_COMMAND = 0, /* exec, failed exec, fork, exit */
	SR_CLASS_DISK = 1,    /* open family, file changes (since ABI 6) */
	SR_CLASS_NETWORK = 2, /* TCP connect and accept, UDP send */
	SR_CLASS_MAX = 3,
};

/** Bit mask of enum sr_class, kept per session in sr_session_cfg.classes. */
#define SR_CLASS_BIT(c) (1u << (c))
#define SR_CLASS_ALL                                                                               \
	(SR_CLASS_BIT(SR_CLASS_COMMAND) | SR_CLASS_BIT(SR_CLASS_DISK) |                            \
	 SR_CLASS_BIT(SR_CLASS_NETWORK))

enum sr_event_type {
	SR_EV_EXEC = 1,      /* struct sr_exec_event, successful exec */
	SR_EV_EXEC_FAIL = 2, /* struct sr_exec_event, ret < 0 */
	SR_EV_FORK = 3,      /* struct sr_fork_event, new process (not thread) */
	SR_EV_EXIT = 4,      /* struct sr_exit_event, thread group leader exit */
	SR_EV_OPEN = 5,      /* struct sr_open_event */
	SR_EV_CONNECT = 6,   /* struct sr_connect_event */
	SR_EV_ESCAPE = 7,    /* struct sr_escape_event */
	SR_EV_FCHANGE = 8,   /* struct sr_fchange_event (since ABI 6) */
};

/** How the in-kernel filter matched the task (sr_event_hdr.match). */
enum sr_match {
	SR_MATCH_CGROUP = 1, /* task's cgroup v2 id is a session cgroup */
	SR_MATCH_AUDIT = 2,  /* task->sessionid is a session's audit id */
	SR_MATCH_TASK = 3,   /* tgid inherited a session through fork */
};

/**
 * Which mechanism produced a record (sr_event_hdr.source, since ABI 5). The
 * values double as the capture backends of the loader (recorder/capture/).
 */
enum sr_source {
	SR_SRC_TRACEPOINT = 1, /* tracepoints, raw tracepoints, tp_btf */
	SR_SRC_FENTRY = 2,     /* fentry/fexit on kernel functions */
	SR_SRC_LSM = 3,        /* BPF LSM hooks */
};

/** What a program decided about the action (sr_event_hdr.verdict, since ABI 5). */
enum sr_verdict {
	SR_VERDICT_NONE = 0,   /* recorded only: no policy applied */
	SR_VERDICT_DENIED = 1, /* the session policy denied it (a connect killed at SYN_SENT) */
};

/** Common header of every ring buffer record. */
struct sr_event_hdr {
	__u16 type;        /* enum sr_event_type */
	__u8 match;        /* enum sr_match */
	__u8 abi;          /* SR_EVENTS_ABI_VERSION */
	__u32 size;        /* whole record size in bytes */
	__u64 ts_ns;       /* bpf_ktime_get_boot_ns() */
	__u64 session_key; /* the session (sessions.id in the DB) */
	__u64 cgroup_id;   /* task's cgroup v2 id at the time of the event */
	__u32 audit_sid;   /* task->sessionid */
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 ppid;     /* real_parent's tgid */
	__u32 uid;      /* real uid */
	__u32 gid;      /* real gid */
	__u32 loginuid; /* task->loginuid */
	__u8 source;    /* enum sr_source (since ABI 5) */
	__u8 verdict;   /* enum sr_verdict (since ABI 5) */
	__u16 _pad;
	char comm[SR_COMM_LEN];
};

/** exec/exec_fail flags */
#define SR_EXEC_ARGV_TRUNCATED (1u << 0) /* argv longer than SR_ARGV_CAP */
#define SR_EXEC_ARGV_FAULT     (1u << 1) /* argv could not be read */
#define SR_EXEC_FILENAME_FAULT (1u << 2) /* filename could not be read */
#define SR_EXEC_FILENAME_TRUNC (1u << 3)
#define SR_EXEC_CWD_FAULT      (1u << 4) /* cwd could not be resolved */
#define SR_EXEC_CWD_TRUNC      (1u << 5) /* cwd deeper than the walk limit */
#define SR_EXEC_COMPAT         (1u << 6) /* 32-bit (compat) syscall */
/* The executed file (exe, since ABI 4; successful execs only) */
#define SR_EXEC_EXE_FAULT    (1u << 7)  /* its path could not be read: exe empty */
#define SR_EXEC_EXE_TRUNC    (1u << 8)  /* deeper than the walk limit: the deepest part */
#define SR_EXEC_EXE_UNLINKED (1u << 9)  /* no link left (nlink 0) or its name was removed */
#define SR_EXEC_EXE_ANON     (1u << 10) /* no path at all (memfd_create): exe is its name */
#define SR_EXEC_EXE_INTERP   (1u << 11) /* a #! script: exe is its interpreter */

/**
 * SR_EV_EXEC and SR_EV_EXEC_FAIL. Tail: filename (filename_len bytes incl.
 * NUL), then cwd (cwd_len bytes incl. NUL), then argv (argv_len bytes: the
 * raw NUL-separated vector, argv[0] first), then exe (exe_len bytes incl.
 * NUL, 0 for a failed exec): the file the kernel executed (bprm->file), by
 * its path with symlinks and /proc/self/fd or /dev/fd resolved, or by its
 * name when it has no path (SR_EXEC_EXE_ANON: "memfd:<name>").
 */
struct sr_exec_event {
	struct sr_event_hdr hdr;
	__s32 ret;   /* 0, or the exec syscall's -errno */
	__u32 flags; /* SR_EXEC_* */
	__u32 filename_len;
	__u32 cwd_len;
	__u32 argv_len;
	__u32 argc; /* argument count of the exec; with ARGV_TRUNCATED argv holds fewer */
	__u32 euid;
	__u32 egid;
	__u32 exe_len; /* since ABI 4 */
	__u32 _pad;
	char tty[SR_TTY_LEN]; /* controlling terminal's name ("pts3", "tty1"), "" none */
	char data[];          /* filename, cwd, argv, exe */
};

/** SR_EV_FORK: a new process (thread group). hdr describes the parent. */
struct sr_fork_event {
	struct sr_event_hdr hdr;
	__u32 child_pid;
	__u32 _pad;
};

/** SR_EV_EXIT: thread group leader exit. */
struct sr_exit_event {
	struct sr_event_hdr hdr;
	__s32 exit_code; /* (task->exit_code >> 8) & 0xff, when not signalled */
	__s32 signal;    /* task->exit_code & 0x7f, 0 when exited normally */
	__u32 core_dumped;
	__u32 _pad;
	__u64 start_ns; /* task->start_boottime, for duration */
};

#define SR_OPEN_PATH_FAULT    (1u << 0) /* user string unreadable: path empty */
#define SR_OPEN_PATH_TRUNC    (1u << 1)
#define SR_OPEN_PATH_RESOLVED (1u << 2) /* relative path made absolute in the kernel */
#define SR_OPEN_DIR_FAULT     (1u << 3) /* relative, and cwd/dirfd unresolvable */
#define SR_OPEN_COMPAT        (1u << 4) /* 32-bit (compat) syscall */
/* since ABI 5 */
#define SR_OPEN_NO_FD (1u << 5) /* seen at the security hook: ret 0, fd not known yet */
#define SR_OPEN_RET_UNKNOWN                                                                        \
	(1u << 6)                      /* io_uring: completion not observed (CQE skipped, or       \
	                                  the in-flight table was full) */
#define SR_OPEN_PATH_MISSING (1u << 7) /* io_uring: failed before its submission was traced */

enum sr_open_syscall {
	SR_SYS_UNKNOWN = 0, /* seen at a security hook: any path into the kernel */
	SR_SYS_OPEN = 1,
	SR_SYS_OPENAT = 2,
	SR_SYS_OPENAT2 = 3,
	SR_SYS_CREAT = 4,
	SR_SYS_URING_OPENAT = 5,  /* IORING_OP_OPENAT (since ABI 5) */
	SR_SYS_URING_OPENAT2 = 6, /* IORING_OP_OPENAT2 (since ABI 5) */
};

/**
 * SR_EV_OPEN. Tail: path (path_len bytes incl. NUL). When
 * SR_OPEN_PATH_RESOLVED is set the path is absolute; otherwise it is the
 * string the process passed.
 */
struct sr_open_event {
	struct sr_event_hdr hdr;
	__s64 ret;   /* fd or -errno (0 with SR_OPEN_NO_FD) */
	__u64 flags; /* O_* flags as passed (openat2: how.flags; hooks: the file's) */
	__u32 mode;
	__s32 dirfd;   /* AT_FDCWD (-100) for cwd-relative */
	__u32 syscall; /* enum sr_open_syscall */
	__u32 oflags;  /* SR_OPEN_* */
	__u32 path_len;
	__u32 _pad;
	char path[];
};

/** What a file change did (sr_fchange_event.op, since ABI 6). */
enum sr_fchange_op {
	SR_FC_UNLINK = 1,   /* path removed */
	SR_FC_RMDIR = 2,    /* directory path removed */
	SR_FC_RENAME = 3,   /* path renamed to path2 */
	SR_FC_CHMOD = 4,    /* path's mode set to mode */
	SR_FC_CHOWN = 5,    /* path's owner set to uid:gid ((__u32)-1: unchanged) */
	SR_FC_LINK = 6,     /* hard link path2 made to path */
	SR_FC_SYMLINK = 7,  /* symbolic link path made, with content path2 */
	SR_FC_TRUNCATE = 8, /* path's size set to length */
	SR_FC_EXCHANGE = 9, /* path and path2 swapped (renameat2 RENAME_EXCHANGE) */
	SR_FC_MKDIR = 10,   /* directory path made with mode (the umask applied) */
	/*
	 * node path made (mknod(2): a FIFO, a device, a socket, an empty regular
	 * file): mode its type (S_IFMT) and permissions (the umask applied),
	 * length the device number as mknod(2) takes it (since format 7)
	 */
	SR_FC_MKNOD = 11,
	SR_FC_MAX = 12,
};

/* sr_fchange_event.cflags: SR_OPEN_* bits of path; the same bits of path2 << 16 */
#define SR_FC_PATH2_SHIFT 16
#define SR_FC_RET_UNKNOWN (1u << 15) /* the result was not observed: ret is 0 */
#define SR_FC_LEN_UNKNOWN (1u << 14) /* truncate at a security hook: length not known */

/**
 * SR_EV_FCHANGE (since ABI 6): a change to a file of a task in a session
 * recording disk. Tail: path (path_len bytes incl. NUL), then path2
 * (path2_len bytes incl. NUL, 0 when the op has none). Paths are absolute
 * with SR_OPEN_PATH_RESOLVED; a symlink's content (path2) is never
 * resolved: it is stored in the link as given. A fd-based change (fchmod,
 * fchown, ftruncate) has its file's path.
 */
struct sr_fchange_event {
	struct sr_event_hdr hdr;
	__s64 ret;    /* 0 or -errno (0 with SR_FC_RET_UNKNOWN) */
	__s64 length; /* truncate */
	__u32 op;     /* enum sr_fchange_op */
	__u32 mode;   /* chmod */
	__u32 uid;    /* chown */
	__u32 gid;    /* chown */
	__u32 cflags; /* SR_OPEN_* of path, << SR_FC_PATH2_SHIFT of path2, SR_FC_RET_UNKNOWN */
	__u32 path_len;
	__u32 path2_len;
	__u32 _pad;
	char data[]; /* path, path2 */
};

enum sr_connect_op {
	SR_CONNECT_ESTABLISHED = 1, /* SYN_SENT -> ESTABLISHED */
	SR_CONNECT_FAILED = 2,      /* SYN_SENT -> CLOSE */
	SR_CONNECT_PENDING = 3,     /* emitted at SYN_SENT when it could not be parked */
	/* since ABI 6: saddr/sport the local end, daddr/dport the remote one, as above */
	SR_CONNECT_ACCEPTED = 4, /* inbound: a session's listener got SYN_RECV -> ESTABLISHED */
	SR_CONNECT_UDP_SEND = 5, /* first datagram of a socket to daddr/dport */
};

/**
 * SR_EV_CONNECT. The header (pid, comm, session) is captured at SYN_SENT in
 * process context; the record is emitted when the connection leaves
 * SYN_SENT so that the source port is known. An accepted connection
 * (SR_CONNECT_ACCEPTED) carries the header of the listen() that made its
 * listener; a UDP send (SR_CONNECT_UDP_SEND) that of the sender, and sport 0
 * when the socket was not bound yet (the kernel binds it while sending).
 */
struct sr_connect_event {
	struct sr_event_hdr hdr;
	__u16 family; /* AF_INET (2) or AF_INET6 (10) */
	__u16 sport;
	__u16 dport;
	__u16 op;       /* enum sr_connect_op */
	__u8 saddr[16]; /* IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

/** SR_EV_ESCAPE: a recorded task was attached to another cgroup. */
struct sr_escape_event {
	struct sr_event_hdr hdr; /* hdr.cgroup_id is the cgroup it left */
	__u64 to_cgroup_id;
	__u32 threadgroup;
	__u32 path_len;
	char path[]; /* destination cgroup path, as the tracepoint gives it */
};

/* ---- maps shared with userspace -------------------------------------- */

/** sr_session_cfg.flags: with SR_CLASS_DISK on, keep only opens that may write
 * (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC). */
#define SR_CFG_DISK_WRITES_ONLY (1u << 0)

/** Value of the session_cfg map (key: session_key). */
struct sr_session_cfg {
	__u32 classes;   /* SR_CLASS_BIT mask of enabled classes */
	__u32 flags;     /* SR_CFG_* */
	__u64 cgroup_id; /* the session cgroup: an escape event's "from" (ABI 2) */
};

/** Value of the session_lost map (key: session_key): failed reservations. */
struct sr_session_lost {
	__u64 lost[SR_CLASS_MAX];
};

/** Largest record the programs ever emit (exec with full tail). */
#define SR_EVENT_MAX_SIZE (sizeof(struct sr_exec_event) + 3 * SR_PATH_CAP + SR_ARGV_CAP)

#endif /* SSHREC_BPF_EVENTS_H */
