// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: bpf(2) commands.  Each command has a builder that makes a
 * mostly valid union bpf_attr from the objects in the fd table, and a
 * table of its fields by kind (fd, pointer, size, flags, id, name), which
 * the mutator changes one field at a time.  Separately, the attr contract
 * (sizes, pointers, unused fields, unknown commands, the perf buffer
 * ioctl's own contract, ioctl numbers kbpf does not have) is checked to
 * the errno.
 */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"

#define OFFEND(f) (offsetof(union bpf_attr, f) + sizeof(((union bpf_attr *)0)->f))
#define OFF(f) offsetof(union bpf_attr, f)
#define SZ(f) sizeof(((union bpf_attr *)0)->f)

enum fz_fkind { K_FD, K_PTR, K_U32, K_U64, K_FLAGS, K_SIZE, K_ID, K_NAME, K_BYTE };

struct fz_field {
	uint16_t off;
	uint8_t size;
	uint8_t kind;
};

#define F(f, k) { OFF(f), SZ(f), k }

static const struct fz_field f_map_create[] = {
	F(map_type, K_U32), F(key_size, K_SIZE), F(value_size, K_SIZE),
	F(max_entries, K_SIZE), F(map_flags, K_FLAGS), F(inner_map_fd, K_FD),
	F(numa_node, K_U32), F(map_name, K_NAME), F(map_ifindex, K_U32),
	F(btf_fd, K_FD), F(btf_key_type_id, K_ID), F(btf_value_type_id, K_ID),
	F(btf_vmlinux_value_type_id, K_ID), F(map_extra, K_U64),
	{ 72, 4, K_FD }, { 76, 4, K_FD },	/* 6.12: value_type_btf_obj_fd, map_token_fd */
};
static const struct fz_field f_elem[] = {
	F(map_fd, K_FD), F(key, K_PTR), F(value, K_PTR), F(flags, K_FLAGS),
};
static const struct fz_field f_next_key[] = {
	F(map_fd, K_FD), F(key, K_PTR), F(next_key, K_PTR),
};
static const struct fz_field f_next_id[] = {
	F(start_id, K_ID), F(next_id, K_ID), F(open_flags, K_FLAGS),
};
static const struct fz_field f_info[] = {
	F(info.bpf_fd, K_FD), F(info.info_len, K_SIZE), F(info.info, K_PTR),
};
static const struct fz_field f_batch[] = {
	F(batch.in_batch, K_PTR), F(batch.out_batch, K_PTR), F(batch.keys, K_PTR),
	F(batch.values, K_PTR), F(batch.count, K_SIZE), F(batch.map_fd, K_FD),
	F(batch.elem_flags, K_FLAGS), F(batch.flags, K_FLAGS),
};
static const struct fz_field f_test[] = {
	F(test.prog_fd, K_FD), F(test.retval, K_U32), F(test.data_size_in, K_SIZE),
	F(test.data_size_out, K_SIZE), F(test.data_in, K_PTR), F(test.data_out, K_PTR),
	F(test.repeat, K_U32), F(test.duration, K_U32), F(test.ctx_size_in, K_SIZE),
	F(test.ctx_size_out, K_SIZE), F(test.ctx_in, K_PTR), F(test.ctx_out, K_PTR),
	F(test.flags, K_FLAGS), F(test.cpu, K_U32), F(test.batch_size, K_U32),
};
static const struct fz_field f_raw_tp[] = {
	F(raw_tracepoint.name, K_PTR), F(raw_tracepoint.prog_fd, K_FD),
	{ 12, 4, K_U32 }, { 16, 8, K_U64 },	/* 6.12: pad, cookie */
};

/*
 * The offset past the last attr field kbpf reads for @cmd, or 0 for a
 * command it does not implement (then any attr is EINVAL).  Bytes from
 * there on must be zero.  Where 6.1 and 6.12 differ, the running kernel's
 * line is used; for MAP_CREATE, 6.12's bpf(2) reads two fields more than
 * kbpf, so only bytes past those are certain to be refused.
 */
uint32_t fz_cmd_attr_end(uint32_t cmd)
{
	bool k612 = fz_cfg.kv >= 6012;

	switch (cmd) {
	case BPF_MAP_CREATE:
		return k612 ? 80 : OFFEND(map_extra);
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return OFFEND(flags);
	case BPF_MAP_DELETE_ELEM:
		return OFFEND(key);
	case BPF_MAP_GET_NEXT_KEY:
		return OFFEND(next_key);
	case BPF_MAP_GET_NEXT_ID:
	case BPF_PROG_GET_NEXT_ID:
		return OFFEND(next_id);
	case BPF_MAP_GET_FD_BY_ID:
		return OFFEND(open_flags);
	case BPF_PROG_GET_FD_BY_ID:
		return OFFEND(prog_id);
	case BPF_OBJ_GET_INFO_BY_FD:
		return OFFEND(info.info);
	case BPF_MAP_FREEZE:
		return OFFEND(map_fd);
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		return OFFEND(batch.flags);
	case BPF_PROG_LOAD:
		return k612 ? 148 : OFFEND(core_relo_rec_size);
	case BPF_PROG_TEST_RUN:
		return OFFEND(test.batch_size);
	case BPF_RAW_TRACEPOINT_OPEN:
		return k612 ? 24 : OFFEND(raw_tracepoint.prog_fd);
	default:
		return 0;
	}
}

/* --- mutation */

/* Fields are integers of up to 8 bytes (names are mutated in place). */
static void put_field(uint8_t *a, const struct fz_field *f, uint64_t v)
{
	memcpy(a + f->off, &v, f->size < 8 ? f->size : 8);	/* little endian */
}

static uint64_t get_field(const uint8_t *a, const struct fz_field *f)
{
	uint64_t v = 0;

	memcpy(&v, a + f->off, f->size < 8 ? f->size : 8);
	return v;
}

static void mutate_field(struct fz_thread *t, uint8_t *a, const struct fz_field *f)
{
	uint64_t v = get_field(a, f);

	switch (f->kind) {
	case K_FD:
		v = (uint32_t)fz_any_fd(t);
		break;
	case K_PTR:
		v = fz_chance(t, 70) ? fz_bad_ptr(t, 64) :
		    (uintptr_t)fz_buf(t, 1 + fz_below(t, 512), 1);
		break;
	case K_SIZE:
		v = fz_size_near(t, (uint32_t)v);
		break;
	case K_FLAGS:
		switch (fz_below(t, 4)) {
		case 0:
			v ^= 1ULL << fz_below(t, f->size * 8);
			break;
		case 1:
			v = fz_rand(t);
			break;
		case 2:
			v = ~0ULL;
			break;
		default:
			v |= 1ULL << fz_below(t, 16);
			break;
		}
		break;
	case K_ID:
		v = fz_chance(t, 50) ? fz_below(t, 64) : fz_interesting(t);
		break;
	case K_NAME:
		fz_bytes(t, a + f->off, f->size);
		if (fz_chance(t, 50))
			a[f->off + fz_below(t, f->size)] = 0;
		return;
	default:
		v = fz_chance(t, 50) ? fz_interesting(t) : v ^ (1ULL << fz_below(t, 64));
		break;
	}
	put_field(a, f, v);
}

static void mutate(struct fz_thread *t, uint8_t *a, const struct fz_field *fields,
		   size_t n)
{
	unsigned int k = 1 + fz_below(t, 3), i;

	for (i = 0; i < k; i++)
		mutate_field(t, a, &fields[fz_below(t, n)]);
}

#define MUTATE(t, a, tbl) mutate(t, (uint8_t *)(a), tbl, sizeof(tbl) / sizeof(tbl[0]))

/* --- builders */

/* Bytes a map of these attributes would allocate before any size check fails fast. */
static uint64_t fz_create_cost(const union bpf_attr *a)
{
	uint64_t n = a->max_entries, k = (a->key_size + 7ULL) & ~7ULL;
	uint64_t v = (a->value_size + 7ULL) & ~7ULL, cpus = fz_cfg.ncpus, bytes;

	switch (a->map_type) {
	case BPF_MAP_TYPE_ARRAY:
		bytes = n * v;
		if (a->map_flags & BPF_F_MMAPABLE)
			return bytes >> 12 > 0xffffffffULL ? 0 : bytes;
		return bytes > 0x7fffffff ? 0 : bytes;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return n * 8 > 0x7fffffff || v > 32768 ? 0 : n * (8 + v * cpus);
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		if (n > 1ULL << 31)
			return 0;
		bytes = n * 16;	/* buckets, about */
		if (a->map_flags & BPF_F_NO_PREALLOC)
			return bytes;
		if (n * (48 + k + (fz_is_percpu(a->map_type) ? 8 : v)) > 0x7fffffff)
			return 0;
		return bytes + n * (48 + k + v * (fz_is_percpu(a->map_type) ? cpus : 1));
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		bytes = n * a->value_size;
		return bytes > 0x7fffffff ? 0 : bytes;
	case BPF_MAP_TYPE_RINGBUF:
		return n;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return n * 8 > 0x7fffffff ? 0 : n * 8;
	default:
		return 0;
	}
}

/* Keep what a create would really allocate to what the guest can spare. */
static void fz_create_bound(union bpf_attr *a)
{
	const uint64_t cap = 24 << 20;
	uint64_t cost = fz_create_cost(a);

	while (cost > cap && a->max_entries > 1) {
		a->max_entries = a->map_type == BPF_MAP_TYPE_RINGBUF ?
				 a->max_entries >> 1 : a->max_entries / 4;
		cost = fz_create_cost(a);
	}
	if (cost > cap)		/* one huge element: make it fail its checks */
		a->value_size = 0x80000000U | a->value_size;
}

/* The info a fresh map reports must be what it was created with. */
static void fz_check_new_map(struct fz_thread *t, int fd, const union bpf_attr *c)
{
	union bpf_attr a;
	struct bpf_map_info info;
	char save[sizeof(t->desc)];
	long r;

	memcpy(save, t->desc, sizeof(save));
	memset(&a, 0, sizeof(a));
	memset(&info, 0, sizeof(info));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	r = fz_bpf(t, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	memcpy(t->desc, save, sizeof(save));
	if (r) {
		fz_fail(t, "OBJ_GET_INFO_BY_FD of a new map fails: %s", fz_errname(errno));
		return;
	}
	if (info.type != c->map_type || info.key_size != c->key_size ||
	    info.value_size != c->value_size ||
	    (info.max_entries != c->max_entries && !(c->map_flags & BPF_F_NO_COMMON_LRU)) ||
	    info.map_flags != (c->map_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)) || !info.id)
		fz_fail(t, "a new map's info: type %u key %u value %u max %u flags %#x id %u; "
			"created with type %u key %u value %u max %u flags %#x",
			info.type, info.key_size, info.value_size, info.max_entries,
			info.map_flags, info.id, c->map_type, c->key_size, c->value_size,
			c->max_entries, c->map_flags);
	if (a.info.info_len != sizeof(info))
		fz_fail(t, "info_len came back %u, not %zu", a.info.info_len, sizeof(info));
}

static void build_map_create(struct fz_thread *t, union bpf_attr *a, bool mutated)
{
	struct fz_obj o;
	static const uint32_t types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
		14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
		31, 32, 33, 34, 0x7fffffff, 0xffffffff };

	/* fz_make_map's choice of attributes, not submitted */
	memset(a, 0, fz_cfg.union_size);
	a->map_type = fz_chance(t, 8) ? FZ_PICK(t, types) : 0xff;
	a->key_size = 4;
	a->value_size = 8;
	a->max_entries = 8;
	if (a->map_type == 0xff) {
		static const uint32_t ok[] = { 1, 2, 5, 6, 9, 10, 22, 23, 27, 4 };

		a->map_type = FZ_PICK(t, ok);
		switch (a->map_type) {
		case BPF_MAP_TYPE_QUEUE:
		case BPF_MAP_TYPE_STACK:
			a->key_size = 0;
			break;
		case BPF_MAP_TYPE_RINGBUF:
			a->key_size = a->value_size = 0;
			a->max_entries = FZ_PAGE << fz_below(t, 4);
			break;
		case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
			a->value_size = 4;
			break;
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
			a->key_size = 1 + fz_below(t, 64);
			/* fall through */
		default:
			a->value_size = 1 + fz_below(t, 256);
			a->max_entries = 1 + fz_below(t, 256);
		}
	}
	if (fz_chance(t, 30))
		a->map_flags = 1U << fz_below(t, 20);
	if (a->map_flags & BPF_F_NUMA_NODE)
		a->numa_node = fz_chance(t, 80) ? 0 : fz_below(t, 70000);
	if (fz_chance(t, 30))
		strcpy(a->map_name, "fz.map_1");
	if (mutated)
		MUTATE(t, a, f_map_create);
	if (fz_chance(t, 2) && fz_obj_pick(t, FZ_MAP, &o))
		a->inner_map_fd = o.fd;
	fz_create_bound(a);
}

