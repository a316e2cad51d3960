/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Is the kernel's 32-bit compat path open? Some kernels boot with IA-32
 * emulation off (ia32_emulation=off, or CONFIG_IA32_EMULATION_DEFAULT_DISABLED):
 * a 32-bit ELF then fails to exec with ENOEXEC and int $0x80 from a 64-bit
 * process faults, so a session user has no compat syscalls to hide behind.
 * The tests assert recording where the path is open and assert that it is
 * closed both ways otherwise, instead of failing or skipping.
 */
#ifndef SR_TESTS_IA32_H
#define SR_TESTS_IA32_H

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum sr_ia32 { SR_IA32_UNKNOWN = -1, SR_IA32_CLOSED = 0, SR_IA32_OPEN = 1 };

/* Run fn in a child without a core file; its wait status. */
static inline int sr_ia32_child(void (*fn)(const char *), const char *arg)
{
	struct rlimit nocore = {0, 0};
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &nocore);
		fn(arg);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* compat32 given a missing directory exits 2 at once, touching nothing. */
static inline void sr_ia32_exec(const char *compat32)
{
	char *argv[] = {(char *)compat32, "/nonexistent/sshrec-ia32-probe", NULL};

	execv(compat32, argv);
	_exit(errno == ENOEXEC ? 120 : 121);
}

/* getpid (i386 number 20) through int $0x80 from 64-bit code. */
static inline void sr_ia32_int80(const char *unused)
{
	long ret = -1;

	(void)unused;
	/* the fault must kill this child, not a sanitizer's SIGSEGV handler */
	signal(SIGSEGV, SIG_DFL);
#if defined(__x86_64__)
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
#endif
	_exit(ret == (long)syscall(SYS_getpid) ? 0 : 1);
}

/**
 * sr_ia32_state() - probe the compat path both ways.
 * @compat32: the static 32-bit helper (tests/kernel/compat32).
 *
 * Return: SR_IA32_OPEN when both a 32-bit exec and int $0x80 work,
 * SR_IA32_CLOSED when the exec fails with ENOEXEC and int $0x80 gets SIGSEGV,
 * SR_IA32_UNKNOWN when they disagree or the probe itself failed.
 */
static inline enum sr_ia32 sr_ia32_state(const char *compat32)
{
	int ex = sr_ia32_child(sr_ia32_exec, compat32);
	int in = sr_ia32_child(sr_ia32_int80, NULL);

	if (WIFEXITED(ex) && WEXITSTATUS(ex) == 2 && WIFEXITED(in) && WEXITSTATUS(in) == 0)
		return SR_IA32_OPEN;
	if (WIFEXITED(ex) && WEXITSTATUS(ex) == 120 && WIFSIGNALED(in) && WTERMSIG(in) == SIGSEGV)
		return SR_IA32_CLOSED;
	return SR_IA32_UNKNOWN;
}

#endif
