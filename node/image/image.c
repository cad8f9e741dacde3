/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c - the image store proper (image.h): opening it, resolving
 * references for the runtime, listing, removing, holds and garbage
 * collection.  Importers live in image_import.c.
 *
 * Readers never lock: index.json is replaced by rename and blobs never
 * change once written.  Writers (import, rm, hold, release) serialise on
 * flock(STATE/images/lock), so the CLI and a running podfs can share a store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <jansson.h>

#include "fileio.h"
#include "image-internal.h"
#include "imageref.h"
#include "layer.h"

char *pf_image_blob_path(const struct pf_image_store *s, const char *digest)
{
	return pf_xasprintf("%s/blobs/sha256/%s", s->root, digest + 7);
}

char *pf_image_layer_path(const struct pf_image_store *s, const char *diff_id)
{
	return pf_xasprintf("%s/layers/%s", s->root, diff_id + 7);
}

const char *pf_image_store_root(const struct pf_image_store *s)
{
	return s->root;
}

int pf_image_store_open(const char *state_dir, struct pf_image_store **out, struct pf_err *err)
{
	static const char *const dirs[] = {"blobs/sha256", "layers", "holds", "tmp"};
	struct pf_image_store *s = pf_xcalloc(1, sizeof(*s));
	_cleanup_free_ char *layout = NULL;
	int r;

	s->root = pf_xasprintf("%s/images", state_dir);
	pthread_mutex_init(&s->mu, NULL);
	for (size_t i = 0; i < PF_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = pf_xasprintf("%s/%s", s->root, dirs[i]);
		r = pf_mkdir_p(d, 0700);
		if (r < 0) {
			pf_err_sys(err, -r, "cannot create the image store %s", d);
			pf_image_store_close(s);
			return r;
		}
	}
	layout = pf_xasprintf("%s/oci-layout", s->root);
	if (access(layout, F_OK) < 0) {
		static const char text[] = "{\"imageLayoutVersion\":\"1.0.0\"}\n";
		r = pf_write_file(layout, text, strlen(text), 0644, PF_WRITE_DURABLE, err);
		if (r < 0) {
			pf_image_store_close(s);
			return r;
		}
	}
	*out = s;
	return 0;
}

static void cache_clear(struct pf_image_store *s)
{
	for (size_t i = 0; i < s->n_cache; i++) {
		free(s->cache[i].manifest);
		pf_image_free(&s->cache[i].img);
	}
	free(s->cache);
	s->cache = NULL;
	s->n_cache = 0;
}

void pf_image_store_close(struct pf_image_store *s)
{
	if (!s)
		return;
	cache_clear(s);
	pf_image_index_free(&s->idx);
	pthread_mutex_destroy(&s->mu);
	free(s->root);
	free(s);
}

void pf_image_free(struct pf_image *img)
{
	free(img->ref);
	free(img->id);
	free(img->manifest);
	free(img->config_path);
	pf_strlist_free(&img->entrypoint);
	pf_strlist_free(&img->cmd);
	pf_strlist_free(&img->env);
	free(img->working_dir);
	free(img->user);
	free(img->stop_signal);
	pf_strlist_free(&img->exposed_ports);
	pf_strlist_free(&img->layers);
	memset(img, 0, sizeof(*img));
}

static char *dup_or_null(const char *s)
{
	return s ? pf_xstrdup(s) : NULL;
}

static void strlist_copy(struct pf_strlist *dst, const struct pf_strlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		pf_strlist_add(dst, src->items[i]);
}

static void image_copy(struct pf_image *dst, const struct pf_image *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->ref = dup_or_null(src->ref);
	dst->id = dup_or_null(src->id);
	dst->manifest = dup_or_null(src->manifest);
	dst->config_path = dup_or_null(src->config_path);
	strlist_copy(&dst->entrypoint, &src->entrypoint);
	strlist_copy(&dst->cmd, &src->cmd);
	strlist_copy(&dst->env, &src->env);
	dst->working_dir = dup_or_null(src->working_dir);
	dst->user = dup_or_null(src->user);
	dst->stop_signal = dup_or_null(src->stop_signal);
	strlist_copy(&dst->exposed_ports, &src->exposed_ports);
	strlist_copy(&dst->layers, &src->layers);
	dst->size = src->size;
	dst->created_ms = src->created_ms;
}

