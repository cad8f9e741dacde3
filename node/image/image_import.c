/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image_import.c - `podfs image import`: an OCI image layout, an OCI or
 * docker archive (tar, compressed or not), or a root filesystem directory,
 * into the store (image.h).
 *
 * Every source ends the same way: the manifest, the config and the layer
 * blobs staged in tmp/ with their sha256 checked, each layer's diffID
 * checked while it is unpacked (or, when the store already has the layer,
 * while it is merely read), and only then renamed into blobs/ and layers/
 * and named in index.json.  Anything that fails before that leaves the
 * store as it was.  Paths inside a source are opened with openat2's
 * RESOLVE_IN_ROOT, so a hostile archive's symlinks and ".." cannot reach out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "digest.h"
#include "fileio.h"
#include "image-internal.h"
#include "imageref.h"
#include "layer.h"

struct staged {
	char digest[PF_DIGEST_LEN];
	int64_t size;
	char *tmp; /* the staged copy; NULL when the store already has the blob */
};

struct ilayer {
	struct staged blob;
	char *media_type;
	char diff_id[PF_DIGEST_LEN]; /* what the config says */
	int64_t tar_size;
	char *tmp_dir; /* unpacked in tmp/, NULL when layers/ has it */
};

struct import {
	struct pf_image_store *s;
	char *work; /* tmp/import-XXXXXX */
	unsigned seq;
	struct staged manifest, config;
	char *config_json;
	size_t config_len;
	struct ilayer *layers;
	size_t n_layers;
	struct pf_strlist diff_ids;
};

static void import_free(struct import *im)
{
	free(im->manifest.tmp);
	free(im->config.tmp);
	free(im->config_json);
	for (size_t i = 0; i < im->n_layers; i++) {
		free(im->layers[i].blob.tmp);
		free(im->layers[i].media_type);
		free(im->layers[i].tmp_dir);
	}
	free(im->layers);
	pf_strlist_free(&im->diff_ids);
	if (im->work)
		pf_rm_rf(im->work);
	free(im->work);
}

static bool blob_exists(struct import *im, const char *digest)
{
	_cleanup_free_ char *p = pf_image_blob_path(im->s, digest);
	return access(p, F_OK) == 0;
}

/* Open rel inside the directory dirfd, never leaving it. */
static int open_in(int dirfd, const char *rel)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS) {
		/* Kernels before 5.6: refuse what could escape instead. */
		if (rel[0] == '/' || strstr(rel, ".."))
			return -EPERM;
		fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	return fd < 0 ? -errno : fd;
}

/* Copy fd into tmp/ (unless the store has the blob already and no copy in
 * memory is wanted) while hashing it; check it against want/want_size when
 * given.  With mem, the content is also returned (for JSON). */
static int stage_fd(struct import *im, int fd, const char *what, const char *want,
		    int64_t want_size, struct staged *out, char **mem, size_t *memlen,
		    struct pf_err *err)
{
	_cleanup_close_ int tfd = -1;
	struct pf_buf b = PF_BUF_INIT;
	struct pf_sha256 h;
	static __thread char buf[256 << 10];
	ssize_t n;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!(want && blob_exists(im, want))) {
		out->tmp = pf_xasprintf("%s/blob-%u", im->work, im->seq++);
		tfd = open(out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (tfd < 0) {
			r = pf_err_sys(err, errno, "cannot stage %s", what);
			goto fail;
		}
	}
	pf_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		pf_sha256_update(&h, buf, (size_t)n);
		if (mem) {
			if (b.len + (size_t)n > PF_IMAGE_JSON_MAX) {
				pf_sha256_abort(&h);
				r = pf_err_set(err, EFBIG, "%s is too large", what);
				goto fail;
			}
			pf_buf_add(&b, buf, (size_t)n);
		}
		if (tfd >= 0 && write(tfd, buf, (size_t)n) != n) {
			pf_sha256_abort(&h);
			r = pf_err_sys(err, errno ? errno : EIO, "cannot stage %s", what);
			goto fail;
		}
	}
	if (n < 0) {
		pf_sha256_abort(&h);
		r = pf_err_sys(err, errno, "cannot read %s", what);
		goto fail;
	}
	out->size = h.n;
	pf_sha256_final(&h, out->digest);
	if (want && strcmp(want, out->digest) != 0) {
		r = pf_err_set(err, EINVAL, "%s: digest mismatch: the content is %s", what,
			       out->digest);
		goto fail;
	}
	if (want_size >= 0 && want_size != out->size) {
		r = pf_err_set(err, EINVAL, "%s: size mismatch: %lld bytes, expected %lld", what,
			       (long long)out->size, (long long)want_size);
		goto fail;
	}
	if (out->tmp && blob_exists(im, out->digest)) {
		unlink(out->tmp);
		free(PF_TAKE(out->tmp));
	}
	if (mem) {
		pf_buf_addc(&b, '\0');
		*mem = pf_buf_detach(&b, memlen);
		(*memlen)--;
	}
	return 0;
