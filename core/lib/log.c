/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - timestamped log lines on stderr.  One write(2) per line so lines
 * from several threads never interleave.
 */
#include "log.h"

static enum pf_log_level max_level = PF_LOG_INFO;

void pf_log_set_level(enum pf_log_level level)
{
	max_level = level;
}

void pf_log(enum pf_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	struct pf_buf b = PF_BUF_INIT;
	char ts[21];
	va_list ap;

	if (level > max_level)
		return;
	pf_format_time(pf_wall_ms(), ts);
	pf_buf_addf(&b, "%s podfs[%d] %s: ", ts, (int)getpid(), names[level]);
	va_start(ap, fmt);
	pf_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	pf_buf_addc(&b, '\n');
	if (write(STDERR_FILENO, b.buf, b.len) < 0) {
		/* Nowhere left to report a failing stderr. */
	}
	pf_buf_release(&b);
}
