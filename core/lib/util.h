/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - small helpers shared by every part of podfs: cleanup attributes,
 * ownership transfer, a growable string buffer and checked allocation.
 *
 * Nothing here knows about pods, FUSE or processes; it must stay that way so
 * every module (and every test binary) can include it.
 */
#ifndef PODFS_UTIL_H
#define PODFS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The clocks and RFC 3339 timestamps live in clock.h; nearly every module
 * reads a clock, so they come with this header. */
#include "clock.h"

#define PF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PF_PRINTF(f, a)	 __attribute__((format(printf, f, a)))
#define PF_UNUSED	 __attribute__((unused))

/* Cleanup helpers in the systemd style: the variable is released when it
 * leaves scope; PF_TAKE hands the pointer on and leaves NULL behind. */
static inline void pf_freep(void *p)
{
	free(*(void **)p);
}
static inline void pf_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void pf_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_free_	 __attribute__((cleanup(pf_freep)))
#define _cleanup_close_	 __attribute__((cleanup(pf_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(pf_fclosep)))

#define PF_TAKE(p)                                                                                 \
	({                                                                                         \
		__typeof__(p) pf_take_tmp_ = (p);                                                  \
		(p) = NULL;                                                                        \
		pf_take_tmp_;                                                                      \
	})
#define PF_TAKE_FD(fd)                                                                             \
	({                                                                                         \
		int pf_take_fd_ = (fd);                                                            \
		(fd) = -1;                                                                         \
		pf_take_fd_;                                                                       \
	})

/* Allocation that cannot fail: podfs aborts on out-of-memory, as sqlite's
 * callers and git do; every error path above it stays simple. */
void *pf_xmalloc(size_t n);
void *pf_xcalloc(size_t n, size_t size);
void *pf_xrealloc(void *p, size_t n);
char *pf_xstrdup(const char *s);
char *pf_xstrndup(const char *s, size_t n);
char *pf_xasprintf(const char *fmt, ...) PF_PRINTF(1, 2);

/* Grow *arr (of *cap elements of size elsize) so that it holds at least need. */
void pf_grow(void **arr, size_t *cap, size_t need, size_t elsize);
#define PF_GROW(arr, cap, need) pf_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* A growable NUL-terminated buffer (git's strbuf). buf is never NULL after
 * the first append; len excludes the terminator. */
struct pf_buf {
	char *buf;
	size_t len;
	size_t cap;
};
#define PF_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}
void pf_buf_add(struct pf_buf *b, const void *data, size_t n);
void pf_buf_adds(struct pf_buf *b, const char *s);
void pf_buf_addc(struct pf_buf *b, char c);
void pf_buf_addf(struct pf_buf *b, const char *fmt, ...) PF_PRINTF(2, 3);
void pf_buf_vaddf(struct pf_buf *b, const char *fmt, va_list ap);
void pf_buf_reset(struct pf_buf *b);
void pf_buf_release(struct pf_buf *b);
/* Hand the buffer's string to the caller (never NULL) and reset b. */
char *pf_buf_detach(struct pf_buf *b, size_t *len);
static inline void pf_buf_releasep(struct pf_buf *b)
{
	pf_buf_release(b);
}
#define _cleanup_buf_ __attribute__((cleanup(pf_buf_releasep)))

/* Random bytes from the kernel (getrandom; never fails on Linux >= 3.17). */
void pf_random_bytes(void *buf, size_t n);
/* A random ID of 64 lowercase hex digits, as container runtimes make them
 * (a new string). */
char *pf_random_id64(void);

/* Read a whole file (at most max bytes; -EFBIG beyond). */
int pf_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
