# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# libFuzzer targets (fuzz/host/) for the host-side code that parses
# untrusted input: the netlink reply parser, the ELF object loader, and
# kmod/check.c's load-time checker built for the host on fuzz/host/shim.
# clang with libFuzzer, ASan and UBSan.  make fuzz-host builds them;
# fuzz/host/run.sh runs each a while from its seeds.  Included by
# user/Makefile.

FUZZ_CLANG ?= clang
FUZZ_HOST_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined
FH := $(B)/fuzz-host
FUZZ_HOST := $(FH)/fuzz_check $(FH)/fuzz_netlink $(FH)/fuzz_object

.PHONY: fuzz-host
fuzz-host: $(FUZZ_HOST)

# A copy, so that its #include "prog.h" finds the shim's, not kmod's.
$(FH)/check.c: ../kmod/check.c
	@mkdir -p $(@D)
	cp $< $@

$(FH)/fuzz_check: fuzz/host/fuzz_check.c $(FH)/check.c $(wildcard fuzz/host/shim/*.h fuzz/host/shim/linux/*.h)
	$(FUZZ_CLANG) -std=gnu11 $(WARNINGS) $(FUZZ_HOST_FLAGS) -Ifuzz/host/shim -o $@ \
		fuzz/host/fuzz_check.c $(FH)/check.c

# libabpf's sources built into each target, instrumented.
$(FH)/fuzz_%: fuzz/host/fuzz_%.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(CPPFLAGS) -std=gnu11 $(WARNINGS) $(FUZZ_HOST_FLAGS) -o $@ $< \
		$(LIB_SRCS) $(NL_LIBS) -lpthread
