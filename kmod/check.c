// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time checks: not the kernel's verifier, which proves a program
 * safe by walking its paths, but the structural checks it starts with.
 * kbpf needs no proof, since the interpreter checks every access at run
 * time (prog.h); these checks make sure every instruction is one the
 * interpreter runs, with the encoding the kernel requires of it (reserved
 * fields zero, registers R0..R10, R10 never written (EACCES, as the
 * kernel's "frame pointer is read only"), known helpers), and
 * that control flow stays in the program: jumps inside their function
 * and never onto the second half of an ld_imm64, calls and function
 * references to instructions of the program, and every function ending
 * in an exit or an unconditional jump.  Each refusal writes one line to
 * the log, naming the instruction, and the first one refuses the program.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "prog.h"

#ifndef BPF_ADDR_SPACE_CAST
#define BPF_ADDR_SPACE_CAST	1	/* 6.9: arena pointers */
#endif

/* BPF_MAX_SUBPROGS: functions in one program, the main one included. */
#define KBPF_MAX_FUNCS	256

/* Per-instruction marks while checking. */
#define KBPF_INSN_LDIMM_HI	BIT(0)	/* second half of an ld_imm64 */
#define KBPF_INSN_FUNC		BIT(1)	/* a function starts here */

/**
 * kbpf_log() - append a line to a BPF_PROG_LOAD log
 * @log: the log
 * @fmt: printf format, and its arguments
 *
 * Nothing happens at log level 0.  What does not fit is dropped, but
 * counted in @log->true_len; the buffer stays NUL-terminated.
 */
void kbpf_log(struct kbpf_log *log, const char *fmt, ...)
{
	va_list ap;
	u32 room;
	int n;

	if (!log || !log->level)
		return;
	room = log->buf && log->size > log->len ? log->size - log->len : 0;
	va_start(ap, fmt);
	n = vsnprintf(room ? log->buf + log->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	log->true_len = min_t(u64, (u64)log->true_len + n, U32_MAX);
	if (room)
		log->len += min_t(u32, n, room - 1);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_log);

static bool kbpf_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* The opcodes the interpreter runs (bpf_opcode_in_insntable() less LD_ABS/IND). */
static bool kbpf_opcode_ok(u8 code)
{
	u8 op = BPF_OP(code), size = BPF_SIZE(code), mode = BPF_MODE(code);
	bool x = BPF_SRC(code) == BPF_X;

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
		return op <= BPF_END && !(op == BPF_NEG && x);
	case BPF_ALU64:
		return op <= BPF_END && !((op == BPF_NEG || op == BPF_END) && x);
	case BPF_JMP:
		if (op == BPF_JA || op == BPF_CALL || op == BPF_EXIT || op == BPF_JCOND)
			return !x;
		return op <= BPF_JSLE;
	case BPF_JMP32:
		if (op == BPF_JA)
			return !x;
		return op <= BPF_JSLE && op != BPF_CALL && op != BPF_EXIT;
	case BPF_LDX:
		return mode == BPF_MEM || (mode == BPF_MEMSX && size != BPF_DW);
	case BPF_STX:
		return mode == BPF_MEM ||
		       (mode == BPF_ATOMIC && (size == BPF_W || size == BPF_DW));
	case BPF_ST:
		return mode == BPF_MEM;
	default:	/* BPF_LD: ld_imm64 is checked on its own */
		return false;
	}
}

static int kbpf_check_alu(struct kbpf_log *log, u32 i, const struct bpf_insn *insn)
{
	bool x = BPF_SRC(insn->code) == BPF_X;
	bool alu64 = BPF_CLASS(insn->code) == BPF_ALU64;
	u8 op = BPF_OP(insn->code);

	switch (op) {
	case BPF_NEG:
		if (insn->src_reg || insn->off || insn->imm)
			goto reserved;
		break;
	case BPF_END:
		if (insn->src_reg || insn->off ||
		    (insn->imm != 16 && insn->imm != 32 && insn->imm != 64))
			goto reserved;
		break;
	case BPF_MOV:
		if (!x) {
			if (insn->src_reg || insn->off)
				goto reserved;
			break;
		}
		if (alu64 && insn->off == BPF_ADDR_SPACE_CAST) {
			kbpf_log(log, "%u: addr_space_cast is not supported (no arenas)\n", i);
			return -EINVAL;
		}
		if (insn->imm || (insn->off && insn->off != 8 && insn->off != 16 &&
				  (!alu64 || insn->off != 32)))
			goto reserved;
		break;
	default:
		if (insn->off && (insn->off != 1 || (op != BPF_DIV && op != BPF_MOD)))
			goto reserved;
		if (x ? insn->imm : insn->src_reg)
			goto reserved;
		if (x)
			break;
		if ((op == BPF_DIV || op == BPF_MOD) && !insn->imm) {
			kbpf_log(log, "%u: div by zero\n", i);
			return -EINVAL;
		}
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
		    (insn->imm < 0 || insn->imm >= (alu64 ? 64 : 32))) {
			kbpf_log(log, "%u: invalid shift %d\n", i, insn->imm);
			return -EINVAL;
		}
		break;
	}
	if (insn->dst_reg == BPF_REG_10) {
		kbpf_log(log, "%u: R10 is read-only\n", i);
		return -EACCES;
	}
	return 0;
reserved:
	kbpf_log(log, "%u: %s uses reserved fields\n", i,
		 op == BPF_NEG ? "BPF_NEG" : op == BPF_END ? "BPF_END" :
		 op == BPF_MOV ? "BPF_MOV" : "BPF_ALU");
	return -EINVAL;
}

static int kbpf_check_mem(struct kbpf_log *log, u32 i, const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
		if (insn->imm) {
			kbpf_log(log, "%u: BPF_LDX uses reserved fields\n", i);
			return -EINVAL;
		}
		if (insn->dst_reg == BPF_REG_10) {
			kbpf_log(log, "%u: R10 is read-only\n", i);
			return -EACCES;
		}
		return 0;
	case BPF_ST:
		if (insn->src_reg) {
			kbpf_log(log, "%u: BPF_ST uses reserved fields\n", i);
			return -EINVAL;
		}
		return 0;
	}
	if (BPF_MODE(insn->code) == BPF_MEM) {
		if (insn->imm) {
			kbpf_log(log, "%u: BPF_STX uses reserved fields\n", i);
			return -EINVAL;
		}
		return 0;
	}
	switch (insn->imm) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
	case BPF_CMPXCHG:	/* loads R0, not src */
		return 0;
	case BPF_ADD | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
	case BPF_XCHG:
		if (insn->src_reg == BPF_REG_10) {
			kbpf_log(log, "%u: R10 is read-only\n", i);
			return -EACCES;
		}
		return 0;
	default:
		kbpf_log(log, "%u: invalid atomic operation 0x%x\n", i, insn->imm);
		return -EINVAL;
	}
}

