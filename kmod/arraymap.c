// SPDX-License-Identifier: GPL-2.0
/*
 * The array family: BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.
 * max_entries values indexed by a u32 key, all of them allocated and zero
 * from creation on, so elements cannot be deleted and BPF_NOEXIST never
 * succeeds.
 *
 * ARRAY keeps its values in one area: inline behind the map, or, with
 * BPF_F_MMAPABLE, in whole pages userspace may mmap() (the same memory the
 * kernel reads and writes).  PERCPU_ARRAY keeps one per-cpu slot per
 * element; bpf(2) moves all CPUs' values at once, round_up(value_size, 8)
 * bytes each, padding included.
 */
#include <linux/err.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kbpf.h"

#define KBPF_ARRAY_CREATE_FLAGS (BPF_F_NUMA_NODE | BPF_F_MMAPABLE |	\
				 BPF_F_RDONLY | BPF_F_WRONLY |		\
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |	\
				 BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

/**
 * struct kbpf_array - an ARRAY or PERCPU_ARRAY map
 * @map:       the generic part
 * @elem_size: value_size rounded up to 8, so every value is 8-byte aligned
 * @pages:     BPF_F_MMAPABLE: the pages holding the values
 * @values:    ARRAY: max_entries elements of elem_size bytes
 * @pptrs:     PERCPU_ARRAY: max_entries per-cpu slots of elem_size bytes
 * @data:      the inline values, or the per-cpu pointers
 */
struct kbpf_array {
	struct kbpf_map map;
	u32 elem_size;
	struct kbpf_pages pages;
	union {
		u8 *values;
		void __percpu **pptrs;
	};
	u64 data[];
};

static struct kbpf_array *to_array(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_array, map);
}

