// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * BPF_MAP_TYPE_RINGBUF from userspace, run in the test VM on both
 * backends with one set of expectations: what libbpf's ring_buffer
 * consumer relies on (tools/lib/bpf/ringbuf.c) and what the differential
 * test cannot show.  The mmap layout: the consumer page at offset 0,
 * writable; the producer page read-only at PAGE_SIZE; the data pages
 * read-only after it, twice, so the page after the data area is the
 * first data page again (the same physical page, by /proc/self/pagemap).
 * epoll on the map's fd reports nothing while the ring is empty.  And
 * the mapping rules around them: writable only for the consumer page,
 * no growing with mremap(), freezing only without writable mappings.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <abpf/abpf.h>
#include <linux/bpf.h>

#include "../tap.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, as bpf(2) returns it */
#endif

static const struct abpf_sys *B;	/* the backend under test */
static long page;

/* bpf(2) through the backend: -1 with errno set on failure. */
static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return B->bpf(cmd, attr, sizeof(*attr));
}

static int ringbuf_create(__u32 key_size, __u32 value_size, __u32 size, __u32 flags)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_RINGBUF, .key_size = key_size,
		.value_size = value_size, .max_entries = size, .map_flags = flags,
	};

	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static int ringbuf(__u32 size)
{
	return ringbuf_create(0, 0, size, 0);
}

static int freeze(int fd)
{
	union bpf_attr attr = { .map_fd = fd };

	return sys_bpf(BPF_MAP_FREEZE, &attr);
}

/* mmap() of the ring's pages [off, off + len), in pages. */
static void *map_pages(int fd, long off, long len, int prot)
{
	return mmap(NULL, len * page, prot, MAP_SHARED, fd, off * page);
}

/* errno of a failed mmap(), 0 if it succeeded (and is unmapped again). */
static int mmap_err(int fd, long off, long len, int prot, int flags)
{
	void *p;

	errno = 0;
	p = mmap(NULL, len * page, prot, flags, fd, off * page);
	if (p == MAP_FAILED)
		return errno;
	munmap(p, len * page);
	return 0;
}

/* The physical page behind @addr (root sees frame numbers), 0 if none. */
static uint64_t pfn_of(const void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), (uintptr_t)addr / page * sizeof(entry)) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry >> 63))	/* not present */
		return 0;
	return entry & ((1ULL << 55) - 1);
}

static void create_checks_are_the_kernels(void)
{
	int fd;

	EXPECT_SYSERR(ringbuf_create(4, 0, 4096, 0), EINVAL);
	EXPECT_SYSERR(ringbuf_create(0, 4, 4096, 0), EINVAL);
	EXPECT_SYSERR(ringbuf(0), EINVAL);
	EXPECT_SYSERR(ringbuf(2048), EINVAL);
	EXPECT_SYSERR(ringbuf(3 * 4096), EINVAL);
	EXPECT_SYSERR(ringbuf(0xfffff000), EINVAL);
	EXPECT_SYSERR(ringbuf_create(0, 0, 4096, BPF_F_RDONLY), EINVAL);
	EXPECT_SYSERR(ringbuf_create(0, 0, 4096, BPF_F_MMAPABLE), EINVAL);
	EXPECT_SYSERR(ringbuf_create(0, 0, 4096, BPF_F_RDONLY_PROG), EINVAL);
	fd = ringbuf_create(0, 0, 4096, BPF_F_NUMA_NODE);	/* node 0 */
	EXPECT(fd >= 0);
	close(fd);
}

static void element_commands_are_enotsupp_and_keys_einval(void)
{
	static const int cmds[] = {
		BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
		BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
		BPF_MAP_LOOKUP_BATCH, BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH,
		BPF_MAP_LOOKUP_AND_DELETE_BATCH,
	};
	int fd = ringbuf(4096);
	__u64 buf[4] = {};
	size_t i;

	EXPECT(fd >= 0);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		union bpf_attr attr = { .map_fd = fd };

		if (cmds[i] >= BPF_MAP_LOOKUP_BATCH) {
			attr.batch.map_fd = fd;
			attr.batch.keys = (uintptr_t)buf;
			attr.batch.values = (uintptr_t)buf;
			attr.batch.count = 1;
		} else if (cmds[i] != BPF_MAP_DELETE_ELEM) {	/* delete reads no value */
			attr.value = (uintptr_t)buf;
		}
		EXPECT_SYSERR(sys_bpf(cmds[i], &attr), ENOTSUPP);
		if (cmds[i] < BPF_MAP_LOOKUP_BATCH) {
			attr.key = (uintptr_t)buf;	/* a ring buffer has no keys */
			EXPECT_SYSERR(sys_bpf(cmds[i], &attr), EINVAL);
		}
	}
	close(fd);
}

