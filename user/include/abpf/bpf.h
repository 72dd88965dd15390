/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libbpf-compatible low-level calls: the names, arguments, opts structs
 * and error convention of libbpf 1.x <bpf/bpf.h>, over the backend that
 * abpf_default_sys() picks (the kernel, or kbpf's /dev/kbpf).
 *
 * Errors: a call returns a negative errno and also sets errno, as libbpf
 * 1.x does; calls that create an object return its fd.
 *
 * Include this instead of <bpf/bpf.h>, not beside it.
 */
#ifndef ABPF_BPF_H
#define ABPF_BPF_H

#include <stddef.h>
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
ABPF_API int bpf_map_update_elem(int fd, const void *key, const void *value,
				 __u64 flags);
ABPF_API int bpf_map_lookup_elem(int fd, const void *key, void *value);
ABPF_API int bpf_map_delete_elem(int fd, const void *key);
ABPF_API int bpf_map_get_next_key(int fd, const void *key, void *next_key);

#ifdef __cplusplus
}
#endif

#endif /* ABPF_BPF_H */
