/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_image.c - the image store: reference normalisation, the importers
 * (a root filesystem directory, an OCI layout, a docker archive, all made
 * here with libarchive), whiteouts, refusal of corrupt input with the store
 * left unchanged, resolution rules, holds, and GC of unshared content.
 * Needs root (whiteouts are 0/0 devices, opaque dirs trusted.* xattrs).
 */
#include "digest.h"
#include "fileio.h"
#include "image.h"
#include "imageref.h"
#include "layer.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <archive.h>
#include <archive_entry.h>

static char tmp[256];

/* ---- references ---------------------------------------------------------- */

static const struct {
	const char *in, *want; /* want NULL: refused */
} refs[] = {
    {"nginx", "docker.io/library/nginx:latest"},
    {"nginx:latest", "docker.io/library/nginx:latest"},
    {"nginx:1.25", "docker.io/library/nginx:1.25"},
    {"docker.io/library/nginx:latest", "docker.io/library/nginx:latest"},
    {"docker.io/nginx", "docker.io/library/nginx:latest"},
    {"index.docker.io/library/nginx", "docker.io/library/nginx:latest"},
    {"library/nginx", "docker.io/library/nginx:latest"},
    {"bitnami/nginx:1.2", "docker.io/bitnami/nginx:1.2"},
    {"registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"},
    {"registry.k8s.io/busybox", "registry.k8s.io/busybox:latest"},
    {"localhost/app", "localhost/app:latest"},
    {"localhost:5000/app:v1", "localhost:5000/app:v1"},
    {"example.com:5000/a/b/c:tag_1.x-y", "example.com:5000/a/b/c:tag_1.x-y"},
    {"Example.com/app", "Example.com/app:latest"},
    {"a__b/c-d.e", "docker.io/a__b/c-d.e:latest"},
    {"my--app", "docker.io/library/my--app:latest"},
    {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "docker.io/library/nginx@sha256:"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
    {"nginx:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "docker.io/library/nginx@sha256:"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
    {"busybox:1.36.1-glibc", "docker.io/library/busybox:1.36.1-glibc"},
    {"gcr.io/google-containers/busybox:1.27", "gcr.io/google-containers/busybox:1.27"},
    {"Nginx", NULL},
    {"foo/Bar", NULL},
    {"", NULL},
    {"nginx:", NULL},
    {":latest", NULL},
    {"nginx:-bad", NULL},
    {"nginx@sha256:abc", NULL},
    {"nginx@md5:0123456789abcdef0123456789abcdef", NULL},
    {"-nginx", NULL},
    {"nginx_", NULL},
    {"a//b", NULL},
    {"nginx:tag with space", NULL},
};

static void test_refs(void)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(refs); i++) {
		struct pf_err err = PF_ERR_INIT;
		char *out = NULL;
		int r = pf_imageref_normalize(refs[i].in, &out, &err);

		if (refs[i].want)
			is_str(r == 0 ? out : err.msg, refs[i].want, "normalize \"%s\"",
			       refs[i].in);
		else
			ok(r == -EINVAL && strstr(err.msg, "couldn't parse image reference"),
			   "\"%s\" refused (%s)", refs[i].in, err.msg);
		free(out);
	}
	struct pf_err err = PF_ERR_INIT;
	char *out = NULL;
	pf_imageref_normalize("Nginx", &out, &err);
	is_str(err.msg,
	       "couldn't parse image reference \"Nginx\": invalid reference format: repository "
	       "name must be lowercase",
	       "kubelet's wording for an upper-case name");
	char *f = pf_imageref_familiar("docker.io/library/nginx:latest");
	is_str(f, "nginx:latest", "familiar form of a library image");
	free(f);
	f = pf_imageref_familiar("docker.io/bitnami/nginx:1");
	is_str(f, "bitnami/nginx:1", "familiar form of a user image");
	free(f);
	f = pf_imageref_familiar("registry.k8s.io/pause:3.9");
	is_str(f, "registry.k8s.io/pause:3.9", "familiar form keeps other domains");
	free(f);
}

