/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.c - atomic and durable file replacement, mkdir -p, a removal
 * that stays on its filesystem, the mount table (fileio.h).
 *
 * libc only.  Errors are returned, never logged: whether a failure here is
 * worth a warning or fatal is the caller's call.
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <mntent.h>
#include <sys/stat.h>

/* ---- atomic (and durable) replacement ----------------------------------- */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so a rename in it survives a power
 * cut (ext4 and xfs order the rename after the file's data; only the
 * directory's own fsync makes the new name itself durable). */
static int sync_dir_of(const char *path)
{
	_cleanup_free_ char *copy = pf_xstrdup(path);
	_cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* A new file beside path, ".NAME.XXXXXXXX" (random hex), created with
 * mode less the umask as open(2) would; its name in *tmp. */
static int open_temp(const char *path, mode_t mode, char **tmp)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;

	for (int tries = 0; tries < 16; tries++) {
		uint32_t x;
		int fd, e;

		pf_random_bytes(&x, sizeof(x));
		*tmp = pf_xasprintf("%.*s.%s.%08x", dirlen, path, path + dirlen, (unsigned)x);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		e = errno;
		free(*tmp);
		*tmp = NULL;
		if (e != EEXIST)
			return -e;
	}
	return -EEXIST;
}

int pf_write_file(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		  struct pf_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	bool durable = flags & PF_WRITE_DURABLE;
	int fd = open_temp(path, mode, &tmp), r;

	if (fd < 0)
		return pf_err_sys(err, -fd, "cannot create a temporary file for %s", path);
	r = write_all(fd, data, len);
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	/* close() reports what a delayed write (NFS, a full quota) found. */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return pf_err_sys(err, -r, "cannot write %s", path);
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return pf_err_sys(err, -r, "cannot replace %s", path);
	}
	if (durable && (r = sync_dir_of(path)) < 0)
		return pf_err_sys(err, -r, "cannot make %s durable (fsync of its directory)", path);
	return 0;
}

/* ---- directories ---------------------------------------------------------- */

int pf_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = pf_xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* nftw passes no argument to its callback: the walk's state is per thread
 * (one walk at a time per thread; nftw does not nest here). */
static _Thread_local unsigned rm_flags;
static _Thread_local int rm_first_error;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	int r = 0;

	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_DNR)
		r = rmdir(path);
	else if (!(rm_flags & PF_RM_DIRS_ONLY))
		r = unlink(path);
	if (r < 0 && errno != ENOENT && !rm_first_error)
		rm_first_error = -errno;
	return 0; /* go on: best effort */
}

int pf_rm_tree(const char *path, unsigned flags)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	rm_flags = flags;
	rm_first_error = 0;
	if (nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && !rm_first_error)
		rm_first_error = -errno;
	return rm_first_error;
}

int pf_rm_rf(const char *path)
{
	return pf_rm_tree(path, 0);
}

/* ---- the mount table ------------------------------------------------------ */

/* A line of /proc/self/mounts can be long (an overlay with many layers);
 * getmntent_r drops what does not fit in its buffer. */
#define MNT_LINE_MAX (64u << 10)

static bool type_wanted(const char *type, const char *const *types)
{
	if (!types)
		return true;
	for (; *types; types++)
		if (strcmp(*types, type) == 0)
			return true;
	return false;
}

int pf_mounts_read(const char *table, const char *const *types, struct pf_mounts *out)
{
	FILE *f = setmntent(table ? table : "/proc/self/mounts", "re");
	_cleanup_free_ char *line = NULL;
	struct mntent m;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (!f)
		return -errno;
	line = pf_xmalloc(MNT_LINE_MAX);
	while (getmntent_r(f, &m, line, MNT_LINE_MAX)) {
		if (!type_wanted(m.mnt_type, types))
			continue;
		PF_GROW(out->items, cap, out->n + 1);
		out->items[out->n++] = (struct pf_mount){
		    .source = pf_xstrdup(m.mnt_fsname),
		    .target = pf_xstrdup(m.mnt_dir),
		    .type = pf_xstrdup(m.mnt_type),
		    .options = pf_xstrdup(m.mnt_opts),
		};
	}
	endmntent(f);
	return 0;
}

void pf_mounts_free(struct pf_mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].source);
		free(m->items[i].target);
		free(m->items[i].type);
		free(m->items[i].options);
	}
	free(m->items);
	m->items = NULL;
	m->n = 0;
}
