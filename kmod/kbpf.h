/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbpf internals shared by the module's files and its KUnit suites.
 */
#ifndef _KBPF_H
#define _KBPF_H

#include <kunit/visibility.h>
#include <linux/bpfptr.h>
#include <linux/file.h>
#include <linux/numa.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <uapi/linux/bpf.h>

#define KBPF_VERSION "0.1.0"

/*
 * Internals the KUnit suites call are marked EXPORT_SYMBOL_IF_KUNIT()
 * (<kunit/visibility.h>): on a kernel with KUnit they are exported to the
 * suites' module only, in the EXPORTED_FOR_KUNIT_TESTING namespace.
 */

/* 6.12 hides struct fd's file behind fd_file(); 6.1 has the member. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/*
 * Copy to a user or kernel bpfptr; -EFAULT if user memory is not writable.
 * (copy_to_bpfptr_offset() casts a struct, which sparse refuses.)
 */
static inline int kbpf_copy_to_bpfptr(bpfptr_t dst, const void *src,
				      size_t size)
{
	if (bpfptr_is_kernel(dst)) {
		memcpy(dst.kernel, src, size);
		return 0;
	}
	return copy_to_user(dst.user, src, size) ? -EFAULT : 0;
}

struct kbpf_map;

/**
 * struct kbpf_map_ops - what a map type implements
 *
 * One file per map type fills one of these; kbpf_map_types[] in map.c
 * indexes them by BPF_MAP_TYPE_*.  Element operations may be called in
 * any context a BPF program runs in (preemption or interrupts off) with
 * the RCU read lock held: they must not sleep.
 *
 * @alloc_check:  validate BPF_MAP_CREATE attributes of this type, after
 *                the generic checks; allocates nothing
 * @alloc:        allocate the map; the generic fields are filled in by
 *                the caller afterwards
 * @free:         release everything @alloc allocated; process context
 * @lookup:       pointer to the value stored under @key, or NULL
 * @update:       store @value under @key, BPF_ANY/BPF_NOEXIST/BPF_EXIST
 * @delete:       remove @key
 * @get_next_key: the key after @key (the first one if @key is NULL)
 * @mem_usage:    bytes of memory the map holds
 */
struct kbpf_map_ops {
	int (*alloc_check)(const union bpf_attr *attr);
	struct kbpf_map *(*alloc)(const union bpf_attr *attr);
	void (*free)(struct kbpf_map *map);
	void *(*lookup)(struct kbpf_map *map, const void *key);
	long (*update)(struct kbpf_map *map, const void *key,
		       const void *value, u64 flags);
	long (*delete)(struct kbpf_map *map, const void *key);
	int (*get_next_key)(struct kbpf_map *map, const void *key,
			    void *next_key);
	u64 (*mem_usage)(const struct kbpf_map *map);
};

/**
 * struct kbpf_map - what every map type embeds
 * @ops:         the type's operations
 * @map_type:    BPF_MAP_TYPE_*
 * @key_size:    bytes in a key
 * @value_size:  bytes in a value
 * @max_entries: capacity
 * @map_flags:   BPF_F_* given at creation
 * @numa_node:   node the memory lives on, or NUMA_NO_NODE
 * @refcnt:      one per file descriptor (and, later, per program using it)
 * @free_work:   defers the final free to process context
 * @name:        BPF_OBJ_NAME_LEN name given at creation, NUL-terminated
 */
struct kbpf_map {
	const struct kbpf_map_ops *ops;
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	int numa_node;
	refcount_t refcnt;
	struct work_struct free_work;
	char name[BPF_OBJ_NAME_LEN];
};

extern const struct kbpf_map_ops kbpf_array_map_ops;

/* The node BPF_MAP_CREATE asks for, or NUMA_NO_NODE. */
static inline int kbpf_map_attr_numa_node(const union bpf_attr *attr)
{
	return (attr->map_flags & BPF_F_NUMA_NODE) ? (int)attr->numa_node
						    : NUMA_NO_NODE;
}

/* attr.c: the bpf(2) attribute contract. */
int kbpf_attr_copy(union bpf_attr *attr, bpfptr_t uattr, u32 size);
bool kbpf_attr_tail_is_zero(const union bpf_attr *attr, size_t end);
int kbpf_obj_name_cpy(char *dst, const char *src, size_t size);

/* syscall.c: one bpf(2) command. */
int kbpf_sys_bpf(u32 cmd, bpfptr_t uattr, u32 size);

/* map.c: map objects, their file descriptors and element commands. */
int kbpf_map_module_init(void);
void kbpf_map_module_exit(void);
void *kbpf_area_alloc(u64 size, int numa_node);
void kbpf_area_free(void *area);
bool kbpf_map_flags_access_ok(u32 map_flags);
struct kbpf_map *kbpf_map_new(const union bpf_attr *attr);
void kbpf_map_put(struct kbpf_map *map);
int kbpf_map_lookup_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel);
int kbpf_map_update_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel);
int kbpf_map_delete_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel);
int kbpf_map_get_next_key(struct kbpf_map *map, const union bpf_attr *attr,
			  bool kernel);
int kbpf_cmd_map_create(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_lookup_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_update_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_delete_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_get_next_key(union bpf_attr *attr, bpfptr_t uattr);

#endif /* _KBPF_H */
