#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The mount under the tools a shell user reaches for: a recursive walk
# (grep -r, find, tar, cp -r) never meets a file whose read blocks, and
# chmod, chown and touch of what podfs renders are refused instead of
# succeeding and changing nothing.  Scratch files keep their mode, owner
# and times.
. "$(dirname "$0")/lib.sh"
start_podfs

submit web nginx >/dev/null
check "pod web stored" -- test -d "$PODS/web"

# Recursive tools: nothing in the tree blocks them.
timeout 20 grep -r nginx "$PODS/" >"$T/grep.out"; rc=$?
is "$rc" "0" "grep -r over pods/ ends (and finds the image)"
like "$(cat "$T/grep.out")" "pods/web/pod.yaml:.*image: nginx" "grep -r reads pod.yaml"
timeout 20 find "$MNT" -type f -exec cat {} + >/dev/null; rc=$?
is "$rc" "0" "find -exec cat over the whole mount ends"
timeout 20 tar -cf "$T/pods.tar" -C "$PODS" web; rc=$?
is "$rc" "0" "tar of a pod directory ends"
timeout 20 cp -r "$PODS/web" "$T/copy"; rc=$?
is "$rc" "0" "cp -r of a pod directory ends"
is "$(cat "$T/copy/status")" "Pending" "and copies its files"
is "$(ls -A "$PODS/web/wait" | wc -l)" "0" "wait/ lists no word"
is "$(cat "$PODS/web/wait/Pending")" "Pending" "but a word is there by name"

# Metadata of rendered files and directories: EPERM, nothing silently lost.
for f in "$PODS/web/status" "$PODS/web/pod.yaml" "$PODS/web" "$MNT/events" "$PODS"; do
	is "$("$FSOP" chmod 777 "$f")" "EPERM" "chmod of ${f#$MNT/} is refused"
	is "$("$FSOP" chown 1000 "$f")" "EPERM" "chown of ${f#$MNT/} is refused"
	is "$("$FSOP" utime "$f")" "EPERM" "touch -d of ${f#$MNT/} is refused"
done
is "$(stat -c %a "$PODS/web/status")" "444" "status keeps its mode"
is "$("$FSOP" chmod 444 "$PODS/web/status")" "OK" "chmod to the mode it has is no change, and fine"
is "$("$FSOP" chown 0 "$PODS/web/status")" "OK" "chown to the owner it has is fine"
touch "$PODS/web/status" 2>"$T/touch.err"; rc=$?
is "$rc" "1" "touch of a rendered file fails"
like "$(cat "$T/touch.err")" "cannot touch" "and says so"

# A scratch file is a file of the user's: its mode and times hold.
pod_yaml later >"$PODS/.later.yaml"
is "$("$FSOP" chmod 600 "$PODS/.later.yaml")" "OK" "chmod of a scratch file works"
is "$(stat -c %a "$PODS/.later.yaml")" "600" "and shows"
is "$("$FSOP" utime "$PODS/.later.yaml")" "OK" "touch -d of a scratch file works"
is "$(stat -c %Y "$PODS/.later.yaml")" "1000000000" "and shows"
is "$("$FSOP" chown 1000 "$PODS/.later.yaml")" "OK" "chown of a scratch file works"
is "$(stat -c %u "$PODS/.later.yaml")" "1000" "and shows"
cp -p "$T/copy/status" "$PODS/.status-copy"; rc=$?
is "$rc" "0" "cp -p into pods/ keeps mode and times"
stop_podfs
