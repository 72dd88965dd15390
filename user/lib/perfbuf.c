// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The BPF_MAP_TYPE_PERF_EVENT_ARRAY consumer, as libbpf's perf_buffer:
 * one BPF output event per online CPU, mapped, enabled and stored in the
 * map at the CPU's index; records read from data_tail to data_head, those
 * that wrap around the ring copied out first.  The events come from the
 * table's perf_event_open, which on kbpf's table makes kbpf perf buffers,
 * so one consumer reads both backends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "internal.h"

struct cpu_buf {
	int cpu;
	int fd;
	bool stored;		/* its fd is in the map */
	void *base;		/* header page, then the data pages */
	unsigned char *tmp;	/* a record that wraps, copied out */
	size_t tmp_size;
};

struct abpf_perfbuf {
	struct abpf *h;
	int map_fd;
	abpf_perfbuf_sample_fn sample_fn;
	abpf_perfbuf_lost_fn lost_fn;
	void *ctx;
	int epfd;
	size_t page, data_size, mmap_size;
	struct cpu_buf *bufs;
	size_t n;
	struct epoll_event *events;
};

/* Which of @ncpus CPUs are online, from sysfs through the table. */
static int online_cpus(const struct abpf_sys *sys, bool *online,
		       unsigned int ncpus)
{
	char buf[1024], *s = buf, *end;
	long n, a, b, i;

	n = abpf__read_file(sys, "/sys/devices/system/cpu/online", buf,
			    sizeof(buf));
	if (n < 0)
		return (int)n;
	memset(online, 0, ncpus * sizeof(*online));
	while (*s && *s != '\n') {
		a = strtol(s, &end, 10);
		if (end == s || a < 0)
			return -LIBBPF_ERRNO__FORMAT;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -LIBBPF_ERRNO__FORMAT;
			s = end;
		}
		for (i = a; i <= b && i < (long)ncpus; i++)
			online[i] = true;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Open, map and enable @cpu's event, store it in the map, watch it. */
static long cpu_buf_open(struct abpf_perfbuf *pb, struct cpu_buf *cb,
			 __u32 wakeup_events)
{
	const struct abpf_sys *sys = pb->h->sys;
	struct perf_event_attr attr;
	struct epoll_event ev = { .events = EPOLLIN };
	__u32 key = (__u32)cb->cpu, value;
	long ret;
	void *p;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = wakeup_events;
	ret = ABPF_SYS_CALL(sys, perf_event_open, &attr, -1, cb->cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
	if (ret < 0)
		return ret;
	cb->fd = (int)ret;
	if (!sys->mmap)
		return -ENOSYS;
	p = sys->mmap(NULL, pb->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      cb->fd, 0);
	if (p == MAP_FAILED)
		return -(long)abpf__sys_errno(sys);
	cb->base = p;
	ret = ABPF_SYS_CALL(sys, ioctl, cb->fd, PERF_EVENT_IOC_ENABLE, NULL);
	if (ret < 0)
		return ret;
	value = (__u32)cb->fd;
	ret = abpf__map_elem(sys, BPF_MAP_UPDATE_ELEM, pb->map_fd, &key, &value,
			     BPF_ANY);
	if (ret < 0)
		return ret;
	cb->stored = true;
	ev.data.u32 = (__u32)pb->n;
	return ABPF_SYS_CALL(sys, epoll_ctl, pb->epfd, EPOLL_CTL_ADD, cb->fd, &ev);
}

static void cpu_buf_close(struct abpf_perfbuf *pb, struct cpu_buf *cb)
{
	const struct abpf_sys *sys = pb->h->sys;
	__u32 key = (__u32)cb->cpu;

	if (cb->stored)
		abpf__map_elem(sys, BPF_MAP_DELETE_ELEM, pb->map_fd, &key, NULL, 0);
	if (cb->base && sys->munmap)
		sys->munmap(cb->base, pb->mmap_size);
	abpf__close(sys, cb->fd);
	free(cb->tmp);
}

abpf_errno abpf_perfbuf_new(struct abpf_map *map, size_t page_cnt,
			    abpf_perfbuf_sample_fn sample_fn,
			    abpf_perfbuf_lost_fn lost_fn, void *ctx,
			    const struct abpf_perfbuf_opts *opts,
			    struct abpf_perfbuf **out)
{
	const struct abpf_sys *sys = map->h->sys;
	__u32 wakeup = OPTS_GET(opts, wakeup_events, 0);
	struct abpf_perfbuf *pb;
	unsigned int ncpus, cpu;
	bool *online = NULL;
	abpf_errno err;
	long ret;

	if (!OPTS_VALID(opts, abpf_perfbuf_opts) ||
	    map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || map->key_size != 4 ||
	    map->value_size != 4 || !page_cnt || (page_cnt & (page_cnt - 1)) ||
	    !sample_fn)
		return abpf_err(EINVAL);
	err = abpf_num_possible_cpus(map->h, &ncpus);
	if (!abpf_ok(err))
		return err;

	pb = calloc(1, sizeof(*pb));
	online = calloc(ncpus, sizeof(*online));
	if (!pb || !online) {
		free(pb);
		free(online);
		return abpf_err(ENOMEM);
	}
	pb->h = abpf_ref(map->h);
	pb->map_fd = map->fd;
	pb->sample_fn = sample_fn;
	pb->lost_fn = lost_fn;
	pb->ctx = ctx;
	pb->epfd = -1;
	ret = ABPF_SYS_CALL(sys, sysconf, _SC_PAGESIZE);
	if (ret <= 0) {
		ret = ret ? ret : -EINVAL;
		goto fail;
	}
	pb->page = (size_t)ret;
	pb->data_size = page_cnt * pb->page;
	pb->mmap_size = pb->data_size + pb->page;
	pb->bufs = calloc(ncpus, sizeof(*pb->bufs));
	pb->events = calloc(ncpus, sizeof(*pb->events));
	if (!pb->bufs || !pb->events) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = online_cpus(sys, online, ncpus);
	if (ret < 0)
		goto fail;
	ret = ABPF_SYS_CALL(sys, epoll_create1, EPOLL_CLOEXEC);
	if (ret < 0)
		goto fail;
	pb->epfd = (int)ret;

	for (cpu = 0; cpu < ncpus && cpu < map->max_entries; cpu++) {
		struct cpu_buf *cb = &pb->bufs[pb->n];

		if (!online[cpu])
			continue;
		cb->cpu = (int)cpu;
		cb->fd = -1;
		ret = cpu_buf_open(pb, cb, wakeup ? wakeup : 1);
		if (ret < 0) {
			cpu_buf_close(pb, cb);
			goto fail;
		}
		pb->n++;
	}
	free(online);
	*out = pb;
	return abpf_err(0);
fail:
	free(online);
	abpf_perfbuf_free(pb);
	return abpf_err_ret(ret);
}

/* Room for a record of @size that wraps: tmp, grown. */
static unsigned char *tmp_buf(struct cpu_buf *cb, size_t size)
{
	if (cb->tmp_size < size) {
		unsigned char *tmp = realloc(cb->tmp, size);

		if (!tmp)
			return NULL;
		cb->tmp = tmp;
		cb->tmp_size = size;
	}
	return cb->tmp;
}

struct sample_rec {
	struct perf_event_header header;
	__u32 size;
	unsigned char data[];
};

struct lost_rec {
	struct perf_event_header header;
	__u64 id;
	__u64 lost;
};

/* Every record @cb holds; the tail moves past each one read. */
static int cpu_buf_read(struct abpf_perfbuf *pb, struct cpu_buf *cb,
			size_t *records)
{
	struct perf_event_mmap_page *header = cb->base;
	unsigned char *data = (unsigned char *)cb->base + pb->page;
	__u64 head, tail, size = pb->data_size;
	int err = 0;

	head = __atomic_load_n(&header->data_head, __ATOMIC_ACQUIRE);
	tail = header->data_tail;
	while (tail != head) {
		struct perf_event_header *ehdr =
			(struct perf_event_header *)(data + (tail & (size - 1)));
		size_t len = ehdr->size, off = tail & (size - 1);

		if (len < sizeof(*ehdr) || len > size) {
			err = -LIBBPF_ERRNO__FORMAT;	/* not perf's ring */
			break;
		}
		if (off + len > size) {
			unsigned char *tmp = tmp_buf(cb, len);

			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			memcpy(tmp, data + off, size - off);
			memcpy(tmp + (size - off), data, len - (size - off));
			ehdr = (struct perf_event_header *)tmp;
		}
		if (ehdr->type == PERF_RECORD_SAMPLE && len >= sizeof(struct sample_rec)) {
			struct sample_rec *s = (struct sample_rec *)ehdr;
			__u32 raw = s->size;

			if (raw > len - sizeof(*s))
				raw = (__u32)(len - sizeof(*s));
			pb->sample_fn(pb->ctx, cb->cpu, s->data, raw);
			(*records)++;
		} else if (ehdr->type == PERF_RECORD_LOST &&
			   len >= sizeof(struct lost_rec)) {
			struct lost_rec *l = (struct lost_rec *)ehdr;

			if (pb->lost_fn)
				pb->lost_fn(pb->ctx, cb->cpu, l->lost);
			(*records)++;
		}
		tail += len;
	}
	__atomic_store_n(&header->data_tail, tail, __ATOMIC_RELEASE);
	return err;
}

abpf_errno abpf_perfbuf_consume(struct abpf_perfbuf *pb, size_t *records)
{
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < pb->n && !err; i++)
		err = cpu_buf_read(pb, &pb->bufs[i], &n);
	if (records)
		*records = n;
	return abpf_err_ret(err);
}

abpf_errno abpf_perfbuf_poll(struct abpf_perfbuf *pb, int timeout_ms,
			     size_t *records)
{
	size_t n = 0;
	long ready, i;
	int err = 0;

	ready = ABPF_SYS_CALL(pb->h->sys, epoll_wait, pb->epfd, pb->events,
			      (int)(pb->n ? pb->n : 1), timeout_ms);
	if (ready < 0)
		return abpf_err_ret(ready);
	for (i = 0; i < ready && !err; i++) {
		__u32 idx = pb->events[i].data.u32;

		if (idx < pb->n)
			err = cpu_buf_read(pb, &pb->bufs[idx], &n);
	}
	if (records)
		*records = n;
	return abpf_err_ret(err);
}

int abpf_perfbuf_epoll_fd(const struct abpf_perfbuf *pb)
{
	return pb->epfd;
}

size_t abpf_perfbuf_buffer_cnt(const struct abpf_perfbuf *pb)
{
	return pb->n;
}

void abpf_perfbuf_free(struct abpf_perfbuf *pb)
{
	size_t i;

	if (!pb)
		return;
	for (i = 0; i < pb->n; i++)
		cpu_buf_close(pb, &pb->bufs[i]);
	abpf__close(pb->h->sys, pb->epfd);
	abpf_unref(pb->h);
	free(pb->bufs);
	free(pb->events);
	free(pb);
}
