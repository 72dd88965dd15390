// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Profile for BPF_MAP_TYPE_PERF_EVENT_ARRAY.  A slot's value is an fd:
 * on the kernel's side a perf_event_open() PERF_COUNT_SW_BPF_OUTPUT event,
 * on kbpf's a KBPF_IOC_PERF_BUFFER perf buffer.  Each map pair gets a few
 * of each, and "value i" means each backend's own i-th; invalid values are
 * the same on both (a pipe, a closed fd, junk) or each backend's own kind
 * of wrong (its map's fd, the other backend's buffer or map).
 *
 * Slots cannot be read back through bpf(2) (lookup is ENOTSUPP), so what
 * a slot holds shows in delete's answer (0 or ENOENT).  A second map fd
 * from BPF_MAP_GET_FD_BY_ID, written through and then closed, checks that
 * closing a map file empties the slots stored through it, unless the map
 * was created with BPF_F_PRESERVE_ELEMS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kbpf.h>
#include <linux/perf_event.h>

#include "diff.h"

#define NR_BUFFERS 3

struct perf_priv {
	int buffers[2][NR_BUFFERS];	/* [KERN]: perf events, [KBPF]: perf buffers */
	int pipe_fd[2];
	int fd2[2];			/* a second fd on each map, or -1 */
};

enum value_kind {
	VALUE_OWN,		/* the backend's own i-th buffer */
	VALUE_OTHER_KIND,	/* the other backend's i-th buffer */
	VALUE_PIPE,
	VALUE_CLOSED,
	VALUE_MAP,		/* the map's own fd */
	VALUE_OTHER_MAP,	/* the other backend's map */
	VALUE_JUNK,
	NR_VALUE_KINDS
};

static const char *const value_kind_name[NR_VALUE_KINDS] = {
	"own buffer", "other backend's buffer", "pipe", "closed fd", "the map",
	"other backend's map", "junk",
};

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

static int perf_event_fd(int cpu)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static int kbpf_buffer_fd(int cpu)
{
	static int dev = -1;
	struct kbpf_perf_buffer_attr attr = {
		.size = sizeof(attr), .cpu = cpu, .wakeup_events = 1,
	};

	if (dev < 0)
		dev = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return ioctl(dev, KBPF_IOC_PERF_BUFFER, &attr);
}

static void gen_perf_array(struct diff_ctx *ctx, union bpf_attr *attr)
{
	static const uint32_t entries[] = { 1, 2, 3, 4, 7, 16, 64, 100, 1000 };
	static const uint32_t flags[] = {
		BPF_F_PRESERVE_ELEMS, BPF_F_PRESERVE_ELEMS, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_NUMA_NODE, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_MMAPABLE,
		BPF_F_INNER_MAP, BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, 1U << 30,
	};
	struct rng *r = &ctx->rng;

	attr->key_size = rng_chance(r, 95) ? 4 : RNG_PICK(r, ((const uint32_t[]){ 0, 1, 8, 16 }));
	attr->value_size = rng_chance(r, 92) ? 4
		: RNG_PICK(r, ((const uint32_t[]){ 0, 1, 2, 8, 16, 0x80000000u }));
	attr->max_entries = rng_chance(r, 97) ? RNG_PICK(r, entries)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 1u << 16 }));
	if (rng_chance(r, 45)) {
		uint32_t n = 1 + rng_below(r, 2), i;

		for (i = 0; i < n; i++)
			attr->map_flags |= flags[rng_below(r, rng_chance(r, 80) ? 5 : 12)];
	}
	if (attr->map_flags & BPF_F_NUMA_NODE)
		attr->numa_node = rng_chance(r, 85) ? 0 : 1 + rng_below(r, 1000);
	if (rng_chance(r, 60))
		diff_gen_name(ctx, attr);
	if (rng_chance(r, 2))
		attr->map_extra = 1 + rng_below(r, 10);
	if (rng_chance(r, 2))
		attr->btf_key_type_id = 1;
}

