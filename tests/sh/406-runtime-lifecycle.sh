#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Lifecycle items with Kubernetes semantics, through the real mount: a
# preStop exec hook runs before the stop signal and within the grace period;
# a preStop that hangs is cut at the grace period's end (and holds up no
# other pod meanwhile); activeDeadlineSeconds fails a running pod with
# DeadlineExceeded; termination messages from terminationMessagePath and,
# with FallbackToLogsOnError, from the log's tail (80 lines, 2048 bytes).
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci --allow-host-paths
HOST=$T/host
mkdir -p "$HOST"

# now_ms: wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# msg POD [CONTAINER]: the container's terminated.message from pod.yaml.
msg() { yq -r ".status.containerStatuses[] | select(.name == \"${2:-app}\") | .state.terminated.message // \"\"" "$PODS/$1/pod.yaml"; }

# ---- preStop ---------------------------------------------------------------
# PID 1 writes "term" when the stop signal comes; the hook writes "prestop"
# and the time; both into a host directory the test reads after the pod went.
cat <<EOT | "$FSOP" write "$PODS/hook.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hook}
spec:
  terminationGracePeriodSeconds: 10
  volumes:
  - {name: out, hostPath: {path: $HOST, type: Directory}}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'echo term >> /out/order; exit 0' TERM; while :; do sleep 0.1; done"]
    volumeMounts: [{name: out, mountPath: /out}]
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "sleep 0.5; echo prestop >> /out/order"]
EOT
remember_uid hook
is "$(timeout 20 cat "$PODS/hook/wait/Running")" "Running" "the pod with a preStop hook runs"
t0=$(now_ms)
rmdir "$PODS/hook"
is "$(timeout 20 cat "$PODS/hook/wait/Deleted")" "Deleted" "deleted"
t1=$(now_ms)
is "$(cat "$HOST/order" 2>/dev/null | tr '\n' ' ')" "prestop term " \
	"the preStop hook ran to its end before the stop signal"
check "deletion took less than the grace period ($((t1 - t0)) ms)" -- test $((t1 - t0)) -lt 10000
like "$(cat "$MNT/events")" "Normal +Killing .*Stopping container app" "event Killing"

# A hook that hangs is cut at the end of the grace period: the stop signal
# comes then (kubelet gives the container 2 more seconds before SIGKILL),
# and meanwhile the agent goes on with other pods.
cat <<EOT | "$FSOP" write "$PODS/hang.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hang}
spec:
  terminationGracePeriodSeconds: 3
  volumes:
  - {name: out, hostPath: {path: $HOST, type: Directory}}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'echo term >> /out/hang; exit 0' TERM; while :; do sleep 0.1; done"]
    volumeMounts: [{name: out, mountPath: /out}]
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "echo prestop >> /out/hang; sleep 3600"]
EOT
remember_uid hang
is "$(timeout 20 cat "$PODS/hang/wait/Running")" "Running" "the pod with a hanging preStop hook runs"
t0=$(now_ms)
rmdir "$PODS/hang"
check "the hook started" -- wait_until 5 grep -qx prestop "$HOST/hang"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: other}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: app, image: busybox, command: ["sleep", "3600"]}\n' |
	"$FSOP" write "$PODS/other.yaml" >/dev/null
remember_uid other
is "$(timeout 20 cat "$PODS/other/wait/Running")" "Running" "another pod starts while the hook hangs"
t2=$(now_ms)
check "... without waiting for the hook ($((t2 - t0)) ms after the deletion)" -- test $((t2 - t0)) -lt 2500
is "$(timeout 20 cat "$PODS/hang/wait/Deleted")" "Deleted" "the pod with the hanging hook is deleted"
t1=$(now_ms)
is "$(tr '\n' ' ' <"$HOST/hang")" "prestop term " "the stop signal came after the hook was cut"
check "not before the grace period's end ($((t1 - t0)) ms)" -- test $((t1 - t0)) -ge 3000
check "and not long after it" -- test $((t1 - t0)) -lt 8000
# kubelet records no event for a hook cut at the deadline (only its log).

