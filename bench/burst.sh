#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/burst.sh - podfs's side of bench/podstart.sh's burst alone, a few
# times: B busybox pods copied in at once (one multi-document file) until
# all are Running, then deleted.  Per round: the burst's wall time, the
# pods' own stored -> Running p50/p99 (timelines), and how many pods were
# starting at the same moment at most (sandbox ready .. container started
# intervals that overlap).  The median over the rounds closes the table.
# A benchmark, not a test: the machine may be shared, so say so beside it.
#
#   bench/burst.sh [B [ROUNDS]]   (default 110 3; root, after `make images`)
#   BENCH_BRIDGE, BENCH_CIDR   bridge and pod subnet (default pfburst0,
#                              10.249.0.0/16)
set -eu
cd "$(dirname "$0")/.."
B=${1:-110}
ROUNDS=${2:-3}
PODFS=${PODFS:-$PWD/podfs} # another build: PODFS=path
T=$(mktemp -d /tmp/podfs-burst.XXXXXX)
MNT=$T/mnt STATE=$T/state
mkdir -p "$MNT" "$STATE"
BR=${BENCH_BRIDGE:-pfburst0}
CIDR=${BENCH_CIDR:-10.249.0.0/16}
PID=
cleanup() {
	stop_podfs_bench
	grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	ip link del "$BR" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
. bench/pods.sh # (the working directory is the top of the tree)

"$PODFS" image import busybox build/images/busybox --state-dir "$STATE" >/dev/null
"$PODFS" "$MNT" --state-dir "$STATE" -f --oci-runtime runc --bridge "$BR" --pod-cidr "$CIDR" \
	>>"$T/podfs.log" 2>&1 &
PID=$!
for _ in $(seq 500); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.02; done
for _ in $(seq 500); do [ -n "$(ls "$MNT/nodes" 2>/dev/null)" ] && break; sleep 0.02; done
burst_file burst "$B" >"$T/burst.yaml"

echo "burst of $B pods, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at the start"
printf '%-6s %-10s %-22s %s\n' round burst "p50 / p99 (timelines)" "most starting at once"
for r in $(seq "$ROUNDS"); do
	s=${EPOCHREALTIME/[.,]/}
	cp "$T/burst.yaml" "$MNT/pods/"
	wait_running burst "$B"
	ms=$(ms_since "$s")
	for i in $(seq "$B"); do awk '$2 == "Running" {print $1}' "$MNT/pods/burst-$i/timeline"; done >"$T/lat"
	# +1 at each sandbox ready, -1 at each container started: the pods
	# of one file are stored in one transaction, so their timelines'
	# offsets share an origin.
	for i in $(seq "$B"); do
		awk '$2 == "sandbox" {print $1, 1} $2 == "container" && $4 == "started" {print $1, -1}' \
			"$MNT/pods/burst-$i/timeline"
	done | sort -n -k1,1 -k2,2n | awk '{c += $2; if (c > m) m = c} END {print m + 0}' >"$T/conc"
	printf '%-6s %-10s %-22s %s\n' "$r" "$ms ms" "$(pct 50 <"$T/lat") / $(pct 99 <"$T/lat") ms" "$(cat "$T/conc")"
	echo "$ms $(pct 50 <"$T/lat")" >>"$T/rounds"
	for i in $(seq "$B"); do rmdir "$MNT/pods/burst-$i"; done
	for i in $(seq "$B"); do { read -r _ <"$MNT/pods/burst-$i/wait/Deleted"; } 2>/dev/null || true; done
done
printf '%-6s %-10s %s\n' median "$(awk '{print $1}' "$T/rounds" | pct 50) ms" \
	"p50 $(awk '{print $2}' "$T/rounds" | pct 50) ms"
