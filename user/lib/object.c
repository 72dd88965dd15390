// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The object loader (<abpf/object.h>): programs, maps and global data of
 * a clang-built BPF object, relocated the way libbpf relocates them, and
 * groups of alternative versions (oxidebpf's ProgramGroup).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <abpf/object.h>

#include "btf.h"
#include "elf.h"
#include "internal.h"

#define OBJ_MAX_SIZE	(256u << 20)
#define OBJ_MAX_INSNS	(1u << 20)
#define INSN_SZ		sizeof(struct bpf_insn)
#define MAP_DEF_MIN	(5 * sizeof(__u32))

/* A function: @len instructions from @start of executable section @sec. */
struct obj_func {
	size_t sec, start, len;
	const char *name;
	bool global;
};

/* What each instruction of an executable section is relocated by. */
struct obj_xsec {
	size_t ninsn;
	long *rel;	/* per instruction: a symbol index, or -1 */
	__u32 *type;	/* its relocation type */
};

struct obj_map {
	const char *name;
	size_t sec, off;	/* legacy maps: the definition's offset */
	bool data, rodata;
	__u32 type, key_size, value_size, max_entries, map_flags;
	unsigned char *init;	/* data maps: the section's bytes */
	struct abpf_map *map;
};

struct abpf_object_prog {
	struct abpf_object *obj;
	const char *name, *sec_name, *attach;
	char kname[BPF_OBJ_NAME_LEN];
	struct obj_func func;
	enum bpf_prog_type type;
	enum bpf_attach_type eat;
	__u32 prog_flags;
	bool autoload;
	size_t insn_cnt;
	struct abpf_prog *prog;
	struct abpf_link **links;
	size_t nlinks;
};

struct abpf_object {
	struct abpf *h;
	char name[64];
	char *msg;
	size_t msg_len;
	char *log_buf;
	size_t log_size;
	__u32 log_level;
	unsigned char *buf;
	size_t size;
	struct abpf_elf elf;
	struct obj_xsec *xsecs;		/* per section (ninsn 0: none) */
	struct obj_func *funcs;
	size_t nfuncs;
	struct obj_map *maps;
	size_t nmaps;
	struct abpf_object_prog *progs;
	size_t nprogs;
	char license[128];
	__u32 kern_version;
	bool loaded;
};

#define obj_msg(obj, err, ...) abpf__msg((obj)->msg, (obj)->msg_len, (err), \
					 __VA_ARGS__)

static const struct {
	const char *prefix;
	enum bpf_prog_type type;
	bool attach;	/* the rest of the name is the raw tracepoint */
	__u32 flags;
} sec_types[] = {
	{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, true, 0 },
	{ "raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, true, 0 },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, false, 0 },
	{ "raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, false, 0 },
	{ "syscall", BPF_PROG_TYPE_SYSCALL, false, BPF_F_SLEEPABLE },
	{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT, false, 0 },
	{ "tp/", BPF_PROG_TYPE_TRACEPOINT, false, 0 },
	{ "kprobe/", BPF_PROG_TYPE_KPROBE, false, 0 },
	{ "kretprobe/", BPF_PROG_TYPE_KPROBE, false, 0 },
	{ "xdp", BPF_PROG_TYPE_XDP, false, 0 },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, false, 0 },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, false, 0 },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, false, 0 },
};

static void prog_set_type(struct abpf_object_prog *p)
{
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(sec_types); i++) {
		n = strlen(sec_types[i].prefix);
		if (strncmp(p->sec_name, sec_types[i].prefix, n))
			continue;
		/* A prefix without '/' names the whole section (or "xdp/..."). */
		if (sec_types[i].prefix[n - 1] != '/' && p->sec_name[n] &&
		    p->sec_name[n] != '/')
			continue;
		p->type = sec_types[i].type;
		p->prog_flags = sec_types[i].flags;
		if (sec_types[i].attach && p->sec_name[n])
			p->attach = p->sec_name + n;
		return;
	}
	p->type = BPF_PROG_TYPE_UNSPEC;
}

static bool is_exec(const struct abpf_elf_sec *s)
{
	return s->hdr.sh_type == SHT_PROGBITS &&
	       (s->hdr.sh_flags & SHF_EXECINSTR);
}

static bool is_maps_sec(const struct abpf_elf_sec *s)
{
	return !strcmp(s->name, "maps") || !strncmp(s->name, "maps/", 5);
}

static bool is_data_sec(const struct abpf_elf_sec *s)
{
	if (!(s->hdr.sh_flags & SHF_ALLOC) || (s->hdr.sh_flags & SHF_EXECINSTR))
		return false;
	if (s->hdr.sh_type != SHT_PROGBITS && s->hdr.sh_type != SHT_NOBITS)
		return false;
	return !strncmp(s->name, ".data", 5) || !strncmp(s->name, ".rodata", 7) ||
	       !strncmp(s->name, ".bss", 4);
}

