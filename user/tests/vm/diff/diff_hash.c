// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Profiles for the hash family: HASH, PERCPU_HASH, LRU_HASH and
 * LRU_PERCPU_HASH.
 *
 * Keys come from a pool of about twice max_entries distinct keys, so
 * updates, deletes and lookups hit present and absent keys alike and
 * maps run full; phases of filling and draining make both edges common.
 *
 * Order.  With BPF_F_ZERO_SEED (most maps here) the kernel's hash and
 * bucket layout are fixed, and kbpf uses the same: next keys, batch
 * cursors (bucket indexes), ENOSPC for a bucket larger than count, and
 * batch contents are compared exactly.  With a random seed the order
 * is the seed's: walks are compared as sets, and batch lookups only with
 * a count that takes the whole map (then contents compare as sets, and
 * ENOENT and the cursor exactly).
 *
 * LRU.  Which elements an LRU map evicts, and when, is what the kernel
 * documents as approximate (Documentation/bpf/map_hash.rst: its
 * internals "are not considered stable ABI"; it evicts in batches from
 * per-CPU free lists before the map is full).  So the profile keeps the
 * set of keys it knows to be on both sides; before an operation on a key,
 * and before every walk or batch, it looks on both sides: a known key
 * missing on one side was evicted there, and is deleted from the other
 * (counted as tolerated, not compared); a key on either side that the
 * profile does not know is a mismatch, as is any difference left after
 * that.  An update that fails or succeeds differently because it evicted
 * the very key it updates is tolerated the same way, once the key is seen
 * to be gone from that side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"

#define GUARD 16
#define FILL 0xa5
/* bpf(2) refuses key_size + value_size from here (4 MiB minus htab_elem). */
#define HTAB_ELEM_LIMIT ((1u << 22) - 48)

static uint64_t u64p(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static bool type_is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool type_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static void gen_hash(struct diff_ctx *ctx, union bpf_attr *attr)
{
	static const uint32_t key_sizes[] = { 1, 2, 3, 4, 4, 4, 5, 8, 8, 12, 16, 31, 64 };
	static const uint32_t value_sizes[] = { 1, 3, 4, 8, 8, 12, 16, 31, 64, 100, 256, 1000 };
	static const uint32_t entries[] = { 1, 2, 3, 4, 5, 7, 8, 16, 33, 64, 100, 256, 1000 };
	static const uint32_t good_flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_NUMA_NODE,
	};
	static const uint32_t bad_flags[] = {
		BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_PRESERVE_ELEMS, BPF_F_STACK_BUILD_ID,
		BPF_F_RDONLY | BPF_F_WRONLY, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 1U << 30,
	};
	struct rng *r = &ctx->rng;
	bool lru = type_is_lru(attr->map_type);
	bool percpu = type_is_percpu(attr->map_type);
	uint64_t bytes;
	uint32_t i, n;

	attr->key_size = rng_chance(r, 97) ? RNG_PICK(r, key_sizes)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 512, HTAB_ELEM_LIMIT - 8 }));
	attr->value_size = rng_chance(r, 97) ? RNG_PICK(r, value_sizes)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 32768, 32769, HTAB_ELEM_LIMIT,
						   0xffffffffu }));
	attr->max_entries = rng_chance(r, 97) ? RNG_PICK(r, entries)
		: RNG_PICK(r, ((const uint32_t[]){ 0, 1u << 28, 1u << 31,
						   0x80000001u, 0xffffffffu }));
	/* LRU walks reconcile the whole map: keep those maps smaller. */
	if (lru && attr->max_entries == 1000 && rng_chance(r, 80))
		attr->max_entries = 100;

	if (rng_chance(r, 75))
		attr->map_flags |= BPF_F_ZERO_SEED;
	if (rng_chance(r, 40)) {
		n = 1 + rng_below(r, 2);
		for (i = 0; i < n; i++)
			attr->map_flags |= rng_chance(r, 85) ? RNG_PICK(r, good_flags)
							     : RNG_PICK(r, bad_flags);
	}
	/* Mostly what the type takes, now and then what it refuses. */
	if (lru && (attr->map_flags & BPF_F_NO_PREALLOC) && rng_chance(r, 80))
		attr->map_flags &= ~BPF_F_NO_PREALLOC;
	if (!lru && (attr->map_flags & BPF_F_NO_COMMON_LRU) && rng_chance(r, 80))
		attr->map_flags &= ~BPF_F_NO_COMMON_LRU;
	if (attr->map_flags & BPF_F_NUMA_NODE) {
		if ((percpu || (attr->map_flags & BPF_F_NO_COMMON_LRU)) && rng_chance(r, 80))
			attr->map_flags &= ~BPF_F_NUMA_NODE;
		else
			attr->numa_node = rng_chance(r, 85) ? 0 : 1 + rng_below(r, 1000);
	}
	/* LRU differences are seen by looking: no write-only LRU maps. */
	if (lru)
		attr->map_flags &= ~BPF_F_WRONLY;
	/* Keep a pair of maps within a few MiB of the guest's memory. */
	bytes = (uint64_t)attr->key_size + attr->value_size * (percpu ? diff_nr_cpus() : 1);
	while (attr->max_entries <= (1u << 20) && attr->max_entries > 1 &&
	       bytes * attr->max_entries > (8u << 20))
		attr->max_entries /= 4;
	if (rng_chance(r, 60))
		diff_gen_name(ctx, attr);
	if (rng_chance(r, 2))
		attr->map_extra = 1 + rng_below(r, 10);
	if (rng_chance(r, 2))
		attr->btf_key_type_id = 1;
	if (rng_chance(r, 1))
		attr->map_ifindex = 1;
}

