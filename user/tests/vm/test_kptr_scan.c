// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * No kbpf output carries a kernel address or bytes the caller did not ask
 * for.  Every output buffer is pre-filled with a pattern (0xa5) and, after
 * the call, scanned: no 8-byte window (at every 4-byte offset) holds a
 * value in the kernel's half of the address space (0xffff800000000000 up
 * to, not including, small negative numbers), no text holds such a hex
 * number, bytes past what the command reports writing still hold the
 * pattern, and padding and fresh values read as zeros, as the kernel
 * writes them.
 *
 * Covered: BPF_OBJ_GET_INFO_BY_FD of every map type and of a program
 * (oversized info_len, map_ids, xlated instructions with relocated
 * ld_imm64), lookup/get_next_key/lookup_and_delete of every map type with
 * odd key and value sizes (per-CPU padding included), lookup batches of
 * hash and array maps (keys, values, cursor), ring buffer, perf buffer and
 * mmapable array mappings before and after programs wrote records, the
 * verifier log of failed and successful loads, a syscall program's
 * context written back by BPF_PROG_TEST_RUN after it stored its frame,
 * context and map value pointers there, a map value a program stored its
 * pointers into, PERF_EVENT_IOC_ID, fdinfo of every kind of fd, and
 * debugfs' maps, progs and memory.
 */
#include <ctype.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../tap.h"
#include "harden.h"

#define PAT 0xa5

static long page;
static unsigned int ncpus;

static bool kernelish(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xfffffffff0000000ULL;
}

static void scan(const char *what, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t v;
	size_t off;

	for (off = 0; off + 8 <= len; off += 4) {
		memcpy(&v, p + off, 8);
		if (kernelish(v)) {
			tap_fail("%s: %#llx at offset %zu", what, (unsigned long long)v, off);
			return;
		}
	}
}

/* A hex number of 12 or more digits in @text that looks like an address. */
static void scan_text(const char *what, const char *text)
{
	const char *s = text;

	while (*s) {
		size_t n = 0;

		while (isxdigit((unsigned char)s[n]))
			n++;
		if (n >= 12 && n <= 16) {
			char num[17];

			memcpy(num, s, n);
			num[n] = 0;
			if (kernelish(strtoull(num, NULL, 16))) {
				tap_fail("%s: \"%s\" looks like a kernel address", what, num);
				return;
			}
		}
		s += n ? n : 1;
	}
}

/* Bytes [from, to) of @buf all equal @c. */
static bool all(const void *buf, size_t from, size_t to, int c)
{
	const unsigned char *p = buf;

	for (; from < to; from++)
		if (p[from] != (unsigned char)c)
			return false;
	return true;
}

/* Four pattern bytes in a row in [0, len): something was left unwritten. */
static bool has_pattern_run(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 4 <= len; i++)
		if (all(p, i, i + 4, PAT))
			return true;
	return false;
}

static int get_info(int fd, void *info, uint32_t *len)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = *len;
	a.info.info = (uintptr_t)info;
	err = (int)h_sys(BPF_OBJ_GET_INFO_BY_FD, &a);
	*len = a.info.info_len;
	return err;
}

/* Map info with info_len 512: kbpf writes its struct whole, nothing past it. */
static void check_map_info(const char *what, int fd)
{
	unsigned char buf[1024];
	uint32_t len = 512, known;

	memset(buf, 0, 512);
	memset(buf + 512, PAT, 512);
	if (get_info(fd, buf, &len)) {
		tap_fail("%s: get_info failed", what);
		return;
	}
	known = len;
	/* again with the struct's own bytes pre-filled: all of them are written */
	memset(buf, PAT, known);
	len = 512;
	EXPECT_EQ(get_info(fd, buf, &len), 0);
	EXPECT_EQ(len, known);
	if (has_pattern_run(buf, known))
		tap_fail("%s: bpf_map_info has bytes kbpf did not write", what);
	if (!all(buf, known, 512, 0) || !all(buf, 512, 1024, PAT))
		tap_fail("%s: bytes past the %u of bpf_map_info were written", what, known);
	scan(what, buf, known);
}

struct type_case {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
};