static int cmp_func(const void *a, const void *b)
{
	const struct obj_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Every function symbol of the executable sections, checked and sorted. */
static int collect_funcs(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	size_t i, n = 0;

	obj->funcs = calloc(elf->nsyms + 1, sizeof(*obj->funcs));
	if (!obj->funcs)
		return -ENOMEM;
	for (i = 0; i < elf->nsyms; i++) {
		const Elf64_Sym *sym = &elf->syms[i];
		const struct abpf_elf_sec *s;
		struct obj_func *f;

		if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC ||
		    sym->st_shndx == SHN_UNDEF || sym->st_shndx >= elf->nsecs)
			continue;
		s = &elf->secs[sym->st_shndx];
		if (!is_exec(s))
			continue;
		if (sym->st_value % INSN_SZ || sym->st_size % INSN_SZ ||
		    sym->st_value > s->size || sym->st_size > s->size - sym->st_value)
			return obj_msg(obj, -EINVAL,
				       "function %s: %llu bytes at %llu of %s (%zu bytes)",
				       abpf__elf_sym_name(elf, i),
				       (unsigned long long)sym->st_size,
				       (unsigned long long)sym->st_value,
				       s->name, s->size);
		f = &obj->funcs[n++];
		f->sec = sym->st_shndx;
		f->start = sym->st_value / INSN_SZ;
		f->len = sym->st_size / INSN_SZ;
		f->name = abpf__elf_sym_name(elf, i);
		f->global = ELF64_ST_BIND(sym->st_info) != STB_LOCAL;
	}
	qsort(obj->funcs, n, sizeof(*obj->funcs), cmp_func);
	obj->nfuncs = n;
	/* Sizeless functions run to the next one; none may overlap. */
	for (i = 0; i < n; i++) {
		struct obj_func *f = &obj->funcs[i];
		size_t end = obj->elf.secs[f->sec].size / INSN_SZ;

		if (i + 1 < n && obj->funcs[i + 1].sec == f->sec)
			end = obj->funcs[i + 1].start;
		if (!f->len && end > f->start)
			f->len = end - f->start;
		if (!f->len || f->start + f->len > end)
			return obj_msg(obj, -EINVAL,
				       "function %s overlaps the next or is empty",
				       f->name);
	}
	return 0;
}

/* The relocations of each executable section, one per instruction. */
static int collect_relocs(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	size_t i, j;

	obj->xsecs = calloc(elf->nsecs, sizeof(*obj->xsecs));
	if (!obj->xsecs)
		return -ENOMEM;
	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];
		struct obj_xsec *x = &obj->xsecs[i];

		if (!is_exec(s) || !s->size)
			continue;
		if (s->size % INSN_SZ || !s->data)
			return obj_msg(obj, -EINVAL,
				       "section %s: %zu bytes, not instructions",
				       s->name, s->size);
		x->ninsn = s->size / INSN_SZ;
		x->rel = malloc(x->ninsn * sizeof(*x->rel));
		x->type = calloc(x->ninsn, sizeof(*x->type));
		if (!x->rel || !x->type)
			return -ENOMEM;
		for (j = 0; j < x->ninsn; j++)
			x->rel[j] = -1;
	}
	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];
		struct obj_xsec *x;
		size_t n;

		if (s->hdr.sh_type != SHT_REL && s->hdr.sh_type != SHT_RELA)
			continue;
		if (s->hdr.sh_info == 0 || s->hdr.sh_info >= elf->nsecs)
			return obj_msg(obj, -EINVAL, "%s: relocates section %u",
				       s->name, s->hdr.sh_info);
		x = &obj->xsecs[s->hdr.sh_info];
		if (!x->ninsn)
			continue;	/* debug info, BTF: not ours */
		if (s->hdr.sh_type == SHT_RELA)
			return obj_msg(obj, -EINVAL, "%s: RELA in a BPF object",
				       s->name);
		if (s->hdr.sh_link != elf->symtab || !elf->symtab ||
		    s->hdr.sh_entsize != sizeof(Elf64_Rel) ||
		    s->size % sizeof(Elf64_Rel) || !s->data)
			return obj_msg(obj, -EINVAL,
				       "%s: symbol table %u, entry size %llu",
				       s->name, s->hdr.sh_link,
				       (unsigned long long)s->hdr.sh_entsize);
		n = s->size / sizeof(Elf64_Rel);
		for (j = 0; j < n; j++) {
			Elf64_Rel r;
			size_t sym, at;

			memcpy(&r, s->data + j * sizeof(r), sizeof(r));
			sym = ELF64_R_SYM(r.r_info);
			at = r.r_offset / INSN_SZ;
			if (ELF64_R_TYPE(r.r_info) == R_BPF_NONE)
				continue;
			if (r.r_offset % INSN_SZ || at >= x->ninsn ||
			    sym == 0 || sym >= elf->nsyms)
				return obj_msg(obj, -EINVAL,
					       "%s: relocation %zu at %llu, symbol %zu",
					       s->name, j,
					       (unsigned long long)r.r_offset, sym);
			if (x->rel[at] >= 0)
				return obj_msg(obj, -EINVAL,
					       "%s: two relocations at %llu",
					       s->name,
					       (unsigned long long)r.r_offset);
			x->rel[at] = (long)sym;
			x->type[at] = ELF64_R_TYPE(r.r_info);
		}
	}
	return 0;
}

static struct obj_map *add_map(struct abpf_object *obj)
{
	struct obj_map *m;

	m = realloc(obj->maps, (obj->nmaps + 1) * sizeof(*m));
	if (!m)
		return NULL;
	obj->maps = m;
	m = &obj->maps[obj->nmaps++];
	memset(m, 0, sizeof(*m));
	return m;
}

static __u32 get_u32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct btf_maps_ctx {
	struct abpf_object *obj;
	size_t sec;
};

