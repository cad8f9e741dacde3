#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# CNI failures reach the pod: with a pod CIDR of one usable address the
# second pod's ADD fails in host-local, which the pod shows as a
# FailedCreatePodSandBox event carrying the plugin's message, and the
# failed attempt leaves no veth or reservation, nor the container created
# while the ADD ran.  --network none: pods run
# with loopback only and no IP.
. "$(dirname "$0")/lib.sh"
import_images busybox
net=${POD_CIDR%.0/24}
POD_CIDR=$net.0/30
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."
pod() {
	sleeper_yaml "$1" '["sleep", "3600"]' | "$FSOP" write "$PODS/$1.yaml" >/dev/null
	remember_uid "$1"
}
pod first
is "$(timeout 20 cat "$PODS/first/wait/Running")" "Running" "the first pod takes the one address"
is "$(cat "$PODS/first/ip")" "$net.2" "its IP is $net.2"
pod second
check "the second pod gets FailedCreatePodSandBox" -- wait_until 20 grep -q FailedCreatePodSandBox "$PODS/second/events"
like "$(cat "$PODS/second/events")" "FailedCreatePodSandBox .*CNI ADD of the bridge plugin failed.*no IP addresses available" "with the CNI message in one sentence"
is "$(cat "$PODS/second/status")" "ContainerCreating" "it stays ContainerCreating"
is "$(ip -o link show master "$BRIDGE" | wc -l)" "1" "the failed attempt left no bridge port"
is "$(ls "$STATE/cni/ipam/podfs" | grep -c '^10\.')" "1" "nor an IP reservation"
# The container is created while the ADD runs: when the ADD fails, it
# goes with the sandbox, and no Created event ever told of it.
check "the container made beside the failed ADD is gone" -- wait_until 10 sh -c "[ \$(ls '$STATE/oci/containers' | wc -l) = 1 ]"
is "$(scenario_conmons | wc -l)" "1" "one monitor: the first pod's"
check "the second pod has no Created event" -- sh -c "! grep -q 'Created container' '$PODS/second/events'"
is "$(cfield second app id)" "" "nor a container ID"
rmdir "$PODS/first" "$PODS/second"
check "both pods deleted" -- wait_until 20 sh -c "! ls '$PODS' | grep -q ."
is "$(runtime_leaks)" "" "nothing is left"
stop_podfs

start_podfs_oci --network none
check "the node registers again" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."
pod lonely
is "$(timeout 20 cat "$PODS/lonely/wait/Running")" "Running" "--network none: the pod runs"
is "$(cat "$PODS/lonely/ip" 2>/dev/null)" "" "with no IP"
pid=$(cat "$STATE/oci/containers/$(cfield lonely app id)/pid")
is "$(nsenter -t "$pid" -n ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo " "and loopback only"
rmdir "$PODS/lonely"
check "deleted" -- wait_until 20 sh -c "! ls '$PODS' | grep -q ."
is "$(runtime_leaks)" "" "nothing is left"
stop_podfs
