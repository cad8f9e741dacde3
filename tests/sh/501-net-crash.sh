#!/bin/bash
# kill -9 of podfs while pods are being networked, then a restart: every pod
# ends Running with one IP of its own, one IP reservation per pod and one
# bridge port per pod; a reservation of a sandbox that no longer exists is
# freed at start-up, and so is a container directory without its record;
# deleting the pods leaves nothing behind.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

PODS_N=$(seq -f 'p%g' 8 | tr '\n' ' ')
for p in $PODS_N; do
	cat <<EOT | "$FSOP" write "$PODS/$p.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $p}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
EOT
	remember_uid "$p"
done
# Crash once the first pods have IPs and others are still on their way.
wait_until 20 sh -c "ls '$STATE/cni/ipam/podfs' 2>/dev/null | grep -q '^10\\.'"
kill9_podfs
reserved=$(ls "$STATE/cni/ipam/podfs" | grep -c '^10\.')
pass "podfs killed with $reserved IP(s) reserved"
# A reservation no sandbox holds (as a crash between ADD and the sandbox's
# record leaves): freed at start-up.
net=${POD_CIDR%.0/24}
printf '%064d\neth0' 0 >"$STATE/cni/ipam/podfs/$net.250"
# A container directory without its record (a crash between the two):
# removed at start-up.
stray=$STATE/oci/containers/$(printf '%064d' 1)
mkdir -p "$stray/rootfs" "$stray/upper"

start_podfs_oci
check "all 8 pods Running after the restart" -- wait_until 60 sh -c "for p in $PODS_N; do grep -qx Running '$PODS/'\$p/status || exit 1; done"
ips=$(for p in $PODS_N; do cat "$PODS/$p/ip"; echo; done | grep . | sort)
is "$(echo "$ips" | grep -c "^${net//./\\.}\\.")" "8" "each pod has an IP in $POD_CIDR"
is "$(echo "$ips" | sort -u | wc -l)" "8" "the 8 IPs are distinct"
res=$(ls "$STATE/cni/ipam/podfs" | grep '^10\.' | sort)
is "$res" "$ips" "the IP reservations are exactly the pods' IPs"
check "the orphan reservation is freed" -- test ! -e "$STATE/cni/ipam/podfs/$net.250"
check "the container directory without a record is removed" -- test ! -e "$stray"
is "$(ip -o link show master "$BRIDGE" | wc -l)" "8" "one bridge port per pod"
# A container created beside the ADD of a sandbox the crash left half-made
# goes with that sandbox: every container's sandbox exists.
orphans=0
for r in "$STATE"/oci/containers/*/record.json; do
	sid=$(sed -n 's/^ *"sandbox_id": "\([0-9a-f]*\)".*/\1/p' "$r")
	[ -e "$STATE/oci/sandboxes/$sid" ] || orphans=$((orphans + 1))
done
is "$orphans" "0" "no container is left of a half-made sandbox"
ok=0
for p in $PODS_N; do
	pid=$(cat "$STATE/oci/containers/$(cfield "$p" app id)/pid")
	got=$(nsenter -t "$pid" -n ip -4 -o addr show eth0 | awk '{print $4}')
	[ "$got" = "$(cat "$PODS/$p/ip")/24" ] && ok=$((ok + 1))
done
is "$ok" "8" "each pod's eth0 holds the IP its status reports"

for p in $PODS_N; do rmdir "$PODS/$p"; done
check "all pods deleted" -- wait_until 30 sh -c "! ls '$PODS' | grep -q ."
is "$(runtime_leaks)" "" "no IP reservation, bridge port, mount, cgroup or bundle is left"
stop_podfs
