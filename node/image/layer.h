/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layer.h - image layers as tar streams and as directories, through
 * libarchive: unpack a layer (with its diffID computed on the way) into a
 * directory that overlayfs can stack, and pack a directory into a layer.
 *
 * Unpacking converts OCI whiteouts into overlayfs' own form, as
 * containers/storage does, so the runtime can use the directories as
 * lowerdirs unchanged: ".wh.NAME" becomes a 0/0 character device NAME and
 * ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its directory.  Both
 * need root (CAP_MKNOD, CAP_SYS_ADMIN for trusted.*).
 */
#ifndef PODFS_LAYER_H
#define PODFS_LAYER_H

#include <stdint.h>

#include "errors.h"
#include "imageref.h"

/* Read the layer blob at path (a tar, gzip'd or zstd'd or not), compute
 * the diffID (sha256 of the uncompressed tar) and the tar's length, and,
 * when dir is not NULL, unpack it into dir (an existing empty directory
 * whose path has no symbolic link in it).  Owners, modes, times and xattrs
 * are kept; entries that would leave dir ("..", absolute links through
 * symlinks) are refused. -EINVAL with the reason on a corrupt stream. */
int pf_layer_unpack(const char *path, const char *dir, char diff_id[PF_DIGEST_LEN],
		    int64_t *tar_size, struct pf_err *err);

/* Write the tree under dir to fd as an uncompressed tar (entries sorted by
 * name, owners numeric, no atime/ctime, so the same tree gives the same
 * bytes); the digest and size of what was written. */
int pf_layer_pack(const char *dir, int fd, char digest[PF_DIGEST_LEN], int64_t *size,
		  struct pf_err *err);

#endif
