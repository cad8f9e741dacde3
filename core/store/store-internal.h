/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store-internal.h - what the store dispatcher (store.c), the watch
 * machinery every backend shares (watch.c), the backends (store_mem.c,
 * store_sqlite.c) and their tests share.  Nothing outside core/store/ and
 * the unit tests (test_store.c; test_sched.c and test_listwatch.c for
 * pf_store_compact) may include it: the rest of podfs talks to store.h
 * only.
 */
#ifndef PODFS_STORE_INTERNAL_H
#define PODFS_STORE_INTERNAL_H

#include "store.h"

#include <pthread.h>

extern const struct pf_store_ops pf_store_mem_ops;
extern const struct pf_store_ops pf_store_sqlite_ops;

/* How many revisions of watch history a backend keeps (etcd's revision
 * retention).  A backend trims the oldest now and then, not on every write,
 * once it holds a tenth more than that. */
#define PF_STORE_HISTORY 100000

/* At most this many events per pf_watch_next (more when one txn has more). */
#define PF_WATCH_BATCH 1000

/* Forget the watch history up to and including rev, as etcd's compaction:
 * afterwards a watch from a revision <= rev gets -ERANGE; the current state
 * is untouched.  A rev at or below an earlier compaction is a no-op;
 * -EINVAL when rev is newer than the store. */
int pf_store_compact(struct pf_store *s, int64_t rev, struct pf_err *err);

/* Test hooks: keep keep revisions of history instead of PF_STORE_HISTORY,
 * so that tests can see the automatic trimming without 100,000 writes.
 * Call before the handle is shared; s must be of that backend. */
void pf_store_mem_set_history(struct pf_store *s, int64_t keep);
void pf_store_sqlite_set_history(struct pf_store *s, int64_t keep);

/* Fill kv with copies of key and value (value NUL-terminated; NULL for
 * value gives value NULL, len 0, as a DELETE event carries). */
void pf_kv_set(struct pf_kv *kv, const char *key, const void *value, size_t len, int64_t create_rev,
	       int64_t mod_rev);

/* The one wording of the per-op failures, shared so that every backend
 * names the key the same way.  They return -code. */
int pf_store_err_exists(struct pf_err *err, const char *key);
int pf_store_err_absent(struct pf_err *err, const char *key);
int pf_store_err_stale(struct pf_err *err, const char *key, int64_t mod_rev, int64_t expect_rev);
int pf_store_err_compacted(struct pf_err *err, int64_t from_rev, int64_t compact_rev);

/* Keys under prefix are exactly those k with prefix <= k < end, comparing
 * bytes unsigned (memcmp, sqlite's BINARY collation).  *end is NULL when
 * no such bound exists (prefix "" or all 0xff bytes).  Caller frees. */
char *pf_store_prefix_end(const char *prefix);

/* Grow a batch by one event and return it, zeroed. */
struct pf_watch_event *pf_watch_batch_add(struct pf_watch_batch *b, size_t *cap);

/*
 * Where a backend announces that its watchers may have something to fetch
 * (watch.c): every commit, compaction or change seen from another process
 * bumps seq, and pf_watch_next waits for seq to move between two fetches,
 * so a change after a fetch always wakes it.  One hub per store (or per
 * shared file); its mutex guards nothing of the backend's data, so a bump
 * may come with or without the backend's own locks held.
 */
struct pf_watch_hub {
	pthread_mutex_t mu;
	pthread_cond_t changed; /* on the monotonic clock */
	uint64_t seq;
};
void pf_watch_hub_init(struct pf_watch_hub *h);
void pf_watch_hub_destroy(struct pf_watch_hub *h);
void pf_watch_hub_bump(struct pf_watch_hub *h);

/* Fill the header of a watch a backend's watch_open made. */
void pf_watch_init(struct pf_watch *w, const struct pf_store_ops *ops, struct pf_watch_hub *hub);

#endif
