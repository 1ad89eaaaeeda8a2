#!/usr/bin/env bash
# Makes the root filesystem of nextstack-e2e/debian as a tar file:
#   mkrootfs.sh MIRROR OUT.tar [CA.crt...]
# debootstrap --variant=minbase sid from MIRROR (read by base-images.sh from the
# host's apt sources; never written into this repository), then the files of
# overlay/ beside this script, then the same trimming as debian:*-slim.
# With an https MIRROR, ca-certificates is included and the CA files given
# (the host's extra CAs) are trusted, so apt in the image reaches the mirror.
# Run as root. Prints progress on stderr.
set -euo pipefail
MIRROR=$1
OUT=$2
shift 2
include=()
case "$MIRROR" in https:*) include=(--include=ca-certificates) ;; esac
SUITE=sid
HERE=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/nextstack-e2e-rootfs.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
root=$work/rootfs

# The host's keyring verifies sid's Release file (debootstrap's default).
debootstrap --variant=minbase "${include[@]}" "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "mkrootfs: debootstrap $SUITE failed" >&2
  exit 1
}

cp -a "$HERE/overlay/." "$root/"
if [ $# -gt 0 ] && [ ${#include[@]} -gt 0 ]; then
  mkdir -p "$root/usr/local/share/ca-certificates/nextstack-e2e"
  i=0
  for ca in "$@"; do i=$((i + 1)); cp "$ca" "$root/usr/local/share/ca-certificates/nextstack-e2e/$i-$(basename "$ca")"; done
  chroot "$root" update-ca-certificates >&2
fi

# Trim like debian:*-slim: package lists, caches, docs, man pages, translations, logs.
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old \
       "$root"/var/lib/dpkg/*-old "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* \
       "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* \
       "$root"/usr/share/lintian/* "$root"/usr/share/linda/*
find "$root"/usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
find "$root"/usr/share/doc -mindepth 1 -type d -empty -delete
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
# Docker provides these at run time; the host's must not leak into the image.
: > "$root/etc/resolv.conf"
: > "$root/etc/hostname"
rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"

tar --numeric-owner --xattrs -C "$root" -cf "$OUT.partial" .
mv "$OUT.partial" "$OUT"
