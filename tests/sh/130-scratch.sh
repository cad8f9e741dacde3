#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Dot-files in pods/ are scratch space: plain files, never parsed, until
# renamed to a name without the dot (which submits them) or removed.
. "$(dirname "$0")/lib.sh"
start_podfs

pod_yaml dotted >"$PODS/.dotted.yaml.swp"
check "a dot-file stays" -- test -f "$PODS/.dotted.yaml.swp"
check "and is not submitted" -- test ! -e "$PODS/dotted"
is "$(cat "$PODS/.dotted.yaml.swp" | head -1)" "apiVersion: v1" "a dot-file reads back"
is "$(stat -c %s "$PODS/.dotted.yaml.swp")" "$(pod_yaml dotted | wc -c)" "its size is exact"
echo "garbage: [" >"$PODS/.junk"
check "garbage in a dot-file is fine" -- test -f "$PODS/.junk"
is "$("$FSOP" unlink "$PODS/.junk")" "OK" "a dot-file can be removed"
check "and is gone" -- test ! -e "$PODS/.junk"

# rsync writes .name.XXXXXX then renames it: the rename submits.
is "$("$FSOP" rename "$PODS/.dotted.yaml.swp" "$PODS/dotted.yaml")" "OK" "renaming to a name without the dot submits"
check "the pod exists after the rename" -- test -d "$PODS/dotted"
check "the scratch file is gone" -- test ! -e "$PODS/.dotted.yaml.swp"
check "the new name is gone too" -- test ! -e "$PODS/dotted.yaml"

printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: nope}\nspec: {containers: [{name: c}]}\n' >"$PODS/.nope"
is "$("$FSOP" rename "$PODS/.nope" "$PODS/nope.yaml")" "EINVAL" "renaming an invalid dot-file fails with EINVAL"
check "the dot-file is kept for fixing" -- test -f "$PODS/.nope"
like "$(tail -1 "$MNT/events")" "spec.containers\[0\].image: Required value" "events says what is wrong"
is "$("$FSOP" rename "$PODS/.nope" "$PODS/.nope2")" "OK" "dot to dot is a plain rename"
check "renamed" -- test -f "$PODS/.nope2" -a ! -e "$PODS/.nope"
rm -f "$PODS/.nope2"

# truncate(1) of a scratch file (no O_TRUNC, then ftruncate).
touch "$PODS/.t"
check "truncate -s 0 of an empty scratch file" -- truncate -s 0 "$PODS/.t"
check "truncate -s 100 grows it" -- sh -c "truncate -s 100 '$PODS/.t' && test \$(stat -c %s '$PODS/.t') = 100"
check "the mount is still there" -- test -d "$PODS"
rm -f "$PODS/.t"

# A file renamed to a dot name while its writer holds it open stays scratch.
is "$(pod_yaml late | "$FSOP" write-rename "$PODS/late.yaml" "$PODS/.late" | tr '\n' ' ')" "OK OK " \
	"rename of an open file to a dot name, then close"
check "closing it submits nothing" -- test ! -e "$PODS/late"
check "and the scratch file stays" -- test -f "$PODS/.late"
rm -f "$PODS/.late"

# Scratch files share a bound (64 MiB in all): past it a write fails with
# ENOSPC and says why in events; removing a file makes room again.
for i in $(seq 21); do head -c 3100000 /dev/zero | "$FSOP" write "$PODS/.big$i" >"$T/big.out"; done
is "$(cat "$T/big.out")" "OK" "21 scratch files of 3.1 MB are kept (65 MB)"
is "$(head -c 3100000 /dev/zero | "$FSOP" write "$PODS/.big22")" "ENOSPC" "the 22nd is refused with ENOSPC"
# The event is written by a worker (events are commits): poll for it.
check "events says why" -- wait_until 10 grep -qE 'Warning +FailedCreate +podfs-api +error when writing ".big22": no space left: the 22 files being written into pods/ hold [0-9]+ bytes, the most podfs keeps \(64 MiB\)' "$MNT/events"
like "$(cat "$T/podfs.log")" "pods/.big22: error when writing" "and so does the log"
rm -f "$PODS"/.big*
is "$(head -c 3100000 /dev/zero | "$FSOP" write "$PODS/.big1")" "OK" "removing scratch files makes room again"
rm -f "$PODS/.big1"

# An empty file is refused as kubectl refuses it, in events (close(2) has
# returned 0 by then: at the first close, a file in pods/ may still be a
# shell redirection's first copy), and nothing is left of it.
is "$("$FSOP" write "$PODS/empty.yaml" </dev/null)" "OK" "cp of an empty file: close returns 0"
check "events says why, in kubectl's words" -- wait_until 10 grep -q 'Warning \+FailedCreate \+podfs-api \+error when creating "empty.yaml": no objects passed to create' "$MNT/events"
check "and nothing is left of it" -- test ! -e "$PODS/empty.yaml"
n=$(grep -c 'no objects passed to create' "$MNT/events")
touch "$PODS/touched.yaml"
check "touch of a new file is refused the same way" -- wait_until 10 grep -q '"touched.yaml": no objects passed to create' "$MNT/events"
check "touch leaves nothing either" -- test ! -e "$PODS/touched.yaml"
pod_yaml redir >"$PODS/redir.yaml"
check "a shell redirection is one submission" -- test -d "$PODS/redir"
is "$(grep -c 'no objects passed to create' "$MNT/events")" "$((n + 1))" "and no 'no objects' event of its own"
is "$(ls -A "$PODS" | tr '\n' ' ')" "dotted redir " "only the submitted pods remain"
stop_podfs
