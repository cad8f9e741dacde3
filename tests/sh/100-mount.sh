#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
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

# In the background (no -f), podfs returns once it serves the mount (the
# parent waits on a pipe until the child has started everything), and a
# start-up error reaches the terminal and the exit status.
out=$("$PODFS" "$MNT" --state-dir "$STATE" --no-scheduler --no-node 2>&1); rc=$?
is "$rc" "0" "podfs in the background exits 0 once started"
is "$(ls "$MNT" | tr '\n' ' ')" "events images nodes pods " "and the mount serves at once"
check "fusermount3 -u unmounts it" -- fusermount3 -u "$MNT"
# ([m]nt: the pattern must not match the sh -c running it)
check "and the background podfs exits" -- wait_until 10 sh -c "! pgrep -f -- '$(dirname "$MNT")/[m]nt --state-dir' >/dev/null"
: >"$T/afile"
out=$("$PODFS" "$MNT" --state-dir "$STATE" --no-scheduler --no-node --store "sqlite:$T/afile/podfs.db" 2>&1); rc=$?
is "$rc" "1" "a store that cannot open: the background start exits 1"
like "$out" "cannot open the store sqlite:$T/afile/podfs.db" "and says why on the terminal"
check "nothing is left mounted" -- sh -c "! grep -q ' $MNT fuse' /proc/mounts"
