// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the interpreter (interp.c) - every instruction class with its
 * edge values, bpf-to-bpf calls and their frames, callbacks, the memory
 * model (regions, grants, every kind of bad access), the budget, atomics
 * shared between CPUs - and the load-time checker (check.c): each
 * refusal with its log line, the log's truncation contract.  Programs are
 * built by hand, without maps unless a test says otherwise.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "prog.h"

/* Instructions newer than 6.1's <linux/filter.h>, spelled out. */
#define T_LDSX(SIZE, DST, SRC, OFF)					\
	BPF_RAW_INSN(BPF_LDX | BPF_MEMSX | (SIZE), DST, SRC, OFF, 0)
#define T_GOTOL(IMM)		BPF_RAW_INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, IMM)
#define T_MAY_GOTO(OFF)		BPF_RAW_INSN(BPF_JMP | BPF_JCOND, 0, 0, OFF, 0)
#define T_CALL(ID)		BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)

/* R0 = a; R1 = b; R0 op= R1 (off: sdiv/smod, movsx); exit */
#define OP_X(CLS, OP, OFF, A, B) {					\
	BPF_LD_IMM64(BPF_REG_0, A), BPF_LD_IMM64(BPF_REG_1, B),		\
	BPF_RAW_INSN((CLS) | (OP) | BPF_X, BPF_REG_0, BPF_REG_1, OFF, 0),	\
	BPF_EXIT_INSN() }
/* R0 = a; R0 op= imm; exit */
#define OP_K(CLS, OP, OFF, A, IMM) {					\
	BPF_LD_IMM64(BPF_REG_0, A),					\
	BPF_RAW_INSN((CLS) | (OP) | BPF_K, BPF_REG_0, 0, OFF, IMM),	\
	BPF_EXIT_INSN() }
/* R0 = a; R0 = op(R0) with imm (neg, end); exit */
#define OP_U(CODE, IMM, A) {						\
	BPF_LD_IMM64(BPF_REG_0, A),					\
	BPF_RAW_INSN(CODE, BPF_REG_0, 0, 0, IMM),			\
	BPF_EXIT_INSN() }
/* R0 = 1 if R1 = a compares to R2 = b (or imm), else 0 */
#define JMP_X(CLS, OP, A, B) {						\
	BPF_LD_IMM64(BPF_REG_1, A), BPF_LD_IMM64(BPF_REG_2, B),		\
	BPF_MOV64_IMM(BPF_REG_0, 1),					\
	BPF_RAW_INSN((CLS) | (OP) | BPF_X, BPF_REG_1, BPF_REG_2, 1, 0),	\
	BPF_MOV64_IMM(BPF_REG_0, 0),					\
	BPF_EXIT_INSN() }
#define JMP_K(CLS, OP, A, IMM) {					\
	BPF_LD_IMM64(BPF_REG_1, A),					\
	BPF_MOV64_IMM(BPF_REG_0, 1),					\
	BPF_RAW_INSN((CLS) | (OP) | BPF_K, BPF_REG_1, 0, 1, IMM),	\
	BPF_MOV64_IMM(BPF_REG_0, 0),					\
	BPF_EXIT_INSN() }

#define T_MAX_INSNS	16

/* A program, its run and the memory the run is given. */
struct tenv {
	struct kbpf_prog prog;
	struct kbpf_run run;
	u8 stack[KBPF_MAX_FRAMES * KBPF_STACK_SIZE] __aligned(8);
	u64 ctx[4];
	u64 value[4];
};

/* The u64 at @off in the run's stack. */
static u64 stack_u64(const struct tenv *e, u32 off)
{
	u64 v;

	memcpy(&v, e->stack + off, sizeof(v));
	return v;
}

/* Instructions up to the last one that is not all zero. */
static u32 prog_len(const struct bpf_insn *insns, u32 max)
{
	while (max && !memchr_inv(&insns[max - 1], 0, sizeof(insns[0])))
		max--;
	return max;
}

/*
 * @insns as a program, with the zeroed guard after it as prog.c allocates
 * it, kbpf_interp_prepare()d if @prepare (as prog.c loads it), and a run
 * of it prepared without a context.
 */
static struct tenv *tenv_new_opt(struct kunit *test, const struct bpf_insn *insns,
				 u32 len, bool prepare)
{
	struct tenv *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->prog.insns = kunit_kcalloc(test, len + 1, sizeof(*insns), GFP_KERNEL);
	e->prog.orig_insns = kunit_kcalloc(test, len, sizeof(*insns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->prog.insns);
	KUNIT_ASSERT_NOT_NULL(test, e->prog.orig_insns);
	memcpy(e->prog.insns, insns, len * sizeof(*insns));
	memcpy(e->prog.orig_insns, insns, len * sizeof(*insns));
	e->prog.len = len;
	if (prepare)
		kbpf_interp_prepare(&e->prog);
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0,
					    false), 0);
	return e;
}

static struct tenv *tenv_new(struct kunit *test, const struct bpf_insn *insns,
			     u32 len)
{
	return tenv_new_opt(test, insns, len, true);
}

#define TENV(test, ...) ({						\
	static const struct bpf_insn __insns[] = { __VA_ARGS__ };	\
	tenv_new(test, __insns, ARRAY_SIZE(__insns));			\
})

/* Run from the start with R1 pointing at the context, as prog.c does. */
static u64 tenv_run(struct tenv *e)
{
	return kbpf_interp(&e->run, KBPF_VADDR(1, 0));
}

/* kbpf_check_prog() without a log. */
static int check(const struct bpf_insn *insns, u32 len)
{
	struct kbpf_log log = {};

	return kbpf_check_prog(&log, insns, len);
}

/*
 * One program, what it returns or how it stops, and what the checker
 * says of it (programs the interpreter must survive but the checker
 * refuses are here too).
 */
struct interp_case {
	const char *name;
	struct bpf_insn insns[T_MAX_INSNS];
	u64 r0;
	int err;
	u32 err_insn;
	int check;
};

static void interp_case_desc(const struct interp_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

/* Each case as loaded (prepared) and as checked (not): the same outcome. */
static void run_case(struct kunit *test, const struct interp_case *c)
{
	u32 len = prog_len(c->insns, T_MAX_INSNS);
	int prepare;

	for (prepare = 0; prepare < 2; prepare++) {
		struct tenv *e = tenv_new_opt(test, c->insns, len, prepare);
		u64 r0 = tenv_run(e);

		KUNIT_EXPECT_EQ_MSG(test, e->run.err, c->err, "prepared %d", prepare);
		if (c->err) {
			KUNIT_EXPECT_EQ(test, r0, 0);
			KUNIT_EXPECT_EQ_MSG(test, e->run.err_insn, c->err_insn,
					    "prepared %d", prepare);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, r0, c->r0, "prepared %d", prepare);
		}
		KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	}
	KUNIT_EXPECT_EQ(test, check(c->insns, len), c->check);
}

static const struct interp_case alu64_cases[] = {
	{ "add wraps", OP_X(BPF_ALU64, BPF_ADD, 0, U64_MAX, 1), 0 },
	{ "add imm sign-extends", OP_K(BPF_ALU64, BPF_ADD, 0, 5, -1), 4 },
	{ "sub wraps", OP_X(BPF_ALU64, BPF_SUB, 0, 0, 1), U64_MAX },
	{ "sub imm INT_MIN", OP_K(BPF_ALU64, BPF_SUB, 0, 0, INT_MIN), 0x80000000 },
	{ "mul S64_MIN by -1", OP_X(BPF_ALU64, BPF_MUL, 0, S64_MIN, -1), S64_MIN },
	{ "mul imm -1", OP_K(BPF_ALU64, BPF_MUL, 0, 0x100000000ULL, -1),
	  0xffffffff00000000ULL },
	{ "or imm INT_MIN", OP_K(BPF_ALU64, BPF_OR, 0, 0, INT_MIN), 0xffffffff80000000ULL },
	{ "and imm -2", OP_K(BPF_ALU64, BPF_AND, 0, U64_MAX, -2), U64_MAX - 1 },
	{ "and imm INT_MAX", OP_K(BPF_ALU64, BPF_AND, 0, U64_MAX, INT_MAX), INT_MAX },
	{ "xor", OP_X(BPF_ALU64, BPF_XOR, 0, 0xf0f0f0f0f0f0f0f0ULL, U64_MAX),
	  0x0f0f0f0f0f0f0f0fULL },
	{ "lsh by 0", OP_X(BPF_ALU64, BPF_LSH, 0, 0x123, 0), 0x123 },
	{ "lsh by 31", OP_X(BPF_ALU64, BPF_LSH, 0, 3, 31), 0x180000000ULL },
	{ "lsh by 32", OP_X(BPF_ALU64, BPF_LSH, 0, 3, 32), 0x300000000ULL },
	{ "lsh by 63", OP_X(BPF_ALU64, BPF_LSH, 0, 3, 63), 1ULL << 63 },
	{ "lsh by 64 is by 0", OP_X(BPF_ALU64, BPF_LSH, 0, 3, 64), 3 },
	{ "lsh imm 63", OP_K(BPF_ALU64, BPF_LSH, 0, 1, 63), 1ULL << 63 },
	{ "lsh imm 64 (refused at load)", OP_K(BPF_ALU64, BPF_LSH, 0, 3, 64), 3,
	  .check = -EINVAL },
	{ "rsh by 63", OP_X(BPF_ALU64, BPF_RSH, 0, U64_MAX, 63), 1 },
	{ "rsh by 65 is by 1", OP_X(BPF_ALU64, BPF_RSH, 0, 4, 65), 2 },
	{ "arsh by 63", OP_X(BPF_ALU64, BPF_ARSH, 0, S64_MIN, 63), U64_MAX },
	{ "arsh imm 1", OP_K(BPF_ALU64, BPF_ARSH, 0, -2, 1), U64_MAX },
	{ "arsh of a positive", OP_K(BPF_ALU64, BPF_ARSH, 0, S64_MAX, 62), 1 },
	{ "div", OP_X(BPF_ALU64, BPF_DIV, 0, U64_MAX, 2), S64_MAX },
	{ "div is unsigned", OP_X(BPF_ALU64, BPF_DIV, 0, -7, 2), 0x7ffffffffffffffcULL },
	{ "div by 0 is 0", OP_X(BPF_ALU64, BPF_DIV, 0, 12345, 0), 0 },
	{ "div imm 0 is 0 (refused at load)", OP_K(BPF_ALU64, BPF_DIV, 0, 12345, 0), 0,
	  .check = -EINVAL },
	{ "div imm -1 is by U64_MAX", OP_K(BPF_ALU64, BPF_DIV, 0, U64_MAX, -1), 1 },
	{ "mod", OP_X(BPF_ALU64, BPF_MOD, 0, 7, 3), 1 },
	{ "mod by 0 keeps dst", OP_X(BPF_ALU64, BPF_MOD, 0, 0xaaaaaaaa00000007ULL, 0),
	  0xaaaaaaaa00000007ULL },
	{ "mod imm -1 is by U64_MAX", OP_K(BPF_ALU64, BPF_MOD, 0, 5, -1), 5 },
	{ "sdiv", OP_X(BPF_ALU64, BPF_DIV, 1, -7, 2), -3 },
	{ "sdiv by a negative", OP_X(BPF_ALU64, BPF_DIV, 1, 7, -2), -3 },
	{ "sdiv S64_MIN by -1", OP_X(BPF_ALU64, BPF_DIV, 1, S64_MIN, -1), S64_MIN },
	{ "sdiv by -1", OP_X(BPF_ALU64, BPF_DIV, 1, 5, -1), -5 },
	{ "sdiv by 0 is 0", OP_X(BPF_ALU64, BPF_DIV, 1, -7, 0), 0 },
	{ "sdiv imm", OP_K(BPF_ALU64, BPF_DIV, 1, -7, 2), -3 },
	{ "sdiv imm S64_MIN by -1", OP_K(BPF_ALU64, BPF_DIV, 1, S64_MIN, -1), S64_MIN },
	{ "smod", OP_X(BPF_ALU64, BPF_MOD, 1, -7, 2), -1 },
	{ "smod by a negative", OP_X(BPF_ALU64, BPF_MOD, 1, 7, -2), 1 },
	{ "smod S64_MIN by -1", OP_X(BPF_ALU64, BPF_MOD, 1, S64_MIN, -1), 0 },
	{ "smod by 0 keeps dst", OP_X(BPF_ALU64, BPF_MOD, 1, -7, 0), -7 },
	{ "smod imm -1", OP_K(BPF_ALU64, BPF_MOD, 1, S64_MIN, -1), 0 },
	{ "neg 0", OP_U(BPF_ALU64 | BPF_NEG, 0, 0), 0 },
	{ "neg 1", OP_U(BPF_ALU64 | BPF_NEG, 0, 1), U64_MAX },
	{ "neg S64_MIN", OP_U(BPF_ALU64 | BPF_NEG, 0, S64_MIN), S64_MIN },
	{ "mov imm -1", OP_K(BPF_ALU64, BPF_MOV, 0, 0x1234, -1), U64_MAX },
	{ "mov imm INT_MIN", OP_K(BPF_ALU64, BPF_MOV, 0, 0, INT_MIN),
	  0xffffffff80000000ULL },
	{ "mov reg", OP_X(BPF_ALU64, BPF_MOV, 0, 0, 0x123456789ULL), 0x123456789ULL },
	{ "movsx 8", OP_X(BPF_ALU64, BPF_MOV, 8, 0, 0x1234567890abcd80ULL),
	  0xffffffffffffff80ULL },
	{ "movsx 8 positive", OP_X(BPF_ALU64, BPF_MOV, 8, 0, 0xffffffffffffff7fULL), 0x7f },
	{ "movsx 16", OP_X(BPF_ALU64, BPF_MOV, 16, 0, 0x8000), 0xffffffffffff8000ULL },
	{ "movsx 32", OP_X(BPF_ALU64, BPF_MOV, 32, 0, 0x80000000), 0xffffffff80000000ULL },
	{ "movsx 32 positive", OP_X(BPF_ALU64, BPF_MOV, 32, 0, 0xffffffff7fffffffULL),
	  0x7fffffff },
	{ "bswap16", OP_U(BPF_ALU64 | BPF_END | BPF_TO_LE, 16, 0x1122334455667788ULL),
	  0x8877 },
	{ "bswap32", OP_U(BPF_ALU64 | BPF_END | BPF_TO_LE, 32, 0x1122334455667788ULL),
	  0x88776655 },
	{ "bswap64", OP_U(BPF_ALU64 | BPF_END | BPF_TO_LE, 64, 0x1122334455667788ULL),
	  0x8877665544332211ULL },
	{ "ld_imm64", { BPF_LD_IMM64(BPF_REG_0, 0x0123456789abcdefULL), BPF_EXIT_INSN() },
	  0x0123456789abcdefULL },
	{ "ld_imm64 negative halves", { BPF_LD_IMM64(BPF_REG_0, 0xffffffff80000001ULL),
	  BPF_EXIT_INSN() }, 0xffffffff80000001ULL },
};

