// SPDX-License-Identifier: GPL-2.0
/*
 * kbpf's memory: every byte a map holds is charged to the module-wide
 * limit (max_memory) and to the memory cgroup of the map's creator, even
 * when it is allocated later, in a BPF program's atomic context.
 *
 * Element areas that userspace never maps are kvmalloc'ed; areas it may
 * mmap() (BPF_F_MMAPABLE arrays, ring buffers, perf pages) are built from
 * individually allocated pages, vmap'ed for the kernel's view and inserted
 * into the user's VMA page by page.
 */
#include <linux/atomic.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kbpf.h"

static unsigned long long max_memory;
module_param(max_memory, ullong, 0644);
MODULE_PARM_DESC(max_memory, "Bytes all kbpf maps together may hold; creation past it fails with ENOMEM (0: no limit)");

static atomic64_t kbpf_mem_bytes = ATOMIC64_INIT(0);

static unsigned int max_objects;
module_param(max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Maps, programs, links and perf buffers kbpf may hold at once; creation past it fails with E2BIG (0: no limit)");

static atomic_t kbpf_objects = ATOMIC_INIT(0);

/**
 * kbpf_mem_charge() - account @bytes against the module-wide limit
 * @bytes: bytes about to be (or just) allocated
 *
 * Safe in any context.  Return: 0, or -ENOMEM past max_memory (nothing
 * is charged then).
 */
int kbpf_mem_charge(u64 bytes)
{
	u64 limit = READ_ONCE(max_memory);
	u64 used = atomic64_add_return(bytes, &kbpf_mem_bytes);

	if (limit && used > limit) {
		atomic64_sub(bytes, &kbpf_mem_bytes);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_mem_charge);

void kbpf_mem_uncharge(u64 bytes)
{
	atomic64_sub(bytes, &kbpf_mem_bytes);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_mem_uncharge);

/**
 * kbpf_obj_charge() - count one more map, program, link or perf buffer
 *
 * Safe in any context.  Return: 0, or -E2BIG past max_objects (nothing is
 * counted then).
 */
int kbpf_obj_charge(void)
{
	unsigned int limit = READ_ONCE(max_objects);
	unsigned int n = atomic_inc_return(&kbpf_objects);

	if (limit && n > limit) {
		atomic_dec(&kbpf_objects);
		return -E2BIG;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_obj_charge);

void kbpf_obj_uncharge(void)
{
	atomic_dec(&kbpf_objects);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_obj_uncharge);

u32 kbpf_obj_count(void)
{
	return atomic_read(&kbpf_objects);
}

u32 kbpf_obj_limit(void)
{
	return READ_ONCE(max_objects);
}

u64 kbpf_mem_limit(void)
{
	return READ_ONCE(max_memory);
}

u64 kbpf_mem_used(void)
{
	return atomic64_read(&kbpf_mem_bytes);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_mem_used);

/*
 * Whether @bytes more fit under max_memory: creation checks before it
 * allocates, so that a map far past the limit is refused without first
 * taking the memory (the exact charge comes once the map is built).
 */
static bool kbpf_mem_fits(u64 bytes)
{
	u64 limit = READ_ONCE(max_memory);

	return !limit || (bytes <= limit && kbpf_mem_used() <= limit - bytes);
}

/**
 * kbpf_area_alloc() - zeroed memory for a map's elements
 * @size:      bytes
 * @numa_node: node, or NUMA_NO_NODE
 *
 * Process context; charged to the caller's memory cgroup.  Large requests
 * fall back to vmalloc and fail rather than wake the OOM killer.
 *
 * Return: the memory, or NULL.
 */
void *kbpf_area_alloc(u64 size, int numa_node)
{
	if (size > INT_MAX || !kbpf_mem_fits(size))	/* INT_MAX: kvmalloc's limit */
		return NULL;
	return kvzalloc_node(size, GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			     __GFP_NOWARN, numa_node);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_area_alloc);

void kbpf_area_free(void *area)
{
	kvfree(area);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_area_free);

/**
 * kbpf_pages_alloc() - @nr_pages zeroed pages that userspace may map
 * @pg:        filled in
 * @nr_pages:  how many
 * @numa_node: node, or NUMA_NO_NODE
 *
 * Process context; charged to the caller's memory cgroup.
 * Return: 0 or -ENOMEM (nothing is left allocated then).
 */
int kbpf_pages_alloc(struct kbpf_pages *pg, u32 nr_pages, int numa_node)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_RETRY_MAYFAIL |
			  __GFP_NOWARN;
	u32 i;

	pg->nr_pages = 0;
	/* as vmalloc() refuses more than the machine has, before trying */
	if (nr_pages > totalram_pages() || !kbpf_mem_fits((u64)nr_pages << PAGE_SHIFT))
		return -ENOMEM;
	pg->pages = kvcalloc(nr_pages, sizeof(*pg->pages),
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pg->pages)
		return -ENOMEM;
	for (i = 0; i < nr_pages; i++) {
		pg->pages[i] = alloc_pages_node(numa_node, gfp, 0);
		if (!pg->pages[i]) {
			pg->nr_pages = i;
			kbpf_pages_free(pg);
			return -ENOMEM;
		}
	}
	pg->nr_pages = nr_pages;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_pages_alloc);

void kbpf_pages_free(struct kbpf_pages *pg)
{
	u32 i;

	for (i = 0; i < pg->nr_pages; i++)
		__free_page(pg->pages[i]);
	kvfree(pg->pages);
	pg->pages = NULL;
	pg->nr_pages = 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_pages_free);

/* The pages mapped contiguously into the kernel's address space, or NULL. */
void *kbpf_pages_vmap(const struct kbpf_pages *pg)
{
	return vmap(pg->pages, pg->nr_pages, VM_MAP, PAGE_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_pages_vmap);

/*
 * Insert the pages into @vma, starting at the page vm_pgoff selects; as
 * the kernel's remap_vmalloc_range(), the mapping cannot grow (mremap
 * fails) and stays out of core dumps.
 * Return: 0, or -EINVAL when the VMA reaches past the last page.
 */
int kbpf_pages_mmap(const struct kbpf_pages *pg, struct vm_area_struct *vma)
{
	unsigned long want = vma_pages(vma);
	int err;

	if (vma->vm_pgoff >= pg->nr_pages || want > pg->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	err = vm_map_pages(vma, pg->pages, pg->nr_pages);
	if (!err)
		vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_pages_mmap);

/**
 * kbpf_map_kmalloc() - memory for @map, charged to its creator's memcg
 * @map:  the map
 * @size: bytes
 * @gfp:  GFP_ATOMIC where a program may be running, else GFP_KERNEL
 */
void *kbpf_map_kmalloc(const struct kbpf_map *map, size_t size, gfp_t gfp)
{
	struct mem_cgroup *old = set_active_memcg(map->memcg);
	void *p = kmalloc_node(size, gfp | __GFP_ACCOUNT | __GFP_NOWARN,
			       map->numa_node);

	set_active_memcg(old);
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_kmalloc);

/* Per-cpu memory for @map, charged to its creator's memcg. */
void __percpu *kbpf_map_alloc_percpu(const struct kbpf_map *map, size_t size,
				     size_t align, gfp_t gfp)
{
	struct mem_cgroup *old = set_active_memcg(map->memcg);
	void __percpu *p = __alloc_percpu_gfp(size, align,
					      gfp | __GFP_ACCOUNT | __GFP_NOWARN);

	set_active_memcg(old);
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_alloc_percpu);
