/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logs.h - container log files as the mount shows them (see logs.c).
 */
#ifndef PODFS_FS_LOGS_H
#define PODFS_FS_LOGS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

/* Log files are capped by the monitor; never read more than this. */
#define PF_LOG_MAX_BYTES (64u * 1024 * 1024)

/* Which version of a log file a text was made from. */
struct pf_log_stamp {
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* STATE/logs/<pod-uid>/<container>/<restart>.log (a new string). */
char *pf_log_path(const char *state_dir, const char *pod_uid, const char *container, int restart);
/* Append the log's text to out (empty when the file does not exist yet);
 * stamp (may be NULL) records the file it came from. */
int pf_log_text(const char *path, struct pf_buf *out, struct pf_log_stamp *stamp);
/* Has the file changed since stamp? */
bool pf_log_changed(const char *path, const struct pf_log_stamp *stamp);

#endif
