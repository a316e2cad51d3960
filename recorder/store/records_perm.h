/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file records_perm.h
 * @brief Who may read the records: root only, or root and one auditor group.
 *
 * The database (with its -wal and -shm files), the JSON-lines files and the
 * directories sshrecd creates for them hold who ran what. By default they are
 * root's: files 0600, new directories 0700. With `records_group` in
 * sshrecd.conf(5) they are 0640 and 0750 and belong to that group, so its
 * members can run sshrec(1) without root. SQLite gives the -wal and -shm files
 * it creates the database file's mode and owner, so the database's settle them.
 */
#ifndef SSHREC_RECORDS_PERM_H
#define SSHREC_RECORDS_PERM_H

#include <sys/types.h>

/** No auditor group: the records are root's alone. */
#define SR_NO_GROUP ((gid_t)-1)

/**
 * Create the missing parent directories of the file @p path: 0700, or 0750
 * and group @p gid. Existing directories are left as they are.
 * @return 0 or -errno (logged).
 */
int sr_records_mkdir_parents(const char *path, gid_t gid);

/**
 * Give the open file @p fd the records' mode: 0600, or group @p gid and 0640.
 * When the group cannot be set the file stays 0600 (with a warning).
 * @param what the file's name for the log
 * @return 0 or -errno (logged).
 */
int sr_records_fd(int fd, gid_t gid, const char *what);

/**
 * sr_records_fd() for the file @p path, by path: safe on a database SQLite
 * has open in this process (closing a descriptor of it would drop SQLite's
 * POSIX locks). A missing file is not an error; a symlink is not followed
 * (-ELOOP).
 */
int sr_records_path(const char *path, gid_t gid);

/**
 * Warn when members of @p gid cannot reach @p path because a directory on
 * the way lets neither that group nor others through (one made 0700 before
 * records_group was set, for instance). Nothing to check without a group.
 */
void sr_records_check_reach(const char *path, gid_t gid);

#endif
