// SPDX-License-Identifier: GPL-2.0
/*
 * Perf buffers: what KBPF_IOC_PERF_BUFFER creates, kbpf's stand-in for a
 * PERF_COUNT_SW_BPF_OUTPUT perf event on one CPU.  Userspace mmap()s a
 * ring from its fd and polls it; bpf_perf_event_output() (in kbpf,
 * kbpf_perf_event_output() in perf_event_array.c) writes records into it.
 *
 * The ring is kernel/events/ring_buffer.c's, record for record: the same
 * header page, the same PERF_RECORD_SAMPLE and PERF_RECORD_LOST layouts,
 * the same reservation of space against data_tail, the same publication of
 * data_head by the outermost of nested writers, the same wakeup
 * accounting.  As perf's, it is written lock-free, from any context
 * including NMI, by writers on the buffer's CPU only (the caller checks);
 * pollers are woken from an irq_work.
 *
 * Lifetimes.  A buffer is held by its fd's file and by every map slot
 * that stores it.  Its ring exists while it is mapped: the first mmap()
 * creates it, sized by that mapping, the last munmap() detaches it.
 * Writers reach both under RCU only, so both are freed from RCU callbacks:
 * after a grace period no writer that found them is left.  Nothing there
 * sleeps, so module exit's rcu_barrier() covers the frees, and no buffer
 * keeps the module pinned once its fd is closed.
 */
#include <linux/anon_inodes.h>
#include <linux/circ_buf.h>
#include <linux/compat.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kbpf.h>
#include <linux/mm.h>
#include <linux/perf_event.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/wait.h>
#include <asm/local.h>

#include "kbpf.h"

/*
 * perf's rb_alloc() gives up when the ring's page pointers (and its
 * struct) would pass 4 MiB: at most 2^18 data pages of 4 KiB, 1 GiB.
 */
#define KBPF_PERF_MAX_DATA_PAGES	((PAGE_SIZE << 10) / sizeof(void *) / 2)

#define KBPF_PERF_BUFFER_FLAGS		KBPF_PERF_BUFFER_WATERMARK

/**
 * struct kbpf_perf_ring - a mapped ring, perf's struct perf_buffer
 * @pages:     the header page, then the data pages
 * @user_page: the header page
 * @nr_pages:  data pages: 0 or a power of 2
 * @watermark: bytes between wakeups
 * @overwrite: the first mapping was read-only: data_tail is not honoured
 * @nest:      writers nested on the buffer's CPU (NMI in IRQ in task)
 * @head:      bytes reserved so far
 * @wakeup:    changes when a wakeup is due; compared at the outermost end
 * @events:    records since the last wakeup_events wakeup
 * @lost:      records refused since the last PERF_RECORD_LOST
 * @poll:      the EPOLL* bits the next poll() reports, then clears
 * @charged:   bytes charged to kbpf's limit
 * @rcu:       the free, after the writers that might have seen the ring
 */
struct kbpf_perf_ring {
	struct kbpf_pages pages;
	struct perf_event_mmap_page *user_page;
	unsigned long nr_pages;
	unsigned long watermark;
	bool overwrite;
	unsigned int nest;
	local_t head;
	local_t wakeup;
	local_t events;
	local_t lost;
	atomic_t poll;
	u64 charged;
	struct rcu_head rcu;
};

/**
 * struct kbpf_perf_buffer - a perf buffer, perf's struct perf_event
 * @refcnt:           its fd's file and the map slots holding it
 * @id:               unique id, PERF_RECORD_LOST's and PERF_EVENT_IOC_ID's
 * @cpu:              the CPU it serves
 * @enabled:          PERF_EVENT_IOC_ENABLE/DISABLE
 * @watermark:        KBPF_PERF_BUFFER_WATERMARK was given
 * @wakeup_events:    wake every this many records (without @watermark)
 * @wakeup_watermark: bytes between wakeups (with @watermark; 0: half)
 * @rb:               the ring while mapped, else NULL
 * @mmap_count:       mappings of the ring; the last one detaches it
 * @mmap_mutex:       orders attaching and detaching the ring
 * @waitq:            pollers
 * @wakeup_work:      wakes them from any context
 * @rcu:              the free
 */
