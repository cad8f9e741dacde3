/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops.c - the FUSE lowlevel operations of the mount.
 *
 * Thin by design: resolve the inode (tree.h), render from the cache
 * (render.c) or hand a submission to the API layer (core/apiserver/api.c).  Writes
 * into pods/ are kept in memory until flush(2), where they are admitted and
 * stored, and the result is what close(2) returns.  Reads of wait/<X> that
 * cannot be answered yet are parked and answered from the cache's notify
 * callback, so a blocked reader holds no worker thread.
 */
#include "ops-internal.h"

#include <errno.h>
#include <sys/stat.h>

#include "api.h"
#include "fs.h"
#include "images.h"
#include "inval.h"
#include "log.h"
#include "manifest.h"
#include "tree.h"
#include "workers.h"

#define ENTRY_TIMEOUT 60.0 /* names whose inode never changes meaning */
/* Pod directories: cached briefly, and dropped at once when the pod goes
 * (inval.c); a lookup per `cat pods/x/...` would double its cost. */
#define POD_ENTRY_TIMEOUT 1.0
/* Files rendered from the cache: their attributes stay in the kernel until
 * the object changes and inval.c drops them (saving a GETATTR per fstat). */
#define FILE_ATTR_TIMEOUT 60.0
#define DIR_ATTR_TIMEOUT  1.0
#define SUBMIT_VISIBLE_MS 10000

/* ---- pending submissions (plock held) ---- */

/* ---- attributes ---- */

static void fill_dir(struct stat *st, uint64_t ino, time_t t, mode_t mode)
{
	st->st_ino = ino;
	st->st_mode = S_IFDIR | mode;
	st->st_nlink = 2;
	st->st_mtime = st->st_ctime = st->st_atime = t;
}

static void fill_file(struct stat *st, uint64_t ino, time_t t, mode_t mode, size_t size)
{
	st->st_ino = ino;
	st->st_mode = S_IFREG | mode;
	st->st_nlink = 1;
	st->st_size = (off_t)size;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
	st->st_mtime = st->st_ctime = st->st_atime = t;
}

static bool is_dir_ino(uint64_t ino)
{
	unsigned fid = pf_ino_fid(ino);

	switch (pf_ino_kind(ino)) {
	case PF_INO_FIXED:
		return ino != PF_INO_EVENTS;
	case PF_INO_POD:
		if (pf_ino_cidx(ino))
			return fid == PF_CTR_DIR;
		return fid == PF_POD_DIR || fid == PF_POD_CONTAINERS || fid == PF_POD_WAIT;
	case PF_INO_NODE:
		return fid == PF_NODE_DIR;
	default:
		return false;
	}
}

/* Does the object behind ino still exist?  Fills its timestamp. */
static bool object_alive(struct pf_fs *fs, uint64_t ino, time_t *t)
{
	bool ok = true;

	*t = fs->mount_time;
	switch (pf_ino_kind(ino)) {
	case PF_INO_FIXED:
		return ino >= PF_INO_ROOT && ino <= PF_INO_EVENTS;
	case PF_INO_POD: {
		pf_cache_rdlock(fs->cache);
		const struct pf_cpod *p = pf_cache_pod_serial(fs->cache, pf_ino_serial(ino));
		ok = p && pf_ino_cidx(ino) <= p->s.n_containers;
		if (p)
			*t = (time_t)(p->s.creation_ms / 1000);
		pf_cache_unlock(fs->cache);
		return ok;
	}
	case PF_INO_NODE: {
		pf_cache_rdlock(fs->cache);
		const struct pf_cnode *n = pf_cache_node_serial(fs->cache, pf_ino_serial(ino));
		ok = n != NULL;
		if (n)
			*t = (time_t)(n->node->meta.creation_ms / 1000);
		pf_cache_unlock(fs->cache);
		return ok;
	}
	case PF_INO_IMAGE: {
		struct pf_buf b = PF_BUF_INIT;
		int64_t created = 0;
		ok = pf_images_render(fs->images_index, ino, &b, &created) == 0;
		if (ok && created)
			*t = (time_t)(created / 1000);
		pf_buf_release(&b);
		return ok;
	}
	default:
		return false;
	}
}

