# SPDX-License-Identifier: Apache-2.0
# contrib/images/lib.sh - shared by the image scripts: turn a staged root
# filesystem into a one-layer OCI image layout, offline, with nothing but
# tar, gzip and sha256sum, reproducibly: entries sorted, owners root, every
# mtime $SOURCE_DATE_EPOCH, gzip without name or time. The same inputs give
# the same digests, so importing a rebuilt image again changes nothing.
set -eu
umask 022

die() { echo "contrib/images: $*" >&2; exit 1; }

# json_str STRING: STRING as a JSON string (the scripts only pass plain text).
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# sha256_of FILE: the hex digest.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# put_blob LAYOUT FILE: move FILE into LAYOUT/blobs/sha256/, print its digest.
put_blob() {
	local d
	d=$(sha256_of "$2")
	mv -f "$2" "$1/blobs/sha256/$d"
	echo "$d"
}

# make_layout ROOTFS OUT CONFIG_JSON NAME
#   CONFIG_JSON: the members of the config's "config" object, e.g.
#   '"Cmd":["sh"],"Env":["PATH=/bin"]'.
make_layout() {
	local rootfs=$1 out=$2 cfg=$3 name=$4
	local epoch=${SOURCE_DATE_EPOCH:-0} arch created tmp diffid layer config manifest
	local lsize csize msize

	arch=$(dpkg --print-architecture)
	created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
	tmp=$out.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/blobs/sha256"

	tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	    --format=gnu -C "$rootfs" -cf "$tmp/layer.tar" .
	diffid=$(sha256_of "$tmp/layer.tar")
	gzip -n "$tmp/layer.tar"
	lsize=$(stat -c %s "$tmp/layer.tar.gz")
	layer=$(put_blob "$tmp" "$tmp/layer.tar.gz")

	printf '{"architecture":"%s","config":{%s},"created":"%s","history":[{"created":"%s","created_by":%s}],"os":"linux","rootfs":{"diff_ids":["sha256:%s"],"type":"layers"}}' \
		"$arch" "$cfg" "$created" "$created" "$(json_str "contrib/images/$name.sh")" \
		"$diffid" >"$tmp/config.json"
	csize=$(stat -c %s "$tmp/config.json")
	config=$(put_blob "$tmp" "$tmp/config.json")

	printf '{"config":{"digest":"sha256:%s","mediaType":"application/vnd.oci.image.config.v1+json","size":%s},"layers":[{"digest":"sha256:%s","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":%s}],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}' \
		"$config" "$csize" "$layer" "$lsize" >"$tmp/manifest.json"
	msize=$(stat -c %s "$tmp/manifest.json")
	manifest=$(put_blob "$tmp" "$tmp/manifest.json")

	printf '{"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"latest"},"digest":"sha256:%s","mediaType":"application/vnd.oci.image.manifest.v1+json","platform":{"architecture":"%s","os":"linux"},"size":%s}],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}\n' \
		"$manifest" "$arch" "$msize" >"$tmp/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}\n' >"$tmp/oci-layout"

	rm -rf "$out"
	mv "$tmp" "$out"
	echo "contrib/images: $name -> $out (image ID ${config%"${config#????????????}"}, layer $(du -h "$out/blobs/sha256/$layer" | cut -f1))"
}

# passwd_group ROOTFS: root and nobody, nothing else.
passwd_group() {
	mkdir -p "$1/etc"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$1/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$1/etc/group"
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$1/etc/nsswitch.conf"
}

# add_busybox ROOTFS: Debian's busybox-static with every applet in /bin.
add_busybox() {
	local bb=/bin/busybox a
	[ -x "$bb" ] || die "busybox-static is not installed (make deps)"
	mkdir -p "$1/bin"
	cp "$bb" "$1/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
}

# skeleton ROOTFS: the directories every container expects.
skeleton() {
	mkdir -p "$1/dev" "$1/proc" "$1/sys" "$1/etc" "$1/root" "$1/run" "$1/var/log" \
		"$1/home" "$1/usr/bin" "$1/usr/sbin"
	mkdir -p -m 1777 "$1/tmp"
	chmod 0700 "$1/root"
	: >"$1/etc/hosts"
	: >"$1/etc/resolv.conf"
	printf 'localhost\n' >"$1/etc/hostname"
}

# The date of a package's files, so an image's "created" is that of what
# it holds and a rebuild gives the same digests.
pkg_epoch() { stat -c %Y "$1"; }
