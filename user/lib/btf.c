// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * BTF-defined maps: walk the type section of an object's .BTF once to
 * index every type (each checked to lie inside it), then read the .maps
 * DATASEC's variables, whose struct types carry the map's definition:
 * __uint(name, n) is a pointer to an array of n elements, __type(key, T)
 * a pointer to T.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "btf.h"
#include "elf.h"

#define BTF_MAX_TYPES	(1u << 20)
#define BTF_MAX_DEPTH	32

struct btf {
	const unsigned char *types;	/* the type section */
	size_t types_len;
	const char *strs;
	size_t strs_len;
	__u32 *off;	/* type id -> offset in types; [0] unused */
	__u32 n;	/* ids 1..n-1 */
	char *msg;
	size_t msg_len;
};

static bool in_bounds(__u64 size, __u64 off, __u64 n)
{
	return off <= size && n <= size - off;
}

static const char *btf_str(const struct btf *b, __u32 off)
{
	if (off >= b->strs_len || !memchr(b->strs + off, 0, b->strs_len - off))
		return NULL;
	return b->strs + off;
}

static struct btf_type btf_get(const struct btf *b, __u32 id)
{
	struct btf_type t;

	memcpy(&t, b->types + b->off[id], sizeof(t));
	return t;
}

/* The bytes after struct btf_type that a type of @kind and @vlen has. */
static long btf_extra(__u32 kind, __u32 vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * (long)sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * (long)sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * (long)sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * (long)sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return (long)vlen * 12;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static int btf_index(struct btf *b)
{
	size_t pos = 0, cap = 64;
	__u32 *off;

	b->off = malloc(cap * sizeof(*b->off));
	if (!b->off)
		return -ENOMEM;
	b->n = 1;
	while (pos < b->types_len) {
		struct btf_type t;
		long extra;

		if (!in_bounds(b->types_len, pos, sizeof(t)))
			return abpf__msg(b->msg, b->msg_len, -EINVAL,
					 ".BTF: type %u cut", b->n);
		memcpy(&t, b->types + pos, sizeof(t));
		extra = btf_extra(BTF_INFO_KIND(t.info), BTF_INFO_VLEN(t.info));
		if (extra < 0 || !in_bounds(b->types_len, pos + sizeof(t),
					    (__u64)extra))
			return abpf__msg(b->msg, b->msg_len, -EINVAL,
					 ".BTF: type %u (kind %u) bad or cut",
					 b->n, BTF_INFO_KIND(t.info));
		if (b->n == BTF_MAX_TYPES)
			return abpf__msg(b->msg, b->msg_len, -E2BIG,
					 ".BTF: over %u types", BTF_MAX_TYPES);
		if (b->n == cap) {
			cap *= 2;
			off = realloc(b->off, cap * sizeof(*off));
			if (!off)
				return -ENOMEM;
			b->off = off;
		}
		b->off[b->n++] = (__u32)pos;
		pos += sizeof(t) + (size_t)extra;
	}
	return 0;
}

/* @id with typedefs and modifiers followed; 0 if none is there. */
static __u32 btf_skip(const struct btf *b, __u32 id)
{
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		struct btf_type t;

		if (!id || id >= b->n)
			return 0;
		t = btf_get(b, id);
		switch (BTF_INFO_KIND(t.info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t.type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

/* The size of type @id, or -1. */
static __s64 btf_size(const struct btf *b, __u32 id, int depth)
{
	struct btf_array arr;
	struct btf_type t;
	__s64 elem;

	id = btf_skip(b, id);
	if (!id || depth > BTF_MAX_DEPTH)
		return -1;
	t = btf_get(b, id);
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FLOAT:
	case BTF_KIND_ENUM64:
		return t.size;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ARRAY:
		memcpy(&arr, b->types + b->off[id] + sizeof(t), sizeof(arr));
		elem = btf_size(b, arr.type, depth + 1);
		if (elem < 0 || (elem && arr.nelems > UINT32_MAX / elem))
			return -1;
		return elem * arr.nelems;
	default:
		return -1;
	}
}

/* The n of a __uint(name, n) member of type @id, or -1. */
static __s64 btf_uint(const struct btf *b, __u32 id)
{
	struct btf_array arr;
	struct btf_type t;

	id = btf_skip(b, id);
	if (!id || BTF_INFO_KIND(btf_get(b, id).info) != BTF_KIND_PTR)
		return -1;
	id = btf_skip(b, btf_get(b, id).type);
	if (!id)
		return -1;
	t = btf_get(b, id);
	if (BTF_INFO_KIND(t.info) != BTF_KIND_ARRAY)
		return -1;
	memcpy(&arr, b->types + b->off[id] + sizeof(t), sizeof(arr));
	return arr.nelems;
}

/* The size T of a __type(name, T) member of type @id, or -1. */
static __s64 btf_pointee_size(const struct btf *b, __u32 id)
{
	id = btf_skip(b, id);
	if (!id || BTF_INFO_KIND(btf_get(b, id).info) != BTF_KIND_PTR)
		return -1;
	return btf_size(b, btf_get(b, id).type, 0);
}

static int btf_map(const struct btf *b, const struct btf_var_secinfo *vs,
		   struct abpf_btf_map *m)
{
	struct btf_type var, st;
	__u32 id, i;

	memset(m, 0, sizeof(*m));
	if (!vs->type || vs->type >= b->n)
		return abpf__msg(b->msg, b->msg_len, -EINVAL,
				 ".maps: variable type %u", vs->type);
	var = btf_get(b, vs->type);
	m->name = btf_str(b, var.name_off);
	if (BTF_INFO_KIND(var.info) != BTF_KIND_VAR || !m->name || !*m->name)
		return abpf__msg(b->msg, b->msg_len, -EINVAL,
				 ".maps: entry %u is no named variable", vs->type);
	m->off = vs->offset;
	m->size = vs->size;
	id = btf_skip(b, var.type);
	if (!id || BTF_INFO_KIND((st = btf_get(b, id)).info) != BTF_KIND_STRUCT)
		return abpf__msg(b->msg, b->msg_len, -EINVAL,
				 "map %s: not a struct", m->name);
	for (i = 0; i < BTF_INFO_VLEN(st.info); i++) {
		struct btf_member mem;
		const char *name;
		__u32 *field = NULL;
		__s64 v;

		memcpy(&mem, b->types + b->off[id] + sizeof(st) + i * sizeof(mem),
		       sizeof(mem));
		name = btf_str(b, mem.name_off);
		if (!name)
			return abpf__msg(b->msg, b->msg_len, -EINVAL,
					 "map %s: member %u has no name",
					 m->name, i);
		if (!strcmp(name, "type"))
			field = &m->type;
		else if (!strcmp(name, "max_entries"))
			field = &m->max_entries;
		else if (!strcmp(name, "map_flags"))
			field = &m->map_flags;
		else if (!strcmp(name, "key_size"))
			field = &m->key_size;
		else if (!strcmp(name, "value_size"))
			field = &m->value_size;
		if (field) {
			v = btf_uint(b, mem.type);
		} else if (!strcmp(name, "key") || !strcmp(name, "value")) {
			field = name[0] == 'k' ? &m->key_size : &m->value_size;
			v = btf_pointee_size(b, mem.type);
		} else {
			return abpf__msg(b->msg, b->msg_len, -EOPNOTSUPP,
					 "map %s: member %s is not supported",
					 m->name, name);
		}
		if (v < 0 || v > UINT32_MAX)
			return abpf__msg(b->msg, b->msg_len, -EINVAL,
					 "map %s: member %s does not resolve",
					 m->name, name);
		*field = (__u32)v;
	}
	return 0;
}

int abpf__btf_maps(const unsigned char *data, size_t size, const char *sec,
		   int (*fn)(void *ctx, const struct abpf_btf_map *m),
		   void *ctx, char *msg, size_t len)
{
	struct btf b = { .msg = msg, .msg_len = len };
	struct btf_header hdr;
	struct btf_type t;
	struct abpf_btf_map m;
	__u32 id, i;
	int err;

	if (!data || size < sizeof(hdr))
		return abpf__msg(msg, len, -EINVAL, ".BTF: %zu bytes", size);
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC || hdr.version != BTF_VERSION ||
	    hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > size)
		return abpf__msg(msg, len, -EINVAL,
				 ".BTF: magic 0x%x, version %u, header %u bytes",
				 hdr.magic, hdr.version, hdr.hdr_len);
	if (!in_bounds(size - hdr.hdr_len, hdr.type_off, hdr.type_len) ||
	    !in_bounds(size - hdr.hdr_len, hdr.str_off, hdr.str_len))
		return abpf__msg(msg, len, -EINVAL,
				 ".BTF: types or strings outside it");
	b.types = data + hdr.hdr_len + hdr.type_off;
	b.types_len = hdr.type_len;
	b.strs = (const char *)data + hdr.hdr_len + hdr.str_off;
	b.strs_len = hdr.str_len;
	err = btf_index(&b);
	if (err)
		goto out;
	err = abpf__msg(msg, len, -ENOENT, ".BTF: no DATASEC %s", sec);
	for (id = 1; id < b.n; id++) {
		const char *name;

		t = btf_get(&b, id);
		name = btf_str(&b, t.name_off);
		if (BTF_INFO_KIND(t.info) != BTF_KIND_DATASEC || !name ||
		    strcmp(name, sec))
			continue;
		err = 0;
		for (i = 0; !err && i < BTF_INFO_VLEN(t.info); i++) {
			struct btf_var_secinfo vs;

			memcpy(&vs, b.types + b.off[id] + sizeof(t) +
			       i * sizeof(vs), sizeof(vs));
			err = btf_map(&b, &vs, &m);
			if (!err)
				err = fn(ctx, &m);
		}
		break;
	}
out:
	free(b.off);
	return err;
}