static const struct type_case types[] = {
	{ "ARRAY", BPF_MAP_TYPE_ARRAY, 4, 5, 4, 0 },
	{ "PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 5, 4, 0 },
	{ "HASH", BPF_MAP_TYPE_HASH, 3, 5, 4, 0 },
	{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 3, 5, 4, 0 },
	{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 3, 5, 4, 0 },
	{ "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 3, 5, 4, 0 },
	{ "QUEUE", BPF_MAP_TYPE_QUEUE, 0, 5, 4, 0 },
	{ "STACK", BPF_MAP_TYPE_STACK, 0, 5, 4, 0 },
	{ "PERF_EVENT_ARRAY", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0 },
	{ "RINGBUF", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 },
};

static bool percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Element reads of one map: only the value's bytes written, padding zero. */
static void check_elements(const struct type_case *c, int fd)
{
	unsigned char key[8] = { 1, 2, 3, 0 }, val[8 * 64 + 64], next[16];
	size_t vlen = percpu(c->type) ? 8 * ncpus : c->value_size, cpu;
	bool keyed = c->key_size != 0;
	int err;

	if (c->type == BPF_MAP_TYPE_RINGBUF || c->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return;
	memset(val, 0, sizeof(val));
	if (c->type == BPF_MAP_TYPE_QUEUE || c->type == BPF_MAP_TYPE_STACK) {
		memset(val, 7, c->value_size);
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, fd, NULL, val, 0), 0);
	} else if (c->type != BPF_MAP_TYPE_ARRAY && c->type != BPF_MAP_TYPE_PERCPU_ARRAY) {
		for (cpu = 0; cpu < (percpu(c->type) ? ncpus : 1); cpu++)
			memset(val + cpu * 8, 7, c->value_size);
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, fd, key, val, 0), 0);
	} else {
		memset(key, 0, sizeof(key));
	}

	memset(val, PAT, sizeof(val));
	err = h_elem(BPF_MAP_LOOKUP_ELEM, fd, keyed ? key : NULL, val, 0);
	if (err)
		tap_fail("%s: lookup failed (%d)", c->name, err);
	for (cpu = 0; !err && cpu < (percpu(c->type) ? ncpus : 1); cpu++) {
		const unsigned char *slot = val + cpu * 8;
		int want = c->type == BPF_MAP_TYPE_ARRAY ||
			   c->type == BPF_MAP_TYPE_PERCPU_ARRAY ? 0 : 7;

		if (!all(slot, 0, c->value_size, want))
			tap_fail("%s: cpu %zu's value is not what was stored", c->name, cpu);
		if (percpu(c->type) && !all(slot, c->value_size, 8, 0))
			tap_fail("%s: cpu %zu's padding is not zero", c->name, cpu);
	}
	if (!all(val, vlen, sizeof(val), PAT))
		tap_fail("%s: lookup wrote past the %zu bytes of a value", c->name, vlen);
	scan(c->name, val, vlen);

	if (keyed) {
		memset(next, PAT, sizeof(next));
		err = h_elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, next, 0);
		if (err)
			tap_fail("%s: get_next_key failed (%d)", c->name, err);
		if (!all(next, c->key_size, sizeof(next), PAT))
			tap_fail("%s: get_next_key wrote past the key", c->name);
	} else {
		memset(val, PAT, sizeof(val));
		err = h_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, val, 0);
		if (err)
			tap_fail("%s: pop failed (%d)", c->name, err);
		if (!all(val, 0, c->value_size, 7) ||
		    !all(val, c->value_size, sizeof(val), PAT))
			tap_fail("%s: pop wrote other bytes than the value's", c->name);
	}
}

static void map_info_and_elements_of_every_type(void)
{
	size_t i;

	for (i = 0; i < TAP_COUNT(types); i++) {
		const struct type_case *c = &types[i];
		int fd = h_map_create(c->type, c->key_size, c->value_size,
				      c->max_entries, c->flags);

		if (fd < 0) {
			tap_fail("%s: create failed (%d)", c->name, fd);
			continue;
		}
		check_map_info(c->name, fd);
		check_elements(c, fd);
		close(fd);
	}
}

