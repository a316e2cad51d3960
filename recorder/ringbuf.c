/* SPDX-License-Identifier: BSD-2-Clause */
/* BPF ring buffer consumer with an explicit commit (see ringbuf.h). */
#include "recorder/ringbuf.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

/* The kernel's id of map @p fd, 0 when it cannot be read. */
static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/*
 * The record header at position @p p: its length word (with the DISCARD
 * bit) in @p len, and the position of the next record. Returns false while
 * the producer is still writing it (BUSY), and for a length larger than the
 * ring (which only a corrupt ring can hold: reading it would run past the
 * mapping, so reading stops there for good, said once).
 */
static bool record_at(struct sr_ringbuf *rb, uint64_t p, uint32_t *len, uint64_t *next)
{
	uint32_t l =
	    __atomic_load_n((const uint32_t *)(rb->data + (p & rb->mask)), __ATOMIC_ACQUIRE);

	if (l & BPF_RINGBUF_BUSY_BIT)
		return false;
	if ((l & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT) > rb->mask + 1 - BPF_RINGBUF_HDR_SZ) {
		if (!rb->corrupt)
			sr_err(
			    "ring buffer: a record of %u bytes at position %llu does not fit the "
			    "ring: corrupt, reading stops",
			    l & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT, (unsigned long long)p);
		rb->corrupt = true;
		return false;
	}
	*len = l;
	*next = p + (((l & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7u);
	return true;
}

int sr_ringbuf_open(struct sr_ringbuf *rb, int fd, uint32_t size)
{
	void *p;

	memset(rb, 0, sizeof(*rb));
	if (!size || (size & (size - 1)))
		return -EINVAL;
	rb->fd = fd;
	rb->page = (size_t)sysconf(_SC_PAGESIZE);
	rb->mask = size - 1;
	p = mmap(NULL, rb->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		sr_err("ring buffer: mmap of the consumer page: %s", strerror(-err));
		return err;
	}
	rb->consumer_pos = p;
	/* producer page, then the data pages mapped twice: read-only for us */
	rb->data_map_len = rb->page + 2 * (size_t)size;
	p = mmap(NULL, rb->data_map_len, PROT_READ, MAP_SHARED, fd, (off_t)rb->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		sr_err("ring buffer: mmap of the data pages: %s", strerror(-err));
		munmap(rb->consumer_pos, rb->page);
		rb->consumer_pos = NULL;
		return err;
	}
	rb->producer_pos = p;
	rb->data = (const uint8_t *)p + rb->page;
	rb->read_pos = __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
	rb->id = map_id(fd);
	return 0;
}

void sr_ringbuf_close(struct sr_ringbuf *rb)
{
	if (rb->consumer_pos)
		munmap(rb->consumer_pos, rb->page);
	if (rb->producer_pos)
		munmap(rb->producer_pos, rb->data_map_len);
	rb->consumer_pos = rb->producer_pos = NULL;
}

int sr_ringbuf_read(struct sr_ringbuf *rb, size_t max, sr_ringbuf_fn fn, void *ctx)
{
	uint64_t prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE), next;
	uint32_t len;
	int n = 0, err;

	while (rb->read_pos < prod && (size_t)n < max && record_at(rb, rb->read_pos, &len, &next)) {
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			err =
			    fn(ctx, rb->data + (rb->read_pos & rb->mask) + BPF_RINGBUF_HDR_SZ, len);
			if (err)
				return err;
			n++;
		}
		rb->read_pos = next;
	}
	return n;
}

int sr_ringbuf_skip_to(struct sr_ringbuf *rb, uint64_t pos)
{
	uint64_t prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE), p = rb->read_pos;
	uint32_t len;
	int n = 0;

	if (pos <= p)
		return 0;
	if (pos > prod)
		return -ERANGE;
	/* walk the headers: @pos must be where a record starts */
	while (p < pos) {
		if (!record_at(rb, p, &len, &p))
			return -ERANGE;
		if (!(len & BPF_RINGBUF_DISCARD_BIT))
			n++;
	}
	if (p != pos)
		return -ERANGE;
	rb->read_pos = pos;
	sr_ringbuf_commit(rb);
	return n;
}

void sr_ringbuf_commit(struct sr_ringbuf *rb)
{
	__atomic_store_n(rb->consumer_pos, (unsigned long)rb->read_pos, __ATOMIC_RELEASE);
}

void sr_ringbuf_commit_to(struct sr_ringbuf *rb, uint64_t pos)
{
	if (pos > rb->read_pos)
		pos = rb->read_pos;
	if (pos > __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE))
		__atomic_store_n(rb->consumer_pos, (unsigned long)pos, __ATOMIC_RELEASE);
}

uint64_t sr_ringbuf_held(const struct sr_ringbuf *rb)
{
	return rb->consumer_pos ? rb->read_pos - __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE)
	                        : 0;
}

uint64_t sr_ringbuf_pending(const struct sr_ringbuf *rb)
{
	return __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
}
