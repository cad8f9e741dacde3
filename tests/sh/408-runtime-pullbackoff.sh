#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A missing image: ErrImagePull, then ImagePullBackOff, the attempts backing
# off exponentially as kubelet's do (10 s doubling to 300 s; shortened here
# with --crash-backoff-base 300ms, so 300 ms, 600 ms, 1.2 s ...), kubelet's
# events, and the pod starts once the image is imported meanwhile.
. "$(dirname "$0")/lib.sh"
import_images busybox
start_podfs_oci

cat <<'EOT' | "$FSOP" write "$PODS/late.yaml" >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: late:1
    command: ["sh", "-c", "echo started; exec sleep 3600"]
EOT
remember_uid late

# at N: wait for the Nth attempt and print when it was seen (ms).
at() {
	wait_until 20 sh -c "test \"\$(grep -c 'Failed to pull image \"late:1\"' '$PODS/late/events')\" -ge $1" || return 1
	echo $(( $(date +%s%N) / 1000000 ))
}
t1=$(at 1); t2=$(at 2); t3=$(at 3); t4=$(at 4)
check "four pull attempts" -- test -n "$t4"
g1=$((t2 - t1)); g3=$((t4 - t3))
echo "# gaps between attempts: ${g1} ms, $((t3 - t2)) ms, ${g3} ms"
check "the back-off grows: the third gap (${g3} ms) is at least 1 s" -- test "$g3" -ge 1000
check "and over twice the first (${g1} ms)" -- test "$g3" -gt $((2 * g1))
check "status ImagePullBackOff between attempts" -- wait_until 10 grep -qx ImagePullBackOff "$PODS/late/status"
ev=$(cat "$PODS/late/events")
like "$ev" 'Warning Failed kubelet,[^ ]+ Failed to pull image "late:1": image "late:1" not found' "a Failed event per attempt"
like "$ev" 'Warning Failed kubelet,[^ ]+ Error: ErrImagePull' "Error: ErrImagePull"
like "$ev" 'Normal BackOff kubelet,[^ ]+ Back-off pulling image "late:1"' "the BackOff event in kubelet's words"
like "$ev" 'Warning Failed kubelet,[^ ]+ Error: ImagePullBackOff' "Error: ImagePullBackOff"
like "$(cat "$PODS/late/why")" 'Back-off pulling image "late:1": image "late:1" not found' "why says back-off and why"
is "$(cat "$PODS/late/phase")" "Pending" "phase Pending meanwhile"

"$PODFS" image import late:1 "$_top/build/images/busybox" --state-dir "$STATE" >/dev/null
is "$(timeout 20 cat "$PODS/late/wait/Running")" "Running" "imported meanwhile: the pod starts at the next attempt"
like "$(cat "$PODS/late/events")" 'Normal Pulled kubelet,[^ ]+ Container image "late:1" already present on machine' "Pulled"
is "$(cat "$PODS/late/restarts")" "0" "no restart counted"

rmdir "$PODS/late"
check "deleted" -- wait_until 20 sh -c "test -z \"\$(ls '$PODS')\""
is "$(runtime_leaks)" "" "nothing left behind"
stop_podfs
