/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ring buffer record decoder (recorder/ringbuf.c) and the correlator
 * (recorder/correlate.c) on a ring image made of the input: the daemon must
 * not trust a producer's framing. Every record that comes out is written as
 * JSON (recorder/record_json.c), which must be one valid JSON object in valid
 * UTF-8 with no raw control byte.
 *
 * Input: the ring's data area as the kernel lays it out (8-byte headers
 * {u32 len | BUSY/DISCARD bits, u32 page offset}, records padded to 8
 * bytes); the producer position is the input's length (capped at the ring).
 * Records name session key 1 or 2 (or none: orphans).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jwrite.h"
#include "recorder/correlate.h"
#include "recorder/record_json.h"
#include "recorder/ringbuf.h"
#include "strsafe.h"

#define RING (1u << 14)

static struct sr_corr corr;
volatile uint8_t fz_touched; /* what on_record() read: kept, so it is read */
static struct sr_corr_session sess[2];
static struct sr_jw jw;
static json_tokener *tok;

static int emit(void *ctx, const struct sr_record *rec)
{
	json_object *o;

	(void)ctx;
	sr_jw_reset(&jw);
	if (sr_record_json(&jw, rec))
		return -ENOMEM;
	if (!sr_utf8_valid(jw.b, jw.len) || fz_has_ctl(jw.b, jw.len) || memchr(jw.b, '\n', jw.len))
		fz_fail("record JSON with invalid UTF-8 or a raw control byte: %.*s", (int)jw.len,
		        jw.b);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, jw.b, (int)jw.len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != jw.len || !json_object_is_type(o, json_type_object))
		fz_fail("record JSON does not parse: %.*s", (int)jw.len, jw.b);
	json_object_put(o);
	return 0;
}

/* As the daemon's loop.c: too short for a header is malformed, an unknown key an orphan. */
static int on_record(void *ctx, const void *data, size_t size)
{
	const struct sr_event_hdr *h = data;
	uint64_t key;

	(void)ctx;
	/* the decoder hands out only bytes of the mapping (ASan checks each) */
	for (size_t i = 0; i < size; i++)
		fz_touched ^= ((const uint8_t *)data)[i];
	if (size < sizeof(*h))
		return 0;
	memcpy(&key, (const char *)data + offsetof(struct sr_event_hdr, session_key), sizeof(key));
	if (key == 1 || key == 2)
		sr_corr_event(&corr, &sess[key - 1], data, size);
	return 0;
}

/* ---- seeds: SR_FUZZ_SEEDS=DIR fuzz_ringbuf writes ring images and exits ---- */
static uint8_t seed[RING];
static size_t seed_len;
static uint64_t seed_ts = 1000;

/* Append a record: the kernel's 8-byte header, then @p rec (its hdr filled here). */
static void put_rec(void *rec, size_t size, uint16_t type, uint64_t key, uint32_t pid,
                    uint32_t ppid, const char *comm, bool discard)
{
	struct sr_event_hdr *h = rec;
	uint32_t len = (uint32_t)size | (discard ? 0x40000000u : 0);

	h->type = type;
	h->abi = SR_EVENTS_ABI_VERSION;
	h->size = (uint32_t)size;
	h->ts_ns = seed_ts += 1000;
	h->session_key = key;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->uid = 1000;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	if (seed_len + 8 + size > sizeof(seed))
		abort();
	memcpy(seed + seed_len, &len, 4);
	memset(seed + seed_len + 4, 0, 4);
	memcpy(seed + seed_len + 8, rec, size);
	seed_len += (8 + size + 7) & ~(size_t)7;
}

static void put_exec(uint64_t key, uint32_t pid, uint32_t ppid, const char *file, const char *argv,
                     size_t argv_len, int32_t ret, const char *tty)
{
	static union {
		struct sr_exec_event e;
		char raw[2048];
	} u;
	size_t fl = strlen(file) + 1;

	memset(&u, 0, sizeof(u));
	u.e.ret = ret;
	u.e.filename_len = (uint32_t)fl;
	u.e.cwd_len = 5;
	u.e.argv_len = (uint32_t)argv_len;
	u.e.argc = 2;
	snprintf(u.e.tty, sizeof(u.e.tty), "%s", tty);
	memcpy(u.e.data, file, fl);
	memcpy(u.e.data + fl, "/tmp", 5);
	memcpy(u.e.data + fl + 5, argv, argv_len);
	put_rec(&u, sizeof(u.e) + fl + 5 + argv_len, ret ? SR_EV_EXEC_FAIL : SR_EV_EXEC, key, pid,
	        ppid, "sh", false);
}

