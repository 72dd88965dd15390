/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbpf internals shared by the module's files and its KUnit suites.
 */
#ifndef _KBPF_H
#define _KBPF_H

#include <kunit/visibility.h>
#include <linux/bpfptr.h>
#include <linux/file.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <uapi/linux/bpf.h>

#include "compat.h"

#define KBPF_VERSION "0.2.0"

/*
 * Internals the KUnit suites call are marked EXPORT_SYMBOL_IF_KUNIT()
 * (<kunit/visibility.h>): on a kernel with KUnit they are exported to the
 * suites' module only, in the EXPORTED_FOR_KUNIT_TESTING namespace.
 */

/* The kernel's internal "operation not supported" (errno 524), as bpf(2) returns it. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
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

/*
 * strncpy_from_bpfptr() without the kernel's unexported
 * strncpy_from_kernel_nofault(): in-kernel callers pass valid strings.
 */
static inline long kbpf_strncpy_from_bpfptr(char *dst, bpfptr_t src, size_t count)
{
	if (bpfptr_is_kernel(src))
		return strscpy(dst, src.kernel, count + 1) < 0 ? count : strlen(dst);
	return strncpy_from_user(dst, src.user, count);
}

/* Write a u32 output field of the caller's attr, as bpf(2) does. */
#define kbpf_attr_put_u32(uattr, field, val) ({				\
	u32 __v = (val);						\
	bpfptr_t __p = (uattr);						\
									\
	bpfptr_add(&__p, offsetof(union bpf_attr, field));		\
	kbpf_copy_to_bpfptr(__p, &__v, sizeof(__v));			\
})

struct kbpf_map;
struct vm_area_struct;

/*
 * A command on one map: the map, the fd's file (NULL from KUnit), the
 * command's attributes, and the caller's attr (whose kind says whether
 * the pointers in @attr are user or kernel pointers).
 */
typedef int (*kbpf_map_cmd_fn)(struct kbpf_map *map, struct file *map_file,
			       const union bpf_attr *attr, bpfptr_t uattr);

/*
 * bpf_for_each_map_elem()'s callback: return 0 to go on, 1 to stop.  The
 * program runtime supplies it; @ctx is its own.
 */
typedef long (*kbpf_for_each_cb)(struct kbpf_map *map, void *key,
				 void *value, void *ctx);

/**
 * struct kbpf_map_ops - what a map type implements
 *
 * One file per map family fills these; kbpf_map_types[] in map.c indexes
 * them by BPF_MAP_TYPE_*.  Operations marked (atomic) are what BPF
 * program helpers call: any context, preemption or interrupts off, the
 * RCU read lock held; they must not sleep.  The rest run in process
 * context for bpf(2) commands.  Optional operations may be NULL; the
 * command then does what bpf(2) does for a map without it (mostly
 * -ENOTSUPP or -EINVAL, see map_elem.c).
 *
 * @alloc_check:   validate BPF_MAP_CREATE attributes, after the generic
 *                 checks; allocates nothing
 * @alloc:         allocate the map, zeroed; the caller fills in the
 *                 generic fields afterwards, all but max_entries if the
 *                 type rounded it
 * @free:          release everything @alloc and later updates allocated
 * @release_uref:  the last user fd is gone (programs may still hold it)
 * @release:       @map_file, one of the map's fds' files, is being closed
 *                 (bpf(2)'s map_release: PERF_EVENT_ARRAY drops what was
 *                 stored through that file); runs before @release_uref
 * @lookup:        (atomic) the value stored under @key, NULL, or ERR_PTR
 * @update:        (atomic) store @value under @key (BPF_ANY/NOEXIST/EXIST)
 * @delete:        (atomic) remove @key
 * @push:          (atomic) queue/stack push (BPF_EXIST: overwrite when full)
 * @pop:           (atomic) queue/stack pop into @value
 * @peek:          (atomic) queue/stack peek into @value
 * @lookup_percpu: (atomic) @cpu's value under @key
 * @for_each:      (atomic) call @cb on every element; the number visited
 * @get_next_key:  the key after @key (the first one if @key is NULL)
 * @sys_lookup:    bpf(2)'s view of a lookup into @value (all CPUs' values
 *                 for per-cpu maps); default: @lookup and copy value_size
 * @sys_update:    bpf(2)'s update from @value; default: @update
 * @sys_lookup_and_delete: BPF_MAP_LOOKUP_AND_DELETE_ELEM
 * @lookup_batch, @lookup_and_delete_batch, @update_batch, @delete_batch:
 *                 the batch commands; map_batch.c has generic ones built
 *                 on get_next_key, lookup, update and delete
 * @mmap:          map the map's memory; the caller checked VM_SHARED,
 *                 freezing and BPF_F_RDONLY_PROG
 * @poll:          readiness of the map's fd
 * @mem_usage:     bytes of memory the map holds
 * @direct_value:  the values a program may address directly (ld_imm64 of
 *                 BPF_PSEUDO_MAP_VALUE: global data); -ENOTSUPP if none
 */
