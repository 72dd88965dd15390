/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hash family's internals, shared by hashtab.c (the table itself,
 * HASH and PERCPU_HASH) and hashtab_lru.c (the LRU lists, LRU_HASH and
 * LRU_PERCPU_HASH).
 */
#ifndef _KBPF_HASHTAB_H
#define _KBPF_HASHTAB_H

#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/rculist_nulls.h>
#include <linux/spinlock.h>

#include "kbpf.h"

/*
 * Per-cpu "inside this map's locks" counters: one per group of buckets
 * (by hash, as the kernel's map_locked) and one for the LRU lists.  A
 * program that fires on a CPU already inside gets EBUSY, not a deadlock.
 */
#define KBPF_HTAB_LOCK_SLOTS	8
#define KBPF_HTAB_LRU_SLOT	KBPF_HTAB_LOCK_SLOTS

struct kbpf_htab_busy {
	int slot[KBPF_HTAB_LOCK_SLOTS + 1];
};

/* The kernel's struct bucket, so that its size limits come out the same. */
struct kbpf_htab_bucket {
	struct hlist_nulls_head head;
	raw_spinlock_t lock;
};

/**
 * struct kbpf_lru_node - an LRU map element's place in its LRU list
 * @list: on its list's used or free list
 * @cpu:  the CPU whose list it belongs to (BPF_F_NO_COMMON_LRU)
 * @ref:  a program looked the element up since the list was last scanned
 */
struct kbpf_lru_node {
	struct list_head list;
	u16 cpu;
	u8 ref;
};

/**
 * struct kbpf_htab_elem - one element; its key follows, then its value
 * (inline, or for per-cpu maps a pointer to the per-cpu value)
 * @node:      in its bucket, for lock-free RCU readers
 * @free_next: preallocated and free: the next free element
 * @rcu:       BPF_F_NO_PREALLOC: freed after a grace period...
 * @rcu_pptr:  ...together with this per-cpu value
 * @lru:       LRU maps: the element's LRU node
 * @hash:      the key's hash
 * @key:       key_size bytes, 8-byte aligned
 *
 * The header is 48 bytes, as the kernel's struct htab_elem.  A free
 * element keeps @node.next intact: a reader still walking it finds its
 * way to the end of some bucket and, by the nulls value, starts over.
 */
struct kbpf_htab_elem {
	struct hlist_nulls_node node;
	union {
		struct kbpf_htab_elem *free_next;
		struct {
			struct rcu_head rcu;
			void __percpu *rcu_pptr;
		};
		struct kbpf_lru_node lru;
	};
	u32 hash;
	u8 key[] __aligned(8);
};

/**
 * struct kbpf_lru_list - one LRU list: the common one, or a CPU's own
 * @lock:     guards the lists and the nodes' positions on them
 * @used:     elements in use, most recently added first
 * @free:     elements to hand out
 * @nr_nodes: how many belong to this list
 */
struct kbpf_lru_list {
	raw_spinlock_t lock;
	struct list_head used;
	struct list_head free;
	u32 nr_nodes;
};

/**
 * struct kbpf_htab - a map of the hash family
 * @map:         the generic part
 * @buckets:     n_buckets buckets, a power of two
 * @n_buckets:   roundup_pow_of_two(max_entries)
 * @hashrnd:     the hash seed (0 with BPF_F_ZERO_SEED)
 * @elem_size:   bytes of one element
 * @value_slot:  round_up(value_size, 8): one value, or one CPU's
 * @percpu:      per-cpu values
 * @lru:         an LRU map
 * @prealloc:    elements are preallocated (not BPF_F_NO_PREALLOC)
 * @count:       BPF_F_NO_PREALLOC: elements in the map
 * @busy:        per-cpu slots, see KBPF_HTAB_LOCK_SLOTS
 * @elems:       preallocated elements, max_entries (+ one per CPU)
 * @free_lock:   guards @free_list; taken inside a bucket lock
 * @free_list:   free preallocated elements (HASH, PERCPU_HASH)
 * @extra:       HASH: a spare element per CPU, so that replacing a value
 *               in a full map never needs a free one
 * @lru_lists:   LRU maps: the common list, or one per possible CPU
 * @lockdep_key: a lock class per map for the bucket locks, which
 *               programs may nest across maps
 */
