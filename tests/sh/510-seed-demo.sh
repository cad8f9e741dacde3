#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The seed's demo, as README opens with it: the output of
# `kubectl run my-pod --image=nginx --dry-run=client -o yaml` copied into
# pods/ becomes Running with an IP on the pod network, curl of that IP
# returns nginx's welcome page, and rm -r tears everything down.
. "$(dirname "$0")/lib.sh"
import_images busybox nginx
start_podfs_oci

cp "$(dirname "$0")/../corpus/valid/01-kubectl-run-dry-run.yaml" "$T/my-pod.yaml"
check "cp of kubectl run's dry-run output" -- cp "$T/my-pod.yaml" "$PODS/"
remember_uid my-pod
is "$(timeout 30 cat "$PODS/my-pod/wait/Ready")" "Ready" "the pod becomes Ready"
is "$(cat "$PODS/my-pod/status")" "Running" "status: Running"
is "$(cat "$PODS/my-pod/phase")" "Running" "phase: Running"
ip=$(cat "$PODS/my-pod/ip")
check "ip is an address of the scenario's pod network ($ip)" -- sh -c "case '$ip' in ${POD_CIDR%.0/24}.*) true;; *) false;; esac"
page=$(curl --noproxy '*' -s --max-time 5 "http://$ip/")
like "$page" "<title>Welcome to nginx!</title>" "curl http://\$(cat pods/my-pod/ip)/ returns the nginx welcome page"
like "$(cat "$PODS/my-pod/logs")" "GET / HTTP/1.1\" 200" "the request is in the pod's logs"
tl=$(cat "$PODS/my-pod/timeline")
for step in stored "scheduled" "network ready" "container my-pod started" Running; do
	check "timeline has: $step" -- grep -q " $step" <<<"$tl"
done
is "$(cat "$PODS/my-pod/why")" "" "why is empty while Running and Ready"

check "rm -r pods/my-pod exits 0" -- rm -r "$PODS/my-pod"
check "the pod directory goes away" -- wait_until 40 test ! -e "$PODS/my-pod"
check "nothing answers on the old IP" -- sh -c "! curl --noproxy '*' -s --max-time 1 'http://$ip/' >/dev/null"
is "$(runtime_leaks)" "" "no process, mount, cgroup, IP reservation or bridge port left"
stop_podfs
