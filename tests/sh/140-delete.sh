#!/bin/bash
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
sleep 0.2
check "wait/Deleted is still blocked while the pod exists" -- kill -0 $w
rmdir "$PODS/a"
wait $w
is "$(tr '\n' ' ' <"$T/w.out")" "OK Deleted " "wait/Deleted returns Deleted once the pod is gone"
stop_podfs
