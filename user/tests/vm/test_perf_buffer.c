// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Perf buffers: KBPF_IOC_PERF_BUFFER and the fds it returns, run in the
 * test VM with kbpf.ko loaded.
 *
 * A perf buffer's fd claims a perf event's behaviour (mmap rules, header
 * page, poll, ioctls), so those tests run on two backends with the same
 * expectations: a real perf_event_open() PERF_COUNT_SW_BPF_OUTPUT event,
 * the reference, and a kbpf perf buffer.  The ioctl's own input checks
 * are kbpf's alone.  What is written into the ring comes from BPF
 * programs, so the KUnit suite covers the data path.
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/kbpf.h>
#include <linux/perf_event.h>

#include <abpf/abpf.h>

#include "../tap.h"

static long page_size;

static int dev_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return fd;
}

static int kbpf_buffer(__u32 cpu, __u32 flags, __u32 wakeup)
{
	struct kbpf_perf_buffer_attr attr = {
		.size = sizeof(attr), .flags = flags, .cpu = cpu,
		.wakeup_events = wakeup,
	};

	return ioctl(dev_fd(), KBPF_IOC_PERF_BUFFER, &attr);
}

/* What libbpf's perf_buffer__new() opens on each CPU. */
static int perf_event(int cpu)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static int kbpf_open(int cpu)
{
	return kbpf_buffer(cpu, 0, 1);
}

/* The backend under test: how to open a buffer on a CPU. */
static int (*open_buffer)(int cpu);

static int new_buffer(void)
{
	int fd = open_buffer(0);

	if (fd < 0)
		tap_fail("cannot open a buffer: %s", strerrorname_np(errno));
	return fd;
}

/* mmap(@pages pages) at @off pages; MAP_FAILED with errno set. */
static void *map(int fd, size_t pages, int prot, int flags, off_t off)
{
	return mmap(NULL, pages * page_size, prot, flags, fd, off * page_size);
}

#define EXPECT_MAP(fd, pages, prot, flags, off, err)			\
	do {								\
		void *_p;						\
		errno = 0;						\
		_p = map(fd, pages, prot, flags, off);			\
		if ((err) && (_p != MAP_FAILED || errno != (err)))	\
			tap_fail("mmap %zu pages at %d: want %s, got %s", \
				 (size_t)(pages), (int)(off), strerrorname_np(err), \
				 _p == MAP_FAILED ? strerrorname_np(errno) : "a mapping"); \
		if (!(err) && _p == MAP_FAILED)				\
			tap_fail("mmap %zu pages at %d: %s", (size_t)(pages), \
				 (int)(off), strerrorname_np(errno));	\
		if (_p != MAP_FAILED)					\
			munmap(_p, (pages) * page_size);		\
	} while (0)

#define RW (PROT_READ | PROT_WRITE)

static void mmap_needs_a_shared_mapping(void)
{
	int fd = new_buffer();

	EXPECT_MAP(fd, 2, RW, MAP_PRIVATE, 0, EINVAL);
	EXPECT_MAP(fd, 2, PROT_READ, MAP_PRIVATE, 0, EINVAL);
	close(fd);
}

