#!/bin/bash
# bench/runtime.sh - real containers: busybox pod create -> Running (no
# network) over N pods, with a bare `RUNTIME create` + `start` of the same
# bundle as the floor, and what a running pod costs (conmon's RSS, the
# agent's bookkeeping on disk).  A benchmark, not a test: it prints a table.
#   bench/runtime.sh [N]     (default 100; run as root, after `make images`)
set -eu
cd "$(dirname "$0")/.."
N=${1:-100}
PODFS=$PWD/podfs
T=$(mktemp -d /tmp/podfs-rtbench.XXXXXX)
MNT=$T/mnt; STATE=$T/state; mkdir -p "$MNT" "$STATE"
PID=
cleanup() {
	local d
	if grep -q " $MNT fuse" /proc/mounts; then
		for p in $(ls "$MNT/pods" 2>/dev/null); do rmdir "$MNT/pods/$p" 2>/dev/null || true; done
		for _ in $(seq 300); do [ -z "$(ls "$MNT/pods" 2>/dev/null)" ] && break; sleep 0.1; done
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
	for d in "$T"/floor/c*; do
		[ -d "$d" ] && "$RT" --root "$T/floor/root" delete -f "$(basename "$d")" >/dev/null 2>&1 || true
	done
	grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
row() { printf '%-50s %s\n' "$1" "$2"; }

"$PODFS" image import busybox build/images/busybox --state-dir "$STATE" >/dev/null
"$PODFS" "$MNT" --state-dir "$STATE" -f --leader-elect-retry-period 200ms >>"$T/podfs.log" 2>&1 &
PID=$!
for _ in $(seq 500); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.02; done
for _ in $(seq 500); do [ -n "$(ls "$MNT/nodes" 2>/dev/null)" ] && break; sleep 0.02; done
node=$(ls "$MNT/nodes")
RTV=$(awk '/containerRuntimeVersion/ {print $2}' "$MNT/nodes/$node/node.yaml")
RT=${RTV%%://*}

echo "podfs runtime benchmark: $N busybox pods, one at a time, $RTV, $(nproc) cores, $(date -u +%FT%TZ)"
rss0=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
for i in $(seq "$N"); do
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: b-%d\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    image: busybox\n    command: ["sleep", "3600"]\n' "$i" >"$MNT/pods/b-$i.yaml"
	timeout 30 cat "$MNT/pods/b-$i/wait/Running" >/dev/null
done
# stored -> Running, from each pod's own timeline (milliseconds).
for i in $(seq "$N"); do awk '$2 == "Running" {print $1}' "$MNT/pods/b-$i/timeline"; done >"$T/lat"
# sandbox ready -> container started: the runtime's part.
for i in $(seq "$N"); do
	awk '$2 == "sandbox" {s=$1} $2 == "container" && $4 == "started" {print $1 - s}' "$MNT/pods/b-$i/timeline"
done >"$T/rt"

# The floor: the same bundle (the first pod's config.json, its own cgroup
# and namespaces) through `RUNTIME create` + `RUNTIME start`, no conmon.
mkdir -p "$T/floor/root"
id1=$(cat "$MNT/pods/b-1/containers/app/id")
layers=$(sed -n 's/.*lowerdir=\([^,]*\),.*/\1/p' /proc/mounts | head -1)
for i in $(seq "$N"); do
	d=$T/floor/c$i; mkdir -p "$d/rootfs" "$d/upper" "$d/work"
	mount -t overlay overlay -o "lowerdir=$layers,upperdir=$d/upper,workdir=$d/work" "$d/rootfs"
	python3 - "$STATE/oci/containers/$id1/config.json" "$d" "$i" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
d = sys.argv[2]
c["root"]["path"] = d + "/rootfs"
c["linux"]["cgroupsPath"] = "/podfs-floor/c" + sys.argv[3]
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
c["mounts"] = [m for m in c["mounts"] if m["type"] != "bind"]
json.dump(c, open(d + "/config.json", "w"))
PY
	s=$(date +%s%N)
	"$RT" --root "$T/floor/root" create --bundle "$d" "c$i" >/dev/null 2>&1 </dev/null
	"$RT" --root "$T/floor/root" start "c$i"
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
done >"$T/floor.lat"

# RSS counts the shared C library once per monitor; PSS shares it out, which
# is what each pod really costs the machine.  Both are reported.
conmon_kb=0; conmon_pss=0; n_conmon=0
for p in $(pgrep -x conmon); do
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$STATE/" || continue
	conmon_kb=$((conmon_kb + $(awk '/VmRSS/ {print $2}' /proc/$p/status)))
	conmon_pss=$((conmon_pss + $(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)))
	n_conmon=$((n_conmon + 1))
done
rss1=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
disk=$(du -sk --exclude=upper --exclude=rootfs "$STATE/oci/containers" "$STATE/pods" "$STATE/oci/sandboxes" | awk '{s+=$1} END {print s}')

echo
row "measure" "result"
row "-------" "------"
row "pod create -> Running, p50 / p99" "$(pct 50 <"$T/lat") / $(pct 99 <"$T/lat") ms"
row "  of which sandbox ready -> started, p50 / p99" "$(pct 50 <"$T/rt") / $(pct 99 <"$T/rt") ms"
row "floor: bare $RT create + start, p50 / p99" "$(pct 50 <"$T/floor.lat") / $(pct 99 <"$T/floor.lat") ms"
row "conmon per running pod, RSS / PSS" "$(( conmon_kb / (n_conmon ? n_conmon : 1) )) / $(( conmon_pss / (n_conmon ? n_conmon : 1) )) KiB ($n_conmon monitors)"
row "podfs RSS growth per running pod" "$(( (rss1 - rss0) / N )) KiB"
row "bookkeeping on disk per pod (records, bundle)" "$(( disk / N )) KiB"

for i in $(seq "$N"); do "$RT" --root "$T/floor/root" delete -f "c$i" >/dev/null 2>&1 || true; done
rmdir /sys/fs/cgroup/*/podfs-floor 2>/dev/null || true
