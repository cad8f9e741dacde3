/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_time.c - the one RFC 3339 parser (clock.h): what Go's
 * time.Parse(time.RFC3339) accepts, what it refuses, and that no input makes
 * it read past the string's end (each case is parsed from a heap copy of
 * exactly its size, so the sanitizer build catches an overread).
 */
#include "clock.h"
#include "tap.h"
#include "util.h"

#include <errno.h>

struct tcase {
	const char *in;
	int rc;
	int64_t ms;
};

static const struct tcase cases[] = {
    /* accepted */
    {"1970-01-01T00:00:00Z", 0, 0},
    {"2026-11-27T13:38:26Z", 0, 1795786706000LL},
    {"2026-11-27T13:38:26.5Z", 0, 1795786706500LL},
    {"2026-11-27T13:38:26.123Z", 0, 1795786706123LL},
    {"2026-11-27T13:38:26.123456789Z", 0, 1795786706123LL}, /* truncated, not rounded */
    {"2026-11-27T13:38:26.999999Z", 0, 1795786706999LL},
    {"2026-11-27T15:38:26+02:00", 0, 1795786706000LL},
    {"2026-11-27T08:08:26-05:30", 0, 1795786706000LL},
    {"2026-11-27T13:38:26.250+00:00", 0, 1795786706250LL},
    {"2026-11-27T13:38:26-00:00", 0, 1795786706000LL},
    {"2024-02-29T00:00:00Z", 0, 1709164800000LL}, /* a leap day */
    {"2000-02-29T00:00:00Z", 0, 951782400000LL},  /* divisible by 400 */
    {"1969-12-31T23:59:59Z", 0, -1000},
    {"2026-01-01T00:00:00+23:59", 0, 1767139260000LL},
    /* refused */
    {"", -EINVAL, 0},
    {"yesterday", -EINVAL, 0},
    {"2026-01-01T00:00:00+0a:bc", -EINVAL, 0}, /* passed `podfs validate` before */
    {"2026-01-01T00:00:00+0", -EINVAL, 0},     /* a short offset */
    {"2026-01-01T00:00:00+", -EINVAL, 0},
    {"2026-01-01T00:00:00+01", -EINVAL, 0},
    {"2026-01-01T00:00:00+01:", -EINVAL, 0},
    {"2026-01-01T00:00:00+01:0", -EINVAL, 0},
    {"2026-01-01T00:00:00+0100", -EINVAL, 0},
    {"2026-01-01T00:00:00+24:00", -EINVAL, 0},
    {"2026-01-01T00:00:00+01:60", -EINVAL, 0},
    {"2026-01-01T00:00:00+01:00Z", -EINVAL, 0},
    {"2026-01-01T00:00:00", -EINVAL, 0}, /* no zone */
    {"2026-01-01T00:00:00z", -EINVAL, 0},
    {"2026-01-01T00:00:00ZZ", -EINVAL, 0},
    {"2026-01-01T00:00:00Z ", -EINVAL, 0},
    {"2026-01-01T00:00:00.Z", -EINVAL, 0}, /* a dot without digits */
    {"2026-01-01T00:00:00.", -EINVAL, 0},
    {"2026-01-01t00:00:00Z", -EINVAL, 0},
    {"2026-01-01 00:00:00Z", -EINVAL, 0},
    {"2026-1-01T00:00:00Z", -EINVAL, 0}, /* every field is exactly its digits */
    {"2026-01-1T00:00:00Z", -EINVAL, 0},
    {"2026-01-01T0:00:00Z", -EINVAL, 0},
    {" 2026-01-01T00:00:00Z", -EINVAL, 0},
    {"+2026-01-01T00:00:00Z", -EINVAL, 0},
    {"2026-0a-01T00:00:00Z", -EINVAL, 0},
    {"2026-00-01T00:00:00Z", -EINVAL, 0}, /* ranges */
    {"2026-13-01T00:00:00Z", -EINVAL, 0},
    {"2026-01-00T00:00:00Z", -EINVAL, 0},
    {"2026-01-32T00:00:00Z", -EINVAL, 0},
    {"2026-04-31T00:00:00Z", -EINVAL, 0},
    {"2026-02-29T00:00:00Z", -EINVAL, 0}, /* not a leap year */
    {"1900-02-29T00:00:00Z", -EINVAL, 0},
    {"2026-01-01T24:00:00Z", -EINVAL, 0},
    {"2026-01-01T00:60:00Z", -EINVAL, 0},
    {"2026-01-01T00:00:60Z", -EINVAL, 0},
    {"2026", -EINVAL, 0}, /* cut short anywhere */
    {"2026-", -EINVAL, 0},
    {"2026-01-01", -EINVAL, 0},
    {"2026-01-01T", -EINVAL, 0},
    {"2026-01-01T00:00", -EINVAL, 0},
    {"2026-01-01T00:00:0", -EINVAL, 0},
};

static void test_cases(void)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(cases); i++) {
		const struct tcase *c = &cases[i];
		size_t n = strlen(c->in) + 1;
		char *copy = pf_xmalloc(n); /* exactly its size: an overread trips ASan */
		int64_t ms = 42;
		int rc;

		memcpy(copy, c->in, n);
		rc = pf_parse_time(copy, &ms);
		is_int(rc, c->rc, "\"%s\": %s", c->in, c->rc ? "refused" : "accepted");
		if (c->rc == 0)
			is_int(ms, c->ms, "\"%s\": value", c->in);
		else
			is_int(ms, 42, "\"%s\": result untouched", c->in);
		free(copy);
	}
}

/* Every second's text reads back as itself, across years and leap days. */
static void test_round_trip(void)
{
	int bad = 0;

	for (int64_t ms = -86400000LL * 800; ms < 86400000LL * 40000;
	     ms += 86400000LL * 7 + 3661000) {
		char s[21];
		int64_t back = 0;

		pf_format_time(ms, s);
		if (pf_parse_time(s, &back) != 0 || back != ms)
			bad++;
	}
	is_int(bad, 0, "pf_format_time reads back through pf_parse_time");
}

/* Every prefix of a valid timestamp with an offset, each in a buffer of its
 * exact length: refused, and never read past the end. */
static void test_prefixes(void)
{
	static const char full[] = "2026-11-27T13:38:26.123+05:30";
	int wrong = 0;

	for (size_t len = 0; len < sizeof(full) - 1; len++) {
		char *copy = pf_xmalloc(len + 1);
		int64_t ms;

		memcpy(copy, full, len);
		copy[len] = '\0';
		if (pf_parse_time(copy, &ms) != -EINVAL)
			wrong++;
		free(copy);
	}
	is_int(wrong, 0, "every proper prefix is refused");
}

int main(void)
{
	test_cases();
	test_round_trip();
	test_prefixes();
	return tap_done();
}