fail:
	pf_buf_release(&b);
	if (out->tmp) {
		unlink(out->tmp);
		free(PF_TAKE(out->tmp));
	}
	return r;
}

static int stage_mem(struct import *im, const char *data, size_t len, struct staged *out,
		     struct pf_err *err)
{
	memset(out, 0, sizeof(*out));
	pf_sha256_buf(data, len, out->digest);
	out->size = (int64_t)len;
	if (blob_exists(im, out->digest))
		return 0;
	out->tmp = pf_xasprintf("%s/blob-%u", im->work, im->seq++);
	/* Not durable yet: the index's commit syncs the store (syncfs)
	 * before the index names the blob. */
	return pf_write_file(out->tmp, data, len, 0644, 0, err);
}

/* Stage the blob digest of an OCI layout (blobs/sha256/<hex>). */
static int stage_layout_blob(struct import *im, int dirfd, json_t *desc, const char *what,
			     struct staged *out, char **mem, size_t *memlen, struct pf_err *err)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_t *size = json_object_get(desc, "size");
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int fd = -1;

	if (!pf_digest_valid(digest))
		return pf_err_set(err, EINVAL, "%s: descriptor without a sha256 digest", what);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return pf_err_set(err, EINVAL, "%s: descriptor without a size", what);
	rel = pf_xasprintf("blobs/sha256/%s", digest + 7);
	fd = open_in(dirfd, rel);
	if (fd < 0)
		return pf_err_set(err, EINVAL, "%s: blob %s is missing", what, digest);
	return stage_fd(im, fd, what, digest, json_integer_value(size), out, mem, memlen, err);
}

static bool layer_type_ok(const char *t)
{
	static const char *const ok[] = {
	    PF_OCI_LAYER,
	    PF_OCI_LAYER_GZIP,
	    PF_OCI_LAYER_ZSTD,
	    "application/vnd.oci.image.layer.nondistributable.v1.tar",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	    "application/vnd.docker.image.rootfs.diff.tar.gzip",
	    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};
	for (size_t i = 0; i < PF_ARRAY_SIZE(ok); i++)
		if (strcmp(t, ok[i]) == 0)
			return true;
	return false;
}

static struct ilayer *add_layer(struct import *im)
{
	im->layers = pf_xrealloc(im->layers, (im->n_layers + 1) * sizeof(*im->layers));
	memset(&im->layers[im->n_layers], 0, sizeof(*im->layers));
	return &im->layers[im->n_layers++];
}

/* Parse the staged config and pair its diffIDs with the layers. */
static int take_config(struct import *im, struct pf_err *err)
{
	struct pf_image img = {0};
	int r = pf_image_parse_config(im->config_json, im->config_len, &img, &im->diff_ids, err);

	pf_image_free(&img);
	if (r < 0)
		return r;
	if (im->diff_ids.n != im->n_layers)
		return pf_err_set(err, EINVAL,
				  "the config lists %zu layers (rootfs.diff_ids), the manifest %zu",
				  im->diff_ids.n, im->n_layers);
	for (size_t i = 0; i < im->n_layers; i++)
		snprintf(im->layers[i].diff_id, PF_DIGEST_LEN, "%s", im->diff_ids.items[i]);
	return 0;
}

