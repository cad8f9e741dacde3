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

int pf_images_list(const char *index_path, pf_images_fn fn, void *arg)
{
	struct pf_image_index idx;
	int r = read_index(index_path, &idx);

	if (r < 0)
		return r;
	for (size_t i = 0; i < idx.n; i++) {
		_cleanup_free_ char *name = file_name(idx.items[i].ref);
		fn(arg, name, pf_ino(PF_INO_IMAGE, ref_serial(idx.items[i].ref), 0, 0));
	}
	pf_image_index_free(&idx);
	return 0;
}

int pf_images_lookup(const char *index_path, const char *name, uint64_t *ino)
{
	struct pf_image_index idx;
	int r = read_index(index_path, &idx);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < idx.n && r < 0; i++) {
		_cleanup_free_ char *n = file_name(idx.items[i].ref);
		if (strcmp(n, name) == 0) {
			*ino = pf_ino(PF_INO_IMAGE, ref_serial(idx.items[i].ref), 0, 0);
			r = 0;
		}
	}
	pf_image_index_free(&idx);
	return r;
}

int pf_images_render(const char *index_path, uint64_t ino, struct pf_buf *out, int64_t *created_ms)
{
	struct pf_image_index idx;
	int r = read_index(index_path, &idx);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < idx.n && r < 0; i++) {
		if (ref_serial(idx.items[i].ref) != pf_ino_serial(ino))
			continue;
		pf_buf_addf(out, "%s\n", idx.items[i].id);
		if (created_ms)
			*created_ms = idx.items[i].created_ms;
		r = 0;
	}
	pf_image_index_free(&idx);
	return r;
}
