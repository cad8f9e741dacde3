/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listwatch.h - list a prefix, then watch it from just after the listing,
 * and list again when the watch breaks: the loop that the scheduler, the
 * node agent and the mount's cache all run (client-go's reflector).  It
 * runs in the caller's own loop, on the caller's thread, because each of
 * them waits on its own timers too: nothing here starts a thread or calls
 * back.  Only pf_listwatch_cancel may be called from another thread.
 *
 * It relies on store.h alone, so it serves every backend.
 */
#ifndef PODFS_LISTWATCH_H
#define PODFS_LISTWATCH_H

#include "store.h"

struct pf_listwatch;

/* Nothing is listed yet (pf_listwatch_list does).  who names the log
 * lines: "scheduler", "cache", "node agent". */
struct pf_listwatch *pf_listwatch_new(struct pf_store *s, const char *prefix, const char *who);
/* Once the thread that used it has been joined; NULL is a no-op. */
void pf_listwatch_free(struct pf_listwatch *lw);

/* List every key under the prefix into out as of *rev (rev may be NULL)
 * and watch from *rev + 1, replacing the watch held.  On failure out is
 * empty: a failed listing keeps the old watch; a watch that cannot open
 * leaves none, and pf_listwatch_next says -ENOTCONN until the next list. */
int pf_listwatch_list(struct pf_listwatch *lw, struct pf_kv_list *out, int64_t *rev,
		      struct pf_err *err);

/* Wait up to timeout_ms (-1: forever) for changes, as pf_watch_next: the
 * count (0 on timeout) or -ECANCELED once cancelled.  Any other error
 * (-ERANGE: compacted, -ENOTCONN: no watch, -EIO) wants
 * pf_listwatch_relist. */
int pf_listwatch_next(struct pf_listwatch *lw, struct pf_watch_batch *out, int timeout_ms,
		      struct pf_err *err);

/* After pf_listwatch_next failed with r and err: log it and back off a
 * second (not for -ERANGE, which only says the history moved on, nor for
 * -ENOTCONN, whose cause was logged), then pf_listwatch_list.  0 with the
 * new listing in out; -ECANCELED when cancelled meanwhile; or the list's
 * error in err, logged, after another second's back-off. */
int pf_listwatch_relist(struct pf_listwatch *lw, int r, struct pf_kv_list *out, int64_t *rev,
			struct pf_err *err);

/* Wake pf_listwatch_next and a back-off with -ECANCELED, now and from now
 * on (a watch opened later is cancelled at once).  Any thread; idempotent. */
void pf_listwatch_cancel(struct pf_listwatch *lw);

#endif
