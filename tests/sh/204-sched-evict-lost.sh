#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The pods of a lost node go after the default toleration the API server
# adds (DefaultTolerationSeconds: 300 s, or kube-apiserver's
# --default-unreachable-toleration-seconds, shortened here to 2 s): the
# node lifecycle controller taints the silent node unreachable:NoExecute,
# the taint eviction controller deletes its pods that many seconds later.
# A pod with its own toleration of unreachable and no tolerationSeconds
# stays.
. "$(dirname "$0")/lib.sh"
HB=(--runtime fake --heartbeat-interval 300ms)

# The flags take whole seconds, as kube-apiserver's do.
out=$("$PODFS" "$MNT" --state-dir "$STATE" --default-unreachable-toleration-seconds 2s 2>&1)
is "$?:$out" "2:podfs: --default-unreachable-toleration-seconds 2s: expected whole seconds (0 or more)" \
	"a duration with a unit is refused"

start_podfs_sched --node-monitor-grace-period 1500ms --default-unreachable-toleration-seconds 2
start_node lost "${HB[@]}" --capacity cpu=4,memory=8Gi,pods=110
check "node lost is Ready" -- wait_until 20 grep -qx Ready "$MNT/nodes/lost/status"

submit victim >/dev/null
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: stayer\nspec:\n  containers:\n  - name: app\n    image: busybox\n  tolerations:\n  - key: node.kubernetes.io/unreachable\n    operator: Exists\n    effect: NoExecute\n' |
	"$FSOP" write "$PODS/stayer.yaml" >/dev/null
is "$(timeout 10 cat "$PODS/victim/wait/Running")" "Running" "a pod runs on the node"
is "$(timeout 10 cat "$PODS/stayer/wait/Running")" "Running" "and one that tolerates unreachable forever"
tol=$(grep -A4 'key: node.kubernetes.io/unreachable' "$PODS/victim/pod.yaml")
like "$tol" "tolerationSeconds: 2" "the API server's default toleration of unreachable is 2 s (the flag)"
tol=$(grep -A4 'key: node.kubernetes.io/not-ready' "$PODS/victim/pod.yaml")
like "$tol" "tolerationSeconds: 300" "not-ready keeps 300 s"
is "$(grep -A4 'key: node.kubernetes.io/unreachable' "$PODS/stayer/pod.yaml" | grep -c tolerationSeconds)" "0" \
	"a pod's own toleration is left alone"

kill9_node lost
check "the node turns NotReady" -- wait_until 10 grep -qx NotReady "$MNT/nodes/lost/status"
s=$(date +%s%N)
tainted() { grep -qx "node.kubernetes.io/unreachable:NoExecute" "$MNT/nodes/lost/taints"; }
check "it is tainted unreachable:NoExecute" -- wait_until 5 tainted
check "2 s later its pod is evicted (Terminating: no agent finishes it)" -- \
	wait_until 10 grep -qx Terminating "$PODS/victim/status"
e=$(( ($(date +%s%N) - s) / 1000000 ))
ok_t=$([ $e -ge 1000 ] && [ $e -le 8000 ] && echo yes || echo "no ($e ms)")
is "$ok_t" "yes" "about 2 s after the node went NotReady ($e ms)"
like "$(cat "$PODS/victim/events")" "Normal TaintManagerEviction taint-eviction-controller Marking for deletion Pod default/victim" \
	"event TaintManagerEviction"
is "$(cat "$PODS/stayer/status")" "Unknown" "the pod tolerating unreachable forever stays (Unknown, not Terminating)"
is "$(grep -c 'Pod default/stayer' "$MNT/events")" "0" "no eviction event for it"
stop_podfs
