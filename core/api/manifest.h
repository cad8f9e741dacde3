/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.h - YAML in and YAML out for the API types of types.h (libyaml):
 * the public face of the codec (yamlread.c, schema.c, decode.c, encode.c).
 *
 * Two decoders share one strict walker:
 *  - pf_manifest_decode() reads what a user submits (a file dropped into
 *    pods/, `podfs validate`): one or more documents, each `apiVersion: v1`
 *    `kind: Pod` or `kind: List` of Pods.  Unknown fields, duplicate keys,
 *    wrong types, anchors/aliases, tags, nesting deeper than PF_MANIFEST_MAX_DEPTH
 *    and input over PF_MANIFEST_MAX_BYTES are refused.  Fields the server owns
 *    (status, uid, creationTimestamp, resourceVersion...) are accepted and
 *    then dropped, as the API server does on create.
 *  - pf_pod_decode()/pf_node_decode()/pf_event_decode()/pf_lease_decode()
 *    read what podfs itself stored (the output of the encoders); status is
 *    kept.
 * The encoders write an object as `kubectl get pod x -o yaml` shows it: the
 * keys of every map sorted (kubectl's JSON->YAML conversion sorts them),
 * go-yaml v2 layout and quoting, timestamps RFC 3339 (quoted), empty/unset
 * fields omitted, resourceVersion written as a quoted string from
 * meta.resource_version when it is non-zero; status.podIPs/hostIPs and
 * spec.podCIDRs are derived from podIP/hostIP/podCIDR (accepted, not kept,
 * on input).
 *
 * It must not validate semantics (that is core/apiserver/validate.c) nor
 * apply defaults.
 */
#ifndef PODFS_MANIFEST_H
#define PODFS_MANIFEST_H

#include "errors.h"
#include "types.h"

#define PF_MANIFEST_MAX_BYTES (3u * 1024 * 1024) /* the API server's limit */
#define PF_MANIFEST_MAX_DEPTH 64
#define PF_MANIFEST_MAX_DOCS  1000

struct pf_pod_list {
	struct pf_pod **items;
	size_t n;
};
void pf_pod_list_free(struct pf_pod_list *l);

/*
 * Decode a submission.  source names it in messages (the file name).
 * On success fills out (caller frees with pf_pod_list_free) and returns the
 * number of pods (>= 1; an input with no pod at all is -EINVAL).
 * Errors, with kubectl's wording in err:
 *  -EFBIG  len > PF_MANIFEST_MAX_BYTES
 *          "error when creating \"x.yaml\": Request entity too large: limit is 3145728"
 *  -EINVAL YAML syntax: "error parsing x.yaml: error converting YAML to JSON: yaml: line 3:
 * <libyaml problem>" kind/apiVersion: "error when creating \"x.yaml\": no matches for kind \"Foo\"
 * in version \"v1\"" strict decoding: "error when creating \"x.yaml\": Pod in version \"v1\" cannot
 * be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\""
 *          (duplicate field: ...: strict decoding error: json: duplicate field \"image\"; wrong
 * type:
 *          ...: json: cannot unmarshal string into Go struct field Container.spec.containers.ports
 * of type []v1.ContainerPort) anchors/aliases: "error parsing x.yaml: yaml: anchors and aliases are
 * not allowed" depth: "error parsing x.yaml: yaml: exceeded max depth of 64" also: "error parsing
 * x.yaml: yaml: more than 1000 documents"; "error parsing x.yaml: yaml: line 3: tag \"!foo\" is not
 * allowed (only the core schema)"; "error validating \"x.yaml\": error validating data: kind not
 * set"; "error when creating \"x.yaml\": no objects passed to create"; fields podfs does not run
 * (non-empty), after decoding succeeded: "error when creating \"x.yaml\": The Pod \"a\" is invalid:
 * spec.volumes[0]: Unsupported value: volume source configMap: podfs supports emptyDir and
 * hostPath" (likewise "spec: Unsupported value: affinity: not supported by podfs",
 *          "...livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type").
 */
int pf_manifest_decode(const char *data, size_t len, const char *source, struct pf_pod_list *out,
		       struct pf_err *err);

/* Decode objects podfs stored (status kept; unknown fields still refused,
 * so a corrupted store is reported rather than half-read). -EINVAL on error. */
int pf_pod_decode(const char *data, size_t len, struct pf_pod **out, struct pf_err *err);
int pf_node_decode(const char *data, size_t len, struct pf_node **out, struct pf_err *err);
int pf_event_decode(const char *data, size_t len, struct pf_event **out, struct pf_err *err);
/* A coordination.k8s.io/v1 Lease (lease.c's leader election). */
int pf_lease_decode(const char *data, size_t len, struct pf_lease_object **out, struct pf_err *err);

/* Encode as `kubectl get -o yaml` shows the object (appends to out). */
void pf_pod_encode(const struct pf_pod *pod, struct pf_buf *out);
void pf_node_encode(const struct pf_node *node, struct pf_buf *out);
void pf_event_encode(const struct pf_event *ev, struct pf_buf *out);
/* holderIdentity always double-quoted, renewTime/acquireTime as MicroTime. */
void pf_lease_encode(const struct pf_lease_object *l, struct pf_buf *out);

#endif
