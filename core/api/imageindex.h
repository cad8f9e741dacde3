/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imageindex.h - the image store's index file, STATE/images/index.json:
 * which normalised reference names which image.
 *
 * The file is an OCI image index (so the store is itself a valid OCI image
 * layout): one manifest descriptor per reference, the reference in the
 * standard "org.opencontainers.image.ref.name" annotation and what `podfs
 * image list` shows in podfs.image.* annotations, so listing never has to
 * open a blob.  This module only reads and formats the file; node/image.c
 * owns the store and is the only writer.  It lives in core/ so that the
 * mount can list images/ without reaching into node/.
 */
#ifndef PODFS_IMAGEINDEX_H
#define PODFS_IMAGEINDEX_H

#include <stdint.h>

#include "errors.h"

struct pf_image_entry {
	char *ref;	/* normalised: "docker.io/library/nginx:latest" */
	char *manifest; /* "sha256:..." digest of the image manifest */
	int64_t manifest_size;
	char *id;	    /* "sha256:..." digest of the config: the image ID */
	int64_t size;	    /* bytes of the unpacked layers (tar streams) */
	int64_t created_ms; /* the config's "created", 0 when absent */
};

struct pf_image_index {
	struct pf_image_entry *items;
	size_t n;
};

/* Read path; a missing file is an empty index (0).  -EINVAL when the file is
 * not an index this code wrote or can read. */
int pf_image_index_read(const char *path, struct pf_image_index *idx, struct pf_err *err);
int pf_image_index_parse(const char *json, size_t len, struct pf_image_index *idx,
			 struct pf_err *err);
/* The file's text (sorted by reference, so it is stable). */
char *pf_image_index_format(const struct pf_image_index *idx);

/* Index of the entry for ref, or -1. */
long pf_image_index_find(const struct pf_image_index *idx, const char *ref);
/* Append a copy of e (which the index then owns a copy of). */
void pf_image_index_add(struct pf_image_index *idx, const struct pf_image_entry *e);
void pf_image_index_remove(struct pf_image_index *idx, size_t i);
void pf_image_index_free(struct pf_image_index *idx);
void pf_image_entry_free(struct pf_image_entry *e);

#endif
