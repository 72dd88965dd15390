// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hash family - BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and
 * LRU_PERCPU_HASH.  Creation checks with bpf(2)'s errnos; capacity, with
 * preallocated elements and with BPF_F_NO_PREALLOC's counter and memory;
 * bucket chains and the order the walks see them in (BPF_F_ZERO_SEED
 * makes buckets computable, so collisions are built on purpose); per-cpu
 * slots; LRU eviction; the batch commands' bucket cursor; the callback
 * walk; and the program context: hard interrupts and the busy slots.
 *
 * Program-side calls go through the ops table inside rcu_read_lock() with
 * preemption off, as the program runtime calls them; bpf(2)-side calls go
 * through the element commands with kernel pointers.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "hashtab.h"

/* Every test's keys are u32; most values are one u64 (per CPU). */
#define KEY_SIZE	sizeof(u32)
#define VALUE_SIZE	sizeof(u64)

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

static union bpf_attr htab_attr(u32 type, u32 value_size, u32 max_entries,
				u32 flags)
{
	union bpf_attr attr = {
		.map_type = type,
		.key_size = KEY_SIZE,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = flags,
	};

	return attr;
}

/* A new map, released when the test ends. */
static struct kbpf_map *new_map_vs(struct kunit *test, u32 type, u32 value_size,
				   u32 max_entries, u32 flags)
{
	union bpf_attr attr = htab_attr(type, value_size, max_entries, flags);
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

static struct kbpf_map *new_map(struct kunit *test, u32 type, u32 max_entries,
				u32 flags)
{
	return new_map_vs(test, type, VALUE_SIZE, max_entries, flags);
}

/* The value tests store under @key. */
static u64 val(u32 key)
{
	return key * 10ULL + 7;
}

static bool type_is_percpu(u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool type_is_lru(u32 type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * max_entries for @n elements inserted from any CPU: with
 * BPF_F_NO_COMMON_LRU each CPU's list must hold them all.
 */
static u32 room_for(u32 flags, u32 n)
{
	return flags & BPF_F_NO_COMMON_LRU ? n * num_possible_cpus() : n;
}

/* The map types (and flags) a parameterised test runs on. */
struct htab_type {
	const char *desc;
	u32 type;
	u32 flags;
};

static void htab_type_desc(const struct htab_type *t, char *desc)
{
	strscpy(desc, t->desc, KUNIT_PARAM_DESC_SIZE);
}

#define T_HASH		{ "HASH", BPF_MAP_TYPE_HASH, 0 }
#define T_HASH_NP	{ "HASH, BPF_F_NO_PREALLOC", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC }
#define T_PCPU		{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 0 }
#define T_PCPU_NP	{ "PERCPU_HASH, BPF_F_NO_PREALLOC", BPF_MAP_TYPE_PERCPU_HASH, \
			  BPF_F_NO_PREALLOC }
#define T_LRU		{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 0 }
#define T_LRU_PL	{ "LRU_HASH, BPF_F_NO_COMMON_LRU", BPF_MAP_TYPE_LRU_HASH, \
			  BPF_F_NO_COMMON_LRU }
#define T_LRU_PCPU	{ "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 0 }
#define T_LRU_PCPU_PL	{ "LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU", \
			  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU }

static const struct htab_type all_types[] = {
	T_HASH, T_HASH_NP, T_PCPU, T_PCPU_NP, T_LRU, T_LRU_PL, T_LRU_PCPU, T_LRU_PCPU_PL,
};

/* Types whose walk order is fixed by the inserts alone (one LRU list). */
static const struct htab_type ordered_types[] = {
	T_HASH, T_HASH_NP, T_PCPU, T_PCPU_NP, T_LRU, T_LRU_PCPU,
};

/* Types with a hard capacity: E2BIG when full. */
static const struct htab_type capped_types[] = { T_HASH, T_HASH_NP, T_PCPU, T_PCPU_NP };
static const struct htab_type lru_types[] = { T_LRU, T_LRU_PCPU };
static const struct htab_type per_cpu_list_types[] = { T_LRU_PL, T_LRU_PCPU_PL };
static const struct htab_type percpu_types[] = { T_PCPU, T_PCPU_NP, T_LRU_PCPU, T_LRU_PCPU_PL };

KUNIT_ARRAY_PARAM(all_types, all_types, htab_type_desc);
KUNIT_ARRAY_PARAM(ordered_types, ordered_types, htab_type_desc);
KUNIT_ARRAY_PARAM(capped_types, capped_types, htab_type_desc);
KUNIT_ARRAY_PARAM(lru_types, lru_types, htab_type_desc);
KUNIT_ARRAY_PARAM(per_cpu_list_types, per_cpu_list_types, htab_type_desc);
KUNIT_ARRAY_PARAM(percpu_types, percpu_types, htab_type_desc);

/* Program-side calls: RCU read side, preemption off, as a program runs. */
static long prog_put(struct kbpf_map *map, u32 key, u64 value, u64 flags)
{
	long err;

	preempt_disable();
	rcu_read_lock();
	err = map->ops->update(map, &key, &value, flags);
	rcu_read_unlock();
	preempt_enable();
	return err;
}

/* An update, then this CPU's view of the value in @seen (0 if none). */
static long prog_put_get(struct kbpf_map *map, u32 key, u64 value, u64 flags,
			 u64 *seen)
{
	u64 *p;
	long err;

	preempt_disable();
	rcu_read_lock();
	err = map->ops->update(map, &key, &value, flags);
	p = map->ops->lookup(map, &key);
	*seen = p ? *p : 0;
	rcu_read_unlock();
	preempt_enable();
	return err;
}

static long prog_del(struct kbpf_map *map, u32 key)
{
	long err;

	preempt_disable();
	rcu_read_lock();
	err = map->ops->delete(map, &key);
	rcu_read_unlock();
	preempt_enable();
	return err;
}

/* A program's lookup: for LRU maps it marks the element referenced. */
static bool prog_lookup(struct kbpf_map *map, u32 key)
{
	bool found;

	preempt_disable();
	rcu_read_lock();
	found = map->ops->lookup(map, &key);
	rcu_read_unlock();
	preempt_enable();
	return found;
}

/* @cpu's value under @key as bpf_map_lookup_percpu_elem() sees it, or ~0. */
static u64 prog_percpu(struct kbpf_map *map, u32 key, u32 cpu)
{
	u64 *p, v;

	preempt_disable();
	rcu_read_lock();
	p = map->ops->lookup_percpu(map, &key, cpu);
	v = p ? *p : ~0ULL;
	rcu_read_unlock();
	preempt_enable();
	return v;
}

