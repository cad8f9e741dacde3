#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An object the store holds but podfs cannot decode (written by another
# program, or by a podfs with a bug) stays visible and deletable: listed,
# status Unknown, why saying what is wrong, pod.yaml showing what is stored,
# and rm -r removes it, so its name is never lost for good.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db
key=/registry/pods/default/bad
damage() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad\n' | "$STORECTL" "$URI" put "$key"; }

start_podfs
damage
check "a damaged pod is listed" -- wait_until 10 test -d "$PODS/bad"
is "$(cat "$PODS/bad/status")" "Unknown" "its status is Unknown"
is "$(cat "$PODS/bad/phase")" "Unknown" "so is its phase"
like "$(cat "$PODS/bad/why")" "^the stored object cannot be read \(revision [0-9]+\): .*; rm -r pods/bad removes it$" "why says it is damaged and how to remove it"
like "$(cat "$PODS/bad/pod.yaml")" "metadata: \{name: bad" "pod.yaml shows what the store holds"
check "rm -r removes it" -- rm -r "$PODS/bad"
check "and it is gone" -- wait_until 10 test ! -e "$PODS/bad"
like "$("$STORECTL" "$URI" get "$key" 2>&1)" "key '/registry/pods/default/bad' not found" "from the store too"
submit bad >/dev/null
is "$(cat "$PODS/bad/status")" "Pending" "its name can be used again"
rm -r "$PODS/bad"
check "gone again" -- wait_until 10 test ! -e "$PODS/bad"

# Across a restart: found damaged when the cache lists the store.
stop_podfs
damage
start_podfs
check "after a restart the damaged pod is listed" -- wait_until 10 test -d "$PODS/bad"
is "$(cat "$PODS/bad/status")" "Unknown" "and Unknown"
check "and removable" -- rm -r "$PODS/bad"
check "gone" -- wait_until 10 test ! -e "$PODS/bad"
stop_podfs
