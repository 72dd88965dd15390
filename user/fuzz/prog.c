// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: programs.  A program is a prologue, a few blocks drawn from
 * templates (map lookups, updates and deletes with a live map, queue and
 * stack calls, ring buffer reserve/submit/discard, output and dynptrs,
 * perf event output, loops, bpf-to-bpf call chains, for_each callbacks,
 * trace_printk, probe reads, map value relocations, context accesses,
 * atomics, random helper calls with random arguments), an epilogue, and
 * subprograms after it.  Some are then mutated instruction by instruction.
 * Each is loaded with mostly valid attributes, test-run with random
 * contexts, and raw tracepoint programs that run fast are attached for a
 * few operations.
 */
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_INSNS	4096
#define MAX_SUBS	16

/* Helper ids as <linux/bpf.h> numbers them. */
enum {
	H_LOOKUP = 1, H_UPDATE = 2, H_DELETE = 3, H_PROBE_READ = 4, H_KTIME = 5,
	H_PRINTK = 6, H_CPU = 8, H_PID_TGID = 14, H_PERF_OUTPUT = 25,
	H_PUSH = 87, H_POP = 88, H_PEEK = 89, H_PROBE_USER = 112,
	H_PROBE_KERNEL = 113, H_PROBE_USER_STR = 114, H_PROBE_KERNEL_STR = 115,
	H_RB_OUTPUT = 130, H_RB_RESERVE = 131, H_RB_SUBMIT = 132,
	H_RB_DISCARD = 133, H_RB_QUERY = 134, H_FOR_EACH = 164,
	H_LOOKUP_PERCPU = 195, H_RB_RESERVE_DYNPTR = 198,
	H_RB_SUBMIT_DYNPTR = 199, H_RB_DISCARD_DYNPTR = 200,
};

static const int32_t fz_helpers[] = {
	H_LOOKUP, H_UPDATE, H_DELETE, H_PROBE_READ, H_KTIME, H_PRINTK, H_CPU,
	H_PID_TGID, H_PERF_OUTPUT, H_PUSH, H_POP, H_PEEK, H_PROBE_USER,
	H_PROBE_KERNEL, H_PROBE_USER_STR, H_PROBE_KERNEL_STR, H_RB_OUTPUT,
	H_RB_RESERVE, H_RB_SUBMIT, H_RB_DISCARD, H_RB_QUERY, H_FOR_EACH,
	H_LOOKUP_PERCPU, H_RB_RESERVE_DYNPTR, H_RB_SUBMIT_DYNPTR,
	H_RB_DISCARD_DYNPTR,
};

#define MOV_IMM(d, i)	FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s)	FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i)	FZ_INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) FZ_INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) FZ_INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)	FZ_INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JEQ_IMM(d, i, o) FZ_INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) FZ_INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o)		FZ_INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f)		FZ_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()		FZ_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct pb {
	struct fz_thread *t;
	struct bpf_insn *in;
	uint32_t n;
	uint32_t prog_type;
	bool pure;		/* no template whose result varies: retval known */
	int32_t retval;
	/* subprogram references to patch: instruction, subprogram */
	uint32_t fix_at[MAX_SUBS * 4], fix_sub[MAX_SUBS * 4], nfix;
	uint32_t nsubs;
	uint8_t sub_kind[MAX_SUBS];	/* 0: callback, 1..: call chain level */
	uint32_t sub_start[MAX_SUBS];
	int chain_depth;
	int fd_array[8];
	uint32_t nfd_array;
	bool loops;		/* may run long: not for tracepoints */
	bool safe;		/* cannot fault: only ALU and short loops */
};

static void emit(struct pb *p, struct bpf_insn i)
{
	if (p->n < MAX_INSNS)
		p->in[p->n++] = i;
}