struct kbpf_map_ops {
	int (*alloc_check)(const union bpf_attr *attr);
	struct kbpf_map *(*alloc)(const union bpf_attr *attr);
	void (*free)(struct kbpf_map *map);
	void (*release_uref)(struct kbpf_map *map);
	void (*release)(struct kbpf_map *map, struct file *map_file);

	void *(*lookup)(struct kbpf_map *map, const void *key);
	long (*update)(struct kbpf_map *map, const void *key,
		       const void *value, u64 flags);
	long (*delete)(struct kbpf_map *map, const void *key);
	long (*push)(struct kbpf_map *map, const void *value, u64 flags);
	long (*pop)(struct kbpf_map *map, void *value);
	long (*peek)(struct kbpf_map *map, void *value);
	void *(*lookup_percpu)(struct kbpf_map *map, const void *key, u32 cpu);
	long (*for_each)(struct kbpf_map *map, kbpf_for_each_cb cb, void *ctx,
			 u64 flags);

	int (*get_next_key)(struct kbpf_map *map, const void *key,
			    void *next_key);
	int (*sys_lookup)(struct kbpf_map *map, const void *key, void *value,
			  u64 flags);
	int (*sys_update)(struct kbpf_map *map, struct file *map_file,
			  const void *key, const void *value, u64 flags);
	int (*sys_lookup_and_delete)(struct kbpf_map *map, const void *key,
				     void *value, u64 flags);
	kbpf_map_cmd_fn lookup_batch;
	kbpf_map_cmd_fn lookup_and_delete_batch;
	kbpf_map_cmd_fn update_batch;
	kbpf_map_cmd_fn delete_batch;

	int (*mmap)(struct kbpf_map *map, struct vm_area_struct *vma);
	__poll_t (*poll)(struct kbpf_map *map, struct file *file,
			 struct poll_table_struct *pt);
	u64 (*mem_usage)(const struct kbpf_map *map);
	int (*direct_value)(struct kbpf_map *map, void **base);
};

/**
 * struct kbpf_map - what every map type embeds
 * @ops:          the type's operations
 * @map_type:     BPF_MAP_TYPE_*
 * @key_size:     bytes in a key
 * @value_size:   bytes in a value (per CPU, for per-cpu maps)
 * @max_entries:  capacity (as the type may have rounded it)
 * @map_flags:    BPF_F_* given at creation
 * @numa_node:    node the memory lives on, or NUMA_NO_NODE
 * @id:           the map's id (BPF_MAP_GET_FD_BY_ID), never 0
 * @refcnt:       references: fds, mmaps' files, and later programs
 * @usercnt:      references from userspace (fds)
 * @frozen:       BPF_MAP_FREEZE'd: no more writes through bpf(2)
 * @writecnt:     writable mmaps and bpf(2) writes in flight; a freeze
 *                fails with EBUSY while there are any
 * @freeze_mutex: orders freezing against writable mmaps
 * @memcg:        the creator's memory cgroup, charged for later
 *                allocations (NULL without memcg)
 * @charged:      bytes charged to kbpf's module-wide limit at creation
 * @free_work:    defers the final free to process context
 * @name:         BPF_OBJ_NAME_LEN name given at creation, NUL-terminated
 */
