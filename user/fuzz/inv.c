// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: invariants checked on objects only the checking thread
 * knows (created here, closed here, never in the shared table), so that
 * nothing another thread does can change the answer: a map reports the
 * sizes it was made with, an element written reads back equal and
 * exactly as many bytes are written as bpf(2) moves, queues and stacks
 * keep their order, a program's ring buffer and perf buffer records
 * arrive where the consumer looks, mmap()s of arrays show what bpf(2)
 * wrote, a frozen map refuses writes, fds are close-on-exec and their
 * fdinfo names them.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "fuzz.h"

#define CANARY	64

static long sysb(struct fz_thread *t, uint32_t cmd, union bpf_attr *a)
{
	fz_desc_attr(t, cmd, a, fz_cfg.union_size);
	return fz_bpf(t, cmd, a, fz_cfg.union_size);
}

static long elem(struct fz_thread *t, uint32_t cmd, int fd, const void *key, void *value,
		 uint64_t flags)
{
	union bpf_attr *a = (void *)t->attr_area;

	memset(a, 0, fz_cfg.union_size);
	a->map_fd = fd;
	a->key = (uintptr_t)key;
	a->value = (uintptr_t)value;
	a->flags = flags;
	return sysb(t, cmd, a);
}

/* The call is evaluated once; ENOMEM (the memory limit) ends the check quietly. */
#define EXPECT_OK(t, call, what) do {						\
	long _r = (call);							\
	int _e = errno;								\
	if (_r < 0 && _e != ENOMEM)						\
		fz_fail(t, "%s failed: %s", what, fz_errname(_e));		\
	if (_r < 0)								\
		goto out;							\
} while (0)

#define EXPECT_ERR(t, call, e, what) do {					\
	long _r = (call);							\
	int _e = errno;								\
	if (_r != -1 || _e != (e))						\
		fz_fail(t, "%s: want -1/%s, got %ld/%s", what, fz_errname(e),	\
			_r, fz_errname(_r < 0 ? _e : 0));			\
} while (0)

/* fdinfo and FD_CLOEXEC of a fresh kbpf fd. */
static void check_fd(struct fz_thread *t, int fd, const char *what, uint32_t map_type)
{
	char path[64], buf[1024], want[64];
	ssize_t n;
	int f;

	f = fcntl(fd, F_GETFD);
	if (f < 0 || !(f & FD_CLOEXEC))
		fz_fail(t, "%s fd %d is not close-on-exec (%d)", what, fd, f);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return;		/* no procfs here */
	n = read(f, buf, sizeof(buf) - 1);
	fz_count(t, FZ_CAT_OTHER, n, errno);
	close(f);
	if (n <= 0) {
		fz_fail(t, "reading %s of %s fails", path, what);
		return;
	}
	buf[n] = 0;
	if (map_type != ~0U) {
		snprintf(want, sizeof(want), "map_type:\t%u\n", map_type);
		if (!strstr(buf, want))
			fz_fail(t, "%s of a map of type %u does not say so: %.200s", path,
				map_type, buf);
	}
}

