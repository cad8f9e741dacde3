#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The node lifecycle controller: a node whose heartbeat stops becomes
# NotReady (Ready Unknown), gets the unreachable taints, and its pods read
# Unknown within the grace period; when the heartbeat returns the taints go.
. "$(dirname "$0")/lib.sh"
URI=sqlite:$STATE/podfs.db
STORECTL=$(dirname "$FSOP")/storectl
start_podfs_sched --node-monitor-grace-period 1500ms
add_node "$URI" n1 4 8Gi
submit lost >/dev/null
is "$(timeout 5 cat "$PODS/lost/wait/Scheduled")" "Scheduled" "pod bound to n1"
# The node agent would now run it: play it through the store.
key=/registry/pods/default/lost
"$STORECTL" "$URI" get $key | sed 's/phase: Pending/phase: Running/' | "$STORECTL" "$URI" put $key
wait_until 5 grep -qx Running "$PODS/lost/status"
is "$(cat "$MNT/nodes/n1/status")" "Ready" "node Ready while it posts status"

# No heartbeat from now on.
s=$(date +%s%N)
check "node turns NotReady within the grace period" -- wait_until 6 grep -qx NotReady "$MNT/nodes/n1/status"
e=$(( ($(date +%s%N) - s) / 1000000 ))
ok_t=$([ $e -ge 1000 ] && [ $e -le 4500 ] && echo yes || echo "no ($e ms)")
is "$ok_t" "yes" "not before the grace period, nor long after ($e ms)"
node_yaml=$("$STORECTL" "$URI" get /registry/minions/n1)
like "$node_yaml" "message: Kubelet stopped posting node status." "Ready condition says why"
like "$node_yaml" "reason: NodeStatusUnknown" "reason NodeStatusUnknown"
like "$(echo "$node_yaml" | grep -A2 'effect: NoSchedule')" "node.kubernetes.io/unreachable" "unreachable:NoSchedule taint"
like "$(echo "$node_yaml" | grep -A2 'effect: NoExecute')" "node.kubernetes.io/unreachable" "unreachable:NoExecute taint"
check "the pod's status reads Unknown" -- wait_until 5 grep -qx Unknown "$PODS/lost/status"
is "$(cat "$PODS/lost/why")" "Node n1 which was running pod lost is unresponsive" "why names the lost node"
like "$(cat "$PODS/lost/events")" "Warning NodeNotReady node-controller Node is not ready" "pod event NodeNotReady"
like "$(cat "$MNT/events")" "Normal NodeNotReady node-controller Node n1 status is now: NodeNotReady" "node event NodeNotReady"
is "$(cat "$PODS/lost/ready")" "false" "the pod is not ready"

# A new pod does not go to the unreachable node.
submit fresh >/dev/null
wait_until 5 grep -q FailedScheduling "$PODS/fresh/events"
is "$(cat "$PODS/fresh/why")" "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }." "new pods avoid the lost node"

# Heartbeats return (the agent writes Ready True with a new time): taints go,
# and the waiting pod is placed.
"$STORECTL" "$URI" get /registry/minions/n1 >/dev/null
add_node "$URI" n1 4 8Gi
is "$(timeout 5 cat "$PODS/fresh/wait/Scheduled")" "Scheduled" "the node is back: the waiting pod is scheduled"
nores() { ! "$STORECTL" "$URI" get /registry/minions/n1 | grep -q unreachable; }
check "the unreachable taints are removed" -- wait_until 5 nores
is "$(cat "$MNT/nodes/n1/status")" "Ready" "node Ready again"
stop_podfs
