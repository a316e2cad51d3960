// SPDX-License-Identifier: BSD-2-Clause
/*
 * A 32-bit static program for tests/kernel/test_capture: makes compat
 * (int $0x80) open, openat, creat, file changes (rename, renameat2 and its exchange, link,
 * symlink, chmod, 16- and 32-bit chown, truncate64, ftruncate, unlink,
 * unlinkat, rmdir and unlinkat(AT_REMOVEDIR), mknod, mknodat) and a failing execve, then exits 0.
 * No libc, so only a compiler that can emit -m32 code is needed. argv[1] is the directory to work
 * in (relative opens are resolved there). argv[2..9], if given, are 8 UDP ports on 127.0.0.1: one
 * UDP socket sends one datagram to each, by sendto, sendmsg, sendmmsg (two) and the same three
 * through socketcall(2) (sendmmsg: one).
 */
#define NR_EXIT   1
#define NR_OPEN   5
#define NR_CLOSE  6
#define NR_CREAT  8
#define NR_EXECVE 11
#define NR_CHDIR  12
#define NR_OPENAT 295
#define AT_FDCWD  -100
/* file changes (i386 numbers) */
#define NR_LINK       9
#define NR_UNLINK     10
#define NR_CHMOD      15
#define NR_LCHOWN16   16
#define NR_RENAME     38
#define NR_MKDIR      39
#define NR_MKNOD      14
#define NR_MKNODAT    297
#define NR_RMDIR      40
#define NR_SYMLINK    83
#define NR_FTRUNCATE  93
#define NR_TRUNCATE64 193
#define NR_CHOWN      212
#define NR_UNLINKAT   301
#define NR_LINKAT     303
#define NR_RENAMEAT2  353
#define AT_REMOVEDIR  0x200
#define AT_EMPTY_PATH 0x1000
/* UDP sends */
#define NR_SOCKETCALL 102
#define NR_SENDMMSG   345
#define NR_SOCKET     359
#define NR_SENDTO     369
#define NR_SENDMSG    370
#define SYS_SENDTO    11
#define SYS_SENDMSG   16
#define SYS_SENDMMSG  20
#define O_WRONLY      01
#define O_LARGEFILE   0100000 /* c-fb is past 2 GiB by then */

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static long sys4(long nr, long a, long b, long c, long d)
{
	long ret;

	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
	                 : "memory");
	return ret;
}

static long sys5(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
	                 : "memory");
	return ret;
}

/*
 * A 6-argument syscall: a[0] is its number, a[1..6] its arguments. The sixth
 * goes in %ebp, which inline asm cannot name, so this is all assembly.
 */
long sys6(const long *a);
__asm__(".globl sys6\n"
        "sys6:\n"
        "  pushl %ebp\n"
        "  pushl %ebx\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  movl 20(%esp), %eax\n"
        "  movl 4(%eax), %ebx\n"
        "  movl 8(%eax), %ecx\n"
        "  movl 12(%eax), %edx\n"
        "  movl 16(%eax), %esi\n"
        "  movl 20(%eax), %edi\n"
        "  movl 24(%eax), %ebp\n"
        "  movl 0(%eax), %eax\n"
        "  int $0x80\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  popl %ebx\n"
        "  popl %ebp\n"
        "  ret\n");

/* The i386 layouts: struct sockaddr_in, compat iovec, msghdr and mmsghdr. */
struct sin32 {
	unsigned short family, port; /* port in network order */
	unsigned int addr;
	unsigned char zero[8];
};
struct iov32 {
	unsigned int base, len;
};
struct msg32 {
	unsigned int name;
	int namelen;
	unsigned int iov, iovlen, control, controllen, flags;
};
struct mmsg32 {
	struct msg32 hdr;
	unsigned int len;
};

static unsigned short port_be(const char *s)
{
	unsigned int v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned int)(*s++ - '0');
	return (unsigned short)((v >> 8 | v << 8) & 0xffff);
}

/* One datagram to each of the 8 ports of @p, each by another 32-bit way. */
static void sends(char **p)
{
	static struct sin32 to[8];
	static struct iov32 io;
	static struct msg32 m;
	static struct mmsg32 mm[2];
	static long a[7];
	static unsigned int sc[6];
	long fd;
	int i;

	for (i = 0; i < 8; i++) {
		to[i].family = 2;        /* AF_INET */
		to[i].addr = 0x0100007f; /* 127.0.0.1 */
		to[i].port = port_be(p[i]);
	}
	fd = sys3(NR_SOCKET, 2, 2, 0); /* AF_INET, SOCK_DGRAM */
	if (fd < 0)
		return;
	io.base = (unsigned int)"u";
	io.len = 1;
	/* sendto(2), 6 arguments */
	a[0] = NR_SENDTO, a[1] = fd, a[2] = (long)"u", a[3] = 1, a[4] = 0;
	a[5] = (long)&to[0], a[6] = sizeof(to[0]);
	sys6(a);
	/* sendmsg(2) */
	m.name = (unsigned int)&to[1], m.namelen = sizeof(to[1]);
	m.iov = (unsigned int)&io, m.iovlen = 1;
	sys3(NR_SENDMSG, fd, (long)&m, 0);
	/* sendmmsg(2), two messages */
	for (i = 0; i < 2; i++) {
		mm[i].hdr = m;
		mm[i].hdr.name = (unsigned int)&to[2 + i];
	}
	sys4(NR_SENDMMSG, fd, (long)mm, 2, 0);
	/* socketcall(2): sendto, sendmsg, sendmmsg */
	sc[0] = fd, sc[1] = (unsigned int)"u", sc[2] = 1, sc[3] = 0;
	sc[4] = (unsigned int)&to[4], sc[5] = sizeof(to[4]);
	sys3(NR_SOCKETCALL, SYS_SENDTO, (long)sc, 0);
	m.name = (unsigned int)&to[5];
	sc[1] = (unsigned int)&m, sc[2] = 0;
	sys3(NR_SOCKETCALL, SYS_SENDMSG, (long)sc, 0);
	mm[0].hdr.name = (unsigned int)&to[6];
	mm[1].hdr.name = (unsigned int)&to[7];
	sc[1] = (unsigned int)mm, sc[2] = 2, sc[3] = 0;
	sys3(NR_SOCKETCALL, SYS_SENDMMSG, (long)sc, 0);
	sys3(NR_CLOSE, fd, 0, 0);
}

