// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Allocation failures, one at a time: for each operation, fail-nth
 * (/proc/thread-self/fail-nth, the debug kernel's FAULT_INJECTION with
 * FAILSLAB and FAIL_PAGE_ALLOC set to fail sleeping allocations of any
 * order too) makes the 1st, 2nd, ... fault-injectable allocation of the
 * call fail, until the call makes fewer than that.  Each time, the call
 * must succeed or fail with ENOMEM, and what it worked on must still
 * answer correctly: a map created anyway works, an update either happened
 * or left the old value, a batch update applied exactly the elements it
 * counted, a loaded program runs, an attached program counts events and a
 * failed attach leaves none, a perf buffer or ring buffer maps.  After
 * every sweep debugfs counts the bytes and objects it did before (and
 * run-tests.sh has kmemleak look at the end).
 *
 * Operations: map creation of every type, element updates (preallocated
 * and not, per-CPU, LRU, queue, perf event array), a batch update, program
 * load with relocation and a log, its test run and info (xlated
 * instructions, map ids), a lookup batch, raw_tp attach, perf buffer
 * creation and mmap, ring buffer and mmapable array mmap.  KBPF_FAULT_MAX
 * (default 2000) bounds each sweep.  Without fail-nth (the stock kernels)
 * it reports one skipped test.
 */
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../tap.h"
#include "harden.h"

#define FAIL_NTH "/proc/thread-self/fail-nth"

static int nth_fd = -1;
static long page;
static int max_nth = 2000;
static unsigned long total_runs, total_injected, total_enomem;

/* debugfs knobs set for the run, and what they were */
static const struct knob {
	const char *path, *value;
} knobs[] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
};
static char saved[TAP_COUNT(knobs)][32];

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(s, f) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

static void knobs_set(bool restore)
{
	size_t i;

	for (i = 0; i < TAP_COUNT(knobs); i++) {
		if (!restore) {
			FILE *f = fopen(knobs[i].path, "r");

			saved[i][0] = 0;
			if (f) {
				if (!fgets(saved[i], sizeof(saved[i]), f))
					saved[i][0] = 0;
				fclose(f);
			}
		}
		if (restore && !saved[i][0])
			continue;
		if (write_str(knobs[i].path, restore ? saved[i] : knobs[i].value))
			tap_fail("cannot set %s", knobs[i].path);
	}
}

static void nth_arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, (size_t)len, 0) != len)
		tap_fail("cannot arm fail-nth: %s", strerror(errno));
}

/* Disarm; whether the armed failure was injected. */
static bool nth_disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	nth_arm(0);
	return n > 0 && strtol(buf, NULL, 10) == 0;
}

/*
 * An operation under test: @run makes exactly one system call (with the
 * n-th allocation set to fail) and returns its result or -errno; @check
 * looks at what it worked on afterwards; @undo releases what it made.
 */
struct op {
	const char *name;
	long (*run)(struct op *op, int n);
	void (*check)(struct op *op, int n, long ret);
	void (*undo)(struct op *op, int n, long ret);
	uint32_t type, key_size, value_size, max_entries, flags;
	int fd, aux;
};

static long long base_objs;

/*
 * Run @op with the n-th allocation failing, n = 1, 2, ... until none does.
 * @held: the kbpf objects the test holds meanwhile (frees of earlier ones
 * are deferred: the baseline is taken once only those are left).
 */
static void sweep(struct op *op, int held)
{
	long long objs = h_settle("objects", base_objs + held), used = h_memory_field("used");
	unsigned long enomem = 0, other = 0, injected = 0;
	int n, last_other = 0;
	long ret = 0;

	for (n = 1; n <= max_nth; n++) {
		bool hit;

		nth_arm(n);
		ret = op->run(op, n);
		hit = nth_disarm();
		total_runs++;
		if (hit)
			injected++;
		if (ret == -ENOMEM) {
			enomem++;
		} else if (ret < 0) {
			other++;
			last_other = (int)-ret;
		}
		if (op->check)
			op->check(op, n, ret);
		if (op->undo)
			op->undo(op, n, ret);
		if (!hit)
			break;
	}
	if (n > max_nth)
		printf("# %s: still failing at fail-nth %d, the bound\n", op->name, max_nth);
	else if (ret < 0)
		tap_fail("%s: fails (%ld) with no fault injected", op->name, ret);
	if (other)
		tap_fail("%s: %lu runs failed with errors other than ENOMEM (last %s)",
			 op->name, other, strerrorname_np(last_other));
	total_injected += injected;
	total_enomem += enomem;
	printf("# %s: %lu allocations failed in turn: %lu calls failed with ENOMEM, %lu succeeded\n",
	       op->name, injected, enomem, injected - enomem - other);
	if (h_settle("used", used) != used || h_settle("objects", objs) != objs)
		tap_fail("%s: kbpf holds %lld bytes and %lld objects, not %lld and %lld",
			 op->name, h_memory_field("used"), h_memory_field("objects"),
			 used, objs);
}

