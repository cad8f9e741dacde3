#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pods bound to a hollow node (--runtime fake) go Running and show under
# nodes/<n>/pods; rm -r of such a pod finishes and the directory goes.  The
# binding is written with storectl, as the scheduler will.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
start_podfs
start_node h1 --runtime fake
check "node h1 registers" -- wait_until 20 test -d "$MNT/nodes/h1"

bind() {
	local key=/registry/pods/default/$1
	"$STORECTL" "$STORE_URI" get "$key" | sed "s/^spec:\$/spec:\n  nodeName: $2/" |
		"$STORECTL" "$STORE_URI" put "$key"
}

for i in 1 2 3; do submit "web-$i" nginx >/dev/null; done
is "$(cat "$PODS/web-1/status")" "Pending" "an unbound pod stays Pending"
for i in 1 2 3; do bind "web-$i" h1; done
is "$(timeout 10 cat "$PODS/web-1/wait/Running")" "Running" "a bound pod goes Running"
check "all three Running" -- wait_until 10 sh -c "grep -qx Running '$PODS/web-2/status' && grep -qx Running '$PODS/web-3/status'"
is "$(cat "$PODS/web-1/ready")" "true" "ready"
is "$(cat "$PODS/web-1/why")" "" "why is empty when Running and Ready"
is "$(cat "$PODS/web-1/node")" "h1" "node"
is "$(cat "$PODS/web-1/ip")" "" "no pod IP: a hollow pod has no network"
like "$(cat "$PODS/web-1/containers/app/id")" "^[0-9a-f]{64}$" "a fake container ID"
is "$(cat "$PODS/web-1/containers/app/state")" "running" "container state running"
is "$(cat "$PODS/web-1/containers/app/restarts")" "0" "no restarts"
y=$(cat "$PODS/web-1/pod.yaml")
like "$y" "containerID: fake://" "containerID fake://<id>"
like "$y" "phase: Running" "phase Running"
like "$y" "hostIP: " "hostIP set"
like "$y" "type: PodReadyToStartContainers" "PodReadyToStartContainers condition"
like "$y" "startTime: " "startTime"
like "$(cat "$PODS/web-1/timeline")" "Running" "the timeline has the Running step"
like "$(cat "$PODS/web-1/events")" "Normal Started kubelet,h1 Started container app \(hollow node" \
	"a Started event from kubelet that says the node is hollow"
is "$(cat "$MNT/nodes/h1/pods" | tr '\n' ' ')" "web-1 web-2 web-3 " "nodes/h1/pods lists them"

# Restarting the agent restarts nothing: the container IDs stay.
id=$(cat "$PODS/web-2/containers/app/id")
stop_node h1
start_node h1 --runtime fake
sleep 1
is "$(cat "$PODS/web-2/containers/app/id")" "$id" "an agent restart keeps the running containers"
is "$(cat "$PODS/web-2/restarts")" "0" "and counts no restart"

rm -r "$PODS/web-1"; rc=$?
is "$rc" "0" "rm -r of a pod on a node exits 0"
check "the directory disappears" -- wait_until 10 test ! -e "$PODS/web-1"
like "$(cat "$MNT/events")" "Killing kubelet,h1 Stopping container app" "a Killing event"
rmdir "$PODS/web-2" "$PODS/web-3"
check "rmdir works as well" -- wait_until 10 sh -c "test ! -e '$PODS/web-2' && test ! -e '$PODS/web-3'"
is "$(cat "$MNT/nodes/h1/pods")" "" "the node holds no pods"

# A pod bound to a node whose runtime cannot run says why.
start_node noruntime --runtime oci --oci-runtime /nonexistent/crun --network none
check "a node without a runtime registers" -- wait_until 20 test -d "$MNT/nodes/noruntime"
is "$(cat "$MNT/nodes/noruntime/status")" "NotReady" "and is NotReady"
like "$(cat "$MNT/nodes/noruntime/node.yaml")" "container runtime is down: --oci-runtime /nonexistent/crun: not found" "node.yaml says why"
submit stuck >/dev/null
bind stuck noruntime
check "its pod shows why it cannot start" -- wait_until 10 grep -q "Failed to create pod sandbox: --oci-runtime /nonexistent/crun" "$PODS/stuck/why"
is "$(cat "$PODS/stuck/status")" "ContainerCreating" "status ContainerCreating, as kubelet shows a sandbox failure"
rmdir "$PODS/stuck"
check "and it can be deleted" -- wait_until 10 test ! -e "$PODS/stuck"
stop_node noruntime
stop_node h1
stop_podfs
