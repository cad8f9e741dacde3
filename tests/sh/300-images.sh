#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The image store through the real CLI: the default images that `make
# images` builds from Debian's packages import, list with their sizes,
# resolve the way a container engine does, and run (chroot, and nginx
# serving its welcome page on loopback in a network namespace of our own);
# re-import changes nothing; a corrupt layout is refused and leaves the
# store as it was; rm removes what no other image shares.
. "$(dirname "$0")/lib.sh"

IMAGES=$_top/build/images
# `make test` builds the images first; run alone, build them here.
for i in busybox nginx; do
	if [ ! -f "$IMAGES/$i/index.json" ]; then
		IMAGES=$T/images
		sh "$_top/contrib/images/busybox.sh" "$IMAGES/busybox" >/dev/null
		sh "$_top/contrib/images/nginx.sh" "$IMAGES/nginx" >/dev/null
		break
	fi
done

img() { "$PODFS" image "$@" --state-dir "$STATE"; }
fingerprint() { (cd "$STATE/images" && find . -path ./tmp -prune -o -path ./lock -prune -o -printf '%p %s\n' | sort | md5sum); }
layer_of() { img inspect "$1" | sed -n 's/^ *"\(\/[^"]*\/layers\/[0-9a-f]*\)".*/\1/p' | tail -1; }

t0=$(date +%s%N)
bb_id=$(img import busybox "$IMAGES/busybox"); rc=$?
is "$rc" 0 "import busybox exits 0"
like "$bb_id" '^[0-9a-f]{64}$' "and prints the image ID"
t1=$(date +%s%N)
ng_id=$(img import nginx "$IMAGES/nginx"); rc=$?
t2=$(date +%s%N)
is "$rc" 0 "import nginx exits 0"
echo "# import took busybox $(( (t1 - t0) / 1000000 )) ms, nginx $(( (t2 - t1) / 1000000 )) ms"
check "importing nginx takes under 5 s (ASan build)" -- test $(( (t2 - t1) / 1000000 )) -lt 5000

list=$(img list)
like "$(echo "$list" | head -1)" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' "list has podman's columns"
like "$list" "docker.io/library/busybox +latest +${bb_id:0:12} .* [0-9.]+ [kM]B" "list shows busybox with its size"
like "$list" "docker.io/library/nginx +latest +${ng_id:0:12} .* [0-9.]+ MB" "list shows nginx with its size"

# re-import: same ID, the store untouched
before=$(fingerprint); index=$(cat "$STATE/images/index.json")
is "$(img import nginx "$IMAGES/nginx")" "$ng_id" "re-import prints the same ID"
is "$(fingerprint)" "$before" "re-import changes no file of the store"
is "$(cat "$STATE/images/index.json")" "$index" "nor the index"

# resolution
like "$(img inspect nginx)" "\"Reference\": \"docker.io/library/nginx:latest\"" "nginx resolves"
like "$(img inspect docker.io/library/nginx:latest)" "\"Id\": \"sha256:$ng_id\"" "the long form is the same image"
like "$(img inspect registry.k8s.io/busybox)" "\"Id\": \"sha256:$bb_id\"" "registry.k8s.io/busybox finds busybox"
like "$(img inspect "${ng_id:0:12}")" "\"Reference\": \"docker.io/library/nginx:latest\"" "an ID prefix resolves"
out=$(img inspect nginx:9 2>&1); rc=$?
is "$rc" 1 "an absent image: exit 1"
is "$out" 'podfs image: image "nginx:9" not found' "in the agreed words"
like "$(img inspect nginx)" '"80/tcp"' "nginx exposes 80/tcp"
like "$(img inspect nginx | tr -d ' \n')" '"Cmd":\["nginx","-g","daemonoff;"\]' "nginx's Cmd runs it in the foreground"
like "$(img inspect busybox | tr -d ' \n')" '"Cmd":\["sh"\]' "busybox's Cmd is sh"