static bool is_percpu(const union bpf_attr *attr)
{
	return attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static int array_map_alloc_check(const union bpf_attr *attr)
{
	if (!attr->max_entries || attr->key_size != sizeof(u32) ||
	    !attr->value_size || attr->map_flags & ~KBPF_ARRAY_CREATE_FLAGS ||
	    !kbpf_map_flags_access_ok(attr->map_flags) ||
	    (is_percpu(attr) && kbpf_map_attr_numa_node(attr) != NUMA_NO_NODE))
		return -EINVAL;
	/* Mappable values and inner maps are plain arrays' alone. */
	if (attr->map_type != BPF_MAP_TYPE_ARRAY &&
	    attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP))
		return -EINVAL;
	if (attr->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
	    attr->map_flags & BPF_F_PRESERVE_ELEMS)
		return -EINVAL;
	/* round_up(value_size, 8) must not overflow */
	if (attr->value_size > INT_MAX)
		return -E2BIG;
	/* a per-cpu slot is bound by the per-cpu allocator's unit */
	if (is_percpu(attr) && round_up(attr->value_size, 8) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static void array_free_percpu(struct kbpf_array *array, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		free_percpu(array->pptrs[i]);
		cond_resched();
	}
}

static struct kbpf_map *array_map_alloc(const union bpf_attr *attr)
{
	u32 elem_size = round_up(attr->value_size, 8);
	u64 entries = attr->max_entries, inline_bytes;
	int node = kbpf_map_attr_numa_node(attr);
	struct kbpf_array *array;
	u32 i;

	if (is_percpu(attr))
		inline_bytes = entries * sizeof(void *);
	else if (attr->map_flags & BPF_F_MMAPABLE)
		inline_bytes = 0;
	else
		inline_bytes = entries * elem_size;

	array = kbpf_area_alloc(sizeof(*array) + inline_bytes, node);
	if (!array)
		return ERR_PTR(-ENOMEM);
	array->elem_size = elem_size;
	array->values = (u8 *)array->data;

	if (attr->map_flags & BPF_F_MMAPABLE) {
		u64 bytes = PAGE_ALIGN(entries * elem_size);

		if (bytes >> PAGE_SHIFT > U32_MAX ||
		    kbpf_pages_alloc(&array->pages, bytes >> PAGE_SHIFT, node))
			goto free_array;
		array->values = kbpf_pages_vmap(&array->pages);
		if (!array->values) {
			kbpf_pages_free(&array->pages);
			goto free_array;
		}
	} else if (is_percpu(attr)) {
		for (i = 0; i < entries; i++) {
			array->pptrs[i] = __alloc_percpu_gfp(elem_size, 8,
							     GFP_KERNEL_ACCOUNT |
							     __GFP_NOWARN);
			if (!array->pptrs[i]) {
				array_free_percpu(array, i);
				goto free_array;
			}
			cond_resched();
		}
	}
	return &array->map;

free_array:
	kbpf_area_free(array);
	return ERR_PTR(-ENOMEM);
}

static void array_map_free(struct kbpf_map *map)
{
	struct kbpf_array *array = to_array(map);

	if (map->map_flags & BPF_F_MMAPABLE) {
		vunmap(array->values);
		kbpf_pages_free(&array->pages);
	} else if (map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		array_free_percpu(array, map->max_entries);
	}
	kbpf_area_free(array);
}

/* The element index of @key, or -1 past the end (speculation-safe). */
static s64 array_index(const struct kbpf_map *map, const void *key)
{
	u32 index = *(const u32 *)key;

	if (unlikely(index >= map->max_entries))
		return -1;
	return array_index_nospec(index, map->max_entries);
}

/* Called directly by the lookup helper (INDIRECT_CALL), so not static. */
void *kbpf_array_map_lookup(struct kbpf_map *map, const void *key)
{
	struct kbpf_array *array = to_array(map);
	s64 index = array_index(map, key);

	if (index < 0)
		return NULL;
	return array->values + (u64)array->elem_size * index;
}

static void *percpu_array_map_lookup(struct kbpf_map *map, const void *key)
{
	s64 index = array_index(map, key);

	if (index < 0)
		return NULL;
	return this_cpu_ptr(to_array(map)->pptrs[index]);
}

static void *percpu_array_map_lookup_percpu(struct kbpf_map *map,
					    const void *key, u32 cpu)
{
	s64 index = array_index(map, key);

	if (cpu >= nr_cpu_ids || index < 0)
		return NULL;
	return per_cpu_ptr(to_array(map)->pptrs[index], cpu);
}

/* The checks every array update makes, in the kernel's order. */
static long array_update_check(const struct kbpf_map *map, const void *key,
			       u64 flags)
{
	if (unlikely(flags > BPF_EXIST))
		return -EINVAL;
	if (unlikely(array_index(map, key) < 0))	/* none can be added */
		return -E2BIG;
	if (unlikely(flags == BPF_NOEXIST))		/* all exist */
		return -EEXIST;
	return 0;
}

static long array_map_update(struct kbpf_map *map, const void *key,
			     const void *value, u64 flags)
{
	long err = array_update_check(map, key, flags);

	if (!err)
		memcpy(map->ops->lookup(map, key), value, map->value_size);
	return err;
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

static long array_map_for_each(struct kbpf_map *map, kbpf_for_each_cb cb,
			       void *ctx, u64 flags)
{
	u32 i, key;
	long n = 0;

	if (flags)
		return -EINVAL;
	for (i = 0; i < map->max_entries; i++) {
		key = i;
		n++;
		if (cb(map, &key, map->ops->lookup(map, &key), ctx))
			break;
	}
	return n;
}

/* bpf(2) moves every CPU's slot, padding included, as the kernel does. */
static int percpu_array_sys_lookup(struct kbpf_map *map, const void *key,
				   void *value, u64 flags)
{
	struct kbpf_array *array = to_array(map);
	s64 index = array_index(map, key);
	u32 off = 0;
	int cpu;

	if (index < 0)
		return -ENOENT;
	for_each_possible_cpu(cpu) {
		memcpy(value + off, per_cpu_ptr(array->pptrs[index], cpu),
		       array->elem_size);
		off += array->elem_size;
	}
	return 0;
}

static int percpu_array_sys_update(struct kbpf_map *map, struct file *map_file,
				   const void *key, const void *value, u64 flags)
{
	struct kbpf_array *array = to_array(map);
	long err = array_update_check(map, key, flags);
	u32 off = 0;
	s64 index;
	int cpu;

	if (err)
		return err;
	index = array_index(map, key);
	for_each_possible_cpu(cpu) {
		memcpy(per_cpu_ptr(array->pptrs[index], cpu), value + off,
		       array->elem_size);
		off += array->elem_size;
	}
	return 0;
}

static int array_map_mmap(struct kbpf_map *map, struct vm_area_struct *vma)
{
	struct kbpf_array *array = to_array(map);

	if (!(map->map_flags & BPF_F_MMAPABLE))
		return -EINVAL;
	return kbpf_pages_mmap(&array->pages, vma);
}

/* Global data: a one-element array's value, as the kernel allows it. */
static int array_map_direct_value(struct kbpf_map *map, void **base)
{
	if (map->max_entries != 1)
		return -ENOTSUPP;
	*base = to_array(map)->values;
	return 0;
}

static u64 array_map_mem_usage(const struct kbpf_map *map)
{
	u64 entries = map->max_entries, elem_size = to_array(map)->elem_size;
	u64 usage = sizeof(struct kbpf_array);

	if (map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return usage + entries * (sizeof(void *) +
					  elem_size * num_possible_cpus());
	if (map->map_flags & BPF_F_MMAPABLE)
		return usage + PAGE_ALIGN(entries * elem_size);
	return usage + entries * elem_size;
}

const struct kbpf_map_ops kbpf_array_map_ops = {
	.alloc_check	= array_map_alloc_check,
	.alloc		= array_map_alloc,
	.free		= array_map_free,
	.lookup		= kbpf_array_map_lookup,
	.update		= array_map_update,
	.delete		= array_map_delete,
	.for_each	= array_map_for_each,
	.get_next_key	= array_map_get_next_key,
	.lookup_batch	= kbpf_generic_lookup_batch,
	.update_batch	= kbpf_generic_update_batch,
	.mmap		= array_map_mmap,
	.mem_usage	= array_map_mem_usage,
	.direct_value	= array_map_direct_value,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_array_map_ops);

const struct kbpf_map_ops kbpf_percpu_array_map_ops = {
	.alloc_check	= array_map_alloc_check,
	.alloc		= array_map_alloc,
	.free		= array_map_free,
	.lookup		= percpu_array_map_lookup,
	.update		= array_map_update,
	.delete		= array_map_delete,
	.lookup_percpu	= percpu_array_map_lookup_percpu,
	.for_each	= array_map_for_each,
	.get_next_key	= array_map_get_next_key,
	.sys_lookup	= percpu_array_sys_lookup,
	.sys_update	= percpu_array_sys_update,
	.lookup_batch	= kbpf_generic_lookup_batch,
	.update_batch	= kbpf_generic_update_batch,
	.mem_usage	= array_map_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_percpu_array_map_ops);