static void fill_key(struct fz_thread *t, void *key, const struct fz_obj *o)
{
	uint32_t k;

	fz_bytes(t, key, o->key_size);
	if (o->key_size >= 4 && fz_chance(t, 80)) {
		/* small keys, so lookups find what updates put there */
		k = fz_below(t, o->max_entries + 2);
		if (o->type != BPF_MAP_TYPE_ARRAY && o->type != BPF_MAP_TYPE_PERCPU_ARRAY &&
		    o->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			k %= 8;
		memset(key, 0, o->key_size);
		memcpy(key, &k, 4);
	} else if (fz_chance(t, 60)) {
		memset(key, 0, o->key_size);
		if (o->key_size)
			((uint8_t *)key)[0] = fz_below(t, 8);
	}
}

static void build_elem(struct fz_thread *t, uint32_t cmd, union bpf_attr *a)
{
	struct fz_obj o;
	uint32_t vsize;
	void *key, *value;

	fz_map_fd(t, &o);
	vsize = o.kind == FZ_MAP ? fz_map_vsize(o.type, o.value_size) : 8;
	key = fz_buf(t, o.key_size ? o.key_size : 8, 8);
	value = fz_buf(t, vsize + 64, 8);
	fill_key(t, key, &o);
	/* a value larger than the arena reads into its guard page: EFAULT */
	fz_bytes(t, value, vsize < FZ_ARENA_SIZE ? vsize : FZ_ARENA_SIZE);
	if (o.kind == FZ_MAP && o.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		struct fz_obj pb;
		uint32_t pfd = fz_obj_pick(t, FZ_PERFBUF, &pb) && fz_chance(t, 85) ?
			       (uint32_t)pb.fd : (uint32_t)fz_any_fd(t);

		memcpy(value, &pfd, 4);
	}
	memset(a, 0, fz_cfg.union_size);
	a->map_fd = o.fd;
	a->key = o.key_size || fz_chance(t, 10) ? (uintptr_t)key : 0;
	a->value = (uintptr_t)value;
	if (cmd == BPF_MAP_UPDATE_ELEM)
		a->flags = fz_chance(t, 85) ? fz_below(t, 3) : fz_interesting(t);
	else if (fz_chance(t, 5))
		a->flags = fz_chance(t, 50) ? BPF_F_LOCK : fz_interesting(t);
	if (cmd == BPF_MAP_GET_NEXT_KEY) {
		a->next_key = (uintptr_t)fz_buf(t, o.key_size + 64, 8);
		if (fz_chance(t, 20))
			a->key = 0;
	}
	if (cmd == BPF_MAP_DELETE_ELEM)
		a->value = 0;
}

static void build_batch(struct fz_thread *t, uint32_t cmd, union bpf_attr *a)
{
	struct fz_obj o;
	uint32_t vsize, ksize, count, i;
	uint8_t *keys, *values;

	fz_map_fd(t, &o);
	vsize = o.kind == FZ_MAP ? fz_map_vsize(o.type, o.value_size) : 8;
	ksize = o.key_size ? o.key_size : 4;
	count = fz_chance(t, 80) ? fz_below(t, 17) : fz_size_near(t, o.max_entries);
	/*
	 * The buffers hold what a sane count needs, each in half the arena;
	 * huge counts run off the end.
	 */
	i = count < 64 ? count : 64;
	if ((size_t)i * (vsize > ksize ? vsize : ksize) > FZ_ARENA_SIZE / 2 - 8)
		i = (FZ_ARENA_SIZE / 2 - 8) / (vsize > ksize ? vsize : ksize);
	keys = fz_buf(t, (size_t)ksize * i + 8, 8);
	values = fz_buf(t, (size_t)vsize * i + 8, 8);
	while (i--) {
		fill_key(t, keys + (size_t)i * ksize, &o);
		fz_bytes(t, values + (size_t)i * vsize, vsize);
		if (o.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			struct fz_obj pb;
			uint32_t pfd = fz_obj_pick(t, FZ_PERFBUF, &pb) ? (uint32_t)pb.fd : 0;

			memcpy(values + (size_t)i * vsize, &pfd, 4);
		}
	}
	if (count > 64)
		keys = values = (uint8_t *)fz_straddle(t, 64);
	memset(a, 0, fz_cfg.union_size);
	a->batch.map_fd = o.fd;
	a->batch.keys = (uintptr_t)keys;
	a->batch.values = (uintptr_t)values;
	a->batch.count = count;
	if (cmd == BPF_MAP_LOOKUP_BATCH || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH) {
		uint8_t *cur = fz_buf(t, ksize + 8, 8);

		memset(cur, 0, ksize + 8);
		if (fz_chance(t, 40)) {
			fz_bytes(t, cur, 4);
			cur[0] %= 8;
			cur[1] = cur[2] = cur[3] = 0;
			a->batch.in_batch = (uintptr_t)cur;
		}
		a->batch.out_batch = (uintptr_t)fz_buf(t, ksize + 8, 8);
	}
	if (fz_chance(t, 5))
		a->batch.elem_flags = fz_chance(t, 50) ? BPF_F_LOCK : fz_rand(t);
	if (fz_chance(t, 3))
		a->batch.flags = fz_rand(t);
}

static void build_info(struct fz_thread *t, union bpf_attr *a)
{
	static const uint32_t lens[] = { 0, 1, 4, 8, 16, 40, 80, 87, 88, 89, 96,
		112, 200, 231, 232, 233, 240, 256, 4096, 4097, 8192 };
	uint32_t len = FZ_PICK(t, lens);
	uint8_t *info = fz_buf(t, len + 64, 8);
	struct bpf_prog_info *pi = (void *)info;

	memset(info, 0, len + 64);
	if (len >= sizeof(*pi) && fz_chance(t, 50)) {
		pi->nr_map_ids = fz_chance(t, 80) ? fz_below(t, 4) : fz_interesting(t);
		pi->map_ids = fz_ptr_or_bad(t, fz_buf(t, 64, 4), 16, 20);
		pi->xlated_prog_len = fz_chance(t, 80) ? fz_below(t, 512) : fz_interesting(t);
		pi->xlated_prog_insns = fz_ptr_or_bad(t, fz_buf(t, 512, 8), 512, 20);
		if (fz_chance(t, 10))
			pi->jited_prog_len = fz_interesting(t);
	}
	if (len > 232 && fz_chance(t, 20))
		info[232 + fz_below(t, len - 232)] = 1;	/* past what kbpf knows */
	memset(a, 0, fz_cfg.union_size);
	a->info.bpf_fd = fz_any_fd(t);
	a->info.info_len = len;
	a->info.info = fz_ptr_or_bad(t, info, len, 10);
}

static const char *const fz_tp_names[] = {
	"sys_enter", "sys_enter", "sys_exit", "sched_switch", "sched_switch",
	"sched_wakeup", "sched_process_fork", "kmalloc", "kfree",
	"no_such_tracepoint", "", "sys_enterx",
};

static void build_raw_tp(struct fz_thread *t, union bpf_attr *a)
{
	struct fz_obj o;
	char *name = fz_buf(t, 200, 1);

	memset(a, 0, fz_cfg.union_size);
	a->raw_tracepoint.prog_fd = fz_obj_pick(t, FZ_PROG, &o) && fz_chance(t, 85) ?
				    o.fd : fz_any_fd(t);
	strcpy(name, FZ_PICK(t, fz_tp_names));
	/* known: a faulting program on sched_* is a lockdep report (prog.c) */
	if (!strncmp(name, "sched_", 6) && !fz_cfg.known)
		strcpy(name, "sys_exit");
	if (fz_chance(t, 5)) {	/* longer than the 128 bytes kbpf reads */
		memset(name, 'a', 199);
		name[199] = 0;
	}
	a->raw_tracepoint.name = (uintptr_t)name;
	if (fz_chance(t, 5))	/* running into the guard page unterminated */
		a->raw_tracepoint.name = (uintptr_t)memcpy(t->arena + FZ_ARENA_SIZE - 8,
							   "sys_ente", 8);
}

static void build_test_run(struct fz_thread *t, union bpf_attr *a)
{
	struct fz_obj o;
	uint32_t size = fz_chance(t, 80) ? fz_below(t, 13) * 8 : fz_size_near(t, 96);
	void *ctx = fz_buf(t, size < 4096 ? size : 4096, 8);

	fz_bytes(t, ctx, size < 4096 ? size : 4096);
	memset(a, 0, fz_cfg.union_size);
	a->test.prog_fd = fz_obj_pick(t, FZ_PROG, &o) && fz_chance(t, 85) ? o.fd :
			  fz_any_fd(t);
	if (size) {
		a->test.ctx_in = size <= 4096 ? (uintptr_t)ctx : (uintptr_t)fz_straddle(t, 64);
		a->test.ctx_size_in = size;
	}
	if (fz_chance(t, 20)) {
		a->test.flags = BPF_F_TEST_RUN_ON_CPU;
		a->test.cpu = fz_chance(t, 90) ? fz_below(t, fz_cfg.ncpus) : fz_interesting(t);
	}
}

static void build_id(struct fz_thread *t, uint32_t cmd, union bpf_attr *a)
{
	memset(a, 0, fz_cfg.union_size);
	a->start_id = fz_chance(t, 80) ? fz_below(t, 200) : fz_interesting(t);
	if (cmd == BPF_MAP_GET_FD_BY_ID && fz_chance(t, 20))
		a->open_flags = fz_chance(t, 50) ? (uint32_t)BPF_F_RDONLY << fz_below(t, 2) :
				(uint32_t)fz_rand(t);
}

/* Objects a GET_FD_BY_ID handed out join the table, with their sizes. */
static void fz_adopt(struct fz_thread *t, uint32_t cmd, int fd)
{
	struct fz_obj o;
	struct bpf_map_info info;
	union bpf_attr a;

	memset(&o, 0, sizeof(o));
	o.fd = fd;
	o.kind = cmd == BPF_MAP_GET_FD_BY_ID ? FZ_MAP : FZ_PROG;
	memset(&a, 0, sizeof(a));
	memset(&info, 0, sizeof(info));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);	/* a program's info starts the same: type, id */
	a.info.info = (uintptr_t)&info;
	if (!fz_bpf(t, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a))) {
		/* another thread's private object: not to be shared */
		if (fz_private_has(o.kind == FZ_MAP ? info.id : FZ_PROG_ID(info.id))) {
			fz_count(t, FZ_CAT_CLOSE, close(fd), errno);
			return;
		}
		if (o.kind == FZ_MAP) {
			o.type = info.type;
			o.key_size = info.key_size;
			o.value_size = info.value_size;
			o.max_entries = info.max_entries;
			o.map_flags = info.map_flags;
		}
	}
	fz_obj_put(t, &o);
}

