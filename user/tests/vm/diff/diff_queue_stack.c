// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Profiles for the queue/stack family, QUEUE and STACK.  Both are fully
 * determined by the calls made on them, so everything is compared
 * exactly: every value peeked and popped (and so the order), every errno,
 * and the bytes a command wrote before it faulted.
 *
 * A map alternates between filling and draining phases so that both the
 * full and the empty edge, and the ring's wrap-around, come up often; bulk
 * steps push or pop max_entries and more in a row for the larger maps.
 * Between them come the commands these maps refuse (delete,
 * get_next_key, the batch commands, mmap), bad flags, keys given to a
 * key-less map, NULL, unmapped and half-mapped value buffers, bad fds,
 * info, poll and freezing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"

#define FILL 0xa5
#define GUARD 16
/* bpf(2) copies values of up to KMALLOC_MAX_SIZE (4 MiB on x86-64). */
#define KMALLOC_MAX (1u << 22)
/* Just past the last field the element commands read. */
#define ELEM_ATTR_END (offsetof(union bpf_attr, flags) + sizeof(__u64))

static uint64_t u64p(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * Creation: mostly valid attributes of every size, now and then ones the
 * kernel refuses, and sizes around the 4 GiB that 6.12 refuses (E2BIG)
 * and no guest can allocate (ENOMEM): past the guest's memory, both
 * kernels fail without reclaim.
 */
static void gen_qs(struct diff_ctx *ctx, union bpf_attr *attr)
{
	static const uint32_t value_sizes[] = {
		1, 2, 3, 4, 5, 8, 12, 16, 31, 64, 100, 256, 1024, 4096,
	};
	static const uint32_t entries[] = { 1, 2, 3, 4, 5, 7, 8, 16, 33, 64, 100, 1000 };
	static const uint32_t flags[] = {
		BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
		BPF_F_NUMA_NODE,
		/* refused */
		BPF_F_NO_PREALLOC, BPF_F_MMAPABLE, BPF_F_ZERO_SEED, BPF_F_INNER_MAP,
		BPF_F_PRESERVE_ELEMS, BPF_F_NO_COMMON_LRU, 1U << 30,
	};
	struct rng *r = &ctx->rng;
	uint32_t vs, max;

	attr->key_size = rng_chance(r, 95) ? 0 : RNG_PICK(r, ((const uint32_t[]){ 1, 4, 8 }));
	if (rng_chance(r, 3)) {
		vs = RNG_PICK(r, ((const uint32_t[]){ 1, 2, 8, 4096, KMALLOC_MAX }));
		max = rng_chance(r, 20) ? 0xffffffffu : 0xffffffffu / vs - rng_below(r, 3);
	} else {
		vs = rng_chance(r, 96) ? RNG_PICK(r, value_sizes)
			: RNG_PICK(r, ((const uint32_t[]){ 0, KMALLOC_MAX, KMALLOC_MAX + 1,
							   1u << 23, 0x80000000u,
							   0xffffffffu }));
		max = rng_chance(r, 97) ? RNG_PICK(r, entries)
			: RNG_PICK(r, ((const uint32_t[]){ 0, 1u << 16 }));
		/* Keep a pair of maps within a few MiB of the guest's memory. */
		while ((uint64_t)max * vs > (16u << 20) && vs <= KMALLOC_MAX)
			max /= 4;
	}
	attr->value_size = vs;
	attr->max_entries = max;
	if (rng_chance(r, 35)) {
		/* mostly flags these maps take, now and then one they refuse */
		uint32_t n = 1 + rng_below(r, 2), i;

		for (i = 0; i < n; i++)
			attr->map_flags |= flags[rng_below(r, rng_chance(r, 85) ? 5 : 12)];
	}
	if (attr->map_flags & BPF_F_NUMA_NODE)
		attr->numa_node = rng_chance(r, 85) ? 0 : 1 + rng_below(r, 1000);
	if (rng_chance(r, 60))
		diff_gen_name(ctx, attr);
	if (rng_chance(r, 2))
		attr->map_extra = 1 + rng_below(r, 10);
	if (rng_chance(r, 2))
		attr->btf_key_type_id = 1;
	if (rng_chance(r, 1))
		attr->map_ifindex = 1;
}

/* Which end a map is working towards, full or empty, and its age. */
struct qs_state {
	bool filling;
	unsigned int steps;
};

static void qs_init(struct diff_ctx *ctx, struct diff_map *m)
{
	struct qs_state *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->filling = rng_chance(&ctx->rng, 50);
	m->priv = s;
}

static void qs_fini(struct diff_ctx *ctx, struct diff_map *m)
{
	(void)ctx;
	free(m->priv);
	m->priv = NULL;
}

/* A page that faults, and per backend a writable page followed by one that faults. */
static void *unmapped_page(void)
{
	static void *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED)
			abort();
	}
	return page;
}

