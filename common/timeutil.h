/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file timeutil.h
 * @brief Time: kernel boot-time stamps to wall clock, RFC 3339 in and out.
 *
 * All stored times are microseconds since the Unix epoch, UTC (int64_t "us").
 */
#ifndef SSHREC_TIMEUTIL_H
#define SSHREC_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define SR_TIME_STRLEN 32 /**< "2026-11-22T08:12:01.123456Z" and the NUL */

/** Wall clock now, in us since the epoch. */
int64_t sr_now_us(void);

/** CLOCK_BOOTTIME now, in ns (same clock as bpf_ktime_get_boot_ns()). */
uint64_t sr_boot_ns(void);

/**
 * Convert a bpf_ktime_get_boot_ns() stamp to wall-clock us. The offset
 * between the clocks is measured once and refreshed by
 * sr_time_resync() (call it on a timer so NTP steps are followed).
 */
int64_t sr_boot_to_us(uint64_t boot_ns);

/**
 * Measure the offset again. A change under 1 ms is taken for measurement
 * noise and ignored, so that the offset, and every record's time, stays
 * the same until the clock is really stepped.
 */
void sr_time_resync(void);

/** The offset sr_boot_to_us() adds, in us (measured at the first call). */
int64_t sr_boot_offset_us(void);

/**
 * Take @p offset_us (a previous sshrecd's, stored with its ring position)
 * as the offset when a fresh measurement agrees within 1 ms: records that
 * a restarted daemon makes again from the same ring buffer get the times
 * they had. A clock stepped meanwhile wins.
 */
void sr_boot_offset_keep(int64_t offset_us);

/** Format @p us as RFC 3339 UTC with microseconds. Returns @p out. */
char *sr_time_format(int64_t us, char out[SR_TIME_STRLEN]);

/**
 * Parse a time argument: RFC 3339 ("2026-11-22T08:00:00Z", fractional
 * seconds and +hh:mm offsets accepted, also "2026-11-22" and
 * "2026-11-22 08:00:00" as UTC), a relative offset from @p now_us
 * ("-2h", "-30m", "-45s", "-7d", also without the minus), or the words
 * "now", "today" and "yesterday" (UTC midnight).
 * Returns 0 or -EINVAL.
 */
int sr_time_parse(const char *s, int64_t now_us, int64_t *out_us);

#endif
