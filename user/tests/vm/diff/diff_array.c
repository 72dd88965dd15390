// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Profiles for the array family, ARRAY and PERCPU_ARRAY.  Arrays are
 * ordered and fully determined by their writes, so everything is compared
 * exactly: next keys, batch cursors and contents, mmap'ed memory.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"

static void gen_array(struct diff_ctx *ctx, union bpf_attr *attr, bool percpu)
{
	static const uint32_t value_sizes[] = { 1, 4, 5, 8, 12, 16, 31, 64, 100, 256, 1024, 4096 };
	static const uint32_t entries[] = { 1, 2, 3, 7, 16, 64, 100, 1000 };
	static const uint32_t flags[] = {
		BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
		BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_NUMA_NODE, BPF_F_PRESERVE_ELEMS,
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_ZERO_SEED, 1U << 30,
	};
	struct rng *r = &ctx->rng;

	attr->key_size = rng_chance(r, 95) ? 4 : RNG_PICK(r, ((const uint32_t[]){ 0, 1, 8, 16 }));
	attr->value_size = rng_chance(r, 96) ? RNG_PICK(r, value_sizes)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 32768, 32769, 0x80000000u, 0xffffffffu }));
	attr->max_entries = rng_chance(r, 97) ? RNG_PICK(r, entries)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 1u << 16 }));
	if (rng_chance(r, 40)) {
		/* mostly flags arrays take, now and then one they refuse */
		uint32_t n = 1 + rng_below(r, 2), i;

		for (i = 0; i < n; i++) {
			uint32_t f = flags[rng_below(r, rng_chance(r, 85) ? 8 : 12)];

			if (percpu && f == BPF_F_MMAPABLE && rng_chance(r, 80))
				continue;
			attr->map_flags |= f;
		}
	}
	/* Keep a pair of maps within a few MiB of the guest's memory. */
	while ((uint64_t)attr->max_entries * attr->value_size * (percpu ? diff_nr_cpus() : 1) >
	       (16u << 20) && attr->value_size <= (1u << 20))
		attr->max_entries /= 4;
	if (attr->map_flags & BPF_F_NUMA_NODE)
		attr->numa_node = rng_chance(r, 85) ? 0 : 1 + rng_below(r, 1000);
	if (rng_chance(r, 60))
		diff_gen_name(ctx, attr);
	if (rng_chance(r, 2))
		attr->map_extra = 1 + rng_below(r, 10);
	if (rng_chance(r, 2))
		attr->btf_key_type_id = 1;
}

static void gen_plain_array(struct diff_ctx *ctx, union bpf_attr *attr)
{
	gen_array(ctx, attr, false);
}

static void gen_percpu_array(struct diff_ctx *ctx, union bpf_attr *attr)
{
	gen_array(ctx, attr, true);
}

static void array_map_init(struct diff_ctx *ctx, struct diff_map *m)
{
	(void)ctx;
	if (m->attr.map_type == BPF_MAP_TYPE_PERCPU_ARRAY)
		m->vsize = ((m->value_size + 7) & ~7u) * diff_nr_cpus();
}

/* A key: mostly in range, sometimes just past the end, now and then huge. */
static uint32_t array_key(struct diff_ctx *ctx, const struct diff_map *m)
{
	if (rng_chance(&ctx->rng, 90))
		return rng_below(&ctx->rng, m->max_entries);
	if (rng_chance(&ctx->rng, 70))
		return m->max_entries + rng_below(&ctx->rng, 3);
	return 0xffffffffu - rng_below(&ctx->rng, 3);
}

static void array_step(struct diff_ctx *ctx, struct diff_map *m)
{
	uint32_t what = rng_below(&ctx->rng, 100), key = array_key(ctx, m), i, n;
	void *value;

	if (what < 30) {
		diff_op_lookup(ctx, m, &key);
	} else if (what < 60) {
		value = malloc(m->vsize);
		rng_bytes(&ctx->rng, value, m->vsize);
		diff_op_update(ctx, m, &key, value, diff_gen_update_flags(ctx));
		free(value);
	} else if (what < 63) {
		diff_op_delete(ctx, m, &key);
	} else if (what < 75) {
		diff_op_next_key_exact(ctx, m, rng_chance(&ctx->rng, 15) ? NULL : &key);
	} else if (what < 77) {
		diff_op_lookup_and_delete(ctx, m, &key, rng_chance(&ctx->rng, 80) ? 0 : BPF_F_LOCK);
	} else if (what < 85) {
		diff_op_batch_exact(ctx, m, BPF_MAP_LOOKUP_BATCH, NULL, 0);
	} else if (what < 89) {
		uint32_t keys[16];

		n = 1 + rng_below(&ctx->rng, 16);
		for (i = 0; i < n; i++)
			keys[i] = array_key(ctx, m);
		diff_op_batch_exact(ctx, m, rng_chance(&ctx->rng, 85) ? BPF_MAP_UPDATE_BATCH
				    : rng_chance(&ctx->rng, 50) ? BPF_MAP_DELETE_BATCH
				    : BPF_MAP_LOOKUP_AND_DELETE_BATCH, keys, n);
	} else if (what < 93) {
		diff_op_bad_input(ctx, m);
	} else if (what < 96) {
		diff_op_mmap(ctx, m);
	} else if (what < 98) {
		diff_op_info(ctx, m, true);
	} else if (rng_chance(&ctx->rng, 30)) {
		diff_op_freeze(ctx, m);
	} else {
		diff_op_lookup(ctx, m, &key);
	}
}

const struct diff_profile diff_array_profile = {
	.name = "ARRAY",
	.map_type = BPF_MAP_TYPE_ARRAY,
	.gen_create = gen_plain_array,
	.map_init = array_map_init,
	.step = array_step,
	.steps_per_map = 300,
};

const struct diff_profile diff_percpu_array_profile = {
	.name = "PERCPU_ARRAY",
	.map_type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.gen_create = gen_percpu_array,
	.map_init = array_map_init,
	.step = array_step,
	.steps_per_map = 300,
};
