/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the kernel benchmarks share: a monotonic clock and the exec storm
 * (fork + exec of /bin/true, the cheapest program that exists everywhere).
 */
#ifndef SSHREC_BENCH_UTIL_H
#define SSHREC_BENCH_UTIL_H

#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

/** Seconds on the monotonic clock. */
static inline double sr_bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/** Spawn /bin/true @p n times, one after the other. */
/* @n spawns of @path (no arguments), each waited for. */
static inline void sr_bench_exec_storm_of(const char *path, long n)
{
	char *argv[] = {(char *)path, NULL};
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid;
		int st;

		if (posix_spawn(&pid, path, NULL, NULL, argv, environ) == 0)
			waitpid(pid, &st, 0);
	}
}

static inline void sr_bench_exec_storm(long n)
{
	sr_bench_exec_storm_of("/bin/true", n);
}

#endif /* SSHREC_BENCH_UTIL_H */
