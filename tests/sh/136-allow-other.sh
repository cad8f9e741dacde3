#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# -o allow_other lets other users in, and then the modes shown are what the
# kernel enforces (default_permissions): anyone may read, only root (and,
# with --group, that group's members) may create and delete pods, and each
# pod records the uid whose write created it.  Other users are played with
# setpriv(1) and uids no account has, so the host's users stay as they are.
. "$(dirname "$0")/lib.sh"

# Other users must be able to reach the mount point.
chmod o+x "$T"
[ -n "${PODFS_TEST_ROOT:-}" ] && chmod o+x "$PODFS_TEST_ROOT"
OTHER=(setpriv --reuid=12345 --regid=12345 --clear-groups)
MEMBER=(setpriv --reuid=12344 --regid=12346 --clear-groups)

start_podfs -o allow_other
like "$(grep " $MNT " /proc/mounts)" "default_permissions,allow_other" "allow_other brings default_permissions"
submit web >/dev/null
is "$(stat -c '%a %U' "$PODS")" "755 root" "pods/ is root's, 0755"
is "$("${OTHER[@]}" cat "$PODS/web/status")" "Pending" "another user reads a pod's status"
is "$(pod_yaml mine | "${OTHER[@]}" "$FSOP" write "$PODS/mine.yaml")" "EACCES" "another user cannot create a pod"
check "and nothing was stored" -- test ! -e "$PODS/mine"
is "$("${OTHER[@]}" "$FSOP" rmdir "$PODS/web")" "EACCES" "nor delete one"
is "$(cat "$PODS/web/status")" "Pending" "the pod is still there"
like "$(cat "$PODS/web/pod.yaml")" "podfs.io/creator-uid: \"0\"" "the pod records that root created it"
stop_podfs

start_podfs -o allow_other --group 12346
is "$(stat -c '%a %U %g' "$PODS")" "775 root 12346" "--group: pods/ is root:12346, 0775"
is "$(pod_yaml mine | "${OTHER[@]}" "$FSOP" write "$PODS/mine.yaml")" "EACCES" "a user outside the group still cannot create a pod"
is "$(pod_yaml mine | "${MEMBER[@]}" "$FSOP" write "$PODS/mine.yaml")" "OK" "a member of the group can"
like "$(cat "$PODS/mine/pod.yaml")" "podfs.io/creator-uid: \"12344\"" "the pod records the member's uid"
is "$("${MEMBER[@]}" sh -c "echo draft >'$PODS/.draft'; stat -c '%u %g %a' '$PODS/.draft'")" "12344 12346 644" \
	"a member's scratch file is the member's"
is "$("${OTHER[@]}" "$FSOP" write "$PODS/.draft" </dev/null)" "EACCES" "another user cannot write it"
is "$("${OTHER[@]}" "$FSOP" chmod 666 "$PODS/.draft")" "EPERM" "nor chmod it"
is "$("${MEMBER[@]}" "$FSOP" chmod 600 "$PODS/.draft")" "OK" "its owner can"
is "$("${MEMBER[@]}" "$FSOP" unlink "$PODS/.draft")" "OK" "and remove it"
is "$("${MEMBER[@]}" "$FSOP" rmdir "$PODS/web")" "OK" "a member of the group can delete a pod"
check "which goes" -- wait_until 10 test ! -e "$PODS/web"
is "$("${OTHER[@]}" "$FSOP" chmod 777 "$PODS/mine/status")" "EPERM" "nobody changes a rendered file's mode"
stop_podfs

out=$("$PODFS" "$MNT" --state-dir "$STATE" -f --group no-such-group-here 2>&1); rc=$?
is "$rc" "2" "an unknown --group is bad usage"
like "$out" "--group no-such-group-here: no such group" "and says so"
