#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 50 pods created and deleted in five overlapping waves of ten (a wave is
# created while the one before it is being deleted): every pod gets an IP
# of its own while it lives, and afterwards no IP reservation (host-local's
# files), veth, netns (its bind mount), bridge port,
# conmon or container process is left.  Each kind of object is checked
# twice: by name, against what the scenario saw while the pods lived (so a
# leak cannot hide behind a name the check never learnt), and by count,
# against what existed before the first pod.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

IPAM=$STATE/cni/ipam/podfs
# host-local's own files: its lock and where its round robin stands.
reservations() { ls "$IPAM" 2>/dev/null | grep -Ev '^(last_reserved_ip(\..*)?|lock)$'; }
ports() { ls "/sys/class/net/$BRIDGE/brif" 2>/dev/null; }
netns_mounts() { awk -v s="$STATE/" 'index($2, s) == 1 && $3 == "nsfs" && $2 ~ /\/ns\/net$/ {print $2}' /proc/mounts; }
# What exists of each kind now, one "kind name" a line.
snapshot() {
	reservations | sed 's/^/reservation /'
	ports | sed 's/^/port /'
	ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print "veth " $2}'
	netns_mounts | sed 's/^/netns-mount /'
	scenario_conmons | sed 's/^/conmon /'
}
before=$(snapshot | sort)
is "$before" "" "before the first pod: no reservation, port, veth, netns mount or conmon"

starttime() { awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null; }
running() { for p in "$@"; do grep -qx Running "$PODS/$p/status" || return 1; done; }
gone() { for p in "$@"; do test ! -e "$PODS/$p" || return 1; done; }

# seen: every object the scenario saw a pod hold, "kind name" a line.
: >"$T/seen"
prev=() ips_ok=0 ips_distinct=0 sizes_ok=0
for w in 1 2 3 4 5; do
	wave=()
	for i in $(seq 10); do
		p=w$w-$i
		wave+=("$p")
		sleeper_yaml "$p" | "$FSOP" write "$PODS/$p.yaml" >/dev/null
		remember_uid "$p"
	done
	[ ${#prev[@]} -gt 0 ] && rm -r "${prev[@]/#/$PODS/}"
	if ! wait_until 60 running "${wave[@]}"; then
		fail "wave $w: 10 pods Running"
		for p in "${wave[@]}"; do echo "# $p: $(cat "$PODS/$p/status" 2>&1)"; done
		exit 1
	fi
	ips=$(for p in "${wave[@]}"; do cat "$PODS/$p/ip"; done)
	[ "$(echo "$ips" | grep -c '^10\.')" = 10 ] && ips_ok=$((ips_ok + 1))
	[ "$(echo "$ips" | sort -u | wc -l)" = 10 ] && ips_distinct=$((ips_distinct + 1))
	# What the wave holds: its reservations, ports, veths, netns mounts,
	# conmons and container processes (pid and start time, so that a pid
	# the host reuses meanwhile is not taken for a leak).
	now=$(snapshot)
	echo "$now" >>"$T/seen"
	for p in "${wave[@]}"; do
		id=$(cfield "$p" app id)
		pid=$(cat "$STATE/oci/containers/$id/pid")
		echo "pid $pid:$(starttime "$pid")"
	done >>"$T/seen"
	# Once the previous wave is gone, the detectors see exactly ten of each.
	wait_until 60 gone "${prev[@]}"
	counts=$(snapshot | awk '{print $1}' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
	[ "$counts" = "conmon=10 netns-mount=10 port=10 reservation=10 veth=10 " ] && sizes_ok=$((sizes_ok + 1))
	[ "$counts" = "conmon=10 netns-mount=10 port=10 reservation=10 veth=10 " ] || echo "# wave $w holds: $counts"
	prev=("${wave[@]}")
done
is "$ips_ok" 5 "every pod of the five waves has an IP"
is "$ips_distinct" 5 "the ten pods of each wave have ten distinct IPs"
is "$sizes_ok" 5 "each wave alone holds ten reservations, ports, veths, netns mounts and conmons"
is "$(sort -u "$T/seen" | grep -c '^pid ')" 50 "50 container processes were seen"

rm -r "${prev[@]/#/$PODS/}"
check "all 50 pods deleted" -- wait_until 60 sh -c "! ls '$PODS' | grep -q ."
after=$(snapshot | sort)
is "$after" "$before" "after: the same reservations, ports, veths, netns mounts and conmons as before (none)"

# By name: nothing the pods held is still there.
left=$(sort -u "$T/seen" | while read -r kind name; do
	case $kind in
	reservation) [ -e "$IPAM/$name" ] && echo "reservation $name" ;;
	port) [ -e "/sys/class/net/$BRIDGE/brif/$name" ] && echo "bridge port $name" ;;
	veth) ip link show "$name" >/dev/null 2>&1 && echo "veth $name" ;;
	netns-mount) grep -qF " $name nsfs" /proc/mounts && echo "netns mount $name" ;;
	conmon) [ -d "/proc/$name" ] && grep -qF -- "$STATE/" "/proc/$name/cmdline" 2>/dev/null && echo "conmon $name" ;;
	pid) [ -n "$(starttime "${name%:*}")" ] && [ "$(starttime "${name%:*}")" = "${name#*:}" ] &&
		echo "process ${name%:*} ($(tr '\0' ' ' <"/proc/${name%:*}/cmdline" 2>/dev/null))" ;;
	esac
done)
is "$left" "" "none of the reservations, ports, veths, netns mounts, conmons or processes seen is left"
is "$(runtime_leaks)" "" "no IP reservation, bridge port, mount, cgroup, bundle or conmon is left"
stop_podfs
