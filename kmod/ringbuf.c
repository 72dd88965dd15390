// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer ring of
 * variable-length records.  Producers (BPF programs, through the
 * kbpf_ringbuf_*() API below) reserve, fill and submit or discard records
 * in any context, NMI included; the consumer is userspace, reading the
 * ring through mmap() and waiting for it with poll/epoll, as libbpf's
 * ring_buffer does.
 *
 * The memory is laid out as the kernel's, page for page:
 *
 *   control page | consumer page | producer page | data pages | data again
 *
 * The control page holds what only kbpf sees (wait queue, irq_work, lock,
 * mask).  The consumer page holds consumer_pos, which userspace maps
 * writable to report what it has read; the producer page holds
 * producer_pos and pending_pos, read-only to userspace, as are the data
 * pages.  The data pages are mapped twice in a row, in kbpf's vmap and in
 * userspace's mapping, so a record that wraps around the end of the ring
 * reads contiguously.  Userspace's offset 0 is the consumer page.
 *
 * Each record starts with an 8-byte header: its length with
 * BPF_RINGBUF_BUSY_BIT set until it is submitted (and
 * BPF_RINGBUF_DISCARD_BIT if it was discarded), and its offset in pages
 * from the start of the ring's memory, by which a submit finds the ring
 * from the record alone.  Records are 8-byte aligned.
 *
 * bpf(2)'s element and batch commands do not apply to ring buffers and
 * answer as the kernel's do: ENOTSUPP (or EINVAL for a key, which ring
 * buffers lack).
 */
#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kbpf.h"

#define KBPF_RINGBUF_CREATE_FLAGS	BPF_F_NUMA_NODE

/* A record's length must leave the header's two flag bits free. */
#define KBPF_RINGBUF_MAX_RECORD_SZ	(UINT_MAX / 4)

/**
 * struct kbpf_ringbuf - a ring's memory, as vmap'ed for the kernel
 * @waitq:        pollers of the map's fds
 * @work:         wakes @waitq; producers may run where waking is unsafe
 * @mask:         data size - 1 (the size is a power of 2)
 * @spinlock:     serializes producers' reservations
 * @consumer_pos: bytes consumed so far; userspace writes it
 * @producer_pos: bytes reserved so far
 * @pending_pos:  start of the oldest record that may still be busy
 * @data:         the data pages, then the same pages again
 *
 * Positions only grow; a record at position p sits at data[p & mask].
 */
struct kbpf_ringbuf {
	wait_queue_head_t waitq;
	struct irq_work work;
	u64 mask;
	raw_spinlock_t spinlock ____cacheline_aligned_in_smp;
	/* The pages userspace maps, from offset 0. */
	unsigned long consumer_pos __aligned(PAGE_SIZE);
	unsigned long producer_pos __aligned(PAGE_SIZE);
	unsigned long pending_pos;
	char data[] __aligned(PAGE_SIZE);
};

/* Pages before the consumer page: kbpf's alone, never mapped to userspace. */
#define KBPF_RINGBUF_PGOFF \
	(offsetof(struct kbpf_ringbuf, consumer_pos) >> PAGE_SHIFT)
/* The consumer and the producer page. */
#define KBPF_RINGBUF_POS_PAGES		2
#define KBPF_RINGBUF_META_PAGES		(KBPF_RINGBUF_PGOFF + KBPF_RINGBUF_POS_PAGES)

/**
 * struct kbpf_ringbuf_map - a RINGBUF map
 * @map:           the generic part
 * @rb:            the ring, vmap'ed
 * @pages:         the meta pages, then the data pages, each once
 * @vpages:        what @rb maps: the meta pages, the data pages twice
 * @nr_data_pages: data pages (max_entries / PAGE_SIZE)
 */
struct kbpf_ringbuf_map {
	struct kbpf_map map;
	struct kbpf_ringbuf *rb;
	struct kbpf_pages pages;
	struct page **vpages;
	u32 nr_data_pages;
};