/* ---- OCI image layout ------------------------------------------------------ */

static const char *our_arch(void)
{
	static const struct {
		const char *uname, *oci;
	} map[] = {{"x86_64", "amd64"},	  {"aarch64", "arm64"},	  {"armv7l", "arm"},
		   {"i686", "386"},	  {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		   {"riscv64", "riscv64"}};
	static __thread struct utsname u;

	uname(&u);
	for (size_t i = 0; i < PF_ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].uname) == 0)
			return map[i].oci;
	return u.machine;
}

/* Choose among an index's manifests: the only one; the one whose ref.name
 * annotation is want (full reference) or tag; in a nested (multi-platform)
 * index, the one for this machine. */
static json_t *choose(json_t *manifests, const char *want, const char *tag, bool platform,
		      struct pf_err *err)
{
	size_t i, n = json_array_size(manifests);
	json_t *d, *hit = NULL;
	int hits = 0;

	if (n == 0) {
		pf_err_set(err, EINVAL, "the image index lists no manifest");
		return NULL;
	}
	if (n == 1)
		return json_array_get(manifests, 0);
	json_array_foreach(manifests, i, d)
	{
		if (platform) {
			json_t *p = json_object_get(d, "platform");
			const char *os = json_string_value(json_object_get(p, "os"));
			const char *arch = json_string_value(json_object_get(p, "architecture"));
			if (os && arch && strcmp(os, "linux") == 0 &&
			    strcmp(arch, our_arch()) == 0 && !hit)
				hit = d, hits = 1;
			continue;
		}
		const char *rn = json_string_value(json_object_get(
		    json_object_get(d, "annotations"), "org.opencontainers.image.ref.name"));
		_cleanup_free_ char *norm = NULL;
		if (!rn)
			continue;
		if (strcmp(rn, tag) == 0 ||
		    (pf_imageref_normalize(rn, &norm, NULL) == 0 && strcmp(norm, want) == 0)) {
			hit = d;
			hits++;
		}
	}
	if (hits == 1)
		return hit;
	if (platform)
		pf_err_set(err, EINVAL, "the image index has no manifest for linux/%s", our_arch());
	else
		pf_err_set(err, EINVAL,
			   "the image index lists %zu images and none is named \"%s\" "
			   "(org.opencontainers.image.ref.name)",
			   n, tag);
	return NULL;
}

/* Read the small JSON file name of an image directory into *text; its
 * staged copy is not kept.  -EINVAL saying missing when it is absent. */
static int read_small(struct import *im, int dirfd, const char *name, const char *missing,
		      char **text, size_t *len, struct pf_err *err)
{
	struct staged st = {0};
	int fd = open_in(dirfd, name), r;

	if (fd < 0)
		return pf_err_set(err, EINVAL, "%s", missing);
	r = stage_fd(im, fd, name, NULL, -1, &st, text, len, err);
	close(fd);
	if (st.tmp) {
		unlink(st.tmp);
		free(st.tmp);
	}
	return r;
}

static int import_layout(struct import *im, int dirfd, const char *want, const char *tag,
			 struct pf_err *err)
{
	_cleanup_free_ char *text = NULL, *mtext = NULL;
	json_t *root = NULL, *m = NULL, *desc, *cfg, *layers, *x;
	json_error_t jerr;
	size_t len = 0, i;
	int r, fd;