struct kbpf_htab {
	struct kbpf_map map;
	struct kbpf_htab_bucket *buckets;
	u32 n_buckets;
	u32 hashrnd;
	u32 elem_size;
	u32 value_slot;
	bool percpu;
	bool lru;
	bool prealloc;
	atomic_t count;
	struct kbpf_htab_busy __percpu *busy;
	void *elems;
	raw_spinlock_t free_lock;
	struct kbpf_htab_elem *free_list;
	struct kbpf_htab_elem *__percpu *extra;
	struct kbpf_lru_list *lru_lists;
	struct lock_class_key lockdep_key;
};

static inline struct kbpf_htab *to_htab(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_htab, map);
}

static inline void *htab_elem_value(const struct kbpf_htab *htab,
				    struct kbpf_htab_elem *l)
{
	return l->key + round_up(htab->map.key_size, 8);
}

static inline void __percpu *htab_elem_pptr(const struct kbpf_htab *htab,
					    struct kbpf_htab_elem *l)
{
	return *(void __percpu **)htab_elem_value(htab, l);
}

static inline struct kbpf_htab_bucket *htab_bucket(const struct kbpf_htab *htab,
						   u32 hash)
{
	return &htab->buckets[hash & (htab->n_buckets - 1)];
}

static inline struct kbpf_htab_elem *htab_elem_at(const struct kbpf_htab *htab,
						  u32 i)
{
	return htab->elems + (size_t)i * htab->elem_size;
}

/* hashtab.c, for hashtab_lru.c */
u32 kbpf_htab_hash(const struct kbpf_htab *htab, const void *key);
struct kbpf_htab_elem *kbpf_htab_find(struct kbpf_htab *htab, u32 hash,
				      const void *key);
bool kbpf_htab_walk_next(struct kbpf_htab *htab, struct kbpf_htab_elem *l,
			 u32 b, void *next_key, u32 *i);
struct kbpf_htab_elem *kbpf_htab_find_locked(struct kbpf_htab *htab,
					     struct kbpf_htab_bucket *b,
					     u32 hash, const void *key);
int kbpf_htab_check_flags(const struct kbpf_htab_elem *l_old, u64 flags);
int kbpf_htab_lock_slot(struct kbpf_htab *htab, u32 slot,
			unsigned long *irqflags);
void kbpf_htab_unlock_slot(struct kbpf_htab *htab, u32 slot,
			   unsigned long irqflags);
void kbpf_htab_copy_percpu(struct kbpf_htab *htab, void __percpu *pptr,
			   const void *value, bool onallcpus, bool init);
void kbpf_htab_copy_value_out(struct kbpf_htab *htab, struct kbpf_htab_elem *l,
			      void *value);
int kbpf_htab_batch(struct kbpf_map *map, const union bpf_attr *attr,
		    bpfptr_t uattr, bool do_delete);

/* hashtab_lru.c */
int kbpf_lru_init(struct kbpf_htab *htab);
void kbpf_lru_destroy(struct kbpf_htab *htab);
struct kbpf_htab_elem *kbpf_lru_pop(struct kbpf_htab *htab);
void kbpf_lru_push(struct kbpf_htab *htab, struct kbpf_htab_elem *l);
long kbpf_lru_update(struct kbpf_htab *htab, const void *key,
		     const void *value, u64 flags, bool onallcpus);
long kbpf_lru_delete(struct kbpf_htab *htab, const void *key, void *value);

#endif /* _KBPF_HASHTAB_H */
