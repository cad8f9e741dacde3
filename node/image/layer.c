/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layer.c - layer tar streams <-> directories with libarchive (layer.h).
 *
 * Unpacking reads the blob once: an outer libarchive reader undoes the
 * compression ("raw" format, every filter), every decompressed byte is
 * hashed for the diffID on its way to an inner reader that parses the tar.
 * Nothing here knows about manifests or the store's layout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <archive.h>
#include <archive_entry.h>

#include "digest.h"
#include "fileio.h"
#include "layer.h"
#include "types.h"

#define BLOCK (128u << 10)

/* ---- unpacking ----------------------------------------------------------- */

struct source {
	struct archive *outer;
	struct pf_sha256 h;
	char *block;
	char why[256]; /* the outer reader's error, which the inner one hides */
};

static la_ssize_t inner_read(struct archive *a, void *cd, const void **buf)
{
	struct source *s = cd;
	la_ssize_t n = archive_read_data(s->outer, s->block, BLOCK);

	if (n < 0) {
		snprintf(s->why, sizeof(s->why), "%s", archive_error_string(s->outer));
		archive_set_error(a, EIO, "%s", s->why);
		return -1;
	}
	pf_sha256_update(&s->h, s->block, (size_t)n);
	*buf = s->block;
	return n;
}

/* "./a//b/" -> "a/b"; "" for the root; NULL when a component is "..". */
static char *clean_path(const char *p)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_adds(&b, "");
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			pf_buf_release(&b);
			return NULL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len)
				pf_buf_addc(&b, '/');
			pf_buf_add(&b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return pf_buf_detach(&b, NULL);
}

/* Drop trusted.overlay.* xattrs a layer might carry: only this code decides
 * what overlayfs sees as opaque or redirected. */
static void strip_overlay_xattrs(struct archive_entry *e)
{
	const char *name;
	const void *val;
	size_t len, n = 0, keep = 0;
	struct {
		char *name;
		void *val;
		size_t len;
	} * x;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	n = (size_t)archive_entry_xattr_count(e);
	x = pf_xcalloc(n + 1, sizeof(*x));
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		if (strncmp(name, "trusted.overlay.", 16) == 0)
			continue;
		x[keep].name = pf_xstrdup(name);
		x[keep].val = pf_xmalloc(len + 1);
		memcpy(x[keep].val, val, len);
		x[keep++].len = len;
	}
	if (keep != n) {
		archive_entry_xattr_clear(e);
		for (size_t i = 0; i < keep; i++)
			archive_entry_xattr_add_entry(e, x[i].name, x[i].val, x[i].len);
	}
	for (size_t i = 0; i < keep; i++) {
		free(x[i].name);
		free(x[i].val);
	}
	free(x);
}

static int write_entry(struct archive *disk, struct archive *in, struct archive_entry *e,
		       const char *shown, struct pf_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r = archive_write_header(disk, e);

	if (r < ARCHIVE_WARN)
		return pf_err_set(err, EIO, "cannot create \"%s\": %s", shown,
				  archive_error_string(disk));
	if (archive_entry_size(e) > 0) {
		while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN)
				return pf_err_set(err, EIO, "cannot write \"%s\": %s", shown,
						  archive_error_string(disk));
		if (r != ARCHIVE_EOF)
			return pf_err_set(err, EINVAL, "corrupt data for \"%s\": %s", shown,
					  archive_error_string(in));
	}
	if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
		return pf_err_set(err, EIO, "cannot finish \"%s\": %s", shown,
				  archive_error_string(disk));
	return 0;
}

static int whiteout(struct archive *disk, const char *dir, const char *parent, const char *name,
		    struct archive_entry *from, struct pf_err *err)
{
	struct archive_entry *w = archive_entry_new();
	_cleanup_free_ char *path = *parent ? pf_xasprintf("%s/%s/%s", dir, parent, name)
					    : pf_xasprintf("%s/%s", dir, name);
	int r;

	archive_entry_set_pathname(w, path);
	archive_entry_set_filetype(w, AE_IFCHR);
	archive_entry_set_perm(w, 0);
	archive_entry_set_rdev(w, 0);
	archive_entry_set_uid(w, 0);
	archive_entry_set_gid(w, 0);
	archive_entry_set_mtime(w, archive_entry_mtime(from), 0);
	r = archive_write_header(disk, w);
	if (r >= ARCHIVE_WARN)
		r = archive_write_finish_entry(disk);
	if (r < ARCHIVE_WARN)
		r = pf_err_set(err, EIO, "cannot create the whiteout for \"%s\": %s", name,
			       archive_error_string(disk));
	else
		r = 0;
	archive_entry_free(w);
	return r;
}