static void check_batch(const char *what, int fd, uint32_t ksz, size_t vsz,
			uint32_t want)
{
	unsigned char keys[64 * 8], values[64 * 8 * 64], cursor[16];
	union bpf_attr a;
	int err;

	memset(keys, PAT, sizeof(keys));
	memset(values, PAT, sizeof(values));
	memset(cursor, PAT, sizeof(cursor));
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)fd;
	a.batch.out_batch = (uintptr_t)cursor;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = 64;
	err = (int)h_sys(BPF_MAP_LOOKUP_BATCH, &a);
	if (err && err != -ENOENT) {
		tap_fail("%s: lookup batch failed (%d)", what, err);
		return;
	}
	EXPECT_EQ(a.batch.count, want);
	if (!all(keys, a.batch.count * ksz, sizeof(keys), PAT) ||
	    !all(values, a.batch.count * vsz, sizeof(values), PAT))
		tap_fail("%s: batch wrote past %u elements", what, a.batch.count);
	if (!all(cursor, 8, sizeof(cursor), PAT))
		tap_fail("%s: the batch cursor took more than 8 bytes", what);
	scan(what, keys, a.batch.count * ksz);
	scan(what, values, a.batch.count * vsz);
	scan(what, cursor, 8);
}

static void batch_outputs(void)
{
	int h = h_map_create(BPF_MAP_TYPE_HASH, 3, 5, 64, 0);
	int pa = h_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 5, 8, 0);
	unsigned char key[3] = { 0 }, val[5] = { 9, 9, 9, 9, 9 };
	uint32_t i;

	EXPECT(h >= 0 && pa >= 0);
	for (i = 0; i < 10; i++) {
		key[0] = (unsigned char)i;
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, h, key, val, 0), 0);
	}
	check_batch("HASH batch", h, 3, 5, 10);
	check_batch("PERCPU_ARRAY batch", pa, 4, 8 * ncpus, 8);
	close(h);
	close(pa);
}

/* ---- programs ---- */

static int syscall_prog(const struct bpf_insn *insns, uint32_t n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.prog_flags = BPF_F_SLEEPABLE;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	return (int)h_sys(BPF_PROG_LOAD, &a);
}

static int test_run(int prog, void *ctx, uint32_t ctx_size, uint32_t *retval)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_size;
	err = (int)h_sys(BPF_PROG_TEST_RUN, &a);
	if (retval)
		*retval = a.test.retval;
	return err;
}

/* A program storing r10, r1, a map value pointer and a map handle: where they show. */
static void program_pointers_stay_virtual(void)
{
	int map = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 64, 1, 0), prog;
	struct bpf_insn insns[] = {
		MOV64_REG(6, 1),
		STX(BPF_DW, 6, 10, 0),			/* ctx[0] = r10 */
		STX(BPF_DW, 6, 6, 8),			/* ctx[1] = ctx */
		ST(BPF_W, 10, -4, 0),
		LD_MAP(1, map),
		STX(BPF_DW, 6, 1, 16),			/* ctx[2] = the map */
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		STX(BPF_DW, 6, 0, 24),			/* ctx[3] = &value */
		JMP_IMM(BPF_JEQ, 0, 0, 3),
		STX(BPF_DW, 0, 10, 0),			/* value[0..3] = the same */
		STX(BPF_DW, 0, 6, 8),
		STX(BPF_DW, 0, 0, 16),
		LDX(BPF_DW, 1, 6, 16), 			/* the handle, again */
		STX(BPF_DW, 6, 1, 32),
		MOV64_REG(0, 10),
		EXIT(),
	};
	uint64_t ctx[8], value[8];
	uint32_t zero = 0, ret = 0, len;
	struct bpf_prog_info info;
	uint32_t ids[16];
	struct bpf_insn x[64];
	unsigned int i;

	prog = syscall_prog(insns, NR(insns));
	EXPECT(map >= 0 && prog >= 0);
	memset(ctx, PAT, sizeof(ctx));
	EXPECT_EQ(test_run(prog, ctx, sizeof(ctx), &ret), 0);
	scan("test_run ctx written back", ctx, sizeof(ctx));
	memset(value, PAT, sizeof(value));
	EXPECT_EQ(h_elem(BPF_MAP_LOOKUP_ELEM, map, &zero, value, 0), 0);
	scan("map value a program stored its pointers in", value, sizeof(value));

	/* its info: map ids, then the xlated instructions */
	memset(&info, 0, sizeof(info));
	memset(ids, PAT, sizeof(ids));
	memset(x, PAT, sizeof(x));
	info.nr_map_ids = 16;
	info.map_ids = (uintptr_t)ids;
	info.xlated_prog_len = sizeof(x);
	info.xlated_prog_insns = (uintptr_t)x;
	len = sizeof(info);
	EXPECT_EQ(get_info(prog, &info, &len), 0);
	EXPECT_EQ(info.nr_map_ids, 1);
	EXPECT(all(ids, 4, sizeof(ids), PAT));
	EXPECT_EQ(info.xlated_prog_len, sizeof(insns));
	if (!all(x, sizeof(insns), sizeof(x), PAT))
		tap_fail("xlated instructions written past their length");
	scan("bpf_prog_info", &info, len);
	/* instructions: only a 64-bit immediate could hold an address */
	for (i = 0; i + 1 < NR(insns); i++)
		if (x[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    kernelish((uint32_t)x[i].imm | (uint64_t)(uint32_t)x[i + 1].imm << 32))
			tap_fail("xlated ld_imm64 at %u carries a kernel address", i);
	close(prog);
	close(map);
}