	fd = open_in(dirfd, "oci-layout");
	if (fd < 0)
		return pf_err_set(err, EINVAL, "not an OCI image layout: no oci-layout file");
	close(fd);
	r = read_small(im, dirfd, "index.json", "not an OCI image layout: no index.json", &text,
		       &len, err);
	if (r < 0)
		return r;
	root = json_loadb(text, len, 0, &jerr);
	if (!root)
		return pf_err_set(err, EINVAL, "index.json: %s (line %d)", jerr.text, jerr.line);
	desc = choose(json_object_get(root, "manifests"), want, tag, false, err);
	/* Descend through nested indexes (multi-platform images). */
	for (int depth = 0; desc; depth++) {
		const char *mt = json_string_value(json_object_get(desc, "mediaType"));
		bool nested =
		    mt && (strcmp(mt, PF_OCI_INDEX) == 0 || strcmp(mt, PF_DOCKER_LIST) == 0);
		struct staged st;

		if (!nested)
			break;
		if (depth > 4) {
			r = pf_err_set(err, EINVAL, "image indexes nested too deep");
			goto out;
		}
		free(PF_TAKE(mtext));
		r = stage_layout_blob(im, dirfd, desc, "image index", &st, &mtext, &len, err);
		free(st.tmp); /* an index is not kept: the store names manifests */
		if (r < 0)
			goto out;
		json_decref(m);
		m = json_loadb(mtext, len, 0, NULL);
		desc = choose(json_object_get(m, "manifests"), want, tag, true, err);
	}
	if (!desc) {
		r = -EINVAL;
		goto out;
	}
	free(PF_TAKE(mtext));
	r = stage_layout_blob(im, dirfd, desc, "manifest", &im->manifest, &mtext, &len, err);
	if (r < 0)
		goto out;
	json_decref(m);
	m = json_loadb(mtext, len, 0, &jerr);
	if (!m || json_integer_value(json_object_get(m, "schemaVersion")) != 2) {
		r = pf_err_set(err, EINVAL,
			       "manifest %s is not an image manifest (schemaVersion 2)",
			       im->manifest.digest);
		goto out;
	}
	x = json_object_get(m, "mediaType");
	if (x && strcmp(json_string_value(x) ? json_string_value(x) : "", PF_OCI_MANIFEST) != 0 &&
	    strcmp(json_string_value(x) ? json_string_value(x) : "", PF_DOCKER_MANIFEST) != 0) {
		r = pf_err_set(err, EINVAL, "manifest %s has the unsupported media type %s",
			       im->manifest.digest, json_string_value(x));
		goto out;
	}
	cfg = json_object_get(m, "config");
	r = stage_layout_blob(im, dirfd, cfg, "config", &im->config, &im->config_json,
			      &im->config_len, err);
	if (r < 0)
		goto out;
	layers = json_object_get(m, "layers");
	if (!json_is_array(layers)) {
		r = pf_err_set(err, EINVAL, "manifest %s has no layers", im->manifest.digest);
		goto out;
	}
	json_array_foreach(layers, i, x)
	{
		const char *mt = json_string_value(json_object_get(x, "mediaType"));
		struct ilayer *l = add_layer(im);
		char what[64];

		snprintf(what, sizeof(what), "layer %zu", i);
		if (!mt || !layer_type_ok(mt)) {
			r = pf_err_set(err, EINVAL, "layer %zu has the unsupported media type %s",
				       i, mt ? mt : "(none)");
			goto out;
		}
		l->media_type = pf_xstrdup(mt);
		r = stage_layout_blob(im, dirfd, x, what, &l->blob, NULL, NULL, err);
		if (r < 0)
			goto out;
	}
	r = take_config(im, err);
out:
	json_decref(m);
	json_decref(root);
	return r;
}

/* ---- docker archive (docker save) -------------------------------------------- */

static const char *sniff_layer_type(const char *path)
{
	unsigned char magic[4] = {0};
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && read(fd, magic, 4) == 4) {
		if (magic[0] == 0x1f && magic[1] == 0x8b)
			return PF_OCI_LAYER_GZIP;
		if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
			return PF_OCI_LAYER_ZSTD;
	}
	return PF_OCI_LAYER;
}

/* "<hex>.json" or "blobs/sha256/<hex>": the digest the name promises. */
static char *digest_from_name(const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	_cleanup_free_ char *d = pf_xasprintf("sha256:%.64s", base);

	if (pf_digest_valid(d) && (base[64] == '\0' || strcmp(base + 64, ".json") == 0))
		return PF_TAKE(d);
	return NULL;
}

