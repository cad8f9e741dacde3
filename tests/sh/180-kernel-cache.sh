#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The kernel may keep pages and attributes of rendered files; every change
# to the object, through this mount or another process, must reach readers
# promptly, with exact sizes and never a cut or padded value.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db
start_podfs

submit c1 >/dev/null
key=/registry/pods/default/c1
for i in 1 2 3; do cat "$PODS/c1/status" "$PODS/c1/phase" >/dev/null; done
is "$(stat -c %s "$PODS/c1/status")" "8" "warm: status is Pending\\n (8 bytes)"

# Another process changes the pod: phase Failed (7 bytes: same size class as Pending? no: 7).
"$STORECTL" "$URI" get "$key" | sed 's/phase: Pending/phase: Failed/' | "$STORECTL" "$URI" put "$key"
check "status follows a change made by another process" -- wait_until 2 grep -qx Failed "$PODS/c1/status"
is "$(stat -c %s "$PODS/c1/status")" "7" "and its size follows (Failed\\n)"
is "$(cat "$PODS/c1/status")" "Failed" "the whole value, not cut or padded"

# Same size, different text: Failed -> Unknown is 7 -> 8; Pending <-> Running keep 8 bytes.
"$STORECTL" "$URI" get "$key" | sed 's/phase: Failed/phase: Running/' | "$STORECTL" "$URI" put "$key"
check "Failed -> Running shows" -- wait_until 2 grep -qx Running "$PODS/c1/phase"
"$STORECTL" "$URI" get "$key" | sed 's/phase: Running/phase: Pending/' | "$STORECTL" "$URI" put "$key"
check "Running -> Pending (same size) shows" -- wait_until 2 grep -qx Pending "$PODS/c1/phase"

# A reader holding the file open while it changes still reads one whole value.
exec 3<"$PODS/c1/phase"
"$STORECTL" "$URI" get "$key" | sed 's/phase: Pending/phase: Succeeded/' | "$STORECTL" "$URI" put "$key"
v=$(cat <&3); exec 3<&-
like "$v" "^(Pending|Succeeded)$" "a held-open reader reads one whole value ($v)"
check "a new open sees the change" -- wait_until 2 grep -qx Succeeded "$PODS/c1/phase"

# pod.yaml's resourceVersion and the events files follow too.
rv1=$(grep -m1 resourceVersion "$PODS/c1/pod.yaml")
"$STORECTL" "$URI" get "$key" | sed 's/phase: Succeeded/phase: Pending/' | "$STORECTL" "$URI" put "$key"
check "pod.yaml's resourceVersion moves on" -- wait_until 2 sh -c "! grep -q '$rv1' '$PODS/c1/pod.yaml'"
cat "$MNT/events" >/dev/null
echo "bad: [" >"$PODS/bad.yaml" 2>/dev/null
check "events shows a new event at once" -- wait_until 2 grep -q 'error parsing bad.yaml' "$MNT/events"
is "$(wc -c <"$MNT/events")" "$(stat -c %s "$MNT/events")" "events' size is exact"

# Many readers during many changes: every value read is a whole word.
( for i in $(seq 40); do
	ph=$([ $((i % 2)) = 0 ] && echo Pending || echo Running)
	"$STORECTL" "$URI" get "$key" | sed "s/phase: [A-Za-z]*/phase: $ph/" | "$STORECTL" "$URI" put "$key"
  done ) &
writer=$!
bad=0
for i in $(seq 300); do v=$(cat "$PODS/c1/phase"); case "$v" in Pending|Running) ;; *) bad=$((bad+1)); echo "# torn: [$v]";; esac; done
wait $writer
is "$bad" "0" "300 reads during 40 changes: no cut or padded value"
stop_podfs
