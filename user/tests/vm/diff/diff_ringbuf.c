// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The RINGBUF profile.  Ring buffers have no elements: bpf(2)'s element
 * and batch commands only answer with errnos, and userspace sees a ring
 * through mmap() and poll.  So beside creation attributes and every
 * command's errno, this compares mmap() with random lengths, offsets,
 * protections and sharing (errnos and the bytes that map: positions and
 * data, which start at 0 on both, and whatever was written to the
 * consumer page since), mprotect() on those mappings, poll() and epoll
 * readiness, and freezing while writable mappings are kept.  There is no
 * producer from userspace: records are KUnit's (kunit/ringbuf_test.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"

/* Mappings a profile step may keep for later steps (freeze sees them). */
#define KEPT 4

struct kept_map {
	void *p[2];
	size_t len;
};

struct rb_priv {
	struct kept_map kept[KEPT];
	unsigned int nkept;
};

static void gen_ringbuf(struct diff_ctx *ctx, union bpf_attr *attr)
{
	static const uint32_t small[] = { 4096, 8192, 16384, 32768 };
	static const uint32_t large[] = { 1u << 16, 1u << 18, 1u << 20, 1u << 22 };
	static const uint32_t bad[] = {
		0, 1, 8, 2048, 4095, 4097, 12288, 20480, 3u << 20, (1u << 20) + 4096,
		0x7ffff000, 0x80000001, 0x80001000, 0xc0000000, 0xfffff000, 0xffffffff,
	};
	static const uint32_t flags[] = {
		BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_INNER_MAP,
		BPF_F_ZERO_SEED, BPF_F_PRESERVE_ELEMS, BPF_F_NO_COMMON_LRU,
		BPF_F_STACK_BUILD_ID, BPF_F_CLONE, 1u << 30, 1u << 31,
	};
	static const uint32_t odd_sizes[] = { 1, 4, 8, 16 };
	struct rng *r = &ctx->rng;
	uint32_t d = rng_below(r, 100);

	attr->key_size = rng_chance(r, 96) ? 0 : RNG_PICK(r, odd_sizes);
	attr->value_size = rng_chance(r, 96) ? 0 : RNG_PICK(r, odd_sizes);
	/* Mostly valid sizes, small ones most; invalid ones up to 4 GiB. */
	if (d < 55)
		attr->max_entries = RNG_PICK(r, small);
	else if (d < 70)
		attr->max_entries = RNG_PICK(r, large);
	else if (d < 71)
		attr->max_entries = 1u << 24;
	else
		attr->max_entries = RNG_PICK(r, bad);
	if (rng_chance(r, 25)) {
		uint32_t n = 1 + rng_below(r, 2), i;

		for (i = 0; i < n; i++)
			attr->map_flags |= rng_chance(r, 50) ? BPF_F_NUMA_NODE
							   : RNG_PICK(r, flags);
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

static void ringbuf_map_init(struct diff_ctx *ctx, struct diff_map *m)
{
	(void)ctx;
	m->priv = calloc(1, sizeof(struct rb_priv));
	if (!m->priv)
		abort();
}

static void unmap_kept(struct rb_priv *priv, unsigned int i)
{
	int b;

	for (b = 0; b < 2; b++)
		munmap(priv->kept[i].p[b], priv->kept[i].len);
	priv->kept[i] = priv->kept[--priv->nkept];
}

static void ringbuf_map_fini(struct diff_ctx *ctx, struct diff_map *m)
{
	struct rb_priv *priv = m->priv;

	(void)ctx;
	while (priv->nkept)
		unmap_kept(priv, 0);
	free(priv);
	m->priv = NULL;
}

/* Readable memory that is the same on both backends, or differences. */
static void compare_mapped(struct diff_ctx *ctx, void *p[2], size_t len)
{
	if (memcmp(p[0], p[1], len))
		diff_same_bytes(ctx, "mapped memory", p[0], p[1], len);
}

/*
 * mmap() of a random range: libbpf's two mappings (the consumer page
 * writable; the producer page and the data twice, read-only), all of it,
 * ranges reaching past the end, writable ranges beyond the consumer
 * page, odd protections, MAP_PRIVATE, huge offsets.  What maps is
 * compared; a writable mapping gets the same bytes written on both; then
 * perhaps an mprotect(); and the mapping is unmapped or kept.
 */
static void ringbuf_op_mmap(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t prots[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_EXEC,
	};
	static const uint32_t reprots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
	};
	struct rb_priv *priv = m->priv;
	struct rng *r = &ctx->rng;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t total = 2 + 2 * (uint64_t)(m->max_entries / page), off, len;
	int prot = RNG_PICK(r, prots), reprot = -1;
	int flags = rng_chance(r, 92) ? MAP_SHARED : MAP_PRIVATE;
	uint32_t shape = rng_below(r, 8), at = 0, n = 0;
	unsigned char bytes[64];
	struct diff_res res[2];
	bool keep;
	void *p[2];
	int b;

	switch (shape) {
	case 0:		/* libbpf's consumer page */
		off = 0;
		len = 1;
		prot = rng_chance(r, 80) ? PROT_READ | PROT_WRITE : prot;
		break;
	case 1:		/* libbpf's producer page and data */
		off = 1;
		len = total - 1;
		prot = rng_chance(r, 80) ? PROT_READ : prot;
		break;
	case 2:		/* everything, from the consumer page on */
		off = 0;
		len = total;
		break;
	case 3:		/* any range, some past the end */
		off = rng_below(r, total + 2);
		len = 1 + rng_below(r, off <= total ? total - off + 2 : 3);
		break;
	case 4:		/* a writable range beyond the consumer page */
		off = rng_below(r, 3);
		len = 1 + rng_below(r, 3);
		prot = PROT_READ | PROT_WRITE;
		break;
	case 5:		/* offsets far past the end */
		off = rng_chance(r, 50) ? total + rng_below(r, 4)
					: 1ull << (20 + rng_below(r, 30));
		len = 1;
		break;
	default:	/* one page anywhere */
		off = rng_below(r, total);
		len = 1;
		break;
	}
	off *= page;
	len *= page;
	/* The same bytes for both backends: mostly a consumer position. */
	rng_bytes(r, bytes, sizeof(bytes));
	if (rng_chance(r, 70)) {
		uint64_t pos = rng_chance(r, 40) ? 0 : 8 * rng_below(r, 4096);

		memcpy(bytes, &pos, sizeof(pos));
		n = 8;
	} else {
		at = rng_below(r, page);
		n = rng_below(r, sizeof(bytes));
		if (at + n > page)
			n = page - at;
	}
	if (rng_chance(r, 25))
		reprot = RNG_PICK(r, reprots);
	keep = rng_chance(r, 15);

	diff_begin(ctx, "mmap %llu bytes at %llu prot %d %s%s", (unsigned long long)len,
		   (unsigned long long)off, prot, flags == MAP_SHARED ? "shared" : "private",
		   keep ? " kept" : "");
	for (b = 0; b < 2; b++) {
		errno = 0;
		p[b] = mmap(NULL, len, prot, flags, m->fd[b], off);
		res[b].ret = p[b] == MAP_FAILED ? -1 : 0;
		res[b].err = p[b] == MAP_FAILED ? errno : 0;
	}
	if (!diff_same_res(ctx, "mmap", res, false) || res[0].ret) {
		for (b = 0; b < 2; b++)
			if (p[b] != MAP_FAILED)
				munmap(p[b], len);
		return;
	}

	if (prot & PROT_READ)
		compare_mapped(ctx, p, len);
	if (prot & PROT_WRITE)
		for (b = 0; b < 2; b++)
			memcpy((char *)p[b] + at, bytes, n);
	if (reprot >= 0) {
		diff_begin(ctx, "mprotect %d of an mmap with prot %d", reprot, prot);
		for (b = 0; b < 2; b++) {
			errno = 0;
			res[b].ret = mprotect(p[b], len, reprot);
			res[b].err = res[b].ret ? errno : 0;
		}
		if (diff_same_res(ctx, "mprotect", res, false) && !res[0].ret)
			prot = reprot;
		if ((prot & PROT_READ) && (reprot & PROT_READ))
			compare_mapped(ctx, p, len);
	}

	if (keep && priv->nkept == KEPT)
		unmap_kept(priv, 0);
	if (keep) {
		priv->kept[priv->nkept].p[0] = p[0];
		priv->kept[priv->nkept].p[1] = p[1];
		priv->kept[priv->nkept++].len = len;
	} else {
		for (b = 0; b < 2; b++)
			munmap(p[b], len);
	}
}

/* Drop a kept mapping: the freeze that follows may then succeed. */
static void ringbuf_op_unmap_kept(struct diff_ctx *ctx, struct diff_map *m)
{
	struct rb_priv *priv = m->priv;

	if (priv->nkept)
		unmap_kept(priv, rng_below(&ctx->rng, priv->nkept));
}

/* poll() without waiting, or epoll on a fresh instance: the same readiness. */
static void ringbuf_op_poll(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t events[] = {
		POLLIN, POLLOUT, POLLIN | POLLRDNORM, POLLIN | POLLOUT | POLLPRI | POLLRDNORM,
		0,
	};
	short ev = RNG_PICK(&ctx->rng, events);
	bool use_epoll = rng_chance(&ctx->rng, 40);
	bool edge = rng_chance(&ctx->rng, 30);
	uint32_t got[2] = { 0, 0 };
	struct diff_res r[2];
	int b;

	diff_begin(ctx, "%s events %#x%s", use_epoll ? "epoll" : "poll", ev,
		   use_epoll && edge ? " edge-triggered" : "");
	for (b = 0; b < 2; b++) {
		if (use_epoll) {
			struct epoll_event e = { .events = ev | (edge ? EPOLLET : 0) };
			int ep = epoll_create1(EPOLL_CLOEXEC);

			errno = 0;
			r[b].ret = ep < 0 ? -1 : epoll_ctl(ep, EPOLL_CTL_ADD, m->fd[b], &e);
			if (!r[b].ret) {
				memset(&e, 0, sizeof(e));
				r[b].ret = epoll_wait(ep, &e, 1, 0);
				got[b] = r[b].ret > 0 ? e.events : 0;
			}
			r[b].err = r[b].ret < 0 ? errno : 0;
			if (ep >= 0)
				close(ep);
		} else {
			struct pollfd p = { .fd = m->fd[b], .events = ev };

			errno = 0;
			r[b].ret = poll(&p, 1, 0);
			r[b].err = r[b].ret < 0 ? errno : 0;
			got[b] = (uint16_t)p.revents;
		}
	}
	if (diff_same_res(ctx, use_epoll ? "epoll" : "poll", r, false) && got[0] != got[1])
		diff_mismatch(ctx, "ready events: kernel %#x, kbpf %#x", got[0], got[1]);
}

/* A pointer a command must not read: the value of a map without values. */
static void *value_ptr(struct diff_ctx *ctx, void *buf)
{
	uint32_t d = rng_below(&ctx->rng, 4);

	return d == 0 ? NULL : d == 1 ? (void *)(uintptr_t)1 : buf;
}

static void ringbuf_step(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t batch_cmds[] = {
		BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
		BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH,
	};
	uint32_t what = rng_below(&ctx->rng, 100);
	unsigned char key[16], value[16];
	/* Mostly no key: then the command reaches the map. */
	void *k = rng_chance(&ctx->rng, 75) ? NULL : key;

	rng_bytes(&ctx->rng, key, sizeof(key));
	rng_bytes(&ctx->rng, value, sizeof(value));
	if (what < 8) {
		diff_op_lookup(ctx, m, k);
	} else if (what < 16) {
		uint64_t flags = diff_gen_update_flags(ctx);

		diff_op_update(ctx, m, k, value_ptr(ctx, value), flags);
	} else if (what < 22) {
		diff_op_delete(ctx, m, k);
	} else if (what < 28) {
		diff_op_next_key_exact(ctx, m, k);
	} else if (what < 32) {
		uint64_t flags = rng_chance(&ctx->rng, 70) ? 0 :
				 rng_chance(&ctx->rng, 50) ? BPF_F_LOCK :
				 rng_next(&ctx->rng) >> rng_below(&ctx->rng, 64);

		diff_op_lookup_and_delete(ctx, m, k, flags);
	} else if (what < 40) {
		uint32_t cmd = RNG_PICK(&ctx->rng, batch_cmds);

		diff_op_batch_exact(ctx, m, cmd, key, 1 + rng_below(&ctx->rng, 4));
	} else if (what < 46) {
		diff_op_bad_input(ctx, m);
	} else if (what < 72) {
		ringbuf_op_mmap(ctx, m);
	} else if (what < 76) {
		ringbuf_op_unmap_kept(ctx, m);
	} else if (what < 88) {
		ringbuf_op_poll(ctx, m);
	} else if (what < 95) {
		diff_op_info(ctx, m, true);
	} else if (rng_chance(&ctx->rng, 60)) {
		diff_op_freeze(ctx, m);
	} else {
		ringbuf_op_poll(ctx, m);
	}
}

const struct diff_profile diff_ringbuf_profile = {
	.name = "RINGBUF",
	.map_type = BPF_MAP_TYPE_RINGBUF,
	.gen_create = gen_ringbuf,
	.map_init = ringbuf_map_init,
	.map_fini = ringbuf_map_fini,
	.step = ringbuf_step,
	.steps_per_map = 40,
};
