#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Resources become cgroup limits (memory, cpu quota and shares, the pod's
# pids limit) and a container over its memory limit is OOMKilled.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

hog_yaml hog | "$FSOP" write "$PODS/hog.yaml" >/dev/null
cat <<EOT | "$FSOP" write "$PODS/limited.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: 250m, memory: 16Mi}
      limits: {cpu: 500m, memory: 64Mi}
EOT
remember_uid hog; remember_uid limited
is "$(timeout 30 cat "$PODS/hog/wait/Failed")" "Failed" "a memory hog over its limit: Failed"
is "$(cfield hog app reason)" "OOMKilled" "reason OOMKilled"
is "$(cat "$PODS/hog/status")" "OOMKilled" "status OOMKilled"
is "$(cfield hog app exit_code)" "137" "exit code 137"

is "$(timeout 20 cat "$PODS/limited/wait/Running")" "Running" "a limited pod Running"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/limited/pod.yaml")
id=$(cfield limited app id)
pid=$(cat "$STATE/oci/containers/$id/pid")
cg() { awk -F: -v c="$1" '$2 ~ "(^|,)" c "(,|$)" {print $3}' /proc/$pid/cgroup; }
like "$(cg memory)" "^/podfs/$uid/$id\$" "the container's cgroup is /podfs/<pod-uid>/<container-id>"
is "$(cat /sys/fs/cgroup/memory$(cg memory)/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup$(cg '')/memory.max)" "67108864" "memory limit 64Mi"
is "$(cat /sys/fs/cgroup/cpu$(cg cpu)/cpu.cfs_quota_us 2>/dev/null)" "50000" "cpu quota 500m = 50000/100000"
is "$(cat /sys/fs/cgroup/cpu$(cg cpu)/cpu.shares 2>/dev/null)" "256" "cpu shares from the 250m request"
is "$(cat /sys/fs/cgroup/pids/podfs/$uid/pids.max 2>/dev/null)" "4096" "the pod's pids limit"

rmdir "$PODS/hog" "$PODS/limited"
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
