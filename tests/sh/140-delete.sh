#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# rmdir and rm -r both delete a pod; wait/Deleted returns once it is gone.
. "$(dirname "$0")/lib.sh"
start_podfs

submit a >/dev/null; submit b >/dev/null; submit c >/dev/null
is "$(ls "$PODS" | tr '\n' ' ')" "a b c " "three pods"
is "$("$FSOP" rmdir "$PODS/a")" "OK" "rmdir pods/a succeeds"
check "pods/a is gone (no node holds it)" -- test ! -e "$PODS/a"
check "rm -r pods/b exits 0" -- rm -r "$PODS/b"
check "pods/b is gone" -- test ! -e "$PODS/b"
check "rm -rf pods/c exits 0" -- rm -rf "$PODS/c"
is "$(ls -A "$PODS" | wc -l)" "0" "no pods left"
is "$("$FSOP" rmdir "$PODS/a")" "ENOENT" "rmdir of a missing pod is ENOENT"

# Recreate under the same name: a new object (new uid).
submit a >/dev/null
uid1=$(grep -m1 ' uid:' "$PODS/a/pod.yaml")
rmdir "$PODS/a"; submit a >/dev/null
uid2=$(grep -m1 ' uid:' "$PODS/a/pod.yaml")
check "a pod created again under the same name has a new uid" -- test "$uid1" != "$uid2"

# wait/Deleted blocks until the pod is gone.
"$FSOP" readfor 10000 "$PODS/a/wait/Deleted" >"$T/w.out" &
w=$!
check "wait/Deleted is parked while the pod exists" -- wait_until 10 parked $w
rmdir "$PODS/a"
wait $w
is "$(tr '\n' ' ' <"$T/w.out")" "OK Deleted " "wait/Deleted returns Deleted once the pod is gone"

# A pod a node holds: rm -r starts a graceful delete; the Terminating pod
# stays reachable under its name, also while someone holds it open.
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db
submit held >/dev/null
key=/registry/pods/default/held
"$STORECTL" "$URI" get "$key" | sed 's/^spec:$/spec:\n  nodeName: n1/' | "$STORECTL" "$URI" put "$key"
check "bound to n1" -- wait_until 5 grep -qx n1 "$PODS/held/node"
"$FSOP" readfor 20000 "$PODS/held/wait/Deleted" >"$T/held.out" &
hw=$!
check "the wait/Deleted reader of a bound pod is parked" -- wait_until 10 parked $hw
check "rm -r of a bound pod exits 0" -- rm -r "$PODS/held"
is "$(cat "$PODS/held/status")" "Terminating" "the pod reads Terminating, still reachable"
is "$(cat "$PODS/held/wait/Terminating")" "Terminating" "a new wait/ read works in it"
check "wait/Deleted is still waiting" -- kill -0 $hw
"$STORECTL" "$URI" delete "$key"
wait $hw
is "$(tr '\n' ' ' <"$T/held.out")" "OK Deleted " "wait/Deleted returns once the node removed it"
check "and the directory is gone at once" -- test ! -e "$PODS/held"

# Deleted by another process: the answer to wait/Deleted comes after the
# kernel dropped the name, so a script may test for the directory at once.
gone=0
for i in $(seq 20); do
	submit "o$i" >/dev/null
	stat "$PODS/o$i/status" >/dev/null # the kernel now caches the name
	"$FSOP" readfor 10000 "$PODS/o$i/wait/Deleted" >"$T/o.out" &
	ow=$!
	# parked: the reader sleeps in the kernel waiting for podfs's answer
	wait_until 5 grep -q request_wait_answer "/proc/$ow/stack"
	"$STORECTL" "$URI" delete "/registry/pods/default/o$i"
	wait $ow
	grep -qx Deleted "$T/o.out" && ! [ -e "$PODS/o$i" ] && gone=$((gone + 1))
done
is "$gone" 20 "20 pods deleted by another process: each gone from the mount when wait/Deleted returns"
stop_podfs
