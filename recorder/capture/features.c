// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel feature probes, run once per process, cached and logged.
 *
 * A feature counts as present only when a trivial program of its kind loads
 * AND attaches: a kernel may know a program type and still refuse it (this
 * CI host answers EPERM to fentry and LSM programs), and BPF LSM programs
 * attach even when "bpf" is not in the active LSM list, where they would
 * never run. Attach targets are looked up in the kernel's BTF and tracefs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "log.h"
#include "recorder/capture/capture_priv.h"

#define SR_SECURITYFS_MAGIC 0x73636673
#define SR_TRACEFS_DIR      "/sys/kernel/tracing"

static struct sr_features feats;
static bool probed;
static struct btf *vmlinux; /* NULL: no kernel BTF */

/* The BTF id of function @name, or a negative errno. */
static int sr_btf_func(const char *name)
{
	if (!vmlinux)
		return -ENOENT;
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
}

/*
 * Load "return 0" as @type/@attach against @func and attach it; the reason of
 * a failure goes to @why. Detached and closed again at once.
 */
static bool sr_probe_attach(enum bpf_prog_type type, enum bpf_attach_type attach, const char *func,
                            char *why, size_t whylen)
{
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	int id = sr_btf_func(func), fd, link;

	if (id < 0) {
		snprintf(why, whylen, "%s is not in the kernel's BTF", func);
		return false;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = attach, .attach_btf_id = id);
	fd = bpf_prog_load(type, "sr_probe", "GPL", insns, 2, &o);
	if (fd < 0) {
		snprintf(why, whylen, "the kernel refuses to load such a program: %s",
		         strerror(errno));
		return false;
	}
	link = bpf_link_create(fd, 0, attach, NULL);
	if (link < 0)
		snprintf(why, whylen, "the kernel refuses to attach such a program: %s",
		         strerror(errno));
	else
		close(link);
	close(fd);
	return link >= 0;
}

static void sr_read_lsm_list(void)
{
	ssize_t n;
	int fd;

	sr_mount_if_missing("/sys/kernel/security", "securityfs", SR_SECURITYFS_MAGIC, NULL);
	fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, feats.lsm_list, sizeof(feats.lsm_list) - 1);
	close(fd);
	feats.lsm_list[n > 0 ? n : 0] = '\0';
	feats.lsm_list[strcspn(feats.lsm_list, "\n")] = '\0';
}

/* Is "bpf" one of the comma-separated names of the active LSM list? */
static bool sr_lsm_has_bpf(void)
{
	const char *p = feats.lsm_list;
	size_t n;

	while (*p) {
		n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "bpf", 3))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

const struct sr_features *sr_features_get(void)
{
	if (probed)
		return &feats;
	probed = true;
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		vmlinux = NULL; /* libbpf returns NULL with errno set */
	if (sr_probe_attach(BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, "do_filp_open",
	                    feats.why_tracing, sizeof(feats.why_tracing)))
		feats.have |= SR_FEAT_TRACING;
	sr_read_lsm_list();
	if (!sr_lsm_has_bpf())
		snprintf(feats.why_lsm, sizeof(feats.why_lsm),
		         "BPF LSM is not active (active LSMs: %s): add bpf to the kernel's lsm= "
		         "boot parameter (CONFIG_BPF_LSM=y is needed)",
		         feats.lsm_list[0] ? feats.lsm_list : "unknown");
	else if (sr_probe_attach(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open", feats.why_lsm,
	                         sizeof(feats.why_lsm)))
		feats.have |= SR_FEAT_LSM;
	sr_info("capture: kernel features: fentry %s%s%s, BPF LSM %s%s%s",
	        feats.have & SR_FEAT_TRACING ? "yes" : "no (",
	        feats.have & SR_FEAT_TRACING ? "" : feats.why_tracing,
	        feats.have & SR_FEAT_TRACING ? "" : ")", feats.have & SR_FEAT_LSM ? "yes" : "no (",
	        feats.have & SR_FEAT_LSM ? "" : feats.why_lsm, feats.have & SR_FEAT_LSM ? "" : ")");
	return &feats;
}

bool sr_features_target(const char *sec)
{
	char path[512], name[256];
	const char *t;

	if ((t = strchr(sec, '/')) == NULL)
		return false;
	t++;
	if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
		return sr_btf_func(t) >= 0;
	if (!strncmp(sec, "lsm/", 4)) {
		snprintf(name, sizeof(name), "bpf_lsm_%s", t);
		return sr_btf_func(name) >= 0;
	}
	if (!strncmp(sec, "tp/", 3)) {
		snprintf(path, sizeof(path), SR_TRACEFS_DIR "/events/%s", t);
		return access(path, F_OK) == 0;
	}
	if (!strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "raw_tp/", 7)) {
		if (!vmlinux)
			return false;
		snprintf(name, sizeof(name), "btf_trace_%s", t);
		return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0;
	}
	return false;
}