/* ---- config and manifest ------------------------------------------------- */

static int str_array(json_t *v, struct pf_strlist *out, const char *what, struct pf_err *err)
{
	size_t i;
	json_t *x;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return pf_err_set(err, EINVAL, "image config: %s is not a list", what);
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			return pf_err_set(err, EINVAL, "image config: %s[%zu] is not a string",
					  what, i);
		pf_strlist_add(out, json_string_value(x));
	}
	return 0;
}

static char *str_or_null(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && *v ? pf_xstrdup(v) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pf_image_parse_config(const char *json, size_t len, struct pf_image *img,
			  struct pf_strlist *diff_ids, struct pf_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr), *c, *ids, *x;
	const char *created, *key;
	size_t i;
	int r;

	if (!root || !json_is_object(root)) {
		json_decref(root);
		return pf_err_set(err, EINVAL, "image config is not a JSON object");
	}
	c = json_object_get(root, "config");
	r = str_array(json_object_get(c, "Entrypoint"), &img->entrypoint, "Entrypoint", err);
	if (r == 0)
		r = str_array(json_object_get(c, "Cmd"), &img->cmd, "Cmd", err);
	if (r == 0)
		r = str_array(json_object_get(c, "Env"), &img->env, "Env", err);
	if (r < 0)
		goto out;
	img->working_dir = str_or_null(c, "WorkingDir");
	img->user = str_or_null(c, "User");
	img->stop_signal = str_or_null(c, "StopSignal");
	json_object_foreach(json_object_get(c, "ExposedPorts"), key, x)
	    pf_strlist_add(&img->exposed_ports, key);
	if (img->exposed_ports.n > 1)
		qsort(img->exposed_ports.items, img->exposed_ports.n, sizeof(char *), cmp_str);
	created = json_string_value(json_object_get(root, "created"));
	if (!created || pf_parse_time(created, &img->created_ms) < 0)
		img->created_ms = 0;

	ids = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
	if (!json_is_array(ids)) {
		r = pf_err_set(err, EINVAL, "image config has no rootfs.diff_ids");
		goto out;
	}
	json_array_foreach(ids, i, x)
	{
		if (!pf_digest_valid(json_string_value(x))) {
			r = pf_err_set(err, EINVAL,
				       "image config: rootfs.diff_ids[%zu] is not a "
				       "sha256 digest",
				       i);
			goto out;
		}
		if (diff_ids)
			pf_strlist_add(diff_ids, json_string_value(x));
	}
out:
	json_decref(root);
	return r;
}

/* The config digest and layer digests of a stored manifest. */
static int read_manifest(struct pf_image_store *s, const char *digest, char **config,
			 struct pf_strlist *layers, struct pf_err *err)
{
	_cleanup_free_ char *path = pf_image_blob_path(s, digest), *data = NULL;
	json_t *root, *ls, *x;
	size_t len, i;
	int r = pf_read_file(path, PF_IMAGE_JSON_MAX, &data, &len);

	if (r < 0)
		return pf_err_sys(err, -r, "cannot read the manifest %s", digest);
	root = json_loadb(data, len, 0, NULL);
	x = json_object_get(json_object_get(root, "config"), "digest");
	if (!pf_digest_valid(json_string_value(x))) {
		json_decref(root);
		return pf_err_set(err, EINVAL, "manifest %s has no config digest", digest);
	}
	*config = pf_xstrdup(json_string_value(x));
	ls = json_object_get(root, "layers");
	json_array_foreach(ls, i, x)
	{
		const char *d = json_string_value(json_object_get(x, "digest"));
		if (pf_digest_valid(d) && layers)
			pf_strlist_add(layers, d);
	}
	json_decref(root);
	return 0;
}

/* Build the runtime's view of the image behind an index entry. */
static int load_image(struct pf_image_store *s, const struct pf_image_entry *e,
		      struct pf_image *img, struct pf_err *err)
{
	_cleanup_free_ char *config = NULL, *data = NULL;
	struct pf_strlist ids = {0};
	size_t len;
	int r;

