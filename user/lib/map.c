// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Maps (abpfiff's MapFd): an fd owned by the object, the sizes the map
 * was made with, and element calls that refuse buffers of other sizes
 * before any system call.  Also the typed convenience of ebpf-rs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool is_percpu(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return true;
	default:
		return false;
	}
}

/* A map object for @fd, with what it was created with. */
static abpf_errno map_new(struct abpf *h, int fd, enum bpf_map_type type,
			  __u32 key_size, __u32 value_size, __u32 max_entries,
			  __u32 flags, struct abpf_map **out)
{
	struct abpf_map *map;
	size_t value_buf = value_size;

	if (is_percpu(type)) {
		unsigned int ncpus;
		abpf_errno err = abpf_num_possible_cpus(h, &ncpus);

		if (!abpf_ok(err))
			return err;
		value_buf = (((size_t)value_size + 7) & ~(size_t)7) * ncpus;
	}
	map = calloc(1, sizeof(*map));
	if (!map)
		return abpf_err(ENOMEM);
	map->h = abpf_ref(h);
	map->fd = fd;
	map->type = type;
	map->key_size = key_size;
	map->value_size = value_size;
	map->max_entries = max_entries;
	map->flags = flags;
	map->value_buf = value_buf;
	*out = map;
	return abpf_err(0);
}

abpf_errno abpf_map_create(struct abpf *h, enum bpf_map_type type,
			   const char *name, __u32 key_size, __u32 value_size,
			   __u32 max_entries,
			   const struct bpf_map_create_opts *opts,
			   struct abpf_map **out)
{
	abpf_errno err;
	int fd;

	fd = abpf__map_create(h->sys, type, name, key_size, value_size,
			      max_entries, opts);
	if (fd < 0)
		return abpf_err_ret(fd);
	err = map_new(h, fd, type, key_size, value_size, max_entries,
		      OPTS_GET(opts, map_flags, 0), out);
	if (!abpf_ok(err))
		abpf__close(h->sys, fd);
	return err;
}

abpf_errno abpf_map_from_fd(struct abpf *h, int fd, struct abpf_map **out)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = abpf__obj_get_info(h->sys, fd, &info, &len);
	if (ret < 0)
		return abpf_err_ret(ret);
	/* Too short to hold the sizes: not a map info the kernel would give. */
	if (len < offsetofend(struct bpf_map_info, map_flags))
		return abpf_err(EINVAL);
	return map_new(h, fd, info.type, info.key_size, info.value_size,
		       info.max_entries, info.map_flags, out);
}

/* Wrap the new fd @fd (or its error), closing it if that fails. */
static abpf_errno map_adopt(struct abpf *h, int fd, struct abpf_map **out)
{
	abpf_errno err;

	if (fd < 0)
		return abpf_err_ret(fd);
	err = abpf_map_from_fd(h, fd, out);
	if (!abpf_ok(err))
		abpf__close(h->sys, fd);
	return err;
}

abpf_errno abpf_map_get_fd_by_id(struct abpf *h, __u32 id, struct abpf_map **out)
{
	return map_adopt(h, abpf__get_fd_by_id(h->sys, BPF_MAP_GET_FD_BY_ID, id,
					       NULL), out);
}

abpf_errno abpf_map_obj_get(struct abpf *h, const char *path,
			    struct abpf_map **out)
{
	return map_adopt(h, abpf__obj_get(h->sys, path, NULL), out);
}

abpf_errno abpf_map_pin(struct abpf_map *map, const char *path)
{
	return abpf_err_ret(abpf__obj_pin(map->h->sys, map->fd, path));
}

abpf_errno abpf_map_get_next_id(struct abpf *h, __u32 start_id, __u32 *next_id)
{
	return abpf_err_ret(abpf__get_next_id(h->sys, BPF_MAP_GET_NEXT_ID,
					      start_id, next_id));
}

void abpf_map_close(struct abpf_map *map)
{
	if (!map)
		return;
	abpf__close(map->h->sys, map->fd);
	abpf_unref(map->h);
	free(map);
}

int abpf_map_fd(const struct abpf_map *map)
{
	return map->fd;
}

struct abpf *abpf_map_handle(const struct abpf_map *map)
{
	return map->h;
}

enum bpf_map_type abpf_map_type(const struct abpf_map *map)
{
	return map->type;
}

