// SPDX-License-Identifier: BSD-2-Clause
/* Loader of the kernel capture: see capture.h for the contract. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "recorder/capture.h"
#include "bpf/sshrec.skel.h"
#include "log.h"
#include "paths.h"

#define SR_BPF_FS_MAGIC  0xcafe4a11
#define SR_TRACEFS_MAGIC 0x74726163
#define SR_MAX_PROGS     32

/* Which switch a program belongs to: core ones are always attached. */
enum sr_group {
	SR_GRP_CORE = 0,
	SR_GRP_DISK = 1,   /* open family syscall tracepoints */
	SR_GRP_EXEC = 2,   /* execve/execveat syscall tracepoints (failed execs) */
	SR_GRP_COMPAT = 3, /* raw syscall tracepoints for 32-bit tasks */
};

struct sr_slot {
	struct bpf_program *prog;
	enum sr_group group;
	struct bpf_link *link;
	bool pinned; /* link pinned at <dir>/link_<prog name> */
};

struct sr_capture {
	struct sshrec_bpf *skel;
	bool pin;
	bool reused;
	char pin_dir[1024];
	char dir[1024 + 16]; /* pin_dir/v<ABI> */
	struct sr_slot slots[SR_MAX_PROGS];
	int nslots;
	struct ring_buffer *rb;
	sr_capture_event_fn fn;
	void *fn_ctx;
};

/* State maps pinned across daemon restarts (not scratch, not rodata). */
static const char *const sr_pinned_maps[] = {
    "sess_cgroup",
    "sess_audit",
    "sess_task",
    "session_cfg",
    "session_lost",
    "session_lost_ack",
    "events",
    "open_stash",
    "exec_stash",
    "connect_park",
    /* the policy (bpf/enforce.bpf.h): a session's rules hold while sshrecd restarts */
    "policy_sess",
    "policy_exec",
    "policy_write",
    "policy_net",
    "policy_stats",
};

static int sr_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		sr_vlog(LOG_WARNING, fmt, ap);
	else if (level == LIBBPF_INFO)
		sr_vlog(LOG_DEBUG, fmt, ap);
	return 0;
}

static int sr_mount_if_missing(const char *dir, const char *type, long magic, const char *opts)
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

int sr_capture_mount_fs(void)
{
	/* bpffs defaults to 1777: anyone could create our pin directory first */
	int err = sr_mount_if_missing("/sys/fs/bpf", "bpf", SR_BPF_FS_MAGIC, "mode=0700");

	if (err)
		return err;
	return sr_mount_if_missing("/sys/kernel/tracing", "tracefs", SR_TRACEFS_MAGIC, NULL);
}

static enum sr_group sr_group_of(const char *name)
{
	if (!strncmp(name, "sr_compat_", 10))
		return SR_GRP_COMPAT;
	if (!strncmp(name, "sr_enter_exec", 13) || !strncmp(name, "sr_exit_exec", 12))
		return SR_GRP_EXEC;
	if (!strncmp(name, "sr_enter_", 9) || !strncmp(name, "sr_exit_", 8))
		return strcmp(name, "sr_exit") ? SR_GRP_DISK : SR_GRP_CORE;
	return SR_GRP_CORE;
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

static void sr_link_path(const struct sr_capture *cap, const struct sr_slot *s, char *buf,
                         size_t len)
{
	snprintf(buf, len, "%s/link_%s", cap->dir, bpf_program__name(s->prog));
}

/* The tag (hash of the instructions) of a program, by fd. */
static int sr_prog_tag(int prog_fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

/* Does the pinned link run exactly this build's program? */
static bool sr_link_runs(struct bpf_link *link, struct bpf_program *prog)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	__u8 old[BPF_TAG_SIZE], cur[BPF_TAG_SIZE];
	int fd, err;

	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &li, &len))
		return false;
	fd = bpf_prog_get_fd_by_id(li.prog_id);
	if (fd < 0)
		return false;
	err = sr_prog_tag(fd, old);
	close(fd);
	if (err || sr_prog_tag(bpf_program__fd(prog), cur))
		return false;
	return !memcmp(old, cur, BPF_TAG_SIZE);
}

