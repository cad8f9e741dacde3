#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A chatty container cannot fill the disk: its log file is capped at
# kubelet's containerLogMaxSize (10 MiB), conmon starting it over when it
# is reached, and pods/<p>/logs still shows the newest lines.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

# 30,000 lines of 1,000 bytes (about 29 MiB), then a last line and sleep.
cat <<'EOT' | "$FSOP" write "$PODS/chatty.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: chatty}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "l=$(head -c 990 /dev/zero | tr '\\0' x); i=0; while [ $i -lt 30000 ]; do echo \"$i $l\"; i=$((i+1)); done; echo the-end; exec sleep 3600"]
EOT
remember_uid chatty
is "$(timeout 20 cat "$PODS/chatty/wait/Running")" "Running" "the chatty pod runs"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/chatty/pod.yaml")
log=$STATE/logs/$uid/app/0.log
check "it wrote its last line" -- wait_until 60 grep -q 'stdout F the-end$' "$log"
size=$(stat -c %s "$log")
check "the log file stays under the 10 MiB cap ($size bytes for ~29 MiB written)" -- \
	test "$size" -le $((10 * 1024 * 1024))
like "$(tail -1 "$PODS/chatty/logs")" "^the-end$" "pods/chatty/logs ends with the newest line"
check "and does not start with the first lines any more" -- \
	sh -c "! head -1 '$PODS/chatty/logs' | grep -q '^0 x'"
rm -r "$PODS/chatty"
check "the pod goes" -- wait_until 30 test ! -e "$PODS/chatty"
is "$(runtime_leaks)" "" "no process, mount, cgroup, IP reservation or bridge port left"
stop_podfs