static char *make_manifest(struct import *im)
{
	json_t *m = json_object(), *c = json_object(), *ls = json_array();
	char *text;

	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(PF_OCI_MANIFEST));
	json_object_set_new(c, "mediaType", json_string(PF_OCI_CONFIG));
	json_object_set_new(c, "digest", json_string(im->config.digest));
	json_object_set_new(c, "size", json_integer(im->config.size));
	json_object_set_new(m, "config", c);
	for (size_t i = 0; i < im->n_layers; i++) {
		json_t *l = json_object();
		json_object_set_new(l, "mediaType", json_string(im->layers[i].media_type));
		json_object_set_new(l, "digest", json_string(im->layers[i].blob.digest));
		json_object_set_new(l, "size", json_integer(im->layers[i].blob.size));
		json_array_append_new(ls, l);
	}
	json_object_set_new(m, "layers", ls);
	text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(m);
	return text;
}

static int import_docker(struct import *im, int dirfd, const char *want, struct pf_err *err)
{
	_cleanup_free_ char *text = NULL, *want_cfg = NULL, *mtext = NULL;
	json_t *root = NULL, *entry = NULL, *x, *layers;
	json_error_t jerr;
	const char *cfgname;
	size_t len, i, j;
	int r, fd, hits = 0;
	r = read_small(im, dirfd, "manifest.json", "not a docker archive: no manifest.json", &text,
		       &len, err);
	if (r < 0)
		return r;
	root = json_loadb(text, len, 0, &jerr);
	if (!json_is_array(root) || json_array_size(root) == 0) {
		r = pf_err_set(err, EINVAL, "manifest.json: not a list of images");
		goto out;
	}
	if (json_array_size(root) == 1)
		entry = json_array_get(root, 0);
	json_array_foreach(root, i, x)
	{
		json_t *t;
		if (json_array_size(root) == 1)
			break;
		json_array_foreach(json_object_get(x, "RepoTags"), j, t)
		{
			_cleanup_free_ char *norm = NULL;
			if (json_string_value(t) &&
			    pf_imageref_normalize(json_string_value(t), &norm, NULL) == 0 &&
			    strcmp(norm, want) == 0) {
				entry = x;
				hits++;
				break;
			}
		}
	}
	if (!entry || hits > 1) {
		r = pf_err_set(err, EINVAL,
			       "the archive holds %zu images and none is tagged \"%s\" (RepoTags)",
			       json_array_size(root), want);
		goto out;
	}
	cfgname = json_string_value(json_object_get(entry, "Config"));
	layers = json_object_get(entry, "Layers");
	if (!cfgname || !json_is_array(layers)) {
		r = pf_err_set(err, EINVAL, "manifest.json: an image without Config or Layers");
		goto out;
	}
	fd = open_in(dirfd, cfgname);
	if (fd < 0) {
		r = pf_err_set(err, EINVAL, "config %s is missing from the archive", cfgname);
		goto out;
	}
	want_cfg = digest_from_name(cfgname);
	r = stage_fd(im, fd, "config", want_cfg, -1, &im->config, &im->config_json, &im->config_len,
		     err);
	close(fd);
	if (r < 0)
		goto out;
	json_array_foreach(layers, i, x)
	{
		const char *name = json_string_value(x);
		struct ilayer *l = add_layer(im);
		char what[64];

		snprintf(what, sizeof(what), "layer %zu", i);
		fd = name ? open_in(dirfd, name) : -ENOENT;
		if (fd < 0) {
			r = pf_err_set(err, EINVAL, "layer %s is missing from the archive",
				       name ? name : "(null)");
			goto out;
		}
		r = stage_fd(im, fd, what, NULL, -1, &l->blob, NULL, NULL, err);
		close(fd);
		if (r < 0)
			goto out;
		if (l->blob.tmp) {
			l->media_type = pf_xstrdup(sniff_layer_type(l->blob.tmp));
		} else {
			_cleanup_free_ char *p = pf_image_blob_path(im->s, l->blob.digest);
			l->media_type = pf_xstrdup(sniff_layer_type(p));
		}
	}
	r = take_config(im, err);
	if (r < 0)
		goto out;
	mtext = make_manifest(im);
	r = stage_mem(im, mtext, strlen(mtext), &im->manifest, err);
out:
	json_decref(root);
	return r;
}

/* ---- archives ------------------------------------------------------------- */

