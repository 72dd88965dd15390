/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* libabpf internals. */
#ifndef ABPF_INTERNAL_H
#define ABPF_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include <abpf.h>

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

static inline abpf_errno abpf_err(int no)
{
	return (abpf_errno){ .no = no };
}

/* -err (a negative errno or -LIBBPF_ERRNO__*) as an abpf_errno. */
static inline abpf_errno abpf_err_ret(long ret)
{
	return abpf_err(ret < 0 ? (int)-ret : 0);
}

/*
 * The error a failed table call left: the table's errno, or
 * LIBBPF_ERRNO__INTERNAL when the table says nothing (no errno_location,
 * or an errno that is not positive).
 */
static inline int abpf__sys_errno(const struct abpf_sys *sys)
{
	int err = sys->errno_location ? *sys->errno_location() : 0;

	return err > 0 ? err : LIBBPF_ERRNO__INTERNAL;
}

/*
 * Table calls: the call's result, or a negative errno (ENOSYS for a NULL
 * entry).  errno is not touched.
 */
#define ABPF_SYS_CALL(sys, fn, ...)					\
	((sys)->fn ? abpf__sys_ret((sys), (long)(sys)->fn(__VA_ARGS__)) \
		   : -(long)ENOSYS)

static inline long abpf__sys_ret(const struct abpf_sys *sys, long ret)
{
	return ret < 0 ? -(long)abpf__sys_errno(sys) : ret;
}

/* Close through the table, ignoring the result, as close(2) is used. */
static inline void abpf__close(const struct abpf_sys *sys, int fd)
{
	if (fd >= 0 && sys->close)
		sys->close(fd);
}

/*
 * An opts struct is valid if its size field holds at least a size_t and
 * every byte past the fields this library knows is zero.
 */
int abpf__opts_valid(const void *opts, size_t known_sz);

#define OPTS_VALID(opts, type) \
	abpf__opts_valid(opts, offsetofend(struct type, type##__last_field))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetofend(__typeof__(*(opts)), field))
#define OPTS_GET(opts, field, fallback) \
	(OPTS_HAS(opts, field) ? (opts)->field : (fallback))
#define OPTS_SET(opts, field, value)		\
	do {					\
		if (OPTS_HAS(opts, field))	\
			(opts)->field = (value);	\
	} while (0)

/*
 * The bpf(2) commands, over one table, shared by the libbpf-compatible
 * calls and the object API: each returns what the command returns (an fd
 * or 0) or a negative errno, and leaves errno alone.
 */
long abpf__bpf(const struct abpf_sys *sys, int cmd, union bpf_attr *attr,
	       unsigned int size);
int abpf__map_create(const struct abpf_sys *sys, enum bpf_map_type type,
		     const char *name, __u32 key_size, __u32 value_size,
		     __u32 max_entries, const struct bpf_map_create_opts *opts);
int abpf__map_elem(const struct abpf_sys *sys, int cmd, int fd,
		   const void *key, const void *value, __u64 flags);
int abpf__map_freeze(const struct abpf_sys *sys, int fd);
int abpf__map_batch(const struct abpf_sys *sys, int cmd, int fd,
		    void *in_batch, void *out_batch, const void *keys,
		    const void *values, __u32 *count,
		    const struct bpf_map_batch_opts *opts);
int abpf__obj_pin(const struct abpf_sys *sys, int fd, const char *path);
int abpf__obj_get(const struct abpf_sys *sys, const char *path,
		  const struct bpf_obj_get_opts *opts);
int abpf__get_next_id(const struct abpf_sys *sys, int cmd, __u32 start_id,
		      __u32 *next_id);
int abpf__get_fd_by_id(const struct abpf_sys *sys, int cmd, __u32 id,
		       const struct bpf_get_fd_by_id_opts *opts);
int abpf__obj_get_info(const struct abpf_sys *sys, int fd, void *info,
		       __u32 *info_len);
int abpf__prog_load(const struct abpf_sys *sys, enum bpf_prog_type type,
		    const char *name, const char *license,
		    const struct bpf_insn *insns, size_t insn_cnt,
		    const struct bpf_prog_load_opts *opts);
int abpf__prog_test_run(const struct abpf_sys *sys, int prog_fd,
			struct bpf_test_run_opts *opts);
int abpf__raw_tracepoint_open(const struct abpf_sys *sys, const char *name,
			      int prog_fd);

/* The handle. */
struct abpf_nl;

struct abpf {
	atomic_uint refs;
	const struct abpf_sys *sys;
	void (*release)(void *ctx);
	void *release_ctx;
	pthread_mutex_t lock;		/* ncpus */
	unsigned int ncpus;		/* possible CPUs; 0 until read */
	pthread_mutex_t nl_lock;	/* nl, and each netlink request */
	struct abpf_nl *nl;		/* netlink.c, opened on first use */
	void (*nl_free)(struct abpf *h); /* set by netlink.c with nl */
};

struct abpf_map {
	struct abpf *h;
	int fd;
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries, flags;
	size_t value_buf;	/* what one element's value is in bpf(2) */
};

/* Parse a CPU list ("0-3,5\n"): the highest CPU + 1, or -1. */
int abpf__parse_cpu_count(const char *s);
/* Read a sysfs CPU list through the table into @buf; length or -errno. */
long abpf__read_file(const struct abpf_sys *sys, const char *path, char *buf,
		     size_t len);

#endif /* ABPF_INTERNAL_H */