/*
 * A map pair's state: the key pool, which pool keys the profile knows to
 * be on both sides (LRU), and the phase.
 */
struct hash_state {
	bool zero_seed, lru;
	bool exact_order;	/* walks and batches compare in order */
	bool filling;
	unsigned int phase_steps;
	uint32_t n_buckets;
	uint32_t npool;
	unsigned char *pool;
	bool *known;
	unsigned long evicted[2];	/* tolerated: evicted on the kernel, on kbpf */
};

static unsigned char *pool_key(struct hash_state *s, const struct diff_map *m, uint32_t i)
{
	return s->pool + (size_t)i * m->key_size;
}

static int64_t pool_index(struct hash_state *s, const struct diff_map *m, const void *key)
{
	uint32_t i;

	for (i = 0; i < s->npool; i++)
		if (!memcmp(pool_key(s, m, i), key, m->key_size))
			return i;
	return -1;
}

static void hash_init(struct diff_ctx *ctx, struct diff_map *m)
{
	struct hash_state *s = calloc(1, sizeof(*s));
	uint32_t want, tries = 0, n = 0;

	if (!s)
		abort();
	s->zero_seed = m->map_flags & BPF_F_ZERO_SEED;
	s->lru = type_is_lru(m->attr.map_type);
	/*
	 * An LRU_PERCPU_HASH update of a present key is in place, unless it
	 * evicted that key first and inserts it anew at its bucket's head:
	 * eviction reorders buckets there, so order is compared as a set.
	 */
	s->exact_order = s->zero_seed && m->attr.map_type != BPF_MAP_TYPE_LRU_PERCPU_HASH;
	s->filling = true;
	for (s->n_buckets = 1; s->n_buckets < m->max_entries; s->n_buckets <<= 1)
		;
	if (type_is_percpu(m->attr.map_type))
		m->vsize = ((m->value_size + 7) & ~7u) * diff_nr_cpus();
	want = m->max_entries * 2 + 4;
	if (want > 4096)
		want = 4096;
	s->pool = xmalloc((size_t)want * m->key_size);
	s->known = calloc(want, sizeof(*s->known));
	if (!s->known)
		abort();
	/* Distinct keys, as many as the key size allows. */
	while (n < want && tries++ < want * 4) {
		rng_bytes(&ctx->rng, pool_key(s, m, n), m->key_size);
		s->npool = n;
		if (pool_index(s, m, pool_key(s, m, n)) < 0)
			n++;
	}
	s->npool = n;
	m->priv = s;
}

static void hash_fini(struct diff_ctx *ctx, struct diff_map *m)
{
	struct hash_state *s = m->priv;

	(void)ctx;
	free(s->pool);
	free(s->known);
	free(s);
	m->priv = NULL;
}

/* One uncounted bpf(2) call on backend @b. */
static struct diff_res call1(struct diff_map *m, int b, int cmd, const void *key,
			     void *value)
{
	union bpf_attr a = { .map_fd = m->fd[b] };

	a.key = u64p(key);
	a.value = u64p(value);
	return diff_call(b, cmd, &a);
}