KUNIT_ARRAY_PARAM(alu64, alu64_cases, interp_case_desc);

static void interp_alu64(struct kunit *test)
{
	run_case(test, test->param_value);
}

/* The upper half of R0 starts out set: 32-bit results must clear it. */
static const struct interp_case alu32_cases[] = {
	{ "add wraps", OP_X(BPF_ALU, BPF_ADD, 0, 0xaaaaaaaaffffffffULL, 1), 0 },
	{ "add imm -1", OP_K(BPF_ALU, BPF_ADD, 0, 0xaaaaaaaa00000005ULL, -1), 4 },
	{ "sub wraps", OP_X(BPF_ALU, BPF_SUB, 0, 0xaaaaaaaa00000000ULL, 1), U32_MAX },
	{ "mul", OP_X(BPF_ALU, BPF_MUL, 0, 0x10000, 0x10000), 0 },
	{ "mul imm -1", OP_K(BPF_ALU, BPF_MUL, 0, U32_MAX, -1), 1 },
	{ "or imm INT_MIN", OP_K(BPF_ALU, BPF_OR, 0, 0xaaaaaaaa00000000ULL, INT_MIN),
	  0x80000000 },
	{ "and", OP_X(BPF_ALU, BPF_AND, 0, U64_MAX, 0xffff0000ffffULL), 0xffff },
	{ "xor imm -1", OP_K(BPF_ALU, BPF_XOR, 0, 0xaaaaaaaa0000ffffULL, -1), 0xffff0000 },
	{ "lsh by 31", OP_X(BPF_ALU, BPF_LSH, 0, 0xaaaaaaaa00000003ULL, 31), 0x80000000 },
	{ "lsh by 32 is by 0", OP_X(BPF_ALU, BPF_LSH, 0, 0xaaaaaaaa00000003ULL, 32), 3 },
	{ "lsh by 63 is by 31", OP_X(BPF_ALU, BPF_LSH, 0, 1, 63), 0x80000000 },
	{ "lsh imm 31", OP_K(BPF_ALU, BPF_LSH, 0, 1, 31), 0x80000000 },
	{ "lsh imm 32 (refused at load)", OP_K(BPF_ALU, BPF_LSH, 0, 3, 32), 3,
	  .check = -EINVAL },
	{ "rsh by 31", OP_X(BPF_ALU, BPF_RSH, 0, 0xffffffff80000000ULL, 31), 1 },
	{ "rsh by 0 zero-extends", OP_X(BPF_ALU, BPF_RSH, 0, 0xffffffff00000001ULL, 0), 1 },
	{ "arsh by 31", OP_X(BPF_ALU, BPF_ARSH, 0, 0x80000000, 31), U32_MAX },
	{ "arsh by 63 is by 31", OP_X(BPF_ALU, BPF_ARSH, 0, 0x80000000, 63), U32_MAX },
	{ "arsh imm 4", OP_K(BPF_ALU, BPF_ARSH, 0, 0xf0000000, 4), 0xff000000 },
	{ "div", OP_X(BPF_ALU, BPF_DIV, 0, U32_MAX, 2), 0x7fffffff },
	{ "div of the low halves", OP_X(BPF_ALU, BPF_DIV, 0, 0x100000008ULL,
					 0x100000002ULL), 4 },
	{ "div by 0 is 0", OP_X(BPF_ALU, BPF_DIV, 0, 0xaaaaaaaa00000007ULL, 0), 0 },
	{ "div by a low half of 0", OP_X(BPF_ALU, BPF_DIV, 0, 7, 0x100000000ULL), 0 },
	{ "div imm -1 is by U32_MAX", OP_K(BPF_ALU, BPF_DIV, 0, U32_MAX, -1), 1 },
	{ "mod", OP_X(BPF_ALU, BPF_MOD, 0, 7, 3), 1 },
	{ "mod by 0 zero-extends dst", OP_X(BPF_ALU, BPF_MOD, 0, 0xaaaaaaaa00000007ULL, 0),
	  7 },
	{ "mod imm 0 (refused at load)", OP_K(BPF_ALU, BPF_MOD, 0, 0xaaaaaaaa00000007ULL,
					       0), 7, .check = -EINVAL },
	{ "sdiv", OP_X(BPF_ALU, BPF_DIV, 1, -7, 2), 0xfffffffd },
	{ "sdiv INT_MIN by -1", OP_X(BPF_ALU, BPF_DIV, 1, 0x80000000, U32_MAX), 0x80000000 },
	{ "sdiv by -1", OP_X(BPF_ALU, BPF_DIV, 1, 5, -1), 0xfffffffb },
	{ "sdiv by 0 is 0", OP_X(BPF_ALU, BPF_DIV, 1, 0xaaaaaaaa80000000ULL, 0), 0 },
	{ "sdiv imm INT_MIN by -1", OP_K(BPF_ALU, BPF_DIV, 1, 0x80000000, -1), 0x80000000 },
	{ "sdiv of the low halves", OP_X(BPF_ALU, BPF_DIV, 1, 0x1fffffff9ULL,
					  0x100000002ULL), 0xfffffffd },
	{ "smod", OP_X(BPF_ALU, BPF_MOD, 1, -7, 2), U32_MAX },
	{ "smod by a negative", OP_X(BPF_ALU, BPF_MOD, 1, 7, -2), 1 },
	{ "smod INT_MIN by -1", OP_X(BPF_ALU, BPF_MOD, 1, 0x80000000, -1), 0 },
	{ "smod by 0 zero-extends dst", OP_X(BPF_ALU, BPF_MOD, 1, 0xaaaaaaaafffffff9ULL, 0),
	  0xfffffff9 },
	{ "smod imm", OP_K(BPF_ALU, BPF_MOD, 1, -7, 2), U32_MAX },
	{ "neg 1", OP_U(BPF_ALU | BPF_NEG, 0, 0xaaaaaaaa00000001ULL), U32_MAX },
	{ "neg INT_MIN", OP_U(BPF_ALU | BPF_NEG, 0, 0x80000000), 0x80000000 },
	{ "mov reg zero-extends", OP_X(BPF_ALU, BPF_MOV, 0, 0, U64_MAX), U32_MAX },
	{ "mov imm -1", OP_K(BPF_ALU, BPF_MOV, 0, 0x1234, -1), U32_MAX },
	{ "movsx 8", OP_X(BPF_ALU, BPF_MOV, 8, 0, 0x80), 0xffffff80 },
	{ "movsx 16", OP_X(BPF_ALU, BPF_MOV, 16, 0, 0xffffffff00008000ULL), 0xffff8000 },
	{ "movsx 16 positive", OP_X(BPF_ALU, BPF_MOV, 16, 0, 0x7fff), 0x7fff },
	{ "le16", OP_U(BPF_ALU | BPF_END | BPF_TO_LE, 16, 0x1122334455667788ULL), 0x7788 },
	{ "le32", OP_U(BPF_ALU | BPF_END | BPF_TO_LE, 32, 0x1122334455667788ULL),
	  0x55667788 },
	{ "le64", OP_U(BPF_ALU | BPF_END | BPF_TO_LE, 64, 0x1122334455667788ULL),
	  0x1122334455667788ULL },
	{ "be16", OP_U(BPF_ALU | BPF_END | BPF_TO_BE, 16, 0x1122334455667788ULL), 0x8877 },
	{ "be32", OP_U(BPF_ALU | BPF_END | BPF_TO_BE, 32, 0x1122334455667788ULL),
	  0x88776655 },
	{ "be64", OP_U(BPF_ALU | BPF_END | BPF_TO_BE, 64, 0x1122334455667788ULL),
	  0x8877665544332211ULL },
};

KUNIT_ARRAY_PARAM(alu32, alu32_cases, interp_case_desc);

static void interp_alu32(struct kunit *test)
{
	run_case(test, test->param_value);
}

/* R0 is 1 when the jump is taken. */
static const struct interp_case jmp_cases[] = {
	{ "jeq64 sees high halves", JMP_X(BPF_JMP, BPF_JEQ, 0x100000000ULL, 0), 0 },
	{ "jeq32 ignores them", JMP_X(BPF_JMP32, BPF_JEQ, 0x100000000ULL, 0), 1 },
	{ "jeq64 imm -1 sign-extends", JMP_K(BPF_JMP, BPF_JEQ, U64_MAX, -1), 1 },
	{ "jeq64 imm -1 is not U32_MAX", JMP_K(BPF_JMP, BPF_JEQ, U32_MAX, -1), 0 },
	{ "jeq32 imm -1", JMP_K(BPF_JMP32, BPF_JEQ, U32_MAX, -1), 1 },
	{ "jne64", JMP_X(BPF_JMP, BPF_JNE, 0x100000001ULL, 1), 1 },
	{ "jne32", JMP_X(BPF_JMP32, BPF_JNE, 0x100000001ULL, 1), 0 },
	{ "jgt64 is unsigned", JMP_X(BPF_JMP, BPF_JGT, U64_MAX, 1), 1 },
	{ "jgt32 of the low halves", JMP_X(BPF_JMP32, BPF_JGT, 0x100000000ULL, 1), 0 },
	{ "jgt64 imm -1 is U64_MAX", JMP_K(BPF_JMP, BPF_JGT, 5, -1), 0 },
	{ "jge64 equal", JMP_X(BPF_JMP, BPF_JGE, 7, 7), 1 },
	{ "jge32 imm", JMP_K(BPF_JMP32, BPF_JGE, 0x100000006ULL, 7), 0 },
	{ "jlt64 imm -1", JMP_K(BPF_JMP, BPF_JLT, 5, -1), 1 },
	{ "jlt64 U64_MAX", JMP_K(BPF_JMP, BPF_JLT, U64_MAX, 0), 0 },
	{ "jlt32", JMP_X(BPF_JMP32, BPF_JLT, 0x100000001ULL, 2), 1 },
	{ "jle64 equal", JMP_X(BPF_JMP, BPF_JLE, 7, 7), 1 },
	{ "jle32", JMP_X(BPF_JMP32, BPF_JLE, 0x100000008ULL, 7), 0 },
	{ "jsgt64 -1 > 1", JMP_X(BPF_JMP, BPF_JSGT, U64_MAX, 1), 0 },
	{ "jsgt64 2^31 > 1", JMP_X(BPF_JMP, BPF_JSGT, 0x80000000, 1), 1 },
	{ "jsgt32 INT_MIN > 1", JMP_X(BPF_JMP32, BPF_JSGT, 0x80000000, 1), 0 },
	{ "jsgt32 imm", JMP_K(BPF_JMP32, BPF_JSGT, 0x7fffffff, INT_MIN), 1 },
	{ "jsge64 imm -1", JMP_K(BPF_JMP, BPF_JSGE, -1, -1), 1 },
	{ "jsge64 U32_MAX >= 0", JMP_K(BPF_JMP, BPF_JSGE, U32_MAX, 0), 1 },
	{ "jsge32 -1 >= 0", JMP_K(BPF_JMP32, BPF_JSGE, U32_MAX, 0), 0 },
	{ "jslt64 S64_MIN < 0", JMP_K(BPF_JMP, BPF_JSLT, S64_MIN, 0), 1 },
	{ "jslt32 of S64_MIN's low half", JMP_K(BPF_JMP32, BPF_JSLT, S64_MIN, 0), 0 },
	{ "jslt32 INT_MIN < 0", JMP_X(BPF_JMP32, BPF_JSLT, 0x80000000, 0), 1 },
	{ "jslt64 2^31 < 0", JMP_X(BPF_JMP, BPF_JSLT, 0x80000000, 0), 0 },
	{ "jsle64", JMP_X(BPF_JMP, BPF_JSLE, S64_MIN, S64_MAX), 1 },
	{ "jsle32 imm INT_MIN", JMP_K(BPF_JMP32, BPF_JSLE, 0x7fffffff, INT_MIN), 0 },
	{ "jsle32 imm INT_MIN equal", JMP_K(BPF_JMP32, BPF_JSLE, 0x80000000, INT_MIN), 1 },
	{ "jset64", JMP_X(BPF_JMP, BPF_JSET, 0x100000000ULL, 0x100000000ULL), 1 },
	{ "jset32", JMP_X(BPF_JMP32, BPF_JSET, 0x100000000ULL, 0x100000000ULL), 0 },
	{ "jset64 imm -1", JMP_K(BPF_JMP, BPF_JSET, 0x100000000ULL, -1), 1 },
	{ "jset32 imm -1", JMP_K(BPF_JMP32, BPF_JSET, 0x100000000ULL, -1), 0 },
	{ "ja", { BPF_MOV64_IMM(BPF_REG_0, 1), BPF_JMP_A(1), BPF_MOV64_IMM(BPF_REG_0, 0),
		  BPF_EXIT_INSN() }, 1 },
	{ "ja backwards", { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_JMP_A(2),
			    BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 10), BPF_EXIT_INSN(),
			    BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 1), BPF_JMP_A(-4) }, 11 },
	{ "gotol", { BPF_MOV64_IMM(BPF_REG_0, 1), T_GOTOL(1), BPF_MOV64_IMM(BPF_REG_0, 0),
		     BPF_EXIT_INSN() }, 1 },
	{ "gotol backwards", { BPF_MOV64_IMM(BPF_REG_0, 0), T_GOTOL(2),
			       BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 10), BPF_EXIT_INSN(),
			       BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 1), T_GOTOL(-4) }, 11 },
	{ "may_goto is never taken", { BPF_MOV64_IMM(BPF_REG_0, 1), T_MAY_GOTO(1),
				       BPF_EXIT_INSN(), BPF_MOV64_IMM(BPF_REG_0, 0),
				       BPF_EXIT_INSN() }, 1 },
	{ "a counted loop", { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_MOV64_IMM(BPF_REG_1, 10),
			      BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
			      BPF_ALU64_IMM(BPF_SUB, BPF_REG_1, 1),
			      BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, -3), BPF_EXIT_INSN() }, 55 },
};

