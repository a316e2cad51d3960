/* SPDX-License-Identifier: BSD-2-Clause */
#include "uuid.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

/* Record ids are made for every event, so random bytes are drawn from a
 * refilled pool rather than one getrandom(2) call per id. */
static int random_bytes(uint8_t *out, size_t n)
{
	static __thread uint8_t pool[4096];
	static __thread size_t avail;
	while (n) {
		if (!avail) {
			ssize_t r = getrandom(pool, sizeof(pool), 0);
			if (r < 0)
				return -errno;
			avail = (size_t)r;
		}
		size_t take = n < avail ? n : avail;
		for (size_t i = 0; i < take; i++)
			out[i] = pool[sizeof(pool) - avail + i];
		avail -= take;
		out += take;
		n -= take;
	}
	return 0;
}

void sr_uuid_format(const uint8_t b[16], char out[SR_UUID_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;
	int i;

	/* by hand: the daemon formats one per record, and snprintf was a hot spot */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 0xf];
	}
	*o = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sr_uuid_parse(const char *s, uint8_t b[16])
{
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (*s++ != '-')
				return -EINVAL;
		}
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return *s ? -EINVAL : 0;
}

int sr_uuid_v7(char out[SR_UUID_STRLEN], uint64_t *key_out)
{
	uint8_t b[16];
	int ret = random_bytes(b, sizeof(b));
	if (ret)
		return ret;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)(0x70 | (b[6] & 0x0F));
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3F));
	sr_uuid_format(b, out);
	if (key_out) {
		uint64_t k = 0;
		for (int i = 0; i < 8; i++)
			k = (k << 8) | b[i];
		*key_out = k & INT64_MAX; /* fits SQLite's signed INTEGER */
	}
	return 0;
}

int sr_uuid_v4(char out[SR_UUID_STRLEN])
{
	uint8_t b[16];
	int ret = random_bytes(b, sizeof(b));
	if (ret)
		return ret;
	b[6] = (uint8_t)(0x40 | (b[6] & 0x0F));
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3F));
	sr_uuid_format(b, out);
	return 0;
}