/* libbpf's ring_buffer__add(): its two mappings, and what it reads there. */
static void libbpf_mappings_show_the_kernels_layout(void)
{
	const long size = 4 * 4096, data_pages = size / page;
	struct bpf_map_info info = {};
	union bpf_attr attr = {};
	unsigned long *cons, *prod, *all;
	unsigned char *data, zero[4096] = {};
	long i;
	int fd = ringbuf(size);

	EXPECT(fd >= 0);
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	EXPECT_SYSERR(sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr), 0);
	EXPECT_EQ(info.type, BPF_MAP_TYPE_RINGBUF);
	EXPECT_EQ(info.max_entries, size);
	EXPECT_EQ(info.key_size, 0);
	EXPECT_EQ(info.value_size, 0);

	cons = map_pages(fd, 0, 1, PROT_READ | PROT_WRITE);
	prod = mmap(NULL, page + 2 * info.max_entries, PROT_READ, MAP_SHARED, fd, page);
	EXPECT(cons != MAP_FAILED && prod != MAP_FAILED);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		goto out;
	data = (unsigned char *)prod + page;

	/* Positions at 0 (pending_pos after producer_pos), data zero. */
	EXPECT_EQ(cons[0], 0);
	EXPECT_EQ(prod[0], 0);
	EXPECT_EQ(prod[1], 0);
	EXPECT(!memcmp(cons, zero, page));
	EXPECT(!memcmp(prod, zero, page));
	for (i = 0; i < 2 * data_pages; i++)
		EXPECT(!memcmp(data + i * page, zero, page));

	/* Each data page is mapped twice: the copy is the same page. */
	for (i = 0; i < data_pages; i++) {
		uint64_t first = pfn_of(data + i * page), second = pfn_of(data + size + i * page);

		EXPECT(first != 0);
		EXPECT_EQ(first, second);
		EXPECT(first != pfn_of(prod) && first != pfn_of(cons));
		if (i)
			EXPECT(first != pfn_of(data + (i - 1) * page));
	}
	EXPECT(pfn_of(cons) != 0 && pfn_of(prod) != 0 && pfn_of(cons) != pfn_of(prod));

	/*
	 * The consumer reports progress in its page; a read-only mapping of
	 * everything from offset 0 shows the same page and the write.
	 */
	all = map_pages(fd, 0, 2 + 2 * data_pages, PROT_READ);
	EXPECT(all != MAP_FAILED);
	if (all != MAP_FAILED) {
		cons[0] = 4096;
		EXPECT_EQ(all[0], 4096);
		EXPECT_EQ(pfn_of(all), pfn_of(cons));
		EXPECT_EQ(pfn_of((char *)all + page), pfn_of(prod));
		EXPECT_EQ(pfn_of((char *)all + (2 + data_pages) * page), pfn_of(data));
		cons[0] = 0;
		munmap(all, (2 + 2 * data_pages) * page);
	}
out:
	if (cons != MAP_FAILED)
		munmap(cons, page);
	if (prod != MAP_FAILED)
		munmap(prod, page + 2 * size);
	close(fd);
}

static void only_the_consumer_page_maps_writable(void)
{
	const long total = 2 + 2 * 2;	/* consumer, producer, 2 data pages twice */
	int fd = ringbuf(2 * 4096);
	void *p;

	EXPECT(fd >= 0);
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_READ | PROT_WRITE, MAP_SHARED), 0);
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_WRITE, MAP_SHARED), 0);
	EXPECT_EQ(mmap_err(fd, 0, 2, PROT_READ | PROT_WRITE, MAP_SHARED), EPERM);
	EXPECT_EQ(mmap_err(fd, 1, 1, PROT_READ | PROT_WRITE, MAP_SHARED), EPERM);
	EXPECT_EQ(mmap_err(fd, 2, 1, PROT_WRITE, MAP_SHARED), EPERM);
	/* Shared mappings only. */
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_READ, MAP_PRIVATE), EINVAL);
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE), EINVAL);
	/* Up to the second copy's last page, not past it. */
	EXPECT_EQ(mmap_err(fd, 0, total, PROT_READ, MAP_SHARED), 0);
	EXPECT_EQ(mmap_err(fd, total - 1, 1, PROT_READ, MAP_SHARED), 0);
	EXPECT_EQ(mmap_err(fd, 0, total + 1, PROT_READ, MAP_SHARED), EINVAL);
	EXPECT_EQ(mmap_err(fd, total, 1, PROT_READ, MAP_SHARED), EINVAL);
	EXPECT_EQ(mmap_err(fd, 1L << 30, 1, PROT_READ, MAP_SHARED), EINVAL);

	/* A read-only mapping cannot be made writable, even of the consumer page. */
	p = map_pages(fd, 0, 1, PROT_READ);
	EXPECT(p != MAP_FAILED);
	EXPECT_SYSERR(mprotect(p, page, PROT_READ | PROT_WRITE), EACCES);
	EXPECT_SYSERR(mprotect(p, page, PROT_READ | PROT_EXEC), EACCES);
	munmap(p, page);
	p = map_pages(fd, 1, 1, PROT_READ);
	EXPECT(p != MAP_FAILED);
	EXPECT_SYSERR(mprotect(p, page, PROT_READ | PROT_WRITE), EACCES);
	munmap(p, page);
	close(fd);
}