KUNIT_ARRAY_PARAM(jmp, jmp_cases, interp_case_desc);

static void interp_jmp(struct kunit *test)
{
	run_case(test, test->param_value);
}

/* Loads, stores and atomics on the stack, all sizes. */
static const struct interp_case mem_cases[] = {
	{ "stx/ldx dw", { BPF_LD_IMM64(BPF_REG_1, 0x1122334455667788ULL),
			  BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
			  BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8), BPF_EXIT_INSN() },
	  0x1122334455667788ULL },
	{ "ldx w is little-endian", { BPF_LD_IMM64(BPF_REG_1, 0x1122334455667788ULL),
				      BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
				      BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -8),
				      BPF_EXIT_INSN() }, 0x55667788 },
	{ "ldx h", { BPF_LD_IMM64(BPF_REG_1, 0x1122334455667788ULL),
		     BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		     BPF_LDX_MEM(BPF_H, BPF_REG_0, BPF_REG_10, -6), BPF_EXIT_INSN() }, 0x5566 },
	{ "ldx b", { BPF_LD_IMM64(BPF_REG_1, 0x1122334455667788ULL),
		     BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		     BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_10, -1), BPF_EXIT_INSN() }, 0x11 },
	{ "stx w stores the low half", { BPF_LD_IMM64(BPF_REG_1, 0xaaaaaaaabbbbbbbbULL),
					 BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_1, -8),
					 BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
					 BPF_EXIT_INSN() }, 0xbbbbbbbb },
	{ "stx h and b", { BPF_LD_IMM64(BPF_REG_1, 0xaaaaaaaaaaaa1234ULL),
			   BPF_STX_MEM(BPF_H, BPF_REG_10, BPF_REG_1, -8),
			   BPF_STX_MEM(BPF_B, BPF_REG_10, BPF_REG_1, -1),
			   BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8), BPF_EXIT_INSN() },
	  0x3400000000001234ULL },
	{ "st dw imm sign-extends", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, -1),
				      BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
				      BPF_EXIT_INSN() }, U64_MAX },
	{ "st w imm", { BPF_ST_MEM(BPF_W, BPF_REG_10, -4, -1),
			BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8), BPF_EXIT_INSN() },
	  0xffffffff00000000ULL },
	{ "st h and b imm truncate", { BPF_ST_MEM(BPF_H, BPF_REG_10, -8, 0x12345),
				       BPF_ST_MEM(BPF_B, BPF_REG_10, -6, 0x1ff),
				       BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
				       BPF_EXIT_INSN() }, 0xff2345 },
	{ "unaligned dw", { BPF_LD_IMM64(BPF_REG_1, 0x1122334455667788ULL),
			    BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -13),
			    BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -13), BPF_EXIT_INSN() },
	  0x1122334455667788ULL },
	{ "the stack's lowest byte", { BPF_ST_MEM(BPF_B, BPF_REG_10, -512, 7),
				       BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_10, -512),
				       BPF_EXIT_INSN() }, 7 },
	{ "ldsx b", { BPF_ST_MEM(BPF_B, BPF_REG_10, -1, 0x80),
		      T_LDSX(BPF_B, BPF_REG_0, BPF_REG_10, -1), BPF_EXIT_INSN() },
	  0xffffffffffffff80ULL },
	{ "ldsx b positive", { BPF_ST_MEM(BPF_B, BPF_REG_10, -1, 0x7f),
			       T_LDSX(BPF_B, BPF_REG_0, BPF_REG_10, -1), BPF_EXIT_INSN() },
	  0x7f },
	{ "ldsx h", { BPF_ST_MEM(BPF_H, BPF_REG_10, -2, 0x8000),
		      T_LDSX(BPF_H, BPF_REG_0, BPF_REG_10, -2), BPF_EXIT_INSN() },
	  0xffffffffffff8000ULL },
	{ "ldsx w", { BPF_ST_MEM(BPF_W, BPF_REG_10, -4, INT_MIN),
		      T_LDSX(BPF_W, BPF_REG_0, BPF_REG_10, -4), BPF_EXIT_INSN() },
	  0xffffffff80000000ULL },
	{ "ldsx w positive", { BPF_ST_MEM(BPF_W, BPF_REG_10, -4, INT_MAX),
			       T_LDSX(BPF_W, BPF_REG_0, BPF_REG_10, -4), BPF_EXIT_INSN() },
	  INT_MAX },
	/* atomics: R0 = old << 32 | new, from R1 (fetched) and memory */
	{ "atomic add dw", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 5),
			     BPF_MOV64_IMM(BPF_REG_1, 3),
			     BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_10, BPF_REG_1, -8),
			     BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
			     BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, 32),
			     BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN() },
	  0x300000008ULL },
	{ "atomic fetch add dw", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 5),
				   BPF_MOV64_IMM(BPF_REG_1, 3),
				   BPF_ATOMIC_OP(BPF_DW, BPF_ADD | BPF_FETCH, BPF_REG_10,
						 BPF_REG_1, -8),
				   BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
				   BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, 32),
				   BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN() },
	  0x500000008ULL },
	{ "atomic fetch add w zero-extends", {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, -1),
		BPF_LD_IMM64(BPF_REG_1, 0xaaaaaaaa00000001ULL),
		BPF_ATOMIC_OP(BPF_W, BPF_ADD | BPF_FETCH, BPF_REG_10, BPF_REG_1, -4),
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN() }, U32_MAX },
	{ "atomic and/or/xor dw", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 0xf0f0),
				    BPF_MOV64_IMM(BPF_REG_1, 0xff00),
				    BPF_ATOMIC_OP(BPF_DW, BPF_AND, BPF_REG_10, BPF_REG_1, -8),
				    BPF_MOV64_IMM(BPF_REG_1, 0x000f),
				    BPF_ATOMIC_OP(BPF_DW, BPF_OR, BPF_REG_10, BPF_REG_1, -8),
				    BPF_MOV64_IMM(BPF_REG_1, 0x1001),
				    BPF_ATOMIC_OP(BPF_DW, BPF_XOR, BPF_REG_10, BPF_REG_1, -8),
				    BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
				    BPF_EXIT_INSN() }, 0xe00e },
	{ "atomic fetch and/or/xor w", { BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0xf0f0),
					 BPF_MOV64_IMM(BPF_REG_1, 0xff00),
					 BPF_ATOMIC_OP(BPF_W, BPF_AND | BPF_FETCH, BPF_REG_10,
						       BPF_REG_1, -4),
					 BPF_MOV64_REG(BPF_REG_0, BPF_REG_1),
					 BPF_MOV64_IMM(BPF_REG_1, 0x000f),
					 BPF_ATOMIC_OP(BPF_W, BPF_OR | BPF_FETCH, BPF_REG_10,
						       BPF_REG_1, -4),
					 BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
					 BPF_MOV64_IMM(BPF_REG_1, 0x1001),
					 BPF_ATOMIC_OP(BPF_W, BPF_XOR | BPF_FETCH, BPF_REG_10,
						       BPF_REG_1, -4),
					 BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
					 BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_10, -4),
					 BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 32),
					 BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1),
					 BPF_EXIT_INSN() }, 0x2d0ff0000e00eULL },
	{ "atomic xchg dw", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 5),
			      BPF_MOV64_IMM(BPF_REG_1, 9),
			      BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, BPF_REG_10, BPF_REG_1, -8),
			      BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
			      BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, 32),
			      BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN() },
	  0x500000009ULL },
	{ "atomic xchg w", { BPF_ST_MEM(BPF_W, BPF_REG_10, -4, -1),
			     BPF_LD_IMM64(BPF_REG_1, 0xaaaaaaaa00000009ULL),
			     BPF_ATOMIC_OP(BPF_W, BPF_XCHG, BPF_REG_10, BPF_REG_1, -4),
			     BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
			     BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN() },
	  0x900000000ULL + U32_MAX },
	{ "cmpxchg dw stores on a match", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 5),
					    BPF_MOV64_IMM(BPF_REG_0, 5),
					    BPF_MOV64_IMM(BPF_REG_1, 9),
					    BPF_ATOMIC_OP(BPF_DW, BPF_CMPXCHG, BPF_REG_10,
							  BPF_REG_1, -8),
					    BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8),
					    BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 32),
					    BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_2),
					    BPF_EXIT_INSN() }, 0x500000009ULL },
	{ "cmpxchg dw keeps memory otherwise", { BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 5),
						 BPF_MOV64_IMM(BPF_REG_0, 4),
						 BPF_MOV64_IMM(BPF_REG_1, 9),
						 BPF_ATOMIC_OP(BPF_DW, BPF_CMPXCHG, BPF_REG_10,
							       BPF_REG_1, -8),
						 BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8),
						 BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 32),
						 BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_2),
						 BPF_EXIT_INSN() }, 0x500000005ULL },
	{ "cmpxchg w compares R0's low half", {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 5),
		BPF_LD_IMM64(BPF_REG_0, 0xaaaaaaaa00000005ULL),
		BPF_MOV64_IMM(BPF_REG_1, 9),
		BPF_ATOMIC_OP(BPF_W, BPF_CMPXCHG, BPF_REG_10, BPF_REG_1, -4),
		BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_10, -4),
		BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 32),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_2), BPF_EXIT_INSN() },
	  0x500000009ULL },
	/* bad accesses */
	{ "load from a NULL context", { BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
					BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 0 },
	{ "load from a plain integer", { BPF_MOV64_IMM(BPF_REG_1, 0x1000),
					 BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_1, 0),
					 BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 1 },
	{ "load from an unknown region", { BPF_LD_IMM64(BPF_REG_1, KBPF_VADDR(50, 0)),
					   BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_1, 0),
					   BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 2 },
	{ "load from region 127", { BPF_LD_IMM64(BPF_REG_1, KBPF_VADDR(127, 0)),
				    BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_1, 0),
				    BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 2 },
	{ "load at the stack's top", { BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_10, 0),
				       BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 0 },
	{ "load across the stack's top", { BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -4),
					   BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 0 },
	{ "load below the stack", { BPF_MOV64_IMM(BPF_REG_0, 0),
				    BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_10, -513),
				    BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 1 },
	{ "store into the callees' frames", { BPF_ST_MEM(BPF_DW, BPF_REG_10, 8, 1),
					      BPF_EXIT_INSN() }, .err = -EFAULT },
	{ "misaligned atomic dw", { BPF_MOV64_IMM(BPF_REG_1, 1),
				    BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_10, BPF_REG_1, -12),
				    BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 1 },
	{ "misaligned atomic w", { BPF_MOV64_IMM(BPF_REG_1, 1),
				   BPF_ATOMIC_OP(BPF_W, BPF_XCHG, BPF_REG_10, BPF_REG_1, -6),
				   BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 1 },
	{ "atomic w aligned to 4", { BPF_MOV64_IMM(BPF_REG_1, 1),
				     BPF_ATOMIC_OP(BPF_W, BPF_ADD, BPF_REG_10, BPF_REG_1, -12),
				     BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -12),
				     BPF_EXIT_INSN() }, 1 },
	{ "atomic past the stack's top", { BPF_MOV64_IMM(BPF_REG_1, 1),
					   BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_10,
							 BPF_REG_1, 0),
					   BPF_EXIT_INSN() }, .err = -EFAULT, .err_insn = 1 },
	/* instructions that cannot run */
	{ "unknown atomic operation", { BPF_ATOMIC_OP(BPF_DW, BPF_SUB, BPF_REG_10,
						      BPF_REG_1, -8),
					BPF_EXIT_INSN() }, .err = -EINVAL, .check = -EINVAL },
	{ "unknown opcode", { BPF_MOV64_IMM(BPF_REG_0, 1),
			      BPF_RAW_INSN(BPF_ALU64 | BPF_NEG | BPF_X, 0, 0, 0, 0),
			      BPF_EXIT_INSN() }, .err = -EINVAL, .err_insn = 1,
	  .check = -EINVAL },
	{ "ld_abs", { BPF_RAW_INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  .err = -EINVAL, .check = -EINVAL },
	{ "kfunc call", { BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 1),
			  BPF_EXIT_INSN() }, .err = -EINVAL, .check = -EINVAL },
	{ "end with imm 8", OP_U(BPF_ALU | BPF_END | BPF_TO_LE, 8, 1), .err = -EINVAL,
	  .err_insn = 2, .check = -EINVAL },
	{ "movsx 64 with off 1", OP_X(BPF_ALU64, BPF_MOV, 1, 0, 1), .err = -EINVAL,
	  .err_insn = 4, .check = -EINVAL },
	{ "movsx 32 with off 32", OP_X(BPF_ALU, BPF_MOV, 32, 0, 1), .err = -EINVAL,
	  .err_insn = 4, .check = -EINVAL },
	{ "falls off the end", { BPF_MOV64_IMM(BPF_REG_0, 1) }, .err = -EINVAL,
	  .err_insn = 1, .check = -EINVAL },
	{ "ld_imm64 without its second half",
	  { BPF_MOV64_IMM(BPF_REG_0, 1), BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1) },
	  .err = -EINVAL, .err_insn = 1, .check = -EINVAL },
	{ "jump out of the program", { BPF_JMP_A(5), BPF_EXIT_INSN() }, .err = -EINVAL,
	  .err_insn = 6, .check = -EINVAL },
	{ "jump before the program", { BPF_JMP_A(-2), BPF_EXIT_INSN() }, .err = -EINVAL,
	  .err_insn = U32_MAX, .check = -EINVAL },
};