static void verifier_logs(void)
{
	static char log[65536];
	const struct bpf_insn bad[] = { LDX(BPF_DW, 0, 11, 0), EXIT() };
	const struct bpf_insn past_end[] = { JA(5), EXIT() };
	int map = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct bpf_insn good[] = {
		LD_MAP(1, map), ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem),
		MOV64_IMM(0, 0), EXIT(),
	};
	const struct { const struct bpf_insn *insns; uint32_t n; bool ok; } p[] = {
		{ bad, NR(bad), false }, { past_end, NR(past_end), false },
		{ good, NR(good), true },
	};
	uint32_t level;
	size_t i;

	for (i = 0; i < TAP_COUNT(p); i++) {
		for (level = 1; level <= 2; level++) {
			int fd;
			size_t n;

			memset(log, PAT, sizeof(log));
			fd = h_prog_load_log(BPF_PROG_TYPE_RAW_TRACEPOINT, p[i].insns,
					     p[i].n, log, 4096, level);
			if ((fd >= 0) != p[i].ok)
				tap_fail("program %zu: load gave %d", i, fd);
			if (fd >= 0)
				close(fd);
			n = strnlen(log, 4096);
			if (n == 4096) {
				tap_fail("program %zu: log is not terminated", i);
				continue;
			}
			if (!all(log, 4096, sizeof(log), PAT))
				tap_fail("program %zu: log written past log_size", i);
			scan_text("verifier log", log);
		}
	}
	close(map);
}

/* ---- mappings ---- */

static void ring_and_perf_mappings(void)
{
	int rb = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)page, 0);
	int pea = h_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, ncpus, 0);
	int pb = h_perf_buffer(0), arr, prog;
	uint32_t zero = 0;
	unsigned char *cons, *prod, *perf, *a;
	struct bpf_insn insns[] = {
		MOV64_REG(6, 1),
		ST(BPF_DW, 10, -8, 0x04030201),		/* five bytes of data */
		ST(BPF_B, 10, -4, 5),
		LD_MAP(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		MOV64_IMM(3, 5), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output),
		LD_MAP(1, rb), MOV64_IMM(2, 5), MOV64_IMM(3, 0),
		CALL(BPF_FUNC_ringbuf_reserve),
		JMP_IMM(BPF_JEQ, 0, 0, 3),
		MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_discard),
		MOV64_REG(1, 6), LD_MAP(2, pea), MOV64_IMM(3, 0),
		MOV64_REG(4, 10), ALU64_IMM(BPF_ADD, 4, -8), MOV64_IMM(5, 5),
		CALL(BPF_FUNC_perf_event_output),
		MOV64_IMM(0, 0), EXIT(),
	};
	union bpf_attr t;
	uint64_t args[2] = { 1, 2 }, id = 0;
	unsigned char *rec;

	EXPECT(rb >= 0 && pea >= 0 && pb >= 0);
	EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, pea, &zero, &pb, 0), 0);
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rb, 0);
	prod = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, rb, page);
	perf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, pb, 0);
	if (cons == MAP_FAILED || prod == MAP_FAILED || perf == MAP_FAILED) {
		tap_fail("mmap failed");
		return;
	}
	scan("fresh ring consumer page", cons, page);
	scan("fresh ring producer and data pages", prod, 3 * page);
	EXPECT(all(cons, 0, page, 0) && all(prod, 0, 3 * page, 0));
	scan("fresh perf buffer", perf, 2 * page);
	EXPECT(all(perf, page, 2 * page, 0));

	prog = h_prog_load(insns, NR(insns));
	EXPECT(prog >= 0);
	memset(&t, 0, sizeof(t));
	t.test.prog_fd = (uint32_t)prog;
	t.test.ctx_in = (uintptr_t)args;
	t.test.ctx_size_in = sizeof(args);
	t.test.flags = BPF_F_TEST_RUN_ON_CPU;
	t.test.cpu = 0;
	EXPECT_EQ(h_sys(BPF_PROG_TEST_RUN, &t), 0);

	scan("ring consumer page", cons, page);
	scan("ring producer and data pages", prod, 3 * page);
	EXPECT(all(cons, 8, page, 0));
	/* the record: 8-byte header, 5 data bytes, 3 bytes of zero padding */
	rec = prod + page;
	EXPECT(rec[8] == 1 && rec[12] == 5 && all(rec, 13, 16, 0));
	scan("perf buffer after a sample", perf, 2 * page);
	{
		struct perf_event_mmap_page *hdr = (void *)perf;
		struct perf_event_header *eh = (void *)(perf + page);
		unsigned char *raw = (unsigned char *)(eh + 1) + 4;
		uint32_t size;

		EXPECT_EQ(hdr->data_head, eh->size);
		EXPECT_EQ(eh->type, PERF_RECORD_SAMPLE);
		memcpy(&size, eh + 1, 4);
		/* the sample: a u32 size, 5 bytes, zeros up to 8-byte alignment */
		EXPECT(size >= 5 && raw[0] == 1 && all(raw, 5, size, 0));
	}
	EXPECT_EQ(ioctl(pb, PERF_EVENT_IOC_ID, &id), 0);
	EXPECT(!kernelish(id));

	arr = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 512, BPF_F_MMAPABLE);
	a = arr >= 0 ? mmap(NULL, page, PROT_READ, MAP_SHARED, arr, 0) : MAP_FAILED;
	EXPECT(a != MAP_FAILED && all(a, 0, page, 0));
	if (a != MAP_FAILED)
		munmap(a, page);
	munmap(cons, page);
	munmap(prod, 3 * page);
	munmap(perf, 2 * page);
	close(arr);
	close(prog);
	close(pb);
	close(pea);
	close(rb);
}

