/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inval.h - tell the kernel that names went away.
 *
 * Pod directories are cached by the kernel for a short time (saving a
 * lookup per access); when a pod is deleted, here or through another
 * process sharing the store, its name must be dropped from the kernel's
 * dentry cache.  Likewise the pages and attributes of files whose text
 * changed (a pod's status moved on, an event arrived) must be dropped.  The notification can block
 * on the directory's lock, held by a request that may itself be waiting for the cache; so
 * notifications are sent from a thread of their own, never from the cache's thread or a FUSE
 * worker.
 */
#ifndef PODFS_FS_INVAL_H
#define PODFS_FS_INVAL_H

#include <stdint.h>

struct fuse_session;
struct pf_inval;

struct pf_inval *pf_inval_start(struct fuse_session *se);
/* Queue (parent inode, name) for invalidation; never blocks on the kernel. */
void pf_inval_push(struct pf_inval *iv, uint64_t parent, const char *name);
/* Queue an inode whose attributes and cached pages are stale. */
void pf_inval_push_inode(struct pf_inval *iv, uint64_t ino);
/* Call fn(arg) on the invalidation thread once everything queued before
 * has been sent to the kernel (at once when iv is NULL): an answer that
 * says a pod is gone must not reach a reader who could still find its
 * name in the kernel's cache. */
void pf_inval_after(struct pf_inval *iv, void (*fn)(void *arg), void *arg);
/* Send what is queued (and make the calls queued), then stop the thread.
 * NULL is fine. */
void pf_inval_stop(struct pf_inval *iv);

#endif
