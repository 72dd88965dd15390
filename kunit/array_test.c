// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: BPF_MAP_TYPE_ARRAY - creation checks, and every operation both as
 * a BPF program sees it (the ops table) and as bpf(2) runs it (the element
 * commands, here with kernel pointers).
 */
#include <kunit/test.h>
#include <linux/align.h>
#include <linux/numa.h>
#include <linux/slab.h>

#include "kbpf.h"

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

static union bpf_attr array_attr(u32 value_size, u32 max_entries, u32 flags)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = sizeof(u32),
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = flags,
	};

	return attr;
}

/* A new ARRAY map, released when the test ends. */
static struct kbpf_map *new_array(struct kunit *test, u32 value_size,
				  u32 max_entries)
{
	union bpf_attr attr = array_attr(value_size, max_entries, 0);
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

/* bpf(2)-side element commands with kernel buffers. */
static int lookup(struct kbpf_map *map, u32 key, void *value)
{
	union bpf_attr attr = { .key = (u64)&key, .value = (u64)value };

	return kbpf_map_lookup_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int update(struct kbpf_map *map, u32 key, const void *value, u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)&key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_update_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int next_key(struct kbpf_map *map, const u32 *key, u32 *next)
{
	union bpf_attr attr = { .key = (u64)key, .next_key = (u64)next };

	return kbpf_map_get_next_key(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

struct create_case {
	const char *desc;
	union bpf_attr attr;
	int err;
};

static const struct create_case create_cases[] = {
	{ "key_size 0", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 0,
			  .value_size = 4, .max_entries = 1 }, -EINVAL },
	{ "key_size 8", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 8,
			  .value_size = 4, .max_entries = 1 }, -EINVAL },
	{ "value_size 0", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			    .value_size = 0, .max_entries = 1 }, -EINVAL },
	{ "max_entries 0", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			     .value_size = 4, .max_entries = 0 }, -EINVAL },
	{ "value_size past INT_MAX", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				       .value_size = (u32)INT_MAX + 1,
				       .max_entries = 1 }, -E2BIG },
	{ "1 TiB of values", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			       .value_size = 1U << 30, .max_entries = 1U << 10 },
	  -ENOMEM },
	{ "unknown flag", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			    .value_size = 4, .max_entries = 1,
			    .map_flags = 1U << 31 }, -EINVAL },
	{ "hash-only flag", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			      .value_size = 4, .max_entries = 1,
			      .map_flags = BPF_F_NO_PREALLOC }, -EINVAL },
	{ "RDONLY|WRONLY", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			     .value_size = 4, .max_entries = 1,
			     .map_flags = BPF_F_RDONLY | BPF_F_WRONLY }, -EINVAL },
	{ "RDONLY_PROG|WRONLY_PROG", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				       .value_size = 4, .max_entries = 1,
				       .map_flags = BPF_F_RDONLY_PROG |
						    BPF_F_WRONLY_PROG }, -EINVAL },
	{ "offline NUMA node", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				 .value_size = 4, .max_entries = 1,
				 .map_flags = BPF_F_NUMA_NODE,
				 .numa_node = 1U << 20 }, -EINVAL },
	{ "map_extra", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			 .value_size = 4, .max_entries = 1, .map_extra = 1 }, -EINVAL },
	{ "BTF type ids", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			    .value_size = 4, .max_entries = 1,
			    .btf_key_type_id = 1, .btf_value_type_id = 2 }, -EINVAL },
	/* ifindex 1 is lo, which has no ndo_bpf: the kernel's offload check */
	{ "device offload", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			      .value_size = 4, .max_entries = 1,
			      .map_ifindex = 1 }, -EOPNOTSUPP },
	{ "name with '-'", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			     .value_size = 4, .max_entries = 1,
			     .map_name = "bad-name" }, -EINVAL },
	{ "map type UNSPEC", { .map_type = BPF_MAP_TYPE_UNSPEC, .key_size = 4,
			       .value_size = 4, .max_entries = 1 }, -EINVAL },
	{ "map type 1000", { .map_type = 1000, .key_size = 4,
			     .value_size = 4, .max_entries = 1 }, -EINVAL },
	{ "PRESERVE_ELEMS on ARRAY", { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				       .value_size = 4, .max_entries = 1,
				       .map_flags = BPF_F_PRESERVE_ELEMS }, -EINVAL },
	{ "MMAPABLE PERCPU_ARRAY", { .map_type = BPF_MAP_TYPE_PERCPU_ARRAY,
				     .key_size = 4, .value_size = 4, .max_entries = 1,
				     .map_flags = BPF_F_MMAPABLE }, -EINVAL },
	{ "PERCPU_ARRAY on a NUMA node", { .map_type = BPF_MAP_TYPE_PERCPU_ARRAY,
					   .key_size = 4, .value_size = 4,
					   .max_entries = 1,
					   .map_flags = BPF_F_NUMA_NODE }, -EINVAL },
	{ "PERCPU_ARRAY slot past 32 KiB", { .map_type = BPF_MAP_TYPE_PERCPU_ARRAY,
					     .key_size = 4, .value_size = 32769,
					     .max_entries = 1 }, -E2BIG },
};

