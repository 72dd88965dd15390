// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The bpf(2) commands as libbpf 1.x makes them: the same attr layout and
 * sizes, the same opts checks, the same retries.  abpf__*() run them over
 * one table and return -errno; the libbpf-compatible calls below run them
 * over the default backend and also set errno.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <abpf/bpf.h>

#include "internal.h"

#define PROG_LOAD_ATTEMPTS 5

int abpf__opts_valid(const void *opts, size_t known_sz)
{
	size_t user_sz, i;

	if (!opts)
		return 1;
	user_sz = *(const size_t *)opts;
	if (user_sz < sizeof(size_t))
		return 0;
	for (i = known_sz; i < user_sz; i++)
		if (((const unsigned char *)opts)[i])
			return 0;
	return 1;
}

long abpf__bpf(const struct abpf_sys *sys, int cmd, union bpf_attr *attr,
	       unsigned int size)
{
	return ABPF_SYS_CALL(sys, bpf, cmd, attr, size);
}

/* A command whose result is an fd: one that does not fit an int is ours. */
static int bpf_fd(const struct abpf_sys *sys, int cmd, union bpf_attr *attr,
		  unsigned int size)
{
	long ret = abpf__bpf(sys, cmd, attr, size);

	if (ret > INT_MAX) {
		abpf__close(sys, (int)ret);
		return -LIBBPF_ERRNO__INTERNAL;
	}
	return (int)ret;
}

int abpf__map_create(const struct abpf_sys *sys, enum bpf_map_type type,
		     const char *name, __u32 key_size, __u32 value_size,
		     __u32 max_entries, const struct bpf_map_create_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, map_extra);
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpf_map_create_opts))
		return -EINVAL;

	memset(&attr, 0, attr_sz);
	attr.map_type = type;
	if (name)
		strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.btf_fd = OPTS_GET(opts, btf_fd, 0);
	attr.btf_key_type_id = OPTS_GET(opts, btf_key_type_id, 0);
	attr.btf_value_type_id = OPTS_GET(opts, btf_value_type_id, 0);
	attr.btf_vmlinux_value_type_id =
		OPTS_GET(opts, btf_vmlinux_value_type_id, 0);
	attr.inner_map_fd = OPTS_GET(opts, inner_map_fd, 0);
	attr.map_flags = OPTS_GET(opts, map_flags, 0);
	attr.map_extra = OPTS_GET(opts, map_extra, 0);
	attr.numa_node = OPTS_GET(opts, numa_node, 0);
	attr.map_ifindex = OPTS_GET(opts, map_ifindex, 0);

	return bpf_fd(sys, BPF_MAP_CREATE, &attr, attr_sz);
}

/*
 * The element commands share one attr layout, which libbpf sends up to
 * flags (next_key shares value's slot, and GET_NEXT_KEY stops there).
 */
int abpf__map_elem(const struct abpf_sys *sys, int cmd, int fd,
		   const void *key, const void *value, __u64 flags)
{
	size_t attr_sz = cmd == BPF_MAP_GET_NEXT_KEY ?
		offsetofend(union bpf_attr, next_key) :
		offsetofend(union bpf_attr, flags);
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return (int)abpf__bpf(sys, cmd, &attr, attr_sz);
}

int abpf__map_freeze(const struct abpf_sys *sys, int fd)
{
	const size_t attr_sz = offsetofend(union bpf_attr, map_fd);
	union bpf_attr attr;

	memset(&attr, 0, attr_sz);
	attr.map_fd = fd;
	return (int)abpf__bpf(sys, BPF_MAP_FREEZE, &attr, attr_sz);
}

