// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the helpers (helpers.c), each called from a running program.
 * Programs are built by hand, as the loader leaves them: map references
 * are map handles (KBPF_MAP_HANDLE_BASE + index into the program's maps),
 * callbacks function handles (KBPF_FUNC_HANDLE_BASE + instruction), both
 * plain ld_imm64 constants; every program passes kbpf_check_prog().  They
 * run either through kbpf_prog_run(), as every program runs, or through
 * kbpf_interp() on the test's own run, which keeps the fault's
 * instruction and address.
 *
 * What each helper returns, what it does to the map (read back through
 * the bpf(2) element commands with kernel pointers), the ring buffer's
 * records (read back through the consumer's view of the ring) and perf
 * buffers' samples; and every kind of bad argument, each of which stops
 * the run with its fault and changes nothing.  Also from hard interrupts.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/filter.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/kbpf.h>
#include <linux/mman.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "prog.h"

#define T_CALL(ID)	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)
/* The handle of the program's map @I, and of the function at insn @PC. */
#define T_MAP(REG, I)	BPF_LD_IMM64(REG, KBPF_MAP_HANDLE_BASE + (I))
#define T_FUNC(REG, PC)	BPF_LD_IMM64(REG, KBPF_FUNC_HANDLE_BASE + (PC))

/* Virtual addresses of a run: frame 0's stack at R10 + @off, the context. */
#define STK(off)	KBPF_VADDR(0, KBPF_STACK_SIZE + (off))
#define CTX(off)	KBPF_VADDR(1, off)
/* The first region helpers hand out in a program without value regions. */
#define GRANT(n, off)	KBPF_VADDR(2 + (n), off)
#define H		KBPF_MAP_HANDLE_BASE
#define FH		KBPF_FUNC_HANDLE_BASE

/* What lookup_insns and others return for a miss. */
#define MISS		U64_MAX

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

/* --- programs and their runs */

struct henv {
	struct kbpf_prog prog;
	struct kbpf_run run;
	u8 stack[KBPF_MAX_FRAMES * KBPF_STACK_SIZE] __aligned(8);
	u32 left;	/* records hinterp() found reserved at the end */
	int cpu;	/* the CPU hinterp() ran on */
};

static void henv_release(void *data)
{
	struct henv *e = data;

	free_percpu(e->prog.stats);
	free_percpu(e->prog.active);
}

/*
 * A copy of @insns to patch before henv_new(), and the zeroed guard after
 * them, as prog.c allocates them.
 */
static struct bpf_insn *insns_dup(struct kunit *test, const struct bpf_insn *insns,
				  u32 len)
{
	struct bpf_insn *p = kunit_kcalloc(test, len + 1, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, insns, len * sizeof(*p));
	return p;
}

/* @insns as a loaded program (no maps yet), freed when the test ends. */
static struct henv *henv_new(struct kunit *test, const struct bpf_insn *insns,
			     u32 len)
{
	struct henv *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	struct kbpf_log log = {};

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, kbpf_check_prog(&log, insns, len), 0);
	e->prog.insns = insns_dup(test, insns, len);
	e->prog.len = len;
	kbpf_interp_prepare(&e->prog);
	e->prog.type = BPF_PROG_TYPE_SYSCALL;
	e->prog.gpl = true;
	refcount_set(&e->prog.refcnt, 1);
	strscpy(e->prog.name, "helpers_test", sizeof(e->prog.name));
	e->prog.stats = alloc_percpu(struct kbpf_prog_stats);
	e->prog.active = alloc_percpu(int);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, henv_release, e), 0);
	/* as truth values: sparse refuses __percpu pointers in comparisons */
	KUNIT_ASSERT_TRUE(test, e->prog.stats && e->prog.active);
	return e;
}

#define HPROG(test, ...) ({						\
	static const struct bpf_insn __insns[] = { __VA_ARGS__ };	\
	henv_new(test, __insns, ARRAY_SIZE(__insns));			\
})

/* The program's next map: its handle is H + the index returned. */
static u32 henv_map(struct henv *e, struct kbpf_map *map)
{
	e->prog.maps[e->prog.nr_maps] = map;
	return e->prog.nr_maps++;
}

static struct henv *henv_with(struct kunit *test, const struct bpf_insn *insns,
			      u32 len, struct kbpf_map *map)
{
	struct henv *e = henv_new(test, insns, len);

	henv_map(e, map);
	return e;
}

#define HENV(test, insns, map) ({					\
	typeof(insns) *__insns = &(insns);				\
	henv_with(test, *__insns, ARRAY_SIZE(*__insns), map);		\
})

/* As kbpf_prog_run() ends a run: discard what was left reserved. */
static u32 release_records(struct kbpf_run *run)
{
	u32 i, n = 0;

	for (i = 0; i < run->nr_regions; i++) {
		if (run->regions[i].kind != KBPF_REGION_RINGBUF_RECORD)
			continue;
		kbpf_ringbuf_discard(run->regions[i].base, 0);
		run->regions[i].kind = KBPF_REGION_FREE;
		n++;
	}
	return n;
}

/*
 * kbpf_interp() on the test's own run, in the context helpers expect (RCU,
 * no preemption): R0, with the fault's details left in e->run.
 */
static u64 hinterp(struct henv *e, void *ctx, u32 ctx_size, bool ctx_write)
{
	u64 r0;

	kbpf_run_init(&e->run, &e->prog, e->stack, ctx, ctx_size, ctx_write);
	preempt_disable();
	rcu_read_lock();
	e->cpu = smp_processor_id();
	r0 = kbpf_interp(&e->run, CTX(0));
	e->left = release_records(&e->run);
	rcu_read_unlock();
	preempt_enable();
	return r0;
}

/* Through kbpf_prog_run(): its error, R0 in *ret. */
static int hrun(struct henv *e, void *ctx, u32 ctx_size, bool ctx_write, u64 *ret)
{
	return kbpf_prog_run(&e->prog, ctx, ctx_size, ctx_write, ret);
}

static u64 hfaults(const struct henv *e)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(e->prog.stats, cpu)->faults;
	return n;
}

/* The run stopped at @insn with @err about @addr, R0 being 0. */
#define EXPECT_FAULT(test, e, r0, ERR, INSN, ADDR) do {			\
	struct kunit *__test = (test);					\
	const struct kbpf_run *__run = &(e)->run;			\
									\
	KUNIT_EXPECT_EQ(__test, __run->err, ERR);			\
	KUNIT_EXPECT_EQ(__test, __run->err_insn, INSN);			\
	KUNIT_EXPECT_EQ(__test, __run->err_addr, (u64)(ADDR));		\
	KUNIT_EXPECT_EQ(__test, r0, 0);					\
} while (0)

/* --- maps, and bpf(2)'s view of them */

static struct kbpf_map *new_map(struct kunit *test, u32 type, u32 key_size,
				u32 value_size, u32 max_entries, u32 flags)
{
	union bpf_attr attr = {
		.map_type = type, .key_size = key_size, .value_size = value_size,
		.max_entries = max_entries, .map_flags = flags,
	};
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

static int sys_lookup(struct kbpf_map *map, const void *key, void *value)
{
	union bpf_attr attr = {
		.key = (unsigned long)key, .value = (unsigned long)value,
	};

	return kbpf_map_lookup_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_update(struct kbpf_map *map, const void *key, const void *value,
		      u64 flags)
{
	union bpf_attr attr = {
		.key = (unsigned long)key, .value = (unsigned long)value,
		.flags = flags,
	};

	return kbpf_map_update_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_delete(struct kbpf_map *map, const void *key)
{
	union bpf_attr attr = { .key = (unsigned long)key };

	return kbpf_map_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

/* The u64 bpf(2) reads under the u32 @key; MISS on an error. */
static u64 sys_get(struct kbpf_map *map, u32 key)
{
	u64 v[2] = {};

	return sys_lookup(map, &key, v) ? MISS : v[0];
}

static void sys_set(struct kunit *test, struct kbpf_map *map, u32 key, u64 value)
{
	u64 v[2] = { value };

	KUNIT_ASSERT_EQ(test, sys_update(map, &key, v, BPF_ANY), 0);
}

/* Keys bpf(2)'s walk finds (at most 1000). */
static u32 sys_count(struct kbpf_map *map)
{
	u8 key[16], next[16];
	u32 n = 0;
	int err;

	for (err = map->ops->get_next_key(map, NULL, next); !err && n < 1000;
	     err = map->ops->get_next_key(map, key, next)) {
		memcpy(key, next, sizeof(key));
		n++;
	}
	return n;
}

/* --- the consumer's view of a RINGBUF, as ringbuf_test.c reads it */

struct view {
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	u8 *data;
	u32 size;
};

static struct kbpf_map *new_ringbuf(struct kunit *test, u32 size)
{
	return new_map(test, BPF_MAP_TYPE_RINGBUF, 0, 0, size, 0);
}

static struct view view_of(struct kbpf_map *map)
{
	u8 *area = kbpf_ringbuf_user_area(map);
	struct view v = {
		.consumer_pos = (unsigned long *)area,
		.producer_pos = (unsigned long *)(area + PAGE_SIZE),
		.data = area + 2 * PAGE_SIZE,
		.size = map->max_entries,
	};

	return v;
}

static u32 hdr_len(const struct view *v, unsigned long pos)
{
	/* Pairs with the producer's xchg() of the length. */
	return smp_load_acquire((u32 *)(v->data + (pos & (v->size - 1))));
}

/* The record's data (contiguous: the data pages are mapped twice). */
static u8 *rec_data(const struct view *v, unsigned long pos)
{
	return v->data + ((pos + BPF_RINGBUF_HDR_SZ) & (v->size - 1));
}

struct rec {
	unsigned long pos;
	u32 len;
};

/*
 * Consume as libbpf does: from consumer_pos, stop at the first busy
 * record, skip discarded ones.  The records delivered (at most @max).
 */
static int consume(const struct view *v, struct rec *recs, int max)
{
	/* libbpf's barriers: pairs with our own release of consumer_pos... */
	unsigned long cons = smp_load_acquire(v->consumer_pos);
	/* ...and with the producers' release of producer_pos */
	unsigned long prod = smp_load_acquire(v->producer_pos);
	int n = 0;

	while (cons != prod && n < max) {
		u32 len = hdr_len(v, cons);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			if (recs) {
				recs[n].pos = cons;
				recs[n].len = len;
			}
			n++;
		}
		cons += round_up((len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ, 8);
		/* As a consumer publishes it: after reading what it passed. */
		smp_store_release(v->consumer_pos, cons);
	}
	return n;
}

/* Records between the consumer and the producer still busy. */
static u32 busy_records(const struct view *v)
{
	/* Pairs with the consumer's release of consumer_pos... */
	unsigned long pos = smp_load_acquire(v->consumer_pos);
	/* ...and with the producers' release of producer_pos */
	unsigned long prod = smp_load_acquire(v->producer_pos);
	u32 n = 0, len;

	while (pos != prod) {
		len = hdr_len(v, pos);
		n += !!(len & BPF_RINGBUF_BUSY_BIT);
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		pos += round_up(len + BPF_RINGBUF_HDR_SZ, 8);
	}
	return n;
}

/* --- perf buffers, as perf_test.c makes and reads them */

#define RECORD(n)	(sizeof(struct perf_event_header) + round_up((n) + 4, 8))

static void buffer_put_action(void *buf)
{
	kbpf_perf_buffer_put(buf);
}

static void buffer_unmap_action(void *buf)
{
	kbpf_perf_buffer_unmap(buf);
}

/* A buffer for @cpu with one data page mapped, released when the test ends. */
static struct kbpf_perf_buffer *new_ring_on(struct kunit *test, u32 cpu)
{
	struct kbpf_perf_buffer_attr attr = {
		.size = sizeof(attr), .cpu = cpu, .wakeup_events = 1,
	};
	struct kbpf_perf_buffer *buf = kbpf_perf_buffer_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action, buf), 0);
	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_map(buf, 1, true), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_unmap_action, buf), 0);
	return buf;
}

static u64 data_head(struct kbpf_perf_buffer *buf)
{
	return READ_ONCE(kbpf_perf_buffer_user_page(buf)->data_head);
}

/* The PERF_RECORD_SAMPLE at @pos carries the @n bytes of @data. */
static void expect_sample(struct kunit *test, struct kbpf_perf_buffer *buf, u64 pos,
			  const u8 *data, u32 n)
{
	struct perf_event_header h;
	u8 body[64];
	u32 raw_size;

	KUNIT_ASSERT_LE(test, RECORD(n), sizeof(h) + sizeof(body));
	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_read(buf, pos, &h, sizeof(h)), 0);
	KUNIT_EXPECT_EQ(test, h.type, PERF_RECORD_SAMPLE);
	KUNIT_ASSERT_EQ(test, h.size, RECORD(n));
	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_read(buf, pos + sizeof(h), body,
						    h.size - sizeof(h)), 0);
	memcpy(&raw_size, body, sizeof(raw_size));
	KUNIT_EXPECT_EQ(test, raw_size, round_up(n + 4, 8) - 4);
	KUNIT_EXPECT_EQ(test, memcmp(body + 4, data, n), 0);
}

/* A PERF_EVENT_ARRAY of nr_cpu_ids + 1 slots, slot c a ring for online CPU c. */
static struct kbpf_map *new_perf_array(struct kunit *test,
				       struct kbpf_perf_buffer **bufs)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
				       nr_cpu_ids + 1, 0);
	u32 cpu;

	for_each_online_cpu(cpu) {
		bufs[cpu] = new_ring_on(test, cpu);
		KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, cpu, bufs[cpu]), 0);
	}
	return map;
}

/* --- map_lookup_elem, map_update_elem, map_delete_elem */

/* R0 = the first u64 of the value under the key at ctx + 0, or MISS. */
static const struct bpf_insn lookup_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 3 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 2),			/* 4 -> 7 */
	BPF_MOV64_IMM(BPF_REG_0, -1),				/* 5 */
	BPF_EXIT_INSN(),					/* 6 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0),		/* 7 */
	BPF_EXIT_INSN(),					/* 8 */
};

/* As lookup_insns (0 for a miss), then 0x55 into the value's bytes 8..15. */
static const struct bpf_insn lookup_rw_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 3 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),			/* 4 -> 8 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 0),		/* 5 */
	BPF_ST_MEM(BPF_DW, BPF_REG_0, 8, 0x55),			/* 6 */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_6),			/* 7 */
	BPF_EXIT_INSN(),					/* 8 */
};

/* map_update_elem(map 0, ctx + 0, ctx + 8, *(u64 *)(ctx + 16)) */
struct upd_ctx {
	u64 key, value, flags;
};

static const struct bpf_insn update_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	BPF_MOV64_REG(BPF_REG_3, BPF_REG_1),			/* 1 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, 8),			/* 2 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_1, 16),		/* 3 */
	T_MAP(BPF_REG_1, 0),					/* 4 */
	T_CALL(BPF_FUNC_map_update_elem),			/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
};

/* map_delete_elem(map 0, ctx + 0) */
static const struct bpf_insn delete_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_delete_elem),			/* 3 */
	BPF_EXIT_INSN(),					/* 4 */
};