static void inv_array(struct fz_thread *t, const struct fz_obj *o)
{
	uint32_t vsize = fz_map_vsize(o->type, o->value_size), key = fz_below(t, o->max_entries);
	uint8_t *v = fz_buf(t, vsize, 8), *r = fz_buf(t, vsize + CANARY, 8);
	union bpf_attr *a = (void *)t->attr_area;
	uint32_t next;
	long ret;

	fz_bytes(t, v, vsize);
	ret = elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &key, v, BPF_ANY);
	if (o->map_flags & BPF_F_RDONLY) {
		EXPECT_ERR(t, ret, EPERM, "update through a BPF_F_RDONLY fd");
		return;
	}
	EXPECT_OK(t, ret, "update of an array element");
	if (o->map_flags & BPF_F_WRONLY) {
		EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, &key, r, 0), EPERM,
			   "lookup through a BPF_F_WRONLY fd");
		return;
	}
	fz_canary_set(r, vsize + CANARY);
	EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, &key, r, 0), "lookup of an array element");
	if (o->type == BPF_MAP_TYPE_ARRAY ? memcmp(r, v, vsize) : 0)
		fz_fail(t, "array element %u read back differs", key);
	if (o->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t slot = (o->value_size + 7) & ~7U, c;

		for (c = 0; c < (uint32_t)fz_cfg.ncpus; c++)
			if (memcmp(r + c * slot, v + c * slot, o->value_size))
				fz_fail(t, "per-cpu array element %u, CPU %u reads back differently",
					key, c);
	}
	if (!fz_canary_ok(r + vsize, CANARY))
		fz_fail(t, "lookup wrote past the %u bytes of the value", vsize);
	key = o->max_entries + fz_below(t, 3);
	EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, &key, r, 0), ENOENT,
		   "lookup past max_entries");
	EXPECT_ERR(t, elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &key, v, BPF_ANY), E2BIG,
		   "update past max_entries");
	key = 0;
	EXPECT_ERR(t, elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &key, v, BPF_NOEXIST), EEXIST,
		   "update NOEXIST of an array element");
	EXPECT_ERR(t, elem(t, BPF_MAP_DELETE_ELEM, o->fd, &key, NULL, 0), EINVAL,
		   "delete of an array element");
	/* the walk: 0, 1, ..., max_entries - 1 */
	memset(a, 0, fz_cfg.union_size);
	a->map_fd = o->fd;
	a->next_key = (uintptr_t)&next;
	next = 77;
	if (!sysb(t, BPF_MAP_GET_NEXT_KEY, a) && next != 0)
		fz_fail(t, "the first key of an array is %u", next);
	key = o->max_entries - 1;
	a->key = (uintptr_t)&key;
	EXPECT_ERR(t, sysb(t, BPF_MAP_GET_NEXT_KEY, a), ENOENT, "the key after the last");

	/* a batch lookup of everything, into buffers with canaries */
	/* (small enough that the arena holds both buffers apart) */
	if (o->max_entries <= 256 && (size_t)o->max_entries * vsize <= 65536) {
		uint32_t n = o->max_entries;
		uint8_t *keys = fz_buf(t, n * 4 + CANARY, 8);
		uint8_t *vals = fz_buf(t, (size_t)n * vsize + CANARY, 8);
		uint32_t out = 0;

		fz_canary_set(keys, n * 4 + CANARY);
		fz_canary_set(vals, (size_t)n * vsize + CANARY);
		memset(a, 0, fz_cfg.union_size);
		a->batch.map_fd = o->fd;
		a->batch.keys = (uintptr_t)keys;
		a->batch.values = (uintptr_t)vals;
		a->batch.count = n;
		a->batch.out_batch = (uintptr_t)&out;
		ret = sysb(t, BPF_MAP_LOOKUP_BATCH, a);
		if ((ret && errno != ENOENT && errno != ENOMEM) || a->batch.count != n)
			fz_fail(t, "batch lookup of all %u elements: %ld/%s, count %u", n, ret,
				fz_errname(ret ? errno : 0), a->batch.count);
		if (!fz_canary_ok(keys + n * 4, CANARY) ||
		    !fz_canary_ok(vals + (size_t)n * vsize, CANARY))
			fz_fail(t, "batch lookup wrote past its %u elements", n);
	}
out:
	return;
}

