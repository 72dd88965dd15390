// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Map workloads from userspace, through libabpf's libbpf-compatible calls
 * on each backend: single-element operations per map type and shape,
 * batch calls against single ones, a full walk of a large HASH, memory
 * per entry, and threads updating one map; plus the null baselines.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kbpf.h>

#include "bench.h"

static void use_side(int side)
{
	abpf_set_default_backend(side == SIDE_KBPF ? ABPF_BACKEND_KBPF
						   : ABPF_BACKEND_KERNEL);
}

/* ---- the null baselines ---- */

static int kbpf_dev = -1;

static int kbpf_devfd(void)
{
	if (kbpf_dev < 0)
		kbpf_dev = open("/dev/kbpf", O_RDWR | O_CLOEXEC);
	return kbpf_dev;
}

/*
 * One crossing each: an ioctl /dev/kbpf does not know (ENOTTY) against
 * getppid(); and a bpf command neither knows (EINVAL), which goes
 * through the attr copy on both sides.
 */
static double null_rate(int which, long n)
{
	union bpf_attr attr;
	uint64_t t;
	long i;

	memset(&attr, 0, sizeof(attr));
	t = bench_now();
	for (i = 0; i < n; i++) {
		switch (which) {
		case 0:
			ioctl(kbpf_devfd(), _IO(KBPF_IOC_MAGIC, 0x7f), NULL);
			break;
		case 1:
			syscall(SYS_getppid);
			break;
		case 2:
			bench_bpf(SIDE_KBPF, 1000, &attr);
			break;
		default:
			bench_bpf(SIDE_KERNEL, 1000, &attr);
			break;
		}
	}
	return n / ((bench_now() - t) / 1e9);
}

void bench_group_null(void)
{
	long n = bench_scale(200000, 50000, 500);
	struct bench_row *io = bench_row("null", "ioctl-ENOTTY/getppid", "calls/s", "ioctl",
					 "getppid", true, 0);
	struct bench_row *cmd = bench_row("null", "bpf-cmd-EINVAL", "calls/s", "kbpf",
					  "kernel", true, 0);
	int r;

	if (!io || !cmd)
		return;
	if (kbpf_devfd() < 0) {
		bench_fail(io, "open /dev/kbpf: %s", strerror(errno));
		return;
	}
	for (r = 0; r < bench_cfg.reps; r++) {
		io->a[r] = null_rate(0, n);
		io->b[r] = null_rate(1, n);
		cmd->a[r] = null_rate(2, n);
		cmd->b[r] = null_rate(3, n);
	}
	io->n = cmd->n = bench_cfg.reps;
}

/* ---- single-element operations ---- */

struct shape {
	const char *name;
	uint32_t entries, key_size, value_size;
};

enum op { OP_LOOKUP, OP_UPDATE, OP_DELETE, OP_NEXT_KEY, OP_PUSH_POP, NR_OPS };
static const char *const op_name[NR_OPS] = {
	"lookup", "update", "delete", "get_next_key", "push+pop",
};

struct map_type {
	const char *name;
	uint32_t type;
	bool array, percpu, queue;
};