/* Jumps' targets are checked once functions are known; calls' here. */
static int kbpf_check_jmp(struct kbpf_log *log, u32 i, const struct bpf_insn *insn,
			  u32 len, u8 *marks, u32 *nr_funcs)
{
	bool jmp32 = BPF_CLASS(insn->code) == BPF_JMP32;
	s64 t;

	switch (BPF_OP(insn->code)) {
	case BPF_CALL:
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
			kbpf_log(log, "%u: kfunc calls are not supported\n", i);
			return -EINVAL;
		}
		if (insn->off || insn->dst_reg ||
		    (insn->src_reg && insn->src_reg != BPF_PSEUDO_CALL)) {
			kbpf_log(log, "%u: BPF_CALL uses reserved fields\n", i);
			return -EINVAL;
		}
		if (!insn->src_reg) {
			if (!kbpf_helper_known(insn->imm)) {
				kbpf_log(log, "%u: unknown helper %d\n", i, insn->imm);
				return -EINVAL;
			}
			return 0;
		}
		t = (s64)i + insn->imm + 1;
		if (t < 0 || t >= len) {
			kbpf_log(log, "%u: call to invalid destination %lld\n", i, t);
			return -EINVAL;
		}
		if (!(marks[t] & KBPF_INSN_FUNC)) {
			marks[t] |= KBPF_INSN_FUNC;
			++*nr_funcs;
		}
		return 0;
	case BPF_JA:
		if (insn->src_reg || insn->dst_reg || (jmp32 ? insn->off : insn->imm)) {
			kbpf_log(log, "%u: BPF_JA uses reserved fields\n", i);
			return -EINVAL;
		}
		return 0;
	case BPF_EXIT:
		if (insn->src_reg || insn->dst_reg || insn->imm) {
			kbpf_log(log, "%u: BPF_EXIT uses reserved fields\n", i);
			return -EINVAL;
		}
		return 0;
	case BPF_JCOND:
		if (insn->src_reg || insn->dst_reg || insn->imm || !insn->off) {
			kbpf_log(log, "%u: invalid may_goto off %d imm %d\n", i,
				 insn->off, insn->imm);
			return -EINVAL;
		}
		return 0;
	default:
		if (BPF_SRC(insn->code) == BPF_X ? insn->imm : insn->src_reg) {
			kbpf_log(log, "%u: BPF_JMP/JMP32 uses reserved fields\n", i);
			return -EINVAL;
		}
		return 0;
	}
}

