// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libbpf 1.x low-level calls over the default backend: the same attr
 * layout and sizes libbpf passes, the same opts checks, the same errors.
 */
#include <errno.h>
#include <string.h>

#include <abpf/bpf.h>

#include "internal.h"

static int libbpf_err(int err)
{
	errno = -err;
	return err;
}

/*
 * An opts struct is valid if its size field is set and every byte past the
 * fields this library knows is zero (a newer caller's unknown options).
 */
static int opts_valid(const void *opts, size_t known_sz)
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

#define OPTS_VALID(opts, type) \
	opts_valid(opts, offsetofend(struct type, type##__last_field))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetofend(__typeof__(*(opts)), field))
#define OPTS_GET(opts, field, fallback) \
	(OPTS_HAS(opts, field) ? (opts)->field : (fallback))

int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
		   __u32 key_size, __u32 value_size, __u32 max_entries,
		   const struct bpf_map_create_opts *opts)
{
	const size_t attr_sz = offsetofend(union bpf_attr, map_extra);
	const struct abpf_sys *sys = abpf_default_sys();
	union bpf_attr attr;

	if (!sys)
		return -errno;
	if (!OPTS_VALID(opts, bpf_map_create_opts))
		return libbpf_err(-EINVAL);

	memset(&attr, 0, attr_sz);
	attr.map_type = map_type;
	if (map_name)
		strncpy(attr.map_name, map_name, sizeof(attr.map_name) - 1);
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

	return (int)abpf_sys_bpf(sys, BPF_MAP_CREATE, &attr, attr_sz);
}

/* The element commands share one attr layout; next_key shares value's slot. */
static int map_elem_cmd(enum bpf_cmd cmd, size_t attr_sz, int fd,
			const void *key, const void *value, __u64 flags)
{
	const struct abpf_sys *sys = abpf_default_sys();
	union bpf_attr attr;

	if (!sys)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return (int)abpf_sys_bpf(sys, cmd, &attr, attr_sz);
}

int bpf_map_update_elem(int fd, const void *key, const void *value,
			__u64 flags)
{
	return map_elem_cmd(BPF_MAP_UPDATE_ELEM,
			    offsetofend(union bpf_attr, flags),
			    fd, key, value, flags);
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return map_elem_cmd(BPF_MAP_LOOKUP_ELEM,
			    offsetofend(union bpf_attr, flags),
			    fd, key, value, 0);
}

int bpf_map_delete_elem(int fd, const void *key)
{
	return map_elem_cmd(BPF_MAP_DELETE_ELEM,
			    offsetofend(union bpf_attr, flags),
			    fd, key, NULL, 0);
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	return map_elem_cmd(BPF_MAP_GET_NEXT_KEY,
			    offsetofend(union bpf_attr, next_key),
			    fd, key, next_key, 0);
}
