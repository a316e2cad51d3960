/* SPDX-License-Identifier: BSD-2-Clause */
/* The records' file modes and group: root only, or root and the auditor group. */
#include "recorder/store/records_perm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

int sr_records_mkdir_parents(const char *path, gid_t gid)
{
	char *dir = strdup(path);
	char *p;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; !err; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == 0) {
			/* group first: until then it stays 0700 */
			if (gid != SR_NO_GROUP && (chown(dir, (uid_t)-1, gid) || chmod(dir, 0750)))
				sr_warn("directory %s: cannot open it to group %u: %s", dir,
				        (unsigned)gid, strerror(errno));
		} else if (errno != EEXIST) {
			err = -errno;
			sr_err("cannot create directory %s: %s", dir, strerror(errno));
		}
		*p = c;
		if (!c)
			break;
	}
	free(dir);
	return err;
}

/* Group then mode of the open file @p fd; @p proc, when not NULL, is the
 * path to chmod instead of fchmod (an O_PATH descriptor's /proc link). */
static int set_mode(int fd, const char *proc, gid_t gid, const char *what)
{
	int err;

	/* the group before the mode: the file is never readable by the old one */
	if (gid != SR_NO_GROUP) {
		if (fchownat(fd, "", (uid_t)-1, gid, AT_EMPTY_PATH) == 0) {
			if ((proc ? chmod(proc, 0640) : fchmod(fd, 0640)) == 0)
				return 0;
			err = -errno;
			sr_warn("%s: chmod 0640: %s", what, strerror(errno));
			return err;
		}
		sr_warn("%s: cannot give it to group %u: %s; only root may read it", what,
		        (unsigned)gid, strerror(errno));
	}
	/* EPERM: not ours (a test's file as another user); leave it */
	if ((proc ? chmod(proc, 0600) : fchmod(fd, 0600)) && errno != EPERM) {
		err = -errno;
		sr_warn("%s: chmod 0600: %s", what, strerror(errno));
		return err;
	}
	return 0;
}

int sr_records_fd(int fd, gid_t gid, const char *what)
{
	return set_mode(fd, NULL, gid, what);
}

int sr_records_path(const char *path, gid_t gid)
{
	/* O_PATH: closing it drops none of this process's POSIX locks on the
	 * file (an ordinary descriptor would drop SQLite's); O_NOFOLLOW on
	 * O_PATH opens a symlink itself, refused below */
	int fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	char proc[64];
	struct stat st;
	int err;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		sr_warn("%s: cannot open to set its mode: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		sr_warn("%s: cannot stat to set its mode: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		err = S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
		sr_warn("%s: not a regular file, its mode left alone", path);
	} else {
		/* fchmod refuses an O_PATH descriptor; its /proc link does not */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		err = set_mode(fd, proc, gid, path);
	}
	close(fd);
	return err;
}

void sr_records_check_reach(const char *path, gid_t gid)
{
	char *dir;
	char *p;
	struct stat st;

	if (gid == SR_NO_GROUP)
		return;
	dir = strdup(path);
	if (!dir)
		return;
	/* from the file's own directory up to / */
	while ((p = strrchr(dir, '/'))) {
		*p = '\0';
		if (stat(*dir ? dir : "/", &st) == 0 && S_ISDIR(st.st_mode) &&
		    !(st.st_mode & S_IXOTH) && !(st.st_gid == gid && (st.st_mode & S_IXGRP))) {
			struct group *gr = getgrgid(gid);

			sr_warn("records_group %s cannot reach %s: directory %s is %04o, group %u",
			        gr ? gr->gr_name : "?", path, *dir ? dir : "/",
			        (unsigned)(st.st_mode & 07777), (unsigned)st.st_gid);
			break;
		}
	}
	free(dir);
}
