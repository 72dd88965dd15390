# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# kbpf-fuzz (user/fuzz/): kbpf_fuzz, which fuzz/run.sh boots a guest for,
# and test_fuzz_slice, the same program in its short fixed-seed mode, which
# make check runs with the other VM tests.  Included by user/Makefile.

FUZZ_SRCS := $(wildcard fuzz/*.c)
FUZZ_HDRS := fuzz/fuzz.h ../uapi/linux/kbpf.h

$(B)/vm/kbpf_fuzz $(B)/vm/test_fuzz_slice: $(FUZZ_SRCS) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -static -o $@ $(FUZZ_SRCS) -lpthread

vm-progs: $(B)/vm/kbpf_fuzz $(B)/vm/test_fuzz_slice

# The reproducers of what the fuzzer found (fuzz/repro/), one subcommand each.
$(B)/vm/fuzz_repro: fuzz/repro/fuzz_repro.c ../uapi/linux/kbpf.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -static -o $@ $<

vm-progs: $(B)/vm/fuzz_repro
