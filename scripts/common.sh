# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for kbpf's scripts.  Source it; do not run it.

KBPF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KBPF_CACHE=${KBPF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbpf}
KBPF_JOBS=${KBPF_JOBS:-$(nproc)}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'kbpf: error: %s\n' "$*" >&2; exit 1; }

# pkg_version PKG: installed version of a Debian package, empty if absent.
pkg_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# candidate_version PKG: the version apt would install.
candidate_version() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }' |
		grep -v '(none)'
}

# stock_release LINE: Debian kernel release for a kernel line, "6.1" or
# "6.12", resolved from the header meta-packages, e.g. 6.1.0-56-amd64.
stock_release() {
	local meta
	case "$1" in
	6.1) meta=linux-headers-amd64 ;;
	6.12) meta=linux-headers-6.12-amd64 ;;
	*) die "unknown kernel line '$1' (want 6.1 or 6.12)" ;;
	esac
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1
}

# stock_kdir LINE: the installed header tree of a kernel line.
stock_kdir() {
	local rel
	rel=$(stock_release "$1") || return 1
	[ -n "$rel" ] || die "cannot resolve the Debian $1 kernel release (apt-get update?)"
	echo "/usr/src/linux-headers-$rel"
}

# source_tree: linux-source-6.12 unpacked into the cache, keyed by the
# package version; prints its path.
source_tree() {
	local ver dir
	ver=$(pkg_version linux-source-6.12)
	[ -n "$ver" ] || die "linux-source-6.12 is not installed (run scripts/deps.sh)"
	dir=$KBPF_CACHE/src/$ver
	if [ ! -e "$dir/.complete" ]; then
		log "unpacking linux-source-6.12 $ver"
		rm -rf "$dir" && mkdir -p "$dir"
		tar -C "$dir" -xf /usr/src/linux-source-6.12.tar.xz ||
			die "cannot unpack /usr/src/linux-source-6.12.tar.xz"
		touch "$dir/.complete"
	fi
	echo "$dir/linux-source-6.12"
}

# kernel_paths NAME: set KDIR (build tree) and KIMAGE (bootable image) for
# a test kernel: 6.1, 6.12 (Debian stock) or debug (built from source).
kernel_paths() {
	case $1 in
	6.1 | 6.12)
		KDIR=$("$KBPF_ROOT/scripts/stock-kernel.sh" "$1" kdir) &&
			KIMAGE=$("$KBPF_ROOT/scripts/stock-kernel.sh" "$1" image)
		;;
	debug)
		KDIR=$("$KBPF_ROOT/scripts/debug-kernel.sh") &&
			KIMAGE=$KDIR/arch/x86/boot/bzImage
		;;
	*) die "unknown kernel '$1' (want 6.1, 6.12 or debug)" ;;
	esac
}

# build_kbpf KDIR DIR [MAKE-ARGS...]: build kbpf.ko (and kbpf_kunit.ko where
# the kernel has KUnit) from a copy of the sources in DIR/src, so builds
# for several kernels never share objects.
build_kbpf() {
	local kdir=$1 dir=$2
	shift 2
	# Sources only: objects of an earlier in-tree build must not ride along.
	rm -rf "$dir/src" && mkdir -p "$dir/src" &&
		(cd "$KBPF_ROOT" && find Kbuild kmod kunit uapi \( -name Kbuild -o -name '*.[ch]' \) \
			! -name '*.mod.c' -print0 | cpio -0pdm --quiet "$dir/src") &&
		make -C "$kdir" M="$dir/src" -j"$KBPF_JOBS" "$@" modules
}