	memset(img, 0, sizeof(*img));
	r = read_manifest(s, e->manifest, &config, NULL, err);
	if (r < 0)
		return r;
	img->config_path = pf_image_blob_path(s, config);
	r = pf_read_file(img->config_path, PF_IMAGE_JSON_MAX, &data, &len);
	if (r < 0) {
		pf_err_sys(err, -r, "cannot read the config %s", config);
		goto fail;
	}
	r = pf_image_parse_config(data, len, img, &ids, err);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < ids.n; i++) {
		_cleanup_free_ char *dir = pf_image_layer_path(s, ids.items[i]);
		struct stat st;

		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = pf_err_set(err, ENOENT, "layer %.19s of image %s is missing",
				       ids.items[i], e->ref);
			goto fail;
		}
		pf_strlist_add(&img->layers, dir);
	}
	img->ref = pf_xstrdup(e->ref);
	img->id = pf_xstrdup(config);
	img->manifest = pf_xstrdup(e->manifest);
	img->size = e->size;
	pf_strlist_free(&ids);
	return 0;
fail:
	pf_strlist_free(&ids);
	pf_image_free(img);
	return r;
}

/* ---- lookup -------------------------------------------------------------- */

static bool all_hex(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* An image ID or a unique prefix of one (>= 12 hex digits): the first entry
 * with that ID, -1 when none, -2 when the prefix is ambiguous. */
static long find_id(const struct pf_image_index *idx, const char *ref, char **id)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t n = strlen(hex);
	long hit = -1;

	if (n < 12 || n > 64 || !all_hex(hex))
		return -1;
	for (size_t i = 0; i < idx->n; i++) {
		if (strncmp(idx->items[i].id + 7, hex, n) != 0)
			continue;
		if (hit >= 0 && strcmp(idx->items[hit].id, idx->items[i].id) != 0)
			return -2;
		if (hit < 0)
			hit = (long)i;
	}
	if (hit >= 0 && id)
		*id = pf_xstrdup(idx->items[hit].id);
	return hit;
}

static long find_ref(const struct pf_image_index *idx, const char *domain, const char *path,
		     const struct pf_imageref *ref)
{
	_cleanup_free_ char *want = NULL;

	if (ref->tag) {
		want = pf_xasprintf("%s/%s:%s", domain, path, ref->tag);
		return pf_image_index_find(idx, want);
	}
	/* name@digest: an entry of that repository with that manifest */
	want = pf_xasprintf("%s/%s:", domain, path);
	for (size_t i = 0; i < idx->n; i++)
		if (strncmp(idx->items[i].ref, want, strlen(want)) == 0 &&
		    strcmp(idx->items[i].manifest, ref->digest) == 0)
			return (long)i;
	return -1;
}

/* The entry ref names, following the fallback rules when fallback is set:
 * index or -ENOENT / -EINVAL. */
static long lookup(const struct pf_image_index *idx, const char *s, bool fallback,
		   struct pf_err *err)
{
	struct pf_imageref ref;
	long hit = find_id(idx, s, NULL);
	int r;

	if (hit >= 0)
		return hit;
	if (hit == -2)
		return pf_err_set(err, EINVAL, "image ID prefix \"%s\" is ambiguous", s);
	r = pf_imageref_parse(s, &ref, err);
	if (r < 0)
		return r;
	hit = find_ref(idx, ref.domain, ref.path, &ref);
	if (hit < 0 && fallback && strcmp(ref.domain, PF_DEFAULT_DOMAIN) != 0) {
		const char *last = strrchr(ref.path, '/');

		/* The same repository under the default domain is closer than
		 * a library image of the same last name. */
		if (last)
			hit = find_ref(idx, PF_DEFAULT_DOMAIN, ref.path, &ref);
		if (hit < 0) {
			_cleanup_free_ char *lib =
			    pf_xasprintf("library/%s", last ? last + 1 : ref.path);
			hit = find_ref(idx, PF_DEFAULT_DOMAIN, lib, &ref);
		}
	}
	pf_imageref_free(&ref);
	if (hit < 0)
		return pf_err_set(err, ENOENT, "image \"%s\" not found", s);
	return hit;
}

