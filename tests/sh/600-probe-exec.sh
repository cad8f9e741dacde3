#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# exec probes: readiness follows a file both ways without a restart (ready,
# the pod's Ready condition, the timeline's ready step); a failing liveness
# probe kills the container, which restarts with an Unhealthy and a Killing
# event.  The test steers the probes through an emptyDir it writes from the
# host.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

cat <<EOT | "$FSOP" write "$PODS/rd.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: rd}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: ctl, emptyDir: {}}]
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: ctl, mountPath: /ctl}]
    readinessProbe:
      exec: {command: ["test", "-f", "/ctl/ready"]}
      periodSeconds: 1
      failureThreshold: 1
EOT
remember_uid rd
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/rd/pod.yaml")
check "rd: Running" -- wait_until 20 grep -qx Running "$PODS/rd/phase"
# The failed probe's event proves the probe ran before "not ready" counts.
check "rd: the probe ran and failed" -- wait_until 20 grep -q "Readiness probe failed: " "$PODS/rd/events"
is "$(cat "$PODS/rd/ready")" "false" "rd: not ready without the file"
like "$(cat "$PODS/rd/pod.yaml")" "containers with unready status: \[app\]" "rd: Ready False, app unready"
ctl=$(ls -d "$STATE"/pods/"$uid"/volumes/ctl 2>/dev/null || find "$STATE" -type d -name ctl -path "*$uid*" | head -1)
check "rd: the emptyDir is on the host" -- test -d "$ctl"
touch "$ctl/ready"
check "rd: ready once the file is there" -- wait_until 10 grep -qx true "$PODS/rd/ready"
is "$(stat -c %s "$PODS/rd/why")" "0" "rd: why of a Running and Ready pod is empty (0 bytes)"
like "$(cat "$PODS/rd/timeline")" "[0-9]+ ready" "rd: the timeline has the ready step"
rm "$ctl/ready"
check "rd: not ready again once it is gone" -- wait_until 10 grep -qx false "$PODS/rd/ready"
like "$(cat "$PODS/rd/events")" "Warning Unhealthy kubelet,[^ ]+ Readiness probe failed: " "rd: an Unhealthy event"
touch "$ctl/ready"
check "rd: and ready again" -- wait_until 10 grep -qx true "$PODS/rd/ready"
is "$(cat "$PODS/rd/restarts")" "0" "rd: readiness never restarts"

cat <<EOT | "$FSOP" write "$PODS/lv.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: lv}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "touch /tmp/alive; sleep 3; rm /tmp/alive; sleep 3600"]
    livenessProbe:
      exec: {command: ["test", "-f", "/tmp/alive"]}
      periodSeconds: 1
      failureThreshold: 2
EOT
remember_uid lv
check "lv: Running" -- wait_until 20 grep -qx Running "$PODS/lv/phase"
check "lv: restarted after the liveness probe failed" -- wait_until 30 sh -c "test \$(cat '$PODS/lv/restarts') -ge 1"
ev=$(cat "$PODS/lv/events")
like "$ev" "Warning Unhealthy kubelet,[^ ]+ Liveness probe failed: " "lv: an Unhealthy event"
like "$ev" "Normal Killing kubelet,[^ ]+ Container app failed liveness probe, will be restarted" "lv: a Killing event"
is "$(cat "$PODS/lv/ready")" "true" "lv: ready again after the restart (no readiness probe)"

# A startupProbe holds readiness back until it succeeds.
cat <<EOT | "$FSOP" write "$PODS/st.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: st}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: ctl, emptyDir: {}}]
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: ctl, mountPath: /ctl}]
    startupProbe:
      exec: {command: ["test", "-f", "/ctl/started"]}
      periodSeconds: 1
      failureThreshold: 60
    readinessProbe:
      exec: {command: ["true"]}
      periodSeconds: 1
EOT
remember_uid st
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/st/pod.yaml")
check "st: Running" -- wait_until 20 grep -qx Running "$PODS/st/phase"
sleep 3
is "$(cat "$PODS/st/ready")" "false" "st: not ready before the startup probe passed"
like "$(cat "$PODS/st/pod.yaml")" "started: false" "st: started false"
touch "$STATE/pods/$uid/volumes/ctl/started"
check "st: ready once it passed" -- wait_until 10 grep -qx true "$PODS/st/ready"
like "$(cat "$PODS/st/pod.yaml")" "started: true" "st: started true"

for p in rd lv st; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
