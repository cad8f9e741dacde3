/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workers.h - a few threads for the FUSE operations that wait on the store.
 *
 * The FUSE session runs on one dispatcher thread: every file in the mount is
 * rendered from memory, so most requests are answered in microseconds, and a
 * single thread answers them fastest (no hand-off between threads per
 * request).  The operations that commit to the store (a submission on
 * close(2) or rename(2), a deletion by rmdir(2)) wait for a disk sync; they
 * are handed to this pool so the dispatcher never waits on the disk.  A job
 * owns its request and must reply to it.
 */
#ifndef PODFS_FS_WORKERS_H
#define PODFS_FS_WORKERS_H

struct pf_workers;
struct pf_err;

/* Start n threads.  0, or -errno with err set. */
int pf_workers_start(unsigned n, struct pf_workers **out, struct pf_err *err);
/* Run fn(arg) on a worker thread; never blocks on a job.  When the pool is
 * NULL (it could not start) or stopping, fn runs on the calling thread. */
void pf_workers_run(struct pf_workers *w, void (*fn)(void *arg), void *arg);
/* Run what is queued, then join the threads; later jobs run on the caller's
 * thread.  NULL is fine. */
void pf_workers_stop(struct pf_workers *w);
/* Free the pool once no thread can call pf_workers_run on it.  NULL is fine. */
void pf_workers_free(struct pf_workers *w);

#endif
