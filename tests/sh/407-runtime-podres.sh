#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pod-level resources: shareProcessNamespace (one PID namespace for the
# pod, held by a pause process as PID 1; without it each container has its
# own), an emptyDir with medium Memory (a tmpfs sized by sizeLimit or the
# pod's memory limit, shared by the containers, unmounted on deletion), and
# the pod cgroup /podfs/<uid> whose memory limit and cpu quota are the sums
# of its containers' (removed on deletion).
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

cat <<'EOT' | "$FSOP" write "$PODS/shared.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  volumes:
  - name: cache
    emptyDir: {medium: Memory, sizeLimit: 8Mi}
  - name: scratch
    emptyDir: {medium: Memory}
  containers:
  - name: sleeper
    image: busybox
    command: ["sh", "-c", "echo from-sleeper > /cache/note; exec sleep 3601"]
    volumeMounts: [{name: cache, mountPath: /cache}]
    resources:
      limits: {memory: 32Mi, cpu: 200m}
  - name: looker
    image: busybox
    command: ["sh", "-c"]
    args:
    - |
      while [ ! -f /cache/note ]; do sleep 0.1; done
      echo "note=$(cat /cache/note)"
      echo "pid1=$(tr '\0' ' ' < /proc/1/cmdline)"
      echo "self=$$$$"
      for i in $(seq 100); do ps -o args | grep -q '[s]leep 3601' && break; sleep 0.1; done
      ps -o pid,args | grep -q '[s]leep 3601' && echo sees=sleeper || echo sees=nothing
      awk '$2 == "/cache" || $2 == "/scratch" {print "mnt", $2, $3, $4}' /proc/mounts
      echo done; exec sleep 3600
    volumeMounts: [{name: cache, mountPath: /cache}, {name: scratch, mountPath: /scratch}]
    resources:
      limits: {memory: 48Mi, cpu: 300m}
EOT
cat <<'EOT' | "$FSOP" write "$PODS/apart.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: apart}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sleeper
    image: busybox
    command: ["sh", "-c", "exec sleep 3602"]
  - name: looker
    image: busybox
    command: ["sh", "-c"]
    args:
    - |
      echo "self=$$$$"
      ps -o pid,args | grep -q '[s]leep 3602' && echo sees=sleeper || echo sees=nothing
      echo done; exec sleep 3600
EOT
cat <<'EOT' | "$FSOP" write "$PODS/hoard.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hoard}
spec:
  terminationGracePeriodSeconds: 30
  volumes:
  - name: data
    emptyDir: {sizeLimit: 1Mi}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "head -c 200000 /dev/zero > /data/small; sleep 1; head -c 4000000 /dev/zero > /data/big; exec sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
EOT
cat <<'EOT' | "$FSOP" write "$PODS/modest.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: modest}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: data
    emptyDir: {sizeLimit: 1Mi}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "head -c 200000 /dev/zero > /data/small; echo written; exec sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
EOT
cat <<'EOT' | "$FSOP" write "$PODS/flaky.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: flaky}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: steady
    image: busybox
    command: ["sh", "-c", "exec sleep 3603"]
  - name: flaky
    image: busybox
    command: ["sh", "-c", "ps -o args | grep -q '[s]leep 3603' && echo sees-steady; sleep 0.5; exit 1"]
EOT
remember_uid shared; remember_uid apart; remember_uid hoard; remember_uid modest; remember_uid flaky

is "$(timeout 20 cat "$PODS/shared/wait/Running")" "Running" "a pod sharing its PID namespace goes Running"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/shared/pod.yaml")
log=$STATE/logs/$uid/looker/0.log
check "the looker ran its checks" -- wait_until 10 grep -q 'F done$' "$log"
out=$(cut -d' ' -f4- "$log")
like "$out" "note=from-sleeper" "a Memory emptyDir is shared by the containers"
like "$out" "pid1=[^ ]*podfs[ -]pause" "PID 1 is the pod's pause process, not a container's"
like "$out" "self=[0-9]+" "the container's own process has a pid" 
check "the container's process is not PID 1" -- test "$(printf '%s\n' "$out" | sed -n 's/^self=//p')" != 1
like "$out" "sees=sleeper" "a container sees the other container's processes"
like "$out" "mnt /cache tmpfs [^ ]*size=8192k" "medium Memory: a tmpfs of sizeLimit (8Mi)"
like "$out" "mnt /scratch tmpfs [^ ]*size=81920k" "without sizeLimit: the pod's memory limit (32Mi + 48Mi)"
pause=$(cat /sys/fs/cgroup/pids/podfs/$uid/pause/cgroup.procs 2>/dev/null)
like "$pause" "^[0-9]+$" "the pause process sits in the pod's cgroup"
is "$(readlink /proc/$pause/ns/pid)" "$(readlink /proc/$(cat $STATE/oci/containers/$(cfield shared sleeper id)/pid)/ns/pid)" "the pause process and the containers share one PID namespace"

# The pod cgroup: the sums of the containers' limits.
is "$(cat /sys/fs/cgroup/memory/podfs/$uid/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/podfs/$uid/memory.max)" "83886080" "the pod cgroup's memory limit is the sum (32Mi + 48Mi)"
is "$(cat /sys/fs/cgroup/cpu/podfs/$uid/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/podfs/$uid/cpu.max)" "50000" "the pod cgroup's cpu quota is the sum (200m + 300m)"
is "$(cat /sys/fs/cgroup/pids/podfs/$uid/pids.max 2>/dev/null || cat /sys/fs/cgroup/podfs/$uid/pids.max)" "4096" "and its pids limit"
id=$(cfield shared looker id)
cpid=$(cat "$STATE/oci/containers/$id/pid")
like "$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/$cpid/cgroup)" "^/podfs/$uid/$id\$" "the container's cgroup is inside the pod's"