/* Unpack an archive of blobs (no owners, no devices) into dir. */
static int extract_archive(const char *path, const char *dir, struct pf_err *err)
{
	struct archive *in = archive_read_new(), *disk = archive_write_disk_new();
	struct archive_entry *e;
	int r, ret = 0;

	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	/* Not SECURE_NOABSOLUTEPATHS: the names are made absolute below,
	 * after the check that they are relative. */
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						 ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(in, path, 128 << 10) != ARCHIVE_OK) {
		ret = pf_err_set(err, EINVAL, "not a tar archive: %s", archive_error_string(in));
		goto out;
	}
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e), *hl = archive_entry_hardlink(e);
		_cleanup_free_ char *full = NULL, *link = NULL;
		mode_t t = archive_entry_filetype(e);

		if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
			continue;
		if (!name || name[0] == '/' || strstr(name, "..") || (hl && strstr(hl, ".."))) {
			ret = pf_err_set(err, EINVAL, "archive entry \"%s\" leaves the archive",
					 name ? name : "");
			goto out;
		}
		/* Paths relative to dir without chdir(): podfs is threaded. */
		full = pf_xasprintf("%s/%s", dir, name);
		archive_entry_set_pathname(e, full);
		if (hl) {
			link = pf_xasprintf("%s/%s", dir, hl);
			archive_entry_set_hardlink(e, link);
		}
		archive_entry_set_perm(e, t == AE_IFDIR ? 0700 : 0600);
		if (archive_read_extract2(in, e, disk) < ARCHIVE_WARN) {
			ret = pf_err_set(err, EINVAL, "cannot unpack \"%s\": %s", name,
					 archive_error_string(disk));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		ret = pf_err_set(err, EINVAL, "corrupt archive: %s", archive_error_string(in));
out:
	archive_write_free(disk);
	archive_read_free(in);
	return ret;
}

/* ---- root filesystem directory ----------------------------------------------- */

static __thread int64_t newest_mtime_ms;

static int note_mtime(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	int64_t ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;

	(void)p;
	(void)flag;
	(void)ftw;
	if (ms > newest_mtime_ms)
		newest_mtime_ms = ms;
	return 0;
}