/* bpf(2)-side element commands with kernel buffers. */
static int sys_lookup(struct kbpf_map *map, u32 key, void *value, u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)&key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_lookup_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_update(struct kbpf_map *map, u32 key, const void *value,
		      u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)&key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_update_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_delete(struct kbpf_map *map, u32 key)
{
	union bpf_attr attr = { .key = (u64)&key };

	return kbpf_map_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_lookup_and_delete(struct kbpf_map *map, u32 key, void *value,
				 u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)&key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_lookup_and_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_next_key(struct kbpf_map *map, const u32 *key, u32 *next)
{
	union bpf_attr attr = { .key = (u64)key, .next_key = (u64)next };

	return kbpf_map_get_next_key(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

/* bpf(2)'s value for u64 values: @v in every CPU's slot of per-cpu maps. */
static u64 *sys_value(struct kbpf_map *map, u64 v)
{
	u32 n = kbpf_map_value_size(map) / sizeof(u64), i;
	u64 *buf = kmalloc_array(n, sizeof(u64), GFP_KERNEL);

	for (i = 0; buf && i < n; i++)
		buf[i] = v;
	return buf;
}

static int sys_put(struct kbpf_map *map, u32 key, u64 v, u64 flags)
{
	u64 *buf = sys_value(map, v);
	int err;

	if (!buf)
		return -ENOMEM;
	err = sys_update(map, key, buf, flags);
	kfree(buf);
	return err;
}

/*
 * bpf(2)'s lookup of a u64 value into *@v.  Per-cpu maps answer the one
 * value their non-zero slots hold (all of them, written by bpf(2), or the
 * CPU's a program wrote a new element from), ~0 if they differ.
 */
static int sys_get(struct kbpf_map *map, u32 key, u64 *v)
{
	u32 n = kbpf_map_value_size(map) / sizeof(u64), i;
	u64 *buf = kcalloc(n, sizeof(u64), GFP_KERNEL);
	int err;

	if (!buf)
		return -ENOMEM;
	err = sys_lookup(map, key, buf, 0);
	*v = 0;
	for (i = 0; !err && i < n; i++) {
		if (!buf[i] || buf[i] == *v)
			continue;
		*v = *v ? ~0ULL : buf[i];
	}
	kfree(buf);
	return err;
}

/* Is @key in the map?  (A bpf(2) lookup: it does not touch LRU ref bits.) */
static bool present(struct kbpf_map *map, u32 key)
{
	u64 v;

	return sys_get(map, key, &v) == 0;
}

static void expect_value(struct kunit *test, struct kbpf_map *map, u32 key,
			 u64 want)
{
	u64 v = 0;

	KUNIT_EXPECT_EQ_MSG(test, sys_get(map, key, &v), 0, "key %u", key);
	KUNIT_EXPECT_EQ_MSG(test, v, want, "key %u", key);
}

/* Every key get_next_key walks to, in order; ENOENT after the last. */
static u32 walk_keys(struct kunit *test, struct kbpf_map *map, u32 *out, u32 cap)
{
	u32 key, next, n = 0;
	int err;

	err = sys_next_key(map, NULL, &next);
	while (!err && n < cap) {
		out[n++] = next;
		key = next;
		err = sys_next_key(map, &key, &next);
	}
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	return n;
}

static u32 count_keys(struct kunit *test, struct kbpf_map *map)
{
	u32 *keys = kunit_kcalloc(test, map->max_entries + 1, sizeof(u32), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, keys);
	return walk_keys(test, map, keys, map->max_entries + 1);
}

/* The map holds exactly @n keys, @want, each with val(key). */
static void expect_keys(struct kunit *test, struct kbpf_map *map,
			const u32 *want, u32 n)
{
	u32 i;

	KUNIT_EXPECT_EQ(test, count_keys(test, map), n);
	for (i = 0; i < n; i++)
		expect_value(test, map, want[i], val(want[i]));
}

/* With BPF_F_ZERO_SEED the bucket (and busy slot) of a key is known. */
static u32 bucket_of(struct kbpf_map *map, u32 key)
{
	struct kbpf_htab *htab = to_htab(map);

	return kbpf_htab_hash(htab, &key) & (htab->n_buckets - 1);
}

static u32 slot_of(struct kbpf_map *map, u32 key)
{
	struct kbpf_htab *htab = to_htab(map);

	return kbpf_htab_hash(htab, &key) &
	       min_t(u32, KBPF_HTAB_LOCK_SLOTS - 1, htab->n_buckets - 1);
}

/*
 * A key layout: sizes[b] keys in each bucket b < nb, found by trying
 * keys from 1 up; keys[] in that order, which is the order they are
 * inserted in.
 */
#define LAYOUT_KEYS	32
#define LAYOUT_BUCKETS	16

struct layout {
	u32 nr;
	u32 keys[LAYOUT_KEYS];
	u32 bucket[LAYOUT_KEYS];
	u32 size[LAYOUT_BUCKETS];
	u32 largest;
};

static void build_layout(struct kunit *test, struct kbpf_map *map,
			 const u32 *sizes, u32 nb, struct layout *lo)
{
	u32 want = 0, b, k;

	memset(lo, 0, sizeof(*lo));
	KUNIT_ASSERT_LE(test, nb, LAYOUT_BUCKETS);
	KUNIT_ASSERT_LE(test, nb, to_htab(map)->n_buckets);
	for (b = 0; b < nb; b++) {
		want += sizes[b];
		lo->largest = max(lo->largest, sizes[b]);
	}
	KUNIT_ASSERT_LE(test, want, LAYOUT_KEYS);
	for (k = 1; lo->nr < want && k < 1000000; k++) {
		b = bucket_of(map, k);
		if (b < nb && lo->size[b] < sizes[b]) {
			lo->keys[lo->nr] = k;
			lo->bucket[lo->nr++] = b;
			lo->size[b]++;
		}
	}
	KUNIT_ASSERT_EQ(test, lo->nr, want);
}

static void insert_layout(struct kunit *test, struct kbpf_map *map,
			  const struct layout *lo)
{
	u32 i;

	for (i = 0; i < lo->nr; i++)
		KUNIT_ASSERT_EQ(test, sys_put(map, lo->keys[i], val(lo->keys[i]),
					      BPF_NOEXIST), 0);
}

/*
 * The kernel's walk order: bucket by bucket, each bucket newest insert
 * first.  Buckets [@from, @to) of @lo into @out; returns how many.
 */
static u32 layout_order(const struct layout *lo, u32 from, u32 to, u32 *out)
{
	u32 b, n = 0;
	int i;

	for (b = from; b < to && b < LAYOUT_BUCKETS; b++)
		for (i = lo->nr - 1; i >= 0; i--)
			if (lo->bucket[i] == b)
				out[n++] = lo->keys[i];
	return n;
}

/*
 * Bucket chains as the test expects them, head first; the walk order is
 * the chains of buckets 0, 1, ... in turn.
 */
#define CHAIN_BUCKETS	8
#define CHAIN_LEN	8

struct chains {
	u32 len[CHAIN_BUCKETS];
	u32 key[CHAIN_BUCKETS][CHAIN_LEN];
};

static void chain_add_head(struct chains *c, u32 b, u32 key)
{
	memmove(&c->key[b][1], &c->key[b][0], c->len[b] * sizeof(u32));
	c->key[b][0] = key;
	c->len[b]++;
}

static void chain_del(struct chains *c, u32 b, u32 key)
{
	u32 i;

	for (i = 0; i < c->len[b]; i++) {
		if (c->key[b][i] == key) {
			memmove(&c->key[b][i], &c->key[b][i + 1],
				(c->len[b] - i - 1) * sizeof(u32));
			c->len[b]--;
			return;
		}
	}
}

static u32 chains_order(const struct chains *c, u32 *out)
{
	u32 b, i, n = 0;

	for (b = 0; b < CHAIN_BUCKETS; b++)
		for (i = 0; i < c->len[b]; i++)
			out[n++] = c->key[b][i];
	return n;
}

/* get_next_key walks exactly the chains, in order, each key once. */
static void expect_walk(struct kunit *test, struct kbpf_map *map,
			const struct chains *c)
{
	u32 want[CHAIN_BUCKETS * CHAIN_LEN], got[CHAIN_BUCKETS * CHAIN_LEN + 1];
	u32 n = chains_order(c, want), m, i;

	m = walk_keys(test, map, got, ARRAY_SIZE(got));
	KUNIT_EXPECT_EQ(test, m, n);
	for (i = 0; i < min(m, n); i++) {
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "walk position %u", i);
		expect_value(test, map, want[i], val(want[i]));
	}
}

/*
 * kbpf_mem_used() once earlier tests' maps, freed on kbpf's workqueue,
 * are gone: the value once it has held still for 200 ms (10 s at most).
 */
static u64 mem_used_settled(void)
{
	u64 prev = kbpf_mem_used(), now;
	int still = 0, i;

	for (i = 0; i < 500 && still < 10; i++) {
		msleep(20);
		now = kbpf_mem_used();
		still = now == prev ? still + 1 : 0;
		prev = now;
	}
	return prev;
}

/* Wait up to 10 s for kbpf's workqueue to bring kbpf_mem_used() to @want. */
static u64 mem_used_wait_for(u64 want)
{
	int i;

	for (i = 0; i < 500 && kbpf_mem_used() != want; i++)
		msleep(20);
	return kbpf_mem_used();
}

/*
 * Lockdep turns itself off at its first report: a test that starts with
 * it on and ends with it off made the kernel report a locking problem.
 */
static void expect_lockdep_quiet(struct kunit *test, bool was_on)
{
	if (was_on)
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
				      "lockdep reported a problem during this test (see the console)");
}

/* ---- creation ---- */

struct create_case {
	const char *desc;
	union bpf_attr attr;
	int err;
};

#define HATTR(t, ks, vs, n, ...) { .map_type = BPF_MAP_TYPE_##t, .key_size = (ks), \
				   .value_size = (vs), .max_entries = (n), __VA_ARGS__ }

/* The kernel's htab_elem header: bpf(2) refuses key + value from 4 MiB - 48. */
#define ELEM_LIMIT	(KMALLOC_MAX_SIZE - 48)

static const struct create_case create_cases[] = {
	{ "HASH key_size 0", HATTR(HASH, 0, 8, 1), -EINVAL },
	{ "HASH value_size 0", HATTR(HASH, 4, 0, 1), -EINVAL },
	{ "HASH max_entries 0", HATTR(HASH, 4, 8, 0), -EINVAL },
	{ "PERCPU_HASH key_size 0", HATTR(PERCPU_HASH, 0, 8, 1), -EINVAL },
	{ "LRU_HASH value_size 0", HATTR(LRU_HASH, 4, 0, 1), -EINVAL },
	{ "LRU_PERCPU_HASH max_entries 0", HATTR(LRU_PERCPU_HASH, 4, 8, 0), -EINVAL },
	{ "HASH flag 1<<31", HATTR(HASH, 4, 8, 1, .map_flags = 1U << 31), -EINVAL },
	{ "HASH BPF_F_MMAPABLE", HATTR(HASH, 4, 8, 1, .map_flags = BPF_F_MMAPABLE),
	  -EINVAL },
	{ "LRU_HASH BPF_F_PRESERVE_ELEMS",
	  HATTR(LRU_HASH, 4, 8, 1, .map_flags = BPF_F_PRESERVE_ELEMS), -EINVAL },
	{ "HASH RDONLY_PROG|WRONLY_PROG",
	  HATTR(HASH, 4, 8, 1, .map_flags = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG),
	  -EINVAL },
	{ "HASH BPF_F_NO_COMMON_LRU",
	  HATTR(HASH, 4, 8, 1, .map_flags = BPF_F_NO_COMMON_LRU), -EINVAL },
	{ "PERCPU_HASH BPF_F_NO_COMMON_LRU",
	  HATTR(PERCPU_HASH, 4, 8, 1, .map_flags = BPF_F_NO_COMMON_LRU), -EINVAL },
	{ "LRU_HASH BPF_F_NO_PREALLOC",
	  HATTR(LRU_HASH, 4, 8, 1, .map_flags = BPF_F_NO_PREALLOC), -ENOTSUPP },
	{ "LRU_PERCPU_HASH BPF_F_NO_PREALLOC",
	  HATTR(LRU_PERCPU_HASH, 4, 8, 1, .map_flags = BPF_F_NO_PREALLOC), -ENOTSUPP },
	/* ENOTSUPP is decided before the sizes are looked at. */
	{ "LRU_HASH BPF_F_NO_PREALLOC and max_entries 0",
	  HATTR(LRU_HASH, 4, 8, 0, .map_flags = BPF_F_NO_PREALLOC), -ENOTSUPP },
	{ "PERCPU_HASH on a NUMA node",
	  HATTR(PERCPU_HASH, 4, 8, 1, .map_flags = BPF_F_NUMA_NODE), -EINVAL },
	{ "LRU_PERCPU_HASH on a NUMA node",
	  HATTR(LRU_PERCPU_HASH, 4, 8, 1, .map_flags = BPF_F_NUMA_NODE), -EINVAL },
	{ "LRU_HASH with per-cpu lists on a NUMA node",
	  HATTR(LRU_HASH, 4, 8, 1, .map_flags = BPF_F_NUMA_NODE | BPF_F_NO_COMMON_LRU),
	  -EINVAL },
	/* The NUMA refusal comes before the size checks. */
	{ "PERCPU_HASH on a NUMA node with a 40 KB value",
	  HATTR(PERCPU_HASH, 4, 40000, 1, .map_flags = BPF_F_NUMA_NODE), -EINVAL },
	{ "HASH key + value at KMALLOC_MAX_SIZE - 48",
	  HATTR(HASH, 4, ELEM_LIMIT - 4, 1), -E2BIG },
	{ "HASH key + value at KMALLOC_MAX_SIZE - 48, no prealloc",
	  HATTR(HASH, ELEM_LIMIT - 8, 8, 1, .map_flags = BPF_F_NO_PREALLOC), -E2BIG },
	{ "HASH value_size U32_MAX", HATTR(HASH, 4, U32_MAX, 1), -E2BIG },
	{ "LRU_HASH key_size U32_MAX", HATTR(LRU_HASH, U32_MAX, 8, 1), -E2BIG },
	/* A zero size is EINVAL before any size is E2BIG. */
	{ "HASH key_size U32_MAX and value_size 0", HATTR(HASH, U32_MAX, 0, 1), -EINVAL },
	{ "PERCPU_HASH slot past PCPU_MIN_UNIT_SIZE",
	  HATTR(PERCPU_HASH, 4, PCPU_MIN_UNIT_SIZE + 1, 1), -E2BIG },
	{ "LRU_PERCPU_HASH slot past PCPU_MIN_UNIT_SIZE",
	  HATTR(LRU_PERCPU_HASH, 4, PCPU_MIN_UNIT_SIZE + 1, 1), -E2BIG },
	{ "HASH max_entries 2^31 + 1", HATTR(HASH, 4, 8, (1U << 31) + 1), -E2BIG },
	{ "HASH max_entries U32_MAX, no prealloc",
	  HATTR(HASH, 4, 8, U32_MAX, .map_flags = BPF_F_NO_PREALLOC), -E2BIG },
	/* 2^31 buckets pass the first limit, not the bucket array's. */
	{ "HASH max_entries 2^31, no prealloc",
	  HATTR(HASH, 4, 8, 1U << 31, .map_flags = BPF_F_NO_PREALLOC), -E2BIG },
	{ "PERCPU_HASH max_entries 2^31 + 1",
	  HATTR(PERCPU_HASH, 4, 8, (1U << 31) + 1), -E2BIG },
	{ "LRU_HASH max_entries U32_MAX", HATTR(LRU_HASH, 4, 8, U32_MAX), -E2BIG },
	/* Rounded to the CPUs, U32_MAX wraps and is rounded down: still past 2^31. */
	{ "LRU_HASH with per-cpu lists, max_entries U32_MAX",
	  HATTR(LRU_HASH, 4, 8, U32_MAX, .map_flags = BPF_F_NO_COMMON_LRU), -E2BIG },
	/* bpf(2) tries to offload HASH maps: a missing device, one without ndo_bpf (lo). */
	{ "HASH on a missing device",
	  HATTR(HASH, 4, 8, 1, .map_ifindex = 1U << 30), -EINVAL },
	{ "HASH on lo, which cannot offload",
	  HATTR(HASH, 4, 8, 1, .map_ifindex = 1), -EOPNOTSUPP },
	{ "PERCPU_HASH on a device", HATTR(PERCPU_HASH, 4, 8, 1, .map_ifindex = 1), -EINVAL },
	{ "LRU_HASH on a device", HATTR(LRU_HASH, 4, 8, 1, .map_ifindex = 1), -EINVAL },
	{ "HASH with BTF type ids",
	  HATTR(HASH, 4, 8, 1, .btf_key_type_id = 1, .btf_value_type_id = 2), -EINVAL },
	{ "HASH with a bad name", HATTR(HASH, 4, 8, 1, .map_name = "bad-name"), -EINVAL },
};

