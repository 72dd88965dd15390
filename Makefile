# SPDX-License-Identifier: GPL-2.0
# kbpf: kbpf.ko, libabpf, and the test bed.
#
#   make                   kmod/kbpf.ko against KDIR, user/libabpf.{a,so}
#   make KDIR=<tree>       against another kernel build tree
#   make demo              boot Debian 6.12 under qemu and run the demo
#   make check             every test, on the host and on three kernels
#   make vm KERNEL=6.1|6.12|debug   a shell in a test VM with kbpf loaded
#   make clean

# The running kernel's build tree if there is one, else the newest Debian
# header tree installed.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
KERNEL ?= 6.12

.PHONY: all module lib user demo check vm clean help
all: module lib

module:
	@test -n "$(KDIR)" -a -e "$(KDIR)/Makefile" || \
		{ echo "no kernel build tree: install linux-headers or pass KDIR=<tree>" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C user lib

user:
	$(MAKE) -C user all

demo:
	bash scripts/demo.sh

check:
	bash scripts/check.sh

vm:
	bash scripts/vm-shell.sh $(KERNEL)

clean:
	@if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C user clean
	rm -rf out

help:
	@sed -n '2,10s/^# \{0,1\}//p' Makefile