/* ---- resolve ------------------------------------------------------------- */

/* Reread index.json when it is not the file last read. Under s->mu. */
static int refresh(struct pf_image_store *s, bool force, struct pf_err *err)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/index.json", s->root);
	struct pf_image_index idx;
	struct stat st = {0};
	int r;

	if (stat(path, &st) < 0 && errno != ENOENT)
		return pf_err_sys(err, errno, "cannot stat %s", path);
	if (!force && s->loaded && st.st_dev == s->idx_dev && st.st_ino == s->idx_ino &&
	    st.st_mtim.tv_sec == s->idx_mtime.tv_sec && st.st_mtim.tv_nsec == s->idx_mtime.tv_nsec)
		return 0;
	r = pf_image_index_read(path, &idx, err);
	if (r < 0)
		return r;
	pf_image_index_free(&s->idx);
	cache_clear(s);
	s->idx = idx;
	s->loaded = true;
	s->idx_dev = st.st_dev;
	s->idx_ino = st.st_ino;
	s->idx_mtime = st.st_mtim;
	return 0;
}

static int resolve_locked(struct pf_image_store *s, const char *ref, struct pf_image *img,
			  bool retry, struct pf_err *err)
{
	const struct pf_image_entry *e;
	struct pf_image loaded;
	long hit;
	int r = refresh(s, retry, err);

	if (r < 0)
		return r;
	hit = lookup(&s->idx, ref, true, err);
	if (hit < 0)
		return (int)hit;
	e = &s->idx.items[hit];
	for (size_t i = 0; i < s->n_cache; i++) {
		if (strcmp(s->cache[i].manifest, e->manifest) == 0) {
			image_copy(img, &s->cache[i].img);
			free(img->ref);
			img->ref = pf_xstrdup(e->ref);
			return 0;
		}
	}
	r = load_image(s, e, &loaded, err);
	if (r < 0)
		return r;
	s->cache = pf_xrealloc(s->cache, (s->n_cache + 1) * sizeof(*s->cache));
	s->cache[s->n_cache].manifest = pf_xstrdup(e->manifest);
	s->cache[s->n_cache++].img = loaded;
	image_copy(img, &loaded);
	return 0;
}

int pf_image_resolve(struct pf_image_store *s, const char *ref, struct pf_image *img,
		     struct pf_err *err)
{
	struct pf_err first = PF_ERR_INIT;
	int r;

	memset(img, 0, sizeof(*img));
	pthread_mutex_lock(&s->mu);
	r = resolve_locked(s, ref, img, false, &first);
	/* A writer may have collected a blob between our reading the index
	 * and the blob: read the index again once. */
	if (r < 0 && r != -ENOENT && r != -EINVAL)
		r = resolve_locked(s, ref, img, true, err);
	else if (r < 0)
		pf_err_set(err, first.code, "%s", first.msg);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int pf_image_list(struct pf_image_store *s, struct pf_image_index *out, struct pf_err *err)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/index.json", s->root);
	return pf_image_index_read(path, out, err);
}

/* ---- writers ------------------------------------------------------------- */

int pf_image_lock(struct pf_image_store *s, struct pf_err *err)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/lock", s->root);
	_cleanup_free_ char *tmp = pf_xasprintf("%s/tmp", s->root);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return pf_err_sys(err, errno, "cannot open %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return pf_err_sys(err, e, "cannot lock %s", path);
		}
	}
	/* Whatever is in tmp/ now belongs to a writer that died. */
	d = opendir(tmp);
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", tmp, de->d_name);
		pf_rm_rf(p);
	}
	if (d)
		closedir(d);
	return fd;
}

int pf_image_index_commit(struct pf_image_store *s, const struct pf_image_index *idx,
			  struct pf_err *err)
{
	_cleanup_free_ char *text = pf_image_index_format(idx);
	_cleanup_free_ char *path = pf_xasprintf("%s/index.json", s->root);
	_cleanup_close_ int fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* The blobs and layers the index names were renamed into place
	 * unsynced (thousands of files per layer): one syncfs makes them
	 * durable before the index that names them is. */
	if (fd < 0 || syncfs(fd) < 0)
		return pf_err_sys(err, errno, "cannot write the image index");
	return pf_write_file(path, text, strlen(text), 0644, PF_WRITE_DURABLE, err);
}

