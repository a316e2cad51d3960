/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The outage journal: what a kill -9 during a database outage would lose
 * because it is in no ring buffer, only in sshrecd's memory and the SQLite
 * sink's backlog (journal.h). Entries are serialized as they happen into
 * memory (cheap); only when a flush leaves the SQLite sink uncommitted are
 * they appended to the file and fsync'd, before the loop goes on (an open's
 * ack is sent after that flush). The first commit that leaves nothing to
 * replay removes the file: SQLite then holds all it said.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "recorder/daemon.h"
#include "timeutil.h"

/* Bounded: beyond this an outage of a login storm is no longer kill -9 safe (logged). */
#define SR_JOURNAL_MAX (1u << 20)

void sr_journal_init(struct sr_daemon *d)
{
	d->jnl_fd = -1;
	if (d->sq && d->cfg->db_path &&
	    (size_t)snprintf(d->jnl_path, sizeof(d->jnl_path), "%s" SR_JOURNAL_SUFFIX,
	                     d->cfg->db_path) >= sizeof(d->jnl_path))
		d->jnl_path[0] = '\0';
}

void sr_journal_close(struct sr_daemon *d)
{
	if (d->jnl_fd >= 0)
		close(d->jnl_fd);
	d->jnl_fd = -1;
	free(d->jnl_buf);
	d->jnl_buf = NULL;
	d->jnl_len = d->jnl_cap = 0;
	sr_jw_free(&d->jnl_w);
}

/*
 * Keep the entry written in d->jnl_w until the SQLite sink's next flush says:
 * after those kept so far, or before them (@p front).
 */
static void keep_at(struct sr_daemon *d, bool front)
{
	size_t need = d->jnl_len + d->jnl_w.len + 1, at;

	if (d->jnl_lost)
		return;
	if (need > d->jnl_cap) {
		size_t cap = need * 2;
		char *b = sr_jw_error(&d->jnl_w) ? NULL : realloc(d->jnl_buf, cap);

		if (!b) {
			d->jnl_lost = true;
			sr_err("outage journal %s: out of memory: until SQLite commits again, a "
			       "kill -9 may lose the logins, closes and loss counts of an outage",
			       d->jnl_path);
			return;
		}
		d->jnl_buf = b;
		d->jnl_cap = cap;
	}
	at = front ? 0 : d->jnl_len;
	if (front)
		memmove(d->jnl_buf + d->jnl_w.len + 1, d->jnl_buf, d->jnl_len);
	memcpy(d->jnl_buf + at, d->jnl_w.b, d->jnl_w.len);
	d->jnl_buf[at + d->jnl_w.len] = '\n';
	d->jnl_len += d->jnl_w.len + 1;
}

static void keep(struct sr_daemon *d)
{
	keep_at(d, false);
}

/*
 * The time base, first, when the file does not have it: the records read past
 * SQLite's last commit went to the other sinks with it, and a restart makes
 * them again from the ring buffer (restore.c, sr_restore_ring_position).
 */
static void keep_base(struct sr_daemon *d)
{
	int64_t off = sr_boot_offset_us();

	if (!d->rb.id ||
	    (d->jnl_base_in_file && d->jnl_base_ring == d->rb.id && d->jnl_base_off == off))
		return;
	sr_journal_put_base(&d->jnl_w, d->rb.id, d->rb.read_pos, off);
	keep_at(d, true);
	d->jnl_base_ring = d->rb.id;
	d->jnl_base_off = off;
}

void sr_journal_note_open(struct sr_daemon *d, const struct sr_session *s)
{
	if (!d->jnl_path[0])
		return;
	sr_journal_put_open(&d->jnl_w, &s->corr.info, s->corr.leader_comm);
	keep(d);
}

void sr_journal_note_state(struct sr_daemon *d, const struct sr_session *s)
{
	if (!d->jnl_path[0])
		return;
	sr_journal_put_state(&d->jnl_w, &s->corr.info);
	keep(d);
}

void sr_journal_note_loss(struct sr_daemon *d, const struct sr_session *s, int64_t time_us,
                          const struct sr_session_lost *delta)
{
	uint64_t lost[3] = {delta->lost[0], delta->lost[1], delta->lost[2]};

	if (!d->jnl_path[0])
		return;
	sr_journal_put_loss(&d->jnl_w, s->corr.info.key, s->corr.next_ei, time_us, lost);
	keep(d);
}

void sr_journal_note_end(struct sr_daemon *d, const struct sr_session *s, int64_t time_us)
{
	if (!d->jnl_path[0])
		return;
	sr_journal_put_end(&d->jnl_w, s->corr.info.key, s->corr.next_ei, time_us);
	keep(d);
}