/* ---- map creation ---- */

static long create_run(struct op *op, int n)
{
	(void)n;
	return h_map_create(op->type, op->key_size, op->value_size,
			    op->max_entries, op->flags);
}

static void create_check(struct op *op, int n, long ret)
{
	uint64_t v[64] = { 0 }, got[64];
	uint32_t key = 1;
	int fd = (int)ret;
	void *p;

	(void)n;
	if (fd < 0)
		return;
	switch (op->type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		v[0] = 77;
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, fd, NULL, v, 0), 0);
		EXPECT_EQ(h_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, got, 0), 0);
		EXPECT_EQ(got[0], 77);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, page);
		EXPECT(p != MAP_FAILED);
		if (p != MAP_FAILED)
			munmap(p, (size_t)page);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		EXPECT_EQ(h_elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, &key, 0), 0);
		break;
	default:
		v[0] = 77;
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, fd, &key, v, 0), 0);
		EXPECT_EQ(h_elem(BPF_MAP_LOOKUP_ELEM, fd, &key, got, 0), 0);
		EXPECT_EQ(got[0], 77);
	}
}

static void close_undo(struct op *op, int n, long ret)
{
	(void)op;
	(void)n;
	if (ret >= 0)
		close((int)ret);
}

static struct op creates[] = {
	{ "create ARRAY", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_ARRAY, 4, 8, 64, 0, 0, 0 },
	{ "create mmapable ARRAY", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_ARRAY, 4, 8, 1024, BPF_F_MMAPABLE, 0, 0 },
	{ "create PERCPU_ARRAY", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0, 0, 0 },
	{ "create HASH", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_HASH, 4, 8, 64, 0, 0, 0 },
	{ "create HASH (no prealloc)", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_HASH, 4, 8, 64, BPF_F_NO_PREALLOC, 0, 0 },
	{ "create PERCPU_HASH", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16, 0, 0, 0 },
	{ "create LRU_HASH", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_LRU_HASH, 4, 8, 64, 0, 0, 0 },
	{ "create LRU_PERCPU_HASH", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 16, 0, 0, 0 },
	{ "create QUEUE", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_QUEUE, 0, 8, 64, 0, 0, 0 },
	{ "create STACK", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_STACK, 0, 8, 64, 0, 0, 0 },
	{ "create PERF_EVENT_ARRAY", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 0, 0 },
	{ "create RINGBUF", create_run, create_check, close_undo,
	  BPF_MAP_TYPE_RINGBUF, 0, 0, 16384, 0, 0, 0 },
};

static void map_creation_of_every_type(void)
{
	size_t i;

	for (i = 0; i < TAP_COUNT(creates); i++)
		sweep(&creates[i], 0);
}

/* ---- element updates ---- */

static uint64_t value_of(int n)
{
	return (uint64_t)n * 7 + 1;
}

static long update_run(struct op *op, int n)
{
	uint64_t v[64];
	uint32_t key = op->type == BPF_MAP_TYPE_ARRAY ? (uint32_t)n % op->max_entries
						       : (uint32_t)n;
	unsigned int i;

	for (i = 0; i < 64; i++)
		v[i] = value_of(n);
	if (op->type == BPF_MAP_TYPE_QUEUE)
		return h_elem(BPF_MAP_UPDATE_ELEM, op->fd, NULL, v, 0);
	if (op->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return h_elem(BPF_MAP_UPDATE_ELEM, op->fd, &(uint32_t){ 0 }, &op->aux, 0);
	return h_elem(BPF_MAP_UPDATE_ELEM, op->fd, &key, v, BPF_ANY);
}

/* The element is there with its value if the update worked, else absent. */
static void update_check(struct op *op, int n, long ret)
{
	uint64_t got[64] = { 0 };
	uint32_t key = op->type == BPF_MAP_TYPE_ARRAY ? (uint32_t)n % op->max_entries
						       : (uint32_t)n;
	int err;

	if (op->type == BPF_MAP_TYPE_QUEUE) {
		err = h_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, op->fd, NULL, got, 0);
		EXPECT_EQ(err, ret ? -ENOENT : 0);
		if (!ret)
			EXPECT_EQ(got[0], value_of(n));
		return;
	}
	if (op->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		/* stored iff it worked: then it deletes */
		EXPECT_EQ(h_elem(BPF_MAP_DELETE_ELEM, op->fd, &(uint32_t){ 0 }, NULL, 0),
			  ret ? -ENOENT : 0);
		return;
	}
	err = h_elem(BPF_MAP_LOOKUP_ELEM, op->fd, &key, got, 0);
	if (op->type == BPF_MAP_TYPE_ARRAY) {
		/* an array's update cannot fail for memory: it is all there */
		EXPECT_EQ(err, 0);
		EXPECT_EQ(got[0], ret ? 0 : value_of(n));
		return;
	}
	EXPECT_EQ(err, ret ? -ENOENT : 0);
	if (!ret && !err)
		EXPECT_EQ(got[0], value_of(n));
}

