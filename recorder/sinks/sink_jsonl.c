/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JSON-lines sink: one record per line, appended to a buffer by write() and
 * handed to the kernel with write(2) at flush (then it survives kill -9;
 * no fsync: power loss is the SQLite sink's and the disk's business).
 * Rotation by size: events.jsonl -> events.jsonl.1 -> gzip -> .1.gz, older
 * ones shifted to .2.gz ..., jsonl_keep kept. reopen() follows logrotate.
 * On a write error (ENOSPC) the unwritten bytes stay buffered, bounded by
 * backlog_max records, and are retried on later flushes.
 * With jsonl_format = ecs | ocsf a line is the record's ECS or OCSF document
 * (sink_format.h), the same text `sshrec export` writes for it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "recorder/config.h"
#include "recorder/sinks/sink_format.h"
#include "recorder/store/records_perm.h"
#include "recorder/sinks/sink_priv.h"
#include "timeutil.h"

#define RETRY_MIN_MS 200
#define RETRY_MAX_MS 5000

struct jl {
	char *path;
	int format;         /* enum sr_jsonl_format */
	struct sr_fmt *fmt; /* ECS/OCSF documents; NULL: native records */
	int fd;
	uint64_t size; /* bytes in the current file */
	uint64_t max_bytes;
	int keep;
	gid_t gid; /* records_group, or SR_NO_GROUP */
	uint64_t backlog_max;
	char *buf; /* complete lines not yet written, from off */
	size_t len, cap, off;
	uint64_t nlines;  /* lines in buf[off..len) (a partly written first one counts) */
	uint64_t nfailed; /* of those, already counted in health.failed */
	int64_t retry_at_ms;
	int64_t retry_ms;
	int last_err;
};

static int jl_open(struct sr_sink *sink, struct jl *j)
{
	struct stat st;
	int fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		int err = -errno;

		sr_sink_set_error(sink, "%s: cannot open: %s", j->path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) == 0)
		j->size = (uint64_t)st.st_size;
	sr_records_fd(fd, j->gid, j->path);
	j->fd = fd;
	return 0;
}

/* gzip @src into @src.gz (through a temporary name, with the records' mode
 * and group @gid), then remove @src. */
static int gzip_file(const char *src, gid_t gid)
{
	char dst[PATH_MAX], tmp[PATH_MAX];
	char chunk[65536];
	gzFile gz = NULL;
	ssize_t n = 0;
	int in, out, err = 0;

	snprintf(dst, sizeof(dst), "%s.gz", src);
	snprintf(tmp, sizeof(tmp), "%s.gz.tmp", src);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	sr_records_fd(out, gid, tmp);
	/* fastest level: rotation runs in the daemon's loop and must not stall it */
	gz = gzdopen(out, "wb1");
	if (!gz) {
		close(out);
		close(in);
		unlink(tmp);
		return -ENOMEM;
	}
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (gzwrite(gz, chunk, (unsigned)n) != (int)n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	close(in);
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	unlink(src);
	return 0;
}

static void rotated_name(char *out, size_t len, const char *path, int i, bool gz)
{
	snprintf(out, len, "%s.%d%s", path, i, gz ? ".gz" : "");
}

/* The current file is complete: shift the old ones, rename, compress, reopen. */
static int jl_rotate(struct sr_sink *sink, struct jl *j)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i, err;

	close(j->fd);
	j->fd = -1;
	if (j->keep <= 0) {
		unlink(j->path);
	} else {
		/* a .1 left uncompressed by an earlier failure goes first */
		rotated_name(a, sizeof(a), j->path, 1, false);
		if (access(a, F_OK) == 0)
			gzip_file(a, j->gid);
		rotated_name(a, sizeof(a), j->path, j->keep, true);
		unlink(a);
		for (i = j->keep - 1; i >= 1; i--) {
			rotated_name(a, sizeof(a), j->path, i, true);
			rotated_name(b, sizeof(b), j->path, i + 1, true);
			if (rename(a, b) && errno != ENOENT)
				sr_warn("sink jsonl: rename %s -> %s: %s", a, b, strerror(errno));
		}
		rotated_name(a, sizeof(a), j->path, 1, false);
		if (rename(j->path, a)) {
			sr_warn("sink jsonl: rename %s -> %s: %s", j->path, a, strerror(errno));
		} else {
			err = gzip_file(a, j->gid);
			if (err)
				sr_warn("sink jsonl: cannot compress %s (kept as is): %s", a,
				        strerror(-err));
		}
	}
	j->size = 0;
	return jl_open(sink, j);
}