/* Program-side calls that must not fault: their R0. */
static u64 prog_lookup(struct kunit *test, struct henv *e, u64 key)
{
	u64 r0 = hinterp(e, &key, sizeof(key), false);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

static long prog_update(struct kunit *test, struct henv *e, u64 key, u64 value,
			u64 flags)
{
	struct upd_ctx c = { key, value, flags };
	u64 r0 = hinterp(e, &c, sizeof(c), false);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

static long prog_delete(struct kunit *test, struct henv *e, u64 key)
{
	u64 r0 = hinterp(e, &key, sizeof(key), false);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

/*
 * A hit is a pointer to the value: the program reads it and writes it,
 * bpf(2) sees the write; a miss is 0.  Either way the run goes on.
 */
static void map_lookup_hit_is_the_value_for_the_program_to_read_and_write(struct kunit *test)
{
	static const u32 types[] = {
		BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH,
	};
	u64 key, v[2], ret;
	u32 i, k = 1;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct kbpf_map *map = new_map(test, types[i], 4, 16, 4, 0);
		struct henv *e = HENV(test, lookup_rw_insns, map);

		v[0] = 0x1234;
		v[1] = 0;
		KUNIT_ASSERT_EQ(test, sys_update(map, &k, v, BPF_ANY), 0);
		key = 1;
		KUNIT_EXPECT_EQ(test, hinterp(e, &key, sizeof(key), false), 0x1234);
		KUNIT_EXPECT_EQ(test, e->run.err, 0);
		/* the value became the run's region 2, writable, value_size bytes */
		KUNIT_EXPECT_EQ(test, e->run.nr_regions, 3);
		KUNIT_EXPECT_EQ(test, e->run.regions[2].kind, KBPF_REGION_MAP_VALUE);
		KUNIT_EXPECT_EQ(test, e->run.regions[2].size, 16);
		KUNIT_EXPECT_TRUE(test, e->run.regions[2].write);
		KUNIT_ASSERT_EQ(test, sys_lookup(map, &k, v), 0);
		KUNIT_EXPECT_EQ(test, v[0], 0x1234);
		KUNIT_EXPECT_EQ(test, v[1], 0x55);

		/* beyond an array's end, or absent from a hash: 0, no region */
		key = 4;
		KUNIT_EXPECT_EQ(test, hinterp(e, &key, sizeof(key), false), 0);
		KUNIT_EXPECT_EQ(test, e->run.err, 0);
		KUNIT_EXPECT_EQ(test, e->run.nr_regions, 2);

		/* and the same through kbpf_prog_run() */
		key = 1;
		KUNIT_EXPECT_EQ(test, hrun(e, &key, sizeof(key), false, &ret), 0);
		KUNIT_EXPECT_EQ(test, ret, 0x1234);
		KUNIT_EXPECT_EQ(test, hfaults(e), 0);
	}
}

/* Look the key at ctx up; load its last 8 bytes, then 8 bytes 4 past the end. */
static const struct bpf_insn lookup_load_past_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 3 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),			/* 4 -> 7 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 8),		/* 5 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 12),		/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
};

/* Store the value's last byte, then the one past it. */
static const struct bpf_insn lookup_store_past_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 3 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),			/* 4 -> 7 */
	BPF_ST_MEM(BPF_B, BPF_REG_0, 15, 0x77),			/* 5 */
	BPF_ST_MEM(BPF_B, BPF_REG_0, 16, 0x77),			/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
};

static void map_lookup_value_ends_at_value_size(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_HASH, 4, 16, 4, 0);
	struct henv *load = HENV(test, lookup_load_past_insns, map);
	struct henv *store = HENV(test, lookup_store_past_insns, map);
	u64 key = 2, v[2] = { 1, 2 }, r0;
	u32 k = 2;

	KUNIT_ASSERT_EQ(test, sys_update(map, &k, v, BPF_ANY), 0);
	r0 = hinterp(load, &key, sizeof(key), false);
	EXPECT_FAULT(test, load, r0, -EFAULT, 6, GRANT(0, 12));

	r0 = hinterp(store, &key, sizeof(key), false);
	EXPECT_FAULT(test, store, r0, -EFAULT, 6, GRANT(0, 16));
	/* the store before the fault happened; nothing else changed */
	KUNIT_ASSERT_EQ(test, sys_lookup(map, &k, v), 0);
	KUNIT_EXPECT_EQ(test, v[0], 1);
	KUNIT_EXPECT_EQ(test, v[1], 0x7700000000000002ULL);
	KUNIT_EXPECT_EQ(test, sys_count(map), 1);
}

/* R0 = the value's first u64; then 0x99 stored over it. */
static const struct bpf_insn lookup_then_store_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 3 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),			/* 4 -> 8 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 0),		/* 5 */
	BPF_ST_MEM(BPF_DW, BPF_REG_0, 0, 0x99),			/* 6 */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_6),			/* 7 */
	BPF_EXIT_INSN(),					/* 8 */
};

/* A BPF_F_RDONLY_PROG map's values are read-only regions: the store faults. */
static void map_lookup_of_rdonly_prog_map_is_read_only(struct kunit *test)
{
	struct kbpf_map *ro = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_RDONLY_PROG);
	struct kbpf_map *rw = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);
	struct henv *e = HENV(test, lookup_then_store_insns, ro);
	struct henv *f = HENV(test, lookup_then_store_insns, rw);
	u64 key = 1, r0, ret;

	sys_set(test, ro, 1, 42);
	sys_set(test, rw, 1, 42);
	r0 = hinterp(e, &key, sizeof(key), false);
	EXPECT_FAULT(test, e, r0, -EFAULT, 6, GRANT(0, 0));
	KUNIT_EXPECT_FALSE(test, e->run.regions[2].write);
	KUNIT_EXPECT_EQ(test, sys_get(ro, 1), 42);
	KUNIT_EXPECT_EQ(test, hrun(e, &key, sizeof(key), false, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, hfaults(e), 1);
	KUNIT_EXPECT_EQ(test, sys_get(ro, 1), 42);

	/* the same program on a plain array */
	KUNIT_EXPECT_EQ(test, hinterp(f, &key, sizeof(key), false), 42);
	KUNIT_EXPECT_EQ(test, f->run.err, 0);
	KUNIT_EXPECT_EQ(test, sys_get(rw, 1), 0x99);
}

/* Nor can programs update or delete there, push or pop: EACCES, unchanged. */
static void rdonly_prog_map_refuses_program_writes(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_RDONLY_PROG);
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 2, BPF_F_RDONLY_PROG);
	struct henv *upd_a = HENV(test, update_insns, a);
	struct henv *del_a = HENV(test, delete_insns, a);
	struct henv *upd_h = HENV(test, update_insns, h);
	struct henv *del_h = HENV(test, delete_insns, h);
	struct henv *look_h = HENV(test, lookup_insns, h);
	struct upd_ctx c = { 1, 7, BPF_ANY };
	u64 key = 1, r0;

	sys_set(test, a, 1, 42);
	sys_set(test, h, 1, 42);
	r0 = hinterp(upd_a, &c, sizeof(c), false);
	EXPECT_FAULT(test, upd_a, r0, -EACCES, 6, H);
	r0 = hinterp(del_a, &key, sizeof(key), false);
	EXPECT_FAULT(test, del_a, r0, -EACCES, 3, H);
	c.key = 2;
	r0 = hinterp(upd_h, &c, sizeof(c), false);
	EXPECT_FAULT(test, upd_h, r0, -EACCES, 6, H);
	r0 = hinterp(del_h, &key, sizeof(key), false);
	EXPECT_FAULT(test, del_h, r0, -EACCES, 3, H);
	KUNIT_EXPECT_EQ(test, sys_get(a, 1), 42);
	KUNIT_EXPECT_EQ(test, sys_get(h, 1), 42);
	KUNIT_EXPECT_EQ(test, sys_count(h), 1);
	/* reading is fine */
	KUNIT_EXPECT_EQ(test, prog_lookup(test, look_h, 1), 42);
}

/*
 * BPF_F_WRONLY_PROG: regions have no read permission, so kbpf refuses the
 * lookup itself (EACCES); the kernel would take the lookup and refuse
 * loads from the value.  Updates go through.
 */
static void wronly_prog_map_refuses_program_lookups(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 2, BPF_F_WRONLY_PROG);
	struct henv *look = HENV(test, lookup_insns, a);
	struct henv *upd = HENV(test, update_insns, a);
	u64 key = 1, r0;

	r0 = hinterp(look, &key, sizeof(key), false);
	EXPECT_FAULT(test, look, r0, -EACCES, 3, H);
	KUNIT_EXPECT_EQ(test, look->run.nr_regions, 2);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 5, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, sys_get(a, 1), 5);
}

/* A hash's update flags and errors as the map returns them; bpf(2) agrees. */
static void map_update_and_delete_on_a_hash_return_its_errors(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 2, 0);
	struct henv *upd = HENV(test, update_insns, map);
	struct henv *del = HENV(test, delete_insns, map);
	struct henv *look = HENV(test, lookup_insns, map);

	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 10, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 11, BPF_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 2, 20, BPF_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 2, 20, BPF_EXIST | BPF_NOEXIST),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 2, 20, BPF_NOEXIST), 0);
	/* full: a new key is E2BIG, an existing one still updates */
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 3, 30, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 12, BPF_EXIST), 0);
	KUNIT_EXPECT_EQ(test, sys_get(map, 1), 12);
	KUNIT_EXPECT_EQ(test, sys_get(map, 2), 20);
	KUNIT_EXPECT_EQ(test, sys_get(map, 3), MISS);

	KUNIT_EXPECT_EQ(test, prog_delete(test, del, 2), 0);
	KUNIT_EXPECT_EQ(test, prog_delete(test, del, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, sys_get(map, 2), MISS);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 3, 30, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_lookup(test, look, 3), 30);
	KUNIT_EXPECT_EQ(test, prog_lookup(test, look, 2), MISS);
	KUNIT_EXPECT_EQ(test, sys_count(map), 2);
}

/* An array's: every key exists, none can be added or deleted. */
static void map_update_and_delete_on_an_array_return_its_errors(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);
	struct henv *upd = HENV(test, update_insns, map);
	struct henv *del = HENV(test, delete_insns, map);

	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 2, 5, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 0, 5, BPF_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 0, 5, BPF_EXIST | BPF_NOEXIST),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 7, BPF_EXIST), 0);
	KUNIT_EXPECT_EQ(test, prog_delete(test, del, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_get(map, 0), 0);
	KUNIT_EXPECT_EQ(test, sys_get(map, 1), 7);
}

/* A full LRU hash evicts for the new key instead of refusing it. */
static void map_update_on_a_full_lru_hash_evicts(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_LRU_HASH, 4, 8, 2, 0);
	struct henv *upd = HENV(test, update_insns, map);

	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 10, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 2, 20, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 3, 30, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, sys_get(map, 3), 30);
	KUNIT_EXPECT_EQ(test, sys_count(map), 2);
}

/* A per-cpu array update from a program writes the running CPU's slot only. */
static void map_update_on_a_percpu_array_writes_this_cpus_slot(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, 0);
	struct henv *upd = HENV(test, update_insns, map);
	u64 *v = kunit_kcalloc(test, num_possible_cpus(), sizeof(*v), GFP_KERNEL);
	u32 key = 1, i = 0;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_EQ(test, prog_update(test, upd, 1, 77, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, sys_lookup(map, &key, v), 0);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, v[i++], cpu == upd->cpu ? 77 : 0);
}

/*
 * Each lookup's value is a region; past the region table the oldest
 * are recycled, so a run may look up any number of values.
 */
static const struct bpf_insn lookup_loop_insns[] = {
	BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_1, 0),		/* 0: n */
	BPF_MOV64_IMM(BPF_REG_6, 0),				/* 1 */
	BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_6, -4),		/* 2: key */
	T_MAP(BPF_REG_1, 0),					/* 3 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),			/* 5 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),			/* 6 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 7 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 5),			/* 8 -> 14 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 9 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1000),		/* 10 */
	BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),		/* 11 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_6, 1),			/* 12 */
	BPF_JMP_REG(BPF_JLT, BPF_REG_6, BPF_REG_7, -12),	/* 13 -> 2 */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_6),			/* 14 */
	BPF_EXIT_INSN(),					/* 15 */
};

static void map_lookups_past_the_region_table_recycle_old_values(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 300, 0);
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 300, 0);
	struct henv *ea = HENV(test, lookup_loop_insns, a);
	struct henv *eh = HENV(test, lookup_loop_insns, h);
	u64 n = 300;
	u32 k;

	for (k = 0; k < 300; k++)
		sys_set(test, h, k, 0);
	KUNIT_EXPECT_EQ(test, hinterp(ea, &n, sizeof(n), false), 300);
	KUNIT_EXPECT_EQ(test, ea->run.err, 0);
	KUNIT_EXPECT_EQ(test, ea->run.nr_regions, KBPF_MAX_REGIONS);
	KUNIT_EXPECT_EQ(test, hinterp(eh, &n, sizeof(n), false), 300);
	KUNIT_EXPECT_EQ(test, eh->run.err, 0);
	for (k = 0; k < 300; k++) {
		KUNIT_EXPECT_EQ(test, sys_get(a, k), k + 1000);
		KUNIT_EXPECT_EQ(test, sys_get(h, k), k + 1000);
	}
}

/* --- map_push_elem, map_pop_elem, map_peek_elem */

/* map_push_elem(map 0, ctx + 0, *(u64 *)(ctx + 8)) */
static const struct bpf_insn push_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_1, 8),		/* 1 */
	T_MAP(BPF_REG_1, 0),					/* 2 */
	T_CALL(BPF_FUNC_map_push_elem),				/* 4 */
	BPF_EXIT_INSN(),					/* 5 */
};

/* map_pop_elem(map 0, ctx + 0), and map_peek_elem() */
static const struct bpf_insn pop_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_pop_elem),				/* 3 */
	BPF_EXIT_INSN(),					/* 4 */
};

static const struct bpf_insn peek_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	T_CALL(BPF_FUNC_map_peek_elem),				/* 3 */
	BPF_EXIT_INSN(),					/* 4 */
};

