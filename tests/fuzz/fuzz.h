/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file fuzz.h
 * @brief Shared bits of the libFuzzer targets (tests/fuzz/README.md): an input
 * reader that splits the fuzzer's bytes into fields, and the checks every
 * target makes on what it produced.
 */
#ifndef SSHREC_FUZZ_H
#define SSHREC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The fuzzer's input, consumed front to back. */
struct fz {
	const uint8_t *p;
	size_t n;
};

/** The next byte (0 when the input is used up). */
static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

/** The next 4 bytes as an integer (little endian; zeros past the end). */
static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)fz_u8(f) << (8 * i);
	return v;
}

/**
 * The next string: up to the next 0xff byte (or the end), at most @p max
 * bytes, copied NUL-terminated into malloc'd memory (it may hold NUL bytes
 * too: *@p len says how long it is). Never NULL.
 */
static inline char *fz_str(struct fz *f, size_t max, size_t *len)
{
	size_t n = 0;
	char *s;

	while (n < f->n && n < max && f->p[n] != 0xff)
		n++;
	s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, f->p, n);
	s[n] = '\0';
	f->p += n;
	f->n -= n;
	if (f->n && *f->p == 0xff) {
		f->p++;
		f->n--;
	}
	if (len)
		*len = n;
	return s;
}

/** Stop the run with a message: libFuzzer records the input as a crash. */
#define fz_fail(...)                                                                               \
	do {                                                                                       \
		fprintf(stderr, "fuzz check failed: " __VA_ARGS__);                                \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/** True when @p len bytes at @p s hold a C0 control byte other than \n, or DEL. */
static inline bool fz_has_ctl(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return true;
	}
	return false;
}

#endif