static int kbpf_check_ldimm64(struct kbpf_log *log, u32 i,
			      const struct bpf_insn *insn, u32 len, u8 *marks,
			      u32 *nr_funcs)
{
	s64 t;

	if (i + 1 >= len || insn[1].code || insn[1].dst_reg || insn[1].src_reg ||
	    insn[1].off) {
		kbpf_log(log, "%u: ld_imm64 without its second half\n", i);
		return -EINVAL;
	}
	marks[i + 1] |= KBPF_INSN_LDIMM_HI;
	if (insn->off) {
		kbpf_log(log, "%u: BPF_LD_IMM64 uses reserved fields\n", i);
		return -EINVAL;
	}
	if (insn->dst_reg == BPF_REG_10) {
		kbpf_log(log, "%u: R10 is read-only\n", i);
		return -EACCES;
	}
	switch (insn->src_reg) {
	case 0:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		return 0;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		if (!insn[1].imm)
			return 0;
		kbpf_log(log, "%u: ld_imm64 of a map uses reserved fields\n", i);
		return -EINVAL;
	case BPF_PSEUDO_FUNC:
		t = (s64)i + insn->imm + 1;
		if (t < 0 || t >= len) {
			kbpf_log(log, "%u: function reference to invalid destination %lld\n",
				 i, t);
			return -EINVAL;
		}
		if (!(marks[t] & KBPF_INSN_FUNC)) {
			marks[t] |= KBPF_INSN_FUNC;
			++*nr_funcs;
		}
		return 0;
	}
	kbpf_log(log, "%u: unrecognized ld_imm64 source %u\n", i, insn->src_reg);
	return -EINVAL;
}

/* One instruction on its own; an ld_imm64's second half is skipped. */
static int kbpf_check_insn(struct kbpf_log *log, const struct bpf_insn *insns,
			   u32 len, u32 i, u8 *marks, u32 *nr_funcs)
{
	const struct bpf_insn *insn = &insns[i];
	u8 class = BPF_CLASS(insn->code);

	if (class == BPF_LD && (BPF_MODE(insn->code) == BPF_ABS ||
				BPF_MODE(insn->code) == BPF_IND)) {
		kbpf_log(log, "%u: BPF_LD_[ABS|IND] is not supported\n", i);
		return -EINVAL;
	}
	if (!kbpf_is_ldimm64(insn) && !kbpf_opcode_ok(insn->code)) {
		kbpf_log(log, "%u: invalid opcode 0x%02x\n", i, insn->code);
		return -EINVAL;
	}
	if (insn->dst_reg > BPF_REG_10 || insn->src_reg > BPF_REG_10) {
		kbpf_log(log, "%u: invalid register R%u\n", i,
			 insn->dst_reg > BPF_REG_10 ? insn->dst_reg : insn->src_reg);
		return -EINVAL;
	}
	switch (class) {
	case BPF_ALU:
	case BPF_ALU64:
		return kbpf_check_alu(log, i, insn);
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		return kbpf_check_mem(log, i, insn);
	case BPF_JMP:
	case BPF_JMP32:
		return kbpf_check_jmp(log, i, insn, len, marks, nr_funcs);
	default:
		return kbpf_check_ldimm64(log, i, insn, len, marks, nr_funcs);
	}
}

/* Where control goes besides the next instruction, if anywhere. */
static bool kbpf_jump_target(const struct bpf_insn *insn, u32 i, s64 *t)
{
	u8 class = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (class == BPF_JMP32 && op == BPF_JA) {
		*t = (s64)i + insn->imm + 1;
		return true;
	}
	if ((class != BPF_JMP && class != BPF_JMP32) || op == BPF_CALL ||
	    op == BPF_EXIT)
		return false;
	*t = (s64)i + insn->off + 1;
	return true;
}

