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
	struct pf_policy policy;
	time_t mount_time;
	char *images_index;    /* STATE/images/index.json, for images/ */
	const char *state_dir; /* logs of this machine's containers live under it */

	/* Files being written into pods/ and dot-files kept as scratch space. */
	pthread_mutex_t plock;
	struct pf_pending **pending;
	size_t n_pending, cap_pending;
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

/* Render the file ino names into out.  0, or -ENOENT when the object is
 * gone, or -EISDIR for directories.  For pod.yaml and node.yaml this reads
 * the store; everything else comes from the cache. */
int pf_render(struct pf_fs *fs, uint64_t ino, struct pf_buf *out);

/* For a logs file: the log file it shows now (*path NULL when there is no
 * such instance, e.g. logs.previous before a restart); -ENOENT when the
 * pod or container is gone. */
int pf_log_source(struct pf_fs *fs, uint64_t ino, char **path);

/* The FUSE lowlevel operations (fs/ops.c). */
struct fuse_lowlevel_ops;
extern const struct fuse_lowlevel_ops pf_fuse_ops;
/* The cache's notify callback: wakes wait/ readers, drops deleted dentries
 * and the kernel's copies of files whose text changed. */
void pf_fs_notify(void *arg, const struct pf_cache_changes *ch);
/* Answer every parked wait/ read (EINTR) before the session goes away. */
void pf_fs_release_waiters(struct pf_fs *fs);
void pf_fs_free_pending(struct pf_fs *fs);
/* Free the file handles the kernel never released (after the loop ends). */
void pf_fs_free_handles(struct pf_fs *fs);

#endif
