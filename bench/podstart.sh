#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/podstart.sh - the full pod start against podman: busybox pods, one
# container, no probes, with a pod IP from the CNI plugins, on the same
# manifest and the same image for both.  podfs: N pods one at a time,
# create -> Running with an IP (the client's wall time, and the pods'
# timelines), then a burst of B pods copied in at once (one
# multi-document file) until all are Running.  The peer: Debian's
# `podman kube play`, M pods one at a time and a burst of MB.  The
# ratios, and a CDF plot of the per-pod latencies (gnuplot) in
# build/bench/pod-start-cdf.png.  Both run runc (crun refuses this
# hybrid-cgroup host without the hugetlb rebinding bench/runtime.sh does).
# A benchmark, not a test: it prints a table and the goals beside it.
#
#   bench/podstart.sh [N [B]]   (default 100 110; root, after `make images`)
#   PODMAN_PODS=M PODMAN_BURST=MB bench/podstart.sh   (default 30, and B)
#
# podman runs isolated from the host's podman: its own root, runroot, tmp
# dir and file locks under the bench's temp dir (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF), no search registries (CONTAINERS_REGISTRIES_CONF)
# and imagePullPolicy Never, so it never contacts a registry; the image is
# our OCI layout, pulled with the oci: transport.  Its kube network
# (podman-default-kube-network, what `kube play` attaches pods to) is
# written by the bench: podman's own bridge + host-local conflist on a
# bench bridge and subnet, without masquerade, portmap and firewall, so the
# host's firewall is not touched; podfs's network is the same plugins.
# Everything it makes (pods, containers, images, bridges, mounts, the
# blob-info cache podman writes to /var/lib/containers/cache when that was
# not there) is removed by name at the end.
set -eu
cd "$(dirname "$0")/.."
N=${1:-100}
B=${2:-110}
M=${PODMAN_PODS:-30}
MB=${PODMAN_BURST:-$B}
PODFS=$PWD/podfs
OUT=$PWD/build/bench
T=$(mktemp -d /tmp/podfs-startbench.XXXXXX)
MNT=$T/mnt; STATE=$T/state; mkdir -p "$MNT" "$STATE" "$OUT"
BR=pfbench0; CIDR=10.250.0.0/16
PBR=pfbenchpm0; PCIDR=10.251.0.0/16
PM=$T/podman
PID= HAVE_PODMAN=
# c/image keeps a blob-info cache in /var/lib/containers/cache whatever the
# storage root says; what the bench makes there goes at the end.
VLC=/var/lib/containers VLC_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
VLC_NEW= VLC_CACHE_NEW=
[ -e "$VLC" ] || VLC_NEW=1
[ -e "$VLC_CACHE" ] || VLC_CACHE_NEW=1
export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf \
	CONTAINERS_REGISTRIES_CONF=$PM/registries.conf