/* A record's header, BPF_RINGBUF_HDR_SZ bytes. */
struct kbpf_ringbuf_hdr {
	u32 len;
	u32 pg_off;
};

static struct kbpf_ringbuf_map *to_rb_map(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_ringbuf_map, map);
}

static int ringbuf_map_alloc_check(const union bpf_attr *attr)
{
	if (attr->map_flags & ~KBPF_RINGBUF_CREATE_FLAGS)
		return -EINVAL;
	/*
	 * No keys, no values; the data size is a power of 2 and whole pages.
	 * (6.1 also refuses more than 64 GiB with E2BIG, which a u32 size
	 * cannot reach with 4 KiB pages.)
	 */
	if (attr->key_size || attr->value_size ||
	    !is_power_of_2(attr->max_entries) ||
	    !PAGE_ALIGNED(attr->max_entries))
		return -EINVAL;
	return 0;
}

static void ringbuf_notify(struct irq_work *work)
{
	struct kbpf_ringbuf *rb = container_of(work, struct kbpf_ringbuf, work);

	wake_up_all(&rb->waitq);
}

static struct kbpf_map *ringbuf_map_alloc(const union bpf_attr *attr)
{
	u32 nr_meta = KBPF_RINGBUF_META_PAGES;
	u32 nr_data = attr->max_entries >> PAGE_SHIFT;
	int node = kbpf_map_attr_numa_node(attr);
	struct kbpf_ringbuf_map *rbm;
	struct kbpf_ringbuf *rb;
	u32 i;

	rbm = kbpf_area_alloc(sizeof(*rbm), NUMA_NO_NODE);
	if (!rbm)
		return ERR_PTR(-ENOMEM);
	rbm->nr_data_pages = nr_data;
	if (kbpf_pages_alloc(&rbm->pages, nr_meta + nr_data, node))
		goto free_map;

	rbm->vpages = kbpf_area_alloc((u64)(nr_meta + 2 * nr_data) *
				      sizeof(*rbm->vpages), node);
	if (!rbm->vpages)
		goto free_pages;
	for (i = 0; i < nr_meta + nr_data; i++)
		rbm->vpages[i] = rbm->pages.pages[i];
	for (i = 0; i < nr_data; i++)
		rbm->vpages[nr_meta + nr_data + i] = rbm->pages.pages[nr_meta + i];

	rb = vmap(rbm->vpages, nr_meta + 2 * nr_data, VM_MAP, PAGE_KERNEL);
	if (!rb)
		goto free_vpages;
	/* The pages came zeroed: every position starts at 0. */
	init_waitqueue_head(&rb->waitq);
	init_irq_work(&rb->work, ringbuf_notify);
	raw_spin_lock_init(&rb->spinlock);
	rb->mask = attr->max_entries - 1;
	rbm->rb = rb;
	return &rbm->map;

free_vpages:
	kbpf_area_free(rbm->vpages);
free_pages:
	kbpf_pages_free(&rbm->pages);
free_map:
	kbpf_area_free(rbm);
	return ERR_PTR(-ENOMEM);
}

static void ringbuf_map_free(struct kbpf_map *map)
{
	struct kbpf_ringbuf_map *rbm = to_rb_map(map);

	/* A wake-up may still be queued from the last producer. */
	irq_work_sync(&rbm->rb->work);
	vunmap(rbm->rb);
	kbpf_area_free(rbm->vpages);
	kbpf_pages_free(&rbm->pages);
	kbpf_area_free(rbm);
}

static void *ringbuf_map_lookup(struct kbpf_map *map, const void *key)
{
	return ERR_PTR(-ENOTSUPP);
}

static long ringbuf_map_update(struct kbpf_map *map, const void *key,
			       const void *value, u64 flags)
{
	return -ENOTSUPP;
}