struct kbpf_perf_buffer {
	refcount_t refcnt;
	u64 id;
	u32 cpu;
	bool enabled;
	bool watermark;
	u32 wakeup_events;
	u32 wakeup_watermark;
	struct kbpf_perf_ring __rcu *rb;
	atomic_t mmap_count;
	struct mutex mmap_mutex;	/* attaching and detaching @rb */
	wait_queue_head_t waitq;
	struct irq_work wakeup_work;
	struct rcu_head rcu;
};

static atomic64_t kbpf_perf_buffer_ids = ATOMIC64_INIT(0);

static const struct file_operations kbpf_perf_buffer_fops;

/* --- the ring */

static void *ring_data_page(const struct kbpf_perf_ring *rb, unsigned long nr)
{
	return page_address(rb->pages.pages[1 + nr]);
}

static unsigned long ring_data_size(const struct kbpf_perf_ring *rb)
{
	return rb->nr_pages << PAGE_SHIFT;
}

static struct kbpf_perf_ring *ring_alloc(struct kbpf_perf_buffer *buf,
					 unsigned long nr_pages, bool writable)
{
	unsigned long max_size = nr_pages << PAGE_SHIFT, watermark;
	int node = cpu_to_node(buf->cpu);
	struct perf_event_mmap_page *up;
	struct kbpf_perf_ring *rb;
	u64 charged;

	if (nr_pages > KBPF_PERF_MAX_DATA_PAGES)
		return ERR_PTR(-ENOMEM);
	charged = sizeof(*rb) + (u64)(nr_pages + 1) * PAGE_SIZE;
	if (kbpf_mem_charge(charged))
		return ERR_PTR(-ENOMEM);
	rb = kzalloc_node(sizeof(*rb), GFP_KERNEL_ACCOUNT, node);
	if (!rb)
		goto uncharge;
	if (kbpf_pages_alloc(&rb->pages, nr_pages + 1, node))
		goto free_rb;
	rb->charged = charged;
	rb->user_page = page_address(rb->pages.pages[0]);
	rb->nr_pages = nr_pages;
	rb->overwrite = !writable;

	/* ring_buffer_init(): a watermark past the ring is the ring. */
	watermark = buf->watermark ? buf->wakeup_watermark : 0;
	if (watermark)
		rb->watermark = min(max_size, watermark);
	if (!rb->watermark)
		rb->watermark = max_size / 2;

	/* perf_event_init_userpage(); a perf buffer has no counter or times. */
	up = rb->user_page;
	up->cap_bit0_is_deprecated = 1;
	up->size = offsetof(struct perf_event_mmap_page, __reserved);
	up->data_offset = PAGE_SIZE;
	up->data_size = max_size;
	return rb;

free_rb:
	kfree(rb);
uncharge:
	kbpf_mem_uncharge(charged);
	return ERR_PTR(-ENOMEM);
}

static void ring_free_rcu(struct rcu_head *rcu)
{
	struct kbpf_perf_ring *rb = container_of(rcu, struct kbpf_perf_ring, rcu);
	u64 charged = rb->charged;
	u32 i;

	/* The fault handler pointed them at the file, as perf's does. */
	for (i = 0; i < rb->pages.nr_pages; i++)
		rb->pages.pages[i]->mapping = NULL;
	kbpf_pages_free(&rb->pages);
	kfree(rb);
	kbpf_mem_uncharge(charged);
}

/* What perf_output_begin() hands on to the copies and to the end. */
struct ring_handle {
	struct kbpf_perf_buffer *buf;
	struct kbpf_perf_ring *rb;
	unsigned long wakeup;
	unsigned long page;
	u8 *addr;
	unsigned long size;
};

static void ring_wakeup(struct ring_handle *h)
{
	atomic_set(&h->rb->poll, (__force int)(EPOLLIN | EPOLLRDNORM));
	irq_work_queue(&h->buf->wakeup_work);
}