static const struct map_type map_types[] = {
	{ "ARRAY", BPF_MAP_TYPE_ARRAY, .array = true },
	{ "PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY, .array = true, .percpu = true },
	{ "HASH", BPF_MAP_TYPE_HASH },
	{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, .percpu = true },
	{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH },
	{ "QUEUE", BPF_MAP_TYPE_QUEUE, .queue = true },
	{ "STACK", BPF_MAP_TYPE_STACK, .queue = true },
};

/* Key number @i of a map: its index, then bytes that differ per key. */
static void make_key(void *key, uint32_t size, uint32_t i)
{
	uint8_t *k = key;
	uint32_t j;

	memcpy(k, &i, size < 4 ? size : 4);
	for (j = 4; j < size; j++)
		k[j] = (uint8_t)(i * 31 + j);
}

static size_t value_bytes(const struct map_type *mt, uint32_t value_size)
{
	return mt->percpu ? ((value_size + 7) & ~7u) * (size_t)bench_ncpus() : value_size;
}

/* The @k-th key an operation touches: a stride through the map. */
static uint32_t key_index(uint32_t k, uint32_t entries)
{
	return (uint32_t)(((uint64_t)k * 7919) % entries);
}

/* Fill a hash map with keys 0..n-1 by batches. */
static int fill(int fd, uint32_t n, uint32_t key_size, size_t vsize)
{
	uint32_t chunk = 4096, done = 0, i, cnt;
	uint8_t *keys = calloc(chunk, key_size), *vals = calloc(chunk, vsize);
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (done < n && !err) {
		cnt = n - done < chunk ? n - done : chunk;
		for (i = 0; i < cnt; i++) {
			make_key(keys + (size_t)i * key_size, key_size, done + i);
			memcpy(vals + (size_t)i * vsize, &i, 4);
		}
		err = bpf_map_update_batch(fd, keys, vals, &cnt, NULL);
		done += cnt;
	}
out:
	free(keys);
	free(vals);
	return err;
}

struct side_map {
	int fd;
	uint32_t entries, key_size;
	size_t vsize;
	uint8_t *key, *next, *val;
	bool lru;	/* keys may have been evicted: ENOENT is an answer */
};

/* @n operations @op on @m; returns ops/s, or 0 after a failure. */
static double run_op(struct side_map *m, enum op op, long n, uint32_t *cursor,
		     struct bench_row *row)
{
	uint64_t t = 0, t0;
	long i, done = 0;
	uint32_t k, chunk, j;
	int err = 0;

	if (op == OP_DELETE) {
		/* timed deletes of existing keys, untimed re-inserts */
		while (done < n && !err) {
			chunk = m->entries < 256 ? m->entries : 256;
			k = *cursor;
			t0 = bench_now();
			for (j = 0; j < chunk && !err; j++) {
				make_key(m->key, m->key_size, key_index(k + j, m->entries));
				err = bpf_map_delete_elem(m->fd, m->key);
				if (err == -ENOENT && m->lru)
					err = 0;
			}
			t += bench_now() - t0;
			for (j = 0; j < chunk && !err; j++) {
				make_key(m->key, m->key_size, key_index(k + j, m->entries));
				err = bpf_map_update_elem(m->fd, m->key, m->val,
							  m->lru ? BPF_ANY : BPF_NOEXIST);
			}
			*cursor = k + chunk;
			done += chunk;
		}
		if (err)
			bench_fail(row, "delete/re-insert: %s", strerror(-err));
		return err || !t ? 0 : done / (t / 1e9);
	}
	t0 = bench_now();
	for (i = 0; i < n && !err; i++) {
		k = key_index((*cursor)++, m->entries);
		switch (op) {
		case OP_LOOKUP:
			make_key(m->key, m->key_size, k);
			err = bpf_map_lookup_elem(m->fd, m->key, m->val);
			if (err == -ENOENT && m->lru)
				err = 0;
			break;
		case OP_UPDATE:
			make_key(m->key, m->key_size, k);
			memcpy(m->val, &i, sizeof(i) < m->vsize ? sizeof(i) : m->vsize);
			err = bpf_map_update_elem(m->fd, m->key, m->val,
						  m->lru ? BPF_ANY : BPF_EXIST);
			break;
		case OP_NEXT_KEY:
			make_key(m->key, m->key_size, k);
			err = bpf_map_get_next_key(m->fd, m->key, m->next);
			if (err == -ENOENT)	/* the last key (or evicted): no next */
				err = 0;
			break;
		default:
			err = bpf_map_update_elem(m->fd, NULL, m->val, 0);
			if (!err)
				err = bpf_map_lookup_and_delete_elem(m->fd, NULL, m->val);
			break;
		}
	}
	t = bench_now() - t0;
	if (err) {
		bench_fail(row, "%s: %s", op_name[op], strerror(-err));
		return 0;
	}
	return n / (t / 1e9);
}

static void map_shape(const struct map_type *mt, const struct shape *s)
{
	long nops = bench_scale(20000, 5000, 64);
	struct side_map m[2] = { { .fd = -1 }, { .fd = -1 } };
	struct bench_row *rows[NR_OPS] = { NULL };
	uint32_t cursor[2][NR_OPS] = { { 0 } };
	uint32_t entries = s->entries;
	char name[64];
	int side, r, op;

	bench_progress("maps: %s %s", mt->name, s->name);
	for (op = 0; op < NR_OPS; op++) {
		if ((op == OP_PUSH_POP) != mt->queue || (op == OP_DELETE && mt->array))
			continue;
		snprintf(name, sizeof(name), "%s/%s/%s", mt->name, s->name, op_name[op]);
		rows[op] = bench_row("maps", name, "ops/s", "kbpf", "kernel", true, 1.0);
	}
	for (side = 0; side < 2; side++) {
		use_side(side);
		m[side].entries = entries;
		m[side].lru = mt->type == BPF_MAP_TYPE_LRU_HASH;
		m[side].key_size = mt->queue ? 0 : s->key_size;
		m[side].vsize = value_bytes(mt, s->value_size);
		m[side].key = calloc(1, s->key_size + 8);
		m[side].next = calloc(1, s->key_size + 8);
		m[side].val = calloc(1, m[side].vsize);
		m[side].fd = bpf_map_create(mt->type, NULL, m[side].key_size, s->value_size,
					    entries, NULL);
		if (m[side].fd < 0 || !m[side].key || !m[side].next || !m[side].val) {
			for (op = 0; op < NR_OPS; op++)
				if (rows[op])
					bench_fail(rows[op], "%s map create: %s",
						   bench_side_name[side], strerror(errno));
			goto out;
		}
		if (!mt->array && !mt->queue &&
		    fill(m[side].fd, entries, s->key_size, m[side].vsize)) {
			for (op = 0; op < NR_OPS; op++)
				if (rows[op])
					bench_fail(rows[op], "%s fill: %s",
						   bench_side_name[side], strerror(errno));
			goto out;
		}
	}
	for (op = 0; op < NR_OPS; op++) {
		if (!rows[op])
			continue;
		for (r = 0; r < bench_cfg.reps; r++) {
			for (side = 0; side < 2; side++) {
				use_side(side);
				(side ? rows[op]->b : rows[op]->a)[r] =
					run_op(&m[side], op, nops, &cursor[side][op], rows[op]);
			}
		}
		rows[op]->n = bench_cfg.reps;
	}
out:
	for (side = 0; side < 2; side++) {
		if (m[side].fd >= 0)
			close(m[side].fd);
		free(m[side].key);
		free(m[side].next);
		free(m[side].val);
	}
	bench_settle();	/* the next shape's figures without this one's frees */
}

void bench_group_maps(void)
{
	uint32_t big = (uint32_t)bench_scale(1000000, 100000, 1000);
	char big_name[32];
	size_t t, i;

	snprintf(big_name, sizeof(big_name), "%ux8x8", big);
	for (t = 0; t < sizeof(map_types) / sizeof(map_types[0]); t++) {
		const struct map_type *mt = &map_types[t];
		struct shape shapes[3] = {
			{ "16x4x8", 16, 4, 8 },
			{ mt->array ? "16x4x256" : "16x64x256", 16, mt->array ? 4 : 64, 256 },
			{ big_name, big, mt->array ? 4 : 8, 8 },
		};
		char arr_name[32];

		if (mt->array) {
			snprintf(arr_name, sizeof(arr_name), "%ux4x8", big);
			shapes[2].name = arr_name;
		}
		for (i = 0; i < 3; i++) {
			if (mt->queue && i == 0)
				shapes[i].name = "16x0x8";
			if (mt->queue && i == 1)
				shapes[i].name = "16x0x256";
			if (mt->queue && i == 2) {
				snprintf(arr_name, sizeof(arr_name), "%ux0x8", big);
				shapes[i].name = arr_name;
			}
			map_shape(mt, &shapes[i]);
		}
	}
}

/* ---- batch calls against single ones ---- */

enum batch_op { B_UPDATE, B_LOOKUP, B_DELETE, NR_BATCH_OPS };
static const char *const batch_name[NR_BATCH_OPS] = { "update", "lookup", "delete" };

/*
 * @n elements of @fd: by one batch call (batch) or one call each;
 * elements per second, or 0 after a failure.
 */
static double batch_run(int fd, bool array, enum batch_op op, bool batch,
			uint32_t n, uint8_t *keys, uint8_t *vals, size_t vsize,
			long rounds, struct bench_row *row)
{
	uint64_t t = 0, t0;
	uint32_t i, cnt, out_batch;
	long r;
	int err = 0;

	for (r = 0; r < rounds && !err; r++) {
		t0 = bench_now();
		cnt = n;
		if (batch) {
			switch (op) {
			case B_UPDATE:
				err = bpf_map_update_batch(fd, keys, vals, &cnt, NULL);
				break;
			case B_LOOKUP:
				err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, vals,
							   &cnt, NULL);
				if (err == -ENOENT)	/* all of them, and the end */
					err = 0;
				break;
			default:
				err = bpf_map_delete_batch(fd, keys, &cnt, NULL);
				break;
			}
			if (!err && cnt != n)
				err = -EIO;
		} else {
			for (i = 0; i < n && !err; i++) {
				switch (op) {
				case B_UPDATE:
					err = bpf_map_update_elem(fd, keys + 4 * i,
								  vals + vsize * i, 0);
					break;
				case B_LOOKUP:
					err = bpf_map_lookup_elem(fd, keys + 4 * i,
								  vals + vsize * i);
					break;
				default:
					err = bpf_map_delete_elem(fd, keys + 4 * i);
					break;
				}
			}
		}
		t += bench_now() - t0;
		if (op == B_DELETE && !err && !array) {
			cnt = n;
			err = bpf_map_update_batch(fd, keys, vals, &cnt, NULL);
		}
	}
	if (err) {
		bench_fail(row, "%s %s: %s", batch ? "batch" : "single", batch_name[op],
			   strerror(-err));
		return 0;
	}
	return (double)n * rounds / (t / 1e9);
}