static int stat_ino(struct pf_fs *fs, uint64_t ino, struct stat *st, double *timeout)
{
	time_t t;

	memset(st, 0, sizeof(*st));
	*timeout = 0;
	if (pf_ino_kind(ino) == PF_INO_PENDING) {
		int r = 0;
		pthread_mutex_lock(&fs->plock);
		struct pf_pending *p = pf_pending_by_serial(fs, pf_ino_serial(ino));
		if (p && p->listed) {
			fill_file(st, ino, p->mtime.tv_sec, p->mode, p->data.len);
			st->st_uid = p->uid;
			st->st_gid = p->gid;
			st->st_mtim = st->st_ctim = p->mtime;
		} else {
			r = -ENOENT;
		}
		pthread_mutex_unlock(&fs->plock);
		return r;
	}
	if (!object_alive(fs, ino, &t))
		return -ENOENT;
	if (is_dir_ino(ino)) {
		fill_dir(st, ino, t, ino != PF_INO_PODS ? 0555 : fs->has_group ? 0775 : 0755);
		if (ino == PF_INO_PODS && fs->has_group)
			st->st_gid = fs->group;
		*timeout = DIR_ATTR_TIMEOUT;
		return 0;
	}
	if (is_wait_ino(ino)) {
		/* Its content does not exist until the wait is over: size 0,
		 * read with direct I/O. */
		fill_file(st, ino, t, 0444, 0);
		return 0;
	}
	/* Exact sizes: render now, so that a reader trusting st_size reads it all. */
	struct pf_buf b = PF_BUF_INIT;
	int r = pf_render(fs, ino, &b);
	if (r == 0) {
		fill_file(st, ino, t, 0444, b.len);
		if (pf_kernel_cacheable(fs, ino))
			*timeout = FILE_ATTR_TIMEOUT;
	}
	pf_buf_release(&b);
	return r;
}

static bool is_log_ino(uint64_t ino)
{
	if (pf_ino_kind(ino) != PF_INO_POD)
		return false;
	if (pf_ino_cidx(ino))
		return pf_ino_fid(ino) == PF_CTR_LOGS || pf_ino_fid(ino) == PF_CTR_LOGS_PREVIOUS;
	return pf_ino_fid(ino) == PF_POD_LOGS;
}

/* Bring a logs handle up to date: the container may have restarted (a new
 * file) or written more.  Returns 0 or -ENOENT when the pod went away. */
static int log_refresh(struct pf_fs *fs, struct fh *h, uint64_t ino)
{
	_cleanup_free_ char *path = NULL;
	int r = pf_log_source(fs, ino, &path);

	if (r < 0)
		return r;
	if (h->log_path && path && !strcmp(h->log_path, path) &&
	    !pf_log_changed(path, &h->log_stamp))
		return 0;
	pf_buf_reset(&h->buf);
	memset(&h->log_stamp, 0, sizeof(h->log_stamp));
	if (path)
		r = pf_log_text(path, &h->buf, &h->log_stamp);
	free(h->log_path);
	h->log_path = PF_TAKE(path);
	return r;
}

static void reply_entry(fuse_req_t req, struct pf_fs *fs, uint64_t ino, double entry_timeout)
{
	struct fuse_entry_param e;
	double at;
	int r;

	memset(&e, 0, sizeof(e));
	r = stat_ino(fs, ino, &e.attr, &at);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	e.ino = ino;
	e.attr_timeout = at;
	e.entry_timeout = entry_timeout;
	fuse_reply_entry(req, &e);
}

/* ---- lookup ---- */

