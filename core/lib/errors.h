/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.h - the error object every fallible podfs function takes last.
 *
 * A fallible function returns 0 (or a positive count) on success and -errno
 * on failure.  The innermost failure writes one human sentence into the
 * error object with pf_err_set(); callers on the way up add context with
 * pf_err_prefix() ("create pod 'web': " + "spec.containers[0].image: ...").
 * The first error set wins, as with curl's error buffer: a later pf_err_set
 * on an already-set error keeps the original sentence.
 */
#ifndef PODFS_ERRORS_H
#define PODFS_ERRORS_H

#include "util.h"

#define PF_ERR_MSG_MAX 4096

struct pf_err {
	int code;		  /* positive errno, 0 when unset */
	char msg[PF_ERR_MSG_MAX]; /* one line, no trailing newline */
};
#define PF_ERR_INIT                                                                                \
	{                                                                                          \
		0,                                                                                 \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

/* Set the error (if not set yet) and return -code, so that callers write
 *   return pf_err_set(err, EINVAL, "bad %s", x);
 * err may be NULL: the code is still returned. */
int pf_err_set(struct pf_err *err, int code, const char *fmt, ...) PF_PRINTF(3, 4);
/* Like pf_err_set with ": strerror(code)" appended. */
int pf_err_sys(struct pf_err *err, int code, const char *fmt, ...) PF_PRINTF(3, 4);
/* Put context in front of an existing message; a no-op when unset. */
void pf_err_prefix(struct pf_err *err, const char *fmt, ...) PF_PRINTF(2, 3);
void pf_err_clear(struct pf_err *err);

#endif