int abpf__map_batch(const struct abpf_sys *sys, int cmd, int fd,
		     void *in_batch, void *out_batch, const void *keys,
		     const void *values, __u32 *count,
		     const struct bpf_map_batch_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, batch);
	union bpf_attr attr;
	int ret;

	if (!OPTS_VALID(opts, bpf_map_batch_opts))
		return -EINVAL;

	memset(&attr, 0, attr_sz);
	attr.batch.map_fd = fd;
	attr.batch.in_batch = ptr_to_u64(in_batch);
	attr.batch.out_batch = ptr_to_u64(out_batch);
	attr.batch.keys = ptr_to_u64(keys);
	attr.batch.values = ptr_to_u64(values);
	attr.batch.count = *count;
	attr.batch.elem_flags = OPTS_GET(opts, elem_flags, 0);
	attr.batch.flags = OPTS_GET(opts, flags, 0);

	ret = (int)abpf__bpf(sys, cmd, &attr, attr_sz);
	*count = attr.batch.count;
	return ret;
}

int abpf__obj_pin(const struct abpf_sys *sys, int fd, const char *path)
{
	const size_t attr_sz = offsetofend(union bpf_attr, file_flags);
	union bpf_attr attr;

	memset(&attr, 0, attr_sz);
	attr.pathname = ptr_to_u64(path);
	attr.bpf_fd = fd;
	return (int)abpf__bpf(sys, BPF_OBJ_PIN, &attr, attr_sz);
}

int abpf__obj_get(const struct abpf_sys *sys, const char *path,
		  const struct bpf_obj_get_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, file_flags);
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpf_obj_get_opts))
		return -EINVAL;

	memset(&attr, 0, attr_sz);
	attr.pathname = ptr_to_u64(path);
	attr.file_flags = OPTS_GET(opts, file_flags, 0);
	return bpf_fd(sys, BPF_OBJ_GET, &attr, attr_sz);
}

int abpf__get_next_id(const struct abpf_sys *sys, int cmd, __u32 start_id,
		      __u32 *next_id)
{
	const size_t attr_sz = offsetofend(union bpf_attr, open_flags);
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, attr_sz);
	attr.start_id = start_id;
	ret = (int)abpf__bpf(sys, cmd, &attr, attr_sz);
	if (!ret)
		*next_id = attr.next_id;
	return ret;
}

int abpf__get_fd_by_id(const struct abpf_sys *sys, int cmd, __u32 id,
		       const struct bpf_get_fd_by_id_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, open_flags);
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpf_get_fd_by_id_opts))
		return -EINVAL;

	memset(&attr, 0, attr_sz);
	attr.map_id = id;	/* prog_id, btf_id and link_id share it */
	attr.open_flags = OPTS_GET(opts, open_flags, 0);
	return bpf_fd(sys, cmd, &attr, attr_sz);
}

int abpf__obj_get_info(const struct abpf_sys *sys, int fd, void *info,
		       __u32 *info_len)
{
	const size_t attr_sz = offsetofend(union bpf_attr, info);
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, attr_sz);
	attr.info.bpf_fd = fd;
	attr.info.info_len = *info_len;
	attr.info.info = ptr_to_u64(info);
	ret = (int)abpf__bpf(sys, BPF_OBJ_GET_INFO_BY_FD, &attr, attr_sz);
	if (!ret)
		*info_len = attr.info.info_len;
	return ret;
}

static int prog_load_attempts(const struct abpf_sys *sys, union bpf_attr *attr,
			      size_t attr_sz, int attempts)
{
	int fd;

	do {
		fd = bpf_fd(sys, BPF_PROG_LOAD, attr, attr_sz);
	} while (fd == -EAGAIN && --attempts > 0);
	return fd;
}

/*
 * @cnt records of @from_sz bytes copied into records of @to_sz bytes (the
 * size the kernel knows), each cut to it; NULL if out of memory.
 */
static void *cut_records(const void *records, __u32 cnt, __u32 from_sz,
			 __u32 to_sz)
{
	const unsigned char *src = records;
	unsigned char *out, *dst;
	__u32 i;

	out = calloc(cnt ? cnt : 1, from_sz);
	if (!out)
		return NULL;
	for (i = 0, dst = out; i < cnt; i++, src += from_sz, dst += from_sz)
		memcpy(dst, src, to_sz);
	return out;
}

