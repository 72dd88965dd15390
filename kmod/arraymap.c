// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_ARRAY: max_entries values of value_size bytes, indexed by a
 * u32 key, all of them allocated (and zero) from creation on.  Elements
 * always exist, so they cannot be deleted and BPF_NOEXIST never succeeds.
 */
#include <linux/err.h>
#include <linux/math.h>
#include <linux/nospec.h>
#include <linux/string.h>

#include "kbpf.h"

#define KBPF_ARRAY_CREATE_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | \
				 BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
				 BPF_F_WRONLY_PROG)

/**
 * struct kbpf_array - an ARRAY map
 * @map:       the generic part
 * @elem_size: value_size rounded up to 8, so every value is 8-byte aligned
 * @value:     max_entries elements of elem_size bytes
 */
struct kbpf_array {
	struct kbpf_map map;
	u32 elem_size;
	u8 value[] __aligned(8);
};

static struct kbpf_array *to_array(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_array, map);
}

static int array_map_alloc_check(const union bpf_attr *attr)
{
	if (!attr->max_entries || attr->key_size != sizeof(u32) ||
	    !attr->value_size || attr->map_flags & ~KBPF_ARRAY_CREATE_FLAGS ||
	    !kbpf_map_flags_access_ok(attr->map_flags))
		return -EINVAL;
	/* round_up(value_size, 8) must not overflow */
	if (attr->value_size > INT_MAX)
		return -E2BIG;
	return 0;
}

static u64 array_map_bytes(u32 elem_size, u32 max_entries)
{
	return sizeof(struct kbpf_array) + (u64)elem_size * max_entries;
}

static struct kbpf_map *array_map_alloc(const union bpf_attr *attr)
{
	u32 elem_size = round_up(attr->value_size, 8);
	struct kbpf_array *array;

	array = kbpf_area_alloc(array_map_bytes(elem_size, attr->max_entries),
				kbpf_map_attr_numa_node(attr));
	if (!array)
		return ERR_PTR(-ENOMEM);
	array->elem_size = elem_size;
	return &array->map;
}

static void array_map_free(struct kbpf_map *map)
{
	kbpf_area_free(to_array(map));
}

static void *array_map_lookup(struct kbpf_map *map, const void *key)
{
	struct kbpf_array *array = to_array(map);
	u32 index = *(const u32 *)key;

	if (unlikely(index >= map->max_entries))
		return NULL;
	index = array_index_nospec(index, map->max_entries);
	return array->value + (u64)array->elem_size * index;
}

static long array_map_update(struct kbpf_map *map, const void *key,
			     const void *value, u64 flags)
{
	void *elem;

	if (unlikely(flags > BPF_EXIST))
		return -EINVAL;
	elem = array_map_lookup(map, key);
	if (unlikely(!elem))	/* all elements exist; none can be added */
		return -E2BIG;
	if (unlikely(flags == BPF_NOEXIST))
		return -EEXIST;
	memcpy(elem, value, map->value_size);
	return 0;
}

static long array_map_delete(struct kbpf_map *map, const void *key)
{
	return -EINVAL;
}

static int array_map_get_next_key(struct kbpf_map *map, const void *key,
				  void *next_key)
{
	u32 index = key ? *(const u32 *)key : U32_MAX;
	u32 *next = next_key;

	if (index >= map->max_entries) {
		*next = 0;
		return 0;
	}
	if (index == map->max_entries - 1)
		return -ENOENT;
	*next = index + 1;
	return 0;
}

static u64 array_map_mem_usage(const struct kbpf_map *map)
{
	return array_map_bytes(to_array(map)->elem_size, map->max_entries);
}

const struct kbpf_map_ops kbpf_array_map_ops = {
	.alloc_check	= array_map_alloc_check,
	.alloc		= array_map_alloc,
	.free		= array_map_free,
	.lookup		= array_map_lookup,
	.update		= array_map_update,
	.delete		= array_map_delete,
	.get_next_key	= array_map_get_next_key,
	.mem_usage	= array_map_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_array_map_ops);