# pm_rm PREFIX COUNT: remove podman pods PREFIX-1..COUNT by name, four
# podman processes at a time (one removal takes podman a second or more).
pm_rm() { seq -f "$1-%g" "$2" | xargs -P 4 -n 8 podman pod rm -f -t 0 >/dev/null 2>&1 || true; }
podman_cleanup() {
	[ -n "$HAVE_PODMAN" ] && [ -d "$PM" ] || return 0
	local pods imgs
	pods=$(podman pod ps -q 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -n "$pods" ] && podman pod rm -f -t 0 $pods >/dev/null 2>&1
	imgs=$(podman images -q 2>/dev/null | sort -u) || true
	# shellcheck disable=SC2086
	[ -n "$imgs" ] && podman rmi -f $imgs >/dev/null 2>&1
	ip link del "$PBR" 2>/dev/null || true
	if [ -n "$VLC_NEW" ]; then rm -rf "$VLC"; elif [ -n "$VLC_CACHE_NEW" ]; then rm -f "$VLC_CACHE"; fi
}
cleanup() {
	stop_podfs_bench
	podman_cleanup
	grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	ip link del "$BR" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
row() { printf '%-56s %-24s %s\n' "$1" "$2" "${3:-}"; }
# Microseconds now, without a fork (bash 5).
T0=$SECONDS
say() { echo "bench: [$((SECONDS - T0)) s] $*" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }

# The one manifest both sides run, and the burst's file (bench/pods.sh).
. bench/pods.sh # (the working directory is the top of the tree)

# ---- podfs ------------------------------------------------------------------
"$PODFS" image import busybox build/images/busybox --state-dir "$STATE" >/dev/null
"$PODFS" "$MNT" --state-dir "$STATE" -f --leader-elect-retry-period 200ms --oci-runtime runc \
	--bridge "$BR" --pod-cidr "$CIDR" >>"$T/podfs.log" 2>&1 &
PID=$!
for _ in $(seq 500); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.02; done
for _ in $(seq 500); do [ -n "$(ls "$MNT/nodes" 2>/dev/null)" ] && break; sleep 0.02; done
node=$(ls "$MNT/nodes")
RTV=$(awk '/containerRuntimeVersion/ {print $2}' "$MNT/nodes/$node/node.yaml")

echo "pod start against podman: busybox pods with a CNI IP, $RTV, $(nproc) cores, $(date -u +%FT%TZ)"
LOAD=$(cut -d' ' -f1 /proc/loadavg)
echo "(load average $LOAD at the start: figures are noisy when other work loads the machine)"
say "podfs: $N pods one at a time"
# One at a time: the client's wall time from the write to the return of
# wait/Running (shell builtins only, no fork on the path).
for i in $(seq "$N"); do
	y=$(manifest "b-$i")
	s=${EPOCHREALTIME/[.,]/}
	printf '%s\n' "$y" >"$MNT/pods/b-$i.yaml"
	if ! read -r _ <"$MNT/pods/b-$i/wait/Running"; then
		echo "bench: pod b-$i did not get to Running: $(cat "$MNT/pods/b-$i/why")" >&2
		exit 1
	fi
	ms_since "$s"
done >"$T/podfs.client"
with_ip=0
for i in $(seq "$N"); do [ -n "$(cat "$MNT/pods/b-$i/ip")" ] && with_ip=$((with_ip + 1)); done
# stored -> Running, from each pod's own timeline (milliseconds).
for i in $(seq "$N"); do awk '$2 == "Running" {print $1}' "$MNT/pods/b-$i/timeline"; done >"$T/lat"
# The steps: scheduled -> sandbox ready (namespaces + CNI ADD), sandbox
# ready -> container started (bundle, RUNTIME create/start, conmon).
for i in $(seq "$N"); do
	awk '$2 == "scheduled" {c=$1} $2 == "network" {print $1 - c}' "$MNT/pods/b-$i/timeline"
done >"$T/net"
for i in $(seq "$N"); do
	awk '$2 == "sandbox" {s=$1} $2 == "container" && $4 == "started" {print $1 - s}' "$MNT/pods/b-$i/timeline"
done >"$T/rt"

# Make room (the node takes 110 pods), then the burst.
say "podfs: delete the $N pods, then a burst of $B"
s=${EPOCHREALTIME/[.,]/}
for i in $(seq "$N"); do rmdir "$MNT/pods/b-$i"; done
for i in $(seq "$N"); do { read -r _ <"$MNT/pods/b-$i/wait/Deleted"; } 2>/dev/null || true; done
del_ms=$(ms_since "$s")
burst_file burst "$B" >"$T/burst.yaml"
s=${EPOCHREALTIME/[.,]/}
cp "$T/burst.yaml" "$MNT/pods/"
wait_running burst "$B"
burst_ms=$(ms_since "$s")
burst_ip=0
for i in $(seq "$B"); do [ -n "$(cat "$MNT/pods/burst-$i/ip")" ] && burst_ip=$((burst_ip + 1)); done
for i in $(seq "$B"); do rmdir "$MNT/pods/burst-$i"; done
for i in $(seq "$B"); do { read -r _ <"$MNT/pods/burst-$i/wait/Deleted"; } 2>/dev/null || true; done

p50=$(pct 50 <"$T/podfs.client"); p99=$(pct 99 <"$T/podfs.client")
echo
row "measure" "result" "goal"
row "-------" "------" "----"
row "podfs: pod create -> Running with IP, p50 / p99 (client)" "$p50 / $p99 ms" "p50 <= 60 ms, p99 <= 150 ms"
row "  the same from the pods' timelines (stored -> Running)" "$(pct 50 <"$T/lat") / $(pct 99 <"$T/lat") ms"
row "  of which scheduled -> network ready (netns, CNI ADD)" "$(pct 50 <"$T/net") / $(pct 99 <"$T/net") ms"
row "  of which sandbox ready -> started" "$(pct 50 <"$T/rt") / $(pct 99 <"$T/rt") ms"
row "  pods Running with an IP" "$with_ip of $N"
row "delete $N running pods (rmdir each, until all gone)" "$del_ms ms"
row "podfs: burst of $B pods (one file) -> all Running" "$burst_ms ms ($burst_ip with an IP)" "<= 5 s"

fusermount3 -u "$MNT"; wait "$PID" || true; PID=
ip link del "$BR" 2>/dev/null || true

# ---- the peer: podman kube play ----------------------------------------------
if ! command -v podman >/dev/null; then
	echo
	echo "podman is not installed: no peer rows (make bench installs it from Debian)"
	exit 0
fi
HAVE_PODMAN=1
mkdir -p "$PM/cni" "$PM/tmp"
# runc and cgroupfs as on this host; ulimits below the hard limits (and
# nproc below pid_max: runc's setrlimit above it failed with EPERM here).
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] && nproc=1048576
pidmax=$(cat /proc/sys/kernel/pid_max); [ "$nproc" -gt "$pidmax" ] && nproc=$pidmax
cat >"$PM/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$((nofile / 2)):$((nofile / 2))", "nproc=$((nproc / 2)):$((nproc / 2))"]
log_driver = "k8s-file"
[network]
network_backend = "cni"
network_config_dir = "$PM/cni"
cni_plugin_dirs = ["/usr/lib/cni"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
tmp_dir = "$PM/tmp"
volume_path = "$PM/volumes"
static_dir = "$PM/root/libpod"
lock_type = "file"
EOF
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' "$PM" "$PM" >"$PM/storage.conf"
echo 'unqualified-search-registries = []' >"$PM/registries.conf"
for net in podman podman-default-kube-network; do
	cat >"$PM/cni/$net.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "$net", "plugins": [
 {"type": "bridge", "bridge": "$PBR", "isGateway": true, "ipMasq": false, "hairpinMode": true,
  "ipam": {"type": "host-local", "routes": [], "dataDir": "$PM/ipam",
           "ranges": [[{"subnet": "$PCIDR", "gateway": "${PCIDR%.0.0/16}.0.1"}]]}},
 {"type": "tuning"}]}
