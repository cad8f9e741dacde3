/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handles.c - the open file handles of the mount.  A handle lives in a
 * slot table (fs->handles); fi->fh holds slot and generation, never a
 * pointer, so a request naming a handle already released finds nothing
 * instead of freed memory, and what the kernel never released is freed at
 * unmount.  Nothing here answers a request beyond replying a slice of a
 * handle's text.
 */
#include "ops-internal.h"

void pf_reply_slice(fuse_req_t req, const struct pf_buf *b, size_t size, off_t off)
{
	if ((size_t)off >= b->len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, b->buf + off,
			       b->len - (size_t)off < size ? b->len - (size_t)off : size);
}

static void free_fh(struct fh *h)
{
	if (!h)
		return;
	pf_buf_release(&h->buf);
	free(h->log_path);
	pthread_mutex_destroy(&h->log_lock);
	free(h->pod);
	free(h->uid);
	for (size_t i = 0; i < h->n_ents; i++)
		free(h->ents[i].name);
	free(h->ents);
	free(h);
}

struct fh *pf_fh_new(struct pf_fs *fs, enum fh_kind kind, struct fuse_file_info *fi)
{
	struct fh *h = pf_xcalloc(1, sizeof(*h));
	uint32_t slot;

	h->kind = kind;
	h->refs = 1;
	pthread_mutex_init(&h->log_lock, NULL);
	pthread_mutex_lock(&fs->fhlock);
	if (fs->n_free) {
		slot = fs->free_slots[--fs->n_free];
	} else {
		slot = (uint32_t)fs->n_handles++;
		PF_GROW(fs->handles, fs->cap_handles, fs->n_handles);
		PF_GROW(fs->handle_gen, fs->cap_gen, fs->n_handles);
		fs->handle_gen[slot] = 0;
	}
	fs->handles[slot] = h;
	h->slot = slot;
	fi->fh = ((uint64_t)++fs->handle_gen[slot] << 32) | slot;
	pthread_mutex_unlock(&fs->fhlock);
	return h;
}

/* The handle fi names, if it is still open, with a reference; NULL if not. */
static struct fh *fh_lookup_locked(struct pf_fs *fs, struct fuse_file_info *fi)
{
	uint32_t slot = (uint32_t)fi->fh, gen = (uint32_t)(fi->fh >> 32);

	if (slot >= fs->n_handles || fs->handle_gen[slot] != gen || !fs->handles[slot])
		return NULL;
	return fs->handles[slot];
}

struct fh *pf_fh_get(struct pf_fs *fs, struct fuse_file_info *fi)
{
	struct fh *h;

	pthread_mutex_lock(&fs->fhlock);
	h = fh_lookup_locked(fs, fi);
	if (h)
		h->refs++;
	pthread_mutex_unlock(&fs->fhlock);
	return h;
}

void pf_fh_ref(struct pf_fs *fs, struct fh *h)
{
	pthread_mutex_lock(&fs->fhlock);
	h->refs++;
	pthread_mutex_unlock(&fs->fhlock);
}

void pf_fh_put(struct pf_fs *fs, struct fh *h)
{
	bool last;

	if (!h)
		return;
	pthread_mutex_lock(&fs->fhlock);
	last = --h->refs == 0;
	pthread_mutex_unlock(&fs->fhlock);
	if (last)
		free_fh(h);
}

void pf_fh_close(struct pf_fs *fs, struct fuse_file_info *fi)
{
	struct fh *h;

	pthread_mutex_lock(&fs->fhlock);
	h = fh_lookup_locked(fs, fi);
	if (h) {
		fs->handles[h->slot] = NULL;
		PF_GROW(fs->free_slots, fs->cap_free, fs->n_free + 1);
		fs->free_slots[fs->n_free++] = h->slot;
	}
	pthread_mutex_unlock(&fs->fhlock);
	pf_fh_put(fs, h);
}

void pf_fs_free_handles(struct pf_fs *fs)
{
	for (size_t i = 0; i < fs->n_handles; i++)
		free_fh(fs->handles[i]);
	free(fs->handles);
	free(fs->handle_gen);
	free(fs->free_slots);
	fs->handles = NULL;
	fs->handle_gen = fs->free_slots = NULL;
	fs->n_handles = fs->n_free = 0;
}