static long prog_push(struct kunit *test, struct henv *e, u64 value, u64 flags)
{
	u64 c[2] = { value, flags };
	u64 r0 = hinterp(e, c, sizeof(c), false);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

/* pop or peek into a u64 the program may write; *value is what it holds after. */
static long prog_get(struct kunit *test, struct henv *e, u64 *value)
{
	u64 r0;

	*value = U64_MAX;
	r0 = hinterp(e, value, sizeof(*value), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

static void map_push_pop_peek_on_a_queue(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_QUEUE, 0, 8, 2, 0);
	struct henv *push = HENV(test, push_insns, map);
	struct henv *pop = HENV(test, pop_insns, map);
	struct henv *peek = HENV(test, peek_insns, map);
	u64 v;

	KUNIT_EXPECT_EQ(test, prog_push(test, push, 1, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_push(test, push, 2, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_push(test, push, 3, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_push(test, push, 3, BPF_NOEXIST), -EINVAL);
	/* BPF_EXIST makes room by dropping the oldest */
	KUNIT_EXPECT_EQ(test, prog_push(test, push, 3, BPF_EXIST), 0);
	/* bpf(2)'s lookup is a peek too */
	KUNIT_EXPECT_EQ(test, sys_lookup(map, NULL, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2);

	KUNIT_EXPECT_EQ(test, prog_get(test, peek, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2);
	KUNIT_EXPECT_EQ(test, prog_get(test, peek, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2);
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2);
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3);
	/* empty: ENOENT, and the value zeroed */
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_EQ(test, prog_get(test, peek, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, v, 0);
}

static void map_push_pop_peek_on_a_stack(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_STACK, 0, 8, 2, 0);
	struct henv *push = HENV(test, push_insns, map);
	struct henv *pop = HENV(test, pop_insns, map);
	struct henv *peek = HENV(test, peek_insns, map);
	u64 v = 9;

	KUNIT_EXPECT_EQ(test, prog_push(test, push, 1, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, sys_update(map, NULL, &v, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, prog_push(test, push, 3, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_get(test, peek, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 9);
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 9);
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_EXPECT_EQ(test, prog_get(test, pop, &v), -ENOENT);
}

/* BPF_F_RDONLY_PROG: push and pop write the map (EACCES), peek reads it. */
static void map_push_and_pop_on_an_rdonly_prog_queue_fault(struct kunit *test)
{
	struct kbpf_map *map = new_map(test, BPF_MAP_TYPE_QUEUE, 0, 8, 2, BPF_F_RDONLY_PROG);
	struct henv *push = HENV(test, push_insns, map);
	struct henv *pop = HENV(test, pop_insns, map);
	struct henv *peek = HENV(test, peek_insns, map);
	u64 c[2] = { 5, BPF_ANY }, v = 4, r0;

	KUNIT_ASSERT_EQ(test, sys_update(map, NULL, &v, BPF_ANY), 0);
	r0 = hinterp(push, c, sizeof(c), false);
	EXPECT_FAULT(test, push, r0, -EACCES, 4, H);
	r0 = hinterp(pop, &v, sizeof(v), true);
	EXPECT_FAULT(test, pop, r0, -EACCES, 3, H);
	KUNIT_EXPECT_EQ(test, v, 4);
	KUNIT_EXPECT_EQ(test, prog_get(test, peek, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 4);
	/* unchanged: 4 alone */
	v = 0;
	KUNIT_EXPECT_EQ(test, map->ops->pop(map, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 4);
	KUNIT_EXPECT_EQ(test, map->ops->pop(map, &v), -ENOENT);
}

/* --- map_lookup_percpu_elem */

/* R0 = the u64 under the key at ctx + 0 on CPU ctx[1], which grows by 1000; or MISS. */
static const struct bpf_insn lookup_percpu_insns[] = {
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 0 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_1, 8),		/* 1 */
	T_MAP(BPF_REG_1, 0),					/* 2 */
	T_CALL(BPF_FUNC_map_lookup_percpu_elem),		/* 4 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 2),			/* 5 -> 8 */
	BPF_MOV64_IMM(BPF_REG_0, -1),				/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),		/* 8 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_1),			/* 9 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, 1000),		/* 10 */
	BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_2, 0),		/* 11 */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_1),			/* 12 */
	BPF_EXIT_INSN(),					/* 13 */
};

static u64 prog_lookup_percpu(struct kunit *test, struct henv *e, u64 key, u64 cpu)
{
	u64 c[2] = { key, cpu };
	u64 r0 = hinterp(e, c, sizeof(c), false);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	return r0;
}

/*
 * The cpu argument picks the slot, read and written through the pointer;
 * a CPU past nr_cpu_ids is a miss.  It is a u32, as the kernel's helper
 * takes it: the upper half is ignored.
 */
static void map_lookup_percpu_elem_takes_the_cpus_slot(struct kunit *test)
{
	static const u32 types[] = {
		BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
		BPF_MAP_TYPE_LRU_PERCPU_HASH,
	};
	u32 n = num_possible_cpus(), i, j, key = 1;
	u64 *v = kunit_kcalloc(test, n, sizeof(*v), GFP_KERNEL);
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, v);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct kbpf_map *map = new_map(test, types[i], 4, 8, 4, 0);
		struct henv *e = HENV(test, lookup_percpu_insns, map);

		j = 0;
		for_each_possible_cpu(cpu)
			v[j++] = cpu * 100 + 1;
		KUNIT_ASSERT_EQ(test, sys_update(map, &key, v, BPF_ANY), 0);
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_EQ(test, prog_lookup_percpu(test, e, 1, cpu), cpu * 100 + 1);
		KUNIT_EXPECT_EQ(test, prog_lookup_percpu(test, e, 1, nr_cpu_ids), MISS);
		KUNIT_EXPECT_EQ(test, prog_lookup_percpu(test, e, 1, U32_MAX), MISS);
		KUNIT_EXPECT_EQ(test, prog_lookup_percpu(test, e, 4, 0), MISS);
		KUNIT_EXPECT_EQ(test, prog_lookup_percpu(test, e, 1, BIT_ULL(32)), 1001);
		KUNIT_ASSERT_EQ(test, sys_lookup(map, &key, v), 0);
		j = 0;
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_EQ(test, v[j++], cpu * 100 + 1 + (cpu ? 1000 : 2000));
	}
}

static struct kunit_case kbpf_helpers_map_cases[] = {
	KUNIT_CASE(map_lookup_hit_is_the_value_for_the_program_to_read_and_write),
	KUNIT_CASE(map_lookup_value_ends_at_value_size),
	KUNIT_CASE(map_lookup_of_rdonly_prog_map_is_read_only),
	KUNIT_CASE(rdonly_prog_map_refuses_program_writes),
	KUNIT_CASE(wronly_prog_map_refuses_program_lookups),
	KUNIT_CASE(map_update_and_delete_on_a_hash_return_its_errors),
	KUNIT_CASE(map_update_and_delete_on_an_array_return_its_errors),
	KUNIT_CASE(map_update_on_a_full_lru_hash_evicts),
	KUNIT_CASE(map_update_on_a_percpu_array_writes_this_cpus_slot),
	KUNIT_CASE(map_lookups_past_the_region_table_recycle_old_values),
	KUNIT_CASE(map_push_pop_peek_on_a_queue),
	KUNIT_CASE(map_push_pop_peek_on_a_stack),
	KUNIT_CASE(map_push_and_pop_on_an_rdonly_prog_queue_fault),
	KUNIT_CASE(map_lookup_percpu_elem_takes_the_cpus_slot),
	{}
};

static struct kunit_suite kbpf_helpers_map_suite = {
	.name = "kbpf_helpers_maps",
	.test_cases = kbpf_helpers_map_cases,
};

/* --- for_each_map_elem */

/*
 * for_each_map_elem(map 0, ctx->func, ctx, ctx->flags), its count into
 * ctx->ret.  The callback adds each value's first u64 into ctx->sum,
 * counts its calls, and returns 1 at key ctx->stop (0 otherwise).
 */
struct fe_ctx {
	u64 sum, stop, ret, func, flags, calls;
};

#define FE_CB	9

static const struct bpf_insn for_each_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 24),		/* 3 */
	BPF_MOV64_REG(BPF_REG_3, BPF_REG_6),			/* 4 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_6, 32),		/* 5 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 6 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 16),		/* 7 */
	BPF_EXIT_INSN(),					/* 8 */
	/* FE_CB: cb(map, key, value, ctx) */
	BPF_LDX_MEM(BPF_DW, BPF_REG_5, BPF_REG_3, 0),		/* 9 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_4, BPF_REG_5, 0),	/* 10 */
	BPF_MOV64_IMM(BPF_REG_5, 1),				/* 11 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_4, BPF_REG_5, 40),	/* 12 */
	BPF_LDX_MEM(BPF_W, BPF_REG_5, BPF_REG_2, 0),		/* 13 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_4, 8),		/* 14 */
	BPF_JMP_REG(BPF_JEQ, BPF_REG_5, BPF_REG_0, 2),		/* 15 -> 18 */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 16 */
	BPF_EXIT_INSN(),					/* 17 */
	BPF_MOV64_IMM(BPF_REG_0, 1),				/* 18 */
	BPF_EXIT_INSN(),					/* 19 */
};

static struct fe_ctx fe_run(struct kunit *test, struct henv *e, u64 stop)
{
	struct fe_ctx c = { .stop = stop, .func = FH + FE_CB, .ret = 99 };
	u64 r0 = hinterp(e, &c, sizeof(c), true);

	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, r0, c.ret);
	/* the callbacks' regions are gone with them */
	KUNIT_EXPECT_EQ(test, e->run.nr_regions, 2);
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	return c;
}

/* Every element, the count returned; stop on the callback's 1, counted too. */
static void foreach_visits_each_element_and_stops_on_1(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 8, 0);
	struct henv *ea = HENV(test, for_each_insns, a);
	struct henv *eh = HENV(test, for_each_insns, h);
	struct fe_ctx c;
	u32 k;

	for (k = 0; k < 5; k++)
		sys_set(test, a, k, k * 10 + 1);
	c = fe_run(test, ea, 99);
	KUNIT_EXPECT_EQ(test, c.ret, 5);
	KUNIT_EXPECT_EQ(test, c.calls, 5);
	KUNIT_EXPECT_EQ(test, c.sum, 105);
	c = fe_run(test, ea, 2);
	KUNIT_EXPECT_EQ(test, c.ret, 3);
	KUNIT_EXPECT_EQ(test, c.calls, 3);
	KUNIT_EXPECT_EQ(test, c.sum, 33);
	c = fe_run(test, ea, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 1);

	sys_set(test, h, 3, 300);
	sys_set(test, h, 7, 700);
	sys_set(test, h, 9, 900);
	c = fe_run(test, eh, 99);
	KUNIT_EXPECT_EQ(test, c.ret, 3);
	KUNIT_EXPECT_EQ(test, c.calls, 3);
	KUNIT_EXPECT_EQ(test, c.sum, 1900);
	c = fe_run(test, eh, 7);
	KUNIT_EXPECT_EQ(test, c.ret, c.calls);
	KUNIT_EXPECT_GE(test, c.ret, 1);
	KUNIT_EXPECT_LE(test, c.ret, 3);

	/* an empty hash: no call, 0 */
	for (k = 3; k <= 9; k += 2)
		sys_delete(h, &k);
	c = fe_run(test, eh, 99);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_EXPECT_EQ(test, c.calls, 0);
}

/* Flags are the map's business (EINVAL, no call); a bad callback faults. */
static void foreach_refuses_flags_and_bad_callbacks(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	struct henv *e = HENV(test, for_each_insns, a);
	struct fe_ctx c = { .stop = 99, .func = FH + FE_CB, .flags = 1 };
	u64 r0;

	KUNIT_EXPECT_EQ(test, (s64)hinterp(e, &c, sizeof(c), true), -EINVAL);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, (s64)c.ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, c.calls, 0);

	/* not a function handle; past the program */
	c = (struct fe_ctx) { .stop = 99, .func = FE_CB };
	r0 = hinterp(e, &c, sizeof(c), true);
	EXPECT_FAULT(test, e, r0, -EINVAL, 6, FE_CB);
	c.func = FH + ARRAY_SIZE(for_each_insns);
	r0 = hinterp(e, &c, sizeof(c), true);
	EXPECT_FAULT(test, e, r0, -EINVAL, 6, FH + ARRAY_SIZE(for_each_insns));
	KUNIT_EXPECT_EQ(test, c.calls, 0);
}

/* A map of more elements than the region table holds: each call's regions go. */
static void foreach_walks_maps_larger_than_the_region_table(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 1000, 0);
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 300, 0);
	struct henv *ea = HENV(test, for_each_insns, a);
	struct henv *eh = HENV(test, for_each_insns, h);
	struct fe_ctx c;
	u32 k;

	KUNIT_ASSERT_GT(test, 1000, KBPF_MAX_REGIONS);
	for (k = 0; k < 1000; k++)
		sys_set(test, a, k, k);
	for (k = 0; k < 300; k++)
		sys_set(test, h, k, k);
	c = fe_run(test, ea, U64_MAX);
	KUNIT_EXPECT_EQ(test, c.ret, 1000);
	KUNIT_EXPECT_EQ(test, c.sum, 999 * 1000 / 2);
	c = fe_run(test, eh, U64_MAX);
	KUNIT_EXPECT_EQ(test, c.ret, 300);
	KUNIT_EXPECT_EQ(test, c.sum, 299 * 300 / 2);
}

/* 126 lookups fill the region table, then for_each walks 200 elements. */
static const struct bpf_insn lookups_then_for_each_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_MOV64_IMM(BPF_REG_7, 0),				/* 1 */
	BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_7, -4),		/* 2 */
	T_MAP(BPF_REG_1, 0),					/* 3 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),			/* 5 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),			/* 6 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 7 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 9),			/* 8 -> 18 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1),			/* 9 */
	BPF_JMP_IMM(BPF_JLT, BPF_REG_7, KBPF_MAX_REGIONS - 2, -9),	/* 10 -> 2 */
	T_MAP(BPF_REG_1, 0),					/* 11 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 24),		/* 13 */
	BPF_MOV64_REG(BPF_REG_3, BPF_REG_6),			/* 14 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_6, 32),		/* 15 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 16 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 16),		/* 17 */
	BPF_EXIT_INSN(),					/* 18 */
	/* 19: the callback of for_each_insns */
	BPF_LDX_MEM(BPF_DW, BPF_REG_5, BPF_REG_3, 0),		/* 19 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_4, BPF_REG_5, 0),	/* 20 */
	BPF_MOV64_IMM(BPF_REG_5, 1),				/* 21 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_4, BPF_REG_5, 40),	/* 22 */
	BPF_LDX_MEM(BPF_W, BPF_REG_5, BPF_REG_2, 0),		/* 23 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_4, 8),		/* 24 */
	BPF_JMP_REG(BPF_JEQ, BPF_REG_5, BPF_REG_0, 2),		/* 25 -> 28 */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 26 */
	BPF_EXIT_INSN(),					/* 27 */
	BPF_MOV64_IMM(BPF_REG_0, 1),				/* 28 */
	BPF_EXIT_INSN(),					/* 29 */
};

/* With the region table full, the callbacks' key and value recycle old regions. */
static void foreach_works_with_the_region_table_full(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 200, 0);
	struct henv *e = HENV(test, lookups_then_for_each_insns, a);
	struct fe_ctx c = { .stop = U64_MAX, .func = FH + 19 };
	u32 k;

	for (k = 0; k < 200; k++)
		sys_set(test, a, k, 1);
	KUNIT_EXPECT_EQ(test, hinterp(e, &c, sizeof(c), true), 200);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->run.nr_regions, KBPF_MAX_REGIONS);
	KUNIT_EXPECT_EQ(test, c.ret, 200);
	KUNIT_EXPECT_EQ(test, c.calls, 200);
	KUNIT_EXPECT_EQ(test, c.sum, 200);
}

/*
 * 150 lookups fill the region table, then for_each(map 0, the callback at
 * 20, ctx, 0), whose callback stores its key pointer in ctx[0] and stops
 * the walk; then a load through that pointer.
 */
