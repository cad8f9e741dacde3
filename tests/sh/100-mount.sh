#!/bin/bash
# The mount comes up with the contract's layout and goes away cleanly.
. "$(dirname "$0")/lib.sh"

start_podfs
is "$(ls "$MNT" | tr '\n' ' ')" "events images nodes pods " "the mount shows events, images, nodes, pods"
check "pods/ is a directory" -- test -d "$PODS"
check "nodes/ is a directory" -- test -d "$MNT/nodes"
check "events is a regular file" -- test -f "$MNT/events"
is "$(ls -A "$PODS" | wc -l)" "0" "a fresh store has no pods"
is "$(cat "$MNT/events")" "" "a fresh store has no events"
like "$(grep " $MNT " /proc/mounts)" "^podfs $MNT fuse.podfs " "mount names itself podfs (fsname and subtype)"
is "$("$FSOP" mkdir "$PODS/x")" "EPERM" "mkdir in pods/ is refused with EPERM"
is "$("$FSOP" mkdir "$MNT/x")" "EPERM" "mkdir at the top is refused with EPERM"
is "$(echo hi | "$FSOP" write "$MNT/nodes/x")" "EACCES" "files cannot be created in nodes/"
stop_podfs
check "unmounted" -- sh -c "! grep -q ' $MNT fuse' /proc/mounts"

# A bad store URI is reported on the terminal and nothing is mounted.
out=$("$PODFS" "$MNT" --state-dir "$STATE" --store bogus:x -f 2>&1); rc=$?
is "$rc" "1" "podfs exits 1 for a bad --store"
like "$out" "unknown store URI scheme 'bogus'" "and says why"
check "nothing is mounted after a failed start" -- sh -c "! grep -q ' $MNT fuse' /proc/mounts"

# SIGTERM unmounts cleanly too.
start_podfs
kill -TERM "$PODFS_PID"; rc=0; wait "$PODFS_PID" || rc=$?; PODFS_PID=
is "$rc" "0" "podfs exits 0 on SIGTERM"
check "SIGTERM unmounted the mount" -- wait_until 5 sh -c "! grep -q ' $MNT fuse' /proc/mounts"
