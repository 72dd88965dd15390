/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libbpf-compatible low-level calls: the names, arguments, opts structs
 * and error convention of libbpf 1.x <bpf/bpf.h>, over the backend that
 * abpf_default_sys() picks (the kernel, or kbpf's /dev/kbpf).
 *
 * Errors: a call returns a negative errno and also sets errno, as libbpf
 * 1.x does; calls that create an object return its fd.
 *
 * Include this instead of <bpf/bpf.h>, not beside it: a program written
 * against libbpf's low-level API builds against libabpf by changing that
 * include line.  The opts structs are laid out as libbpf 1.1's (Debian
 * 12's libbpf-dev), field for field.
 *
 * Every call checks an opts struct as libbpf does: a size (sz) below a
 * size_t, or non-zero bytes past the fields this library knows, fail with
 * EINVAL before any system call; fields past a smaller sz read as zero.
 */
#ifndef ABPF_BPF_H
#define ABPF_BPF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>

#include <abpf/abpf.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Declare and zero an opts struct with its size set, then apply the
 * given field initializers:
 *	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_RDONLY);
 */
#define LIBBPF_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

struct bpf_map_create_opts {
	size_t sz;	/* size of this struct, for compatibility */

	__u32 btf_fd;
	__u32 btf_key_type_id;
	__u32 btf_value_type_id;
	__u32 btf_vmlinux_value_type_id;

	__u32 inner_map_fd;
	__u32 map_flags;
	__u64 map_extra;

	__u32 numa_node;
	__u32 map_ifindex;
};
#define bpf_map_create_opts__last_field map_ifindex

/*
 * A name longer than BPF_OBJ_NAME_LEN - 1 is cut, as libbpf cuts it;
 * opts may be NULL.  Returns the new map's fd.
 */
ABPF_API int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
			    __u32 key_size, __u32 value_size,
			    __u32 max_entries,
			    const struct bpf_map_create_opts *opts);
/*
 * The element calls: one bpf(2) command each, on the map fd @fd.  Errors
 * are bpf(2)'s.
 */
ABPF_API int bpf_map_update_elem(int fd, const void *key, const void *value,
				 __u64 flags);
ABPF_API int bpf_map_lookup_elem(int fd, const void *key, void *value);
ABPF_API int bpf_map_lookup_elem_flags(int fd, const void *key, void *value,
				       __u64 flags);
ABPF_API int bpf_map_lookup_and_delete_elem(int fd, const void *key,
					    void *value);
ABPF_API int bpf_map_lookup_and_delete_elem_flags(int fd, const void *key,
						  void *value, __u64 flags);
ABPF_API int bpf_map_delete_elem(int fd, const void *key);
ABPF_API int bpf_map_delete_elem_flags(int fd, const void *key, __u64 flags);
ABPF_API int bpf_map_get_next_key(int fd, const void *key, void *next_key);
ABPF_API int bpf_map_freeze(int fd);

struct bpf_map_batch_opts {
	size_t sz;	/* size of this struct, for compatibility */
	__u64 elem_flags;
	__u64 flags;
};
#define bpf_map_batch_opts__last_field flags

/*
 * The batch calls.  *count is the number of elements in, and the number
 * done out (also when the call fails, except with EFAULT); in_batch NULL
 * starts at the beginning, out_batch receives the cursor for the next
 * call, ENOENT says the walk is complete.
 */
ABPF_API int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
				  const struct bpf_map_batch_opts *opts);
ABPF_API int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch,
				  void *keys, void *values, __u32 *count,
				  const struct bpf_map_batch_opts *opts);
ABPF_API int bpf_map_lookup_and_delete_batch(int fd, void *in_batch,
					     void *out_batch, void *keys,
					     void *values, __u32 *count,
					     const struct bpf_map_batch_opts *opts);
ABPF_API int bpf_map_update_batch(int fd, const void *keys, const void *values,
				  __u32 *count,
				  const struct bpf_map_batch_opts *opts);

struct bpf_obj_get_opts {
	size_t sz;	/* size of this struct, for compatibility */

	__u32 file_flags;

	size_t :0;
};
#define bpf_obj_get_opts__last_field file_flags

/*
 * Pinning in a bpffs (BPF_OBJ_PIN, BPF_OBJ_GET).  kbpf has no bpffs: on
 * /dev/kbpf both fail with EINVAL.
 */
ABPF_API int bpf_obj_pin(int fd, const char *pathname);
ABPF_API int bpf_obj_get(const char *pathname);
ABPF_API int bpf_obj_get_opts(const char *pathname,
			      const struct bpf_obj_get_opts *opts);

