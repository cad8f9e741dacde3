#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# crun: on this kind of host (hybrid cgroups, hugetlb on the v2 side) crun
# refuses every container, so podfs uses runc and says why (400 checks
# that).  Here the scenario prepares the host as an operator would, for its
# own duration only: it binds hugetlb to a v1 hierarchy, runs pods with
# podfs' default runtime (now crun), and unbinds it after, restoring the
# host exactly.
. "$(dirname "$0")/lib.sh"
V2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
before=$(cat "$V2/cgroup.controllers" 2>/dev/null)
if ! command -v crun >/dev/null; then pass "# SKIP crun is not installed"; exit 0; fi
HUGE=
if [ -n "$before" ] && ! awk '$3 == "cgroup"' /proc/mounts | grep -q hugetlb; then
	if [ "$before" != hugetlb ]; then pass "# SKIP v2 controllers other than hugetlb: $before"; exit 0; fi
	HUGE=$T/hugetlb
	mkdir -p "$HUGE"
	mount -t cgroup -o hugetlb none "$HUGE" || { fail "bind hugetlb to a v1 hierarchy"; exit 1; }
	# After podfs and the containers are gone (late), and before $T goes.
	_late_cleanups+=("find '$HUGE' -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null; umount '$HUGE'; wait_until 10 grep -qx '$before' '$V2/cgroup.controllers'")
	is "$(cat "$V2/cgroup.controllers")" "" "hugetlb moved to a v1 hierarchy: no controller left on v2"
fi
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."
node=$(ls "$MNT/nodes" | head -1)
like "$(cat "$MNT/nodes/$node/node.yaml")" "containerRuntimeVersion: crun://" "podfs now uses crun"

cat <<EOT | "$FSOP" write "$PODS/c1.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: c1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo hello from crun; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; sleep 3600"]
EOT
hog_yaml hog | "$FSOP" write "$PODS/hog.yaml" >/dev/null
cat <<'EOT' | "$FSOP" write "$PODS/c2.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: c2}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: one, image: busybox, command: ["sh", "-c", "exec sleep 3605"]}
  - name: two
    image: busybox
    command: ["sh", "-c", "until ps -o args | grep -q '[s]leep 3605'; do sleep 0.1; done; echo sees-one; echo pid1=$(tr '\\0' ' ' < /proc/1/cmdline); exec sleep 3600"]
EOT
remember_uid c1; remember_uid hog; remember_uid c2
is "$(timeout 20 cat "$PODS/c1/wait/Running")" "Running" "a pod Running under crun"
like "$(cat "$PODS/c1/pod.yaml")" "containerID: crun://" "containerID crun://"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/c1/pod.yaml")
check "its log" -- wait_until 10 grep -q 'stdout F hello from crun$' "$STATE/logs/$uid/app/0.log"
like "$(cat "$STATE/logs/$uid/app/0.log")" "CapEff:	00000000a80425fb" "default capabilities under crun"
like "$(cat "$STATE/logs/$uid/app/0.log")" "NoNewPrivs:	1" "no_new_privs under crun"
is "$(timeout 30 cat "$PODS/hog/wait/Failed")" "Failed" "a memory hog fails under crun"
is "$(cfield hog app reason)" "OOMKilled" "OOMKilled under crun"
is "$(timeout 20 cat "$PODS/c2/wait/Running")" "Running" "a pod sharing its PID namespace Running under crun"
uid2=$(awk '/^  uid:/ {print $2; exit}' "$PODS/c2/pod.yaml")
check "under crun a container sees the other's processes" -- wait_until 10 grep -q 'stdout F sees-one$' "$STATE/logs/$uid2/two/0.log"
like "$(cat "$STATE/logs/$uid2/two/0.log")" "pid1=[^ ]*podfs[ -]pause" "and PID 1 is the pause process"
rmdir "$PODS/c1" "$PODS/hog" "$PODS/c2"
check "deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
[ -n "$HUGE" ] && is "$(ls -d "$HUGE"/podfs 2>/dev/null)" "" "no cgroup left in the hugetlb hierarchy"
stop_podfs
if [ -n "$HUGE" ]; then
	find "$HUGE" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
	umount "$HUGE"
	_late_cleanups=("runtime_cleanup") # the bridge, and nothing else left
	# The kernel frees an unmounted hierarchy asynchronously.
	wait_until 10 grep -qx "$before" "$V2/cgroup.controllers"
	is "$(cat "$V2/cgroup.controllers")" "$before" "unbinding hugetlb gave it back to v2: the host is as it was"
fi
