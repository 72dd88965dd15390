// SPDX-License-Identifier: GPL-2.0
/*
 * The hash family: BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and
 * LRU_PERCPU_HASH.  A power-of-two array of buckets, each a nulls list
 * under its own raw spinlock; readers (program lookups, bpf(2) lookups,
 * get_next_key) walk the lists under RCU without locks.
 *
 * By default every element is allocated at creation and recycled through
 * a free list, so programs never allocate; with BPF_F_NO_PREALLOC they
 * come from kmalloc(GFP_ATOMIC) and go after an RCU grace period.  A full
 * map refuses a new key with E2BIG; LRU maps (hashtab_lru.c) evict
 * instead.  Buckets, bucket order, the hash (jhash, seeded at random
 * unless BPF_F_ZERO_SEED) and where an update puts its element are the
 * kernel's (kernel/bpf/hashtab.c), so get_next_key and the batch commands
 * walk a kbpf map in the order the kernel walks its own.
 *
 * Locks are taken with interrupts off, inside a per-cpu busy slot: a
 * program that fires on a CPU already inside the map's locks gets EBUSY.
 * In NMI context, which may have interrupted a lock's holder, programs
 * may look elements up but not write them (EBUSY).
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hashtab.h"

#define KBPF_HTAB_CREATE_FLAGS (BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU |	\
				BPF_F_NUMA_NODE | BPF_F_ZERO_SEED |		\
				BPF_F_RDONLY | BPF_F_WRONLY |			\
				BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

/* bpf(2) refuses key_size + value_size from KMALLOC_MAX_SIZE minus this. */
#define KBPF_KERNEL_HTAB_ELEM_SIZE	48
static_assert(offsetof(struct kbpf_htab_elem, key) == KBPF_KERNEL_HTAB_ELEM_SIZE);

/* Elements a bucket is first expected to hold, by a batch command. */
#define KBPF_HTAB_BATCH_BUCKET	5

u32 kbpf_htab_hash(const struct kbpf_htab *htab, const void *key)
{
	u32 len = htab->map.key_size;

	if (KBPF_HTAB_JHASH2 && !(len % 4))
		return jhash2(key, len / 4, htab->hashrnd);
	return jhash(key, len, htab->hashrnd);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_hash);

/**
 * kbpf_htab_find() - the element under @key, without locks
 * @htab: the map
 * @hash: kbpf_htab_hash() of @key
 * @key:  the key
 *
 * RCU read side.  A walk that ends on another bucket's nulls value was
 * moved there by a recycled element, and starts over.
 */
struct kbpf_htab_elem *kbpf_htab_find(struct kbpf_htab *htab, u32 hash,
				      const void *key)
{
	struct hlist_nulls_head *head = &htab_bucket(htab, hash)->head;
	struct hlist_nulls_node *n;
	struct kbpf_htab_elem *l;

again:
	hlist_nulls_for_each_entry_rcu(l, n, head, node)
		if (l->hash == hash && !memcmp(l->key, key, htab->map.key_size))
			return l;
	if (unlikely(get_nulls_value(n) != (hash & (htab->n_buckets - 1))))
		goto again;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_find);

/* The element under @key in bucket @b, whose lock the caller holds. */
struct kbpf_htab_elem *kbpf_htab_find_locked(struct kbpf_htab *htab,
					     struct kbpf_htab_bucket *b,
					     u32 hash, const void *key)
{
	struct hlist_nulls_node *n;
	struct kbpf_htab_elem *l;

	hlist_nulls_for_each_entry(l, n, &b->head, node)
		if (l->hash == hash && !memcmp(l->key, key, htab->map.key_size))
			return l;
	return NULL;
}

