#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 20 pods copied in at once (one multi-document file) start side by side on
# the agent's pod workers, each exactly once: one sandbox, one container,
# one conmon, one IP, no restart, its events in kubelet's order; their
# timelines show the starts overlapping.  Then 20 more while every CNI ADD
# waits for host-local's lock: several pods are inside ADD at the same
# moment (the workers), podfs is killed -9 there and restarted, and all 40
# end Running exactly once with the first 20 untouched.  Deleting them all
# leaves nothing.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

burst() { # PREFIX: one file of 20 pods
	local i
	for i in $(seq 20); do
		[ "$i" -gt 1 ] && echo ---
		sleeper_yaml "$1$i"
	done
}
running() { for p in "$@"; do grep -qx Running "$PODS/$p/status" || return 1; done; }
starttime() { awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null; }
cpid() { cat "$STATE/oci/containers/$(cfield "$1" app id)/pid"; }
IPAM=$STATE/cni/ipam/podfs
A=$(seq -f a%g 20) C=$(seq -f c%g 20)

burst a >"$T/a.yaml"
check "20 pods in one file are accepted" -- cp "$T/a.yaml" "$PODS/"
for p in $A; do remember_uid "$p"; done
if ! check "all 20 Running" -- wait_until 120 running $A; then
	for p in $A; do echo "# $p: $(cat "$PODS/$p/status") $(cat "$PODS/$p/why")"; done
	exit 1
fi

# Exactly once: the runtime holds one of each per pod, no more.
ids=$(for p in $A; do cfield "$p" app id; echo; done | grep . | sort)
is "$(echo "$ids" | sort -u | wc -l)" 20 "20 distinct container IDs"
is "$(ls "$STATE/oci/containers" | sort)" "$ids" "the runtime holds exactly those 20 containers"
is "$(ls "$STATE/pods" | wc -l)" 20 "one sandbox per pod"
is "$(scenario_conmons | wc -l)" 20 "one conmon per pod"
ips=$(for p in $A; do cat "$PODS/$p/ip"; done | sort)
is "$(echo "$ips" | grep -c '^10\.')" 20 "each pod has an IP"
is "$(echo "$ips" | sort -u | wc -l)" 20 "the 20 IPs are distinct"
is "$(ls "$IPAM" | grep '^10\.' | sort)" "$ips" "the IP reservations are exactly the pods' IPs"
is "$(for p in $A; do cat "$PODS/$p/restarts"; done | sort -u)" 0 "no container restarted"
# kubelet's order within each pod, whatever the other pods do meanwhile.
bad=$(for p in $A; do
	r=$(awk '{print $3}' "$PODS/$p/events" | tr '\n' ' ')
	[ "$r" = "Scheduled Pulled Created Started " ] || echo "$p: $r"
done)
is "$bad" "" "each pod's events: Scheduled Pulled Created Started, once each"
is "$(for p in $A; do grep -c ' Running$' "$PODS/$p/timeline"; done | sort -u)" 1 "one Running step in each timeline"

# The pods of one file are stored in one transaction, so their timelines
# share an origin: at the moment most pods were between "sandbox ready" and
# "container app started", how many were?  One at a time would be 1.
for p in $A; do
	awk '$2 == "sandbox" {print $1, 1} $2 == "container" && $4 == "started" {print $1, -1}' "$PODS/$p/timeline"
done | sort -n -k1,1 -k2,2n >"$T/steps"
most=$(awk '{c += $2; if (c > m) m = c} END {print m + 0}' "$T/steps")
check "pods started side by side (at most $most at once)" -- test "$most" -ge 2
for p in $A; do
	echo "$p $(cfield "$p" app id) $(cpid "$p"):$(starttime "$(cpid "$p")") $(cat "$PODS/$p/ip")"
done >"$T/before"

# Hold host-local's lock: every CNI ADD waits in it, each on its worker.
host_locals() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/lib/cni/host-local ] || continue
		tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -q "^CNI_NETNS=$STATE/" && echo "${p#/proc/}"
	done
}
no_plugins() { [ -z "$(host_locals)" ]; }
flock -x "$IPAM/lock" sh -c "i=0; while [ ! -e '$T/release' ] && [ \$i -lt 1500 ]; do sleep 0.04; i=\$((i + 1)); done" &
LOCK_PID=$!
_cleanups+=("touch '$T/release'; wait $LOCK_PID")
burst c >"$T/c.yaml"
cp "$T/c.yaml" "$PODS/"
for p in $C; do remember_uid "$p"; done
three_waiting() { [ "$(host_locals | wc -l)" -ge 3 ]; }
check "several pods wait inside CNI ADD at the same moment" -- wait_until 60 three_waiting
waiting=$(host_locals | wc -l)
kill9_podfs
check "podfs killed with $waiting ADDs waiting side by side" -- test "$waiting" -ge 3
touch "$T/release"
wait "$LOCK_PID"
check "the orphaned plugins finish" -- wait_until 30 no_plugins

start_podfs_oci
if ! check "all 40 Running after the restart" -- wait_until 120 running $A $C; then
	for p in $C; do echo "# $p: $(cat "$PODS/$p/status") $(cat "$PODS/$p/why")"; done
	exit 1
fi
after=$(for p in $A; do
	echo "$p $(cfield "$p" app id) $(cpid "$p"):$(starttime "$(cpid "$p")") $(cat "$PODS/$p/ip")"
done)
is "$after" "$(cat "$T/before")" "the first 20 keep their container ID, process and IP across the crash"
ids=$(for p in $A $C; do cfield "$p" app id; echo; done | grep . | sort)
is "$(echo "$ids" | sort -u | wc -l)" 40 "40 distinct container IDs"
is "$(ls "$STATE/oci/containers" | sort)" "$ids" "the runtime holds exactly those 40 containers"
is "$(ls "$STATE/pods" | wc -l)" 40 "one sandbox per pod"
is "$(scenario_conmons | wc -l)" 40 "one conmon per pod"
ips=$(for p in $A $C; do cat "$PODS/$p/ip"; done | sort)
is "$(echo "$ips" | sort -u | grep -c '^10\.')" 40 "40 distinct IPs"
is "$(ls "$IPAM" | grep '^10\.' | sort)" "$ips" "the IP reservations are exactly the pods' IPs (the crashed ADDs' are freed)"
is "$(for p in $A $C; do cat "$PODS/$p/restarts"; done | sort -u)" 0 "no container restarted"
is "$(for p in $A $C; do grep -c 'Started container app' "$PODS/$p/events"; done | sort -u)" 1 "one Started event per pod"

rm -r $(for p in $A $C; do echo "$PODS/$p"; done)
check "all 40 pods deleted" -- wait_until 120 sh -c "! ls '$PODS' | grep -q ."
is "$(runtime_leaks)" "" "no IP reservation, bridge port, mount, cgroup, bundle or conmon is left"
stop_podfs
