# SPDX-License-Identifier: GPL-2.0
# kbpf: kbpf.ko, libabpf, and the test bed.
#
#   make                   kmod/kbpf.ko against KDIR, user/libabpf.{a,so}
#   make KDIR=<tree>       against another kernel build tree
#   make demo              boot Debian 6.12 under qemu and run the demo
#   make check             every test, on the host and on three kernels
#   make vm KERNEL=6.1|6.12|debug   a shell in a test VM with kbpf loaded
#   make install [PREFIX=/usr/local] [DESTDIR=]   module, libabpf, kbpftool
#   make uninstall         what install put there
#   make man               kbpftool(8) and abpf(3) from docs/man/
#   make clean

# The running kernel's build tree if there is one, else the newest Debian
# header tree installed.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
KERNEL ?= 6.12
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KREL = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

.PHONY: all module lib user demo check vm clean help install uninstall man
all: module lib

# Man pages, each made from its one source in docs/man/.
MAN_PAGES := $(patsubst docs/man/%.md,user/build/man/%,$(wildcard docs/man/*.md))
man: $(MAN_PAGES)
user/build/man/%: docs/man/%.md scripts/mkman.sh dkms.conf
	@mkdir -p $(@D)
	bash scripts/mkman.sh $< >$@.tmp && mv $@.tmp $@

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

# What make install puts where, relative to DESTDIR (install-check.sh
# compares it with the files that appear).
INSTALL_FILES = /lib/modules/$(KREL)/extra/kbpf.ko \
	$(PREFIX)/lib/libabpf.a $(PREFIX)/lib/libabpf.so.0 $(PREFIX)/lib/libabpf.so \
	$(PREFIX)/lib/pkgconfig/abpf.pc $(PREFIX)/bin/kbpftool \
	$(patsubst user/include/%,$(PREFIX)/include/%,$(wildcard user/include/abpf/*.h)) \
	$(PREFIX)/include/linux/kbpf.h \
	/lib/udev/rules.d/60-kbpf.rules $(PREFIX)/share/doc/kbpf/kbpf.conf \
	$(foreach p,$(MAN_PAGES),$(PREFIX)/share/man/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))

install: module man
	$(MAKE) -C user lib tools
	$(foreach p,$(MAN_PAGES),install -D -m 644 $(p) \
		$(DESTDIR)$(PREFIX)/share/man/man$(subst .,,$(suffix $(p)))/$(notdir $(p)) &&) true
	install -D -m 644 kmod/kbpf.ko $(DESTDIR)/lib/modules/$(KREL)/extra/kbpf.ko
	install -D -m 644 user/libabpf.a $(DESTDIR)$(PREFIX)/lib/libabpf.a
	install -D -m 755 user/libabpf.so.0 $(DESTDIR)$(PREFIX)/lib/libabpf.so.0
	ln -sf libabpf.so.0 $(DESTDIR)$(PREFIX)/lib/libabpf.so
	install -D -m 755 user/kbpftool $(DESTDIR)$(PREFIX)/bin/kbpftool
	install -d $(DESTDIR)$(PREFIX)/include/abpf $(DESTDIR)$(PREFIX)/include/linux
	install -m 644 user/include/abpf/*.h $(DESTDIR)$(PREFIX)/include/abpf/
	install -m 644 uapi/linux/kbpf.h $(DESTDIR)$(PREFIX)/include/linux/kbpf.h
	install -D -m 644 scripts/install/60-kbpf.rules $(DESTDIR)/lib/udev/rules.d/60-kbpf.rules
	install -D -m 644 scripts/install/kbpf.conf $(DESTDIR)$(PREFIX)/share/doc/kbpf/kbpf.conf
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' \
		'libdir=$${prefix}/lib' '' 'Name: abpf' \
		'Description: BPF maps and programs over bpf(2) or kbpf'"'"'s /dev/kbpf' \
		'Version: $(VERSION)' 'Requires.private: libnl-3.0 libnl-route-3.0' \
		'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -labpf' \
		>$(DESTDIR)$(PREFIX)/lib/pkgconfig/abpf.pc
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KREL); fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	-rmdir $(DESTDIR)$(PREFIX)/include/abpf $(DESTDIR)$(PREFIX)/share/doc/kbpf 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KREL); fi

install-files:
	@printf '%s\n' $(INSTALL_FILES)

clean:
	@if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C user clean
	rm -rf out

help:
	@sed -n '2,11s/^# \{0,1\}//p' Makefile
fuzz: ; bash user/fuzz/run.sh -s $(or $(SECONDS),60) $(if $(FUZZ_ARGS),-- $(FUZZ_ARGS))
bench: ; bash scripts/bench.sh
