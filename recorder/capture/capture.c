// SPDX-License-Identifier: BSD-2-Clause
/*
 * The capture's lifecycle: open -> probe -> select -> configure -> load ->
 * attach, the links of the selected programs, and on-demand attachment.
 * See capture.h for the contract.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/policy.h"
#include "bpf/sshrec.skel.h"
#include "log.h"
#include "paths.h"
#include "recorder/capture/capture_priv.h"

#define SR_BPF_FS_MAGIC  0xcafe4a11
#define SR_TRACEFS_MAGIC 0x74726163

__attribute__((format(printf, 2, 0))) static int sr_libbpf_print(enum libbpf_print_level level,
                                                                 const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		sr_vlog(LOG_WARNING, fmt, ap);
	else if (level == LIBBPF_INFO)
		sr_vlog(LOG_DEBUG, fmt, ap);
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

/* ---- links ---------------------------------------------------------------- */

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
		sr_err("capture: attach %s (%s): %s", bpf_program__name(s->prog),
		       bpf_program__section_name(s->prog), strerror(-err));
		return err;
	}
	if (cap->pin) {
		sr_pins_link_path(cap, bpf_program__name(s->prog), path, sizeof(path));
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
		sr_pins_link_path(cap, bpf_program__name(s->prog), path, sizeof(path));
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

	sr_pins_link_path(cap, bpf_program__name(s->prog), path, sizeof(path));
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
	/*
	 * Adopted only when it runs this build's program with these maps: a
	 * sess_hint created now is not the one it reads (its build had none,
	 * or the pin was removed).
	 */
	if (cap->hint_pinned && sr_link_runs(old, s->prog)) {
		s->link = old;
		s->pinned = true;
		return 1;
	}
	sr_info("capture: %s runs another build: replacing it", path);
	err = sr_slot_attach(cap, s); /* unlinks the old pin, pins ours */
	bpf_link__destroy(old);       /* last reference gone: the old program detaches */
	return err ? err : 1;
}

static bool sr_slot_wanted(const struct sr_slot *s, uint32_t demand)
{
	return !s->demand || (s->demand & demand);
}

static int sr_capture_attach(struct sr_capture *cap, uint32_t demand)
{
	int i, err;

	/* Pinned links first: what was capturing keeps capturing. */
	for (i = 0; cap->pin && i < cap->sel.nslots; i++) {
		err = sr_slot_adopt(cap, &cap->sel.slots[i]);
		if (err < 0)
			return err;
		if (err)
			demand |= cap->sel.slots[i].demand;
	}
	for (i = 0; i < cap->sel.nslots; i++) {
		if (!sr_slot_wanted(&cap->sel.slots[i], demand))
			continue;
		err = sr_slot_attach(cap, &cap->sel.slots[i]);
		if (err)
			return err;
	}
	cap->demand = demand & sr_capture_demand_classes(cap);
	return 0;
}

int sr_capture_set_demand(struct sr_capture *cap, uint32_t classes)
{
	int i, err;

	for (i = 0; i < cap->sel.nslots; i++) {
		struct sr_slot *s = &cap->sel.slots[i];
		bool want = sr_slot_wanted(s, classes);

		if (want && !s->link) {
			err = sr_slot_attach(cap, s);
			if (err)
				return err;
		} else if (!want && s->link) {
			sr_slot_detach(cap, s);
		}
	}
	cap->demand = classes & sr_capture_demand_classes(cap);
	return 0;
}

uint32_t sr_capture_demand(const struct sr_capture *cap)
{
	return cap->demand;
}

uint32_t sr_capture_demand_classes(const struct sr_capture *cap)
{
	uint32_t m = 0;
	int i;

	for (i = 0; i < cap->sel.nslots; i++)
		m |= cap->sel.slots[i].demand;
	return m;
}