/* What a map was asked to do, from bpf(2) and from programs; per CPU. */
enum kbpf_map_stat {
	KBPF_MAP_STAT_LOOKUP,	/* lookups, lookup_and_delete, pop and peek */
	KBPF_MAP_STAT_UPDATE,	/* updates and pushes */
	KBPF_MAP_STAT_DELETE,
	KBPF_MAP_STAT_OTHER,	/* get_next_key, batch commands, for_each */
	KBPF_MAP_STAT_NR,
};

struct kbpf_map_stats {
	u64 ops[KBPF_MAP_STAT_NR];
};

struct kbpf_map {
	const struct kbpf_map_ops *ops;
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	int numa_node;
	u32 id;
	refcount_t refcnt;
	atomic64_t usercnt;
	bool frozen;
	atomic64_t writecnt;
	struct mutex freeze_mutex;	/* freezing vs. writable mmaps */
	struct mem_cgroup *memcg;
	u64 charged;
	struct work_struct free_work;
	struct kbpf_map_stats __percpu *stats;	/* NULL: not counted */
	char name[BPF_OBJ_NAME_LEN];
};

/* Count one operation on @map; safe in any context, NMI included. */
static inline void kbpf_map_count(struct kbpf_map *map, enum kbpf_map_stat stat)
{
	if (map->stats)
		this_cpu_inc(map->stats->ops[stat]);
}

extern const struct kbpf_map_ops kbpf_array_map_ops;
void *kbpf_array_map_lookup(struct kbpf_map *map, const void *key);
extern const struct kbpf_map_ops kbpf_percpu_array_map_ops;
extern const struct kbpf_map_ops kbpf_queue_map_ops;
extern const struct kbpf_map_ops kbpf_stack_map_ops;
extern const struct kbpf_map_ops kbpf_ringbuf_map_ops;
extern const struct kbpf_map_ops kbpf_perf_event_array_map_ops;
extern const struct kbpf_map_ops kbpf_hash_map_ops;
extern const struct kbpf_map_ops kbpf_percpu_hash_map_ops;
extern const struct kbpf_map_ops kbpf_lru_hash_map_ops;
extern const struct kbpf_map_ops kbpf_lru_percpu_hash_map_ops;

/* The node BPF_MAP_CREATE asks for, or NUMA_NO_NODE. */
static inline int kbpf_map_attr_numa_node(const union bpf_attr *attr)
{
	return (attr->map_flags & BPF_F_NUMA_NODE) ? (int)attr->numa_node
						    : NUMA_NO_NODE;
}