static void ring_get_handle(struct ring_handle *h)
{
	struct kbpf_perf_ring *rb = h->rb;

	preempt_disable();
	WRITE_ONCE(rb->nest, READ_ONCE(rb->nest) + 1);
	h->wakeup = local_read(&rb->wakeup);
}

/*
 * Only the outermost writer publishes data_head, and only a head no
 * nested writer moved past meanwhile; see perf_output_put_handle() for
 * the barriers against the consumer (which reads data_head, then the
 * data, then writes data_tail).
 */
static void ring_put_handle(struct ring_handle *h)
{
	struct kbpf_perf_ring *rb = h->rb;
	unsigned long head;
	unsigned int nest;

	nest = READ_ONCE(rb->nest);
	if (nest > 1) {
		WRITE_ONCE(rb->nest, nest - 1);
		goto out;
	}
again:
	barrier();
	head = local_read(&rb->head);
	smp_wmb();	/* the data before data_head; pairs with the reader's rmb */
	WRITE_ONCE(rb->user_page->data_head, head);
	barrier();
	WRITE_ONCE(rb->nest, 0);
	barrier();
	if (unlikely(head != local_read(&rb->head))) {
		WRITE_ONCE(rb->nest, 1);
		goto again;
	}
	if (h->wakeup != local_read(&rb->wakeup))
		ring_wakeup(h);
out:
	preempt_enable();
}

/* Copy @len bytes into the ring, or skip them (leaving what was there) for NULL. */
static void ring_copy(struct ring_handle *h, const void *src, unsigned long len)
{
	const u8 *from = src;

	do {
		unsigned long n = min(h->size, len);

		if (from) {
			memcpy(h->addr, from, n);
			from += n;
		}
		len -= n;
		h->addr += n;
		h->size -= n;
		if (!h->size) {
			h->page = (h->page + 1) & (h->rb->nr_pages - 1);
			h->addr = ring_data_page(h->rb, h->page);
			h->size = PAGE_SIZE;
		}
	} while (len);
}

/*
 * perf_output_begin(): reserve @size bytes, and in front of them a
 * PERF_RECORD_LOST for the records refused since the last one.  Without
 * room (unless overwriting) the record is counted lost.
 */
static int ring_begin(struct ring_handle *h, unsigned int size)
{
	struct kbpf_perf_ring *rb = h->rb;
	unsigned long tail, offset, head;
	long have_lost, old;
	struct {
		struct perf_event_header header;
		u64 id;
		u64 lost;
	} lost_event;

	/* No data pages: perf's ring is paused and counts nothing. */
	if (unlikely(!rb->nr_pages))
		return -ENOSPC;

	have_lost = local_read(&rb->lost);
	if (unlikely(have_lost))
		size += sizeof(lost_event);

	ring_get_handle(h);
	offset = local_read(&rb->head);
	for (;;) {
		head = offset;
		tail = READ_ONCE(rb->user_page->data_tail);
		/* A control dependency orders the data stores after the tail load. */
		if (!rb->overwrite &&
		    unlikely(CIRC_SPACE(head, tail, ring_data_size(rb)) < size))
			goto fail;
		head += size;
		old = local_cmpxchg(&rb->head, (long)offset, (long)head);
		if (old == (long)offset)
			break;
		offset = old;
	}

	if (unlikely(head - local_read(&rb->wakeup) > rb->watermark))
		local_add(rb->watermark, &rb->wakeup);

	h->page = (offset >> PAGE_SHIFT) & (rb->nr_pages - 1);
	offset &= PAGE_SIZE - 1;
	h->addr = (u8 *)ring_data_page(rb, h->page) + offset;
	h->size = PAGE_SIZE - offset;

	if (unlikely(have_lost)) {
		lost_event.header.type = PERF_RECORD_LOST;
		lost_event.header.misc = 0;
		lost_event.header.size = sizeof(lost_event);
		lost_event.id = h->buf->id;
		lost_event.lost = local_xchg(&rb->lost, 0);
		ring_copy(h, &lost_event, sizeof(lost_event));
	}
	return 0;

fail:
	local_inc(&rb->lost);
	ring_put_handle(h);
	return -ENOSPC;
}