/* The mapping is fixed in size, as remap_vmalloc_range() leaves it. */
static void mappings_do_not_grow(void)
{
	int fd = ringbuf(4096);
	void *p = map_pages(fd, 0, 1, PROT_READ | PROT_WRITE), *q;

	EXPECT(p != MAP_FAILED);
	errno = 0;
	q = mremap(p, page, 2 * page, MREMAP_MAYMOVE);
	EXPECT(q == MAP_FAILED && errno == EFAULT);
	if (q != MAP_FAILED)
		p = q;
	munmap(p, page);
	close(fd);
}

static void epoll_reports_nothing_without_data(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	struct pollfd pfd;
	unsigned long *cons;
	int fd = ringbuf(4096), ep = epoll_create1(EPOLL_CLOEXEC);

	EXPECT(fd >= 0 && ep >= 0);
	EXPECT_SYSERR(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };
	EXPECT_EQ(poll(&pfd, 1, 0), 0);
	EXPECT_EQ(pfd.revents, 0);

	/*
	 * Readable means the positions differ, whatever the consumer wrote.
	 * (Only producers wake waiters: epoll sees the change at the next
	 * EPOLL_CTL_MOD, poll at once.)
	 */
	cons = map_pages(fd, 0, 1, PROT_READ | PROT_WRITE);
	EXPECT(cons != MAP_FAILED);
	if (cons != MAP_FAILED) {
		cons[0] = 8;
		EXPECT_EQ(poll(&pfd, 1, 0), 1);
		EXPECT_EQ(pfd.revents, POLLIN);	/* of the events asked for */
		ev.events = EPOLLIN;
		EXPECT_SYSERR(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
		EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
		EXPECT_EQ(ev.events, EPOLLIN);
		cons[0] = 0;
		EXPECT_EQ(poll(&pfd, 1, 0), 0);
		ev.events = EPOLLIN;
		EXPECT_SYSERR(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
		EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
		munmap(cons, page);
	}
	close(ep);
	close(fd);
}

static void writable_mapping_blocks_freeze_until_unmapped(void)
{
	int fd = ringbuf(4096);
	void *w = map_pages(fd, 0, 1, PROT_READ | PROT_WRITE), *r;

	EXPECT(w != MAP_FAILED);
	/* Read-only mappings do not count. */
	r = map_pages(fd, 0, 4, PROT_READ);
	EXPECT(r != MAP_FAILED);
	EXPECT_SYSERR(freeze(fd), EBUSY);
	munmap(w, page);
	EXPECT_SYSERR(freeze(fd), 0);
	/* Frozen: no new writable mapping; read-only ones still. */
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_READ | PROT_WRITE, MAP_SHARED), EPERM);
	EXPECT_EQ(mmap_err(fd, 0, 1, PROT_READ, MAP_SHARED), 0);
	munmap(r, 4 * page);
	close(fd);
}

/* A writable mapping made read-only by mprotect() still counts, until unmapped. */
static void mprotected_mapping_counts_until_unmapped(void)
{
	int fd = ringbuf(4096);
	void *w = map_pages(fd, 0, 1, PROT_READ | PROT_WRITE);

	EXPECT(w != MAP_FAILED);
	EXPECT_SYSERR(mprotect(w, page, PROT_READ), 0);
	EXPECT_SYSERR(freeze(fd), EBUSY);
	/* ... and may be made writable again. */
	EXPECT_SYSERR(mprotect(w, page, PROT_READ | PROT_WRITE), 0);
	EXPECT_SYSERR(mprotect(w, page, PROT_NONE), 0);
	munmap(w, page);
	EXPECT_SYSERR(freeze(fd), 0);
	close(fd);
}

static const struct tap_test tests[] = {
	TAP_TEST(create_checks_are_the_kernels),
	TAP_TEST(element_commands_are_enotsupp_and_keys_einval),
	TAP_TEST(libbpf_mappings_show_the_kernels_layout),
	TAP_TEST(only_the_consumer_page_maps_writable),
	TAP_TEST(mappings_do_not_grow),
	TAP_TEST(epoll_reports_nothing_without_data),
	TAP_TEST(writable_mapping_blocks_freeze_until_unmapped),
	TAP_TEST(mprotected_mapping_counts_until_unmapped),
};

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	B = abpf_sys_libc();
	tap_run(tests, TAP_COUNT(tests), "ringbuf: [kernel] ");
	B = abpf_sys_kbpf();
	tap_run(tests, TAP_COUNT(tests), "ringbuf: [kbpf] ");
	return tap_done();
}
