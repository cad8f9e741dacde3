/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wellknown.h - the well-known label, taint and toleration keys of
 * Kubernetes (k8s.io/api/core/v1 well_known_labels.go and
 * well_known_taints.go) that podfs itself writes or acts on, spelled once.
 *
 * Only the keys podfs's own code uses belong here; they are wire values and
 * must read exactly as Kubernetes spells them.  Constants only: no code.
 */
#ifndef PODFS_WELLKNOWN_H
#define PODFS_WELLKNOWN_H

/* The taints the node lifecycle controller puts on a node that is not
 * Ready (Ready False: not-ready; Unknown: unreachable); DefaultTolerationSeconds
 * tolerates both for five minutes, and a heartbeat that finds the node Ready
 * again takes them off. */
#define PF_TAINT_NOT_READY   "node.kubernetes.io/not-ready"
#define PF_TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
/* What the scheduler treats spec.unschedulable as (TaintNodeUnschedulable). */
#define PF_TAINT_UNSCHEDULABLE "node.kubernetes.io/unschedulable"

/* The labels the kubelet puts on its own node, which --node-labels may
 * not set. */
#define PF_LABEL_HOSTNAME  "kubernetes.io/hostname"
#define PF_LABEL_OS	   "kubernetes.io/os"
#define PF_LABEL_ARCH	   "kubernetes.io/arch"
#define PF_LABEL_OS_BETA   "beta.kubernetes.io/os"
#define PF_LABEL_ARCH_BETA "beta.kubernetes.io/arch"

#endif