static long ringbuf_map_delete(struct kbpf_map *map, const void *key)
{
	return -ENOTSUPP;
}

static int ringbuf_map_get_next_key(struct kbpf_map *map, const void *key,
				    void *next_key)
{
	return -ENOTSUPP;
}

/*
 * Userspace maps the consumer page, the producer page and the data pages
 * twice, from the page vm_pgoff says; only the consumer page may be
 * mapped writable, and alone.
 */
static int ringbuf_map_mmap(struct kbpf_map *map, struct vm_area_struct *vma)
{
	struct kbpf_ringbuf_map *rbm = to_rb_map(map);
	struct kbpf_pages user = {
		.pages = rbm->vpages + KBPF_RINGBUF_PGOFF,
		.nr_pages = KBPF_RINGBUF_POS_PAGES + 2 * rbm->nr_data_pages,
	};

	if ((vma->vm_flags & VM_WRITE) &&
	    (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE))
		return -EPERM;
	return kbpf_pages_mmap(&user, vma);
}

/* Bytes reserved and not yet consumed (records still busy included). */
static unsigned long ringbuf_avail_data(struct kbpf_ringbuf *rb)
{
	unsigned long cons_pos, prod_pos;

	/* Pairs with the consumer's release of consumer_pos. */
	cons_pos = smp_load_acquire(&rb->consumer_pos);
	/* Pairs with the producers' release of producer_pos. */
	prod_pos = smp_load_acquire(&rb->producer_pos);
	return prod_pos - cons_pos;
}

static __poll_t ringbuf_map_poll(struct kbpf_map *map, struct file *file,
				 struct poll_table_struct *pt)
{
	struct kbpf_ringbuf *rb = to_rb_map(map)->rb;

	poll_wait(file, &rb->waitq, pt);
	return ringbuf_avail_data(rb) ? EPOLLIN | EPOLLRDNORM : 0;
}

static u64 ringbuf_map_mem_usage(const struct kbpf_map *map)
{
	const struct kbpf_ringbuf_map *rbm = to_rb_map(map);
	u64 nr_meta = KBPF_RINGBUF_META_PAGES, nr_data = rbm->nr_data_pages;

	return sizeof(*rbm) + ((nr_meta + nr_data) << PAGE_SHIFT) +
	       /* the page arrays: each page once, and the vmap's */
	       (2 * nr_meta + 3 * nr_data) * sizeof(struct page *);
}

const struct kbpf_map_ops kbpf_ringbuf_map_ops = {
	.alloc_check	= ringbuf_map_alloc_check,
	.alloc		= ringbuf_map_alloc,
	.free		= ringbuf_map_free,
	.lookup		= ringbuf_map_lookup,
	.update		= ringbuf_map_update,
	.delete		= ringbuf_map_delete,
	.get_next_key	= ringbuf_map_get_next_key,
	.mmap		= ringbuf_map_mmap,
	.poll		= ringbuf_map_poll,
	.mem_usage	= ringbuf_map_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_map_ops);

/* The ring of a RINGBUF map, or NULL for a map of another type. */
static struct kbpf_ringbuf *ringbuf_of(struct kbpf_map *map)
{
	return map->ops == &kbpf_ringbuf_map_ops ? to_rb_map(map)->rb : NULL;
}

/* The ring a record lives in, from the page offset in its header. */
static struct kbpf_ringbuf *ringbuf_of_record(struct kbpf_ringbuf_hdr *hdr)
{
	unsigned long page = (unsigned long)hdr & PAGE_MASK;

	return (void *)(page - ((unsigned long)hdr->pg_off << PAGE_SHIFT));
}