static void inv_hash(struct fz_thread *t, const struct fz_obj *o)
{
	uint32_t vsize = fz_map_vsize(o->type, o->value_size);
	uint8_t *k = fz_buf(t, o->key_size, 8), *v = fz_buf(t, vsize, 8);
	uint8_t *r = fz_buf(t, vsize + CANARY, 8), *nk = fz_buf(t, o->key_size + CANARY, 8);
	union bpf_attr *a = (void *)t->attr_area;
	long ret;

	if (o->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY))
		return;
	fz_bytes(t, k, o->key_size);
	fz_bytes(t, v, vsize);
	EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, k, r, 0), ENOENT,
		   "lookup in an empty hash");
	ret = elem(t, BPF_MAP_UPDATE_ELEM, o->fd, k, v, BPF_NOEXIST);
	EXPECT_OK(t, ret, "the first update of a hash map");
	/* (an LRU map may evict the key itself to make room, as the kernel's) */
	ret = elem(t, BPF_MAP_UPDATE_ELEM, o->fd, k, v, BPF_NOEXIST);
	if ((ret != -1 || errno != EEXIST) && o->type != BPF_MAP_TYPE_LRU_HASH &&
	    o->type != BPF_MAP_TYPE_LRU_PERCPU_HASH)
		fz_fail(t, "update NOEXIST of an element that exists: %ld/%s (type %u key %u "
			"value %u max %u flags %#x)", ret, fz_errname(ret ? errno : 0), o->type,
			o->key_size, o->value_size, o->max_entries, o->map_flags);
	fz_canary_set(r, vsize + CANARY);
	EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, k, r, 0), "lookup of a hash element");
	if (!fz_is_percpu(o->type) && memcmp(r, v, vsize))
		fz_fail(t, "hash element read back differs");
	if (fz_is_percpu(o->type)) {
		uint32_t slot = (o->value_size + 7) & ~7U, c;

		for (c = 0; c < (uint32_t)fz_cfg.ncpus; c++)
			if (memcmp(r + c * slot, v + c * slot, o->value_size))
				fz_fail(t, "per-cpu hash element, CPU %u, reads back differently", c);
	}
	if (!fz_canary_ok(r + vsize, CANARY))
		fz_fail(t, "hash lookup wrote past the %u bytes of the value", vsize);
	/* the one key is the first key, and the last */
	memset(a, 0, fz_cfg.union_size);
	a->map_fd = o->fd;
	a->next_key = (uintptr_t)nk;
	fz_canary_set(nk, o->key_size + CANARY);
	EXPECT_OK(t, sysb(t, BPF_MAP_GET_NEXT_KEY, a), "get_next_key of a one-element hash");
	if (memcmp(nk, k, o->key_size) || !fz_canary_ok(nk + o->key_size, CANARY))
		fz_fail(t, "get_next_key of a one-element hash: another key, or more bytes");
	a->key = (uintptr_t)k;
	EXPECT_ERR(t, sysb(t, BPF_MAP_GET_NEXT_KEY, a), ENOENT, "the key after the only one");
	if (o->type == BPF_MAP_TYPE_HASH || o->type == BPF_MAP_TYPE_LRU_HASH) {
		fz_canary_set(r, vsize + CANARY);
		EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_AND_DELETE_ELEM, o->fd, k, r, 0),
			  "lookup_and_delete of a hash element");
		if (memcmp(r, v, vsize) || !fz_canary_ok(r + vsize, CANARY))
			fz_fail(t, "lookup_and_delete gave another value, or more bytes");
	} else {
		EXPECT_OK(t, elem(t, BPF_MAP_DELETE_ELEM, o->fd, k, NULL, 0),
			  "delete of a hash element");
	}
	EXPECT_ERR(t, elem(t, BPF_MAP_DELETE_ELEM, o->fd, k, NULL, 0), ENOENT,
		   "delete of a deleted element");
	EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, k, r, 0), ENOENT,
		   "lookup of a deleted element");
out:
	return;
}