static void create_case_desc(const struct create_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(create, create_cases, create_case_desc);

static void array_create_refuses_bad_attributes(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	struct kbpf_map *map = kbpf_map_new(&c->attr);

	if (!IS_ERR(map))
		kbpf_map_put(map);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), c->err);
}

static void array_create_records_attributes(struct kunit *test)
{
	union bpf_attr attr = array_attr(12, 5, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
	struct kbpf_map *map;

	attr.numa_node = first_online_node;
	strscpy(attr.map_name, "stats.v1", sizeof(attr.map_name));
	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);

	KUNIT_EXPECT_PTR_EQ(test, map->ops, &kbpf_array_map_ops);
	KUNIT_EXPECT_EQ(test, map->map_type, BPF_MAP_TYPE_ARRAY);
	KUNIT_EXPECT_EQ(test, map->key_size, 4);
	KUNIT_EXPECT_EQ(test, map->value_size, 12);
	KUNIT_EXPECT_EQ(test, map->max_entries, 5);
	KUNIT_EXPECT_EQ(test, map->map_flags, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
	KUNIT_EXPECT_EQ(test, map->numa_node, first_online_node);
	KUNIT_EXPECT_STREQ(test, map->name, "stats.v1");
	KUNIT_EXPECT_EQ(test, refcount_read(&map->refcnt), 1);
	/* 12-byte values take 16 bytes each. */
	KUNIT_EXPECT_GE(test, map->ops->mem_usage(map), 5 * 16);
}

static void array_starts_zeroed_and_values_are_aligned(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 13, 64);
	u32 i;

	for (i = 0; i < 64; i++) {
		u8 *v = map->ops->lookup(map, &i);

		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)v, 8));
		KUNIT_EXPECT_NULL(test, memchr_inv(v, 0, 13));
	}
}

static void array_lookup_out_of_range(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 4);
	u32 key = 4, huge = U32_MAX;
	u64 value;

	KUNIT_EXPECT_NULL(test, map->ops->lookup(map, &key));
	KUNIT_EXPECT_NULL(test, map->ops->lookup(map, &huge));
	KUNIT_EXPECT_EQ(test, lookup(map, 4, &value), -ENOENT);
	KUNIT_EXPECT_EQ(test, lookup(map, U32_MAX, &value), -ENOENT);
}

