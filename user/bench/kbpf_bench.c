// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-bench: kbpf against the kernel's BPF on the same work, in turns,
 * in one guest (scripts/bench.sh boots it).  Prints the table, then the
 * same rows as CSV lines starting "CSV,".
 *
 *   kbpf-bench [--size tiny|small|full] [--reps N] [--only GROUPS] [--quiet]
 *
 * GROUPS is a list of group names (null,maps,batch,iter,memory,scaling,
 * prog,events,stream); KBPF_BENCH_SIZE and KBPF_BENCH_REPS set the
 * defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int parse_size(const char *s)
{
	if (!strcmp(s, "tiny"))
		return BENCH_TINY;
	if (!strcmp(s, "small"))
		return BENCH_SMALL;
	if (!strcmp(s, "full"))
		return BENCH_FULL;
	return -1;
}

int main(int argc, char **argv)
{
	const char *env = getenv("KBPF_BENCH_SIZE");
	int i, size;

	if (env && parse_size(env) >= 0)
		bench_cfg.size = parse_size(env);
	env = getenv("KBPF_BENCH_REPS");
	if (env && atoi(env) > 0)
		bench_cfg.reps = atoi(env);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc &&
		    (size = parse_size(argv[i + 1])) >= 0) {
			bench_cfg.size = size;
			i++;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc && atoi(argv[i + 1]) > 0) {
			bench_cfg.reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			bench_cfg.only = argv[++i];
		} else if (!strcmp(argv[i], "--quiet")) {
			bench_cfg.quiet = true;
		} else {
			fprintf(stderr, "usage: %s [--size tiny|small|full] [--reps N] "
				"[--only GROUPS] [--quiet]\n", argv[0]);
			return 2;
		}
	}
	if (bench_cfg.reps > BENCH_MAX_REPS)
		bench_cfg.reps = BENCH_MAX_REPS;
	bench_run_all();
	bench_print();
	return 0;
}
