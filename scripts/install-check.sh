#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's install group: DKMS builds kbpf.ko from a copy of the
# tracked sources against both Debian header trees (and modinfo shows what
# a user needs), and `make install DESTDIR=...` puts exactly the files the
# Makefile lists, which build a program against the installed library, and
# `make uninstall` takes them away again.  Prints "ok - ..." and
# "not ok - ..." lines; the DKMS tree is left as it was found.
set -uo pipefail
. "$(dirname "$0")/common.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$KBPF_ROOT/dkms.conf")

result() { # status name
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# --- DKMS, from what git tracks (what a release tarball would hold)
src=$work/src/kbpf-$ver
mkdir -p "$src"
(cd "$KBPF_ROOT" && git ls-files Kbuild dkms.conf kmod uapi kunit | tar -cf - -T -) |
	tar -xf - -C "$src"
grep -q "define KBPF_VERSION \"$ver\"" "$src/kmod/kbpf.h"
result $? "dkms.conf's version ($ver) is the module's KBPF_VERSION"

if [ -e "/var/lib/dkms/kbpf/$ver" ]; then
	result 1 "DKMS: kbpf/$ver is not registered already (left from elsewhere)"
else
	dkms add --sourcetree "$work/src" -m kbpf -v "$ver" >"$work/dkms.log" 2>&1
	result $? "dkms add kbpf/$ver"
	for line in 6.1 6.12; do
		rel=$(stock_release "$line")
		dkms build -m kbpf -v "$ver" -k "$rel" \
			--kernelsourcedir "/usr/src/linux-headers-$rel" >>"$work/dkms.log" 2>&1
		result $? "dkms build against the Debian $line headers ($rel)"
		ko=$(find "/var/lib/dkms/kbpf/$ver/$rel" -name 'kbpf.ko*' | head -n 1)
		info=$(modinfo "$ko" 2>&1)
		grep -q "^version: *$ver$" <<<"$info" &&
			grep -q "^license: *GPL$" <<<"$info" &&
			grep -q "^description: *." <<<"$info" &&
			grep -q "^vermagic: *$rel " <<<"$info" &&
			grep -q "^parm: *dev_mode:.*(ushort)" <<<"$info" &&
			grep -q "^parm: *max_memory:.*(ullong)" <<<"$info" &&
			grep -q "^parm: *max_objects:.*E2BIG.*(uint)" <<<"$info"
		st=$?
		[ $st = 0 ] || sed 's/^/# /' <<<"${ko:-no kbpf.ko found}: $info"
		[ $st = 0 ]
		result $? "modinfo of the DKMS-built module for $rel: version, license, description, vermagic, parameters with their help"
	done
	dkms remove kbpf/"$ver" --all >>"$work/dkms.log" 2>&1
	[ ! -e "/var/lib/dkms/kbpf/$ver" ]
	result $? "dkms remove leaves nothing of kbpf/$ver"
	grep -E 'rror' "$work/dkms.log" | head -n 5 | sed 's/^/# /'
fi

# --- make install / uninstall into a DESTDIR
kdir=$(stock_kdir 6.12)
dest=$work/dest
if make -C "$KBPF_ROOT" -s install DESTDIR="$dest" KDIR="$kdir" >"$work/install.log" 2>&1; then
	result 0 "make install DESTDIR=... (kbpf.ko, libabpf, headers, abpf.pc, kbpftool, udev rule)"
else
	result 1 "make install DESTDIR=... (kbpf.ko, libabpf, headers, abpf.pc, kbpftool, udev rule)"
	tail -n 5 "$work/install.log" | sed 's/^/# /'
fi
make -C "$KBPF_ROOT" -s install-files KDIR="$kdir" | sort >"$work/want"
(cd "$dest" 2>/dev/null && find . \( -type f -o -type l \) | sed 's/^\.//' | sort) >"$work/got"
diff "$work/want" "$work/got" >"$work/diff"
result $? "make install puts exactly the files the Makefile lists"
sed 's/^/# /' "$work/diff"

prefix=$dest/usr/local
cat >"$work/app.c" <<'EOF'
#include <abpf/bpf.h>
#include <linux/kbpf.h>

int main(void)
{
	return KBPF_IOC_BPF && bpf_map_create ? 0 : 1;
}
EOF
sed -i "s|^prefix=.*|prefix=$prefix|" "$prefix/lib/pkgconfig/abpf.pc" 2>/dev/null
# shellcheck disable=SC2046
gcc -o "$work/app" "$work/app.c" $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags abpf) \
	"$prefix/lib/libabpf.a" $(pkg-config --libs libnl-route-3.0 libnl-3.0) >"$work/app.log" 2>&1 &&
	"$work/app"
result $? "a program builds against the installed headers and library (pkg-config abpf)"

make -C "$KBPF_ROOT" -s uninstall DESTDIR="$dest" KDIR="$kdir" >/dev/null 2>&1
[ -z "$(cd "$dest" && find . \( -type f -o -type l \))" ]
result $? "make uninstall removes every installed file"
exit 0
