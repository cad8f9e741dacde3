/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.h - the mount's view of the store: pod summaries, nodes and recent
 * events, kept current by one watch thread, so that reads never touch the
 * store and a reader never sees a half-applied change.
 *
 * Readers take pf_cache_rdlock(), look up, copy what they render, unlock.
 * Every object gets a serial number when it enters the cache; serials are
 * never reused, so they make stable FUSE inode numbers.
 */
#ifndef PODFS_FS_CACHE_H
#define PODFS_FS_CACHE_H

#include "errors.h"
#include "types.h"
#include "podstatus.h"
#include "store.h"

struct pf_cpod {
	uint64_t serial;
	/* The kernel has looked the pod up, so it may cache the pod's files:
	 * only then are they worth invalidating when the pod changes. */
	bool seen;
	bool mark;   /* found by the current reload (cache.c) */
	int64_t rev; /* the pod's mod_rev: its resourceVersion */
	struct pf_pod_summary s;
};

struct pf_cnode {
	uint64_t serial;
	bool seen;
	bool mark;
	int64_t rev;
	struct pf_node *node;
	bool ready; /* the Ready condition is True */
};

struct pf_cache;

/* What one applied batch changed, for the FUSE layer: wake waiters, drop
 * the kernel's dentries of deleted pods and its cached pages/attributes of
 * files whose text changed. */
struct pf_cache_changes {
	const char *const *deleted_pods;
	size_t n_deleted;
	const uint64_t *pods; /* serials of pods whose files changed (updates, new events) */
	size_t n_pods;
	const uint64_t *nodes; /* serials of nodes that changed */
	size_t n_nodes;
	bool events; /* the top-level events file changed */
};
/* Called from the watch thread, no lock held, after each applied batch. */
typedef void (*pf_cache_notify_fn)(void *arg, const struct pf_cache_changes *ch);

/* Load everything under /registry/ and start following the store. */
int pf_cache_start(struct pf_store *s, pf_cache_notify_fn notify, void *arg, struct pf_cache **out,
		   struct pf_err *err);
void pf_cache_stop(struct pf_cache *c);

void pf_cache_rdlock(struct pf_cache *c);
void pf_cache_unlock(struct pf_cache *c);

/* Under the read lock: */
const struct pf_cpod *pf_cache_pod(struct pf_cache *c, const char *name);
const struct pf_cpod *pf_cache_pod_serial(struct pf_cache *c, uint64_t serial);
/* A batch that deleted pods is applied, and the names it deleted may still
 * be in the kernel's cache: from the moment the batch is visible until the
 * notify callback's side says the kernel dropped them (fs/wait.c). */
bool pf_cache_settling(struct pf_cache *c);
/* Once per batch with deletions (ch->n_deleted): its names are out of the
 * kernel's cache.  Takes the write lock: call it without the read lock. */
void pf_cache_settled(struct pf_cache *c);
/* All pods sorted by name. */
const struct pf_cpod *const *pf_cache_pods(struct pf_cache *c, size_t *n);
const struct pf_cnode *pf_cache_node(struct pf_cache *c, const char *name);
const struct pf_cnode *pf_cache_node_serial(struct pf_cache *c, uint64_t serial);
const struct pf_cnode *const *pf_cache_nodes(struct pf_cache *c, size_t *n);
/* Append the recent events (oldest first, a bounded ring: older ones live in
 * the store) about kind/name to out; kind NULL appends every event. */
void pf_cache_events_render(struct pf_cache *c, const char *kind, const char *name, const char *uid,
			    struct pf_buf *out);

/* Mark an object as looked up by the kernel (under the read lock). */
static inline void pf_cache_mark_seen(bool *seen)
{
	__atomic_store_n(seen, true, __ATOMIC_RELAXED);
}

/* Put pods this process just stored at revision rev into the cache at once,
 * so that they are visible before the writer's system call returns without
 * waiting for the watch to deliver them.  Safe against the watch: every
 * cached object remembers its revision and older changes never overwrite
 * newer ones.  Names whose cached pod was another object (an earlier pod of
 * the same name) are added to replaced. */
void pf_cache_put_pods(struct pf_cache *c, struct pf_pod *const *pods, size_t n, int64_t rev,
		       struct pf_strlist *replaced);

/* Block until the cache has applied revision rev (or timeout_ms passes:
 * -ETIMEDOUT).  Writers call it so that what they stored is visible before
 * their system call returns. */
int pf_cache_wait_rev(struct pf_cache *c, int64_t rev, int timeout_ms);

#endif