/* ---- helpers ------------------------------------------------------------- */

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "we");
	fputs(data, f);
	fclose(f);
}

static char *path_in(const char *fmt, const char *a)
{
	_cleanup_free_ char *rel = pf_xasprintf(fmt, a);
	return pf_xasprintf("%s/%s", tmp, rel);
}

/* A tar entry for make_tar: type 'f' file (data), 'd' dir, 'l' symlink
 * (data = target), 'h' hard link (data = target path). */
struct tent {
	char type;
	const char *path, *data;
};

static void make_tar(const char *path, const struct tent *e, size_t n)
{
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		archive_entry_set_pathname(x, e[i].path);
		archive_entry_set_mtime(x, 1700000000, 0);
		archive_entry_set_uid(x, 0);
		archive_entry_set_gid(x, 0);
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(x, AE_IFDIR);
			archive_entry_set_perm(x, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(x, AE_IFLNK);
			archive_entry_set_perm(x, 0777);
			archive_entry_set_symlink(x, e[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_hardlink(x, e[i].data);
			break;
		default:
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_size(x, (la_int64_t)strlen(e[i].data));
		}
		archive_write_header(a, x);
		if (e[i].type == 'f')
			archive_write_data(a, e[i].data, strlen(e[i].data));
		archive_entry_free(x);
	}
	archive_write_free(a);
}

static char *slurp(const char *path, size_t *len)
{
	char *d = NULL;
	size_t n = 0;
	pf_read_file(path, 64 << 20, &d, &n);
	if (len)
		*len = n;
	return d;
}

/* gzip src into dst (libarchive's raw writer). */
static void gzip_file(const char *src, const char *dst)
{
	size_t n;
	char *d = slurp(src, &n);
	struct archive *a = archive_write_new();
	struct archive_entry *x = archive_entry_new();

	archive_write_set_format_raw(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_filename(a, dst);
	archive_entry_set_filetype(x, AE_IFREG);
	archive_entry_set_size(x, (la_int64_t)n);
	archive_write_header(a, x);
	archive_write_data(a, d, n);
	archive_entry_free(x);
	archive_write_free(a);
	free(d);
}

static void file_digest(const char *path, char out[PF_DIGEST_LEN])
{
	size_t n;
	char *d = slurp(path, &n);
	pf_sha256_buf(d, n, out);
	free(d);
}

/* Put file into layout/blobs/sha256 under its digest; returns the digest. */
static void put_blob(const char *layout, const char *file, char out[PF_DIGEST_LEN], long *size)
{
	struct stat st;
	file_digest(file, out);
	stat(file, &st);
	*size = (long)st.st_size;
	_cleanup_free_ char *dst = pf_xasprintf("%s/blobs/sha256/%s", layout, out + 7);
	rename(file, dst);
}

static void put_text(const char *layout, const char *text, char out[PF_DIGEST_LEN], long *size)
{
	_cleanup_free_ char *f = pf_xasprintf("%s/text.tmp", layout);
	write_file(f, text);
	put_blob(layout, f, out, size);
}

/* An OCI layout with the given layer tars (gzip'd when gz[i]); diff_ids
 * computed unless bad_diff, which puts a wrong one in the config. */
static void make_layout(const char *layout, const char *const *tars, const bool *gz, size_t n,
			bool bad_diff)
{
	struct pf_buf cfg = PF_BUF_INIT, man = PF_BUF_INIT, idx = PF_BUF_INIT;
	char cd[PF_DIGEST_LEN], md[PF_DIGEST_LEN];
	long cs, ms;

	pf_rm_rf(layout);
	_cleanup_free_ char *blobs = pf_xasprintf("%s/blobs/sha256", layout);
	pf_mkdir_p(blobs, 0755);
	pf_buf_adds(&cfg, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
			  "\"2024-01-02T03:04:05.123456Z\",\"config\":{\"Entrypoint\":[\"/bin/"
			  "app\"],\"Cmd\":[\"--serve\"],\"Env\":[\"A=1\"],\"WorkingDir\":\"/srv\","
			  "\"User\":\"65534\",\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{}}},"
			  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
	pf_buf_adds(&man, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
			  "manifest.v1+json\",\"layers\":[");
	for (size_t i = 0; i < n; i++) {
		char dd[PF_DIGEST_LEN], ld[PF_DIGEST_LEN];
		long ls;
		_cleanup_free_ char *copy = pf_xasprintf("%s/layer.tmp", layout);
		file_digest(tars[i], dd);
		if (bad_diff && i == n - 1)
			dd[10] = dd[10] == '0' ? '1' : '0';
		if (gz[i]) {
			gzip_file(tars[i], copy);
		} else {
			size_t len;
			char *d = slurp(tars[i], &len);
			FILE *f = fopen(copy, "we");
			fwrite(d, 1, len, f);
			fclose(f);
			free(d);
		}
		put_blob(layout, copy, ld, &ls);
		pf_buf_addf(&cfg, "%s\"%s\"", i ? "," : "", dd);
		pf_buf_addf(&man,
			    "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\","
			    "\"digest\":\"%s\",\"size\":%ld}",
			    i ? "," : "", gz[i] ? "+gzip" : "", ld, ls);
	}
	pf_buf_adds(&cfg, "]}}");
	put_text(layout, cfg.buf, cd, &cs);
	pf_buf_addf(&man,
		    "],\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		    "\"digest\":\"%s\",\"size\":%ld}}",
		    cd, cs);
	put_text(layout, man.buf, md, &ms);
	pf_buf_addf(&idx,
		    "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci."
		    "image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%ld}]}",
		    md, ms);
	_cleanup_free_ char *ip = pf_xasprintf("%s/index.json", layout);
	_cleanup_free_ char *op = pf_xasprintf("%s/oci-layout", layout);
	write_file(ip, idx.buf);
	write_file(op, "{\"imageLayoutVersion\":\"1.0.0\"}");
	pf_buf_release(&cfg);
	pf_buf_release(&man);
	pf_buf_release(&idx);
}

/* Every path under dir with its size, one a line: the store's fingerprint. */
static struct pf_buf listing;
static int list_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	pf_buf_addf(&listing, "%s %lld\n", p, (long long)(S_ISREG(st->st_mode) ? st->st_size : 0));
	return 0;
}
static char *fingerprint(const char *dir)
{
	pf_buf_reset(&listing);
	pf_buf_adds(&listing, "");
	nftw(dir, list_one, 16, FTW_PHYS);
	/* tmp/ and the lock are the writers' own; the rest is the store */
	return pf_buf_detach(&listing, NULL);
}

static size_t count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* ---- the tests ----------------------------------------------------------- */

static void test_rootfs(struct pf_image_store *s)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *root = path_in("%s", "rootfs"), *p = NULL;
	char *id = NULL, *id2 = NULL;
	struct pf_image img;
	struct stat a, b;

	p = pf_xasprintf("%s/bin", root);
	pf_mkdir_p(p, 0755);
	free(p);
	p = pf_xasprintf("%s/bin/busybox", root);
	write_file(p, "#!fake\n");
	chmod(p, 0755);
	free(p);
	p = pf_xasprintf("%s/bin/sh", root);
	symlink("busybox", p);
	free(p);
	p = pf_xasprintf("%s/bin/ash", root);
	_cleanup_free_ char *bb = pf_xasprintf("%s/bin/busybox", root);
	link(bb, p);
	free(p);
	p = pf_xasprintf("%s/etc", root);
	pf_mkdir_p(p, 0755);
	free(p);
	p = pf_xasprintf("%s/etc/passwd", root);
	write_file(p, "root:x:0:0:root:/root:/bin/sh\n");
	free(p);
	p = pf_xasprintf("%s/emptyfile", root);
	write_file(p, "");
	free(PF_TAKE(p));

	is_int(pf_image_import(s, "busybox", root, &id, &err), 0, "import a rootfs dir (%s)",
	       err.msg);
	is_int(pf_image_resolve(s, "busybox", &img, &err), 0, "resolve busybox");
	is_int(img.cmd.n, 1, "Cmd is [\"sh\"] when /bin/sh exists");
	is_str(img.cmd.n ? img.cmd.items[0] : NULL, "sh", "Cmd[0]");
	is_str(img.id, id, "the image ID is the config digest");
	is_int(img.layers.n, 1, "one layer");
	p = pf_xasprintf("%s/bin/busybox", img.layers.items[0]);
	_cleanup_free_ char *q = pf_xasprintf("%s/bin/ash", img.layers.items[0]);
	ok(stat(p, &a) == 0 && stat(q, &b) == 0 && a.st_ino == b.st_ino,
	   "hard links stay hard links");
	free(p);
	p = pf_xasprintf("%s/bin/sh", img.layers.items[0]);
	char target[64] = "";
	readlink(p, target, sizeof(target) - 1);
	is_str(target, "busybox", "symlinks are kept");
	free(PF_TAKE(p));
	pf_image_free(&img);

	is_int(pf_image_import(s, "busybox:again", root, &id2, &err), 0, "import it again");
	is_str(id2, id, "the same tree gives the same image ID");
	free(id);
	free(id2);
	struct pf_strlist un = {0};
	char *del = NULL;
	is_int(pf_image_remove(s, "busybox:again", &un, &del, &err), 0, "untag the second name");
	ok(del == NULL, "the image stays while another name has it");
	pf_strlist_free(&un);
	free(del);
}

static char *layer_with(const char *name, const struct tent *e, size_t n)
{
	char *p = path_in("%s.tar", name);
	make_tar(p, e, n);
	return p;
}

static void test_layout_and_whiteouts(struct pf_image_store *s, char **l1_out)
{
	struct pf_err err = PF_ERR_INIT;
	static const struct tent base[] = {
	    {'d', "./", NULL}, {'d', "a", NULL},      {'f', "a/x", "x"},    {'f', "a/y", "y"},
	    {'d', "d", NULL},  {'f', "d/old", "old"}, {'l', "link", "a/x"}, {'h', "a/x2", "a/x"},
	};
	static const struct tent top[] = {
	    {'f', "a/.wh.x", ""},  {'d', "d", NULL},	    {'f', "d/.wh..wh..opq", ""},
	    {'f', "d/new", "new"}, {'f', "gone/.wh.z", ""}, /* a whiteout in a dir the layer never
							       lists */
	};
	_cleanup_free_ char *t1 = layer_with("l1", base, PF_ARRAY_SIZE(base));
	_cleanup_free_ char *t2 = layer_with("l2", top, PF_ARRAY_SIZE(top));
	_cleanup_free_ char *layout = path_in("%s", "layout");
	const char *tars[] = {t1, t2};
	const bool gz[] = {true, false};
	char *id = NULL, v[8] = "";
	struct pf_image img;
	struct stat st;

	make_layout(layout, tars, gz, 2, false);
	is_int(pf_image_import(s, "example.com/app:1", layout, &id, &err), 0,
	       "import an OCI layout, a gzip'd and a plain layer (%s)", err.msg);
	free(id);
	is_int(pf_image_resolve(s, "example.com/app:1", &img, &err), 0, "resolve it (%s)", err.msg);
	is_int(img.layers.n, 2, "two layers, base first");
	is_str(img.entrypoint.n ? img.entrypoint.items[0] : NULL, "/bin/app", "Entrypoint");
	is_str(img.cmd.n ? img.cmd.items[0] : NULL, "--serve", "Cmd");
	is_str(img.env.n ? img.env.items[0] : NULL, "A=1", "Env");
	is_str(img.working_dir, "/srv", "WorkingDir");
	is_str(img.user, "65534", "User");
	is_int(img.exposed_ports.n, 2, "ExposedPorts");
	is_str(img.exposed_ports.n ? img.exposed_ports.items[0] : NULL, "53/udp",
	       "ExposedPorts sorted");
	is_int(img.created_ms, 1704164645123LL, "created, with fractional seconds");
	if (img.layers.n == 2) {
		_cleanup_free_ char *x = pf_xasprintf("%s/a/x", img.layers.items[1]);
		_cleanup_free_ char *y = pf_xasprintf("%s/a/y", img.layers.items[1]);
		_cleanup_free_ char *wh = pf_xasprintf("%s/a/.wh.x", img.layers.items[1]);
		_cleanup_free_ char *d = pf_xasprintf("%s/d", img.layers.items[1]);
		_cleanup_free_ char *opq = pf_xasprintf("%s/d/.wh..wh..opq", img.layers.items[1]);
		_cleanup_free_ char *z = pf_xasprintf("%s/gone/z", img.layers.items[1]);
		_cleanup_free_ char *bx = pf_xasprintf("%s/a/x", img.layers.items[0]);
		_cleanup_free_ char *bx2 = pf_xasprintf("%s/a/x2", img.layers.items[0]);
		struct stat s2;

		ok(lstat(x, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
		   ".wh.x became a 0/0 character device");
		ok(lstat(wh, &st) < 0 && lstat(y, &st) < 0, "no .wh. file left, nothing else made");
		ok(lgetxattr(d, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y',
		   "the opaque marker became trusted.overlay.opaque=y");
		ok(lstat(opq, &st) < 0, "no .wh..wh..opq file left");
		ok(lstat(z, &st) == 0 && S_ISCHR(st.st_mode), "whiteout in an unlisted directory");
		ok(lstat(bx, &st) == 0 && lstat(bx2, &s2) == 0 && st.st_ino == s2.st_ino &&
		       S_ISREG(st.st_mode),
		   "the base layer is unpacked, hard links kept");
		*l1_out = pf_xstrdup(img.layers.items[0]);
	}
	pf_image_free(&img);
}

/* A hard link out of the layer is refused, and the message names the
 * entry: it used to print the entry's name after libarchive had freed it
 * (ASan caught nothing only because no test reached the message). */
static void test_hardlink_outside(void)
{
	struct pf_err err = PF_ERR_INIT;
	static const struct tent evil[] = {{'f', "ok", "x"}, {'h', "sneaky", "../../etc/passwd"}};
	_cleanup_free_ char *t = layer_with("hlevil", evil, PF_ARRAY_SIZE(evil));
	_cleanup_free_ char *dir = path_in("%s", "hlevil.d");
	char diff_id[PF_DIGEST_LEN];
	int64_t size = 0;

	ok(mkdir(dir, 0755) == 0, "an empty directory to unpack into");
	is_int(pf_layer_unpack(t, dir, diff_id, &size, &err), -EINVAL,
	       "a hard link out of the layer is refused");
	is_str(err.msg, "hard link \"sneaky\" points outside the layer", "and named: %s", err.msg);
}

static void test_refused(struct pf_image_store *s)
{
	struct pf_err err = PF_ERR_INIT;
	static const struct tent files[] = {{'f', "etc/motd", "hello"}};
	static const struct tent evil[] = {{'f', "../../evil", "x"}};
	_cleanup_free_ char *t = layer_with("r1", files, 1), *te = layer_with("evil", evil, 1);
	_cleanup_free_ char *layout = path_in("%s", "badlayout"), *before = NULL;
	char *after;
	_cleanup_free_ char *root = pf_xstrdup(pf_image_store_root(s));
	const char *tars[] = {t};
	const bool gz[] = {true};
	char *id = NULL;

	/* a layer blob corrupted after the manifest was written */
	make_layout(layout, tars, gz, 1, false);
	before = fingerprint(root);
	{
		_cleanup_free_ char *blobs = pf_xasprintf("%s/blobs/sha256", layout);
		DIR *d = opendir(blobs);
		struct dirent *de;
		while ((de = readdir(d))) {
			_cleanup_free_ char *p = pf_xasprintf("%s/%s", blobs, de->d_name);
			struct stat st;
			if (de->d_name[0] == '.' || stat(p, &st) < 0 || st.st_size < 100)
				continue;
			int fd = open(p, O_WRONLY);
			pwrite(fd, "X", 1, 20);
			close(fd);
		}
		closedir(d);
	}
	is_int(pf_image_import(s, "bad", layout, &id, &err), -EINVAL, "a corrupt blob is refused");
	ok(strstr(err.msg, "digest mismatch") != NULL, "with a clear message: %s", err.msg);
	after = fingerprint(root);
	is_str(after, before, "the store is unchanged");
	free(after);

	/* a config whose diffID does not match the layer */
	pf_err_clear(&err);
	make_layout(layout, tars, gz, 1, true);
	is_int(pf_image_import(s, "bad", layout, &id, &err), -EINVAL, "a wrong diffID is refused");
	ok(strstr(err.msg, "the config says") != NULL, "with a clear message: %s", err.msg);
	after = fingerprint(root);
	is_str(after, before, "the store is unchanged");
	free(after);

	/* a missing blob */
	pf_err_clear(&err);
	make_layout(layout, tars, gz, 1, false);
	{
		_cleanup_free_ char *idx = pf_xasprintf("%s/index.json", layout);
		char *text = slurp(idx, NULL);
		char *d = strstr(text, "sha256:") + 7;
		_cleanup_free_ char *m = pf_xasprintf("%s/blobs/sha256/%.64s", layout, d);
		unlink(m);
		free(text);
	}
	is_int(pf_image_import(s, "bad", layout, &id, &err), -EINVAL, "a missing blob is refused");
	ok(strstr(err.msg, "is missing") != NULL, "with a clear message: %s", err.msg);

	/* a layer reaching outside its directory */
	pf_err_clear(&err);
	const char *etars[] = {te};
	make_layout(layout, etars, gz, 1, false);
	is_int(pf_image_import(s, "bad", layout, &id, &err), -EINVAL, "a '..' entry is refused");
	ok(strstr(err.msg, "outside the layer") != NULL, "with a clear message: %s", err.msg);

	/* garbage */
	pf_err_clear(&err);
	_cleanup_free_ char *junk = path_in("%s", "junk.tar");
	write_file(junk, "this is not a tar archive at all, not even close to one\n");
	is_int(pf_image_import(s, "bad", junk, &id, &err), -EINVAL, "a junk file is refused");
	ok(err.msg[0] != '\0', "with a message: %s", err.msg);
	pf_err_clear(&err);
	is_int(pf_image_import(s, "bad", "/nonexistent/x", &id, &err), -ENOENT,
	       "a missing path is ENOENT");
	pf_err_clear(&err);
	is_int(pf_image_import(s, "Bad", layout, &id, &err), -EINVAL, "a bad name is refused");
	after = fingerprint(root);
	is_str(after, before, "after all of that the store is unchanged");
	free(after);
	ok(id == NULL, "no ID handed out");
}

/* A docker-archive tar sharing the OCI layout's base layer l1. */
static void test_docker_archive(struct pf_image_store *s, const char *l1dir)
{
	struct pf_err err = PF_ERR_INIT;
	static const struct tent base[] = {
	    {'d', "./", NULL}, {'d', "a", NULL},      {'f', "a/x", "x"},    {'f', "a/y", "y"},
	    {'d', "d", NULL},  {'f', "d/old", "old"}, {'l', "link", "a/x"}, {'h', "a/x2", "a/x"},
	};
	static const struct tent mine[] = {{'f', "docker.txt", "from docker save"}};
	_cleanup_free_ char *t1 = layer_with("dl1", base, PF_ARRAY_SIZE(base));
	_cleanup_free_ char *t2 = layer_with("dl2", mine, 1);
	_cleanup_free_ char *archive = path_in("%s", "saved.tar");
	char d1[PF_DIGEST_LEN], d2[PF_DIGEST_LEN], cd[PF_DIGEST_LEN];
	char *cfg, *man, *id = NULL;
	struct pf_image img;

	file_digest(t1, d1);
	file_digest(t2, d2);
	cfg = pf_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":"
			   "[\"/docker.txt\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
			   "[\"%s\",\"%s\"]}}",
			   d1, d2);
	pf_sha256_buf(cfg, strlen(cfg), cd);
	_cleanup_free_ char *cfgname = pf_xasprintf("%s.json", cd + 7);
	man = pf_xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"saved:v1\"],\"Layers\":"
			   "[\"aaa/layer.tar\",\"bbb/layer.tar\"]}]",
			   cfgname);
	{
		size_t n1, n2;
		_cleanup_free_ char *b1 = slurp(t1, &n1), *b2 = slurp(t2, &n2);
		struct archive *a = archive_write_new();
		const struct {
			const char *name, *data;
			size_t len;
		} ents[] = {{"manifest.json", man, strlen(man)},
			    {cfgname, cfg, strlen(cfg)},
			    {"aaa/layer.tar", b1, n1},
			    {"bbb/layer.tar", b2, n2}};
		archive_write_set_format_pax_restricted(a);
		archive_write_open_filename(a, archive);
		for (size_t i = 0; i < PF_ARRAY_SIZE(ents); i++) {
			struct archive_entry *x = archive_entry_new();
			archive_entry_set_pathname(x, ents[i].name);
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_size(x, (la_int64_t)ents[i].len);
			archive_write_header(a, x);
			archive_write_data(a, ents[i].data, ents[i].len);
			archive_entry_free(x);
		}
		archive_write_free(a);
	}
	free(cfg);
	free(man);
	is_int(pf_image_import(s, "saved:v1", archive, &id, &err), 0,
	       "import a docker-archive tar (%s)", err.msg);
	is_str(id, cd, "its ID is the digest of its config");
	free(id);
	is_int(pf_image_resolve(s, "docker.io/library/saved:v1", &img, &err), 0, "resolve it");
	is_int(img.layers.n, 2, "two layers");
	if (img.layers.n == 2 && l1dir)
		is_str(img.layers.items[0], l1dir, "the base layer is shared with the OCI image");
	pf_image_free(&img);
}

static void test_resolve(struct pf_image_store *s)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_image img;
	struct pf_image_index idx;
	int64_t t0;
	const int N = 2000;

	is_int(pf_image_resolve(s, "registry.k8s.io/busybox", &img, &err), 0,
	       "registry.k8s.io/busybox finds busybox");
	is_str(img.ref, "docker.io/library/busybox:latest", "which is the library image");
	_cleanup_free_ char *id = pf_xstrdup(img.id), *man = pf_xstrdup(img.manifest);
	pf_image_free(&img);
	is_int(pf_image_resolve(s, "quay.io/x/y/busybox:latest", &img, &err), 0,
	       "a deep path falls back to its last component");
	pf_image_free(&img);
	pf_err_clear(&err);
	is_int(pf_image_resolve(s, "registry.k8s.io/busybox:9", &img, &err), -ENOENT,
	       "the tag must still match");
	pf_err_clear(&err);
	is_int(pf_image_resolve(s, "nginx:9", &img, &err), -ENOENT, "absent image: ENOENT");
	is_str(err.msg, "image \"nginx:9\" not found", "in the agreed words");
	pf_err_clear(&err);
	is_int(pf_image_resolve(s, "Nginx", &img, &err), -EINVAL, "a bad reference: EINVAL");
	pf_err_clear(&err);
	is_int(pf_image_resolve(s, "docker.io/busybox:latest", &img, &err), 0,
	       "the long form finds the same image");
	pf_image_free(&img);
	is_int(pf_image_resolve(s, id, &img, &err), 0, "by full image ID");
	pf_image_free(&img);
	_cleanup_free_ char *prefix = pf_xstrndup(id + 7, 12);
	is_int(pf_image_resolve(s, prefix, &img, &err), 0, "by 12-digit ID prefix");
	pf_image_free(&img);
	_cleanup_free_ char *byd = pf_xasprintf("busybox@%s", man);
	is_int(pf_image_resolve(s, byd, &img, &err), 0, "by manifest digest (%s)", err.msg);
	pf_image_free(&img);
	_cleanup_free_ char *other = pf_xasprintf("busybox@sha256:%064d", 0);
	pf_err_clear(&err);
	is_int(pf_image_resolve(s, other, &img, &err), -ENOENT, "an unknown digest: ENOENT");

	/* the runtime calls resolve per container start */
	t0 = pf_now_ns();
	for (int i = 0; i < N; i++) {
		pf_image_resolve(s, "busybox", &img, NULL);
		pf_image_free(&img);
	}
	double us = (double)(pf_now_ns() - t0) / N / 1000.0;
	ok(us < 1000.0, "resolve of a cached image takes %.1f us", us);

	is_int(pf_image_list(s, &idx, &err), 0, "list");
	ok(idx.n >= 3, "list shows %zu images", idx.n);
	pf_image_index_free(&idx);
}

