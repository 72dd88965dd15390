// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: every eBPF instruction the 6.12 verifier accepts (cpu
 * v4 included: sdiv/smod, movsx, ldsx, bswap, gotol, may_goto), run
 * against the memory model of prog.h.  Registers hold plain 64-bit
 * values; every load, store and atomic translates its virtual address
 * through the run's region table and checks it against the region's size
 * and permission before any kernel memory is touched, except those
 * kbpf_interp_prepare() proved to stay in the current frame (R10, which
 * is read-only, plus a constant).  An instruction that cannot run, a bad
 * access or an exhausted budget stops the run with a fault (struct
 * kbpf_run's @err).
 *
 * The stack, region 0, follows the call depth: at depth d it is
 * (d + 1) * KBPF_STACK_SIZE bytes, frame d's top is its end, and frames
 * 1.. are zeroed when they are entered, frame 0 by kbpf_run_init() or,
 * for the run pools' stacks, by kbpf_run_scrub() after the last run.  So
 * a frame cannot reach the frames of its callees, and no run reads what
 * another run left in the stack.
 *
 * A helper may fault the run too (kbpf_run_fault()); while a helper runs,
 * @err_insn holds the index of its call instruction, so that the fault
 * names it.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/swab.h>

#include "prog.h"

/* 6.12 moved the unaligned accessors from <asm/unaligned.h>. */
#if KBPF_KERNEL_VERSION >= 6012
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* What a bpf-to-bpf call saves: the caller's R6..R10 and where to return. */
struct kbpf_frame {
	u64 callee_saved[5];
	u32 ret_pc;
};

/* The operands of the instruction at hand. */
#define DST	(regs[insn->dst_reg])
#define SRC	(regs[insn->src_reg])
#define IMM	((u64)(s64)insn->imm)	/* sign-extended, as BPF defines it */
#define IMM32	((u32)insn->imm)

static inline u64 kbpf_frame_top(u32 depth)
{
	return KBPF_VADDR(0, (depth + 1) * KBPF_STACK_SIZE);
}

/* The kernel address of frame @depth's top, where R10 points. */
static inline u8 *kbpf_frame_fp(const struct kbpf_run *run, u32 depth)
{
	return run->stack + (depth + 1) * KBPF_STACK_SIZE;
}

/* Enter frame @depth: zero it and let the stack region reach its top. */
static inline void kbpf_frame_enter(struct kbpf_run *run, u32 depth)
{
	memset(run->stack + depth * KBPF_STACK_SIZE, 0, KBPF_STACK_SIZE);
	run->regions[0].size = (depth + 1) * KBPF_STACK_SIZE;
}

/* Division and modulo as the verifier's fixups define them for 0 and -1. */
static __always_inline u64 kbpf_div64(u64 a, u64 b)
{
	return b ? div64_u64(a, b) : 0;
}

static __always_inline u64 kbpf_mod64(u64 a, u64 b)
{
	u64 rem;

	if (!b)
		return a;
	div64_u64_rem(a, b, &rem);
	return rem;
}

static __always_inline u64 kbpf_sdiv64(u64 a, u64 b)
{
	if (unlikely(!b))
		return 0;
	if (unlikely(b == (u64)-1))
		return -a;		/* S64_MIN / -1 is S64_MIN */
	return div64_s64(a, b);
}

static __always_inline u64 kbpf_smod64(u64 a, u64 b)
{
	if (unlikely(!b))
		return a;
	if (unlikely(b == (u64)-1))
		return 0;
	return a - (u64)div64_s64(a, b) * b;
}

static __always_inline u32 kbpf_div32(u32 a, u32 b)
{
	return b ? a / b : 0;
}

static __always_inline u32 kbpf_mod32(u32 a, u32 b)
{
	return b ? a % b : a;
}

static __always_inline u32 kbpf_sdiv32(u32 a, u32 b)
{
	if (unlikely(!b))
		return 0;
	if (unlikely(b == U32_MAX))
		return -a;		/* S32_MIN / -1 is S32_MIN */
	return (s32)a / (s32)b;
}

static __always_inline u32 kbpf_smod32(u32 a, u32 b)
{
	if (unlikely(!b))
		return a;
	if (unlikely(b == U32_MAX))
		return 0;
	return (s32)a % (s32)b;
}

/* BPF_ATOMIC on an aligned word of kernel memory; false: unknown op. */
static bool kbpf_atomic32(const struct bpf_insn *insn, u64 *regs, atomic_t *v)
{
	u32 src = SRC;

	switch (insn->imm) {
	case BPF_ADD:
		atomic_add(src, v);
		break;
	case BPF_AND:
		atomic_and(src, v);
		break;
	case BPF_OR:
		atomic_or(src, v);
		break;
	case BPF_XOR:
		atomic_xor(src, v);
		break;
	case BPF_ADD | BPF_FETCH:
		SRC = (u32)atomic_fetch_add(src, v);
		break;
	case BPF_AND | BPF_FETCH:
		SRC = (u32)atomic_fetch_and(src, v);
		break;
	case BPF_OR | BPF_FETCH:
		SRC = (u32)atomic_fetch_or(src, v);
		break;
	case BPF_XOR | BPF_FETCH:
		SRC = (u32)atomic_fetch_xor(src, v);
		break;
	case BPF_XCHG:
		SRC = (u32)atomic_xchg(v, src);
		break;
	case BPF_CMPXCHG:
		regs[BPF_REG_0] = (u32)atomic_cmpxchg(v, (u32)regs[BPF_REG_0], src);
		break;
	default:
		return false;
	}
	return true;
}

static bool kbpf_atomic64(const struct bpf_insn *insn, u64 *regs, atomic64_t *v)
{
	u64 src = SRC;

	switch (insn->imm) {
	case BPF_ADD:
		atomic64_add(src, v);
		break;
	case BPF_AND:
		atomic64_and(src, v);
		break;
	case BPF_OR:
		atomic64_or(src, v);
		break;
	case BPF_XOR:
		atomic64_xor(src, v);
		break;
	case BPF_ADD | BPF_FETCH:
		SRC = atomic64_fetch_add(src, v);
		break;
	case BPF_AND | BPF_FETCH:
		SRC = atomic64_fetch_and(src, v);
		break;
	case BPF_OR | BPF_FETCH:
		SRC = atomic64_fetch_or(src, v);
		break;
	case BPF_XOR | BPF_FETCH:
		SRC = atomic64_fetch_xor(src, v);
		break;
	case BPF_XCHG:
		SRC = atomic64_xchg(v, src);
		break;
	case BPF_CMPXCHG:
		regs[BPF_REG_0] = atomic64_cmpxchg(v, regs[BPF_REG_0], src);
		break;
	default:
		return false;
	}
	return true;
}

/*
 * The core loop: run from instruction @pc in the current frame (depth
 * run->depth) with R1..R5 = @args until that frame exits; return its R0.
 * On a fault, return 0 with run->err set.  kbpf_interp() and callbacks
 * (kbpf_interp_call_func()) both come here.
 *
 * Dispatch is a table of label addresses indexed by the opcode, as the
 * kernel's ___bpf_prog_run() has it: one indirect jump per instruction.
 * A switch would be one too, but the kernel builds with -fno-jump-tables
 * (retpolines, IBT), which turns a switch of 120 cases into a tree of
 * compares, eight or so taken before any work is done.  Each handler
 * ends in "goto next"; -fno-gcse (kmod/Kbuild) keeps GCC from merging
 * the dispatch jumps it copies into the handlers.
 */
static u64 kbpf_interp_loop(struct kbpf_run *run, u32 pc, const u64 args[5])
{
	const struct bpf_insn *insns = run->prog->insns, *insn;
	const u32 len = run->prog->len, base = run->depth;
	struct kbpf_frame frames[KBPF_MAX_FRAMES - 1] __uninitialized;
	/* R0..R10, and the 4-bit register fields' 11..15 as scratch */
	u64 regs[16] = {};
	s64 budget = run->budget;
	bool bad_target, spent;
	u8 *fp = kbpf_frame_fp(run, base);
	u64 va = 0;
	struct kbpf_frame *f;
	int err;
	void *p;
	static const void * const jumptable[256] __annotate_jump_table = {
		[0 ... 255] = &&default_label,
		[BPF_ALU64 | BPF_ADD | BPF_X] = &&ALU64_ADD_X,
		[BPF_ALU64 | BPF_ADD | BPF_K] = &&ALU64_ADD_K,
		[BPF_ALU64 | BPF_SUB | BPF_X] = &&ALU64_SUB_X,
		[BPF_ALU64 | BPF_SUB | BPF_K] = &&ALU64_SUB_K,
		[BPF_ALU64 | BPF_MUL | BPF_X] = &&ALU64_MUL_X,
		[BPF_ALU64 | BPF_MUL | BPF_K] = &&ALU64_MUL_K,
		[BPF_ALU64 | BPF_OR | BPF_X] = &&ALU64_OR_X,
		[BPF_ALU64 | BPF_OR | BPF_K] = &&ALU64_OR_K,
		[BPF_ALU64 | BPF_AND | BPF_X] = &&ALU64_AND_X,
		[BPF_ALU64 | BPF_AND | BPF_K] = &&ALU64_AND_K,
		[BPF_ALU64 | BPF_XOR | BPF_X] = &&ALU64_XOR_X,
		[BPF_ALU64 | BPF_XOR | BPF_K] = &&ALU64_XOR_K,
		[BPF_ALU64 | BPF_LSH | BPF_X] = &&ALU64_LSH_X,
		[BPF_ALU64 | BPF_LSH | BPF_K] = &&ALU64_LSH_K,
		[BPF_ALU64 | BPF_RSH | BPF_X] = &&ALU64_RSH_X,
		[BPF_ALU64 | BPF_RSH | BPF_K] = &&ALU64_RSH_K,
		[BPF_ALU64 | BPF_ARSH | BPF_X] = &&ALU64_ARSH_X,
		[BPF_ALU64 | BPF_ARSH | BPF_K] = &&ALU64_ARSH_K,
		[BPF_ALU64 | BPF_DIV | BPF_X] = &&ALU64_DIV_X,
		[BPF_ALU64 | BPF_DIV | BPF_K] = &&ALU64_DIV_K,
		[BPF_ALU64 | BPF_MOD | BPF_X] = &&ALU64_MOD_X,
		[BPF_ALU64 | BPF_MOD | BPF_K] = &&ALU64_MOD_K,
		[BPF_ALU64 | BPF_NEG] = &&ALU64_NEG,
		[BPF_ALU64 | BPF_MOV | BPF_X] = &&ALU64_MOV_X,
		[BPF_ALU64 | BPF_MOV | BPF_K] = &&ALU64_MOV_K,
		[BPF_ALU64 | BPF_END | BPF_TO_LE] = &&ALU64_END_TO_LE,
		[BPF_ALU | BPF_ADD | BPF_X] = &&ALU_ADD_X,
		[BPF_ALU | BPF_ADD | BPF_K] = &&ALU_ADD_K,
		[BPF_ALU | BPF_SUB | BPF_X] = &&ALU_SUB_X,
		[BPF_ALU | BPF_SUB | BPF_K] = &&ALU_SUB_K,
		[BPF_ALU | BPF_MUL | BPF_X] = &&ALU_MUL_X,
		[BPF_ALU | BPF_MUL | BPF_K] = &&ALU_MUL_K,
		[BPF_ALU | BPF_OR | BPF_X] = &&ALU_OR_X,
		[BPF_ALU | BPF_OR | BPF_K] = &&ALU_OR_K,
		[BPF_ALU | BPF_AND | BPF_X] = &&ALU_AND_X,
		[BPF_ALU | BPF_AND | BPF_K] = &&ALU_AND_K,
		[BPF_ALU | BPF_XOR | BPF_X] = &&ALU_XOR_X,
		[BPF_ALU | BPF_XOR | BPF_K] = &&ALU_XOR_K,
		[BPF_ALU | BPF_LSH | BPF_X] = &&ALU_LSH_X,
		[BPF_ALU | BPF_LSH | BPF_K] = &&ALU_LSH_K,
		[BPF_ALU | BPF_RSH | BPF_X] = &&ALU_RSH_X,
		[BPF_ALU | BPF_RSH | BPF_K] = &&ALU_RSH_K,
		[BPF_ALU | BPF_ARSH | BPF_X] = &&ALU_ARSH_X,
		[BPF_ALU | BPF_ARSH | BPF_K] = &&ALU_ARSH_K,
		[BPF_ALU | BPF_DIV | BPF_X] = &&ALU_DIV_X,
		[BPF_ALU | BPF_DIV | BPF_K] = &&ALU_DIV_K,
		[BPF_ALU | BPF_MOD | BPF_X] = &&ALU_MOD_X,
		[BPF_ALU | BPF_MOD | BPF_K] = &&ALU_MOD_K,
		[BPF_ALU | BPF_NEG] = &&ALU_NEG,
		[BPF_ALU | BPF_MOV | BPF_X] = &&ALU_MOV_X,
		[BPF_ALU | BPF_MOV | BPF_K] = &&ALU_MOV_K,
		[BPF_ALU | BPF_END | BPF_TO_LE] = &&ALU_END_TO_LE,
		[BPF_ALU | BPF_END | BPF_TO_BE] = &&ALU_END_TO_BE,
		[BPF_JMP | BPF_JA] = &&JMP_JA,
		[BPF_JMP | BPF_JEQ | BPF_X] = &&JMP_JEQ_X,
		[BPF_JMP | BPF_JEQ | BPF_K] = &&JMP_JEQ_K,
		[BPF_JMP | BPF_JNE | BPF_X] = &&JMP_JNE_X,
		[BPF_JMP | BPF_JNE | BPF_K] = &&JMP_JNE_K,
		[BPF_JMP | BPF_JGT | BPF_X] = &&JMP_JGT_X,
		[BPF_JMP | BPF_JGT | BPF_K] = &&JMP_JGT_K,
		[BPF_JMP | BPF_JGE | BPF_X] = &&JMP_JGE_X,
		[BPF_JMP | BPF_JGE | BPF_K] = &&JMP_JGE_K,
		[BPF_JMP | BPF_JLT | BPF_X] = &&JMP_JLT_X,
		[BPF_JMP | BPF_JLT | BPF_K] = &&JMP_JLT_K,
		[BPF_JMP | BPF_JLE | BPF_X] = &&JMP_JLE_X,
		[BPF_JMP | BPF_JLE | BPF_K] = &&JMP_JLE_K,
		[BPF_JMP | BPF_JSGT | BPF_X] = &&JMP_JSGT_X,
		[BPF_JMP | BPF_JSGT | BPF_K] = &&JMP_JSGT_K,
		[BPF_JMP | BPF_JSGE | BPF_X] = &&JMP_JSGE_X,
		[BPF_JMP | BPF_JSGE | BPF_K] = &&JMP_JSGE_K,
		[BPF_JMP | BPF_JSLT | BPF_X] = &&JMP_JSLT_X,
		[BPF_JMP | BPF_JSLT | BPF_K] = &&JMP_JSLT_K,
		[BPF_JMP | BPF_JSLE | BPF_X] = &&JMP_JSLE_X,
		[BPF_JMP | BPF_JSLE | BPF_K] = &&JMP_JSLE_K,
		[BPF_JMP | BPF_JSET | BPF_X] = &&JMP_JSET_X,
		[BPF_JMP | BPF_JSET | BPF_K] = &&JMP_JSET_K,
		[BPF_JMP | BPF_JCOND] = &&JMP_JCOND,
		[BPF_JMP32 | BPF_JA] = &&JMP32_JA,
		[BPF_JMP32 | BPF_JEQ | BPF_X] = &&JMP32_JEQ_X,
		[BPF_JMP32 | BPF_JEQ | BPF_K] = &&JMP32_JEQ_K,
		[BPF_JMP32 | BPF_JNE | BPF_X] = &&JMP32_JNE_X,
		[BPF_JMP32 | BPF_JNE | BPF_K] = &&JMP32_JNE_K,
		[BPF_JMP32 | BPF_JGT | BPF_X] = &&JMP32_JGT_X,
		[BPF_JMP32 | BPF_JGT | BPF_K] = &&JMP32_JGT_K,
		[BPF_JMP32 | BPF_JGE | BPF_X] = &&JMP32_JGE_X,
		[BPF_JMP32 | BPF_JGE | BPF_K] = &&JMP32_JGE_K,
		[BPF_JMP32 | BPF_JLT | BPF_X] = &&JMP32_JLT_X,
		[BPF_JMP32 | BPF_JLT | BPF_K] = &&JMP32_JLT_K,
		[BPF_JMP32 | BPF_JLE | BPF_X] = &&JMP32_JLE_X,
		[BPF_JMP32 | BPF_JLE | BPF_K] = &&JMP32_JLE_K,
		[BPF_JMP32 | BPF_JSGT | BPF_X] = &&JMP32_JSGT_X,
		[BPF_JMP32 | BPF_JSGT | BPF_K] = &&JMP32_JSGT_K,
		[BPF_JMP32 | BPF_JSGE | BPF_X] = &&JMP32_JSGE_X,
		[BPF_JMP32 | BPF_JSGE | BPF_K] = &&JMP32_JSGE_K,
		[BPF_JMP32 | BPF_JSLT | BPF_X] = &&JMP32_JSLT_X,
		[BPF_JMP32 | BPF_JSLT | BPF_K] = &&JMP32_JSLT_K,
		[BPF_JMP32 | BPF_JSLE | BPF_X] = &&JMP32_JSLE_X,
		[BPF_JMP32 | BPF_JSLE | BPF_K] = &&JMP32_JSLE_K,
		[BPF_JMP32 | BPF_JSET | BPF_X] = &&JMP32_JSET_X,
		[BPF_JMP32 | BPF_JSET | BPF_K] = &&JMP32_JSET_K,
		[BPF_JMP | BPF_CALL] = &&JMP_CALL,
		[BPF_JMP | BPF_EXIT] = &&JMP_EXIT,
		[BPF_LDX | BPF_MEM | BPF_B] = &&LDX_MEM_B,
		[BPF_LDX | BPF_MEM | BPF_H] = &&LDX_MEM_H,
		[BPF_LDX | BPF_MEM | BPF_W] = &&LDX_MEM_W,
		[BPF_LDX | BPF_MEM | BPF_DW] = &&LDX_MEM_DW,
		[BPF_LDX | BPF_MEMSX | BPF_B] = &&LDX_MEMSX_B,
		[BPF_LDX | BPF_MEMSX | BPF_H] = &&LDX_MEMSX_H,
		[BPF_LDX | BPF_MEMSX | BPF_W] = &&LDX_MEMSX_W,
		[BPF_LD | BPF_IMM | BPF_DW] = &&LD_IMM_DW,
		[BPF_STX | BPF_MEM | BPF_B] = &&STX_MEM_B,
		[BPF_STX | BPF_MEM | BPF_H] = &&STX_MEM_H,
		[BPF_STX | BPF_MEM | BPF_W] = &&STX_MEM_W,
		[BPF_STX | BPF_MEM | BPF_DW] = &&STX_MEM_DW,
		[BPF_ST | BPF_MEM | BPF_B] = &&ST_MEM_B,
		[BPF_ST | BPF_MEM | BPF_H] = &&ST_MEM_H,
		[BPF_ST | BPF_MEM | BPF_W] = &&ST_MEM_W,
		[BPF_ST | BPF_MEM | BPF_DW] = &&ST_MEM_DW,
		[BPF_STX | BPF_ATOMIC | BPF_W] = &&STX_ATOMIC_W,
		[BPF_STX | BPF_ATOMIC | BPF_DW] = &&STX_ATOMIC_DW,
		[BPF_LDX | KBPF_MODE_FP | BPF_B] = &&LDX_FP_B,
		[BPF_LDX | KBPF_MODE_FP | BPF_H] = &&LDX_FP_H,
		[BPF_LDX | KBPF_MODE_FP | BPF_W] = &&LDX_FP_W,
		[BPF_LDX | KBPF_MODE_FP | BPF_DW] = &&LDX_FP_DW,
		[BPF_STX | KBPF_MODE_FP | BPF_B] = &&STX_FP_B,
		[BPF_STX | KBPF_MODE_FP | BPF_H] = &&STX_FP_H,
		[BPF_STX | KBPF_MODE_FP | BPF_W] = &&STX_FP_W,
		[BPF_STX | KBPF_MODE_FP | BPF_DW] = &&STX_FP_DW,
		[BPF_ST | KBPF_MODE_FP | BPF_B] = &&ST_FP_B,
		[BPF_ST | KBPF_MODE_FP | BPF_H] = &&ST_FP_H,
		[BPF_ST | KBPF_MODE_FP | BPF_W] = &&ST_FP_W,
		[BPF_ST | KBPF_MODE_FP | BPF_DW] = &&ST_FP_DW,
	};

	memcpy(&regs[BPF_REG_1], args, 5 * sizeof(u64));
	regs[BPF_REG_10] = kbpf_frame_top(base);

	goto select_insn;
	/*
	 * A taken jump.  Straight-line code runs without a check: it ends at
	 * an exit, a call, a jump or the zeroed guard instruction after the
	 * program (opcode 0 is none, so it faults).  A taken jump is where a
	 * loop must pass, so the budget is checked here (it may have run a
	 * few instructions below zero since the last check), and that the
	 * target lies in the program (the checker proves it of every loaded
	 * program; the interpreter does not rely on it).  Both in one branch.
	 */
jumped:
	bad_target = pc + 1 >= len;
	spent = budget < 0;
	if (unlikely(bad_target | spent))
		goto jump_check;
next:
	pc++;
select_insn:
	budget--;
	insn = &insns[pc];
	goto *jumptable[insn->code];

	/* 64-bit ALU */
ALU64_ADD_X:
	DST += SRC;
	goto next;
ALU64_ADD_K:
	DST += IMM;
	goto next;
ALU64_SUB_X:
	DST -= SRC;
	goto next;
ALU64_SUB_K:
	DST -= IMM;
	goto next;
ALU64_MUL_X:
	DST *= SRC;
	goto next;
ALU64_MUL_K:
	DST *= IMM;
	goto next;
ALU64_OR_X:
	DST |= SRC;
	goto next;
ALU64_OR_K:
	DST |= IMM;
	goto next;
ALU64_AND_X:
	DST &= SRC;
	goto next;
ALU64_AND_K:
	DST &= IMM;
	goto next;
ALU64_XOR_X:
	DST ^= SRC;
	goto next;
ALU64_XOR_K:
	DST ^= IMM;
	goto next;
ALU64_LSH_X:
	DST <<= SRC & 63;
	goto next;
ALU64_LSH_K:
	DST <<= insn->imm & 63;
	goto next;
ALU64_RSH_X:
	DST >>= SRC & 63;
	goto next;
ALU64_RSH_K:
	DST >>= insn->imm & 63;
	goto next;
ALU64_ARSH_X:
	DST = (s64)DST >> (SRC & 63);
	goto next;
ALU64_ARSH_K:
	DST = (s64)DST >> (insn->imm & 63);
	goto next;
ALU64_DIV_X:
	DST = insn->off ? kbpf_sdiv64(DST, SRC) : kbpf_div64(DST, SRC);
	goto next;
ALU64_DIV_K:
	DST = insn->off ? kbpf_sdiv64(DST, IMM) : kbpf_div64(DST, IMM);
	goto next;
ALU64_MOD_X:
	DST = insn->off ? kbpf_smod64(DST, SRC) : kbpf_mod64(DST, SRC);
	goto next;
ALU64_MOD_K:
	DST = insn->off ? kbpf_smod64(DST, IMM) : kbpf_mod64(DST, IMM);
	goto next;
ALU64_NEG:
	DST = -DST;
	goto next;
ALU64_MOV_X:
	switch (insn->off) {
	case 0:
		DST = SRC;
		break;
	case 8:
		DST = (s8)SRC;
		break;
	case 16:
		DST = (s16)SRC;
		break;
	case 32:
		DST = (s32)SRC;
		break;
	default:
		goto bad_insn;
	}
	goto next;
ALU64_MOV_K:
	DST = IMM;
	goto next;
ALU64_END_TO_LE:	/* bswap */
	switch (insn->imm) {
	case 16:
		DST = __swab16((u16)DST);
		break;
	case 32:
		DST = __swab32((u32)DST);
		break;
	case 64:
		DST = __swab64(DST);
		break;
	default:
		goto bad_insn;
	}
	goto next;

	/* 32-bit ALU: the result zero-extended */
ALU_ADD_X:
	DST = (u32)((u32)DST + (u32)SRC);
	goto next;
ALU_ADD_K:
	DST = (u32)((u32)DST + IMM32);
	goto next;
ALU_SUB_X:
	DST = (u32)((u32)DST - (u32)SRC);
	goto next;
ALU_SUB_K:
	DST = (u32)((u32)DST - IMM32);
	goto next;
ALU_MUL_X:
	DST = (u32)((u32)DST * (u32)SRC);
	goto next;
ALU_MUL_K:
	DST = (u32)((u32)DST * IMM32);
	goto next;
ALU_OR_X:
	DST = (u32)DST | (u32)SRC;
	goto next;
ALU_OR_K:
	DST = (u32)DST | IMM32;
	goto next;
ALU_AND_X:
	DST = (u32)DST & (u32)SRC;
	goto next;
ALU_AND_K:
	DST = (u32)DST & IMM32;
	goto next;
ALU_XOR_X:
	DST = (u32)DST ^ (u32)SRC;
	goto next;
ALU_XOR_K:
	DST = (u32)DST ^ IMM32;
	goto next;
ALU_LSH_X:
	DST = (u32)((u32)DST << (SRC & 31));
	goto next;
ALU_LSH_K:
	DST = (u32)((u32)DST << (insn->imm & 31));
	goto next;
ALU_RSH_X:
	DST = (u32)DST >> (SRC & 31);
	goto next;
ALU_RSH_K:
	DST = (u32)DST >> (insn->imm & 31);
	goto next;
ALU_ARSH_X:
	DST = (u32)((s32)DST >> (SRC & 31));
	goto next;
ALU_ARSH_K:
	DST = (u32)((s32)DST >> (insn->imm & 31));
	goto next;
ALU_DIV_X:
	DST = insn->off ? kbpf_sdiv32(DST, SRC) : kbpf_div32(DST, SRC);
	goto next;
ALU_DIV_K:
	DST = insn->off ? kbpf_sdiv32(DST, IMM32) : kbpf_div32(DST, IMM32);
	goto next;
ALU_MOD_X:
	DST = insn->off ? kbpf_smod32(DST, SRC) : kbpf_mod32(DST, SRC);
	goto next;
ALU_MOD_K:
	DST = insn->off ? kbpf_smod32(DST, IMM32) : kbpf_mod32(DST, IMM32);
	goto next;
ALU_NEG:
	DST = (u32)-(u32)DST;
	goto next;
ALU_MOV_X:
	switch (insn->off) {
	case 0:
		DST = (u32)SRC;
		break;
	case 8:
		DST = (u32)(s8)SRC;
		break;
	case 16:
		DST = (u32)(s16)SRC;
		break;
	default:
		goto bad_insn;
	}
	goto next;
ALU_MOV_K:
	DST = IMM32;
	goto next;
ALU_END_TO_LE:
	switch (insn->imm) {
	case 16:
		DST = (__force u16)cpu_to_le16((u16)DST);
		break;
	case 32:
		DST = (__force u32)cpu_to_le32((u32)DST);
		break;
	case 64:
		DST = (__force u64)cpu_to_le64(DST);
		break;
	default:
		goto bad_insn;
	}
	goto next;
ALU_END_TO_BE:
	switch (insn->imm) {
	case 16:
		DST = (__force u16)cpu_to_be16((u16)DST);
		break;
	case 32:
		DST = (__force u32)cpu_to_be32((u32)DST);
		break;
	case 64:
		DST = (__force u64)cpu_to_be64(DST);
		break;
	default:
		goto bad_insn;
	}
	goto next;

	/* 64-bit jumps */
JMP_JA:
	pc += insn->off;
	goto jumped;
JMP_JEQ_X:
	if (DST == SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JEQ_K:
	if (DST == IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JNE_X:
	if (DST != SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JNE_K:
	if (DST != IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JGT_X:
	if (DST > SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JGT_K:
	if (DST > IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JGE_X:
	if (DST >= SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JGE_K:
	if (DST >= IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JLT_X:
	if (DST < SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JLT_K:
	if (DST < IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JLE_X:
	if (DST <= SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JLE_K:
	if (DST <= IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSGT_X:
	if ((s64)DST > (s64)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSGT_K:
	if ((s64)DST > (s64)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSGE_X:
	if ((s64)DST >= (s64)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSGE_K:
	if ((s64)DST >= (s64)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSLT_X:
	if ((s64)DST < (s64)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSLT_K:
	if ((s64)DST < (s64)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSLE_X:
	if ((s64)DST <= (s64)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSLE_K:
	if ((s64)DST <= (s64)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSET_X:
	if (DST & SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JSET_K:
	if (DST & IMM) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP_JCOND:
	goto next;		/* may_goto: the budget bounds loops */

	/* 32-bit jumps */
JMP32_JA:
	pc += insn->imm;
	goto jumped;
JMP32_JEQ_X:
	if ((u32)DST == (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JEQ_K:
	if ((u32)DST == IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JNE_X:
	if ((u32)DST != (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JNE_K:
	if ((u32)DST != IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JGT_X:
	if ((u32)DST > (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JGT_K:
	if ((u32)DST > IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JGE_X:
	if ((u32)DST >= (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JGE_K:
	if ((u32)DST >= IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JLT_X:
	if ((u32)DST < (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JLT_K:
	if ((u32)DST < IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JLE_X:
	if ((u32)DST <= (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JLE_K:
	if ((u32)DST <= IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSGT_X:
	if ((s32)DST > (s32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSGT_K:
	if ((s32)DST > (s32)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSGE_X:
	if ((s32)DST >= (s32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSGE_K:
	if ((s32)DST >= (s32)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSLT_X:
	if ((s32)DST < (s32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSLT_K:
	if ((s32)DST < (s32)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSLE_X:
	if ((s32)DST <= (s32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSLE_K:
	if ((s32)DST <= (s32)insn->imm) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSET_X:
	if ((u32)DST & (u32)SRC) {
		pc += insn->off;
		goto jumped;
	}
	goto next;
JMP32_JSET_K:
	if ((u32)DST & IMM32) {
		pc += insn->off;
		goto jumped;
	}
	goto next;

	/* calls and exits */
JMP_CALL:
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		if (unlikely(run->depth >= KBPF_MAX_FRAMES - 1)) {
			/* the frame that would be: past the stack */
			err = -EFAULT;
			va = kbpf_frame_top(run->depth + 1);
			goto fault;
		}
		f = &frames[run->depth - base];
		memcpy(f->callee_saved, &regs[BPF_REG_6],
		       sizeof(f->callee_saved));
		if (unlikely(budget < 0))
			goto no_budget;
		f->ret_pc = pc + 1;
		pc += insn->imm + 1;
		if (unlikely(pc >= len))
			goto bad_insn;
		run->depth++;
		kbpf_frame_enter(run, run->depth);
		regs[BPF_REG_10] = kbpf_frame_top(run->depth);
		fp = kbpf_frame_fp(run, run->depth);
		goto select_insn;
	}
	if (unlikely(insn->src_reg))
		goto bad_insn;	/* kfuncs */
	if (unlikely(budget < 0))
		goto no_budget;
	run->budget = budget;
	run->err_insn = pc;
	regs[BPF_REG_0] = kbpf_helper_call(run, insn->imm, &regs[BPF_REG_1]);
	budget = run->budget;
	if (unlikely(run->err))
		goto stop;
	goto next;
JMP_EXIT:
	if (unlikely(budget < 0))
		goto no_budget;
	if (run->depth == base) {
		run->budget = budget;
		return regs[BPF_REG_0];
	}
	run->depth--;
	f = &frames[run->depth - base];
	memcpy(&regs[BPF_REG_6], f->callee_saved, sizeof(f->callee_saved));
	run->regions[0].size = (run->depth + 1) * KBPF_STACK_SIZE;
	fp = kbpf_frame_fp(run, run->depth);
	pc = f->ret_pc;
	goto select_insn;

	/* loads */
LDX_MEM_B:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 1, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = *(u8 *)p;
	goto next;
LDX_MEM_H:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 2, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = get_unaligned((u16 *)p);
	goto next;
LDX_MEM_W:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 4, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = get_unaligned((u32 *)p);
	goto next;
LDX_MEM_DW:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 8, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = get_unaligned((u64 *)p);
	goto next;
LDX_MEMSX_B:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 1, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = *(s8 *)p;
	goto next;
LDX_MEMSX_H:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 2, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = (s64)get_unaligned((s16 *)p);
	goto next;
LDX_MEMSX_W:
	va = SRC + insn->off;
	p = kbpf_run_xlate(run, va, 4, false);
	if (unlikely(!p))
		goto fault_mem;
	DST = (s64)get_unaligned((s32 *)p);
	goto next;
LD_IMM_DW:
	if (unlikely(pc + 1 >= len))
		goto bad_insn;
	DST = (u64)(u32)insn[0].imm | (u64)(u32)insn[1].imm << 32;
	pc++;
	goto next;

	/* stores */
STX_MEM_B:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 1, true);
	if (unlikely(!p))
		goto fault_mem;
	*(u8 *)p = SRC;
	goto next;
STX_MEM_H:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 2, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned((u16)SRC, (u16 *)p);
	goto next;
STX_MEM_W:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 4, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned((u32)SRC, (u32 *)p);
	goto next;
STX_MEM_DW:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 8, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned(SRC, (u64 *)p);
	goto next;
ST_MEM_B:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 1, true);
	if (unlikely(!p))
		goto fault_mem;
	*(u8 *)p = insn->imm;
	goto next;
ST_MEM_H:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 2, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned((u16)insn->imm, (u16 *)p);
	goto next;
ST_MEM_W:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 4, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned(IMM32, (u32 *)p);
	goto next;
ST_MEM_DW:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 8, true);
	if (unlikely(!p))
		goto fault_mem;
	put_unaligned(IMM, (u64 *)p);
	goto next;

	/* atomics: real ones, other CPUs share map values */
STX_ATOMIC_W:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 4, true);
	if (unlikely(!p || ((va | (unsigned long)p) & 3)))
		goto fault_mem;
	if (unlikely(!kbpf_atomic32(insn, regs, p)))
		goto bad_insn;
	goto next;
STX_ATOMIC_DW:
	va = DST + insn->off;
	p = kbpf_run_xlate(run, va, 8, true);
	if (unlikely(!p || ((va | (unsigned long)p) & 7)))
		goto fault_mem;
	if (unlikely(!kbpf_atomic64(insn, regs, p)))
		goto bad_insn;
	goto next;

	/* R10 + off inside the frame (kbpf_interp_prepare()) */
LDX_FP_B:
	DST = *(u8 *)(fp + insn->off);
	goto next;
LDX_FP_H:
	DST = get_unaligned((u16 *)(fp + insn->off));
	goto next;
LDX_FP_W:
	DST = get_unaligned((u32 *)(fp + insn->off));
	goto next;
LDX_FP_DW:
	DST = get_unaligned((u64 *)(fp + insn->off));
	goto next;
STX_FP_B:
	*(u8 *)(fp + insn->off) = SRC;
	goto next;
STX_FP_H:
	put_unaligned((u16)SRC, (u16 *)(fp + insn->off));
	goto next;
STX_FP_W:
	put_unaligned((u32)SRC, (u32 *)(fp + insn->off));
	goto next;
STX_FP_DW:
	put_unaligned(SRC, (u64 *)(fp + insn->off));
	goto next;
ST_FP_B:
	*(u8 *)(fp + insn->off) = insn->imm;
	goto next;
ST_FP_H:
	put_unaligned((u16)insn->imm, (u16 *)(fp + insn->off));
	goto next;
ST_FP_W:
	put_unaligned(IMM32, (u32 *)(fp + insn->off));
	goto next;
ST_FP_DW:
	put_unaligned(IMM, (u64 *)(fp + insn->off));
	goto next;

default_label:
	/* LD_ABS/IND, kfuncs, anything the checker refuses */
	goto bad_insn;

jump_check:
	pc++;			/* the target */
	if (pc >= len)
		goto bad_insn;
no_budget:
	err = -E2BIG;
	budget = 0;
	goto fault;
bad_insn:
	err = -EINVAL;
	va = 0;
	goto fault;
fault_mem:
	err = -EFAULT;
fault:
	if (!run->err) {
		run->err = err;
		run->err_insn = pc;
		run->err_addr = va;
	}
stop:
	run->budget = max_t(s64, budget, 0);
	return 0;
}

/**
 * kbpf_run_init_clean() - prepare a run of @prog on a clean stack
 * @run:       the run
 * @prog:      the program, kbpf_interp_prepare()d or not
 * @stack:     KBPF_MAX_FRAMES * KBPF_STACK_SIZE bytes, 8-byte aligned,
 *             whose frame 0 is zero: new, or scrubbed by kbpf_run_scrub()
 *             at the end of its last run
 * @ctx:       the context, region 1 (may be NULL with @ctx_size 0)
 * @ctx_size:  its bytes
 * @ctx_write: the program may write it
 *
 * Regions: 0 the stack, 1 the context, 2.. the program's value regions.
 *
 * Return: 0.
 */
int kbpf_run_init_clean(struct kbpf_run *run, struct kbpf_prog *prog, u8 *stack,
			void *ctx, u32 ctx_size, bool ctx_write)
{
	u32 n = min_t(u32, prog->nr_value_regions, KBPF_MAX_REGIONS - 2);

	BUILD_BUG_ON(KBPF_MAX_USED_MAPS + 2 > KBPF_MAX_REGIONS);
	BUILD_BUG_ON((u64)KBPF_MAX_FRAMES * KBPF_STACK_SIZE > U32_MAX);
	BUILD_BUG_ON(KBPF_RUN_BUDGET > S64_MAX);

	run->prog = prog;
	run->budget = KBPF_RUN_BUDGET;
	run->err = 0;
	run->err_insn = 0;
	run->err_addr = 0;
	run->depth = 0;
	run->recycle = 0;
	run->stack_dirty = false;
	run->stack = stack;
	run->regions[0] = (struct kbpf_region) {
		.base = stack, .size = KBPF_STACK_SIZE,
		.kind = KBPF_REGION_STACK, .write = true,
	};
	run->regions[1] = (struct kbpf_region) {
		.base = ctx, .size = ctx ? ctx_size : 0,
		.kind = KBPF_REGION_CTX, .write = ctx_write,
	};
	memcpy(&run->regions[2], prog->value_regions, n * sizeof(run->regions[0]));
	run->nr_regions = 2 + n;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_init_clean);

/**
 * kbpf_run_init() - prepare a run of @prog
 * @run:       the run
 * @prog:      the program
 * @stack:     KBPF_MAX_FRAMES * KBPF_STACK_SIZE bytes, 8-byte aligned;
 *             frame 0 is zeroed
 * @ctx:       the context, region 1 (may be NULL with @ctx_size 0)
 * @ctx_size:  its bytes
 * @ctx_write: the program may write it
 *
 * Return: 0.
 */
int kbpf_run_init(struct kbpf_run *run, struct kbpf_prog *prog, u8 *stack,
		  void *ctx, u32 ctx_size, bool ctx_write)
{
	memset(stack, 0, KBPF_STACK_SIZE);
	return kbpf_run_init_clean(run, prog, stack, ctx, ctx_size, ctx_write);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_init);

/**
 * kbpf_run_scrub() - leave frame 0 of the run's stack zero again
 * @run: a run that has ended
 *
 * What the run may have written: the prepared stores reach
 * @prog->stack_depth bytes below the frame's top; a store through a
 * translated address, by the program or a helper, may have reached any
 * of it.  Frames 1.. are zeroed when they are entered.  So the next run
 * on this stack may start with kbpf_run_init_clean(), and no run reads
 * what another left.
 */
void kbpf_run_scrub(struct kbpf_run *run)
{
	u32 n = run->stack_dirty ? KBPF_STACK_SIZE :
		min_t(u32, run->prog->stack_depth, KBPF_STACK_SIZE);

	memset(run->stack + KBPF_STACK_SIZE - n, 0, n);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_scrub);

/* [R10 + @off, + the access's bytes) lies in the frame, whatever the depth. */
static bool kbpf_in_frame(s16 off, u8 code)
{
	static const u8 bytes[4] = {
		[BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1, [BPF_DW >> 3] = 8,
	};

	return off >= -KBPF_STACK_SIZE && off + bytes[BPF_SIZE(code) >> 3] <= 0;
}

/**
 * kbpf_interp_prepare() - specialise a checked program's instructions
 * @prog: the program, its @insns checked and relocated
 *
 * A load or store (not atomic, not sign-extending) whose address is R10
 * plus an offset that keeps it in the frame needs no translation, since
 * R10 is read-only (the checker refuses writes to it) and each frame is
 * KBPF_STACK_SIZE bytes: its opcode becomes the KBPF_MODE_FP one, run
 * without the region table.  @prog->stack_depth becomes the deepest such
 * store, for kbpf_run_scrub().
 */
void kbpf_interp_prepare(struct kbpf_prog *prog)
{
	struct bpf_insn *insn;
	u32 i, depth = 0;
	u8 cls;

	for (i = 0; i < prog->len; i++) {
		insn = &prog->insns[i];
		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;	/* its second half is no instruction */
			continue;
		}
		cls = BPF_CLASS(insn->code);
		if ((cls != BPF_LDX && cls != BPF_STX && cls != BPF_ST) ||
		    BPF_MODE(insn->code) != BPF_MEM)
			continue;
		if ((cls == BPF_LDX ? insn->src_reg : insn->dst_reg) != BPF_REG_10)
			continue;
		if (!kbpf_in_frame(insn->off, insn->code))
			continue;
		insn->code = cls | KBPF_MODE_FP | BPF_SIZE(insn->code);
		if (cls != BPF_LDX)
			depth = max_t(u32, depth, -insn->off);
	}
	prog->stack_depth = depth;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_interp_prepare);

/**
 * kbpf_interp() - run the program from its first instruction
 * @run: a run kbpf_run_init() prepared
 * @r1:  R1 (the context's virtual address, as a rule)
 *
 * Return: R0 at the main program's exit, or 0 with @run->err set.
 */
u64 kbpf_interp(struct kbpf_run *run, u64 r1)
{
	const u64 args[5] = { r1 };

	if (run->err)
		return 0;
	return kbpf_interp_loop(run, 0, args);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_interp);

/**
 * kbpf_interp_call_func() - run a bpf-to-bpf function for a helper
 * @run:  the run, inside a helper call
 * @func: KBPF_FUNC_HANDLE_BASE + the function's first instruction
 * @args: its R1..R5
 * @ret:  its R0 (0 on failure)
 *
 * The function runs in a new frame, one deeper than the caller's.
 *
 * Return: 0, or the run's fault.
 */
int kbpf_interp_call_func(struct kbpf_run *run, u64 func, const u64 args[5],
			  u64 *ret)
{
	u32 depth = run->depth, err_insn = run->err_insn;
	u32 stack_size = run->regions[0].size;
	u64 pc = func - KBPF_FUNC_HANDLE_BASE, r0;

	*ret = 0;
	if (run->err)
		return run->err;
	if (func < KBPF_FUNC_HANDLE_BASE || pc >= run->prog->len) {
		kbpf_run_fault(run, -EINVAL, func);
		return run->err;
	}
	if (depth >= KBPF_MAX_FRAMES - 1) {
		kbpf_run_fault(run, -EFAULT, kbpf_frame_top(depth + 1));
		return run->err;
	}
	run->depth = depth + 1;
	kbpf_frame_enter(run, depth + 1);
	r0 = kbpf_interp_loop(run, pc, args);
	run->depth = depth;
	run->regions[0].size = stack_size;
	if (run->err)
		return run->err;
	run->err_insn = err_insn;	/* the helper's call, again */
	*ret = r0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_interp_call_func);

/**
 * kbpf_run_region() - the live region @vaddr points into
 * @run:   the run
 * @vaddr: a virtual address of the run
 *
 * Return: the region (the offset is not checked), or NULL if @vaddr names
 * none or a freed one.
 */
struct kbpf_region *kbpf_run_region(struct kbpf_run *run, u64 vaddr)
{
	u32 idx = KBPF_VADDR_REGION(vaddr), nr = run->nr_regions;
	struct kbpf_region *r;

	if (idx >= nr)
		return NULL;
	r = &run->regions[array_index_nospec(idx, nr)];
	return r->kind == KBPF_REGION_FREE ? NULL : r;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_region);

/**
 * kbpf_run_ptr() - translate [@vaddr, @vaddr + @size) for a helper
 * @run:   the run
 * @vaddr: a virtual address of the run
 * @size:  bytes
 * @write: they will be written
 *
 * Does not fault the run.
 *
 * Return: the kernel address, or NULL if the range does not lie in one
 * live region with the permission.
 */
void *kbpf_run_ptr(struct kbpf_run *run, u64 vaddr, u64 size, bool write)
{
	return kbpf_run_xlate(run, vaddr, size, write);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_ptr);

/*
 * A full table: the oldest map value a helper handed out makes room, in
 * turn.  A pointer the program kept to it then reaches the new value:
 * memory it was given either way, never anything else.  Ring buffer
 * records are never recycled.  Return: the index, or 0 if none can go.
 */
static u32 kbpf_run_recycle(struct kbpf_run *run)
{
	u32 first = 2 + run->prog->nr_value_regions, n = run->nr_regions - first, k, i;

	for (k = 0; k < n; k++) {
		i = first + (run->recycle++ % n);
		if (run->regions[i].kind == KBPF_REGION_MAP_VALUE)
			return i;
	}
	return 0;
}

/**
 * kbpf_run_grant() - give the program a region
 * @run:   the run
 * @base:  kernel memory
 * @size:  its bytes
 * @kind:  enum kbpf_region_kind, not KBPF_REGION_FREE
 * @write: the program may write it
 *
 * A live region with the same base, size, kind and permission is handed
 * out again rather than added twice.  A full table makes room in the slot
 * of a ring buffer record already submitted or discarded
 * (KBPF_REGION_FREE), so that a program can reserve and submit any number
 * of records in a run, as in the kernel; failing that, in the slot of the
 * oldest map value handed out.  A pointer the program kept to what was
 * there then reaches the new region: memory it was given, never anything
 * else.
 *
 * Return: the region's virtual address (offset 0), or 0 after faulting
 * the run with -ENOSPC when the region table is full.
 */
u64 kbpf_run_grant(struct kbpf_run *run, void *base, u32 size, u8 kind,
		   bool write)
{
	struct kbpf_region *r;
	u32 i, free = 0;

	if (WARN_ON_ONCE(kind == KBPF_REGION_FREE)) {
		kbpf_run_fault(run, -EINVAL, 0);
		return 0;
	}
	/* newest first: a loop asking for one value again finds it at once */
	for (i = run->nr_regions; i-- > 0;) {
		r = &run->regions[i];
		if (r->base == base && r->size == size && r->kind == kind &&
		    r->write == write)
			return KBPF_VADDR(i, 0);
		if (r->kind == KBPF_REGION_FREE)
			free = i;
	}
	if (run->nr_regions < KBPF_MAX_REGIONS) {
		i = run->nr_regions++;
	} else if (free) {
		i = free;
	} else {
		i = kbpf_run_recycle(run);
		if (!i) {
			kbpf_run_fault(run, -ENOSPC, 0);
			return 0;
		}
	}
	run->regions[i] = (struct kbpf_region) {
		.base = base, .size = size, .kind = kind, .write = write,
	};
	return KBPF_VADDR(i, 0);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_grant);

/**
 * kbpf_run_fault() - stop the run
 * @run:  the run
 * @err:  why (see struct kbpf_run's @err)
 * @addr: the virtual address involved, or 0
 *
 * Only the first fault is kept; its instruction is the one running (for
 * a helper, its call).  The interpreter stops when it sees @run->err.
 */
void kbpf_run_fault(struct kbpf_run *run, int err, u64 addr)
{
	if (run->err)
		return;
	run->err = err;
	run->err_addr = addr;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_run_fault);