int abpf__prog_load(const struct abpf_sys *sys, enum bpf_prog_type type,
		    const char *name, const char *license,
		    const struct bpf_insn *insns, size_t insn_cnt,
		    const struct bpf_prog_load_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, fd_array);
	__u32 log_size, log_level, attach_prog_fd, attach_btf_obj_fd;
	__u32 func_info_rec_size, line_info_rec_size;
	void *finfo = NULL, *linfo = NULL;
	const void *func_info, *line_info;
	union bpf_attr attr;
	int fd, attempts;
	char *log_buf;

	if (!OPTS_VALID(opts, bpf_prog_load_opts))
		return -EINVAL;
	attempts = OPTS_GET(opts, attempts, 0);
	if (attempts < 0)
		return -EINVAL;
	if (attempts == 0)
		attempts = PROG_LOAD_ATTEMPTS;

	memset(&attr, 0, attr_sz);
	attr.prog_type = type;
	attr.expected_attach_type = OPTS_GET(opts, expected_attach_type, 0);
	attr.prog_btf_fd = OPTS_GET(opts, prog_btf_fd, 0);
	attr.prog_flags = OPTS_GET(opts, prog_flags, 0);
	attr.prog_ifindex = OPTS_GET(opts, prog_ifindex, 0);
	attr.kern_version = OPTS_GET(opts, kern_version, 0);
	if (name)
		strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
	attr.license = ptr_to_u64(license);

	if (insn_cnt > UINT_MAX)
		return -E2BIG;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = (__u32)insn_cnt;

	attach_prog_fd = OPTS_GET(opts, attach_prog_fd, 0);
	attach_btf_obj_fd = OPTS_GET(opts, attach_btf_obj_fd, 0);
	if (attach_prog_fd && attach_btf_obj_fd)
		return -EINVAL;
	attr.attach_btf_id = OPTS_GET(opts, attach_btf_id, 0);
	if (attach_prog_fd)
		attr.attach_prog_fd = attach_prog_fd;
	else
		attr.attach_btf_obj_fd = attach_btf_obj_fd;

	log_buf = OPTS_GET(opts, log_buf, NULL);
	log_size = OPTS_GET(opts, log_size, 0);
	log_level = OPTS_GET(opts, log_level, 0);
	if (!!log_buf != !!log_size)
		return -EINVAL;
	if (log_level > (4 | 2 | 1))
		return -EINVAL;
	if (log_level && !log_buf)
		return -EINVAL;

	func_info_rec_size = OPTS_GET(opts, func_info_rec_size, 0);
	func_info = OPTS_GET(opts, func_info, NULL);
	attr.func_info_rec_size = func_info_rec_size;
	attr.func_info = ptr_to_u64(func_info);
	attr.func_info_cnt = OPTS_GET(opts, func_info_cnt, 0);

	line_info_rec_size = OPTS_GET(opts, line_info_rec_size, 0);
	line_info = OPTS_GET(opts, line_info, NULL);
	attr.line_info_rec_size = line_info_rec_size;
	attr.line_info = ptr_to_u64(line_info);
	attr.line_info_cnt = OPTS_GET(opts, line_info_cnt, 0);

	attr.fd_array = ptr_to_u64(OPTS_GET(opts, fd_array, NULL));

	if (log_level) {
		attr.log_buf = ptr_to_u64(log_buf);
		attr.log_size = log_size;
		attr.log_level = log_level;
	}

	fd = prog_load_attempts(sys, &attr, attr_sz, attempts);
	if (fd >= 0)
		return fd;

	/*
	 * E2BIG with a smaller record size written back: the kernel knows
	 * shorter func/line info records; retry with the records cut.
	 */
	while (fd == -E2BIG && (!finfo || !linfo)) {
		if (!finfo && attr.func_info_cnt &&
		    attr.func_info_rec_size < func_info_rec_size) {
			finfo = cut_records(func_info, attr.func_info_cnt,
					    func_info_rec_size,
					    attr.func_info_rec_size);
			if (!finfo)
				goto done;
			attr.func_info = ptr_to_u64(finfo);
			attr.func_info_rec_size = func_info_rec_size;
		} else if (!linfo && attr.line_info_cnt &&
			   attr.line_info_rec_size < line_info_rec_size) {
			linfo = cut_records(line_info, attr.line_info_cnt,
					    line_info_rec_size,
					    attr.line_info_rec_size);
			if (!linfo)
				goto done;
			attr.line_info = ptr_to_u64(linfo);
			attr.line_info_rec_size = line_info_rec_size;
		} else {
			break;
		}
		fd = prog_load_attempts(sys, &attr, attr_sz, attempts);
		if (fd >= 0)
			goto done;
	}

	/* A log buffer at level 0: load again at level 1 to fill it. */
	if (log_level == 0 && log_buf) {
		attr.log_buf = ptr_to_u64(log_buf);
		attr.log_size = log_size;
		attr.log_level = 1;
		fd = prog_load_attempts(sys, &attr, attr_sz, attempts);
	}
