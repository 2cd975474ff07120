#!/usr/bin/env bash
# Prints a folder holding a Debian release's glibc, libstdc++ and libgcc_s (from its own .deb
# packages on deb.debian.org, unpacked, nothing installed), for running a Node binary against a
# newer C library than this machine's. Usage: .ci/debian-glibc.sh trixie
set -euo pipefail
release=${1:?usage: debian-glibc.sh RELEASE}
mirror=http://deb.debian.org/debian
dir=$(mktemp -d)
cd "$dir"
curl -fsS "$mirror/dists/$release/main/binary-amd64/Packages.xz" | xz -dc >Packages
for package in libc6 libstdc++6 libgcc-s1; do
  file=$(awk -v p="$package" '$1 == "Package:" { f = ($2 == p) } f && $1 == "Filename:" { print $2; exit }' Packages)
  [ -n "$file" ] || { echo "no $package in $release" >&2; exit 1; }
  curl -fsS -o pkg.deb "$mirror/$file"
  dpkg-deb -x pkg.deb root
done
lib="$dir/root/usr/lib/x86_64-linux-gnu"
[ -x "$lib/ld-linux-x86-64.so.2" ] || { echo "no loader in $lib" >&2; exit 1; }
echo "$lib"
