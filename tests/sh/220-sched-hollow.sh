#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The scheduler with real node agents: three `podfs node --runtime fake`
# processes of different sizes, labels and taints.  Placement honours
# requests, nodeSelector and taints; a pod that fits nowhere says why (in
# `why` and `events`, kube-scheduler's words) and is placed as soon as a
# node that fits joins; hollow pods go Running and their timeline shows
# each step; a node killed with SIGKILL turns NotReady and its pods Unknown
# within the grace period; a second podfs on the same store binds nothing
# twice.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
HB=(--runtime fake --heartbeat-interval 300ms)

# hpod NAME CPU MEMORY [SELECTOR k=v] [TOLERATION k=v:Effect]: a pod with
# requests, in the shape kubectl writes.
hpod() {
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n' "$1"
	printf '  containers:\n  - name: app\n    image: busybox\n'
	printf '    resources:\n      requests:\n        cpu: "%s"\n        memory: %s\n' "$2" "$3"
	[ -n "${4:-}" ] && printf '  nodeSelector:\n    %s: "%s"\n' "${4%%=*}" "${4#*=}"
	if [ -n "${5:-}" ]; then
		local kv=${5%%:*}
		printf '  tolerations:\n  - key: %s\n    operator: Equal\n    value: %s\n    effect: %s\n' \
			"${kv%%=*}" "${kv#*=}" "${5#*:}"
	fi
}
hsubmit() { hpod "$@" | "$FSOP" write "$PODS/$1.yaml"; }

start_podfs_sched --node-monitor-grace-period 1500ms
start_node small "${HB[@]}" --capacity cpu=1,memory=1Gi,pods=10 --node-labels disk=hdd
start_node big "${HB[@]}" --capacity cpu=8,memory=16Gi,pods=110 --node-labels disk=ssd,zone=a
start_node gpu "${HB[@]}" --capacity cpu=4,memory=8Gi,pods=110 --node-labels disk=ssd,accel=gpu \
	--node-taints dedicated=gpu:NoSchedule
three_ready() { for n in small big gpu; do grep -qx Ready "$MNT/nodes/$n/status" || return 1; done; }
check "three hollow nodes register and are Ready" -- wait_until 20 three_ready
is "$(cat "$MNT/nodes/gpu/taints")" "dedicated=gpu:NoSchedule" "node gpu carries its taint"

# Requests: 4Gi fits only big (gpu has the room but a taint the pod does not
# tolerate).  Selector: disk=hdd is small.  Taint: the pod that tolerates it
# and selects accel=gpu goes to gpu.
is "$(hsubmit mem4g 100m 4Gi)" "OK" "submit a pod requesting 4Gi"
is "$(hsubmit hdd 100m 64Mi disk=hdd)" "OK" "submit a pod selecting disk=hdd"
is "$(hsubmit cuda 500m 1Gi accel=gpu dedicated=gpu:NoSchedule)" "OK" "submit a pod tolerating the gpu taint"
is "$(timeout 10 cat "$PODS/mem4g/wait/Running")" "Running" "the 4Gi pod runs"
is "$(cat "$PODS/mem4g/node")" "big" "requests: the 4Gi pod is on big"
is "$(timeout 10 cat "$PODS/hdd/wait/Running")" "Running" "the hdd pod runs"
is "$(cat "$PODS/hdd/node")" "small" "nodeSelector: the hdd pod is on small"
is "$(timeout 10 cat "$PODS/cuda/wait/Running")" "Running" "the tolerating pod runs"
is "$(cat "$PODS/cuda/node")" "gpu" "taints: the tolerating pod is on gpu"
is "$(cat "$MNT/nodes/big/pods")" "mem4g" "nodes/big/pods lists it"
is "$(cat "$MNT/nodes/small/pods")" "hdd" "nodes/small/pods lists it"
is "$(cat "$MNT/nodes/gpu/pods")" "cuda" "nodes/gpu/pods lists it"
like "$(cat "$PODS/mem4g/events")" "Normal Scheduled default-scheduler Successfully assigned default/mem4g to big" \
	"a Scheduled event"

# The timeline: stored at 0, then scheduled on the node, then Running, each
# a millisecond offset from creation, in order.
tl=$(cat "$PODS/mem4g/timeline")
like "$(echo "$tl" | head -1)" "^0 stored$" "timeline starts with 0 stored"
check "timeline has scheduled big with its offset" -- grep -qxE '[0-9]+ scheduled big' <<<"$tl"
check "timeline has running with its offset" -- grep -qxE '[0-9]+ Running' <<<"$tl"
ordered() {
	local s r
	s=$(echo "$tl" | awk '$2 == "scheduled" {print $1; exit}')
	r=$(echo "$tl" | awk '$2 == "Running" {print $1; exit}')
	[ -n "$s" ] && [ -n "$r" ] && [ "$s" -le "$r" ] && echo "$tl" | awk '{ if ($1 < last) exit 1; last = $1 }'
}
check "timeline offsets never go back" -- ordered

