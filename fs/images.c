/* SPDX-License-Identifier: Apache-2.0 */
/*
 * images.c - the mount's images/ directory: one file per image reference,
 * named as users type it ("nginx:latest"; '/' in a name is written %2F and
 * '%' as %25), whose content is the image ID.
 *
 * Read from the image store's index (core/imageindex.h) each time: images
 * change through `podfs image`, another process, and the index is small.
 * Never writes: the store belongs to node/image.c.
 */
#include <errno.h>

#include "imageindex.h"
#include "imageref.h"
#include "images.h"
#include "tree.h"

/* 44 bits of FNV-1a of the normalised reference: the inode's serial. */
static uint64_t ref_serial(const char *ref)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return (h & ((1ull << 44) - 1)) | 1; /* never 0 */
}

static char *file_name(const char *ref)
{
	_cleanup_free_ char *fam = pf_imageref_familiar(ref);
	struct pf_buf b = PF_BUF_INIT;

	for (const char *p = fam; *p; p++) {
		if (*p == '/')
			pf_buf_adds(&b, "%2F");
		else if (*p == '%')
			pf_buf_adds(&b, "%25");
		else
			pf_buf_addc(&b, *p);
	}
	return pf_buf_detach(&b, NULL);
}

static int read_index(const char *path, struct pf_image_index *idx)
{
	struct pf_err err = PF_ERR_INIT;

	memset(idx, 0, sizeof(*idx));
	return path ? pf_image_index_read(path, idx, &err) : 0;
}

/* Call fn on each entry of the index until it returns something other than
 * 1 (go on); returns that, or -ENOENT when every entry said go on. */
static int each_entry(const char *index_path, int (*fn)(const struct pf_image_entry *, void *),
		      void *arg)
{
	struct pf_image_index idx;
	int r = read_index(index_path, &idx);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < idx.n; i++)
		if ((r = fn(&idx.items[i], arg)) != 1)
			break;
	pf_image_index_free(&idx);
	return r == 1 ? -ENOENT : r;
}

struct list_arg {
	pf_images_fn fn;
	void *arg;
};

static int list_one(const struct pf_image_entry *e, void *arg)
{
	struct list_arg *a = arg;
	_cleanup_free_ char *name = file_name(e->ref);

	a->fn(a->arg, name, pf_ino(PF_INO_IMAGE, ref_serial(e->ref), 0, 0));
	return 1;
}

int pf_images_list(const char *index_path, pf_images_fn fn, void *arg)
{
	struct list_arg a = {fn, arg};
	int r = each_entry(index_path, list_one, &a);

	return r == -ENOENT ? 0 : r;
}

struct lookup_arg {
	const char *name;
	uint64_t *ino;
};

static int lookup_one(const struct pf_image_entry *e, void *arg)
{
	struct lookup_arg *a = arg;
	_cleanup_free_ char *name = file_name(e->ref);

	if (strcmp(name, a->name) != 0)
		return 1;
	*a->ino = pf_ino(PF_INO_IMAGE, ref_serial(e->ref), 0, 0);
	return 0;
}

int pf_images_lookup(const char *index_path, const char *name, uint64_t *ino)
{
	struct lookup_arg a = {name, ino};

	return each_entry(index_path, lookup_one, &a);
}

struct render_arg {
	uint64_t serial;
	struct pf_buf *out;
	int64_t *created_ms;
};

static int render_one(const struct pf_image_entry *e, void *arg)
{
	struct render_arg *a = arg;

	if (ref_serial(e->ref) != a->serial)
		return 1;
	pf_buf_addf(a->out, "%s\n", e->id);
	if (a->created_ms)
		*a->created_ms = e->created_ms;
	return 0;
}

int pf_images_render(const char *index_path, uint64_t ino, struct pf_buf *out, int64_t *created_ms)
{
	struct render_arg a = {pf_ino_serial(ino), out, created_ms};

	return each_entry(index_path, render_one, &a);
}
