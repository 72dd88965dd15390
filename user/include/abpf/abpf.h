/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libabpf: BPF from C over two backends, the kernel's bpf(2) and kbpf's
 * /dev/kbpf, with every system function it calls taken from a table the
 * caller may replace (abpfiff's SysVTable).
 */
#ifndef ABPF_ABPF_H
#define ABPF_ABPF_H

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ABPF_API
#define ABPF_API __attribute__((visibility("default")))
#endif

/**
 * struct abpf_sys - the system functions libabpf calls
 *
 * Every entry behaves as the libc function or system call of its name:
 * it returns -1 (or a negative long) on failure and leaves the error in
 * *errno_location().  Fill one yourself to proxy, trace or fake the
 * system; a table must outlive every use of it.
 *
 * @bpf is bpf(2): (cmd, union bpf_attr *, size), returning a new fd, 0 or
 * -1.  @open takes its mode always, as open(2) with O_CREAT would.
 *
 * The entries after @bpf came with the ring and perf buffer consumers
 * and the object API (<abpf.h>): mmap(2), munmap(2), ioctl(2) with one
 * pointer argument, the three epoll calls, read(2), and perf_event_open(2)
 * (as the system call: attr, pid, cpu, group fd, flags).  libabpf checks
 * every entry before calling it: a NULL entry fails as the call would
 * with ENOSYS, so a fake table only fills what its test needs.
 */
struct perf_event_attr;

struct abpf_sys {
	int (*socket)(int domain, int type, int protocol);
	int (*setsockopt)(int fd, int level, int optname, const void *optval,
			  socklen_t optlen);
	int (*getsockopt)(int fd, int level, int optname, void *optval,
			  socklen_t *optlen);
	int (*getsockname)(int fd, struct sockaddr *addr, socklen_t *addrlen);
	int (*bind)(int fd, const struct sockaddr *addr, socklen_t addrlen);
	ssize_t (*recvmsg)(int fd, struct msghdr *msg, int flags);
	ssize_t (*send)(int fd, const void *buf, size_t len, int flags);
	int (*getrlimit)(int resource, struct rlimit *rlim);
	int (*setrlimit)(int resource, const struct rlimit *rlim);
	long (*sysconf)(int name);
	int (*open)(const char *path, int flags, mode_t mode);
	int (*close)(int fd);
	int *(*errno_location)(void);
	long (*bpf)(long cmd, void *attr, unsigned int size);

	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd,
		      off_t offset);
	int (*munmap)(void *addr, size_t len);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	int (*epoll_create1)(int flags);
	int (*epoll_ctl)(int epfd, int op, int fd, struct epoll_event *event);
	int (*epoll_wait)(int epfd, struct epoll_event *events, int maxevents,
			  int timeout);
	ssize_t (*read)(int fd, void *buf, size_t count);
	int (*perf_event_open)(struct perf_event_attr *attr, pid_t pid, int cpu,
			       int group_fd, unsigned long flags);
};

/* libc's functions and the kernel's bpf(2). */
ABPF_API const struct abpf_sys *abpf_sys_libc(void);

/*
 * libc's functions, with bpf going to kbpf's /dev/kbpf instead (opened on
 * first use, O_CLOEXEC, and kept open).  When the device is missing or
 * cannot be opened, bpf fails with ENODEV (or the open's EACCES/EPERM).
 *
 * perf_event_open goes to /dev/kbpf too: a PERF_TYPE_SOFTWARE,
 * PERF_COUNT_SW_BPF_OUTPUT event for pid -1 on one CPU, with no group, is
 * made as a kbpf perf buffer (KBPF_IOC_PERF_BUFFER), with the event's
 * wakeup_events, or wakeup_watermark when attr->watermark is set; a
 * disabled event is disabled after it is made.  That is the only kind of
 * event a kbpf PERF_EVENT_ARRAY takes; any other fails with EOPNOTSUPP,
 * and flags other than PERF_FLAG_FD_CLOEXEC with EINVAL.
 */
ABPF_API const struct abpf_sys *abpf_sys_kbpf(void);

enum abpf_backend {
	ABPF_BACKEND_KERNEL = 1,	/* bpf(2): abpf_sys_libc() */
	ABPF_BACKEND_KBPF = 2,		/* /dev/kbpf: abpf_sys_kbpf() */
};

/*
 * The table behind the libbpf-compatible calls of <abpf/bpf.h>, chosen
 * in this order:
 *   1. ABPF_BACKEND=kernel or ABPF_BACKEND=kbpf in the environment (read
 *      once, at the first call that needs it);
 *   2. abpf_set_default_backend() or abpf_set_default_sys();
 *   3. the kernel.
 * Any other value of ABPF_BACKEND makes abpf_default_sys() return NULL
 * with errno EINVAL, and the calls fail with -EINVAL, rather than pick a
 * backend the caller did not ask for.
 */
ABPF_API const struct abpf_sys *abpf_default_sys(void);
/* Returns 0, or -EINVAL for an unknown backend. */
ABPF_API int abpf_set_default_backend(enum abpf_backend backend);
/* A table of the caller's own (NULL restores the kernel); returns 0. */
ABPF_API int abpf_set_default_sys(const struct abpf_sys *sys);

#ifdef __cplusplus
}
#endif

#endif /* ABPF_ABPF_H */