static void inv_queue(struct fz_thread *t, const struct fz_obj *o)
{
	uint8_t *v1 = fz_buf(t, o->value_size, 8), *v2 = fz_buf(t, o->value_size, 8);
	uint8_t *r = fz_buf(t, o->value_size + CANARY, 8);
	bool queue = o->type == BPF_MAP_TYPE_QUEUE;
	const uint8_t *first;

	if (o->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY) || o->max_entries < 2)
		return;
	fz_bytes(t, v1, o->value_size);
	fz_bytes(t, v2, o->value_size);
	EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, NULL, r, 0), ENOENT,
		   "peek of an empty queue/stack");
	EXPECT_OK(t, elem(t, BPF_MAP_UPDATE_ELEM, o->fd, NULL, v1, 0), "the first push");
	EXPECT_OK(t, elem(t, BPF_MAP_UPDATE_ELEM, o->fd, NULL, v2, 0), "the second push");
	first = queue ? v1 : v2;
	fz_canary_set(r, o->value_size + CANARY);
	EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, NULL, r, 0), "peek");
	if (memcmp(r, first, o->value_size) || !fz_canary_ok(r + o->value_size, CANARY))
		fz_fail(t, "peek of a %s gave another value, or more bytes",
			queue ? "queue" : "stack");
	EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_AND_DELETE_ELEM, o->fd, NULL, r, 0), "pop");
	if (memcmp(r, first, o->value_size))
		fz_fail(t, "pop of a %s gave another value", queue ? "queue" : "stack");
	EXPECT_OK(t, elem(t, BPF_MAP_LOOKUP_AND_DELETE_ELEM, o->fd, NULL, r, 0), "pop");
	if (memcmp(r, queue ? v2 : v1, o->value_size))
		fz_fail(t, "the second pop of a %s gave another value", queue ? "queue" : "stack");
	EXPECT_ERR(t, elem(t, BPF_MAP_LOOKUP_AND_DELETE_ELEM, o->fd, NULL, r, 0), ENOENT,
		   "pop of an empty queue/stack");
out:
	return;
}

/* The id of a map or program (both infos have it at offset 4), or 0. */
static uint32_t obj_id(struct fz_thread *t, int fd)
{
	union bpf_attr *a = (void *)t->attr_area;
	struct bpf_prog_info *info = fz_buf(t, sizeof(*info), 8);

	memset(info, 0, sizeof(*info));
	memset(a, 0, fz_cfg.union_size);
	a->info.bpf_fd = fd;
	a->info.info_len = sizeof(*info);
	a->info.info = (uintptr_t)info;
	return sysb(t, BPF_OBJ_GET_INFO_BY_FD, a) ? 0 : info->id;
}

static void close_prog(struct fz_thread *t, int fd)
{
	uint32_t id = obj_id(t, fd);

	fz_count(t, FZ_CAT_CLOSE, close(fd), errno);
	fz_private_id(FZ_PROG_ID(id), false);
}

/* Load a syscall program; -1 (and a failure) if a valid one does not load. */
static int load_syscall(struct fz_thread *t, const struct bpf_insn *in, uint32_t n,
			uint32_t type)
{
	union bpf_attr *a = (void *)t->attr_area;
	long fd;

	memset(a, 0, fz_cfg.union_size);
	a->prog_type = type;
	a->insns = (uintptr_t)in;
	a->insn_cnt = n;
	a->license = (uintptr_t)"GPL";
	a->prog_flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
	fd = sysb(t, BPF_PROG_LOAD, a);
	if (fd < 0 && errno != ENOMEM && errno != EMFILE)
		fz_fail(t, "a valid program did not load: %s", fz_errname(errno));
	fd = fz_private_fd(t, fd);
	if (fd >= 0)
		fz_private_id(FZ_PROG_ID(obj_id(t, fd)), true);
	return fd;
}

static long run(struct fz_thread *t, int fd, void *ctx, uint32_t size, uint32_t flags,
		uint32_t cpu, uint32_t *retval)
{
	union bpf_attr *a = (void *)t->attr_area;
	long r;

	memset(a, 0, fz_cfg.union_size);
	a->test.prog_fd = fd;
	a->test.ctx_in = (uintptr_t)ctx;
	a->test.ctx_size_in = size;
	a->test.flags = flags;
	a->test.cpu = cpu;
	r = sysb(t, BPF_PROG_TEST_RUN, a);
	*retval = a->test.retval;
	return r;
}