static void *ringbuf_reserve(struct kbpf_ringbuf *rb, u64 size)
{
	unsigned long cons_pos, prod_pos, pend_pos, new_prod_pos, irqflags;
	struct kbpf_ringbuf_hdr *hdr;
	u32 len, rec_len;

	if (unlikely(size > KBPF_RINGBUF_MAX_RECORD_SZ))
		return NULL;
	len = round_up(size + BPF_RINGBUF_HDR_SZ, 8);
	if (len > rb->mask + 1)
		return NULL;

	/* Pairs with the consumer's release: it is done with what it passed. */
	cons_pos = smp_load_acquire(&rb->consumer_pos);

	/* An NMI may have interrupted a producer holding the lock. */
	if (in_nmi()) {
		if (!raw_spin_trylock_irqsave(&rb->spinlock, irqflags))
			return NULL;
	} else {
		raw_spin_lock_irqsave(&rb->spinlock, irqflags);
	}

	/* Skip the records submitted since; stop at the first busy one. */
	pend_pos = rb->pending_pos;
	prod_pos = rb->producer_pos;
	while (prod_pos != pend_pos) {
		hdr = (void *)rb->data + (pend_pos & rb->mask);
		rec_len = READ_ONCE(hdr->len);
		if (rec_len & BPF_RINGBUF_BUSY_BIT)
			break;
		rec_len &= ~BPF_RINGBUF_DISCARD_BIT;
		pend_pos += round_up(rec_len + BPF_RINGBUF_HDR_SZ, 8);
	}
	rb->pending_pos = pend_pos;

	/*
	 * The ring is full when the new record would take the producer more
	 * than size - 1 bytes ahead of the consumer, or of the oldest record
	 * still busy (which the consumer may have skipped).
	 */
	new_prod_pos = prod_pos + len;
	if (new_prod_pos - cons_pos > rb->mask ||
	    new_prod_pos - pend_pos > rb->mask) {
		raw_spin_unlock_irqrestore(&rb->spinlock, irqflags);
		return NULL;
	}

	hdr = (void *)rb->data + (prod_pos & rb->mask);
	WRITE_ONCE(hdr->len, (u32)size | BPF_RINGBUF_BUSY_BIT);
	WRITE_ONCE(hdr->pg_off, ((void *)hdr - (void *)rb) >> PAGE_SHIFT);
	/* The header before the position: pairs with the consumer's acquire. */
	smp_store_release(&rb->producer_pos, new_prod_pos);

	raw_spin_unlock_irqrestore(&rb->spinlock, irqflags);
	return (void *)hdr + BPF_RINGBUF_HDR_SZ;
}

static void ringbuf_commit(void *sample, u64 flags, bool discard)
{
	struct kbpf_ringbuf_hdr *hdr = sample - BPF_RINGBUF_HDR_SZ;
	struct kbpf_ringbuf *rb = ringbuf_of_record(hdr);
	unsigned long rec_pos, cons_pos;
	u32 new_len;

	new_len = READ_ONCE(hdr->len) ^ BPF_RINGBUF_BUSY_BIT;
	if (discard)
		new_len |= BPF_RINGBUF_DISCARD_BIT;
	/* A full barrier: the record's contents before its final length. */
	xchg(&hdr->len, new_len);

	/* Wake the consumer if it has caught up and waits for this record. */
	rec_pos = (void *)hdr - (void *)rb->data;
	/* Pairs with the consumer's release of consumer_pos. */
	cons_pos = smp_load_acquire(&rb->consumer_pos) & rb->mask;
	if (flags & BPF_RB_FORCE_WAKEUP)
		irq_work_queue(&rb->work);
	else if (cons_pos == rec_pos && !(flags & BPF_RB_NO_WAKEUP))
		irq_work_queue(&rb->work);
}

/**
 * kbpf_ringbuf_reserve() - bpf_ringbuf_reserve(): room for a record
 * @map:   a RINGBUF map
 * @size:  bytes of the record (0 is a record with no data)
 * @flags: must be 0
 *
 * Any context.  The record stays busy (the consumer stops at it) until
 * kbpf_ringbuf_submit() or kbpf_ringbuf_discard().
 *
 * Return: the record's data, 8-byte aligned, or NULL: bad flags, a size
 * past UINT_MAX / 4 or one the ring can never hold, a full ring, or an
 * NMI that found the ring locked.
 */