static int import_rootfs(struct import *im, const char *dir, struct pf_err *err)
{
	_cleanup_free_ char *sh = pf_xasprintf("%s/bin/sh", dir), *mtext = NULL;
	_cleanup_close_ int fd = -1;
	struct ilayer *l = add_layer(im);
	json_t *c, *cc, *rootfs, *ids, *hist;
	char created[21], *text;
	struct stat st;
	int r;

	l->blob.tmp = pf_xasprintf("%s/blob-%u", im->work, im->seq++);
	fd = open(l->blob.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return pf_err_sys(err, errno, "cannot stage the layer");
	r = pf_layer_pack(dir, fd, l->blob.digest, &l->blob.size, err);
	if (r < 0)
		return r;
	if (blob_exists(im, l->blob.digest)) {
		unlink(l->blob.tmp);
		free(PF_TAKE(l->blob.tmp));
	}
	l->media_type = pf_xstrdup(PF_OCI_LAYER);
	memcpy(l->diff_id, l->blob.digest, PF_DIGEST_LEN);

	/* The image's date is the tree's newest change, so that importing an
	 * unchanged directory again gives the same image ID. */
	newest_mtime_ms = 0;
	nftw(dir, note_mtime, 32, FTW_PHYS | FTW_MOUNT);
	pf_format_time(newest_mtime_ms, created);

	c = json_object();
	cc = json_object();
	json_object_set_new(c, "created", json_string(created));
	json_object_set_new(c, "architecture", json_string(our_arch()));
	json_object_set_new(c, "os", json_string("linux"));
	json_object_set_new(cc, "Env",
			    json_pack("[s]", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
					     "/usr/bin:/sbin:/bin"));
	if (lstat(sh, &st) == 0)
		json_object_set_new(cc, "Cmd", json_pack("[s]", "sh"));
	json_object_set_new(c, "config", cc);
	rootfs = json_object();
	ids = json_array();
	json_array_append_new(ids, json_string(l->diff_id));
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", ids);
	json_object_set_new(c, "rootfs", rootfs);
	hist = json_pack("[{s:s,s:s}]", "created", created, "created_by", "podfs image import");
	json_object_set_new(c, "history", hist);
	text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	im->config_json = text;
	im->config_len = strlen(text);
	r = stage_mem(im, text, im->config_len, &im->config, err);
	if (r < 0)
		return r;
	pf_strlist_add(&im->diff_ids, l->diff_id);
	mtext = make_manifest(im);
	return stage_mem(im, mtext, strlen(mtext), &im->manifest, err);
}

/* ---- commit -------------------------------------------------------------------- */

/* Verify every layer's diffID; unpack the ones the store lacks into tmp/. */
static int unpack_layers(struct import *im, int64_t *size, struct pf_err *err)
{
	*size = 0;
	for (size_t i = 0; i < im->n_layers; i++) {
		struct ilayer *l = &im->layers[i];
		_cleanup_free_ char *src = l->blob.tmp ? pf_xstrdup(l->blob.tmp)
						       : pf_image_blob_path(im->s, l->blob.digest);
		_cleanup_free_ char *have = pf_image_layer_path(im->s, l->diff_id);
		char got[PF_DIGEST_LEN];
		bool need = access(have, F_OK) < 0;
		int r;

		for (size_t k = 0; k < i && need; k++)
			if (strcmp(im->layers[k].diff_id, l->diff_id) == 0)
				need = false; /* the same layer twice in one image */
		if (need) {
			l->tmp_dir = pf_xasprintf("%s/layer-%zu", im->work, i);
			if (mkdir(l->tmp_dir, 0755) < 0)
				return pf_err_sys(err, errno, "cannot create %s", l->tmp_dir);
		}
		r = pf_layer_unpack(src, l->tmp_dir, got, &l->tar_size, err);
		if (r < 0) {
			pf_err_prefix(err, "layer %zu (%.19s): ", i, l->blob.digest);
			return r;
		}
		if (strcmp(got, l->diff_id) != 0)
			return pf_err_set(
			    err, EINVAL, "layer %zu (%.19s): its content is %s, the config says %s",
			    i, l->blob.digest, got, l->diff_id);
		*size += l->tar_size;
	}
	return 0;
}

static int move_blob(struct import *im, struct staged *b, struct pf_err *err)
{
	_cleanup_free_ char *dst = NULL;

	if (!b->tmp)
		return 0;
	dst = pf_image_blob_path(im->s, b->digest);
	if (rename(b->tmp, dst) < 0)
		return pf_err_sys(err, errno, "cannot store blob %s", b->digest);
	free(PF_TAKE(b->tmp));
	return 0;
}

static int commit(struct import *im, const char *ref, struct pf_err *err)
{
	_cleanup_free_ char *index = pf_xasprintf("%s/index.json", im->s->root);
	struct pf_image_index idx;
	struct pf_image img = {0};
	struct pf_image_entry e = {0};
	int64_t size;
	long at;
	int r;

	r = unpack_layers(im, &size, err);
	if (r < 0)
		return r;
	/* All verified: from here on the store changes.  The renames are
	 * not synced one by one: pf_image_index_commit syncs the store
	 * (syncfs) before index.json names what they moved. */
	r = move_blob(im, &im->config, err);
	for (size_t i = 0; i < im->n_layers && r == 0; i++)
		r = move_blob(im, &im->layers[i].blob, err);
	for (size_t i = 0; i < im->n_layers && r == 0; i++) {
		struct ilayer *l = &im->layers[i];
		_cleanup_free_ char *dst = pf_image_layer_path(im->s, l->diff_id);
		if (l->tmp_dir && rename(l->tmp_dir, dst) < 0)
			r = pf_err_sys(err, errno, "cannot store layer %s", l->diff_id);
	}
	if (r == 0)
		r = move_blob(im, &im->manifest, err);
	if (r < 0)
		return r;

	r = pf_image_index_read(index, &idx, err);
	if (r < 0)
		return r;
	pf_image_parse_config(im->config_json, im->config_len, &img, NULL, NULL);
	e.ref = (char *)ref;
	e.manifest = im->manifest.digest;
	e.manifest_size = im->manifest.size;
	e.id = im->config.digest;
	e.size = size;
	e.created_ms = img.created_ms;
	pf_image_free(&img);
	at = pf_image_index_find(&idx, ref);
	if (at >= 0 && strcmp(idx.items[at].manifest, e.manifest) == 0 &&
	    idx.items[at].size == e.size && idx.items[at].created_ms == e.created_ms) {
		pf_image_index_free(&idx);
		return 0; /* the same image again: nothing to change */
	}
	if (at >= 0)
		pf_image_index_remove(&idx, (size_t)at);
	pf_image_index_add(&idx, &e);
	r = pf_image_index_commit(im->s, &idx, err);
	if (r == 0)
		pf_image_gc(im->s, &idx, err); /* the image ref named before, if unused */
	pf_image_index_free(&idx);
	return r;
}

static bool has(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, 0) == 0;
}

