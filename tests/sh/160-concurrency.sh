#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Several writers at once: 50 parallel cp of distinct pods all succeed; 10
# racing on one name give exactly one winner and nine EEXIST; no busy-store
# error ever reaches a user.
. "$(dirname "$0")/lib.sh"
start_podfs

for i in $(seq 50); do pod_yaml "par-$i" >"$T/par-$i.yaml"; done
pids=()
for i in $(seq 50); do cp "$T/par-$i.yaml" "$PODS/" 2>"$T/cp-$i.err" & pids+=($!); done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
is "$bad" "0" "50 parallel cp all succeed"
is "$(ls "$PODS" | grep -c '^par-')" "50" "50 pods exist"
is "$(cat "$T"/cp-*.err)" "" "no cp printed an error"

pod_yaml race >"$T/race.yaml"
pids=()
for i in $(seq 10); do "$FSOP" write "$PODS/race-$i.yaml" <"$T/race.yaml" >"$T/race-$i.out" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
is "$(cat "$T"/race-*.out | sort | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" "9EEXIST 1OK " "10 racing on one name: one OK, nine EEXIST"
is "$(ls "$PODS" | grep -c '^race')" "1" "one race pod, no leftover files"
check "no SQLITE_BUSY or database-locked message anywhere" -- sh -c "! grep -iE 'busy|locked' '$T/podfs.log' '$MNT/events'"

# Parallel deletes.
pids=()
for i in $(seq 50); do rmdir "$PODS/par-$i" & pids+=($!); done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
is "$bad" "0" "50 parallel rmdir all succeed"
is "$(ls "$PODS" | grep -c '^par-')" "0" "and the pods are gone"
stop_podfs
