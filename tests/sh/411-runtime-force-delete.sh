#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A second rm -r of a Terminating pod deletes it at once, as kubectl delete
# --grace-period=0 --force: the object goes from the store, and the node
# kills what is left without waiting out the grace period, leaving nothing.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

# PID 1 of a container ignores SIGTERM unless it handles it: this pod would
# hold its grace period (60 s) out.
cat <<EOT | "$FSOP" write "$PODS/stubborn.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 60
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
EOT
remember_uid stubborn
is "$(timeout 30 cat "$PODS/stubborn/wait/Running")" "Running" "the pod runs"
is "$(scenario_conmons | wc -l)" "1" "one monitor"

check "rm -r starts a graceful delete" -- rm -r "$PODS/stubborn"
is "$(cat "$PODS/stubborn/status")" "Terminating" "the pod is Terminating"
t0=$(date +%s%N)
check "a second rm -r exits 0" -- rm -r "$PODS/stubborn"
check "and the pod is gone from the mount" -- test ! -e "$PODS/stubborn"
no_monitor() { [ -z "$(scenario_conmons)" ]; }
no_leaks() { [ -z "$(runtime_leaks)" ]; }
check "its container is killed without the grace period" -- wait_until 20 no_monitor
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "well within the 60 s grace period ($ms ms)" -- test "$ms" -lt 30000
check "and nothing is left behind" -- wait_until 20 no_leaks
is "$(runtime_leaks)" "" "no leaks"

# A pod nothing holds yet goes at the first rm -r, as before.
cat <<EOT | "$FSOP" write "$PODS/quick.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: quick}
spec:
  nodeSelector: {no-such-label: "x"}
  containers:
  - name: app
    image: busybox
EOT
check "an unschedulable pod" -- test -d "$PODS/quick"
check "goes at the first rm -r" -- rm -r "$PODS/quick"
check "at once" -- test ! -e "$PODS/quick"
stop_podfs
