/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libabpf: BPF from C over two backends, the kernel's bpf(2) and kbpf's
 * /dev/kbpf, with every system function it calls taken from a table the
 * caller may replace (abpfiff's SysVTable).
 */
#ifndef ABPF_ABPF_H
#define ABPF_ABPF_H

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
 */
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
};

/* libc's functions and the kernel's bpf(2). */
ABPF_API const struct abpf_sys *abpf_sys_libc(void);

/*
 * libc's functions, with bpf going to kbpf's /dev/kbpf instead (opened on
 * first use, O_CLOEXEC, and kept open).  When the device is missing or
 * cannot be opened, bpf fails with ENODEV (or the open's EACCES/EPERM).
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