static void create_case_desc(const struct create_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(create, create_cases, create_case_desc);

static void hash_create_refuses_bad_attributes(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	struct kbpf_map *map = kbpf_map_new(&c->attr);

	if (!IS_ERR(map))
		kbpf_map_put(map);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), c->err);
}

/* Just below each size limit, creation works (no prealloc: nothing big is allocated). */
static void hash_create_accepts_sizes_just_below_the_limits(struct kunit *test)
{
	static const union bpf_attr attrs[] = {
		HATTR(HASH, 4, ELEM_LIMIT - 5, 1, .map_flags = BPF_F_NO_PREALLOC),
		HATTR(PERCPU_HASH, 4, PCPU_MIN_UNIT_SIZE, 1, .map_flags = BPF_F_NO_PREALLOC),
		HATTR(LRU_PERCPU_HASH, 4, PCPU_MIN_UNIT_SIZE - 7, 1),
	};
	struct kbpf_map *map;
	int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		map = kbpf_map_new(&attrs[i]);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(map), 0, "case %d", i);
		if (!IS_ERR(map)) {
			KUNIT_EXPECT_EQ(test, map->value_size, attrs[i].value_size);
			kbpf_map_put(map);
		}
	}
}

static void hash_create_records_attributes(struct kunit *test)
{
	static const struct {
		u32 type;
		const struct kbpf_map_ops *ops;
		bool percpu, lru;
	} types[] = {
		{ BPF_MAP_TYPE_HASH, &kbpf_hash_map_ops, false, false },
		{ BPF_MAP_TYPE_PERCPU_HASH, &kbpf_percpu_hash_map_ops, true, false },
		{ BPF_MAP_TYPE_LRU_HASH, &kbpf_lru_hash_map_ops, false, true },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, &kbpf_lru_percpu_hash_map_ops, true, true },
	};
	struct kbpf_htab *htab;
	struct kbpf_map *map;
	int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		union bpf_attr attr = htab_attr(types[i].type, 12, 5,
						BPF_F_ZERO_SEED | BPF_F_RDONLY_PROG |
						BPF_F_WRONLY);

		if (!types[i].percpu) {
			attr.map_flags |= BPF_F_NUMA_NODE;
			attr.numa_node = first_online_node;
		}
		strscpy(attr.map_name, "flows", sizeof(attr.map_name));
		map = kbpf_map_new(&attr);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
		htab = to_htab(map);

		KUNIT_EXPECT_PTR_EQ(test, map->ops, types[i].ops);
		KUNIT_EXPECT_EQ(test, map->map_type, types[i].type);
		KUNIT_EXPECT_EQ(test, map->key_size, 4);
		KUNIT_EXPECT_EQ(test, map->value_size, 12);
		KUNIT_EXPECT_EQ(test, map->max_entries, 5);
		KUNIT_EXPECT_EQ(test, map->map_flags, attr.map_flags & ~BPF_F_WRONLY);
		KUNIT_EXPECT_EQ(test, map->numa_node,
				types[i].percpu ? NUMA_NO_NODE : first_online_node);
		KUNIT_EXPECT_STREQ(test, map->name, "flows");
		KUNIT_EXPECT_EQ(test, htab->n_buckets, 8);
		KUNIT_EXPECT_EQ(test, htab->hashrnd, 0);
		KUNIT_EXPECT_EQ(test, htab->percpu, types[i].percpu);
		KUNIT_EXPECT_EQ(test, htab->lru, types[i].lru);
		KUNIT_EXPECT_TRUE(test, htab->prealloc);
		/* The kernel's element: a 48-byte header, the key and the value rounded to 8. */
		KUNIT_EXPECT_EQ(test, htab->elem_size, 48 + 8 + (types[i].percpu ? 8 : 16));
		/* Per-cpu maps move a 16-byte slot per possible CPU. */
		KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map),
				types[i].percpu ? 16 * num_possible_cpus() : 12);
		KUNIT_EXPECT_EQ(test, map->charged, map->ops->mem_usage(map));
		KUNIT_EXPECT_GE(test, map->charged, 5 * htab->elem_size);
		KUNIT_EXPECT_EQ(test, !!map->ops->lookup_percpu, types[i].percpu);
	}
}

/* BPF_F_NO_COMMON_LRU: max_entries becomes a multiple of the possible CPUs. */
static void no_common_lru_rounds_max_entries_to_the_cpus(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	u32 n = num_possible_cpus(), asks[] = { 1, 3, 2 * n, 2 * n + 1, 1000 };
	struct kbpf_htab *htab;
	struct kbpf_map *map;
	u32 want, cpu;
	int i;

	for (i = 0; i < ARRAY_SIZE(asks); i++) {
		map = new_map(test, t->type, asks[i], t->flags);
		htab = to_htab(map);
		want = roundup(asks[i], n);
		KUNIT_EXPECT_EQ_MSG(test, map->max_entries, want, "asked %u", asks[i]);
		KUNIT_EXPECT_EQ(test, htab->n_buckets, roundup_pow_of_two(want));
		/* Each CPU's list holds an equal share. */
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_EQ(test, htab->lru_lists[cpu].nr_nodes, want / n);
	}
	/* With the common list, nothing is rounded. */
	map = new_map(test, t->type, 3, 0);
	KUNIT_EXPECT_EQ(test, map->max_entries, 3);
	KUNIT_EXPECT_EQ(test, to_htab(map)->lru_lists[0].nr_nodes, 3);
}

/*
 * A fixed seed makes collisions predictable, so BPF_F_ZERO_SEED needs
 * CAP_SYS_ADMIN; LRU maps need CAP_BPF (6.12 checks it after the
 * attributes, 6.1 first); with unprivileged BPF disabled, as kbpf
 * assumes, so does a plain HASH, once its attributes passed.
 */
static void hash_create_zero_seed_and_lru_need_capabilities(struct kunit *test)
{
	static const union bpf_attr plain = HATTR(HASH, 4, 8, 4);
	static const union bpf_attr seed = HATTR(HASH, 4, 8, 4, .map_flags = BPF_F_ZERO_SEED);
	static const union bpf_attr lru = HATTR(LRU_HASH, 4, 8, 4);
	static const union bpf_attr bad_lru = HATTR(LRU_PERCPU_HASH, 4, 8, 0);
	struct kbpf_map *map[5];
	const struct cred *old;
	struct cred *cred;
	int i;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_BPF);
	cap_lower(cred->cap_effective, CAP_SYS_ADMIN);
	old = override_creds(cred);
	map[0] = kbpf_map_new(&plain);
	map[1] = kbpf_map_new(&seed);
	map[2] = kbpf_map_new(&lru);
	map[3] = kbpf_map_new(&bad_lru);
	revert_creds(old);
	put_cred(cred);
	map[4] = kbpf_map_new(&seed);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[0]), -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[1]), -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[2]), -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[3]),
			KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS ? -EINVAL : -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[4]), 0);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (!IS_ERR(map[i]))
			kbpf_map_put(map[i]);
}

/* With BPF_F_ZERO_SEED the hash is the kernel's jhash with seed 0. */
static void zero_seed_hash_is_the_kernels_jhash(struct kunit *test)
{
	struct kbpf_map *map4 = new_map(test, BPF_MAP_TYPE_HASH, 4, BPF_F_ZERO_SEED);
	union bpf_attr attr = htab_attr(BPF_MAP_TYPE_HASH, 8, 4, BPF_F_ZERO_SEED);
	u8 key6[6] = { 1, 2, 3, 4, 5, 6 };
	struct kbpf_map *map6;
	u32 k;

	attr.key_size = sizeof(key6);
	map6 = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map6);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map6), 0);

	for (k = 0; k < 64; k += 7)
		KUNIT_EXPECT_EQ(test, kbpf_htab_hash(to_htab(map4), &k),
				KBPF_HTAB_JHASH2 ? jhash2(&k, 1, 0) : jhash(&k, 4, 0));
	/* A key whose size is no multiple of 4 is jhash()ed on every kernel. */
	KUNIT_EXPECT_EQ(test, kbpf_htab_hash(to_htab(map6), key6), jhash(key6, 6, 0));
}

/* ---- capacity and flags ---- */

/*
 * A full map refuses a new key with E2BIG, from programs and bpf(2);
 * replacing existing keys still works, far more often than there are
 * spare elements (HASH replaces through a per-cpu spare, per-cpu maps
 * in place, BPF_F_NO_PREALLOC through its counter); a delete makes room
 * for exactly one new key.
 */
