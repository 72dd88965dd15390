#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel under qemu with a busybox initramfs, copy files into the
# guest, run commands there, and keep what it printed.
#
#   scripts/vm.sh -k BZIMAGE [-f SRC[:DEST]]... [-r CMD]... [-o OUTDIR]
#                 [-t SECONDS] [-m MEM] [-s CPUS] [-i]
#
#   -k  kernel image to boot
#   -f  file to copy into the guest, to DEST (default /kbpf/<name>)
#   -r  shell command to run in the guest, in /kbpf, in order given
#   -o  where to write console.log (the kernel's console, ttyS0) and
#       results.log (what the guest writes to $KBPF_RESULTS, ttyS1);
#       default: a new temporary directory
#   -t  seconds before the guest is killed (default 900)
#   -m  guest memory (default 1024M); -s guest CPUs (default 2)
#   -i  interactive: console on this terminal, a shell after the commands
#
# Environment: KBPF_VM_ACCEL=kvm uses KVM instead of TCG (KVM guests hang
# on some machines, so TCG is the default); KBPF_VM_APPEND adds kernel
# command-line options; KBPF_VM_TCG=tcg (or any -accel value) overrides
# the TCG flavour.
#
# TCG runs its vCPUs in one host thread (thread=single).  With one host
# thread per vCPU (MTTCG), a vCPU can run a stale translation of kernel
# text that another vCPU is patching with int3 (text_poke_bp, as every
# static key and tracepoint enable does): the guest then oopses with
# "int3" in the patched function.  The kernel's own bpf(2) does it too:
# attach and detach a raw_tp program on sys_enter in a loop while other
# threads make syscalls (user/fuzz/repro: fuzz_repro tp-flap kernel).
#
# Exit status: 0 when the guest ran every command and shut down, 2 when it
# timed out, crashed or never finished.  The commands' own results are for
# the caller to read from the logs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel= outdir= timeout=900 mem=1024M cpus=2 interactive=0
files=() cmds=()
while getopts "k:f:r:o:t:m:s:i" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	r) cmds+=("$OPTARG") ;;
	o) outdir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) cpus=$OPTARG ;;
	i) interactive=1 ;;
	*) sed -n '3,25s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -r "$kernel" ] || die "vm.sh: -k needs a readable kernel image"
[ -x /bin/busybox ] || die "vm.sh: /bin/busybox (busybox-static) is missing"
[ -n "$outdir" ] || outdir=$(mktemp -d /tmp/kbpf-vm.XXXXXX)
mkdir -p "$outdir"

root=$(mktemp -d /tmp/kbpf-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,kbpf}
cp /bin/busybox "$root/bin/busybox"
if [ "$(id -u)" = 0 ]; then
	mknod "$root/dev/console" c 5 1
fi

for f in "${files[@]}"; do
	src=${f%%:*}
	dest=/kbpf/$(basename "$src")
	[ "$src" != "$f" ] && dest=${f#*:}
	[ -e "$src" ] || die "vm.sh: no such file: $src"
	mkdir -p "$root$(dirname "$dest")"
	cp -a "$src" "$root$dest"
done

{
	echo '#!/bin/sh'
	echo 'cd /kbpf'
	for c in "${cmds[@]}"; do
		printf '%s\n' "$c"
	done
} >"$root/kbpf/.commands.sh"

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname kbpf-vm
stty -F /dev/ttyS1 raw -echo 2>/dev/null
export KBPF_RESULTS=/dev/ttyS1 PATH=/kbpf:/bin
echo KBPF-VM-START
sh /kbpf/.commands.sh
echo "KBPF-VM-DONE \$?"
[ "$interactive" = 1 ] && setsid cttyhack sh -l
sync
reboot -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$outdir/initramfs.gz"

accel=${KBPF_VM_TCG:-tcg,thread=single}
[ "${KBPF_VM_ACCEL:-}" = kvm ] && accel=kvm
append="console=ttyS0 panic=-1 nowatchdog rcupdate.rcu_cpu_stall_suppress=1 ${KBPF_VM_APPEND:-}"
qemu=(qemu-system-x86_64 -accel "$accel" -m "$mem" -smp "$cpus"
      -kernel "$kernel" -initrd "$outdir/initramfs.gz" -append "$append"
      -no-reboot -nodefaults -display none)

if [ "$interactive" = 1 ]; then
	"${qemu[@]}" -serial mon:stdio -serial "file:$outdir/results.log"
	exit 0
fi

rc=0
timeout "$timeout" "${qemu[@]}" -serial "file:$outdir/console.log" \
	-serial "file:$outdir/results.log" </dev/null >"$outdir/qemu.log" 2>&1 || rc=$?
if [ $rc = 124 ]; then
	log "guest timed out after ${timeout}s (logs in $outdir)"
	exit 2
fi
if ! grep -q '^KBPF-VM-DONE' "$outdir/console.log" 2>/dev/null; then
	log "guest did not finish (qemu status $rc; logs in $outdir)"
	exit 2
fi
exit 0