/* The file changes test_capture's t_compat expects, in the working directory. */
static void changes(void)
{
	long fd;

	fd = sys3(NR_CREAT, (long)"c-fa", 0600, 0);
	if (fd >= 0)
		sys3(NR_CLOSE, fd, 0, 0);
	sys3(NR_RENAME, (long)"c-fa", (long)"c-fb", 0);
	sys3(NR_LINK, (long)"c-fb", (long)"c-fl", 0);
	sys3(NR_SYMLINK, (long)"c-fb", (long)"c-fs", 0);
	sys3(NR_CHMOD, (long)"c-fb", 0640, 0);
	sys3(NR_CHOWN, (long)"c-fb", -1, 0);
	sys3(NR_LCHOWN16, (long)"c-fs", 0xffff, 0);
	sys3(NR_TRUNCATE64, (long)"c-fb", 5, 1); /* 4 GiB + 5: the high half counts */
	fd = sys3(NR_OPEN, (long)"c-fb", O_WRONLY | O_LARGEFILE, 0);
	if (fd >= 0) {
		sys3(NR_FTRUNCATE, fd, 2, 0);
		/* AT_EMPTY_PATH (its flags in %edi): a link of the fd's own file */
		sys5(NR_LINKAT, fd, (long)"", AT_FDCWD, (long)"c-fe", AT_EMPTY_PATH);
		sys3(NR_CLOSE, fd, 0, 0);
	}
	/* RENAME_EXCHANGE (its flags in %edi), twice: swapped and back */
	sys5(NR_RENAMEAT2, AT_FDCWD, (long)"c-fb", AT_FDCWD, (long)"c-fs", 2);
	sys5(NR_RENAMEAT2, AT_FDCWD, (long)"c-fb", AT_FDCWD, (long)"c-fs", 2);
	sys5(NR_RENAMEAT2, AT_FDCWD, (long)"c-fb", AT_FDCWD, (long)"c-fr", 0);
	sys3(NR_UNLINK, (long)"c-fl", 0, 0);
	sys3(NR_UNLINK, (long)"c-fe", 0, 0);
	sys4(NR_UNLINKAT, AT_FDCWD, (long)"c-fs", 0, 0);
	sys3(NR_MKDIR, (long)"c-dir", 0700, 0);
	sys3(NR_RMDIR, (long)"c-dir", 0, 0);
	sys3(NR_MKDIR, (long)"c-dir2", 0700, 0);
	sys4(NR_UNLINKAT, AT_FDCWD, (long)"c-dir2", AT_REMOVEDIR, 0);
	sys3(NR_MKNOD, (long)"c-fifo", 0010640, 0);                 /* S_IFIFO */
	sys4(NR_MKNODAT, AT_FDCWD, (long)"c-node", 0020600, 0x103); /* S_IFCHR, 1:3 */
	sys3(NR_UNLINK, (long)"c-fifo", 0, 0);
	sys3(NR_UNLINK, (long)"c-node", 0, 0);
	sys3(NR_UNLINK, (long)"c-missing", 0, 0);
	sys4(NR_UNLINKAT, AT_FDCWD, (long)"c-fr", 0, 0);
}

static int main32(int argc, char **argv)
{
	static char *const xargv[] = {"compat-missing", "compat-arg", 0};
	long fd;

	if (argc > 1 && sys3(NR_CHDIR, (long)argv[1], 0, 0) < 0)
		return 2;
	fd = sys3(NR_CREAT, (long)"compat-creat", 0600, 0);
	if (fd >= 0)
		sys3(NR_CLOSE, fd, 0, 0);
	fd = sys3(NR_OPEN, (long)"compat-creat", 0, 0);
	if (fd >= 0)
		sys3(NR_CLOSE, fd, 0, 0);
	fd = sys4(NR_OPENAT, AT_FDCWD, (long)"compat-missing-file", 0, 0);
	changes();
	if (argc > 9)
		sends(argv + 2);
	sys3(NR_EXECVE, (long)"/nonexistent/compat-missing", (long)xargv, 0);
	return 0;
}

/* The i386 process entry: argc at 0(%esp), argv from 4(%esp). */
__attribute__((used)) static void start_c(long *sp)
{
	sys3(NR_EXIT, main32((int)sp[0], (char **)(sp + 1)), 0, 0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  movl %esp, %eax\n"
        "  andl $-16, %esp\n"
        "  subl $12, %esp\n"
        "  pushl %eax\n"
        "  call start_c\n"
        "  hlt\n");
