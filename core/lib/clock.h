/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h - the clocks podfs reads and the RFC 3339 timestamps it writes and
 * reads (metav1.Time), in one place so there is one parser.
 *
 * Pure functions of the system clocks and their arguments: no allocation,
 * no locale, no time zone (everything is UTC).  It must not grow a
 * dependency on anything above core/lib.
 */
#ifndef PODFS_CLOCK_H
#define PODFS_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic and wall clocks. */
int64_t pf_now_ns(void);  /* CLOCK_MONOTONIC */
int64_t pf_wall_ms(void); /* CLOCK_REALTIME, milliseconds since the epoch */
int64_t pf_wall_ns(void); /* CLOCK_REALTIME, nanoseconds since the epoch */
/* The CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait on a
 * condition whose clock is CLOCK_MONOTONIC (pthread_condattr_setclock). */
void pf_mono_deadline(struct timespec *ts, int64_t ms);
/* RFC 3339 UTC with seconds, as Kubernetes writes timestamps:
 * 2026-11-27T13:38:26Z. out must hold 21 bytes. */
void pf_format_time(int64_t wall_ms, char out[21]);
/* RFC 3339 as Go's time.Parse(time.RFC3339) reads it: Z or a numeric offset
 * (+HH:MM, -HH:MM), an optional fraction (kept to the millisecond); strict
 * about digits and ranges.  Reads s only up to its NUL.  0, or -EINVAL with
 * *wall_ms untouched. */
int pf_parse_time(const char *s, int64_t *wall_ms);

#endif