static const struct bpf_insn foreach_key_escapes_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_MOV64_IMM(BPF_REG_7, 0),				/* 1 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -8),		/* 2: loop */
	T_MAP(BPF_REG_1, 0),					/* 3 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),			/* 5 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),			/* 6 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 7 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1),			/* 8 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_7, 150, -8),		/* 9 -> 2 */
	T_MAP(BPF_REG_1, 0),					/* 10 */
	T_FUNC(BPF_REG_2, 20),					/* 12 */
	BPF_MOV64_REG(BPF_REG_3, BPF_REG_6),			/* 14 */
	BPF_MOV64_IMM(BPF_REG_4, 0),				/* 15 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 16 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 0),		/* 17 */
	BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1, 0),		/* 18 */
	BPF_EXIT_INSN(),					/* 19 */
	BPF_STX_MEM(BPF_DW, BPF_REG_4, BPF_REG_2, 0),		/* 20: ctx[0] = key */
	BPF_MOV64_IMM(BPF_REG_0, 1),				/* 21 */
	BPF_EXIT_INSN(),					/* 22 */
};

/*
 * An array's walk hands the callback a key in its own frame: with the
 * table full, the key's region takes a recycled slot below the call's
 * regions, and must still go when the call returns, or the program would
 * read the walk's dead frame through it (fuzz_repro foreach-key).
 */
static void foreach_key_is_gone_after_the_call_with_the_table_full(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 200, 0);
	struct henv *e = HENV(test, foreach_key_escapes_insns, a);
	u64 c[2] = {}, r0;

	r0 = hinterp(e, c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, KBPF_VADDR_OFF(c[0]), 0);
	KUNIT_EXPECT_LT(test, KBPF_VADDR_REGION(c[0]), KBPF_MAX_REGIONS);
	EXPECT_FAULT(test, e, r0, -EFAULT, 18, c[0]);
}

/*
 * The same with a free table, the callback leaving a record reserved
 * above its key and value: the key's region goes all the same.
 */
static void foreach_key_is_gone_after_a_call_that_left_a_record(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);
	struct henv *e = HPROG(test,
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
		T_MAP(BPF_REG_1, 0),					/* 1 */
		T_FUNC(BPF_REG_2, 11),					/* 3 */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_6),			/* 5 */
		BPF_MOV64_IMM(BPF_REG_4, 0),				/* 6 */
		T_CALL(BPF_FUNC_for_each_map_elem),			/* 7 */
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 0),		/* 8 */
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1, 0),		/* 9 */
		BPF_EXIT_INSN(),					/* 10 */
		BPF_STX_MEM(BPF_DW, BPF_REG_4, BPF_REG_2, 0),		/* 11: ctx[0] = key */
		T_MAP(BPF_REG_1, 1),					/* 12 */
		BPF_MOV64_IMM(BPF_REG_2, 8),				/* 14 */
		BPF_MOV64_IMM(BPF_REG_3, 0),				/* 15 */
		T_CALL(BPF_FUNC_ringbuf_reserve),			/* 16: kept */
		BPF_MOV64_IMM(BPF_REG_0, 1),				/* 17 */
		BPF_EXIT_INSN());					/* 18 */
	u64 c[2] = {}, r0;

	henv_map(e, a);
	henv_map(e, new_ringbuf(test, PAGE_SIZE));
	r0 = hinterp(e, c, sizeof(c), true);
	/* key, value, record: regions 2, 3, 4 */
	KUNIT_EXPECT_EQ(test, c[0], GRANT(0, 0));
	EXPECT_FAULT(test, e, r0, -EFAULT, 9, GRANT(0, 0));
	KUNIT_EXPECT_EQ(test, e->left, 1);
}

/* for_each(map 0, the callback at 8, ctx 0, flags 0); R0 its count.  The callbacks: */
static const struct bpf_insn for_each_store_key_insns[] = {
	T_MAP(BPF_REG_1, 0),					/* 0 */
	T_FUNC(BPF_REG_2, 8),					/* 2 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 4 */
	BPF_MOV64_IMM(BPF_REG_4, 0),				/* 5 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
	BPF_ST_MEM(BPF_W, BPF_REG_2, 0, 42),			/* 8: the key */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 9 */
	BPF_EXIT_INSN(),					/* 10 */
};

static const struct bpf_insn for_each_add_value_insns[] = {
	T_MAP(BPF_REG_1, 0),					/* 0 */
	T_FUNC(BPF_REG_2, 8),					/* 2 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 4 */
	BPF_MOV64_IMM(BPF_REG_4, 0),				/* 5 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
	BPF_MOV64_IMM(BPF_REG_5, 100),				/* 8 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_3, BPF_REG_5, 0),	/* 9: the value */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 10 */
	BPF_EXIT_INSN(),					/* 11 */
};

static const struct bpf_insn for_each_bad_load_insns[] = {
	T_MAP(BPF_REG_1, 0),					/* 0 */
	T_FUNC(BPF_REG_2, 8),					/* 2 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 4 */
	BPF_MOV64_IMM(BPF_REG_4, 0),				/* 5 */
	T_CALL(BPF_FUNC_for_each_map_elem),			/* 6 */
	BPF_EXIT_INSN(),					/* 7 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, 0),		/* 8: past its frame */
	BPF_EXIT_INSN(),					/* 9 */
};

/* The key is the callback's to read only; the value is writable. */
static void foreach_key_is_read_only_and_value_writable(struct kunit *test)
{
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);
	struct kbpf_map *ro = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 3, BPF_F_RDONLY_PROG);
	struct henv *key = HENV(test, for_each_store_key_insns, h);
	struct henv *val = HENV(test, for_each_add_value_insns, a);
	struct henv *val_ro = HENV(test, for_each_add_value_insns, ro);
	u64 r0;
	u32 k;

	sys_set(test, h, 1, 10);
	sys_set(test, h, 2, 20);
	for (k = 0; k < 3; k++) {
		sys_set(test, a, k, k);
		sys_set(test, ro, k, k);
	}

	/* the key is region 2, read-only */
	r0 = hinterp(key, NULL, 0, false);
	EXPECT_FAULT(test, key, r0, -EFAULT, 8, GRANT(0, 0));
	KUNIT_EXPECT_EQ(test, sys_get(h, 1), 10);
	KUNIT_EXPECT_EQ(test, sys_get(h, 2), 20);
	KUNIT_EXPECT_EQ(test, sys_count(h), 2);

	KUNIT_EXPECT_EQ(test, hinterp(val, NULL, 0, false), 3);
	KUNIT_EXPECT_EQ(test, val->run.err, 0);
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, sys_get(a, k), k + 100);

	/* on a BPF_F_RDONLY_PROG map the value (region 3) is read-only too */
	r0 = hinterp(val_ro, NULL, 0, false);
	EXPECT_FAULT(test, val_ro, r0, -EFAULT, 9, GRANT(1, 0));
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, sys_get(ro, k), k);
}

/* A fault in the callback stops the walk and the run, at the callback's insn. */
static void foreach_callback_fault_stops_the_run(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);
	struct henv *e = HENV(test, for_each_bad_load_insns, a);
	u64 r0, ret;

	r0 = hinterp(e, NULL, 0, false);
	/* the callback's frame is frame 1: its top is the stack's 1024th byte */
	EXPECT_FAULT(test, e, r0, -EFAULT, 8, KBPF_VADDR(0, 2 * KBPF_STACK_SIZE));
	KUNIT_EXPECT_EQ(test, e->run.depth, 0);
	KUNIT_EXPECT_EQ(test, hrun(e, NULL, 0, false, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, ret, 0);
}

/* BPF_F_WRONLY_PROG maps cannot be walked: the values would be read. */
static void foreach_on_a_wronly_prog_map_faults(struct kunit *test)
{
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 3, BPF_F_WRONLY_PROG);
	struct henv *e = HENV(test, for_each_insns, a);
	struct fe_ctx c = { .stop = 99, .func = FH + FE_CB };
	u64 r0;

	r0 = hinterp(e, &c, sizeof(c), true);
	EXPECT_FAULT(test, e, r0, -EACCES, 6, H);
	KUNIT_EXPECT_EQ(test, c.calls, 0);
}

static struct kunit_case kbpf_helpers_for_each_cases[] = {
	KUNIT_CASE(foreach_visits_each_element_and_stops_on_1),
	KUNIT_CASE(foreach_refuses_flags_and_bad_callbacks),
	KUNIT_CASE(foreach_walks_maps_larger_than_the_region_table),
	KUNIT_CASE(foreach_works_with_the_region_table_full),
	KUNIT_CASE(foreach_key_is_gone_after_the_call_with_the_table_full),
	KUNIT_CASE(foreach_key_is_gone_after_a_call_that_left_a_record),
	KUNIT_CASE(foreach_key_is_read_only_and_value_writable),
	KUNIT_CASE(foreach_callback_fault_stops_the_run),
	KUNIT_CASE(foreach_on_a_wronly_prog_map_faults),
	{}
};

static struct kunit_suite kbpf_helpers_for_each_suite = {
	.name = "kbpf_helpers_for_each",
	.test_cases = kbpf_helpers_for_each_cases,
};

/* --- probe_read, probe_read_kernel, probe_read_user and their _str */

/*
 * helper(R10 - 64, ctx->size, ctx->src) over 64 bytes of 0xaa; its result
 * into ctx->ret and the 64 bytes into ctx->out.
 */
struct probe_ctx {
	u64 src, size, ret;
	u8 out[64];
};

#define PROBE_CALL	15

static const struct bpf_insn probe_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_LD_IMM64(BPF_REG_1, 0xaaaaaaaaaaaaaaaaULL),		/* 1 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -64),	/* 3 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -56),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -48),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -40),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -32),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -24),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),		/* 10 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),			/* 11 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -64),			/* 12 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 8),		/* 13 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 0),		/* 14 */
	T_CALL(BPF_FUNC_probe_read_kernel),			/* 15: PROBE_CALL */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 16),		/* 16 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -64),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 24),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -56),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 32),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -48),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 40),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -40),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 48),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -32),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 56),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -24),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 64),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -16),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 72),
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 80),
	BPF_MOV64_IMM(BPF_REG_0, 0),
	BPF_EXIT_INSN(),
};

static struct henv *probe_prog(struct kunit *test, s32 id)
{
	struct bpf_insn *insns = insns_dup(test, probe_insns, ARRAY_SIZE(probe_insns));

	insns[PROBE_CALL].imm = id;
	return henv_new(test, insns, ARRAY_SIZE(probe_insns));
}

/* One call of @id's program: ctx->ret; ctx->out in @out. */
static long probe(struct kunit *test, struct henv *e, const void *src, u64 size,
		  u8 *out)
{
	struct probe_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u64 ret;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->src = (unsigned long)src;
	c->size = size;
	KUNIT_EXPECT_EQ(test, hrun(e, c, sizeof(*c), true, &ret), 0);
	memcpy(out, c->out, sizeof(c->out));
	return c->ret;
}

/* Bytes @out[from, to) are all @c. */
static bool all(const u8 *out, u32 from, u32 to, u8 c)
{
	return !memchr_inv(out + from, c, to - from);
}

static void vfree_action(void *p)
{
	vfree(p);
}

/* A vmalloc'd page filled with @c: its end is the guard page, never mapped. */
static u8 *guarded_page(struct kunit *test, u8 c)
{
	u8 *p = vmalloc(PAGE_SIZE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, p), 0);
	memset(p, c, PAGE_SIZE);
	return p;
}

static void probe_read_kernel_copies_kernel_memory(struct kunit *test)
{
	static const s32 ids[] = { BPF_FUNC_probe_read_kernel, BPF_FUNC_probe_read };
	u8 *src = kunit_kmalloc(test, 64, GFP_KERNEL), out[64];
	u32 i, j;

	KUNIT_ASSERT_NOT_NULL(test, src);
	for (j = 0; j < 64; j++)
		src[j] = j * 3 + 1;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct henv *e = probe_prog(test, ids[i]);

		KUNIT_EXPECT_EQ(test, probe(test, e, src, 64, out), 0);
		KUNIT_EXPECT_EQ(test, memcmp(out, src, 64), 0);
		KUNIT_EXPECT_EQ(test, probe(test, e, src + 1, 13, out), 0);
		KUNIT_EXPECT_EQ(test, memcmp(out, src + 1, 13), 0);
		KUNIT_EXPECT_TRUE(test, all(out, 13, 64, 0xaa));
		/* size 0: nothing read, nothing written */
		KUNIT_EXPECT_EQ(test, probe(test, e, NULL, 0, out), 0);
		KUNIT_EXPECT_TRUE(test, all(out, 0, 64, 0xaa));
		KUNIT_EXPECT_EQ(test, hfaults(e), 0);
	}
}

/* An unmapped kernel address: -EFAULT and the destination zeroed, no fault. */
static void probe_read_kernel_of_a_bad_address_is_efault_and_zeroes_dst(struct kunit *test)
{
	static const s32 ids[] = { BPF_FUNC_probe_read_kernel, BPF_FUNC_probe_read };
	u8 *page = guarded_page(test, 0x5a), out[64];
	u32 i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct henv *e = probe_prog(test, ids[i]);

		KUNIT_EXPECT_EQ(test, probe(test, e, page + PAGE_SIZE, 16, out), -EFAULT);
		KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
		KUNIT_EXPECT_TRUE(test, all(out, 16, 64, 0xaa));
		/* half in the page, half in the guard: all of it zeroed */
		KUNIT_EXPECT_EQ(test, probe(test, e, page + PAGE_SIZE - 8, 16, out), -EFAULT);
		KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
		KUNIT_EXPECT_EQ(test, hfaults(e), 0);
	}
	/* NULL, not a kernel address at all: the kernel's -ERANGE */
	KUNIT_EXPECT_EQ(test, probe(test, probe_prog(test, BPF_FUNC_probe_read_kernel),
				    NULL, 8, out), -ERANGE);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 8, 0));
}

static void probe_read_kernel_str_copies_up_to_the_nul(struct kunit *test)
{
	struct henv *e = probe_prog(test, BPF_FUNC_probe_read_kernel_str);
	u8 *page = guarded_page(test, 'x'), out[64];

	memcpy(page, "hello", 6);
	KUNIT_EXPECT_EQ(test, probe(test, e, page, 64, out), 6);
	KUNIT_EXPECT_STREQ(test, (char *)out, "hello");
	/* truncated to size, NUL included */
	KUNIT_EXPECT_EQ(test, probe(test, e, page, 3, out), 3);
	KUNIT_EXPECT_STREQ(test, (char *)out, "he");
	KUNIT_EXPECT_TRUE(test, all(out, 3, 64, 0xaa));
	KUNIT_EXPECT_EQ(test, probe(test, e, page, 0, out), 0);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 64, 0xaa));
	/* a string that ends at the page's end: nothing past it is read */
	memcpy(page + PAGE_SIZE - 4, "abc", 4);
	KUNIT_EXPECT_EQ(test, probe(test, e, page + PAGE_SIZE - 4, 64, out), 4);
	KUNIT_EXPECT_STREQ(test, (char *)out, "abc");
	/* one that runs into the guard page: -EFAULT, zeroed */
	memset(page + PAGE_SIZE - 4, 'y', 4);
	KUNIT_EXPECT_EQ(test, probe(test, e, page + PAGE_SIZE - 4, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	KUNIT_EXPECT_TRUE(test, all(out, 16, 64, 0xaa));
	KUNIT_EXPECT_EQ(test, probe(test, e, page + PAGE_SIZE, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	KUNIT_EXPECT_EQ(test, hfaults(e), 0);
}

/*
 * The kernel's strncpy_from_kernel_nofault() refuses NULL with -ERANGE,
 * as copy_from_kernel_nofault() does (probe_read_kernel above).
 */
static void probe_read_kernel_str_of_null_is_erange_as_the_kernels(struct kunit *test)
{
	struct henv *e = probe_prog(test, BPF_FUNC_probe_read_kernel_str);
	u8 out[64];

	KUNIT_EXPECT_EQ(test, probe(test, e, NULL, 8, out), -ERANGE);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 8, 0));
}

/* A user page the test maps (and writes), and one it leaves unpopulated. */
static unsigned long user_pages(struct kunit *test)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	if (!addr || IS_ERR_VALUE(addr))
		kunit_skip(test, "no user memory (kunit_vm_mmap)");
	return addr;
}