/* perf_event_output() of a PERF_SAMPLE_RAW sample, perf_output_sample()'s layout. */
static int ring_output_raw(struct ring_handle *h, u16 misc, const void *data,
			   u32 size)
{
	struct kbpf_perf_buffer *buf = h->buf;
	u32 raw_size = round_up(size + sizeof(u32), sizeof(u64)) - sizeof(u32);
	struct perf_event_header header = {
		.type = PERF_RECORD_SAMPLE,
		.misc = misc,
		.size = sizeof(header) + sizeof(raw_size) + raw_size,
	};
	int err;

	err = ring_begin(h, header.size);
	if (err)
		return err;
	ring_copy(h, &header, sizeof(header));
	ring_copy(h, &raw_size, sizeof(raw_size));
	ring_copy(h, data, size);
	ring_copy(h, NULL, raw_size - size);	/* padding, skipped as perf does */

	if (!buf->watermark && buf->wakeup_events) {
		int events = local_inc_return(&h->rb->events);

		if (events >= (int)buf->wakeup_events) {
			local_sub(buf->wakeup_events, &h->rb->events);
			local_inc(&h->rb->wakeup);
		}
	}
	ring_put_handle(h);
	return 0;
}

/**
 * kbpf_perf_buffer_output() - write a PERF_RECORD_SAMPLE with raw data
 * @buf:  the buffer
 * @misc: the record header's misc (PERF_RECORD_MISC_*)
 * @data: the raw bytes
 * @size: how many
 *
 * Any context, NMI included.  Writers of one buffer must be serialized by
 * running on one CPU, as kbpf_perf_event_output() ensures (the buffer's).
 *
 * Return: 0; -ENOSPC when the buffer has no ring, or it had no room and
 * the record was counted lost; -E2BIG when the record's size would not
 * fit struct perf_event_header's 16 bits (more than 65516 bytes).
 */
int kbpf_perf_buffer_output(struct kbpf_perf_buffer *buf, u16 misc,
			    const void *data, u64 size)
{
	struct ring_handle h = { .buf = buf };
	int err = -ENOSPC;

	if (size > KBPF_PERF_MAX_RAW_SIZE)
		return -E2BIG;
	rcu_read_lock();
	h.rb = rcu_dereference(buf->rb);
	if (h.rb)
		err = ring_output_raw(&h, misc, data, size);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_output);

/* --- the buffer */

static void perf_buffer_wakeup_work(struct irq_work *work)
{
	struct kbpf_perf_buffer *buf = container_of(work, struct kbpf_perf_buffer,
						    wakeup_work);

	wake_up_all(&buf->waitq);
}

/**
 * kbpf_perf_buffer_new() - a perf buffer from KBPF_IOC_PERF_BUFFER's attr
 * @attr: the attributes (size already dealt with)
 *
 * Return: the buffer with one reference, or ERR_PTR: -EINVAL for unknown
 * flags, a wakeup setting above INT_MAX or a CPU past the possible ones,
 * -ENODEV for a CPU that is not online, -ENOMEM.
 */
struct kbpf_perf_buffer *kbpf_perf_buffer_new(const struct kbpf_perf_buffer_attr *attr)
{
	struct kbpf_perf_buffer *buf;

	if (attr->flags & ~KBPF_PERF_BUFFER_FLAGS)
		return ERR_PTR(-EINVAL);
	/* perf keeps them in an int */
	if (attr->wakeup_events > INT_MAX)
		return ERR_PTR(-EINVAL);
	if (attr->cpu >= nr_cpu_ids)
		return ERR_PTR(-EINVAL);
	if (!cpu_online(attr->cpu))
		return ERR_PTR(-ENODEV);

