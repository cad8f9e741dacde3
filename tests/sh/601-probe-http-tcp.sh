#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# httpGet and tcpSocket probes against busybox httpd inside the pod (the
# prober connects inside the pod's network namespace): readiness follows a
# served file both ways; liveness on a 404 and on a CGI's 500 restarts the
# container with kubelet's messages; a closed port keeps a tcpSocket
# readiness probe failing, an open one (by port name) passes.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

# web NAME PROBES-YAML [SETUP]: busybox httpd on 8080 serving /www (an
# emptyDir the test writes from the host).
web() {
	cat <<EOT | "$FSOP" write "$PODS/$1.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: www, emptyDir: {}}]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "${3:-true}; exec busybox httpd -f -p 8080 -h /www"]
    ports: [{name: web, containerPort: 8080}]
    volumeMounts: [{name: www, mountPath: /www}]
$2
EOT
	remember_uid "$1"
}
www() {
	local uid
	uid=$(awk '/^  uid:/ {print $2; exit}' "$PODS/$1/pod.yaml")
	ls -d "$STATE"/pods/"$uid"/volumes/www
}

web hr '    readinessProbe:
      httpGet: {path: /ok.html, port: 8080, httpHeaders: [{name: X-Probe, value: "1"}]}
      periodSeconds: 1
      failureThreshold: 1'
check "hr: Running" -- wait_until 20 grep -qx Running "$PODS/hr/phase"
sleep 2
is "$(cat "$PODS/hr/ready")" "false" "hr: not ready while /ok.html is 404"
d=$(www hr)
echo ok >"$d/ok.html"
check "hr: ready once it is served" -- wait_until 10 grep -qx true "$PODS/hr/ready"
rm "$d/ok.html"
check "hr: not ready once it is gone" -- wait_until 10 grep -qx false "$PODS/hr/ready"
check "hr: Unhealthy with the status code" -- wait_until 5 grep -q "Warning Unhealthy kubelet,[^ ]* Readiness probe failed: HTTP probe failed with statuscode: 404" "$PODS/hr/events"
is "$(cat "$PODS/hr/restarts")" "0" "hr: no restart"

web h404 '    livenessProbe:
      httpGet: {path: /alive.html, port: web}
      periodSeconds: 1
      failureThreshold: 2' 'echo y >/www/alive.html; (sleep 3; rm /www/alive.html) & :'
check "h404: restarted after /alive.html went 404" -- wait_until 30 sh -c "test \$(cat '$PODS/h404/restarts') -ge 1"
check "h404: Unhealthy event" -- wait_until 10 grep -q "Warning Unhealthy kubelet,[^ ]* Liveness probe failed: HTTP probe failed with statuscode: 404" "$PODS/h404/events"
like "$(cat "$PODS/h404/events")" "Normal Killing kubelet,[^ ]+ Container app failed liveness probe, will be restarted" "h404: Killing event"

web h500 '    livenessProbe:
      httpGet: {path: /cgi-bin/fail, port: 8080}
      initialDelaySeconds: 3
      periodSeconds: 1
      failureThreshold: 1'
check "h500: Running" -- wait_until 20 grep -qx Running "$PODS/h500/phase"
d=$(www h500)
mkdir -p "$d/cgi-bin"
printf '#!/bin/sh\necho "Status: 500 Boom"\necho "Content-Type: text/plain"\necho\necho boom\n' >"$d/cgi-bin/fail"
chmod +x "$d/cgi-bin/fail"
check "h500: restarted on a 500" -- wait_until 30 sh -c "test \$(cat '$PODS/h500/restarts') -ge 1"
check "h500: Unhealthy with 500" -- wait_until 10 grep -q "Liveness probe failed: HTTP probe failed with statuscode: 500" "$PODS/h500/events"

web tc '    readinessProbe:
      tcpSocket: {port: 9}
      periodSeconds: 1
      failureThreshold: 1'
web to '    readinessProbe:
      tcpSocket: {port: web}
      periodSeconds: 1'
check "to: an open port (by name) makes it ready" -- wait_until 20 grep -qx true "$PODS/to/ready"
check "tc: Running" -- wait_until 20 grep -qx Running "$PODS/tc/phase"
# kubelet dials the pod IP (loopback inside the pod when it has none).  The
# failed probe's event proves the probe ran; only then is "unready" news.
tcip=$(cat "$PODS/tc/ip"); tcip=${tcip:-127.0.0.1}
check "tc: connection refused, dialled at the pod IP" -- wait_until 20 grep -qF "Readiness probe failed: dial tcp $tcip:9: connect: Connection refused" "$PODS/tc/events"
is "$(cat "$PODS/tc/ready")" "false" "tc: a closed port keeps it unready"

for p in hr h404 h500 tc to; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