/* BPF_NOEXIST and BPF_EXIST against what is there, as the kernel orders them. */
int kbpf_htab_check_flags(const struct kbpf_htab_elem *l_old, u64 flags)
{
	if (l_old && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!l_old && flags == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/**
 * kbpf_htab_lock_slot() - enter one of the map's per-cpu busy slots
 * @htab:     the map
 * @slot:     a bucket group, or KBPF_HTAB_LRU_SLOT
 * @irqflags: for kbpf_htab_unlock_slot()
 *
 * Disables interrupts.  Return: 0, or -EBUSY when this CPU is inside
 * the slot already (a program interrupting the map's own code).
 */
int kbpf_htab_lock_slot(struct kbpf_htab *htab, u32 slot,
			unsigned long *irqflags)
{
	preempt_disable();
	local_irq_save(*irqflags);
	if (unlikely(__this_cpu_inc_return(htab->busy->slot[slot]) != 1)) {
		__this_cpu_dec(htab->busy->slot[slot]);
		local_irq_restore(*irqflags);
		preempt_enable();
		return -EBUSY;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_lock_slot);

void kbpf_htab_unlock_slot(struct kbpf_htab *htab, u32 slot,
			   unsigned long irqflags)
{
	__this_cpu_dec(htab->busy->slot[slot]);
	local_irq_restore(irqflags);
	preempt_enable();
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_unlock_slot);

static u32 htab_bucket_slot(const struct kbpf_htab *htab, u32 hash)
{
	return hash & min_t(u32, KBPF_HTAB_LOCK_SLOTS - 1, htab->n_buckets - 1);
}

static void htab_free_push_locked(struct kbpf_htab *htab,
				  struct kbpf_htab_elem *l)
{
	l->free_next = htab->free_list;
	htab->free_list = l;
}

static void htab_free_push(struct kbpf_htab *htab, struct kbpf_htab_elem *l)
{
	raw_spin_lock(&htab->free_lock);
	htab_free_push_locked(htab, l);
	raw_spin_unlock(&htab->free_lock);
}

/* A free preallocated element, or NULL; inside a bucket lock. */
static struct kbpf_htab_elem *htab_free_pop(struct kbpf_htab *htab)
{
	struct kbpf_htab_elem *l;

	raw_spin_lock(&htab->free_lock);
	l = htab->free_list;
	if (l)
		htab->free_list = l->free_next;
	raw_spin_unlock(&htab->free_lock);
	return l;
}

/* Bytes one BPF_F_NO_PREALLOC element holds, charged while it lives. */
static u64 htab_elem_bytes(const struct kbpf_htab *htab)
{
	u64 bytes = htab->elem_size;

	if (htab->percpu)
		bytes += (u64)htab->value_slot * num_possible_cpus();
	return bytes;
}

/* A new BPF_F_NO_PREALLOC element, charged to the map's creator. */
static struct kbpf_htab_elem *htab_elem_alloc(struct kbpf_htab *htab, gfp_t gfp)
{
	u64 bytes = htab_elem_bytes(htab);
	struct kbpf_htab_elem *l;
	void __percpu *pptr;

	if (kbpf_mem_charge(bytes))
		return ERR_PTR(-ENOMEM);
	l = kbpf_map_kmalloc(&htab->map, htab->elem_size, gfp);
	if (!l)
		goto uncharge;
	if (htab->percpu) {
		pptr = kbpf_map_alloc_percpu(&htab->map, htab->value_slot, 8, gfp);
		if (!pptr) {
			kfree(l);
			goto uncharge;
		}
		*(void __percpu **)htab_elem_value(htab, l) = pptr;
	}
	return l;

uncharge:
	kbpf_mem_uncharge(bytes);
	return ERR_PTR(-ENOMEM);
}

/* Free a BPF_F_NO_PREALLOC element no reader can see. */
static void htab_elem_destroy(struct kbpf_htab *htab, struct kbpf_htab_elem *l)
{
	if (htab->percpu)
		free_percpu(htab_elem_pptr(htab, l));
	kfree(l);
	kbpf_mem_uncharge(htab_elem_bytes(htab));
}

/* Runs after a grace period; needs nothing of the map, which may be gone. */
static void htab_elem_free_rcu(struct rcu_head *rcu)
{
	struct kbpf_htab_elem *l = container_of(rcu, struct kbpf_htab_elem, rcu);

	free_percpu(l->rcu_pptr);
	kfree(l);
}

/* Free an unlinked BPF_F_NO_PREALLOC element once RCU readers are done. */
static void htab_elem_free_deferred(struct kbpf_htab *htab,
				    struct kbpf_htab_elem *l)
{
	l->rcu_pptr = htab->percpu ? htab_elem_pptr(htab, l) : NULL;
	kbpf_mem_uncharge(htab_elem_bytes(htab));
	call_rcu(&l->rcu, htab_elem_free_rcu);
}

/*
 * An element just taken out of its bucket goes back where it came from:
 * its LRU list, the free list, or (after a grace period) the allocator.
 * Inside the map's busy slot (the LRU slot for LRU maps), no lock held.
 */
static void htab_elem_release(struct kbpf_htab *htab, struct kbpf_htab_elem *l)
{
	if (htab->lru)
		kbpf_lru_push(htab, l);
	else if (htab->prealloc)
		htab_free_push(htab, l);
	else
		htab_elem_free_deferred(htab, l);
}

/**
 * kbpf_htab_copy_percpu() - store a per-cpu value
 * @htab:      the map
 * @pptr:      the element's per-cpu value
 * @value:     bpf(2): one round_up(value_size, 8) slot per possible CPU;
 *             a program: one value, for this CPU
 * @onallcpus: @value is bpf(2)'s
 * @init:      a new element: a program's value zeroes the other CPUs'
 *
 * Called with interrupts off (a bucket lock held), so "this CPU" holds.
 */
void kbpf_htab_copy_percpu(struct kbpf_htab *htab, void __percpu *pptr,
			   const void *value, bool onallcpus, bool init)
{
	u32 size = htab->map.value_size, off = 0;
	int cpu, this_cpu;

	if (onallcpus) {
		for_each_possible_cpu(cpu) {
			memcpy(per_cpu_ptr(pptr, cpu), value + off, htab->value_slot);
			off += htab->value_slot;
		}
		return;
	}
	if (!init) {
		memcpy(this_cpu_ptr(pptr), value, size);
		return;
	}
	this_cpu = smp_processor_id();
	for_each_possible_cpu(cpu) {
		if (cpu == this_cpu)
			memcpy(per_cpu_ptr(pptr, cpu), value, size);
		else
			memset(per_cpu_ptr(pptr, cpu), 0, size);
	}
}

/* bpf(2)'s copy of an element's value: every CPU's slot for per-cpu maps. */
void kbpf_htab_copy_value_out(struct kbpf_htab *htab, struct kbpf_htab_elem *l,
			      void *value)
{
	void __percpu *pptr;
	u32 off = 0;
	int cpu;

	if (!htab->percpu) {
		memcpy(value, htab_elem_value(htab, l), htab->map.value_size);
		return;
	}
	pptr = htab_elem_pptr(htab, l);
	for_each_possible_cpu(cpu) {
		memcpy(value + off, per_cpu_ptr(pptr, cpu), htab->value_slot);
		off += htab->value_slot;
	}
}

static bool attr_is_percpu(const union bpf_attr *attr)
{
	return attr->map_type == BPF_MAP_TYPE_PERCPU_HASH ||
	       attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool attr_is_lru(const union bpf_attr *attr)
{
	return attr->map_type == BPF_MAP_TYPE_LRU_HASH ||
	       attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int htab_map_alloc_check(const union bpf_attr *attr)
{
	bool percpu = attr_is_percpu(attr), lru = attr_is_lru(attr);
	bool percpu_lru = attr->map_flags & BPF_F_NO_COMMON_LRU;
	bool prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);

	/* 6.1 limits LRU maps to CAP_BPF before anything else. */
	if (lru && !KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable())
		return -EPERM;
	/* A fixed seed makes collisions predictable. */
	if ((attr->map_flags & BPF_F_ZERO_SEED) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (attr->map_flags & ~KBPF_HTAB_CREATE_FLAGS ||
	    !kbpf_map_flags_access_ok(attr->map_flags))
		return -EINVAL;
	if (!lru && percpu_lru)
		return -EINVAL;
	if (lru && !prealloc)
		return -ENOTSUPP;
	if (kbpf_map_attr_numa_node(attr) != NUMA_NO_NODE && (percpu || percpu_lru))
		return -EINVAL;
	if (!attr->max_entries || !attr->key_size || !attr->value_size)
		return -EINVAL;
	/* bpf(2) could not move a larger element in or out. */
	if ((u64)attr->key_size + attr->value_size >=
	    KMALLOC_MAX_SIZE - KBPF_KERNEL_HTAB_ELEM_SIZE)
		return -E2BIG;
	/* a per-cpu slot is bound by the per-cpu allocator's unit */
	if (percpu && round_up(attr->value_size, 8) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	/* 6.12 asks for CAP_BPF in map_create(), once the type's checks passed. */
	if (lru && KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable())
		return -EPERM;
	return 0;
}

static void htab_free_elems(struct kbpf_htab *htab, u32 n)
{
	u32 i;

	if (htab->percpu) {
		for (i = 0; i < n; i++) {
			free_percpu(htab_elem_pptr(htab, htab_elem_at(htab, i)));
			cond_resched();
		}
	}
	kbpf_area_free(htab->elems);
	htab->elems = NULL;
}

/* Elements allocated at creation: max_entries, and HASH's spares. */
static u32 htab_prealloc_count(const struct kbpf_htab *htab)
{
	u32 n = htab->map.max_entries;

	if (!htab->percpu && !htab->lru)
		n += num_possible_cpus();
	return n;
}

static int htab_prealloc(struct kbpf_htab *htab, int numa_node)
{
	u32 n = htab_prealloc_count(htab), i;
	void __percpu *pptr;
	int cpu, err;

	htab->elems = kbpf_area_alloc((u64)n * htab->elem_size, numa_node);
	if (!htab->elems)
		return -ENOMEM;
	for (i = 0; htab->percpu && i < n; i++) {
		pptr = __alloc_percpu_gfp(htab->value_slot, 8,
					  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!pptr) {
			htab_free_elems(htab, i);
			return -ENOMEM;
		}
		*(void __percpu **)htab_elem_value(htab, htab_elem_at(htab, i)) = pptr;
		cond_resched();
	}

	if (htab->lru) {
		err = kbpf_lru_init(htab);
		if (err)
			htab_free_elems(htab, n);
		return err;
	}

	for (i = n; i-- > 0;)
		htab_free_push_locked(htab, htab_elem_at(htab, i));
	if (htab->percpu)
		return 0;
	htab->extra = alloc_percpu_gfp(struct kbpf_htab_elem *,
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!htab->extra) {
		htab_free_elems(htab, n);
		return -ENOMEM;
	}
	/* Nothing else sees the map yet: the free list needs no lock. */
	for_each_possible_cpu(cpu) {
		struct kbpf_htab_elem **spare = per_cpu_ptr(htab->extra, cpu);

		*spare = htab->free_list;
		htab->free_list = (*spare)->free_next;
	}
	return 0;
}

static struct kbpf_map *htab_map_alloc(const union bpf_attr *attr)
{
	int numa_node = kbpf_map_attr_numa_node(attr);
	u32 ncpus = num_possible_cpus(), max = attr->max_entries, i;
	struct kbpf_htab *htab;
	int err;

	/* Each CPU's LRU list gets as many elements (the kernel's u32 rounding). */
	if (attr->map_flags & BPF_F_NO_COMMON_LRU) {
		max = roundup(attr->max_entries, ncpus);
		if (max < attr->max_entries)
			max = rounddown(attr->max_entries, ncpus);
	}
	if (max > 1UL << 31 ||
	    roundup_pow_of_two(max) > U32_MAX / sizeof(struct kbpf_htab_bucket))
		return ERR_PTR(-E2BIG);

	htab = kbpf_area_alloc(sizeof(*htab), NUMA_NO_NODE);
	if (!htab)
		return ERR_PTR(-ENOMEM);
	lockdep_register_key(&htab->lockdep_key);
	htab->map.key_size = attr->key_size;
	htab->map.value_size = attr->value_size;
	htab->map.map_flags = attr->map_flags;
	htab->map.max_entries = max;
	htab->percpu = attr_is_percpu(attr);
	htab->lru = attr_is_lru(attr);
	htab->prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
	htab->n_buckets = roundup_pow_of_two(max);
	htab->value_slot = round_up(attr->value_size, 8);
	htab->elem_size = sizeof(struct kbpf_htab_elem) + round_up(attr->key_size, 8) +
			  (htab->percpu ? sizeof(void *) : htab->value_slot);

	err = -ENOMEM;
	htab->buckets = kbpf_area_alloc((u64)htab->n_buckets * sizeof(*htab->buckets),
					numa_node);
	if (!htab->buckets)
		goto free_htab;
	for (i = 0; i < htab->n_buckets; i++) {
		INIT_HLIST_NULLS_HEAD(&htab->buckets[i].head, i);
		raw_spin_lock_init(&htab->buckets[i].lock);
		lockdep_set_class(&htab->buckets[i].lock, &htab->lockdep_key);
		if (!(i % 4096))
			cond_resched();
	}
	htab->busy = alloc_percpu_gfp(struct kbpf_htab_busy,
				      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!htab->busy)
		goto free_buckets;
	htab->hashrnd = attr->map_flags & BPF_F_ZERO_SEED ? 0 : get_random_u32();
	raw_spin_lock_init(&htab->free_lock);
	atomic_set(&htab->count, 0);

	if (htab->prealloc) {
		err = htab_prealloc(htab, numa_node);
		if (err)
			goto free_busy;
	}
	return &htab->map;

free_busy:
	free_percpu(htab->busy);
free_buckets:
	kbpf_area_free(htab->buckets);
free_htab:
	lockdep_unregister_key(&htab->lockdep_key);
	kbpf_area_free(htab);
	return ERR_PTR(err);
}

/* Free what BPF_F_NO_PREALLOC elements are left: no reader remains. */
static void htab_free_malloced(struct kbpf_htab *htab)
{
	struct hlist_nulls_node *n;
	struct kbpf_htab_elem *l;
	u32 i;

	for (i = 0; i < htab->n_buckets; i++) {
		hlist_nulls_for_each_entry_safe(l, n, &htab->buckets[i].head, node)
			htab_elem_destroy(htab, l);
		if (!(i % 4096))
			cond_resched();
	}
}

static void htab_map_free(struct kbpf_map *map)
{
	struct kbpf_htab *htab = to_htab(map);

	if (htab->prealloc) {
		if (htab->lru)
			kbpf_lru_destroy(htab);
		free_percpu(htab->extra);
		htab_free_elems(htab, htab_prealloc_count(htab));
	} else {
		htab_free_malloced(htab);
	}
	free_percpu(htab->busy);
	kbpf_area_free(htab->buckets);
	lockdep_unregister_key(&htab->lockdep_key);
	kbpf_area_free(htab);
}

/* (atomic) A program's lookup: this CPU's value for per-cpu maps. */
static void *htab_map_lookup(struct kbpf_map *map, const void *key)
{
	struct kbpf_htab *htab = to_htab(map);
	struct kbpf_htab_elem *l = kbpf_htab_find(htab, kbpf_htab_hash(htab, key), key);

	if (!l)
		return NULL;
	/* LRU: referenced since the last scan; written once, as the kernel does. */
	if (htab->lru && !READ_ONCE(l->lru.ref))
		WRITE_ONCE(l->lru.ref, 1);
	if (htab->percpu)
		return this_cpu_ptr(htab_elem_pptr(htab, l));
	return htab_elem_value(htab, l);
}

static void *htab_map_lookup_percpu(struct kbpf_map *map, const void *key,
				    u32 cpu)
{
	struct kbpf_htab *htab = to_htab(map);
	struct kbpf_htab_elem *l;

	if (cpu >= nr_cpu_ids)
		return NULL;
	l = kbpf_htab_find(htab, kbpf_htab_hash(htab, key), key);
	if (!l)
		return NULL;
	if (htab->lru && !READ_ONCE(l->lru.ref))
		WRITE_ONCE(l->lru.ref, 1);
	return per_cpu_ptr(htab_elem_pptr(htab, l), cpu);
}

/* bpf(2)'s lookup; unlike a program's, it does not count as a use for LRU. */
static int htab_sys_lookup(struct kbpf_map *map, const void *key, void *value,
			   u64 flags)
{
	struct kbpf_htab *htab = to_htab(map);
	struct kbpf_htab_elem *l;
	int err = 0;

	rcu_read_lock();
	l = kbpf_htab_find(htab, kbpf_htab_hash(htab, key), key);
	if (l)
		kbpf_htab_copy_value_out(htab, l, value);
	else
		err = -ENOENT;
	rcu_read_unlock();
	return err;
}

/*
 * A preallocated element for a key, or NULL when all are in use; HASH
 * replaces @l_old through this CPU's spare, so a full map can do it.
 */
static struct kbpf_htab_elem *htab_prealloc_get(struct kbpf_htab *htab,
						struct kbpf_htab_elem *l_old)
{
	struct kbpf_htab_elem **spare, *l;

	if (!l_old || htab->percpu)
		return htab_free_pop(htab);
	/* The old element becomes the spare: readers may still see it. */
	spare = this_cpu_ptr(htab->extra);
	l = *spare;
	*spare = l_old;
	return l;
}

/*
 * HASH and PERCPU_HASH updates.  A new element goes to the head of its
 * bucket and the old one, if any, leaves it, so readers see either; a
 * per-cpu value is updated in place.  BPF_F_NO_PREALLOC allocates before
 * the bucket lock, with @gfp.
 */
static long htab_update(struct kbpf_htab *htab, const void *key,
			const void *value, u64 flags, bool onallcpus, gfp_t gfp)
{
	u32 hash = kbpf_htab_hash(htab, key), slot = htab_bucket_slot(htab, hash);
	struct kbpf_htab_bucket *b = htab_bucket(htab, hash);
	struct kbpf_htab_elem *l_old, *l_new = NULL, *l_free = NULL;
	unsigned long irqflags;
	bool found;
	long err;

	if (unlikely(flags > BPF_EXIST))
		return -EINVAL;
	if (in_nmi())
		return -EBUSY;
again:
	if (!htab->prealloc) {
		rcu_read_lock();
		found = htab->percpu && kbpf_htab_find(htab, hash, key);
		rcu_read_unlock();
		if (!found && !l_new) {
			l_new = htab_elem_alloc(htab, gfp);
			if (IS_ERR(l_new))
				return PTR_ERR(l_new);
		}
	}

	err = kbpf_htab_lock_slot(htab, slot, &irqflags);
	if (err)
		goto out;
	raw_spin_lock(&b->lock);
	l_old = kbpf_htab_find_locked(htab, b, hash, key);
	err = kbpf_htab_check_flags(l_old, flags);
	if (err)
		goto unlock;
	if (l_old && htab->percpu) {
		kbpf_htab_copy_percpu(htab, htab_elem_pptr(htab, l_old), value,
				      onallcpus, false);
		goto unlock;
	}

	if (htab->prealloc) {
		l_new = htab_prealloc_get(htab, l_old);
		if (!l_new) {
			err = -E2BIG;
			goto unlock;
		}
	} else if (!l_new) {
		/* It was there a moment ago and is gone: allocate after all. */
		raw_spin_unlock(&b->lock);
		kbpf_htab_unlock_slot(htab, slot, irqflags);
		goto again;
	} else if (!l_old) {
		if (atomic_inc_return(&htab->count) > htab->map.max_entries) {
			atomic_dec(&htab->count);
			err = -E2BIG;
			goto unlock;
		}
	}

	memcpy(l_new->key, key, htab->map.key_size);
	l_new->hash = hash;
	if (htab->percpu)
		kbpf_htab_copy_percpu(htab, htab_elem_pptr(htab, l_new), value,
				      onallcpus, true);
	else
		memcpy(htab_elem_value(htab, l_new), value, htab->map.value_size);
	hlist_nulls_add_head_rcu(&l_new->node, &b->head);
	l_new = NULL;
	if (l_old) {
		hlist_nulls_del_rcu(&l_old->node);
		if (!htab->prealloc)
			l_free = l_old;
	}
unlock:
	raw_spin_unlock(&b->lock);
	kbpf_htab_unlock_slot(htab, slot, irqflags);
out:
	if (l_new)
		htab_elem_destroy(htab, l_new);
	if (l_free)
		htab_elem_free_deferred(htab, l_free);
	return err;
}

static long htab_map_update(struct kbpf_map *map, const void *key,
			    const void *value, u64 flags)
{
	struct kbpf_htab *htab = to_htab(map);

	if (htab->lru)
		return kbpf_lru_update(htab, key, value, flags, false);
	return htab_update(htab, key, value, flags, false, GFP_ATOMIC);
}

static int htab_sys_update(struct kbpf_map *map, struct file *map_file,
			   const void *key, const void *value, u64 flags)
{
	struct kbpf_htab *htab = to_htab(map);
	int err;

	if (!htab->lru)
		return htab_update(htab, key, value, flags, htab->percpu, GFP_KERNEL);
	rcu_read_lock();
	err = kbpf_lru_update(htab, key, value, flags, htab->percpu);
	rcu_read_unlock();
	return err;
}

/* Remove @key, copying its value (bpf(2)'s view) to @value if not NULL. */
static int htab_delete(struct kbpf_htab *htab, const void *key, void *value)
{
	u32 hash = kbpf_htab_hash(htab, key), slot = htab_bucket_slot(htab, hash);
	struct kbpf_htab_bucket *b = htab_bucket(htab, hash);
	struct kbpf_htab_elem *l;
	unsigned long irqflags;
	int err;

	if (htab->lru)
		return kbpf_lru_delete(htab, key, value);
	if (in_nmi())
		return -EBUSY;

	err = kbpf_htab_lock_slot(htab, slot, &irqflags);
	if (err)
		return err;
	raw_spin_lock(&b->lock);
	l = kbpf_htab_find_locked(htab, b, hash, key);
	if (l) {
		if (value)
			kbpf_htab_copy_value_out(htab, l, value);
		hlist_nulls_del_rcu(&l->node);
		if (!htab->prealloc)
			atomic_dec(&htab->count);
	} else {
		err = -ENOENT;
	}
	raw_spin_unlock(&b->lock);
	if (l)
		htab_elem_release(htab, l);
	kbpf_htab_unlock_slot(htab, slot, irqflags);
	return err;
}

static long htab_map_delete(struct kbpf_map *map, const void *key)
{
	return htab_delete(to_htab(map), key, NULL);
}

static int htab_sys_lookup_and_delete(struct kbpf_map *map, const void *key,
				      void *value, u64 flags)
{
	int err;

	rcu_read_lock();
	err = htab_delete(to_htab(map), key, value);
	rcu_read_unlock();
	return err;
}

/* The first element of bucket @b, or NULL. */
static struct kbpf_htab_elem *htab_first_elem(struct kbpf_htab_bucket *b)
{
	return hlist_nulls_entry_safe(rcu_dereference_raw(hlist_nulls_first_rcu(&b->head)),
				      struct kbpf_htab_elem, node);
}

/*
 * Copy @l's key out as the walk's next key if it is a key of bucket @b.
 * Without a lock @l may be deleted and recycled for another key while
 * this reads it: a key of another bucket (or a torn one) would send the
 * walk there, past the keys in between.  A key of @b, even a torn one,
 * at worst starts the walk over (a key not in the map does).
 */
static bool htab_copy_key_of_bucket(struct kbpf_htab *htab,
				    const struct kbpf_htab_elem *l, u32 b,
				    void *next_key)
{
	memcpy(next_key, l->key, htab->map.key_size);
	return (kbpf_htab_hash(htab, next_key) & (htab->n_buckets - 1)) == b;
}

/**
 * kbpf_htab_walk_next() - the walk's step from @l, found in bucket @b
 * @htab:     the map
 * @l:        the element of the caller's key
 * @b:        its bucket
 * @next_key: where the next key goes
 * @i:        where the walk goes on otherwise
 *
 * An element deleted and recycled into another bucket while this runs
 * leads into that bucket's list (an element, or the nulls value ending
 * it): following it would skip the rest of @b and the buckets between,
 * so the walk goes over @b again instead, as lookups start over.
 *
 * Return: true with the key after @l in @next_key; false with *@i the
 * bucket whose first element comes next (@b + 1 at the end of @b's list).
 */
bool kbpf_htab_walk_next(struct kbpf_htab *htab, struct kbpf_htab_elem *l,
			 u32 b, void *next_key, u32 *i)
{
	struct hlist_nulls_node *n = rcu_dereference_raw(hlist_nulls_next_rcu(&l->node));

	if (is_a_nulls(n)) {
		*i = get_nulls_value(n) == b ? b + 1 : b;
		return false;
	}
	if (htab_copy_key_of_bucket(htab, hlist_nulls_entry(n, struct kbpf_htab_elem, node),
				    b, next_key))
		return true;
	*i = b;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_walk_next);

/* Looks at a bucket again while its first element is being recycled. */
#define KBPF_HTAB_WALK_RETRIES	64

/*
 * The kernel's walk: the rest of the key's bucket, then the next buckets.
 * Where the kernel's can skip keys when an element is recycled under it,
 * this one goes over a bucket again (see kbpf_htab_walk_next() and
 * htab_copy_key_of_bucket()): a walk may see a key twice, never miss one
 * that was there throughout.
 */
static int htab_map_get_next_key(struct kbpf_map *map, const void *key,
				 void *next_key)
{
	struct kbpf_htab *htab = to_htab(map);
	u32 mask = htab->n_buckets - 1, hash, i = 0, tries;
	struct kbpf_htab_elem *l, *next;

	if (key) {
		hash = kbpf_htab_hash(htab, key);
		l = kbpf_htab_find(htab, hash, key);
		if (l && kbpf_htab_walk_next(htab, l, hash & mask, next_key, &i))
			return 0;
		/* a key not in the map starts over from the first */
	}
	for (; i < htab->n_buckets; i++) {
		for (tries = 0; tries < KBPF_HTAB_WALK_RETRIES; tries++) {
			next = htab_first_elem(&htab->buckets[i]);
			if (!next)
				break;
			if (htab_copy_key_of_bucket(htab, next, i, next_key))
				return 0;
			smp_rmb();	/* the recycled key before the bucket's head */
		}
		if (next)	/* still moving: the key as read, like the kernel */
			return 0;
	}
	return -ENOENT;
}

static long htab_map_for_each(struct kbpf_map *map, kbpf_for_each_cb cb,
			      void *ctx, u64 flags)
{
	struct kbpf_htab *htab = to_htab(map);
	struct hlist_nulls_node *n;
	struct kbpf_htab_elem *l;
	long visited = 0;
	void *value;
	u32 i;

	if (flags)
		return -EINVAL;
	for (i = 0; i < htab->n_buckets; i++) {
		hlist_nulls_for_each_entry_rcu(l, n, &htab->buckets[i].head, node) {
			value = htab->percpu ? this_cpu_ptr(htab_elem_pptr(htab, l))
					     : htab_elem_value(htab, l);
			visited++;
			if (cb(map, l->key, value, ctx))
				return visited;
		}
	}
	return visited;
}

/* Room for one bucket of a batch command. */
struct htab_batch_buf {
	u32 cap;
	void *keys;
	void *values;
	struct kbpf_htab_elem **gone;	/* removed, to free after the lock */
};

static int htab_batch_buf_alloc(struct htab_batch_buf *buf, u32 cap,
				u32 key_size, u32 vsize)
{
	buf->cap = cap;
	buf->keys = kvmalloc_array(cap, key_size, GFP_USER | __GFP_NOWARN);
	buf->values = kvmalloc_array(cap, vsize, GFP_USER | __GFP_NOWARN);
	buf->gone = kvmalloc_array(cap, sizeof(*buf->gone), GFP_USER | __GFP_NOWARN);
	return buf->keys && buf->values && buf->gone ? 0 : -ENOMEM;
}

static void htab_batch_buf_free(struct htab_batch_buf *buf)
{
	kvfree(buf->keys);
	kvfree(buf->values);
	kvfree(buf->gone);
}

/*
 * One bucket of a batch command: if its @cnt elements fit in @room and
 * in @buf after the @at elements already there, copy them there and,
 * with @do_delete, remove them.  Return: 0 (*@cnt copied), -ENOSPC (more
 * than @room) or -E2BIG (more than @buf has left) with *@cnt the bucket's
 * size, or -EBUSY.
 */
static int htab_batch_bucket(struct kbpf_htab *htab, u32 idx,
			     struct htab_batch_buf *buf, u32 at, u32 room,
			     bool do_delete, u32 *cnt)
{
	struct kbpf_htab_bucket *b = &htab->buckets[idx];
	u32 vsize = kbpf_map_value_size(&htab->map), n = 0, i, slot;
	struct hlist_nulls_node *pos;
	struct kbpf_htab_elem *l;
	unsigned long irqflags;
	int err = 0;

	/* Empty buckets are not locked, as in the kernel. */
	rcu_read_lock();
	*cnt = !hlist_nulls_empty(&b->head);
	rcu_read_unlock();
	if (!*cnt)
		return 0;

	/* LRU removals go back to the LRU lists, inside the LRU slot. */
	slot = htab->lru ? KBPF_HTAB_LRU_SLOT : htab_bucket_slot(htab, idx);
	err = kbpf_htab_lock_slot(htab, slot, &irqflags);
	if (err)
		return err;
	raw_spin_lock(&b->lock);

	hlist_nulls_for_each_entry(l, pos, &b->head, node)
		n++;
	*cnt = n;
	if (n > room || n > buf->cap - at) {
		err = n > room ? -ENOSPC : -E2BIG;
		n = 0;
		goto unlock;
	}
	i = 0;
	hlist_nulls_for_each_entry(l, pos, &b->head, node) {
		memcpy(buf->keys + (size_t)(at + i) * htab->map.key_size, l->key,
		       htab->map.key_size);
		kbpf_htab_copy_value_out(htab, l, buf->values + (size_t)(at + i) * vsize);
		if (do_delete) {
			hlist_nulls_del_rcu(&l->node);
			buf->gone[i] = l;
		}
		i++;
	}
	if (do_delete && !htab->prealloc)
		atomic_sub(n, &htab->count);
unlock:
	raw_spin_unlock(&b->lock);
	for (i = 0; do_delete && i < n; i++)
		htab_elem_release(htab, buf->gone[i]);
	kbpf_htab_unlock_slot(htab, slot, irqflags);
	return err;
}

/* The @n elements in @buf out to the caller's arrays at element @at. */
static int htab_batch_flush(const union bpf_attr *attr, bool kernel,
			    const struct htab_batch_buf *buf, u32 at, u32 n,
			    u32 key_size, u32 vsize)
{
	bpfptr_t k = make_bpfptr(attr->batch.keys, kernel);
	bpfptr_t v = make_bpfptr(attr->batch.values, kernel);

	if (!n)
		return 0;
	bpfptr_add(&k, (size_t)at * key_size);
	bpfptr_add(&v, (size_t)at * vsize);
	if (kbpf_copy_to_bpfptr(k, buf->keys, (size_t)n * key_size) ||
	    kbpf_copy_to_bpfptr(v, buf->values, (size_t)n * vsize))
		return -EFAULT;
	return 0;
}

/**
 * kbpf_htab_batch() - BPF_MAP_LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH
 * @map:       a map of the hash family
 * @attr:      the batch attributes
 * @uattr:     the caller's attr, whose batch.count is written back
 * @do_delete: remove what is copied out
 *
 * The kernel's contract for hash maps: the cursor in in_batch/out_batch
 * is a u32 bucket index; whole buckets are copied, so a bucket larger
 * than what is left of count ends the call (-ENOSPC if nothing was
 * copied yet); past the last bucket the call fails with -ENOENT.
 * Buckets are gathered, some 4 KiB at a time, and copied out together.
 * A fault copying out fails the call with -EFAULT and count 0, as in
 * bpf(2); with @do_delete the elements gathered are gone, as the kernel
 * loses the bucket it faulted on.
 */
int kbpf_htab_batch(struct kbpf_map *map, const union bpf_attr *attr,
		    bpfptr_t uattr, bool do_delete)
{
	struct kbpf_htab *htab = to_htab(map);
	bool kernel = bpfptr_is_kernel(uattr);
	bpfptr_t ubatch = make_bpfptr(attr->batch.in_batch, kernel);
	u32 key_size = map->key_size, vsize = kbpf_map_value_size(map);
	u32 max_count = attr->batch.count, batch = 0, total = 0, staged = 0, cnt, cap;
	struct htab_batch_buf buf;
	int err;

	if (attr->batch.elem_flags)	/* BPF_F_LOCK: no spin lock in values */
		return -EINVAL;
	if (attr->batch.flags)
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;
	if (!bpfptr_is_null(ubatch) && copy_from_bpfptr(&batch, ubatch, sizeof(batch)))
		return -EFAULT;
	if (batch >= htab->n_buckets)
		return -ENOENT;

	/* Buckets gather in @buf (some 4 KiB) and go out together. */
	cap = clamp_t(u32, SZ_4K / (key_size + vsize), 1, max_count);
	err = htab_batch_buf_alloc(&buf, max_t(u32, cap, KBPF_HTAB_BATCH_BUCKET),
				   key_size, vsize);
	while (!err) {
		err = htab_batch_bucket(htab, batch, &buf, staged,
					max_count - total - staged, do_delete, &cnt);
		if (err == -E2BIG && staged) {	/* make room: out with the rest */
			err = htab_batch_flush(attr, kernel, &buf, total, staged,
					       key_size, vsize);
			total += staged;
			staged = 0;
			if (err)
				goto out;
			continue;
		}
		if (err == -E2BIG) {	/* a bigger bucket than the buffer holds */
			htab_batch_buf_free(&buf);
			err = htab_batch_buf_alloc(&buf, cnt, key_size, vsize);
			continue;
		}
		if (err == -ENOSPC && total + staged)
			err = 0;
		if (err)
			break;
		if (cnt > max_count - total - staged)	/* does not fit: stop here */
			break;
		staged += cnt;
		if (++batch >= htab->n_buckets) {
			err = -ENOENT;
			break;
		}
		cond_resched();
	}
	if (htab_batch_flush(attr, kernel, &buf, total, staged, key_size, vsize)) {
		err = -EFAULT;
		goto out;
	}
	total += staged;
	if (kbpf_copy_to_bpfptr(make_bpfptr(attr->batch.out_batch, kernel), &batch,
				sizeof(batch)) ||
	    kbpf_attr_put_u32(uattr, batch.count, total))
		err = -EFAULT;
out:
	htab_batch_buf_free(&buf);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_htab_batch);

static int htab_lookup_batch(struct kbpf_map *map, struct file *map_file,
			     const union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_htab_batch(map, attr, uattr, false);
}

static int htab_lookup_and_delete_batch(struct kbpf_map *map,
					struct file *map_file,
					const union bpf_attr *attr,
					bpfptr_t uattr)
{
	return kbpf_htab_batch(map, attr, uattr, true);
}

static u64 htab_map_mem_usage(const struct kbpf_map *map)
{
	const struct kbpf_htab *htab = to_htab(map);
	u32 ncpus = num_possible_cpus();
	u64 usage = sizeof(*htab) + (u64)htab->n_buckets * sizeof(*htab->buckets) +
		    (u64)sizeof(struct kbpf_htab_busy) * ncpus;
	u64 n;

	if (!htab->prealloc)
		return usage + atomic_read(&htab->count) * htab_elem_bytes(htab);
	n = htab_prealloc_count(htab);
	usage += n * htab->elem_size;
	if (htab->percpu)
		usage += n * htab->value_slot * ncpus;
	else if (!htab->lru)
		usage += sizeof(void *) * ncpus;
	if (htab->lru)
		usage += sizeof(struct kbpf_lru_list) *
			 (map->map_flags & BPF_F_NO_COMMON_LRU ? nr_cpu_ids : 1);
	return usage;
}

#define KBPF_HTAB_OPS							\
	.alloc_check		= htab_map_alloc_check,			\
	.alloc			= htab_map_alloc,			\
	.free			= htab_map_free,			\
	.lookup			= htab_map_lookup,			\
	.update			= htab_map_update,			\
	.delete			= htab_map_delete,			\
	.for_each		= htab_map_for_each,			\
	.get_next_key		= htab_map_get_next_key,		\
	.sys_lookup		= htab_sys_lookup,			\
	.sys_update		= htab_sys_update,			\
	.sys_lookup_and_delete	= htab_sys_lookup_and_delete,		\
	.lookup_batch		= htab_lookup_batch,			\
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,	\
	.update_batch		= kbpf_generic_update_batch,		\
	.delete_batch		= kbpf_generic_delete_batch,		\
	.mem_usage		= htab_map_mem_usage

const struct kbpf_map_ops kbpf_hash_map_ops = {
	KBPF_HTAB_OPS,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_hash_map_ops);

const struct kbpf_map_ops kbpf_percpu_hash_map_ops = {
	KBPF_HTAB_OPS,
	.lookup_percpu		= htab_map_lookup_percpu,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_percpu_hash_map_ops);

const struct kbpf_map_ops kbpf_lru_hash_map_ops = {
	KBPF_HTAB_OPS,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_lru_hash_map_ops);

const struct kbpf_map_ops kbpf_lru_percpu_hash_map_ops = {
	KBPF_HTAB_OPS,
	.lookup_percpu		= htab_map_lookup_percpu,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_lru_percpu_hash_map_ops);
