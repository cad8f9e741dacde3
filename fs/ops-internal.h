/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops-internal.h - what the FUSE operations (ops.c), the pods/ drop-box
 * (dropbox.c) and the parked wait/ reads (wait.c) share.  Not for other
 * modules.
 */
#ifndef PODFS_FS_OPS_INTERNAL_H
#define PODFS_FS_OPS_INTERNAL_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <time.h>

#include "fs.h"
#include "logs.h"
#include "tree.h"

/* All the files being written into pods/ (scratch files included) may
 * hold this much memory together; a write past it fails with ENOSPC.
 * About 21 manifests of the largest size, thousands of real ones. */
#define PF_SCRATCH_MAX_BYTES (64u << 20)

struct pf_pending {
	uint64_t serial;
	char *name;
	struct pf_buf data;
	bool dot;     /* scratch file: never parsed until renamed */
	bool dirty;   /* written since the last submission */
	bool too_big; /* more was written than a manifest may hold */
	bool listed;  /* still in pods/ */
	bool handed;  /* its text was handed to the API layer at least once */
	int opens;
	mode_t mode; /* as created, then chmod(2) */
	uid_t uid;   /* the creator's, then chown(2) */
	gid_t gid;
	struct timespec mtime;
};

/* FH_LOG: a logs file, read live (tail -f), re-rendered when the log
 * file changes or the container restarts. */
enum fh_kind { FH_RENDER = 1, FH_PENDING, FH_WAIT, FH_DIR, FH_LOG };

struct dent {
	char *name;
	uint64_t ino;
	bool dir;
};

struct fh {
	enum fh_kind kind;
	uint32_t slot;
	int refs;
	pthread_mutex_t log_lock; /* FH_LOG: buf changes on every read */
	char *log_path;		  /* FH_LOG: the file buf was made from, and its version */
	struct pf_log_stamp log_stamp;
	struct pf_buf buf;
	struct pf_pending *pending;
	bool wait_done;
	char *pod; /* wait/: the pod's name and uid, for the failure event */
	char *uid;
	struct dent *ents;
	size_t n_ents;
};

static inline struct pf_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* handles.c: file handles live in a table (fs->handles): fi->fh holds slot and
 * generation, never a pointer, so a request that names a handle already
 * released finds nothing instead of freed memory, and whatever the kernel
 * never released is freed at unmount.  Users hold a reference while they
 * work (pf_fh_get/pf_fh_put); a parked wait/ read holds one too. */
struct fh *pf_fh_new(struct pf_fs *fs, enum fh_kind kind, struct fuse_file_info *fi);
struct fh *pf_fh_get(struct pf_fs *fs, struct fuse_file_info *fi);
void pf_fh_ref(struct pf_fs *fs, struct fh *h);
void pf_fh_put(struct pf_fs *fs, struct fh *h);
/* release/releasedir: drop the open's reference and the slot. */
void pf_fh_close(struct pf_fs *fs, struct fuse_file_info *fi);

static inline bool is_wait_ino(uint64_t ino)
{
	return pf_ino_kind(ino) == PF_INO_POD && !pf_ino_cidx(ino) &&
	       pf_ino_fid(ino) >= PF_POD_WAIT_FIRST;
}

/* dropbox.c: files written into pods/ (fs->plock held unless noted). */
struct pf_pending *pf_pending_by_name(struct pf_fs *fs, const char *name);
struct pf_pending *pf_pending_by_serial(struct pf_fs *fs, uint64_t serial);
struct pf_pending *pf_pending_new(struct pf_fs *fs, const char *name, mode_t mode, uid_t uid,
				  gid_t gid);
/* Make p's content n bytes long (zeros when it grows): -ENOSPC when the
 * files being written into pods/ would hold more than
 * PF_SCRATCH_MAX_BYTES together. */
int pf_pending_resize(struct pf_fs *fs, struct pf_pending *p, size_t n);
/* Say, in the log and the events (from a worker, at most every 5 s), that
 * a write into pods/NAME met the limit (fs->plock held). */
void pf_pending_full(struct pf_fs *fs, const char *name);
/* Take p out of pods/; frees it once no handle holds it. */
void pf_pending_unlist(struct pf_fs *fs, struct pf_pending *p);
/* Admit and store a submission (no lock held): the errno close(2) or
 * rename(2) returns; the sentence goes to events and the log. */
int pf_submit(struct pf_fs *fs, const char *file, const char *data, size_t len, uid_t creator);
/* The same for a file written past the manifest size limit: -EFBIG. */
int pf_submit_too_big(struct pf_fs *fs, const char *file);

/* kcache.c: may the kernel keep ino's attributes until told otherwise? */
bool pf_kernel_cacheable(struct pf_fs *fs, uint64_t ino);
/* kcache.c: queue invalidations of the kernel's copies of what ch changed. */
void pf_fs_invalidate(struct pf_fs *fs, const struct pf_cache_changes *ch);

/* wait.c: a read of wait/<X>: answered now or parked until X happens. */
void pf_wait_read(fuse_req_t req, struct pf_fs *fs, struct fh *h, fuse_ino_t ino, size_t size,
		  off_t off);
/* handles.c: reply the part of b at off (at most size bytes). */
void pf_reply_slice(fuse_req_t req, const struct pf_buf *b, size_t size, off_t off);

/* ops.c: the FUSE lowlevel operations, for fs.c's session. */
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
