/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file capture_priv.h
 * @brief Internals shared by the files of recorder/capture/ (not installed).
 */
#ifndef SSHREC_CAPTURE_PRIV_H
#define SSHREC_CAPTURE_PRIV_H

#include <limits.h>

#include <bpf/libbpf.h>

#include "recorder/capture/capture.h"

struct sshrec_bpf;

/* ---- features.c ------------------------------------------------------ */

/** Kernel features a program row may need (bits of sr_features.have). */
enum sr_feature {
	SR_FEAT_TRACING = 1u << 0, /**< fentry/fexit load and attach (BPF trampolines) */
	SR_FEAT_LSM = 1u << 1,     /**< BPF LSM active: "bpf" in the LSM list, lsm/ attaches */
};

/** What the running kernel offers, probed once per process. */
struct sr_features {
	uint32_t have;         /**< enum sr_feature bits */
	char lsm_list[256];    /**< /sys/kernel/security/lsm, "" when unreadable */
	char why_tracing[160]; /**< why SR_FEAT_TRACING is missing */
	char why_lsm[400];     /**< why SR_FEAT_LSM is missing */
};

/** Probe (first call) or return the cached result. Never NULL. */
const struct sr_features *sr_features_get(void);

/**
 * Does the kernel have what the program in section @p sec attaches to
 * (a function in its BTF for fentry/fexit/lsm, a tracepoint in tracefs)?
 */
bool sr_features_target(const char *sec);

/* ---- progs.c --------------------------------------------------------- */

/** Per-program result of the selection. */
struct sr_slot {
	struct bpf_program *prog;
	const char *job; /* the first selected row's job */
	uint8_t cls;
	uint32_t demand; /* OR of its selected rows' demand (0: always) */
	bool always;     /* one of its rows is always attached */
	bool can_enforce;
	struct bpf_link *link;
	bool pinned; /* link pinned at <links dir>/link_<prog name> */
};

#define SR_MAX_SLOTS 128 /* the tracepoint backend has 40 file change programs */

/** The outcome of the selection. */
struct sr_selection {
	enum sr_backend backend;
	uint32_t tp_jobs; /* value of the sr_tp_jobs knob */
	bool policy_lsm;  /* the session policy's BPF LSM programs are taken (sr_policy_mech) */
	struct sr_slot slots[SR_MAX_SLOTS];
	int nslots;
	char gaps[512]; /* best-effort jobs not done, NUL-separated */
	size_t gaps_len;
};

/**
 * Choose the backend (forced, or the best the features allow), the programs
 * it runs, set autoload(false) on every other program of @p obj and the
 * knobs the selection implies.
 * @return 0, or -EOPNOTSUPP (logged with the reason) when nothing fits.
 */
int sr_progs_select(struct bpf_object *obj, enum sr_backend forced, struct sr_selection *sel);

/** The demand bits @p prog is attached for whatever backend runs it (0: always attached). */
uint32_t sr_progs_on_demand(const char *prog);

/* ---- pins.c ---------------------------------------------------------- */

/** Mount @p type (options @p opts, NULL none) on @p dir unless a filesystem with @p magic
 * is there. */
int sr_mount_if_missing(const char *dir, const char *type, long magic, const char *opts);

/** Create the pin directories of @p cap (pin dir, ABI dir, backend dir). */
int sr_pins_mkdirs(const struct sr_capture *cap);

/** Set the pin paths of the state maps; *reused is set when a pin already exists. */
int sr_pins_maps(struct sr_capture *cap, bool *reused);

/** <links dir>/link_<name> into @p buf. */
void sr_pins_link_path(const struct sr_capture *cap, const char *name, char *buf, size_t len);

/** Remove pins of other ABI versions, other backends, and links of unselected programs. */
void sr_pins_remove_stale(const struct sr_capture *cap);

/** Remove this instance's pins (maps, links dir, ABI dir, pin dir when empty). */
int sr_pins_remove_own(const struct sr_capture *cap);

/* ---- maps.c ---------------------------------------------------------- */

struct sr_capture;

/**
 * Map sess_hint (bpf/hint.h) after load. New with every other map: turned on
 * at once. Otherwise kept as it is, or, when it may miss entries (new next to
 * an older build's maps), counted and turned on once no session is left.
 */
int sr_hint_open(struct sr_capture *cap, bool pinned);

/** Unmap sess_hint. */
void sr_hint_close(struct sr_capture *cap);

/* ---- the handle ------------------------------------------------------ */

struct sr_capture {
	struct sshrec_bpf *skel;
	struct bpf_object *obj; /* skel->obj */
	bool pin;
	bool reused;
	char pin_dir[1024];
	char dir[1024 + 16];       /* pin_dir/v<ABI>: maps */
	char links_dir[1024 + 32]; /* dir/<backend>: links */
	struct sr_selection sel;
	uint32_t demand;      /* classes whose on-demand programs are attached */
	struct sr_hint *hint; /* sess_hint's value, mapped (maps.c) */
	size_t hint_len;
	bool hint_pinned; /* sess_hint was pinned before this instance */
	struct ring_buffer *rb;
	sr_capture_event_fn fn;
	void *fn_ctx;
};

/** Names of the state maps pinned across restarts (not scratch, not rodata). */
extern const char *const sr_pinned_maps[];
extern const size_t sr_npinned_maps;

#endif
