# SPDX-License-Identifier: Apache-2.0
# tests/sh/lib.sh - what every shell scenario shares: its own state dir,
# mount point and store; TAP assertions; polling waits with deadlines; one
# EXIT trap that unmounts, stops what the scenario started and deletes what
# it made, even when the scenario fails.
set -u

T=$(mktemp -d "${PODFS_TEST_ROOT:-/tmp}/podfs-t.XXXXXX")
MNT=$T/mnt
STATE=$T/state
PODS=$MNT/pods
mkdir -p "$MNT" "$STATE"
_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PODFS=${PODFS_BIN:-$_top/${PODFS_BUILD:-build}/podfs}
FSOP=${FSOP:-$_top/${PODFS_BUILD:-build}/tests/tools/fsop}
PODFS_PID=
_tap_n=0
_tap_failed=0
_cleanups=()
_late_cleanups=() # run after podfs and the nodes are stopped


pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }

# check DESCRIPTION -- COMMAND...: passes when COMMAND exits 0.
check() {
	local desc=$1; shift; [ "$1" = -- ] && shift
	if "$@"; then pass "$desc"; else fail "$desc (command: $*)"; fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else
		fail "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2"; fi
}

# like GOT REGEX DESCRIPTION
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then pass "$3"; else
		fail "$3"; printf '#   got:  %s\n#   want (regex): %s\n' "$1" "$2"; fi
}

# wait_until SECONDS COMMAND...: poll COMMAND every 20 ms until it succeeds
# or the deadline passes (status 1).
wait_until() {
	local secs=$1; shift
	local deadline=$(( $(date +%s%N) + secs * 1000000000 ))
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s%N)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

is_mounted() { grep -q " $MNT fuse" /proc/mounts; }

# parked PID...: every PID sleeps in the kernel waiting for an answer from a
# FUSE filesystem (a read parked by podfs; its open has been answered, since
# one thread dispatches requests in the order they came).  Poll it with
# wait_until instead of sleeping and hoping the readers got there.
parked() {
	local p
	for p; do grep -q request_wait_answer "/proc/$p/stack" 2>/dev/null || return 1; done
}

# start_podfs [EXTRA OPTIONS...]: mount podfs in the foreground, in the background.
start_podfs() {
	"$PODFS" "$MNT" --state-dir "$STATE" -f --no-scheduler --no-node "$@" \
		>>"$T/podfs.log" 2>&1 &
	PODFS_PID=$!
	if ! wait_until 20 is_mounted; then
		fail "podfs mounted on $MNT"; cat "$T/podfs.log" | sed 's/^/# /'
		exit 1
	fi
}

# start_podfs_sched [EXTRA OPTIONS...]: the same with the scheduler running
# (short lease timers, so a scenario need not wait for the defaults).
start_podfs_sched() {
	"$PODFS" "$MNT" --state-dir "$STATE" -f --no-node \
		--leader-elect-retry-period 200ms --leader-elect-lease-duration 2s "$@" \
		>>"$T/podfs.log" 2>&1 &
	PODFS_PID=$!
	if ! wait_until 20 is_mounted; then
		fail "podfs mounted on $MNT"; cat "$T/podfs.log" | sed 's/^/# /'
		exit 1
	fi
}

# stop_podfs: unmount as a user would and check podfs exited cleanly (under
# ASan, a leak makes it exit 66).
stop_podfs() {
	[ -n "$PODFS_PID" ] || return 0
	fusermount3 -u "$MNT" 2>/dev/null || umount "$MNT" 2>/dev/null
	local rc=0
	wait "$PODFS_PID" || rc=$?
	PODFS_PID=
	if [ "$rc" -eq 0 ]; then pass "podfs exited cleanly after unmount"
	else
		fail "podfs exited with status $rc after unmount"
		# A sanitizer report starts with ERROR:; show its head, not the tail.
		if grep -q 'ERROR: ' "$T/podfs.log"; then grep -A60 -m1 'ERROR: ' "$T/podfs.log"
		else grep -v '^$' "$T/podfs.log" | tail -40; fi | sed 's/^/# /'
	fi
}

# start_node NAME [OPTIONS...]: a `podfs node` process on the scenario's
# store, in the foreground, in the background; its pid in NODE_PIDS[NAME].
declare -A NODE_PIDS=()
STORE_URI=sqlite:$STATE/podfs.db
start_node() {
	local name=$1; shift
	"$PODFS" node --name "$name" --store "$STORE_URI" --state-dir "$STATE" -f "$@" \
		>>"$T/node-$name.log" 2>&1 &
	NODE_PIDS[$name]=$!
}

