/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c - the clocks and RFC 3339 timestamps of clock.h.
 *
 * No allocation, no locale, no time zone: everything here is UTC.
 */
#include "clock.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

int64_t pf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pf_mono_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

int64_t pf_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pf_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pf_format_time(int64_t wall_ms, char out[21])
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* n decimal digits at s, or -1 if any of them is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): no struct tm, no time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * RFC 3339 as Go's time.Parse(time.RFC3339) reads it (metav1.Time does):
 * "YYYY-MM-DDTHH:MM:SS", an optional fraction of one or more digits (kept
 * to the millisecond, truncated), then "Z" or "+HH:MM"/"-HH:MM".  Every
 * field is exactly its digits and in range (the day for its month, hours
 * 0-23, minutes and seconds 0-59, offset hours 0-23); nothing may follow.
 * No byte past the terminating NUL is read: each check stops at the first
 * byte that does not match, and a NUL never does.
 */
int pf_parse_time(const char *s, int64_t *wall_ms)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t ms = 0, t;
	const char *p;

	y = digits(s, 4);
	if (y < 0 || s[4] != '-')
		return -EINVAL;
	mo = digits(s + 5, 2);
	if (mo < 1 || mo > 12 || s[7] != '-')
		return -EINVAL;
	d = digits(s + 8, 2);
	if (d < 1 || d > days_in_month(y, mo) || s[10] != 'T')
		return -EINVAL;
	h = digits(s + 11, 2);
	if (h < 0 || h > 23 || s[13] != ':')
		return -EINVAL;
	mi = digits(s + 14, 2);
	if (mi < 0 || mi > 59 || s[16] != ':')
		return -EINVAL;
	sec = digits(s + 17, 2);
	if (sec < 0 || sec > 59)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		int n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				ms = ms * 10 + (*p - '0');
		if (!n)
			return -EINVAL;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		oh = digits(p + 1, 2);
		if (oh < 0 || oh > 23 || p[3] != ':')
			return -EINVAL;
		om = digits(p + 4, 2);
		if (om < 0 || om > 59)
			return -EINVAL;
		p += 6;
	} else if (*p == 'Z') {
		p++;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	*wall_ms = t * 1000 + ms;
	return 0;
}