static void update_undo(struct op *op, int n, long ret)
{
	uint32_t key = (uint32_t)n;
	uint64_t zero[64] = { 0 };

	if (ret)
		return;
	if (op->type == BPF_MAP_TYPE_ARRAY)
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, op->fd, &(uint32_t){ key % op->max_entries },
				 zero, 0), 0);
	else if (op->type != BPF_MAP_TYPE_QUEUE && op->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		EXPECT_EQ(h_elem(BPF_MAP_DELETE_ELEM, op->fd, &key, NULL, 0), 0);
}

static struct op updates[] = {
	{ "update ARRAY", update_run, update_check, update_undo,
	  BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0, -1, 0 },
	{ "update HASH", update_run, update_check, update_undo,
	  BPF_MAP_TYPE_HASH, 4, 8, 4096, 0, -1, 0 },
	{ "update HASH (no prealloc)", update_run, update_check, update_undo,
	  BPF_MAP_TYPE_HASH, 4, 8, 4096, BPF_F_NO_PREALLOC, -1, 0 },
	{ "update PERCPU_HASH (no prealloc)", update_run, update_check, update_undo,
	  BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4096, BPF_F_NO_PREALLOC, -1, 0 },
	{ "update LRU_HASH", update_run, update_check, update_undo,
	  BPF_MAP_TYPE_LRU_HASH, 4, 8, 4096, 0, -1, 0 },
	{ "push QUEUE", update_run, update_check, NULL,
	  BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0, -1, 0 },
	{ "update PERF_EVENT_ARRAY", update_run, update_check, NULL,
	  BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, -1, 0 },
};

static void element_updates(void)
{
	size_t i;

	for (i = 0; i < TAP_COUNT(updates); i++) {
		struct op *op = &updates[i];

		op->fd = h_map_create(op->type, op->key_size, op->value_size,
				      op->max_entries, op->flags);
		op->aux = op->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? h_perf_buffer(0) : -1;
		if (op->fd < 0 || (op->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && op->aux < 0)) {
			tap_fail("%s: cannot make the map", op->name);
			continue;
		}
		sweep(op, op->aux >= 0 ? 2 : 1);
		close(op->fd);
		if (op->aux >= 0)
			close(op->aux);
	}
}

/* ---- batch update ---- */

#define BATCH 16

static long batch_run(struct op *op, int n)
{
	uint32_t keys[BATCH], i;
	uint64_t values[BATCH];
	union bpf_attr a;
	long err;

	for (i = 0; i < BATCH; i++) {
		keys[i] = i;
		values[i] = value_of(n) + i;
	}
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)op->fd;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = BATCH;
	err = h_sys(BPF_MAP_UPDATE_BATCH, &a);
	op->aux = (int)a.batch.count;
	return err;
}

/* Exactly the first count elements went in. */
static void batch_check(struct op *op, int n, long ret)
{
	uint32_t i;
	uint64_t v;

	if (!ret)
		EXPECT_EQ(op->aux, BATCH);
	for (i = 0; i < BATCH; i++) {
		int err = h_elem(BPF_MAP_LOOKUP_ELEM, op->fd, &i, &v, 0);

		if ((int)i < op->aux) {
			EXPECT_EQ(err, 0);
			EXPECT_EQ(v, value_of(n) + i);
		} else {
			EXPECT_EQ(err, -ENOENT);
		}
	}
}

static void batch_undo(struct op *op, int n, long ret)
{
	uint32_t i;

	(void)n;
	(void)ret;
	for (i = 0; i < (uint32_t)op->aux; i++)
		EXPECT_EQ(h_elem(BPF_MAP_DELETE_ELEM, op->fd, &i, NULL, 0), 0);
}

