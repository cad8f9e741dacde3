#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The scheduler binds pods through the real mount: a pod waits with the
# scheduler's reason in why and events while nothing fits, and is placed
# once a fitting node appears; requests, nodeSelector and taints are
# honoured.  Nodes are stored with storectl, as a node agent would.
. "$(dirname "$0")/lib.sh"
URI=sqlite:$STATE/podfs.db
start_podfs_sched

# pod_with NAME EXTRA-SPEC-YAML: a pod manifest with more spec lines.
pod_with() {
	cat <<EOT
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
$2
  containers:
  - name: app
    image: busybox
${3:-}
EOT
}
scheduled() { [ -n "$(cat "$PODS/$1/node")" ]; }

submit p0 >/dev/null
wait_until 5 grep -q FailedScheduling "$PODS/p0/events"
is "$(cat "$PODS/p0/why")" "no nodes available to schedule pods" "no node: why says so"
like "$(cat "$PODS/p0/events")" "Warning FailedScheduling default-scheduler no nodes available to schedule pods" "no node: FailedScheduling event"

add_node "$URI" n1 1 1Gi
is "$(timeout 5 cat "$PODS/p0/wait/Scheduled")" "Scheduled" "a node appears: the pending pod is scheduled"
is "$(cat "$PODS/p0/node")" "n1" "bound to the only node"
like "$(cat "$PODS/p0/events")" "Normal Scheduled default-scheduler Successfully assigned default/p0 to n1" "Scheduled event"
like "$(grep PodScheduled -A0 "$PODS/p0/pod.yaml"; grep -B3 'type: PodScheduled' "$PODS/p0/pod.yaml")" 'status: "True"' "PodScheduled condition True"
is "$(awk '{print $2, $3}' "$PODS/p0/timeline" | tr '\n' ',')" "stored ,scheduled n1," "timeline: stored, then scheduled n1"
is "$(cat "$PODS/p0/why")" "waiting for node n1 to start the pod" "why moves on to the node"

# Too big for n1: the reason, once, and placement when a big node comes.
pod_with big "" "    resources:
      requests:
        memory: 2Gi" | "$FSOP" write "$PODS/big.yaml" >/dev/null
wait_until 5 grep -q FailedScheduling "$PODS/big/events"
is "$(cat "$PODS/big/why")" "0/1 nodes are available: 1 Insufficient memory." "unfit pod: why has the scheduler's message"
like "$(cat "$PODS/big/events")" "Warning FailedScheduling default-scheduler 0/1 nodes are available: 1 Insufficient memory." "unfit pod: FailedScheduling event"
# A heartbeat of n1 (same node, new time) must not make a new event.
sleep 1; add_node "$URI" n1 1 1Gi; sleep 0.5
is "$(grep -c FailedScheduling "$PODS/big/events")" "1" "no event storm: the same message is written once"
add_node "$URI" n2 4 8Gi
is "$(timeout 5 cat "$PODS/big/wait/Scheduled")" "Scheduled" "a fitting node appears: the pod is placed"
is "$(cat "$PODS/big/node")" "n2" "placed on the node that fits"

# nodeSelector.
pod_with sel "  nodeSelector:
    zone: b" | "$FSOP" write "$PODS/sel.yaml" >/dev/null
wait_until 5 grep -q FailedScheduling "$PODS/sel/events"
is "$(cat "$PODS/sel/why")" "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector." "nodeSelector: message"
add_node "$URI" n3 2 2Gi zone=b
is "$(timeout 5 cat "$PODS/sel/wait/Scheduled")" "Scheduled" "nodeSelector: scheduled once a node has the label"
is "$(cat "$PODS/sel/node")" "n3" "nodeSelector: on the labelled node"

# Taints: the only gpu node is tainted; without a toleration nothing fits.
add_node "$URI" g1 4 8Gi gpu=yes dedicated=gpu:NoSchedule
pod_with gpu "  nodeSelector:
    gpu: \"yes\"" | "$FSOP" write "$PODS/gpu.yaml" >/dev/null
wait_until 5 grep -q FailedScheduling "$PODS/gpu/events"
is "$(cat "$PODS/gpu/why")" "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector." "taint: kube's message, reasons sorted"
pod_with gpu2 "  nodeSelector:
    gpu: \"yes\"
  tolerations:
  - key: dedicated
    operator: Equal
    value: gpu
    effect: NoSchedule" | "$FSOP" write "$PODS/gpu2.yaml" >/dev/null
is "$(timeout 5 cat "$PODS/gpu2/wait/Scheduled")" "Scheduled" "toleration: scheduled"
is "$(cat "$PODS/gpu2/node")" "g1" "toleration: on the tainted node"
is "$(cat "$PODS/gpu/node")" "" "the pod without the toleration stays unscheduled"

# Unschedulable nodes and a node that is not Ready.
pod_with nr "  nodeSelector:
    zone: c" | "$FSOP" write "$PODS/nr.yaml" >/dev/null
add_node "$URI" c1 2 2Gi zone=c "" False
# The pod was already unschedulable before c1 came: wait for the new words,
# not for any FailedScheduling.
check "a NotReady node: untolerated not-ready taint" -- wait_until 5 \
	grep -qF "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }" "$PODS/nr/why"
add_node "$URI" c1 2 2Gi zone=c "" True
is "$(timeout 5 cat "$PODS/nr/wait/Scheduled")" "Scheduled" "the node turns Ready: scheduled"
like "$("$(dirname "$FSOP")/storectl" "$URI" get /registry/leases/kube-system/kube-scheduler)" "holderIdentity: \"[^\"]+\"" "the scheduler holds the kube-scheduler lease"
stop_podfs
is "$("$(dirname "$FSOP")/storectl" "$URI" get /registry/leases/kube-system/kube-scheduler | grep holderIdentity)" '  holderIdentity: ""' "a clean stop releases the lease"
