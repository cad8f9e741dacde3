/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imageref.h - container image references, parsed and normalised the way a
 * container engine does: "nginx", "nginx:latest" and
 * "docker.io/library/nginx:latest" are one reference.
 *
 * Pure string logic: no store, no I/O, so the fs layer, the image store and
 * the validator can all use it.
 */
#ifndef PODFS_IMAGEREF_H
#define PODFS_IMAGEREF_H

#include <stdbool.h>

#include "errors.h"

#define PF_DEFAULT_DOMAIN "docker.io"
#define PF_DEFAULT_TAG	  "latest"
/* "sha256:" + 64 hex digits + NUL */
#define PF_DIGEST_LEN 72

struct pf_imageref {
	char *domain; /* "docker.io", "registry.example:5000" */
	char *path;   /* "library/nginx" */
	char *tag;    /* "latest"; NULL when a digest is given */
	char *digest; /* "sha256:<64 hex>" or NULL */
};

/* Parse and normalise s: a missing domain becomes docker.io, a one-component
 * docker.io path gets "library/", a reference with neither tag nor digest
 * gets ":latest"; with both, the digest wins and the tag is dropped.
 * -EINVAL with kubelet's sentence ("couldn't parse image reference \"X\":
 * invalid reference format: repository name must be lowercase") on junk. */
int pf_imageref_parse(const char *s, struct pf_imageref *ref, struct pf_err *err);
void pf_imageref_free(struct pf_imageref *ref);

/* "docker.io/library/nginx" (domain/path). */
char *pf_imageref_repo(const struct pf_imageref *ref);
/* "docker.io/library/nginx:latest" or ".../nginx@sha256:...". */
char *pf_imageref_string(const struct pf_imageref *ref);
/* Normalise in one step: the string form of the parsed reference. */
int pf_imageref_normalize(const char *s, char **out, struct pf_err *err);
/* The short ("familiar") form users type: "docker.io/library/nginx:latest"
 * -> "nginx:latest", "docker.io/foo/bar:1" -> "foo/bar:1"; other domains
 * unchanged. Takes a normalised reference. */
char *pf_imageref_familiar(const char *normalized);

/* "sha256:" followed by exactly 64 lowercase hex digits. */
bool pf_digest_valid(const char *d);

#endif
