#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# wait/<X> blocks until the pod reaches X, is interruptible, and fails with
# EIO once X can no longer happen.  Another process plays the scheduler and
# the node through the shared sqlite store, as a real one would.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db
start_podfs

submit w1 >/dev/null
is "$(ls -A "$PODS/w1/wait" | wc -l)" "0" "wait/ lists nothing: a walk of the tree never blocks (135)"
is "$("$FSOP" readfor 300 "$PODS/w1/wait/Scheduled")" "TIMEOUT" "wait/Scheduled blocks while the pod is unscheduled, and a signal interrupts it"
timeout 0.5 cat "$PODS/w1/wait/Running"; rc=$?
is "$rc" "124" "timeout(1) ends a blocked cat"
is "$(cat "$PODS/w1/wait/Pending")" "Pending" "wait/Pending returns at once for a pending pod"
read -r word <"$PODS/w1/wait/Pending"
is "$word" "Pending" "a shell's read (one byte at a time) gets the whole word"
is "$(dd if="$PODS/w1/wait/Pending" bs=1 2>/dev/null)" "Pending" "so does dd bs=1"
is "$("$FSOP" read "$PODS/w1/wait/NoSuchWord")" "ENOENT" "unknown wait words do not exist"

# Bind the pod from another process: the blocked reader wakes.
"$FSOP" readfor 10000 "$PODS/w1/wait/Scheduled" >"$T/s.out" &
w=$!
check "the wait/Scheduled reader is parked" -- wait_until 10 parked $w
key=/registry/pods/default/w1
"$STORECTL" "$URI" get "$key" | sed 's/^spec:$/spec:\n  nodeName: n1/' | "$STORECTL" "$URI" put "$key"
wait $w
is "$(tr '\n' ' ' <"$T/s.out")" "OK Scheduled " "wait/Scheduled returns when another process binds the pod"
is "$(cat "$PODS/w1/node")" "n1" "node shows the binding"

# A pod that failed can never become Running: EIO, and the reason is logged.
"$FSOP" readfor 10000 "$PODS/w1/wait/Running" >"$T/r.out" &
w=$!
check "the wait/Running reader is parked" -- wait_until 10 parked $w
"$STORECTL" "$URI" get "$key" | sed 's/phase: Pending/phase: Failed/' | "$STORECTL" "$URI" put "$key"
wait $w
is "$(cat "$T/r.out")" "EIO" "wait/Running fails with EIO once the pod has Failed"
is "$(cat "$PODS/w1/wait/Failed")" "Failed" "wait/Failed returns"
is "$(cat "$PODS/w1/status")" "Failed" "status shows Failed"
like "$(cat "$T/podfs.log")" "pod w1: wait/Running cannot succeed: the pod has failed" "the log says why the wait failed"

# Deleting a pod ends waits that can no longer succeed.
submit w2 >/dev/null
"$FSOP" readfor 10000 "$PODS/w2/wait/Ready" >"$T/d.out" &
w=$!
check "the wait/Ready reader is parked" -- wait_until 10 parked $w
rmdir "$PODS/w2"
wait $w
is "$(cat "$T/d.out")" "EIO" "wait/Ready fails with EIO when the pod is deleted"

# Many waiters do not hold FUSE worker threads: 40 blocked readers, and the
# mount still answers.
submit many >/dev/null
pids=()
for i in $(seq 40); do "$FSOP" readfor 20000 "$PODS/many/wait/Ready" >"$T/m.$i" & pids+=($!); done
check "40 readers are parked" -- wait_until 15 parked "${pids[@]}"
is "$(timeout 5 cat "$PODS/many/status")" "Pending" "the mount answers with 40 readers parked"
rmdir "$PODS/many"
for p in "${pids[@]}"; do wait "$p"; done
is "$(cat "$T"/m.* | sort -u)" "EIO" "all 40 parked readers are answered when the pod goes"
stop_podfs