static void perf_map_init(struct diff_ctx *ctx, struct diff_map *m)
{
	struct perf_priv *p = calloc(1, sizeof(*p));
	int i, b;

	if (!p)
		abort();
	m->priv = p;
	p->fd2[KERN] = p->fd2[KBPF] = -1;
	if (pipe(p->pipe_fd))
		abort();
	for (i = 0; i < NR_BUFFERS; i++) {
		int cpu = i % online_cpus();

		p->buffers[KERN][i] = perf_event_fd(cpu);
		p->buffers[KBPF][i] = kbpf_buffer_fd(cpu);
		for (b = 0; b < 2; b++)
			if (p->buffers[b][i] < 0)
				diff_mismatch(ctx, "%s: cannot open a buffer on CPU %d: %s",
					      diff_backend_name[b], cpu,
					      strerrorname_np(errno) ?: "?");
	}
}

static void close_fd2(struct perf_priv *p)
{
	int b;

	for (b = 0; b < 2; b++) {
		if (p->fd2[b] >= 0)
			close(p->fd2[b]);
		p->fd2[b] = -1;
	}
}

static void perf_map_fini(struct diff_ctx *ctx, struct diff_map *m)
{
	struct perf_priv *p = m->priv;
	int i, b;

	(void)ctx;
	close_fd2(p);
	for (b = 0; b < 2; b++)
		for (i = 0; i < NR_BUFFERS; i++)
			if (p->buffers[b][i] >= 0)
				close(p->buffers[b][i]);
	close(p->pipe_fd[0]);
	close(p->pipe_fd[1]);
	free(p);
	m->priv = NULL;
}

/* A key: mostly in range, sometimes just past the end, now and then huge. */
static uint32_t perf_key(struct diff_ctx *ctx, const struct diff_map *m)
{
	if (rng_chance(&ctx->rng, 90))
		return rng_below(&ctx->rng, m->max_entries);
	if (rng_chance(&ctx->rng, 70))
		return m->max_entries + rng_below(&ctx->rng, 3);
	return 0xffffffffu - rng_below(&ctx->rng, 3);
}

static uint32_t value_kind(struct diff_ctx *ctx)
{
	if (rng_chance(&ctx->rng, 65))
		return VALUE_OWN;
	return 1 + rng_below(&ctx->rng, NR_VALUE_KINDS - 1);
}

/* BPF_MAP_UPDATE_ELEM with each backend's value of @kind, maybe through the second fd. */
static void perf_op_update(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t junk[] = { 0, 1, 2, 999, 0x7fffffffu, 0xffffffffu };
	struct perf_priv *p = m->priv;
	uint32_t key = perf_key(ctx, m), kind = value_kind(ctx);
	uint32_t i = rng_below(&ctx->rng, NR_BUFFERS), val[2];
	uint64_t flags = rng_chance(&ctx->rng, 75) ? BPF_ANY : diff_gen_update_flags(ctx);
	uint32_t bad = RNG_PICK(&ctx->rng, junk);
	bool via_fd2 = p->fd2[KERN] >= 0 && rng_chance(&ctx->rng, 40);
	struct diff_res r[2];
	int b, closed;

	closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(closed);	/* its number is free until the next open */
	for (b = 0; b < 2; b++) {
		switch (kind) {
		case VALUE_OWN:
			val[b] = p->buffers[b][i];
			break;
		case VALUE_OTHER_KIND:
			val[b] = p->buffers[!b][i];
			break;
		case VALUE_PIPE:
			val[b] = p->pipe_fd[i & 1];
			break;
		case VALUE_CLOSED:
			val[b] = closed;
			break;
		case VALUE_MAP:
			val[b] = m->fd[b];
			break;
		case VALUE_OTHER_MAP:
			val[b] = m->fd[!b];
			break;
		default:
			val[b] = bad;
			break;
		}
	}
	diff_begin(ctx, "update key %u to %s %u flags %#llx%s", key,
		   value_kind_name[kind], i, (unsigned long long)flags,
		   via_fd2 ? " through the second fd" : "");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = via_fd2 ? p->fd2[b] : m->fd[b] };

		a.key = (uint64_t)(uintptr_t)&key;
		a.value = (uint64_t)(uintptr_t)&val[b];
		a.flags = flags;
		r[b] = diff_call(b, BPF_MAP_UPDATE_ELEM, &a);
	}
	diff_same_res(ctx, "update", r, false);
}