static int lookup_ino(struct pf_fs *fs, uint64_t parent, const char *name, uint64_t *ino,
		      double *timeout)
{
	const struct pf_entry *e;
	uint64_t serial = pf_ino_serial(parent);

	*timeout = ENTRY_TIMEOUT;
	switch (pf_ino_kind(parent)) {
	case PF_INO_FIXED:
		if (parent == PF_INO_ROOT) {
			static const struct {
				const char *n;
				uint64_t i;
			} root[] = {{"pods", PF_INO_PODS},
				    {"nodes", PF_INO_NODES},
				    {"images", PF_INO_IMAGES},
				    {"events", PF_INO_EVENTS}};
			for (size_t i = 0; i < PF_ARRAY_SIZE(root); i++)
				if (strcmp(root[i].n, name) == 0)
					return (*ino = root[i].i), 0;
			return -ENOENT;
		}
		/* Pods and nodes come and go, possibly through another
		 * process sharing the store: never let the kernel cache
		 * their names. */
		*timeout = 0;
		if (parent == PF_INO_PODS) {
			pthread_mutex_lock(&fs->plock);
			struct pf_pending *p = pf_pending_by_name(fs, name);
			if (p)
				*ino = pf_ino(PF_INO_PENDING, p->serial, 0, 0);
			pthread_mutex_unlock(&fs->plock);
			if (p)
				return 0;
			pf_cache_rdlock(fs->cache);
			const struct pf_cpod *cp = pf_cache_pod(fs->cache, name);
			if (cp) {
				*ino = pf_ino(PF_INO_POD, cp->serial, 0, PF_POD_DIR);
				pf_cache_mark_seen((bool *)&cp->seen);
			}
			pf_cache_unlock(fs->cache);
			if (cp && fs->inval)
				*timeout = POD_ENTRY_TIMEOUT;
			return cp ? 0 : -ENOENT;
		}
		if (parent == PF_INO_NODES) {
			pf_cache_rdlock(fs->cache);
			const struct pf_cnode *cn = pf_cache_node(fs->cache, name);
			if (cn) {
				*ino = pf_ino(PF_INO_NODE, cn->serial, 0, PF_NODE_DIR);
				pf_cache_mark_seen((bool *)&cn->seen);
			}
			pf_cache_unlock(fs->cache);
			return cn ? 0 : -ENOENT;
		}
		if (parent == PF_INO_IMAGES)
			return pf_images_lookup(fs->images_index, name, ino);
		return -ENOENT;
	case PF_INO_POD:
		if (pf_ino_cidx(parent)) {
			if (pf_ino_fid(parent) != PF_CTR_DIR ||
			    !(e = pf_entry_find(pf_ctr_entries, name)))
				return -ENOENT;
			*ino = pf_ino(PF_INO_POD, serial, pf_ino_cidx(parent), e->fid);
			return 0;
		}
		switch (pf_ino_fid(parent)) {
		case PF_POD_DIR:
			if (!(e = pf_entry_find(pf_pod_entries, name)))
				return -ENOENT;
			*ino = pf_ino(PF_INO_POD, serial, 0, e->fid);
			return 0;
		case PF_POD_WAIT: {
			int w = pf_wait_word_index(name);
			if (w < 0)
				return -ENOENT;
			*ino = pf_ino(PF_INO_POD, serial, 0, PF_POD_WAIT_FIRST + (unsigned)w);
			return 0;
		}
		case PF_POD_CONTAINERS: {
			int r = -ENOENT;
			pf_cache_rdlock(fs->cache);
			const struct pf_cpod *cp = pf_cache_pod_serial(fs->cache, serial);
			for (size_t i = 0; cp && i < cp->s.n_containers && i < 255; i++) {
				if (strcmp(cp->s.containers[i].name, name) == 0) {
					*ino =
					    pf_ino(PF_INO_POD, serial, (unsigned)i + 1, PF_CTR_DIR);
					r = 0;
					break;
				}
			}
			pf_cache_unlock(fs->cache);
			return r;
		}
		default:
			return -ENOTDIR;
		}
	case PF_INO_NODE:
		if (pf_ino_fid(parent) != PF_NODE_DIR ||
		    !(e = pf_entry_find(pf_node_entries, name)))
			return -ENOENT;
		*ino = pf_ino(PF_INO_NODE, serial, 0, e->fid);
		return 0;
	default:
		return -ENOTDIR;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pf_fs *fs = fs_of(req);
	uint64_t ino = 0;
	double timeout;
	int r = lookup_ino(fs, parent, name, &ino, &timeout);

	if (r == -ENOENT) {
		/* A negative entry with timeout 0: the name may appear any time. */
		struct fuse_entry_param e;
		memset(&e, 0, sizeof(e));
		fuse_reply_entry(req, &e);
		return;
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	reply_entry(req, fs, ino, timeout);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct stat st;
	double timeout;
	int r;

	/* An open rendered file answers from its snapshot: fstat after open
	 * agrees with what read returns. */
	struct fh *h = fi ? pf_fh_get(fs, fi) : NULL;
	if (h && h->kind == FH_LOG) {
		/* tail -f watches the size grow through fstat. */
		time_t t;
		object_alive(fs, ino, &t);
		pthread_mutex_lock(&h->log_lock);
		log_refresh(fs, h, ino);
		memset(&st, 0, sizeof(st));
		fill_file(&st, ino, time(NULL), 0444, h->buf.len);
		pthread_mutex_unlock(&h->log_lock);
		pf_fh_put(fs, h);
		fuse_reply_attr(req, &st, 0);
		return;
	}
	if (h && h->kind == FH_RENDER) {
		/* A handle answers from its snapshot, so fstat after open agrees
		 * with what read returns; the kernel must not keep that size, it
		 * may already be old. */
		time_t t;
		object_alive(fs, ino, &t);
		memset(&st, 0, sizeof(st));
		fill_file(&st, ino, t, 0444, h->buf.len);
		pf_fh_put(fs, h);
		fuse_reply_attr(req, &st, 0);
		return;
	}
	pf_fh_put(fs, h);
	r = stat_ino(fs, ino, &st, &timeout);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, timeout);
}

/* chmod, chown and touch of a file written into pods/: a scratch file
 * keeps its mode, owner and times, as a file of a real directory would
 * (cp -p, rsync and editors set them).  Who may change them is the
 * kernel's check (default_permissions) once other users reach the mount.
 * 0 or -errno. */
static int set_pending_attr(struct pf_fs *fs, struct pf_pending *p, const struct stat *attr,
			    int to_set)
{
	/* The one step that can fail goes first: a refused setattr changes
	 * nothing. */
	if (to_set & FUSE_SET_ATTR_SIZE) {
		size_t n = (size_t)attr->st_size;
		int r;

		if (n > PF_MANIFEST_MAX_BYTES + 1)
			return -EFBIG;
		r = pf_pending_resize(fs, p, n);
		if (r < 0) {
			pf_pending_full(fs, p->name);
			return r;
		}
		p->too_big = false;
		p->dirty = true;
		clock_gettime(CLOCK_REALTIME, &p->mtime);
	}
	if (to_set & FUSE_SET_ATTR_UID)
		p->uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		p->gid = attr->st_gid;
	if (to_set & FUSE_SET_ATTR_MODE)
		p->mode = attr->st_mode & 07777;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		clock_gettime(CLOCK_REALTIME, &p->mtime);
	else if (to_set & FUSE_SET_ATTR_MTIME)
		p->mtime = attr->st_mtim;
	return 0;
}

/* Everything else shows objects: their modes, owners and times are the
 * objects', not the file's, so a change is refused (EPERM) rather than
 * accepted and lost; asking for what is already there is no change.
 * Truncation: EISDIR for directories, EACCES for files. */
static int set_object_attr(const struct stat *st, const struct stat *attr, int to_set)
{
	if (((to_set & FUSE_SET_ATTR_MODE) && (attr->st_mode & 07777) != (st->st_mode & 07777)) ||
	    ((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != st->st_uid) ||
	    ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != st->st_gid) ||
	    (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
		       FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME)))
		return -EPERM;
	if (to_set & FUSE_SET_ATTR_SIZE)
		return S_ISDIR(st->st_mode) ? -EISDIR : -EACCES;
	return 0;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct stat st;
	double timeout;
	int r;

	if (pf_ino_kind(ino) == PF_INO_PENDING) {
		pthread_mutex_lock(&fs->plock);
		struct pf_pending *p = pf_pending_by_serial(fs, pf_ino_serial(ino));
		r = p && p->listed ? set_pending_attr(fs, p, attr, to_set) : -ENOENT;
		pthread_mutex_unlock(&fs->plock);
		if (r == 0)
			r = stat_ino(fs, ino, &st, &timeout);
	} else {
		r = stat_ino(fs, ino, &st, &timeout);
		if (r == 0)
			r = set_object_attr(&st, attr, to_set);
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, timeout);
}

