#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Two podfs processes on one store: one scheduler holds the lease and binds,
# every pod is bound exactly once; when the holder goes, the other takes
# over and binds what comes next.
. "$(dirname "$0")/lib.sh"
URI=sqlite:$STATE/podfs.db
STORECTL=$(dirname "$FSOP")/storectl
start_podfs_sched
MNT2=$T/mnt2; mkdir -p "$MNT2"
"$PODFS" "$MNT2" --state-dir "$STATE" -f --no-node --leader-elect-retry-period 200ms \
	--leader-elect-lease-duration 2s >>"$T/podfs2.log" 2>&1 &
PID2=$!
_cleanups+=("fusermount3 -u '$MNT2' 2>/dev/null; kill $PID2 2>/dev/null; wait $PID2 2>/dev/null")
wait_until 20 grep -q " $MNT2 fuse" /proc/mounts

for i in 1 2 3 4; do add_node "$URI" n$i 8 16Gi; done
# 200 pods, half through each mount, as fast as the shell goes.
for i in $(seq 100); do
	pod_yaml a$i >"$PODS/a$i.yaml"
	pod_yaml b$i >"$MNT2/pods/b$i.yaml"
done
all_bound() { [ "$(cat "$PODS"/*/node | grep -c .)" -eq 200 ]; }
check "all 200 pods bound" -- wait_until 20 all_bound
is "$(cat "$PODS"/a1/timeline "$PODS"/b*/timeline "$PODS"/a*/timeline | grep -c scheduled)" "201" "one scheduled line per pod (a1 counted twice on purpose)"
n=$(cat "$PODS"/*/events | grep -c ' Scheduled default-scheduler')
is "$n" "200" "one Scheduled event per pod"
per_node=$(cat "$PODS"/*/node | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')
is "$per_node" "50 50 50 50 " "the pods spread evenly over four equal nodes"
holder=$("$STORECTL" "$URI" get /registry/leases/kube-system/kube-scheduler | sed -n 's/  holderIdentity: "\(.*\)"/\1/p')
like "$holder" "." "one holder of the lease: $holder"

# Stop whichever process holds the lease; the other takes over.
first_log=$T/podfs.log
if grep -q "acquired by $holder" "$T/podfs2.log"; then
	fusermount3 -u "$MNT2"; wait $PID2; rc=$?; other=$MNT
else
	stop_podfs; rc=0; other=$MNT2
fi
is "$rc" "0" "the leader stops cleanly"
pod_yaml late >"$other/pods/late.yaml"
is "$(timeout 10 cat "$other/pods/late/wait/Scheduled")" "Scheduled" "the other process takes the lease and binds"
[ "$other" = "$MNT2" ] && { fusermount3 -u "$MNT2"; wait $PID2; }
stop_podfs
