// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The two system tables libabpf ships: libc with the kernel's bpf(2), and
 * libc with bpf going to /dev/kbpf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kbpf.h>

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
	.errno_location = sys_errno_location

static const struct abpf_sys abpf_libc = {
	ABPF_SYS_LIBC_ENTRIES,
	.bpf = sys_bpf,
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

static const struct abpf_sys abpf_kbpf = {
	ABPF_SYS_LIBC_ENTRIES,
	.bpf = kbpf_bpf,
};

const struct abpf_sys *abpf_sys_kbpf(void)
{
	return &abpf_kbpf;
}