static int add_btf_map(void *ctx, const struct abpf_btf_map *bm)
{
	struct btf_maps_ctx *c = ctx;
	const struct abpf_elf *elf = &c->obj->elf;
	const struct abpf_elf_sec *s = &elf->secs[c->sec];
	const Elf64_Sym *sym = NULL;
	struct obj_map *m;
	size_t k;

	/*
	 * clang leaves the DATASEC's offsets 0 (libbpf fixes them up from
	 * the symbols): where the map is, the symbol of its name says.
	 */
	for (k = 0; k < elf->nsyms && !sym; k++)
		if (elf->syms[k].st_shndx == c->sec &&
		    ELF64_ST_TYPE(elf->syms[k].st_info) != STT_SECTION &&
		    !strcmp(abpf__elf_sym_name(elf, k), bm->name))
			sym = &elf->syms[k];
	if (!sym || sym->st_value > s->size ||
	    sym->st_size > s->size - sym->st_value)
		return obj_msg(c->obj, -EINVAL,
			       "map %s: no symbol in .maps (%zu bytes) for it",
			       bm->name, s->size);
	for (k = 0; k < c->obj->nmaps; k++)
		if (c->obj->maps[k].sec == c->sec &&
		    c->obj->maps[k].off == sym->st_value)
			return obj_msg(c->obj, -EINVAL,
				       "maps %s and %s at one offset",
				       c->obj->maps[k].name, bm->name);
	m = add_map(c->obj);
	if (!m)
		return -ENOMEM;
	m->name = bm->name;
	m->sec = c->sec;
	m->off = sym->st_value;
	m->type = bm->type;
	m->key_size = bm->key_size;
	m->value_size = bm->value_size;
	m->max_entries = bm->max_entries;
	m->map_flags = bm->map_flags;
	return 0;
}

/* The maps of .maps, from their BTF (libbpf's __uint() and __type()). */
static int collect_btf_maps(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	struct btf_maps_ctx c = { .obj = obj };
	const struct abpf_elf_sec *btf = NULL;
	size_t i;
	int err;

	for (i = 1; i < elf->nsecs; i++) {
		if (!strcmp(elf->secs[i].name, ".maps"))
			c.sec = i;
		else if (!strcmp(elf->secs[i].name, ".BTF"))
			btf = &elf->secs[i];
	}
	if (!btf || !btf->data)
		return obj_msg(obj, -EINVAL, ".maps without .BTF to describe it");
	err = abpf__btf_maps(btf->data, btf->size, ".maps", add_btf_map, &c,
			     obj->msg, obj->msg_len);
	/* .maps without its DATASEC: the BTF does not describe the file. */
	return err == -ENOENT ? -EINVAL : err;
}

static int collect_maps(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	bool btf_maps = false;
	size_t i, j;

	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];

		if (!strcmp(s->name, ".maps"))
			btf_maps = true;
		if (!is_maps_sec(s))
			continue;
		if (s->hdr.sh_type != SHT_PROGBITS || (s->size && !s->data))
			return obj_msg(obj, -EINVAL, "%s: not map definitions",
				       s->name);
		for (j = 0; j < elf->nsyms; j++) {
			const Elf64_Sym *sym = &elf->syms[j];
			const unsigned char *d;
			struct obj_map *m;
			size_t k;

			if (sym->st_shndx != i ||
			    ELF64_ST_TYPE(sym->st_info) == STT_SECTION ||
			    !*abpf__elf_sym_name(elf, j))
				continue;
			if (sym->st_value > s->size ||
			    s->size - sym->st_value < MAP_DEF_MIN ||
			    (sym->st_size && sym->st_size < MAP_DEF_MIN))
				return obj_msg(obj, -EINVAL,
					       "map %s: %llu bytes at %llu of %s (%zu bytes)",
					       abpf__elf_sym_name(elf, j),
					       (unsigned long long)sym->st_size,
					       (unsigned long long)sym->st_value,
					       s->name, s->size);
			for (k = 0; k < obj->nmaps; k++)
				if (obj->maps[k].sec == i &&
				    obj->maps[k].off == sym->st_value)
					return obj_msg(obj, -EINVAL,
						       "maps %s and %s at one offset",
						       obj->maps[k].name,
						       abpf__elf_sym_name(elf, j));
			m = add_map(obj);
			if (!m)
				return -ENOMEM;
			d = s->data + sym->st_value;
			m->name = abpf__elf_sym_name(elf, j);
			m->sec = i;
			m->off = sym->st_value;
			m->type = get_u32(d);
			m->key_size = get_u32(d + 4);
			m->value_size = get_u32(d + 8);
			m->max_entries = get_u32(d + 12);
			m->map_flags = get_u32(d + 16);
		}
	}
	if (btf_maps) {
		int err = collect_btf_maps(obj);

		if (err)
			return err;
	}

	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];
		struct obj_map *m;

		if (!is_data_sec(s) || !s->size)
			continue;
		if (s->size > UINT32_MAX / 2)
			return obj_msg(obj, -E2BIG, "%s: %zu bytes", s->name,
				       s->size);
		m = add_map(obj);
		if (!m)
			return -ENOMEM;
		m->name = s->name;
		m->sec = i;
		m->data = true;
		m->rodata = !strncmp(s->name, ".rodata", 7);
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = sizeof(__u32);
		m->value_size = (__u32)s->size;
		m->max_entries = 1;
		m->map_flags = m->rodata ? BPF_F_RDONLY_PROG : 0;
		m->init = calloc(1, s->size);
		if (!m->init)
			return -ENOMEM;
		if (s->data)
			memcpy(m->init, s->data, s->size);
	}
	return 0;
}