/* One command, built for the table's objects, then maybe mutated. */
void fz_op_bpf(struct fz_thread *t)
{
	static const uint32_t cmds[] = {
		BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_LOOKUP_ELEM,
		BPF_MAP_UPDATE_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_UPDATE_ELEM,
		BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_GET_NEXT_KEY,
		BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_FREEZE,
		BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
		BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH, BPF_OBJ_GET_INFO_BY_FD,
		BPF_OBJ_GET_INFO_BY_FD, BPF_MAP_GET_NEXT_ID, BPF_PROG_GET_NEXT_ID,
		BPF_MAP_GET_FD_BY_ID, BPF_PROG_GET_FD_BY_ID, BPF_PROG_TEST_RUN,
		BPF_PROG_TEST_RUN, BPF_RAW_TRACEPOINT_OPEN,
	};
	union bpf_attr *a = (void *)t->attr_area;
	bool mutated = fz_chance(t, 30);
	uint32_t cmd = FZ_PICK(t, cmds), size, info_len;
	long r;

	switch (cmd) {
	case BPF_MAP_CREATE:
		build_map_create(t, a, mutated);
		mutated = false;
		break;
	case BPF_MAP_LOOKUP_ELEM: case BPF_MAP_UPDATE_ELEM: case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_GET_NEXT_KEY: case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		build_elem(t, cmd, a);
		if (mutated && cmd == BPF_MAP_GET_NEXT_KEY)
			MUTATE(t, a, f_next_key);
		else if (mutated)
			MUTATE(t, a, f_elem);
		break;
	case BPF_MAP_FREEZE:
		memset(a, 0, fz_cfg.union_size);
		/* a freeze is forever: mostly on maps made to be frozen */
		if (fz_chance(t, 70)) {
			struct fz_obj o;

			if (fz_make_map(t, 0xff, &o, true) < 0)
				return;
			a->map_fd = o.fd;
			fz_desc_attr(t, cmd, a, fz_cfg.union_size);
			fz_bpf(t, cmd, a, fz_cfg.union_size);
			fz_obj_put(t, &o);
			return;
		}
		a->map_fd = fz_any_fd(t);
		break;
	case BPF_MAP_LOOKUP_BATCH: case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH: case BPF_MAP_DELETE_BATCH:
		build_batch(t, cmd, a);
		if (mutated)
			MUTATE(t, a, f_batch);
		break;
	case BPF_OBJ_GET_INFO_BY_FD:
		build_info(t, a);
		if (mutated)
			MUTATE(t, a, f_info);
		break;
	case BPF_MAP_GET_NEXT_ID: case BPF_PROG_GET_NEXT_ID:
	case BPF_MAP_GET_FD_BY_ID: case BPF_PROG_GET_FD_BY_ID:
		build_id(t, cmd, a);
		if (mutated)
			MUTATE(t, a, f_next_id);
		break;
	case BPF_PROG_TEST_RUN:
		build_test_run(t, a);
		if (mutated)
			MUTATE(t, a, f_test);
		break;
	case BPF_RAW_TRACEPOINT_OPEN:
		if (fz_cfg.no_attach)
			return;
		build_raw_tp(t, a);
		if (mutated)
			MUTATE(t, a, f_raw_tp);
		break;
	}
	size = fz_chance(t, 90) ? fz_cfg.union_size : fz_cmd_attr_end(cmd);
	info_len = a->info.info_len;
	fz_desc_attr(t, cmd, a, size);
	r = fz_bpf(t, cmd, a, size);

	/* Checks that hold whatever other threads do. */
	if (r >= 0) {
		switch (cmd) {
		case BPF_MAP_CREATE: {
			union bpf_attr c = *a;
			struct fz_obj o = { .fd = r, .kind = FZ_MAP, .type = c.map_type,
					    .key_size = c.key_size, .value_size = c.value_size,
					    .max_entries = c.max_entries,
					    .map_flags = c.map_flags };

			t->maps_made++;
			fz_check_new_map(t, r, &c);
			fz_obj_put(t, &o);
			break;
		}
		case BPF_MAP_GET_NEXT_ID:
		case BPF_PROG_GET_NEXT_ID:
			if (a->next_id <= a->start_id)
				fz_fail(t, "GET_NEXT_ID from %u answered %u", a->start_id,
					a->next_id);
			break;
		case BPF_MAP_GET_FD_BY_ID:
		case BPF_PROG_GET_FD_BY_ID:
			fz_adopt(t, cmd, r);
			break;
		case BPF_RAW_TRACEPOINT_OPEN: {
			struct fz_obj o = { .fd = r, .kind = FZ_LINK,
					    .expires = t->ops + 1 + fz_below(t, 30) };

			t->prog_attached++;
			fz_obj_put(t, &o);
			break;
		}
		case BPF_OBJ_GET_INFO_BY_FD:
			/* a map's or a program's info, as far as the caller asked */
			if (!mutated && a->info.info_len != (info_len < 88 ? info_len : 88) &&
			    a->info.info_len != (info_len < 232 ? info_len : 232))
				fz_fail(t, "OBJ_GET_INFO_BY_FD with info_len %u answered info_len %u",
					info_len, a->info.info_len);
			break;
		case BPF_PROG_TEST_RUN:
			t->prog_runs++;
			break;
		default:
			break;
		}
	}
}