/* Write buf[off..off+n) to the file; on error keep the rest for a retry. */
static int jl_write_out(struct sr_sink *sink, struct jl *j, size_t n)
{
	size_t done = 0;
	uint64_t lines;
	const char *p, *end, *last;
	int err = 0;

	while (done < n) {
		ssize_t w = write(j->fd, j->buf + j->off + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	/* records written = newlines written (JSON text never holds a raw newline) */
	lines = 0;
	last = j->buf + j->off;
	end = j->buf + j->off + done;
	for (p = j->buf + j->off; (p = memchr(p, '\n', (size_t)(end - p))); p++, last = p)
		lines++;
	/* A short write (ENOSPC) cut a line: take its bytes back off the file, so
	 * that it always ends with a whole record (a reader, logrotate or a daemon
	 * that exits before space is back never sees half a line); the retry
	 * writes the line again from its start. */
	if (err && last < end &&
	    ftruncate(j->fd, (off_t)(j->size + (uint64_t)(last - j->buf - j->off))) == 0)
		done = (size_t)(last - j->buf - j->off);
	sink->health.written += lines;
	j->nlines -= lines;
	j->nfailed = j->nfailed > lines ? j->nfailed - lines : 0;
	j->off += done;
	j->size += done;
	return err;
}

/* Length of the complete lines at buf[off..] that fit in @room bytes (at least one). */
static size_t fit_lines(const struct jl *j, uint64_t room)
{
	const char *start = j->buf + j->off, *p = start, *nl;
	size_t left = j->len - j->off, taken = 0;

	while ((nl = memchr(p, '\n', left - (size_t)(p - start)))) {
		size_t upto = (size_t)(nl - start) + 1;

		if (upto > room && taken)
			break;
		taken = upto;
		p = nl + 1;
		if (upto > room)
			break;
	}
	return taken ? taken : left;
}

static int jl_drain(struct sr_sink *sink, struct jl *j)
{
	int err = 0;

	if (j->fd < 0)
		err = jl_open(sink, j);
	while (!err && j->off < j->len) {
		uint64_t room = !j->max_bytes            ? UINT64_MAX
		                : j->size < j->max_bytes ? j->max_bytes - j->size
		                                         : 0;
		size_t n = fit_lines(j, room);

		/* a line that does not fit starts a new file, unless the file is empty */
		if (n > room && j->size > 0 && j->max_bytes) {
			err = jl_rotate(sink, j);
			continue;
		}
		err = jl_write_out(sink, j, n);
		if (!err && j->max_bytes && j->size >= j->max_bytes)
			err = jl_rotate(sink, j);
	}
	if (j->off == j->len)
		j->off = j->len = 0;
	return err;
}

static int fmt_out(void *ctx, const char *doc, size_t len);

static int jl_flush(struct sr_sink *sink)
{
	struct jl *j = sink->priv;
	int64_t now = sr_sink_mono_ms();
	int err;

	/* sessions that got no terminal in time: their held records go now */
	if (j->fmt && sr_fmt_tick(j->fmt, sr_now_us(), fmt_out, sink))
		sr_sink_set_error(sink, "cannot format held records as %s",
		                  sr_jsonl_format_name(j->format));

	if (j->off == j->len)
		return sink->health.ok ? 0 : j->last_err;
	if (!sink->health.ok && now < j->retry_at_ms) {
		sink->health.backlog = j->nlines;
		return j->last_err;
	}
	err = jl_drain(sink, j);
	sink->health.backlog = j->nlines;
	if (!err) {
		j->retry_ms = RETRY_MIN_MS;
		j->last_err = 0;
		sr_sink_set_ok(sink);
		return 0;
	}
	/* each record counts as failed once, however often it is retried */
	sink->health.failed += j->nlines - j->nfailed;
	j->nfailed = j->nlines;
	j->last_err = err;
	sr_sink_set_error(sink, "%s: write failed: %s", j->path, strerror(-err));
	j->retry_at_ms = now + j->retry_ms;
	j->retry_ms = j->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : j->retry_ms * 2;
	return err;
}

/* Drop the oldest complete line of the backlog (keeping a partly written one). */
static void jl_drop_oldest(struct sr_sink *sink, struct jl *j)
{
	char *start = j->buf + j->off;
	char *nl = memchr(start, '\n', j->len - j->off);

	if (!nl)
		return;
	j->off += (size_t)(nl - start) + 1;
	j->nlines--;
	if (j->nfailed)
		j->nfailed--;
	sink->health.dropped++;
}

/* Append one line (@p len bytes of JSON and a newline) to the buffer. */
static int jl_append(struct sr_sink *sink, struct jl *j, const char *text, size_t len)
{
	size_t need = len + 1;

	if (!sink->health.ok && j->nlines >= j->backlog_max)
		jl_drop_oldest(sink, j);
	if (j->off && j->len + need > j->cap) {
		memmove(j->buf, j->buf + j->off, j->len - j->off);
		j->len -= j->off;
		j->off = 0;
	}
	if (j->len + need > j->cap) {
		size_t cap = j->cap ? j->cap : 65536;
		char *nb;

		while (cap < j->len + need)
			cap *= 2;
		nb = realloc(j->buf, cap);
		if (!nb) {
			sink->health.dropped++;
			sr_sink_set_error(sink, "out of memory buffering a record");
			return -ENOMEM;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, text, len);
	j->buf[j->len + len] = '\n';
	j->len += need;
	j->nlines++;
	return 0;
}

static int fmt_out(void *ctx, const char *doc, size_t len)
{
	struct sr_sink *sink = ctx;

	return jl_append(sink, sink->priv, doc, len);
}

static int jl_write(struct sr_sink *sink, const struct sr_record *rec)
{
	struct jl *j = sink->priv;
	int err;

	if (!rec->json)
		return -EINVAL;
	if (!j->fmt)
		return jl_append(sink, j, rec->json, rec->json_len);
	err = sr_fmt_record(j->fmt, rec, fmt_out, sink);
	if (err == -ENOMEM)
		sr_sink_set_error(sink, "out of memory formatting a record");
	else if (err)
		sr_sink_set_error(sink, "cannot format a %s record as %s: %s",
		                  sr_rec_event_name(rec->kind), sr_jsonl_format_name(j->format),
		                  strerror(-err));
	return err;
}

static int jl_reopen(struct sr_sink *sink)
{
	struct jl *j = sink->priv;

	/* lines buffered so far belong to the new file: logrotate renamed the old one */
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	j->size = 0;
	return jl_open(sink, j);
}

static void jl_close(struct sr_sink *sink)
{
	struct jl *j = sink->priv;

	if (!j)
		return;
	if (j->fmt)
		sr_fmt_release_all(j->fmt, fmt_out, sink);
	if (j->off < j->len) {
		j->retry_at_ms = 0;
		jl_flush(sink);
		if (j->nlines)
			sr_err("sink jsonl: %llu records could not be written to %s and are lost",
			       (unsigned long long)j->nlines, j->path);
	}
	if (j->fd >= 0)
		close(j->fd);
	sr_fmt_free(j->fmt);
	free(j->buf);
	free(j->path);
	free(j);
	sink->priv = NULL;
}

static int jl_init(struct sr_sink *sink, const struct sr_config *cfg)
{
	const struct sr_jsonl_sink *a = sink->arg;
	struct jl *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return -ENOMEM;
	j->fd = -1;
	/* the first sink from jsonl / jsonl_format, more from jsonl.NAME (sink->arg) */
	j->path = strdup(a ? a->path : cfg->jsonl_path);
	j->format = a ? a->format : cfg->jsonl_format;
	if (j->format != SR_JSONL_NATIVE && sr_fmt_new(j->format, &j->fmt)) {
		free(j->path);
		free(j);
		return -ENOMEM;
	}
	j->max_bytes = cfg->jsonl_max_bytes;
	j->keep = cfg->jsonl_keep;
	j->backlog_max = cfg->backlog_max ? cfg->backlog_max : 1;
	j->retry_ms = RETRY_MIN_MS;
	sink->priv = j;
	sink->health.ok = true;
	j->gid = cfg->records_gid;
	err = j->path ? sr_records_mkdir_parents(j->path, j->gid) : -ENOMEM;
	if (!err)
		err = jl_open(sink, j);
	if (!err)
		sr_records_check_reach(j->path, j->gid);
	if (err) {
		sr_fmt_free(j->fmt);
		free(j->path);
		free(j);
		sink->priv = NULL;
	}
	return err;
}

const struct sr_sink_ops sr_sink_jsonl_ops = {
    .name = "jsonl",
    .init = jl_init,
    .write = jl_write,
    .flush = jl_flush,
    .reopen = jl_reopen,
    .close = jl_close,
};
