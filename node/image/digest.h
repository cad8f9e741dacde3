/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.h - sha256 content addresses ("sha256:<64 hex>") over libcrypto.
 *
 * The only place the image store touches a crypto library, so that a move
 * to another (nettle) is one file.
 */
#ifndef PODFS_DIGEST_H
#define PODFS_DIGEST_H

#include <stdint.h>

#include "errors.h"
#include "imageref.h"

struct pf_sha256 {
	void *ctx; /* EVP_MD_CTX */
	int64_t n; /* bytes hashed so far */
};

void pf_sha256_init(struct pf_sha256 *h);
void pf_sha256_update(struct pf_sha256 *h, const void *data, size_t n);
/* Write "sha256:<hex>" into out and release the context. */
void pf_sha256_final(struct pf_sha256 *h, char out[PF_DIGEST_LEN]);
/* Release without a result (error paths); safe after final. */
void pf_sha256_abort(struct pf_sha256 *h);
/* Digest of a memory buffer. */
void pf_sha256_buf(const void *data, size_t n, char out[PF_DIGEST_LEN]);

#endif
