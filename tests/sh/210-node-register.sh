#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `podfs node --runtime fake` processes of different sizes, labels and taints
# register and show under nodes/<name>/ as kubectl would show them; bad
# flags are refused with a clear message before anything starts.
. "$(dirname "$0")/lib.sh"
start_podfs

start_node small --runtime fake --capacity cpu=2,memory=4Gi --node-labels zone=a,disk=ssd
start_node big --runtime fake --capacity cpu=64,memory=256Gi,pods=250 \
	--node-taints dedicated=gpu:NoSchedule,spot:NoExecute --pod-cidr 10.244.7.0/24
check "both nodes appear under nodes/" -- wait_until 20 test -d "$MNT/nodes/small" -a -d "$MNT/nodes/big"
check "node small is Ready" -- wait_until 10 grep -qx Ready "$MNT/nodes/small/status"
is "$(cat "$MNT/nodes/big/status")" "Ready" "node big is Ready"

is "$(grep -E '^(cpu|memory|pods)=' "$MNT/nodes/small/capacity" | tr '\n' ' ')" \
	"cpu=2 memory=4Gi pods=110 " "capacity of small (pods default 110)"
is "$(grep -E '^(cpu|memory|pods)=' "$MNT/nodes/small/allocatable" | tr '\n' ' ')" \
	"cpu=2 memory=3996Mi pods=110 " "allocatable = capacity - 100Mi memory (evictionHard)"
is "$(grep -E '^(cpu|memory|pods)=' "$MNT/nodes/big/capacity" | tr '\n' ' ')" \
	"cpu=64 memory=256Gi pods=250 " "capacity of big"
like "$(cat "$MNT/nodes/small/labels")" "zone=a" "--node-labels shows in labels"
like "$(cat "$MNT/nodes/small/labels")" "kubernetes.io/hostname=small" "kubelet's hostname label"
like "$(cat "$MNT/nodes/small/labels")" "kubernetes.io/os=linux" "kubelet's os label"
like "$(cat "$MNT/nodes/small/labels")" "kubernetes.io/arch=(amd64|arm64)" "kubelet's arch label"
is "$(cat "$MNT/nodes/small/taints")" "" "small has no taints"
is "$(cat "$MNT/nodes/big/taints" | tr '\n' ' ')" "dedicated=gpu:NoSchedule spot:NoExecute " \
	"taints in key=value:Effect form"
is "$(cat "$MNT/nodes/big/pods")" "" "no pods yet"

y=$(cat "$MNT/nodes/big/node.yaml")
like "$y" "^apiVersion: v1" "node.yaml is a Node object"
like "$y" "podCIDR: 10.244.7.0/24" "with the pod CIDR"
like "$y" "containerRuntimeVersion: fake://0.1" "the fake runtime's version"
like "$y" "kubeletVersion: podfs-" "kubeletVersion"
like "$y" "reason: KubeletReady" "Ready reason KubeletReady"
like "$y" "message: kubelet is posting ready status" "Ready message"
like "$y" "type: InternalIP" "an InternalIP address"
like "$y" "osImage: " "osImage"
like "$(cat "$MNT/events")" "Normal Starting kubelet,big" "a Starting event from kubelet on big"
like "$(cat "$MNT/events")" "Normal NodeReady kubelet,big Node big status is now: NodeReady" "NodeReady event"

# Flag mistakes: exit 2 and a sentence naming the flag, nothing registered.
out=$("$PODFS" node --name bad1 --store "$STORE_URI" -f --runtime fake --node-taints 'a=b:Sometimes' 2>&1); rc=$?
is "$rc" "2" "a bad taint effect exits 2"
like "$out" 'invalid taint effect "Sometimes"' "and says so"
out=$("$PODFS" node --name bad2 --store "$STORE_URI" -f --runtime fake --capacity 'gpu=1' 2>&1); rc=$?
is "$rc" "2" "an unknown capacity resource exits 2"
like "$out" 'unknown resource "gpu"' "and says so"
out=$("$PODFS" node --name bad3 --store "$STORE_URI" -f --runtime fake --node-labels 'a b=c' 2>&1); rc=$?
like "$out" 'invalid label key "a b"' "a bad label key is refused"
out=$("$PODFS" node --name Bad_Name --store "$STORE_URI" -f --runtime fake 2>&1); rc=$?
like "$out" 'invalid node name "Bad_Name"' "a bad node name is refused"
out=$("$PODFS" node --name bad4 --store "$STORE_URI" -f --runtime docker 2>&1); rc=$?
like "$out" 'unknown runtime' "an unknown runtime is refused"
is "$(ls "$MNT/nodes" | tr '\n' ' ')" "big small " "no refused node registered"

stop_node small
stop_node big
is "$(ls "$MNT/nodes" | tr '\n' ' ')" "big small " "stopped nodes stay registered"
stop_podfs