done:
	free(finfo);
	free(linfo);
	return fd;
}

int abpf__prog_test_run(const struct abpf_sys *sys, int prog_fd,
			struct bpf_test_run_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, test);
	union bpf_attr attr;
	int ret;

	if (!OPTS_VALID(opts, bpf_test_run_opts))
		return -EINVAL;

	memset(&attr, 0, attr_sz);
	attr.test.prog_fd = prog_fd;
	attr.test.batch_size = OPTS_GET(opts, batch_size, 0);
	attr.test.cpu = OPTS_GET(opts, cpu, 0);
	attr.test.flags = OPTS_GET(opts, flags, 0);
	attr.test.repeat = OPTS_GET(opts, repeat, 0);
	attr.test.duration = OPTS_GET(opts, duration, 0);
	attr.test.ctx_size_in = OPTS_GET(opts, ctx_size_in, 0);
	attr.test.ctx_size_out = OPTS_GET(opts, ctx_size_out, 0);
	attr.test.data_size_in = OPTS_GET(opts, data_size_in, 0);
	attr.test.data_size_out = OPTS_GET(opts, data_size_out, 0);
	attr.test.ctx_in = ptr_to_u64(OPTS_GET(opts, ctx_in, NULL));
	attr.test.ctx_out = ptr_to_u64(OPTS_GET(opts, ctx_out, NULL));
	attr.test.data_in = ptr_to_u64(OPTS_GET(opts, data_in, NULL));
	attr.test.data_out = ptr_to_u64(OPTS_GET(opts, data_out, NULL));

	ret = (int)abpf__bpf(sys, BPF_PROG_TEST_RUN, &attr, attr_sz);

	OPTS_SET(opts, data_size_out, attr.test.data_size_out);
	OPTS_SET(opts, ctx_size_out, attr.test.ctx_size_out);
	OPTS_SET(opts, duration, attr.test.duration);
	OPTS_SET(opts, retval, attr.test.retval);
	return ret;
}

int abpf__raw_tracepoint_open(const struct abpf_sys *sys, const char *name,
			      int prog_fd)
{
	const size_t attr_sz = offsetofend(union bpf_attr, raw_tracepoint);
	union bpf_attr attr;

	memset(&attr, 0, attr_sz);
	attr.raw_tracepoint.name = ptr_to_u64(name);
	attr.raw_tracepoint.prog_fd = prog_fd;
	return bpf_fd(sys, BPF_RAW_TRACEPOINT_OPEN, &attr, attr_sz);
}

/* ---- the libbpf-compatible calls, over the default backend ---- */

/* libbpf's convention: a negative errno returned, and errno set. */
static int libbpf_ret(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

/* The default backend, or return its error (errno is already set). */
#define DEFAULT_SYS(sys)				\
	const struct abpf_sys *sys = abpf_default_sys();	\
	if (!sys)					\
		return -errno

int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
		   __u32 key_size, __u32 value_size, __u32 max_entries,
		   const struct bpf_map_create_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_create(sys, map_type, map_name, key_size,
					   value_size, max_entries, opts));
}