/* Every key on backend @b, walked with get_next_key; -1 when the walk does not end. */
static long walk_keys(struct diff_map *m, int b, unsigned char *out, uint32_t cap)
{
	unsigned char *prev = NULL;
	uint32_t n = 0;

	for (;;) {
		union bpf_attr a = { .map_fd = m->fd[b] };
		struct diff_res r;

		if (n == cap)
			return -1;
		a.key = u64p(prev);
		a.next_key = u64p(out + (size_t)n * m->key_size);
		r = diff_call(b, BPF_MAP_GET_NEXT_KEY, &a);
		if (r.ret < 0)
			return r.err == ENOENT ? (long)n : -1;
		prev = out + (size_t)n * m->key_size;
		n++;
	}
}

/*
 * LRU: make what both sides hold of pool key @i agree, as far as eviction
 * explains a difference: only a key known to be on both sides may have
 * been evicted, and only where an update ran since (@may_evict).  Values
 * of a key on both sides must match.  Afterwards the key is known if, and
 * only if, it is on both sides.
 */
static void lru_reconcile_key(struct diff_ctx *ctx, struct diff_map *m, uint32_t i,
			      bool may_evict)
{
	struct hash_state *s = m->priv;
	const unsigned char *key = pool_key(s, m, i);
	struct diff_res r[2];
	void *v[2];
	int b;

	if (m->map_flags & BPF_F_WRONLY)	/* cannot look: nothing to reconcile */
		return;
	for (b = 0; b < 2; b++) {
		v[b] = xmalloc(m->vsize);
		r[b] = call1(m, b, BPF_MAP_LOOKUP_ELEM, key, v[b]);
	}
	if (r[0].ret == 0 && r[1].ret == 0) {
		diff_same_bytes(ctx, "value of a key on both sides", v[0], v[1], m->vsize);
		s->known[i] = true;
	} else if (r[0].ret == 0 || r[1].ret == 0) {
		int holder = r[0].ret == 0 ? KERN : KBPF;

		if (!s->known[i] || !may_evict || r[!holder].err != ENOENT) {
			diff_mismatch(ctx, "key %u only on %s (%s)", i, diff_backend_name[holder],
				      !s->known[i] ? "not known on both" : !may_evict ?
				      "after a delete" : "lookup failed on the other");
		} else {
			/* evicted on the other side: take it away here too */
			if (!(m->map_flags & BPF_F_RDONLY) && !m->frozen)
				call1(m, holder, BPF_MAP_DELETE_ELEM, key, NULL);
			ctx->tolerated++;
			s->evicted[!holder]++;
		}
		s->known[i] = false;
	} else {
		s->known[i] = false;
	}
	free(v[0]);
	free(v[1]);
}

static int key_cmp(const void *a, const void *b, void *size)
{
	return memcmp(a, b, *(uint32_t *)size);
}

/* LRU: reconcile every key either side holds, and every key known. */
static void lru_reconcile_all(struct diff_ctx *ctx, struct diff_map *m)
{
	struct hash_state *s = m->priv;
	uint32_t cap = m->max_entries + 8, i;
	unsigned char *keys[2];
	bool *seen = calloc(s->npool, sizeof(*seen));
	long n[2];
	int64_t idx;
	int b;

	if (!seen)
		abort();
	for (b = 0; b < 2; b++) {
		keys[b] = xmalloc((size_t)cap * m->key_size);
		n[b] = walk_keys(m, b, keys[b], cap);
		if (n[b] < 0)
			diff_mismatch(ctx, "%s: get_next_key walk does not end",
				      diff_backend_name[b]);
		for (i = 0; n[b] > 0 && i < n[b]; i++) {
			idx = pool_index(s, m, keys[b] + (size_t)i * m->key_size);
			if (idx < 0)
				diff_mismatch(ctx, "%s holds a key never written",
					      diff_backend_name[b]);
			else
				seen[idx] = true;
		}
	}
	for (i = 0; i < s->npool; i++)
		if (seen[i] || s->known[i])
			lru_reconcile_key(ctx, m, i, true);
	for (b = 0; b < 2; b++)
		free(keys[b]);
	free(seen);
}

/*
 * An update on pool key @i.  On LRU maps an update takes a free element
 * first and may evict the key it updates: a difference that leaves the key
 * gone from the side that answered "absent" is eviction, and tolerated.
 */
