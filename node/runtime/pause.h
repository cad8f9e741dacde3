/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause.h - `podfs pause NSDIR [CGROUP-DIR...]`, the process that holds a
 * pod's shared PID namespace (shareProcessNamespace), as Kubernetes' pause
 * container does.  The node agent runs it (oci_pause.c); nobody else
 * should.
 */
#ifndef PODFS_NODE_PAUSE_H
#define PODFS_NODE_PAUSE_H

/* Enter the network, IPC and UTS namespaces bind-mounted in NSDIR (net,
 * ipc, uts), make a PID namespace and fork its PID 1, which joins each
 * CGROUP-DIR and then only reaps orphans until SIGTERM, SIGINT or SIGKILL.
 * Prints that process's pid (as the caller sees it) and exits 0, or says
 * why not on stderr and exits 1. */
int pf_pause_main(int argc, char **argv);

#endif