static void probe_read_user_reads_user_memory(struct kunit *test)
{
	struct henv *e = probe_prog(test, BPF_FUNC_probe_read_user);
	struct henv *s = probe_prog(test, BPF_FUNC_probe_read_user_str);
	unsigned long addr = user_pages(test);
	u8 *src = kunit_kmalloc(test, 64, GFP_KERNEL), out[64];
	u32 j;

	KUNIT_ASSERT_NOT_NULL(test, src);
	for (j = 0; j < 64; j++)
		src[j] = j + 0x20;
	src[40] = 0;
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, src, 64), 0);

	KUNIT_EXPECT_EQ(test, probe(test, e, (void *)addr, 64, out), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, 64), 0);
	KUNIT_EXPECT_EQ(test, probe(test, s, (void *)addr, 64, out), 41);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, 41), 0);
	KUNIT_EXPECT_EQ(test, probe(test, s, (void *)addr + 30, 5, out), 5);
	KUNIT_EXPECT_EQ(test, memcmp(out, src + 30, 4), 0);
	KUNIT_EXPECT_EQ(test, out[4], 0);

	/* not populated (no fault is taken to populate it): -EFAULT, zeroed */
	KUNIT_EXPECT_EQ(test, probe(test, e, (void *)addr + PAGE_SIZE, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	KUNIT_EXPECT_EQ(test, probe(test, s, (void *)addr + PAGE_SIZE, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	/* a string running into it */
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr + PAGE_SIZE - 4, "abcd", 4), 0);
	KUNIT_EXPECT_EQ(test, probe(test, s, (void *)addr + PAGE_SIZE - 4, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	/* a kernel address is no user address */
	KUNIT_EXPECT_EQ(test, probe(test, e, src, 16, out), -EFAULT);
	KUNIT_EXPECT_TRUE(test, all(out, 0, 16, 0));
	KUNIT_EXPECT_EQ(test, probe(test, s, src, 16, out), -EFAULT);
	KUNIT_EXPECT_EQ(test, hfaults(e) + hfaults(s), 0);
}

/*
 * On x86 (ARCH_HAS_NON_OVERLAPPING_ADDRESS_SPACE) the kernel's
 * bpf_probe_read() reads a user address as user memory
 * (bpf_probe_read_compat()).
 */
static void probe_read_of_a_user_address_reads_user_memory_as_on_x86(struct kunit *test)
{
	struct henv *e = probe_prog(test, BPF_FUNC_probe_read);
	unsigned long addr = user_pages(test);
	u8 out[64];

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, "user bytes", 11), 0);
	KUNIT_EXPECT_EQ(test, probe(test, e, (void *)addr, 11, out), 0);
	KUNIT_EXPECT_STREQ(test, (char *)out, "user bytes");
}

/*
 * The kernel's string copies stop at the NUL: strncpy_from_kernel_nofault()
 * writes nothing past it, strncpy_from_user_nofault() at most the rest of
 * the word it found it in.  The rest of the destination keeps its bytes.
 */
static void probe_read_str_leaves_dst_past_the_string_as_the_kernels(struct kunit *test)
{
	struct henv *k = probe_prog(test, BPF_FUNC_probe_read_kernel_str);
	struct henv *u = probe_prog(test, BPF_FUNC_probe_read_user_str);
	u8 *page = guarded_page(test, 'x'), out[64];
	unsigned long addr = user_pages(test);

	memcpy(page, "hello", 6);
	KUNIT_EXPECT_EQ(test, probe(test, k, page, 64, out), 6);
	KUNIT_EXPECT_TRUE(test, all(out, 6, 64, 0xaa));

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, page, 64), 0);
	KUNIT_EXPECT_EQ(test, probe(test, u, (void *)addr, 64, out), 6);
	KUNIT_EXPECT_TRUE(test, all(out, 8, 64, 0xaa));
}

static struct kunit_case kbpf_helpers_probe_cases[] = {
	KUNIT_CASE(probe_read_kernel_copies_kernel_memory),
	KUNIT_CASE(probe_read_kernel_of_a_bad_address_is_efault_and_zeroes_dst),
	KUNIT_CASE(probe_read_kernel_str_copies_up_to_the_nul),
	KUNIT_CASE(probe_read_kernel_str_of_null_is_erange_as_the_kernels),
	KUNIT_CASE(probe_read_user_reads_user_memory),
	KUNIT_CASE(probe_read_of_a_user_address_reads_user_memory_as_on_x86),
	KUNIT_CASE(probe_read_str_leaves_dst_past_the_string_as_the_kernels),
	{}
};

static struct kunit_suite kbpf_helpers_probe_suite = {
	.name = "kbpf_helpers_probe",
	.test_cases = kbpf_helpers_probe_cases,
};

/* --- ktime_get_ns, get_smp_processor_id, get_current_pid_tgid */

static const struct bpf_insn ktime_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),
	T_CALL(BPF_FUNC_ktime_get_ns),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 0),
	T_CALL(BPF_FUNC_ktime_get_ns),
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 8),
	BPF_MOV64_IMM(BPF_REG_0, 0),
	BPF_EXIT_INSN(),
};

/* The kernel's clock for it (ktime_get_mono_fast_ns()), never going back. */
static void ktime_get_ns_is_monotonic(struct kunit *test)
{
	struct henv *e = henv_new(test, ktime_insns, ARRAY_SIZE(ktime_insns));
	u64 t[2], prev = ktime_get_mono_fast_ns(), ret;
	int i;

	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, hrun(e, t, sizeof(t), true, &ret), 0);
		KUNIT_EXPECT_LE(test, prev, t[0]);
		KUNIT_EXPECT_LE(test, t[0], t[1]);
		prev = ktime_get_mono_fast_ns();
		KUNIT_EXPECT_LE(test, t[1], prev);
	}
}

struct on_cpu {
	struct kbpf_prog *prog;
	int cpu, err;
	u64 ret;
};

static void run_here(void *data)
{
	struct on_cpu *c = data;

	c->cpu = smp_processor_id();
	c->err = kbpf_prog_run(c->prog, NULL, 0, false, &c->ret);
}

/* The CPU the program runs on, wherever it runs. */
static void get_smp_processor_id_is_the_running_cpu(struct kunit *test)
{
	struct henv *e = HPROG(test, T_CALL(BPF_FUNC_get_smp_processor_id), BPF_EXIT_INSN());
	struct on_cpu c = { .prog = &e->prog };
	int cpu;

	for_each_online_cpu(cpu) {
		c.err = -1;
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, run_here, &c, 1), 0);
		KUNIT_EXPECT_EQ(test, c.err, 0);
		KUNIT_EXPECT_EQ(test, c.cpu, cpu);
		KUNIT_EXPECT_EQ(test, c.ret, cpu);
	}
	cpu = get_cpu();
	run_here(&c);
	put_cpu();
	KUNIT_EXPECT_EQ(test, c.ret, cpu);
}

static void get_current_pid_tgid_is_the_running_task(struct kunit *test)
{
	struct henv *e = HPROG(test, T_CALL(BPF_FUNC_get_current_pid_tgid), BPF_EXIT_INSN());
	u64 ret;

	KUNIT_ASSERT_EQ(test, hrun(e, NULL, 0, false, &ret), 0);
	KUNIT_EXPECT_EQ(test, ret, (u64)current->tgid << 32 | current->pid);
}

/* --- trace_printk */

/* trace_printk(ctx->fmt, ctx->size, ctx->a[0..2]); ctx->str is "kbpf". */
struct printk_ctx {
	u64 a[3];
	u64 size;
	char fmt[48];
	char str[8];
};

static const struct bpf_insn printk_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 1 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 32),			/* 2 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 24),		/* 3 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 0),		/* 4 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_6, 8),		/* 5 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_5, BPF_REG_6, 16),		/* 6 */
	T_CALL(BPF_FUNC_trace_printk),				/* 7 */
	BPF_EXIT_INSN(),					/* 8 */
};

#define STR_ARG	CTX(offsetof(struct printk_ctx, str))

struct printk_case {
	const char *name;
	char fmt[48];
	u32 size;
	long ret;
	u64 a[3];
};

/* The format with its NUL; the output's length, or an error. */
#define PK(NAME, FMT, RET, ...)	{ NAME, FMT, sizeof(FMT), RET, { __VA_ARGS__ } }
#define PKS(NAME, FMT, SIZE, RET, ...) { NAME, FMT, SIZE, RET, { __VA_ARGS__ } }

static const struct printk_case printk_cases[] = {
	PK("plain text", "hello\n", 6),
	PK("%d of an int", "%d", 2, 0xfffffffbULL),
	PK("%d takes the low half", "%d", 2, 0xaaaaaaaafffffffbULL),
	PK("%u", "%u", 1, 0x100000007ULL),
	PK("%lld", "%lld", 2, U64_MAX),
	PK("%llx", "%llx", 10, 0x1234567890ULL),
	PK("%lu", "%lu", 20, U64_MAX),
	PK("%i and %X", "%i %X", 6, 12, 0xabc),
	PK("width and flags", "%5d|%-4x|%+03d", 14, 42, 0xab, 7),
	PK("three %c", "%c%c%c", 3, 'a', 'b', 'c'),
	PK("%%", "100%%", 4),
	PK("three conversions", "%d %d %d", 5, 1, 2, 3),
	PK("%s from the context", "[%s]", 6, STR_ARG),
	/*
	 * bpf_bprintf_prepare() formats a string it cannot read as the empty
	 * string (bpf_trace_copy_string() failing): nothing is printed.
	 */
	PK("%s of a bad address does not fault", "%s", 0, 0x1000),
	PK("%p hashes", "%p", -1, 0x1234),
	/* the kernel stops at the first NUL within fmt_size */
	PKS("a NUL before fmt_size", "hi\0zz", 5, 2),
	/* -EINVAL */
	PKS("not NUL-terminated", "abc", 3, -EINVAL),
	PKS("fmt_size 0", "abc", 0, -EINVAL),
	PK("four conversions", "%d %d %d %d", -EINVAL, 1, 2, 3),
	PK("%n", "%n", -EINVAL),
	PK("%f", "%f", -EINVAL),
	PK("%5%", "%5%", -EINVAL),
	PK("a lone % at the end", "abc%", -EINVAL),
	PK("%lld with three l", "%llld", -EINVAL),
	/* formats bpf_bprintf_prepare() refuses too */
	PK("the alternate form flag", "%#x", -EINVAL, 1),
	PK("a precision", "%.2d", -EINVAL, 1),
	PK("%ls", "%ls", -EINVAL, STR_ARG),
	PK("%s followed by a letter", "%sx", -EINVAL, STR_ARG),
	PK("a control byte", "a\x01z", -EINVAL),
};

static void printk_case_desc(const struct printk_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(printk, printk_cases, printk_case_desc);

/* What trace_printk returns for each format (-1: any positive length). */
static void trace_printk_returns_the_formatted_length(struct kunit *test)
{
	const struct printk_case *pc = test->param_value;
	struct henv *e = henv_new(test, printk_insns, ARRAY_SIZE(printk_insns));
	struct printk_ctx c = { .size = pc->size };
	u64 r0;

	memcpy(c.a, pc->a, sizeof(c.a));
	memcpy(c.fmt, pc->fmt, sizeof(c.fmt));
	strscpy(c.str, "kbpf", sizeof(c.str));
	r0 = hinterp(e, &c, sizeof(c), false);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	if (pc->ret == -1)
		KUNIT_EXPECT_GT(test, (s64)r0, 0);
	else
		KUNIT_EXPECT_EQ(test, (s64)r0, pc->ret);
}

/* %s from a string the program built on its stack; one with no NUL stops at the stack's top. */
static void trace_printk_formats_a_stack_string(struct kunit *test)
{
	struct henv *e = HPROG(test,
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
		BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 0),		/* 1 */
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -8),		/* 2 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 3 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 32),			/* 4 */
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 24),		/* 5 */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),			/* 6 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, -8),			/* 7 */
		T_CALL(BPF_FUNC_trace_printk),				/* 8 */
		BPF_EXIT_INSN());					/* 9 */
	struct printk_ctx c = { .size = 5 };

	memcpy(c.fmt, "<%s>", 5);
	memcpy(&c.a[0], "abc\0\0\0\0", 8);
	KUNIT_EXPECT_EQ(test, hinterp(e, &c, sizeof(c), false), 5);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	memcpy(&c.a[0], "abcdefgh", 8);
	KUNIT_EXPECT_EQ(test, hinterp(e, &c, sizeof(c), false), 10);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
}

static struct kunit_case kbpf_helpers_misc_cases[] = {
	KUNIT_CASE(ktime_get_ns_is_monotonic),
	KUNIT_CASE(get_smp_processor_id_is_the_running_cpu),
	KUNIT_CASE(get_current_pid_tgid_is_the_running_task),
	KUNIT_CASE_PARAM(trace_printk_returns_the_formatted_length, printk_gen_params),
	KUNIT_CASE(trace_printk_formats_a_stack_string),
	{}
};

static struct kunit_suite kbpf_helpers_misc_suite = {
	.name = "kbpf_helpers_misc",
	.test_cases = kbpf_helpers_misc_cases,
};

/* --- perf_event_output */

/*
 * perf_event_output(ctx, map 0, ctx->flags, R10 - 16, ctx->size) with the
 * bytes 1..16 on the stack; its result into ctx->ret, the CPU into ctx->cpu.
 */
struct perf_ctx {
	u64 flags, size, ret, cpu;
};

static const u8 perf_data[16] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static const struct bpf_insn perf_output_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_LD_IMM64(BPF_REG_1, 0x0807060504030201ULL),		/* 1 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),	/* 3 */
	BPF_LD_IMM64(BPF_REG_1, 0x100f0e0d0c0b0a09ULL),		/* 4 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),		/* 6 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 7 */
	T_MAP(BPF_REG_2, 0),					/* 8 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 0),		/* 10 */
	BPF_MOV64_REG(BPF_REG_4, BPF_REG_10),			/* 11 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_4, -16),			/* 12 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_5, BPF_REG_6, 8),		/* 13 */
	T_CALL(BPF_FUNC_perf_event_output),			/* 14 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 16),		/* 15 */
	T_CALL(BPF_FUNC_get_smp_processor_id),			/* 16 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 24),		/* 17 */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 18 */
	BPF_EXIT_INSN(),					/* 19 */
};