static void batch_update(void)
{
	struct op op = { "batch update HASH (no prealloc)", batch_run, batch_check,
			 batch_undo, 0, 0, 0, 0, 0, -1, 0 };

	op.fd = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 64, BPF_F_NO_PREALLOC);
	EXPECT(op.fd >= 0);
	if (op.fd >= 0)
		sweep(&op, 1);
	close(op.fd);
}

/* ---- programs ---- */

static char log_buf[4096];

static long load_run(struct op *op, int n)
{
	struct bpf_insn insns[] = {
		ST(BPF_W, 10, -4, 0), LD_MAP(1, op->fd), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem),
		MOV64_IMM(0, 42), EXIT(),
	};

	(void)n;
	return h_prog_load_log(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, NR(insns),
			       log_buf, sizeof(log_buf), 1);
}

static void load_check(struct op *op, int n, long ret)
{
	uint64_t args[2] = { 0 };
	union bpf_attr a;

	(void)op;
	(void)n;
	if (ret < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)ret;
	a.test.ctx_in = (uintptr_t)args;
	a.test.ctx_size_in = sizeof(args);
	EXPECT_EQ(h_sys(BPF_PROG_TEST_RUN, &a), 0);
	EXPECT_EQ(a.test.retval, 42);
}

static long attach_run(struct op *op, int n)
{
	(void)n;
	return h_attach(op->aux, "sys_enter");
}

/* Attached: it counts getppid(); not attached: nothing does. */
static void attach_check(struct op *op, int n, long ret)
{
	uint64_t before = h_read0(op->fd);
	int i;

	(void)n;
	for (i = 0; i < 5; i++)
		syscall(SYS_getppid);
	EXPECT_EQ(h_read0(op->fd) - before, ret >= 0 ? 5 : 0);
}

/* BPF_PROG_TEST_RUN of the program load_run() makes (op->aux). */
static long test_run_run(struct op *op, int n)
{
	uint64_t args[2] = { 0 };
	union bpf_attr a;
	long err;

	(void)n;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)op->aux;
	a.test.ctx_in = (uintptr_t)args;
	a.test.ctx_size_in = sizeof(args);
	err = h_sys(BPF_PROG_TEST_RUN, &a);
	if (!err && a.test.retval != 42)
		tap_fail("%s: retval %u", op->name, a.test.retval);
	return err;
}

/* Its info, with the xlated instructions and map ids. */
static long info_run(struct op *op, int n)
{
	struct bpf_insn x[16];
	struct bpf_prog_info info;
	uint32_t ids[4];
	union bpf_attr a;
	long err;

	(void)n;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = sizeof(x);
	info.xlated_prog_insns = (uintptr_t)x;
	info.nr_map_ids = 4;
	info.map_ids = (uintptr_t)ids;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)op->aux;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	err = h_sys(BPF_OBJ_GET_INFO_BY_FD, &a);
	if (!err && (info.xlated_prog_len != 8 * sizeof(x[0]) || info.nr_map_ids != 1))
		tap_fail("%s: %u bytes of instructions, %u maps", op->name,
			 info.xlated_prog_len, info.nr_map_ids);
	return err;
}

/* A LOOKUP_BATCH over a HASH map of 8 elements: all 8 when it works. */
static long lookup_batch_run(struct op *op, int n)
{
	uint32_t keys[16], cursor;
	uint64_t values[16];
	union bpf_attr a;
	long err;

	(void)n;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)op->fd;
	a.batch.out_batch = (uintptr_t)&cursor;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = 16;
	err = h_sys(BPF_MAP_LOOKUP_BATCH, &a);
	if (err == -ENOENT)	/* the whole map in one go */
		err = 0;
	if (!err && a.batch.count != 8)
		tap_fail("%s: %u elements", op->name, a.batch.count);
	return err;
}

