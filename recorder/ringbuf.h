/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file ringbuf.h
 * @brief sshrecd's own consumer of the BPF ring buffer.
 *
 * Unlike libbpf's ring_buffer__poll(), it separates reading from
 * committing: records are handed out from a private read position, and the
 * kernel-visible consumer position advances only in sr_ringbuf_commit(),
 * which the daemon calls after the sinks took the batch (flushed it, or
 * queued it in their bounded backlogs), or in sr_ringbuf_commit_to() (only
 * up to what the SQLite sink committed, while it has a backlog). A daemon
 * killed in between finds the same records again on restart; the SQLite
 * sink stores the read position with each batch, so the restarted daemon
 * skips what it already stored (sr_ringbuf_skip_to()).
 */
#ifndef SSHREC_RINGBUF_H
#define SSHREC_RINGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sr_ringbuf {
	int fd;
	size_t page;
	uint64_t mask;
	unsigned long *consumer_pos; /* RW page */
	unsigned long *producer_pos; /* RO page */
	const uint8_t *data;         /* RO, mapped twice for wrap-around */
	size_t data_map_len;
	uint64_t read_pos; /* next record to hand out */
	uint32_t id;       /* the ring buffer map's kernel id (0: unknown) */
	bool corrupt;      /* a record header claimed more than the ring holds */
};

/** Map the ring buffer map @p fd of @p size data bytes. Returns 0 or -errno. */
int sr_ringbuf_open(struct sr_ringbuf *rb, int fd, uint32_t size);

/** Unmap (the map fd stays owned by the capture). */
void sr_ringbuf_close(struct sr_ringbuf *rb);

/** Called for each record: read-only data of @p size bytes. Non-zero stops the batch. */
typedef int (*sr_ringbuf_fn)(void *ctx, const void *data, size_t size);

/**
 * Hand out up to @p max committed-by-the-kernel records after the read
 * position. A record still being written (busy) ends the batch.
 * @return records handed out (>= 0) or the callback's error.
 */
int sr_ringbuf_read(struct sr_ringbuf *rb, size_t max, sr_ringbuf_fn fn, void *ctx);

/**
 * Skip (and commit) the records before @p pos, e.g. those a previous daemon
 * had already stored when it was killed before committing them. @p pos must
 * lie between the read and the producer position, on a record boundary.
 * @return records skipped (0 when @p pos is not ahead), or -ERANGE.
 */
int sr_ringbuf_skip_to(struct sr_ringbuf *rb, uint64_t pos);

/** Make everything read so far consumed in the kernel. */
void sr_ringbuf_commit(struct sr_ringbuf *rb);

/**
 * Make the records before @p pos (at most the read position, on a record
 * boundary) consumed in the kernel. Never moves the consumer position back:
 * the kernel may already have reused what lies behind it.
 */
void sr_ringbuf_commit_to(struct sr_ringbuf *rb, uint64_t pos);

/** Bytes read but not committed: kept in the ring for a restart. */
uint64_t sr_ringbuf_held(const struct sr_ringbuf *rb);

/** Bytes between the kernel's consumer and producer positions. */
uint64_t sr_ringbuf_pending(const struct sr_ringbuf *rb);

#endif