	if (kbpf_obj_charge())
		return ERR_PTR(-E2BIG);
	if (kbpf_mem_charge(sizeof(*buf))) {
		kbpf_obj_uncharge();
		return ERR_PTR(-ENOMEM);
	}
	buf = kzalloc_node(sizeof(*buf), GFP_KERNEL_ACCOUNT, cpu_to_node(attr->cpu));
	if (!buf) {
		kbpf_mem_uncharge(sizeof(*buf));
		kbpf_obj_uncharge();
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&buf->refcnt, 1);
	buf->id = atomic64_inc_return(&kbpf_perf_buffer_ids);
	buf->cpu = attr->cpu;
	buf->enabled = true;
	buf->watermark = attr->flags & KBPF_PERF_BUFFER_WATERMARK;
	if (buf->watermark)
		buf->wakeup_watermark = attr->wakeup_watermark;
	else
		buf->wakeup_events = attr->wakeup_events;
	atomic_set(&buf->mmap_count, 0);
	mutex_init(&buf->mmap_mutex);
	init_waitqueue_head(&buf->waitq);
	init_irq_work(&buf->wakeup_work, perf_buffer_wakeup_work);
	return buf;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_new);

void kbpf_perf_buffer_get(struct kbpf_perf_buffer *buf)
{
	refcount_inc(&buf->refcnt);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_get);

static void perf_buffer_free_rcu(struct rcu_head *rcu)
{
	struct kbpf_perf_buffer *buf = container_of(rcu, struct kbpf_perf_buffer, rcu);
	struct kbpf_perf_ring *rb;

	/*
	 * irq_work_sync() may sleep.  A writer queues the wakeup inside its
	 * RCU read-side section and the work runs as soon as that CPU takes
	 * interrupts again, so after the grace period it has run; wait in
	 * case it still is running.
	 */
	while (irq_work_is_busy(&buf->wakeup_work))
		cpu_relax();
	/*
	 * Mappings hold the file, and the last one detaches the ring; one
	 * left means an mmap() failed after ours without closing the VMA.
	 * No writer can see it any more.
	 */
	rb = rcu_dereference_protected(buf->rb, true);
	if (rb)
		ring_free_rcu(&rb->rcu);
	mutex_destroy(&buf->mmap_mutex);
	kfree(buf);
	kbpf_mem_uncharge(sizeof(*buf));
	kbpf_obj_uncharge();
}

/**
 * kbpf_perf_buffer_put() - drop a reference; the last one frees the buffer
 * @buf: the buffer
 *
 * Any context but NMI: the free waits for an RCU grace period.
 */
void kbpf_perf_buffer_put(struct kbpf_perf_buffer *buf)
{
	if (refcount_dec_and_test(&buf->refcnt))
		call_rcu(&buf->rcu, perf_buffer_free_rcu);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_put);

/* The CPU the buffer takes output on, or -1 while it is disabled. */
int kbpf_perf_buffer_oncpu(const struct kbpf_perf_buffer *buf)
{
	return READ_ONCE(buf->enabled) ? (int)buf->cpu : -1;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_oncpu);

void kbpf_perf_buffer_enable(struct kbpf_perf_buffer *buf, bool enable)
{
	WRITE_ONCE(buf->enabled, enable);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_enable);

u64 kbpf_perf_buffer_id(const struct kbpf_perf_buffer *buf)
{
	return buf->id;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_id);

/**
 * kbpf_perf_buffer_map() - account one more mapping of the ring
 * @buf:      the buffer
 * @nr_pages: data pages the mapping covers (0 or a power of 2)
 * @writable: the mapping is writable (only matters for the first)
 *
 * What perf_mmap() does for the ring once the mapping's shape is checked:
 * the first mapping creates the ring with its size, later ones must
 * match it.  Return: 0, -EINVAL for another size, -ENOMEM.
 */
