#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scheduling order: the scheduler tries higher spec.priority first (the
# built-in classes system-node-critical and system-cluster-critical resolved
# at admission), then older pods.  Two pods wait with no node; a node with
# room for one joins: the high-priority pod gets it, though it came second.
# An unknown class, or a hand-set priority, is refused as the API server's
# Priority plugin refuses it.
. "$(dirname "$0")/lib.sh"
HB=(--runtime fake --heartbeat-interval 300ms)

# ppod NAME [CLASS]
ppod() {
	printf -- '- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: %s\n  spec:\n' "$1"
	[ -n "${2:-}" ] && printf '    priorityClassName: %s\n' "$2"
	printf '    containers:\n    - name: app\n      image: busybox\n'
	return 0
}

start_podfs_sched

one() { printf 'apiVersion: v1\nkind: List\nitems:\n'; ppod "$@"; }
is "$(one odd high-priority | "$FSOP" write "$PODS/odd.yaml")" "EINVAL" "an unknown PriorityClass is refused"
like "$(cat "$MNT/events")" 'pods "odd" is forbidden: no PriorityClass with name high-priority was found' \
	"with the API server's words"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: self\nspec:\n  priority: 1000000\n  containers:\n  - name: app\n    image: busybox\n' >"$T/self.yaml"
is "$("$FSOP" write "$PODS/self.yaml" <"$T/self.yaml")" "EINVAL" "a hand-set spec.priority is refused"
like "$(cat "$MNT/events")" 'pods "self" is forbidden: the integer value of priority \(1000000\) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name' \
	"with the Priority plugin's words"

# No node yet: both wait.  The low one is first in the file, so first in
# line by age and arrival.
{ printf 'apiVersion: v1\nkind: List\nitems:\n'; ppod low; ppod high system-node-critical; } |
	"$FSOP" write "$PODS/two.yaml" >/dev/null
is "$(grep '^  priority:' "$PODS/high/pod.yaml")" "  priority: 2000001000" "system-node-critical resolves to 2000001000"
is "$(grep '^  priority:' "$PODS/low/pod.yaml")" "  priority: 0" "no class: 0"
waiting() { grep -q FailedScheduling "$PODS/low/events" && grep -q FailedScheduling "$PODS/high/events"; }
check "both wait: no nodes" -- wait_until 10 waiting

start_node solo "${HB[@]}" --capacity cpu=4,memory=8Gi,pods=1
is "$(timeout 20 cat "$PODS/high/wait/Running")" "Running" "a node with room for one joins: the high-priority pod runs"
is "$(cat "$PODS/high/node")" "solo" "on it"
check "the other says why it waits" -- \
	wait_until 10 grep -qxF "0/1 nodes are available: 1 Too many pods." "$PODS/low/why"
is "$(cat "$PODS/low/node")" "" "and has no node"

# Room for the second once the first goes (a pod deleted is a cluster
# event: the waiting pod is tried again).
rmdir "$PODS/high"
is "$(timeout 20 cat "$PODS/low/wait/Running")" "Running" "the first one deleted: the other gets the room"
stop_node solo
stop_podfs