static void array_update_flags_follow_the_kernel(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 4);
	u64 value = 0x1122334455667788, out = 0;

	KUNIT_EXPECT_EQ(test, update(map, 1, &value, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, lookup(map, 1, &out), 0);
	KUNIT_EXPECT_EQ(test, out, value);

	value = 42;
	KUNIT_EXPECT_EQ(test, update(map, 1, &value, BPF_EXIST), 0);
	KUNIT_EXPECT_EQ(test, lookup(map, 1, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 42);

	/* Every element exists already. */
	KUNIT_EXPECT_EQ(test, update(map, 2, &value, BPF_NOEXIST), -EEXIST);
	/* None can be added. */
	KUNIT_EXPECT_EQ(test, update(map, 4, &value, BPF_ANY), -E2BIG);
	/* Unknown flags, and BPF_F_LOCK without a spin lock in the value. */
	KUNIT_EXPECT_EQ(test, update(map, 1, &value, BPF_EXIST + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, update(map, 1, &value, BPF_F_LOCK), -EINVAL);
	KUNIT_EXPECT_EQ(test, lookup(map, 1, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 42);
}

static void array_update_writes_exactly_one_value(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 5, 3);
	u8 ones[5] = { 1, 1, 1, 1, 1 }, out[8];
	u32 key = 1;
	u8 *mid;

	KUNIT_EXPECT_EQ(test, update(map, 1, ones, BPF_ANY), 0);
	mid = map->ops->lookup(map, &key);
	KUNIT_ASSERT_NOT_NULL(test, mid);
	/* Padding up to the 8-byte element size stays zero, as do neighbours. */
	KUNIT_EXPECT_NULL(test, memchr_inv(mid - 8, 0, 8));
	KUNIT_EXPECT_NULL(test, memchr_inv(mid, 1, 5));
	KUNIT_EXPECT_NULL(test, memchr_inv(mid + 5, 0, 3 + 8));

	/* The lookup copies value_size bytes, not the padded element. */
	memset(out, 0xee, sizeof(out));
	KUNIT_EXPECT_EQ(test, lookup(map, 1, out), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(out, 1, 5));
	KUNIT_EXPECT_NULL(test, memchr_inv(out + 5, 0xee, 3));
}

static void array_delete_is_einval_and_changes_nothing(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 4, 2);
	union bpf_attr attr = {};
	u32 value = 7, key = 0, out;

	KUNIT_EXPECT_EQ(test, update(map, 0, &value, BPF_ANY), 0);
	attr.key = (u64)&key;
	KUNIT_EXPECT_EQ(test, kbpf_map_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, map->ops->delete(map, &key), -EINVAL);
	KUNIT_EXPECT_EQ(test, lookup(map, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 7);
}

static void array_get_next_key_walks_every_index(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 4, 10);
	u32 key, next = U32_MAX, seen = 0;
	int err;

	/* No key: the first one. */
	KUNIT_EXPECT_EQ(test, next_key(map, NULL, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 0);
	for (key = 0; (err = next_key(map, &key, &next)) == 0; key = next) {
		KUNIT_ASSERT_EQ(test, next, key + 1);
		seen++;
	}
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	KUNIT_EXPECT_EQ(test, key, 9);
	KUNIT_EXPECT_EQ(test, seen, 9);

	/* A key out of range restarts at the first. */
	key = 10;
	KUNIT_EXPECT_EQ(test, next_key(map, &key, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 0);
	key = U32_MAX;
	KUNIT_EXPECT_EQ(test, next_key(map, &key, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 0);
}

static void array_element_commands_fault_cleanly(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 2);
	union bpf_attr attr = {};
	u64 value = 1;
	u32 key = 0;

	/* User pointers: NULL, and kernel addresses, fault instead of being read. */
	attr.key = 0;
	attr.value = (u64)&value;
	KUNIT_EXPECT_EQ(test, kbpf_map_lookup_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, kbpf_map_update_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, kbpf_map_delete_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	attr.key = (u64)&key;
	attr.value = 0;
	KUNIT_EXPECT_EQ(test, kbpf_map_update_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	attr.next_key = 0;
	KUNIT_EXPECT_EQ(test, kbpf_map_get_next_key(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
}

static void array_access_flags(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kbpf_map_flags_access_ok(0));
	KUNIT_EXPECT_TRUE(test, kbpf_map_flags_access_ok(BPF_F_RDONLY_PROG));
	KUNIT_EXPECT_TRUE(test, kbpf_map_flags_access_ok(BPF_F_WRONLY_PROG));
	KUNIT_EXPECT_FALSE(test, kbpf_map_flags_access_ok(BPF_F_RDONLY_PROG |
							  BPF_F_WRONLY_PROG));
}

/* A PERCPU_ARRAY: bpf(2) moves one 8-byte aligned slot per possible CPU. */
static void percpu_array_moves_every_cpus_slot(struct kunit *test)
{
	union bpf_attr attr = array_attr(12, 3, 0);
	u32 slot = 16, n = num_possible_cpus(), key = 1, cpu, i = 0;
	struct kbpf_map *map;
	u8 *in, *out;

	attr.map_type = BPF_MAP_TYPE_PERCPU_ARRAY;
	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map), slot * n);

	in = kunit_kzalloc(test, slot * n, GFP_KERNEL);
	out = kunit_kzalloc(test, slot * n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for_each_possible_cpu(cpu) {
		/* Value bytes and padding: both make the round trip. */
		memset(in + i * slot, cpu + 1, slot);
		i++;
	}
	KUNIT_EXPECT_EQ(test, update(map, key, in, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, lookup(map, key, out), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, slot * n), 0);

	/* A program sees its own CPU's slot; lookup_percpu any CPU's. */
	i = 0;
	for_each_possible_cpu(cpu) {
		u8 *v = map->ops->lookup_percpu(map, &key, cpu);

		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_EQ(test, v[0], cpu + 1);
		KUNIT_EXPECT_EQ(test, v[15], cpu + 1);
	}
	KUNIT_EXPECT_NULL(test, map->ops->lookup_percpu(map, &key, nr_cpu_ids));
	key = 3;
	KUNIT_EXPECT_NULL(test, map->ops->lookup_percpu(map, &key, 0));
	KUNIT_EXPECT_EQ(test, update(map, 3, in, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, update(map, 0, in, BPF_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, lookup(map, 3, out), -ENOENT);
}

static int lookup_batch(struct kbpf_map *map, void *in_batch, void *out_batch,
			void *keys, void *values, u32 *count)
{
	union bpf_attr attr = {
		.batch.in_batch = (u64)in_batch, .batch.out_batch = (u64)out_batch,
		.batch.keys = (u64)keys, .batch.values = (u64)values,
		.batch.count = *count,
	};
	int err = kbpf_generic_lookup_batch(map, NULL, &attr, KERNEL_BPFPTR(&attr));

	*count = attr.batch.count;
	return err;
}

/* The batch cursor: out_batch is the last key returned, ENOENT at the end. */
static void array_lookup_batch_cursor(struct kbpf_map *map, struct kunit *test)
{
	u32 keys[4], cursor, count, total = 0;
	u64 values[4];
	int err;

	count = 4;
	err = lookup_batch(map, NULL, &cursor, keys, values, &count);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, count, 4);
	KUNIT_EXPECT_EQ(test, keys[0], 0);
	KUNIT_EXPECT_EQ(test, cursor, 3);
	total += count;
	do {
		count = 4;
		err = lookup_batch(map, &cursor, &cursor, keys, values, &count);
		KUNIT_EXPECT_EQ(test, values[0], (u64)keys[0] * 10);
		total += count;
	} while (!err);
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	KUNIT_EXPECT_EQ(test, total, 10);
	/* The last call returned what was left: 10 = 4 + 4 + 2. */
	KUNIT_EXPECT_EQ(test, count, 2);
	KUNIT_EXPECT_EQ(test, cursor, 9);
}

static void array_batch_lookup_and_update(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 10);
	u32 keys[10], count = 10, i, zero = 0;
	u64 values[10];
	union bpf_attr attr = {};

	for (i = 0; i < 10; i++) {
		keys[i] = i;
		values[i] = i * 10;
	}
	attr.batch.keys = (u64)keys;
	attr.batch.values = (u64)values;
	attr.batch.count = 10;
	KUNIT_EXPECT_EQ(test, kbpf_generic_update_batch(map, NULL, &attr,
							KERNEL_BPFPTR(&attr)), 0);
	KUNIT_EXPECT_EQ(test, attr.batch.count, 10);
	array_lookup_batch_cursor(map, test);

	/* An update batch stops at the first bad key and counts what went in. */
	keys[3] = 10;
	attr.batch.count = 10;
	KUNIT_EXPECT_EQ(test, kbpf_generic_update_batch(map, NULL, &attr,
							KERNEL_BPFPTR(&attr)), -E2BIG);
	KUNIT_EXPECT_EQ(test, attr.batch.count, 3);
	/* count 0 does nothing and succeeds; elem_flags are refused. */
	count = 0;
	KUNIT_EXPECT_EQ(test, lookup_batch(map, NULL, &zero, keys, values, &count), 0);
	attr.batch.elem_flags = BPF_F_LOCK;
	KUNIT_EXPECT_EQ(test, kbpf_generic_update_batch(map, NULL, &attr,
							KERNEL_BPFPTR(&attr)), -EINVAL);
}

static void array_mmapable_values_live_in_whole_pages(struct kunit *test)
{
	union bpf_attr attr = array_attr(8, 1000, BPF_F_MMAPABLE);
	struct kbpf_map *map;
	u64 v = 77, out;
	u32 key = 999, first = 0;

	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	KUNIT_EXPECT_EQ(test, update(map, key, &v, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, lookup(map, key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 77);
	/* 8000 bytes of values take two whole pages. */
	KUNIT_EXPECT_GE(test, map->ops->mem_usage(map), 2 * PAGE_SIZE);
	KUNIT_EXPECT_LT(test, map->ops->mem_usage(map), 3 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)map->ops->lookup(map, &first),
					   PAGE_SIZE));
}

static long count_until(struct kbpf_map *map, void *key, void *value, void *ctx)
{
	u32 *left = ctx;

	*left -= 1;
	return *left == 0;	/* 1: stop */
}

static void array_callback_walk_visits_in_order_and_stops(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 10);
	u32 left = 4;

	KUNIT_EXPECT_EQ(test, map->ops->for_each(map, count_until, &left, 0), 4);
	left = 100;
	KUNIT_EXPECT_EQ(test, map->ops->for_each(map, count_until, &left, 0), 10);
	KUNIT_EXPECT_EQ(test, map->ops->for_each(map, count_until, &left, 1), -EINVAL);
}

static void map_ids_are_unique_and_released(struct kunit *test)
{
	struct kbpf_map *a = new_array(test, 4, 1), *b = new_array(test, 4, 1);

	KUNIT_EXPECT_NE(test, a->id, 0);
	KUNIT_EXPECT_NE(test, b->id, 0);
	KUNIT_EXPECT_NE(test, a->id, b->id);
}

/*
 * What a map holds is charged to kbpf's module-wide limit.  (Earlier
 * tests' maps are freed concurrently on kbpf's workqueue, so the total
 * is only bounded below here.)
 */
static void module_memory_is_charged_at_creation(struct kunit *test)
{
	struct kbpf_map *map = new_array(test, 8, 1000);

	KUNIT_EXPECT_EQ(test, map->charged, map->ops->mem_usage(map));
	KUNIT_EXPECT_GE(test, map->charged, 8000);
	KUNIT_EXPECT_GE(test, kbpf_mem_used(), map->charged);
}

static struct kunit_case kbpf_array_cases[] = {
	KUNIT_CASE_PARAM(array_create_refuses_bad_attributes, create_gen_params),
	KUNIT_CASE(array_create_records_attributes),
	KUNIT_CASE(array_starts_zeroed_and_values_are_aligned),
	KUNIT_CASE(array_lookup_out_of_range),
	KUNIT_CASE(array_update_flags_follow_the_kernel),
	KUNIT_CASE(array_update_writes_exactly_one_value),
	KUNIT_CASE(array_delete_is_einval_and_changes_nothing),
	KUNIT_CASE(array_get_next_key_walks_every_index),
	KUNIT_CASE(array_element_commands_fault_cleanly),
	KUNIT_CASE(array_access_flags),
	KUNIT_CASE(percpu_array_moves_every_cpus_slot),
	KUNIT_CASE(array_batch_lookup_and_update),
	KUNIT_CASE(array_mmapable_values_live_in_whole_pages),
	KUNIT_CASE(array_callback_walk_visits_in_order_and_stops),
	KUNIT_CASE(map_ids_are_unique_and_released),
	KUNIT_CASE(module_memory_is_charged_at_creation),
	{}
};

static struct kunit_suite kbpf_array_suite = {
	.name = "kbpf_array",
	.test_cases = kbpf_array_cases,
};

kunit_test_suite(kbpf_array_suite);

MODULE_DESCRIPTION("KUnit suites for kbpf.ko's internals");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