/* Manifest and image ID a holder file names ("sha256:m sha256:i\n"). */
static int read_hold(const char *path, char manifest[PF_DIGEST_LEN], char id[PF_DIGEST_LEN])
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (pf_read_file(path, 4096, &data, &len) < 0 || len < 143)
		return -EINVAL;
	memcpy(manifest, data, 71);
	manifest[71] = '\0';
	memcpy(id, data + 72, 71);
	id[71] = '\0';
	return pf_digest_valid(manifest) && pf_digest_valid(id) ? 0 : -EINVAL;
}

/* Holders of image id, one name a line, or NULL when none. */
static char *holders_of(struct pf_image_store *s, const char *id)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/holds", s->root);
	struct pf_buf b = PF_BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char m[PF_DIGEST_LEN], i[PF_DIGEST_LEN];
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", dir, de->d_name);
		if (read_hold(p, m, i) == 0 && strcmp(i, id) == 0) {
			if (b.len)
				pf_buf_adds(&b, ", ");
			pf_buf_adds(&b, de->d_name);
		}
	}
	if (d)
		closedir(d);
	return b.len ? pf_buf_detach(&b, NULL) : NULL;
}

static bool in_list(const struct pf_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

static void keep_manifest(struct pf_image_store *s, const char *manifest, struct pf_strlist *blobs,
			  struct pf_strlist *layers)
{
	_cleanup_free_ char *config = NULL, *cpath = NULL, *data = NULL;
	struct pf_strlist ls = {0}, ids = {0};
	struct pf_image img = {0};
	size_t len;

	if (in_list(blobs, manifest + 7))
		return;
	pf_strlist_add(blobs, manifest + 7);
	if (read_manifest(s, manifest, &config, &ls, NULL) < 0)
		return;
	pf_strlist_add(blobs, config + 7);
	for (size_t i = 0; i < ls.n; i++)
		pf_strlist_add(blobs, ls.items[i] + 7);
	cpath = pf_image_blob_path(s, config);
	if (pf_read_file(cpath, PF_IMAGE_JSON_MAX, &data, &len) == 0 &&
	    pf_image_parse_config(data, len, &img, &ids, NULL) == 0)
		for (size_t i = 0; i < ids.n; i++)
			pf_strlist_add(layers, ids.items[i] + 7);
	pf_image_free(&img);
	pf_strlist_free(&ids);
	pf_strlist_free(&ls);
}

/* Remove what of dir is not in keep; layers go through tmp/ so that a
 * crash never leaves a half-deleted layer under its real name. */
static void sweep(struct pf_image_store *s, const char *sub, const struct pf_strlist *keep,
		  bool via_tmp)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/%s", s->root, sub);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || in_list(keep, de->d_name))
			continue;
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", dir, de->d_name);
		if (via_tmp) {
			_cleanup_free_ char *t = pf_xasprintf("%s/tmp/gc-%s", s->root, de->d_name);
			if (rename(p, t) == 0)
				pf_rm_rf(t);
		} else {
			unlink(p);
		}
	}
	if (d)
		closedir(d);
}

int pf_image_gc(struct pf_image_store *s, const struct pf_image_index *idx, struct pf_err *err)
{
	_cleanup_free_ char *holds = pf_xasprintf("%s/holds", s->root);
	struct pf_strlist blobs = {0}, layers = {0};
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i < idx->n; i++)
		keep_manifest(s, idx->items[i].manifest, &blobs, &layers);
	d = opendir(holds);
	while (d && (de = readdir(d))) {
		char m[PF_DIGEST_LEN], id[PF_DIGEST_LEN];
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", holds, de->d_name);
		if (read_hold(p, m, id) == 0)
			keep_manifest(s, m, &blobs, &layers);
	}
	if (d)
		closedir(d);
	sweep(s, "blobs/sha256", &blobs, false);
	sweep(s, "layers", &layers, true);
	pf_strlist_free(&blobs);
	pf_strlist_free(&layers);
	(void)err;
	return 0;
}

