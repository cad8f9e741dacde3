/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.h - the local image store: content-addressed, offline, under
 * STATE/images/.
 *
 *   blobs/sha256/<hex>   manifests, configs and layers, byte for byte as
 *                        imported (layers compressed or not)
 *   index.json           reference -> manifest (core/imageindex.h); the
 *                        directory is itself an OCI image layout
 *   oci-layout           {"imageLayoutVersion":"1.0.0"}
 *   layers/<hex>/        each layer unpacked once, named by its diffID,
 *                        shared by every image that has it; OCI whiteouts
 *                        converted to overlayfs' form (layer.h)
 *   holds/<holder>       a manifest digest a container uses: kept by GC,
 *                        and removing the image is refused
 *   lock, tmp/           writers serialise on flock(lock) and stage in tmp/
 *
 * Every change is staged in tmp/, verified (each blob's sha256 and size,
 * each layer's diffID) and then renamed into place; index.json is replaced
 * last, so a failed import leaves the store as it was and readers never
 * take a lock.  Blobs and layers that no reference or hold needs any more
 * are collected after every rm and import.
 *
 * Reference resolution is a container engine's (core/imageref.h), plus one
 * rule for a machine without a registry: a reference with another domain
 * that is not in the store falls back to the same repository under
 * docker.io, then to its last path component under docker.io/library
 * ("registry.k8s.io/busybox" finds "busybox").
 */
#ifndef PODFS_IMAGE_H
#define PODFS_IMAGE_H

#include <stdint.h>

#include "errors.h"
#include "imageindex.h"
#include "types.h"

struct pf_image_store;

/* What the runtime needs to make a container of an image. */
struct pf_image {
	char *ref;			 /* the normalised reference that matched */
	char *id;			 /* "sha256:<hex>" of the config: the image ID */
	char *manifest;			 /* "sha256:<hex>" of the manifest */
	char *config_path;		 /* the config blob, for anything not below */
	struct pf_strlist entrypoint;	 /* config.Entrypoint */
	struct pf_strlist cmd;		 /* config.Cmd */
	struct pf_strlist env;		 /* config.Env, "K=V" */
	char *working_dir;		 /* config.WorkingDir or NULL */
	char *user;			 /* config.User or NULL */
	char *stop_signal;		 /* config.StopSignal or NULL */
	struct pf_strlist exposed_ports; /* "80/tcp", sorted */
	/* Unpacked layer directories, absolute, the base layer first (the
	 * order of rootfs.diff_ids). overlayfs' lowerdir= wants the top one
	 * first: join them in reverse. */
	struct pf_strlist layers;
	int64_t size;	    /* bytes of the layers' tar streams */
	int64_t created_ms; /* config.created, 0 when absent */
};

/* Open (creating when needed) the store under state_dir/images. */
int pf_image_store_open(const char *state_dir, struct pf_image_store **out, struct pf_err *err);
/* NULL is fine. */
void pf_image_store_close(struct pf_image_store *s);
/* STATE/images */
const char *pf_image_store_root(const struct pf_image_store *s);

/* Find the image ref names and fill *img (the caller frees it with
 * pf_image_free).  ref may be any reference a pod spec may hold, a full
 * image ID ("sha256:<hex>" or "<hex>") or a unique ID prefix of at least 12
 * hex digits.  -ENOENT with `image "nginx:9" not found`; -EINVAL for a
 * reference that does not parse.  Cheap: the index and parsed images stay
 * in memory until index.json changes; safe from several threads. */
int pf_image_resolve(struct pf_image_store *s, const char *ref, struct pf_image *img,
		     struct pf_err *err);
void pf_image_free(struct pf_image *img);

/* Import the image at path under name ("nginx", "nginx:1.22",
 * "docker.io/library/nginx:latest"); path is an OCI image layout directory,
 * an OCI-archive or docker-archive tar (compressed or not), or a root
 * filesystem directory (made a one-layer image, Cmd ["sh"] when it has
 * /bin/sh).  The image ID ("sha256:<hex>") goes to *id.  Importing the same
 * content again changes nothing.  -EINVAL for corrupt or unverifiable input
 * (the store is left as it was), -ENOENT when path does not exist. */
int pf_image_import(struct pf_image_store *s, const char *name, const char *path, char **id,
		    struct pf_err *err);

/* The index as it is now (sorted by reference). */
int pf_image_list(struct pf_image_store *s, struct pf_image_index *out, struct pf_err *err);

/* Remove ref (a reference, an image ID or ID prefix: then every reference to
 * that image).  Like `podman rmi`: the references go; the image's blobs
 * and layers go with its last reference, unless a container holds it
 * (-EBUSY, nothing removed).  The removed references go to *untagged, the
 * ID to *deleted when the image itself went (else NULL). -ENOENT when
 * absent. */
int pf_image_remove(struct pf_image_store *s, const char *ref, struct pf_strlist *untagged,
		    char **deleted, struct pf_err *err);

/* A container named holder (its ID: [A-Za-z0-9_.-], no leading dot) uses
 * img: the image's content stays until released, even when its reference
 * is removed or moved to another image.  Idempotent. */
int pf_image_hold(struct pf_image_store *s, const struct pf_image *img, const char *holder,
		  struct pf_err *err);
/* The container is gone; content no reference needs is collected.
 * Releasing an unknown holder is not an error. */
int pf_image_release(struct pf_image_store *s, const char *holder, struct pf_err *err);

#endif
