// SPDX-License-Identifier: GPL-2.0
/*
 * LRU_HASH and LRU_PERCPU_HASH: hash maps whose preallocated elements sit
 * on LRU lists, one common list or, with BPF_F_NO_COMMON_LRU, one per
 * possible CPU holding max_entries / nr_cpus of them.  A new element
 * comes from its list's free elements; when there are none the list
 * evicts one, so a full map takes new keys instead of failing with E2BIG.
 *
 * Eviction is "second chance" over insertion order: the list is kept
 * newest first, and the scan from the oldest end gives an element that a
 * program looked up since the last scan (its ref bit) one more round at
 * the head; the first element without it is taken out of the table.  So
 * without program lookups it is exactly the least recently inserted or
 * updated element that goes, and bpf(2) lookups, as in the kernel, do
 * not count as uses.  The kernel evicts in batches and per-cpu local
 * lists (kernel/bpf/bpf_lru_list.c, whose internals it documents as no
 * ABI); kbpf evicts one element when, and only when, its list is empty.
 *
 * Locks nest LRU list -> bucket (eviction), never the other way: writers
 * take a new element before the bucket lock and give one back after it.
 * Every writer runs inside the map's LRU busy slot with interrupts off;
 * in NMI context LRU maps refuse writes (EBUSY), as the lists could be
 * held by the code the NMI interrupted.
 */
#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/slab.h>

#include "hashtab.h"

static bool lru_is_percpu(const struct kbpf_htab *htab)
{
	return htab->map.map_flags & BPF_F_NO_COMMON_LRU;
}

/* The list new elements come from on this CPU; interrupts are off. */
static struct kbpf_lru_list *lru_this_list(struct kbpf_htab *htab)
{
	return &htab->lru_lists[lru_is_percpu(htab) ? smp_processor_id() : 0];
}

static void lru_add_free(struct kbpf_lru_list *list, struct kbpf_htab_elem *l,
			 int cpu)
{
	l->lru.cpu = cpu;
	l->lru.ref = 0;
	list_add_tail(&l->lru.list, &list->free);
	list->nr_nodes++;
}

/**
 * kbpf_lru_init() - the LRU lists of a new map, all elements free
 * @htab: the map, its preallocated elements in place
 *
 * Return: 0 or -ENOMEM.
 */
int kbpf_lru_init(struct kbpf_htab *htab)
{
	u32 nr_lists = lru_is_percpu(htab) ? nr_cpu_ids : 1;
	u32 per_list = htab->map.max_entries, i = 0, j;
	struct kbpf_lru_list *list;
	int cpu;

	htab->lru_lists = kcalloc(nr_lists, sizeof(*htab->lru_lists),
				  GFP_KERNEL_ACCOUNT);
	if (!htab->lru_lists)
		return -ENOMEM;
	for (j = 0; j < nr_lists; j++) {
		list = &htab->lru_lists[j];
		raw_spin_lock_init(&list->lock);
		INIT_LIST_HEAD(&list->used);
		INIT_LIST_HEAD(&list->free);
	}
	if (!lru_is_percpu(htab)) {
		for (i = 0; i < per_list; i++)
			lru_add_free(&htab->lru_lists[0], htab_elem_at(htab, i), 0);
		return 0;
	}
	per_list /= num_possible_cpus();	/* max_entries was rounded to fit */
	for_each_possible_cpu(cpu)
		for (j = 0; j < per_list; j++)
			lru_add_free(&htab->lru_lists[cpu], htab_elem_at(htab, i++), cpu);
	return 0;
}

void kbpf_lru_destroy(struct kbpf_htab *htab)
{
	kfree(htab->lru_lists);
	htab->lru_lists = NULL;
}

/* Take @l out of the table, if it is in it: it may be on its way in or out. */
static bool lru_unhash(struct kbpf_htab *htab, struct kbpf_htab_elem *l)
{
	struct kbpf_htab_bucket *b = htab_bucket(htab, READ_ONCE(l->hash));
	struct hlist_nulls_node *n;
	struct kbpf_htab_elem *pos;
	bool found = false;

	raw_spin_lock(&b->lock);
	hlist_nulls_for_each_entry(pos, n, &b->head, node) {
		if (pos == l) {
			hlist_nulls_del_rcu(&l->node);
			found = true;
			break;
		}
	}
	raw_spin_unlock(&b->lock);
	return found;
}

/*
 * Evict from @list, whose lock is held: the oldest element without a
 * ref bit, giving referenced ones another round at the head.  Every
 * element is visited at most twice.  Return: the element, now at the head
 * of the used list and out of the table, or NULL.
 */
static struct kbpf_htab_elem *lru_evict(struct kbpf_htab *htab,
					struct kbpf_lru_list *list)
{
	u32 budget = 2 * list->nr_nodes;
	struct kbpf_htab_elem *l;

	while (budget-- && !list_empty(&list->used)) {
		l = list_last_entry(&list->used, struct kbpf_htab_elem, lru.list);
		list_move(&l->lru.list, &list->used);
		if (READ_ONCE(l->lru.ref)) {
			WRITE_ONCE(l->lru.ref, 0);
			continue;
		}
		if (lru_unhash(htab, l))
			return l;
	}
	return NULL;
}

/**
 * kbpf_lru_pop() - an element for a new key, evicting one if need be
 * @htab: an LRU map; the caller is inside its LRU slot
 *
 * Return: the element, on its list's used list and in no bucket, or NULL
 * when nothing could be evicted.
 */