/* 1 + 2^n pages, or the header page alone; each unmap frees the size. */
static void mmap_takes_a_header_page_and_2n_data_pages(void)
{
	static const size_t ok[] = { 1, 2, 3, 5, 9, 17 }, bad[] = { 4, 6, 7, 8, 10, 16 };
	int fd = new_buffer();
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		EXPECT_MAP(fd, ok[i], RW, MAP_SHARED, 0, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_MAP(fd, bad[i], RW, MAP_SHARED, 0, EINVAL);
	close(fd);
}

/* While the ring is mapped its size is fixed; after the last unmap it is not. */
static void a_second_mapping_must_match_the_first(void)
{
	int fd = new_buffer();
	struct perf_event_mmap_page *a, *b;

	a = map(fd, 3, RW, MAP_SHARED, 0);
	EXPECT(a != MAP_FAILED);
	if (a == MAP_FAILED)
		goto out;
	EXPECT_MAP(fd, 5, RW, MAP_SHARED, 0, EINVAL);
	EXPECT_MAP(fd, 1, RW, MAP_SHARED, 0, EINVAL);
	b = map(fd, 3, PROT_READ, MAP_SHARED, 0);
	EXPECT(b != MAP_FAILED);
	/* The same ring: what one mapping writes, the other sees. */
	a->data_tail = 8;
	if (b != MAP_FAILED)
		EXPECT_EQ(b->data_tail, 8);
	munmap(a, 3 * page_size);
	EXPECT_MAP(fd, 5, RW, MAP_SHARED, 0, EINVAL);
	if (b != MAP_FAILED) {
		EXPECT_EQ(b->data_size, 2 * page_size);
		munmap(b, 3 * page_size);
	}
	/* Unmapped: a new ring of another size, from zero. */
	a = map(fd, 5, RW, MAP_SHARED, 0);
	EXPECT(a != MAP_FAILED);
	if (a != MAP_FAILED) {
		EXPECT_EQ(a->data_size, 4 * page_size);
		EXPECT_EQ(a->data_tail, 0);
		munmap(a, 5 * page_size);
	}
out:
	close(fd);
}

/*
 * Past the ring is perf's AUX area: EINVAL without a ring or unless the
 * header's aux_offset and aux_size describe the mapping, and then
 * EOPNOTSUPP, since this kind of event has no AUX area.
 */
static void mmap_at_an_offset_is_the_aux_area(void)
{
	int fd = new_buffer();
	struct perf_event_mmap_page *up;

	EXPECT_MAP(fd, 1, RW, MAP_SHARED, 2, EINVAL);
	up = map(fd, 2, RW, MAP_SHARED, 0);
	EXPECT(up != MAP_FAILED);
	if (up == MAP_FAILED)
		goto out;
	EXPECT_MAP(fd, 1, RW, MAP_SHARED, 2, EINVAL);
	up->aux_offset = 2 * page_size;
	up->aux_size = 2 * page_size;
	EXPECT_MAP(fd, 1, RW, MAP_SHARED, 2, EINVAL);	/* size differs */
	EXPECT_MAP(fd, 2, RW, MAP_SHARED, 3, EINVAL);	/* offset differs */
	EXPECT_MAP(fd, 2, RW, MAP_SHARED, 2, EOPNOTSUPP);
	up->aux_offset = page_size;			/* inside the ring */
	up->aux_size = page_size;
	EXPECT_MAP(fd, 1, RW, MAP_SHARED, 1, EINVAL);
	up->aux_offset = 2 * page_size;
	up->aux_size = 3 * page_size;			/* not a power of 2 */
	EXPECT_MAP(fd, 3, RW, MAP_SHARED, 2, EINVAL);
	munmap(up, 2 * page_size);
out:
	close(fd);
}

static void header_page_is_filled_as_perf_fills_it(void)
{
	int fd = new_buffer();
	struct perf_event_mmap_page *up = map(fd, 5, PROT_READ, MAP_SHARED, 0);

	EXPECT(up != MAP_FAILED);
	if (up == MAP_FAILED)
		goto out;
	EXPECT_EQ(up->version, 0);
	EXPECT_EQ(up->compat_version, 0);
	EXPECT_EQ(up->capabilities & 3, 2);	/* cap_bit0 0, cap_bit0_is_deprecated 1 */
	EXPECT_EQ(up->size, offsetof(struct perf_event_mmap_page, __reserved));
	EXPECT_EQ(up->data_offset, page_size);
	EXPECT_EQ(up->data_size, 4 * page_size);
	EXPECT_EQ(up->data_head, 0);
	EXPECT_EQ(up->data_tail, 0);
	EXPECT_EQ(up->aux_head, 0);
	EXPECT_EQ(up->aux_tail, 0);
	EXPECT_EQ(up->aux_offset, 0);
	EXPECT_EQ(up->aux_size, 0);
	munmap(up, 5 * page_size);
out:
	close(fd);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Write a byte at @p: 0, or the signal it raised (SIGBUS, SIGSEGV). */
static int write_byte(void *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig)
		*(volatile char *)p = 1;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/* Userspace writes data_tail in the header page; the data pages are the kernel's. */
static void only_the_header_page_is_writable(void)
{
	int fd = new_buffer();
	char *p = map(fd, 3, RW, MAP_SHARED, 0);
	struct perf_event_mmap_page *up = (void *)p;

	EXPECT(p != MAP_FAILED);
	if (p == MAP_FAILED)
		goto out;
	EXPECT_EQ(write_byte(&up->data_tail), 0);
	EXPECT_EQ(write_byte(p + page_size), SIGBUS);
	EXPECT_EQ(write_byte(p + 2 * page_size + 100), SIGBUS);
	/* Reading the data pages is fine. */
	EXPECT_EQ(p[page_size] + p[3 * page_size - 1], 0);
	munmap(p, 3 * page_size);
out:
	close(fd);
}

/* A child process does not inherit the mapping (VM_DONTCOPY). */
static void a_mapping_is_not_inherited(void)
{
	int fd = new_buffer(), status = -1;
	char *p = map(fd, 2, RW, MAP_SHARED, 0);
	pid_t pid;

	EXPECT(p != MAP_FAILED);
	if (p == MAP_FAILED)
		goto out;
	pid = fork();
	if (pid == 0)
		_exit(write_byte(p));
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == SIGSEGV);
	munmap(p, 2 * page_size);
out:
	close(fd);
}

/* Each mapping counts as a whole: no partial munmap() splits it. */
static void a_mapping_cannot_be_split(void)
{
	int fd = new_buffer();
	char *p = map(fd, 3, RW, MAP_SHARED, 0);

	EXPECT(p != MAP_FAILED);
	if (p == MAP_FAILED)
		goto out;
	EXPECT_SYSERR(munmap(p + 2 * page_size, page_size), EINVAL);
	EXPECT_SYSERR(munmap(p, page_size), EINVAL);
	EXPECT_SYSERR(munmap(p, 3 * page_size), 0);
out:
	close(fd);
}

/* The mapping holds the buffer: closing the fd leaves it usable. */
static void a_mapping_outlives_its_fd(void)
{
	int fd = new_buffer();
	struct perf_event_mmap_page *up = map(fd, 2, RW, MAP_SHARED, 0);

	close(fd);
	EXPECT(up != MAP_FAILED);
	if (up == MAP_FAILED)
		return;
	EXPECT_EQ(up->data_size, page_size);
	up->data_tail = 0;
	munmap(up, 2 * page_size);
}

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* epoll_wait() without waiting: the events reported, 0 for none. */
static unsigned int epoll_now(int ep)
{
	struct epoll_event ev = {};

	return epoll_wait(ep, &ev, 1, 0) == 1 ? ev.events : 0;
}

/* EPOLLHUP while there is no ring; nothing to read in an empty one. */
static void poll_and_epoll_follow_the_ring(void)
{
	int fd = new_buffer(), ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	void *p;

	EXPECT(ep >= 0);
	EXPECT_SYSERR(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	EXPECT_EQ(poll_now(fd), POLLHUP);
	EXPECT_EQ(epoll_now(ep), EPOLLHUP);

	p = map(fd, 3, RW, MAP_SHARED, 0);
	EXPECT(p != MAP_FAILED);
	EXPECT_EQ(poll_now(fd), 0);
	EXPECT_EQ(epoll_now(ep), 0);

	if (p != MAP_FAILED)
		munmap(p, 3 * page_size);
	EXPECT_EQ(poll_now(fd), POLLHUP);
	EXPECT_EQ(epoll_now(ep), EPOLLHUP);
	close(ep);
	close(fd);
}

static void ioctls_id_enable_disable(void)
{
	int a = new_buffer(), b = new_buffer();
	__u64 ida = 0, idb = 0;

	EXPECT_SYSERR(ioctl(a, PERF_EVENT_IOC_ID, &ida), 0);
	EXPECT_SYSERR(ioctl(b, PERF_EVENT_IOC_ID, &idb), 0);
	EXPECT(ida != 0 && idb != 0 && ida != idb);
	EXPECT_SYSERR(ioctl(a, PERF_EVENT_IOC_ID, NULL), EFAULT);
	EXPECT_SYSERR(ioctl(a, PERF_EVENT_IOC_DISABLE, 0), 0);
	EXPECT_SYSERR(ioctl(a, PERF_EVENT_IOC_ENABLE, 0), 0);
	EXPECT_SYSERR(ioctl(a, _IO('$', 0x7f)), ENOTTY);
	EXPECT_SYSERR(ioctl(a, KBPF_IOC_PERF_BUFFER, NULL), ENOTTY);
	close(a);
	close(b);
}

static void fds_are_cloexec(void)
{
	int fd = new_buffer();

	EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	close(fd);
}

/* A CPU that is possible but offline: ENODEV (needs CPU hotplug, else skipped). */
static void an_offline_cpu_is_enodev(void)
{
	const char *path = "/sys/devices/system/cpu/cpu1/online";
	int ctl = open(path, O_RDWR), fd;

	if (ctl < 0 || write(ctl, "0", 1) != 1) {
		printf("# %s: no CPU hotplug, not checked\n", path);
		if (ctl >= 0)
			close(ctl);
		return;
	}
	errno = 0;
	fd = open_buffer(1);
	EXPECT(fd == -1 && errno == ENODEV);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(pwrite(ctl, "1", 1, 0), 1);
	close(ctl);
}

static const struct tap_test perf_fd_tests[] = {
	TAP_TEST(mmap_needs_a_shared_mapping),
	TAP_TEST(mmap_takes_a_header_page_and_2n_data_pages),
	TAP_TEST(a_second_mapping_must_match_the_first),
	TAP_TEST(mmap_at_an_offset_is_the_aux_area),
	TAP_TEST(header_page_is_filled_as_perf_fills_it),
	TAP_TEST(only_the_header_page_is_writable),
	TAP_TEST(a_mapping_is_not_inherited),
	TAP_TEST(a_mapping_cannot_be_split),
	TAP_TEST(a_mapping_outlives_its_fd),
	TAP_TEST(poll_and_epoll_follow_the_ring),
	TAP_TEST(ioctls_id_enable_disable),
	TAP_TEST(fds_are_cloexec),
	TAP_TEST(an_offline_cpu_is_enodev),
};

/* The ioctl: kbpf only. */

static int create(const void *attr)
{
	return ioctl(dev_fd(), KBPF_IOC_PERF_BUFFER, attr);
}

/* Two pages, the second PROT_NONE. */
static char *guarded_page(void)
{
	char *p = mmap(NULL, 2 * page_size, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + page_size, page_size, PROT_NONE);
	memset(p, 0, page_size);
	return p;
}

static void attr_out_of_reach_is_efault(void)
{
	char *p = guarded_page();
	struct kbpf_perf_buffer_attr *attr;

	EXPECT(p != NULL);
	if (!p)
		return;
	EXPECT_SYSERR(create(NULL), EFAULT);
	EXPECT_SYSERR(create(p + page_size), EFAULT);
	EXPECT_SYSERR(create((void *)-4096L), EFAULT);
	/* The size is readable, the rest is not. */
	attr = (void *)(p + page_size - 4);
	attr->size = sizeof(*attr);
	EXPECT_SYSERR(create(attr), EFAULT);
	munmap(p, 2 * page_size);
}

static void attr_size_is_checked_as_an_extensible_struct(void)
{
	char *p = guarded_page();
	struct kbpf_perf_buffer_attr *attr = (void *)p;
	int fd;

	EXPECT(p != NULL);
	if (!p)
		return;
	attr->size = 0;
	EXPECT_SYSERR(create(attr), EINVAL);
	attr->size = KBPF_PERF_BUFFER_ATTR_SIZE_VER0 - 4;
	EXPECT_SYSERR(create(attr), EINVAL);
	attr->size = page_size + 1;
	EXPECT_SYSERR(create(attr), E2BIG);
	/* Longer than kbpf knows: fine while the extra bytes are zero. */
	attr->size = 64;
	fd = create(attr);
	EXPECT(fd >= 0);
	close(fd);
	p[40] = 1;
	EXPECT_SYSERR(create(attr), E2BIG);
	p[40] = 0;
	attr->size = page_size;
	fd = create(attr);
	EXPECT(fd >= 0);
	close(fd);
	munmap(p, 2 * page_size);
}

static void attr_fields_are_checked(void)
{
	struct kbpf_perf_buffer_attr attr = { .size = sizeof(attr) };
	int fd;

	attr.flags = 2;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.flags = 1U << 31;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.flags = 0;
	attr.cpu = 4096;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.cpu = -1;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.cpu = 0;
	attr.wakeup_events = 0x80000000u;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.flags = KBPF_PERF_BUFFER_WATERMARK;
	EXPECT_SYSERR(create(&attr), EINVAL);
	attr.wakeup_watermark = 4096;
	fd = create(&attr);
	EXPECT(fd >= 0);
	close(fd);
	attr.flags = 0;
	attr.wakeup_events = 0;
	fd = create(&attr);
	EXPECT(fd >= 0);
	close(fd);
}

static void requests_next_to_ours_are_enotty(void)
{
	struct kbpf_perf_buffer_attr attr = { .size = sizeof(attr) };

	EXPECT_SYSERR(ioctl(dev_fd(), _IOWR(KBPF_IOC_MAGIC, 1, struct kbpf_perf_buffer_attr),
			    &attr), ENOTTY);
	EXPECT_SYSERR(ioctl(dev_fd(), _IOR(KBPF_IOC_MAGIC, 1, struct kbpf_perf_buffer_attr),
			    &attr), ENOTTY);
	EXPECT_SYSERR(ioctl(dev_fd(), _IOW(KBPF_IOC_MAGIC, 1, __u64), &attr), ENOTTY);
	EXPECT_SYSERR(ioctl(dev_fd(), _IOW(KBPF_IOC_MAGIC, 2, struct kbpf_perf_buffer_attr),
			    &attr), ENOTTY);
}

static void fds_are_kbpf_perf_buffer_anon_inodes(void)
{
	char path[64], link[64] = "";
	int fd = kbpf_buffer(0, 0, 1);
	ssize_t n;

	EXPECT(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	EXPECT(n > 0 && !strcmp(link, "anon_inode:kbpf-perf-buffer"));
	close(fd);
}

/* Every online CPU gets one, as libbpf opens one per CPU. */
static void one_buffer_per_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), cpu;
	int fd;

	EXPECT(n >= 1);
	for (cpu = 0; cpu < n; cpu++) {
		fd = kbpf_buffer(cpu, 0, 1);
		EXPECT(fd >= 0);
		close(fd);
	}
}

/* A kbpf PERF_EVENT_ARRAY takes kbpf perf buffers, and no other fd. */
static void perf_event_array_takes_perf_buffer_fds(void)
{
	const struct abpf_sys *kb = abpf_sys_kbpf();
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
		.key_size = 4, .value_size = 4, .max_entries = 2,
	};
	int map = kb->bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	int buf = kbpf_buffer(0, 0, 1), perf = perf_event(0);
	__u32 key = 0, value;

	EXPECT(map >= 0 && buf >= 0 && perf >= 0);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&value;
	value = buf;
	EXPECT_SYSERR(kb->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)), 0);
	value = perf;
	EXPECT_SYSERR(kb->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)), EBADF);
	value = map;
	EXPECT_SYSERR(kb->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)), EBADF);
	/* The slot holds the buffer, not the fd: closing it changes nothing. */
	close(buf);
	attr.value = 0;		/* DELETE reads no further than the key */
	EXPECT_SYSERR(kb->bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr)), 0);
	EXPECT_SYSERR(kb->bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr)), ENOENT);
	close(perf);
	close(map);
}

static const struct tap_test ioctl_tests[] = {
	TAP_TEST(attr_out_of_reach_is_efault),
	TAP_TEST(attr_size_is_checked_as_an_extensible_struct),
	TAP_TEST(attr_fields_are_checked),
	TAP_TEST(requests_next_to_ours_are_enotty),
	TAP_TEST(fds_are_kbpf_perf_buffer_anon_inodes),
	TAP_TEST(one_buffer_per_cpu),
	TAP_TEST(perf_event_array_takes_perf_buffer_fds),
};

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	tap_run(ioctl_tests, TAP_COUNT(ioctl_tests), "perf_buffer: ioctl: ");
	open_buffer = perf_event;
	tap_run(perf_fd_tests, TAP_COUNT(perf_fd_tests), "perf_buffer: [perf event] ");
	open_buffer = kbpf_open;
	tap_run(perf_fd_tests, TAP_COUNT(perf_fd_tests), "perf_buffer: [kbpf] ");
	return tap_done();
}