int pf_image_remove(struct pf_image_store *s, const char *ref, struct pf_strlist *untagged,
		    char **deleted, struct pf_err *err)
{
	_cleanup_free_ char *index = pf_xasprintf("%s/index.json", s->root);
	_cleanup_free_ char *id = NULL, *users = NULL;
	_cleanup_close_ int lock = pf_image_lock(s, err);
	struct pf_image_index idx = {0};
	bool by_id = false, last = true;
	long hit;
	int r;

	*deleted = NULL;
	if (lock < 0)
		return lock;
	r = pf_image_index_read(index, &idx, err);
	if (r < 0)
		return r;
	hit = find_id(&idx, ref, NULL);
	by_id = hit >= 0;
	if (!by_id)
		hit = lookup(&idx, ref, false, err);
	if (hit < 0) {
		pf_image_index_free(&idx);
		return (int)hit;
	}
	id = pf_xstrdup(idx.items[hit].id);
	for (size_t i = 0; i < idx.n && !by_id; i++)
		if ((long)i != hit && strcmp(idx.items[i].id, id) == 0)
			last = false;
	if (last && (users = holders_of(s, id))) {
		r = pf_err_set(err, EBUSY, "image \"%s\" is in use by container %s", ref, users);
		pf_image_index_free(&idx);
		return r;
	}
	for (size_t i = idx.n; i-- > 0;) {
		if (by_id ? strcmp(idx.items[i].id, id) == 0 : (long)i == hit) {
			pf_strlist_add(untagged, idx.items[i].ref);
			pf_image_index_remove(&idx, i);
		}
	}
	r = pf_image_index_commit(s, &idx, err);
	if (r == 0) {
		pf_image_gc(s, &idx, err);
		if (last)
			*deleted = PF_TAKE(id);
	}
	pf_image_index_free(&idx);
	return r;
}

static bool holder_ok(const char *h)
{
	if (!*h || *h == '.' || strlen(h) > 200)
		return false;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '_' || *h == '.' || *h == '-'))
			return false;
	return true;
}

int pf_image_hold(struct pf_image_store *s, const struct pf_image *img, const char *holder,
		  struct pf_err *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *mpath = NULL;
	_cleanup_close_ int lock = -1;

	if (!holder_ok(holder))
		return pf_err_set(err, EINVAL, "bad image holder name \"%s\"", holder);
	lock = pf_image_lock(s, err);
	if (lock < 0)
		return lock;
	/* Resolve and hold are two steps: the image may have gone between. */
	mpath = pf_image_blob_path(s, img->manifest);
	if (access(mpath, F_OK) < 0)
		return pf_err_set(err, ENOENT, "image \"%s\" not found", img->ref);
	path = pf_xasprintf("%s/holds/%s", s->root, holder);
	text = pf_xasprintf("%s %s\n", img->manifest, img->id);
	/* The GC reads the holds back after a restart. */
	return pf_write_file(path, text, strlen(text), 0644, PF_WRITE_DURABLE, err);
}

int pf_image_release(struct pf_image_store *s, const char *holder, struct pf_err *err)
{
	_cleanup_free_ char *path = NULL, *index = pf_xasprintf("%s/index.json", s->root);
	_cleanup_close_ int lock = -1;
	struct pf_image_index idx;
	int r;

	if (!holder_ok(holder))
		return pf_err_set(err, EINVAL, "bad image holder name \"%s\"", holder);
	path = pf_xasprintf("%s/holds/%s", s->root, holder);
	if (access(path, F_OK) < 0)
		return 0;
	lock = pf_image_lock(s, err);
	if (lock < 0)
		return lock;
	if (unlink(path) < 0 && errno != ENOENT)
		return pf_err_sys(err, errno, "cannot remove %s", path);
	r = pf_image_index_read(index, &idx, err);
	if (r == 0)
		pf_image_gc(s, &idx, err);
	pf_image_index_free(&idx);
	return r;
}