static int map_elem(int cmd, int fd, const void *key, const void *value,
		    __u64 flags)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_elem(sys, cmd, fd, key, value, flags));
}

int bpf_map_update_elem(int fd, const void *key, const void *value,
			__u64 flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int bpf_map_lookup_elem_flags(int fd, const void *key, void *value,
			      __u64 flags)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, 0);
}

int bpf_map_lookup_and_delete_elem_flags(int fd, const void *key, void *value,
					 __u64 flags)
{
	return map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

int bpf_map_delete_elem(int fd, const void *key)
{
	return map_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int bpf_map_delete_elem_flags(int fd, const void *key, __u64 flags)
{
	return map_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, flags);
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	return map_elem(BPF_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

int bpf_map_freeze(int fd)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_freeze(sys, fd));
}

int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_batch(sys, BPF_MAP_DELETE_BATCH, fd, NULL, NULL,
				    keys, NULL, count, opts));
}

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
			 void *values, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_batch(sys, BPF_MAP_LOOKUP_BATCH, fd, in_batch,
				    out_batch, keys, values, count, opts));
}

int bpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
				    void *keys, void *values, __u32 *count,
				    const struct bpf_map_batch_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_batch(sys, BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd,
				    in_batch, out_batch, keys, values, count,
				    opts));
}

int bpf_map_update_batch(int fd, const void *keys, const void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__map_batch(sys, BPF_MAP_UPDATE_BATCH, fd, NULL, NULL,
				    keys, values, count, opts));
}

int bpf_obj_pin(int fd, const char *pathname)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__obj_pin(sys, fd, pathname));
}

int bpf_obj_get(const char *pathname)
{
	return bpf_obj_get_opts(pathname, NULL);
}

int bpf_obj_get_opts(const char *pathname, const struct bpf_obj_get_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__obj_get(sys, pathname, opts));
}

int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__get_next_id(sys, BPF_PROG_GET_NEXT_ID, start_id,
					    next_id));
}

int bpf_map_get_next_id(__u32 start_id, __u32 *next_id)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__get_next_id(sys, BPF_MAP_GET_NEXT_ID, start_id,
					    next_id));
}

int bpf_prog_get_fd_by_id(__u32 id)
{
	return bpf_prog_get_fd_by_id_opts(id, NULL);
}

int bpf_prog_get_fd_by_id_opts(__u32 id,
			       const struct bpf_get_fd_by_id_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__get_fd_by_id(sys, BPF_PROG_GET_FD_BY_ID, id,
					     opts));
}

int bpf_map_get_fd_by_id(__u32 id)
{
	return bpf_map_get_fd_by_id_opts(id, NULL);
}

int bpf_map_get_fd_by_id_opts(__u32 id, const struct bpf_get_fd_by_id_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__get_fd_by_id(sys, BPF_MAP_GET_FD_BY_ID, id,
					     opts));
}

int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__obj_get_info(sys, bpf_fd, info, info_len));
}

int bpf_map_get_info_by_fd(int map_fd, struct bpf_map_info *info,
			   __u32 *info_len)
{
	return bpf_obj_get_info_by_fd(map_fd, info, info_len);
}

int bpf_prog_get_info_by_fd(int prog_fd, struct bpf_prog_info *info,
			    __u32 *info_len)
{
	return bpf_obj_get_info_by_fd(prog_fd, info, info_len);
}

int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
		  const char *license, const struct bpf_insn *insns,
		  size_t insn_cnt, const struct bpf_prog_load_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__prog_load(sys, prog_type, prog_name, license,
					  insns, insn_cnt, opts));
}

int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__prog_test_run(sys, prog_fd, opts));
}

int bpf_raw_tracepoint_open(const char *name, int prog_fd)
{
	DEFAULT_SYS(sys);
	return libbpf_ret(abpf__raw_tracepoint_open(sys, name, prog_fd));
}
