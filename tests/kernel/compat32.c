// SPDX-License-Identifier: BSD-2-Clause
/*
 * A 32-bit static program for tests/kernel/test_capture: makes compat
 * (int $0x80) open, openat, creat and a failing execve, then exits 0. No
 * libc, so only a compiler that can emit -m32 code is needed.
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