static void hash_update(struct diff_ctx *ctx, struct diff_map *m, uint32_t i)
{
	struct hash_state *s = m->priv;
	const unsigned char *key = pool_key(s, m, i);
	uint64_t flags = diff_gen_update_flags(ctx);
	unsigned char *value = xmalloc(m->vsize);
	struct diff_res r[2];
	int b;

	rng_bytes(&ctx->rng, value, m->vsize);
	if (!s->lru) {
		diff_op_update(ctx, m, key, value, flags);
		free(value);
		return;
	}
	diff_begin(ctx, "update key %u flags %#llx", i, (unsigned long long)flags);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		a.key = u64p(key);
		a.value = u64p(value);
		a.flags = flags;
		r[b] = diff_call(b, BPF_MAP_UPDATE_ELEM, &a);
	}
	if (s->known[i] && (r[0].ret == 0) != (r[1].ret == 0)) {
		int ok_side = r[0].ret == 0 ? KERN : KBPF, failed = !ok_side;
		bool evicted = (flags == BPF_EXIST && r[failed].err == ENOENT) ||
			       (flags == BPF_NOEXIST && r[failed].err == EEXIST);

		if (evicted) {
			/*
			 * BPF_EXIST failed where the update evicted the key first;
			 * BPF_NOEXIST succeeded there.  Either way the key went.
			 */
			int lost = flags == BPF_EXIST ? failed : ok_side;

			ctx->tolerated++;
			s->evicted[lost]++;
			s->known[i] = false;
			for (b = 0; b < 2; b++)
				call1(m, b, BPF_MAP_DELETE_ELEM, key, NULL);
			free(value);
			return;
		}
	}
	if (diff_same_res(ctx, "update", r, false) && r[0].ret == 0)
		s->known[i] = true;
	free(value);
}

/* A batch lookup, or lookup-and-delete, of the whole map or from a cursor. */
static void hash_batch_lookup(struct diff_ctx *ctx, struct diff_map *m, int cmd)
{
	struct hash_state *s = m->priv;
	struct rng *r = &ctx->rng;
	bool exact = s->exact_order;
	uint32_t count = exact ? rng_below(r, m->max_entries + 3) : m->max_entries + rng_below(r, 3);
	uint32_t cursor = rng_chance(r, 80) ? rng_below(r, s->n_buckets) : s->n_buckets + rng_below(r, 3);
	bool from_cursor = exact && rng_chance(r, 60);
	uint64_t elem_flags = rng_chance(r, 4) ? BPF_F_LOCK : 0;
	uint64_t flags = rng_chance(r, 3) ? 1 : 0;
	size_t kbytes = (size_t)(count ? count : 1) * m->key_size;
	size_t vbytes = (size_t)(count ? count : 1) * m->vsize;
	unsigned char *k[2], *v[2], *ob[2];
	uint32_t out_count[2], j;
	struct diff_res res[2];
	int b;

	diff_begin(ctx, "batch cmd %d count %u%s", cmd, count, from_cursor ? " from a cursor" : "");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = {};

		k[b] = xmalloc(kbytes + GUARD);
		v[b] = xmalloc(vbytes + GUARD);
		ob[b] = xmalloc(4 + GUARD);
		memset(k[b], FILL, kbytes + GUARD);
		memset(v[b], FILL, vbytes + GUARD);
		memset(ob[b], FILL, 4 + GUARD);
		a.batch.map_fd = m->fd[b];
		a.batch.in_batch = from_cursor ? u64p(&cursor) : 0;
		a.batch.out_batch = u64p(ob[b]);
		a.batch.keys = u64p(k[b]);
		a.batch.values = u64p(v[b]);
		a.batch.count = count;
		a.batch.elem_flags = elem_flags;
		a.batch.flags = flags;
		res[b] = diff_call(b, cmd, &a);
		out_count[b] = a.batch.count;
	}
	if (diff_same_res(ctx, "batch", res, false)) {
		if (out_count[0] != out_count[1]) {
			diff_mismatch(ctx, "batch count: kernel %u, kbpf %u", out_count[0],
				      out_count[1]);
		} else if (out_count[0] <= count && (res[0].ret == 0 || res[0].err == ENOENT ||
						     res[0].err == ENOSPC)) {
			if (!exact && out_count[0]) {	/* the same elements, in any order */
				for (b = 0; b < 2; b++) {
					size_t ksz = m->key_size, vsz = m->vsize, pair = ksz + vsz;
					unsigned char *pairs = xmalloc(out_count[0] * pair);

					for (j = 0; j < out_count[0]; j++) {
						memcpy(pairs + j * pair, k[b] + j * ksz, ksz);
						memcpy(pairs + j * pair + ksz, v[b] + j * vsz, vsz);
					}
					qsort_r(pairs, out_count[0], pair, key_cmp, &m->key_size);
					for (j = 0; j < out_count[0]; j++) {
						memcpy(k[b] + j * ksz, pairs + j * pair, ksz);
						memcpy(v[b] + j * vsz, pairs + j * pair + ksz, vsz);
					}
					free(pairs);
				}
			}
			diff_same_bytes(ctx, "batch keys", k[0], k[1],
					(size_t)out_count[0] * m->key_size);
			diff_same_bytes(ctx, "batch values", v[0], v[1],
					(size_t)out_count[0] * m->vsize);
			diff_same_bytes(ctx, "out_batch (and what follows it)", ob[0], ob[1],
					4 + GUARD);
		}
		for (b = 0; b < 2; b++)
			if (k[b][kbytes] != FILL || v[b][vbytes] != FILL)
				diff_mismatch(ctx, "%s wrote past the batch buffers",
					      diff_backend_name[b]);
	}
	/* What a lookup_and_delete took is gone from both. */
	if (cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH && s->lru)
		for (j = 0; j < out_count[1] && j < count; j++) {
			int64_t idx = pool_index(s, m, k[1] + (size_t)j * m->key_size);

			if (idx >= 0)
				s->known[idx] = false;
		}
	for (b = 0; b < 2; b++) {
		free(k[b]);
		free(v[b]);
		free(ob[b]);
	}
}