/* ---- directories ---- */

static void add_dent(struct fh *h, const char *name, uint64_t ino, bool dir, size_t *cap)
{
	PF_GROW(h->ents, *cap, h->n_ents + 1);
	h->ents[h->n_ents++] = (struct dent){pf_xstrdup(name), ino, dir};
}

struct image_dents {
	struct fh *h;
	size_t *cap;
};

static void add_image_dent(void *arg, const char *name, uint64_t ino)
{
	struct image_dents *d = arg;

	add_dent(d->h, name, ino, false, d->cap);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h;
	size_t cap = 0;
	uint64_t serial = pf_ino_serial(ino);
	time_t t;

	if (!is_dir_ino(ino) || !object_alive(fs, ino, &t)) {
		fuse_reply_err(req, is_dir_ino(ino) ? ENOENT : ENOTDIR);
		return;
	}
	/* A snapshot per opendir: readdir offsets index into it, so a listing
	 * is consistent even while pods come and go. */
	h = pf_fh_new(fs, FH_DIR, fi);
	add_dent(h, ".", ino, true, &cap);
	add_dent(h, "..", PF_INO_ROOT, true, &cap);
	switch (pf_ino_kind(ino)) {
	case PF_INO_FIXED:
		if (ino == PF_INO_ROOT) {
			add_dent(h, "pods", PF_INO_PODS, true, &cap);
			add_dent(h, "nodes", PF_INO_NODES, true, &cap);
			add_dent(h, "images", PF_INO_IMAGES, true, &cap);
			add_dent(h, "events", PF_INO_EVENTS, false, &cap);
		} else if (ino == PF_INO_PODS) {
			size_t n;
			pf_cache_rdlock(fs->cache);
			const struct pf_cpod *const *pods = pf_cache_pods(fs->cache, &n);
			for (size_t i = 0; i < n; i++)
				add_dent(h, pods[i]->s.name,
					 pf_ino(PF_INO_POD, pods[i]->serial, 0, PF_POD_DIR), true,
					 &cap);
			pf_cache_unlock(fs->cache);
			pthread_mutex_lock(&fs->plock);
			for (size_t i = 0; i < fs->n_pending; i++)
				add_dent(h, fs->pending[i]->name,
					 pf_ino(PF_INO_PENDING, fs->pending[i]->serial, 0, 0),
					 false, &cap);
			pthread_mutex_unlock(&fs->plock);
		} else if (ino == PF_INO_NODES) {
			size_t n;
			pf_cache_rdlock(fs->cache);
			const struct pf_cnode *const *nodes = pf_cache_nodes(fs->cache, &n);
			for (size_t i = 0; i < n; i++)
				add_dent(h, nodes[i]->node->meta.name,
					 pf_ino(PF_INO_NODE, nodes[i]->serial, 0, PF_NODE_DIR),
					 true, &cap);
			pf_cache_unlock(fs->cache);
		} else if (ino == PF_INO_IMAGES) {
			struct image_dents d = {h, &cap};
			pf_images_list(fs->images_index, add_image_dent, &d);
		}
		break;
	case PF_INO_POD:
		if (pf_ino_cidx(ino)) {
			for (const struct pf_entry *e = pf_ctr_entries; e->name; e++)
				add_dent(h, e->name,
					 pf_ino(PF_INO_POD, serial, pf_ino_cidx(ino), e->fid),
					 e->dir, &cap);
		} else if (pf_ino_fid(ino) == PF_POD_DIR) {
			for (const struct pf_entry *e = pf_pod_entries; e->name; e++)
				add_dent(h, e->name, pf_ino(PF_INO_POD, serial, 0, e->fid), e->dir,
					 &cap);
		} else if (pf_ino_fid(ino) == PF_POD_WAIT) {
			/* Listed empty, like the thread ids /proc does not list:
			 * every word is there by name (lookup), but a tool that
			 * walks the tree (grep -r, find -exec cat, tar, cp -r, a
			 * backup) must never meet a file whose read blocks.  Only
			 * a reader that names the wait waits. */
		} else {
			pf_cache_rdlock(fs->cache);
			const struct pf_cpod *cp = pf_cache_pod_serial(fs->cache, serial);
			for (size_t i = 0; cp && i < cp->s.n_containers && i < 255; i++)
				add_dent(h, cp->s.containers[i].name,
					 pf_ino(PF_INO_POD, serial, (unsigned)i + 1, PF_CTR_DIR),
					 true, &cap);
			pf_cache_unlock(fs->cache);
		}
		break;
	case PF_INO_NODE:
		for (const struct pf_entry *e = pf_node_entries; e->name; e++)
			add_dent(h, e->name, pf_ino(PF_INO_NODE, serial, 0, e->fid), e->dir, &cap);
		break;
	default:
		break;
	}
	/* The handle's one reference belongs to the open until releasedir. */
	fuse_reply_open(req, fi);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h = pf_fh_get(fs, fi);
	_cleanup_free_ char *buf = NULL;
	size_t used = 0;

	if (!h) {
		fuse_reply_err(req, EBADF);
		return;
	}
	buf = pf_xmalloc(size);
	for (size_t i = (size_t)off; i < h->n_ents; i++) {
		struct stat st = {.st_ino = h->ents[i].ino,
				  .st_mode = h->ents[i].dir ? S_IFDIR : S_IFREG};
		size_t n = fuse_add_direntry(req, buf + used, size - used, h->ents[i].name, &st,
					     (off_t)i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	pf_fh_put(fs, h);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	pf_fh_close(fs_of(req), fi);
	fuse_reply_err(req, 0);
}

/* ---- files ---- */

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h;
	int r;

	if (is_dir_ino(ino)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (pf_ino_kind(ino) == PF_INO_PENDING) {
		pthread_mutex_lock(&fs->plock);
		struct pf_pending *p = pf_pending_by_serial(fs, pf_ino_serial(ino));
		if (p && p->listed) {
			p->opens++;
			if (fi->flags & O_TRUNC) {
				pf_pending_resize(fs, p, 0);
				p->too_big = false;
				p->dirty = true;
			}
		}
		pthread_mutex_unlock(&fs->plock);
		if (!p || !p->listed) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		h = pf_fh_new(fs, FH_PENDING, fi);
		h->pending = p;
		fi->direct_io = 1;
		fuse_reply_open(req, fi);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		/* The object's files show state; they are changed by writing a
		 * manifest, not by editing them. */
		fuse_reply_err(req, EACCES);
		return;
	}
	if (is_wait_ino(ino)) {
		time_t t;
		if (!object_alive(fs, ino, &t)) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		h = pf_fh_new(fs, FH_WAIT, fi);
		pf_cache_rdlock(fs->cache);
		const struct pf_cpod *cp = pf_cache_pod_serial(fs->cache, pf_ino_serial(ino));
		h->pod = pf_xstrdup(cp ? cp->s.name : "");
		h->uid = pf_xstrdup(cp ? cp->s.uid : "");
		pf_cache_unlock(fs->cache);
		fi->nonseekable = 1;
	} else if (is_log_ino(ino)) {
		h = pf_fh_new(fs, FH_LOG, fi);
		r = log_refresh(fs, h, ino);
		if (r < 0) {
			pf_fh_close(fs, fi);
			fuse_reply_err(req, -r);
			return;
		}
	} else {
		struct pf_buf b = PF_BUF_INIT;
		r = pf_render(fs, ino, &b);
		if (r < 0) {
			pf_buf_release(&b);
			fuse_reply_err(req, -r);
			return;
		}
		h = pf_fh_new(fs, FH_RENDER, fi);
		h->buf = b;
	}
	/* Contents move: reads come from this open's snapshot (direct I/O),
	 * never from a page cache that could pair one version's size with
	 * another's text.  Nothing is written, so close(2) needs no FLUSH. */
	fi->noflush = 1;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h = pf_fh_get(fs, fi);

	if (!h) {
		fuse_reply_err(req, EBADF);
		return;
	}
	switch (h->kind) {
	case FH_RENDER:
		pf_reply_slice(req, &h->buf, size, off);
		break;
	case FH_WAIT:
		pf_wait_read(req, fs, h, ino, size, off);
		break;
	case FH_LOG:
		pthread_mutex_lock(&h->log_lock);
		if (log_refresh(fs, h, ino) < 0)
			pf_buf_reset(&h->buf);
		pf_reply_slice(req, &h->buf, size, off);
		pthread_mutex_unlock(&h->log_lock);
		break;
	case FH_PENDING: {
		struct pf_buf copy = PF_BUF_INIT;
		pthread_mutex_lock(&fs->plock);
		if ((size_t)off < h->pending->data.len) {
			size_t n = h->pending->data.len - (size_t)off;
			pf_buf_add(&copy, h->pending->data.buf + off, n < size ? n : size);
		}
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_buf(req, copy.buf, copy.len);
		pf_buf_release(&copy);
		break;
	}
	default:
		fuse_reply_err(req, EISDIR);
	}
	pf_fh_put(fs, h);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h = pf_fh_get(fs, fi);
	struct pf_pending *p;
	size_t end;

	if (!h || h->kind != FH_PENDING) {
		fuse_reply_err(req, h ? EACCES : EBADF);
		pf_fh_put(fs, h);
		return;
	}
	/* The pending file lives while this handle is open (opens > 0). */
	p = h->pending;
	pf_fh_put(fs, h);
	end = (size_t)off + size;
	pthread_mutex_lock(&fs->plock);
	if (end > PF_MANIFEST_MAX_BYTES + 1) {
		/* Keep one byte past the limit so close() reports EFBIG
		 * through the decoder, and memory stays bounded. */
		p->too_big = true;
		p->dirty = true;
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, EFBIG);
		return;
	}
	if (end > p->data.len && pf_pending_resize(fs, p, end) < 0) {
		pf_pending_full(fs, p->name);
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, ENOSPC);
		return;
	}
	memcpy(p->data.buf + off, buf, size);
	p->dirty = true;
	clock_gettime(CLOCK_REALTIME, &p->mtime);
	pthread_mutex_unlock(&fs->plock);
	fuse_reply_write(req, size);
}

