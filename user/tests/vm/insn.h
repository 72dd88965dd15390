/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Instruction builders for the VM tests' hand-assembled programs, as
 * <linux/filter.h> has them in the kernel.
 */
#ifndef KBPF_TEST_INSN_H
#define KBPF_TEST_INSN_H

#include <stdint.h>
#include <linux/bpf.h>

/* Instruction builders, as <linux/filter.h> has them in the kernel. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64_IMM(op, d, i)	INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s)	INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o)	INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o)	INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)		INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JMP_IMM(op, d, i, o)	INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o)	INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JA(o)			INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define ATOMIC_ADD64(d, s, o)	INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
/* ld_imm64 of a map fd, of a map value, of a constant */
#define LD_MAP(d, fd)		INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
				INSN(0, 0, 0, 0, 0)
#define LD_MAP_VALUE(d, fd, o)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, fd), \
				INSN(0, 0, 0, 0, o)
#define LD_IMM64(d, v)		INSN(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (uint32_t)(v)), \
				INSN(0, 0, 0, 0, (uint64_t)(v) >> 32)
#define NR(insns) (sizeof(insns) / sizeof((insns)[0]))

#endif /* KBPF_TEST_INSN_H */
