#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh - podfs's figures through the real mount (optimised build).
# A benchmark, not a test: it prints a table and the goals beside it.
set -eu
cd "$(dirname "$0")/.."
B=$PWD/build/bench/podbench
PODFS=$PWD/podfs
T=$(mktemp -d /tmp/podfs-bench.XXXXXX)
MNT=$T/mnt; STATE=$T/state; mkdir -p "$MNT" "$STATE"
PID=
cleanup() {
	if grep -q " $MNT fuse" /proc/mounts; then fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; fi
	[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
	rm -rf "$T"
}
trap cleanup EXIT
mounted() { grep -q " $MNT fuse" /proc/mounts; }
start() {
	"$PODFS" "$MNT" --state-dir "$STATE" -f --no-scheduler --no-node >>"$T/podfs.log" 2>&1 &
	PID=$!
	for _ in $(seq 500); do mounted && return 0; sleep 0.02; done
	echo "bench: podfs did not mount"; cat "$T/podfs.log"; exit 1
}
row() { printf '%-52s %-26s %s\n' "$1" "$2" "$3"; }
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; }

start
echo "podfs benchmark, $(nproc) cores, $(date -u +%FT%TZ), sqlite store on $(df -T "$T" | awk 'NR==2{print $2}')"
echo
row "measure" "result" "goal"
row "-------" "------" "----"

out=$("$B" create "$MNT/pods" 1000 serial)
row "1,000 creates, one process (open/write/close)" "$(echo "$out" | field rate) creates/s" ">= 2,000 durable creates/s"
row "  latency p50 / p99" "$(echo "$out" | field p50_us) / $(echo "$out" | field p99_us) us" ""

s=$(date +%s%N)
for i in $(seq 200); do
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: cp-%d\nspec:\n  containers:\n  - name: app\n    image: busybox\n' "$i" >"$T/cp-$i.yaml"
done
s=$(date +%s%N)
for i in $(seq 200); do cp "$T/cp-$i.yaml" "$MNT/pods/"; done
e=$(date +%s%N)
row "200 creates with cp in a shell loop" "$(( 200 * 1000000000 / (e - s) )) creates/s" "(reported; includes fork+exec of cp)"

# Fill up to 10,000 pods.
have=$(ls "$MNT/pods" | wc -l)
"$B" create "$MNT/pods" $((10000 - have)) fill >/dev/null
n=$(ls "$MNT/pods" | wc -l)
row "pods stored" "$n" "10,000"

out=$("$B" cat "$MNT/pods/fill-5000/status" 20000)
row "cat pods/x/status with 10,000 pods (20,000 reads)" "p50 $(echo "$out" | field p50_us) us, p99 $(echo "$out" | field p99_us) us" "p50 <= 100 us, p99 <= 1 ms"

out=$("$B" ls "$MNT/pods" 20)
row "ls pods/ with 10,000 pods (opendir+readdir)" "p50 $(echo "$out" | field p50_ms) ms, max $(echo "$out" | field max_ms) ms" "<= 200 ms"
s=$(date +%s%N); ls "$MNT/pods" >/dev/null; e=$(date +%s%N)
row "  ls(1) itself (sorts, one run)" "$(( (e - s) / 1000000 )) ms" "<= 200 ms"

rss=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
row "podfs RSS with 10,000 pods" "$((rss / 1024)) MB ($rss kB)" "<= 40 MB"

# Start-up with 10,000 pods: unmount, remount, time until ls shows them all.
fusermount3 -u "$MNT"; wait "$PID"; PID=
s=$(date +%s%N); start; n=$(ls "$MNT/pods" | wc -l); e=$(date +%s%N)
row "mount with 10,000 stored pods until ls shows all ($n)" "$(( (e - s) / 1000000 )) ms" "(reported)"
rss=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
row "podfs RSS after a fresh mount of 10,000 pods" "$((rss / 1024)) MB" "<= 40 MB"

# Hollow nodes: 1,000 in one `podfs node` process, 10,000 pods bound to them.
fusermount3 -u "$MNT"; wait "$PID"; PID=
HS=$T/hollow; mkdir -p "$HS"
s=$(date +%s%N)
"$PODFS" node --name hollow --runtime fake --replicas 1000 --state-dir "$HS" -f >>"$T/hollow.log" 2>&1 &
NPID=$!
until grep -q registered "$T/hollow.log"; do sleep 0.01; done
e=$(date +%s%N)
row "register 1,000 hollow nodes (one process)" "$(( (e - s) / 1000000 )) ms" "(reported)"
c0=$(awk '{print $14+$15}' /proc/$NPID/stat); sleep 20; c1=$(awk '{print $14+$15}' /proc/$NPID/stat)
row "  heartbeats of 1,000 nodes (10 s interval)" "$(( (c1 - c0) * 10 / 20 )) ms CPU per second" "(reported)"
out=$("$PWD/build/bench/hollowbench" "sqlite:$HS/podfs.db" hollow 1000 10000)
row "10,000 bound pods Running on hollow nodes" "$(echo "$out" | field running_ms) ms" "(reported)"
row "  10,000 deletions finished (one delete at a time)" "$(echo "$out" | field delete_ms) ms" "(reported)"
rss=$(awk '/VmRSS/{print $2}' /proc/$NPID/status)
row "  podfs node RSS, 1,000 nodes" "$((rss / 1024)) MB" "(reported)"
kill -TERM "$NPID"; wait "$NPID"
# The scheduler on its own (in-process, sqlite store, hollow nodes stored
# directly): throughput over a backlog, then single-pod latency when idle.
out=$(build/bench/schedbench "$T/sched.db" 1000 10000 2>/dev/null)
row "scheduler: 10,000 pending pods on 1,000 nodes" "$(echo "$out" | field binds_per_s) binds/s" ">= 20,000 binds/s"
# CPU per pod (both scheduler threads and sqlite) moves much less than the
# rate when other work shares the machine.
row "  CPU per bound pod, all threads" "$(echo "$out" | field cpu_us_per_pod) us" "(load: $(cut -d' ' -f1 /proc/loadavg))"
row "scheduler: one pod on an idle cluster, create->bound" "p50 $(echo "$out" | field p50) us, p99 $(echo "$out" | field p99) us" "p99 <= 5 ms"
row "scheduler: RSS of its view after binding 10,000" "$(( $(echo "$out" | field sched_rss_kb) / 1024 )) MB (peak $(( $(echo "$out" | field sched_peak_kb) / 1024 )) MB)" "<= 50 MB"
echo; "$PWD/bench/runtime.sh" 100
echo; "$PWD/bench/podstart.sh" 100 110