static void emit_ld64(struct pb *p, uint8_t dst, uint8_t src, uint64_t v)
{
	emit(p, FZ_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)(uint32_t)v));
	emit(p, FZ_INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

/* ld_imm64 of a map: by fd, or by index into fd_array. */
static void emit_ld_map(struct pb *p, uint8_t dst, int fd)
{
	if (fz_chance(p->t, 15) && p->nfd_array < 8) {
		p->fd_array[p->nfd_array] = fd;
		emit_ld64(p, dst, BPF_PSEUDO_MAP_IDX, p->nfd_array++);
		return;
	}
	emit_ld64(p, dst, BPF_PSEUDO_MAP_FD, (uint32_t)fd);
}

static uint32_t new_sub(struct pb *p, uint8_t kind)
{
	if (p->nsubs >= MAX_SUBS)
		return MAX_SUBS;
	p->sub_kind[p->nsubs] = kind;
	return p->nsubs++;
}

/* A reference (call or ld_imm64 of a function) to subprogram @sub at @at. */
static void ref_sub(struct pb *p, uint32_t at, uint32_t sub)
{
	if (sub < MAX_SUBS && p->nfix < MAX_SUBS * 4) {
		p->fix_at[p->nfix] = at;
		p->fix_sub[p->nfix++] = sub;
	}
}

/* Store @n bytes of key (small values) at r10 + @off. */
static void emit_key(struct pb *p, int16_t off, uint32_t n, uint32_t max_entries)
{
	uint32_t i;

	for (i = 0; i < n; i += 8)
		emit(p, ST(BPF_DW, BPF_REG_10, off + i, 0));
	if (n >= 4)
		emit(p, ST(BPF_W, BPF_REG_10, off,
			   fz_below(p->t, max_entries ? max_entries + 1 : 8) % 64));
	else if (n)
		emit(p, ST(BPF_B, BPF_REG_10, off, fz_below(p->t, 8)));
}

static int16_t value_off(struct pb *p, uint32_t value_size, uint32_t width)
{
	if (value_size >= width && fz_chance(p->t, 85))
		return fz_below(p->t, value_size - width + 1);
	return (int16_t)fz_rand(p->t);
}

static const uint8_t widths[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const uint32_t width_bytes[] = { 1, 2, 4, 8 };

/* Loads, stores and atomics through the pointer in @reg (a value, a record). */
static void emit_touch(struct pb *p, uint8_t reg, uint32_t size, bool write)
{
	uint32_t w = fz_below(p->t, 4), k = 1 + fz_below(p->t, 3);

	while (k--) {
		int16_t off = value_off(p, size, width_bytes[w]);

		switch (fz_below(p->t, write ? 4 : 1)) {
		case 0:
			emit(p, LDX(widths[w], BPF_REG_9, reg, off));
			break;
		case 1:
			emit(p, ST(widths[w], reg, off, (int32_t)fz_rand(p->t)));
			break;
		case 2:
			emit(p, STX(widths[w], reg, BPF_REG_9, off));
			break;
		default: {
			static const int32_t ops[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR,
				BPF_ADD | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, BPF_OR | BPF_FETCH };
			uint8_t sz = fz_chance(p->t, 50) ? BPF_DW : BPF_W;

			off = fz_chance(p->t, 80) ? off & ~(sz == BPF_DW ? 7 : 3) : off;
			emit(p, MOV_IMM(BPF_REG_1, 1));
			emit(p, FZ_INSN(BPF_STX | BPF_ATOMIC | sz, reg, BPF_REG_1, off,
					FZ_PICK(p->t, ops)));
			break;
		}
		}
		w = fz_below(p->t, 4);
	}
}

/* The body of a block after an "if r0 == 0" skip: its length is patched. */
static uint32_t begin_skip(struct pb *p, uint8_t reg)
{
	emit(p, JEQ_IMM(reg, 0, 0));
	return p->n - 1;
}

static void end_skip(struct pb *p, uint32_t at)
{
	if (at < p->n)
		p->in[at].off = p->n - at - 1;
}

static void blk_lookup(struct pb *p, const struct fz_obj *m)
{
	uint32_t at;

	emit_key(p, -64, m->key_size, m->max_entries);
	emit_ld_map(p, BPF_REG_1, m->fd);
	emit(p, MOV_REG(BPF_REG_2, BPF_REG_10));
	emit(p, ADD_IMM(BPF_REG_2, -64));
	if (fz_chance(p->t, 15)) {
		emit(p, MOV_IMM(BPF_REG_3, fz_below(p->t, fz_cfg.ncpus + 1)));
		emit(p, CALL(H_LOOKUP_PERCPU));
	} else {
		emit(p, CALL(H_LOOKUP));
	}
	at = begin_skip(p, BPF_REG_0);
	emit(p, MOV_REG(BPF_REG_7, BPF_REG_0));	/* kept: later blocks reuse it */
	emit_touch(p, BPF_REG_7, m->value_size, true);
	end_skip(p, at);
}

static void blk_update(struct pb *p, const struct fz_obj *m, uint8_t helper)
{
	uint32_t i, vs = m->value_size < 256 ? m->value_size : 256;

	emit_key(p, -64, m->key_size, m->max_entries);
	for (i = 0; i < vs; i += 8)
		emit(p, ST(BPF_DW, BPF_REG_10, -320 + i, (int32_t)fz_rand(p->t)));
	emit_ld_map(p, BPF_REG_1, m->fd);
	emit(p, MOV_REG(BPF_REG_2, BPF_REG_10));
	if (helper == H_PUSH || helper == H_POP || helper == H_PEEK) {
		emit(p, ADD_IMM(BPF_REG_2, -320));
		emit(p, MOV_IMM(BPF_REG_3, fz_chance(p->t, 70) ? 0 : BPF_EXIST));
	} else {
		emit(p, ADD_IMM(BPF_REG_2, -64));
		emit(p, MOV_REG(BPF_REG_3, BPF_REG_10));
		emit(p, ADD_IMM(BPF_REG_3, -320));
		emit(p, MOV_IMM(BPF_REG_4, fz_chance(p->t, 80) ? (int32_t)fz_below(p->t, 3) :
				(int32_t)fz_interesting(p->t)));
	}
	emit(p, CALL(helper));
}

static void blk_ringbuf(struct pb *p, const struct fz_obj *m)
{
	struct fz_thread *t = p->t;
	uint32_t size = fz_chance(t, 80) ? 8 * fz_below(t, 16) + fz_below(t, 8) :
			(uint32_t)fz_interesting(t), at;

	emit_ld_map(p, BPF_REG_1, m->fd);
	switch (fz_below(t, 4)) {
	case 0:		/* output from the stack */
		emit(p, MOV_REG(BPF_REG_2, BPF_REG_10));
		emit(p, ADD_IMM(BPF_REG_2, -128));
		emit(p, MOV_IMM(BPF_REG_3, size % 129));
		emit(p, MOV_IMM(BPF_REG_4, fz_below(t, 4)));
		emit(p, CALL(H_RB_OUTPUT));
		return;
	case 1:		/* query */
		emit(p, MOV_IMM(BPF_REG_2, fz_below(t, 5)));
		emit(p, CALL(H_RB_QUERY));
		return;
	case 2:		/* a dynptr on the stack */
		emit(p, MOV_IMM(BPF_REG_2, size));
		emit(p, MOV_IMM(BPF_REG_3, fz_chance(t, 90) ? 0 : 1));
		emit(p, MOV_REG(BPF_REG_4, BPF_REG_10));
		emit(p, ADD_IMM(BPF_REG_4, -16));
		emit(p, CALL(H_RB_RESERVE_DYNPTR));
		emit(p, MOV_REG(BPF_REG_1, BPF_REG_10));
		emit(p, ADD_IMM(BPF_REG_1, -16));
		emit(p, MOV_IMM(BPF_REG_2, fz_below(t, 4)));
		emit(p, CALL(fz_chance(t, 50) ? H_RB_SUBMIT_DYNPTR : H_RB_DISCARD_DYNPTR));
		return;
	default:	/* reserve, fill, submit or discard; or misuse */
		emit(p, MOV_IMM(BPF_REG_2, size));
		emit(p, MOV_IMM(BPF_REG_3, fz_chance(t, 90) ? 0 : 1));
		emit(p, CALL(H_RB_RESERVE));
		at = begin_skip(p, BPF_REG_0);
		emit(p, MOV_REG(BPF_REG_7, BPF_REG_0));
		emit_touch(p, BPF_REG_7, size, true);
		if (fz_chance(t, 90)) {
			emit(p, MOV_REG(BPF_REG_1, BPF_REG_7));
			emit(p, MOV_IMM(BPF_REG_2, fz_below(t, 4)));
			emit(p, CALL(fz_chance(t, 60) ? H_RB_SUBMIT : H_RB_DISCARD));
		}
		if (fz_chance(t, 10))	/* after the submit: must fault */
			emit(p, ST(BPF_B, BPF_REG_7, 0, 1));
		if (fz_chance(t, 5)) {	/* twice */
			emit(p, MOV_REG(BPF_REG_1, BPF_REG_7));
			emit(p, MOV_IMM(BPF_REG_2, 0));
			emit(p, CALL(H_RB_SUBMIT));
		}
		end_skip(p, at);
		return;
	}
}

static void blk_perf_output(struct pb *p, const struct fz_obj *m)
{
	struct fz_thread *t = p->t;

	emit(p, MOV_REG(BPF_REG_1, BPF_REG_6));
	emit_ld_map(p, BPF_REG_2, m->fd);
	emit_ld64(p, BPF_REG_3, 0, fz_chance(t, 70) ? BPF_F_CURRENT_CPU :
		  fz_chance(t, 70) ? fz_below(t, 4) : fz_interesting(t));
	emit(p, MOV_REG(BPF_REG_4, BPF_REG_10));
	emit(p, ADD_IMM(BPF_REG_4, -256));
	emit(p, MOV_IMM(BPF_REG_5, fz_chance(t, 85) ? (int32_t)fz_below(t, 257) :
			(int32_t)fz_interesting(t)));
	emit(p, CALL(H_PERF_OUTPUT));
}

static void blk_loop(struct pb *p)
{
	struct fz_thread *t = p->t;
	/* long loops are rare: a run to the budget takes seconds under TCG */
	uint32_t n = fz_chance(t, 97) ? 1 + fz_below(t, 64) :
		     fz_chance(t, 66) ? 1 << 16 : 0;	/* 0: forever */

	p->loops = p->loops || n > 64;
	emit(p, MOV_IMM(BPF_REG_8, n));
	emit(p, FZ_INSN(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_9, BPF_REG_8, 0, 0));
	if (fz_chance(t, 30))
		emit(p, CALL(H_KTIME));
	emit(p, ADD_IMM(BPF_REG_8, -1));
	emit(p, JNE_IMM(BPF_REG_8, 0, -(int16_t)(p->in[p->n - 2].code ==
				      (BPF_JMP | BPF_CALL) ? 4 : 3)));
}

static void blk_printk(struct pb *p)
{
	static const char *const fmts[] = {
		"fz %d\n", "%s|%u|%x\n", "%llx %p %c", "%-5d%%%05i", "%ld %lu %lld", "%lx",
		"%s", "%pK %q %n", "%.3s", "%99999999d", "%d%d%d%d", "plain",
	};
	struct fz_thread *t = p->t;
	const char *f = FZ_PICK(t, fmts);

	/* known: any %l conversion WARNs in vsnprintf (once per boot) */
	if (!fz_cfg.known && strchr(f, 'l'))
		f = "%-5d%%%05i";
	uint32_t len = strlen(f) + 1, i, word;

	for (i = 0; i < len; i += 4) {
		word = 0;
		memcpy(&word, f + i, len - i < 4 ? len - i : 4);
		emit(p, ST(BPF_W, BPF_REG_10, -96 + i, (int32_t)word));
	}
	emit(p, MOV_REG(BPF_REG_1, BPF_REG_10));
	emit(p, ADD_IMM(BPF_REG_1, -96));
	emit(p, MOV_IMM(BPF_REG_2, fz_chance(t, 85) ? len : fz_below(t, 40)));
	emit(p, MOV_REG(BPF_REG_3, BPF_REG_10));	/* %s: the format itself */
	emit(p, ADD_IMM(BPF_REG_3, -96));
	emit(p, MOV_IMM(BPF_REG_4, (int32_t)fz_rand(t)));
	emit(p, MOV_REG(BPF_REG_5, fz_chance(t, 50) ? BPF_REG_7 : BPF_REG_6));
	emit(p, CALL(H_PRINTK));
}

static void blk_probe(struct pb *p)
{
	static const uint64_t kaddrs[] = {
		0, 0xffff888000100000ULL, 0xffff888001000000ULL,
		0xffffffff81000000ULL, 0xffffffffff600000ULL, 0x8000000000000000ULL,
		0xfffffffffffff000ULL, 0x1000, 0xffffc90000000000ULL,
	};
	static const int32_t ids[] = { H_PROBE_READ, H_PROBE_USER, H_PROBE_KERNEL,
		H_PROBE_USER_STR, H_PROBE_KERNEL_STR };
	struct fz_thread *t = p->t;
	uint64_t src;

	switch (fz_below(t, 3)) {
	case 0:
		src = FZ_PICK(t, kaddrs) + (fz_chance(t, 30) ? fz_below(t, 1 << 20) : 0);
		break;
	case 1:	/* user memory of this thread: valid for probe_read_user */
		src = (uintptr_t)t->arena + fz_below(t, FZ_ARENA_SIZE);
		break;
	default:
		src = (uintptr_t)fz_straddle(t, 16);
		break;
	}
	emit(p, MOV_REG(BPF_REG_1, BPF_REG_10));
	emit(p, ADD_IMM(BPF_REG_1, -512 + 8 * fz_below(t, 8)));
	emit(p, MOV_IMM(BPF_REG_2, fz_chance(t, 85) ? (int32_t)fz_below(t, 449) :
			(int32_t)fz_interesting(t)));
	emit_ld64(p, BPF_REG_3, 0, src);
	emit(p, CALL(FZ_PICK(t, ids)));
}

/* bpf_for_each_map_elem() with a callback subprogram. */
static void blk_for_each(struct pb *p, const struct fz_obj *m)
{
	struct fz_thread *t = p->t;
	uint32_t sub = new_sub(p, 0);

	emit_ld_map(p, BPF_REG_1, m->fd);
	ref_sub(p, p->n, sub);
	emit_ld64(p, BPF_REG_2, BPF_PSEUDO_FUNC, 0);
	switch (fz_below(t, 3)) {
	case 0:
		emit(p, MOV_REG(BPF_REG_3, BPF_REG_6));
		break;
	case 1:
		emit(p, MOV_REG(BPF_REG_3, BPF_REG_10));
		emit(p, ADD_IMM(BPF_REG_3, -8));
		break;
	default:
		emit(p, MOV_IMM(BPF_REG_3, 0));
		break;
	}
	emit(p, MOV_IMM(BPF_REG_4, fz_chance(t, 95) ? 0 : 1));
	emit(p, CALL(H_FOR_EACH));
}

static void emit_callback(struct pb *p)
{
	struct fz_thread *t = p->t;

	/* r1 map, r2 key, r3 value, r4 ctx */
	if (fz_chance(t, 60))
		emit(p, LDX(BPF_B, BPF_REG_5, BPF_REG_2, 0));
	if (fz_chance(t, 50))
		emit(p, ST(BPF_B, BPF_REG_3, 0, 7));
	if (fz_chance(t, 30))
		emit(p, ST(BPF_DW, BPF_REG_4, 0, 1));	/* into ctx or the caller's stack */
	if (fz_chance(t, 20)) {	/* a lookup of the same key from inside */
		emit(p, CALL(H_LOOKUP));
	}
	if (fz_chance(t, 10)) {	/* and deeper: for_each from the callback */
		uint32_t sub = new_sub(p, 0);

		ref_sub(p, p->n, sub);
		emit_ld64(p, BPF_REG_2, BPF_PSEUDO_FUNC, 0);
		emit(p, MOV_IMM(BPF_REG_3, 0));
		emit(p, MOV_IMM(BPF_REG_4, 0));
		emit(p, CALL(H_FOR_EACH));
	}
	emit(p, MOV_IMM(BPF_REG_0, fz_chance(t, 70) ? 0 : 1));
	emit(p, EXIT());
}

static void blk_call_chain(struct pb *p)
{
	uint32_t sub = new_sub(p, 1);

	p->chain_depth = 1 + fz_below(p->t, 10);	/* 8 frames is the limit */
	ref_sub(p, p->n, sub);
	emit(p, FZ_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
}

static void emit_chain_level(struct pb *p, uint8_t level)
{
	emit(p, ST(BPF_DW, BPF_REG_10, -8, level));
	emit(p, ST(BPF_DW, BPF_REG_10, -512, level));
	if (level < p->chain_depth) {
		uint32_t sub = new_sub(p, level + 1);

		ref_sub(p, p->n, sub);
		emit(p, FZ_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	}
	emit(p, LDX(BPF_DW, BPF_REG_0, BPF_REG_10, -8));
	emit(p, EXIT());
}

static void blk_map_value(struct pb *p, const struct fz_obj *m)
{
	uint32_t off = m->value_size && fz_chance(p->t, 90) ?
		       fz_below(p->t, m->value_size) : (uint32_t)fz_interesting(p->t);

	emit(p, FZ_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1,
			fz_chance(p->t, 80) ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_IDX_VALUE,
			0, m->fd));
	emit(p, FZ_INSN(0, 0, 0, 0, (int32_t)off));
	if (p->in[p->n - 2].src_reg == BPF_PSEUDO_MAP_IDX_VALUE && p->nfd_array < 8) {
		p->fd_array[p->nfd_array] = m->fd;
		p->in[p->n - 2].imm = p->nfd_array++;
	}
	emit_touch(p, BPF_REG_1, m->value_size > off ? m->value_size - off : 0, true);
}

static void blk_ctx(struct pb *p)
{
	int16_t off = fz_chance(p->t, 85) ? (int16_t)(8 * fz_below(p->t, 12)) :
		      (int16_t)fz_rand(p->t);

	emit(p, LDX(BPF_DW, BPF_REG_9, BPF_REG_6, off));
	if (fz_chance(p->t, 50))
		emit(p, STX(BPF_W, BPF_REG_6, BPF_REG_9, off));
}

static void emit_random_arg(struct pb *p, uint8_t reg, const struct fz_obj *m)
{
	struct fz_thread *t = p->t;

	switch (fz_below(t, 7)) {
	case 0:
		emit(p, MOV_IMM(reg, (int32_t)fz_interesting(t)));
		break;
	case 1:
		if (m)
			emit_ld_map(p, reg, m->fd);
		else
			emit(p, MOV_IMM(reg, 0));
		break;
	case 2:
		emit(p, MOV_REG(reg, BPF_REG_10));
		emit(p, ADD_IMM(reg, -8 * (int32_t)fz_below(t, 65)));
		break;
	case 3:
		emit(p, MOV_REG(reg, BPF_REG_6));
		break;
	case 4:
		emit(p, MOV_REG(reg, BPF_REG_7));
		break;
	case 5:
		emit_ld64(p, reg, 0, fz_rand(t));
		break;
	default:
		emit(p, MOV_IMM(reg, fz_below(t, 64)));
		break;
	}
}

static void blk_random_call(struct pb *p, const struct fz_obj *m)
{
	uint8_t r;

	for (r = BPF_REG_1; r <= BPF_REG_5; r++)
		emit_random_arg(p, r, m);
	emit(p, CALL(fz_chance(p->t, 95) ? FZ_PICK(p->t, fz_helpers) :
		     (int32_t)fz_below(p->t, 220)));
}

static void blk_alu(struct pb *p)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
		BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_ARSH };
	struct fz_thread *t = p->t;
	unsigned int k = 1 + fz_below(t, 6);

	while (k--) {
		uint8_t op = FZ_PICK(t, ops), cls = fz_chance(t, 50) ? BPF_ALU64 : BPF_ALU;
		uint8_t d = 7 + fz_below(t, 3), s = fz_below(t, 10);
		int32_t imm = (int32_t)fz_interesting(t);

		if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
			imm &= cls == BPF_ALU64 ? 63 : 31;
		if ((op == BPF_DIV || op == BPF_MOD) && !imm)
			imm = 3;
		if (fz_chance(t, 50))
			emit(p, FZ_INSN(cls | op | BPF_K, d, 0,
					(op == BPF_DIV || op == BPF_MOD) ? fz_below(t, 2) : 0, imm));
		else
			emit(p, FZ_INSN(cls | op | BPF_X, d, s, 0, 0));
	}
}

static void blk_stack_atomics(struct pb *p)
{
	emit(p, ST(BPF_DW, BPF_REG_10, -16, 5));
	emit_touch(p, BPF_REG_10, 0, true);
	p->in[p->n - 1].off = -16 - 8 * (int16_t)fz_below(p->t, 4);
}

/* Pick a map of a type that suits a template, or any. */
static bool pick_map(struct fz_thread *t, int type, struct fz_obj *m)
{
	if (fz_obj_pick_map(t, type, m))
		return true;
	return fz_chance(t, 30) && fz_obj_pick_map(t, -1, m);
}

static void emit_block(struct pb *p)
{
	struct fz_thread *t = p->t;
	struct fz_obj m;
	uint32_t r = fz_below(t, 100);

	p->pure = false;
	if (r < 48 || r >= 54) {
		if (r < 92 || r >= 96)
			p->safe = false;	/* anything but ALU and loops may fault */
	}
	if (r < 16) {
		if (pick_map(t, fz_chance(t, 50) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH, &m) ||
		    pick_map(t, -1, &m))
			blk_lookup(p, &m);
	} else if (r < 28) {
		if (pick_map(t, -1, &m))
			blk_update(p, &m, fz_chance(t, 80) ? H_UPDATE : H_DELETE);
	} else if (r < 33) {
		if (pick_map(t, fz_chance(t, 50) ? BPF_MAP_TYPE_QUEUE : BPF_MAP_TYPE_STACK, &m))
			blk_update(p, &m, FZ_PICK(t, ((const uint8_t[]){ H_PUSH, H_POP, H_PEEK })));
	} else if (r < 43) {
		if (pick_map(t, BPF_MAP_TYPE_RINGBUF, &m))
			blk_ringbuf(p, &m);
	} else if (r < 48) {
		if (pick_map(t, BPF_MAP_TYPE_PERF_EVENT_ARRAY, &m))
			blk_perf_output(p, &m);
	} else if (r < 54) {
		blk_loop(p);
	} else if (r < 58) {
		if (!p->chain_depth)
			blk_call_chain(p);
	} else if (r < 64) {
		if (pick_map(t, fz_chance(t, 50) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH, &m))
			blk_for_each(p, &m);
	} else if (r < 68) {
		blk_printk(p);
	} else if (r < 73) {
		blk_probe(p);
	} else if (r < 78) {
		if (pick_map(t, BPF_MAP_TYPE_ARRAY, &m))
			blk_map_value(p, &m);
	} else if (r < 83) {
		blk_ctx(p);
	} else if (r < 92) {
		blk_random_call(p, pick_map(t, -1, &m) ? &m : NULL);
	} else if (r < 96) {
		blk_alu(p);
	} else {
		blk_stack_atomics(p);
	}
}

/* Subprograms after the main program, and the references patched. */
static void emit_subs(struct pb *p)
{
	uint32_t i;

	for (i = 0; i < p->nsubs && p->n < MAX_INSNS - 64; i++) {
		p->sub_start[i] = p->n;
		if (p->sub_kind[i])
			emit_chain_level(p, p->sub_kind[i]);
		else
			emit_callback(p);
	}
	for (i = 0; i < p->nfix; i++) {
		uint32_t at = p->fix_at[i], s = p->fix_sub[i];

		if (at < p->n && s < p->nsubs && p->sub_start[s])
			p->in[at].imm = (int32_t)p->sub_start[s] - (int32_t)at - 1;
	}
}

static void mutate_prog(struct pb *p)
{
	struct fz_thread *t = p->t;
	unsigned int k = 1 + fz_below(t, 3);

	while (k-- && p->n) {
		struct bpf_insn *in = &p->in[fz_below(t, p->n)];

		switch (fz_below(t, 8)) {
		case 0:
			in->code = fz_rand(t);
			break;
		case 1:
			in->dst_reg = fz_below(t, 16);
			break;
		case 2:
			in->src_reg = fz_below(t, 16);
			break;
		case 3:
			in->off = fz_chance(t, 50) ? in->off + (int)fz_below(t, 5) - 2 :
				  (int16_t)fz_rand(t);
			break;
		case 4:
			in->imm = fz_chance(t, 50) ? (int32_t)fz_interesting(t) :
				  in->imm + (int)fz_below(t, 5) - 2;
			break;
		case 5:	/* truncate */
			p->n = 1 + fz_below(t, p->n);
			break;
		case 6:	/* duplicate one */
			if (p->n < MAX_INSNS) {
				uint32_t i = fz_below(t, p->n);

				memmove(&p->in[i + 1], &p->in[i], (p->n - i) * sizeof(*in));
				p->n++;
			}
			break;
		default:
			fz_bytes(t, in, sizeof(*in));
			break;
		}
	}
}

/* A whole program in @p->in; returns its length. */
static uint32_t build_prog(struct pb *p)
{
	struct fz_thread *t = p->t;
	unsigned int k = fz_below(t, 7), i;

	p->n = 0;
	p->pure = true;
	p->safe = true;
	p->retval = fz_chance(t, 50) ? (int32_t)fz_below(t, 100) : (int32_t)fz_rand(t);
	emit(p, MOV_REG(BPF_REG_6, BPF_REG_1));
	emit(p, MOV_IMM(BPF_REG_7, 0));
	emit(p, MOV_IMM(BPF_REG_9, 0));
	for (i = 0; i < k && p->n < MAX_INSNS - 256; i++)
		emit_block(p);
	emit(p, MOV_IMM(BPF_REG_0, p->retval));
	emit(p, EXIT());
	emit_subs(p);
	if (fz_chance(t, 25)) {
		mutate_prog(p);
		p->pure = false;
		p->safe = false;
	}
	return p->n;
}

/* --- loading */

static const char *const fz_licenses[] = {
	"GPL", "GPL", "GPL v2", "Dual BSD/GPL", "Proprietary", "", "MIT",
};

/*
 * The smallest valid load: r0 = @ret; exit.  Returns the fd or -1; a
 * failure of so simple a load (other than ENOMEM) is a finding.
 */
int fz_prog_load_simple(struct fz_thread *t, uint32_t type, int ret)
{
	struct bpf_insn insns[2] = { MOV_IMM(BPF_REG_0, ret), EXIT() };
	union bpf_attr *a = (void *)t->attr_area;
	long fd;

	memset(a, 0, fz_cfg.union_size);
	a->prog_type = type;
	a->insns = (uintptr_t)insns;
	a->insn_cnt = 2;
	a->license = (uintptr_t)"GPL";
	if (type == BPF_PROG_TYPE_SYSCALL)
		a->prog_flags = BPF_F_SLEEPABLE;
	strcpy(a->prog_name, "fz_simple");
	fz_desc_attr(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
	fd = fz_bpf(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
	if (fd < 0 && errno != ENOMEM && errno != EMFILE)
		fz_fail(t, "the simplest program does not load: %s", fz_errname(errno));
	if (fd >= 0)
		t->prog_loaded++;
	return fd;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* Test runs with random contexts; returns whether it ran quickly and cleanly. */
static bool test_runs(struct fz_thread *t, int fd, const struct pb *p)
{
	union bpf_attr *a = (void *)t->attr_area;
	unsigned int k = p->loops ? 1 : 1 + fz_below(t, 3);
	bool fast = true;

	while (k--) {
		uint32_t size = p->prog_type == BPF_PROG_TYPE_SYSCALL ?
				(fz_chance(t, 90) ? 8 * fz_below(t, 17) : fz_below(t, 70000)) :
				(fz_chance(t, 90) ? 8 * fz_below(t, 13) : fz_size_near(t, 96));
		uint32_t bufsize = size < 65536 ? size : 65536;
		uint8_t *ctx = fz_buf(t, bufsize + 16, 8);
		uint64_t t0;
		long r;
		int err;

		fz_bytes(t, ctx, bufsize);
		memset(a, 0, fz_cfg.union_size);
		a->test.prog_fd = fd;
		if (size) {
			a->test.ctx_in = size <= 65536 ? (uintptr_t)ctx : (uintptr_t)fz_straddle(t, 64);
			a->test.ctx_size_in = size;
		}
		if (p->prog_type == BPF_PROG_TYPE_RAW_TRACEPOINT && fz_chance(t, 25)) {
			a->test.flags = BPF_F_TEST_RUN_ON_CPU;
			a->test.cpu = fz_chance(t, 95) ? fz_below(t, fz_cfg.ncpus) : 64;
		}
		if (fz_chance(t, 5))
			a->test.repeat = 1 + fz_below(t, 10);
		fz_desc_attr(t, BPF_PROG_TEST_RUN, a, fz_cfg.union_size);
		t0 = now_us();
		r = fz_bpf(t, BPF_PROG_TEST_RUN, a, fz_cfg.union_size);
		err = errno;
		if (now_us() - t0 > 20000 || (r < 0 && err == E2BIG))
			fast = false;
		t->prog_runs++;
		/* an untouched "r0 = K; exit" program returns K, wherever it runs */
		if (p->pure && !a->test.repeat && size <= 96 && !r &&
		    a->test.retval != (uint32_t)p->retval)
			fz_fail(t, "a program returning %d gave retval %u", p->retval,
				a->test.retval);
		if (p->pure && !a->test.repeat && size <= 96 && r &&
		    !(err == ENXIO && a->test.cpu >= (uint32_t)fz_cfg.ncpus) && err != ENOMEM)
			fz_fail(t, "a test run of a program returning %d failed: %s", p->retval,
				fz_errname(err));
	}
	return fast;
}

/* After a load: what bpf_prog_info says must be what was loaded. */
static void check_prog_info(struct fz_thread *t, int fd, uint32_t type, uint32_t n,
			    const char *name)
{
	struct bpf_prog_info *info = fz_buf(t, sizeof(*info) + 32, 8);
	union bpf_attr a;
	char save[sizeof(t->desc)];

	memcpy(save, t->desc, sizeof(save));
	memset(info, 0, sizeof(*info));
	fz_canary_set(info + 1, 32);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (uintptr_t)info;
	if (fz_bpf(t, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a))) {
		fz_fail(t, "OBJ_GET_INFO_BY_FD of a new program fails: %s", fz_errname(errno));
		return;
	}
	memcpy(t->desc, save, sizeof(save));
	if (info->type != type || info->xlated_prog_len != n * 8 || !info->id ||
	    strncmp(info->name, name, sizeof(info->name)))
		fz_fail(t, "a new program's info: type %u xlated %u id %u name %.16s; "
			"loaded type %u, %u insns, name %s", info->type,
			info->xlated_prog_len, info->id, info->name, type, n, name);
	if (!fz_canary_ok(info + 1, 32))
		fz_fail(t, "OBJ_GET_INFO_BY_FD wrote past info_len");
}

static const char *const fz_attach_tps[] = {
	"sys_enter", "sys_enter", "sys_exit", "sched_switch", "sched_switch",
	"sched_wakeup", "kmalloc", "kfree",
};

void fz_op_prog(struct fz_thread *t)
{
	struct bpf_insn *insns = fz_buf(t, MAX_INSNS * sizeof(struct bpf_insn) + 64, 8);
	union bpf_attr *a = (void *)t->attr_area;
	struct pb p = { .t = t, .in = insns };
	bool mutated_attr = fz_chance(t, 15), fast, clean;
	uint32_t n, log_size = 0, i;
	char *log = NULL, name[16];
	long fd;
	int err;

	/* a long program now and then, to the limit */
	if (fz_chance(t, 1) && fz_chance(t, 20)) {
		uint32_t big = fz_chance(t, 50) ? 1000000 : 1000001;
		struct bpf_insn *b = malloc((size_t)big * sizeof(*b));

		if (!b)
			return;
		for (i = 0; i < big - 1; i++)
			b[i] = MOV_IMM(BPF_REG_0, i);
		b[big - 1] = EXIT();
		memset(a, 0, fz_cfg.union_size);
		a->prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
		a->insns = (uintptr_t)b;
		a->insn_cnt = big;
		a->license = (uintptr_t)"GPL";
		fz_desc(t, "PROG_LOAD of %u instructions", big);
		fd = fz_bpf(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
		err = errno;
		free(b);
		if (big > 1000000 && (fd >= 0 || err != E2BIG))
			fz_fail(t, "a program of %u insns: want E2BIG, got %ld/%s", big, fd,
				fz_errname(err));
		if (fd >= 0)
			close(fd);
		return;
	}

	p.prog_type = fz_chance(t, 50) ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_SYSCALL;
	n = build_prog(&p);

	memset(a, 0, fz_cfg.union_size);
	a->prog_type = p.prog_type;
	if (fz_chance(t, 5))
		a->prog_type = fz_chance(t, 50) ? fz_below(t, 40) : (uint32_t)fz_rand(t);
	a->insns = (uintptr_t)insns;
	a->insn_cnt = n;
	a->license = (uintptr_t)FZ_PICK(t, fz_licenses);
	if (p.prog_type == BPF_PROG_TYPE_SYSCALL)
		a->prog_flags = BPF_F_SLEEPABLE;
	if (fz_chance(t, 5))
		a->prog_flags ^= 1U << fz_below(t, 8);
	clean = !mutated_attr && a->prog_type == p.prog_type &&
		a->prog_flags == (p.prog_type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0);
	snprintf(name, sizeof(name), "fz_%d_%u", t->id, (unsigned int)(t->ops % 10000));
	strcpy(a->prog_name, name);
	if (p.nfd_array) {
		int *fds = fz_buf(t, sizeof(p.fd_array), 4);

		memcpy(fds, p.fd_array, sizeof(p.fd_array));
		a->fd_array = (uintptr_t)fds;
	}
	if (fz_chance(t, 40)) {
		static const uint32_t sizes[] = { 0, 1, 64, 127, 128, 129, 256, 1024, 4096,
						  65536 };

		log_size = FZ_PICK(t, sizes);
		log = fz_buf(t, log_size + 64, 1);
		fz_canary_set(log, log_size + 64);
		a->log_level = fz_chance(t, 90) ? 1 + fz_below(t, 2) : fz_below(t, 32);
		a->log_buf = log_size || fz_chance(t, 20) ? (uintptr_t)log : 0;
		a->log_size = log_size;
		if (fz_chance(t, 5))
			a->log_buf = fz_bad_ptr(t, log_size);
		if (fz_cfg.known && fz_chance(t, 2))
			a->log_size = 0x3fffffff;	/* known: the module allocates it */
	}
	if (mutated_attr) {
		static const size_t offs[] = {
			offsetof(union bpf_attr, kern_version),
			offsetof(union bpf_attr, prog_ifindex),
			offsetof(union bpf_attr, expected_attach_type),
			offsetof(union bpf_attr, prog_btf_fd),
			offsetof(union bpf_attr, func_info_cnt),
			offsetof(union bpf_attr, line_info_cnt),
			offsetof(union bpf_attr, attach_btf_id),
			offsetof(union bpf_attr, attach_prog_fd),
			offsetof(union bpf_attr, insn_cnt),
			offsetof(union bpf_attr, license),
			offsetof(union bpf_attr, insns),
			offsetof(union bpf_attr, prog_name),
		};
		size_t off = FZ_PICK(t, offs);

		if (off == offsetof(union bpf_attr, insn_cnt))
			a->insn_cnt = fz_size_near(t, n);
		else if (off == offsetof(union bpf_attr, license))
			/* unreadable, or running into the guard page unterminated */
			a->license = fz_chance(t, 50) ? fz_bad_ptr(t, 4) :
				     (uintptr_t)memset(t->arena + FZ_ARENA_SIZE - 8, 'G', 8);
		else if (off == offsetof(union bpf_attr, insns))
			a->insns = fz_bad_ptr(t, n * 8);
		else if (off == offsetof(union bpf_attr, prog_name))
			fz_bytes(t, a->prog_name, sizeof(a->prog_name));
		else
			*(uint32_t *)((uint8_t *)a + off) = (uint32_t)fz_interesting(t);
		if (a->insn_cnt > n && a->insns == (uintptr_t)insns)
			a->insns = (uintptr_t)fz_straddle(t, (size_t)n * 8);
		p.pure = false;
	}
	fz_desc_attr(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
	fd = fz_bpf(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
	err = errno;
	if (log && a->log_buf == (uintptr_t)log && !fz_canary_ok(log + log_size, 64))
		fz_fail(t, "the verifier log was written past log_size %u", log_size);
	if (log && a->log_buf == (uintptr_t)log && log_size && a->log_level &&
	    !fz_canary_ok(log, 1) && !memchr(log, 0, log_size))
		fz_fail(t, "the verifier log is not NUL-terminated within %u bytes", log_size);
	if (fd < 0) {
		/* an untouched template program loads, unless its maps went away */
		if (clean && !log && p.pure && err != ENOMEM && err != EMFILE)
			fz_fail(t, "a valid program did not load: %s", fz_errname(err));
		return;
	}
	t->prog_loaded++;
	if (clean)
		check_prog_info(t, fd, a->prog_type, n, name);

	fast = test_runs(t, fd, &p);
	if (p.prog_type == BPF_PROG_TYPE_RAW_TRACEPOINT && fast && !p.loops &&
	    !fz_cfg.no_attach && fz_chance(t, 50)) {
		char *tp = fz_buf(t, 64, 1);
		long link;

		strcpy(tp, FZ_PICK(t, fz_attach_tps));
		/*
		 * Known: a fault is logged with printk from the tracepoint, and
		 * printk under the scheduler's locks is a lockdep report
		 * (rq->__lock -> console).  Faulting programs stay off sched_*.
		 */
		if (!strncmp(tp, "sched_", 6) && !(p.safe && clean) && !fz_cfg.known)
			strcpy(tp, "sys_enter");
		memset(a, 0, fz_cfg.union_size);
		a->raw_tracepoint.name = (uintptr_t)tp;
		a->raw_tracepoint.prog_fd = fd;
		fz_desc(t, "RAW_TRACEPOINT_OPEN %s of program fd %ld", tp, fd);
		link = fz_bpf(t, BPF_RAW_TRACEPOINT_OPEN, a, fz_cfg.union_size);
		if (link >= 0) {
			struct fz_obj o = { .fd = link, .kind = FZ_LINK,
					    .expires = t->ops + 1 + fz_below(t, 20) };

			t->prog_attached++;
			if (fz_chance(t, 20)) {
				usleep(fz_below(t, 3000));
				fz_desc(t, "close(%ld), a link at once", link);
				fz_count(t, FZ_CAT_CLOSE, close(link), errno);
			} else {
				fz_obj_put(t, &o);
			}
		} else if (errno != ENOENT && errno != ENOMEM) {
			fz_fail(t, "attaching a raw_tp program to %s: %s", tp, fz_errname(errno));
		}
	}
	if (fz_chance(t, 70)) {
		struct fz_obj o = { .fd = fd, .kind = FZ_PROG, .type = a->prog_type };

		fz_obj_put(t, &o);
	} else {
		fz_count(t, FZ_CAT_CLOSE, close(fd), errno);
	}
}