is "$(timeout 20 cat "$PODS/apart/wait/Running")" "Running" "a pod without shareProcessNamespace goes Running"
auid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/apart/pod.yaml")
check "its looker ran" -- wait_until 10 grep -q 'F done$' "$STATE/logs/$auid/looker/0.log"
aout=$(cut -d' ' -f4- "$STATE/logs/$auid/looker/0.log")
like "$aout" "self=1$" "each container its own PID namespace: the container's process is PID 1"
like "$aout" "sees=nothing" "and sees no other container's process"
check "no pod cgroup memory limit when a container has none" -- test "$(cat /sys/fs/cgroup/memory/podfs/$auid/memory.limit_in_bytes 2>/dev/null || echo 9223372036854771712)" -ge 9223372036854771712

# A container of a shared PID namespace that exits and restarts: the
# namespace outlives it (its PID 1 is the pause process), so the restarted
# container enters it again and the other container runs on untouched.
fuid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/flaky/pod.yaml")
check "the flaky container restarted" -- wait_until 20 sh -c "test \$(cat '$PODS/flaky/containers/flaky/restarts') -ge 1"
check "its second run entered the pod's PID namespace and saw the other container" -- wait_until 10 grep -q 'F sees-steady$' "$STATE/logs/$fuid/flaky/1.log"
is "$(cfield flaky steady state)" "running" "the other container runs on"
is "$(cfield flaky steady restarts)" "0" "and never restarted"

# podfs crashes and comes back: the pause process and the containers stay.
sleeper=$(cfield shared sleeper id)
kill9_podfs
start_podfs_oci
is "$(timeout 20 cat "$PODS/shared/wait/Running")" "Running" "after a podfs crash and restart the shared pod is Running"
is "$(cfield shared sleeper id)" "$sleeper" "the same container"
is "$(cat "$PODS/shared/restarts")" "0" "no restart"
[ "$(cat "$PODS/shared/restarts")" = 0 ] || { grep -A40 "containerStatuses" "$PODS/shared/pod.yaml"; cat "$PODS/shared/events"; } | sed "s/^/# /"
check "the same pause process" -- kill -0 "$pause"

# The pause process killed from the host: the PID namespace dies and every
# container in it; the containers restart into a new namespace with a new
# pause process, and the pod keeps its IP.
ip=$(cat "$PODS/shared/ip")
kill -9 "$pause"
check "the containers, killed with their namespace, are restarted" -- wait_until 30 sh -c "test \$(cat '$PODS/shared/restarts') -ge 2"
check "and run again" -- wait_until 30 sh -c "test \"\$(cat '$PODS/shared/containers/sleeper/state') \$(cat '$PODS/shared/containers/looker/state')\" = 'running running'"
pause2=$(cat /sys/fs/cgroup/pids/podfs/$uid/pause/cgroup.procs 2>/dev/null)
check "a new pause process holds a new PID namespace" -- test -n "$pause2" -a "$pause2" != "$pause"
check "the restarted looker runs in it beside the restarted sleeper" -- wait_until 10 grep -q 'F sees=sleeper$' "$STATE/logs/$uid/looker/1.log"
is "$(cat "$PODS/shared/ip")" "$ip" "the pod kept its IP"
pause=$pause2

# A disk-backed emptyDir over its sizeLimit: evicted as kubelet does.
is "$(timeout 30 cat "$PODS/hoard/wait/Failed")" "Failed" "an emptyDir over its sizeLimit: the pod Failed"
y=$(cat "$PODS/hoard/pod.yaml")
like "$y" "reason: Evicted" "reason Evicted"
like "$y" 'message: .?Usage of EmptyDir volume \\?"data\\?" exceeds the limit \\?"1Mi\\?"' "kubelet's message"
like "$(cat "$PODS/hoard/events")" 'Warning Evicted kubelet,[^ ]+ Usage of EmptyDir volume "data" exceeds the limit "1Mi".' "an Evicted event"
is "$(cfield hoard app state)" "terminated" "its container was killed (no grace period, though it asks for 30 s)"
is "$(cfield hoard app restarts)" "0" "and not restarted"
check "under the limit: still Running" -- wait_until 10 grep -q 'F written$' "$STATE/logs/$(awk '/^  uid:/ {print $2; exit}' "$PODS/modest/pod.yaml")/app/0.log"
is "$(cat "$PODS/modest/status")" "Running" "the pod under its sizeLimit keeps running"

rmdir "$PODS/shared" "$PODS/apart" "$PODS/hoard" "$PODS/modest" "$PODS/flaky"
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
check "the pause process is gone" -- wait_until 5 sh -c "! kill -0 $pause 2>/dev/null"
check "the pod cgroups are gone" -- sh -c "! ls -d /sys/fs/cgroup/*/podfs/$uid /sys/fs/cgroup/*/podfs/$auid 2>/dev/null | grep -q ."
check "no pause process is left" -- sh -c "! pgrep -f 'podfs[ -][p]ause $STATE/pods/' >/dev/null"
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
