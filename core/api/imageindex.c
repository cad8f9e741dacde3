/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imageindex.c - reading and writing the text of STATE/images/index.json
 * (see imageindex.h) with jansson.  No locking and no renames here: the
 * store writes the text to a temporary file and renames it into place, so a
 * reader always sees a whole index.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>

#include "imageindex.h"
#include "imageref.h"

#define INDEX_MAX_BYTES (64u << 20)

#define ANN_REF	    "org.opencontainers.image.ref.name"
#define ANN_ID	    "podfs.image.id"
#define ANN_SIZE    "podfs.image.size"
#define ANN_CREATED "podfs.image.created"

void pf_image_entry_free(struct pf_image_entry *e)
{
	free(e->ref);
	free(e->manifest);
	free(e->id);
	memset(e, 0, sizeof(*e));
}

void pf_image_index_free(struct pf_image_index *idx)
{
	for (size_t i = 0; i < idx->n; i++)
		pf_image_entry_free(&idx->items[i]);
	free(idx->items);
	idx->items = NULL;
	idx->n = 0;
}

long pf_image_index_find(const struct pf_image_index *idx, const char *ref)
{
	for (size_t i = 0; i < idx->n; i++)
		if (strcmp(idx->items[i].ref, ref) == 0)
			return (long)i;
	return -1;
}

void pf_image_index_add(struct pf_image_index *idx, const struct pf_image_entry *e)
{
	idx->items = pf_xrealloc(idx->items, (idx->n + 1) * sizeof(*idx->items));
	idx->items[idx->n++] = (struct pf_image_entry){
	    .ref = pf_xstrdup(e->ref),
	    .manifest = pf_xstrdup(e->manifest),
	    .manifest_size = e->manifest_size,
	    .id = pf_xstrdup(e->id),
	    .size = e->size,
	    .created_ms = e->created_ms,
	};
}

void pf_image_index_remove(struct pf_image_index *idx, size_t i)
{
	pf_image_entry_free(&idx->items[i]);
	memmove(&idx->items[i], &idx->items[i + 1], (idx->n - i - 1) * sizeof(*idx->items));
	idx->n--;
}

static const char *ann(json_t *d, const char *key)
{
	return json_string_value(json_object_get(json_object_get(d, "annotations"), key));
}

int pf_image_index_parse(const char *json, size_t len, struct pf_image_index *idx,
			 struct pf_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr), *m;
	size_t i;
	int r = 0;

	memset(idx, 0, sizeof(*idx));
	if (!root)
		return pf_err_set(err, EINVAL, "image index: %s (line %d)", jerr.text, jerr.line);
	m = json_object_get(root, "manifests");
	if (!json_is_array(m)) {
		r = pf_err_set(err, EINVAL, "image index: no \"manifests\" array");
		goto out;
	}
	json_t *d;
	json_array_foreach(m, i, d)
	{
		const char *ref = ann(d, ANN_REF), *id = ann(d, ANN_ID);
		const char *dig = json_string_value(json_object_get(d, "digest"));
		const char *size = ann(d, ANN_SIZE), *created = ann(d, ANN_CREATED);
		struct pf_image_entry e = {0};

		if (!ref || !pf_digest_valid(dig) || !pf_digest_valid(id)) {
			r = pf_err_set(err, EINVAL, "image index: entry %zu is incomplete", i);
			pf_image_index_free(idx);
			goto out;
		}
		e.ref = (char *)ref;
		e.manifest = (char *)dig;
		e.id = (char *)id;
		e.manifest_size = json_integer_value(json_object_get(d, "size"));
		e.size = size ? strtoll(size, NULL, 10) : 0;
		if (!created || pf_parse_time(created, &e.created_ms) < 0)
			e.created_ms = 0;
		pf_image_index_add(idx, &e);
	}
out:
	json_decref(root);
	return r;
}

int pf_image_index_read(const char *path, struct pf_image_index *idx, struct pf_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pf_read_file(path, INDEX_MAX_BYTES, &data, &len);

	memset(idx, 0, sizeof(*idx));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return pf_err_sys(err, -r, "cannot read the image index %s", path);
	r = pf_image_index_parse(data, len, idx, err);
	if (r < 0)
		pf_err_prefix(err, "%s: ", path);
	return r;
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp((*(const struct pf_image_entry *const *)a)->ref,
		      (*(const struct pf_image_entry *const *)b)->ref);
}

char *pf_image_index_format(const struct pf_image_index *idx)
{
	json_t *root = json_object(), *arr = json_array();
	const struct pf_image_entry **sorted = pf_xcalloc(idx->n + 1, sizeof(*sorted));
	char *text, *out;

	for (size_t i = 0; i < idx->n; i++)
		sorted[i] = &idx->items[i];
	qsort(sorted, idx->n, sizeof(*sorted), cmp_ref);
	json_object_set_new(root, "schemaVersion", json_integer(2));
	json_object_set_new(root, "mediaType",
			    json_string("application/vnd.oci.image.index.v1+json"));
	for (size_t i = 0; i < idx->n; i++) {
		const struct pf_image_entry *e = sorted[i];
		json_t *d = json_object(), *a = json_object();
		char created[21], size[24];

		snprintf(size, sizeof(size), "%" PRId64, e->size);
		json_object_set_new(d, "mediaType",
				    json_string("application/vnd.oci.image.manifest.v1+json"));
		json_object_set_new(d, "digest", json_string(e->manifest));
		json_object_set_new(d, "size", json_integer(e->manifest_size));
		json_object_set_new(a, ANN_REF, json_string(e->ref));
		json_object_set_new(a, ANN_ID, json_string(e->id));
		json_object_set_new(a, ANN_SIZE, json_string(size));
		if (e->created_ms) {
			pf_format_time(e->created_ms, created);
			json_object_set_new(a, ANN_CREATED, json_string(created));
		}
		json_object_set_new(d, "annotations", a);
		json_array_append_new(arr, d);
	}
	json_object_set_new(root, "manifests", arr);
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	free(sorted);
	out = pf_xasprintf("%s\n", text);
	free(text);
	return out;
}