/* A submission handed to a worker (workers.h): close(2) or rename(2) of a
 * file in pods/ waits for the store's commit, the dispatcher does not. */
struct submit_job {
	fuse_req_t req;
	struct pf_fs *fs;
	struct pf_pending *p; /* kept alive by an open (flush) or by opens++ (rename) */
	char *name;	      /* the file name submitted under */
	struct pf_buf data;
	uid_t creator;
	bool too_big, rename;
};

static void submit_job_run(void *arg)
{
	struct submit_job *j = arg;
	struct pf_fs *fs = j->fs;
	struct pf_pending *p = j->p;
	int r;

	if (j->too_big)
		r = pf_submit_too_big(fs, j->name);
	else if (j->data.len == 0 && !j->rename)
		r = 0; /* touch(1) or an empty redirect: nothing was submitted */
	else
		r = pf_submit(fs, j->name, j->data.buf ? j->data.buf : "", j->data.len, j->creator);

	pthread_mutex_lock(&fs->plock);
	if (j->rename) {
		p->opens--;
		if (r == 0) {
			struct pf_pending *old = pf_pending_by_name(fs, j->name);
			if (old && old != p)
				pf_pending_unlist(fs, old);
		}
		if ((r == 0 && p->listed) || (!p->listed && p->opens == 0))
			pf_pending_unlist(fs, p);
	} else if (r == 0 && p->listed && j->data.len) {
		/* Accepted: the pod directory is the object now, the file is gone. */
		pf_pending_unlist(fs, p);
	}
	pthread_mutex_unlock(&fs->plock);
	fuse_reply_err(j->req, -r);
	pf_buf_release(&j->data);
	free(j->name);
	free(j);
}

