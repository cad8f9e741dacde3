#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/runtime.sh - real containers: busybox pod create -> Running over N
# pods, with a bare `RUNTIME create` + `start` of the same bundle as the
# floor, and what a running pod costs (conmon's RSS, the agent's
# bookkeeping on disk); once with runc and once with crun.  A benchmark,
# not a test: it prints a table.
#   bench/runtime.sh [N] [RUNTIME[/none]...]   (default 100 runc crun
#       crun/none; /none: --network none, the figure's "no network step";
#       run as root, after `make images`)
#
# crun refuses hybrid cgroup hosts whose v2 mount holds a controller (here
# hugetlb).  For the crun rows the bench binds hugetlb to a v1 hierarchy of
# its own, says so, and gives it back to cgroup v2 on any exit (as test 405
# does), so the host ends as it began.
set -eu
cd "$(dirname "$0")/.."
N=${1:-100}
shift || true
RUNTIMES=${*:-runc crun crun/none}
PODFS=${PODFS:-$PWD/podfs}
# PODFS=BINARY compares another build back to back.  The pods get a
# bridge and /24 of the bench's own, removed at the end (never podfs0, the
# node's default, which would stay behind); PODFS_TEST_NET=K moves them
# (as tests/run.sh does), so that benches of several worktrees do not meet.
BENCH_BR=pf${PODFS_TEST_NET:-}rtbench
NETOPT=(--bridge "$BENCH_BR" --pod-cidr "10.$((244 - ${PODFS_TEST_NET:-0})).250.0/24")
T=$(mktemp -d /tmp/podfs-rtbench.XXXXXX)
V2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
V2_BEFORE=$(cat "$V2/cgroup.controllers" 2>/dev/null || true)
HUGE=
PID= MNT= STATE= RT= FLOOR=