# the unpacked layers are usable root filesystems
bb_layer=$(layer_of busybox); ng_layer=$(layer_of nginx)
is "$(chroot "$bb_layer" /bin/sh -c 'echo hello from $(id -un)')" "hello from root" "busybox's layer runs sh"
check "busybox has nobody in /etc/passwd" -- grep -q '^nobody:' "$bb_layer/etc/passwd"
out=$(chroot "$ng_layer" /usr/sbin/nginx -t 2>&1)
like "$out" "test is successful" "nginx's layer passes nginx -t (libraries and config complete)"
check "nginx's welcome page is in the image" -- grep -q "Welcome to nginx!" "$ng_layer/usr/share/nginx/html/index.html"
# nginx serving, on the loopback of a network namespace this test creates
served=$(timeout 20 unshare -n sh -c "
	ip link set lo up
	chroot '$ng_layer' nginx -g 'daemon off;' 2>/dev/null & pid=\$!
	i=0; while [ \$i -lt 100 ]; do
		curl -s --max-time 2 http://127.0.0.1/ && break
		sleep 0.05; i=\$((i + 1))
	done
	kill \$pid; wait \$pid" 2>/dev/null)
like "$served" "<title>Welcome to nginx!</title>" "nginx from the image serves its welcome page on port 80"

# an OCI archive (a tar of the layout) and a root filesystem directory
tar -C "$IMAGES/busybox" -cf "$T/busybox.tar" .
is "$(img import bbtar:1 "$T/busybox.tar")" "$bb_id" "an OCI archive of busybox imports as the same image"
mkdir -p "$T/rootfs/bin"; cp /bin/busybox "$T/rootfs/bin/"; ln -s busybox "$T/rootfs/bin/sh"
rid=$(img import mybox "$T/rootfs"); rc=$?
is "$rc" 0 "a root filesystem directory imports"
like "$(img inspect mybox | tr -d ' \n')" '"Cmd":\["sh"\]' "with Cmd [\"sh\"] since it has /bin/sh"
is "$(img import mybox "$T/rootfs")" "$rid" "and again with the same ID"

# a corrupt layout is refused and the store left as it was
cp -a "$IMAGES/nginx" "$T/bad"
blob=$(ls -S "$T/bad/blobs/sha256" | head -1)
printf 'X' | dd of="$T/bad/blobs/sha256/$blob" bs=1 seek=100 conv=notrunc status=none
before=$(fingerprint)
out=$(img import nginx:bad "$T/bad" 2>&1); rc=$?
is "$rc" 1 "a corrupt layout: exit 1"
like "$out" "^podfs image: import nginx:bad from .*: layer 0: digest mismatch: the content is sha256:[0-9a-f]{64}$" "with a clear message"
is "$(fingerprint)" "$before" "and the store unchanged"
echo "not json" >"$T/bad/index.json"
out=$(img import nginx:bad "$T/bad" 2>&1)
like "$out" "index.json: " "a broken index.json is named"
rm -rf "$T/bad/oci-layout" "$T/bad/index.json"; mkdir -p "$T/empty"
out=$(img import x "$T/nope" 2>&1); rc=$?
is "$rc" 1 "a missing path: exit 1"
like "$out" "No such file or directory" "and says so"

# usage errors exit 2
img import onlyname >/dev/null 2>&1; is "$?" 2 "import without PATH: exit 2"
img frobnicate >/dev/null 2>&1; is "$?" 2 "an unknown subcommand: exit 2"

# rm: references go; content goes with the last one that needs it
out=$(img rm bbtar:1); rc=$?
is "$rc" 0 "rm bbtar:1"
is "$out" "Untagged: docker.io/library/bbtar:1" "only untags: busybox still has that image"
nlayers=$(ls "$STATE/images/layers" | wc -l)
out=$(img rm nginx); rc=$?
is "$rc" 0 "rm nginx"
is "$out" "$(printf 'Untagged: docker.io/library/nginx:latest\nDeleted: %s' "$ng_id")" "prints what it untagged and deleted"
check "nginx's layer is gone" -- test ! -e "$ng_layer"
is "$(ls "$STATE/images/layers" | wc -l)" "$((nlayers - 1))" "exactly one layer collected"
check "busybox's layer stays" -- test -d "$bb_layer"
unlike_nginx=$(img list | grep -c nginx)
is "$unlike_nginx" 0 "list no longer shows nginx"
out=$(img rm nginx 2>&1); rc=$?
is "$rc" 1 "rm nginx again: exit 1"
is "$out" 'podfs image: image "nginx" not found' "not found"
is "$(img import nginx "$IMAGES/nginx")" "$ng_id" "and it imports again"
