# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Benchmarks (included by user/Makefile): kbpf-bench, static, for the
# guest scripts/bench.sh boots; bench-report, for the host, turns its CSV
# into a PNG chart.  test_bench_smoke (a VM test) runs the same code at
# tiny size.
BENCH_SRCS := bench/bench.c bench/bench_maps.c bench/bench_progs.c
BENCH_HDRS := bench/bench.h tests/vm/insn.h

.PHONY: bench
bench: $(B)/vm/kbpf-bench $(B)/bench/bench-report

$(B)/vm/kbpf-bench: bench/kbpf_bench.c $(BENCH_SRCS) $(BENCH_HDRS) libabpf.a $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -static -o $@ bench/kbpf_bench.c $(BENCH_SRCS) \
		libabpf.a $(NL_STATIC_LIBS)

$(B)/vm/test_bench_smoke: tests/vm/test_bench_smoke.c $(BENCH_SRCS) $(BENCH_HDRS) \
		libabpf.a $(LIB_HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Ibench -static -o $@ $< $(BENCH_SRCS) \
		libabpf.a $(NL_STATIC_LIBS)

$(B)/bench/bench-report: bench/report.c bench/png.c bench/png.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ bench/report.c bench/png.c

# make all builds the benchmarks too, so that they keep building.
all: bench