/* A full get_next_key walk on both sides, compared as sets. */
static void hash_walk_sets(struct diff_ctx *ctx, struct diff_map *m)
{
	uint32_t cap = m->max_entries + 8;
	unsigned char *keys[2];
	long n[2];
	int b;

	diff_begin(ctx, "get_next_key walk");
	for (b = 0; b < 2; b++) {
		keys[b] = xmalloc((size_t)cap * m->key_size);
		n[b] = walk_keys(m, b, keys[b], cap);
	}
	if (n[0] != n[1]) {
		diff_mismatch(ctx, "walk: kernel %ld keys, kbpf %ld", n[0], n[1]);
	} else if (n[0] > 0) {
		for (b = 0; b < 2; b++)
			qsort_r(keys[b], n[b], m->key_size, key_cmp, &m->key_size);
		diff_same_bytes(ctx, "walked keys (sorted)", keys[0], keys[1],
				(size_t)n[0] * m->key_size);
	}
	if (n[0] >= 0)
		ctx->succeeded++;
	free(keys[0]);
	free(keys[1]);
}

/* A pool key mostly; for plain hash maps now and then one of no pool. */
static const unsigned char *pick_key(struct diff_ctx *ctx, struct diff_map *m,
				     unsigned char *scratch, int64_t *idx)
{
	struct hash_state *s = m->priv;

	if (!s->npool || (!s->lru && rng_chance(&ctx->rng, 5))) {
		rng_bytes(&ctx->rng, scratch, m->key_size);
		*idx = -1;
		return scratch;
	}
	*idx = rng_below(&ctx->rng, s->npool);
	return pool_key(s, m, *idx);
}

