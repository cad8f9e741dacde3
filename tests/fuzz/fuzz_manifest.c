/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_manifest - libFuzzer target for the API layer's input path: decode,
 * default, validate (pf_admit), and for accepted pods the encoder and the
 * storage decoder, whose round trip must give the same text.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>

#include "admission.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_policy pol = {.allow_privileged = true, .allow_host_paths = true};
	struct pf_pod_list pods = {0};
	struct pf_err err = PF_ERR_INIT;

	if (pf_admit((const char *)data, size, "fuzz.yaml", &pol, &pods, &err) < 0)
		return 0;
	for (size_t i = 0; i < pods.n; i++) {
		struct pf_buf a = PF_BUF_INIT, b = PF_BUF_INIT;
		struct pf_pod *back = NULL;

		pf_pod_encode(pods.items[i], &a);
		if (pf_pod_decode(a.buf, a.len, &back, &err) < 0)
			__builtin_trap(); /* the encoder wrote what the decoder refuses */
		pf_pod_encode(back, &b);
		if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
			__builtin_trap(); /* the round trip changed the object */
		pf_pod_free(back);
		pf_buf_release(&a);
		pf_buf_release(&b);
	}
	pf_pod_list_free(&pods);
	return 0;
}