static struct perf_ctx perf_run(struct kunit *test, struct henv *e, u64 flags,
				u64 size, int err)
{
	struct perf_ctx c = { flags, size, 99, 99 };
	u64 ret;

	KUNIT_EXPECT_EQ(test, hrun(e, &c, sizeof(c), true, &ret), err);
	return c;
}

/* A sample in the running CPU's buffer; the map's errors; a bad size faults. */
static void perf_event_output_writes_a_sample_for_the_running_cpu(struct kunit *test)
{
	struct kbpf_perf_buffer **bufs = kunit_kcalloc(test, nr_cpu_ids, sizeof(*bufs),
						       GFP_KERNEL);
	u64 *pos = kunit_kcalloc(test, nr_cpu_ids, sizeof(*pos), GFP_KERNEL);
	struct kbpf_map *map;
	struct perf_ctx c;
	struct henv *e;
	u32 cpu;

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	KUNIT_ASSERT_NOT_NULL(test, pos);
	map = new_perf_array(test, bufs);
	e = HENV(test, perf_output_insns, map);

	c = perf_run(test, e, BPF_F_CURRENT_CPU, 16, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_ASSERT_LT(test, c.cpu, nr_cpu_ids);
	expect_sample(test, bufs[c.cpu], 0, perf_data, 16);
	pos[c.cpu] = RECORD(16);
	c = perf_run(test, e, BPF_F_CURRENT_CPU, 5, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_ASSERT_LT(test, c.cpu, nr_cpu_ids);
	expect_sample(test, bufs[c.cpu], pos[c.cpu], perf_data, 5);
	pos[c.cpu] += RECORD(5);

	/* errors the map returns: an empty slot, past the end, bad flags */
	c = perf_run(test, e, nr_cpu_ids, 16, 0);
	KUNIT_EXPECT_EQ(test, (s64)c.ret, -ENOENT);
	c = perf_run(test, e, nr_cpu_ids + 1, 16, 0);
	KUNIT_EXPECT_EQ(test, (s64)c.ret, -E2BIG);
	c = perf_run(test, e, BIT_ULL(32) | BPF_F_CURRENT_CPU, 16, 0);
	KUNIT_EXPECT_EQ(test, (s64)c.ret, -EINVAL);
	/* more bytes than the stack holds from there: a fault, no record */
	c = perf_run(test, e, BPF_F_CURRENT_CPU, 17, -EFAULT);
	KUNIT_EXPECT_EQ(test, c.ret, 99);
	KUNIT_EXPECT_EQ(test, hfaults(e), 1);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, data_head(bufs[cpu]), pos[cpu]);
}

/* --- ringbuf_output, ringbuf_reserve, ringbuf_submit, ringbuf_discard, ringbuf_query */

/* ringbuf_output(map 0, R10 - 32, ctx[0], ctx[1]) from 32 bytes of 1..8 repeated */
static const struct bpf_insn rb_output_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	BPF_LD_IMM64(BPF_REG_1, 0x0807060504030201ULL),		/* 1 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -32),	/* 3 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -24),	/* 4 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),	/* 5 */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),		/* 6 */
	T_MAP(BPF_REG_1, 0),					/* 7 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),			/* 9 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -32),			/* 10 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 0),		/* 11 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_6, 8),		/* 12 */
	T_CALL(BPF_FUNC_ringbuf_output),			/* 13 */
	BPF_EXIT_INSN(),					/* 14 */
};

static void ringbuf_output_writes_a_record_the_consumer_reads(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_output_insns, map);
	struct view v = view_of(map);
	u64 c[2] = { 20, 0 }, r0;
	struct rec recs[4];
	u8 *big;
	u32 i;

	KUNIT_EXPECT_EQ(test, hinterp(e, c, sizeof(c), false), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	c[0] = 3;
	c[1] = BPF_RB_NO_WAKEUP;
	KUNIT_EXPECT_EQ(test, hinterp(e, c, sizeof(c), false), 0);
	KUNIT_ASSERT_EQ(test, consume(&v, recs, 4), 2);
	KUNIT_EXPECT_EQ(test, recs[0].len, 20);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, rec_data(&v, recs[0].pos)[i], i % 8 + 1);
	KUNIT_EXPECT_EQ(test, recs[1].pos, 32);
	KUNIT_EXPECT_EQ(test, recs[1].len, 3);

	/* bad flags; a full ring */
	c[1] = 4;
	KUNIT_EXPECT_EQ(test, (s64)hinterp(e, c, sizeof(c), false), -EINVAL);
	big = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, big, PAGE_SIZE - 40, 0), 0);
	c[0] = 32;
	c[1] = 0;
	KUNIT_EXPECT_EQ(test, (s64)hinterp(e, c, sizeof(c), false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 4), 1);

	/* more bytes than the stack has from there: a fault, nothing written */
	c[0] = 33;
	r0 = hinterp(e, c, sizeof(c), false);
	EXPECT_FAULT(test, e, r0, -EFAULT, 13, STK(-32));
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS),
			*v.consumer_pos);
}

/*
 * ringbuf_reserve(map 0, ctx->size, ctx->flags), its address into ctx->ret;
 * then 0x22 into the record at ctx->off; then submit (ctx->how 0),
 * discard (1) or neither (2).
 */
struct rbr_ctx {
	u64 size, flags, off, how, ret;
};

static const struct bpf_insn rb_reserve_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 0),		/* 3 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 8),		/* 4 */
	T_CALL(BPF_FUNC_ringbuf_reserve),			/* 5 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 32),		/* 6 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 13),			/* 7 -> 21 */
	BPF_MOV64_REG(BPF_REG_7, BPF_REG_0),			/* 8 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 16),		/* 9 */
	BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_7),		/* 10 */
	BPF_ST_MEM(BPF_B, BPF_REG_1, 0, 0x22),			/* 11 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_8, BPF_REG_6, 24),		/* 12 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, 2, 7),			/* 13 -> 21 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_7),			/* 14 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 15 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, 1, 2),			/* 16 -> 19 */
	T_CALL(BPF_FUNC_ringbuf_submit),			/* 17 */
	BPF_JMP_A(1),						/* 18 -> 20 */
	T_CALL(BPF_FUNC_ringbuf_discard),			/* 19 */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 20 */
	BPF_EXIT_INSN(),					/* 21 */
};

/* The record is the program's to write, then the consumer's. */
static void ringbuf_reserve_and_submit_publish_what_the_program_wrote(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_reserve_insns, map);
	struct rbr_ctx c = { .size = 16, .off = 15 };
	struct view v = view_of(map);
	struct rec recs[2];
	u8 *d;

	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->left, 0);
	KUNIT_EXPECT_EQ(test, c.ret, GRANT(0, 0));
	/* submitted: the region is revoked */
	KUNIT_EXPECT_EQ(test, e->run.regions[2].kind, KBPF_REGION_FREE);
	KUNIT_ASSERT_EQ(test, consume(&v, recs, 2), 1);
	KUNIT_EXPECT_EQ(test, recs[0].len, 16);
	d = rec_data(&v, recs[0].pos);
	KUNIT_EXPECT_TRUE(test, all(d, 0, 15, 0));
	KUNIT_EXPECT_EQ(test, d[15], 0x22);
}

static void ringbuf_discard_drops_the_record(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_reserve_insns, map);
	struct rbr_ctx c = { .size = 16, .how = 1 };
	struct view v = view_of(map);

	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, e->left, 0);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 0), 16 | BPF_RINGBUF_DISCARD_BIT);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 2), 0);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 24);
}

/* Reservations that fail are 0 to the program, not faults. */
static void ringbuf_reserve_failures_return_0(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_reserve_insns, map);
	struct rbr_ctx c = { .size = PAGE_SIZE, .ret = 99 };

	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	c = (struct rbr_ctx) { .size = 8, .flags = 1, .ret = 99 };
	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	c = (struct rbr_ctx) { .size = BIT_ULL(32) + 8, .ret = 99 };
	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 0);
}

/*
 * A record neither submitted nor discarded when the run ends is discarded,
 * and the run counts as faulting; so is one whose program faulted.
 */
static void ringbuf_record_left_reserved_is_discarded_and_the_run_faults(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_reserve_insns, map);
	struct rbr_ctx c = { .size = 16, .how = 2 };
	struct view v = view_of(map);
	u64 ret = 99, x = 7;

	KUNIT_EXPECT_EQ(test, hrun(e, &c, sizeof(c), true, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hfaults(e), 1);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 0), 16 | BPF_RINGBUF_DISCARD_BIT);

	/* a store past the record's end faults; the record goes too */
	c = (struct rbr_ctx) { .size = 16, .off = 16 };
	KUNIT_EXPECT_EQ(test, hrun(e, &c, sizeof(c), true, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, hfaults(e), 2);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 24), 16 | BPF_RINGBUF_DISCARD_BIT);

	/* the ring goes on */
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, &x, sizeof(x), 0), 0);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 4), 1);
}

/* reserve 8 bytes; submit it; then @patch at insn 12 */
static const struct bpf_insn rb_twice_insns[] = {
	T_MAP(BPF_REG_1, 0),					/* 0 */
	BPF_MOV64_IMM(BPF_REG_2, 8),				/* 2 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 3 */
	T_CALL(BPF_FUNC_ringbuf_reserve),			/* 4 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 7),			/* 5 -> 13 */
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_0),			/* 6 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 7 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 8 */
	T_CALL(BPF_FUNC_ringbuf_submit),			/* 9 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),			/* 10 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 11 */
	T_CALL(BPF_FUNC_ringbuf_submit),			/* 12 */
	BPF_EXIT_INSN(),					/* 13 */
};

/* Once submitted, the record is no longer the program's: submit, discard, store fault. */
static void ringbuf_submitted_record_cannot_be_released_or_written_again(struct kunit *test)
{
	static const struct bpf_insn again[] = {
		T_CALL(BPF_FUNC_ringbuf_submit),
		T_CALL(BPF_FUNC_ringbuf_discard),
		BPF_ST_MEM(BPF_B, BPF_REG_6, 0, 1),
	};
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	struct rec recs[4];
	u32 i, n = 0;
	u64 r0;

	for (i = 0; i < ARRAY_SIZE(again); i++) {
		struct bpf_insn *insns = insns_dup(test, rb_twice_insns,
						   ARRAY_SIZE(rb_twice_insns));
		struct henv *e;

		insns[12] = again[i];
		e = henv_with(test, insns, ARRAY_SIZE(rb_twice_insns), map);
		r0 = hinterp(e, NULL, 0, false);
		EXPECT_FAULT(test, e, r0, -EFAULT, 12, GRANT(0, 0));
		KUNIT_EXPECT_EQ(test, e->left, 0);
		/* delivered once, intact */
		KUNIT_ASSERT_EQ(test, consume(&v, recs + n, 1), 1);
		KUNIT_EXPECT_EQ(test, recs[n].len, 8);
		KUNIT_EXPECT_EQ(test, rec_data(&v, recs[n].pos)[0], 0);
		n++;
	}
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
}

/* Submitting the record at an address other than its start faults. */
static void ringbuf_submit_not_at_the_records_start_faults(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		T_MAP(BPF_REG_1, 0),				/* 0 */
		BPF_MOV64_IMM(BPF_REG_2, 16),			/* 2 */
		BPF_MOV64_IMM(BPF_REG_3, 0),			/* 3 */
		T_CALL(BPF_FUNC_ringbuf_reserve),		/* 4 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),		/* 5 -> 10 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),		/* 6 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 8),		/* 7 */
		BPF_MOV64_IMM(BPF_REG_2, 0),			/* 8 */
		T_CALL(BPF_FUNC_ringbuf_submit),		/* 9 */
		BPF_EXIT_INSN(),				/* 10 */
	};
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, insns, map);
	struct view v = view_of(map);
	u64 r0, ret;

	r0 = hinterp(e, NULL, 0, false);
	EXPECT_FAULT(test, e, r0, -EFAULT, 9, GRANT(0, 8));
	KUNIT_EXPECT_EQ(test, e->left, 1);
	KUNIT_EXPECT_EQ(test, hrun(e, NULL, 0, false, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 4), 0);
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 24), 16 | BPF_RINGBUF_DISCARD_BIT);
}

/* A map value is no record either. */
static void ringbuf_submit_of_a_map_value_faults(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),		/* 0 */
		T_MAP(BPF_REG_1, 1),				/* 1 */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),		/* 3 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),		/* 4 */
		T_CALL(BPF_FUNC_map_lookup_elem),		/* 5 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),		/* 6 -> 10 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),		/* 7 */
		BPF_MOV64_IMM(BPF_REG_2, 0),			/* 8 */
		T_CALL(BPF_FUNC_ringbuf_discard),		/* 9 */
		BPF_EXIT_INSN(),				/* 10 */
	};
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct kbpf_map *a = new_map(test, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	struct henv *e = HENV(test, insns, map);
	u64 r0;

	henv_map(e, a);
	r0 = hinterp(e, NULL, 0, false);
	EXPECT_FAULT(test, e, r0, -EFAULT, 9, GRANT(0, 0));
	KUNIT_EXPECT_EQ(test, sys_get(a, 0), 0);
}

static void ringbuf_query_reports_the_rings_state(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 2 * PAGE_SIZE);
	struct henv *e = HPROG(test,
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		T_MAP(BPF_REG_1, 0),
		T_CALL(BPF_FUNC_ringbuf_query),
		BPF_EXIT_INSN());
	struct view v = view_of(map);
	u8 data[20] = {};
	u64 q;

	henv_map(e, map);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, 10, 0), 0);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, 20, 0), 0);
	q = BPF_RB_AVAIL_DATA;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 56);
	q = BPF_RB_RING_SIZE;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 2 * PAGE_SIZE);
	q = BPF_RB_CONS_POS;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 0);
	q = BPF_RB_PROD_POS;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 56);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 1), 1);
	q = BPF_RB_CONS_POS;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 24);
	q = BPF_RB_AVAIL_DATA;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 32);
	q = 7;
	KUNIT_EXPECT_EQ(test, hinterp(e, &q, sizeof(q), false), 0);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
}

/* --- ringbuf_reserve_dynptr, ringbuf_submit_dynptr, ringbuf_discard_dynptr */

/*
 * reserve_dynptr(map 0, ctx->size, ctx->flags, R10 - 16), its result into
 * ctx->ret; then submit_dynptr (ctx->how 0), discard_dynptr (1) or neither.
 */
struct dyn_ctx {
	u64 size, flags, how, ret;
};

static const struct bpf_insn rb_dynptr_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6, 0),		/* 3 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 8),		/* 4 */
	BPF_MOV64_REG(BPF_REG_4, BPF_REG_10),			/* 5 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_4, -16),			/* 6 */
	T_CALL(BPF_FUNC_ringbuf_reserve_dynptr),		/* 7 */
	BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_0, 24),		/* 8 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 16),		/* 9 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 2, 7),			/* 10 -> 18 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),			/* 11 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -16),			/* 12 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 13 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 1, 2),			/* 14 -> 17 */
	T_CALL(BPF_FUNC_ringbuf_submit_dynptr),			/* 15 */
	BPF_JMP_A(1),						/* 16 -> 18 */
	T_CALL(BPF_FUNC_ringbuf_discard_dynptr),		/* 17 */
	BPF_MOV64_IMM(BPF_REG_0, 0),				/* 18 */
	BPF_EXIT_INSN(),					/* 19 */
};