static int collect_progs(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	size_t i, j, n = 0;

	obj->progs = calloc(obj->nfuncs + elf->nsecs, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];
		bool any = false;

		if (!is_exec(s) || !strcmp(s->name, ".text") || !s->size)
			continue;
		for (j = 0; j < obj->nfuncs; j++) {
			if (obj->funcs[j].sec != i || !obj->funcs[j].global)
				continue;
			obj->progs[n].func = obj->funcs[j];
			obj->progs[n++].name = obj->funcs[j].name;
			any = true;
		}
		if (!any) {
			/* No symbol: the section is one program. */
			obj->progs[n].func = (struct obj_func){
				.sec = i, .len = s->size / INSN_SZ,
				.name = s->name, .global = true,
			};
			obj->progs[n++].name = s->name;
		}
	}
	obj->nprogs = n;
	for (i = 0; i < n; i++) {
		struct abpf_object_prog *p = &obj->progs[i];
		char *c;

		p->obj = obj;
		p->sec_name = elf->secs[p->func.sec].name;
		p->autoload = true;
		p->insn_cnt = p->func.len;
		prog_set_type(p);
		/* bpf(2) names: 15 characters of [A-Za-z0-9_.]. */
		strncpy(p->kname, p->name, sizeof(p->kname) - 1);
		for (c = p->kname; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.'))
				*c = '_';
	}
	return 0;
}

static int collect_misc(struct abpf_object *obj)
{
	const struct abpf_elf *elf = &obj->elf;
	size_t i;

	for (i = 1; i < elf->nsecs; i++) {
		const struct abpf_elf_sec *s = &elf->secs[i];

		if (!strcmp(s->name, "license")) {
			if (!s->data || !memchr(s->data, 0, s->size) ||
			    strlen((const char *)s->data) >= sizeof(obj->license))
				return obj_msg(obj, -EINVAL,
					       "license: not a string of under %zu bytes",
					       sizeof(obj->license));
			strcpy(obj->license, (const char *)s->data);
		} else if (!strcmp(s->name, "version")) {
			if (s->size != sizeof(__u32) || !s->data)
				return obj_msg(obj, -EINVAL, "version: %zu bytes",
					       s->size);
			obj->kern_version = get_u32(s->data);
		}
	}
	return 0;
}

static void obj_free(struct abpf_object *obj)
{
	size_t i;

	if (obj->xsecs)
		for (i = 0; i < obj->elf.nsecs; i++) {
			free(obj->xsecs[i].rel);
			free(obj->xsecs[i].type);
		}
	for (i = 0; i < obj->nmaps; i++)
		free(obj->maps[i].init);
	free(obj->xsecs);
	free(obj->funcs);
	free(obj->maps);
	free(obj->progs);
	abpf__elf_free(&obj->elf);
	free(obj->buf);
	abpf_unref(obj->h);
	free(obj);
}

/* Takes @buf (malloc'd, @size bytes). */
static abpf_errno obj_parse(struct abpf *h, unsigned char *buf, size_t size,
			    const char *name,
			    const struct abpf_object_opts *opts,
			    struct abpf_object **out)
{
	struct abpf_object *obj = calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		free(buf);
		return abpf_err(ENOMEM);
	}
	obj->h = abpf_ref(h);
	obj->buf = buf;
	obj->size = size;
	strncpy(obj->name, OPTS_GET(opts, name, NULL) ?: name,
		sizeof(obj->name) - 1);
	obj->msg = OPTS_GET(opts, msg_buf, NULL);
	obj->msg_len = obj->msg ? OPTS_GET(opts, msg_size, 0) : 0;
	obj->log_buf = OPTS_GET(opts, log_buf, NULL);
	obj->log_size = OPTS_GET(opts, log_size, 0);
	obj->log_level = OPTS_GET(opts, log_level, 0);
	if (obj->msg_len)
		obj->msg[0] = 0;

	err = abpf__elf_parse(&obj->elf, buf, size, obj->msg, obj->msg_len);
	if (!err)
		err = collect_funcs(obj);
	if (!err)
		err = collect_relocs(obj);
	if (!err)
		err = collect_maps(obj);
	if (!err)
		err = collect_progs(obj);
	if (!err)
		err = collect_misc(obj);
	if (err) {
		if (err == -ENOMEM)
			obj_msg(obj, err, "out of memory");
		obj_free(obj);
		return abpf_err_ret(err);
	}
	*out = obj;
	return abpf_err(0);
}

abpf_errno abpf_object_open_mem(struct abpf *h, const void *buf, size_t size,
				const struct abpf_object_opts *opts,
				struct abpf_object **out)
{
	unsigned char *copy;

	if (!h || (!buf && size) || !OPTS_VALID(opts, abpf_object_opts))
		return abpf_err(EINVAL);
	if (size > OBJ_MAX_SIZE)
		return abpf_err(EFBIG);
	copy = malloc(size ? size : 1);
	if (!copy)
		return abpf_err(ENOMEM);
	if (size)
		memcpy(copy, buf, size);
	return obj_parse(h, copy, size, "mem", opts, out);
}

abpf_errno abpf_object_open(struct abpf *h, const char *path,
			    const struct abpf_object_opts *opts,
			    struct abpf_object **out)
{
	const struct abpf_sys *sys;
	size_t size = 0, cap = 64 << 10;
	unsigned char *buf, *tmp;
	const char *base;
	long fd, n;

	if (!h || !path || !OPTS_VALID(opts, abpf_object_opts))
		return abpf_err(EINVAL);
	sys = h->sys;
	fd = ABPF_SYS_CALL(sys, open, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return abpf_err_ret(fd);
	buf = malloc(cap);
	for (;;) {
		if (!buf) {
			n = -ENOMEM;
			break;
		}
		if (size == cap) {
			if (cap >= OBJ_MAX_SIZE) {
				n = -EFBIG;
				break;
			}
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				n = -ENOMEM;
				break;
			}
			buf = tmp;
		}
		n = ABPF_SYS_CALL(sys, read, (int)fd, buf + size, cap - size);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		size += (size_t)n;
	}
	abpf__close(sys, (int)fd);
	if (n < 0) {
		free(buf);
		return abpf_err_ret(n);
	}
	base = strrchr(path, '/');
	return obj_parse(h, buf, size, base ? base + 1 : path, opts, out);
}