KUNIT_ARRAY_PARAM(mem, mem_cases, interp_case_desc);

static void interp_mem(struct kunit *test)
{
	run_case(test, test->param_value);
}

/* R1 is what the caller passes, R10 the top of frame 0; the rest is 0. */
static void interp_starts_with_r1_and_r10(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_MOV64_REG(BPF_REG_0, BPF_REG_1), BPF_EXIT_INSN());
	struct tenv *f = TENV(test, BPF_MOV64_REG(BPF_REG_0, BPF_REG_10), BPF_EXIT_INSN());
	struct tenv *g = TENV(test,
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_2),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_3),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_4),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_5),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_6),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_7),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_8),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_9),
		BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, kbpf_interp(&e->run, 0xdeadbeefcafeULL), 0xdeadbeefcafeULL);
	KUNIT_EXPECT_EQ(test, tenv_run(f), KBPF_VADDR(0, KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, tenv_run(g), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, f->run.err, 0);
	KUNIT_EXPECT_EQ(test, g->run.err, 0);
}

/* Each instruction costs one, ld_imm64 included; the run ends at zero. */
static void interp_budget_counts_instructions(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_LD_IMM64(BPF_REG_0, 1), BPF_MOV64_IMM(BPF_REG_1, 2),
			      BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, e->run.budget, KBPF_RUN_BUDGET);
	e->run.budget = 3;
	KUNIT_EXPECT_EQ(test, tenv_run(e), 1);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.budget, 0);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->run.budget = 2;
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -E2BIG);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 3);
}

/* An endless loop stops after KBPF_RUN_BUDGET instructions with -E2BIG. */
static void interp_endless_loop_runs_out_of_budget(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_MOV64_IMM(BPF_REG_0, 1),
			      BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 1), BPF_JMP_A(-2),
			      BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -E2BIG);
	KUNIT_EXPECT_EQ(test, e->run.budget, 0);
	KUNIT_EXPECT_TRUE(test, e->run.err_insn == 1 || e->run.err_insn == 2);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, 0);
}

/* A fault names the instruction and the address; later ones are not kept. */
static void interp_fault_records_insn_and_address(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_MOV64_IMM(BPF_REG_0, 1),
			      BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -8),
			      BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, 2),
			      BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 2);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(0, KBPF_STACK_SIZE + 2));

	kbpf_run_fault(&e->run, -ENOSPC, 77);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 2);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(0, KBPF_STACK_SIZE + 2));
	/* a faulted run does not start again */
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 2);
}

/* The context: readable, writable only when the run says so. */
static void interp_context_access(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 8),
			      BPF_ST_MEM(BPF_DW, BPF_REG_1, 24, 42),
			      BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 24),
			      BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 1), BPF_EXIT_INSN());

	e->ctx[1] = 41;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, e->ctx,
					    sizeof(e->ctx), true), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 43);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->ctx[3], 42);

	e->ctx[3] = 0;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, e->ctx,
					    sizeof(e->ctx), false), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 1);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(1, 24));
	KUNIT_EXPECT_EQ(test, e->ctx[3], 0);

	/* a context of 24 bytes ends before ctx[3] */
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, e->ctx, 24,
					    true), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 1);
}

/* Value regions are regions 2, 3, ... with their own permission. */
static void interp_value_regions(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_LD_IMM64(BPF_REG_1, KBPF_VADDR(2, 8)),
			      BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
			      BPF_LD_IMM64(BPF_REG_2, KBPF_VADDR(3, 0)),
			      BPF_STX_MEM(BPF_DW, BPF_REG_2, BPF_REG_0, 8),
			      BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),
			      BPF_EXIT_INSN());

	e->value[1] = 99;
	e->prog.value_regions[0] = (struct kbpf_region) {
		.base = e->value, .size = 16, .kind = KBPF_REGION_MAP_VALUE,
	};
	e->prog.value_regions[1] = (struct kbpf_region) {
		.base = &e->value[2], .size = 16, .kind = KBPF_REGION_MAP_VALUE,
		.write = true,
	};
	e->prog.nr_value_regions = 2;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	KUNIT_EXPECT_EQ(test, e->run.nr_regions, 4);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->value[3], 99);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);	/* region 2 is read-only */
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 6);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(2, 8));
	KUNIT_EXPECT_EQ(test, e->value[1], 99);
}

/* A granted region is usable until revoked; a freed one faults. */
static void interp_granted_and_freed_regions(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_LD_IMM64(BPF_REG_1, KBPF_VADDR(2, 0)),
			      BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0), BPF_EXIT_INSN());

	e->value[0] = 7;
	KUNIT_ASSERT_EQ(test, kbpf_run_grant(&e->run, e->value, 8,
					     KBPF_REGION_RINGBUF_RECORD, true),
			KBPF_VADDR(2, 0));
	KUNIT_EXPECT_EQ(test, tenv_run(e), 7);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	KUNIT_ASSERT_EQ(test, kbpf_run_grant(&e->run, e->value, 8,
					     KBPF_REGION_RINGBUF_RECORD, true),
			KBPF_VADDR(2, 0));
	e->run.regions[2].kind = KBPF_REGION_FREE;
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 2);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(2, 0));
}

/* Atomics are atomic: every CPU adds to one shared value at once. */
#define T_ATOMIC_LOOPS	20000

struct atomic_share {
	struct tenv **env;
	u64 *counter;
	atomic_t faults;
};

static void atomic_share_run(void *data)
{
	struct atomic_share *s = data;
	struct tenv *e = s->env[smp_processor_id()];

	if (!e)
		return;
	kbpf_run_init(&e->run, &e->prog, e->stack, s->counter, sizeof(u64), true);
	kbpf_interp(&e->run, KBPF_VADDR(1, 0));
	if (e->run.err)
		atomic_inc(&s->faults);
}

static void interp_atomics_are_shared_between_cpus(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_2, T_ATOMIC_LOOPS),
		BPF_MOV64_IMM(BPF_REG_3, 1),
		BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_1, BPF_REG_3, 0),
		BPF_ALU64_IMM(BPF_SUB, BPF_REG_2, 1),
		BPF_JMP_IMM(BPF_JNE, BPF_REG_2, 0, -3),
		BPF_EXIT_INSN(),
	};
	struct atomic_share *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	int cpu, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->env = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s->env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->env);
	s->counter = kunit_kzalloc(test, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->counter);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		s->env[cpu] = tenv_new(test, insns, ARRAY_SIZE(insns));
		n++;
	}
	on_each_cpu(atomic_share_run, s, 1);
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, atomic_read(&s->faults), 0);
	KUNIT_EXPECT_EQ(test, *s->counter, (u64)n * T_ATOMIC_LOOPS);
}

static struct kunit_case kbpf_interp_cases[] = {
	KUNIT_CASE_PARAM(interp_alu64, alu64_gen_params),
	KUNIT_CASE_PARAM(interp_alu32, alu32_gen_params),
	KUNIT_CASE_PARAM(interp_jmp, jmp_gen_params),
	KUNIT_CASE_PARAM(interp_mem, mem_gen_params),
	KUNIT_CASE(interp_starts_with_r1_and_r10),
	KUNIT_CASE(interp_budget_counts_instructions),
	KUNIT_CASE(interp_endless_loop_runs_out_of_budget),
	KUNIT_CASE(interp_fault_records_insn_and_address),
	KUNIT_CASE(interp_context_access),
	KUNIT_CASE(interp_value_regions),
	KUNIT_CASE(interp_granted_and_freed_regions),
	KUNIT_CASE(interp_atomics_are_shared_between_cpus),
	{}
};

static struct kunit_suite kbpf_interp_suite = {
	.name = "kbpf_interp",
	.test_cases = kbpf_interp_cases,
};

/*
 * bpf-to-bpf calls: main (frame 0) stores 1 at R10-8 and calls f, which
 * finds its own frame zeroed, stores 2 at its R10-8, clobbers R6 and R1
 * and returns its R10; main still has its 1, its R6, its R10.
 */
static void calls_get_their_own_frames(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_MOV64_IMM(BPF_REG_6, 60),				/* 0 */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 1),
		BPF_CALL_REL(9),					/* -> 12 */
		BPF_MOV64_REG(BPF_REG_7, BPF_REG_0),
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),		/* 1 */
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),		/* 61 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, KBPF_STACK_SIZE),
		BPF_JMP_REG(BPF_JNE, BPF_REG_7, BPF_REG_1, 2),		/* f's R10 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 100),
		BPF_EXIT_INSN(),
		BPF_EXIT_INSN(),
		/* f: */
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),		/* 12 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1),
		BPF_EXIT_INSN(),
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 2),
		BPF_MOV64_IMM(BPF_REG_6, 0),
		BPF_MOV64_IMM(BPF_REG_1, 0),
		BPF_MOV64_REG(BPF_REG_0, BPF_REG_10),
		BPF_EXIT_INSN());

	memset(e->stack, 0xaa, sizeof(e->stack));
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 161);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, stack_u64(e, KBPF_STACK_SIZE - 8), 1);
	KUNIT_EXPECT_EQ(test, stack_u64(e, 2 * KBPF_STACK_SIZE - 8), 2);
	/* frames never entered are untouched, and out of reach */
	KUNIT_EXPECT_EQ(test, e->stack[2 * KBPF_STACK_SIZE], 0xaa);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].size, KBPF_STACK_SIZE);
	KUNIT_EXPECT_EQ(test, check(e->prog.orig_insns, e->prog.len), 0);
}

/* A callee writes through a pointer into its caller's frame. */
static void calls_reach_the_callers_frame(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -16, 5),
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -16),
		BPF_CALL_REL(2),
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -16),
		BPF_EXIT_INSN(),
		/* f(p): *p += 10 */
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, 10),
		BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 0),
		BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 15);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
}

/* What pointed into a callee's frame is out of reach once it returned. */
static void calls_frames_go_away_on_return(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_CALL_REL(2),
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0),
		BPF_EXIT_INSN(),
		/* f: return R10 - 8 */
		BPF_MOV64_REG(BPF_REG_0, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, -8),
		BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 1);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(0, 2 * KBPF_STACK_SIZE - 8));
}

