/* SPDX-License-Identifier: BSD-2-Clause */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t boot_offset_us;
static int boot_offset_set;

int64_t sr_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t sr_boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A change of the measured offset smaller than this is measurement noise,
 * not a clock step: the offset stays, so that a record's time is a function
 * of its kernel stamp (a record made again after a restart is the same). */
#define SR_BOOT_OFFSET_STEP_US 1000

void sr_time_resync(void)
{
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;

	/* Bracket the realtime read between two boottime reads to halve the
	 * error; of three tries keep the tightest bracket (not preempted). */
	for (int i = 0; i < 3; i++) {
		uint64_t b1 = sr_boot_ns();
		int64_t now = sr_now_us();
		uint64_t b2 = sr_boot_ns();

		if (b2 - b1 < best_gap) {
			best_gap = b2 - b1;
			best = now - (int64_t)((b1 / 2 + b2 / 2) / 1000);
		}
	}
	if (boot_offset_set && llabs(best - boot_offset_us) < SR_BOOT_OFFSET_STEP_US)
		return;
	boot_offset_us = best;
	boot_offset_set = 1;
}

int64_t sr_boot_offset_us(void)
{
	if (!boot_offset_set)
		sr_time_resync();
	return boot_offset_us;
}

void sr_boot_offset_keep(int64_t offset_us)
{
	boot_offset_set = 0;
	sr_time_resync();
	if (llabs(boot_offset_us - offset_us) < SR_BOOT_OFFSET_STEP_US)
		boot_offset_us = offset_us;
}

int64_t sr_boot_to_us(uint64_t boot_ns)
{
	if (!boot_offset_set)
		sr_time_resync();
	return boot_offset_us + (int64_t)(boot_ns / 1000);
}

static void put_digits(char *p, unsigned v, int n)
{
	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *sr_time_format(int64_t us, char out[SR_TIME_STRLEN])
{
	/* the daemon formats one per record: gmtime_r only when the second changes */
	static __thread int64_t cached_sec = INT64_MIN;
	static __thread char cached[20]; /* "YYYY-MM-DDTHH:MM:SS" */
	int64_t sec = us / 1000000, frac = us % 1000000;

	if (frac < 0) {
		frac += 1000000;
		sec -= 1;
	}
	if (sec != cached_sec) {
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		/* years outside 0..9999 wrap to 4 digits: never met for real event times */
		put_digits(cached, (unsigned)(tm.tm_year + 1900), 4);
		cached[4] = '-';
		put_digits(cached + 5, (unsigned)tm.tm_mon + 1, 2);
		cached[7] = '-';
		put_digits(cached + 8, (unsigned)tm.tm_mday, 2);
		cached[10] = 'T';
		put_digits(cached + 11, (unsigned)tm.tm_hour, 2);
		cached[13] = ':';
		put_digits(cached + 14, (unsigned)tm.tm_min, 2);
		cached[16] = ':';
		put_digits(cached + 17, (unsigned)tm.tm_sec, 2);
		cached_sec = sec;
	}
	memcpy(out, cached, 19);
	out[19] = '.';
	put_digits(out + 20, (unsigned)frac, 6);
	out[26] = 'Z';
	out[27] = '\0';
	return out;
}

static int parse_relative(const char *s, int64_t now_us, int64_t *out)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	char *end;
	errno = 0;
	long long n = strtoll(p, &end, 10);
	if (errno || n < 0 || n > 100000000)
		return -EINVAL;
	int64_t unit;
	if (!strcmp(end, "s"))
		unit = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		unit = 60;
	else if (!strcmp(end, "h"))
		unit = 3600;
	else if (!strcmp(end, "d"))
		unit = 86400;
	else if (!strcmp(end, "w"))
		unit = 7 * 86400;
	else
		return -EINVAL;
	int64_t delta = (int64_t)n * unit * 1000000;
	*out = s[0] == '+' ? now_us + delta : now_us - delta;
	return 0;
}

static int parse_rfc3339(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int consumed = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3 ||
	    consumed != 10)
		return -EINVAL;
	const char *p = s + consumed;
	int64_t frac_us = 0, offset_s = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		int n2 = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n2) != 3 ||
		    n2 != 8)
			return -EINVAL;
		p += 1 + n2;
		if (*p == '.') {
			p++;
			int digits = 0;
			while (isdigit((unsigned char)*p)) {
				if (digits < 6) {
					frac_us = frac_us * 10 + (*p - '0');
					digits++;
				}
				p++;
			}
			if (!digits)
				return -EINVAL;
			while (digits++ < 6)
				frac_us *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om, n3 = 0;
			if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n3) != 2 || n3 != 5 || oh > 23 ||
			    om > 59)
				return -EINVAL;
			offset_s = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
			p += 1 + n3;
		}
	}
	if (*p)
		return -EINVAL;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = ((int64_t)t - offset_s) * 1000000 + frac_us;
	return 0;
}

int sr_time_parse(const char *s, int64_t now_us, int64_t *out_us)
{
	if (!s || !*s)
		return -EINVAL;
	int64_t day = 86400LL * 1000000;
	int64_t midnight = now_us - (((now_us % day) + day) % day);
	if (!strcmp(s, "now")) {
		*out_us = now_us;
		return 0;
	}
	if (!strcmp(s, "today")) {
		*out_us = midnight;
		return 0;
	}
	if (!strcmp(s, "yesterday")) {
		*out_us = midnight - day;
		return 0;
	}
	if (parse_relative(s, now_us, out_us) == 0)
		return 0;
	return parse_rfc3339(s, out_us);
}