# A pod without the toleration, selecting the gpu node, fits nowhere: why
# and events say so in kube-scheduler's words.
is "$(hsubmit notol 100m 64Mi accel=gpu)" "OK" "submit a pod selecting gpu without the toleration"
want="0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector."
check "its why says why" -- wait_until 10 grep -qxF "$want" "$PODS/notol/why"
like "$(cat "$PODS/notol/events")" "Warning FailedScheduling default-scheduler 0/3 nodes are available: 1 node\(s\) had untolerated taint" \
	"a FailedScheduling event"
is "$(cat "$PODS/notol/status")" "Pending" "it stays Pending"
is "$(cat "$PODS/notol/node")" "" "with no node"

# Too big for every node, then a node that fits joins.
is "$(hsubmit huge 16 64Mi)" "OK" "submit a pod requesting 16 cpus"
want="0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu."
check "why: 2 Insufficient cpu (and the taint)" -- wait_until 10 grep -qxF "$want" "$PODS/huge/why"
check "FailedScheduling event with the same words" -- \
	grep -qF "Warning FailedScheduling default-scheduler $want" "$PODS/huge/events"
s=$(date +%s%N)
start_node large "${HB[@]}" --capacity cpu=32,memory=64Gi,pods=110
is "$(timeout 20 cat "$PODS/huge/wait/Running")" "Running" "a node that fits joins: the pod is placed and runs"
e=$(( ($(date +%s%N) - s) / 1000000 ))
is "$(cat "$PODS/huge/node")" "large" "on the new node (${e} ms after it started)"
is "$(cat "$PODS/huge/why")" "" "why is empty once it runs"
is "$(cat "$PODS/notol/node")" "" "the untolerated pod still waits"

# SIGKILL a node agent: NotReady and its pods Unknown within the grace
# period (1.5 s here, heartbeats every 0.3 s).
kill9_node small
s=$(date +%s%N)
pass "node small killed with SIGKILL"
check "small turns NotReady" -- wait_until 10 grep -qx NotReady "$MNT/nodes/small/status"
e=$(( ($(date +%s%N) - s) / 1000000 ))
ok_t=$([ $e -ge 800 ] && [ $e -le 5000 ] && echo yes || echo "no ($e ms)")
is "$ok_t" "yes" "not before the grace period, nor long after ($e ms)"
check "its pod reads Unknown" -- wait_until 5 grep -qx Unknown "$PODS/hdd/status"
is "$(cat "$PODS/hdd/why")" "Node small which was running pod hdd is unresponsive" "why names the lost node"
is "$(cat "$PODS/mem4g/status")" "Running" "pods on the other nodes stay Running"
is "$(cat "$MNT/nodes/small/taints" | tr '\n' ' ')" \
	"node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute " \
	"small is tainted unreachable"
is "$(hsubmit hdd2 100m 64Mi disk=hdd)" "OK" "submit another hdd pod"
like_why() { grep -q "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }" "$PODS/hdd2/why"; }
check "it does not go to the lost node" -- wait_until 10 like_why

# A second podfs with its scheduler on the same store: one lease holder,
# every pod bound once.
MNT2=$T/mnt2; mkdir -p "$MNT2"
"$PODFS" "$MNT2" --state-dir "$STATE" -f --no-node --leader-elect-retry-period 200ms \
	--leader-elect-lease-duration 2s >>"$T/podfs2.log" 2>&1 &
PID2=$!
_cleanups+=("fusermount3 -u '$MNT2' 2>/dev/null; kill $PID2 2>/dev/null; wait $PID2 2>/dev/null")
check "a second podfs mounts the same store" -- wait_until 20 grep -q " $MNT2 fuse" /proc/mounts
for i in $(seq 30); do
	hpod "a$i" 10m 16Mi >"$PODS/a$i.yaml"
	hpod "b$i" 10m 16Mi >"$MNT2/pods/b$i.yaml"
done
all_running() {
	local n=0
	for p in "$PODS"/[ab]*/status; do grep -qx Running "$p" && n=$((n + 1)); done
	[ "$n" -eq 60 ]
}
check "60 pods from both mounts Running" -- wait_until 30 all_running
n=$(cat "$PODS"/[ab]*/events | grep -c ' Scheduled default-scheduler')
is "$n" "60" "one Scheduled event per pod"
n=$(cat "$PODS"/[ab]*/timeline | grep -c ' scheduled ')
is "$n" "60" "one scheduled line per pod"
is "$(cat "$PODS"/[ab]*/node | grep -c -e '^small$' -e '^gpu$')" "0" "none on the lost node or the tainted one"
is "$(sort -u "$MNT2"/pods/a1/node)" "$(cat "$PODS/a1/node")" "both mounts show the same node"
fusermount3 -u "$MNT2"; rc=0; wait $PID2 || rc=$?
is "$rc" "0" "the second podfs stops cleanly"

stop_node gpu
stop_node big
stop_node large
stop_podfs