void *kbpf_ringbuf_reserve(struct kbpf_map *map, u64 size, u64 flags)
{
	struct kbpf_ringbuf *rb = ringbuf_of(map);

	if (unlikely(flags || !rb))
		return NULL;
	return ringbuf_reserve(rb, size);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_reserve);

/**
 * kbpf_ringbuf_submit() - bpf_ringbuf_submit(): publish a reserved record
 * @sample: what kbpf_ringbuf_reserve() returned
 * @flags:  BPF_RB_NO_WAKEUP: wake no one; BPF_RB_FORCE_WAKEUP: wake the
 *          consumer in any case; neither: wake it if it waits for this
 *          record.  Other bits are ignored, as the kernel does.
 */
void kbpf_ringbuf_submit(void *sample, u64 flags)
{
	ringbuf_commit(sample, flags, false);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_submit);

/**
 * kbpf_ringbuf_discard() - bpf_ringbuf_discard(): drop a reserved record
 * @sample: what kbpf_ringbuf_reserve() returned
 * @flags:  as for kbpf_ringbuf_submit()
 *
 * The record keeps its place with BPF_RINGBUF_DISCARD_BIT set; consumers
 * skip it.
 */
void kbpf_ringbuf_discard(void *sample, u64 flags)
{
	ringbuf_commit(sample, flags, true);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_discard);

/**
 * kbpf_ringbuf_output() - bpf_ringbuf_output(): copy @data into a record
 * @map:   a RINGBUF map
 * @data:  @size bytes
 * @size:  bytes to copy
 * @flags: BPF_RB_NO_WAKEUP or BPF_RB_FORCE_WAKEUP, as for a submit
 *
 * Return: 0, -EINVAL for other flags, -EAGAIN when the record does not
 * fit (as the kernel, whatever the reason the reservation failed).
 */
long kbpf_ringbuf_output(struct kbpf_map *map, const void *data, u64 size,
			 u64 flags)
{
	struct kbpf_ringbuf *rb = ringbuf_of(map);
	void *rec;

	if (unlikely(flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) || !rb)
		return -EINVAL;
	rec = ringbuf_reserve(rb, size);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	ringbuf_commit(rec, flags, false);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_output);

/**
 * kbpf_ringbuf_query() - bpf_ringbuf_query(): the ring's state
 * @map:   a RINGBUF map
 * @flags: BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS or
 *         BPF_RB_PROD_POS
 *
 * Return: the value asked for; 0 for any other @flags.
 */
u64 kbpf_ringbuf_query(struct kbpf_map *map, u64 flags)
{
	struct kbpf_ringbuf *rb = ringbuf_of(map);

	if (!rb)
		return 0;
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return ringbuf_avail_data(rb);
	case BPF_RB_RING_SIZE:
		return rb->mask + 1;
	case BPF_RB_CONS_POS:
		/* Pairs with the consumer's release of consumer_pos. */
		return smp_load_acquire(&rb->consumer_pos);
	case BPF_RB_PROD_POS:
		/* Pairs with the producers' release of producer_pos. */
		return smp_load_acquire(&rb->producer_pos);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_query);

/*
 * For the KUnit suite: what userspace maps at offset 0 (consumer page,
 * producer page, data pages twice), as the kernel sees it.
 */
void *kbpf_ringbuf_user_area(struct kbpf_map *map)
{
	return &to_rb_map(map)->rb->consumer_pos;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_user_area);

/* For the KUnit suite: wait until queued wake-ups have run. */
void kbpf_ringbuf_wakeup_sync(struct kbpf_map *map)
{
	irq_work_sync(&to_rb_map(map)->rb->work);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_ringbuf_wakeup_sync);