/* Recursion: fact(5) takes six frames; R6 is saved across each call. */
static void calls_recurse(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_MOV64_IMM(BPF_REG_1, 5),
		BPF_CALL_REL(1),
		BPF_EXIT_INSN(),
		/* fact(n) = n ? n * fact(n - 1) : 1 */
		BPF_MOV64_IMM(BPF_REG_0, 1),				/* 3 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 5),
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF_ALU64_IMM(BPF_SUB, BPF_REG_1, 1),
		BPF_CALL_REL(-5),					/* -> 3 */
		BPF_ALU64_REG(BPF_MUL, BPF_REG_0, BPF_REG_6),
		BPF_EXIT_INSN(),
		BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 120);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, check(e->prog.orig_insns, e->prog.len), 0);
}

/*
 * f(n) calls itself n more times, then stores at its R10-8: 7 nested
 * calls reach the last frame (depth 7), the eighth faults at its call.
 */
static u64 call_chain(struct kunit *test, u32 calls, struct tenv **ep)
{
	struct tenv *e = TENV(test,
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_2),	/* R2: calls, set below */
		BPF_CALL_REL(1),
		BPF_EXIT_INSN(),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 3),	/* 3 */
		BPF_ALU64_IMM(BPF_SUB, BPF_REG_1, 1),
		BPF_CALL_REL(-3),
		BPF_EXIT_INSN(),
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 3),	/* 7 */
		BPF_MOV64_REG(BPF_REG_0, BPF_REG_10),
		BPF_EXIT_INSN());

	e->prog.insns[0] = BPF_MOV64_IMM(BPF_REG_1, calls - 1);
	*ep = e;
	return tenv_run(e);
}

static void calls_stop_at_the_frame_limit(struct kunit *test)
{
	struct tenv *e;

	KUNIT_EXPECT_EQ(test, call_chain(test, KBPF_MAX_FRAMES - 1, &e),
			KBPF_VADDR(0, KBPF_MAX_FRAMES * KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->stack[KBPF_MAX_FRAMES * KBPF_STACK_SIZE - 8], 3);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].size, KBPF_STACK_SIZE);

	KUNIT_EXPECT_EQ(test, call_chain(test, KBPF_MAX_FRAMES, &e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 5);
	KUNIT_EXPECT_EQ(test, e->run.err_addr,
			KBPF_VADDR(0, (KBPF_MAX_FRAMES + 1) * KBPF_STACK_SIZE));
}

/* Endless recursion hits the frame limit, not the budget. */
static void calls_endless_recursion_faults(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_CALL_REL(-1), BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 0);
	KUNIT_EXPECT_EQ(test, e->run.budget, KBPF_RUN_BUDGET - KBPF_MAX_FRAMES);
}

/* A bpf-to-bpf call to outside the program stops the run. */
static void calls_out_of_the_program_fault(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_CALL_REL(5), BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EINVAL);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 6);
}

/* Callbacks, as bpf_for_each_map_elem() runs them from a helper. */
static const struct bpf_insn callback_insns[] = {
	BPF_MOV64_IMM(BPF_REG_0, 0),
	BPF_EXIT_INSN(),
	/* 2: R1 + R2 + R3 + R4 + R5, and R10 in the frame's first slot */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_1),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_4),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_5),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),	/* 0 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8),	/* 0: zeroed */
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_10, -8),
	BPF_EXIT_INSN(),
	/* 12: a fault */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, 0),
	BPF_EXIT_INSN(),
};

static void callbacks_run_in_a_new_frame(struct kunit *test)
{
	struct tenv *e = tenv_new(test, callback_insns, ARRAY_SIZE(callback_insns));
	const u64 args[5] = { 1, 20, 300, 4000, 50000 };
	u64 ret = 99, budget;

	memset(e->stack, 0xaa, sizeof(e->stack));
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->run.err_insn = 42;	/* the helper's call */
	budget = e->run.budget;
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE + 2,
						    args, &ret), 0);
	KUNIT_EXPECT_EQ(test, ret, 54321);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 42);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].size, KBPF_STACK_SIZE);
	KUNIT_EXPECT_EQ(test, budget - e->run.budget, 10);
	KUNIT_EXPECT_EQ(test, stack_u64(e, 2 * KBPF_STACK_SIZE - 8),
			KBPF_VADDR(0, 2 * KBPF_STACK_SIZE));

	/* one frame deeper than the helper's caller */
	e->run.depth = 3;
	e->run.regions[0].size = 4 * KBPF_STACK_SIZE;
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE + 2,
						    args, &ret), 0);
	KUNIT_EXPECT_EQ(test, ret, 54321);
	KUNIT_EXPECT_EQ(test, stack_u64(e, 5 * KBPF_STACK_SIZE - 8),
			KBPF_VADDR(0, 5 * KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->run.depth, 3);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].size, 4 * KBPF_STACK_SIZE);
}

static void callbacks_refuse_bad_handles_and_depth(struct kunit *test)
{
	struct tenv *e = tenv_new(test, callback_insns, ARRAY_SIZE(callback_insns));
	const u64 args[5] = {};
	u64 ret = 99;

	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, 2, args, &ret), -EINVAL);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, 2);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE +
						    ARRAY_SIZE(callback_insns), args, &ret),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->run.depth = KBPF_MAX_FRAMES - 1;
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE + 2,
						    args, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_addr,
			KBPF_VADDR(0, (KBPF_MAX_FRAMES + 1) * KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->run.depth, KBPF_MAX_FRAMES - 1);
	/* a faulted run runs no callback */
	e->run.depth = 0;
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE + 2,
						    args, &ret), -EFAULT);
}

static void callbacks_fault_like_programs(struct kunit *test)
{
	struct tenv *e = tenv_new(test, callback_insns, ARRAY_SIZE(callback_insns));
	const u64 args[5] = {};
	u64 ret = 99;

	e->run.err_insn = 42;
	KUNIT_EXPECT_EQ(test, kbpf_interp_call_func(&e->run, KBPF_FUNC_HANDLE_BASE + 12,
						    args, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -EFAULT);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 12);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, KBPF_VADDR(0, 2 * KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].size, KBPF_STACK_SIZE);
}

/* Helpers (helpers.c): R1..R5 in, R0 out; a helper's fault stops the run. */
static void helpers_are_called(struct kunit *test)
{
	struct tenv *e = TENV(test, T_CALL(BPF_FUNC_ktime_get_ns),
			      BPF_MOV64_REG(BPF_REG_6, BPF_REG_0),
			      T_CALL(BPF_FUNC_ktime_get_ns),
			      BPF_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_6),
			      BPF_JMP_IMM(BPF_JSGE, BPF_REG_0, 0, 2),
			      BPF_MOV64_IMM(BPF_REG_0, -1),
			      BPF_EXIT_INSN(),
			      T_CALL(BPF_FUNC_get_smp_processor_id),
			      BPF_EXIT_INSN());
	u64 cpu;

	cpu = tenv_run(e);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_LT(test, cpu, (u64)nr_cpu_ids);
	KUNIT_EXPECT_EQ(test, check(e->prog.orig_insns, e->prog.len), 0);
}

static void helpers_fault_stops_the_run(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_MOV64_IMM(BPF_REG_1, 1234),	/* not a map */
			      BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
			      BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
			      T_CALL(BPF_FUNC_map_lookup_elem),
			      BPF_MOV64_IMM(BPF_REG_0, 5),
			      BPF_EXIT_INSN());

	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_NE(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 3);
	KUNIT_EXPECT_EQ(test, e->run.budget, KBPF_RUN_BUDGET - 4);
}

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

/*
 * bpf_for_each_map_elem() over an array: the callback, a function of the
 * program, adds each value into the caller's frame through its ctx
 * argument and stops after the third element.
 */
static void helpers_run_callbacks_over_a_map(struct kunit *test)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 4,
	};
	struct tenv *e = TENV(test,
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 0),
		BPF_LD_IMM64(BPF_REG_1, KBPF_MAP_HANDLE_BASE),
		BPF_LD_IMM64(BPF_REG_2, KBPF_FUNC_HANDLE_BASE + 13),
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, -8),
		BPF_MOV64_IMM(BPF_REG_4, 0),
		T_CALL(BPF_FUNC_for_each_map_elem),
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8),
		BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 32),
		BPF_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1),
		BPF_EXIT_INSN(),
		/* 13: cb(map, key, value, ctx) */
		BPF_LDX_MEM(BPF_DW, BPF_REG_5, BPF_REG_3, 0),
		BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_4, BPF_REG_5, 0),
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_2, 0),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 2, 2),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
		BPF_MOV64_IMM(BPF_REG_0, 1),
		BPF_EXIT_INSN());
	struct kbpf_map *map = kbpf_map_new(&attr);
	u64 value;
	u32 key;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	for (key = 0; key < 4; key++) {
		value = 1ULL << (8 * key);
		KUNIT_ASSERT_EQ(test, map->ops->update(map, &key, &value, BPF_ANY), 0);
	}
	e->prog.maps[0] = map;
	e->prog.nr_maps = 1;
	KUNIT_ASSERT_EQ(test, check(e->prog.orig_insns, e->prog.len), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0x300010101ULL);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, e->run.nr_regions, 2);
}

static struct kunit_case kbpf_interp_call_cases[] = {
	KUNIT_CASE(calls_get_their_own_frames),
	KUNIT_CASE(calls_reach_the_callers_frame),
	KUNIT_CASE(calls_frames_go_away_on_return),
	KUNIT_CASE(calls_recurse),
	KUNIT_CASE(calls_stop_at_the_frame_limit),
	KUNIT_CASE(calls_endless_recursion_faults),
	KUNIT_CASE(calls_out_of_the_program_fault),
	KUNIT_CASE(callbacks_run_in_a_new_frame),
	KUNIT_CASE(callbacks_refuse_bad_handles_and_depth),
	KUNIT_CASE(callbacks_fault_like_programs),
	KUNIT_CASE(helpers_are_called),
	KUNIT_CASE(helpers_fault_stops_the_run),
	KUNIT_CASE(helpers_run_callbacks_over_a_map),
	{}
};

static struct kunit_suite kbpf_interp_call_suite = {
	.name = "kbpf_interp_calls",
	.test_cases = kbpf_interp_call_cases,
};

/* The region table: what kbpf_run_init() puts in it. */
static void run_init_fills_the_regions(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_EXIT_INSN());
	u32 i;

	memset(e->stack, 0xaa, sizeof(e->stack));
	for (i = 0; i < 3; i++)
		e->prog.value_regions[i] = (struct kbpf_region) {
			.base = &e->value[i], .size = 8, .kind = KBPF_REGION_MAP_VALUE,
			.write = i & 1,
		};
	e->prog.nr_value_regions = 3;
	e->run.err = -EFAULT;
	e->run.depth = 3;
	e->run.budget = 0;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, e->ctx, 32,
					    true), 0);
	KUNIT_EXPECT_PTR_EQ(test, e->run.prog, &e->prog);
	KUNIT_EXPECT_EQ(test, e->run.budget, KBPF_RUN_BUDGET);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_PTR_EQ(test, e->run.stack, (u8 *)e->stack);
	KUNIT_EXPECT_EQ(test, e->run.nr_regions, 5);
	KUNIT_EXPECT_PTR_EQ(test, e->run.regions[0].base, (void *)e->stack);
	KUNIT_EXPECT_EQ(test, e->run.regions[0].kind, KBPF_REGION_STACK);
	KUNIT_EXPECT_TRUE(test, e->run.regions[0].write);
	KUNIT_EXPECT_PTR_EQ(test, e->run.regions[1].base, (void *)e->ctx);
	KUNIT_EXPECT_EQ(test, e->run.regions[1].size, 32);
	KUNIT_EXPECT_EQ(test, e->run.regions[1].kind, KBPF_REGION_CTX);
	KUNIT_EXPECT_TRUE(test, e->run.regions[1].write);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_EQ(test, e->run.regions[2 + i].base, (void *)&e->value[i]);
		KUNIT_EXPECT_EQ(test, e->run.regions[2 + i].size, 8);
		KUNIT_EXPECT_EQ(test, e->run.regions[2 + i].kind, KBPF_REGION_MAP_VALUE);
		KUNIT_EXPECT_EQ(test, e->run.regions[2 + i].write, i & 1);
	}
	/* frame 0 is zeroed; the others are when entered */
	KUNIT_EXPECT_NULL(test, memchr_inv(e->stack, 0, KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->stack[KBPF_STACK_SIZE], 0xaa);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 32,
					    false), 0);
	KUNIT_EXPECT_NULL(test, e->run.regions[1].base);
	KUNIT_EXPECT_EQ(test, e->run.regions[1].size, 0);
	KUNIT_EXPECT_FALSE(test, e->run.regions[1].write);
}

