// SPDX-License-Identifier: BSD-2-Clause
/*
 * The ring buffer: its fd and size for the daemon's own consumer, and a
 * libbpf consumer for tests and benchmarks. See capture.h for the contract.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/sshrec.skel.h"
#include "log.h"
#include "recorder/capture/capture_priv.h"

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