/* Queue p's text for submission under name; called with plock held. */
static void submit_later(fuse_req_t req, struct pf_fs *fs, struct pf_pending *p, const char *name,
			 bool rename)
{
	struct submit_job *j = pf_xcalloc(1, sizeof(*j));

	*j = (struct submit_job){.req = req,
				 .fs = fs,
				 .p = p,
				 .name = pf_xstrdup(name),
				 .creator = p->uid,
				 .too_big = p->too_big,
				 .rename = rename};
	p->handed = true;
	pf_buf_add(&j->data, p->data.buf, p->data.len);
	pf_workers_run(fs->workers, submit_job_run, j);
}

/* close(2) of a file in pods/: submit what was written. */
static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h = pf_fh_get(fs, fi);
	struct pf_pending *p;

	if (!h || h->kind != FH_PENDING) {
		pf_fh_put(fs, h);
		fuse_reply_err(req, 0);
		return;
	}
	p = h->pending;
	pf_fh_put(fs, h);
	pthread_mutex_lock(&fs->plock);
	if (p->dot || !p->dirty || !p->listed) {
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, 0);
		return;
	}
	p->dirty = false;
	if (!p->too_big && p->data.len == 0) {
		/* Nothing to submit yet: a shell redirection closes its first
		 * copy of the file before writing into the second.  An empty
		 * file is refused at release (empty_job_run). */
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, 0);
		return;
	}
	submit_later(req, fs, p, p->name, false);
	pthread_mutex_unlock(&fs->plock);
}

