/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - the podfs log: one line per message to stderr (and the journal when
 * run by systemd, which reads stderr), with a level and a component.
 */
#ifndef PODFS_LOG_H
#define PODFS_LOG_H

#include "util.h"

enum pf_log_level { PF_LOG_ERROR = 0, PF_LOG_WARN, PF_LOG_INFO, PF_LOG_DEBUG };

/* Messages above this level are dropped (default INFO). */
void pf_log_set_level(enum pf_log_level level);
void pf_log(enum pf_log_level level, const char *fmt, ...) PF_PRINTF(2, 3);

#endif