/* kbpf_run_ptr(): inside one live region, with the permission, or NULL. */
static void run_ptr_checks_bounds_and_permission(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_EXIT_INSN());
	struct kbpf_run *run = &e->run;
	u64 ro, rw;

	ro = kbpf_run_grant(run, e->value, 16, KBPF_REGION_MAP_VALUE, false);
	rw = kbpf_run_grant(run, e->ctx, 32, KBPF_REGION_MAP_VALUE, true);
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_ptr(run, ro, 16, false), (void *)e->value);
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_ptr(run, ro + 8, 8, false), (void *)&e->value[1]);
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_ptr(run, ro + 16, 0, false),
			    (void *)&e->value[2]);
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro + 8, 9, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro + 17, 0, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro, 17, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro, U64_MAX, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro + 1, U64_MAX, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, ro, 8, true));
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_ptr(run, rw + 24, 8, true), (void *)&e->ctx[3]);
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, rw - 1, 1, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, 0, 1, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, (u64)(unsigned long)e->value, 8, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, KBPF_VADDR(run->nr_regions, 0), 1, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, KBPF_VADDR(KBPF_MAX_REGIONS, 0), 1, false));
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, KBPF_VADDR(1, 0), 1, false));
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_ptr(run, KBPF_VADDR(0, 0), KBPF_STACK_SIZE, true),
			    (void *)e->stack);
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, KBPF_VADDR(0, 0), KBPF_STACK_SIZE + 1,
					     false));
	run->regions[KBPF_VADDR_REGION(rw)].kind = KBPF_REGION_FREE;
	KUNIT_EXPECT_NULL(test, kbpf_run_ptr(run, rw, 8, false));
	/* none of that faults */
	KUNIT_EXPECT_EQ(test, run->err, 0);
}

/* kbpf_run_region(): the live region, whatever the offset. */
static void run_region_finds_live_regions(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_EXIT_INSN());
	struct kbpf_run *run = &e->run;
	u64 va = kbpf_run_grant(run, e->value, 16, KBPF_REGION_RINGBUF_RECORD, true);

	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_region(run, va), &run->regions[2]);
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_region(run, va + 100), &run->regions[2]);
	KUNIT_EXPECT_PTR_EQ(test, kbpf_run_region(run, KBPF_VADDR(0, 8)), &run->regions[0]);
	KUNIT_EXPECT_NULL(test, kbpf_run_region(run, 0));
	KUNIT_EXPECT_NULL(test, kbpf_run_region(run, KBPF_VADDR(3, 0)));
	KUNIT_EXPECT_NULL(test, kbpf_run_region(run, U64_MAX));
	run->regions[2].kind = KBPF_REGION_FREE;
	KUNIT_EXPECT_NULL(test, kbpf_run_region(run, va));
	KUNIT_EXPECT_EQ(test, run->err, 0);
}

/* kbpf_run_grant(): one region per distinct grant, until the table is full. */
static void run_grant_reuses_and_fills_the_table(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_EXIT_INSN());
	struct kbpf_run *run = &e->run;
	u8 *buf = kunit_kzalloc(test, KBPF_MAX_REGIONS, GFP_KERNEL);
	u64 va;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	va = kbpf_run_grant(run, buf, 8, KBPF_REGION_MAP_VALUE, true);
	KUNIT_EXPECT_EQ(test, va, KBPF_VADDR(2, 0));
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 8, KBPF_REGION_MAP_VALUE, true), va);
	KUNIT_EXPECT_EQ(test, run->nr_regions, 3);
	/* any difference is another region */
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 8, KBPF_REGION_MAP_VALUE, false),
			KBPF_VADDR(3, 0));
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 4, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(4, 0));
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 8, KBPF_REGION_RINGBUF_RECORD, true),
			KBPF_VADDR(5, 0));
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf + 1, 8, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(6, 0));
	/* a freed region is not handed out again */
	run->regions[5].kind = KBPF_REGION_FREE;
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 8, KBPF_REGION_RINGBUF_RECORD, true),
			KBPF_VADDR(7, 0));
	KUNIT_EXPECT_EQ(test, run->regions[7].size, 8);
	KUNIT_EXPECT_PTR_EQ(test, run->regions[7].base, (void *)buf);
	KUNIT_EXPECT_EQ(test, run->regions[7].kind, KBPF_REGION_RINGBUF_RECORD);
	KUNIT_EXPECT_TRUE(test, run->regions[7].write);

	for (i = run->nr_regions; i < KBPF_MAX_REGIONS; i++)
		KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf + i, 1, KBPF_REGION_MAP_VALUE,
						     false), KBPF_VADDR(i, 0));
	KUNIT_EXPECT_EQ(test, run->nr_regions, KBPF_MAX_REGIONS);
	KUNIT_EXPECT_EQ(test, run->err, 0);
	/* full: an existing grant still works ... */
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 8, KBPF_REGION_MAP_VALUE, true), va);
	/* ... a new one takes the freed record's slot first ... */
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 2, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(5, 0));
	KUNIT_EXPECT_EQ(test, run->regions[5].size, 2);
	KUNIT_EXPECT_EQ(test, run->regions[5].kind, KBPF_REGION_MAP_VALUE);
	/* ... then recycles the oldest map value, in turn, never a record */
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 3, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(2, 0));
	KUNIT_EXPECT_EQ(test, run->regions[2].size, 3);
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 5, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(3, 0));
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 6, KBPF_REGION_MAP_VALUE, true),
			KBPF_VADDR(4, 0));
	KUNIT_EXPECT_EQ(test, run->regions[7].kind, KBPF_REGION_RINGBUF_RECORD);
	KUNIT_EXPECT_EQ(test, run->err, 0);
	KUNIT_EXPECT_EQ(test, run->nr_regions, KBPF_MAX_REGIONS);
	/* nothing but records left to recycle: the run faults */
	for (i = 2; i < KBPF_MAX_REGIONS; i++)
		run->regions[i].kind = KBPF_REGION_RINGBUF_RECORD;
	KUNIT_EXPECT_EQ(test, kbpf_run_grant(run, buf, 7, KBPF_REGION_MAP_VALUE, true), 0);
	KUNIT_EXPECT_EQ(test, run->err, -ENOSPC);
	KUNIT_EXPECT_EQ(test, run->nr_regions, KBPF_MAX_REGIONS);
}

/* The first fault is kept, with the instruction the run was at. */
static void run_fault_keeps_the_first(struct kunit *test)
{
	struct tenv *e = TENV(test, BPF_EXIT_INSN());

	e->run.err_insn = 17;
	kbpf_run_fault(&e->run, -EINVAL, 5);
	kbpf_run_fault(&e->run, -EFAULT, 6);
	KUNIT_EXPECT_EQ(test, e->run.err, -EINVAL);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 17);
	KUNIT_EXPECT_EQ(test, e->run.err_addr, 5);
}

/*
 * kbpf_interp_prepare(): loads and stores at R10 + an offset inside the
 * frame become the untranslated opcodes; all else keeps its own, and the
 * deepest such store is the program's stack depth.
 */
static void prepare_marks_only_in_frame_accesses(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -40, 1),			/* 0: yes */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_1, -4),		/* 1: yes */
		BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_10, -512),	/* 2: yes */
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -4),		/* 3: crosses the top */
		BPF_ST_MEM(BPF_B, BPF_REG_10, -513, 1),			/* 4: below the frame */
		BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8),		/* 5: R1 the base */
		BPF_LDX_MEMSX(BPF_W, BPF_REG_0, BPF_REG_10, -8),	/* 6: sign-extending */
		BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_10, BPF_REG_1, -8), /* 7: atomic */
		BPF_LD_IMM64(BPF_REG_0, 0),				/* 8, 9 */
		BPF_EXIT_INSN());
	static const u8 fp[] = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	u32 i;

	for (i = 0; i < e->prog.len; i++)
		KUNIT_EXPECT_EQ_MSG(test, BPF_MODE(e->prog.insns[i].code) == KBPF_MODE_FP, fp[i],
				    "insn %u", i);
	KUNIT_EXPECT_EQ(test, e->prog.stack_depth, 40);
	/* the guard after the program stays opcode 0 */
	KUNIT_EXPECT_EQ(test, e->prog.insns[e->prog.len].code, 0);
}

/*
 * A run on a clean stack and kbpf_run_scrub() after it: frame 0 is zero
 * again, whether the program stored at R10 + off (the stack depth is
 * cleared, nothing below it), through a pointer, or had a helper write it.
 */
static void scrub_leaves_frame_zero(struct kunit *test)
{
	struct tenv *fast = TENV(test,
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -16, 7),
		BPF_STX_MEM(BPF_B, BPF_REG_10, BPF_REG_10, -1),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN());
	struct tenv *ptr = TENV(test,
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -300),
		BPF_ST_MEM(BPF_W, BPF_REG_1, 0, 9),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN());
	struct tenv *e;
	u8 *p;

	/* prepared stores only: the 16 bytes of the depth, no more */
	e = fast;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->stack[0] = 0xaa;	/* below the depth: scrub does not reach it */
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, stack_u64(e, KBPF_STACK_SIZE - 16), 7);
	KUNIT_EXPECT_FALSE(test, e->run.stack_dirty);
	kbpf_run_scrub(&e->run);
	KUNIT_EXPECT_NULL(test, memchr_inv(e->stack + 1, 0, KBPF_STACK_SIZE - 1));
	KUNIT_EXPECT_EQ(test, e->stack[0], 0xaa);

	/* a store through a pointer: all of frame 0 */
	e = ptr;
	memset(e->stack, 0xaa, KBPF_STACK_SIZE);
	KUNIT_ASSERT_EQ(test, kbpf_run_init_clean(&e->run, &e->prog, e->stack, NULL, 0,
						  false), 0);
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_TRUE(test, e->run.stack_dirty);
	kbpf_run_scrub(&e->run);
	KUNIT_EXPECT_NULL(test, memchr_inv(e->stack, 0, KBPF_STACK_SIZE));

	/* a helper's write: kbpf_run_ptr() for writing marks it too */
	e = fast;
	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	p = kbpf_run_ptr(&e->run, KBPF_VADDR(0, 0), 8, false);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, e->run.stack_dirty);
	p = kbpf_run_ptr(&e->run, KBPF_VADDR(0, 0), 8, true);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, e->run.stack_dirty);
	memset(p, 0x55, 8);
	kbpf_run_scrub(&e->run);
	KUNIT_EXPECT_NULL(test, memchr_inv(e->stack, 0, KBPF_STACK_SIZE));
}

/*
 * The budget is checked where control may go back (taken jumps, calls,
 * exits): straight-line code past the end of the budget stops at the
 * next one, with every instruction still counted.
 */
static void budget_checked_at_exits_and_taken_jumps(struct kunit *test)
{
	struct tenv *e = TENV(test,
		BPF_MOV64_IMM(BPF_REG_0, 1),
		BPF_MOV64_IMM(BPF_REG_0, 2),
		BPF_MOV64_IMM(BPF_REG_0, 3),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 4, 1),	/* not taken */
		BPF_JMP_A(0),				/* taken, to 5 */
		BPF_EXIT_INSN());

	e->run.budget = 6;
	KUNIT_EXPECT_EQ(test, tenv_run(e), 3);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.budget, 0);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->run.budget = 4;	/* out at the jump not taken: the taken one stops, at 5 */
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -E2BIG);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 5);
	KUNIT_EXPECT_EQ(test, e->run.budget, 0);

	KUNIT_ASSERT_EQ(test, kbpf_run_init(&e->run, &e->prog, e->stack, NULL, 0, false), 0);
	e->run.budget = 5;	/* the taken jump spends the last one: the exit stops */
	KUNIT_EXPECT_EQ(test, tenv_run(e), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, -E2BIG);
	KUNIT_EXPECT_EQ(test, e->run.err_insn, 5);
}

static struct kunit_case kbpf_run_cases[] = {
	KUNIT_CASE(run_init_fills_the_regions),
	KUNIT_CASE(run_ptr_checks_bounds_and_permission),
	KUNIT_CASE(run_region_finds_live_regions),
	KUNIT_CASE(run_grant_reuses_and_fills_the_table),
	KUNIT_CASE(run_fault_keeps_the_first),
	KUNIT_CASE(prepare_marks_only_in_frame_accesses),
	KUNIT_CASE(scrub_leaves_frame_zero),
	KUNIT_CASE(budget_checked_at_exits_and_taken_jumps),
	{}
};

static struct kunit_suite kbpf_run_suite = {
	.name = "kbpf_run",
	.test_cases = kbpf_run_cases,
};

/* The checker's refusals: the program, the error, the one log line. */
struct check_case {
	const char *name;
	struct bpf_insn insns[T_MAX_INSNS];
	const char *log;
};