static void write_seed(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(seed, 1, seed_len, f) != seed_len || fclose(f))
		abort();
	seed_len = 0;
}

static void make_seeds(const char *dir)
{
	static const char argv[] =
	    "sh\0-c\0echo \"$(printf '\\x1b]0;pwned\\a')\"\n\xff\xe2\x80\xae";
	static const char curl[] = "curl\0-s\0http://x/";
	struct sr_fork_event fk = {0};
	struct sr_exit_event ex = {0};
	union {
		struct sr_open_event o;
		char raw[256];
	} op = {0};
	struct sr_connect_event cn = {0};
	union {
		struct sr_escape_event e;
		char raw[256];
	} es = {0};

	put_exec(1, 100, 1, "/bin/sh", argv, sizeof(argv), 0, "pts3");
	fk.child_pid = 101;
	put_rec(&fk, sizeof(fk), SR_EV_FORK, 1, 100, 1, "sh", false);
	put_exec(1, 101, 100, "/usr/bin/curl", curl, sizeof(curl), 0, "");
	op.o.ret = 3;
	op.o.flags = 0101;
	op.o.dirfd = -100;
	op.o.syscall = SR_SYS_OPENAT;
	op.o.oflags = SR_OPEN_PATH_RESOLVED;
	op.o.path_len = 12;
	memcpy(op.o.path, "/tmp/\x1b[2Jx\xff", 12);
	put_rec(&op, sizeof(op.o) + 12, SR_EV_OPEN, 1, 101, 100, "curl", false);
	cn.family = 10;
	cn.sport = 41000;
	cn.dport = 80;
	cn.op = SR_CONNECT_ESTABLISHED;
	cn.daddr[15] = 1;
	put_rec(&cn, sizeof(cn), SR_EV_CONNECT, 1, 101, 100, "curl", false);
	put_rec(&cn, sizeof(cn), SR_EV_CONNECT, 3, 101, 100, "orphan", false);
	es.e.to_cgroup_id = 77;
	es.e.path_len = 8;
	memcpy(es.e.path, "/escape", 8);
	put_rec(&es, sizeof(es.e) + 8, SR_EV_ESCAPE, 1, 101, 100, "curl", false);
	ex.signal = 9;
	put_rec(&ex, sizeof(ex), SR_EV_EXIT, 1, 101, 100, "curl", false);
	ex.signal = 0;
	ex.exit_code = 7;
	put_rec(&ex, sizeof(ex), SR_EV_EXIT, 1, 100, 1, "sh", true); /* discarded */
	put_rec(&ex, sizeof(ex), SR_EV_EXIT, 1, 100, 1, "sh", false);
	write_seed(dir, "session");
	put_exec(2, 200, 1, "/nonexistent", "x\0", 2, -2, "");
	put_exec(2, 201, 1, "/bin/\xc0\xaf", "", 0, 0, "tty1");
	op.o.flags = 0;
	put_rec(&op, sizeof(op.o) + 12, SR_EV_OPEN, 2, 201, 1, "\xff\xfe", false);
	write_seed(dir, "two-sessions");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("SR_FUZZ_SEEDS");

	(void)argc, (void)argv;
	if (dir) {
		make_seeds(dir);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ring[2 * RING] __attribute__((aligned(8)));
	static unsigned long cons, prod;
	struct sr_session_info in = {.sid = "0190a0b0-0000-7000-8000-000000000001",
	                             .login = "alice",
	                             .user = "SHA256:x",
	                             .leader_pid = 100,
	                             .start_us = 1};
	struct sr_ringbuf rb = {
	    .mask = RING - 1, .data = ring, .consumer_pos = &cons, .producer_pos = &prod};
	size_t n = size < RING ? size : RING;

	if (!tok)
		tok = json_tokener_new();
	/* the kernel maps the data pages twice: a record may wrap */
	memset(ring, 0, sizeof(ring));
	memcpy(ring, data, n);
	memcpy(ring + RING, ring, RING);
	cons = 0;
	prod = n;
	if (sr_corr_init(&corr, 1, emit, NULL))
		return 0;
	for (int i = 0; i < 2; i++) {
		in.key = i + 1;
		in.sid[35] = (char)('1' + i);
		if (sr_corr_session_init(&sess[i], &in, "sshd",
		                         i ? SR_DISK_WRITES_ONLY : SR_DISK_ALL, true))
			abort();
		sr_corr_start(&corr, &sess[i]);
	}
	while (sr_ringbuf_read(&rb, 64, on_record, NULL) > 0)
		;
	for (int i = 0; i < 2; i++) {
		sr_corr_end(&corr, &sess[i], 2);
		sr_corr_session_free(&sess[i]);
	}
	sr_corr_free(&corr);
	return 0;
}