# ---- activeDeadlineSeconds -------------------------------------------------
cat <<'EOT' | "$FSOP" write "$PODS/late.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  activeDeadlineSeconds: 2
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: busybox, command: ["sleep", "3600"]}
EOT
remember_uid late
is "$(timeout 20 cat "$PODS/late/wait/Running")" "Running" "a pod with a deadline runs"
id=$(cat "$PODS/late/containers/app/id")
is "$(timeout 20 cat "$PODS/late/wait/Failed")" "Failed" "it fails at its deadline"
is "$(cat "$PODS/late/phase")" "Failed" "phase Failed"
is "$(cat "$PODS/late/status")" "DeadlineExceeded" "status DeadlineExceeded"
is "$(yq -r .status.reason "$PODS/late/pod.yaml")" "DeadlineExceeded" "pod.yaml: reason"
is "$(yq -r .status.message "$PODS/late/pod.yaml")" \
	"Pod was active on the node longer than the specified deadline" "pod.yaml: message"
like "$(cat "$PODS/late/events")" "Warning +DeadlineExceeded .*Pod was active on the node longer than the specified deadline" \
	"event DeadlineExceeded"
like "$(cat "$PODS/late/events")" "Normal +Killing .*Stopping container app" "event Killing"
check "the container is stopped" -- wait_until 10 sh -c \
	"[ \"\$(yq -r '.status.containerStatuses[0].state | keys | .[0]' '$PODS/late/pod.yaml')\" = terminated ]"
is "$(cat "$PODS/late/restarts")" "0" "and not restarted"
is "$(cat "$PODS/late/containers/app/id")" "$id" "the same container"
is "$(cat "$PODS/late/ready")" "false" "not ready"
pid=$(cat "$STATE/oci/containers/${id#*://}/pid" 2>/dev/null)
check "its process is gone" -- wait_until 10 sh -c "! kill -0 '$pid' 2>/dev/null"

# ---- termination messages --------------------------------------------------
cat <<'EOT' | "$FSOP" write "$PODS/msgs.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: msgs}
spec:
  restartPolicy: Never
  containers:
  - name: file
    image: busybox
    command: ["sh", "-c", "printf 'bye from file' > /dev/termination-log; exit 3"]
  - name: path
    image: busybox
    terminationMessagePath: /tmp/why
    command: ["sh", "-c", "echo not this; printf 'custom path' > /tmp/why; exit 0"]
  - name: long
    image: busybox
    command: ["sh", "-c", "i=1; while [ $i -le 50 ]; do printf '%04dx%095d' $i 0; i=$((i+1)); done > /dev/termination-log; exit 0"]
  - name: nofile
    image: busybox
    command: ["sh", "-c", "echo log line; exit 1"]
  - name: fallback
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "i=1; while [ $i -le 100 ]; do echo line $i; i=$((i+1)); done; exit 1"]
  - name: wide
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "i=1; while [ $i -le 30 ]; do printf '%03d%097d\\n' $i 0; i=$((i+1)); done; exit 2"]
  - name: fine
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo all fine; exit 0"]
  - name: both
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo from log; printf 'from file' > /dev/termination-log; exit 1"]
EOT
remember_uid msgs
is "$(timeout 30 cat "$PODS/msgs/wait/Failed")" "Failed" "the pod of messages ends Failed"
is "$(msg msgs file)" "bye from file" "File: the message the container wrote"
is "$(msg msgs path)" "custom path" "terminationMessagePath elsewhere"
want=$(for i in $(seq 1 50); do printf '%04dx%095d' "$i" 0; done | tail -c 4096)
is "$(msg msgs long)" "$want" "File: at most the file's last 4096 bytes"
is "$(msg msgs nofile)" "" "File and no file: no message, even on failure"
want=$(seq 21 100 | sed 's/^/line /')
is "$(msg msgs fallback)" "$want" "FallbackToLogsOnError: the log's last 80 lines"
want=$(for i in $(seq 1 30); do printf '%03d%097d\n' "$i" 0; done | tail -c 2048)
got=$(msg msgs wide)
is "${#got}" "$((${#want} ))" "... at most 2048 bytes ($(echo "$got" | head -c 20)...)"
is "$got" "$want" "... the last 2048 bytes"
is "$(msg msgs fine)" "" "FallbackToLogsOnError: no message after a success"
is "$(msg msgs both)" "from file" "FallbackToLogsOnError: the file wins when written"

for p in other late msgs; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 30 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
