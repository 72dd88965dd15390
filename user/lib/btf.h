/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The little of BTF the object loader reads: the map definitions of a
 * .maps section (libbpf's BTF-defined maps), from an object's .BTF.
 */
#ifndef ABPF_BTF_H
#define ABPF_BTF_H

#include <stddef.h>
#include <linux/types.h>

/*
 * struct abpf_btf_map - one variable of the .maps DATASEC
 * @name: the variable's name (a string of the BTF, NUL-terminated)
 * @off:  its offset in the section and @size its size, as the DATASEC
 *        says (clang leaves both 0 in objects: the symbols say)
 * the rest: its struct's __uint() and __type() members; 0 if absent
 */
struct abpf_btf_map {
	const char *name;
	__u64 off, size;
	__u32 type, key_size, value_size, max_entries, map_flags;
};

/*
 * Call @fn for each map of the DATASEC @sec of the BTF blob @btf (@size
 * bytes, untrusted: every offset is checked).  Returns 0, @fn's first
 * non-zero return, or a negative errno: -EINVAL for a malformed blob or a
 * definition that does not resolve (a loop of types, a key that has no
 * size), -EOPNOTSUPP for map members the loader does not know (pinning,
 * inner maps), -ENOENT if there is no such DATASEC; with a line in @msg.
 */
int abpf__btf_maps(const unsigned char *btf, size_t size, const char *sec,
		   int (*fn)(void *ctx, const struct abpf_btf_map *m),
		   void *ctx, char *msg, size_t len);

#endif /* ABPF_BTF_H */
