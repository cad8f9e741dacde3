#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Heartbeats: lastHeartbeatTime advances while the agent runs and stops when
# it is killed; an agent started again keeps the uid and restores Ready after
# the lifecycle controller (played here with storectl) marked it Unknown and
# tainted it, removing only that controller's taints.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
start_podfs
key=/registry/minions/hb
hb() { "$STORECTL" "$STORE_URI" get "$key" | grep -m4 lastHeartbeatTime | tail -1; }

start_node hb --runtime fake --heartbeat-interval 300ms
check "node hb registers" -- wait_until 20 test -d "$MNT/nodes/hb"
uid=$(grep -m1 ' uid:' "$MNT/nodes/hb/node.yaml")
t1=$(hb)
check "lastHeartbeatTime advances" -- wait_until 5 sh -c "test \"\$($STORECTL $STORE_URI get $key | grep -m4 lastHeartbeatTime | tail -1)\" != '$t1'"

kill9_node hb
pass "node agent killed with SIGKILL"
t2=$(hb); sleep 2.2
is "$(hb)" "$t2" "heartbeats stop when the agent is gone"

# The node lifecycle controller's part: Ready Unknown and its taints.
"$STORECTL" "$STORE_URI" get "$key" | awk '
	/^spec: \{\}$/ { print "spec:"; print "  taints:"; print "  - effect: NoSchedule"; print "    key: node.kubernetes.io/unreachable";
	           print "  - effect: NoExecute"; print "    key: node.kubernetes.io/unreachable";
	           print "  - effect: NoSchedule"; print "    key: maintenance"; next }
	# status comes just before type in a condition: hold it one line.
	held != "" { if ($0 ~ /type: Ready$/) sub(/"True"/, "Unknown", held); print held; held = "" }
	/^    status: / { held = $0; next }
	{ print }' >"$T/node.yaml"
"$STORECTL" "$STORE_URI" put "$key" <"$T/node.yaml"
check "the controller's view: NotReady" -- wait_until 5 grep -qx NotReady "$MNT/nodes/hb/status"
is "$(cat "$MNT/nodes/hb/taints" | tr '\n' ' ')" "node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute maintenance:NoSchedule " "tainted unreachable"

start_node hb --runtime fake --heartbeat-interval 300ms
check "the restarted agent restores Ready" -- wait_until 10 grep -qx Ready "$MNT/nodes/hb/status"
is "$(grep -m1 ' uid:' "$MNT/nodes/hb/node.yaml")" "$uid" "with the same uid"
is "$(cat "$MNT/nodes/hb/taints")" "maintenance:NoSchedule" "only the controller's taints are removed"
stop_node hb
stop_podfs