/* --- the attr contract, to the errno */

static bool fz_cmd_implemented(uint32_t cmd)
{
	return fz_cmd_attr_end(cmd) != 0;
}

static void expect_err(struct fz_thread *t, long r, int err, int want, const char *what)
{
	if (r != -1 || err != want)
		fz_fail(t, "%s: want -1/%s, got %ld/%s", what, fz_errname(want), r,
			fz_errname(r < 0 ? err : 0));
}

void fz_op_contract(struct fz_thread *t)
{
	union bpf_attr *a = (void *)t->attr_area;
	uint8_t *area = t->attr_area;
	uint32_t cmd, end, us = fz_cfg.union_size, size, pos;
	long r;
	int err;

	if (fz_chance(t, 70))
		cmd = fz_below(t, FZ_MAX_BPF_CMD);
	else if (fz_chance(t, 50))
		cmd = FZ_MAX_BPF_CMD + fz_below(t, 100);
	else
		cmd = (uint32_t)fz_interesting(t);
	if (cmd == BPF_RAW_TRACEPOINT_OPEN && fz_cfg.no_attach)
		cmd = BPF_MAP_GET_NEXT_ID;
	end = fz_cmd_attr_end(cmd);

	switch (fz_below(t, 9)) {
	case 0:		/* more than a page */
		memset(area, 0, FZ_ATTR_BUF);
		size = FZ_PAGE + 1 + (fz_chance(t, 50) ? 0 : fz_below(t, 100000));
		fz_desc_attr(t, cmd, a, size);
		r = fz_bpf(t, cmd, a, size);
		expect_err(t, r, errno, E2BIG, "an attr larger than a page");
		return;
	case 1:		/* a non-zero byte past the union */
		memset(area, 0, FZ_ATTR_BUF);
		size = us + 1 + fz_below(t, FZ_PAGE - us);
		pos = us + fz_below(t, size - us);
		area[pos] = 1 + fz_below(t, 255);
		fz_desc_attr(t, cmd, a, size);
		r = fz_bpf(t, cmd, a, size);
		fz_desc(t, "cmd %u (%s) size %u, byte %u set", cmd, fz_cmd_name(cmd), size, pos);
		expect_err(t, r, errno, E2BIG, "a non-zero byte past union bpf_attr");
		return;
	case 2: {	/* an attr that cannot be read (straddles are below) */
		uint64_t p = fz_unreadable_ptr(t);

		size = 1 + fz_below(t, FZ_PAGE);
		fz_desc(t, "cmd %u (%s) size %u attr %#llx", cmd, fz_cmd_name(cmd), size,
			(unsigned long long)p);
		r = fz_bpf(t, cmd, (void *)(uintptr_t)p, size);
		expect_err(t, r, errno, EFAULT, "an attr that cannot be read");
		return;
	}
	case 3:		/* an attr that runs into an unmapped page */
		size = 8 + fz_below(t, us);
		pos = 1 + fz_below(t, size - 1);	/* bytes in the guard page */
		memset(area, 0, FZ_ATTR_BUF);
		fz_desc(t, "cmd %u (%s) size %u, the last %u bytes in a PROT_NONE page", cmd,
			fz_cmd_name(cmd), size, pos);
		r = fz_bpf(t, cmd, area + FZ_ATTR_BUF - (size - pos), size);
		expect_err(t, r, errno, EFAULT, "an attr straddling into PROT_NONE");
		return;
	case 4:		/* a bad struct kbpf_bpf_call */
		fz_desc(t, "KBPF_IOC_BPF with a bad call pointer");
		r = fz_ioctl(t, fz_dev, KBPF_IOC_BPF,
			     (void *)(uintptr_t)fz_unreadable_ptr(t), FZ_CAT_BAD_CALL);
		expect_err(t, r, errno, EFAULT, "KBPF_IOC_BPF with an unreadable call");
		return;
	case 5:		/* unknown or unimplemented commands */
		if (fz_cmd_implemented(cmd))
			cmd = FZ_MAX_BPF_CMD + fz_below(t, 1000);
		memset(area, 0, FZ_ATTR_BUF);
		if (fz_chance(t, 50))
			fz_bytes(t, area, us);
		size = fz_chance(t, 50) ? us : fz_below(t, us + 1);
		fz_desc_attr(t, cmd, a, size);
		r = fz_bpf(t, cmd, a, size);
		expect_err(t, r, errno, EINVAL, "a command kbpf does not implement");
		return;
	case 6:		/* a field the command does not read */
		if (!fz_cmd_implemented(cmd) || end >= us)
			cmd = BPF_MAP_LOOKUP_ELEM;
		end = fz_cmd_attr_end(cmd);
		memset(area, 0, FZ_ATTR_BUF);
		pos = end + fz_below(t, us - end);
		area[pos] = 1 + fz_below(t, 255);
		size = fz_chance(t, 70) ? us : pos + 1 + fz_below(t, us - pos);
		fz_desc_attr(t, cmd, a, size);
		r = fz_bpf(t, cmd, a, size);
		expect_err(t, r, errno, EINVAL, "a non-zero field the command does not read");
		return;
	case 7:		/* a long attr with a zero tail reads as the union */
		memset(area, 0, FZ_ATTR_BUF);
		a->start_id = 0x7fffffff;
		size = us + fz_below(t, FZ_PAGE - us + 1);
		fz_desc_attr(t, BPF_MAP_GET_NEXT_ID, a, size);
		r = fz_bpf(t, BPF_MAP_GET_NEXT_ID, a, size);
		expect_err(t, r, errno, EINVAL, "GET_NEXT_ID from INT_MAX, zero tail");
		return;
	default:	/* size 0: all zero, whatever the pointer */
		fz_desc(t, "cmd %u (%s) size 0 attr bad", cmd, fz_cmd_name(cmd));
		r = fz_bpf(t, cmd, (void *)(uintptr_t)fz_unreadable_ptr(t), 0);
		err = errno;
		if (!fz_cmd_implemented(cmd))
			expect_err(t, r, err, EINVAL, "size 0 for an unknown command");
		else if (r >= 0 && cmd != BPF_MAP_GET_NEXT_ID && cmd != BPF_PROG_GET_NEXT_ID &&
			 cmd != BPF_PROG_TEST_RUN)
			fz_fail(t, "an all-zero attr succeeded for %s", fz_cmd_name(cmd));
		else if (r < 0 && err == EFAULT && cmd != BPF_MAP_GET_NEXT_ID &&
			 cmd != BPF_PROG_GET_NEXT_ID)
			fz_fail(t, "an attr of size 0 was read: EFAULT for %s", fz_cmd_name(cmd));
		return;
	}
}

