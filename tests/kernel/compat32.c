// SPDX-License-Identifier: BSD-2-Clause
/*
 * A 32-bit static program for tests/kernel/test_capture: makes compat
 * (int $0x80) open, openat, creat, file changes (rename, renameat2, link,
 * symlink, chmod, 16- and 32-bit chown, truncate64, ftruncate, unlink,
 * unlinkat, rmdir and unlinkat(AT_REMOVEDIR)) and a failing execve, then exits 0. No libc, so
 * only a compiler that can emit -m32 code is needed.
 * argv[1] is the directory to work in (relative opens are resolved there).
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
#define NR_RMDIR      40
#define NR_SYMLINK    83
#define NR_FTRUNCATE  93
#define NR_TRUNCATE64 193
#define NR_CHOWN      212
#define NR_UNLINKAT   301
#define NR_RENAMEAT2  353
#define AT_REMOVEDIR  0x200
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
		sys3(NR_CLOSE, fd, 0, 0);
	}
	sys5(NR_RENAMEAT2, AT_FDCWD, (long)"c-fb", AT_FDCWD, (long)"c-fr", 0);
	sys3(NR_UNLINK, (long)"c-fl", 0, 0);
	sys4(NR_UNLINKAT, AT_FDCWD, (long)"c-fs", 0, 0);
	sys3(NR_MKDIR, (long)"c-dir", 0700, 0);
	sys3(NR_RMDIR, (long)"c-dir", 0, 0);
	sys3(NR_MKDIR, (long)"c-dir2", 0700, 0);
	sys4(NR_UNLINKAT, AT_FDCWD, (long)"c-dir2", AT_REMOVEDIR, 0);
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