/* ------------------------------------------------------------------ */
/* Relocation                                                           */
/* ------------------------------------------------------------------ */

/* Instructions @start.. of section @sec, at @pos of the program. */
struct chunk {
	size_t sec, start, len, pos;
};

struct reloc_state {
	struct abpf_object *obj;
	struct abpf_object_prog *prog;
	struct bpf_insn *insns;
	size_t cnt;
	struct chunk *chunks;
	size_t nchunks;
};

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static int add_chunk(struct reloc_state *st, const struct obj_func *f)
{
	const struct abpf_elf_sec *s = &st->obj->elf.secs[f->sec];
	struct bpf_insn *insns;
	struct chunk *c;

	if (st->cnt + f->len > OBJ_MAX_INSNS)
		return obj_msg(st->obj, -E2BIG, "%s: over %u instructions",
			       st->prog->name, OBJ_MAX_INSNS);
	insns = realloc(st->insns, (st->cnt + f->len) * INSN_SZ);
	if (!insns)
		return -ENOMEM;
	st->insns = insns;
	c = realloc(st->chunks, (st->nchunks + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	st->chunks = c;
	memcpy(insns + st->cnt, s->data + f->start * INSN_SZ, f->len * INSN_SZ);
	st->chunks[st->nchunks++] = (struct chunk){
		.sec = f->sec, .start = f->start, .len = f->len, .pos = st->cnt,
	};
	st->cnt += f->len;
	return 0;
}

/*
 * Where instruction @t of section @sec is in the program: in a chunk
 * already there, or in the function holding it, appended now.
 */
static long resolve(struct reloc_state *st, size_t sec, long t, size_t at)
{
	struct abpf_object *obj = st->obj;
	struct obj_func whole;
	size_t i;
	int err;

	if (t < 0 || (size_t)t >= obj->xsecs[sec].ninsn)
		return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
			       "%s: insn %zu calls insn %ld of %s (%zu long)",
			       st->prog->name, at, t, obj->elf.secs[sec].name,
			       obj->xsecs[sec].ninsn);
	for (i = 0; i < st->nchunks; i++) {
		const struct chunk *c = &st->chunks[i];

		if (c->sec == sec && (size_t)t >= c->start &&
		    (size_t)t < c->start + c->len)
			return (long)(c->pos + (size_t)t - c->start);
	}
	for (i = 0; i < obj->nfuncs; i++) {
		const struct obj_func *f = &obj->funcs[i];

		if (f->sec == sec && (size_t)t >= f->start &&
		    (size_t)t < f->start + f->len)
			break;
	}
	if (i == obj->nfuncs) {
		for (i = 0; i < obj->nfuncs; i++)
			if (obj->funcs[i].sec == sec)
				return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
					       "%s: insn %zu calls insn %ld of %s, in no function",
					       st->prog->name, at, t,
					       obj->elf.secs[sec].name);
		/* A section without symbols is one function. */
		whole = (struct obj_func){ .sec = sec,
					   .len = obj->xsecs[sec].ninsn };
		i = obj->nfuncs;
	}
	err = add_chunk(st, i < obj->nfuncs ? &obj->funcs[i] : &whole);
	if (err)
		return err;
	return resolve(st, sec, t, at);
}

static struct obj_map *map_at(struct abpf_object *obj, size_t sec, __u64 off)
{
	size_t i;

	for (i = 0; i < obj->nmaps; i++) {
		struct obj_map *m = &obj->maps[i];

		if (m->sec == sec && (m->data || m->off == off))
			return m;
	}
	return NULL;
}

/* An ld_imm64 at @pos with a relocation against symbol @symi. */
static int reloc_ldimm64(struct reloc_state *st, size_t pos, size_t at,
			 size_t symi)
{
	struct abpf_object *obj = st->obj;
	const Elf64_Sym *sym = &obj->elf.syms[symi];
	const char *sname = abpf__elf_sym_name(&obj->elf, symi);
	struct bpf_insn *insn = &st->insns[pos];
	__s64 off = (__s64)sym->st_value + insn->imm;
	struct obj_map *m;
	long t;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= obj->elf.nsecs)
		return obj_msg(obj, -EOPNOTSUPP,
			       "%s: insn %zu refers to extern symbol %s",
			       st->prog->name, at, sname);
	if (is_exec(&obj->elf.secs[sym->st_shndx])) {
		/* A function's address: a callback. */
		if (off < 0 || off % (__s64)INSN_SZ)
			return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
				       "%s: insn %zu: function at byte %lld",
				       st->prog->name, at, (long long)off);
		t = resolve(st, sym->st_shndx, (long)(off / (__s64)INSN_SZ), at);
		if (t < 0)
			return (int)t;
		insn = &st->insns[pos];
		insn->src_reg = BPF_PSEUDO_FUNC;
		insn->imm = (__s32)(t - (long)pos - 1);
		insn[1].imm = 0;
		return 0;
	}
	m = map_at(obj, sym->st_shndx, (__u64)off);
	if (!m || !m->map)
		return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
			       "%s: insn %zu refers to %s+%lld in %s, which is no map",
			       st->prog->name, at, sname, (long long)off,
			       obj->elf.secs[sym->st_shndx].name);
	insn->imm = abpf_map_fd(m->map);
	if (m->data) {
		if (off < 0 || off >= m->value_size)
			return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
				       "%s: insn %zu: offset %lld of %s (%u bytes)",
				       st->prog->name, at, (long long)off,
				       m->name, m->value_size);
		insn->src_reg = BPF_PSEUDO_MAP_VALUE;
		insn[1].imm = (__s32)off;
	} else {
		insn->src_reg = BPF_PSEUDO_MAP_FD;
		insn[1].imm = 0;
	}
	return 0;
}