void bench_group_batch(void)
{
	static const struct { const char *name; uint32_t type; bool array; } types[] = {
		{ "HASH", BPF_MAP_TYPE_HASH, false },
		{ "ARRAY", BPF_MAP_TYPE_ARRAY, true },
	};
	const uint32_t n = 1000;
	long rounds = bench_scale(20, 5, 1);
	uint8_t *keys = calloc(n, 4), *vals = calloc(n, 8);
	size_t t;
	uint32_t i;
	int op, r, side;

	if (!keys || !vals)
		goto out;
	for (i = 0; i < n; i++) {
		memcpy(keys + 4 * i, &i, 4);
		memcpy(vals + 8 * i, &i, 4);
	}
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (op = 0; op < NR_BATCH_OPS; op++) {
			struct bench_row *vs_kernel, *vs_single, *kernel_single;
			int fd[2];
			char name[64];
			double rate[2][2];	/* [side][batch] */

			if (types[t].array && op == B_DELETE)
				continue;
			bench_progress("batch: %s %s", types[t].name, batch_name[op]);
			snprintf(name, sizeof(name), "%s/%u/%s_batch", types[t].name, n,
				 batch_name[op]);
			vs_kernel = bench_row("batch", name, "elems/s", "kbpf", "kernel",
					      true, 1.0);
			snprintf(name, sizeof(name), "%s/%u/%s batch:single", types[t].name, n,
				 batch_name[op]);
			vs_single = bench_row("batch", name, "elems/s", "kbpf-batch",
					      "kbpf-single", true, 5.0);
			kernel_single = bench_row("batch", name, "elems/s", "kernel-batch",
						  "kernel-single", true, 0);
			if (!vs_kernel || !vs_single || !kernel_single)
				goto out;
			for (side = 0; side < 2; side++) {
				use_side(side);
				fd[side] = bpf_map_create(types[t].type, NULL, 4, 8, n, NULL);
				if (fd[side] < 0 || (!types[t].array &&
						     bpf_map_update_batch(fd[side], keys, vals,
									  (uint32_t[]){ n },
									  NULL)))
					bench_fail(vs_kernel, "%s map: %s", bench_side_name[side],
						   strerror(errno));
			}
			for (r = 0; r < bench_cfg.reps && !vs_kernel->failed; r++) {
				for (side = 0; side < 2; side++) {
					use_side(side);
					rate[side][1] = batch_run(fd[side], types[t].array, op, true,
								  n, keys, vals, 8, rounds,
								  vs_kernel);
					rate[side][0] = batch_run(fd[side], types[t].array, op,
								  false, n, keys, vals, 8, rounds,
								  vs_single);
				}
				vs_kernel->a[r] = rate[0][1];
				vs_kernel->b[r] = rate[1][1];
				vs_single->a[r] = rate[0][1];
				vs_single->b[r] = rate[0][0];
				kernel_single->a[r] = rate[1][1];
				kernel_single->b[r] = rate[1][0];
			}
			vs_kernel->n = vs_single->n = kernel_single->n = r;
			for (side = 0; side < 2; side++)
				if (fd[side] >= 0)
					close(fd[side]);
		}
	}