/* The directory entry of a new journal must survive a crash too. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int append(struct sr_daemon *d)
{
	size_t off = 0;
	ssize_t n;

	if (d->jnl_size + d->jnl_len > SR_JOURNAL_MAX)
		return -EFBIG;
	if (d->jnl_fd < 0) {
		d->jnl_fd =
		    open(d->jnl_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (d->jnl_fd < 0)
			return -errno;
		/* root's only, whatever the umask or a file left there said */
		if (fchmod(d->jnl_fd, 0600))
			return -errno;
		sync_dir(d->jnl_path);
	}
	while (off < d->jnl_len) {
		n = write(d->jnl_fd, d->jnl_buf + off, d->jnl_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	d->jnl_size += d->jnl_len;
	return fdatasync(d->jnl_fd) ? -errno : 0;
}

void sr_journal_flushed(struct sr_daemon *d, bool committed)
{
	int err;

	if (!d->jnl_path[0])
		return;
	if (committed) {
		/* SQLite has it all: what waited in memory, and what the file says,
		 * unless a restart still has some of the file to replay */
		d->jnl_len = 0;
		if (d->jnl_lost)
			sr_info("sink sqlite: committed: the outage journal is complete again");
		d->jnl_lost = false;
		if (d->jnl_on_disk && !d->jnl_replay) {
			if (d->jnl_fd >= 0)
				close(d->jnl_fd);
			d->jnl_fd = -1;
			if (unlink(d->jnl_path) && errno != ENOENT)
				sr_warn("outage journal %s: cannot remove: %s", d->jnl_path,
				        strerror(errno));
			else
				sr_info("outage journal %s: SQLite holds what it said: removed",
				        d->jnl_path);
			d->jnl_on_disk = false;
			d->jnl_size = 0;
			d->jnl_base_in_file = false;
		}
		return;
	}
	if (d->jnl_lost || (!d->jnl_len && d->rb.read_pos == d->sq_pos)) {
		d->jnl_len = 0; /* a lost journal was said once; the next commit ends that */
		return;
	}
	keep_base(d);
	if (d->jnl_lost || !d->jnl_len) {
		d->jnl_len = 0;
		return;
	}
	err = append(d);
	d->jnl_on_disk = true;
	d->jnl_len = 0;
	d->jnl_base_in_file = !err;
	if (err) {
		d->jnl_lost = true;
		sr_err(
		    "outage journal %s: cannot append: %s: until SQLite commits again, a kill -9 "
		    "loses the logins, closes and loss counts of this outage",
		    d->jnl_path, strerror(-err));
	}
}

int sr_journal_load(struct sr_daemon *d, sr_journal_apply_fn apply, void *ctx)
{
	char err[256], *buf, *line, *nl, bad[PATH_MAX + 16];
	struct sr_jentry e;
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, lineno = 0, ok = 0, rc;

	if (!d->jnl_path[0])
		return 0;
	fd = open(d->jnl_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			sr_err("outage journal %s: cannot open: %s (not read)", d->jnl_path,
			       strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		/* not what sshrecd writes: nobody else may tell it what happened */
		close(fd);
		snprintf(bad, sizeof(bad), "%s.rejected", d->jnl_path);
		rc = rename(d->jnl_path, bad);
		sr_err(
		    "outage journal %s: not a regular file of root's with mode 0600: not read, %s",
		    d->jnl_path, rc ? "and cannot be moved aside" : "moved to *.rejected");
		return 0;
	}
	if (st.st_size > SR_JOURNAL_MAX)
		sr_err(
		    "outage journal %s: %lld bytes, more than the %u it may hold: only those are "
		    "read",
		    d->jnl_path, (long long)st.st_size, SR_JOURNAL_MAX);
	buf = malloc(SR_JOURNAL_MAX + 1);
	if (!buf) {
		close(fd);
		sr_err("outage journal %s: out of memory: not read", d->jnl_path);
		return -ENOMEM;
	}
	while (len < SR_JOURNAL_MAX && (n = read(fd, buf + len, SR_JOURNAL_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	d->jnl_on_disk = true; /* removed once SQLite commits what it says */
	d->jnl_size = len;
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		lineno++;
		if (!nl) {
			/* a write cut short by the crash: that entry was never acknowledged */
			sr_warn("outage journal %s: line %d is incomplete: ignored", d->jnl_path,
			        lineno);
			break;
		}
		rc = sr_journal_parse(line, (size_t)(nl - line), &e, err, sizeof(err));
		if (rc) {
			sr_err("outage journal %s: line %d: %s: entry ignored", d->jnl_path, lineno,
			       err);
			continue;
		}
		apply(d, &e, ctx);
		sr_journal_entry_free(&e);
		ok++;
	}
	free(buf);
	return ok;
}

void sr_journal_replay(struct sr_daemon *d, struct sr_session *s, bool all)
{
	/* a loss comes back where it was recorded: before the event that got the
	 * next ei; @p all: the rest, in ei order */
	while (s->nreplay) {
		size_t j, m = 0;
		struct sr_jloss l;

		for (j = 1; j < s->nreplay; j++)
			if (s->replay[j].ei < s->replay[m].ei)
				m = j;
		if (!all && s->replay[m].ei > s->corr.next_ei)
			break;
		l = s->replay[m];
		s->replay[m] = s->replay[--s->nreplay];
		d->jnl_replay--;
		d->lost_total += l.lost.lost[0] + l.lost.lost[1] + l.lost.lost[2];
		sr_corr_loss(&d->corr, &s->corr, &l.lost, l.time_us);
	}
	if (!s->nreplay) {
		free(s->replay);
		s->replay = NULL;
	}
}