static void hash_full_map_refuses_new_keys_with_e2big(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags);
	u32 k, i, replaces = 4 * num_possible_cpus() + 4;
	u64 seen;

	for (k = 1; k <= 8; k++)
		KUNIT_ASSERT_EQ(test, k & 1 ? sys_put(map, k, val(k), BPF_NOEXIST)
					    : prog_put(map, k, val(k), BPF_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, 9, val(9), BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, sys_put(map, 9, val(9), BPF_NOEXIST), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_put(map, 9, val(9), BPF_ANY), -E2BIG);
	KUNIT_EXPECT_FALSE(test, present(map, 9));
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 8);

	for (i = 0; i < replaces; i++) {
		k = 1 + i % 8;
		if (i & 1) {
			KUNIT_EXPECT_EQ(test, sys_put(map, k, val(k) + i, BPF_EXIST), 0);
			expect_value(test, map, k, val(k) + i);
		} else {
			KUNIT_EXPECT_EQ(test, prog_put_get(map, k, val(k) + i, BPF_ANY, &seen), 0);
			KUNIT_EXPECT_EQ(test, seen, val(k) + i);
		}
	}
	/* Every key is still there, and still nothing new fits. */
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 8);
	KUNIT_EXPECT_EQ(test, prog_put(map, 9, val(9), BPF_ANY), -E2BIG);
	for (k = 1; k <= 8; k++)
		KUNIT_EXPECT_TRUE(test, present(map, k));

	KUNIT_EXPECT_EQ(test, sys_delete(map, 3), 0);
	KUNIT_EXPECT_EQ(test, prog_put(map, 9, val(9), BPF_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, prog_put(map, 10, val(10), BPF_NOEXIST), -E2BIG);
	KUNIT_EXPECT_EQ(test, prog_del(map, 9), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, 10, val(10), BPF_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, 3, val(3), BPF_NOEXIST), -E2BIG);
	expect_value(test, map, 10, val(10));
	KUNIT_EXPECT_FALSE(test, present(map, 3));
	KUNIT_EXPECT_FALSE(test, present(map, 9));
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 8);
	if (t->flags & BPF_F_NO_PREALLOC)
		KUNIT_EXPECT_EQ(test, atomic_read(&to_htab(map)->count), 8);
}

/*
 * BPF_NOEXIST on a key that is there is EEXIST, BPF_EXIST on one that is
 * not is ENOENT, flags past BPF_EXIST are EINVAL; none changes the map.
 */
static void hash_update_flags_follow_the_kernel(struct kunit *test)
{
	static const u64 bad[] = { BPF_EXIST + 1, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST,
				   1ULL << 32, U64_MAX };
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, room_for(t->flags, 4), t->flags);
	int i;

	KUNIT_ASSERT_EQ(test, sys_put(map, 1, val(1), BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, 1, 0, BPF_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, prog_put(map, 1, 0, BPF_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, sys_put(map, 2, 0, BPF_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, prog_put(map, 2, 0, BPF_EXIST), -ENOENT);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, sys_put(map, 1, 0, bad[i]), -EINVAL,
				    "flags %#llx", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, sys_put(map, 2, 0, bad[i]), -EINVAL,
				    "flags %#llx", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, prog_put(map, 2, 0, bad[i]), -EINVAL,
				    "flags %#llx", bad[i]);
	}
	expect_keys(test, map, (u32[]){ 1 }, 1);
	KUNIT_EXPECT_EQ(test, sys_put(map, 1, val(1) + 1, BPF_EXIST), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, 2, val(2), BPF_NOEXIST), 0);
	expect_value(test, map, 1, val(1) + 1);
	expect_value(test, map, 2, val(2));
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 2);
}

/* bpf(2)'s lookup_and_delete hands back the value and removes the key; delete too. */
static void hash_lookup_and_delete_returns_the_value_and_removes(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, room_for(t->flags, 4), t->flags);
	u32 slots = kbpf_map_value_size(map) / sizeof(u64), next, i;
	u64 *out = kunit_kcalloc(test, slots, sizeof(u64), GFP_KERNEL);
	u64 *want = kunit_kcalloc(test, slots, sizeof(u64), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < slots; i++)
		want[i] = val(1);
	KUNIT_ASSERT_EQ(test, sys_put(map, 1, val(1), BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, sys_put(map, 2, val(2), BPF_ANY), 0);

	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, 1, out, BPF_F_LOCK), -EINVAL);
	KUNIT_EXPECT_TRUE(test, present(map, 1));
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, 1, out, 0), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, want, kbpf_map_value_size(map)), 0);
	KUNIT_EXPECT_FALSE(test, present(map, 1));
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, 1, out, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, sys_delete(map, 2), 0);
	KUNIT_EXPECT_EQ(test, sys_delete(map, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, prog_del(map, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, sys_next_key(map, NULL, &next), -ENOENT);
}

/*
 * What a map holds is charged to kbpf's total: preallocated maps all at
 * creation, BPF_F_NO_PREALLOC ones element by element, which come and go
 * (a failed insert leaves nothing charged); once the map is freed, with
 * elements still in it, the total is back where it started.
 */
static void hash_memory_is_charged_per_element_and_given_back(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	union bpf_attr attr = htab_attr(t->type, VALUE_SIZE, 16, t->flags);
	u64 base, per, charged;
	struct kbpf_htab *htab;
	struct kbpf_map *map;
	u32 k, round;

	base = mem_used_settled();
	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	htab = to_htab(map);
	charged = map->charged;
	per = 0;
	if (t->flags & BPF_F_NO_PREALLOC)
		per = htab->elem_size +
		      (htab->percpu ? (u64)htab->value_slot * num_possible_cpus() : 0);
	KUNIT_EXPECT_EQ(test, htab->elem_size, 48 + 8 + 8);
	KUNIT_EXPECT_EQ(test, charged, map->ops->mem_usage(map));
	KUNIT_EXPECT_EQ(test, kbpf_mem_used(), base + charged);

	for (round = 0; round < 4; round++) {
		for (k = 1; k <= 16; k++)
			KUNIT_ASSERT_EQ(test, k & 1 ? sys_put(map, k, val(k), BPF_NOEXIST)
						    : prog_put(map, k, val(k), BPF_NOEXIST), 0);
		KUNIT_EXPECT_EQ(test, prog_put(map, 17, 0, BPF_ANY), -E2BIG);
		KUNIT_EXPECT_EQ(test, sys_put(map, 17, 0, BPF_ANY), -E2BIG);
		/* Replacing allocates a new element and frees the old one. */
		KUNIT_EXPECT_EQ(test, sys_put(map, 5, val(5), BPF_EXIST), 0);
		KUNIT_EXPECT_EQ(test, kbpf_mem_used(), base + charged + 16 * per);
		KUNIT_EXPECT_EQ(test, map->ops->mem_usage(map), charged + 16 * per);
		for (k = 1; k <= 16; k++)
			KUNIT_ASSERT_EQ(test, k & 1 ? prog_del(map, k) : sys_delete(map, k), 0);
		KUNIT_EXPECT_EQ(test, kbpf_mem_used(), base + charged);
		KUNIT_EXPECT_EQ(test, map->ops->mem_usage(map), charged);
		KUNIT_EXPECT_EQ(test, atomic_read(&htab->count), 0);
		rcu_barrier();	/* the deleted elements' frees ran */
	}

	for (k = 1; k <= 5; k++)
		KUNIT_ASSERT_EQ(test, sys_put(map, k, val(k), BPF_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, kbpf_mem_used(), base + charged + 5 * per);
	kunit_release_action(test, map_put_action, map);	/* the last reference */
	KUNIT_EXPECT_EQ(test, mem_used_wait_for(base), base);
	rcu_barrier();
}

/* ---- bucket chains and the walk order ---- */

/*
 * BPF_F_ZERO_SEED, 8 buckets, 8 keys in two of them (5 and 3): lookups,
 * deletes at the head, middle and tail of a chain, re-inserts and
 * replaces; get_next_key sees every key exactly once, in the kernel's
 * order: bucket by bucket, each chain newest first.  A replace moves the
 * key to the head of its chain where a new element takes its place
 * (HASH, LRU_HASH); per-cpu values are updated in place.
 */
static void hash_bucket_chains_keep_every_key_exactly_once(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags | BPF_F_ZERO_SEED);
	static const u32 sizes[CHAIN_BUCKETS] = { 0, 5, 0, 0, 0, 0, 3, 0 };
	struct chains *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct layout *lo = kunit_kzalloc(test, sizeof(*lo), GFP_KERNEL);
	u32 i, next, mid, head6, tail1, gone[3];

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, lo);
	KUNIT_ASSERT_EQ(test, to_htab(map)->n_buckets, CHAIN_BUCKETS);
	build_layout(test, map, sizes, CHAIN_BUCKETS, lo);
	insert_layout(test, map, lo);
	for (i = 0; i < lo->nr; i++)
		chain_add_head(c, lo->bucket[i], lo->keys[i]);
	expect_walk(test, map, c);
	KUNIT_EXPECT_EQ(test, sys_next_key(map, NULL, &next), 0);
	KUNIT_EXPECT_EQ(test, next, c->key[1][0]);

	/* Out of the middle of bucket 1's chain, then the ends of both. */
	mid = c->key[1][2];
	head6 = c->key[6][0];
	tail1 = c->key[1][4];
	gone[0] = mid;
	gone[1] = head6;
	gone[2] = tail1;
	for (i = 0; i < ARRAY_SIZE(gone); i++) {
		KUNIT_EXPECT_EQ(test, i == 1 ? prog_del(map, gone[i]) : sys_delete(map, gone[i]),
				0);
		chain_del(c, bucket_of(map, gone[i]), gone[i]);
		KUNIT_EXPECT_FALSE(test, present(map, gone[i]));
		expect_walk(test, map, c);
	}
	/* A key not in the map starts the walk over; the last one ends it. */
	KUNIT_EXPECT_EQ(test, sys_next_key(map, &mid, &next), 0);
	KUNIT_EXPECT_EQ(test, next, c->key[1][0]);
	next = 0;
	KUNIT_EXPECT_EQ(test, sys_next_key(map, &c->key[6][c->len[6] - 1], &next), -ENOENT);
	KUNIT_EXPECT_EQ(test, next, 0);

	/* Back in, at the head of its chain. */
	KUNIT_EXPECT_EQ(test, sys_put(map, mid, val(mid), BPF_NOEXIST), 0);
	chain_add_head(c, 1, mid);
	expect_walk(test, map, c);

	/* Replace the last key of bucket 1 (same value, so the walk check holds). */
	tail1 = c->key[1][c->len[1] - 1];
	KUNIT_EXPECT_EQ(test, sys_put(map, tail1, val(tail1), BPF_EXIST), 0);
	if (!type_is_percpu(t->type)) {
		chain_del(c, 1, tail1);
		chain_add_head(c, 1, tail1);
	}
	expect_walk(test, map, c);
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 6);
}

/* A nulls value as the hlist_nulls lists end with it. */
static struct hlist_nulls_node *nulls_of(u32 v)
{
	return (struct hlist_nulls_node *)(1UL | ((unsigned long)v << 1));
}

/*
 * get_next_key's step from an element found in bucket 1: on along the
 * chain, or to the next bucket at its end.  An element recycled into
 * another bucket meanwhile links into that bucket's chain (an element of
 * bucket 3 or its nulls value here), or is read with its new key (an
 * element still on bucket 1's chain holding a key of bucket 3): the step
 * must not go there, which would skip the rest of bucket 1 and bucket 2,
 * but over bucket 1 again.
 */