static int sr_slot_attach(struct sr_capture *cap, struct sr_slot *s)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int err;

	if (s->link)
		return 0;
	link = bpf_program__attach(s->prog);
	if (!link) {
		err = -errno;
		sr_err("capture: attach %s: %s", bpf_program__name(s->prog), strerror(-err));
		return err;
	}
	if (cap->pin) {
		sr_link_path(cap, s, path, sizeof(path));
		unlink(path); /* a stale pin of another program */
		err = bpf_link__pin(link, path);
		if (err) {
			sr_err("capture: pin %s: %s", path, strerror(-err));
			bpf_link__destroy(link);
			return err;
		}
		s->pinned = true;
	}
	s->link = link;
	return 0;
}

static void sr_slot_detach(struct sr_capture *cap, struct sr_slot *s)
{
	char path[PATH_MAX];

	if (s->pinned) {
		sr_link_path(cap, s, path, sizeof(path));
		if (unlink(path) < 0 && errno != ENOENT)
			sr_warn("capture: unlink %s: %s", path, strerror(errno));
		s->pinned = false;
	}
	bpf_link__destroy(s->link);
	s->link = NULL;
}

/*
 * Take over a pinned link of this slot if there is one. A link running
 * another build's program is replaced: attach ours first, then drop the
 * old one, so there is no gap (at worst a duplicate for an instant).
 * Returns 1 when the slot is now attached, 0 when there was no pin.
 */
static int sr_slot_adopt(struct sr_capture *cap, struct sr_slot *s)
{
	char path[PATH_MAX];
	struct bpf_link *old;
	int err;

	sr_link_path(cap, s, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return 0;
	old = bpf_link__open(path);
	if (!old) {
		sr_warn("capture: cannot open pinned link %s (%s): replacing it", path,
		        strerror(errno));
		unlink(path);
		err = sr_slot_attach(cap, s);
		return err ? err : 1;
	}
	if (sr_link_runs(old, s->prog)) {
		s->link = old;
		s->pinned = true;
		return 1;
	}
	sr_info("capture: %s runs another build: replacing it", path);
	err = sr_slot_attach(cap, s); /* unlinks the old pin, pins ours */
	bpf_link__destroy(old);       /* last reference gone: the old program detaches */
	return err ? err : 1;
}

static bool sr_group_wanted(enum sr_group g, bool disk, bool exec)
{
	switch (g) {
	case SR_GRP_CORE:
		return true;
	case SR_GRP_DISK:
		return disk;
	case SR_GRP_EXEC:
		return exec;
	case SR_GRP_COMPAT:
		return disk || exec;
	}
	return false;
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
		return -ELOOP; /* bpffs pins nest one level; this is not ours */
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

/*
 * Remove every entry "v<N>" of @p pin_dir but @p keep (NULL: all of them).
 * Returns 0 or the first -errno.
 */
static int sr_rm_versions(const char *pin_dir, const char *keep)
{
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d))) {
		int e;

		if (de->d_name[0] != 'v' || (keep && !strcmp(de->d_name, keep)))
			continue;
		if (keep)
			sr_warn("capture: removing pins of another ABI version: %s/%s", pin_dir,
			        de->d_name);
		e = sr_rm_at(dirfd(d), de->d_name, 0);
		if (e) {
			sr_warn("capture: cannot remove %s/%s: %s", pin_dir, de->d_name,
			        strerror(-e));
			if (!err)
				err = e;
		}
	}
	closedir(d);
	return err;
}

/* Remove pins of other ABI versions ("v<N>" other than ours). */
static void sr_remove_other_versions(const struct sr_capture *cap)
{
	char mine[16];

	snprintf(mine, sizeof(mine), "v%d", SR_EVENTS_ABI_VERSION);
	sr_rm_versions(cap->pin_dir, mine);
}