/* Per-cpu maps' values are 8-byte aligned slots, one per possible CPU. */
static inline bool kbpf_map_is_percpu(const struct kbpf_map *map)
{
	return map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       map->map_type == BPF_MAP_TYPE_PERCPU_HASH ||
	       map->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * ringbuf.c: the producer side of RINGBUF maps, for the helpers
 * bpf_ringbuf_reserve/submit/discard/output/query; any context.
 */
void *kbpf_ringbuf_reserve(struct kbpf_map *map, u64 size, u64 flags);
void kbpf_ringbuf_submit(void *sample, u64 flags);
void kbpf_ringbuf_discard(void *sample, u64 flags);
long kbpf_ringbuf_output(struct kbpf_map *map, const void *data, u64 size,
			 u64 flags);
u64 kbpf_ringbuf_query(struct kbpf_map *map, u64 flags);
/* For the KUnit suite: the consumer's view, and queued wake-ups flushed. */
void *kbpf_ringbuf_user_area(struct kbpf_map *map);
void kbpf_ringbuf_wakeup_sync(struct kbpf_map *map);

/*
 * map_elem.c: the key and value buffers of one element or batch command.
 * bpf(2) allocates each; kbpf carves them from a buffer in the command's
 * stack frame while they fit (most keys and values do), and allocates
 * only larger ones, at most two per command.
 */
#define KBPF_ELEM_STACK_BYTES	512

struct kbpf_elem_bufs {
	u8 stack[KBPF_ELEM_STACK_BYTES] __aligned(8);
	u32 used;
	u32 nr_heap;
	void *heap[2];
};

static inline void kbpf_elem_bufs_init(struct kbpf_elem_bufs *b)
{
	b->used = 0;
	b->nr_heap = 0;
}

void *kbpf_elem_alloc(struct kbpf_elem_bufs *b, u32 size);
void kbpf_elem_free(struct kbpf_elem_bufs *b);

/* attr.c: the bpf(2) attribute contract. */
int kbpf_attr_copy(union bpf_attr *attr, bpfptr_t uattr, u32 size);
bool kbpf_attr_tail_is_zero(const union bpf_attr *attr, size_t end, size_t loaded);
int kbpf_obj_name_cpy(char *dst, const char *src, size_t size);
int kbpf_check_uarg_tail_zero(bpfptr_t uaddr, size_t expected, size_t actual);

/* syscall.c: one bpf(2) command. */
int kbpf_sys_bpf(u32 cmd, bpfptr_t uattr, u32 size);

/* mem.c: kbpf's memory, charged to the module-wide limit and to memcgs. */
struct kbpf_pages {
	struct page **pages;
	u32 nr_pages;
};

int kbpf_mem_charge(u64 bytes);
void kbpf_mem_uncharge(u64 bytes);
u64 kbpf_mem_used(void);
u64 kbpf_mem_limit(void);
int kbpf_obj_charge(void);
void kbpf_obj_uncharge(void);
u32 kbpf_obj_count(void);
u32 kbpf_obj_limit(void);
void *kbpf_area_alloc(u64 size, int numa_node);
void kbpf_area_free(void *area);
int kbpf_pages_alloc(struct kbpf_pages *pg, u32 nr_pages, int numa_node);
void kbpf_pages_free(struct kbpf_pages *pg);
void *kbpf_pages_vmap(const struct kbpf_pages *pg);
int kbpf_pages_mmap(const struct kbpf_pages *pg, struct vm_area_struct *vma);
void *kbpf_map_kmalloc(const struct kbpf_map *map, size_t size, gfp_t gfp);
void __percpu *kbpf_map_alloc_percpu(const struct kbpf_map *map, size_t size,
				     size_t align, gfp_t gfp);

/* queue_stack.c: the push/pop/peek ops' bodies, @trylock in NMI context. */
long kbpf_queue_stack_push(struct kbpf_map *map, const void *value, u64 flags,
			   bool trylock);
long kbpf_queue_stack_get(struct kbpf_map *map, void *value, bool pop,
			  bool trylock);
raw_spinlock_t *kbpf_queue_stack_lock(struct kbpf_map *map);

/* map.c: map objects, their fds, ids and info. */
int kbpf_map_module_init(void);
void kbpf_map_module_exit(void);
bool kbpf_map_flags_access_ok(u32 map_flags);
u32 kbpf_map_value_size(const struct kbpf_map *map);
struct kbpf_map *kbpf_map_new(const union bpf_attr *attr);
void kbpf_map_inc(struct kbpf_map *map);
void kbpf_map_put(struct kbpf_map *map);
struct kbpf_map *kbpf_map_from_file(struct file *file);
int kbpf_map_check_mode(struct kbpf_map *map, struct file *file, fmode_t mode);
void kbpf_map_write_begin(struct kbpf_map *map);
void kbpf_map_write_end(struct kbpf_map *map);
int kbpf_cmd_map_create(union bpf_attr *attr, bpfptr_t uattr);
struct seq_file;
void kbpf_map_show_all(struct seq_file *m);
int kbpf_cmd_map_freeze(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_get_next_id(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_get_fd_by_id(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_obj_get_info_by_fd(union bpf_attr *attr, bpfptr_t uattr);

/* map.c, continued: running a command on the map behind an fd. */
int kbpf_map_fd_cmd(u32 ufd, fmode_t mode, kbpf_map_cmd_fn fn,
		    const union bpf_attr *attr, bpfptr_t uattr);

/* map_elem.c: the element commands. */
int kbpf_map_copy_value(struct kbpf_map *map, const void *key, void *value,
			u64 flags);
int kbpf_map_update_value(struct kbpf_map *map, struct file *map_file,
			  const void *key, const void *value, u64 flags);
int kbpf_map_delete_value(struct kbpf_map *map, const void *key);
int kbpf_map_lookup_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_map_update_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_map_delete_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_map_get_next_key(struct kbpf_map *map, struct file *map_file,
			  const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_map_lookup_and_delete_elem(struct kbpf_map *map, struct file *map_file,
				    const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_lookup_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_update_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_delete_elem(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_get_next_key(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_lookup_and_delete_elem(union bpf_attr *attr, bpfptr_t uattr);

/* perf_buffer.c: perf buffers (KBPF_IOC_PERF_BUFFER), their fds and rings. */
struct kbpf_perf_buffer;
struct kbpf_perf_buffer_attr;
struct perf_event_mmap_page;

/* Raw bytes one record can carry: perf_event_header's size is 16 bits. */
#define KBPF_PERF_MAX_RAW_SIZE	65516

int kbpf_ioctl_perf_buffer(const void __user *uattr);
struct kbpf_perf_buffer *kbpf_perf_buffer_new(const struct kbpf_perf_buffer_attr *attr);
void kbpf_perf_buffer_get(struct kbpf_perf_buffer *buf);
void kbpf_perf_buffer_put(struct kbpf_perf_buffer *buf);
struct kbpf_perf_buffer *kbpf_perf_buffer_from_file(struct file *file);
int kbpf_perf_buffer_oncpu(const struct kbpf_perf_buffer *buf);
void kbpf_perf_buffer_enable(struct kbpf_perf_buffer *buf, bool enable);
u64 kbpf_perf_buffer_id(const struct kbpf_perf_buffer *buf);
int kbpf_perf_buffer_map(struct kbpf_perf_buffer *buf, unsigned long nr_pages,
			 bool writable);
void kbpf_perf_buffer_unmap(struct kbpf_perf_buffer *buf);
int kbpf_perf_buffer_output(struct kbpf_perf_buffer *buf, u16 misc,
			    const void *data, u64 size);
struct perf_event_mmap_page *kbpf_perf_buffer_user_page(struct kbpf_perf_buffer *buf);
int kbpf_perf_buffer_read(struct kbpf_perf_buffer *buf, u64 pos, void *dst,
			  u32 len);
__poll_t kbpf_perf_buffer_poll(struct kbpf_perf_buffer *buf, struct file *file,
			       struct poll_table_struct *pt);

/* perf_event_array.c: the output helper, and a slot store for KUnit. */
long kbpf_perf_event_output(struct kbpf_map *map, u64 flags, const void *data,
			    u64 size);
int kbpf_perf_event_array_set(struct kbpf_map *map, struct file *map_file,
			      u32 index, struct kbpf_perf_buffer *buf);

/* prog.c, tracepoint.c: the program commands. */
int kbpf_cmd_prog_load(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_prog_test_run(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_prog_get_next_id(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_prog_get_fd_by_id(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_raw_tracepoint_open(union bpf_attr *attr, bpfptr_t uattr);

/* map_batch.c: the batch commands and their generic implementations. */
int kbpf_generic_lookup_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_generic_update_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_generic_delete_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_lookup_batch(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_lookup_and_delete_batch(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_update_batch(union bpf_attr *attr, bpfptr_t uattr);
int kbpf_cmd_map_delete_batch(union bpf_attr *attr, bpfptr_t uattr);

#endif /* _KBPF_H */
