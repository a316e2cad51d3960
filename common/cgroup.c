/* SPDX-License-Identifier: BSD-2-Clause */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SRC SUPER" */
int sr_cgroup2_mount_from_line(const char *line, char *buf, size_t len)
{
	const char *sep = strstr(line, " - ");
	if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
		return -ENOENT;
	const char *p = line;
	for (int field = 0; field < 4; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	const char *end = strchr(p, ' ');
	if (!end || end > sep)
		return -EINVAL;
	/* mountinfo octal-escapes space, tab, newline and backslash as \ooo;
	 * a backslash not followed by three octal digits is kept as it is. */
	size_t o = 0;
	for (const char *s = p; s < end; s++) {
		char c = *s;
		if (c == '\\' && end - s >= 4 && is_octal(s[1]) && is_octal(s[2]) &&
		    is_octal(s[3])) {
			c = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		buf[o++] = c;
	}
	buf[o] = '\0';
	return 0;
}

int sr_cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;
	while (getline(&line, &cap, f) > 0) {
		if (sr_cgroup2_mount_from_line(line, buf, len) == 0) {
			ret = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

int sr_cgroup_id(const char *dir, uint64_t *id)
{
	/* The kernfs node id is the file handle of the cgroup directory. */
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 16];
	} h;
	int mount_id;
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = 8;
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes != 8)
		return -EINVAL;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int sr_cgroup_of_pid(pid_t pid, char *buf, size_t len)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if ((size_t)(n - 3) + 1 > len) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(buf, line + 3, (size_t)(n - 3) + 1);
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

int sr_knob_write(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(data);
	ssize_t w = write(fd, data, len);
	int ret = w == (ssize_t)len ? 0 : (w < 0 ? -errno : -EIO);
	close(fd);
	return ret;
}

int sr_cgroup_move(const char *dir, pid_t pid)
{
	char path[4096], val[32];
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	snprintf(val, sizeof(val), "%d", pid > 0 ? (int)pid : 0);
	return sr_knob_write(path, val);
}

int sr_cgroup_populated(const char *dir, bool *populated)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/cgroup.events", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char line[128];
	int ret = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "populated ", 10) == 0) {
			*populated = line[10] == '1';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int sr_cgroup_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

bool sr_cgroup_path_ok(const char *p)
{
	const char *c = p;

	if (p[0] != '/')
		return false;
	while (*c) {
		size_t n;

		c++; /* past the '/' */
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}
