#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pod networking through the real CNI plugins (bridge + host-local,
# loopback) on the scenario's own bridge and /24: a pod gets an IP in the
# CIDR, shown in its ip file and podIP/podIPs, with a "network ready" step;
# the node reaches a busybox httpd in it, two pods reach each other, a pod
# has no route beyond the pod network; deleting the pods leaves no IP
# reservation, veth, netns mount or bridge port.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci
check "the node registers" -- wait_until 20 sh -c "ls '$MNT/nodes' | grep -q ."

for p in web client; do
	# The client names its IP (fieldRef status.podIP): it is created
	# once the network is attached, not beside the attachment.
	cmd='echo my-ip=$MY_IP; exec sleep 3600'
	[ $p = web ] && cmd='mkdir -p /tmp/www && echo hello-from-web >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'
	cat <<EOT | "$FSOP" write "$PODS/$p.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $p}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "$cmd"]
    env:
    - name: MY_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
EOT
	remember_uid $p
done
check "web and client Running" -- wait_until 30 sh -c "grep -qx Running '$PODS/web/status' && grep -qx Running '$PODS/client/status'"
net=${POD_CIDR%.0/24}
wip=$(cat "$PODS/web/ip"); cip=$(cat "$PODS/client/ip")
like "$wip" "^${net//./\\.}\\.[0-9]+$" "web's ip is in $POD_CIDR ($wip)"
like "$cip" "^${net//./\\.}\\.[0-9]+$" "client's ip is in $POD_CIDR ($cip)"
check "the two IPs differ" -- test "$wip" != "$cip"
check "the client's env has its IP (fieldRef status.podIP)" -- wait_until 10 grep -qx "my-ip=$cip" "$PODS/client/logs"
y=$(cat "$PODS/web/pod.yaml")
like "$y" "podIP: $wip" "status.podIP"
like "$y" "podIPs:" "status.podIPs"
like "$y" "hostIP: " "status.hostIP"
like "$(cat "$PODS/web/timeline")" "network ready $wip" "timeline: network ready <ip>"
like "$y" "type: PodReadyToStartContainers" "PodReadyToStartContainers condition"
check "the conflist is written" -- grep -q "\"bridge\": \"$BRIDGE\"" "$STATE/cni/podfs.conflist"
check "the bridge $BRIDGE exists" -- sh -c "ip link show $BRIDGE >/dev/null"
is "$(ip -o link show master "$BRIDGE" | wc -l)" "2" "two veths on the bridge"

wpid=$(cat "$STATE/oci/containers/$(cfield web app id)/pid")
cpid=$(cat "$STATE/oci/containers/$(cfield client app id)/pid")
check "the node reaches httpd in the pod" -- wait_until 10 sh -c "curl -s --max-time 2 --noproxy '*' http://$wip:8080/ | grep -qx hello-from-web"
gw=$net.1
check "a pod pings the node's bridge address ($gw)" -- sh -c "nsenter -t $cpid -a ping -c1 -W1 $gw >/dev/null"
check "a pod pings another pod by IP" -- sh -c "nsenter -t $cpid -a ping -c1 -W1 $wip >/dev/null"
check "a pod fetches from another pod by IP" -- sh -c "nsenter -t $cpid -a wget -qO- http://$wip:8080/ | grep -qx hello-from-web"
check "pods have no default route (no egress)" -- sh -c "! nsenter -t $cpid -n ip route | grep -q default"
like "$(nsenter -t "$cpid" -n ip -o addr show lo)" "127\\.0\\.0\\.1" "loopback is up with 127.0.0.1"

rm -r "$PODS/web" "$PODS/client"
check "both pods deleted" -- wait_until 20 sh -c "test ! -e '$PODS/web' && test ! -e '$PODS/client'"
is "$(runtime_leaks)" "" "no IP reservation, bridge port, mount, cgroup or bundle is left"
is "$(ip -o link show type veth | grep -c "master $BRIDGE")" "0" "no veth is left on the bridge"
stop_podfs