static int reloc_chunk(struct reloc_state *st, size_t k)
{
	struct abpf_object *obj = st->obj;
	const struct chunk c = st->chunks[k];
	const struct obj_xsec *x = &obj->xsecs[c.sec];
	size_t i;
	int err;

	for (i = 0; i < c.len; i++) {
		size_t si = c.start + i, pos = c.pos + i;
		struct bpf_insn *insn = &st->insns[pos];
		long sym = x->rel[si], t;

		if (is_ldimm64(insn)) {
			if (i + 1 >= c.len || x->rel[si + 1] >= 0)
				return obj_msg(obj, -EINVAL,
					       "%s: ld_imm64 at insn %zu of %s is cut",
					       st->prog->name, si, obj->elf.secs[c.sec].name);
			if (sym >= 0) {
				if (x->type[si] != R_BPF_64_64)
					return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
						       "%s: insn %zu: relocation type %u",
						       st->prog->name, si, x->type[si]);
				err = reloc_ldimm64(st, pos, si, (size_t)sym);
				if (err)
					return err;
			}
			i++;
			continue;
		}
		if (insn->code == (BPF_JMP | BPF_CALL) &&
		    insn->src_reg == BPF_PSEUDO_CALL) {
			size_t tsec = c.sec;

			t = (long)si + insn->imm + 1;
			if (sym >= 0) {
				const Elf64_Sym *s = &obj->elf.syms[sym];

				if (s->st_shndx == SHN_UNDEF ||
				    s->st_shndx >= obj->elf.nsecs ||
				    !obj->xsecs[s->st_shndx].ninsn ||
				    s->st_value % INSN_SZ)
					return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
						       "%s: insn %zu calls %s, no function",
						       st->prog->name, si,
						       abpf__elf_sym_name(&obj->elf, (size_t)sym));
				tsec = s->st_shndx;
				t = (long)(s->st_value / INSN_SZ) + insn->imm + 1;
			}
			t = resolve(st, tsec, t, si);
			if (t < 0)
				return (int)t;
			st->insns[pos].imm = (__s32)(t - (long)pos - 1);
			continue;
		}
		if (sym >= 0)
			return obj_msg(obj, -LIBBPF_ERRNO__RELOC,
				       "%s: relocation at insn %zu (code 0x%02x) of %s",
				       st->prog->name, si, insn->code,
				       obj->elf.secs[c.sec].name);
	}
	return 0;
}

/* @prog's instructions with every relocation applied, its subprograms after. */
static int prog_relocate(struct abpf_object_prog *prog, struct bpf_insn **out,
			 size_t *cnt)
{
	struct reloc_state st = { .obj = prog->obj, .prog = prog };
	size_t k;
	int err;

	err = add_chunk(&st, &prog->func);
	for (k = 0; !err && k < st.nchunks; k++)
		err = reloc_chunk(&st, k);
	free(st.chunks);
	if (err) {
		free(st.insns);
		return err;
	}
	*out = st.insns;
	*cnt = st.cnt;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static void obj_unload(struct abpf_object *obj)
{
	size_t i, j;

	for (i = 0; i < obj->nprogs; i++) {
		struct abpf_object_prog *p = &obj->progs[i];

		for (j = 0; j < p->nlinks; j++)
			abpf_link_close(p->links[j]);
		free(p->links);
		p->links = NULL;
		p->nlinks = 0;
		abpf_prog_close(p->prog);
		p->prog = NULL;
		p->insn_cnt = p->func.len;
	}
	for (i = 0; i < obj->nmaps; i++) {
		abpf_map_close(obj->maps[i].map);
		obj->maps[i].map = NULL;
	}
	obj->loaded = false;
}

static int map_load(struct abpf_object *obj, struct obj_map *m)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = m->map_flags);
	__u32 max_entries = m->max_entries, zero = 0;
	unsigned int ncpus;
	abpf_errno err;

	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !max_entries) {
		err = abpf_num_possible_cpus(obj->h, &ncpus);
		if (!abpf_ok(err))
			return obj_msg(obj, -err.no, "map %s: possible CPUs: %s",
				       m->name, abpf_strerror(err));
		max_entries = ncpus;
	}
	err = abpf_map_create(obj->h, m->type, m->name, m->key_size,
			      m->value_size, max_entries, &mopts, &m->map);
	if (!abpf_ok(err))
		return obj_msg(obj, -err.no,
			       "map %s (type %u, key %u, value %u, %u entries, flags 0x%x): %s",
			       m->name, m->type, m->key_size, m->value_size,
			       max_entries, m->map_flags, abpf_strerror(err));
	if (!m->data)
		return 0;
	err = abpf_map_update(m->map, &zero, sizeof(zero), m->init,
			      m->value_size, BPF_ANY);
	if (abpf_ok(err) && m->rodata)
		err = abpf_map_freeze(m->map);
	if (!abpf_ok(err))
		return obj_msg(obj, -err.no, "map %s: filling it: %s", m->name,
			       abpf_strerror(err));
	return 0;
}

/*
 * The last line of a verifier log that says something (the kernel ends
 * it with statistics: "processed N insns ...", "verification time ...").
 */
static const char *last_line(const char *log)
{
	const char *line, *best = "";

	for (line = log; line && *line; line += strcspn(line, "\n") + 1) {
		if (*line != '\n' && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17))
			best = line;
		if (!line[strcspn(line, "\n")])
			break;
	}
	return best;
}