# stop_node NAME: SIGTERM, and check the agent stopped cleanly (exit 0; under
# ASan a leak would make it 66).
stop_node() {
	local pid=${NODE_PIDS[$1]:-} rc=0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	unset "NODE_PIDS[$1]"
	if [ "$rc" -eq 0 ]; then pass "podfs node $1 stopped cleanly on SIGTERM"
	else fail "podfs node $1 exited with status $rc"; tail -20 "$T/node-$1.log" | sed 's/^/# /'; fi
}

# kill9_node NAME: crash a node agent.
kill9_node() {
	local pid=${NODE_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	unset "NODE_PIDS[$1]"
}

# kill9_podfs: crash podfs; the kernel keeps a dead mount until unmounted.
kill9_podfs() {
	[ -n "$PODFS_PID" ] || return 0
	kill -9 "$PODFS_PID" 2>/dev/null
	wait "$PODFS_PID" 2>/dev/null
	PODFS_PID=
	umount -l "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	wait_until 10 sh -c "! grep -q ' $MNT fuse' /proc/mounts"
}

on_exit() {
	local rc=$?
	for c in "${_cleanups[@]}"; do eval "$c" || true; done
	for n in "${!NODE_PIDS[@]}"; do
		kill "${NODE_PIDS[$n]}" 2>/dev/null; wait "${NODE_PIDS[$n]}" 2>/dev/null
	done
	if [ -n "$PODFS_PID" ]; then
		kill "$PODFS_PID" 2>/dev/null; wait "$PODFS_PID" 2>/dev/null
	fi
	if grep -q " $MNT fuse" /proc/mounts; then umount -l "$MNT" 2>/dev/null; fi
	for c in "${_late_cleanups[@]}"; do eval "$c" || true; done
	if [ "$_tap_failed" -gt 0 ] && [ -f "$T/podfs.log" ]; then
		echo "# podfs log:"; tail -30 "$T/podfs.log" | sed 's/^/# /'
	fi
	rm -rf "$T"
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ] && exit "$rc"
	exit 1
}
trap on_exit EXIT

# A pod manifest with the given name and image (kubectl run's shape).
pod_yaml() {
	cat <<EOT
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels:
    run: $1
spec:
  containers:
  - name: ${3:-app}
    image: ${2:-busybox}
    command: ["sh", "-c", "echo hello; sleep 3600"]
EOT
}

# submit NAME [IMAGE]: write a pod manifest into pods/ and print fsop's verdict
submit() { pod_yaml "$@" | "$FSOP" write "$PODS/$1.yaml"; }