__u32 abpf_map_key_size(const struct abpf_map *map)
{
	return map->key_size;
}

__u32 abpf_map_value_size(const struct abpf_map *map)
{
	return map->value_size;
}

__u32 abpf_map_max_entries(const struct abpf_map *map)
{
	return map->max_entries;
}

__u32 abpf_map_flags(const struct abpf_map *map)
{
	return map->flags;
}

size_t abpf_map_value_buf_size(const struct abpf_map *map)
{
	return map->value_buf;
}

abpf_errno abpf_map_info(const struct abpf_map *map, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return abpf_err_ret(abpf__obj_get_info(map->h->sys, map->fd, info, &len));
}

/* The caller's buffers must be exactly the map's sizes. */
static bool sizes_ok(const struct abpf_map *map, size_t key_size,
		     size_t value_size, bool has_value)
{
	return key_size == map->key_size &&
	       (!has_value || value_size == map->value_buf);
}

abpf_errno abpf_map_lookup(const struct abpf_map *map, const void *key,
			   size_t key_size, void *value, size_t value_size,
			   __u64 flags)
{
	if (!sizes_ok(map, key_size, value_size, true))
		return abpf_err(EINVAL);
	return abpf_err_ret(abpf__map_elem(map->h->sys, BPF_MAP_LOOKUP_ELEM,
					   map->fd, key, value, flags));
}

abpf_errno abpf_map_update(const struct abpf_map *map, const void *key,
			   size_t key_size, const void *value,
			   size_t value_size, __u64 flags)
{
	if (!sizes_ok(map, key_size, value_size, true))
		return abpf_err(EINVAL);
	return abpf_err_ret(abpf__map_elem(map->h->sys, BPF_MAP_UPDATE_ELEM,
					   map->fd, key, value, flags));
}

abpf_errno abpf_map_delete(const struct abpf_map *map, const void *key,
			   size_t key_size)
{
	if (!sizes_ok(map, key_size, 0, false))
		return abpf_err(EINVAL);
	return abpf_err_ret(abpf__map_elem(map->h->sys, BPF_MAP_DELETE_ELEM,
					   map->fd, key, NULL, 0));
}

abpf_errno abpf_map_get_next_key(const struct abpf_map *map, const void *key,
				 void *next_key, size_t key_size)
{
	if (!sizes_ok(map, key_size, 0, false))
		return abpf_err(EINVAL);
	return abpf_err_ret(abpf__map_elem(map->h->sys, BPF_MAP_GET_NEXT_KEY,
					   map->fd, key, next_key, 0));
}

abpf_errno abpf_map_lookup_and_delete(const struct abpf_map *map,
				      const void *key, size_t key_size,
				      void *value, size_t value_size)
{
	if (!sizes_ok(map, key_size, value_size, true))
		return abpf_err(EINVAL);
	return abpf_err_ret(abpf__map_elem(map->h->sys,
					   BPF_MAP_LOOKUP_AND_DELETE_ELEM,
					   map->fd, key, value, 0));
}

abpf_errno abpf_map_freeze(const struct abpf_map *map)
{
	return abpf_err_ret(abpf__map_freeze(map->h->sys, map->fd));
}

/* ebpf-rs's HashMap::new() and Array::new(): a handle of the map's own. */
static struct abpf_map *typed_new(enum bpf_map_type type, __u32 max_entries,
				  __u32 key_size, __u32 value_size)
{
	struct abpf_map *map;
	struct abpf *h;
	abpf_errno err;

	err = abpf_open(NULL, NULL, &h);
	if (abpf_ok(err)) {
		err = abpf_map_create(h, type, NULL, key_size, value_size,
				      max_entries, NULL, &map);
		abpf_unref(h);	/* the map holds its own reference */
	}
	if (!abpf_ok(err)) {
		errno = err.no;
		return NULL;
	}
	return map;
}

struct abpf_map *abpf_hash_new(__u32 max_entries, __u32 key_size,
			       __u32 value_size)
{
	return typed_new(BPF_MAP_TYPE_HASH, max_entries, key_size, value_size);
}

struct abpf_map *abpf_array_new(__u32 max_entries, __u32 value_size)
{
	return typed_new(BPF_MAP_TYPE_ARRAY, max_entries, sizeof(__u32),
			 value_size);
}