out:
	free(keys);
	free(vals);
}

/* ---- a full walk of a large HASH ---- */

static double walk(int fd, uint32_t n, struct bench_row *row)
{
	uint64_t key, next, val, seen = 0, t = bench_now();
	void *prev = NULL;
	int err;

	while (!(err = bpf_map_get_next_key(fd, prev, &next))) {
		err = bpf_map_lookup_elem(fd, &next, &val);
		if (err)
			break;
		seen++;
		key = next;
		prev = &key;
	}
	t = bench_now() - t;
	if (err != -ENOENT || seen != n) {
		bench_fail(row, "walk saw %llu of %u keys (%s)", (unsigned long long)seen, n,
			   strerror(-err));
		return 0;
	}
	return seen / (t / 1e9);
}

void bench_group_iter(void)
{
	uint32_t n = (uint32_t)bench_scale(1000000, 100000, 1000);
	int reps = bench_cfg.reps < 3 ? bench_cfg.reps : 3, fd[2], side, r;
	struct bench_row *row;
	char name[64];

	snprintf(name, sizeof(name), "HASH/%ux8x8/walk+lookup", n);
	row = bench_row("iter", name, "keys/s", "kbpf", "kernel", true, 1.0);
	if (!row)
		return;
	for (side = 0; side < 2; side++) {
		use_side(side);
		fd[side] = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 8, 8, n, NULL);
		if (fd[side] < 0 || fill(fd[side], n, 8, 8))
			bench_fail(row, "%s map: %s", bench_side_name[side], strerror(errno));
	}
	for (r = 0; r < reps && !row->failed; r++) {
		for (side = 0; side < 2; side++) {
			use_side(side);
			(side ? row->b : row->a)[r] = walk(fd[side], n, row);
		}
	}
	row->n = r;
	snprintf(row->note, sizeof(row->note), "%u keys visited per walk", n);
	for (side = 0; side < 2; side++)
		if (fd[side] >= 0)
			close(fd[side]);
}

