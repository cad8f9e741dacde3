/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image-internal.h - what image.c (the store, resolution, GC) shares with
 * image_import.c (the importers).  Not for the rest of podfs: use image.h.
 */
#ifndef PODFS_IMAGE_INTERNAL_H
#define PODFS_IMAGE_INTERNAL_H

#include <pthread.h>
#include <sys/stat.h>

#include "image.h"

#define PF_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define PF_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define PF_OCI_CONFIG	   "application/vnd.oci.image.config.v1+json"
#define PF_OCI_LAYER	   "application/vnd.oci.image.layer.v1.tar"
#define PF_OCI_LAYER_GZIP  "application/vnd.oci.image.layer.v1.tar+gzip"
#define PF_OCI_LAYER_ZSTD  "application/vnd.oci.image.layer.v1.tar+zstd"
#define PF_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define PF_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"

/* Manifests and configs are small; anything larger is not one. */
#define PF_IMAGE_JSON_MAX (16u << 20)

struct pf_image_cached {
	char *manifest;
	struct pf_image img;
};

struct pf_image_store {
	char *root; /* STATE/images */
	pthread_mutex_t mu;
	/* The index as last read, and the identity of the file it came from. */
	struct pf_image_index idx;
	bool loaded;
	dev_t idx_dev;
	ino_t idx_ino;
	struct timespec idx_mtime;
	struct pf_image_cached *cache;
	size_t n_cache;
};

char *pf_image_blob_path(const struct pf_image_store *s, const char *digest);
char *pf_image_layer_path(const struct pf_image_store *s, const char *diff_id);

/* Take the store's writer lock (flock, blocking) and clear tmp/ of what a
 * crashed writer left; returns the lock's fd. */
int pf_image_lock(struct pf_image_store *s, struct pf_err *err);
/* Replace index.json with idx (after flushing the filesystem, so the index
 * never names content a crash lost). Under the lock. */
int pf_image_index_commit(struct pf_image_store *s, const struct pf_image_index *idx,
			  struct pf_err *err);
/* Remove blobs and layers that neither idx nor a hold needs. Under the lock. */
int pf_image_gc(struct pf_image_store *s, const struct pf_image_index *idx, struct pf_err *err);

/* Parse an image config: fills img's config fields and created_ms, and
 * the diffIDs in order. */
int pf_image_parse_config(const char *json, size_t len, struct pf_image *img,
			  struct pf_strlist *diff_ids, struct pf_err *err);

#endif
