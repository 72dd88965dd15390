#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (scripts/vm.sh), in /kbpf: loads kbpf.ko, runs
# its KUnit suites if kbpf_kunit.ko is there, runs every test_* program,
# unloads the module and checks the kernel is left clean.  Results go to
# $KBPF_RESULTS as "ok - name" / "not ok - name" lines; the test programs
# write theirs there too.
R=${KBPF_RESULTS:-/dev/stdout}

result() { # status name...
	status=$1
	shift
	if [ "$status" = 0 ]; then
		echo "ok - $*" >>"$R"
	else
		echo "not ok - $*" >>"$R"
	fi
}

# Taint bits the run may leave: O (out-of-tree module) and E (unsigned
# module), which loading kbpf.ko always sets; N (test) where KUnit runs.
allowed=$(((1 << 12) | (1 << 13)))
kmemleak=/sys/kernel/debug/kmemleak
[ -e $kmemleak ] && echo clear >$kmemleak	# what boot left is not ours

insmod kbpf.ko
result $? "insmod kbpf.ko"
[ -c /dev/kbpf ]
result $? "/dev/kbpf is a character device"
# One line at load, the version; the kernel's own taint notices aside.
lines=$(dmesg | grep '\] kbpf: ' | grep -v 'taints kernel\|verification failed')
[ "$(echo "$lines" | grep -c .)" = 1 ] && echo "$lines" | grep -q 'kbpf: version '
result $? "kbpf logs one line at load, its version"

if [ -e kbpf_kunit.ko ]; then
	allowed=$((allowed | (1 << 18)))
	echo "kbpf-check: KUnit suites follow" >/dev/kmsg
	insmod kbpf_kunit.ko
	result $? "insmod kbpf_kunit.ko (runs the KUnit suites)"
	rmmod kbpf_kunit
	result $? "rmmod kbpf_kunit"
fi

for t in test_*; do
	[ -x "$t" ] || continue
	"./$t" >>"$R" 2>&1
	rc=$?
	# 0: all passed, 1: some failed (reported above); else it crashed.
	[ $rc -le 1 ]
	result $? "$t ran to completion (exit status $rc)"
done

rmmod kbpf
result $? "rmmod kbpf once every fd is closed"
[ ! -e /dev/kbpf ]
result $? "/dev/kbpf is gone after rmmod"

tainted=$(cat /proc/sys/kernel/tainted)
[ $((tainted & ~allowed)) = 0 ]
result $? "kernel taint $tainted has no flags beyond $allowed"

if [ -e $kmemleak ]; then
	# kmemleak ignores objects younger than 5 s; the second scan confirms.
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	leaks=$(cat $kmemleak)
	[ -z "$leaks" ]
	result $? "kmemleak finds no leaks"
	[ -n "$leaks" ] && echo "$leaks" >/dev/console
fi
echo "KBPF-CHECK-DONE" >>"$R"
