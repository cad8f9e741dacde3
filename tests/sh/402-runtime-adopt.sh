#!/bin/bash
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
for i in 1 2 3; do pod "run-$i" "sleep 3600"; done
pod quitter 'sleep 3; exit 7' Never
check "four pods Running" -- wait_until 20 sh -c "for p in run-1 run-2 run-3 quitter; do grep -qx Running '$PODS/'\$p/status || exit 1; done"
declare -A ids pids
for p in run-1 run-2 run-3 quitter; do
	ids[$p]=$(cfield "$p" app id)
	pids[$p]=$(cat "$STATE/oci/containers/${ids[$p]}/pid")
done
monitors=$(scenario_conmons | wc -l)
is "$monitors" "4" "one conmon per container"

kill9_podfs
check "the containers outlive podfs" -- kill -0 "${pids[run-1]}" "${pids[run-2]}" "${pids[run-3]}"
sleep 3.5 # the quitter exits while nobody watches
check "the quitter exited meanwhile" -- sh -c "! kill -0 ${pids[quitter]} 2>/dev/null"

start_podfs_oci
is "$(timeout 20 cat "$PODS/quitter/wait/Failed")" "Failed" "the exit that happened meanwhile is seen: Failed"
is "$(cfield quitter app exit_code)" "7" "with its exit code, 7"
for p in run-1 run-2 run-3; do
	is "$(cfield "$p" app id)" "${ids[$p]}" "$p: same container ID after the restart"
	is "$(cat "$PODS/$p/restarts")" "0" "$p: no restart counted"
	is "$(cat "$PODS/$p/status")" "Running" "$p: Running"
done
check "the same processes run" -- kill -0 "${pids[run-1]}" "${pids[run-2]}" "${pids[run-3]}"
is "$(scenario_conmons | wc -l)" "3" "no new monitor was started"

for p in run-1 run-2 run-3 quitter; do rmdir "$PODS/$p"; done
check "all deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