/* ---- text ---- */

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = 0;
}

/* debugfs progs, without its tag column (eight random bytes in hex). */
static void drop_tags(char *text)
{
	char *line;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *tab = line;
		int col;

		for (col = 0; col < 8 && tab; col++) {
			tab = strchr(tab, '\t');
			tab = tab ? tab + 1 : NULL;
		}
		while (tab && isxdigit((unsigned char)*tab))
			*tab++ = '-';
	}
}

static void fdinfo_and_debugfs_text(void)
{
	static const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
	static char text[1 << 16];
	int fds[6], i;
	char path[64];

	fds[0] = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	fds[1] = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	fds[2] = h_prog_load(ret0, NR(ret0));
	fds[3] = h_attach(fds[2], "sys_enter");
	fds[4] = h_perf_buffer(0);
	fds[5] = h_kbpf();
	for (i = 0; i < 6; i++) {
		EXPECT(fds[i] >= 0);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fds[i]);
		slurp(path, text, sizeof(text));
		EXPECT(text[0]);
		scan_text(path, text);
	}
	slurp(KBPF_DEBUGFS "/maps", text, sizeof(text));
	scan_text("debugfs maps", text);
	slurp(KBPF_DEBUGFS "/progs", text, sizeof(text));
	EXPECT(strchr(text, '\n'));
	drop_tags(text);
	scan_text("debugfs progs", text);
	slurp(KBPF_DEBUGFS "/memory", text, sizeof(text));
	scan_text("debugfs memory", text);
	for (i = 0; i < 5; i++)
		close(fds[i]);
}

static const struct tap_test tests[] = {
	TAP_TEST(map_info_and_elements_of_every_type),
	TAP_TEST(batch_outputs),
	TAP_TEST(program_pointers_stay_virtual),
	TAP_TEST(verifier_logs),
	TAP_TEST(ring_and_perf_mappings),
	TAP_TEST(fdinfo_and_debugfs_text),
};

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	ncpus = (unsigned int)sysconf(_SC_NPROCESSORS_CONF);
	if (h_kbpf() < 0 || ncpus > 64) {
		printf("ok - test_kptr_scan # SKIP no /dev/kbpf (or over 64 CPUs)\n");
		return 0;
	}
	tap_run(tests, TAP_COUNT(tests), "kptr_scan: ");
	return tap_done();
}