#define LD_MAP_FD(d, fd) FZ_INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
			 FZ_INSN(0, 0, 0, 0, 0)

/* A program's bpf_ringbuf_output() lands in the ring userspace maps. */
static void inv_ringbuf(struct fz_thread *t, const struct fz_obj *o)
{
	uint32_t word = (uint32_t)fz_rand(t), retval = 1;
	struct bpf_insn in[] = {
		FZ_INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -8, (int32_t)word),
		FZ_INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		LD_MAP_FD(BPF_REG_1, o->fd),
		FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		FZ_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -8),
		FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 8),
		FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0),
		FZ_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 130),	/* ringbuf_output */
		FZ_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	size_t size = o->max_entries, len = 2 * FZ_PAGE + 2 * size;
	uint8_t *ring;
	volatile unsigned long *cons, *prod;
	long r;
	int fd;

	if (o->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY))
		return;

	errno = 0;
	fz_desc(t, "mmap of a ring buffer's consumer page, read-write and two pages");
	ring = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
	fz_count(t, FZ_CAT_MMAP, ring == MAP_FAILED ? -1 : 0, errno);
	if (ring != MAP_FAILED) {
		fz_fail(t, "a ring buffer mapped its producer page writable");
		munmap(ring, 2 * FZ_PAGE);
	}
	fz_desc(t, "mmap of a whole ring buffer, read-only");
	ring = mmap(NULL, len, PROT_READ, MAP_SHARED, o->fd, 0);
	fz_count(t, FZ_CAT_MMAP, ring == MAP_FAILED ? -1 : 0, errno);
	if (ring == MAP_FAILED) {
		if (errno != ENOMEM)
			fz_fail(t, "a ring buffer of %zu bytes does not map read-only: %s", size,
				fz_errname(errno));
		return;
	}
	cons = (void *)ring;
	prod = (void *)(ring + FZ_PAGE);
	if (*cons || *prod)
		fz_fail(t, "a new ring buffer's positions are %lu and %lu", *cons, *prod);
	fd = load_syscall(t, in, sizeof(in) / sizeof(in[0]), BPF_PROG_TYPE_SYSCALL);
	if (fd < 0)
		goto unmap;
	r = run(t, fd, NULL, 0, 0, 0, &retval);
	if (r || retval)
		fz_fail(t, "ringbuf_output of 8 bytes into an empty ring: run %ld, retval %d",
			r, (int)retval);
	else if (*prod != 16 || *(uint32_t *)(ring + 2 * FZ_PAGE) != 8 ||
		 *(uint32_t *)(ring + 2 * FZ_PAGE + 8) != word)
		fz_fail(t, "a ring buffer record of 8 bytes: producer %lu, length %u, word %#x "
			"(want 16, 8, %#x)", *prod, *(uint32_t *)(ring + 2 * FZ_PAGE),
			*(uint32_t *)(ring + 2 * FZ_PAGE + 8), word);
	close_prog(t, fd);
unmap:
	munmap(ring, len);
}

