#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Restart safety: every pod whose close(2) returned 0 survives kill -9 of
# podfs and is there after the next mount; a second podfs on the same store
# sees the first one's writes.
. "$(dirname "$0")/lib.sh"
start_podfs

ok_names=()
for i in $(seq 30); do
	if [ "$(submit "keep-$i")" = OK ]; then ok_names+=("keep-$i"); fi
done
is "${#ok_names[@]}" "30" "30 creates returned 0"
uid=$(grep -m1 ' uid:' "$PODS/keep-7/pod.yaml")
kill9_podfs
pass "podfs killed with SIGKILL"

start_podfs
missing=0
for n in "${ok_names[@]}"; do test -d "$PODS/$n" || missing=$((missing + 1)); done
is "$missing" "0" "every acknowledged pod is there after the restart"
is "$(grep -m1 ' uid:' "$PODS/keep-7/pod.yaml")" "$uid" "with the same uid"
is "$(cat "$PODS/keep-7/status")" "Pending" "and the same status"

# Kill in the middle of a burst of creates: what returned OK survives.
(
	for i in $(seq 200); do
		r=$(pod_yaml "burst-$i" | "$FSOP" write "$PODS/burst-$i.yaml")
		[ "$r" = OK ] && echo "burst-$i"
	done >"$T/acked"
) &
writer=$!
sleep 0.3
kill9_podfs
wait $writer 2>/dev/null
start_podfs
lost=0
while read -r n; do test -d "$PODS/$n" || lost=$((lost + 1)); done <"$T/acked"
is "$lost" "0" "no acknowledged create is lost when podfs is killed mid-burst ($(wc -l <"$T/acked") acked)"

# Two mounts on one store see each other's writes.
MNT2=$T/mnt2; mkdir -p "$MNT2"
"$PODFS" "$MNT2" --state-dir "$STATE" -f --no-scheduler --no-node >>"$T/podfs2.log" 2>&1 &
P2=$!
_cleanups+=("fusermount3 -u '$MNT2' 2>/dev/null; kill $P2 2>/dev/null; wait $P2 2>/dev/null")
check "a second podfs mounts the same store" -- wait_until 20 grep -q " $MNT2 fuse" /proc/mounts
submit from-first >/dev/null
check "the second mount sees a pod created through the first" -- wait_until 5 test -d "$MNT2/pods/from-first"
pod_yaml from-second | "$FSOP" write "$MNT2/pods/x.yaml" >/dev/null
check "and the first sees one created through the second" -- wait_until 5 test -d "$PODS/from-second"
rmdir "$MNT2/pods/from-first"
check "a delete through one mount shows in the other" -- wait_until 5 test ! -e "$PODS/from-first"
fusermount3 -u "$MNT2"; rc=0; wait $P2 || rc=$?
is "$rc" "0" "the second podfs exits cleanly"
stop_podfs
