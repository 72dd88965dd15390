#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a Debian stock kernel image (6.1 or 6.12) whose
# version matches the installed headers exactly, downloading and unpacking
# the image package into the cache the first time.
#
#   scripts/stock-kernel.sh 6.1|6.12 [image|release|kdir]
set -euo pipefail
. "$(dirname "$0")/common.sh"

line=${1:?usage: stock-kernel.sh 6.1|6.12 [image|release|kdir]}
what=${2:-image}
rel=$(stock_release "$line")
[ -n "$rel" ] || die "cannot resolve the Debian $line kernel (run scripts/deps.sh)"
ver=$(pkg_version "linux-headers-$rel")
[ -n "$ver" ] || die "linux-headers-$rel is not installed (run scripts/deps.sh)"

case $what in
release) echo "$rel"; exit 0 ;;
kdir) echo "/usr/src/linux-headers-$rel"; exit 0 ;;
image) ;;
*) die "stock-kernel.sh: unknown request '$what'" ;;
esac

dir=$KBPF_CACHE/stock/$rel-$ver
if [ ! -e "$dir/.complete" ]; then
	log "downloading linux-image-$rel-unsigned $ver"
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "linux-image-$rel-unsigned=$ver" >&2) ||
		die "cannot download linux-image-$rel-unsigned=$ver"
	dpkg -x "$dir"/deb/*.deb "$dir/root"
	rm -rf "$dir/deb"
	touch "$dir/.complete"
fi
echo "$dir/root/boot/vmlinuz-$rel"