static void hash_walk_step_does_not_follow_an_element_into_another_bucket(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags | BPF_F_ZERO_SEED);
	static const u32 sizes[CHAIN_BUCKETS] = { 0, 2, 0, 1 };
	struct kbpf_htab *htab = to_htab(map);
	struct layout *lo = kunit_kzalloc(test, sizeof(*lo), GFP_KERNEL);
	struct kbpf_htab_elem *head1, *tail1, *in3, *moved, *rekeyed;
	u32 i, next, k1[2] = {}, k3 = 0, n1 = 0;

	KUNIT_ASSERT_NOT_NULL(test, lo);
	build_layout(test, map, sizes, CHAIN_BUCKETS, lo);
	insert_layout(test, map, lo);
	for (i = 0; i < lo->nr; i++) {
		if (lo->bucket[i] == 1)
			k1[n1++] = lo->keys[i];
		else
			k3 = lo->keys[i];
	}
	moved = kunit_kzalloc(test, sizeof(*moved) + KEY_SIZE, GFP_KERNEL);
	rekeyed = kunit_kzalloc(test, sizeof(*rekeyed) + KEY_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, moved);
	KUNIT_ASSERT_NOT_NULL(test, rekeyed);
	/* still on bucket 1's chain, and its hash says so: only its key moved */
	rekeyed->hash = kbpf_htab_hash(htab, &k1[0]);
	memcpy(rekeyed->key, &k3, KEY_SIZE);
	rekeyed->node.next = nulls_of(1);

	rcu_read_lock();
	/* the newest insert heads its chain */
	head1 = kbpf_htab_find(htab, kbpf_htab_hash(htab, &k1[1]), &k1[1]);
	tail1 = kbpf_htab_find(htab, kbpf_htab_hash(htab, &k1[0]), &k1[0]);
	in3 = kbpf_htab_find(htab, kbpf_htab_hash(htab, &k3), &k3);
	if (!head1 || !tail1 || !in3) {
		rcu_read_unlock();
		KUNIT_FAIL(test, "the layout's keys are not all in the map");
		return;
	}

	i = 99;
	KUNIT_EXPECT_TRUE(test, kbpf_htab_walk_next(htab, head1, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, next, k1[0]);
	KUNIT_EXPECT_EQ(test, i, 99);
	KUNIT_EXPECT_FALSE(test, kbpf_htab_walk_next(htab, tail1, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, i, 2);

	moved->node.next = &in3->node;
	KUNIT_EXPECT_FALSE(test, kbpf_htab_walk_next(htab, moved, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, i, 1);
	moved->node.next = nulls_of(3);
	i = 99;
	KUNIT_EXPECT_FALSE(test, kbpf_htab_walk_next(htab, moved, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, i, 1);
	moved->node.next = &rekeyed->node;
	i = 99;
	KUNIT_EXPECT_FALSE(test, kbpf_htab_walk_next(htab, moved, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, i, 1);
	/* recycled into bucket 1 itself: its chain, followed */
	moved->node.next = &tail1->node;
	KUNIT_EXPECT_TRUE(test, kbpf_htab_walk_next(htab, moved, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, next, k1[0]);
	moved->node.next = nulls_of(1);
	KUNIT_EXPECT_FALSE(test, kbpf_htab_walk_next(htab, moved, 1, &next, &i));
	KUNIT_EXPECT_EQ(test, i, 2);
	rcu_read_unlock();
}

/* ---- per-cpu slots ---- */

/* Program-side calls on one CPU, by a cross-CPU call (interrupts off there). */
struct on_cpu_ctx {
	struct kbpf_map *map;
	u32 key;
	u64 value;
	u64 flags;
	bool del;
	long err;
	u64 seen;	/* this CPU's value afterwards, via ops->lookup, or 0 */
	int cpu;
};

static void on_cpu_fn(void *arg)
{
	struct on_cpu_ctx *o = arg;
	u64 *p;

	o->cpu = smp_processor_id();
	rcu_read_lock();
	if (o->del)
		o->err = o->map->ops->delete(o->map, &o->key);
	else
		o->err = o->map->ops->update(o->map, &o->key, &o->value, o->flags);
	p = o->map->ops->lookup(o->map, &o->key);
	o->seen = p ? *p : 0;
	rcu_read_unlock();
}

/* Run a program's update (or delete) of @key on @cpu; its error. */
static long on_cpu(struct kunit *test, int cpu, struct kbpf_map *map, u32 key,
		   u64 value, u64 flags, bool del, u64 *seen)
{
	struct on_cpu_ctx o = {
		.map = map, .key = key, .value = value, .flags = flags, .del = del,
		.err = -1, .cpu = -1,
	};

	KUNIT_EXPECT_EQ(test, smp_call_function_single(cpu, on_cpu_fn, &o, 1), 0);
	KUNIT_EXPECT_EQ(test, o.cpu, cpu);
	if (seen)
		*seen = o.seen;
	return o.err;
}

static int second_online_cpu(int first)
{
	int cpu = cpumask_next(first, cpu_online_mask);

	return cpu < nr_cpu_ids ? cpu : -1;
}

/*
 * A program's update writes only its own CPU's slot, and for a new
 * element (here a recycled one, whose slots held other values) zeroes
 * every other CPU's; an update of an existing element leaves the other
 * CPUs alone.  lookup_percpu reads any CPU's slot, NULL past nr_cpu_ids;
 * bpf(2) moves every possible CPU's slot, 8 bytes each here.
 */
static void percpu_program_update_writes_only_this_cpus_slot(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, room_for(t->flags, 4), t->flags);
	u32 n = num_possible_cpus(), k, cpu, i;
	int a = cpumask_first(cpu_online_mask), b = second_online_cpu(a);
	u64 *out, seen, want;

	out = kunit_kcalloc(test, n + 1, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map), n * 8);

	/* Every element gets dirty slots, then is free again. */
	for (k = 100; k < 104; k++)
		KUNIT_ASSERT_EQ(test, sys_put(map, k, 0xdead0000 + k, BPF_NOEXIST), 0);
	for (k = 100; k < 104; k++)
		KUNIT_ASSERT_EQ(test, sys_delete(map, k), 0);

	KUNIT_EXPECT_EQ(test, on_cpu(test, a, map, 1, 0x1111, BPF_NOEXIST, false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, 0x1111);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ_MSG(test, prog_percpu(map, 1, cpu), (int)cpu == a ? 0x1111 : 0,
				    "cpu %u", cpu);

	if (b >= 0) {
		KUNIT_EXPECT_EQ(test, on_cpu(test, b, map, 1, 0x2222, BPF_EXIST, false, &seen),
				0);
		KUNIT_EXPECT_EQ(test, seen, 0x2222);
	} else {
		kunit_info(test, "one online CPU: no update from a second one");
	}

	/* bpf(2) sees the same, slot by slot, and writes nothing past the last. */
	memset(out, 0xee, (n + 1) * sizeof(u64));
	KUNIT_EXPECT_EQ(test, sys_lookup(map, 1, out, 0), 0);
	i = 0;
	for_each_possible_cpu(cpu) {
		want = (int)cpu == a ? 0x1111 : (int)cpu == b ? 0x2222 : 0;
		KUNIT_EXPECT_EQ_MSG(test, out[i], want, "cpu %u", cpu);
		KUNIT_EXPECT_EQ_MSG(test, prog_percpu(map, 1, cpu), want, "cpu %u", cpu);
		i++;
	}
	KUNIT_EXPECT_EQ(test, out[n], 0xeeeeeeeeeeeeeeeeULL);

	/* bpf(2)'s update writes every CPU's slot, in place. */
	for (i = 0; i < n; i++)
		out[i] = 0x3000 + i;
	KUNIT_EXPECT_EQ(test, sys_update(map, 1, out, BPF_EXIST), 0);
	i = 0;
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, prog_percpu(map, 1, cpu), 0x3000 + i++);

	KUNIT_EXPECT_EQ(test, prog_percpu(map, 1, nr_cpu_ids), ~0ULL);
	KUNIT_EXPECT_EQ(test, prog_percpu(map, 1, U32_MAX), ~0ULL);
	KUNIT_EXPECT_EQ(test, prog_percpu(map, 2, a), ~0ULL);
}

/*
 * 12-byte values take 16-byte slots: bpf(2) moves each CPU's whole slot,
 * padding included, in and out, and nothing past the last.
 */
static void percpu_syscall_moves_8_byte_aligned_slots(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map_vs(test, t->type, 12, room_for(t->flags, 2), t->flags);
	u32 size = 16 * num_possible_cpus(), i;
	u8 *in = kunit_kzalloc(test, size, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, size + 16, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map), size);
	for (i = 0; i < size; i++)
		in[i] = i + 1;
	KUNIT_EXPECT_EQ(test, sys_update(map, 7, in, BPF_ANY), 0);
	memset(out, 0xee, size + 16);
	KUNIT_EXPECT_EQ(test, sys_lookup(map, 7, out, 0), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, size), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(out + size, 0xee, 16));
	memset(out, 0xee, size + 16);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, 7, out, 0), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, size), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(out + size, 0xee, 16));
	KUNIT_EXPECT_EQ(test, sys_lookup(map, 7, out, 0), -ENOENT);
}

/* ---- LRU ---- */

/* Insert keys @from..@to from a program, as BPF_NOEXIST. */
static void lru_insert(struct kunit *test, struct kbpf_map *map, u32 from, u32 to)
{
	u32 k;

	for (k = from; k <= to; k++)
		KUNIT_ASSERT_EQ_MSG(test, prog_put(map, k, val(k), BPF_NOEXIST), 0, "key %u", k);
}

/* Without program lookups, the least recently inserted key goes first. */
static void lru_evicts_the_least_recently_inserted(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 4, t->flags);

	lru_insert(test, map, 1, 4);
	expect_keys(test, map, (u32[]){ 1, 2, 3, 4 }, 4);
	lru_insert(test, map, 5, 5);
	expect_keys(test, map, (u32[]){ 2, 3, 4, 5 }, 4);
	lru_insert(test, map, 6, 6);
	expect_keys(test, map, (u32[]){ 3, 4, 5, 6 }, 4);
	/* A deleted key's element is reused before anything is evicted. */
	KUNIT_EXPECT_EQ(test, sys_delete(map, 5), 0);
	lru_insert(test, map, 7, 7);
	expect_keys(test, map, (u32[]){ 3, 4, 6, 7 }, 4);
}

/*
 * A program's lookup sets the element's ref bit: the next eviction gives
 * it a second chance and takes the next oldest; the chance is used up
 * then.  A bpf(2) lookup protects nothing.
 */