int pf_image_import(struct pf_image_store *s, const char *name, const char *path, char **id,
		    struct pf_err *err)
{
	struct pf_imageref ref;
	_cleanup_free_ char *want = NULL, *real = NULL;
	_cleanup_close_ int lock = -1, dirfd = -1;
	struct import im = {.s = s};
	struct stat st;
	int r;

	*id = NULL;
	r = pf_imageref_parse(name, &ref, err);
	if (r < 0)
		return r;
	if (ref.digest) {
		pf_imageref_free(&ref);
		return pf_err_set(err, EINVAL,
				  "cannot import as \"%s\": a name takes a tag, not "
				  "a digest",
				  name);
	}
	want = pf_imageref_string(&ref);
	if (stat(path, &st) < 0) {
		r = pf_err_sys(err, errno, "%s", path);
		goto out;
	}
	lock = pf_image_lock(s, err);
	if (lock < 0) {
		r = lock;
		goto out;
	}
	im.work = pf_xasprintf("%s/tmp/import-XXXXXX", s->root);
	if (!mkdtemp(im.work)) {
		r = pf_err_sys(err, errno, "cannot create %s", im.work);
		free(PF_TAKE(im.work));
		goto out;
	}
	/* libarchive refuses to write through a symlink anywhere in a path
	 * (SECURE_SYMLINKS), so work in the directory's real name. */
	real = realpath(im.work, NULL);
	if (real) {
		free(im.work);
		im.work = PF_TAKE(real);
	}
	if (S_ISREG(st.st_mode)) {
		_cleanup_free_ char *dir = pf_xasprintf("%s/archive", im.work);
		if (mkdir(dir, 0700) < 0) {
			r = pf_err_sys(err, errno, "cannot create %s", dir);
			goto out;
		}
		r = extract_archive(path, dir, err);
		if (r < 0)
			goto out;
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (has(dirfd, "index.json") || has(dirfd, "oci-layout"))
			r = import_layout(&im, dirfd, want, ref.tag, err);
		else if (has(dirfd, "manifest.json"))
			r = import_docker(&im, dirfd, want, err);
		else
			r = pf_err_set(err, EINVAL,
				       "neither an OCI archive nor a docker archive "
				       "(no index.json, no manifest.json)");
	} else if (S_ISDIR(st.st_mode)) {
		dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0) {
			r = pf_err_sys(err, errno, "%s", path);
			goto out;
		}
		if (has(dirfd, "index.json") || has(dirfd, "oci-layout"))
			r = import_layout(&im, dirfd, want, ref.tag, err);
		else if (has(dirfd, "manifest.json") && !has(dirfd, "bin") && !has(dirfd, "usr"))
			r = import_docker(&im, dirfd, want, err);
		else
			r = import_rootfs(&im, path, err);
	} else {
		r = pf_err_set(err, EINVAL, "%s is neither a directory nor an archive", path);
	}
	if (r == 0)
		r = commit(&im, want, err);
	if (r == 0)
		*id = pf_xstrdup(im.config.digest);
out:
	if (r < 0)
		pf_err_prefix(err, "import %s from %s: ", name, path);
	import_free(&im);
	pf_imageref_free(&ref);
	return r;
}