EOF
done
# Both networks must be ours: podman falls back to generating its own
# (masquerade, firewall rules on the host) for a conflist it cannot read.
for net in podman podman-default-kube-network; do
	if [ "$(podman network inspect "$net" --format '{{.NetworkInterface}}' 2>>"$T/podman.log")" != "$PBR" ]; then
		echo
		echo "podman does not take the bench's $net network; no peer rows:"; tail -3 "$T/podman.log"
		exit 0
	fi
done
img=$(podman pull -q "oci:$PWD/build/images/busybox:latest" 2>>"$T/podman.log" | tail -1)
podman tag "$img" localhost/busybox:latest
# The first pod builds podman's local pause image (from catatonit): once,
# before the clock runs.
manifest pm-warm >"$T/pm.yaml"
if ! podman kube play "$T/pm.yaml" >>"$T/podman.log" 2>&1; then
	echo
	echo "podman kube play failed; no peer rows:"; tail -5 "$T/podman.log"
	exit 0
fi
podman pod rm -f -t 0 pm-warm >/dev/null
PMV=$(podman version --format '{{.Client.Version}}')

say "podman: $M pods one at a time"
# One at a time: `podman kube play` returns once the pod's containers run.
for i in $(seq "$M"); do
	manifest "pm-$i" >"$T/pm.yaml"
	s=${EPOCHREALTIME/[.,]/}
	podman kube play "$T/pm.yaml" >>"$T/podman.log" 2>&1 || true # counted below
	ms_since "$s"