static void lru_program_lookup_protects_a_key_once(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 4, t->flags);

	lru_insert(test, map, 1, 5);			/* 1 evicted */
	expect_keys(test, map, (u32[]){ 2, 3, 4, 5 }, 4);
	KUNIT_EXPECT_TRUE(test, prog_lookup(map, 2));
	lru_insert(test, map, 6, 6);			/* 2 skipped, 3 evicted */
	expect_keys(test, map, (u32[]){ 2, 4, 5, 6 }, 4);
	KUNIT_EXPECT_TRUE(test, present(map, 4));	/* bpf(2): no protection */
	lru_insert(test, map, 7, 7);			/* 4 evicted */
	expect_keys(test, map, (u32[]){ 2, 5, 6, 7 }, 4);
	lru_insert(test, map, 8, 8);			/* 5 */
	expect_keys(test, map, (u32[]){ 2, 6, 7, 8 }, 4);
	lru_insert(test, map, 9, 9);			/* 2, its chance used */
	expect_keys(test, map, (u32[]){ 6, 7, 8, 9 }, 4);
	/* For per-cpu maps, lookup_percpu counts as a program's use too. */
	if (map->ops->lookup_percpu)
		KUNIT_EXPECT_NE(test, prog_percpu(map, 6, cpumask_first(cpu_online_mask)),
				~0ULL);
	else
		KUNIT_EXPECT_TRUE(test, prog_lookup(map, 6));
	lru_insert(test, map, 10, 10);			/* 6 skipped, 7 evicted */
	expect_keys(test, map, (u32[]){ 6, 8, 9, 10 }, 4);
}

/*
 * An update that replaces a key renews it.  In a full map the update
 * takes its new element first, evicting the oldest key (1) even though
 * nothing new is added, as the kernel does.  LRU_HASH: the key gets a new
 * element, the newest, and referenced, so it outlives every key inserted
 * before its update, then gets its second chance at the head of the list
 * and outlives the next ones too.  LRU_PERCPU_HASH with BPF_EXIST:
 * updated in place, no eviction, and referenced: one second chance.
 */
static void lru_update_of_a_key_renews_it(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 4, t->flags);
	bool percpu = type_is_percpu(t->type);
	u64 seen;

	lru_insert(test, map, 1, 4);
	KUNIT_EXPECT_EQ(test, prog_put_get(map, 2, val(2), BPF_EXIST, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, val(2));
	if (percpu) {
		expect_keys(test, map, (u32[]){ 1, 2, 3, 4 }, 4);
		lru_insert(test, map, 5, 5);		/* 1 */
		expect_keys(test, map, (u32[]){ 2, 3, 4, 5 }, 4);
		lru_insert(test, map, 6, 6);		/* 2 skipped, 3 */
		expect_keys(test, map, (u32[]){ 2, 4, 5, 6 }, 4);
	} else {
		expect_keys(test, map, (u32[]){ 2, 3, 4 }, 3);
		lru_insert(test, map, 5, 5);		/* the free element */
		expect_keys(test, map, (u32[]){ 2, 3, 4, 5 }, 4);
		lru_insert(test, map, 6, 6);		/* 3: older than 2 now */
		expect_keys(test, map, (u32[]){ 2, 4, 5, 6 }, 4);
	}
	lru_insert(test, map, 7, 7);			/* 4 */
	expect_keys(test, map, (u32[]){ 2, 5, 6, 7 }, 4);
	if (percpu) {
		lru_insert(test, map, 8, 8);		/* 5 */
		expect_keys(test, map, (u32[]){ 2, 6, 7, 8 }, 4);
		lru_insert(test, map, 9, 9);		/* 2, its chance used */
		expect_keys(test, map, (u32[]){ 6, 7, 8, 9 }, 4);
		return;
	}
	lru_insert(test, map, 8, 8);			/* 2 to the head, 5 (then 8) */
	expect_keys(test, map, (u32[]){ 2, 6, 7, 8 }, 4);
	lru_insert(test, map, 9, 10);			/* 6, 7 */
	expect_keys(test, map, (u32[]){ 2, 8, 9, 10 }, 4);
	lru_insert(test, map, 11, 11);			/* 2 at last */
	expect_keys(test, map, (u32[]){ 8, 9, 10, 11 }, 4);
}

/* LRU maps never answer E2BIG: ten times their size in keys, the last ones stay. */
static void lru_never_returns_e2big(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags);
	u32 k;

	for (k = 1; k <= 80; k++)
		KUNIT_ASSERT_EQ_MSG(test, k & 1 ? sys_put(map, k, val(k), BPF_NOEXIST)
						: prog_put(map, k, val(k), BPF_ANY), 0,
				    "key %u", k);
	expect_keys(test, map, (u32[]){ 73, 74, 75, 76, 77, 78, 79, 80 }, 8);
}

/*
 * BPF_F_NO_COMMON_LRU: each CPU's list holds max_entries / ncpus
 * elements, so inserts from one CPU evict once that CPU's share is in
 * use, whatever the others hold; a deleted element goes back to the list
 * it came from.
 */
static void lru_per_cpu_lists_evict_from_this_cpus_share(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	u32 n = num_possible_cpus();
	struct kbpf_map *map = new_map(test, t->type, 2 * n, t->flags);
	int a = cpumask_first(cpu_online_mask), b = second_online_cpu(a);
	u32 k;

	KUNIT_EXPECT_EQ(test, to_htab(map)->lru_lists[a].nr_nodes, 2);
	for (k = 1; k <= 3; k++)
		KUNIT_EXPECT_EQ(test, on_cpu(test, a, map, k, val(k), BPF_NOEXIST, false, NULL),
				0);
	expect_keys(test, map, (u32[]){ 2, 3 }, 2);
	if (b < 0) {
		kunit_info(test, "one online CPU: no second list to fill");
		return;
	}
	/* The other CPU's share is untouched: room for two without evicting. */
	for (k = 4; k <= 5; k++)
		KUNIT_EXPECT_EQ(test, on_cpu(test, b, map, k, val(k), BPF_NOEXIST, false, NULL),
				0);
	expect_keys(test, map, (u32[]){ 2, 3, 4, 5 }, 4);
	KUNIT_EXPECT_EQ(test, on_cpu(test, b, map, 6, val(6), BPF_NOEXIST, false, NULL), 0);
	expect_keys(test, map, (u32[]){ 2, 3, 5, 6 }, 4);
	/* 2, deleted on b, goes back to a's list: a inserts 7 without evicting 3. */
	KUNIT_EXPECT_EQ(test, on_cpu(test, b, map, 2, 0, 0, true, NULL), 0);
	KUNIT_EXPECT_EQ(test, on_cpu(test, a, map, 7, val(7), BPF_NOEXIST, false, NULL), 0);
	expect_keys(test, map, (u32[]){ 3, 5, 6, 7 }, 4);
}

/* ---- batches ---- */

static int htab_batch(struct kbpf_map *map, bool del, const u32 *in, u32 *out,
		      void *keys, void *values, u32 *count, u64 elem_flags, u64 flags)
{
	union bpf_attr attr = {
		.batch.in_batch = (u64)in, .batch.out_batch = (u64)out,
		.batch.keys = (u64)keys, .batch.values = (u64)values,
		.batch.count = *count, .batch.elem_flags = elem_flags,
		.batch.flags = flags,
	};
	int err = kbpf_htab_batch(map, &attr, KERNEL_BPFPTR(&attr), del);

	*count = attr.batch.count;
	return err;
}

/* The values a batch returned are val(key), in every CPU's slot. */
static void expect_batch_values(struct kunit *test, struct kbpf_map *map,
				const u32 *keys, const u64 *values, u32 n)
{
	u32 slots = kbpf_map_value_size(map) / sizeof(u64), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < slots; j++)
			KUNIT_EXPECT_EQ_MSG(test, values[i * slots + j], val(keys[i]),
					    "key %u slot %u", keys[i], j);
}

/*
 * The cursor is a bucket index.  Buckets hold 3, 2 and 1 keys (buckets 1,
 * 3 and 6 of 8): a count smaller than the next non-empty bucket is ENOSPC
 * with nothing copied; otherwise whole buckets come back, as many as fit,
 * and out_batch is the bucket to go on from; past the last, ENOENT.
 */