/* --- KBPF_IOC_PERF_BUFFER's contract */

void fz_op_perf_buffer(struct fz_thread *t)
{
	uint8_t *area = t->attr_area;
	struct kbpf_perf_buffer_attr *pa;
	uint32_t size, pos = 0;
	int want = 0, err;
	long r;

	memset(area, 0, FZ_ATTR_BUF);
	switch (fz_below(t, 6)) {
	case 0:
		size = fz_below(t, KBPF_PERF_BUFFER_ATTR_SIZE_VER0);
		want = EINVAL;
		break;
	case 1:
		size = FZ_PAGE + 1 + fz_below(t, 10000);
		want = E2BIG;
		break;
	case 2:
		size = KBPF_PERF_BUFFER_ATTR_SIZE_VER0 + 1 +
		       fz_below(t, FZ_PAGE - KBPF_PERF_BUFFER_ATTR_SIZE_VER0);
		pos = 16 + fz_below(t, size - 16);
		area[pos] = 1;
		want = E2BIG;
		break;
	default:
		size = fz_chance(t, 80) ? 16 : 16 + fz_below(t, 200);
		break;
	}
	pa = (void *)area;
	pa->size = size;
	pa->cpu = fz_chance(t, 85) ? fz_below(t, fz_cfg.ncpus) : (uint32_t)fz_interesting(t);
	if (fz_chance(t, 30))
		pa->flags = fz_chance(t, 50) ? KBPF_PERF_BUFFER_WATERMARK : (uint32_t)fz_rand(t);
	pa->wakeup_events = fz_chance(t, 80) ? fz_below(t, 100) : (uint32_t)fz_interesting(t);
	if (!want && (pa->flags & ~KBPF_PERF_BUFFER_WATERMARK ||
		      pa->wakeup_events > 0x7fffffff || pa->cpu >= (uint32_t)fz_cfg.ncpus))
		want = EINVAL;
	fz_desc(t, "KBPF_IOC_PERF_BUFFER size %u flags %#x cpu %u wakeup %u byte %u",
		size, pa->flags, pa->cpu, pa->wakeup_events, pos);
	if (fz_chance(t, 8)) {
		r = fz_ioctl(t, fz_dev, KBPF_IOC_PERF_BUFFER,
			     (void *)(uintptr_t)fz_unreadable_ptr(t), FZ_CAT_PERF_BUFFER);
		expect_err(t, r, errno, EFAULT, "KBPF_IOC_PERF_BUFFER of an unreadable attr");
		return;
	}
	r = fz_ioctl(t, fz_dev, KBPF_IOC_PERF_BUFFER, pa, FZ_CAT_PERF_BUFFER);
	err = errno;
	if (want) {
		expect_err(t, r, err, want, "KBPF_IOC_PERF_BUFFER");
		if (r >= 0)
			close(r);
		return;
	}
	if (r < 0) {
		if (err != ENOMEM)
			fz_fail(t, "a valid KBPF_IOC_PERF_BUFFER failed: %s", fz_errname(err));
		return;
	}
	{
		struct fz_obj o = { .fd = r, .kind = FZ_PERFBUF, .cpu = pa->cpu };

		fz_obj_put(t, &o);
	}
}