static void hash_step(struct diff_ctx *ctx, struct diff_map *m)
{
	struct hash_state *s = m->priv;
	struct rng *r = &ctx->rng;
	unsigned char scratch[512];
	const unsigned char *key = NULL;
	uint32_t what = rng_below(r, 100), n, j;
	int64_t idx = -1;

	if (++s->phase_steps > 60 + rng_below(r, 120)) {
		s->filling = !s->filling;
		s->phase_steps = 0;
	}
	/* Filling favours updates, draining deletes. */
	if (s->filling && what >= 30 && what < 45)
		what = 30 + (what - 30) / 3;	/* fewer deletes */
	if (!s->filling && what >= 20 && what < 30)
		what = 40;			/* delete instead of update */

	if (m->key_size > sizeof(scratch))
		what = what < 50 ? 95 : 97;	/* huge keys: no element commands */
	if (what < 50)
		key = pick_key(ctx, m, scratch, &idx);

	if (what < 50 && s->lru && idx >= 0)
		lru_reconcile_key(ctx, m, idx, true);
	if (what < 20) {
		diff_op_lookup(ctx, m, key);
	} else if (what < 30) {
		if (idx >= 0) {
			hash_update(ctx, m, idx);
		} else {
			unsigned char *v = xmalloc(m->vsize);

			rng_bytes(r, v, m->vsize);
			diff_op_update(ctx, m, key, v, diff_gen_update_flags(ctx));
			free(v);
		}
	} else if (what < 50) {
		if (what < 45)
			diff_op_delete(ctx, m, key);
		else
			diff_op_lookup_and_delete(ctx, m, key, rng_chance(r, 90) ? 0 : BPF_F_LOCK);
		/* Gone from both, or (refused) still on both: nothing evicts. */
		if (s->lru && idx >= 0) {
			s->known[idx] = true;
			lru_reconcile_key(ctx, m, idx, false);
		}
	} else if (what < 58) {
		if (s->lru)
			lru_reconcile_all(ctx, m);
		if (s->exact_order) {
			key = pick_key(ctx, m, scratch, &idx);
			diff_op_next_key_exact(ctx, m, rng_chance(r, 15) ? NULL : key);
		} else {
			hash_walk_sets(ctx, m);
		}
	} else if (what < 66) {
		if (s->lru)
			lru_reconcile_all(ctx, m);
		hash_batch_lookup(ctx, m, rng_chance(r, 70) ? BPF_MAP_LOOKUP_BATCH
					  : BPF_MAP_LOOKUP_AND_DELETE_BATCH);
	} else if (what < 72 && s->npool) {
		unsigned char *keys;
		int cmd = rng_chance(r, 70) ? BPF_MAP_UPDATE_BATCH : BPF_MAP_DELETE_BATCH;

		n = 1 + rng_below(r, 16);
		keys = xmalloc((size_t)n * m->key_size);
		for (j = 0; j < n; j++) {
			uint32_t i = rng_below(r, s->npool);

			if (s->lru)
				lru_reconcile_key(ctx, m, i, true);
			memcpy(keys + (size_t)j * m->key_size, pool_key(s, m, i), m->key_size);
		}
		diff_op_batch_exact(ctx, m, cmd, keys, n);
		/*
		 * LRU: the results matched, so what is on one side only was
		 * evicted from the other, maybe by this very batch.
		 */
		for (j = 0; s->lru && j < n; j++) {
			int64_t i = pool_index(s, m, keys + (size_t)j * m->key_size);

			s->known[i] = true;
			lru_reconcile_key(ctx, m, i, cmd == BPF_MAP_UPDATE_BATCH);
		}
		free(keys);
	} else if (what < 80) {
		/*
		 * Random flags may make a bad update a good one: on LRU maps
		 * it writes a pool key, and what it did is then looked at.
		 */
		if (!s->lru || !s->npool) {
			diff_op_bad_input(ctx, m);
		} else {
			/*
			 * A pool key on neither side: what a bad call does with a
			 * key then depends on nothing eviction changed.
			 */
			lru_reconcile_all(ctx, m);
			idx = rng_below(r, s->npool);
			for (j = 0; j < s->npool && s->known[idx]; j++)
				idx = (idx + 1) % s->npool;
			if (s->known[idx])
				return;
			diff_op_bad_input_key(ctx, m, pool_key(s, m, idx));
			s->known[idx] = true;
			lru_reconcile_key(ctx, m, idx, true);
		}
	} else if (what < 85) {
		diff_op_info(ctx, m, true);
	} else if (what < 86) {
		diff_op_mmap(ctx, m);
	} else if (what < 87 && rng_chance(r, 20)) {
		/* Frozen, a map keeps what it holds: make both hold the same. */
		if (s->lru)
			lru_reconcile_all(ctx, m);
		diff_op_freeze(ctx, m);
	} else if (what < 95) {
		key = pick_key(ctx, m, scratch, &idx);
		if (s->lru && idx >= 0)
			lru_reconcile_key(ctx, m, idx, true);
		diff_op_lookup(ctx, m, key);
	} else {
		diff_op_info(ctx, m, false);
	}
}

#define HASH_PROFILE(_name, _type)			\
	{						\
		.name = _name,				\
		.map_type = _type,			\
		.gen_create = gen_hash,			\
		.map_init = hash_init,			\
		.map_fini = hash_fini,			\
		.step = hash_step,			\
		.steps_per_map = 400,			\
	}

const struct diff_profile diff_hash_profile =
	HASH_PROFILE("HASH", BPF_MAP_TYPE_HASH);
const struct diff_profile diff_percpu_hash_profile =
	HASH_PROFILE("PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH);
const struct diff_profile diff_lru_hash_profile =
	HASH_PROFILE("LRU_HASH", BPF_MAP_TYPE_LRU_HASH);
const struct diff_profile diff_lru_percpu_hash_profile =
	HASH_PROFILE("LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH);