static void ringbuf_dynptr_reserve_submit_and_discard(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_dynptr_insns, map);
	struct dyn_ctx c = { .size = 24, .ret = 99 };
	struct view v = view_of(map);
	struct rec recs[2];
	u64 ret;

	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_EXPECT_EQ(test, e->left, 0);
	KUNIT_ASSERT_EQ(test, consume(&v, recs, 2), 1);
	KUNIT_EXPECT_EQ(test, recs[0].len, 24);

	c = (struct dyn_ctx) { .size = 8, .how = 1, .ret = 99 };
	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 32), 8 | BPF_RINGBUF_DISCARD_BIT);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 2), 0);

	/* left reserved: discarded at the end, the run faults */
	c = (struct dyn_ctx) { .size = 8, .how = 2, .ret = 99 };
	KUNIT_EXPECT_EQ(test, hrun(e, &c, sizeof(c), true, &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	KUNIT_EXPECT_EQ(test, hdr_len(&v, 48), 8 | BPF_RINGBUF_DISCARD_BIT);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 2), 0);
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
}

/* A failed reservation: -EINVAL and a null dynptr, whose release does nothing. */
static void ringbuf_dynptr_failed_reserve_is_einval_and_null(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_dynptr_insns, map);
	struct dyn_ctx c = { .size = PAGE_SIZE };
	u32 how;

	for (how = 0; how < 3; how++) {
		c = (struct dyn_ctx) { .size = PAGE_SIZE, .how = how };
		hinterp(e, &c, sizeof(c), true);
		KUNIT_EXPECT_EQ(test, e->run.err, 0);
		KUNIT_EXPECT_EQ(test, (s64)c.ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, e->left, 0);
		/* flags: -EINVAL too */
		c = (struct dyn_ctx) { .size = 8, .flags = 1, .how = how };
		hinterp(e, &c, sizeof(c), true);
		KUNIT_EXPECT_EQ(test, e->run.err, 0);
		KUNIT_EXPECT_EQ(test, (s64)c.ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, e->left, 0);
	}
	/* the dynptr is zeroed: 16 bytes, no kernel address */
	KUNIT_EXPECT_TRUE(test, all(e->stack, KBPF_STACK_SIZE - 16, KBPF_STACK_SIZE, 0));
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 0);
}

/* bpf_dynptr_check_size(): a size past DYNPTR_MAX_SIZE (2^24 - 1) is -E2BIG. */
static void ringbuf_dynptr_past_the_dynptr_size_limit_is_e2big(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, rb_dynptr_insns, map);
	struct dyn_ctx c = { .size = 1 << 24 };

	hinterp(e, &c, sizeof(c), true);
	KUNIT_EXPECT_EQ(test, e->run.err, 0);
	KUNIT_EXPECT_EQ(test, (s64)c.ret, -E2BIG);
}

/*
 * reserve 8-byte records ctx[0] times, submitting each unless ctx[1];
 * R0 = how many were reserved.
 */
static const struct bpf_insn rb_loop_insns[] = {
	BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_1, 0),		/* 0 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_8, BPF_REG_1, 8),		/* 1 */
	BPF_MOV64_IMM(BPF_REG_6, 0),				/* 2 */
	T_MAP(BPF_REG_1, 0),					/* 3: loop */
	BPF_MOV64_IMM(BPF_REG_2, 8),				/* 5 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 6 */
	T_CALL(BPF_FUNC_ringbuf_reserve),			/* 7 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 6),			/* 8 -> 15 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_8, 0, 3),			/* 9 -> 13 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),			/* 10 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 11 */
	T_CALL(BPF_FUNC_ringbuf_submit),			/* 12 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_6, 1),			/* 13 */
	BPF_JMP_REG(BPF_JLT, BPF_REG_6, BPF_REG_7, -12),	/* 14 -> 3 */
	BPF_MOV64_REG(BPF_REG_0, BPF_REG_6),			/* 15 */
	BPF_EXIT_INSN(),					/* 16 */
};

/*
 * A submitted record's region is revoked (KBPF_REGION_FREE): a run that
 * reserves and submits in a loop must get its slots back, or it can
 * output no more than KBPF_MAX_REGIONS - 2 records.
 */
static void ringbuf_reserve_submit_loop_outlasts_the_region_table(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 4 * PAGE_SIZE);
	struct henv *e = HENV(test, rb_loop_insns, map);
	struct view v = view_of(map);
	u64 c[2] = { 200, 0 }, ret = 0;

	KUNIT_EXPECT_EQ(test, hrun(e, c, sizeof(c), false, &ret), 0);
	KUNIT_EXPECT_EQ(test, ret, 200);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 300), 200);
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
}

/*
 * With the region table full of records (KBPF_MAX_REGIONS - 2 reserved),
 * one more reservation cannot be handed to the program; whatever the run
 * then answers, the ring must not be left with a busy record no one can
 * release: the consumer would stop at it for good.
 */
static void ringbuf_reserve_with_the_region_table_full_leaves_no_busy_record(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 4 * PAGE_SIZE);
	struct henv *e = HENV(test, rb_loop_insns, map);
	struct view v = view_of(map);
	u64 c[2] = { KBPF_MAX_REGIONS, 1 }, ret, x = 5;

	KUNIT_EXPECT_NE(test, hrun(e, c, sizeof(c), false, &ret), 0);
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, &x, sizeof(x), 0), 0);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 300), 1);
}

static struct kunit_case kbpf_helpers_output_cases[] = {
	KUNIT_CASE(perf_event_output_writes_a_sample_for_the_running_cpu),
	KUNIT_CASE(ringbuf_output_writes_a_record_the_consumer_reads),
	KUNIT_CASE(ringbuf_reserve_and_submit_publish_what_the_program_wrote),
	KUNIT_CASE(ringbuf_discard_drops_the_record),
	KUNIT_CASE(ringbuf_reserve_failures_return_0),
	KUNIT_CASE(ringbuf_record_left_reserved_is_discarded_and_the_run_faults),
	KUNIT_CASE(ringbuf_submitted_record_cannot_be_released_or_written_again),
	KUNIT_CASE(ringbuf_submit_not_at_the_records_start_faults),
	KUNIT_CASE(ringbuf_submit_of_a_map_value_faults),
	KUNIT_CASE(ringbuf_query_reports_the_rings_state),
	KUNIT_CASE(ringbuf_dynptr_reserve_submit_and_discard),
	KUNIT_CASE(ringbuf_dynptr_failed_reserve_is_einval_and_null),
	KUNIT_CASE(ringbuf_dynptr_past_the_dynptr_size_limit_is_e2big),
	KUNIT_CASE(ringbuf_reserve_submit_loop_outlasts_the_region_table),
	KUNIT_CASE(ringbuf_reserve_with_the_region_table_full_leaves_no_busy_record),
	{}
};

static struct kunit_suite kbpf_helpers_output_suite = {
	.name = "kbpf_helpers_output",
	.test_cases = kbpf_helpers_output_cases,
};

/* --- bad arguments: each stops the run with its fault and changes nothing */

struct bad_case {
	const char *name;
	u32 type, key_size, value_size;
	s32 helper;
	u64 args[5];
	int err;
	u64 addr;
};

#define BAD(NAME, TYPE, ID, ERR, ADDR, ...)				\
	{ NAME, BPF_MAP_TYPE_##TYPE, 0, 0, BPF_FUNC_##ID, { __VA_ARGS__ }, ERR, ADDR }
#define BAD_SIZES(NAME, TYPE, KS, VS, ID, ERR, ADDR, ...)		\
	{ NAME, BPF_MAP_TYPE_##TYPE, KS, VS, BPF_FUNC_##ID, { __VA_ARGS__ }, ERR, ADDR }
/* A call the map type does not take: what the kernel's verifier refuses. */
#define WRONG_TYPE(NAME, TYPE, ID, ...)					\
	BAD(NAME, TYPE, ID, -EINVAL, H, __VA_ARGS__)

static const struct bad_case bad_cases[] = {
	/* map handles the program does not hold */
	BAD("lookup: a handle past the program's maps", HASH, map_lookup_elem, -EFAULT,
	    H + 1, H + 1, STK(-64)),
	BAD("lookup: handle 0", HASH, map_lookup_elem, -EFAULT, 0, 0, STK(-64)),
	BAD("update: a stack address as the map", HASH, map_update_elem, -EFAULT,
	    STK(-64), STK(-64), STK(-64), STK(-64)),
	BAD("delete: a function handle as the map", HASH, map_delete_elem, -EFAULT,
	    FH, FH, STK(-64)),
	BAD("push: the last handle there could be", QUEUE, map_push_elem, -EFAULT,
	    H + KBPF_MAX_USED_MAPS - 1, H + KBPF_MAX_USED_MAPS - 1, STK(-64)),
	BAD("for_each: handle below the handles", ARRAY, for_each_map_elem, -EFAULT,
	    H - 1, H - 1, FH + 12),
	BAD("ringbuf_output: a handle past the maps", RINGBUF, ringbuf_output, -EFAULT,
	    H + 1, H + 1, STK(-64), 8),
	BAD("ringbuf_query: a plain number", RINGBUF, ringbuf_query, -EFAULT, 4, 4),
	BAD("perf_event_output: the map in R1, not R2", PERF_EVENT_ARRAY,
	    perf_event_output, -EFAULT, STK(-64), H, STK(-64), 0, STK(-64), 8),
	/* keys, values and buffers outside the run's memory */
	BAD("lookup: key outside any region", HASH, map_lookup_elem, -EFAULT, 0x1000,
	    H, 0x1000),
	BAD("lookup: key in a region the run lacks", HASH, map_lookup_elem, -EFAULT,
	    KBPF_VADDR(100, 0), H, KBPF_VADDR(100, 0)),
	BAD_SIZES("lookup: an 8-byte key at the stack's last 4 bytes", HASH, 8, 8,
		  map_lookup_elem, -EFAULT, STK(-4), H, STK(-4)),
	BAD_SIZES("update: a 16-byte value at the stack's last 8 bytes", HASH, 4, 16,
		  map_update_elem, -EFAULT, STK(-8), H, STK(-64), STK(-8), BPF_ANY),
	BAD("update: a key past the context's end", HASH, map_update_elem, -EFAULT,
	    CTX(62), H, CTX(62), STK(-64), BPF_ANY),
	BAD("delete: a key straddling the stack's top", ARRAY, map_delete_elem, -EFAULT,
	    STK(-2), H, STK(-2)),
	BAD("push: value outside any region", QUEUE, map_push_elem, -EFAULT, 0x10,
	    H, 0x10, 0),
	BAD("pop: into the read-only context", QUEUE, map_pop_elem, -EFAULT, CTX(0),
	    H, CTX(0)),
	BAD("peek: into the read-only context", STACK, map_peek_elem, -EFAULT, CTX(0),
	    H, CTX(0)),
	BAD("lookup_percpu: key outside any region", PERCPU_ARRAY,
	    map_lookup_percpu_elem, -EFAULT, 0x20, H, 0x20, 0),
	BAD("for_each: a callback that is no function handle", ARRAY,
	    for_each_map_elem, -EINVAL, 5, H, 5),
	BAD("for_each: a callback past the program", ARRAY, for_each_map_elem,
	    -EINVAL, FH + 13, H, FH + 13),
	BAD("perf_event_output: data past the stack's top", PERF_EVENT_ARRAY,
	    perf_event_output, -EFAULT, STK(-8), CTX(0), H, BPF_F_CURRENT_CPU,
	    STK(-8), 16),
	BAD("ringbuf_output: data outside any region", RINGBUF, ringbuf_output,
	    -EFAULT, 0x30, H, 0x30, 8, 0),
	BAD("reserve_dynptr: the dynptr in the read-only context", RINGBUF,
	    ringbuf_reserve_dynptr, -EFAULT, CTX(0), H, 8, 0, CTX(0)),
	BAD("ringbuf_submit: a stack address", RINGBUF, ringbuf_submit, -EFAULT,
	    STK(-64), STK(-64), 0),
	BAD("ringbuf_discard: NULL", RINGBUF, ringbuf_discard, -EFAULT, 0, 0, 0),
	BAD("submit_dynptr: the dynptr outside any region", RINGBUF,
	    ringbuf_submit_dynptr, -EFAULT, 0x40, 0x40, 0),
	BAD("discard_dynptr: the dynptr in the read-only context", RINGBUF,
	    ringbuf_discard_dynptr, -EFAULT, CTX(0), CTX(0), 0),
	BAD("trace_printk: fmt outside any region", ARRAY, trace_printk, -EFAULT, 0x50,
	    0x50, 4),
	BAD("trace_printk: fmt_size past the context", ARRAY, trace_printk, -EFAULT,
	    CTX(0), CTX(0), 65),
	BAD("probe_read_kernel: dst in the read-only context", ARRAY,
	    probe_read_kernel, -EFAULT, CTX(0), CTX(0), 8, 0),
	BAD("probe_read_user_str: dst past the stack's top", ARRAY,
	    probe_read_user_str, -EFAULT, STK(-8), STK(-8), 16, 0),
	/* map types that do not take the call */
	WRONG_TYPE("lookup on a RINGBUF", RINGBUF, map_lookup_elem, H, STK(-64)),
	WRONG_TYPE("lookup on a PERF_EVENT_ARRAY", PERF_EVENT_ARRAY, map_lookup_elem,
		   H, STK(-64)),
	WRONG_TYPE("lookup on a QUEUE", QUEUE, map_lookup_elem, H, STK(-64)),
	WRONG_TYPE("update on a RINGBUF", RINGBUF, map_update_elem, H, STK(-64),
		   STK(-64), 0),
	WRONG_TYPE("update on a PERF_EVENT_ARRAY", PERF_EVENT_ARRAY, map_update_elem,
		   H, STK(-64), STK(-64), 0),
	WRONG_TYPE("update on a STACK", STACK, map_update_elem, H, STK(-64),
		   STK(-64), 0),
	WRONG_TYPE("delete on a QUEUE", QUEUE, map_delete_elem, H, STK(-64)),
	WRONG_TYPE("delete on a PERF_EVENT_ARRAY", PERF_EVENT_ARRAY, map_delete_elem,
		   H, STK(-64)),
	WRONG_TYPE("delete on a RINGBUF", RINGBUF, map_delete_elem, H, STK(-64)),
	WRONG_TYPE("push on a HASH", HASH, map_push_elem, H, STK(-64), 0),
	WRONG_TYPE("pop on an ARRAY", ARRAY, map_pop_elem, H, STK(-64)),
	WRONG_TYPE("peek on a RINGBUF", RINGBUF, map_peek_elem, H, STK(-64)),
	WRONG_TYPE("lookup_percpu on an ARRAY", ARRAY, map_lookup_percpu_elem, H,
		   STK(-64), 0),
	WRONG_TYPE("lookup_percpu on a HASH", HASH, map_lookup_percpu_elem, H,
		   STK(-64), 0),
	WRONG_TYPE("for_each on a QUEUE", QUEUE, for_each_map_elem, H, FH + 12),
	WRONG_TYPE("for_each on a RINGBUF", RINGBUF, for_each_map_elem, H, FH + 12),
	WRONG_TYPE("for_each on a PERF_EVENT_ARRAY", PERF_EVENT_ARRAY,
		   for_each_map_elem, H, FH + 12),
	WRONG_TYPE("perf_event_output on an ARRAY", ARRAY, perf_event_output, CTX(0),
		   H, BPF_F_CURRENT_CPU, STK(-64), 8),
	WRONG_TYPE("perf_event_output on a RINGBUF", RINGBUF, perf_event_output,
		   CTX(0), H, BPF_F_CURRENT_CPU, STK(-64), 8),
	WRONG_TYPE("ringbuf_output on a HASH", HASH, ringbuf_output, H, STK(-64), 8, 0),
	WRONG_TYPE("ringbuf_output on a PERF_EVENT_ARRAY", PERF_EVENT_ARRAY,
		   ringbuf_output, H, STK(-64), 8, 0),
	WRONG_TYPE("ringbuf_reserve on a QUEUE", QUEUE, ringbuf_reserve, H, 8, 0),
	WRONG_TYPE("reserve_dynptr on an ARRAY", ARRAY, ringbuf_reserve_dynptr, H, 8,
		   0, STK(-64)),
	WRONG_TYPE("ringbuf_query on an ARRAY", ARRAY, ringbuf_query, H, 0),
};

static void bad_case_desc(const struct bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_case_desc);

/* R1..R5 = @args; the helper; R0 = 77 */
static struct henv *args_prog(struct kunit *test, s32 helper, const u64 *args)
{
	struct bpf_insn insns[13];
	u32 i;

	for (i = 0; i < 5; i++) {
		struct bpf_insn ld[2] = { BPF_LD_IMM64(BPF_REG_1 + i, args[i]) };

		insns[2 * i] = ld[0];
		insns[2 * i + 1] = ld[1];
	}
	insns[10] = T_CALL(helper);
	insns[11] = BPF_MOV64_IMM(BPF_REG_0, 77);
	insns[12] = BPF_EXIT_INSN();
	return henv_new(test, insns, ARRAY_SIZE(insns));
}

/* The map for @c, holding one element (key 0: 0x11 bytes) where it can. */
static struct kbpf_map *bad_case_map(struct kunit *test, const struct bad_case *c,
				     struct kbpf_perf_buffer **buf)
{
	u32 ks = c->key_size ?: 4, vs = c->value_size ?: 8;
	struct kbpf_map *map;
	u8 key[8] = {}, *value;

	switch (c->type) {
	case BPF_MAP_TYPE_RINGBUF:
		return new_ringbuf(test, PAGE_SIZE);
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		map = new_map(test, c->type, 4, 4, 2, 0);
		*buf = new_ring_on(test, cpumask_first(cpu_online_mask));
		KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, 0, *buf), 0);
		return map;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		map = new_map(test, c->type, 0, vs, 4, 0);
		break;
	default:
		map = new_map(test, c->type, ks, vs, 4, 0);
		break;
	}
	value = kunit_kmalloc(test, kbpf_map_value_size(map), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, value);
	memset(value, 0x11, kbpf_map_value_size(map));
	KUNIT_ASSERT_EQ(test, sys_update(map, map->key_size ? key : NULL, value, BPF_ANY), 0);
	return map;
}

