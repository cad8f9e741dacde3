/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.c - sha256 over libcrypto's EVP interface (see digest.h).
 */
#include <openssl/evp.h>

#include "digest.h"

void pf_sha256_init(struct pf_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort(); /* out of memory, as pf_xmalloc */
	h->ctx = c;
	h->n = 0;
}

void pf_sha256_update(struct pf_sha256 *h, const void *data, size_t n)
{
	EVP_DigestUpdate(h->ctx, data, n);
	h->n += (int64_t)n;
}

void pf_sha256_final(struct pf_sha256 *h, char out[PF_DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(h->ctx, md, &len);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
	pf_sha256_abort(h);
}

void pf_sha256_abort(struct pf_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void pf_sha256_buf(const void *data, size_t n, char out[PF_DIGEST_LEN])
{
	struct pf_sha256 h;

	pf_sha256_init(&h);
	pf_sha256_update(&h, data, n);
	pf_sha256_final(&h, out);
}
