/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file cgroup.h
 * @brief cgroup v2 helpers shared by the PAM module, the daemon and the tests.
 *
 * The cgroup2 mount is found in /proc/self/mountinfo, never assumed: it is
 * /sys/fs/cgroup on unified hosts and /sys/fs/cgroup/unified on hybrid ones.
 * All functions follow log.h's convention (0 or -errno) and do not log.
 */
#ifndef SSHREC_CGROUP_H
#define SSHREC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Find the cgroup2 mount point. -ENOENT when cgroup2 is not mounted. */
int sr_cgroup2_mount(char *buf, size_t len);

/** Parse one /proc/self/mountinfo line; exposed for unit tests. */
int sr_cgroup2_mount_from_line(const char *line, char *buf, size_t len);

/** The cgroup v2 id (kernfs id, as bpf_get_current_cgroup_id() sees it). */
int sr_cgroup_id(const char *dir, uint64_t *id);

/**
 * The cgroup v2 path of @p pid relative to the cgroup2 mount ("/sshrec/x"),
 * from the "0::" line of /proc/PID/cgroup. pid 0 means the caller.
 */
int sr_cgroup_of_pid(pid_t pid, char *buf, size_t len);

/**
 * Write @p data to a kernel knob (a cgroup or /proc file) in one write(2).
 * Returns 0 or -errno (-EIO on a short write).
 */
int sr_knob_write(const char *path, const char *data);

/** Move @p pid (0: the caller) into the cgroup directory @p dir. */
int sr_cgroup_move(const char *dir, pid_t pid);

/** Read "populated" from @p dir/cgroup.events. */
int sr_cgroup_populated(const char *dir, bool *populated);

/**
 * True when @p p is an absolute cgroup path (relative to the mount) with no
 * "." or ".." component: the one check of a path the daemon will rmdir.
 */
bool sr_cgroup_path_ok(const char *p);

/** Create @p dir (mode 0755, root owned) if missing; -EEXIST is success. */
int sr_cgroup_mkdir(const char *dir);

#endif
