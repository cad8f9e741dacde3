# SPDX-License-Identifier: Apache-2.0
# bench/pods.sh - what bench/podstart.sh and bench/burst.sh share: the one
# manifest both sides of the comparison run, a multi-document file of it,
# and two small helpers.  Sourced, not run.

# pct P: the P-th percentile of the numbers on stdin.
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
# ms_since T: milliseconds since T (microseconds from EPOCHREALTIME).
ms_since() { local e=${EPOCHREALTIME/[.,]/}; echo $(((e - $1) / 1000)); }

# manifest NAME: busybox, one container that ends on SIGTERM, no probes,
# the local image only.
manifest() {
	cat <<EOT
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    imagePullPolicy: Never
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
EOT
}

# burst_file PREFIX COUNT: COUNT of them in one multi-document file.
burst_file() {
	local i
	for i in $(seq "$2"); do
		[ "$i" -gt 1 ] && echo ---
		manifest "$1-$i"
	done
}

# wait_running PREFIX COUNT: until pods PREFIX-1..COUNT under $MNT are
# Running (wait/ reads, no fork); the bench ends if one cannot get there.
wait_running() {
	local i
	for i in $(seq "$2"); do
		if ! read -r _ <"$MNT/pods/$1-$i/wait/Running"; then
			echo "bench: pod $1-$i did not get to Running: $(cat "$MNT/pods/$1-$i/why")" >&2
			exit 1
		fi
	done
}

# stop_podfs_bench: delete the bench's pods (waiting up to 30 s for them to
# go), unmount $MNT and end podfs ($PID); for the benches' cleanup traps,
# so it is defined before they can run.
stop_podfs_bench() {
	if grep -q " $MNT fuse" /proc/mounts; then
		for p in $(ls "$MNT/pods" 2>/dev/null); do rmdir "$MNT/pods/$p" 2>/dev/null || true; done
		for _ in $(seq 300); do [ -z "$(ls "$MNT/pods" 2>/dev/null)" ] && break; sleep 0.1; done
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
}
