#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Init containers run first, in order, each to completion; a failing one
# gives Init:Error (restartPolicy Never) or Init:CrashLoopBackOff; an
# emptyDir is shared by the containers of a pod; the default security is
# verified from inside a container (capabilities, no_new_privs, seccomp,
# masked and read-only /proc paths), and so are capability add/drop,
# runAsUser, env expansion and fieldRef.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

cat <<'EOT' | "$FSOP" write "$PODS/init.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: data
    emptyDir: {}
  initContainers:
  - name: first
    image: busybox
    command: ["sh", "-c", "sleep 0.3; echo one >> /data/order"]
    volumeMounts: [{name: data, mountPath: /data}]
  - name: second
    image: busybox
    command: ["sh", "-c", "echo two >> /data/order"]
    volumeMounts: [{name: data, mountPath: /data}]
  containers:
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo shared > /data/note; sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
  - name: reader
    image: busybox
    command: ["sh", "-c", "cat /data/order; while [ ! -f /data/note ]; do sleep 0.1; done; cat /data/note; sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
EOT
cat <<'EOT' | "$FSOP" write "$PODS/badinit.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: badinit}
spec:
  restartPolicy: Never
  initContainers:
  - {name: boom, image: busybox, command: ["sh", "-c", "exit 2"]}
  containers:
  - {name: app, image: busybox, command: ["true"]}
EOT
cat <<'EOT' | "$FSOP" write "$PODS/loopinit.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: loopinit}
spec:
  initContainers:
  - {name: boom, image: busybox, command: ["sh", "-c", "exit 2"]}
  containers:
  - {name: app, image: busybox, command: ["true"]}
EOT
cat <<'EOT' | "$FSOP" write "$PODS/sec.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: sec
  labels: {tier: web}
spec:
  restartPolicy: Never
  containers:
  - name: default
    image: busybox
    env:
    - {name: A, value: one}
    - {name: B, value: "$(A)-two $$(A)"}
    - name: MY_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MY_TIER
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}
    command: ["sh", "-c"]
    args:
    - |
      grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
      for f in kcore keys timer_list; do [ -e /proc/$f ] && echo masked-$f=$(wc -c < /proc/$f); done
      (echo x > /proc/sys/kernel/hostname) 2>/dev/null && echo procsys=rw || echo procsys=ro
      unshare -n true 2>/dev/null && echo unshare=allowed || echo unshare=denied
      echo "env=$B name=$MY_NAME tier=$MY_TIER arg=$(A)"
      echo uid=$(id -u)
  - name: tuned
    image: busybox
    securityContext:
      runAsUser: 1000
      capabilities: {drop: [ALL], add: [CHOWN]}
    command: ["sh", "-c", "grep -E '^Cap(Eff|Bnd):' /proc/self/status; echo uid=$(id -u)"]
EOT
for p in init badinit loopinit sec; do remember_uid $p; done

is "$(timeout 20 cat "$PODS/init/wait/Running")" "Running" "a pod with two init containers goes Running"
check "the app reads what the init containers wrote, in order" -- wait_until 10 sh -c "cat '$PODS/init/containers/reader/logs' 2>/dev/null | grep -q . || grep -q 'F two' $STATE/logs/*/reader/0.log"
uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/init/pod.yaml")
rlog=$STATE/logs/$uid/reader/0.log
is "$(awk '{print $4}' "$rlog" | head -2 | tr '\n' ,)" "one,two," "init containers ran first and in order"
check "an emptyDir is shared by two containers" -- wait_until 10 grep -q 'F shared$' "$rlog"
is "$(cfield init first state)" "terminated" "init container terminated"
is "$(cfield init first reason)" "Completed" "reason Completed"
like "$(cat "$PODS/init/pod.yaml")" "type: Initialized" "Initialized condition"

is "$(timeout 20 cat "$PODS/badinit/wait/Failed")" "Failed" "a failing init container with restartPolicy Never: Failed"
is "$(cat "$PODS/badinit/status")" "Init:Error" "status Init:Error"
check "with restartPolicy Always: Init:CrashLoopBackOff" -- wait_until 20 grep -qx Init:CrashLoopBackOff "$PODS/loopinit/status"

is "$(timeout 20 cat "$PODS/sec/wait/Succeeded")" "Succeeded" "both containers ran to completion: Succeeded"
suid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/sec/pod.yaml")
out=$(cut -d' ' -f4- "$STATE/logs/$suid/default/0.log")
like "$out" "CapEff:	00000000a80425fb" "the container-engine default 14 capabilities"
like "$out" "NoNewPrivs:	1" "no_new_privs"
like "$out" "Seccomp:	2" "a seccomp filter (RuntimeDefault)"
like "$out" "masked-keys=0" "/proc/keys is masked"
like "$out" "masked-timer_list=0" "/proc/timer_list is masked"
if [ -e /proc/kcore ]; then like "$out" "masked-kcore=0" "/proc/kcore is masked"; fi
like "$out" "procsys=ro" "/proc/sys is read-only"
like "$out" "unshare=denied" "unshare(2) is refused by the default profile"
like "$out" 'env=one-two \$\(A\) name=sec tier=web arg=one' "env: \$(VAR) expansion, \$\$ escape, fieldRef; \$(VAR) in args"
like "$out" "uid=0" "root by default"
tout=$(cut -d' ' -f4- "$STATE/logs/$suid/tuned/0.log")
like "$tout" "CapBnd:	0000000000000001" "drop ALL, add CHOWN"
like "$tout" "CapEff:	0000000000000000" "no effective capabilities for a non-root user"
like "$tout" "uid=1000" "runAsUser"

for p in init badinit loopinit sec; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