static unsigned char *edge_page(int b)
{
	static unsigned char *pages[2];

	if (!pages[b]) {
		void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect((char *)p + 4096, 4096, PROT_NONE))
			abort();
		pages[b] = p;
	}
	return pages[b];
}

static int devnull_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd;
}

enum qs_odd {
	ODD_NONE,
	ODD_KEY,		/* a key for a key-less map */
	ODD_KEY_UNMAPPED,	/* ... that could not even be read */
	ODD_VALUE_NULL,
	ODD_VALUE_UNMAPPED,
	ODD_VALUE_EDGE,		/* the value's last bytes fault */
	ODD_FD_NEG,
	ODD_FD_CLOSED,
	ODD_FD_NOT_MAP,
	ODD_TAIL,		/* a field past the command's last is set */
	NR_ODD,
};

static const char *const odd_name[NR_ODD] = {
	"", " key", " unmapped key", " NULL value", " unmapped value",
	" half-mapped value", " fd -1", " closed fd", " fd not a map",
	" tail set",
};

static uint64_t push_flags(struct rng *r)
{
	uint32_t d = rng_below(r, 100);

	if (d < 55)
		return BPF_ANY;
	if (d < 85)
		return BPF_EXIST;
	if (d < 89)
		return BPF_NOEXIST;
	if (d < 92)
		return BPF_NOEXIST | BPF_EXIST;
	if (d < 95)
		return BPF_F_LOCK | (d & 1 ? BPF_EXIST : 0);
	return rng_next(r) >> rng_below(r, 64);
}

static uint64_t read_flags(struct rng *r, int cmd)
{
	uint32_t d = rng_below(r, 100);

	if (d < 90)
		return 0;
	if (d < 94)
		return BPF_F_LOCK;
	if (d < 97 && cmd == BPF_MAP_LOOKUP_AND_DELETE_ELEM)
		return 1 + rng_below(r, 3);
	return rng_next(r) >> rng_below(r, 64);
}

/*
 * One element command on both maps: UPDATE (push), LOOKUP (peek) or
 * LOOKUP_AND_DELETE (pop), with the usual inputs or, when @odd, one odd
 * one.  Compared: the result, the value read, the bytes written before a
 * fault, and that nothing was written past the value.
 */
