// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The two system tables libabpf ships: libc with the kernel's bpf(2), and
 * libc with bpf going to /dev/kbpf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kbpf.h>
#include <linux/perf_event.h>

#include "internal.h"

/* libc declares some of these with other argument types; adapt them. */
static int sys_getrlimit(int resource, struct rlimit *rlim)
{
	return getrlimit(resource, rlim);
}

static int sys_setrlimit(int resource, const struct rlimit *rlim)
{
	return setrlimit(resource, rlim);
}

static int sys_open(const char *path, int flags, mode_t mode)
{
	return open(path, flags, mode);
}

static int *sys_errno_location(void)
{
	return &errno;
}

static long sys_bpf(long cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid,
			       int cpu, int group_fd, unsigned long flags)
{
	return (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			    flags);
}

#define ABPF_SYS_LIBC_ENTRIES				\
	.socket = socket,				\
	.setsockopt = setsockopt,			\
	.getsockopt = getsockopt,			\
	.getsockname = getsockname,			\
	.bind = bind,					\
	.recvmsg = recvmsg,				\
	.send = send,					\
	.getrlimit = sys_getrlimit,			\
	.setrlimit = sys_setrlimit,			\
	.sysconf = sysconf,				\
	.open = sys_open,				\
	.close = close,					\
	.errno_location = sys_errno_location,		\
	.mmap = mmap,					\
	.munmap = munmap,				\
	.ioctl = sys_ioctl,				\
	.epoll_create1 = epoll_create1,			\
	.epoll_ctl = epoll_ctl,				\
	.epoll_wait = epoll_wait,			\
	.read = read

static const struct abpf_sys abpf_libc = {
	ABPF_SYS_LIBC_ENTRIES,
	.bpf = sys_bpf,
	.perf_event_open = sys_perf_event_open,
};

const struct abpf_sys *abpf_sys_libc(void)
{
	return &abpf_libc;
}

/* The process's /dev/kbpf descriptor, opened on first use; -1 until then. */
static atomic_int kbpf_dev_fd = -1;

static int kbpf_dev(void)
{
	int fd = atomic_load_explicit(&kbpf_dev_fd, memory_order_acquire);
	int none = -1;

	if (fd >= 0)
		return fd;
	fd = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* Not "no such element": say the backend is missing. */
		if (errno == ENOENT || errno == ENXIO)
			errno = ENODEV;
		return -1;
	}
	if (!atomic_compare_exchange_strong(&kbpf_dev_fd, &none, fd)) {
		close(fd);	/* another thread won the race */
		fd = none;
	}
	return fd;
}

static long kbpf_bpf(long cmd, void *attr, unsigned int size)
{
	struct kbpf_bpf_call call = {
		.cmd = (__u32)cmd,
		.size = size,
		.attr = (__u64)(uintptr_t)attr,
	};
	int fd = kbpf_dev();

	if (fd < 0)
		return -1;
	return ioctl(fd, KBPF_IOC_BPF, &call);
}

/*
 * A BPF output event on one CPU, as libbpf's perf buffer opens it, made as
 * a kbpf perf buffer: the only kind of event kbpf's PERF_EVENT_ARRAY
 * takes.
 */
static int kbpf_perf_event_open(struct perf_event_attr *attr, pid_t pid,
				int cpu, int group_fd, unsigned long flags)
{
	struct kbpf_perf_buffer_attr kattr;
	int dev, fd;

	if (flags & ~(unsigned long)PERF_FLAG_FD_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	if (attr->type != PERF_TYPE_SOFTWARE ||
	    attr->config != PERF_COUNT_SW_BPF_OUTPUT || pid != -1 || cpu < 0 ||
	    group_fd != -1) {
		errno = EOPNOTSUPP;
		return -1;
	}
	memset(&kattr, 0, sizeof(kattr));
	kattr.size = sizeof(kattr);
	kattr.cpu = (__u32)cpu;
	if (attr->watermark) {
		kattr.flags = KBPF_PERF_BUFFER_WATERMARK;
		kattr.wakeup_watermark = attr->wakeup_watermark;
	} else {
		kattr.wakeup_events = attr->wakeup_events;
	}
	dev = kbpf_dev();
	if (dev < 0)
		return -1;
	fd = ioctl(dev, KBPF_IOC_PERF_BUFFER, &kattr);
	if (fd >= 0 && attr->disabled && ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static const struct abpf_sys abpf_kbpf = {
	ABPF_SYS_LIBC_ENTRIES,
	.bpf = kbpf_bpf,
	.perf_event_open = kbpf_perf_event_open,
};

const struct abpf_sys *abpf_sys_kbpf(void)
{
	return &abpf_kbpf;
}
