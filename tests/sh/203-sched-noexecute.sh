#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Taint-based eviction, as kube-controller-manager's taint eviction
# controller does it: a pod on a node with a NoExecute taint it does not
# tolerate is deleted gracefully (Terminating, condition DisruptionTarget,
# event TaintManagerEviction); tolerationSeconds delays that; a toleration
# without seconds keeps the pod; removing the taint first cancels the
# eviction.  A node stored by hand (no agent, so a deleted pod stays
# Terminating for the test to read) and a hollow node (which completes the
# deletion, so the pod goes).
. "$(dirname "$0")/lib.sh"
URI=sqlite:$STATE/podfs.db
HB=(--runtime fake --heartbeat-interval 300ms)

# tpod NAME [NODE] [KEY=VALUE:EFFECT[/SECONDS]]: a pod, placed by hand on
# NODE when given, with one Equal toleration.
tpod() {
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n' "$1"
	[ -n "${2:-}" ] && printf '  nodeName: %s\n' "$2"
	printf '  containers:\n  - name: app\n    image: busybox\n'
	if [ -n "${3:-}" ]; then
		local t=${3%%/*} kv=${3%%:*}
		printf '  tolerations:\n  - key: %s\n    operator: Equal\n    value: %s\n    effect: %s\n' \
			"${kv%%=*}" "${kv#*=}" "${t#*:}"
		[ "$3" != "$t" ] && printf '    tolerationSeconds: %s\n' "${3#*/}"
	fi
	return 0
}
tsubmit() { tpod "$@" | "$FSOP" write "$PODS/$1.yaml"; }
gone() { ! test -e "$PODS/$1"; }

start_podfs_sched

# A node stored by hand with a NoExecute taint; nobody runs its pods.
add_node "$URI" stuck 4 8Gi "" "gone=now:NoExecute"
is "$(tsubmit doomed stuck)" "OK" "a pod placed by hand on the tainted node"
check "it is evicted: Terminating" -- wait_until 10 grep -qx Terminating "$PODS/doomed/status"
y=$(cat "$PODS/doomed/pod.yaml")
like "$y" "deletionTimestamp: " "deleted gracefully (deletionTimestamp)"
like "$(echo "$y" | grep -B5 'type: DisruptionTarget')" "reason: DeletionByTaintManager" \
	"condition DisruptionTarget, reason DeletionByTaintManager"
like "$(echo "$y" | grep -B5 'type: DisruptionTarget')" "message: 'Taint manager: deleting due to NoExecute taint'|message: \"?Taint manager: deleting due to NoExecute taint" \
	"... with the taint manager's message"
like "$(cat "$PODS/doomed/events")" "Normal TaintManagerEviction taint-eviction-controller Marking for deletion Pod default/doomed" \
	"event TaintManagerEviction"

# Tolerated for an hour; the NoExecute taint goes first (a NoSchedule one
# keeps the pods that follow away): the eviction is cancelled.
is "$(tsubmit patient stuck gone=now:NoExecute/3600)" "OK" "a pod tolerating the taint for an hour"
add_node "$URI" stuck 4 8Gi "" "gone=now:NoSchedule"
cancelled() { grep -q "Normal TaintManagerEviction taint-eviction-controller Cancelling deletion of Pod default/patient" "$PODS/patient/events"; }
check "the taint is removed: its eviction is cancelled" -- wait_until 10 cancelled
is "$(cat "$PODS/patient/status")" "Pending" "the pod stays (not Terminating)"

# A hollow node with a NoExecute taint from --node-taints.
start_node db "${HB[@]}" --capacity cpu=4,memory=8Gi,pods=110 --node-taints dedicated=db:NoExecute
check "hollow node db is Ready" -- wait_until 20 grep -qx Ready "$MNT/nodes/db/status"
is "$(cat "$MNT/nodes/db/taints")" "dedicated=db:NoExecute" "db carries the NoExecute taint"

is "$(tsubmit intruder db)" "OK" "a pod placed by hand on db, no toleration"
check "it is evicted and deleted" -- wait_until 10 gone intruder
like "$(cat "$MNT/events")" "Normal TaintManagerEviction taint-eviction-controller Marking for deletion Pod default/intruder" \
	"the eviction is in events"

s=$(date +%s%N)
is "$(tsubmit brief "" dedicated=db:NoExecute/2)" "OK" "a pod tolerating the taint for 2 s"
is "$(tsubmit forever "" dedicated=db:NoExecute)" "OK" "a pod tolerating it without tolerationSeconds"
is "$(timeout 10 cat "$PODS/brief/wait/Running")" "Running" "the scheduler places the 2 s pod; it runs"
is "$(cat "$PODS/brief/node")" "db" "on db"
check "after its tolerationSeconds it is evicted and deleted" -- wait_until 15 gone brief
e=$(( ($(date +%s%N) - s) / 1000000 ))
ok_t=$([ $e -ge 2000 ] && [ $e -le 10000 ] && echo yes || echo "no ($e ms)")
is "$ok_t" "yes" "not before 2 s, nor long after ($e ms from submission)"
is "$(cat "$PODS/forever/status")" "Running" "the pod that tolerates forever stays Running"
is "$(cat "$PODS/forever/node")" "db" "on db"
is "$(grep -c 'Pod default/forever' "$MNT/events")" "0" "no eviction event for it"

stop_node db
stop_podfs