/* Still only what bad_case_map() put there. */
static void expect_unchanged(struct kunit *test, struct kbpf_map *map,
			     struct kbpf_perf_buffer *buf)
{
	u32 size = kbpf_map_value_size(map);
	u8 key[8] = {}, *value = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, value);
	switch (map->map_type) {
	case BPF_MAP_TYPE_RINGBUF:
		KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 0);
		return;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		KUNIT_EXPECT_EQ(test, data_head(buf), 0);
		/* slot 0 still holds the buffer */
		KUNIT_EXPECT_EQ(test, sys_delete(map, key), 0);
		return;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, value), 0);
		KUNIT_EXPECT_TRUE(test, all(value, 0, size, 0x11));
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, value), -ENOENT);
		return;
	case BPF_MAP_TYPE_HASH:
		KUNIT_EXPECT_EQ(test, sys_count(map), 1);
		break;
	}
	KUNIT_ASSERT_EQ(test, sys_lookup(map, key, value), 0);
	KUNIT_EXPECT_TRUE(test, all(value, 0, size, 0x11));
}

static void bad_helper_argument_faults_and_changes_nothing(struct kunit *test)
{
	const struct bad_case *c = test->param_value;
	struct kbpf_perf_buffer *buf = NULL;
	struct kbpf_map *map = bad_case_map(test, c, &buf);
	struct henv *e = args_prog(test, c->helper, c->args);
	u64 ctx[8] = {}, r0, ret = 99;

	henv_map(e, map);
	r0 = hinterp(e, ctx, sizeof(ctx), false);
	EXPECT_FAULT(test, e, r0, c->err, 10, c->addr);
	KUNIT_EXPECT_EQ(test, e->left, 0);
	KUNIT_EXPECT_TRUE(test, all((u8 *)ctx, 0, sizeof(ctx), 0));
	/* kbpf_prog_run() reports the same fault */
	KUNIT_EXPECT_EQ(test, hrun(e, ctx, sizeof(ctx), false, &ret), c->err);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hfaults(e), 1);
	expect_unchanged(test, map, buf);
}

/* A submitted record's address is revoked: as a key it is outside the run. */
static void bad_key_in_a_submitted_record_faults(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		T_MAP(BPF_REG_1, 0),				/* 0 */
		BPF_MOV64_IMM(BPF_REG_2, 8),			/* 2 */
		BPF_MOV64_IMM(BPF_REG_3, 0),			/* 3 */
		T_CALL(BPF_FUNC_ringbuf_reserve),		/* 4 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 8),		/* 5 -> 14 */
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_0),		/* 6 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),		/* 7 */
		BPF_MOV64_IMM(BPF_REG_2, 0),			/* 8 */
		T_CALL(BPF_FUNC_ringbuf_submit),		/* 9 */
		T_MAP(BPF_REG_1, 1),				/* 10 */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),		/* 12 */
		T_CALL(BPF_FUNC_map_lookup_elem),		/* 13 */
		BPF_EXIT_INSN(),				/* 14 */
	};
	struct kbpf_map *rb = new_ringbuf(test, PAGE_SIZE);
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct henv *e = HENV(test, insns, rb);
	u64 r0;

	henv_map(e, h);
	r0 = hinterp(e, NULL, 0, false);
	EXPECT_FAULT(test, e, r0, -EFAULT, 13, GRANT(0, 0));
}

static struct kunit_case kbpf_helpers_bad_arg_cases[] = {
	KUNIT_CASE_PARAM(bad_helper_argument_faults_and_changes_nothing, bad_gen_params),
	KUNIT_CASE(bad_key_in_a_submitted_record_faults),
	{}
};

static struct kunit_suite kbpf_helpers_bad_arg_suite = {
	.name = "kbpf_helpers_bad_args",
	.test_cases = kbpf_helpers_bad_arg_cases,
};

/* --- hard interrupt context */

struct irq_run {
	struct irq_work work;
	struct kbpf_prog *prog;
	void *ctx;
	u32 ctx_size;
	bool hardirq;
	int err;
	u64 ret;
};

static void irq_run_fn(struct irq_work *work)
{
	struct irq_run *r = container_of(work, struct irq_run, work);

	r->hardirq = in_hardirq();
	r->err = kbpf_prog_run(r->prog, r->ctx, r->ctx_size, true, &r->ret);
}

/* Run @e once from an irq_work: kbpf_prog_run()'s error, R0 in *ret. */
static int run_in_hardirq(struct kunit *test, struct henv *e, void *ctx, u32 ctx_size,
			  u64 *ret)
{
	struct irq_run r = { .prog = &e->prog, .ctx = ctx, .ctx_size = ctx_size,
			     .err = -1 };

	init_irq_work(&r.work, irq_run_fn);
	irq_work_queue(&r.work);
	irq_work_sync(&r.work);
	KUNIT_EXPECT_TRUE(test, r.hardirq);
	*ret = r.ret;
	return r.err;
}

/*
 * update(hash, ctx, ctx + 8); v = lookup(hash, ctx); *v += 5 (atomic);
 * push(queue, v); R0 = *v, or the failing call's error.
 */
static const struct bpf_insn irq_maps_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),			/* 3 */
	BPF_MOV64_REG(BPF_REG_3, BPF_REG_6),			/* 4 */
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, 8),			/* 5 */
	BPF_MOV64_IMM(BPF_REG_4, BPF_ANY),			/* 6 */
	T_CALL(BPF_FUNC_map_update_elem),			/* 7 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 16),			/* 8 -> 25 */
	T_MAP(BPF_REG_1, 0),					/* 9 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),			/* 11 */
	T_CALL(BPF_FUNC_map_lookup_elem),			/* 12 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 11),			/* 13 -> 25 */
	BPF_MOV64_REG(BPF_REG_7, BPF_REG_0),			/* 14 */
	BPF_MOV64_IMM(BPF_REG_1, 5),				/* 15 */
	BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_7, BPF_REG_1, 0),	/* 16 */
	T_MAP(BPF_REG_1, 1),					/* 17 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_7),			/* 19 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 20 */
	T_CALL(BPF_FUNC_map_push_elem),				/* 21 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 2),			/* 22 -> 25 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_7, 0),		/* 23 */
	BPF_EXIT_INSN(),					/* 24 */
	BPF_EXIT_INSN(),					/* 25 */
};

static void map_helpers_work_in_hardirq_context(struct kunit *test)
{
	struct kbpf_map *h = new_map(test, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct kbpf_map *q = new_map(test, BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0);
	struct henv *e = HENV(test, irq_maps_insns, h);
	struct henv *fe = HENV(test, for_each_insns, h);
	struct fe_ctx c = { .stop = 99, .func = FH + FE_CB };
	u64 ctx[2], ret, v;
	u32 k;

	henv_map(e, q);
	for (k = 1; k <= 3; k++) {
		ctx[0] = k;
		ctx[1] = k * 10;
		KUNIT_EXPECT_EQ(test, run_in_hardirq(test, e, ctx, sizeof(ctx), &ret), 0);
		KUNIT_EXPECT_EQ(test, ret, k * 10 + 5);
	}
	for (k = 1; k <= 3; k++) {
		KUNIT_EXPECT_EQ(test, sys_get(h, k), k * 10 + 5);
		KUNIT_EXPECT_EQ(test, sys_lookup(q, NULL, &v), 0);
		KUNIT_EXPECT_EQ(test, v, k * 10 + 5);
		KUNIT_EXPECT_EQ(test, q->ops->pop(q, &v), 0);
	}
	/* and the walk */
	KUNIT_EXPECT_EQ(test, run_in_hardirq(test, fe, &c, sizeof(c), &ret), 0);
	KUNIT_EXPECT_EQ(test, c.ret, 3);
	KUNIT_EXPECT_EQ(test, c.sum, 15 + 25 + 35);
}

/* ringbuf_output(ctx, 8), then a 16-byte record with ctx's u64 at 8, submitted */
static const struct bpf_insn irq_ringbuf_insns[] = {
	BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),			/* 0 */
	T_MAP(BPF_REG_1, 0),					/* 1 */
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),			/* 3 */
	BPF_MOV64_IMM(BPF_REG_3, 8),				/* 4 */
	BPF_MOV64_IMM(BPF_REG_4, 0),				/* 5 */
	T_CALL(BPF_FUNC_ringbuf_output),			/* 6 */
	BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 11),			/* 7 -> 19 */
	T_MAP(BPF_REG_1, 0),					/* 8 */
	BPF_MOV64_IMM(BPF_REG_2, 16),				/* 10 */
	BPF_MOV64_IMM(BPF_REG_3, 0),				/* 11 */
	T_CALL(BPF_FUNC_ringbuf_reserve),			/* 12 */
	BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 5),			/* 13 -> 19 */
	BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 0),		/* 14 */
	BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 8),		/* 15 */
	BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),			/* 16 */
	BPF_MOV64_IMM(BPF_REG_2, 0),				/* 17 */
	T_CALL(BPF_FUNC_ringbuf_submit),			/* 18 */
	BPF_EXIT_INSN(),					/* 19 */
};

static void ringbuf_and_perf_output_work_in_hardirq_context(struct kunit *test)
{
	struct kbpf_perf_buffer **bufs = kunit_kcalloc(test, nr_cpu_ids, sizeof(*bufs),
						       GFP_KERNEL);
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct henv *e = HENV(test, irq_ringbuf_insns, map);
	struct henv *left = HENV(test, rb_reserve_insns, map);
	struct rbr_ctx rc = { .size = 8, .how = 2 };
	struct perf_ctx pc = { BPF_F_CURRENT_CPU, 16, 99, 99 };
	struct view v = view_of(map);
	u64 x = 0x1234, ret;
	struct rec recs[4];
	struct henv *pe;

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	KUNIT_EXPECT_EQ(test, run_in_hardirq(test, e, &x, sizeof(x), &ret), 0);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, consume(&v, recs, 4), 2);
	KUNIT_EXPECT_EQ(test, recs[0].len, 8);
	KUNIT_EXPECT_EQ(test, *(u64 *)rec_data(&v, recs[0].pos), 0x1234);
	KUNIT_EXPECT_EQ(test, recs[1].len, 16);
	KUNIT_EXPECT_EQ(test, *(u64 *)(rec_data(&v, recs[1].pos) + 8), 0x1234);

	/* a record left reserved there is discarded there */
	KUNIT_EXPECT_EQ(test, run_in_hardirq(test, left, &rc, sizeof(rc), &ret), -EFAULT);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 4), 0);
	KUNIT_EXPECT_EQ(test, busy_records(&v), 0);
	kbpf_ringbuf_wakeup_sync(map);

	pe = HENV(test, perf_output_insns, new_perf_array(test, bufs));
	KUNIT_EXPECT_EQ(test, run_in_hardirq(test, pe, &pc, sizeof(pc), &ret), 0);
	KUNIT_EXPECT_EQ(test, pc.ret, 0);
	KUNIT_ASSERT_LT(test, pc.cpu, nr_cpu_ids);
	expect_sample(test, bufs[pc.cpu], 0, perf_data, 16);
}

static struct kunit_case kbpf_helpers_irq_cases[] = {
	KUNIT_CASE(map_helpers_work_in_hardirq_context),
	KUNIT_CASE(ringbuf_and_perf_output_work_in_hardirq_context),
	{}
};

static struct kunit_suite kbpf_helpers_irq_suite = {
	.name = "kbpf_helpers_irq",
	.test_cases = kbpf_helpers_irq_cases,
};

kunit_test_suites(&kbpf_helpers_map_suite, &kbpf_helpers_for_each_suite,
		  &kbpf_helpers_probe_suite, &kbpf_helpers_misc_suite,
		  &kbpf_helpers_output_suite, &kbpf_helpers_bad_arg_suite,
		  &kbpf_helpers_irq_suite);