static int set_opaque(const char *dir, const char *rel, struct pf_err *err)
{
	_cleanup_free_ char *path = *rel ? pf_xasprintf("%s/%s", dir, rel) : pf_xstrdup(dir);
	int r = pf_mkdir_p(path, 0755);

	if (r < 0)
		return pf_err_sys(err, -r, "cannot create the opaque directory \"%s\"", rel);
	if (lsetxattr(path, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return pf_err_sys(err, errno, "cannot mark \"%s\" opaque", rel);
	return 0;
}

/* Walk the tar from in; unpack into dir when it is not NULL. */
static int unpack_entries(struct archive *in, const char *dir, struct pf_err *err)
{
	struct archive *disk = NULL;
	struct archive_entry *e;
	struct pf_strlist opaque = {0};
	int r, ret = 0;

	if (dir) {
		disk = archive_write_disk_new();
		archive_write_disk_set_options(
		    disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
			      ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			      ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	}
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		_cleanup_free_ char *clean = clean_path(name ? name : "");
		_cleanup_free_ char *full = NULL, *link = NULL;
		const char *base, *hl;

		if (!clean) {
			ret =
			    pf_err_set(err, EINVAL, "entry \"%s\" points outside the layer", name);
			goto out;
		}
		if (!dir)
			continue;
		base = strrchr(clean, '/') ? strrchr(clean, '/') + 1 : clean;
		if (strncmp(base, ".wh.", 4) == 0) {
			_cleanup_free_ char *parent = pf_xstrndup(clean, (size_t)(base - clean));

			if (*parent)
				parent[strlen(parent) - 1] = '\0';
			if (strcmp(base, ".wh..wh..opq") == 0) {
				pf_strlist_add(&opaque, parent);
			} else if (strncmp(base, ".wh..wh.", 8) == 0) {
				/* aufs' own bookkeeping (.wh..wh.plnk): not content */
			} else if (!base[4] || strcmp(base + 4, ".") == 0 ||
				   strcmp(base + 4, "..") == 0) {
				ret = pf_err_set(err, EINVAL, "bad whiteout \"%s\"", name);
				goto out;
			} else {
				ret = whiteout(disk, dir, parent, base + 4, e, err);
				if (ret < 0)
					goto out;
			}
			continue;
		}
		full = *clean ? pf_xasprintf("%s/%s", dir, clean) : pf_xstrdup(dir);
		archive_entry_set_pathname(e, full);
		hl = archive_entry_hardlink(e);
		if (hl) {
			_cleanup_free_ char *lc = clean_path(hl);
			if (!lc || !*lc) {
				/* name is gone: set_pathname above freed it. */
				ret =
				    pf_err_set(err, EINVAL,
					       "hard link \"%s\" points outside the layer", clean);
				goto out;
			}
			link = pf_xasprintf("%s/%s", dir, lc);
			archive_entry_set_hardlink(e, link);
		}
		strip_overlay_xattrs(e);
		ret = write_entry(disk, in, e, clean, err);
		if (ret < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		ret = pf_err_set(err, EINVAL, "corrupt tar: %s", archive_error_string(in));
		goto out;
	}
	if (disk && archive_write_close(disk) < ARCHIVE_WARN) {
		ret = pf_err_set(err, EIO, "%s", archive_error_string(disk));
		goto out;
	}
	for (size_t i = 0; i < opaque.n && ret == 0; i++)
		ret = set_opaque(dir, opaque.items[i], err);
out:
	if (disk)
		archive_write_free(disk);
	pf_strlist_free(&opaque);
	return ret;
}

int pf_layer_unpack(const char *path, const char *dir, char diff_id[PF_DIGEST_LEN],
		    int64_t *tar_size, struct pf_err *err)
{
	struct source s = {0};
	struct archive *in = NULL;
	struct archive_entry *e;
	la_ssize_t n;
	int r;

	s.outer = archive_read_new();
	archive_read_support_filter_all(s.outer);
	archive_read_support_format_raw(s.outer);
	s.block = pf_xmalloc(BLOCK);
	pf_sha256_init(&s.h);
	if (archive_read_open_filename(s.outer, path, BLOCK) != ARCHIVE_OK ||
	    archive_read_next_header(s.outer, &e) != ARCHIVE_OK) {
		r = pf_err_set(err, EINVAL, "not a layer: %s",
			       archive_error_string(s.outer) ? archive_error_string(s.outer)
							     : "empty file");
		goto out;
	}
	in = archive_read_new();
	archive_read_support_format_tar(in);
	if (archive_read_open(in, &s, NULL, inner_read, NULL) != ARCHIVE_OK) {
		r = pf_err_set(err, EINVAL, "not a tar: %s",
			       s.why[0] ? s.why : archive_error_string(in));
		goto out;
	}
	r = unpack_entries(in, dir, err);
	if (r < 0) {
		if (s.why[0]) { /* the real cause was the compression layer */
			pf_err_clear(err);
			r = pf_err_set(err, EINVAL, "corrupt layer: %s", s.why);
		}
		goto out;
	}
	/* The tar reader stops at the end-of-archive blocks; the diffID covers
	 * the whole stream, padding included. */
	while ((n = archive_read_data(s.outer, s.block, BLOCK)) > 0)
		pf_sha256_update(&s.h, s.block, (size_t)n);
	if (n < 0) {
		r = pf_err_set(err, EINVAL, "corrupt layer: %s", archive_error_string(s.outer));
		goto out;
	}
	*tar_size = s.h.n;
	pf_sha256_final(&s.h, diff_id);
out:
	pf_sha256_abort(&s.h);
	if (in)
		archive_read_free(in);
	archive_read_free(s.outer);
	free(s.block);
	return r;
}

/* ---- packing ------------------------------------------------------------- */

struct packer {
	struct archive *a, *disk;
	struct archive_entry_linkresolver *lr;
	int fd;
	struct pf_sha256 h;
	const char *root;
	int werrno;
};

static la_ssize_t pack_write(struct archive *a, void *cd, const void *buf, size_t n)
{
	struct packer *p = cd;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(p->fd, (const char *)buf + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			p->werrno = errno;
			archive_set_error(a, errno, "write: %s", strerror(errno));
			return -1;
		}
		done += (size_t)w;
	}
	pf_sha256_update(&p->h, buf, n);
	return (la_ssize_t)n;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static int pack_data(struct packer *p, const char *full, struct pf_err *err)
{
	_cleanup_close_ int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[64 << 10];
	ssize_t n;

	if (fd < 0)
		return pf_err_sys(err, errno, "cannot open %s", full);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(p->a, buf, (size_t)n) < 0)
			return pf_err_set(err, EIO, "cannot write the layer: %s",
					  archive_error_string(p->a));
	if (n < 0)
		return pf_err_sys(err, errno, "cannot read %s", full);
	return 0;
}

static int pack_dir(struct packer *p, const char *rel, struct pf_err *err)
{
	_cleanup_free_ char *dirpath =
	    rel ? pf_xasprintf("%s/%s", p->root, rel) : pf_xstrdup(p->root);
	struct dirent **names = NULL;
	int n = scandir(dirpath, &names, not_dots, by_name), r = 0;

	if (n < 0)
		return pf_err_sys(err, errno, "cannot read the directory %s", dirpath);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *full = pf_xasprintf("%s/%s", dirpath, names[i]->d_name);
		_cleanup_free_ char *sub = rel ? pf_xasprintf("%s/%s", rel, names[i]->d_name)
					       : pf_xstrdup(names[i]->d_name);
		struct archive_entry *e, *spare = NULL;
		struct stat st;

		if (r < 0)
			continue;
		if (lstat(full, &st) < 0) {
			r = pf_err_sys(err, errno, "cannot stat %s", full);
			continue;
		}
		if (S_ISSOCK(st.st_mode))
			continue; /* a tar cannot hold a socket */
		e = archive_entry_new();
		archive_entry_copy_sourcepath(e, full);
		if (archive_read_disk_entry_from_file(p->disk, e, -1, &st) < ARCHIVE_WARN) {
			r = pf_err_set(err, EIO, "cannot read %s: %s", full,
				       archive_error_string(p->disk));
			archive_entry_free(e);
			continue;
		}
		archive_entry_set_pathname(e, sub);
		archive_entry_unset_atime(e);
		archive_entry_unset_ctime(e);
		archive_entry_unset_birthtime(e);
		archive_entry_set_uname(e, NULL);
		archive_entry_set_gname(e, NULL);
		if (!S_ISDIR(st.st_mode))
			archive_entry_linkify(p->lr, &e, &spare);
		if (e) {
			if (archive_write_header(p->a, e) < ARCHIVE_WARN)
				r = pf_err_set(err, EIO, "cannot add %s to the layer: %s", full,
					       archive_error_string(p->a));
			else if (S_ISREG(st.st_mode) && archive_entry_size(e) > 0)
				r = pack_data(p, full, err);
			archive_entry_free(e);
		}
		archive_entry_free(spare);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = pack_dir(p, sub, err);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int pf_layer_pack(const char *dir, int fd, char digest[PF_DIGEST_LEN], int64_t *size,
		  struct pf_err *err)
{
	struct packer p = {.fd = fd, .root = dir};
	int r;

	pf_sha256_init(&p.h);
	p.a = archive_write_new();
	archive_write_set_format_pax_restricted(p.a);
	archive_write_set_bytes_in_last_block(p.a, 1);
	p.disk = archive_read_disk_new();
	p.lr = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(p.lr, archive_format(p.a));
	if (archive_write_open(p.a, &p, NULL, pack_write, NULL) != ARCHIVE_OK) {
		r = pf_err_set(err, EIO, "cannot start the layer: %s", archive_error_string(p.a));
		goto out;
	}
	r = pack_dir(&p, NULL, err);
	if (r == 0 && archive_write_close(p.a) != ARCHIVE_OK)
		r = pf_err_set(err, p.werrno ? p.werrno : EIO, "cannot finish the layer: %s",
			       archive_error_string(p.a));
	if (r == 0) {
		*size = p.h.n;
		pf_sha256_final(&p.h, digest);
	}
out:
	pf_sha256_abort(&p.h);
	archive_entry_linkresolver_free(p.lr);
	archive_read_free(p.disk);
	archive_write_free(p.a);
	return r;
}