static void programs(void)
{
	struct op load = { "program load", load_run, load_check, close_undo,
			   0, 0, 0, 0, 0, -1, -1 };
	struct op attach = { "raw_tp attach", attach_run, attach_check, close_undo,
			     0, 0, 0, 0, 0, -1, -1 };

	load.fd = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	EXPECT(load.fd >= 0);
	sweep(&load, 1);
	{
		struct op run = { "program test run", test_run_run, NULL, NULL,
				  0, 0, 0, 0, 0, -1, -1 };
		struct op info = { "program info", info_run, NULL, NULL,
				   0, 0, 0, 0, 0, -1, -1 };
		struct op batch = { "lookup batch HASH", lookup_batch_run, NULL, NULL,
				    0, 0, 0, 0, 0, -1, -1 };
		uint32_t k;
		uint64_t v = 5;

		run.aux = info.aux = (int)load_run(&load, 0);
		EXPECT(run.aux >= 0);
		sweep(&run, 2);
		sweep(&info, 2);
		close(run.aux);
		batch.fd = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
		for (k = 0; k < 8; k++)
			EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, batch.fd, &k, &v, 0), 0);
		sweep(&batch, 2);
		close(batch.fd);
	}
	close(load.fd);

	attach.fd = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	attach.aux = h_counter_prog(attach.fd);
	EXPECT(attach.fd >= 0 && attach.aux >= 0);
	sweep(&attach, 2);
	close(attach.aux);
	close(attach.fd);
}

/* ---- perf and ring buffers ---- */

static long perf_buffer_run(struct op *op, int n)
{
	(void)op;
	(void)n;
	return h_perf_buffer(0);
}

static long mmap_run(struct op *op, int n)
{
	void *p;

	(void)n;
	p = mmap(NULL, (size_t)op->max_entries * page, op->flags, MAP_SHARED, op->fd,
		 op->key_size * page);
	return p == MAP_FAILED ? -errno : (long)p;
}

static void mmap_check(struct op *op, int n, long ret)
{
	volatile const uint64_t *p = (const uint64_t *)ret;

	(void)n;
	if (ret < 0)
		return;
	/* a fresh ring: zero positions; a perf header: data_offset */
	if (op->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		EXPECT_EQ(((const struct perf_event_mmap_page *)p)->data_offset, page);
	else
		EXPECT_EQ(p[0], 0);
}

static void mmap_undo(struct op *op, int n, long ret)
{
	(void)n;
	if (ret >= 0)
		munmap((void *)ret, (size_t)op->max_entries * page);
}

static void perf_and_ring_buffers(void)
{
	struct op create = { "perf buffer creation", perf_buffer_run, NULL, close_undo,
			     0, 0, 0, 0, 0, -1, -1 };
	/* key_size: the page offset, max_entries: pages, flags: protection */
	struct op perf = { "perf buffer mmap", mmap_run, mmap_check, mmap_undo,
			   BPF_MAP_TYPE_PERF_EVENT_ARRAY, 0, 0, 3,
			   PROT_READ | PROT_WRITE, -1, -1 };
	struct op ring = { "ring buffer mmap", mmap_run, mmap_check, mmap_undo,
			   BPF_MAP_TYPE_RINGBUF, 1, 0, 9, PROT_READ, -1, -1 };
	struct op array = { "mmapable array mmap", mmap_run, mmap_check, mmap_undo,
			    BPF_MAP_TYPE_ARRAY, 0, 0, 1, PROT_READ | PROT_WRITE, -1, -1 };

	sweep(&create, 0);
	perf.fd = h_perf_buffer(0);
	ring.fd = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4 * (uint32_t)page, 0);
	array.fd = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 64, BPF_F_MMAPABLE);
	EXPECT(perf.fd >= 0 && ring.fd >= 0 && array.fd >= 0);
	sweep(&perf, 3);
	sweep(&ring, 3);
	sweep(&array, 3);
	close(perf.fd);
	close(ring.fd);
	close(array.fd);
}

static const struct tap_test tests[] = {
	TAP_TEST(map_creation_of_every_type),
	TAP_TEST(element_updates),
	TAP_TEST(batch_update),
	TAP_TEST(programs),
	TAP_TEST(perf_and_ring_buffers),
};

int main(void)
{
	const char *env = getenv("KBPF_FAULT_MAX");
	int ret;

	page = sysconf(_SC_PAGESIZE);
	if (env)
		max_nth = atoi(env);
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || access("/sys/kernel/debug/failslab", F_OK) ||
	    h_kbpf() < 0 || h_memory_field("used") < 0) {
		printf("ok - test_fault_inject # SKIP no %s, failslab or kbpf debugfs\n",
		       FAIL_NTH);
		return 0;
	}
	/* what earlier tests left is freed by now, or never will be */
	h_sleep_ms(200);
	base_objs = h_memory_field("objects");
	knobs_set(false);
	tap_run(tests, TAP_COUNT(tests), "fault_inject: ");
	knobs_set(true);
	printf("# %lu calls, %lu with an allocation failed, %lu of them ENOMEM\n",
	       total_runs, total_injected, total_enomem);
	ret = tap_done();
	return ret;
}
