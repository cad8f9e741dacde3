/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-internal.h - what the API server's pod rules share among their
 * files: validate.c (ValidatePodCreate and the admission refusals),
 * resources.c (container resources), defaults.c (defaulting) and
 * podsecurity.c (Pod Security).
 *
 * Only those files include it; everyone else uses validate.h.
 */
#ifndef PODFS_VALIDATE_INTERNAL_H
#define PODFS_VALIDATE_INTERNAL_H

#include "fielderr.h"
#include "validate.h"

/* In Go an empty string is the unset value: NULL and "" read the same. */
static inline bool pf_str_empty(const char *s)
{
	return !s || !*s;
}

/* A container's resources (limits and requests) at path
 * ("spec.containers[0]"): validateContainerResourceName and
 * ValidateResourceRequirements. */
void pf_validate_resources(struct pf_field_errs *c, const struct pf_resources *r, const char *path);

/* The priority classes every cluster has (podfs has no others): true with
 * *prio set for "", system-node-critical and system-cluster-critical. */
bool pf_builtin_priority(const char *cls, int32_t *prio);

/* Pod Security "baseline:latest" under policy: 0, or -EPERM with
 * err = "pods \"x\" is forbidden: violates PodSecurity ...". */
int pf_pod_security_admit(const struct pf_pod *pod, const struct pf_policy *policy,
			  struct pf_err *err);

#endif