static void qs_elem(struct diff_ctx *ctx, struct diff_map *m, int cmd, bool odd)
{
	static const char *const cmd_name[] = {
		[BPF_MAP_LOOKUP_ELEM] = "peek (lookup)",
		[BPF_MAP_UPDATE_ELEM] = "push (update)",
		[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = "pop (lookup_and_delete)",
	};
	struct rng *r = &ctx->rng;
	bool write = cmd == BPF_MAP_UPDATE_ELEM;
	uint32_t vs = m->vsize, edge = 0, tail = 0;
	uint64_t flags = write ? push_flags(r) : read_flags(r, cmd);
	enum qs_odd what = odd ? 1 + rng_below(r, NR_ODD - 1) : ODD_NONE;
	unsigned char key[8], *in, *out[2];
	struct diff_res res[2];
	int b;

	/* Every random draw comes before the backends run: they get the same. */
	in = malloc(vs);
	if (!in)
		abort();
	rng_bytes(r, in, vs);
	rng_bytes(r, key, sizeof(key));
	if (what == ODD_VALUE_EDGE) {
		if (vs < 2)
			what = ODD_VALUE_UNMAPPED;
		else	/* 1..min(vs - 1, 4096) bytes readable */
			edge = 1 + rng_below(r, vs - 1 < 4096 ? vs - 1 : 4096);
	}
	if (what == ODD_TAIL)
		tail = ELEM_ATTR_END + rng_below(r, sizeof(union bpf_attr) - ELEM_ATTR_END);

	diff_begin(ctx, "%s flags %#llx%s", cmd_name[cmd], (unsigned long long)flags,
		   odd_name[what]);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };
		unsigned char *edge_buf = edge_page(b) + 4096 - edge;

		out[b] = malloc(vs + GUARD);
		if (!out[b])
			abort();
		memset(out[b], FILL, vs + GUARD);
		if (write)
			memcpy(out[b], in, vs);
		a.value = u64p(out[b]);
		a.flags = flags;
		switch (what) {
		case ODD_KEY:
			a.key = u64p(key);
			break;
		case ODD_KEY_UNMAPPED:
			a.key = u64p(unmapped_page());
			break;
		case ODD_VALUE_NULL:
			a.value = 0;
			break;
		case ODD_VALUE_UNMAPPED:
			a.value = u64p(unmapped_page());
			break;
		case ODD_VALUE_EDGE:
			memset(edge_buf, FILL, edge);
			if (write)
				memcpy(edge_buf, in, edge);
			a.value = u64p(edge_buf);
			break;
		case ODD_FD_NEG:
			a.map_fd = -1;
			break;
		case ODD_FD_CLOSED:
			a.map_fd = 1 << 20;
			break;
		case ODD_FD_NOT_MAP:
			a.map_fd = devnull_fd();
			break;
		case ODD_TAIL:
			((unsigned char *)&a)[tail] = 1;
			break;
		default:
			break;
		}
		res[b] = diff_call(b, cmd, &a);
	}
	if (diff_same_res(ctx, cmd_name[cmd], res, false)) {
		if (!write && res[0].ret == 0)
			diff_same_bytes(ctx, "value", out[0], out[1], vs);
		if (what == ODD_VALUE_EDGE)
			diff_same_bytes(ctx, "bytes before the fault",
					edge_page(0) + 4096 - edge,
					edge_page(1) + 4096 - edge, edge);
	}
	for (b = 0; b < 2; b++) {
		unsigned char *g = out[b] + vs;
		int i;

		for (i = 0; i < GUARD; i++)
			if (g[i] != FILL) {
				diff_mismatch(ctx, "%s wrote past the value",
					      diff_backend_name[b]);
				break;
			}
		free(out[b]);
	}
	free(in);
}

/* poll(): maps without their own poll answer POLLERR. */
static void qs_poll(struct diff_ctx *ctx, struct diff_map *m)
{
	struct diff_res r[2];
	short revents[2];
	int b;

	diff_begin(ctx, "poll");
	for (b = 0; b < 2; b++) {
		struct pollfd p = { .fd = m->fd[b], .events = POLLIN | POLLOUT | POLLPRI };

		r[b].ret = poll(&p, 1, 0);
		r[b].err = r[b].ret < 0 ? errno : 0;
		revents[b] = p.revents;
	}
	if (diff_same_res(ctx, "poll", r, false) && revents[0] != revents[1])
		diff_mismatch(ctx, "poll revents: kernel %#x, kbpf %#x", revents[0],
			      revents[1]);
}

/*
 * One more creation from fresh attributes beside the map in use, closed
 * at once: creation's checks see many more attribute sets this way.
 */