static void check_case_desc(const struct check_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

#define T_MOV0	BPF_MOV64_IMM(BPF_REG_0, 0)

static const struct check_case check_cases[] = {
	{ "neg X", { T_MOV0, BPF_RAW_INSN(BPF_ALU64 | BPF_NEG | BPF_X, 0, 0, 0, 0),
		     BPF_EXIT_INSN() }, "1: invalid opcode 0x8f\n" },
	{ "alu64 to_be", { BPF_RAW_INSN(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16),
			   BPF_EXIT_INSN() }, "0: invalid opcode 0xdf\n" },
	{ "alu op 0xe0", { BPF_RAW_INSN(BPF_ALU | 0xe0, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0xe4\n" },
	{ "ldsx dw", { BPF_RAW_INSN(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 10, -8, 0),
		       BPF_EXIT_INSN() }, "0: invalid opcode 0x99\n" },
	{ "ldx atomic", { BPF_RAW_INSN(BPF_LDX | BPF_ATOMIC | BPF_DW, 0, 10, -8, 0),
			  BPF_EXIT_INSN() }, "0: invalid opcode 0xd9\n" },
	{ "st memsx", { BPF_RAW_INSN(BPF_ST | BPF_MEMSX | BPF_W, 10, 0, -8, 0),
			BPF_EXIT_INSN() }, "0: invalid opcode 0x82\n" },
	{ "st atomic", { BPF_RAW_INSN(BPF_ST | BPF_ATOMIC | BPF_W, 10, 0, -8, 0),
			 BPF_EXIT_INSN() }, "0: invalid opcode 0xc2\n" },
	{ "atomic b", { BPF_ATOMIC_OP(BPF_B, BPF_ADD, BPF_REG_10, BPF_REG_1, -8),
			BPF_EXIT_INSN() }, "0: invalid opcode 0xd3\n" },
	{ "jmp32 call", { BPF_RAW_INSN(BPF_JMP32 | BPF_CALL, 0, 0, 0, 5), BPF_EXIT_INSN() },
	  "0: invalid opcode 0x86\n" },
	{ "jmp32 exit", { BPF_RAW_INSN(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0) },
	  "0: invalid opcode 0x96\n" },
	{ "jmp32 jcond", { BPF_RAW_INSN(BPF_JMP32 | BPF_JCOND, 0, 0, 1, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0xe6\n" },
	{ "jmp op 0xf0", { BPF_RAW_INSN(BPF_JMP | 0xf0, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0xf5\n" },
	{ "ja X", { BPF_RAW_INSN(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0x0d\n" },
	{ "call X", { BPF_RAW_INSN(BPF_JMP | BPF_CALL | BPF_X, 0, 0, 0, 5), BPF_EXIT_INSN() },
	  "0: invalid opcode 0x8d\n" },
	{ "ld imm w", { BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0x00\n" },
	{ "ld mem", { BPF_RAW_INSN(BPF_LD | BPF_MEM | BPF_W, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: invalid opcode 0x60\n" },
	{ "ld_abs", { BPF_RAW_INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: BPF_LD_[ABS|IND] is not supported\n" },
	{ "ld_ind", { BPF_RAW_INSN(BPF_LD | BPF_IND | BPF_B, 0, 1, 0, 0), BPF_EXIT_INSN() },
	  "0: BPF_LD_[ABS|IND] is not supported\n" },
	{ "dst R11", { BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 11, 0, 0, 0),
		       BPF_EXIT_INSN() }, "0: invalid register R11\n" },
	{ "src R15", { BPF_RAW_INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 15, 0, 0),
		       BPF_EXIT_INSN() }, "0: invalid register R15\n" },
	{ "write R10", { BPF_MOV64_IMM(BPF_REG_10, 0), BPF_EXIT_INSN() },
	  "0: R10 is read-only\n" },
	{ "alu32 into R10", { T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0,
			      BPF_ALU32_IMM(BPF_ADD, BPF_REG_10, 1), BPF_EXIT_INSN() },
	  "7: R10 is read-only\n" },
	{ "bswap R10", { BPF_ENDIAN(BPF_TO_BE, BPF_REG_10, 16), BPF_EXIT_INSN() },
	  "0: R10 is read-only\n" },
	{ "ldx into R10", { BPF_LDX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, 0), BPF_EXIT_INSN() },
	  "0: R10 is read-only\n" },
	{ "ld_imm64 into R10", { BPF_LD_IMM64(BPF_REG_10, 1), BPF_EXIT_INSN() },
	  "0: R10 is read-only\n" },
	{ "atomic fetch into R10", { BPF_ATOMIC_OP(BPF_DW, BPF_ADD | BPF_FETCH, BPF_REG_1,
						   BPF_REG_10, 0), BPF_EXIT_INSN() },
	  "0: R10 is read-only\n" },
	{ "xchg into R10", { BPF_ATOMIC_OP(BPF_W, BPF_XCHG, BPF_REG_1, BPF_REG_10, 0),
			     BPF_EXIT_INSN() }, "0: R10 is read-only\n" },
	{ "unknown helper", { T_MOV0, T_MOV0, T_MOV0, T_CALL(999), BPF_EXIT_INSN() },
	  "3: unknown helper 999\n" },
	{ "helper -1", { T_CALL(-1), BPF_EXIT_INSN() }, "0: unknown helper -1\n" },
	{ "helper 0", { T_CALL(0), BPF_EXIT_INSN() }, "0: unknown helper 0\n" },
	{ "kfunc call", { BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 1),
			  BPF_EXIT_INSN() }, "0: kfunc calls are not supported\n" },
	{ "call with off", { BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 1, 5), BPF_EXIT_INSN() },
	  "0: BPF_CALL uses reserved fields\n" },
	{ "call with dst", { BPF_RAW_INSN(BPF_JMP | BPF_CALL, 1, 0, 0, 5), BPF_EXIT_INSN() },
	  "0: BPF_CALL uses reserved fields\n" },
	{ "call with src 3", { BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 3, 0, 5),
			       BPF_EXIT_INSN() }, "0: BPF_CALL uses reserved fields\n" },
	{ "bpf call out of range", { BPF_CALL_REL(5), BPF_EXIT_INSN() },
	  "0: call to invalid destination 6\n" },
	{ "bpf call before the program", { BPF_CALL_REL(-2), BPF_EXIT_INSN() },
	  "0: call to invalid destination -1\n" },
	{ "bpf call into ld_imm64", { BPF_CALL_REL(1), BPF_LD_IMM64(BPF_REG_0, 1),
				      BPF_EXIT_INSN() },
	  "0: call into the middle of ld_imm64 at 1\n" },
	{ "function into ld_imm64", { BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_FUNC, 2),
				      BPF_LD_IMM64(BPF_REG_0, 1), BPF_EXIT_INSN() },
	  "0: call into the middle of ld_imm64 at 2\n" },
	{ "function out of range", { BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_FUNC, 10),
				     BPF_EXIT_INSN() },
	  "0: function reference to invalid destination 11\n" },
	{ "ld_imm64 last", { T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0,
			     BPF_EXIT_INSN(),
			     BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1) },
	  "9: ld_imm64 without its second half\n" },
	{ "ld_imm64 second half with a code", {
		BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), T_MOV0, BPF_EXIT_INSN() },
	  "0: ld_imm64 without its second half\n" },
	{ "ld_imm64 second half with a register", {
		BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1),
		BPF_RAW_INSN(0, 1, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: ld_imm64 without its second half\n" },
	{ "ld_imm64 with off", { BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 1, 1),
				 BPF_RAW_INSN(0, 0, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: BPF_LD_IMM64 uses reserved fields\n" },
	{ "ld_imm64 of a btf id", { BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_BTF_ID, 1),
				    BPF_EXIT_INSN() }, "0: unrecognized ld_imm64 source 3\n" },
	{ "ld_imm64 source 7", { BPF_LD_IMM64_RAW(BPF_REG_1, 7, 1), BPF_EXIT_INSN() },
	  "0: unrecognized ld_imm64 source 7\n" },
	{ "ld_imm64 map fd with a high half", {
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0x100000003ULL),
		BPF_EXIT_INSN() }, "0: ld_imm64 of a map uses reserved fields\n" },
	{ "ld_imm64 map idx with a high half", {
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_IDX, 0x100000000ULL),
		BPF_EXIT_INSN() }, "0: ld_imm64 of a map uses reserved fields\n" },
	{ "jump out of range", { T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, BPF_JMP_A(34),
				 BPF_EXIT_INSN() }, "5: jump out of range to 40\n" },
	{ "jump before the program", { BPF_JMP_A(-2), BPF_EXIT_INSN() },
	  "0: jump out of range to -1\n" },
	{ "conditional jump out of range", { BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 5),
					     BPF_EXIT_INSN() }, "0: jump out of range to 6\n" },
	{ "jmp32 out of range", { BPF_JMP32_REG(BPF_JSLT, BPF_REG_1, BPF_REG_2, -100),
				  BPF_EXIT_INSN() }, "0: jump out of range to -99\n" },
	{ "gotol out of range", { T_GOTOL(100), BPF_EXIT_INSN() },
	  "0: jump out of range to 101\n" },
	{ "may_goto out of range", { T_MAY_GOTO(2), BPF_EXIT_INSN() },
	  "0: jump out of range to 3\n" },
	{ "jump to the end", { BPF_JMP_A(1), BPF_EXIT_INSN() },
	  "0: jump out of range to 2\n" },
	{ "jump into ld_imm64", { BPF_JMP_A(1), BPF_LD_IMM64(BPF_REG_0, 1), BPF_EXIT_INSN() },
	  "0: jump into the middle of ld_imm64 at 1\n" },
	{ "jump leaves its function", { BPF_CALL_REL(2), BPF_JMP_A(2), BPF_EXIT_INSN(),
					T_MOV0, BPF_EXIT_INSN() },
	  "1: jump to 4 leaves the function at 0\n" },
	{ "jump back into the caller", { BPF_CALL_REL(1), BPF_EXIT_INSN(),
					 BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, -2),
					 BPF_EXIT_INSN() },
	  "2: jump to 1 leaves the function at 2\n" },
	{ "last insn not an exit", { T_MOV0 }, "last insn is not an exit or jmp\n" },
	{ "last insn a conditional jump", { T_MOV0, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, -2) },
	  "last insn is not an exit or jmp\n" },
	{ "last insn a second half", { BPF_EXIT_INSN(),
				       BPF_LD_IMM64(BPF_REG_0, 0x100000001ULL) },
	  "last insn is not an exit or jmp\n" },
	{ "main falls into a function", { BPF_CALL_REL(1), T_MOV0, BPF_EXIT_INSN() },
	  "1: function at 0 does not end in an exit or jmp\n" },
	{ "function falls into the next", { BPF_CALL_REL(2), BPF_CALL_REL(3), BPF_EXIT_INSN(),
					    T_MOV0, T_MOV0, BPF_EXIT_INSN() },
	  "4: function at 3 does not end in an exit or jmp\n" },
	{ "alu K with src", { BPF_RAW_INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 1, 0, 1),
			      BPF_EXIT_INSN() }, "0: BPF_ALU uses reserved fields\n" },
	{ "alu X with imm", { BPF_RAW_INSN(BPF_ALU | BPF_ADD | BPF_X, 0, 1, 0, 1),
			      BPF_EXIT_INSN() }, "0: BPF_ALU uses reserved fields\n" },
	{ "alu with off", { BPF_RAW_INSN(BPF_ALU64 | BPF_XOR | BPF_X, 0, 1, 1, 0),
			    BPF_EXIT_INSN() }, "0: BPF_ALU uses reserved fields\n" },
	{ "sdiv with off 2", { BPF_RAW_INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 2, 0),
			       BPF_EXIT_INSN() }, "0: BPF_ALU uses reserved fields\n" },
	{ "smod K with off -1", { BPF_RAW_INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, -1, 3),
				  BPF_EXIT_INSN() }, "0: BPF_ALU uses reserved fields\n" },
	{ "neg with imm", { BPF_RAW_INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 1), BPF_EXIT_INSN() },
	  "0: BPF_NEG uses reserved fields\n" },
	{ "neg with src", { BPF_RAW_INSN(BPF_ALU | BPF_NEG, 0, 1, 0, 0), BPF_EXIT_INSN() },
	  "0: BPF_NEG uses reserved fields\n" },
	{ "end imm 8", { BPF_RAW_INSN(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 8),
			 BPF_EXIT_INSN() }, "0: BPF_END uses reserved fields\n" },
	{ "bswap with off", { BPF_RAW_INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 1, 16),
			      BPF_EXIT_INSN() }, "0: BPF_END uses reserved fields\n" },
	{ "be with src", { BPF_RAW_INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 1, 0, 32),
			   BPF_EXIT_INSN() }, "0: BPF_END uses reserved fields\n" },
	{ "movsx32 off 32", { BPF_RAW_INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0),
			      BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "movsx64 off 24", { BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 24, 0),
			      BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "movsx32 off 1", { BPF_RAW_INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 1, 1),
			     BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "mov X with imm", { BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 1),
			      BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "mov K with off", { BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1),
			      BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "mov K with src", { BPF_RAW_INSN(BPF_ALU | BPF_MOV | BPF_K, 0, 2, 0, 1),
			      BPF_EXIT_INSN() }, "0: BPF_MOV uses reserved fields\n" },
	{ "addr_space_cast", { BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 1, 1),
			       BPF_EXIT_INSN() },
	  "0: addr_space_cast is not supported (no arenas)\n" },
	{ "div by imm 0", { BPF_RAW_INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 0),
			    BPF_EXIT_INSN() }, "0: div by zero\n" },
	{ "smod32 by imm 0", { BPF_RAW_INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 1, 0),
			       BPF_EXIT_INSN() }, "0: div by zero\n" },
	{ "lsh by imm 64", { BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 64), BPF_EXIT_INSN() },
	  "0: invalid shift 64\n" },
	{ "rsh32 by imm 32", { BPF_ALU32_IMM(BPF_RSH, BPF_REG_0, 32), BPF_EXIT_INSN() },
	  "0: invalid shift 32\n" },
	{ "arsh by imm -1", { BPF_ALU64_IMM(BPF_ARSH, BPF_REG_0, -1), BPF_EXIT_INSN() },
	  "0: invalid shift -1\n" },
	{ "ldx with imm", { BPF_RAW_INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -8, 1),
			    BPF_EXIT_INSN() }, "0: BPF_LDX uses reserved fields\n" },
	{ "ldsx with imm", { BPF_RAW_INSN(BPF_LDX | BPF_MEMSX | BPF_H, 0, 10, -8, 1),
			     BPF_EXIT_INSN() }, "0: BPF_LDX uses reserved fields\n" },
	{ "stx with imm", { BPF_RAW_INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 0, -8, 1),
			    BPF_EXIT_INSN() }, "0: BPF_STX uses reserved fields\n" },
	{ "st with src", { BPF_RAW_INSN(BPF_ST | BPF_MEM | BPF_B, 10, 1, -8, 1),
			   BPF_EXIT_INSN() }, "0: BPF_ST uses reserved fields\n" },
	{ "atomic sub", { BPF_ATOMIC_OP(BPF_DW, BPF_SUB, BPF_REG_10, BPF_REG_1, -8),
			  BPF_EXIT_INSN() }, "0: invalid atomic operation 0x10\n" },
	{ "xchg without fetch", { BPF_ATOMIC_OP(BPF_W, 0xe0, BPF_REG_10, BPF_REG_1, -8),
				  BPF_EXIT_INSN() }, "0: invalid atomic operation 0xe0\n" },
	{ "cmpxchg without fetch", { BPF_ATOMIC_OP(BPF_DW, 0xf0, BPF_REG_10, BPF_REG_1, -8),
				     BPF_EXIT_INSN() }, "0: invalid atomic operation 0xf0\n" },
	{ "ja with imm", { BPF_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, 0, 1), BPF_EXIT_INSN() },
	  "0: BPF_JA uses reserved fields\n" },
	{ "ja with dst", { BPF_RAW_INSN(BPF_JMP | BPF_JA, 1, 0, 0, 0), BPF_EXIT_INSN() },
	  "0: BPF_JA uses reserved fields\n" },
	{ "gotol with off", { BPF_RAW_INSN(BPF_JMP32 | BPF_JA, 0, 0, 1, 0), BPF_EXIT_INSN() },
	  "0: BPF_JA uses reserved fields\n" },
	{ "exit with imm", { BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 1) },
	  "0: BPF_EXIT uses reserved fields\n" },
	{ "exit with src", { BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 1, 0, 0) },
	  "0: BPF_EXIT uses reserved fields\n" },
	{ "jeq X with imm", { BPF_RAW_INSN(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 1),
			      BPF_EXIT_INSN() }, "0: BPF_JMP/JMP32 uses reserved fields\n" },
	{ "jeq32 K with src", { BPF_RAW_INSN(BPF_JMP32 | BPF_JEQ | BPF_K, 1, 2, 0, 1),
				BPF_EXIT_INSN() }, "0: BPF_JMP/JMP32 uses reserved fields\n" },
	{ "may_goto off 0", { T_MAY_GOTO(0), BPF_EXIT_INSN() },
	  "0: invalid may_goto off 0 imm 0\n" },
	{ "may_goto with src", { BPF_RAW_INSN(BPF_JMP | BPF_JCOND, 0, 1, 1, 0), T_MOV0,
				 BPF_EXIT_INSN() }, "0: invalid may_goto off 1 imm 0\n" },
	{ "may_goto with imm", { BPF_RAW_INSN(BPF_JMP | BPF_JCOND, 0, 0, 1, 3), T_MOV0,
				 BPF_EXIT_INSN() }, "0: invalid may_goto off 1 imm 3\n" },
};