int sr_capture_unpin(const char *pin_dir)
{
	int err;

	if (!pin_dir)
		pin_dir = SR_DEFAULT_PIN_DIR;
	err = sr_pin_dir_check(pin_dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	if (sr_rm_versions(pin_dir, NULL))
		err = -EBUSY;
	if (rmdir(pin_dir) < 0 && errno != ENOTEMPTY && errno != ENOENT && !err)
		err = -errno;
	return err;
}

static uint32_t sr_pow2(uint32_t v)
{
	uint32_t p = 4096;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

/* max_entries of a pinned ring buffer, or 0 when there is none. */
static uint32_t sr_pinned_ringbuf_size(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

static int sr_capture_configure(struct sr_capture *cap, const struct sr_capture_opts *o)
{
	struct bpf_object *obj = cap->skel->obj;
	char path[PATH_MAX];
	uint32_t size, pinned;
	struct bpf_map *map;
	size_t i;
	int err, ncpu;

	cap->skel->rodata->sr_argv_cap =
	    o->argv_cap && o->argv_cap < SR_ARGV_CAP ? o->argv_cap : SR_ARGV_CAP;
	cap->skel->rodata->sr_wakeup_bytes = o->wakeup_bytes;
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		sr_err("capture: cannot count CPUs: %s", strerror(-ncpu));
		return ncpu ? ncpu : -EINVAL;
	}
	err = bpf_map__set_max_entries(cap->skel->maps.scratch, ncpu);
	if (err)
		return err;
	size = sr_pow2(o->ringbuf_size ? o->ringbuf_size : SR_CAPTURE_RINGBUF_DEFAULT);
	if (cap->pin) {
		snprintf(path, sizeof(path), "%s/events", cap->dir);
		pinned = sr_pinned_ringbuf_size(path);
		if (pinned && pinned != size) {
			sr_warn("capture: reusing the pinned ring buffer of %u bytes (asked %u)",
			        pinned, size);
			size = pinned;
		}
		for (i = 0; i < sizeof(sr_pinned_maps) / sizeof(sr_pinned_maps[0]); i++) {
			map = bpf_object__find_map_by_name(obj, sr_pinned_maps[i]);
			if (!map) {
				sr_err("capture: map %s missing from the BPF object",
				       sr_pinned_maps[i]);
				return -ENOENT;
			}
			snprintf(path, sizeof(path), "%s/%s", cap->dir, sr_pinned_maps[i]);
			if (access(path, F_OK) == 0)
				cap->reused = true;
			err = bpf_map__set_pin_path(map, path);
			if (err)
				return err;
		}
	}
	return bpf_map__set_max_entries(cap->skel->maps.events, size);
}

static int sr_capture_attach(struct sr_capture *cap, const struct sr_capture_opts *o)
{
	bool disk = o->need_disk, exec = o->need_failed_exec;
	struct bpf_program *prog;
	int i, err;

	bpf_object__for_each_program(prog, cap->skel->obj)
	{
		if (cap->nslots == SR_MAX_PROGS)
			return -E2BIG;
		cap->slots[cap->nslots].prog = prog;
		cap->slots[cap->nslots].group = sr_group_of(bpf_program__name(prog));
		cap->nslots++;
	}
	/* Pinned links first: what was capturing keeps capturing. */
	for (i = 0; cap->pin && i < cap->nslots; i++) {
		err = sr_slot_adopt(cap, &cap->slots[i]);
		if (err < 0)
			return err;
		if (err && cap->slots[i].group == SR_GRP_DISK)
			disk = true;
		if (err && cap->slots[i].group == SR_GRP_EXEC)
			exec = true;
	}
	for (i = 0; i < cap->nslots; i++) {
		if (!sr_group_wanted(cap->slots[i].group, disk, exec))
			continue;
		err = sr_slot_attach(cap, &cap->slots[i]);
		if (err)
			return err;
	}
	return 0;
}

int sr_capture_open(const struct sr_capture_opts *opts, struct sr_capture **out)
{
	struct sr_capture_opts defaults = {.pin = true};
	const struct sr_capture_opts *o = opts ? opts : &defaults;
	struct sr_capture *cap;
	int err;

	*out = NULL;
	libbpf_set_print(sr_libbpf_print);
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return -ENOMEM;
	cap->pin = o->pin;
	if (o->pin_dir && strlen(o->pin_dir) >= sizeof(cap->pin_dir)) {
		sr_err("capture: pin directory name too long");
		free(cap);
		return -ENAMETOOLONG;
	}
	snprintf(cap->pin_dir, sizeof(cap->pin_dir), "%s",
	         o->pin_dir ? o->pin_dir : SR_DEFAULT_PIN_DIR);
	snprintf(cap->dir, sizeof(cap->dir), "%s/v%d", cap->pin_dir, SR_EVENTS_ABI_VERSION);

	err = cap->pin
	          ? sr_capture_mount_fs()
	          : sr_mount_if_missing("/sys/kernel/tracing", "tracefs", SR_TRACEFS_MAGIC, NULL);
	if (err)
		goto cleanup;
	if (cap->pin) {
		err = sr_mkdir(cap->pin_dir);
		if (err)
			goto cleanup;
		err = sr_mkdir(cap->dir);
		if (err)
			goto cleanup;
	}

	cap->skel = sshrec_bpf__open();
	if (!cap->skel) {
		err = -errno;
		sr_err("capture: cannot open the BPF skeleton: %s", strerror(-err));
		goto cleanup;
	}
	err = sr_capture_configure(cap, o);
	if (err) {
		sr_err("capture: cannot configure the BPF object: %s", strerror(-err));
		goto cleanup;
	}
	err = sshrec_bpf__load(cap->skel);
	if (err) {
		sr_err("capture: cannot load the BPF programs: %s%s", strerror(-err),
		       cap->reused ? " (pinned maps incompatible? run sshrecd --unpin)" : "");
		goto cleanup;
	}
	err = sr_capture_attach(cap, o);
	if (err)
		goto cleanup;
	if (cap->pin)
		sr_remove_other_versions(cap);
	sr_info("capture: %s, ring buffer %u bytes%s",
	        cap->reused ? "reattached to pins" : "loaded", sr_capture_ringbuf_size(cap),
	        cap->pin ? "" : " (not pinned)");
	*out = cap;
	return 0;

cleanup:
	/* Keep whatever pins a previous instance left: it may still be capturing. */
	sr_capture_close(cap);
	return err;
}

int sr_capture_map_fd(const struct sr_capture *cap, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(cap->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

bool sr_capture_reused(const struct sr_capture *cap)
{
	return cap->reused;
}

void sr_capture_close(struct sr_capture *cap)
{
	int i;

	if (!cap)
		return;
	ring_buffer__free(cap->rb);
	for (i = 0; i < cap->nslots; i++) {
		struct sr_slot *s = &cap->slots[i];

		if (!s->link)
			continue;
		if (s->pinned)
			bpf_link__disconnect(s->link); /* keep it attached through its pin */
		bpf_link__destroy(s->link);
	}
	sshrec_bpf__destroy(cap->skel);
	free(cap);
}

int sr_capture_destroy(struct sr_capture *cap)
{
	char path[PATH_MAX];
	size_t i;
	int err = 0;

	if (!cap)
		return 0;
	for (i = 0; i < (size_t)cap->nslots; i++)
		if (cap->slots[i].link)
			sr_slot_detach(cap, &cap->slots[i]);
	if (cap->pin) {
		for (i = 0; i < sizeof(sr_pinned_maps) / sizeof(sr_pinned_maps[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", cap->dir, sr_pinned_maps[i]);
			if (unlink(path) < 0 && errno != ENOENT && !err) {
				err = -errno;
				sr_warn("capture: unlink %s: %s", path, strerror(errno));
			}
		}
		if (rmdir(cap->dir) < 0 && errno != ENOENT && !err) {
			err = -errno;
			sr_warn("capture: rmdir %s: %s", cap->dir, strerror(errno));
		}
		rmdir(cap->pin_dir); /* other versions' pins may remain: ENOTEMPTY is fine */
	}
	sr_capture_close(cap);
	return err;
}

/* ---- sessions ------------------------------------------------------------ */

static int sr_update(struct bpf_map *map, const void *key, size_t ksz, const void *val, size_t vsz,
                     __u64 flags)
{
	int err = bpf_map__update_elem(map, key, ksz, val, vsz, flags);

	if (err)
		sr_err("capture: update of map %s: %s", bpf_map__name(map), strerror(-err));
	return err;
}

int sr_capture_session_add(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id,
                           uint32_t audit_sid, uint32_t classes, uint32_t flags)
{
	struct sr_session_cfg cfg = {.classes = classes, .flags = flags, .cgroup_id = cgroup_id};
	struct sr_session_lost zero = {};
	struct sshrec_bpf *sk = cap->skel;
	int err;

	/* Configuration and counters first: the filter entries make it live. */
	err = sr_update(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), BPF_ANY);
	if (err)
		return err;
	bpf_map__update_elem(sk->maps.session_lost, &session_key, 8, &zero, sizeof(zero),
	                     BPF_NOEXIST);
	bpf_map__update_elem(sk->maps.session_lost_ack, &session_key, 8, &zero, sizeof(zero),
	                     BPF_NOEXIST);
	if (cgroup_id) {
		err = sr_update(sk->maps.sess_cgroup, &cgroup_id, 8, &session_key, 8, BPF_ANY);
		if (err)
			return err;
	}
	if (audit_sid != 0xffffffffu) {
		err = sr_update(sk->maps.sess_audit, &audit_sid, 4, &session_key, 8, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

/* The keys (@ksz bytes, at most 8) of @map whose 8-byte value is @session_key (malloc'd). */
static size_t sr_keys_by_value(struct bpf_map *map, size_t ksz, uint64_t session_key,
                               uint64_t **out)
{
	uint64_t key = 0, next = 0, val;
	uint64_t *keys = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map__get_next_key(map, prev, &next, ksz)) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, ksz, &val, 8, 0) || val != session_key)
			continue;
		if (n == cap) {
			uint64_t *k = realloc(keys, (cap = cap ? 2 * cap : 64) * sizeof(*keys));

			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key;
	}
	*out = keys;
	return n;
}

/* Delete every entry of @map whose 8-byte value is @session_key. */
static void sr_delete_by_value(struct bpf_map *map, size_t ksz, uint64_t session_key)
{
	uint64_t *keys;
	size_t n = sr_keys_by_value(map, ksz, session_key, &keys), i;

	for (i = 0; i < n; i++)
		bpf_map__delete_elem(map, &keys[i], ksz, 0);
	free(keys);
}

int sr_capture_session_tasks(struct sr_capture *cap, uint64_t session_key)
{
	struct bpf_map *map = cap->skel->maps.sess_task;
	uint64_t *keys;
	size_t n = sr_keys_by_value(map, 4, session_key, &keys), i;
	int live = 0;

	for (i = 0; i < n; i++) {
		uint32_t tgid = (uint32_t)keys[i];

		/* an entry whose process is gone (its exit was not seen) is stale */
		if (kill((pid_t)tgid, 0) == 0 || errno == EPERM)
			live++;
		else
			bpf_map__delete_elem(map, &tgid, 4, 0);
	}
	free(keys);
	return live;
}

int sr_capture_session_remove(struct sr_capture *cap, uint64_t session_key)
{
	struct sshrec_bpf *sk = cap->skel;
	struct sr_session_cfg cfg;

	if (bpf_map__lookup_elem(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	/* Filter entries first, so nothing new is attributed while we clean up. */
	sr_delete_by_value(sk->maps.sess_cgroup, 8, session_key);
	sr_delete_by_value(sk->maps.sess_audit, 4, session_key);
	sr_delete_by_value(sk->maps.sess_task, 4, session_key);
	bpf_map__delete_elem(sk->maps.session_cfg, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost, &session_key, 8, 0);
	bpf_map__delete_elem(sk->maps.session_lost_ack, &session_key, 8, 0);
	return 0;
}

int sr_capture_session_set_classes(struct sr_capture *cap, uint64_t session_key, uint32_t classes,
                                   uint32_t flags)
{
	struct bpf_map *map = cap->skel->maps.session_cfg;
	struct sr_session_cfg cfg;

	if (bpf_map__lookup_elem(map, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	cfg.classes = classes;
	cfg.flags = flags;
	return sr_update(map, &session_key, 8, &cfg, sizeof(cfg), BPF_EXIST);
}

int sr_capture_session_set_cgroup(struct sr_capture *cap, uint64_t session_key, uint64_t cgroup_id)
{
	struct sshrec_bpf *sk = cap->skel;
	struct sr_session_cfg cfg;
	uint64_t old;
	int err;

	if (bpf_map__lookup_elem(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), 0))
		return -ENOENT;
	old = cfg.cgroup_id;
	/* the new cgroup first: the session's tasks are recorded all along */
	err = sr_update(sk->maps.sess_cgroup, &cgroup_id, 8, &session_key, 8, BPF_ANY);
	if (err)
		return err;
	cfg.cgroup_id = cgroup_id;
	err = sr_update(sk->maps.session_cfg, &session_key, 8, &cfg, sizeof(cfg), BPF_EXIST);
	if (err)
		return err;
	if (old && old != cgroup_id)
		bpf_map__delete_elem(sk->maps.sess_cgroup, &old, 8, 0);
	return 0;
}

int sr_capture_task_add(struct sr_capture *cap, pid_t tgid, uint64_t session_key)
{
	uint32_t k = (uint32_t)tgid;

	if (tgid <= 0)
		return -EINVAL;
	return sr_update(cap->skel->maps.sess_task, &k, 4, &session_key, 8, BPF_ANY);
}

int sr_capture_task_remove(struct sr_capture *cap, pid_t tgid)
{
	uint32_t k = (uint32_t)tgid;

	return bpf_map__delete_elem(cap->skel->maps.sess_task, &k, 4, 0) ? -ENOENT : 0;
}

int sr_capture_lost_read(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *total)
{
	if (bpf_map__lookup_elem(cap->skel->maps.session_lost, &session_key, 8, total,
	                         sizeof(*total), 0))
		return -ENOENT;
	return 0;
}

int sr_capture_lost_take(struct sr_capture *cap, uint64_t session_key,
                         struct sr_session_lost *delta)
{
	struct sr_session_lost total, ack = {};
	bool any = false;
	int i, err;

	memset(delta, 0, sizeof(*delta));
	err = sr_capture_lost_read(cap, session_key, &total);
	if (err)
		return err;
	bpf_map__lookup_elem(cap->skel->maps.session_lost_ack, &session_key, 8, &ack, sizeof(ack),
	                     0);
	for (i = 0; i < SR_CLASS_MAX; i++) {
		delta->lost[i] = total.lost[i] - ack.lost[i];
		any |= delta->lost[i] != 0;
	}
	if (!any)
		return 0;
	err = sr_update(cap->skel->maps.session_lost_ack, &session_key, 8, &total, sizeof(total),
	                BPF_ANY);
	return err ? err : 1;
}

/* ---- syscall tracepoints ------------------------------------------------- */

int sr_capture_set_syscall_classes(struct sr_capture *cap, bool need_disk, bool need_failed_exec)
{
	int i, err;

	for (i = 0; i < cap->nslots; i++) {
		struct sr_slot *s = &cap->slots[i];
		bool want = sr_group_wanted(s->group, need_disk, need_failed_exec);

		if (want && !s->link) {
			err = sr_slot_attach(cap, s);
			if (err)
				return err;
		} else if (!want && s->link) {
			sr_slot_detach(cap, s);
		}
	}
	return 0;
}

/* ---- ring buffer --------------------------------------------------------- */

int sr_capture_ringbuf_fd(const struct sr_capture *cap)
{
	return bpf_map__fd(cap->skel->maps.events);
}

uint32_t sr_capture_ringbuf_size(const struct sr_capture *cap)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(sr_capture_ringbuf_fd(cap), &info, &len))
		return bpf_map__max_entries(cap->skel->maps.events);
	return info.max_entries;
}

static int sr_rb_trampoline(void *ctx, void *data, size_t size)
{
	struct sr_capture *cap = ctx;

	return cap->fn(cap->fn_ctx, data, size);
}

int sr_capture_poll(struct sr_capture *cap, int timeout_ms, sr_capture_event_fn fn, void *ctx)
{
	int n;

	cap->fn = fn;
	cap->fn_ctx = ctx;
	if (!cap->rb) {
		cap->rb = ring_buffer__new(sr_capture_ringbuf_fd(cap), sr_rb_trampoline, cap, NULL);
		if (!cap->rb) {
			n = -errno;
			sr_err("capture: ring buffer consumer: %s", strerror(-n));
			return n;
		}
	}
	n = ring_buffer__poll(cap->rb, timeout_ms);
	if (n == 0) /* timed out: records may be waiting without a wakeup (wakeup_bytes) */
		n = ring_buffer__consume(cap->rb);
	if (n == -EINTR)
		return 0;
	return n;
}
