// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpffs pins. Layout under the pin directory:
 *
 *   v<ABI>/                 state maps, shared by every backend (ring buffer,
 *                           session filter, loss counters, stashes)
 *   v<ABI>/<backend>/       link_<program> of the selected backend's programs
 *
 * A pin set is identified by the ABI version and the backend: a restart on
 * another backend attaches its own set first and then removes the old one,
 * so the same event is never recorded by two sets for longer than that
 * instant. Removal never follows a symlink (unlinkat on directory fds).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <signal.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "paths.h"
#include "recorder/capture/capture_priv.h"

const char *const sr_pinned_maps[] = {
    "sess_cgroup",
    "sess_audit",
    "sess_task",
    "sess_hint",
    "session_cfg",
    "session_lost",
    "session_lost_ack",
    "events",
    "open_stash",
    "exec_stash",
    "connect_park",
    "listen_park",
    "udp_seen",
    "uring_park",
    /* the policy (bpf/enforce.bpf.h): a session's rules hold while sshrecd restarts */
    "policy_sess",
    "policy_exec",
    "policy_write",
    "policy_net",
    "policy_stats",
};
const size_t sr_npinned_maps = sizeof(sr_pinned_maps) / sizeof(sr_pinned_maps[0]);

int sr_mount_if_missing(const char *dir, const char *type, long magic, const char *opts)
{
	struct statfs st;

	if (statfs(dir, &st) == 0 && (long)st.f_type == magic)
		return 0;
	if (mount(type, dir, type, 0, opts) < 0) {
		int err = -errno;

		sr_err("capture: cannot mount %s on %s: %s", type, dir, strerror(errno));
		return err;
	}
	sr_info("capture: mounted %s on %s", type, dir);
	return 0;
}

/*
 * The pin directory keeps capture running while sshrecd is down. Whoever can
 * write it can unlink the pins (blinding the recorder) or plant symlinks for
 * root to follow, so only a root-owned directory that no one else can enter
 * is used. Returns 0, -ENOENT when it is missing, or -EPERM (said why).
 */
static int sr_pin_dir_check(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		int err = -errno;

		if (err == -ENOENT)
			return err;
		sr_err("capture: pin directory %s: %s", dir,
		       err == -ELOOP || err == -ENOTDIR ? "not a directory (a symlink?): refused"
		                                        : strerror(-err));
		return err == -ELOOP ? -EPERM : err;
	}
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	if (st.st_uid != 0) {
		sr_err("capture: pin directory %s: owned by uid %u, not root: refused (its owner "
		       "could remove the pins); remove it or chown root and chmod 0700",
		       dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		sr_err("capture: pin directory %s: mode 0%03o lets others in: refused; it must be "
		       "0700",
		       dir, (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	return 0;
}

/* Create @p dir (0700) when missing, then check it as sr_pin_dir_check(). */
static int sr_mkdir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int err = -errno;

		sr_err("capture: mkdir %s: %s", dir, strerror(errno));
		return err;
	}
	return sr_pin_dir_check(dir);
}

int sr_pins_mkdirs(const struct sr_capture *cap)
{
	int err = sr_mkdir(cap->pin_dir);

	if (!err)
		err = sr_mkdir(cap->dir);
	if (!err)
		err = sr_mkdir(cap->links_dir);
	return err;
}

int sr_pins_maps(struct sr_capture *cap, bool *reused)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	size_t i;
	int err;

	for (i = 0; i < sr_npinned_maps; i++) {
		map = bpf_object__find_map_by_name(cap->obj, sr_pinned_maps[i]);
		if (!map) {
			sr_err("capture: map %s missing from the BPF object", sr_pinned_maps[i]);
			return -ENOENT;
		}
		snprintf(path, sizeof(path), "%s/%s", cap->dir, sr_pinned_maps[i]);
		if (access(path, F_OK) == 0) {
			if (!strcmp(sr_pinned_maps[i], "sess_hint"))
				cap->hint_pinned = true;
			else
				*reused = true;
		}
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	return 0;
}

void sr_pins_link_path(const struct sr_capture *cap, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/link_%s", cap->links_dir, name);
}

/*
 * Remove @p name under @p dfd and everything in it without following a
 * symlink: a symlink is unlinked itself, and directories are walked through
 * descriptors (openat O_NOFOLLOW, unlinkat) so no path is resolved twice.
 */
static int sr_rm_at(int dfd, const char *name, int depth)
{
	struct dirent *de;
	struct stat st;
	int fd, err = 0;
	DIR *d;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (depth > 8)
		return -ELOOP; /* bpffs pins nest two levels; this is not ours */
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d))) {
		int e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		e = sr_rm_at(dirfd(d), de->d_name, depth + 1);
		if (e && !err)
			err = e;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !err)
		err = -errno;
	return err;
}

