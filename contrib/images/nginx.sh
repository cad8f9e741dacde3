#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# contrib/images/nginx.sh OUT - the default nginx image, offline, from
# Debian's nginx: the binary and the shared libraries it links (ldd), its
# mime.types and welcome page, a configuration for a container (foreground,
# logs to stdout/stderr, port 80, workers as nobody), busybox for exec
# probes and a shell; Cmd ["nginx", "-g", "daemon off;"], port 80/tcp.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: nginx.sh OUT}
root=$out.rootfs.$$
trap 'rm -rf "$root"' EXIT
nginx=/usr/sbin/nginx
[ -x "$nginx" ] || die "nginx is not installed (make deps installs nginx-light)"
rm -rf "$root"
mkdir -p "$root"

skeleton "$root"
add_busybox "$root"
passwd_group "$root"

cp "$nginx" "$root/usr/sbin/nginx"
# Every library at the path the dynamic linker will look for it (ldd's
# paths), copied through symbolic links.
for lib in $(ldd "$nginx" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# Name lookups (the worker user) go through NSS; glibc has its files
# module built in, but take the stub too where it exists.
for lib in /lib/*-linux-gnu/libnss_files.so.2; do
	[ -e "$lib" ] && mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
done

mkdir -p "$root/etc/nginx/conf.d" "$root/usr/share/nginx/html" "$root/var/lib/nginx" \
	"$root/var/log/nginx" "$root/var/cache/nginx"
cp /etc/nginx/mime.types "$root/etc/nginx/mime.types"
cp /usr/share/nginx/html/index.html "$root/usr/share/nginx/html/index.html"
cat >"$root/etc/nginx/nginx.conf" <<'CONF'
# nginx.conf of podfs' default nginx image: in the foreground (the Cmd
# passes "daemon off;"), logs on the container's stdout and stderr.
user nobody;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;

events {
	worker_connections 1024;
}

http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log /dev/stdout;
	sendfile on;
	keepalive_timeout 65;

	include /etc/nginx/conf.d/*.conf;

	server {
		listen 80 default_server;
		server_name _;
		root /usr/share/nginx/html;
		index index.html index.htm;
		location / {
			try_files $uri $uri/ =404;
		}
	}
}
CONF

SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(pkg_epoch "$nginx")}
make_layout "$root" "$out" \
	'"Cmd":["nginx","-g","daemon off;"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGQUIT"' \
	nginx