int kbpf_perf_buffer_map(struct kbpf_perf_buffer *buf, unsigned long nr_pages,
			 bool writable)
{
	struct kbpf_perf_ring *rb;
	int err = 0;

	mutex_lock(&buf->mmap_mutex);
	rb = rcu_dereference_protected(buf->rb, lockdep_is_held(&buf->mmap_mutex));
	if (rb) {
		/* mmap_count reaches 0 under the mutex, together with the detach */
		if (rb->nr_pages != nr_pages)
			err = -EINVAL;
	} else {
		rb = ring_alloc(buf, nr_pages, writable);
		if (IS_ERR(rb))
			err = PTR_ERR(rb);
		else
			rcu_assign_pointer(buf->rb, rb);
	}
	if (!err)
		atomic_inc(&buf->mmap_count);
	mutex_unlock(&buf->mmap_mutex);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_map);

/**
 * kbpf_perf_buffer_unmap() - a mapping of the ring is gone
 * @buf: the buffer
 *
 * The last one detaches the ring (freed after the writers that might
 * still use it) and wakes pollers, who then see EPOLLHUP.
 */
void kbpf_perf_buffer_unmap(struct kbpf_perf_buffer *buf)
{
	struct kbpf_perf_ring *rb;

	if (!atomic_dec_and_mutex_lock(&buf->mmap_count, &buf->mmap_mutex))
		return;
	rb = rcu_dereference_protected(buf->rb, lockdep_is_held(&buf->mmap_mutex));
	RCU_INIT_POINTER(buf->rb, NULL);
	mutex_unlock(&buf->mmap_mutex);
	call_rcu(&rb->rcu, ring_free_rcu);
	wake_up_all(&buf->waitq);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_unmap);

/**
 * kbpf_perf_buffer_user_page() - the ring's header page, in kernel memory
 * @buf: the buffer, with its ring mapped (else NULL)
 */
struct perf_event_mmap_page *kbpf_perf_buffer_user_page(struct kbpf_perf_buffer *buf)
{
	struct perf_event_mmap_page *up = NULL;
	struct kbpf_perf_ring *rb;

	rcu_read_lock();
	rb = rcu_dereference(buf->rb);
	if (rb)
		up = rb->user_page;
	rcu_read_unlock();
	return up;	/* valid while the caller keeps the ring mapped */
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_user_page);

/**
 * kbpf_perf_buffer_read() - copy from the ring's data area, as a reader
 * @buf: the buffer, with its ring mapped
 * @pos: position (data_tail or beyond); wraps around the data area
 * @dst: where to
 * @len: bytes
 *
 * Return: 0, or -ENOSPC without a ring or data pages.
 */