# Stop the current run: its pods, podfs, the floor's containers and mounts.
stop_run() {
	local d p
	if [ -n "$MNT" ] && grep -q " $MNT fuse" /proc/mounts; then
		for p in $(ls "$MNT/pods" 2>/dev/null); do rmdir "$MNT/pods/$p" 2>/dev/null || true; done
		for _ in $(seq 300); do [ -z "$(ls "$MNT/pods" 2>/dev/null)" ] && break; sleep 0.1; done
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
	PID=
	if [ -n "$FLOOR" ]; then
		for d in "$FLOOR"/c*; do
			[ -d "$d" ] && "$RT" --root "$FLOOR/root" delete -f "$(basename "$d")" >/dev/null 2>&1 || true
		done
	fi
	grep -F " $T/" /proc/mounts | awk '{print $2}' | grep -v "^$T/hugetlb$" | sort -r |
		while read -r m; do umount -l "$m"; done
	rmdir /sys/fs/cgroup/*/podfs-floor "$T"/hugetlb/podfs-floor 2>/dev/null || true
	FLOOR=
}

# Give hugetlb back to cgroup v2: the hierarchy goes once its last cgroup
# does, and the kernel frees it asynchronously.
unbind_hugetlb() {
	[ -n "$HUGE" ] || return 0
	find "$HUGE" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null || true
	umount "$HUGE" || umount -l "$HUGE"
	for _ in $(seq 1500); do [ "$(cat "$V2/cgroup.controllers")" = "$V2_BEFORE" ] && break; sleep 0.02; done
	if [ "$(cat "$V2/cgroup.controllers")" = "$V2_BEFORE" ]; then
		echo "bench: host restored: hugetlb is back on cgroup v2 ($V2/cgroup.controllers: $V2_BEFORE)"
	else
		echo "bench: WARNING: $V2/cgroup.controllers is '$(cat "$V2/cgroup.controllers")', was '$V2_BEFORE'"
	fi
	HUGE=
}

cleanup() {
	stop_run
	unbind_hugetlb
	ip link del "$BENCH_BR" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# bind_hugetlb: make crun able to run here, announced; 1 when it cannot.
bind_hugetlb() {
	[ -z "$V2_BEFORE" ] && return 0 # pure v1 or nothing on v2: crun runs as is
	if [ "$V2_BEFORE" != hugetlb ] || awk '$3 == "cgroup"' /proc/mounts | grep -q hugetlb; then
		echo "bench: crun rows skipped: cgroup v2 holds '$V2_BEFORE', not only hugetlb"
		return 1
	fi
	HUGE=$T/hugetlb
	mkdir -p "$HUGE"
	echo "bench: for the crun rows this bench changes the host for its duration: it binds the"
	echo "bench: hugetlb cgroup controller to a v1 hierarchy at $HUGE (crun refuses hybrid"
	echo "bench: hosts with a controller on v2) and gives it back to v2 when it ends, on any exit"
	mount -t cgroup -o hugetlb none "$HUGE"
	[ -z "$(cat "$V2/cgroup.controllers")" ]
}

pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
row() { printf '%-52s %-28s %s\n' "$1" "$2" "$3"; }

# measure RUNTIME[/none]: one podfs with --oci-runtime RUNTIME (and
# --network none), N pods, the floor.
measure() {
	local want=${1%/*} net=cni i id1 layers d s e node rtv
	[ "$1" != "${1%/none}" ] && net=none
	local R=$T/$want-$net
	MNT=$R/mnt STATE=$R/state FLOOR=$R/floor
	mkdir -p "$MNT" "$STATE" "$FLOOR/root"
	"$PODFS" image import busybox build/images/busybox --state-dir "$STATE" >/dev/null
	"$PODFS" "$MNT" --state-dir "$STATE" -f --oci-runtime "$want" --network "$net" "${NETOPT[@]}" \
		--leader-elect-retry-period 200ms >>"$R/podfs.log" 2>&1 &
	PID=$!
	for _ in $(seq 500); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.02; done
	for _ in $(seq 500); do [ -n "$(ls "$MNT/nodes" 2>/dev/null)" ] && break; sleep 0.02; done
	node=$(ls "$MNT/nodes")
	rtv=$(awk '/containerRuntimeVersion/ {print $2}' "$MNT/nodes/$node/node.yaml")
	RT=${rtv%%://*}
	if [ "$RT" != "$want" ]; then
		echo "bench: podfs runs $rtv, not $want:"; grep -i "$want" "$R/podfs.log" | tail -3
		stop_run; return 0
	fi

	local rss0; rss0=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
	for i in $(seq "$N"); do
		printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: b-%d\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    image: busybox\n    command: ["sleep", "3600"]\n' "$i" >"$MNT/pods/b-$i.yaml"
		timeout 30 cat "$MNT/pods/b-$i/wait/Running" >/dev/null
	done
	# stored -> Running, and its steps, from each pod's own timeline (ms).
	for i in $(seq "$N"); do
		awk '{t[$2 ($2 == "container" ? " " $4 : "")] = $1}
		     END {s = t["stored"]; n = ("network" in t) ? t["network"] : t["sandbox"]
		          c = t["container created"]; both = c > n ? c : n
		          print t["Running"] - s, t["scheduled"] - s,
		          t["sandbox"] - t["scheduled"], n - t["sandbox"],
		          c - t["sandbox"], t["container started"] - both,
		          t["Running"] - t["container started"]}' "$MNT/pods/b-$i/timeline"
	done >"$R/steps"

	# The floor: the same bundle (the first pod's config.json, its own
	# cgroup and namespaces) through `RUNTIME create` + `start`, no conmon.
	id1=$(cat "$MNT/pods/b-1/containers/app/id")
	layers=$(grep -F " $STATE/" /proc/mounts | sed -n 's/.*lowerdir=\([^,]*\),.*/\1/p' | head -1)
	for i in $(seq "$N"); do
		d=$FLOOR/c$i; mkdir -p "$d/rootfs" "$d/upper" "$d/work"
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
		"$RT" --root "$FLOOR/root" create --bundle "$d" "c$i" >/dev/null 2>&1 </dev/null
		"$RT" --root "$FLOOR/root" start "c$i"
		e=$(date +%s%N)
		echo $(((e - s) / 1000000))
	done >"$R/floor.lat"

	# RSS counts the shared C library once per monitor; PSS shares it out,
	# which is what each pod really costs the machine.  Both are reported.
	local conmon_kb=0 conmon_pss=0 n_conmon=0 p rss1 disk
	for p in $(pgrep -x conmon); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$STATE/" || continue
		conmon_kb=$((conmon_kb + $(awk '/VmRSS/ {print $2}' /proc/$p/status)))
		conmon_pss=$((conmon_pss + $(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)))
		n_conmon=$((n_conmon + 1))
	done
	rss1=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
	disk=$(du -sk --exclude=upper --exclude=rootfs "$STATE/oci/containers" "$STATE/pods" "$STATE/oci/sandboxes" 2>/dev/null | awk '{s+=$1} END {print s}')

	col() { awk -v c="$1" '{print $c}' "$R/steps" | pct "$2"; }
	echo
	echo "$rtv, network $net: $N busybox pods, one at a time"
	row "pod create -> Running, p50 / p99" "$(col 1 50) / $(col 1 99) ms" "p50 <= 40 ms, p99 <= 100 ms"
	row "floor: bare $RT create + start, p50 / p99" "$(pct 50 <"$R/floor.lat") / $(pct 99 <"$R/floor.lat") ms" "(the floor)"
	row "  steps, p50 / p99: stored -> scheduled" "$(col 2 50) / $(col 2 99) ms" ""
	row "    scheduled -> sandbox ready (namespaces)" "$(col 3 50) / $(col 3 99) ms" ""
	row "    sandbox -> network ready (CNI ADD)" "$(col 4 50) / $(col 4 99) ms" "beside the next"
	row "    sandbox -> container created (conmon+create)" "$(col 5 50) / $(col 5 99) ms" "beside the previous"
	row "    created and network ready -> started" "$(col 6 50) / $(col 6 99) ms" ""
	row "    container started -> Running (stored)" "$(col 7 50) / $(col 7 99) ms" ""
	row "conmon per running pod, RSS / PSS" "$((conmon_kb / (n_conmon ? n_conmon : 1))) / $((conmon_pss / (n_conmon ? n_conmon : 1))) KiB ($n_conmon)" "<= 2 MB with podfs'"
	row "podfs RSS growth per running pod" "$(((rss1 - rss0) / N)) KiB" ""
	row "bookkeeping on disk per pod (records, bundle)" "$((disk / N)) KiB" ""
	stop_run
}

echo "podfs runtime benchmark: $N busybox pods per runtime, $(nproc) cores, $(date -u +%FT%TZ)"
for rt in $RUNTIMES; do
	if ! command -v "${rt%/*}" >/dev/null; then echo "bench: ${rt%/*} is not installed"; continue; fi
	if [ "${rt%/*}" = crun ] && [ -z "$HUGE" ] && ! bind_hugetlb; then continue; fi
	measure "$rt"
done
unbind_hugetlb