/* opendir() of @dir itself never through a symlink. */
static DIR *sr_opendir_nofollow(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* Remove every entry of @dir for which @stale says so; @dir itself stays. */
static void sr_rm_entries(const char *dir,
                          bool (*stale)(const struct sr_capture *, const char *, bool isdir),
                          const struct sr_capture *cap)
{
	struct dirent *de;
	DIR *d = sr_opendir_nofollow(dir);
	int err;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !stale(cap, de->d_name, S_ISDIR(st.st_mode)))
			continue;
		err = sr_rm_at(dirfd(d), de->d_name, 0);
		if (err)
			sr_warn("capture: cannot remove %s/%s: %s", dir, de->d_name,
			        strerror(-err));
		else
			sr_warn("capture: removed stale pins %s/%s", dir, de->d_name);
	}
	closedir(d);
}

/* Another ABI version's tree (or whatever else was planted under such a name). */
static bool sr_stale_version(const struct sr_capture *cap, const char *name, bool isdir)
{
	char mine[16];

	(void)cap;
	(void)isdir;
	snprintf(mine, sizeof(mine), "v%d", SR_EVENTS_ABI_VERSION);
	return name[0] == 'v' && strcmp(name, mine);
}

/* Another backend's links, in this ABI's directory (maps are files, not directories). */
static bool sr_stale_backend(const struct sr_capture *cap, const char *name, bool isdir)
{
	return isdir && strcmp(name, sr_backend_name(cap->sel.backend));
}

/* A link of a program this selection does not run. */
static bool sr_stale_link(const struct sr_capture *cap, const char *name, bool isdir)
{
	int i;

	if (isdir || strncmp(name, "link_", 5))
		return false;
	for (i = 0; i < cap->sel.nslots; i++)
		if (!strcmp(name + 5, bpf_program__name(cap->sel.slots[i].prog)))
			return false;
	return true;
}

void sr_pins_remove_stale(const struct sr_capture *cap)
{
	sr_rm_entries(cap->pin_dir, sr_stale_version, cap);
	sr_rm_entries(cap->dir, sr_stale_backend, cap);
	sr_rm_entries(cap->links_dir, sr_stale_link, cap);
}

int sr_pins_remove_own(const struct sr_capture *cap)
{
	char path[PATH_MAX];
	size_t i;
	int err = 0, e;

	for (i = 0; i < sr_npinned_maps; i++) {
		snprintf(path, sizeof(path), "%s/%s", cap->dir, sr_pinned_maps[i]);
		if (unlink(path) < 0 && errno != ENOENT && !err) {
			err = -errno;
			sr_warn("capture: unlink %s: %s", path, strerror(errno));
		}
	}
	e = sr_rm_at(AT_FDCWD, cap->links_dir, 0);
	if (e && !err) {
		err = e;
		sr_warn("capture: cannot remove %s: %s", cap->links_dir, strerror(-e));
	}
	if (rmdir(cap->dir) < 0 && errno != ENOENT && !err) {
		err = -errno;
		sr_warn("capture: rmdir %s: %s", cap->dir, strerror(errno));
	}
	rmdir(cap->pin_dir); /* other versions' pins may remain: ENOTEMPTY is fine */
	return err;
}

int sr_capture_unpin(const char *pin_dir)
{
	struct dirent *de;
	int err;
	DIR *d;

	if (!pin_dir)
		pin_dir = SR_DEFAULT_PIN_DIR;
	err = sr_pin_dir_check(pin_dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	d = sr_opendir_nofollow(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int e;

		if (de->d_name[0] != 'v')
			continue;
		e = sr_rm_at(dirfd(d), de->d_name, 0);
		if (e) {
			sr_warn("capture: cannot remove %s/%s: %s", pin_dir, de->d_name,
			        strerror(-e));
			err = -EBUSY;
		}
	}
	closedir(d);
	if (rmdir(pin_dir) < 0 && errno != ENOTEMPTY && errno != ENOENT && !err)
		err = -errno;
	return err;
}

int sr_capture_pinned_live_tasks(const char *pin_dir)
{
	char path[PATH_MAX];
	__u32 key, next, *prev = NULL;
	int fd, live = 0;

	snprintf(path, sizeof(path), "%s/v%d/sess_task", pin_dir ? pin_dir : SR_DEFAULT_PIN_DIR,
	         SR_EVENTS_ABI_VERSION);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (kill((pid_t)key, 0) == 0 || errno == EPERM)
			live++;
	}
	close(fd);
	return live;
}

int sr_capture_unpin_demand(const char *pin_dir, uint32_t keep)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *be, *le;
	DIR *d, *ld;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/v%d", pin_dir ? pin_dir : SR_DEFAULT_PIN_DIR,
	         SR_EVENTS_ABI_VERSION);
	d = sr_opendir_nofollow(dir);
	if (!d)
		return -errno;
	while ((be = readdir(d))) {
		if (be->d_name[0] == '.' || be->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, be->d_name);
		ld = sr_opendir_nofollow(path);
		if (!ld)
			continue;
		while ((le = readdir(ld))) {
			uint32_t demand;

			if (strncmp(le->d_name, "link_", 5))
				continue;
			demand = sr_progs_on_demand(le->d_name + 5);
			if (!demand || (demand & keep))
				continue;
			if (unlinkat(dirfd(ld), le->d_name, 0) == 0)
				n++;
		}
		closedir(ld);
	}
	closedir(d);
	return n;
}
