#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 of podfs in the middle of pod start-up, then a restart: every pod
# ends Running exactly once with one IP, and nothing leaks.
#
# The crash point is made certain, not hoped for: three pods run first;
# then the scenario holds host-local's lock (flock, as host-local takes it)
# so that the next pods' CNI ADDs block inside the real plugin with their
# veths made (the agent's pod workers start several pods side by side; the
# rest queue behind them).  podfs is killed there; the lock is released, so
# the orphaned plugins finish their ADDs for sandboxes whose records say
# "creating" (IPs reserved, veths configured, for sandbox IDs the restarted
# podfs will never use).  After the restart: the
# three running pods keep their container (same ID, same process, no
# restart), every pod has one container, one conmon, one Started event,
# one "Running" step, one address on eth0, and the IP reservations are
# exactly the pods' IPs; deleting the pods leaves nothing behind.  (The
# container b1 has by then beside its blocked ADD goes with the half-made
# sandbox; a container directory a crash left without its record goes at
# start-up.)
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

manifest() { sleeper_yaml "$1" '["sleep", "3600"]'; }
running() { for p in "$@"; do grep -qx Running "$PODS/$p/status" || return 1; done; }
starttime() { awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null; }
cpid() { cat "$STATE/oci/containers/$(cfield "$1" app id)/pid"; }
# The CNI plugins this scenario's podfs started that still run.
plugins() {
	local p
	for p in /proc/[0-9]*; do
		case $(readlink "$p/exe" 2>/dev/null) in /usr/lib/cni/*) ;; *) continue ;; esac
		tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -q "^CNI_NETNS=$STATE/" && echo "${p#/proc/}"
	done
}
no_plugins() { [ -z "$(plugins)" ]; }
blocked_in_ipam() {
	local p
	for p in $(plugins); do [ "$(readlink "/proc/$p/exe")" = /usr/lib/cni/host-local ] && return 0; done
	return 1
}

A="a1 a2 a3" B="b1 b2 b3 b4 b5" ALL="a1 a2 a3 b1 b2 b3 b4 b5"
for p in $A; do manifest "$p" | "$FSOP" write "$PODS/$p.yaml" >/dev/null; remember_uid "$p"; done
check "a1-a3 Running" -- wait_until 60 running $A
for p in $A; do
	echo "$p $(cfield "$p" app id) $(cpid "$p"):$(starttime "$(cpid "$p")") $(cat "$PODS/$p/ip")"
done >"$T/before"

IPAM=$STATE/cni/ipam/podfs
flock -x "$IPAM/lock" sh -c "i=0; while [ ! -e '$T/release' ] && [ \$i -lt 1500 ]; do sleep 0.04; i=\$((i + 1)); done" &
LOCK_PID=$!
_cleanups+=("touch '$T/release'; wait $LOCK_PID")
for p in $B; do manifest "$p" | "$FSOP" write "$PODS/$p.yaml" >/dev/null; remember_uid "$p"; done
check "a pod's CNI ADD waits in host-local for the IPAM lock" -- wait_until 60 blocked_in_ipam
inflight=$(for p in $B; do [ "$(cat "$PODS/$p/status")" != Running ] && echo "$p"; done | wc -l)
kill9_podfs
is "$inflight" 5 "podfs killed with b1-b5 not yet Running, one of them inside CNI ADD"
touch "$T/release"
wait "$LOCK_PID"
check "the orphaned plugins finish" -- wait_until 30 no_plugins
res=$(ls "$IPAM" | grep -c '^10\.')
# 3 running pods + one orphan per ADD in flight (1 to 5, as many as the
# workers had started; a plugin podfs forked just before the kill still
# runs, so the exact number is not knowable from outside).
check "the crashed ADDs reserved IPs after all (3 running pods + $((res - 3)) orphans)" -- \
	test "$res" -ge 4 -a "$res" -le 8
# A reservation no sandbox holds at all (as a crash between ADD and the
# sandbox's record leaves): freed at start-up.
net=${POD_CIDR%.0/24}
printf '%064d\neth0' 0 >"$IPAM/$net.250"
# A container directory without its record (a crash between the two):
# removed at start-up.
stray=$STATE/oci/containers/$(printf '%064d' 1)
mkdir -p "$stray/rootfs" "$stray/upper"

start_podfs_oci
check "all 8 pods Running after the restart" -- wait_until 60 running $ALL
after=$(for p in $A; do
	echo "$p $(cfield "$p" app id) $(cpid "$p"):$(starttime "$(cpid "$p")") $(cat "$PODS/$p/ip")"
done)
is "$after" "$(cat "$T/before")" "a1-a3 keep their container ID, process and IP across the crash"
is "$(for p in $ALL; do cat "$PODS/$p/restarts"; done | sort -u)" "0" "no pod restarted a container"
ips=$(for p in $ALL; do cat "$PODS/$p/ip"; echo; done | grep . | sort)
is "$(echo "$ips" | grep -c "^${net//./\\.}\\.")" "8" "each pod has an IP in $POD_CIDR"
is "$(echo "$ips" | sort -u | wc -l)" "8" "the 8 IPs are distinct"
is "$(ls "$IPAM" | grep '^10\.' | sort)" "$ips" "the IP reservations are exactly the pods' IPs (the orphaned ADD's is freed)"
check "the reservation no sandbox holds is freed" -- test ! -e "$IPAM/$net.250"
check "the container directory without a record is removed" -- test ! -e "$stray"
bad=""
for p in $ALL; do
	sid=$(sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p' "$STATE/pods/$(awk '/^  uid:/ {print $2; exit}' "$PODS/$p/pod.yaml")/sandbox.json" | head -1)
	# host-local writes "ID\r\nIFNAME".
	[ -n "$sid" ] && [ "$(head -1 "$IPAM/$(cat "$PODS/$p/ip")" | tr -d '\r')" = "$sid" ] || bad="$bad $p"
done
is "$bad" "" "each reservation belongs to its pod's current sandbox"
is "$(ls "$STATE/pods" | wc -l)" "8" "one sandbox per pod"
is "$(ls "$STATE/oci/containers" | wc -l)" "8" "one container per pod"
is "$(scenario_conmons | wc -l)" "8" "one conmon per pod"
is "$(ip -o link show master "$BRIDGE" | wc -l)" "8" "one bridge port per pod"
is "$(for p in $ALL; do grep -c 'Started container app' "$PODS/$p/events"; done | sort -u)" "1" "one Started event per pod"
is "$(for p in $ALL; do grep -c ' Running$' "$PODS/$p/timeline"; done | sort -u)" "1" "one Running step in each pod's timeline"
ok=0
for p in $ALL; do
	got=$(nsenter -t "$(cpid "$p")" -n ip -4 -o addr show | awk '$2 != "lo" {print $2, $4}')
	[ "$got" = "eth0 $(cat "$PODS/$p/ip")/24" ] && ok=$((ok + 1))
done
is "$ok" "8" "each pod's netns holds one address besides loopback: eth0's, the IP its status reports"

for p in $ALL; do rmdir "$PODS/$p"; done
check "all pods deleted" -- wait_until 30 sh -c "! ls '$PODS' | grep -q ."
is "$(runtime_leaks)" "" "no IP reservation, bridge port, mount, cgroup, bundle or conmon is left"
stop_podfs