/* The last close of a file in pods/ that was never given any text (cp of
 * an empty file, touch): refused as the API server refuses it, in the
 * events and the log.  close(2) has returned 0 already: at its flush the
 * file could still have been a shell redirection's first copy. */
struct empty_job {
	struct pf_fs *fs;
	char *name;
	uid_t creator;
};

static void empty_job_run(void *arg)
{
	struct empty_job *j = arg;

	pf_submit(j->fs, j->name, "", 0, j->creator);
	free(j->name);
	free(j);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fh *h = pf_fh_get(fs, fi);

	if (h && h->kind == FH_PENDING) {
		struct pf_pending *p = h->pending;
		struct empty_job *j = NULL;

		pthread_mutex_lock(&fs->plock);
		p->opens--;
		/* A rejected or empty submission does not linger in pods/;
		 * dot-files do, as scratch space. */
		if (p->listed && !p->dot && p->opens == 0) {
			if (!p->handed && !p->too_big && p->data.len == 0) {
				j = pf_xcalloc(1, sizeof(*j));
				*j = (struct empty_job){fs, pf_xstrdup(p->name), p->uid};
			}
			pf_pending_unlist(fs, p);
		} else if (!p->listed && p->opens == 0) {
			pf_pending_unlist(fs, p);
		}
		pthread_mutex_unlock(&fs->plock);
		if (j)
			pf_workers_run(fs->workers, empty_job_run, j);
	}
	pf_fh_put(fs, h);
	pf_fh_close(fs, fi);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	/* A submission is durable when close(2) returns; nothing to do earlier. */
	fuse_reply_err(req, 0);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct pf_fs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct pf_pending *p;
	struct fh *h;
	double at;

	if (parent != PF_INO_PODS) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (!S_ISREG(mode) && (mode & S_IFMT)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	pf_cache_rdlock(fs->cache);
	bool taken = pf_cache_pod(fs->cache, name) != NULL;
	pf_cache_unlock(fs->cache);
	if (taken) {
		fuse_reply_err(req, EEXIST);
		return;
	}
	pthread_mutex_lock(&fs->plock);
	p = pf_pending_by_name(fs, name);
	if (p) {
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, EEXIST);
		return;
	}
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	p = pf_pending_new(fs, name, mode & 07777 ? mode : 0644, ctx->uid, ctx->gid);
	p->opens++;
	uint64_t ino = pf_ino(PF_INO_PENDING, p->serial, 0, 0);
	pthread_mutex_unlock(&fs->plock);

	h = pf_fh_new(fs, FH_PENDING, fi);
	h->pending = p;
	memset(&e, 0, sizeof(e));
	stat_ino(fs, ino, &e.attr, &at);
	e.ino = ino;
	fi->direct_io = 1;
	fuse_reply_create(req, &e, fi);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pf_fs *fs = fs_of(req);
	int r = 0;

	if (parent == PF_INO_PODS) {
		pthread_mutex_lock(&fs->plock);
		struct pf_pending *p = pf_pending_by_name(fs, name);
		if (p)
			pf_pending_unlist(fs, p);
		pthread_mutex_unlock(&fs->plock);
		if (!p) {
			pf_cache_rdlock(fs->cache);
			r = pf_cache_pod(fs->cache, name) ? -EISDIR : -ENOENT;
			pf_cache_unlock(fs->cache);
		}
	} else if (pf_ino_kind(parent) == PF_INO_POD) {
		/* `rm -r pods/x` removes every file before the directory; the
		 * files are views, so removing one changes nothing and the
		 * final rmdir deletes the pod. */
		uint64_t ino;
		double t;
		r = lookup_ino(fs, parent, name, &ino, &t);
	} else {
		r = -EPERM;
	}
	fuse_reply_err(req, -r);
}

