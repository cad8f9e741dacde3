/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admission.h - one submission through the API server's create path:
 * decode, generateName, defaults, validation and Pod Security for every pod
 * in it, all or none.
 *
 * No store and no clock: the caller stores what pf_admit returns (and sets
 * uid, creationTimestamp, resourceVersion); a name that is already stored is
 * the caller's EEXIST to report.
 */
#ifndef PODFS_ADMISSION_H
#define PODFS_ADMISSION_H

#include "errors.h"
#include "manifest.h"
#include "validate.h"

/* generateName: prefix (cut to 58 bytes, as the API server does) plus five
 * random characters from Kubernetes' alphabet "bcdfghjklmnpqrstvwxz2456789".
 * 0, or -ENOSPC when out cannot hold the name, or -errno from getrandom. */
int pf_generate_name(const char *prefix, char *out, size_t outlen);

/*
 * Admit a submission: pf_manifest_decode(), then for each pod in order
 * generateName, pf_pod_set_defaults() and pf_pod_validate() under policy
 * (NULL = nothing allowed).  Returns the number of pods (>= 1) with out
 * filled (caller frees with pf_pod_list_free), or -errno with out empty and
 * err set to the message users see:
 *   decoder errors as pf_manifest_decode() words them (-EINVAL, -EFBIG),
 *   -EINVAL "The Pod \"x\" is invalid: ...", -EPERM "pods \"x\" is forbidden: ...",
 *   -EEXIST "error when creating \"x.yaml\": pods \"a\" already exists" when two
 *           pods of the submission share a name.
 */
int pf_admit(const char *data, size_t len, const char *source, const struct pf_policy *policy,
	     struct pf_pod_list *out, struct pf_err *err);

#endif