/* A perf buffer on CPU c in slot c; a run on CPU c writes one sample there. */
static void inv_perf(struct fz_thread *t, const struct fz_obj *o)
{
	uint32_t word = (uint32_t)fz_rand(t), retval = 1, cpu, ctx[2] = { 0, 0 };
	struct bpf_insn in[] = {
		FZ_INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -8, (int32_t)word),
		FZ_INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		LD_MAP_FD(BPF_REG_2, o->fd),
		FZ_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_3, 0, 0, (int32_t)0xffffffff),
		FZ_INSN(0, 0, 0, 0, 0),				/* BPF_F_CURRENT_CPU */
		FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_10, 0, 0),
		FZ_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, -8),
		FZ_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_5, 0, 0, 8),
		FZ_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 25),	/* perf_event_output */
		FZ_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct perf_event_mmap_page *up;
	struct fz_obj pb;
	size_t len = 2 * FZ_PAGE;
	long r;
	int fd;

	if (o->max_entries < (uint32_t)fz_cfg.ncpus || o->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY))
		return;
	if (fz_make_perfbuf(t, &pb, false) < 0)
		return;
	pb.fd = fz_private_fd(t, pb.fd);
	cpu = pb.cpu;
	fz_desc(t, "mmap of a perf buffer, header and one data page");
	up = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pb.fd, 0);
	fz_count(t, FZ_CAT_MMAP, up == MAP_FAILED ? -1 : 0, errno);
	if (up == MAP_FAILED) {
		if (errno != ENOMEM)
			fz_fail(t, "a perf buffer does not map: %s", fz_errname(errno));
		close(pb.fd);
		return;
	}
	if (up->data_size != FZ_PAGE || up->data_offset != FZ_PAGE || up->data_head)
		fz_fail(t, "a new perf ring: data_size %llu offset %llu head %llu",
			(unsigned long long)up->data_size, (unsigned long long)up->data_offset,
			(unsigned long long)up->data_head);
	r = elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &cpu, &pb.fd, BPF_ANY);
	EXPECT_OK(t, r, "storing a perf buffer in a PERF_EVENT_ARRAY");
	fd = load_syscall(t, in, sizeof(in) / sizeof(in[0]), BPF_PROG_TYPE_RAW_TRACEPOINT);
	if (fd < 0)
		goto out;
	r = run(t, fd, ctx, sizeof(ctx), BPF_F_TEST_RUN_ON_CPU, cpu, &retval);
	if (r || retval) {
		fz_fail(t, "perf_event_output on CPU %u: run %ld/%s, retval %d", cpu, r,
			fz_errname(r ? errno : 0), (int)retval);
	} else {
		struct perf_event_header *h = (void *)((uint8_t *)up + FZ_PAGE);
		uint32_t *raw = (uint32_t *)(h + 1);

		if (up->data_head != 24 || h->type != PERF_RECORD_SAMPLE || h->size != 24 ||
		    raw[0] != 12 || raw[1] != word)
			fz_fail(t, "a perf sample of 8 bytes: head %llu type %u size %u raw %u %#x",
				(unsigned long long)up->data_head, h->type, h->size, raw[0], raw[1]);
	}
	close_prog(t, fd);
out:
	munmap(up, len);
	close(pb.fd);
}

/* A mappable array: bpf(2) and the mapping see the same bytes; freezing. */
static void inv_mmap_array(struct fz_thread *t, const struct fz_obj *o)
{
	size_t slot = (o->value_size + 7) & ~7U, len = (o->max_entries * slot + FZ_PAGE - 1) &
						    ~(FZ_PAGE - 1);
	uint8_t *v = fz_buf(t, o->value_size, 8), *r = fz_buf(t, o->value_size, 8);
	uint32_t key = fz_below(t, o->max_entries);
	uint8_t *p;
	long ret;

	if (o->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG))
		return;
	/* a child forked meanwhile holds a copy of writable mappings */
	pthread_rwlock_rdlock(&fz_fork_lock);
	fz_desc(t, "mmap of a BPF_F_MMAPABLE array, %zu bytes", len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
	fz_count(t, FZ_CAT_MMAP, p == MAP_FAILED ? -1 : 0, errno);
	if (p == MAP_FAILED) {
		if (errno != ENOMEM)
			fz_fail(t, "a mappable array does not map: %s", fz_errname(errno));
		pthread_rwlock_unlock(&fz_fork_lock);
		return;
	}
	fz_bytes(t, v, o->value_size);
	memcpy(p + key * slot, v, o->value_size);
	ret = elem(t, BPF_MAP_LOOKUP_ELEM, o->fd, &key, r, 0);
	if (ret || memcmp(r, v, o->value_size))
		fz_fail(t, "a value written through the mapping reads back otherwise (%ld)", ret);
	fz_bytes(t, v, o->value_size);
	if (!elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &key, v, BPF_ANY) &&
	    memcmp(p + key * slot, v, o->value_size))
		fz_fail(t, "a value bpf(2) wrote is not what the mapping shows");
	{
		union bpf_attr *a = (void *)t->attr_area;

		memset(a, 0, fz_cfg.union_size);
		a->map_fd = o->fd;
		EXPECT_ERR(t, sysb(t, BPF_MAP_FREEZE, a), EBUSY,
			   "freeze with a writable mapping");
		munmap(p, len);
		p = NULL;
		memset(a, 0, fz_cfg.union_size);
		a->map_fd = o->fd;
		ret = sysb(t, BPF_MAP_FREEZE, a);
		if (ret)
			fz_fail(t, "freeze once unmapped: %s", fz_errname(errno));
		EXPECT_ERR(t, elem(t, BPF_MAP_UPDATE_ELEM, o->fd, &key, v, BPF_ANY), EPERM,
			   "update of a frozen map");
		errno = 0;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
		fz_count(t, FZ_CAT_MMAP, p == MAP_FAILED ? -1 : 0, errno);
		if (p != MAP_FAILED) {
			fz_fail(t, "a frozen map mapped writable");
			munmap(p, len);
		} else if (errno != EPERM) {
			fz_fail(t, "a writable mmap of a frozen map: want EPERM, got %s",
				fz_errname(errno));
		}
		p = NULL;
	}
	if (p)
		munmap(p, len);
	pthread_rwlock_unlock(&fz_fork_lock);
}

