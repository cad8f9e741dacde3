/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.h - the API server's admission for Pods: defaults, validation and
 * the Pod Security "baseline" policy, with kubectl's wording.
 *
 * Pure functions of the object and the policy: no store, no clock (the
 * caller sets uid and timestamps), no I/O.
 */
#ifndef PODFS_VALIDATE_H
#define PODFS_VALIDATE_H

#include "errors.h"
#include "names.h" /* the name checks callers of validate.h use */
#include "types.h"

/* What the node lets pods do beyond Pod Security "baseline".  NULL or all
 * false: the whole baseline is enforced. */
struct pf_policy {
	bool allow_privileged; /* privileged, hostNetwork/PID/IPC, added caps beyond baseline,
				* and the rest of baseline but hostPath: hostPorts, procMount,
				* seccomp Unconfined, unsafe sysctls, probe/lifecycle hosts */
	bool allow_host_paths; /* hostPath volumes */
	/* DefaultTolerationSeconds (kube-apiserver's
	 * --default-not-ready-toleration-seconds and
	 * --default-unreachable-toleration-seconds): 300 each unless set. */
	bool toleration_seconds_set;
	int64_t not_ready_toleration_s, unreachable_toleration_s;
};

/* Apply the API server's defaults (SetObjectDefaults_Pod plus the admission
 * plugins every cluster runs: DefaultTolerationSeconds), in place. */
void pf_pod_set_defaults(struct pf_pod *pod);
/* The same under policy's admission settings (NULL: the defaults). */
void pf_pod_set_defaults_for(struct pf_pod *pod, const struct pf_policy *policy);

/*
 * Validate a defaulted pod as the API server's create path does: the
 * admission plugins that can refuse it first (namespace other than
 * "default", unknown serviceAccountName or priorityClassName: -EINVAL with
 * the plugin's words), then ValidatePodCreate, then Pod Security.  Returns 0, or
 * -EINVAL with err = "The Pod \"x\" is invalid: spec.containers[0].image: Required value"
 *   (several causes: "The Pod \"x\" is invalid: [cause1, cause2]", in field order),
 * or -EPERM  with err = "pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\":
 *   privileged (container \"app\" must not set securityContext.privileged=true)"
 *   when the policy forbids what the pod asks for.
 * Field errors use apimachinery's forms: "Required value", "Invalid value: \"X\": <detail>",
 * "Unsupported value: \"X\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
 * "Duplicate value: \"X\"", "Too long: may not be more than 63 bytes" ...
 */
int pf_pod_validate(const struct pf_pod *pod, const struct pf_policy *policy, struct pf_err *err);

/* The container image reference for "Pulling image" messages and defaults:
 * true when the reference carries no tag or the tag latest (imagePullPolicy
 * then defaults to Always). */
bool pf_image_is_latest(const char *image);

#endif
