/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.c - the error object: first error wins, context is prefixed.
 */
#include "errors.h"

#include <errno.h>

static void err_vset(struct pf_err *err, int code, const char *suffix, const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	n = strlen(err->msg);
	if (suffix)
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", suffix);
	/* One line: the message goes into events files and logs. */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	err->code = code;
}

int pf_err_set(struct pf_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (err && !err->code) {
		va_start(ap, fmt);
		err_vset(err, code, NULL, fmt, ap);
		va_end(ap);
	}
	return -code;
}

int pf_err_sys(struct pf_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (err && !err->code) {
		va_start(ap, fmt);
		err_vset(err, code, strerror(code), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void pf_err_prefix(struct pf_err *err, const char *fmt, ...)
{
	char prefix[512];
	char old[PF_ERR_MSG_MAX];
	va_list ap;

	if (!err || !err->code)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation keeps the prefix and as much of the cause as fits. */
	size_t n = strlen(prefix);
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, prefix, n);
	size_t rest = sizeof(err->msg) - 1 - n, olen = strlen(old);
	if (olen > rest)
		olen = rest;
	memcpy(err->msg + n, old, olen);
	err->msg[n + olen] = '\0';
}

void pf_err_clear(struct pf_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
