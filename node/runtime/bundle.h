/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.h - the OCI runtime configuration (config.json) of one container
 * of a pod, as a CRI runtime would write it for kubelet: process (args,
 * env, user, capabilities), mounts, namespaces joined from the sandbox,
 * cgroup resources, masked paths and the default seccomp profile.
 *
 * Pure functions of the pod, the container, the image and the paths the
 * runtime backend chose: no file is written, no process run, nothing
 * mounted (the one read is the rootfs' /etc/passwd and /etc/group for a
 * named image user).  oci_container.c writes the result.
 */
#ifndef PODFS_NODE_BUNDLE_H
#define PODFS_NODE_BUNDLE_H

#include <jansson.h>

#include "errors.h"
#include "image.h"
#include "types.h"

/* Everything outside the pod object that the configuration names. */
struct pf_bundle_in {
	const struct pf_pod *pod;
	const struct pf_container *c;
	const struct pf_image *img;	   /* may be NULL (unit tests): no image defaults */
	const char *rootfs;		   /* the container's root (the overlay mount point) */
	const char *netns, *ipcns, *utsns; /* the sandbox's namespace files; NULL = own */
	const char *pidns; /* the pod's shared PID namespace (shareProcessNamespace); NULL = own */
	const char *hosts, *resolv, *hostname; /* files bind-mounted on /etc/... */
	const char *shm;		       /* the pod's /dev/shm directory; NULL = own tmpfs */
	const char *termination_log;	       /* host file for terminationMessagePath */
	const char *volumes_dir;	       /* emptyDir "v" is volumes_dir/v */
	const char *cgroups_path;	       /* "/podfs/<pod-uid>/<container-id>" */
	const char *node_name, *host_ip, *pod_ip; /* for fieldRef */
	bool allow_host_paths;
	bool allow_privileged;
};

/* The process's argv by Kubernetes' rules: command replaces the image's
 * Entrypoint, args replace its Cmd; a command without args drops Cmd.
 * $(VAR) in both is expanded against env ("K=V" list; NULL = none).
 * -EINVAL when nothing is left to run. */
int pf_bundle_args(const struct pf_container *c, const struct pf_image *img,
		   const struct pf_strlist *env, struct pf_strlist *out, struct pf_err *err);

/* The container's environment: the image's Env, then the pod's env in
 * order (later names win), each value with $(VAR) expanded against the
 * pod env defined before it ($$ is a literal $, unknown references stay as
 * written), fieldRef and resourceFieldRef resolved; PATH defaulted. */
int pf_bundle_env(const struct pf_bundle_in *in, struct pf_strlist *out, struct pf_err *err);

/* Expand $(VAR) in s against env ("K=V"); the Kubernetes expansion rules. */
char *pf_bundle_expand(const char *s, const struct pf_strlist *env);

/* The capability set: the container-engine default 14, with add and drop
 * ("ALL" accepted in both), or every capability when privileged.  Names
 * come out as "CAP_X", sorted. */
void pf_bundle_caps(const struct pf_container *c, struct pf_strlist *out);

/* uid/gid: runAsUser/runAsGroup (container over pod), else the image's
 * User ("uid", "uid:gid", or names looked up in rootfs /etc/passwd and
 * /etc/group), else 0.  -EINVAL when a name cannot be found. */
int pf_bundle_user(const struct pf_bundle_in *in, int64_t *uid, int64_t *gid, struct pf_err *err);

/* The whole config.json.  -EINVAL (a user or command that cannot be
 * resolved), -EPERM (a hostPath or privileged container the node does
 * not allow). */
int pf_bundle_config(const struct pf_bundle_in *in, json_t **out, struct pf_err *err);

/* The syscalls the default profile (RuntimeDefault) refuses with EPERM. */
size_t pf_bundle_seccomp_denied(const char *const **names);

#endif