struct kbpf_htab_elem *kbpf_lru_pop(struct kbpf_htab *htab)
{
	struct kbpf_lru_list *list = lru_this_list(htab);
	struct kbpf_htab_elem *l;

	raw_spin_lock(&list->lock);
	l = list_first_entry_or_null(&list->free, struct kbpf_htab_elem, lru.list);
	if (l)
		list_move(&l->lru.list, &list->used);
	else
		l = lru_evict(htab, list);
	if (l)
		WRITE_ONCE(l->lru.ref, 0);
	raw_spin_unlock(&list->lock);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_lru_pop);

/**
 * kbpf_lru_push() - give back an element that is in no bucket
 * @htab: an LRU map; the caller is inside its LRU slot
 * @l:    the element; it goes to the free list of the list it belongs to
 */
void kbpf_lru_push(struct kbpf_htab *htab, struct kbpf_htab_elem *l)
{
	struct kbpf_lru_list *list = &htab->lru_lists[l->lru.cpu];

	raw_spin_lock(&list->lock);
	list_move(&l->lru.list, &list->free);
	raw_spin_unlock(&list->lock);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_lru_push);

/**
 * kbpf_lru_update() - the update op of LRU maps
 * @htab:      the map
 * @key:       the key
 * @value:     the value (bpf(2)'s all-CPU layout with @onallcpus)
 * @flags:     BPF_ANY, BPF_NOEXIST or BPF_EXIST
 * @onallcpus: bpf(2)'s per-cpu value
 *
 * As the kernel: the new element is taken first, which may evict even
 * when the update then fails (EEXIST, ENOENT) and so is given back; a
 * replaced LRU_HASH element is a new one, marked referenced; an
 * LRU_PERCPU_HASH value is updated in place, and BPF_EXIST takes no
 * element.  Return: 0, -EINVAL, -EEXIST, -ENOENT, -ENOMEM (nothing could
 * be evicted), -EBUSY (NMI, or this CPU inside the map already).
 */
long kbpf_lru_update(struct kbpf_htab *htab, const void *key,
		     const void *value, u64 flags, bool onallcpus)
{
	u32 hash = kbpf_htab_hash(htab, key);
	struct kbpf_htab_bucket *b = htab_bucket(htab, hash);
	struct kbpf_htab_elem *l_old, *l_new = NULL, *l_free = NULL;
	unsigned long irqflags;
	long err;

	if (unlikely(flags > BPF_EXIST))
		return -EINVAL;
	if (in_nmi())
		return -EBUSY;
	err = kbpf_htab_lock_slot(htab, KBPF_HTAB_LRU_SLOT, &irqflags);
	if (err)
		return err;

	if (!htab->percpu || flags != BPF_EXIST) {
		l_new = kbpf_lru_pop(htab);
		if (!l_new) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(l_new->key, key, htab->map.key_size);
		WRITE_ONCE(l_new->hash, hash);
		if (!htab->percpu)
			memcpy(htab_elem_value(htab, l_new), value, htab->map.value_size);
	}

	raw_spin_lock(&b->lock);
	l_old = kbpf_htab_find_locked(htab, b, hash, key);
	err = kbpf_htab_check_flags(l_old, flags);
	if (err)
		goto unlock;
	if (l_old && htab->percpu) {
		WRITE_ONCE(l_old->lru.ref, 1);
		kbpf_htab_copy_percpu(htab, htab_elem_pptr(htab, l_old), value,
				      onallcpus, false);
		goto unlock;
	}
	if (htab->percpu)
		kbpf_htab_copy_percpu(htab, htab_elem_pptr(htab, l_new), value,
				      onallcpus, true);
	hlist_nulls_add_head_rcu(&l_new->node, &b->head);
	if (l_old) {
		WRITE_ONCE(l_new->lru.ref, 1);
		hlist_nulls_del_rcu(&l_old->node);
		l_free = l_old;
	}
	l_new = NULL;
unlock:
	raw_spin_unlock(&b->lock);
	if (l_new)
		kbpf_lru_push(htab, l_new);
	if (l_free)
		kbpf_lru_push(htab, l_free);
out:
	kbpf_htab_unlock_slot(htab, KBPF_HTAB_LRU_SLOT, irqflags);
	return err;
}

/**
 * kbpf_lru_delete() - delete (and lookup_and_delete) on LRU maps
 * @htab:  the map
 * @key:   the key
 * @value: NULL, or where bpf(2)'s view of the value goes before it is gone
 *
 * Return: 0, -ENOENT, -EBUSY (NMI, or this CPU inside the map already).
 */
long kbpf_lru_delete(struct kbpf_htab *htab, const void *key, void *value)
{
	u32 hash = kbpf_htab_hash(htab, key);
	struct kbpf_htab_bucket *b = htab_bucket(htab, hash);
	struct kbpf_htab_elem *l;
	unsigned long irqflags;
	long err;

	if (in_nmi())
		return -EBUSY;
	err = kbpf_htab_lock_slot(htab, KBPF_HTAB_LRU_SLOT, &irqflags);
	if (err)
		return err;
	raw_spin_lock(&b->lock);
	l = kbpf_htab_find_locked(htab, b, hash, key);
	if (l) {
		if (value)
			kbpf_htab_copy_value_out(htab, l, value);
		hlist_nulls_del_rcu(&l->node);
	} else {
		err = -ENOENT;
	}
	raw_spin_unlock(&b->lock);
	if (l)
		kbpf_lru_push(htab, l);
	kbpf_htab_unlock_slot(htab, KBPF_HTAB_LRU_SLOT, irqflags);
	return err;
}