KUNIT_ARRAY_PARAM(check, check_cases, check_case_desc);

static void check_refuses(struct kunit *test)
{
	const struct check_case *c = test->param_value;
	char *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct kbpf_log log = { .level = 1, .buf = buf, .size = 256 };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* writes to R10 are EACCES, as the kernel's "frame pointer is read only" */
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, c->insns,
					      prog_len(c->insns, T_MAX_INSNS)),
			strstr(c->log, "R10 is read-only") ? -EACCES : -EINVAL);
	KUNIT_EXPECT_STREQ(test, buf, c->log);
	KUNIT_EXPECT_EQ(test, log.len, strlen(c->log));
	KUNIT_EXPECT_EQ(test, log.true_len, strlen(c->log));
}

/* Every form the interpreter runs passes, with nothing logged. */
static void check_accepts_every_form(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_FD, 3),		/* 0 */
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_VALUE, 0x800000003ULL),
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_IDX, 0),
		BPF_LD_IMM64_RAW(BPF_REG_1, BPF_PSEUDO_MAP_IDX_VALUE, 0x800000000ULL),
		BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 36),		/* 8 -> 45 */
		BPF_LD_IMM64(BPF_REG_3, -1),
		T_CALL(BPF_FUNC_ktime_get_ns),
		BPF_CALL_REL(32),						/* 13 -> 46 */
		T_MAY_GOTO(1),
		T_GOTOL(0),
		BPF_JMP_REG(BPF_JSLE, BPF_REG_1, BPF_REG_2, 0),
		BPF_JMP32_IMM(BPF_JSET, BPF_REG_1, -1, 0),
		BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_DW, BPF_AND, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_DW, BPF_OR, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_DW, BPF_XOR, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_W, BPF_ADD | BPF_FETCH, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_W, BPF_AND | BPF_FETCH, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_W, BPF_OR | BPF_FETCH, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_W, BPF_XOR | BPF_FETCH, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, BPF_REG_10, BPF_REG_1, -8),
		BPF_ATOMIC_OP(BPF_DW, BPF_CMPXCHG, BPF_REG_10, BPF_REG_10, -8),
		T_LDSX(BPF_W, BPF_REG_1, BPF_REG_10, -8),
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -8),
		BPF_STX_MEM(BPF_B, BPF_REG_10, BPF_REG_10, -8),
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, -1),
		BPF_RAW_INSN(BPF_ALU64 | BPF_DIV | BPF_K, BPF_REG_1, 0, 1, -1),
		BPF_RAW_INSN(BPF_ALU | BPF_MOD | BPF_X, BPF_REG_1, BPF_REG_10, 1, 0),
		BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 32, 0),
		BPF_RAW_INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 16, 0),
		BPF_RAW_INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, BPF_REG_1, 0, 0, 64),
		BPF_ENDIAN(BPF_TO_BE, BPF_REG_1, 16),
		BPF_ALU32_IMM(BPF_LSH, BPF_REG_1, 31),
		BPF_ALU64_IMM(BPF_ARSH, BPF_REG_1, 63),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_10),
		BPF_RAW_INSN(BPF_ALU64 | BPF_NEG, BPF_REG_1, 0, 0, 0),		/* 41 */
		BPF_JMP_A(1),
		BPF_EXIT_INSN(),
		BPF_JMP_A(-2),							/* 44 */
		BPF_EXIT_INSN(),						/* 45 */
		BPF_MOV64_IMM(BPF_REG_0, 0),					/* 46 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 1),
		BPF_EXIT_INSN(),
		T_GOTOL(-2),
	};
	char *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct kbpf_log log = { .level = 1, .buf = buf, .size = 64 };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, insns, ARRAY_SIZE(insns)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "");
	KUNIT_EXPECT_EQ(test, log.true_len, 0);
}

/* No instructions, or more than the kernel's limit. */
static void check_refuses_empty_and_huge_programs(struct kunit *test)
{
	static const struct bpf_insn exit_insn[] = { BPF_EXIT_INSN() };
	struct kbpf_log log = {};

	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, exit_insn, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, exit_insn, KBPF_MAX_INSNS + 1), -E2BIG);
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, exit_insn, 1), 0);
}

/* BPF_MAX_SUBPROGS functions at most, the main one included. */
static void check_refuses_too_many_functions(struct kunit *test)
{
	u32 n = 256, len = 2 * n + 1, i;
	struct bpf_insn *insns = kunit_kcalloc(test, len, sizeof(*insns), GFP_KERNEL);
	char *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct kbpf_log log = { .level = 1, .buf = buf, .size = 64 };

	KUNIT_ASSERT_NOT_NULL(test, insns);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* main: n - 1 calls, exit; then n - 1 functions of one exit each */
	for (i = 0; i < n - 1; i++)
		insns[i] = BPF_CALL_REL(n - 1);
	insns[n - 1] = BPF_EXIT_INSN();
	for (i = n; i < 2 * n - 1; i++)
		insns[i] = BPF_EXIT_INSN();
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, insns, 2 * n - 1), 0);

	for (i = 0; i < n; i++)
		insns[i] = BPF_CALL_REL(n);
	insns[n] = BPF_EXIT_INSN();
	for (i = n + 1; i < len; i++)
		insns[i] = BPF_EXIT_INSN();
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, insns, len), -EINVAL);
	KUNIT_EXPECT_STREQ(test, buf, "too many functions: 257 (limit 256)\n");
}

/* The log: nothing at level 0; truncated but counted, always terminated. */
static void check_log_truncates_and_counts(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		T_MOV0, T_MOV0, T_MOV0, T_MOV0, T_MOV0, BPF_JMP_A(34), BPF_EXIT_INSN(),
	};
	static const char line[] = "5: jump out of range to 40\n";
	char *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct kbpf_log log = { .level = 0, .buf = buf, .size = 8 };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 'x', 64);
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, insns, ARRAY_SIZE(insns)), -EINVAL);
	KUNIT_EXPECT_EQ(test, buf[0], 'x');
	KUNIT_EXPECT_EQ(test, log.len, 0);
	KUNIT_EXPECT_EQ(test, log.true_len, 0);

	log.level = 1;
	KUNIT_EXPECT_EQ(test, kbpf_check_prog(&log, insns, ARRAY_SIZE(insns)), -EINVAL);
	KUNIT_EXPECT_EQ(test, log.true_len, strlen(line));
	KUNIT_EXPECT_EQ(test, log.len, 7);
	KUNIT_EXPECT_STREQ(test, buf, "5: jump");
	KUNIT_EXPECT_EQ(test, buf[8], 'x');

	/* full: more lines only count */
	kbpf_log(&log, "%d more\n", 3);
	KUNIT_EXPECT_EQ(test, log.true_len, strlen(line) + 7);
	KUNIT_EXPECT_EQ(test, log.len, 7);
	KUNIT_EXPECT_STREQ(test, buf, "5: jump");

	/* a line that just fits, then one that does not */
	memset(buf, 'x', 64);
	log = (struct kbpf_log) { .level = 2, .buf = buf, .size = 11 };
	kbpf_log(&log, "%s", "0123456789");
	KUNIT_EXPECT_STREQ(test, buf, "0123456789");
	KUNIT_EXPECT_EQ(test, log.len, 10);
	kbpf_log(&log, "%s", "abc");
	KUNIT_EXPECT_STREQ(test, buf, "0123456789");
	KUNIT_EXPECT_EQ(test, log.true_len, 13);
	KUNIT_EXPECT_EQ(test, buf[11], 'x');

	/* appends */
	log = (struct kbpf_log) { .level = 1, .buf = buf, .size = 64 };
	kbpf_log(&log, "a=%u\n", 1);
	kbpf_log(&log, "b=%s\n", "two");
	KUNIT_EXPECT_STREQ(test, buf, "a=1\nb=two\n");
	KUNIT_EXPECT_EQ(test, log.len, 10);
	KUNIT_EXPECT_EQ(test, log.true_len, 10);

	/* a buffer of one byte holds the NUL only; none holds nothing */
	log = (struct kbpf_log) { .level = 1, .buf = buf, .size = 1 };
	kbpf_log(&log, "abc");
	KUNIT_EXPECT_EQ(test, buf[0], 0);
	KUNIT_EXPECT_EQ(test, log.len, 0);
	KUNIT_EXPECT_EQ(test, log.true_len, 3);
	log = (struct kbpf_log) { .level = 1 };
	kbpf_log(&log, "abc");
	KUNIT_EXPECT_EQ(test, log.true_len, 3);
	kbpf_log(NULL, "abc");
}

static struct kunit_case kbpf_check_cases[] = {
	KUNIT_CASE_PARAM(check_refuses, check_gen_params),
	KUNIT_CASE(check_accepts_every_form),
	KUNIT_CASE(check_refuses_empty_and_huge_programs),
	KUNIT_CASE(check_refuses_too_many_functions),
	KUNIT_CASE(check_log_truncates_and_counts),
	{}
};

static struct kunit_suite kbpf_check_suite = {
	.name = "kbpf_check",
	.test_cases = kbpf_check_cases,
};

kunit_test_suites(&kbpf_interp_suite, &kbpf_interp_call_suite, &kbpf_run_suite,
		  &kbpf_check_suite);
