#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Exits under each restartPolicy give Kubernetes' outcome: restart counts,
# CrashLoopBackOff with the doubling back-off (shortened here with
# --crash-backoff-base), lastState, phases Running/Succeeded/Failed, the
# termination message, and a missing image as ErrImagePull then
# ImagePullBackOff with `image "x" not found`.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

# pod NAME POLICY SCRIPT [IMAGE]
pod() {
	cat <<EOT | "$FSOP" write "$PODS/$1.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: $2
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${4:-busybox}
    command: ["sh", "-c", "$3"]
EOT
	remember_uid "$1"
}
pod fail-always Always 'echo run; exit 1'
pod ok-always Always 'exit 0'
pod fail-onfailure OnFailure 'exit 1'
pod ok-onfailure OnFailure 'exit 0'
pod fail-never Never 'echo bye > /dev/termination-log; exit 3'
pod missing Never 'true' nginx:9

check "Always + exit 1: CrashLoopBackOff" -- wait_until 20 grep -qx CrashLoopBackOff "$PODS/fail-always/status"
check "Always + exit 1: restarts climb past 2" -- wait_until 20 sh -c "test \$(cat '$PODS/fail-always/restarts') -ge 2"
y=$(cat "$PODS/fail-always/pod.yaml")
like "$y" "phase: Running" "Always: the pod's phase stays Running"
like "$(printf '%s' "$y" | grep -A6 lastState)" "exitCode: 1" "lastState: terminated with exit code 1"
like "$(cat "$PODS/fail-always/events")" "Warning BackOff kubelet,[^ ]+ Back-off restarting failed container app in pod fail-always_default\(" "a BackOff event in kubelet's words"
wait_until 10 grep -q 'Back-off' "$PODS/fail-always/why"
like "$(cat "$PODS/fail-always/why")" "back-off [0-9.]+m?s restarting failed container=app pod=fail-always_default" "why says back-off"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/fail-always/pod.yaml")
check "one log per attempt: 0.log and 1.log" -- test -s "$STATE/logs/$uid/app/0.log" -a -s "$STATE/logs/$uid/app/1.log"

check "Always + exit 0: restarted too" -- wait_until 20 sh -c "test \$(cat '$PODS/ok-always/restarts') -ge 1"
check "OnFailure + exit 1: restarted" -- wait_until 20 sh -c "test \$(cat '$PODS/fail-onfailure/restarts') -ge 1"
like "$(cat "$PODS/fail-onfailure/pod.yaml")" "phase: Running" "OnFailure + exit 1: phase Running"

is "$(timeout 20 cat "$PODS/ok-onfailure/wait/Succeeded")" "Succeeded" "OnFailure + exit 0: Succeeded"
is "$(cat "$PODS/ok-onfailure/status")" "Completed" "status Completed"
is "$(cat "$PODS/ok-onfailure/restarts")" "0" "no restart"

is "$(timeout 20 cat "$PODS/fail-never/wait/Failed")" "Failed" "Never + exit 3: Failed"
is "$(cat "$PODS/fail-never/status")" "Error" "status Error"
is "$(cfield fail-never app exit_code)" "3" "exit_code 3"
is "$(cfield fail-never app reason)" "Error" "reason Error"
is "$(cat "$PODS/fail-never/restarts")" "0" "no restart"
like "$(cat "$PODS/fail-never/pod.yaml")" "message: \"?bye" "the termination message from /dev/termination-log"

check "a missing image: ErrImagePull" -- wait_until 10 grep -Eqx 'ErrImagePull|ImagePullBackOff' "$PODS/missing/status"
check "then ImagePullBackOff" -- wait_until 10 grep -qx ImagePullBackOff "$PODS/missing/status"
like "$(cat "$PODS/missing/why")" 'image "nginx:9" not found' "why: image \"nginx:9\" not found"
like "$(cat "$PODS/missing/events")" 'Warning Failed kubelet,[^ ]+ Failed to pull image "nginx:9"' "a Failed event"

for p in fail-always ok-always fail-onfailure ok-onfailure fail-never missing; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
