#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Real containers through the oci runtime (runc or crun under conmon): a
# busybox pod goes Running with its log at the conventional path, its
# container's ID and state are shown, the node says which OCI runtime runs
# the containers; rm -r stops it (SIGTERM honoured at once by a trapping
# PID 1, SIGKILL at the deadline for one that ignores it) and leaves no
# process, mount, cgroup or bundle behind.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."
node=$(ls "$MNT/nodes" | head -1)
is "$(cat "$MNT/nodes/$node/status")" "Ready" "the node is Ready"
like "$(cat "$MNT/nodes/$node/node.yaml")" "containerRuntimeVersion: (runc|crun)://" "containerRuntimeVersion names the OCI runtime"
if grep -q . /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	like "$(cat "$MNT/nodes/$node/node.yaml")" "runc, not crun: cgroups are hybrid" "the node says why it uses runc"
fi

cat <<EOT | "$FSOP" write "$PODS/hello.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo hello; sleep 3600"]
EOT
remember_uid hello
is "$(timeout 20 cat "$PODS/hello/wait/Running")" "Running" "a busybox pod goes Running"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/hello/pod.yaml")
log=$STATE/logs/$uid/app/0.log
check "the log is at STATE/logs/<uid>/<container>/0.log" -- wait_until 10 grep -q 'stdout F hello$' "$log"
like "$(head -1 "$log")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+Z0-9:]* stdout F hello$' "CRI k8s-file format"
like "$(cfield hello app id)" "^[0-9a-f]{64}$" "containers/app/id is the runtime's ID"
is "$(cfield hello app state)" "running" "containers/app/state running"
y=$(cat "$PODS/hello/pod.yaml")
like "$y" "containerID: (runc|crun)://[0-9a-f]{64}" "containerID <runtime>://<id>"
like "$y" "imageID: sha256:[0-9a-f]{64}" "imageID"
# The network attaches while the container is created: either ends first.
tl=$(cut -d' ' -f2- "$PODS/hello/timeline" | tr '\n' ,)
net="network ready ${POD_CIDR%.*}\.[0-9]+"
like "$tl" "sandbox ready,($net,container app created|container app created,$net),container app started,Running" "timeline steps"
is "$(awk '{print $1}' "$PODS/hello/timeline" | sort -n | tr '\n' ,)" "$(awk '{print $1}' "$PODS/hello/timeline" | tr '\n' ,)" "timeline in time order"
ev=$(cat "$PODS/hello/events")
like "$ev" 'Pulled kubelet,[^ ]+ Container image "busybox" already present on machine' "Pulled event"
like "$ev" "Created kubelet,[^ ]+ Created container app" "Created event"
like "$ev" "Started kubelet,[^ ]+ Started container app" "Started event"
pid=$(cat "$STATE/oci/containers/$(cfield hello app id)/pid")
check "the container's PID 1 runs" -- kill -0 "$pid"
is "$(cat /proc/$pid/ns/net 2>/dev/null | head -c0; readlink /proc/$pid/ns/net)" "$(readlink /proc/$pid/ns/net)" "it has a network namespace"
check "its network namespace is the pod's, not the host's" -- test "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)"
is "$(nsenter -t "$pid" -u hostname)" "hello" "hostname is the pod's name"

# A PID 1 that traps SIGTERM exits at once; one that ignores it is killed
# at the end of the grace period.
cat <<EOT | "$FSOP" write "$PODS/trap.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: trap}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.1; done"]
EOT
cat <<EOT | "$FSOP" write "$PODS/deaf.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: deaf}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
EOT
remember_uid trap; remember_uid deaf
check "trap and deaf Running" -- wait_until 20 sh -c "grep -qx Running '$PODS/trap/status' && grep -qx Running '$PODS/deaf/status'"
tuid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/trap/pod.yaml")
t0=$(date +%s%N)
rm -r "$PODS/trap"
check "a pod whose PID 1 traps SIGTERM is gone" -- wait_until 10 test ! -e "$PODS/trap"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "within the grace period ($ms ms < 3000)" -- test "$ms" -lt 3000
t0=$(date +%s%N)
rm -r "$PODS/deaf"
check "a pod whose PID 1 ignores SIGTERM is gone" -- wait_until 15 test ! -e "$PODS/deaf"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "after the 2 s grace period, not before ($ms ms)" -- test "$ms" -ge 1900 -a "$ms" -lt 4000
like "$(cat "$MNT/events")" "Killing kubelet,[^ ]+ Stopping container app" "a Killing event"

rm -r "$PODS/hello"
check "hello deleted" -- wait_until 15 test ! -e "$PODS/hello"
is "$(runtime_leaks)" "" "no process, mount, cgroup or bundle is left"
check "no container process is left" -- sh -c "! kill -0 $pid 2>/dev/null"
stop_podfs
