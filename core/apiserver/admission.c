/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admission.c - the create path of the API server for one submission, in
 * the order a real one runs it for each object kubectl sends: name
 * generation, defaulting and mutating admission, validation, validating
 * admission (Pod Security).  A submission is all or none: the first refusal
 * drops every pod decoded from it.
 *
 * It must not store anything nor read the clock; the caller does both.
 */
#include "admission.h"

#include <errno.h>
#include <sys/random.h>

/* apimachinery's util/rand alphabet: no vowels, no look-alikes. */
static const char name_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

#define PF_GENERATED_SUFFIX	5
#define PF_GENERATED_PREFIX_MAX (63 - PF_GENERATED_SUFFIX)

int pf_generate_name(const char *prefix, char *out, size_t outlen)
{
	unsigned char rnd[PF_GENERATED_SUFFIX];
	size_t n = strlen(prefix);
	size_t got = 0;

	/* SimpleNameGenerator keeps names within a DNS label's length. */
	if (n > PF_GENERATED_PREFIX_MAX)
		n = PF_GENERATED_PREFIX_MAX;
	if (outlen < n + PF_GENERATED_SUFFIX + 1)
		return -ENOSPC;
	while (got < sizeof(rnd)) {
		ssize_t r = getrandom(rnd + got, sizeof(rnd) - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	memcpy(out, prefix, n);
	for (size_t i = 0; i < PF_GENERATED_SUFFIX; i++) {
		/* Rejection sampling would be exact; 256 % 27 is a bias
		 * nobody can see in a pod name. */
		out[n + i] = name_alphabet[rnd[i] % (sizeof(name_alphabet) - 1)];
	}
	out[n + PF_GENERATED_SUFFIX] = '\0';
	return 0;
}

int pf_admit(const char *data, size_t len, const char *source, const struct pf_policy *policy,
	     struct pf_pod_list *out, struct pf_err *err)
{
	struct pf_pod_list list = {NULL, 0};
	int ret;

	out->items = NULL;
	out->n = 0;
	ret = pf_manifest_decode(data, len, source, &list, err);
	if (ret < 0)
		return ret;

	for (size_t i = 0; i < list.n; i++) {
		struct pf_pod *pod = list.items[i];

		/* BeforeCreate: a generated name exists before validation. */
		if (!pod->meta.name && pod->meta.generate_name && *pod->meta.generate_name) {
			char name[64];

			ret = pf_generate_name(pod->meta.generate_name, name, sizeof(name));
			if (ret < 0) {
				pf_err_sys(err, -ret, "generate a name for \"%s\"",
					   pod->meta.generate_name);
				goto fail;
			}
			pod->meta.name = pf_xstrdup(name);
		}
		pf_pod_set_defaults_for(pod, policy);
		ret = pf_pod_validate(pod, policy, err);
		if (ret < 0)
			goto fail;
		/* kubectl creates the documents one after the other; the
		 * second of a name meets the first one in the store. */
		for (size_t k = 0; k < i; k++) {
			if (strcmp(list.items[k]->meta.name, pod->meta.name) == 0) {
				ret = pf_err_set(
				    err, EEXIST,
				    "error when creating \"%s\": pods \"%s\" already exists",
				    source ? source : "", pod->meta.name);
				goto fail;
			}
		}
	}
	*out = list;
	return (int)list.n;

fail:
	pf_pod_list_free(&list);
	return ret;
}
