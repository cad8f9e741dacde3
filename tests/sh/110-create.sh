#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cp a manifest into pods/: close(2) returns 0, the pod directory exists at
# once, the submitted file is gone, and every file shows a stored Pending pod.
. "$(dirname "$0")/lib.sh"
start_podfs

# The exact output of `kubectl run my-pod --image=nginx --dry-run=client -o yaml`.
cp "$(dirname "$0")/../corpus/valid/01-kubectl-run-dry-run.yaml" "$T/my-pod.yaml"
check "cp of kubectl run's dry-run output succeeds" -- cp "$T/my-pod.yaml" "$PODS/"
check "pods/my-pod exists as soon as cp returns" -- test -d "$PODS/my-pod"
check "the submitted file is gone" -- test ! -e "$PODS/my-pod.yaml"
is "$(ls "$PODS")" "my-pod" "pods/ lists the pod"
is "$(cat "$PODS/my-pod/status")" "Pending" "status is Pending"
is "$(cat "$PODS/my-pod/phase")" "Pending" "phase is Pending"
is "$(cat "$PODS/my-pod/node")" "" "node is empty until scheduled"
is "$(cat "$PODS/my-pod/ip")" "" "ip is empty until the network is attached"
is "$(cat "$PODS/my-pod/ready")" "false" "ready is false"
is "$(cat "$PODS/my-pod/restarts")" "0" "restarts is 0"
like "$(cat "$PODS/my-pod/why")" "scheduler" "why says the pod waits for the scheduler"
is "$(wc -c <"$PODS/my-pod/status")" "8" "files end with a newline (Pending\\n)"
is "$(stat -c %s "$PODS/my-pod/status")" "8" "getattr size is exact"
is "$(ls "$PODS/my-pod" | tr '\n' ' ')" "containers events ip logs node phase pod.yaml ready restarts status timeline wait why " "pod directory layout"
is "$(ls "$PODS/my-pod/containers")" "my-pod" "containers/ lists the container"
is "$(cat "$PODS/my-pod/containers/my-pod/image")" "nginx" "containers/<c>/image"
is "$(cat "$PODS/my-pod/containers/my-pod/restarts")" "0" "containers/<c>/restarts"
is "$(cat "$PODS/my-pod/containers/my-pod/state")" "" "containers/<c>/state is empty before creation"

y=$(cat "$PODS/my-pod/pod.yaml")
like "$y" "^apiVersion: v1" "pod.yaml starts with apiVersion"
like "$y" "uid: \"?[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}" "pod.yaml has a v4 uid"
like "$y" "resourceVersion: \"[0-9]+\"" "pod.yaml has a resourceVersion"
like "$y" "creationTimestamp: \"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\"" "pod.yaml has a creationTimestamp"
like "$y" "namespace: default" "namespace defaulted"
like "$y" "imagePullPolicy: Always" "imagePullPolicy defaulted to Always for an untagged image"
like "$y" "terminationGracePeriodSeconds: 30" "terminationGracePeriodSeconds defaulted"
like "$y" "schedulerName: default-scheduler" "schedulerName defaulted"
like "$y" "phase: Pending" "status.phase Pending"
like "$y" "qosClass: BestEffort" "qosClass computed"
like "$y" "node.kubernetes.io/not-ready" "default tolerations added"

# Each writer style works: tee, shell redirection, cat >.
pod_yaml tee-pod | tee "$PODS/t.yaml" >/dev/null
check "tee submits" -- test -d "$PODS/tee-pod"
pod_yaml redir-pod >"$PODS/r.yaml"
check "shell redirection submits" -- test -d "$PODS/redir-pod"
pod_yaml noext | "$FSOP" write "$PODS/whatever" >/dev/null
check "a file without .yaml submits too" -- test -d "$PODS/noext"

# The same name again: EEXIST from close(2), and cp reports it.
is "$(submit my-pod)" "EEXIST" "a taken name gives EEXIST"
check "cp reports the failure" -- sh -c "! cp '$T/my-pod.yaml' '$PODS/again.yaml' 2>/dev/null"
like "$(cat "$MNT/events")" "pods \"my-pod\" already exists" "the events file says the name is taken"
check "the rejected file does not linger" -- test ! -e "$PODS/again.yaml"

# Multi-document files and Lists create all their pods.
cat >"$T/multi.yaml" <<'EOT'
apiVersion: v1
kind: Pod
metadata: {name: multi-a}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: multi-b}
spec: {containers: [{name: c, image: busybox}]}
EOT
check "a two-document file is accepted" -- cp "$T/multi.yaml" "$PODS/"
check "both pods exist" -- test -d "$PODS/multi-a" -a -d "$PODS/multi-b"
cat >"$T/list.yaml" <<'EOT'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: list-a}
  spec: {containers: [{name: c, image: busybox}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: list-b}
  spec: {containers: [{name: c, image: busybox}]}
EOT
check "a List is accepted" -- cp "$T/list.yaml" "$PODS/"
check "both list pods exist" -- test -d "$PODS/list-a" -a -d "$PODS/list-b"

# All or none: one taken name refuses the whole file.
cat >"$T/half.yaml" <<'EOT'
apiVersion: v1
kind: Pod
metadata: {name: fresh-one}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: my-pod}
spec: {containers: [{name: c, image: busybox}]}
EOT
is "$("$FSOP" write "$PODS/half.yaml" <"$T/half.yaml")" "EEXIST" "a file with one taken name is refused"
check "and none of its pods was created" -- test ! -e "$PODS/fresh-one"

# generateName
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: gen-\nspec:\n  containers:\n  - name: c\n    image: busybox\n' >"$PODS/gen.yaml"
like "$(ls "$PODS" | grep '^gen-')" "^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$" "generateName gives a name with a 5-character suffix"

is "$(cat "$PODS/my-pod/timeline" | awk '{print $2}' | head -1)" "stored" "timeline starts with stored"
is "$("$FSOP" write "$PODS/my-pod/status" </dev/null)" "EACCES" "pod files cannot be written"

# Strings with YAML's own line breaks (\P, \L, \N) and a C1 control (\x80)
# are stored so that they read back, before and after a restart.
cat <<'EOT' | "$FSOP" write "$PODS/breaks.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: breaks
  annotations: {a: "x\Py", b: "x\Ly", c: "x\Ny", d: "c1\x80"}
spec: {containers: [{name: c, image: busybox, env: [{name: E, value: "1\P2"}], args: ["\L"]}]}
EOT
is "$(cat "$PODS/breaks/status")" "Pending" "a pod with YAML line breaks in its strings is stored"
like "$(cat "$PODS/breaks/pod.yaml")" 'a: "x\\Py"' "pod.yaml reads, the break escaped"
stop_podfs
start_podfs
check "after a restart the pod is still listed" -- wait_until 10 test -d "$PODS/breaks"
like "$(cat "$PODS/breaks/pod.yaml")" 'value: "1\\P2"' "and reads"
stop_podfs
