/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fileio.c - core/lib/fileio.c: the atomic (durable) write, mkdir -p,
 * the removal that stays on its filesystem, the mount table.
 *
 * Works in a temporary directory it removes; the mount-boundary test
 * mounts a tmpfs there when run as root (and skips otherwise), and
 * unmounts it before it ends.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "tap.h"

static char base[] = "/tmp/podfs-test-fileio-XXXXXX";

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t len = 0;

	if (pf_read_file(path, 1 << 20, &s, &len) < 0)
		return NULL;
	return s;
}

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_write(void)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/w", base);
	_cleanup_free_ char *p = pf_xasprintf("%s/record.json", dir);
	_cleanup_free_ char *missing = pf_xasprintf("%s/nope/record.json", base);
	struct pf_err err = PF_ERR_INIT;
	mode_t mask = umask(022);
	struct stat st;
	char *s;

	umask(mask);
	is_int(pf_mkdir_p(dir, 0755), 0, "mkdir -p");
	is_int(pf_write_file(p, "old\n", 4, 0644, PF_WRITE_DURABLE, &err), 0, "durable write");
	is_str(s = slurp(p), "old\n", "the content is there");
	free(s);
	is_int(pf_write_file(p, "new, longer\n", 12, 0600, PF_WRITE_DURABLE, &err), 0,
	       "replace it");
	is_str(s = slurp(p), "new, longer\n", "the new content replaced the old");
	free(s);
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == (0600 & ~mask),
	   "with the mode asked for, less the umask");
	is_int(entries(dir), 1, "no temporary file is left beside it");
	is_int(pf_write_file(p, "", 0, 0644, 0, &err), 0, "a non-durable write, empty");
	is_str(s = slurp(p), "", "the file is empty");
	free(s);
	is_int(entries(dir), 1, "still one file");

	is_int(pf_write_file(missing, "x", 1, 0644, PF_WRITE_DURABLE, &err), -ENOENT,
	       "a directory that does not exist: -ENOENT");
	ok(strstr(err.msg, missing) != NULL, "the error names the path: %s", err.msg);
	is_int(err.code, ENOENT, "and carries the errno");
}

static void test_mkdir(void)
{
	_cleanup_free_ char *deep = pf_xasprintf("%s/m/a/b/c", base);
	_cleanup_free_ char *file = pf_xasprintf("%s/m/file", base);
	_cleanup_free_ char *under = pf_xasprintf("%s/m/file/x", base);
	struct pf_err err = PF_ERR_INIT;
	struct stat st;

	is_int(pf_mkdir_p(deep, 0700), 0, "mkdir -p of a deep path");
	ok(stat(deep, &st) == 0 && S_ISDIR(st.st_mode), "it is a directory");
	is_int(pf_mkdir_p(deep, 0700), 0, "again: no error when it exists");
	pf_write_file(file, "x", 1, 0644, 0, &err);
	is_int(pf_mkdir_p(under, 0700), -ENOTDIR, "under a file: -ENOTDIR");
}

static void test_rm(void)
{
	_cleanup_free_ char *top = pf_xasprintf("%s/r", base);
	_cleanup_free_ char *deep = pf_xasprintf("%s/r/a/b", base);
	_cleanup_free_ char *f1 = pf_xasprintf("%s/r/a/f", base);
	_cleanup_free_ char *f2 = pf_xasprintf("%s/r/a/b/g", base);
	_cleanup_free_ char *link = pf_xasprintf("%s/r/l", base);
	_cleanup_free_ char *keep = pf_xasprintf("%s/keep", base);
	_cleanup_free_ char *kf = pf_xasprintf("%s/keep/f", base);
	_cleanup_free_ char *cg = pf_xasprintf("%s/cg/x/y", base);
	_cleanup_free_ char *cgtop = pf_xasprintf("%s/cg", base);
	_cleanup_free_ char *cgfile = pf_xasprintf("%s/cg/x/control", base);
	struct pf_err err = PF_ERR_INIT;

	pf_mkdir_p(deep, 0755);
	pf_mkdir_p(keep, 0755);
	pf_write_file(f1, "1", 1, 0644, 0, &err);
	pf_write_file(f2, "2", 1, 0644, 0, &err);
	pf_write_file(kf, "k", 1, 0644, 0, &err);
	ok(symlink(keep, link) == 0, "a symlink out of the tree");
	is_int(pf_rm_rf(top), 0, "rm -rf");
	ok(access(top, F_OK) < 0 && errno == ENOENT, "the tree is gone");
	ok(access(kf, F_OK) == 0, "what the symlink pointed at is not");
	is_int(pf_rm_rf(top), 0, "rm -rf of nothing: 0");

	pf_mkdir_p(cg, 0755);
	pf_write_file(cgfile, "c", 1, 0644, 0, &err);
	is_int(pf_rm_tree(cgtop, PF_RM_DIRS_ONLY), -ENOTEMPTY,
	       "directories only: a directory holding a file stays (-ENOTEMPTY)");
	ok(access(cgfile, F_OK) == 0, "and the file in it");
	ok(access(cg, F_OK) < 0, "the empty directory below went");
}