/* The instruction a call or function reference at @i leads to, if any. */
static bool kbpf_func_target(const struct bpf_insn *insn, u32 i, s64 *t)
{
	if ((insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL) ||
	    (kbpf_is_ldimm64(insn) && insn->src_reg == BPF_PSEUDO_FUNC)) {
		*t = (s64)i + insn->imm + 1;
		return true;
	}
	return false;
}

/* The end of the function starting at @start: the next start, or @len. */
static u32 kbpf_func_end(const u8 *marks, u32 len, u32 start)
{
	u32 i;

	for (i = start + 1; i < len && !(marks[i] & KBPF_INSN_FUNC); i++)
		;
	return i;
}

/* Control flow, function by function. */
static int kbpf_check_flow(struct kbpf_log *log, const struct bpf_insn *insns,
			   u32 len, const u8 *marks)
{
	u32 i, start = 0, end = kbpf_func_end(marks, len, 0);
	const struct bpf_insn *insn;
	u8 code;
	s64 t;

	/* calls first: a function start on a second half splits its ld_imm64 */
	for (i = 0; i < len; i++) {
		if (kbpf_func_target(&insns[i], i, &t) &&
		    (marks[t] & KBPF_INSN_LDIMM_HI)) {
			kbpf_log(log, "%u: call into the middle of ld_imm64 at %lld\n",
				 i, t - 1);
			return -EINVAL;
		}
	}
	for (i = 0; i < len; i++) {
		insn = &insns[i];
		code = insn->code;
		if (i == end) {
			start = end;
			end = kbpf_func_end(marks, len, start);
		}
		if (marks[i] & KBPF_INSN_LDIMM_HI) {
			/* not an instruction; a function's end is checked below */
		} else if (kbpf_jump_target(insn, i, &t)) {
			if (t < 0 || t >= len) {
				kbpf_log(log, "%u: jump out of range to %lld\n", i, t);
				return -EINVAL;
			}
			if (t < start || t >= end) {
				kbpf_log(log, "%u: jump to %lld leaves the function at %u\n",
					 i, t, start);
				return -EINVAL;
			}
			if (marks[t] & KBPF_INSN_LDIMM_HI) {
				kbpf_log(log, "%u: jump into the middle of ld_imm64 at %lld\n",
					 i, t - 1);
				return -EINVAL;
			}
		}
		if (i != end - 1)
			continue;
		if ((marks[i] & KBPF_INSN_LDIMM_HI) ||
		    (code != (BPF_JMP | BPF_EXIT) && code != (BPF_JMP | BPF_JA) &&
		     code != (BPF_JMP32 | BPF_JA))) {
			if (i == len - 1)
				kbpf_log(log, "last insn is not an exit or jmp\n");
			else
				kbpf_log(log, "%u: function at %u does not end in an exit or jmp\n",
					 i, start);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * kbpf_check_prog() - the load-time checks of a program
 * @log:   the load's log
 * @insns: the instructions, as loaded
 * @len:   how many
 *
 * Return: 0, -EINVAL (one log line says why), -E2BIG for more than
 * KBPF_MAX_INSNS instructions, or -ENOMEM.
 */
int kbpf_check_prog(struct kbpf_log *log, const struct bpf_insn *insns, u32 len)
{
	u32 i, nr_funcs = 1;
	u8 *marks;
	int err = 0;

	if (!len) {
		kbpf_log(log, "program has no instructions\n");
		return -EINVAL;
	}
	if (len > KBPF_MAX_INSNS) {
		kbpf_log(log, "program too large: %u insns (limit %u)\n", len,
			 KBPF_MAX_INSNS);
		return -E2BIG;
	}
	marks = kvzalloc(len, GFP_KERNEL | __GFP_NOWARN);
	if (!marks)
		return -ENOMEM;
	marks[0] = KBPF_INSN_FUNC;
	for (i = 0; i < len && !err; i++) {
		err = kbpf_check_insn(log, insns, len, i, marks, &nr_funcs);
		if (kbpf_is_ldimm64(&insns[i]))
			i++;
	}
	if (!err && nr_funcs > KBPF_MAX_FUNCS) {
		kbpf_log(log, "too many functions: %u (limit %u)\n", nr_funcs,
			 KBPF_MAX_FUNCS);
		err = -EINVAL;
	}
	if (!err)
		err = kbpf_check_flow(log, insns, len, marks);
	kvfree(marks);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_check_prog);
