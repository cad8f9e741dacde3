/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.h - the FUSE API layer's shared state.  fs/ maps paths to store objects
 * and renders files from them; it never runs containers or scheduling logic.
 */
#ifndef PODFS_FS_FS_H
#define PODFS_FS_FS_H

#include <pthread.h>

#include "cache.h"
#include "store.h"
#include "validate.h"

struct fuse_session;
struct pf_inval;
struct pf_pending;
struct pf_waiter;
struct pf_workers;
struct fh;

struct pf_fs {
	struct pf_store *store;
	struct pf_cache *cache;
	struct fuse_session *se;
	struct pf_inval *inval;	    /* drops deleted pods' names from the kernel */
	struct pf_workers *workers; /* submissions and deletions (workers.h) */
	int n_workers;
	struct pf_policy policy;
	bool has_group; /* pods/ is root:group 0775 (--group); else root 0755 */
	gid_t group;
	time_t mount_time;
	char *images_index;    /* STATE/images/index.json, for images/ */
	const char *state_dir; /* logs of this machine's containers live under it */

	/* Files being written into pods/ and dot-files kept as scratch space. */
	pthread_mutex_t plock;
	struct pf_pending **pending;
	size_t n_pending, cap_pending;
	size_t pending_bytes; /* what they hold together (PF_SCRATCH_MAX_BYTES) */
	time_t full_reported; /* when the limit was last reported (monotonic s) */
	uint64_t next_pending_serial;

	/* Open file handles (ops.c): slot table with generations. */
	pthread_mutex_t fhlock;
	struct fh **handles;
	uint32_t *handle_gen;
	size_t n_handles, cap_handles, cap_gen;
	uint32_t *free_slots;
	size_t n_free, cap_free;

	/* Reads of wait/<X> parked until X happens (answered from the cache's
	 * notify callback, or EINTR on interrupt). */
	pthread_mutex_t wlock;
	struct pf_waiter *waiters;
	bool shutting_down;
};

/* What the entry point tells the API layer. */
struct pf_fs_config {
	const char *state_dir; /* kept, not copied: outlives the fs */
	struct pf_policy policy;
	int workers;	/* threads for submissions and deletions */
	bool has_group; /* pods/ is writable by this group too (--group) */
	gid_t group;
};

/*
 * The life of the mount, in this order (fs.c):
 *   pf_fs_init     the layer's own state; no session, no thread
 *   pf_fs_mount    the FUSE session, signal handlers, the mount
 *   pf_fs_start    serve from store: invalidations, the cache, the workers
 *   pf_fs_serve    answer requests until unmounted or signalled
 *   pf_fs_stop     stop what pf_fs_start started (also after it failed
 *                  half-way); the store stays open, it is the caller's
 *   pf_fs_unmount  unmount and destroy the session (a no-op without one)
 *   pf_fs_free     the state pf_fs_init made, and what requests left
 * Fallible steps return 0 or -errno with the sentence in err.
 */
void pf_fs_init(struct pf_fs *fs, const struct pf_fs_config *cfg);
int pf_fs_mount(struct pf_fs *fs, const char *mountpoint, const struct pf_strlist *fuse_opts,
		bool debug, struct pf_err *err);
int pf_fs_start(struct pf_fs *fs, struct pf_store *store, struct pf_err *err);
/* 0 when the session ended cleanly (unmount, SIGTERM, SIGINT), -1 on error. */
int pf_fs_serve(struct pf_fs *fs);
void pf_fs_stop(struct pf_fs *fs);
void pf_fs_unmount(struct pf_fs *fs);
void pf_fs_free(struct pf_fs *fs);

/* Render the file ino names into out.  0, or -ENOENT when the object is
 * gone, or -EISDIR for directories.  For pod.yaml and node.yaml this reads
 * the store; everything else comes from the cache. */
int pf_render(struct pf_fs *fs, uint64_t ino, struct pf_buf *out);

/* For a logs file: the log file it shows now (*path NULL when there is no
 * such instance, e.g. logs.previous before a restart); -ENOENT when the
 * pod or container is gone. */
int pf_log_source(struct pf_fs *fs, uint64_t ino, char **path);
#endif