static void hash_batch_cursor_is_a_bucket_index(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags | BPF_F_ZERO_SEED);
	static const u32 sizes[8] = { 0, 3, 0, 2, 0, 0, 1, 0 };
	u32 slots = kbpf_map_value_size(map) / sizeof(u64);
	u32 keys[8], want[8], cursor, in, count, n, k;
	u64 *values = kunit_kcalloc(test, 8 * slots, sizeof(u64), GFP_KERNEL);
	struct layout *lo = kunit_kzalloc(test, sizeof(*lo), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, values);
	KUNIT_ASSERT_NOT_NULL(test, lo);
	build_layout(test, map, sizes, 8, lo);
	insert_layout(test, map, lo);

	/* Bucket 1 holds 3: counts 1 and 2 do not fit it; delete or not, nothing moves. */
	for (count = 1; count <= 2; count++) {
		cursor = 99;
		n = count;
		err = htab_batch(map, count == 2, NULL, &cursor, keys, values, &n, 0, 0);
		KUNIT_EXPECT_EQ(test, err, -ENOSPC);
		KUNIT_EXPECT_EQ(test, n, 0);
		KUNIT_EXPECT_EQ(test, cursor, 1);
	}
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 6);

	n = 3;
	err = htab_batch(map, false, NULL, &cursor, keys, values, &n, 0, 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, cursor, 3);
	KUNIT_EXPECT_EQ(test, layout_order(lo, 0, 3, want), 3);
	KUNIT_EXPECT_EQ(test, memcmp(keys, want, 3 * sizeof(u32)), 0);
	expect_batch_values(test, map, keys, values, 3);

	in = 3;
	n = 1;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, &in, &cursor, keys, values, &n, 0, 0),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, cursor, 3);
	/* Bucket 3's two fit exactly; bucket 6's one then does not. */
	n = 2;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, &in, &cursor, keys, values, &n, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, cursor, 6);
	KUNIT_EXPECT_EQ(test, layout_order(lo, 3, 6, want), 2);
	KUNIT_EXPECT_EQ(test, memcmp(keys, want, 2 * sizeof(u32)), 0);
	expect_batch_values(test, map, keys, values, 2);
	/* The rest: one key, then the end. */
	in = 6;
	n = 5;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, &in, &cursor, keys, values, &n, 0, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, cursor, 8);
	KUNIT_EXPECT_EQ(test, layout_order(lo, 6, 8, want), 1);
	KUNIT_EXPECT_EQ(test, keys[0], want[0]);
	expect_batch_values(test, map, keys, values, 1);
	/* From the last, empty bucket: ENOENT, nothing; from past it, not even a cursor. */
	in = 7;
	n = 5;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, &in, &cursor, keys, values, &n, 0, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, cursor, 8);
	in = 8;
	n = 5;
	cursor = 99;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, &in, &cursor, keys, values, &n, 0, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, cursor, 99);
	/* count 0 does nothing; flags are refused. */
	n = 0;
	KUNIT_EXPECT_EQ(test, htab_batch(map, true, NULL, &cursor, keys, values, &n, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, cursor, 99);
	n = 8;
	KUNIT_EXPECT_EQ(test, htab_batch(map, true, NULL, &cursor, keys, values, &n,
					 BPF_F_LOCK, 0), -EINVAL);
	n = 8;
	KUNIT_EXPECT_EQ(test, htab_batch(map, true, NULL, &cursor, keys, values, &n, 0, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 6);

	/* All at once: every key, in walk order, and ENOENT. */
	n = 8;
	KUNIT_EXPECT_EQ(test, htab_batch(map, false, NULL, &cursor, keys, values, &n, 0, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, n, 6);
	KUNIT_EXPECT_EQ(test, layout_order(lo, 0, 8, want), 6);
	KUNIT_EXPECT_EQ(test, memcmp(keys, want, 6 * sizeof(u32)), 0);
	for (k = 0; k < 6; k++)
		KUNIT_EXPECT_TRUE(test, present(map, keys[k]));
}

/*
 * Walk a map whose buckets hold 3, 6, 1, 2 and 1 keys (buckets 1, 3, 6,
 * 9, 14 of 16) with every count from 1 to 13: each call returns whole
 * buckets in order, as many as fit; a count below the largest bucket
 * gets stuck there with ENOSPC, any other collects every key exactly
 * once and ends with ENOENT.  lookup_and_delete_batch does the same and
 * leaves the map empty (and its elements ready for reuse).
 */
static void batch_walk(struct kunit *test, struct kbpf_map *map,
		       const struct layout *lo, u32 count, bool del)
{
	u32 nb = to_htab(map)->n_buckets, slots = kbpf_map_value_size(map) / sizeof(u64);
	u32 keys[LAYOUT_KEYS], want[LAYOUT_KEYS], cursor = 0, out, got, total, b, i;
	u64 *values = kunit_kcalloc(test, LAYOUT_KEYS * slots, sizeof(u64), GFP_KERNEL);
	bool *seen = kunit_kcalloc(test, LAYOUT_KEYS, sizeof(bool), GFP_KERNEL);
	union bpf_attr attr = {};
	int err, calls, exp_err;

	KUNIT_ASSERT_NOT_NULL(test, values);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	total = 0;
	for (calls = 0; calls <= nb; calls++) {
		attr.batch.in_batch = calls ? (u64)&cursor : 0;
		attr.batch.out_batch = (u64)&out;
		attr.batch.keys = (u64)keys;
		attr.batch.values = (u64)values;
		attr.batch.count = count;
		out = 12345;
		err = del ? map->ops->lookup_and_delete_batch(map, NULL, &attr,
							      KERNEL_BPFPTR(&attr))
			  : map->ops->lookup_batch(map, NULL, &attr, KERNEL_BPFPTR(&attr));
		got = attr.batch.count;

		/* What the layout says this call does. */
		i = 0;
		for (b = cursor; b < nb; b++) {
			if (b < LAYOUT_BUCKETS && lo->size[b] > count - i)
				break;
			i += b < LAYOUT_BUCKETS ? lo->size[b] : 0;
		}
		exp_err = b == nb ? -ENOENT : i ? 0 : -ENOSPC;
		KUNIT_ASSERT_EQ_MSG(test, err, exp_err, "count %u from bucket %u", count, cursor);
		KUNIT_ASSERT_EQ_MSG(test, got, i, "count %u from bucket %u", count, cursor);
		KUNIT_ASSERT_EQ_MSG(test, out, b, "count %u from bucket %u", count, cursor);
		KUNIT_ASSERT_EQ(test, layout_order(lo, cursor, b, want), got);
		KUNIT_EXPECT_EQ(test, memcmp(keys, want, got * sizeof(u32)), 0);
		expect_batch_values(test, map, keys, values, got);
		for (i = 0; i < got; i++) {
			for (b = 0; b < lo->nr && lo->keys[b] != keys[i]; b++)
				;
			KUNIT_ASSERT_LT(test, b, lo->nr);
			KUNIT_EXPECT_FALSE_MSG(test, seen[b], "key %u twice", keys[i]);
			seen[b] = true;
			KUNIT_EXPECT_EQ(test, present(map, keys[i]), !del);
		}
		total += got;
		if (err)
			break;
		cursor = out;
	}
	if (count >= lo->largest) {
		KUNIT_EXPECT_EQ(test, err, -ENOENT);
		KUNIT_EXPECT_EQ(test, total, lo->nr);
	} else {
		KUNIT_EXPECT_EQ(test, err, -ENOSPC);
		KUNIT_EXPECT_LT(test, total, lo->nr);
	}
	if (del && count >= lo->largest)
		KUNIT_EXPECT_EQ(test, count_keys(test, map), 0);
}

static void hash_batch_walks_collect_every_key_once(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, room_for(t->flags, 16),
				       t->flags | BPF_F_ZERO_SEED);
	static const u32 sizes[16] = { 0, 3, 0, 6, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 1, 0 };
	struct layout *lo = kunit_kzalloc(test, sizeof(*lo), GFP_KERNEL);
	u32 count, i;

	KUNIT_ASSERT_NOT_NULL(test, lo);
	build_layout(test, map, sizes, 16, lo);
	insert_layout(test, map, lo);
	for (count = 1; count <= lo->nr; count++)
		batch_walk(test, map, lo, count, false);
	for (count = 1; count <= lo->nr; count++) {
		batch_walk(test, map, lo, count, true);
		/* Whatever is left goes, then everything comes back in the same order. */
		for (i = 0; i < lo->nr; i++)
			KUNIT_EXPECT_EQ(test, sys_put(map, lo->keys[i], 0, BPF_ANY), 0);
		for (i = 0; i < lo->nr; i++)
			KUNIT_EXPECT_EQ(test, sys_delete(map, lo->keys[i]), 0);
		insert_layout(test, map, lo);
	}
	if (t->flags & BPF_F_NO_PREALLOC)
		KUNIT_EXPECT_EQ(test, atomic_read(&to_htab(map)->count), lo->nr);
}

/* ---- for_each ---- */

struct walk_ctx {
	struct kbpf_map *map;
	u32 stop_after;		/* 0: never */
	bool del;
	u32 n;
	u32 keys[32];
	u32 bad_values;
	long del_err;
};

static long walk_cb(struct kbpf_map *map, void *key, void *value, void *ctx)
{
	struct walk_ctx *w = ctx;
	u32 k = *(u32 *)key;

	if (w->n < ARRAY_SIZE(w->keys))
		w->keys[w->n] = k;
	w->n++;
	if (map != w->map || *(u64 *)value != val(k))
		w->bad_values++;
	if (w->del)
		w->del_err |= map->ops->delete(map, key);
	return w->stop_after && w->n == w->stop_after;
}

static long prog_for_each(struct kbpf_map *map, struct walk_ctx *w, u64 flags)
{
	long ret;

	w->map = map;
	w->n = 0;
	w->bad_values = 0;
	w->del_err = 0;
	preempt_disable();
	rcu_read_lock();
	ret = map->ops->for_each(map, walk_cb, w, flags);
	rcu_read_unlock();
	preempt_enable();
	return ret;
}

/* Each key of @w's walk is a different one of 1..@n. */
static void expect_distinct(struct kunit *test, const struct walk_ctx *w, u32 n)
{
	u32 i, j;

	for (i = 0; i < w->n && i < ARRAY_SIZE(w->keys); i++) {
		KUNIT_EXPECT_GE(test, w->keys[i], 1);
		KUNIT_EXPECT_LE(test, w->keys[i], n);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, w->keys[i], w->keys[j]);
	}
}

/*
 * The callback walk (ops->for_each) visits every element once with its
 * value (this CPU's, for per-cpu maps), stops when the callback returns
 * 1 and answers how many it visited; flags are EINVAL; a callback may
 * delete what it visits.
 */
static void hash_callback_walk_visits_every_element_once(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, room_for(t->flags, 16), t->flags);
	struct walk_ctx *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	u32 k;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 0);
	KUNIT_EXPECT_EQ(test, w->n, 0);
	for (k = 1; k <= 10; k++)
		KUNIT_ASSERT_EQ(test, sys_put(map, k, val(k), BPF_NOEXIST), 0);

	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 10);
	KUNIT_EXPECT_EQ(test, w->n, 10);
	KUNIT_EXPECT_EQ(test, w->bad_values, 0);
	expect_distinct(test, w, 10);

	w->stop_after = 4;
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 4);
	KUNIT_EXPECT_EQ(test, w->n, 4);
	expect_distinct(test, w, 10);
	w->stop_after = 1;
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 1);
	KUNIT_EXPECT_EQ(test, w->n, 1);

	w->stop_after = 0;
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, U64_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, w->n, 0);

	w->del = true;
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 10);
	KUNIT_EXPECT_EQ(test, w->n, 10);
	KUNIT_EXPECT_EQ(test, w->del_err, 0);
	expect_distinct(test, w, 10);
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 0);
	w->del = false;
	KUNIT_EXPECT_EQ(test, prog_for_each(map, w, 0), 0);
}

/* ---- program context ---- */

struct irq_ctx {
	struct irq_work work;
	struct kbpf_map *map;
	bool hardirq;
	int cpu;
	long err[7];
	u64 seen;
	bool deleted_seen;
};

static void hash_irq_work(struct irq_work *work)
{
	struct irq_ctx *c = container_of(work, struct irq_ctx, work);
	struct kbpf_map *map = c->map;
	u32 k;
	u64 v, *p;

	c->hardirq = in_hardirq();
	c->cpu = smp_processor_id();
	rcu_read_lock();
	k = 1;
	v = 11;
	c->err[0] = map->ops->update(map, &k, &v, BPF_NOEXIST);
	v = 12;
	c->err[1] = map->ops->update(map, &k, &v, BPF_EXIST);
	k = 2;
	v = 21;
	c->err[2] = map->ops->update(map, &k, &v, BPF_ANY);
	c->err[3] = map->ops->delete(map, &k);
	c->deleted_seen = map->ops->lookup(map, &k);
	k = 3;
	c->err[4] = map->ops->delete(map, &k);
	k = 4;
	v = val(4);
	c->err[5] = map->ops->update(map, &k, &v, BPF_NOEXIST);
	k = 5;
	v = val(5);
	c->err[6] = map->ops->update(map, &k, &v, BPF_NOEXIST);
	k = 1;
	p = map->ops->lookup(map, &k);
	c->seen = p ? *p : 0;
	rcu_read_unlock();
}

/*
 * Programs run in hard interrupts: updates (new, replace, in a full map)
 * and deletes work there, without lockdep complaints.  Map of 3 holding
 * key 100; in the interrupt: 1 in, 1 replaced, 2 in and out, 3 not there,
 * 4 in (full now), 5: E2BIG, or for LRU maps evicting 100.
 */
