/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbpf programs: objects (prog.c), the load-time checker (check.c), the
 * interpreter and its run-time memory model (interp.c), the helpers
 * (helpers.c) and raw tracepoints (tracepoint.c).
 *
 * The memory model.  A program never holds a kernel address.  Every
 * pointer it sees is a virtual address in its run's own address space:
 * bits 63..32 name a region of the run (its index + 1), bits 31..0 an
 * offset into it.  Regions are the stack (all call frames), the context,
 * the map values relocated into the program (BPF_PSEUDO_MAP_VALUE), and
 * what helpers hand out during the run (map values, ring buffer records).
 * Every load, store and atomic, and every pointer a helper is given, is
 * translated through the region table and checked against the region's
 * size and permissions; anything else stops the run.  Map references from
 * BPF_PSEUDO_MAP_FD are handles (KBPF_MAP_HANDLE_BASE + index into the
 * program's maps), valid as helper arguments only.  So a program cannot
 * read or write memory it was not given, and cannot leak a kernel
 * address, whatever instructions it runs.
 */
#ifndef _KBPF_PROG_H
#define _KBPF_PROG_H

#include <linux/filter.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "kbpf.h"

/* Opcodes newer than the 6.1 UAPI headers (cpu v4). */
#ifndef BPF_MEMSX
#define BPF_MEMSX	0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND	0xe0
#endif

#define KBPF_MAX_INSNS		1000000		/* BPF_COMPLEXITY_LIMIT_INSNS */
#define KBPF_STACK_SIZE		512		/* MAX_BPF_STACK, per frame */
#define KBPF_MAX_FRAMES		8		/* MAX_CALL_FRAMES */
#define KBPF_RUN_BUDGET		BIT(24)		/* instructions per run */
#define KBPF_MAX_REGIONS	128		/* regions per run */

/*
 * kbpf_interp_prepare()'s own opcodes, in the mode LDX/STX/ST do not use:
 * a load or store at R10 + off that lies in the current frame whatever
 * the run, so needs no translation.
 */
#define KBPF_MODE_FP		0xe0
#define KBPF_MAX_USED_MAPS	64		/* MAX_USED_MAPS */

/* Virtual addresses: region index + 1 in the high half, offset in the low. */
#define KBPF_VADDR(region, off)	(((u64)(region) + 1) << 32 | (u32)(off))
#define KBPF_VADDR_REGION(va)	((u32)((va) >> 32) - 1)
#define KBPF_VADDR_OFF(va)	((u32)(va))

/* What BPF_PSEUDO_MAP_FD loads: not an address, a map handle. */
#define KBPF_MAP_HANDLE_BASE	0xffff0000ULL
/* What BPF_PSEUDO_FUNC loads: a function handle (its first instruction). */
#define KBPF_FUNC_HANDLE_BASE	0xfffe000000000000ULL

enum kbpf_region_kind {
	KBPF_REGION_FREE = 0,		/* revoked (e.g. a submitted record) */
	KBPF_REGION_STACK,
	KBPF_REGION_CTX,
	KBPF_REGION_MAP_VALUE,
	KBPF_REGION_RINGBUF_RECORD,
};

/**
 * struct kbpf_region - memory a run may touch
 * @base:  the kernel address
 * @size:  bytes
 * @kind:  enum kbpf_region_kind
 * @write: stores allowed
 */
struct kbpf_region {
	void *base;
	u32 size;
	u8 kind;
	bool write;
};

/**
 * struct kbpf_prog_stats - per-cpu counters of a program
 * @run_cnt:          completed runs
 * @run_time_ns:      their time, counted while kernel.bpf_stats_enabled is on
 * @faults:           runs stopped by a violation or the budget
 * @recursion_misses: runs refused because the program was running on this
 *                    CPU already
 */
struct kbpf_prog_stats {
	u64 run_cnt;
	u64 run_time_ns;
	u64 faults;
	u64 recursion_misses;
};

/**
 * struct kbpf_prog - a loaded program
 * @type:          BPF_PROG_TYPE_*
 * @expected_attach_type, @prog_flags, @kern_version: as loaded
 * @gpl:           the license is GPL-compatible
 * @len:           instructions
 * @insns:         as run: map references replaced by handles, values by
 *                 virtual addresses, frame accesses by kbpf_interp_prepare()'s
 *                 opcodes; @len + 1 of them, the last one zeroed (a guard)
 * @stack_depth:   bytes below R10 the prepared stores may write
 * @orig_insns:    as loaded, for BPF_OBJ_GET_INFO_BY_FD (no kernel address)
 * @maps:          the maps the program uses, one reference each
 * @nr_maps:       how many
 * @value_regions: the map values relocated into the program: a run's
 *                 regions 2, 3, ... in this order
 * @value_map:     for each, the index of its map in @maps
 * @nr_value_regions: how many
 * @id:            the program's id
 * @refcnt:        references: fds, attachments
 * @stats:         per-cpu counters
 * @active:        per-cpu: running on this CPU (recursion guard)
 * @tag:           the kernel's tag: SHA-1 of the instructions with map
 *                 references zeroed, first 8 bytes
 * @name:          BPF_OBJ_NAME_LEN, NUL-terminated
 * @load_time:     ktime_get_boottime_ns() at load
 * @uid:           the loader's uid
 * @charged:       bytes charged to kbpf's memory limit
 * @free_work:     the final free, in process context
 */
struct kbpf_prog {
	u32 type;
	u32 expected_attach_type;
	u32 prog_flags;
	u32 kern_version;
	bool gpl;
	u32 len;
	struct bpf_insn *insns;
	struct bpf_insn *orig_insns;
	u32 stack_depth;
	struct kbpf_map *maps[KBPF_MAX_USED_MAPS];
	u32 nr_maps;
	struct kbpf_region value_regions[KBPF_MAX_USED_MAPS];
	u8 value_map[KBPF_MAX_USED_MAPS];
	u32 nr_value_regions;
	u32 id;
	refcount_t refcnt;
	struct kbpf_prog_stats __percpu *stats;
	int __percpu *active;
	u8 tag[BPF_TAG_SIZE];
	char name[BPF_OBJ_NAME_LEN];
	u64 load_time;
	u32 uid;
	u64 charged;
	struct work_struct free_work;
};

/**
 * struct kbpf_run - one run of a program
 * @prog:       the program
 * @budget:     instructions left
 * @nr_regions: regions in use
 * @regions:    the run's address space
 * @err:        why the run stopped early: 0, -EFAULT (a bad access or
 *              helper argument), -E2BIG (budget), -EINVAL (an instruction
 *              or call that cannot run), -ENOSPC (region table full)
 * @err_insn:   the instruction that stopped it
 * @err_addr:   the virtual address involved, if any
 * @depth:      current bpf-to-bpf call depth (0: the main program)
 * @recycle:    the next helper-given map value to recycle when the region
 *              table is full
 * @stack_dirty: a store through a translated address reached the stack,
 *              so kbpf_run_scrub() clears all of frame 0
 * @stack:      KBPF_MAX_FRAMES * KBPF_STACK_SIZE bytes, region 0
 */
struct kbpf_run {
	struct kbpf_prog *prog;
	u64 budget;
	u32 nr_regions;
	struct kbpf_region regions[KBPF_MAX_REGIONS];
	int err;
	u32 err_insn;
	u64 err_addr;
	u32 depth;
	u32 recycle;
	bool stack_dirty;
	u8 *stack;
};

/*
 * The kernel address of [@va, @va + @size), or NULL when it does not lie
 * in one live region of the run with the permission asked for: the
 * interpreter's loads and stores, and kbpf_run_ptr() for helpers.
 */
static __always_inline void *kbpf_run_xlate(struct kbpf_run *run, u64 va, u64 size,
					    bool write)
{
	u32 idx = KBPF_VADDR_REGION(va), off = KBPF_VADDR_OFF(va);
	u32 nr = run->nr_regions;
	const struct kbpf_region *r;
	bool bad = idx >= nr;

	/*
	 * One branch for all the conditions: @r is in the table even for a
	 * bad @idx (clamped to 0), and what it says is used only if @idx
	 * was good.
	 */
	r = &run->regions[array_index_nospec(idx, nr)];
	bad |= r->kind == KBPF_REGION_FREE;
	bad |= size > r->size;
	bad |= off > r->size - size;
	bad |= write && !r->write;
	if (unlikely(bad))
		return NULL;
	/* a write to the stack other than at R10 + a constant: scrub it all */
	if (write)
		run->stack_dirty |= idx == 0;
	return (u8 *)r->base + off;
}

/* interp.c */
int kbpf_run_init(struct kbpf_run *run, struct kbpf_prog *prog, u8 *stack,
		  void *ctx, u32 ctx_size, bool ctx_write);
int kbpf_run_init_clean(struct kbpf_run *run, struct kbpf_prog *prog, u8 *stack,
			void *ctx, u32 ctx_size, bool ctx_write);
void kbpf_run_scrub(struct kbpf_run *run);
void kbpf_interp_prepare(struct kbpf_prog *prog);
u64 kbpf_interp(struct kbpf_run *run, u64 r1);
int kbpf_interp_call_func(struct kbpf_run *run, u64 func, const u64 args[5],
			  u64 *ret);
void *kbpf_run_ptr(struct kbpf_run *run, u64 vaddr, u64 size, bool write);
u64 kbpf_run_grant(struct kbpf_run *run, void *base, u32 size, u8 kind,
		   bool write);
struct kbpf_region *kbpf_run_region(struct kbpf_run *run, u64 vaddr);
void kbpf_run_fault(struct kbpf_run *run, int err, u64 addr);

/* helpers.c */
bool kbpf_helper_known(s32 id);
u64 kbpf_helper_call(struct kbpf_run *run, s32 id, const u64 args[5]);
struct kbpf_map *kbpf_run_map(struct kbpf_run *run, u64 handle);

/**
 * struct kbpf_log - the verifier log of a BPF_PROG_LOAD
 * @level:    the caller's log_level (0: nothing is written)
 * @buf:      a kernel buffer of @size bytes, NUL-terminated when written
 * @size:     its size
 * @len:      bytes in it now
 * @true_len: bytes the log would take, had @buf been large enough
 */
struct kbpf_log {
	u32 level;
	char *buf;
	u32 size;
	u32 len;
	u32 true_len;
};

/* prog.c */
int kbpf_prog_module_init(void);
void kbpf_prog_module_exit(void);
u64 kbpf_prog_mem(const struct kbpf_prog *prog);
void kbpf_prog_inc(struct kbpf_prog *prog);
void kbpf_prog_put(struct kbpf_prog *prog);
struct kbpf_prog *kbpf_prog_from_file(struct file *file);
struct kbpf_prog *kbpf_prog_get(u32 ufd);
int kbpf_prog_run(struct kbpf_prog *prog, void *ctx, u32 ctx_size,
		  bool ctx_write, u64 *ret);
int kbpf_prog_get_info(struct kbpf_prog *prog, const union bpf_attr *attr,
		       bpfptr_t uattr);
void kbpf_prog_show_all(struct seq_file *m);

/* debugfs.c */
void kbpf_debugfs_init(void);
void kbpf_debugfs_exit(void);

/* helpers.c: the tracing instance */
int kbpf_helpers_module_init(void);
void kbpf_helpers_module_exit(void);

/* check.c */
__printf(2, 3) void kbpf_log(struct kbpf_log *log, const char *fmt, ...);
int kbpf_check_prog(struct kbpf_log *log, const struct bpf_insn *insns, u32 len);

#endif /* _KBPF_PROG_H */