/* As root: a tmpfs mounted inside the tree keeps its contents, and the
 * directories above it stay. */
static void test_rm_mount(void)
{
	_cleanup_free_ char *top = pf_xasprintf("%s/t", base);
	_cleanup_free_ char *mnt = pf_xasprintf("%s/t/d/mnt", base);
	_cleanup_free_ char *inside = pf_xasprintf("%s/t/d/mnt/precious", base);
	_cleanup_free_ char *beside = pf_xasprintf("%s/t/d/other", base);
	struct pf_err err = PF_ERR_INIT;
	const char *const tmpfs[] = {"tmpfs", NULL};
	struct pf_mounts m;
	bool found = false;

	pf_mkdir_p(mnt, 0755);
	if (geteuid() != 0 || mount("podfs-test", mnt, "tmpfs", 0, "size=64k") < 0) {
		ok(1, "# SKIP the mount-boundary test needs root and tmpfs");
		return;
	}
	pf_write_file(inside, "p", 1, 0644, 0, &err);
	pf_write_file(beside, "o", 1, 0644, 0, &err);
	ok(pf_rm_rf(top) < 0, "rm -rf over a mount reports what it could not remove");
	ok(access(inside, F_OK) == 0, "the mounted filesystem's file is untouched");
	ok(access(beside, F_OK) < 0, "its neighbour outside the mount went");

	is_int(pf_mounts_read(NULL, tmpfs, &m), 0, "read the tmpfs mounts");
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.items[i].target, mnt) == 0 &&
		    strcmp(m.items[i].source, "podfs-test") == 0)
			found = true;
	ok(found, "the type filter finds the test's tmpfs");
	pf_mounts_free(&m);

	umount2(mnt, MNT_DETACH);
	is_int(pf_rm_rf(top), 0, "unmounted: the rest goes");
}

static void test_mounts(void)
{
	_cleanup_free_ char *table = pf_xasprintf("%s/mounts", base);
	const char *text = "proc /proc proc rw,nosuid 0 0\n"
			   "/dev/sda1 / ext4 rw,relatime 0 0\n"
			   "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nsdelegate 0 0\n"
			   "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n"
			   "tmpfs /mnt/with\\040space tmpfs rw 0 0\n";
	const char *const cg[] = {"cgroup", "cgroup2", NULL};
	struct pf_err err = PF_ERR_INIT;
	struct pf_mounts m;
	bool root = false;

	is_int(pf_mounts_read(NULL, NULL, &m), 0, "read /proc/self/mounts");
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.items[i].target, "/") == 0)
			root = true;
	ok(root, "it has /");
	pf_mounts_free(&m);

	pf_write_file(table, text, strlen(text), 0644, 0, &err);
	is_int(pf_mounts_read(table, cg, &m), 0, "a table of our own, cgroups only");
	is_int(m.n, 2, "two cgroup hierarchies");
	if (m.n == 2) {
		is_str(m.items[0].target, "/sys/fs/cgroup/unified", "in the table's order");
		is_str(m.items[0].type, "cgroup2", "with their type");
		is_str(m.items[1].options, "rw,cpu,cpuacct", "and options");
	}
	pf_mounts_free(&m);
	is_int(pf_mounts_read(table, NULL, &m), 0, "every mount");
	is_int(m.n, 5, "five");
	if (m.n == 5)
		is_str(m.items[4].target, "/mnt/with space", "escapes decoded");
	pf_mounts_free(&m);
	is_int(pf_mounts_read("/nonexistent/mounts", NULL, &m), -ENOENT, "no table: -ENOENT");
	is_int(m.n, 0, "and nothing");
	pf_mounts_free(&m);
}

int main(void)
{
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	test_write();
	test_mkdir();
	test_rm();
	test_rm_mount();
	test_mounts();
	pf_rm_rf(base);
	return tap_done();
}