static void hash_ops_work_in_hardirq_context(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	bool lockdep_on = debug_locks, lru = type_is_lru(t->type);
	u32 cpu;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->map = new_map(test, t->type, 3, t->flags);
	KUNIT_ASSERT_EQ(test, sys_put(c->map, 100, val(100), BPF_NOEXIST), 0);
	init_irq_work(&c->work, hash_irq_work);
	KUNIT_ASSERT_TRUE(test, irq_work_queue(&c->work));
	irq_work_sync(&c->work);

	KUNIT_EXPECT_TRUE(test, c->hardirq);
	KUNIT_EXPECT_EQ(test, c->err[0], 0);
	KUNIT_EXPECT_EQ(test, c->err[1], 0);
	KUNIT_EXPECT_EQ(test, c->err[2], 0);
	KUNIT_EXPECT_EQ(test, c->err[3], 0);
	KUNIT_EXPECT_FALSE(test, c->deleted_seen);
	KUNIT_EXPECT_EQ(test, c->err[4], -ENOENT);
	KUNIT_EXPECT_EQ(test, c->err[5], 0);
	KUNIT_EXPECT_EQ(test, c->err[6], lru ? 0 : -E2BIG);
	KUNIT_EXPECT_EQ(test, c->seen, 12);
	KUNIT_EXPECT_EQ(test, count_keys(test, c->map), 3);
	expect_value(test, c->map, 4, val(4));
	expect_value(test, c->map, lru ? 5 : 100, val(lru ? 5 : 100));
	KUNIT_EXPECT_FALSE(test, present(c->map, lru ? 100 : 5));
	KUNIT_EXPECT_FALSE(test, present(c->map, 2));
	if (type_is_percpu(t->type)) {
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_EQ(test, prog_percpu(c->map, 1, cpu),
					(int)cpu == c->cpu ? 12 : 0);
	} else {
		expect_value(test, c->map, 1, 12);
	}
	expect_lockdep_quiet(test, lockdep_on);
}

/* Updates and deletes inside a busy slot, from "a program interrupting the map". */
struct busy_result {
	int lock_err, nested_err;
	long upd_old, upd_new, del_old, upd_other;
	bool looked_up;
};

static void run_in_slot(struct kbpf_map *map, u32 slot, u32 old, u32 fresh,
			u32 other, struct busy_result *r)
{
	struct kbpf_htab *htab = to_htab(map);
	unsigned long flags, flags2;
	u64 v = 999;

	r->lock_err = kbpf_htab_lock_slot(htab, slot, &flags);
	if (r->lock_err)
		return;
	rcu_read_lock();
	r->nested_err = kbpf_htab_lock_slot(htab, slot, &flags2);
	if (!r->nested_err)
		kbpf_htab_unlock_slot(htab, slot, flags2);
	r->upd_old = map->ops->update(map, &old, &v, BPF_ANY);
	r->upd_new = map->ops->update(map, &fresh, &v, BPF_ANY);
	r->del_old = map->ops->delete(map, &old);
	r->upd_other = other ? map->ops->update(map, &other, &v, BPF_ANY) : 0;
	/* Lookups take no lock: they still work. */
	r->looked_up = map->ops->lookup(map, &old);
	rcu_read_unlock();
	kbpf_htab_unlock_slot(htab, slot, flags);
}

/*
 * HASH and PERCPU_HASH: inside the busy slot of a key's bucket group, an
 * update or delete of any key of that group is EBUSY and changes nothing
 * (no element, no count, no memory); keys of other groups still work.
 */
static void hash_busy_bucket_slot_is_ebusy_and_changes_nothing(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 8, t->flags | BPF_F_ZERO_SEED);
	struct busy_result r;
	u32 old = 1, fresh, other, k;
	u64 usage;

	for (fresh = old + 1; slot_of(map, fresh) != slot_of(map, old); fresh++)
		;
	for (other = old + 1; slot_of(map, other) == slot_of(map, old); other++)
		;
	/* Full but for one: the new key would fit. */
	KUNIT_ASSERT_EQ(test, sys_put(map, old, val(old), BPF_NOEXIST), 0);
	for (k = 1000; count_keys(test, map) < 7; k++)
		if (k != fresh && k != other)
			KUNIT_ASSERT_EQ(test, sys_put(map, k, val(k), BPF_NOEXIST), 0);
	usage = map->ops->mem_usage(map);

	run_in_slot(map, slot_of(map, old), old, fresh, 0, &r);
	KUNIT_EXPECT_EQ(test, r.lock_err, 0);
	KUNIT_EXPECT_EQ(test, r.nested_err, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.upd_old, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.upd_new, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.del_old, -EBUSY);
	KUNIT_EXPECT_TRUE(test, r.looked_up);
	expect_value(test, map, old, val(old));
	KUNIT_EXPECT_FALSE(test, present(map, fresh));
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 7);
	KUNIT_EXPECT_EQ(test, map->ops->mem_usage(map), usage);
	if (t->flags & BPF_F_NO_PREALLOC)
		KUNIT_EXPECT_EQ(test, atomic_read(&to_htab(map)->count), 7);

	/* Another group's key goes in; then the last free element is still there. */
	run_in_slot(map, slot_of(map, old), old, fresh, other, &r);
	KUNIT_EXPECT_EQ(test, r.upd_other, 0);
	expect_value(test, map, other, 999);
	KUNIT_EXPECT_EQ(test, count_keys(test, map), 8);
	KUNIT_EXPECT_EQ(test, sys_delete(map, other), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, fresh, val(fresh), BPF_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, sys_put(map, other, val(other), BPF_NOEXIST), -E2BIG);
	/* And the slot is free again. */
	KUNIT_EXPECT_EQ(test, prog_del(map, old), 0);
}

/*
 * LRU maps: every writer enters the LRU slot.  Inside it, updates (which
 * would evict) and deletes are EBUSY and change nothing.
 */
static void lru_busy_lru_slot_is_ebusy_and_changes_nothing(struct kunit *test)
{
	const struct htab_type *t = test->param_value;
	struct kbpf_map *map = new_map(test, t->type, 2, t->flags);
	struct busy_result r;

	lru_insert(test, map, 1, 2);
	run_in_slot(map, KBPF_HTAB_LRU_SLOT, 1, 3, 0, &r);
	KUNIT_EXPECT_EQ(test, r.lock_err, 0);
	KUNIT_EXPECT_EQ(test, r.nested_err, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.upd_old, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.upd_new, -EBUSY);
	KUNIT_EXPECT_EQ(test, r.del_old, -EBUSY);
	KUNIT_EXPECT_TRUE(test, r.looked_up);
	/* Nothing was evicted, nothing replaced. */
	expect_keys(test, map, (u32[]){ 1, 2 }, 2);
	KUNIT_EXPECT_FALSE(test, present(map, 3));
	/* Out of the slot, the same update evicts as usual: 1 was looked up, so 2 goes. */
	lru_insert(test, map, 3, 3);
	expect_keys(test, map, (u32[]){ 1, 3 }, 2);
}

static struct kunit_case kbpf_hash_create_cases[] = {
	KUNIT_CASE_PARAM(hash_create_refuses_bad_attributes, create_gen_params),
	KUNIT_CASE(hash_create_accepts_sizes_just_below_the_limits),
	KUNIT_CASE(hash_create_records_attributes),
	KUNIT_CASE_PARAM(no_common_lru_rounds_max_entries_to_the_cpus,
			 per_cpu_list_types_gen_params),
	KUNIT_CASE(hash_create_zero_seed_and_lru_need_capabilities),
	KUNIT_CASE(zero_seed_hash_is_the_kernels_jhash),
	{}
};

static struct kunit_suite kbpf_hash_create_suite = {
	.name = "kbpf_hash_create",
	.test_cases = kbpf_hash_create_cases,
};

static struct kunit_case kbpf_hash_cases[] = {
	KUNIT_CASE_PARAM(hash_full_map_refuses_new_keys_with_e2big, capped_types_gen_params),
	KUNIT_CASE_PARAM(hash_update_flags_follow_the_kernel, all_types_gen_params),
	KUNIT_CASE_PARAM(hash_lookup_and_delete_returns_the_value_and_removes,
			 all_types_gen_params),
	KUNIT_CASE_PARAM(hash_memory_is_charged_per_element_and_given_back,
			 capped_types_gen_params),
	KUNIT_CASE_PARAM(hash_bucket_chains_keep_every_key_exactly_once,
			 ordered_types_gen_params),
	KUNIT_CASE_PARAM(hash_walk_step_does_not_follow_an_element_into_another_bucket,
			 ordered_types_gen_params),
	KUNIT_CASE_PARAM(percpu_program_update_writes_only_this_cpus_slot,
			 percpu_types_gen_params),
	KUNIT_CASE_PARAM(percpu_syscall_moves_8_byte_aligned_slots, percpu_types_gen_params),
	KUNIT_CASE_PARAM(hash_batch_cursor_is_a_bucket_index, ordered_types_gen_params),
	KUNIT_CASE_PARAM(hash_batch_walks_collect_every_key_once, all_types_gen_params),
	KUNIT_CASE_PARAM(hash_callback_walk_visits_every_element_once, all_types_gen_params),
	{}
};

static struct kunit_suite kbpf_hash_suite = {
	.name = "kbpf_hash",
	.test_cases = kbpf_hash_cases,
};

static struct kunit_case kbpf_hash_lru_cases[] = {
	KUNIT_CASE_PARAM(lru_evicts_the_least_recently_inserted, lru_types_gen_params),
	KUNIT_CASE_PARAM(lru_program_lookup_protects_a_key_once, lru_types_gen_params),
	KUNIT_CASE_PARAM(lru_update_of_a_key_renews_it, lru_types_gen_params),
	KUNIT_CASE_PARAM(lru_never_returns_e2big, lru_types_gen_params),
	KUNIT_CASE_PARAM(lru_per_cpu_lists_evict_from_this_cpus_share,
			 per_cpu_list_types_gen_params),
	{}
};

static struct kunit_suite kbpf_hash_lru_suite = {
	.name = "kbpf_hash_lru",
	.test_cases = kbpf_hash_lru_cases,
};

static struct kunit_case kbpf_hash_context_cases[] = {
	KUNIT_CASE_PARAM(hash_ops_work_in_hardirq_context, ordered_types_gen_params),
	KUNIT_CASE_PARAM(hash_busy_bucket_slot_is_ebusy_and_changes_nothing,
			 capped_types_gen_params),
	KUNIT_CASE_PARAM(lru_busy_lru_slot_is_ebusy_and_changes_nothing, lru_types_gen_params),
	{}
};

static struct kunit_suite kbpf_hash_context_suite = {
	.name = "kbpf_hash_context",
	.test_cases = kbpf_hash_context_cases,
};

kunit_test_suites(&kbpf_hash_create_suite, &kbpf_hash_suite, &kbpf_hash_lru_suite,
		  &kbpf_hash_context_suite);
