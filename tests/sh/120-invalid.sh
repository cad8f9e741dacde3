#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bad manifests through the real mount: close(2) fails with the corpus'
# errno, the message lands in events (kubectl's wording), nothing is stored.
. "$(dirname "$0")/lib.sh"
start_podfs

CORPUS=$(cd "$(dirname "$0")/../corpus" && pwd)
n=0
for f in "$CORPUS"/invalid/*.yaml; do
	want_errno=$(sed -n 's/^# errno: //p' "$f" | head -1)
	want_msg=$(sed -n 's/^# message: //p' "$f" | head -1)
	base=$(basename "$f")
	got=$("$FSOP" write "$PODS/$base" <"$f")
	is "$got" "$want_errno" "$base: close(2) fails with $want_errno"
	# @@@@@ stands for generateName's random suffix.
	glob=$(printf '%s' "$want_msg" | sed 's/[][\\*?]/\\&/g; s/@@@@@/?????/g')
	found=0
	while IFS= read -r l; do [[ $l == *$glob* ]] && found=1; done <"$MNT/events"
	if [ "$found" = 1 ]; then pass "$base: events carries the message"
	else fail "$base: events carries the message"; echo "#   want: $want_msg"; tail -1 "$MNT/events" | sed 's/^/#   last: /'; fi
	n=$((n + 1))
done
check "the corpus has at least 60 invalid manifests ($n)" -- test "$n" -ge 60
is "$(ls -A "$PODS" | wc -l)" "0" "nothing was stored or left behind"

# Oversize: more than 3 MiB is EFBIG, from write(2) or close(2).
head -c $((3 * 1024 * 1024 + 10)) /dev/zero | tr '\0' '#' >"$T/big.yaml"
is "$("$FSOP" write "$PODS/big.yaml" <"$T/big.yaml")" "EFBIG" "a manifest over 3 MiB gives EFBIG"
like "$(tail -1 "$MNT/events")" "Request entity too large: limit is 3145728" "events says the limit"
check "cp of an oversize file fails" -- sh -c "! cp '$T/big.yaml' '$PODS/' 2>/dev/null"

# The event line has the contract's form: TIME TYPE REASON SOURCE MESSAGE.
like "$(tail -1 "$MNT/events")" "^20[0-9-]{8}T[0-9:]{8}Z Warning FailedCreate podfs-api " "event lines read TIME TYPE REASON SOURCE MESSAGE"
like "$(tail -1 "$T/podfs.log")" "rejected" "the log records the rejection"

# A shell redirect ignores close errors; events is how it learns.
before=$(wc -l <"$MNT/events")
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec: {containers: [{name: c, image: busybox}]}\n' >"$PODS/redir.yaml"
is "$(wc -l <"$MNT/events")" "$((before + 1))" "a rejected redirect adds one event"
like "$(tail -1 "$MNT/events")" 'metadata.name: Invalid value: "Bad_Name"' "with the validation message"

# The size limit holds for the object as stored: a 2.5 MB manifest whose
# stored form (block style, defaults) is over 3 MiB is refused at create,
# not stored as an object no reader could read back (issue #14, item 2).
awk 'BEGIN { printf "apiVersion: v1\nkind: Pod\nmetadata: {name: grows}\nspec: {containers: [{name: a, image: busybox, args: [x0"
	for (i = 1; i < 230000; i++) printf ",xxxxxxxxxx"
	print "]}]}" }' >"$T/grows.yaml"
check "the manifest itself is under the limit" -- test "$(stat -c %s "$T/grows.yaml")" -lt 3145728
is "$("$FSOP" write "$PODS/grows.yaml" <"$T/grows.yaml")" "EFBIG" "a pod over 3 MiB as stored is refused with EFBIG"
like "$(tail -1 "$MNT/events")" 'error when creating "grows.yaml": Request entity too large: limit is 3145728 \(pod "grows" is [0-9]+ bytes as stored\)' \
	"events says how large it would be"
check "and nothing is stored" -- test ! -e "$PODS/grows"

# podfs validate: the same checks offline.
out=$("$PODFS" validate "$CORPUS/invalid/$(ls "$CORPUS/invalid" | head -1)" 2>&1); rc=$?
is "$rc" "1" "podfs validate exits 1 on an invalid file"
like "$out" "." "and prints the message"
out=$(pod_yaml ok-pod >"$T/ok.yaml"; "$PODFS" validate "$T/ok.yaml"); rc=$?
is "$rc" "0" "podfs validate exits 0 on a valid file"
like "$out" "pod/ok-pod valid" "and names the pod"
out=$(pod_yaml ok-pod | "$PODFS" validate -); rc=$?
is "$rc" "0" "podfs validate - reads standard input"
is "$out" "pod/ok-pod valid (STDIN)" "and calls it STDIN, as kubectl does"
out=$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a}]}\n' | "$PODFS" validate - 2>&1); rc=$?
is "$rc" "1" "podfs validate - exits 1 on an invalid manifest"
like "$out" 'spec.containers\[0\].image: Required value' "and says why"
is "$(ls -A "$PODS" | wc -l)" "0" "validate stores nothing"
stop_podfs