/* ---- lifecycle ------------------------------------------------------------ */

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
	char path[PATH_MAX];
	uint32_t size, pinned;
	int err, ncpu;

	cap->skel->rodata->sr_argv_cap =
	    o->argv_cap && o->argv_cap < SR_ARGV_CAP ? o->argv_cap : SR_ARGV_CAP;
	cap->skel->rodata->sr_wakeup_bytes = o->wakeup_bytes;
	cap->skel->rodata->sr_tp_jobs = cap->sel.tp_jobs;
	cap->skel->rodata->sr_policy_mech =
	    cap->sel.policy_lsm ? SR_POLICY_MECH_LSM : SR_POLICY_MECH_SIGNAL;
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
		err = sr_pins_maps(cap, &cap->reused);
		if (err)
			return err;
	}
	return bpf_map__set_max_entries(cap->skel->maps.events, size);
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
	cap->skel = sshrec_bpf__open();
	if (!cap->skel) {
		err = -errno;
		sr_err("capture: cannot open the BPF skeleton: %s", strerror(-err));
		goto cleanup;
	}
	cap->obj = cap->skel->obj;
	err = sr_progs_select(cap->obj, o->backend, &cap->sel);
	if (err)
		goto cleanup;
	snprintf(cap->links_dir, sizeof(cap->links_dir), "%s/%s", cap->dir,
	         sr_backend_name(cap->sel.backend));
	if (cap->pin && (err = sr_pins_mkdirs(cap)))
		goto cleanup;
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
	err = sr_hint_open(cap, cap->hint_pinned);
	if (err)
		goto cleanup;
	err = sr_capture_attach(cap, o->demand);
	if (err)
		goto cleanup;
	if (cap->pin)
		sr_pins_remove_stale(cap);
	sr_info("capture: %s on backend %s, ring buffer %u bytes%s",
	        cap->reused ? "reattached to pins" : "loaded", sr_backend_name(cap->sel.backend),
	        sr_capture_ringbuf_size(cap), cap->pin ? "" : " (not pinned)");
	*out = cap;
	return 0;

cleanup:
	/* Keep whatever pins a previous instance left: it may still be capturing. */
	sr_capture_close(cap);
	return err;
}

int sr_capture_policy_mech(const struct sr_capture *cap)
{
	return cap->sel.policy_lsm ? SR_POLICY_MECH_LSM : SR_POLICY_MECH_SIGNAL;
}

int sr_capture_map_fd(const struct sr_capture *cap, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(cap->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

bool sr_capture_reused(const struct sr_capture *cap)
{
	return cap->reused;
}

enum sr_backend sr_capture_backend(const struct sr_capture *cap)
{
	return cap->sel.backend;
}

int sr_capture_progs(const struct sr_capture *cap,
                     int (*fn)(void *ctx, const struct sr_capture_prog *p), void *ctx)
{
	int i;

	for (i = 0; i < cap->sel.nslots; i++) {
		const struct sr_slot *s = &cap->sel.slots[i];
		struct sr_capture_prog p = {
		    .name = bpf_program__name(s->prog),
		    .hook = bpf_program__section_name(s->prog),
		    .job = s->job,
		    .cls = s->cls,
		    .demand = s->demand,
		    .attached = s->link != NULL,
		    .can_enforce = s->can_enforce,
		};

		if (fn(ctx, &p))
			return i + 1;
	}
	return i;
}

const char *sr_capture_gaps(const struct sr_capture *cap)
{
	return cap->sel.gaps;
}

void sr_capture_close(struct sr_capture *cap)
{
	int i;

	if (!cap)
		return;
	ring_buffer__free(cap->rb);
	sr_hint_close(cap);
	for (i = 0; i < cap->sel.nslots; i++) {
		struct sr_slot *s = &cap->sel.slots[i];

		if (!s->link)
			continue;
		if (s->pinned) {
			/* keep it attached through its pin; a disconnected link's fd is not
			 * closed by libbpf, and it would keep the link alive past its pin */
			bpf_link__disconnect(s->link);
			close(bpf_link__fd(s->link));
		}
		bpf_link__destroy(s->link);
	}
	sshrec_bpf__destroy(cap->skel);
	free(cap);
}

int sr_capture_destroy(struct sr_capture *cap)
{
	int i, err = 0;

	if (!cap)
		return 0;
	for (i = 0; i < cap->sel.nslots; i++)
		if (cap->sel.slots[i].link)
			sr_slot_detach(cap, &cap->sel.slots[i]);
	if (cap->pin)
		err = sr_pins_remove_own(cap);
	sr_capture_close(cap);
	return err;
}