void fz_op_invariants(struct fz_thread *t)
{
	static const uint32_t types[] = {
		BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH,
		BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
		BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
		BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	};
	union bpf_attr c;
	struct fz_obj o;
	struct bpf_map_info info;
	union bpf_attr *a = (void *)t->attr_area;

	if (fz_make_map(t, FZ_PICK(t, types), &o, true) < 0)
		return;
	o.fd = fz_private_fd(t, o.fd);
	/* the sizes it was made with */
	memset(&info, 0, sizeof(info));
	memset(a, 0, fz_cfg.union_size);
	a->info.bpf_fd = o.fd;
	a->info.info_len = sizeof(info);
	a->info.info = (uintptr_t)&info;
	if (sysb(t, BPF_OBJ_GET_INFO_BY_FD, a)) {
		fz_fail(t, "OBJ_GET_INFO_BY_FD of a new map: %s", fz_errname(errno));
	} else if (info.type != o.type || info.key_size != o.key_size ||
		   info.value_size != o.value_size ||
		   (info.max_entries != o.max_entries && !(o.map_flags & BPF_F_NO_COMMON_LRU)) ||
		   info.map_flags != (o.map_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY))) {
		fz_fail(t, "map info %u/%u/%u/%u/%#x, made as %u/%u/%u/%u/%#x", info.type,
			info.key_size, info.value_size, info.max_entries, info.map_flags,
			o.type, o.key_size, o.value_size, o.max_entries, o.map_flags);
	}
	o.max_entries = info.max_entries ? info.max_entries : o.max_entries;
	fz_private_id(info.id, true);
	(void)c;
	check_fd(t, o.fd, "a map", o.type);

	switch (o.type) {
	case BPF_MAP_TYPE_ARRAY:
		if (o.map_flags & BPF_F_MMAPABLE)
			inv_mmap_array(t, &o);
		else
			inv_array(t, &o);
		break;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		inv_array(t, &o);
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		inv_queue(t, &o);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		inv_ringbuf(t, &o);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		inv_perf(t, &o);
		break;
	default:
		inv_hash(t, &o);
		break;
	}
	/* then it goes (the checker process has nobody to give it to) */
	if (!fz_in_checker && fz_chance(t, 50)) {
		fz_private_id(info.id, false);
		fz_obj_put(t, &o);
	} else {
		fz_count(t, FZ_CAT_CLOSE, close(o.fd), errno);
		fz_private_id(info.id, false);
	}
}