static uint32_t map_id(int b, int fd)
{
	struct bpf_map_info info = {};
	union bpf_attr a = {};

	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	return diff_call(b, BPF_OBJ_GET_INFO_BY_FD, &a).ret == 0 ? info.id : 0;
}

/*
 * Open a second fd on each map by id (random open_flags), or close it:
 * closing it empties, on both, the slots updated through it.
 */
static void perf_op_second_fd(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t open_flags[] = {
		0, 0, 0, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY | BPF_F_WRONLY, 4,
	};
	struct perf_priv *p = m->priv;
	uint32_t flags = RNG_PICK(&ctx->rng, open_flags);
	struct diff_res r[2];
	int b;

	if (p->fd2[KERN] >= 0) {
		diff_begin(ctx, "close the second fd");
		close_fd2(p);
		return;
	}
	diff_begin(ctx, "get_fd_by_id open_flags %#x", flags);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = {};

		a.map_id = map_id(b, m->fd[b]);
		a.open_flags = flags;
		r[b] = diff_call(b, BPF_MAP_GET_FD_BY_ID, &a);
		p->fd2[b] = r[b].ret;
	}
	if (!diff_same_res(ctx, "get_fd_by_id", r, true) || r[KERN].ret < 0)
		close_fd2(p);
}

static void perf_step(struct diff_ctx *ctx, struct diff_map *m)
{
	uint32_t what = rng_below(&ctx->rng, 100), key = perf_key(ctx, m), i, n;

	if (what < 35) {
		perf_op_update(ctx, m);
	} else if (what < 52) {
		diff_op_delete(ctx, m, &key);
	} else if (what < 58) {
		diff_op_lookup(ctx, m, &key);
	} else if (what < 68) {
		diff_op_next_key_exact(ctx, m, rng_chance(&ctx->rng, 15) ? NULL : &key);
	} else if (what < 70) {
		diff_op_lookup_and_delete(ctx, m, &key, rng_chance(&ctx->rng, 80) ? 0 : BPF_F_LOCK);
	} else if (what < 73) {
		diff_op_batch_exact(ctx, m, BPF_MAP_LOOKUP_BATCH, NULL, 0);
	} else if (what < 76) {
		uint32_t keys[16];

		n = 1 + rng_below(&ctx->rng, 16);
		for (i = 0; i < n; i++)
			keys[i] = perf_key(ctx, m);
		diff_op_batch_exact(ctx, m, rng_chance(&ctx->rng, 50) ? BPF_MAP_UPDATE_BATCH
				    : rng_chance(&ctx->rng, 50) ? BPF_MAP_DELETE_BATCH
				    : BPF_MAP_LOOKUP_AND_DELETE_BATCH, keys, n);
	} else if (what < 82) {
		diff_op_bad_input(ctx, m);
	} else if (what < 90) {
		perf_op_second_fd(ctx, m);
	} else if (what < 92) {
		diff_op_mmap(ctx, m);
	} else if (what < 96) {
		diff_op_info(ctx, m, true);
	} else if (rng_chance(&ctx->rng, 25)) {
		diff_op_freeze(ctx, m);
	} else {
		diff_op_delete(ctx, m, &key);
	}
}

const struct diff_profile diff_perf_event_array_profile = {
	.name = "PERF_EVENT_ARRAY",
	.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.gen_create = gen_perf_array,
	.map_init = perf_map_init,
	.map_fini = perf_map_fini,
	.step = perf_step,
	.steps_per_map = 300,
};