int kbpf_perf_buffer_read(struct kbpf_perf_buffer *buf, u64 pos, void *dst,
			  u32 len)
{
	struct kbpf_perf_ring *rb;
	u8 *to = dst;
	int err = 0;

	rcu_read_lock();
	rb = rcu_dereference(buf->rb);
	if (!rb || !rb->nr_pages)
		err = -ENOSPC;
	while (!err && len) {
		unsigned long off = pos & (PAGE_SIZE - 1);
		u32 n = min_t(unsigned long, len, PAGE_SIZE - off);
		u8 *page = ring_data_page(rb, (pos >> PAGE_SHIFT) & (rb->nr_pages - 1));

		memcpy(to, page + off, n);
		to += n;
		pos += n;
		len -= n;
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_read);

/**
 * kbpf_perf_buffer_poll() - perf_poll() on a buffer
 * @buf:  the buffer
 * @file: its file, for poll_wait()
 * @pt:   the poll table, or NULL
 *
 * Return: EPOLLHUP without a ring; else the EPOLLIN | EPOLLRDNORM a wakeup
 * left since the last poll, which this poll clears.
 */
__poll_t kbpf_perf_buffer_poll(struct kbpf_perf_buffer *buf, struct file *file,
			       struct poll_table_struct *pt)
{
	struct kbpf_perf_ring *rb;
	__poll_t events = EPOLLHUP;

	poll_wait(file, &buf->waitq, pt);
	mutex_lock(&buf->mmap_mutex);
	rb = rcu_dereference_protected(buf->rb, lockdep_is_held(&buf->mmap_mutex));
	if (rb)
		events = (__force __poll_t)atomic_xchg(&rb->poll, 0);
	mutex_unlock(&buf->mmap_mutex);
	return events;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_buffer_poll);

/* --- the fd */

/* The buffer behind @file, or NULL when it is not a perf buffer's. */
struct kbpf_perf_buffer *kbpf_perf_buffer_from_file(struct file *file)
{
	return file->f_op == &kbpf_perf_buffer_fops ? file->private_data : NULL;
}

static int perf_buffer_release(struct inode *inode, struct file *file)
{
	kbpf_perf_buffer_put(file->private_data);
	return 0;
}

static vm_fault_t perf_buffer_fault(struct vm_fault *vmf)
{
	struct kbpf_perf_buffer *buf = vmf->vma->vm_file->private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct kbpf_perf_ring *rb;
	struct page *page;

	/* page_mkwrite: only the header page (data_tail) may be written. */
	if (vmf->flags & FAULT_FLAG_MKWRITE)
		return vmf->pgoff == 0 ? 0 : VM_FAULT_SIGBUS;

	rcu_read_lock();
	rb = rcu_dereference(buf->rb);
	if (!rb || vmf->pgoff > rb->nr_pages)
		goto unlock;
	if (vmf->pgoff && (vmf->flags & FAULT_FLAG_WRITE))
		goto unlock;
	page = rb->pages.pages[vmf->pgoff];
	get_page(page);
	/* page_mkwrite's caller wants a mapping, as for perf's pages */
	page->mapping = vmf->vma->vm_file->f_mapping;
	page->index = vmf->pgoff;
	vmf->page = page;
	ret = 0;
unlock:
	rcu_read_unlock();
	return ret;
}

static void perf_buffer_vm_open(struct vm_area_struct *vma)
{
	struct kbpf_perf_buffer *buf = vma->vm_file->private_data;

	atomic_inc(&buf->mmap_count);
}

static void perf_buffer_vm_close(struct vm_area_struct *vma)
{
	kbpf_perf_buffer_unmap(vma->vm_file->private_data);
}

/* Each mapping counts once: none may be split by a partial munmap() or mprotect(). */
static int perf_buffer_vm_may_split(struct vm_area_struct *vma,
				    unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct kbpf_perf_buffer_vmops = {
	.open		= perf_buffer_vm_open,
	.close		= perf_buffer_vm_close,
	.fault		= perf_buffer_fault,
	.page_mkwrite	= perf_buffer_fault,
	.may_split	= perf_buffer_vm_may_split,
};

/*
 * A mapping past the ring's first page is perf's AUX area.  Perf checks
 * it against aux_offset and aux_size in the header page before it finds
 * the event cannot have one; so do we.
 */
static int perf_buffer_mmap_aux(struct kbpf_perf_buffer *buf,
				struct vm_area_struct *vma)
{
	unsigned long vma_size = vma->vm_end - vma->vm_start;
	unsigned long nr_pages = vma_size / PAGE_SIZE;
	struct kbpf_perf_ring *rb;
	u64 aux_offset, aux_size;
	int err = -EINVAL;

	if (!rcu_access_pointer(buf->rb))
		return -EINVAL;
	if (nr_pages > INT_MAX)
		return -ENOMEM;

	mutex_lock(&buf->mmap_mutex);
	rb = rcu_dereference_protected(buf->rb, lockdep_is_held(&buf->mmap_mutex));
	if (!rb)
		goto unlock;
	aux_offset = READ_ONCE(rb->user_page->aux_offset);
	aux_size = READ_ONCE(rb->user_page->aux_size);
	if (aux_offset < ring_data_size(rb) + PAGE_SIZE)
		goto unlock;
	if (aux_offset != (u64)vma->vm_pgoff << PAGE_SHIFT)
		goto unlock;
	if (aux_size != vma_size || aux_size != (u64)nr_pages * PAGE_SIZE)
		goto unlock;
	if (!is_power_of_2(nr_pages))
		goto unlock;
	err = -EOPNOTSUPP;	/* rb_alloc_aux(): no AUX for this event */
unlock:
	mutex_unlock(&buf->mmap_mutex);
	return err;
}

/* perf_mmap(): the header page and 2^n data pages at offset 0. */
static int perf_buffer_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kbpf_perf_buffer *buf = file->private_data;
	unsigned long vma_size = vma->vm_end - vma->vm_start;
	unsigned long nr_pages;
	int err;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff)
		return perf_buffer_mmap_aux(buf, vma);

	nr_pages = vma_size / PAGE_SIZE - 1;
	if (nr_pages && !is_power_of_2(nr_pages))
		return -EINVAL;
	if (vma_size != PAGE_SIZE * (1 + nr_pages))
		return -EINVAL;

	err = kbpf_perf_buffer_map(buf, nr_pages, vma->vm_flags & VM_WRITE);
	if (err)
		return err;
	/* The mapping cannot be inherited, grown, or dumped. */
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &kbpf_perf_buffer_vmops;
	return 0;
}