static int last_line_len(const char *log)
{
	const char *start = last_line(log);
	size_t n = strcspn(start, "\n");

	return n > 200 ? 200 : (int)n;
}

static int prog_load(struct abpf_object *obj, struct abpf_object_prog *p)
{
	LIBBPF_OPTS(bpf_prog_load_opts, popts,
		    .prog_flags = p->prog_flags,
		    .kern_version = obj->kern_version,
		    .expected_attach_type = p->eat);
	struct bpf_insn *insns;
	abpf_errno aerr;
	size_t cnt;
	int err;

	if (p->type == BPF_PROG_TYPE_UNSPEC)
		return obj_msg(obj, -EOPNOTSUPP,
			       "program %s: section %s is of no known type",
			       p->name, p->sec_name);
	err = prog_relocate(p, &insns, &cnt);
	if (err)
		return err;
	if (obj->log_buf && obj->log_size) {
		popts.log_buf = obj->log_buf;
		popts.log_size = obj->log_size > UINT32_MAX ? UINT32_MAX :
				 (__u32)obj->log_size;
		popts.log_level = obj->log_level;
		obj->log_buf[0] = 0;
	}
	aerr = abpf_prog_load(obj->h, p->type, p->kname, obj->license, insns,
			      cnt, &popts, &p->prog);
	/* As libbpf: a failure without a log is tried again with one. */
	if (!abpf_ok(aerr) && popts.log_buf && !popts.log_level &&
	    aerr.no != ENOMEM) {
		popts.log_level = 1;
		abpf_prog_load(obj->h, p->type, p->kname, obj->license, insns,
			       cnt, &popts, &p->prog);
		abpf_prog_close(p->prog);
		p->prog = NULL;
	}
	free(insns);
	if (!abpf_ok(aerr))
		return obj_msg(obj, -aerr.no,
			       "program %s (section %s, %zu insns): %s%s%.*s",
			       p->name, p->sec_name, cnt, abpf_strerror(aerr),
			       popts.log_buf && popts.log_buf[0] ? ": " : "",
			       last_line_len(popts.log_buf),
			       last_line(popts.log_buf));
	p->insn_cnt = cnt;
	return 0;
}

abpf_errno abpf_object_load(struct abpf_object *obj)
{
	size_t i;
	int err = 0;

	if (!obj)
		return abpf_err(EINVAL);
	if (obj->loaded)
		return abpf_err(EALREADY);
	if (obj->msg_len)
		obj->msg[0] = 0;
	for (i = 0; !err && i < obj->nmaps; i++)
		err = map_load(obj, &obj->maps[i]);
	for (i = 0; !err && i < obj->nprogs; i++)
		if (obj->progs[i].autoload)
			err = prog_load(obj, &obj->progs[i]);
	if (err) {
		if (err == -ENOMEM)
			obj_msg(obj, err, "out of memory");
		obj_unload(obj);
		return abpf_err_ret(err);
	}
	obj->loaded = true;
	return abpf_err(0);
}

