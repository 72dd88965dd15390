// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The BPF_MAP_TYPE_RINGBUF consumer, as libbpf's ring_buffer: each ring
 * is mapped as the kernel lays it out (the consumer page writable at 0,
 * the producer page and the data twice over read-only after it), the map
 * fds wake an epoll set, and records are read from the consumer position
 * to the producer position with the kernel's header bits.  kbpf's rings
 * have the same layout, so one consumer reads both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct ring {
	abpf_ringbuf_fn fn;
	void *ctx;
	unsigned long *consumer_pos;	/* the consumer page */
	unsigned long *producer_pos;	/* the producer page */
	unsigned char *data;		/* after it, mapped twice */
	size_t mask;
	size_t prod_len;
};

struct abpf_ringbuf {
	struct abpf *h;
	int epfd;
	size_t page;
	struct ring *rings;
	size_t n;
	struct epoll_event *events;
};

static long page_size(const struct abpf_sys *sys)
{
	long page = ABPF_SYS_CALL(sys, sysconf, _SC_PAGESIZE);

	return page > 0 ? page : -EINVAL;
}

abpf_errno abpf_ringbuf_new(struct abpf_map *map, abpf_ringbuf_fn fn,
			    void *ctx, const struct abpf_ringbuf_opts *opts,
			    struct abpf_ringbuf **out)
{
	const struct abpf_sys *sys = map->h->sys;
	struct abpf_ringbuf *rb;
	abpf_errno err;
	long ret;

	if (!OPTS_VALID(opts, abpf_ringbuf_opts) ||
	    map->type != BPF_MAP_TYPE_RINGBUF)
		return abpf_err(EINVAL);
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return abpf_err(ENOMEM);
	rb->h = abpf_ref(map->h);
	rb->epfd = -1;
	ret = page_size(sys);
	if (ret < 0)
		goto fail;
	rb->page = (size_t)ret;
	ret = ABPF_SYS_CALL(sys, epoll_create1, EPOLL_CLOEXEC);
	if (ret < 0)
		goto fail;
	rb->epfd = (int)ret;
	err = abpf_ringbuf_add(rb, map, fn, ctx);
	if (!abpf_ok(err)) {
		abpf_ringbuf_free(rb);
		return err;
	}
	*out = rb;
	return abpf_err(0);
fail:
	abpf_ringbuf_free(rb);
	return abpf_err_ret(ret);
}

static void ring_unmap(const struct abpf_sys *sys, struct ring *r, size_t page)
{
	if (r->consumer_pos && sys->munmap)
		sys->munmap(r->consumer_pos, page);
	if (r->producer_pos && sys->munmap)
		sys->munmap(r->producer_pos, r->prod_len);
	r->consumer_pos = NULL;
	r->producer_pos = NULL;
}

abpf_errno abpf_ringbuf_add(struct abpf_ringbuf *rb, struct abpf_map *map,
			    abpf_ringbuf_fn fn, void *ctx)
{
	const struct abpf_sys *sys = rb->h->sys;
	struct epoll_event ev = { .events = EPOLLIN };
	struct epoll_event *events;
	struct ring *rings, *r;
	size_t size = map->max_entries;
	long ret;
	void *p;

	/* Maps of another handle may use another table: refuse them. */
	if (map->type != BPF_MAP_TYPE_RINGBUF || map->h->sys != sys || !fn ||
	    !size || (size & (size - 1)))
		return abpf_err(EINVAL);
	rings = realloc(rb->rings, (rb->n + 1) * sizeof(*rings));
	if (!rings)
		return abpf_err(ENOMEM);
	rb->rings = rings;
	events = realloc(rb->events, (rb->n + 1) * sizeof(*events));
	if (!events)
		return abpf_err(ENOMEM);
	rb->events = events;

	r = &rb->rings[rb->n];
	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->ctx = ctx;
	r->mask = size - 1;
	r->prod_len = rb->page + 2 * size;

	p = sys->mmap ? sys->mmap(NULL, rb->page, PROT_READ | PROT_WRITE,
				  MAP_SHARED, map->fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		ret = sys->mmap ? -(long)abpf__sys_errno(sys) : -ENOSYS;
		goto fail;
	}
	r->consumer_pos = p;
	p = sys->mmap(NULL, r->prod_len, PROT_READ, MAP_SHARED, map->fd,
		      (off_t)rb->page);
	if (p == MAP_FAILED) {
		ret = -(long)abpf__sys_errno(sys);
		goto fail;
	}
	r->producer_pos = p;
	r->data = (unsigned char *)p + rb->page;

	ev.data.u32 = (__u32)rb->n;
	ret = ABPF_SYS_CALL(sys, epoll_ctl, rb->epfd, EPOLL_CTL_ADD, map->fd, &ev);
	if (ret < 0)
		goto fail;
	rb->n++;
	return abpf_err(0);
fail:
	ring_unmap(sys, r, rb->page);
	return abpf_err_ret(ret);
}

static size_t roundup_len(__u32 len)
{
	len &= ~(__u32)BPF_RINGBUF_DISCARD_BIT;
	return ((size_t)len + BPF_RINGBUF_HDR_SZ + 7) & ~(size_t)7;
}

/* Every record the ring holds; -errno from a callback stops it. */
static int ring_consume(struct ring *r, size_t *records)
{
	unsigned long cons, prod;
	bool progress;
	int err;

	cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	do {
		progress = false;
		prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			__u32 *hdr = (__u32 *)(r->data + (cons & r->mask));
			__u32 len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

			if (len & BPF_RINGBUF_BUSY_BIT)
				return 0;	/* not committed yet */
			progress = true;
			cons += roundup_len(len);
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				err = r->fn(r->ctx, (unsigned char *)hdr + BPF_RINGBUF_HDR_SZ,
					    len & ~(__u32)BPF_RINGBUF_DISCARD_BIT);
				(*records)++;
				if (err < 0) {
					__atomic_store_n(r->consumer_pos, cons,
							 __ATOMIC_RELEASE);
					return err;
				}
			}
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
		}
	} while (progress);
	return 0;
}

abpf_errno abpf_ringbuf_consume(struct abpf_ringbuf *rb, size_t *records)
{
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < rb->n && !err; i++)
		err = ring_consume(&rb->rings[i], &n);
	if (records)
		*records = n;
	return abpf_err_ret(err);
}

abpf_errno abpf_ringbuf_poll(struct abpf_ringbuf *rb, int timeout_ms,
			     size_t *records)
{
	size_t n = 0;
	long ready, i;
	int err = 0;

	ready = ABPF_SYS_CALL(rb->h->sys, epoll_wait, rb->epfd, rb->events,
			      (int)rb->n, timeout_ms);
	if (ready < 0)
		return abpf_err_ret(ready);
	for (i = 0; i < ready && !err; i++) {
		__u32 idx = rb->events[i].data.u32;

		if (idx < rb->n)
			err = ring_consume(&rb->rings[idx], &n);
	}
	if (records)
		*records = n;
	return abpf_err_ret(err);
}

int abpf_ringbuf_epoll_fd(const struct abpf_ringbuf *rb)
{
	return rb->epfd;
}

void abpf_ringbuf_free(struct abpf_ringbuf *rb)
{
	size_t i;

	if (!rb)
		return;
	for (i = 0; i < rb->n; i++)
		ring_unmap(rb->h->sys, &rb->rings[i], rb->page);
	abpf__close(rb->h->sys, rb->epfd);
	abpf_unref(rb->h);
	free(rb->rings);
	free(rb->events);
	free(rb);
}
