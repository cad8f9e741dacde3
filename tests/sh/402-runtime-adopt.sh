#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 of podfs with running pods, then a restart: the containers run on
# under conmon and are adopted (same IDs, no restart counted); a container
# that exited while podfs was down is reported with its exit code (from
# conmon's exit file); a pod deleted meanwhile... cannot be (the mount was
# down), but one whose object vanished is garbage-collected.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

pod() {
	cat <<EOT | "$FSOP" write "$PODS/$1.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: ${3:-Always}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "$2"]
EOT
	remember_uid "$1"
}
# 20 pods, as the issue asks: 19 that run on and one that quits while
# podfs is down.
RUNNERS=$(seq -f 'run-%g' 19 | tr '\n' ' ')
for p in $RUNNERS; do pod "$p" "sleep 3600"; done
pod quitter 'sleep 5; exit 7' Never
check "20 pods Running" -- wait_until 60 sh -c "for p in $RUNNERS quitter; do grep -qx Running '$PODS/'\$p/status || exit 1; done"
declare -A ids pids
for p in $RUNNERS quitter; do
	ids[$p]=$(cfield "$p" app id)
	pids[$p]=$(cat "$STATE/oci/containers/${ids[$p]}/pid")
done
monitors=$(scenario_conmons | wc -l)
is "$monitors" "20" "one conmon per container"

kill9_podfs
alive() { for p in $RUNNERS; do kill -0 "${pids[$p]}" || return 1; done; }
check "the containers outlive podfs" -- alive
check "the quitter exits while nobody watches" -- wait_until 10 sh -c "! kill -0 ${pids[quitter]} 2>/dev/null"

start_podfs_oci
is "$(timeout 20 cat "$PODS/quitter/wait/Failed")" "Failed" "the exit that happened meanwhile is seen: Failed"
is "$(cfield quitter app exit_code)" "7" "with its exit code, 7"
same=0 norestart=0 running=0
for p in $RUNNERS; do
	[ "$(cfield "$p" app id)" = "${ids[$p]}" ] && same=$((same + 1))
	[ "$(cat "$PODS/$p/restarts")" = 0 ] && norestart=$((norestart + 1))
	[ "$(cat "$PODS/$p/status")" = Running ] && running=$((running + 1))
done
is "$same" "19" "all 19: same container ID after the restart"
is "$norestart" "19" "all 19: no restart counted"
is "$running" "19" "all 19: Running"
check "the same processes run" -- alive
is "$(scenario_conmons | wc -l)" "19" "no new monitor was started"

for p in $RUNNERS quitter; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 90 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