static void test_remove_gc(struct pf_image_store *s, const char *l1dir)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_strlist un = {0};
	struct pf_image img, held;
	_cleanup_free_ char *layers = pf_xasprintf("%s/layers", pf_image_store_root(s));
	_cleanup_free_ char *blobs = pf_xasprintf("%s/blobs/sha256", pf_image_store_root(s));
	char *del = NULL;
	struct stat st;
	size_t nl = count_dir(layers), nb = count_dir(blobs);

	is_int(pf_image_resolve(s, "example.com/app:1", &img, &err), 0, "app is there");
	_cleanup_free_ char *top = img.layers.n == 2 ? pf_xstrdup(img.layers.items[1]) : NULL;
	pf_image_free(&img);
	is_int(pf_image_remove(s, "example.com/app:1", &un, &del, &err), 0, "rm app");
	ok(del != NULL, "its image is deleted");
	free(del);
	ok(l1dir && stat(l1dir, &st) == 0, "the layer it shares with saved:v1 stays");
	ok(top && stat(top, &st) < 0, "its own top layer is gone");
	is_int(count_dir(layers), nl - 1, "exactly one layer collected");
	is_int(count_dir(blobs), nb - 4, "its manifest, config and two layer blobs collected");
	is_int(pf_image_resolve(s, "saved:v1", &img, &err), 0, "saved:v1 still resolves");
	pf_image_free(&img);
	pf_strlist_free(&un);

	pf_err_clear(&err);
	is_int(pf_image_remove(s, "example.com/app:1", &un, &del, &err), -ENOENT,
	       "rm again: ENOENT");

	/* a container holds saved:v1 */
	is_int(pf_image_resolve(s, "saved:v1", &held, &err), 0, "resolve saved:v1");
	is_int(pf_image_hold(s, &held, "ctr-1", &err), 0, "hold it");
	pf_err_clear(&err);
	is_int(pf_image_remove(s, "saved:v1", &un, &del, &err), -EBUSY,
	       "rm of a held image: EBUSY");
	ok(strstr(err.msg, "in use by container ctr-1") != NULL, "%s", err.msg);
	is_int(pf_image_resolve(s, "saved:v1", &img, &err), 0, "and nothing was removed");
	pf_image_free(&img);
	is_int(pf_image_release(s, "ctr-1", &err), 0, "release");
	is_int(pf_image_release(s, "ctr-1", &err), 0, "release twice is fine");
	is_int(pf_image_remove(s, "saved:v1", &un, &del, &err), 0, "rm after release");
	free(del);
	ok(stat(held.layers.items[0], &st) < 0, "the last user of the shared layer took it along");
	pf_image_free(&held);
	pf_strlist_free(&un);

	is_int(pf_image_remove(s, "busybox", &un, &del, &err), 0, "rm busybox");
	free(del);
	pf_strlist_free(&un);
	is_int(count_dir(layers), 0, "no layer left");
	is_int(count_dir(blobs), 0, "no blob left");
}

int main(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_image_store *s = NULL;
	char *l1 = NULL;

	snprintf(tmp, sizeof(tmp), "/tmp/podfs-test-image.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	test_refs();
	_cleanup_free_ char *state = path_in("%s", "state");
	is_int(pf_image_store_open(state, &s, &err), 0, "open a store");
	test_rootfs(s);
	test_layout_and_whiteouts(s, &l1);
	test_refused(s);
	test_hardlink_outside();
	test_docker_archive(s, l1);
	test_resolve(s);
	test_remove_gc(s, l1);
	free(l1);
	pf_image_store_close(s);
	pf_buf_release(&listing);
	pf_rm_rf(tmp);
	return tap_done();
}