/* rmdir(2) of pods/<name>, on a worker: it commits and then waits until
 * the cache shows the deletion. */
struct delete_job {
	fuse_req_t req;
	struct pf_fs *fs;
	char name[];
};

static void delete_job_run(void *arg)
{
	struct delete_job *j = arg;
	struct pf_fs *fs = j->fs;
	struct pf_err err = PF_ERR_INIT;
	int64_t rev = 0;
	int r;

	r = pf_api_delete_pod(fs->store, j->name, &rev, &err);
	if (r == 0) {
		pf_log(PF_LOG_INFO, "pod %s: delete requested", j->name);
		pf_cache_wait_rev(fs->cache, rev, SUBMIT_VISIBLE_MS);
	} else if (r != -ENOENT) {
		pf_log(PF_LOG_WARN, "delete pod %s: %s", j->name, err.msg);
		pf_api_event(fs->store, "Pod", j->name, NULL, "Warning", "FailedDelete",
			     "podfs-api", "%s", err.msg);
	}
	fuse_reply_err(j->req, -r);
	free(j);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pf_fs *fs = fs_of(req);
	int r;

	if (parent == PF_INO_PODS) {
		size_t n = strlen(name) + 1;
		struct delete_job *j = pf_xmalloc(sizeof(*j) + n);
		j->req = req;
		j->fs = fs;
		memcpy(j->name, name, n);
		pf_workers_run(fs->workers, delete_job_run, j);
		return;
	} else if (pf_ino_kind(parent) == PF_INO_POD) {
		uint64_t ino;
		double t;
		r = lookup_ino(fs, parent, name, &ino, &t); /* views: see op_unlink */
	} else {
		r = -EPERM;
	}
	fuse_reply_err(req, -r);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	/* Pods are made by writing a manifest into pods/, not by mkdir. */
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct pf_fs *fs = fs_of(req);
	struct pf_pending *p, *old;

	if (parent != PF_INO_PODS || newparent != PF_INO_PODS || (flags & RENAME_EXCHANGE)) {
		fuse_reply_err(req, parent == PF_INO_PODS ? EXDEV : EPERM);
		return;
	}
	pthread_mutex_lock(&fs->plock);
	p = pf_pending_by_name(fs, name);
	if (!p) {
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, EPERM);
		return;
	}
	old = pf_pending_by_name(fs, newname);
	if (old == p) {
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, 0);
		return;
	}
	if (old && (flags & RENAME_NOREPLACE)) {
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, EEXIST);
		return;
	}
	if (newname[0] == '.') {
		/* Still scratch: a plain rename. */
		if (old)
			pf_pending_unlist(fs, old);
		free(p->name);
		p->name = pf_xstrdup(newname);
		p->dot = true; /* never parsed, wherever it was written first */
		pthread_mutex_unlock(&fs->plock);
		fuse_reply_err(req, 0);
		return;
	}
	/* Renaming to a name without the dot submits the file (rsync,
	 * editors); the rename fails with the submission's errno. */
	p->opens++; /* keeps p alive until the job has run */
	submit_later(req, fs, p, newname, true);
	pthread_mutex_unlock(&fs->plock);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;
	size_t n;

	memset(&st, 0, sizeof(st));
	pf_cache_rdlock(fs_of(req)->cache);
	pf_cache_pods(fs_of(req)->cache, &n);
	pf_cache_unlock(fs_of(req)->cache);
	st.f_bsize = st.f_frsize = 4096;
	st.f_files = n;
	st.f_namemax = 253;
	fuse_reply_statfs(req, &st);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	/* Directory listings change under us; never cache them. */
	conn->want &= ~FUSE_CAP_READDIRPLUS;
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
}

const struct fuse_lowlevel_ops pf_fuse_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .releasedir = op_releasedir,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .flush = op_flush,
    .release = op_release,
    .fsync = op_fsync,
    .create = op_create,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .mkdir = op_mkdir,
    .rename = op_rename,
    .statfs = op_statfs,
};