done >"$T/podman.client"
pm_ip=0
for i in $(seq "$M"); do
	[ "$(podman inspect "pm-$i-app" --format '{{.State.Status}}')" = running ] &&
		[ -n "$(podman inspect "pm-$i-app" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')" ] &&
		pm_ip=$((pm_ip + 1))
done
pm_rm pm "$M"

say "podman: a burst of $MB"
burst_file pmb "$MB" >"$T/pmburst.yaml"
s=${EPOCHREALTIME/[.,]/}
podman kube play "$T/pmburst.yaml" >>"$T/podman.log" 2>&1 || true
pm_burst_ms=$(ms_since "$s")
pm_burst_run=$(podman ps --filter status=running --format '{{.Names}}' | grep -c -- '^pmb-.*-app$' || true)
pm_rm pmb "$MB"

say "podman: done"
q50=$(pct 50 <"$T/podman.client"); q99=$(pct 99 <"$T/podman.client")
# A burst of a different size is compared per pod.
burst_ratio=$(awk -v a="$pm_burst_ms" -v am="$MB" -v b="$burst_ms" -v bm="$B" \
	'BEGIN {if (b > 0) printf "%.1fx", (a / am) / (b / bm); else print "-"}')
echo
row "podman $PMV kube play (runc, cgroupfs, CNI bridge)" "" ""
row "podman: pod create -> running, p50 / p99 ($M pods)" "$q50 / $q99 ms"
row "  pods running with an IP" "$pm_ip of $M"
row "podman: burst of $MB pods (one file) -> all running" "$pm_burst_ms ms ($pm_burst_run running)"
row "ratio podman / podfs, per pod p50 / p99" "$(ratio "$q50" "$p50") / $(ratio "$q99" "$p99")" ">= 8x"
row "ratio podman / podfs, burst$([ "$MB" != "$B" ] && echo ' (per pod: sizes differ)')" "$burst_ratio" ">= 10x"

# ---- the CDF plot ------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	for f in podfs podman; do
		sort -n "$T/$f.client" | awk -v n="$(wc -l <"$T/$f.client")" 'NR == 1 {print $1, 0} {print $1, NR / n}' >"$T/$f.cdf"
	done
	gnuplot <<EOF
set terminal png size 900,560
set output "$OUT/pod-start-cdf.png"
set title "pod create -> Running with an IP, one pod at a time (busybox, $(nproc) cores, load $LOAD)"
set xlabel "latency (ms, log scale)"
set ylabel "fraction of pods"
set logscale x
set grid
set key below
set yrange [0:1.02]
plot "$T/podfs.cdf" using 1:2 with steps lw 2 title "podfs ($N pods, p50 $p50 ms)", \
     "$T/podman.cdf" using 1:2 with steps lw 2 title "podman kube play ($M pods, p50 $q50 ms)"
EOF
	echo
	echo "latency CDF: $OUT/pod-start-cdf.png"
else
	echo
	echo "gnuplot is not installed: no CDF plot (make bench installs gnuplot-nox)"
fi