static void qs_create(struct diff_ctx *ctx, struct diff_map *m)
{
	union bpf_attr attr = { .map_type = m->attr.map_type };
	struct diff_res r[2];
	int b;

	gen_qs(ctx, &attr);
	diff_begin(ctx, "create key %u value %u max %u flags %#x", attr.key_size,
		   attr.value_size, attr.max_entries, attr.map_flags);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = attr;

		r[b] = diff_call(b, BPF_MAP_CREATE, &a);
	}
	diff_same_res(ctx, "create", r, true);
	for (b = 0; b < 2; b++)
		if (r[b].ret >= 0)
			close(r[b].ret);
}

static void qs_step(struct diff_ctx *ctx, struct diff_map *m)
{
	struct qs_state *s = m->priv;
	struct rng *r = &ctx->rng;
	uint32_t what = rng_below(r, 100), n, i;
	unsigned char key[4];

	rng_bytes(r, key, sizeof(key));
	s->steps++;
	if (rng_chance(r, 6))
		s->filling = !s->filling;
	if (what < 40) {
		bool push = rng_chance(r, s->filling ? 75 : 25);

		qs_elem(ctx, m, push ? BPF_MAP_UPDATE_ELEM : BPF_MAP_LOOKUP_AND_DELETE_ELEM,
			false);
	} else if (what < 52) {
		qs_elem(ctx, m, BPF_MAP_LOOKUP_ELEM, false);
	} else if (what < 56) {
		/* Past full, or empty, from wherever the map is (up to 1000 values). */
		n = 1 + rng_below(r, (m->max_entries < 1000 ? m->max_entries : 1000) + 2);
		if (m->frozen || m->map_flags & (BPF_F_RDONLY | BPF_F_WRONLY))
			n = n < 3 ? n : 3;	/* all EPERM */
		for (i = 0; i < n; i++)
			qs_elem(ctx, m, s->filling ? BPF_MAP_UPDATE_ELEM
				: BPF_MAP_LOOKUP_AND_DELETE_ELEM, false);
	} else if (what < 68) {
		static const uint32_t cmds[] = {
			BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM,
			BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
		};

		qs_elem(ctx, m, RNG_PICK(r, cmds), true);
	} else if (what < 71) {
		diff_op_delete(ctx, m, rng_chance(r, 60) ? NULL : key);
	} else if (what < 74) {
		diff_op_next_key_exact(ctx, m, rng_chance(r, 50) ? NULL : key);
	} else if (what < 79) {
		static const uint32_t cmds[] = {
			BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
			BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH,
		};

		diff_op_batch_exact(ctx, m, RNG_PICK(r, cmds), NULL, 1 + rng_below(r, 8));
	} else if (what < 85) {
		diff_op_bad_input(ctx, m);
	} else if (what < 88) {
		diff_op_info(ctx, m, true);
	} else if (what < 90) {
		diff_op_mmap(ctx, m);
	} else if (what < 92) {
		qs_poll(ctx, m);
	} else if (what < 94) {
		qs_create(ctx, m);
	} else if (what < 95 && s->steps > 250 && rng_chance(r, 50)) {
		/* Late in a map's life: what follows checks writes are refused. */
		diff_op_freeze(ctx, m);
	} else {
		qs_elem(ctx, m, BPF_MAP_LOOKUP_ELEM, false);
	}
}

const struct diff_profile diff_queue_profile = {
	.name = "QUEUE",
	.map_type = BPF_MAP_TYPE_QUEUE,
	.gen_create = gen_qs,
	.map_init = qs_init,
	.map_fini = qs_fini,
	.step = qs_step,
	.steps_per_map = 400,
};

const struct diff_profile diff_stack_profile = {
	.name = "STACK",
	.map_type = BPF_MAP_TYPE_STACK,
	.gen_create = gen_qs,
	.map_init = qs_init,
	.map_fini = qs_fini,
	.step = qs_step,
	.steps_per_map = 400,
};