/* ---- memory per entry ---- */

/* The number after @key on a line of @path; 0 if there is none. */
static unsigned long long file_figure(const char *path, const char *key)
{
	unsigned long long v = 0;
	size_t len = strlen(key);
	char line[128];
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && sscanf(line + len, "%llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* What kbpf holds in all, from its debugfs file. */
static unsigned long long kbpf_mem_read(void)
{
	return file_figure("/sys/kernel/debug/kbpf/memory", "used");
}

/* Wait (up to 5 s) for kbpf to hold no more than @bytes: closed maps go after RCU. */
static void kbpf_mem_settle(unsigned long long bytes)
{
	int i;

	for (i = 0; i < 500 && kbpf_mem_read() > bytes; i++)
		usleep(10000);
}

/* Wait (up to 5 s) for kbpf's figure to stay the same for 0.2 s. */
static void kbpf_mem_quiet(void)
{
	unsigned long long prev = kbpf_mem_read(), cur;
	int i, same = 0;

	for (i = 0; i < 500 && same < 20; i++) {
		usleep(10000);
		cur = kbpf_mem_read();
		same = cur == prev ? same + 1 : 0;
		prev = cur;
	}
}

/* A map's "memlock:" in /proc/self/fdinfo (both backends show it). */
static unsigned long long fdinfo_memlock(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return file_figure(path, "memlock:");
}

void bench_group_memory(void)
{
	static const struct { const char *name; uint32_t type, flags; bool fill, array; }
	types[] = {
		{ "ARRAY", BPF_MAP_TYPE_ARRAY, 0, false, true },
		{ "PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY, 0, false, true },
		{ "HASH", BPF_MAP_TYPE_HASH, 0, true, false },
		{ "HASH(no_prealloc)", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, true, false },
		{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 0, true, false },
		{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 0, true, false },
		{ "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, true, false },
		{ "QUEUE", BPF_MAP_TYPE_QUEUE, 0, false, false },
		{ "STACK", BPF_MAP_TYPE_STACK, 0, false, false },
	};
	uint32_t n = (uint32_t)bench_scale(1000000, 100000, 1000);
	size_t t;

	kbpf_mem_quiet();	/* what earlier groups closed is gone */
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		bool queue = types[t].type == BPF_MAP_TYPE_QUEUE ||
			     types[t].type == BPF_MAP_TYPE_STACK;
		bool percpu = types[t].type == BPF_MAP_TYPE_PERCPU_ARRAY ||
			      types[t].type == BPF_MAP_TYPE_PERCPU_HASH ||
			      types[t].type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
		uint32_t ksize = queue ? 0 : types[t].array ? 4 : 8;
		unsigned long long before, used, lock[2];
		struct bench_row *row;
		char name[64];
		int fd[2], side;

		snprintf(name, sizeof(name), "%s/%ux%ux8", types[t].name, n, ksize);
		row = bench_row("memory", name, "bytes/entry", "kbpf", "kernel", false, 1.0);
		if (!row)
			return;
		bench_progress("memory: %s", name);
		before = kbpf_mem_read();
		for (side = 0; side < 2; side++) {
			LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = types[t].flags);

			use_side(side);
			fd[side] = bpf_map_create(types[t].type, NULL, ksize, 8, n, &o);
			if (fd[side] < 0) {
				bench_fail(row, "%s create: %s", bench_side_name[side],
					   strerror(errno));
				continue;
			}
			if (types[t].fill && fill(fd[side], n, 8, percpu ? 8 * bench_ncpus() : 8))
				bench_fail(row, "%s fill: %s", bench_side_name[side],
					   strerror(errno));
			lock[side] = fdinfo_memlock(fd[side]);
		}
		used = kbpf_mem_read();
		if (!row->failed) {
			if (access("/sys/kernel/debug/kbpf/memory", R_OK) || used <= before)
				bench_fail(row, "no kbpf debugfs memory figure");
			row->a[0] = (double)(used - before) / n;
			row->b[0] = (double)lock[1] / n;
			row->n = 1;
			snprintf(row->note, sizeof(row->note),
				 "kbpf debugfs +%llu B (fdinfo memlock %llu); kernel memlock %llu B",
				 used - before, lock[0], lock[1]);
		}
		for (side = 0; side < 2; side++)
			if (fd[side] >= 0)
				close(fd[side]);
		kbpf_mem_settle(before);
	}
}

/* ---- threads updating one map ---- */

struct scale_arg {
	int fd, idx;
	long n;
	size_t vsize;
	pthread_barrier_t *go;
	int err;
};

static atomic_int scale_ready;

static void *scale_thread(void *p)
{
	struct scale_arg *a = p;
	uint8_t val[8 * 64] = { 0 };
	uint32_t key;
	long i;

	atomic_fetch_add(&scale_ready, 1);
	pthread_barrier_wait(a->go);
	for (i = 0; i < a->n && !a->err; i++) {
		key = (uint32_t)(a->idx * a->n + i % 1024);
		memcpy(val, &i, sizeof(i));
		a->err = bpf_map_update_elem(a->fd, &key, val, BPF_ANY);
	}
	return NULL;
}

static double scale_run(int fd, int threads, long n, size_t vsize, struct bench_row *row)
{
	struct scale_arg args[4];
	pthread_barrier_t go;
	pthread_t tid[4];
	uint64_t t;
	int i, err = 0;

	atomic_store(&scale_ready, 0);
	pthread_barrier_init(&go, NULL, threads + 1);
	for (i = 0; i < threads; i++) {
		args[i] = (struct scale_arg){ .fd = fd, .idx = i, .n = n, .vsize = vsize,
					      .go = &go };
		pthread_create(&tid[i], NULL, scale_thread, &args[i]);
	}
	/* the clock starts once every thread waits: none can have begun */
	while (atomic_load(&scale_ready) < threads)
		sched_yield();
	t = bench_now();
	pthread_barrier_wait(&go);
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		if (args[i].err)
			err = args[i].err;
	}
	t = bench_now() - t;
	pthread_barrier_destroy(&go);
	if (err) {
		bench_fail(row, "update: %s", strerror(-err));
		return 0;
	}
	return (double)n * threads / (t / 1e9);
}

void bench_group_scaling(void)
{
	static const struct { const char *name; uint32_t type; } types[] = {
		{ "HASH", BPF_MAP_TYPE_HASH },
		{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH },
	};
	long n = bench_scale(20000, 5000, 64);
	int threads, side, r, fd[2];
	size_t t;

	for (t = 0; t < 2; t++) {
		size_t vsize = types[t].type == BPF_MAP_TYPE_PERCPU_HASH ?
			       8 * (size_t)bench_ncpus() : 8;

		if (vsize > 8 * 64)
			continue;
		for (side = 0; side < 2; side++) {
			use_side(side);
			fd[side] = bpf_map_create(types[t].type, NULL, 4, 8, 4 * n + 1024, NULL);
		}
		for (threads = 1; threads <= 4; threads *= 2) {
			struct bench_row *row;
			char name[64];

			snprintf(name, sizeof(name), "%s/update/%d-threads", types[t].name,
				 threads);
			row = bench_row("scaling", name, "ops/s", "kbpf", "kernel", true, 1.0);
			if (!row)
				return;
			bench_progress("scaling: %s", name);
			if (fd[0] < 0 || fd[1] < 0) {
				bench_fail(row, "map create: %s", strerror(errno));
				continue;
			}
			for (r = 0; r < bench_cfg.reps && !row->failed; r++) {
				for (side = 0; side < 2; side++) {
					use_side(side);
					(side ? row->b : row->a)[r] =
						scale_run(fd[side], threads, n, vsize, row);
				}
			}
			row->n = r;
			snprintf(row->note, sizeof(row->note), "%ld CPUs online",
				 sysconf(_SC_NPROCESSORS_ONLN));
		}
		for (side = 0; side < 2; side++)
			if (fd[side] >= 0)
				close(fd[side]);
	}
}