# node_yaml NAME CPU MEMORY [LABELS k=v,...] [TAINTS k[=v]:Effect,...] [READY]:
# a Node object as a node agent registers it, heartbeat now.
node_yaml() {
	local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	printf 'apiVersion: v1\nkind: Node\nmetadata:\n  labels:\n    kubernetes.io/hostname: %s\n' "$1"
	if [ -n "${4:-}" ]; then for kv in ${4//,/ }; do echo "    ${kv%%=*}: \"${kv#*=}\""; done; fi
	echo "  name: $1"
	if [ -n "${5:-}" ]; then
		printf 'spec:\n  taints:\n'
		for t in ${5//,/ }; do
			local kv=${t%%:*} e=${t#*:}
			printf '  - effect: %s\n    key: %s\n' "$e" "${kv%%=*}"
			[ "$kv" != "${kv#*=}" ] && echo "    value: ${kv#*=}"
		done
	fi
	printf 'status:\n'
	for f in allocatable capacity; do
		printf '  %s:\n    cpu: "%s"\n    memory: %s\n    pods: "110"\n' "$f" "$2" "$3"
	done
	printf '  conditions:\n  - lastHeartbeatTime: "%s"\n    lastTransitionTime: "%s"\n' "$now" "$now"
	printf '    message: kubelet is posting ready status\n    reason: KubeletReady\n'
	printf '    status: "%s"\n    type: Ready\n' "${6:-True}"
}

# add_node URI NAME CPU MEMORY [LABELS] [TAINTS] [READY]: store a Node.
add_node() {
	local uri=$1; shift
	node_yaml "$@" | "$(dirname "$FSOP")/storectl" "$uri" put "/registry/minions/$1"
}

# ---- real containers (the oci runtime) --------------------------------------

# import_images [NAME...]: the default images (make images) into the
# scenario's store.
import_images() {
	local i
	for i in "${@:-busybox}"; do
		"$PODFS" image import "$i" "$_top/build/images/$i" --state-dir "$STATE" >/dev/null ||
			{ fail "import image $i"; exit 1; }
	done
}

# sleeper_yaml NAME [COMMAND]: a busybox pod (grace period 1 s) that sleeps
# until SIGTERM, which it honours at once, for scenarios that start many;
# COMMAND (a YAML list) replaces what it runs, e.g. '["sleep", "3600"]', a
# PID 1 that ignores SIGTERM.
sleeper_yaml() {
	local cmd=${2:-}
	[ -n "$cmd" ] || cmd='["sh", "-c", "trap '"'exit 0'"' TERM; sleep 3600 & wait"]'
	cat <<EOT
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: $cmd
EOT
}

# hog_yaml NAME: a pod whose container reads 400 MB through a 32 MiB
# memory limit, so the kernel's OOM killer ends it (restartPolicy Never).
hog_yaml() {
	cat <<EOT
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "head -c 400000000 /dev/zero | tail"]
    resources:
      limits: {memory: 32Mi}
EOT
}

# The scenario's own pod network (its number NNN picks both): bridge
# pfbrNNN, pods in 10.244.<NNN mod 256>.0/24.  runtime_cleanup removes it.
# PODFS_TEST_NET=K (1-9) moves a whole run to bridges pfKbNNN and
# 10.<244-K>.0.0/16, so two runs (two work trees) can share a host.
_scn=$(basename "$0" | grep -Eo '^[0-9]+' || echo 0)
_net=${PODFS_TEST_NET:-0}
if [ "$_net" = 0 ]; then BRIDGE=pfbr$_scn; else BRIDGE=pf${_net}b$_scn; fi
POD_CIDR=10.$((244 - _net)).$((10#$_scn % 256)).0/24

# start_podfs_oci [EXTRA OPTIONS...]: all in one (API, scheduler, a node
# agent running real containers on the scenario's bridge), short lease
# timers and back-off.
start_podfs_oci() {
	_late_cleanups+=("runtime_cleanup")
	# In a working directory of its own: nothing podfs or its children
	# run may write there (runtime_leaks looks).
	mkdir -p "$T/cwd"
	(cd "$T/cwd" && exec "$PODFS" "$MNT" --state-dir "$STATE" -f \
		--leader-elect-retry-period 200ms --leader-elect-lease-duration 2s \
		--bridge "$BRIDGE" --pod-cidr "$POD_CIDR" \
		--crash-backoff-base 300ms "$@") >>"$T/podfs.log" 2>&1 &
	PODFS_PID=$!
	if ! wait_until 20 is_mounted; then
		fail "podfs mounted on $MNT"; sed 's/^/# /' "$T/podfs.log"
		exit 1
	fi
}

# The pids of the conmon monitors working for this scenario's state dir.
scenario_conmons() {
	local p
	for p in $(pgrep -x conmon 2>/dev/null); do
		# A conmon that exits meanwhile has no cmdline left to read.
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q -- "$STATE/" && echo "$p"
	done
}

# runtime_leaks: print what the runtime left behind (mounts under the state
# dir, pod cgroups, monitors, bundles); nothing when clean.
runtime_leaks() {
	grep -F " $STATE/" /proc/mounts | awk '{print "mount " $2}'
	local uid
	for uid in $(ls "$STATE/pods" 2>/dev/null); do echo "sandbox dir $uid"; done
	for uid in $(cat "$T"/uids 2>/dev/null); do
		ls -d /sys/fs/cgroup/*/podfs/"$uid" 2>/dev/null | sed 's/^/cgroup /'
	done
	ls "$STATE/oci/containers" 2>/dev/null | sed 's/^/bundle /'
	scenario_conmons | sed 's/^/conmon pid /'
	ls "$STATE/cni/ipam/podfs" 2>/dev/null | grep -Ev '^(last_reserved_ip|lock)' | sed 's/^/ip reservation /'
	ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print "bridge port " $2}'
	ls -A "$T/cwd" 2>/dev/null | sed 's/^/file in the working directory /'
}

# remember_uid POD: note a pod's uid so runtime_leaks can look for its cgroups.
remember_uid() { awk '/^  uid:/ {print $2; exit}' "$PODS/$1/pod.yaml" >>"$T/uids"; }

# runtime_cleanup: the EXIT trap's part: kill and delete whatever containers
# the scenario left (even when podfs died), unmount, remove cgroups.
runtime_cleanup() {
	local d p
	for d in "$STATE"/oci/containers/*/; do
		[ -f "$d/pid" ] && kill -9 "$(cat "$d/pid")" 2>/dev/null
	done
	for p in $(scenario_conmons); do kill -9 "$p" 2>/dev/null; done
	for d in "$STATE"/oci/containers/*/; do
		[ -d "$d" ] && runc --root "$STATE/oci/runtime-root" delete --force "$(basename "$d")" >/dev/null 2>&1
	done
	grep -F " $STATE/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	for uid in $(ls "$STATE/pods" 2>/dev/null) $(cat "$T"/uids 2>/dev/null); do
		for d in /sys/fs/cgroup/*/podfs/"$uid"; do
			[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
	rmdir /sys/fs/cgroup/*/podfs 2>/dev/null
	ip link del "$BRIDGE" 2>/dev/null
	return 0
}

# cfield POD CONTAINER FILE: containers/<c>/<file>
cfield() { cat "$PODS/$1/containers/$2/$3" 2>/dev/null; }
