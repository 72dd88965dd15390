#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and testing kbpf needs on Debian 12, skipping what
# is already there: compilers and kernel build tools, qemu and busybox for
# the test VMs, the header trees of the two Debian kernel lines (exact
# versions, so modules load in the matching images), linux-source-6.12 for
# the debug kernel, sparse, and the libraries the shim and tests use.
set -euo pipefail
. "$(dirname "$0")/common.sh"

pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio kmod xz-utils
      gzip python3 qemu-system-x86 busybox-static sparse libbpf-dev
      libnl-3-dev libnl-route-3-dev linux-libc-dev linux-source-6.12 clang
      dkms pkg-config groff-base)

[ "$(id -u)" = 0 ] || die "deps.sh installs packages: run it as root"
export DEBIAN_FRONTEND=noninteractive

# The header meta-packages resolve the kernel releases; make sure apt's
# lists know them before asking.
if [ -z "$(candidate_version linux-headers-amd64)" ] ||
   [ -z "$(candidate_version linux-headers-6.12-amd64)" ]; then
	log "apt-get update"
	apt-get update -q >&2 || die "apt-get update failed"
fi

for line in 6.1 6.12; do
	rel=$(stock_release "$line")
	[ -n "$rel" ] || die "cannot resolve the Debian $line kernel release"
	pkgs+=("linux-headers-$rel")
done

missing=()
for p in "${pkgs[@]}"; do
	[ -n "$(pkg_version "$p")" ] || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

log "installing: ${missing[*]}"
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
	log "retrying after apt-get update"
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install failed: ${missing[*]}"
fi
