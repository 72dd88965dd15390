/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the shim's VM tests share: BPF instruction builders, the check for
 * kbpf's program runtime (which is still arriving), and a TAP runner that
 * can mark a test skipped.
 */
#ifndef KBPF_SHIM_VM_H
#define KBPF_SHIM_VM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <abpf/abpf.h>

#include "../tap.h"

/* Instruction builders, as <linux/filter.h> has them in the kernel. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_IMM(d, i)		INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64_IMM(op, d, i)	INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o)	INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o)	INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)		INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JMP_IMM(op, d, i, o)	INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define ATOMIC_ADD64(d, s, o)	INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define LD_MAP(d, fd)		INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
				INSN(0, 0, 0, 0, 0)
#define NR(insns) (sizeof(insns) / sizeof((insns)[0]))

/*
 * Whether kbpf runs programs yet: it does unless /dev/kbpf answers
 * BPF_PROG_LOAD of a trivial valid program (r0 = 0; exit, a raw
 * tracepoint program) with EINVAL, its answer to a command it lacks.
 */
static inline bool kbpf_has_programs(void)
{
	static int known = -1;
	struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, 0), EXIT() };
	union bpf_attr attr;
	long fd;

	if (known >= 0)
		return known;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = NR(insns);
	attr.license = (uintptr_t)"GPL";
	fd = abpf_sys_kbpf()->bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	known = !(fd < 0 && errno == EINVAL);
	if (fd >= 0)
		close((int)fd);
	return known;
}

#define SKIP_NO_KBPF_PROGRAMS "kbpf has no programs yet"

/* Set by a test that cannot run here: the runner reports it skipped. */
static const char *tap_skip_reason;

/* tap_run(), with "# SKIP <reason>" for the tests that set one. */
static inline void shim_run(const struct tap_test *tests, size_t n,
			    const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tap_cur_failures = 0;
		tap_skip_reason = NULL;
		tests[i].fn();
		if (tap_skip_reason && !tap_cur_failures) {
			tap_num++;
			printf("ok %d - %s%s # SKIP %s\n", tap_num, prefix,
			       tests[i].name, tap_skip_reason);
			fflush(stdout);
			continue;
		}
		{
			char name[256];

			snprintf(name, sizeof(name), "%s%s", prefix, tests[i].name);
			tap_report(name);
		}
	}
}

#endif /* KBPF_SHIM_VM_H */