/* --- ioctl numbers kbpf's files do not have */

static bool fz_vfs_ioctl(unsigned long req)
{
	/* do_vfs_ioctl() answers these for any file */
	switch (req) {
	case FIOCLEX: case FIONCLEX: case FIONBIO: case FIOASYNC: case FIOQSIZE:
	case 0xc0045877: case 0xc0045878:	/* FIFREEZE, FITHAW */
	case 2: case 0xc020660b:		/* FIGETBSZ, FS_IOC_FIEMAP */
	case 0x40049409: case 0x4020940d: case 0xc0189436: /* FICLONE, ..RANGE, FIDEDUPE */
	case 0x80111500: case 0x80811501:	/* FS_IOC_GETFSUUID, GETFSSYSFSPATH */
		return true;
	default:
		return false;
	}
}

void fz_op_bogus_ioctl(struct fz_thread *t)
{
	static const unsigned long perf_ok[] = {
		PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_DISABLE, PERF_EVENT_IOC_ID,
	};
	static const unsigned long perf_other[] = {
		PERF_EVENT_IOC_REFRESH, PERF_EVENT_IOC_RESET, PERF_EVENT_IOC_PERIOD,
		PERF_EVENT_IOC_SET_OUTPUT, PERF_EVENT_IOC_SET_FILTER,
		PERF_EVENT_IOC_SET_BPF, PERF_EVENT_IOC_PAUSE_OUTPUT,
		PERF_EVENT_IOC_QUERY_BPF, PERF_EVENT_IOC_MODIFY_ATTRIBUTES,
	};
	struct fz_obj o;
	unsigned long req;
	uint64_t *arg = fz_buf(t, 64, 8);
	long r;
	int fd, err;
	bool perf;

	memset(arg, 0, 64);
	if (fz_chance(t, 40) && fz_obj_pick(t, FZ_PERFBUF, &o)) {
		fd = o.fd;
		perf = true;
		if (fz_chance(t, 70)) {
			req = FZ_PICK(t, perf_ok);
			fz_desc(t, "ioctl(perf buffer %d, %#lx)", fd, req);
			r = fz_ioctl(t, fd, req, (void *)(uintptr_t)fz_ptr_or_bad(t, arg, 8, 20),
				     FZ_CAT_PERF_IOCTL);
			return;
		}
		req = FZ_PICK(t, perf_other);
	} else {
		perf = false;
		if (fz_chance(t, 40)) {
			fd = fz_dev;
		} else if (fz_obj_pick(t, (enum fz_kind)(FZ_MAP + fz_below(t, 3)), &o)) {
			fd = o.fd;	/* a map, program or link */
		} else {
			fd = fz_dev;
		}
		switch (fz_below(t, 4)) {
		case 0:	/* kbpf's magic, other numbers, directions and sizes */
			req = _IOC(fz_below(t, 4), KBPF_IOC_MAGIC, fz_below(t, 8),
				   fz_below(t, 64));
			break;
		case 1:
			req = KBPF_IOC_BPF ^ (1UL << fz_below(t, 32));
			break;
		case 2:
			req = FZ_PICK(t, perf_other);
			break;
		default:
			req = (uint32_t)fz_rand(t);
			break;
		}
		if (fd == fz_dev && (req == KBPF_IOC_BPF || req == KBPF_IOC_PERF_BUFFER))
			req ^= 0x100;
		if (fd != fz_dev && (req == KBPF_IOC_BPF || req == KBPF_IOC_PERF_BUFFER))
			req = KBPF_IOC_BPF;	/* the device's, on an object: ENOTTY */
	}
	if (fz_vfs_ioctl(req) || (req & 0xff00) == 0x5400 || (req & 0xff00) == 0x6600)
		req = _IO(KBPF_IOC_MAGIC, 0x80);
	fz_desc(t, "ioctl(%d, %#lx) on %s", fd, req, perf ? "a perf buffer" : "a kbpf fd");
	r = fz_ioctl(t, fd, req, arg, FZ_CAT_BOGUS_IOCTL);
	err = errno;
	/* only /dev/kbpf is sure to stay what it is: other fds may be reused */
	if (fd == fz_dev && (r >= 0 || err != ENOTTY))
		fz_fail(t, "ioctl %#lx on %s: want ENOTTY, got %ld/%s", req,
			perf ? "a perf buffer" : fd == fz_dev ? "/dev/kbpf" : "a kbpf object",
			r, fz_errname(r < 0 ? err : 0));
}