static __poll_t perf_buffer_poll(struct file *file, struct poll_table_struct *pt)
{
	return kbpf_perf_buffer_poll(file->private_data, file, pt);
}

static long perf_buffer_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct kbpf_perf_buffer *buf = file->private_data;

	switch (cmd) {
	case PERF_EVENT_IOC_ENABLE:
		kbpf_perf_buffer_enable(buf, true);
		return 0;
	case PERF_EVENT_IOC_DISABLE:
		kbpf_perf_buffer_enable(buf, false);
		return 0;
	case PERF_EVENT_IOC_ID:
		return put_user(buf->id, (u64 __user *)arg);
	}
	return -ENOTTY;
}

#ifdef CONFIG_COMPAT
/* PERF_EVENT_IOC_ID's number encodes a pointer's size, as perf_compat_ioctl() knows. */
static long perf_buffer_compat_ioctl(struct file *file, unsigned int cmd,
				     unsigned long arg)
{
	if (_IOC_TYPE(cmd) == _IOC_TYPE(PERF_EVENT_IOC_ID) &&
	    _IOC_NR(cmd) == _IOC_NR(PERF_EVENT_IOC_ID) &&
	    _IOC_SIZE(cmd) == sizeof(compat_uptr_t)) {
		cmd &= ~IOCSIZE_MASK;
		cmd |= sizeof(void *) << IOCSIZE_SHIFT;
	}
	return perf_buffer_ioctl(file, cmd, (unsigned long)compat_ptr(arg));
}
#else
#define perf_buffer_compat_ioctl NULL
#endif

static const struct file_operations kbpf_perf_buffer_fops = {
	.owner		= THIS_MODULE,
	.release	= perf_buffer_release,
	.mmap		= perf_buffer_mmap,
	.poll		= perf_buffer_poll,
	.unlocked_ioctl	= perf_buffer_ioctl,
	.compat_ioctl	= perf_buffer_compat_ioctl,
	.llseek		= noop_llseek,
};

/**
 * kbpf_ioctl_perf_buffer() - KBPF_IOC_PERF_BUFFER
 * @uattr: the caller's struct kbpf_perf_buffer_attr
 *
 * Return: a new O_CLOEXEC fd on the buffer, or -errno (see the UAPI).
 */
int kbpf_ioctl_perf_buffer(const void __user *uattr)
{
	struct kbpf_perf_buffer_attr attr;
	struct kbpf_perf_buffer *buf;
	u32 size;
	int err, fd;

	if (get_user(size, (const u32 __user *)uattr))
		return -EFAULT;
	if (size < KBPF_PERF_BUFFER_ATTR_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&attr, sizeof(attr), uattr, size);
	if (err)
		return err;

	buf = kbpf_perf_buffer_new(&attr);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	fd = anon_inode_getfd("kbpf-perf-buffer", &kbpf_perf_buffer_fops, buf,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kbpf_perf_buffer_put(buf);
	return fd;
}