void abpf_object_close(struct abpf_object *obj)
{
	if (!obj)
		return;
	obj_unload(obj);
	obj_free(obj);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */
/* ------------------------------------------------------------------ */

struct abpf_map *abpf_object_find_map(const struct abpf_object *obj,
				      const char *name)
{
	size_t i;

	for (i = 0; obj && name && i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return obj->maps[i].map;
	return NULL;
}

void *abpf_object_data(struct abpf_object *obj, const char *name,
		       size_t *size)
{
	size_t i;

	for (i = 0; obj && name && !obj->loaded && i < obj->nmaps; i++) {
		if (!obj->maps[i].data || strcmp(obj->maps[i].name, name))
			continue;
		if (size)
			*size = obj->maps[i].value_size;
		return obj->maps[i].init;
	}
	return NULL;
}

abpf_errno abpf_object_find_var(const struct abpf_object *obj,
				 const char *name, const char **map_name,
				 size_t *off, size_t *size)
{
	size_t i, j;

	for (i = 0; obj && name && i < obj->elf.nsyms; i++) {
		const Elf64_Sym *sym = &obj->elf.syms[i];

		if (ELF64_ST_TYPE(sym->st_info) != STT_OBJECT ||
		    strcmp(abpf__elf_sym_name(&obj->elf, i), name))
			continue;
		for (j = 0; j < obj->nmaps; j++) {
			const struct obj_map *m = &obj->maps[j];

			/* Checked here: symbols were not, at open. */
			if (!m->data || m->sec != sym->st_shndx ||
			    sym->st_value > m->value_size ||
			    sym->st_size > m->value_size - sym->st_value)
				continue;
			if (map_name)
				*map_name = m->name;
			if (off)
				*off = sym->st_value;
			if (size)
				*size = sym->st_size;
			return abpf_err(0);
		}
	}
	return abpf_err(ENOENT);
}

size_t abpf_object_prog_cnt(const struct abpf_object *obj)
{
	return obj ? obj->nprogs : 0;
}

struct abpf_object_prog *abpf_object_prog_at(const struct abpf_object *obj,
					     size_t i)
{
	return obj && i < obj->nprogs ? &obj->progs[i] : NULL;
}

struct abpf_object_prog *abpf_object_find_prog(const struct abpf_object *obj,
					       const char *name)
{
	size_t i;

	if (!obj || !name)
		return NULL;
	for (i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	for (i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].sec_name, name))
			return &obj->progs[i];
	return NULL;
}

const char *abpf_object_prog_name(const struct abpf_object_prog *prog)
{
	return prog->name;
}

const char *abpf_object_prog_section(const struct abpf_object_prog *prog)
{
	return prog->sec_name;
}

enum bpf_prog_type abpf_object_prog_type(const struct abpf_object_prog *prog)
{
	return prog->type;
}

const char *abpf_object_prog_attach_name(const struct abpf_object_prog *prog)
{
	return prog->attach;
}

size_t abpf_object_prog_insn_cnt(const struct abpf_object_prog *prog)
{
	return prog->insn_cnt;
}

void abpf_object_prog_set_autoload(struct abpf_object_prog *prog,
				   bool autoload)
{
	prog->autoload = autoload;
}

struct abpf_prog *abpf_object_prog_prog(const struct abpf_object_prog *prog)
{
	return prog->prog;
}

abpf_errno abpf_object_attach_raw_tp(struct abpf_object_prog *prog,
				     const char *tp, struct abpf_link **out)
{
	struct abpf_link **links, *link;
	abpf_errno err;

	if (!prog || !prog->prog || prog->type != BPF_PROG_TYPE_RAW_TRACEPOINT)
		return abpf_err(EINVAL);
	if (!tp)
		tp = prog->attach;
	if (!tp)
		return abpf_err(EINVAL);
	links = realloc(prog->links, (prog->nlinks + 1) * sizeof(*links));
	if (!links)
		return abpf_err(ENOMEM);
	prog->links = links;
	err = abpf_raw_tracepoint_open(prog->prog, tp, &link);
	if (!abpf_ok(err))
		return err;
	links[prog->nlinks++] = link;
	if (out)
		*out = link;
	return err;
}

void abpf_object_detach(struct abpf_object_prog *prog, struct abpf_link *link)
{
	size_t i;

	for (i = 0; prog && link && i < prog->nlinks; i++) {
		if (prog->links[i] != link)
			continue;
		prog->links[i] = prog->links[--prog->nlinks];
		abpf_link_close(link);
		return;
	}
}

/* ------------------------------------------------------------------ */
/* Groups                                                               */
/* ------------------------------------------------------------------ */

/* Autoload only the programs @names lists; -ENOENT names one missing. */
static int select_progs(struct abpf_object *obj, const char *const *names)
{
	struct abpf_object_prog *p;
	size_t i;

	if (!names)
		return 0;
	for (i = 0; i < obj->nprogs; i++)
		obj->progs[i].autoload = false;
	for (; *names; names++) {
		p = abpf_object_find_prog(obj, *names);
		if (!p)
			return obj_msg(obj, -ENOENT, "no program %s in %s",
				       *names, obj->name);
		for (i = 0; i < obj->nprogs; i++)
			if (!strcmp(obj->progs[i].name, *names) ||
			    !strcmp(obj->progs[i].sec_name, *names))
				obj->progs[i].autoload = true;
	}
	return 0;
}

static abpf_errno version_try(struct abpf *h, const struct abpf_prog_version *v,
			      const struct abpf_object_opts *base, char *msg,
			      size_t msg_len, struct abpf_object **out)
{
	struct abpf_object_opts o = { .sz = sizeof(o) };
	struct abpf_object *obj;
	abpf_errno err;
	int ret;

	if (base) {
		memcpy(&o, base, base->sz < sizeof(o) ? base->sz : sizeof(o));
		o.sz = sizeof(o);
	}
	if (!o.name)
		o.name = v->label;
	o.msg_buf = msg;
	o.msg_size = msg_len;
	if (v->path)
		err = abpf_object_open(h, v->path, &o, &obj);
	else
		err = abpf_object_open_mem(h, v->buf, v->size, &o, &obj);
	if (!abpf_ok(err))
		return err;
	ret = select_progs(obj, v->progs);
	err = ret ? abpf_err_ret(ret) : abpf_object_load(obj);
	if (!abpf_ok(err)) {
		abpf_object_close(obj);
		return err;
	}
	/* The group's buffer goes with the call: the caller's stays. */
	obj->msg = base ? OPTS_GET(base, msg_buf, NULL) : NULL;
	obj->msg_len = obj->msg ? OPTS_GET(base, msg_size, 0) : 0;
	*out = obj;
	return err;
}

abpf_errno abpf_object_load_group(struct abpf *h,
				  const struct abpf_prog_version *versions,
				  size_t cnt, const struct abpf_group_opts *opts,
				  struct abpf_object **out, size_t *chosen)
{
	const struct abpf_object_opts *base = OPTS_GET(opts, obj, NULL);
	abpf_version_fail_fn fail_fn = OPTS_GET(opts, fail_fn, NULL);
	void *ctx = OPTS_GET(opts, ctx, NULL);
	abpf_errno err = abpf_err(EINVAL);
	char msg[512];
	size_t i;

	if (!h || !versions || !cnt || !OPTS_VALID(opts, abpf_group_opts) ||
	    !OPTS_VALID(base, abpf_object_opts))
		return abpf_err(EINVAL);
	for (i = 0; i < cnt; i++) {
		msg[0] = 0;
		err = version_try(h, &versions[i], base, msg, sizeof(msg), out);
		if (abpf_ok(err)) {
			if (chosen)
				*chosen = i;
			return err;
		}
		if (!msg[0])
			abpf__msg(msg, sizeof(msg), 0, "%s", abpf_strerror(err));
		if (fail_fn)
			fail_fn(ctx, i, &versions[i], err, msg);
	}
	/* None loaded: the caller's buffer gets the last version's line. */
	if (OPTS_GET(base, msg_buf, NULL) && OPTS_GET(base, msg_size, 0))
		abpf__msg(base->msg_buf, base->msg_size, 0, "%s", msg);
	return err;
}
