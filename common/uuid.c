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

/* splitmix64's finalizer: a bijection of 64-bit words that mixes every bit */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void sr_uuid_v8_seed(const char *name, uint64_t seed[2])
{
	/* two FNV-1a hashes with different offset bases, then mixed */
	uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		a = (a ^ *p) * 0x100000001b3ull;
		b = (b ^ *p) * 0x100000001b3ull;
	}
	seed[0] = mix64(a);
	seed[1] = mix64(b ^ 0x9e3779b97f4a7c15ull);
}

void sr_uuid_v8(const uint64_t seed[2], uint64_t a, uint64_t b, uint8_t out[16])
{
	/* for a fixed b each half is a bijection of a (ei), so within one
	 * (seed, b) ids never collide; otherwise as a 122-bit hash would */
	uint64_t k = mix64(b ^ 0xc2b2ae3d27d4eb4full);
	uint64_t hi = mix64(seed[0] ^ mix64(a) ^ k);
	uint64_t lo = mix64(seed[1] + a * 0x9e3779b97f4a7c15ull + k);

	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	out[6] = (uint8_t)((out[6] & 0x0f) | 0x80); /* version 8 */
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* variant 10 */
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