/* Ids: the next one after @start_id into *next_id, ENOENT past the last. */
ABPF_API int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id);
ABPF_API int bpf_map_get_next_id(__u32 start_id, __u32 *next_id);

struct bpf_get_fd_by_id_opts {
	size_t sz;	/* size of this struct, for compatibility */
	__u32 open_flags;	/* BPF_F_RDONLY, BPF_F_WRONLY */
	size_t :0;
};
#define bpf_get_fd_by_id_opts__last_field open_flags

/* A new fd for the object with id @id; ENOENT if there is none. */
ABPF_API int bpf_prog_get_fd_by_id(__u32 id);
ABPF_API int bpf_prog_get_fd_by_id_opts(__u32 id,
					const struct bpf_get_fd_by_id_opts *opts);
ABPF_API int bpf_map_get_fd_by_id(__u32 id);
ABPF_API int bpf_map_get_fd_by_id_opts(__u32 id,
				       const struct bpf_get_fd_by_id_opts *opts);

/*
 * BPF_OBJ_GET_INFO_BY_FD: *info_len is the size of @info in, and the size
 * the kernel wrote out (the smaller of its struct and *info_len).
 */
ABPF_API int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);
ABPF_API int bpf_map_get_info_by_fd(int map_fd, struct bpf_map_info *info,
				    __u32 *info_len);
ABPF_API int bpf_prog_get_info_by_fd(int prog_fd, struct bpf_prog_info *info,
				     __u32 *info_len);

struct bpf_prog_load_opts {
	size_t sz;	/* size of this struct, for compatibility */

	/* retries on EAGAIN, as libbpf makes them; 0 means 5 */
	int attempts;

	enum bpf_attach_type expected_attach_type;
	__u32 prog_btf_fd;
	__u32 prog_flags;
	__u32 prog_ifindex;
	__u32 kern_version;

	__u32 attach_btf_id;
	__u32 attach_prog_fd;
	__u32 attach_btf_obj_fd;

	const int *fd_array;

	/* .BTF.ext func info data */
	const void *func_info;
	__u32 func_info_cnt;
	__u32 func_info_rec_size;

	/* .BTF.ext line info data */
	const void *line_info;
	__u32 line_info_cnt;
	__u32 line_info_rec_size;

	/* verifier log options */
	__u32 log_level;
	__u32 log_size;
	char *log_buf;
};
#define bpf_prog_load_opts__last_field log_buf

/* Recommended log buffer size, as libbpf's. */
#ifndef BPF_LOG_BUF_SIZE
#define BPF_LOG_BUF_SIZE (UINT32_MAX >> 8)
#endif

/*
 * BPF_PROG_LOAD as libbpf 1.x makes it: the name is cut to 15 bytes;
 * EINVAL before any call for attempts < 0, a log_buf without log_size or
 * the reverse, log_level above 7 or set without a buffer, both
 * attach_prog_fd and attach_btf_obj_fd; E2BIG for insn_cnt above
 * UINT_MAX; EAGAIN retried up to attempts times; func/line info records
 * the kernel finds too large (E2BIG) retried with their tails cut; and a
 * failed load with a log buffer but log_level 0 retried at level 1 to
 * fill the log.  Returns the program's fd.
 */
ABPF_API int bpf_prog_load(enum bpf_prog_type prog_type,
			   const char *prog_name, const char *license,
			   const struct bpf_insn *insns, size_t insn_cnt,
			   const struct bpf_prog_load_opts *opts);

struct bpf_test_run_opts {
	size_t sz;	/* size of this struct, for compatibility */
	const void *data_in;	/* optional */
	void *data_out;		/* optional */
	__u32 data_size_in;
	__u32 data_size_out;	/* in: max length of data_out
				 * out: length of data_out */
	const void *ctx_in;	/* optional */
	void *ctx_out;		/* optional */
	__u32 ctx_size_in;
	__u32 ctx_size_out;	/* in: max length of ctx_out
				 * out: length of ctx_out */
	__u32 retval;		/* out: return code of the BPF program */
	int repeat;
	__u32 duration;		/* out: average per repetition in ns */
	__u32 flags;
	__u32 cpu;
	__u32 batch_size;
};
#define bpf_test_run_opts__last_field batch_size

/*
 * BPF_PROG_TEST_RUN; data_size_out, ctx_size_out, duration and retval
 * are written back into @opts (also on failure), as libbpf does.
 */
ABPF_API int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts);

/* BPF_RAW_TRACEPOINT_OPEN: a new fd whose close detaches the program. */
ABPF_API int bpf_raw_tracepoint_open(const char *name, int prog_fd);

#ifdef __cplusplus
}
#endif

#endif /* ABPF_BPF_H */
