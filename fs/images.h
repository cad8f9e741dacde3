/* SPDX-License-Identifier: Apache-2.0 */
/*
 * images.h - the mount's images/ directory (see images.c).
 */
#ifndef PODFS_FS_IMAGES_H
#define PODFS_FS_IMAGES_H

#include <stdint.h>

#include "util.h"

typedef void (*pf_images_fn)(void *arg, const char *name, uint64_t ino);

/* Call fn for every image of the index at index_path (NULL: none). */
int pf_images_list(const char *index_path, pf_images_fn fn, void *arg);
/* The inode of images/<name>; -ENOENT. */
int pf_images_lookup(const char *index_path, const char *name, uint64_t *ino);
/* The file's text (the image ID and a newline) and the image's creation
 * time; -ENOENT when the image is gone. */
int pf_images_render(const char *index_path, uint64_t ino, struct pf_buf *out, int64_t *created_ms);

#endif
