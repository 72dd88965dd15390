// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Host tests of the object loader (<abpf/object.h>) on a fake bpf(2):
 * ELF images built here (maps, global data, calls into .text, callbacks,
 * bad relocations), a clang-built object (tests/vm/progs/diff_progs.bpf.c),
 * every truncation of both and seeded corruptions of their bytes, which
 * must fail with ENOEXEC/EINVAL-style errors or load, never crash; and
 * program groups falling back version by version.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <abpf.h>
#include <abpf/embed.h>
#include <abpf/object.h>

#include "../tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

ABPF_EMBED(diff_obj, ABPF_BPF_DIR "/diff_progs.bpf.o");
ABPF_EMBED(btf_obj, ABPF_BPF_DIR "/btf_maps.bpf.o");

/* ------------------------------------------------------------------ */
/* A fake bpf(2) that records maps and programs                         */
/* ------------------------------------------------------------------ */

#define F_MAX 32
#define F_INSNS 8192

struct f_map {
	__u32 type, key_size, value_size, max_entries, flags;
	char name[BPF_OBJ_NAME_LEN];
	int fd, updates, frozen;
	unsigned char value[256];
};

struct f_prog {
	__u32 type, flags, cnt;
	char name[BPF_OBJ_NAME_LEN], license[64];
	struct bpf_insn insns[F_INSNS];
	int fd;
};

static struct {
	int err;
	int next_fd, open_fds;
	struct f_map maps[F_MAX];
	int nmaps;
	struct f_prog progs[F_MAX];
	int nprogs;
	const char *fail_prog;	/* BPF_PROG_LOAD of this name fails */
	int fail_err;
	int fail_map_at;	/* the n-th (1-based) map create fails */
} F;

static int *f_errno(void)
{
	return &F.err;
}

static long f_fail(int err)
{
	F.err = err;
	return -1;
}

static struct f_map *f_map_of(int fd)
{
	int i;

	for (i = 0; i < F.nmaps; i++)
		if (F.maps[i].fd == fd)
			return &F.maps[i];
	return NULL;
}

static long f_bpf(long cmd, void *p, unsigned int size)
{
	union bpf_attr *a = p;
	struct f_map *m;
	struct f_prog *pr;

	(void)size;
	switch (cmd) {
	case BPF_MAP_CREATE:
		if (F.nmaps == F_MAX || F.nmaps + 1 == F.fail_map_at)
			return f_fail(EINVAL);
		m = &F.maps[F.nmaps++];
		memset(m, 0, sizeof(*m));
		m->type = a->map_type;
		m->key_size = a->key_size;
		m->value_size = a->value_size;
		m->max_entries = a->max_entries;
		m->flags = a->map_flags;
		memcpy(m->name, a->map_name, sizeof(m->name));
		m->fd = F.next_fd++;
		F.open_fds++;
		return m->fd;
	case BPF_MAP_UPDATE_ELEM:
		m = f_map_of((int)a->map_fd);
		if (!m)
			return f_fail(EBADF);
		m->updates++;
		memcpy(m->value, (void *)(uintptr_t)a->value,
		       m->value_size < sizeof(m->value) ? m->value_size :
		       sizeof(m->value));
		return 0;
	case BPF_MAP_FREEZE:
		m = f_map_of((int)a->map_fd);
		if (!m)
			return f_fail(EBADF);
		m->frozen++;
		return 0;
	case BPF_PROG_LOAD:
		if (F.fail_prog && !strcmp(a->prog_name, F.fail_prog))
			return f_fail(F.fail_err);
		if (F.nprogs == F_MAX || a->insn_cnt > F_INSNS)
			return f_fail(E2BIG);
		pr = &F.progs[F.nprogs++];
		pr->type = a->prog_type;
		pr->flags = a->prog_flags;
		pr->cnt = a->insn_cnt;
		memcpy(pr->name, a->prog_name, sizeof(pr->name));
		strncpy(pr->license, (const char *)(uintptr_t)a->license,
			sizeof(pr->license) - 1);
		memcpy(pr->insns, (void *)(uintptr_t)a->insns,
		       a->insn_cnt * sizeof(struct bpf_insn));
		pr->fd = F.next_fd++;
		F.open_fds++;
		return pr->fd;
	case BPF_RAW_TRACEPOINT_OPEN:
		F.open_fds++;
		return F.next_fd++;
	default:
		return f_fail(EINVAL);
	}
}

static int f_close(int fd)
{
	if (fd >= 1000)
		F.open_fds--;
	else
		close(fd);
	return 0;
}

static int f_open(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags, mode);

	F.err = errno;
	return fd;
}

static ssize_t f_read(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	F.err = errno;
	return n;
}

static const struct abpf_sys f_sys = {
	.errno_location = f_errno,
	.bpf = f_bpf,
	.close = f_close,
	.open = f_open,
	.read = f_read,
};

static struct abpf *f_handle(void)
{
	struct abpf *h = NULL;

	memset(&F, 0, sizeof(F));
	F.next_fd = 1000;
	if (!abpf_ok(abpf_open(&f_sys, NULL, &h)))
		abort();
	return h;
}

static struct f_map *f_map_named(const char *name)
{
	int i;

	for (i = 0; i < F.nmaps; i++)
		if (!strcmp(F.maps[i].name, name))
			return &F.maps[i];
	return NULL;
}

static struct f_prog *f_prog_named(const char *name)
{
	int i;

	for (i = 0; i < F.nprogs; i++)
		if (!strcmp(F.progs[i].name, name))
			return &F.progs[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* An ELF64 BPF object builder                                          */
/* ------------------------------------------------------------------ */

#define EB_SECS 24
#define EB_SYMS 32
#define EB_RELS 32

struct eb {
	struct {
		const char *name;
		Elf64_Word type;
		Elf64_Xword flags;
		const void *data;
		size_t size;
		Elf64_Rel rels[EB_RELS];
		int nrels;
	} secs[EB_SECS];
	int nsecs;
	Elf64_Sym syms[EB_SYMS];
	int nsyms;
	char strtab[1024];
	size_t strsz;
};

static void eb_init(struct eb *b)
{
	memset(b, 0, sizeof(*b));
	b->nsecs = 1;
	b->nsyms = 1;
	b->strsz = 1;
}

static Elf64_Word eb_str(char *tab, size_t *sz, const char *s)
{
	Elf64_Word off = (Elf64_Word)*sz;

	strcpy(tab + *sz, s);
	*sz += strlen(s) + 1;
	return off;
}

static int eb_sec(struct eb *b, const char *name, Elf64_Word type,
		  Elf64_Xword flags, const void *data, size_t size)
{
	int i = b->nsecs++;

	b->secs[i].name = name;
	b->secs[i].type = type;
	b->secs[i].flags = flags;
	b->secs[i].data = data;
	b->secs[i].size = size;
	return i;
}

static int eb_prog_sec(struct eb *b, const char *name,
		       const struct bpf_insn *insns, size_t n)
{
	return eb_sec(b, name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, insns,
		      n * sizeof(*insns));
}

static int eb_sym(struct eb *b, const char *name, int sec, size_t value,
		  size_t size, int type, int bind)
{
	int i = b->nsyms++;

	b->syms[i].st_name = eb_str(b->strtab, &b->strsz, name);
	b->syms[i].st_shndx = (Elf64_Half)sec;
	b->syms[i].st_value = value;
	b->syms[i].st_size = size;
	b->syms[i].st_info = ELF64_ST_INFO(bind, type);
	return i;
}

static void eb_rel(struct eb *b, int sec, size_t insn, int sym, int type)
{
	Elf64_Rel *r = &b->secs[sec].rels[b->secs[sec].nrels++];

	r->r_offset = insn * sizeof(struct bpf_insn);
	r->r_info = ELF64_R_INFO(sym, type);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Lay the object out into @out: headers, sections, rels, tables, headers. */
static size_t eb_build(struct eb *b, unsigned char *out, size_t cap)
{
	Elf64_Shdr sh[EB_SECS * 2 + 4];
	char shstr[2048];
	size_t shsz = 1, off = sizeof(Elf64_Ehdr), n = 0;
	int i, relsec[EB_SECS] = { 0 }, symtab, strtab, shstrtab;
	Elf64_Ehdr eh;

	memset(sh, 0, sizeof(sh));
	memset(out, 0, cap);
	shstr[0] = 0;
	for (i = 1; i < b->nsecs; i++) {
		sh[i].sh_name = eb_str(shstr, &shsz, b->secs[i].name);
		sh[i].sh_type = b->secs[i].type;
		sh[i].sh_flags = b->secs[i].flags;
		sh[i].sh_size = b->secs[i].size;
		sh[i].sh_addralign = 8;
		off = align8(off);
		sh[i].sh_offset = off;
		if (b->secs[i].type != SHT_NOBITS) {
			memcpy(out + off, b->secs[i].data, b->secs[i].size);
			off += b->secs[i].size;
		}
	}
	n = (size_t)b->nsecs - 1;
	for (i = 1; i < b->nsecs; i++) {
		char name[64];
		size_t sz;

		if (!b->secs[i].nrels)
			continue;
		relsec[i] = (int)++n;
		snprintf(name, sizeof(name), ".rel%s", b->secs[i].name);
		sz = (size_t)b->secs[i].nrels * sizeof(Elf64_Rel);
		off = align8(off);
		sh[n].sh_name = eb_str(shstr, &shsz, name);
		sh[n].sh_type = SHT_REL;
		sh[n].sh_offset = off;
		sh[n].sh_size = sz;
		sh[n].sh_entsize = sizeof(Elf64_Rel);
		sh[n].sh_info = (Elf64_Word)i;
		memcpy(out + off, b->secs[i].rels, sz);
		off += sz;
	}
	symtab = (int)++n;
	strtab = (int)++n;
	shstrtab = (int)++n;
	for (i = 1; i < b->nsecs; i++)
		if (relsec[i])
			sh[relsec[i]].sh_link = (Elf64_Word)symtab;
	off = align8(off);
	sh[symtab].sh_name = eb_str(shstr, &shsz, ".symtab");
	sh[symtab].sh_type = SHT_SYMTAB;
	sh[symtab].sh_offset = off;
	sh[symtab].sh_size = (size_t)b->nsyms * sizeof(Elf64_Sym);
	sh[symtab].sh_entsize = sizeof(Elf64_Sym);
	sh[symtab].sh_link = (Elf64_Word)strtab;
	memcpy(out + off, b->syms, sh[symtab].sh_size);
	off += sh[symtab].sh_size;
	sh[strtab].sh_name = eb_str(shstr, &shsz, ".strtab");
	sh[strtab].sh_type = SHT_STRTAB;
	sh[strtab].sh_offset = off;
	sh[strtab].sh_size = b->strsz;
	memcpy(out + off, b->strtab, b->strsz);
	off += b->strsz;
	sh[shstrtab].sh_name = eb_str(shstr, &shsz, ".shstrtab");
	sh[shstrtab].sh_type = SHT_STRTAB;
	sh[shstrtab].sh_offset = off;
	sh[shstrtab].sh_size = shsz;
	memcpy(out + off, shstr, shsz);
	off += shsz;

	off = align8(off);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (Elf64_Half)(n + 1);
	eh.e_shstrndx = (Elf64_Half)shstrtab;
	eh.e_shoff = off;
	memcpy(out, &eh, sizeof(eh));
	memcpy(out + off, sh, (n + 1) * sizeof(Elf64_Shdr));
	off += (n + 1) * sizeof(Elf64_Shdr);
	if (off > cap)
		abort();
	return off;
}

/* ------------------------------------------------------------------ */
/* Instructions                                                         */
/* ------------------------------------------------------------------ */

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define MOV(d, i)	I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD(d, i)	I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LD64(d, i)	I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, i), I(0, 0, 0, 0, 0)
#define PCALL(i)	I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, i)
#define HCALL(f)	I(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static const char gpl[] = "GPL";

/*
 * The object most tests use: two programs in raw_tp/sys_enter (prog_a)
 * and syscall (prog_b), a legacy hash map and an array, .data, .rodata,
 * .bss; prog_a calls helper() in .text through a relocation, helper()
 * calls leaf() within .text without one, prog_b takes leaf's address.
 */
static const struct bpf_insn prog_a[] = {
	LD64(1, 0),		/* 0: &counts */
	LD64(2, 4),		/* 2: &.data + 4 (section symbol) */
	LD64(3, 0),		/* 4: &rodata_var */
	PCALL(-1),		/* 6: helper() */
	ADD(0, 1),
	EXIT(),
};
static const struct bpf_insn prog_b[] = {
	LD64(1, 0),		/* 0: &slots */
	LD64(2, 0),		/* 2: leaf, as a callback */
	LD64(3, 8),		/* 4: .bss + 8 */
	MOV(0, 0),
	EXIT(),
};
static const struct bpf_insn text[] = {
	MOV(0, 5),		/* 0: helper() */
	PCALL(1),		/* 1: leaf() at 3 */
	EXIT(),			/* 2 */
	MOV(0, 2),		/* 3: leaf() */
	EXIT(),			/* 4 */
};
static const __u32 map_defs[] = {
	BPF_MAP_TYPE_HASH, 4, 8, 128, 1,	/* counts */
	BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0,	/* slots */
};
static const unsigned char data[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const unsigned char rodata[8] = { 0xaa, 0xbb };

static unsigned char img[1 << 16];
static size_t img_len;

static size_t build_main(unsigned char *out, size_t cap)
{
	int a, b, t, m, d, r, s, lic, sy_counts, sy_slots, sy_data, sy_ro;
	int sy_helper, sy_leaf, sy_bss;
	struct eb e;

	eb_init(&e);
	a = eb_prog_sec(&e, "raw_tp/sys_enter", prog_a, ARRAY_SIZE(prog_a));
	b = eb_prog_sec(&e, "syscall", prog_b, ARRAY_SIZE(prog_b));
	t = eb_prog_sec(&e, ".text", text, ARRAY_SIZE(text));
	m = eb_sec(&e, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, map_defs,
		   sizeof(map_defs));
	d = eb_sec(&e, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data,
		   sizeof(data));
	r = eb_sec(&e, ".rodata", SHT_PROGBITS, SHF_ALLOC, rodata,
		   sizeof(rodata));
	s = eb_sec(&e, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, NULL, 32);
	lic = eb_sec(&e, "license", SHT_PROGBITS, SHF_ALLOC, gpl, sizeof(gpl));
	(void)lic;
	eb_sym(&e, "prog_a", a, 0, sizeof(prog_a), STT_FUNC, STB_GLOBAL);
	eb_sym(&e, "prog_b", b, 0, sizeof(prog_b), STT_FUNC, STB_GLOBAL);
	sy_helper = eb_sym(&e, "helper", t, 0, 3 * 8, STT_FUNC, STB_GLOBAL);
	sy_leaf = eb_sym(&e, "leaf", t, 3 * 8, 2 * 8, STT_FUNC, STB_LOCAL);
	sy_counts = eb_sym(&e, "counts", m, 0, 20, STT_OBJECT, STB_GLOBAL);
	sy_slots = eb_sym(&e, "slots", m, 20, 20, STT_OBJECT, STB_GLOBAL);
	sy_data = eb_sym(&e, ".data", d, 0, 0, STT_SECTION, STB_LOCAL);
	sy_ro = eb_sym(&e, "rodata_var", r, 1, 1, STT_OBJECT, STB_GLOBAL);
	sy_bss = eb_sym(&e, ".bss", s, 0, 0, STT_SECTION, STB_LOCAL);
	eb_rel(&e, a, 0, sy_counts, R_BPF_64_64);
	eb_rel(&e, a, 2, sy_data, R_BPF_64_64);
	eb_rel(&e, a, 4, sy_ro, R_BPF_64_64);
	eb_rel(&e, a, 6, sy_helper, R_BPF_64_32);
	eb_rel(&e, b, 0, sy_slots, R_BPF_64_64);
	eb_rel(&e, b, 2, sy_leaf, R_BPF_64_64);
	eb_rel(&e, b, 4, sy_bss, R_BPF_64_64);
	return eb_build(&e, out, cap);
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static abpf_errno open_img(struct abpf *h, const void *buf, size_t len,
			   char *msg, size_t msg_len, struct abpf_object **obj)
{
	LIBBPF_OPTS(abpf_object_opts, o, .msg_buf = msg, .msg_size = msg_len);

	return abpf_object_open_mem(h, buf, len, &o, obj);
}

/* Open and load @len bytes at @buf; false, after a failure line, if not. */
static bool open_loaded(struct abpf *h, const void *buf, size_t len,
			struct abpf_object **obj)
{
	static char msg[256];	/* the object writes here while it lives */

	msg[0] = 0;
	if (abpf_ok(open_img(h, buf, len, msg, sizeof(msg), obj)) &&
	    abpf_ok(abpf_object_load(*obj)))
		return true;
	tap_fail("open/load: %s", msg);
	abpf_object_close(*obj);
	*obj = NULL;
	return false;
}

static void opens_programs_maps_and_license(void)
{
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	struct abpf_object_prog *p;
	char msg[256];
	size_t sz = 0;

	img_len = build_main(img, sizeof(img));
	EXPECT_EQ(open_img(h, img, img_len, msg, sizeof(msg), &obj).no, 0);
	if (!obj) {
		tap_fail("%s", msg);
		abpf_unref(h);
		return;
	}
	EXPECT_EQ(abpf_object_prog_cnt(obj), 2);
	p = abpf_object_find_prog(obj, "prog_a");
	EXPECT(p && !strcmp(abpf_object_prog_section(p), "raw_tp/sys_enter"));
	EXPECT(p && abpf_object_prog_type(p) == BPF_PROG_TYPE_RAW_TRACEPOINT);
	EXPECT(p && !strcmp(abpf_object_prog_attach_name(p), "sys_enter"));
	EXPECT(p && abpf_object_prog_insn_cnt(p) == ARRAY_SIZE(prog_a));
	p = abpf_object_find_prog(obj, "syscall");
	EXPECT(p && !strcmp(abpf_object_prog_name(p), "prog_b"));
	EXPECT(p && abpf_object_prog_type(p) == BPF_PROG_TYPE_SYSCALL);
	EXPECT(p && !abpf_object_prog_attach_name(p));
	EXPECT(!abpf_object_find_prog(obj, "helper"));
	EXPECT(!abpf_object_find_map(obj, "counts"));	/* not loaded */
	EXPECT(abpf_object_data(obj, ".data", &sz) && sz == sizeof(data));
	EXPECT(abpf_object_data(obj, ".bss", &sz) && sz == 32);
	EXPECT(!abpf_object_data(obj, "counts", &sz));
	EXPECT_EQ(F.nmaps + F.nprogs, 0);	/* nothing made at open */
	abpf_object_close(obj);
	abpf_unref(h);
}

static void load_creates_maps_and_relocates(void)
{
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	struct f_map *counts, *slots, *dm, *rm, *bm;
	struct f_prog *pa, *pb;
	unsigned char *d;
	char msg[256] = "";
	size_t sz;

	img_len = build_main(img, sizeof(img));
	if (!abpf_ok(open_img(h, img, img_len, msg, sizeof(msg), &obj))) {
		tap_fail("open: %s", msg);
		abpf_unref(h);
		return;
	}
	d = abpf_object_data(obj, ".data", &sz);
	if (d)
		d[8] = 42;	/* a global set before the load */
	if (!abpf_ok(abpf_object_load(obj))) {
		tap_fail("load: %s", msg);
		abpf_object_close(obj);
		abpf_unref(h);
		return;
	}
	counts = f_map_named("counts");
	slots = f_map_named("slots");
	dm = f_map_named(".data");
	rm = f_map_named(".rodata");
	bm = f_map_named(".bss");
	EXPECT(counts && slots && dm && rm && bm);
	if (!counts || !slots || !dm || !rm || !bm)
		goto out;
	EXPECT(counts->type == BPF_MAP_TYPE_HASH && counts->key_size == 4 &&
	       counts->value_size == 8 && counts->max_entries == 128 &&
	       counts->flags == 1);
	EXPECT(slots->type == BPF_MAP_TYPE_ARRAY && slots->value_size == 16);
	EXPECT(dm->type == BPF_MAP_TYPE_ARRAY && dm->max_entries == 1 &&
	       dm->value_size == sizeof(data) && dm->updates == 1 && !dm->frozen);
	EXPECT(dm->value[0] == 1 && dm->value[7] == 8 && dm->value[8] == 42);
	EXPECT(rm->flags == BPF_F_RDONLY_PROG && rm->frozen == 1 &&
	       rm->value[0] == 0xaa);
	EXPECT(bm->value_size == 32 && bm->value[0] == 0 && !bm->frozen);
	EXPECT(abpf_object_find_map(obj, "counts") &&
	       abpf_map_fd(abpf_object_find_map(obj, "counts")) == counts->fd);
	EXPECT(!abpf_object_data(obj, ".data", &sz));	/* loaded */

	pa = f_prog_named("prog_a");
	pb = f_prog_named("prog_b");
	EXPECT(pa && pb);
	if (!pa || !pb)
		goto out;
	EXPECT(!strcmp(pa->license, "GPL"));
	EXPECT(pa->type == BPF_PROG_TYPE_RAW_TRACEPOINT && !pa->flags);
	EXPECT(pb->type == BPF_PROG_TYPE_SYSCALL && pb->flags == BPF_F_SLEEPABLE);
	/* prog_a: maps, data with the addend, rodata at the symbol. */
	EXPECT(pa->insns[0].src_reg == BPF_PSEUDO_MAP_FD &&
	       pa->insns[0].imm == counts->fd && pa->insns[1].imm == 0);
	EXPECT(pa->insns[2].src_reg == BPF_PSEUDO_MAP_VALUE &&
	       pa->insns[2].imm == dm->fd && pa->insns[3].imm == 4);
	EXPECT(pa->insns[4].src_reg == BPF_PSEUDO_MAP_VALUE &&
	       pa->insns[4].imm == rm->fd && pa->insns[5].imm == 1);
	/* helper (3 insns) appended after prog_a's 9, then leaf (2). */
	EXPECT_EQ(pa->cnt, ARRAY_SIZE(prog_a) + 5);
	EXPECT_EQ(pa->insns[6].imm, 9 - 6 - 1);
	EXPECT_EQ(pa->insns[9].imm, 5);
	EXPECT_EQ(pa->insns[10].imm, 12 - 10 - 1);
	EXPECT_EQ(pa->insns[12].imm, 2);
	/* prog_b: leaf alone appended, its address a BPF_PSEUDO_FUNC. */
	EXPECT_EQ(pb->cnt, ARRAY_SIZE(prog_b) + 2);
	EXPECT(pb->insns[0].src_reg == BPF_PSEUDO_MAP_FD &&
	       pb->insns[0].imm == slots->fd);
	EXPECT(pb->insns[2].src_reg == BPF_PSEUDO_FUNC &&
	       pb->insns[2].imm == 8 - 2 - 1);
	EXPECT(pb->insns[4].src_reg == BPF_PSEUDO_MAP_VALUE &&
	       pb->insns[4].imm == bm->fd && pb->insns[5].imm == 8);
	EXPECT_EQ(abpf_object_prog_insn_cnt(abpf_object_find_prog(obj, "prog_a")),
		  pa->cnt);
	EXPECT_EQ(abpf_object_load(obj).no, EALREADY);
out:
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

static void attach_links_close_with_the_object(void)
{
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	struct abpf_object_prog *a, *b;
	struct abpf_link *l1 = NULL, *l2 = NULL;

	img_len = build_main(img, sizeof(img));
	if (!abpf_ok(open_img(h, img, img_len, NULL, 0, &obj)) ||
	    !abpf_ok(abpf_object_load(obj))) {
		tap_fail("open/load");
		abpf_object_close(obj);
		abpf_unref(h);
		return;
	}
	a = abpf_object_find_prog(obj, "prog_a");
	b = abpf_object_find_prog(obj, "prog_b");
	EXPECT_EQ(abpf_object_attach_raw_tp(a, NULL, &l1).no, 0);
	EXPECT_EQ(abpf_object_attach_raw_tp(a, "sched_switch", &l2).no, 0);
	EXPECT_EQ(abpf_object_attach_raw_tp(b, NULL, NULL).no, EINVAL);
	EXPECT_EQ(F.open_fds, 7 + 2);	/* 5 maps, 2 programs, 2 links */
	abpf_object_detach(a, l1);
	EXPECT_EQ(F.open_fds, 7 + 1);
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

static void failed_load_undoes_everything_and_may_retry(void)
{
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	char msg[256] = "";

	img_len = build_main(img, sizeof(img));
	if (!abpf_ok(open_img(h, img, img_len, msg, sizeof(msg), &obj))) {
		tap_fail("open: %s", msg);
		abpf_unref(h);
		return;
	}
	F.fail_prog = "prog_b";
	F.fail_err = EACCES;
	EXPECT_EQ(abpf_object_load(obj).no, EACCES);
	EXPECT(strstr(msg, "prog_b") && strstr(msg, "syscall"));
	EXPECT_EQ(F.open_fds, 0);
	EXPECT(!abpf_object_find_map(obj, "counts"));
	F.fail_map_at = F.nmaps + 2;
	EXPECT_EQ(abpf_object_load(obj).no, EINVAL);
	EXPECT(strstr(msg, "map slots"));
	EXPECT_EQ(F.open_fds, 0);
	F.fail_map_at = 0;
	abpf_object_prog_set_autoload(abpf_object_find_prog(obj, "prog_b"), false);
	EXPECT_EQ(abpf_object_load(obj).no, 0);
	EXPECT(abpf_object_prog_prog(abpf_object_find_prog(obj, "prog_a")));
	EXPECT(!abpf_object_prog_prog(abpf_object_find_prog(obj, "prog_b")));
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

/* One program calling @call_imm with a relocation to symbol kind @kind. */
static size_t build_bad(unsigned char *out, size_t cap, int kind)
{
	static const struct bpf_insn p0[] = { LD64(1, 0), PCALL(-1), EXIT() };
	static const struct bpf_insn t[] = { MOV(0, 0), EXIT(), MOV(0, 1), EXIT() };
	static struct bpf_insn p[ARRAY_SIZE(p0)];
	int ps, ts, sym;
	struct eb e;

	memcpy(p, p0, sizeof(p));

	eb_init(&e);
	ps = eb_prog_sec(&e, "raw_tp/x", p, ARRAY_SIZE(p));
	ts = eb_prog_sec(&e, ".text", t, ARRAY_SIZE(t));
	eb_sym(&e, "p", ps, 0, sizeof(p), STT_FUNC, STB_GLOBAL);
	eb_sym(&e, "f", ts, 0, 16, STT_FUNC, STB_GLOBAL);
	switch (kind) {
	case 0:	/* ld_imm64 against an extern */
		sym = eb_sym(&e, "ext", SHN_UNDEF, 0, 0, STT_NOTYPE, STB_GLOBAL);
		eb_rel(&e, ps, 0, sym, R_BPF_64_64);
		break;
	case 1:	/* a call into .text where no function is */
		sym = eb_sym(&e, ".text", ts, 0, 0, STT_SECTION, STB_LOCAL);
		eb_rel(&e, ps, 2, sym, R_BPF_64_32);
		p[2].imm = 2; /* insn 3: no function */
		break;
	case 2:	/* a call past the section */
		sym = eb_sym(&e, ".text", ts, 0, 0, STT_SECTION, STB_LOCAL);
		eb_rel(&e, ps, 2, sym, R_BPF_64_32);
		p[2].imm = 40;
		break;
	case 3:	/* a relocation on an instruction that takes none */
		sym = eb_sym(&e, ".text", ts, 0, 0, STT_SECTION, STB_LOCAL);
		eb_rel(&e, ps, 3, sym, R_BPF_64_64);
		break;
	default: /* ld_imm64 against a symbol in no map */
		sym = eb_sym(&e, "lic", 0, 0, 0, STT_OBJECT, STB_GLOBAL);
		e.syms[sym].st_shndx = (Elf64_Half)ts + 0;
		e.syms[sym].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
		e.syms[sym].st_value = 3;	/* not a function boundary */
		eb_rel(&e, ps, 0, sym, R_BPF_64_64);
		break;
	}
	return eb_build(&e, out, cap);
}

static void bad_relocations_fail_the_load(void)
{
	static const int want[] = { EOPNOTSUPP, LIBBPF_ERRNO__RELOC,
				    LIBBPF_ERRNO__RELOC, LIBBPF_ERRNO__RELOC,
				    LIBBPF_ERRNO__RELOC };
	struct abpf *h = f_handle();
	size_t k;

	for (k = 0; k < ARRAY_SIZE(want); k++) {
		struct abpf_object *obj = NULL;
		char msg[256] = "";
		abpf_errno err;

		img_len = build_bad(img, sizeof(img), (int)k);
		err = open_img(h, img, img_len, msg, sizeof(msg), &obj);
		if (abpf_ok(err))
			err = abpf_object_load(obj);
		if (err.no != want[k])
			tap_fail("case %zu: error %d, want %d (%s)", k, err.no,
				 want[k], msg);
		EXPECT(msg[0]);
		abpf_object_close(obj);
		EXPECT_EQ(F.open_fds, 0);
	}
	abpf_unref(h);
}

/* Whether @err is an error a malformed file may give. */
static bool format_error(int err)
{
	return err == ENOEXEC || err == EINVAL || err == EOPNOTSUPP ||
	       err == E2BIG || err == LIBBPF_ERRNO__RELOC;
}

/* Open (and, when that works, load) @len bytes of @buf. */
static int try_image(struct abpf *h, const unsigned char *buf, size_t len,
		     bool *loaded)
{
	struct abpf_object *obj = NULL;
	unsigned char *copy = malloc(len ? len : 1);
	abpf_errno err;

	F.nmaps = 0;
	F.nprogs = 0;
	/* An exact-size copy, so a sanitizer sees any overread. */
	memcpy(copy, buf, len);
	err = open_img(h, copy, len, NULL, 0, &obj);
	free(copy);
	*loaded = false;
	if (abpf_ok(err)) {
		err = abpf_object_load(obj);
		*loaded = abpf_ok(err);
		abpf_object_close(obj);
	}
	if (F.open_fds)
		return -1;
	return err.no;
}

static void every_truncation_fails(const unsigned char *buf, size_t len)
{
	struct abpf *h = f_handle();
	size_t cut, bad = 0;
	bool loaded;
	int err;

	for (cut = 0; cut < len; cut++) {
		err = try_image(h, buf, cut, &loaded);
		if (!err || !format_error(err)) {
			if (bad++ < 5)
				tap_fail("%zu of %zu bytes: error %d", cut, len, err);
		}
	}
	printf("# %zu truncations, %zu not refused\n", len, bad);
	EXPECT_EQ(bad, 0);
	abpf_unref(h);
}

static void truncated_built_objects_fail(void)
{
	img_len = build_main(img, sizeof(img));
	every_truncation_fails(img, img_len);
}

static void truncated_clang_objects_fail(void)
{
	every_truncation_fails(diff_obj, ABPF_EMBED_SIZE(diff_obj));
}

static __u64 rng_state = 0x853c49e6748fea9bULL;

static __u32 rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (__u32)(rng_state >> 33);
}

/*
 * Seeded corruptions: 1-4 bytes set to random, boundary or huge values,
 * mostly in the headers and tables, where a bad offset hurts.
 */
static void corrupt_and_try(const unsigned char *orig, size_t len,
			    unsigned int rounds)
{
	static const unsigned char vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x10 };
	struct abpf *h = f_handle();
	unsigned char *buf = malloc(len);
	size_t bad = 0, opened = 0, loaded_cnt = 0, refused = 0;
	Elf64_Ehdr eh;
	unsigned int r;

	memcpy(&eh, orig, sizeof(eh));
	for (r = 0; r < rounds; r++) {
		unsigned int n = 1 + rng() % 4, k;
		bool loaded;
		int err;

		memcpy(buf, orig, len);
		for (k = 0; k < n; k++) {
			size_t at;

			switch (rng() % 4) {
			case 0:	/* the ELF header */
				at = rng() % sizeof(eh);
				break;
			case 1:	/* the section headers */
				at = eh.e_shoff + rng() %
				     ((size_t)eh.e_shnum * sizeof(Elf64_Shdr));
				break;
			default:
				at = rng() % len;
				break;
			}
			buf[at] = rng() % 2 ? vals[rng() % sizeof(vals)] :
					      (unsigned char)rng();
		}
		err = try_image(h, buf, len, &loaded);
		if (err < 0 || (err && !format_error(err))) {
			if (bad++ < 5)
				tap_fail("round %u: error %d", r, err);
		}
		if (!err || loaded)
			opened++;
		loaded_cnt += loaded;
		refused += err != 0;
	}
	printf("# %u corruptions: %zu refused, %zu loaded, %zu unexpected\n",
	       rounds, refused, loaded_cnt, bad);
	EXPECT_EQ(bad, 0);
	EXPECT(refused > 0);
	free(buf);
	abpf_unref(h);
}

static void corrupted_built_objects_fail_cleanly(void)
{
	img_len = build_main(img, sizeof(img));
	corrupt_and_try(img, img_len, 20000);
}

static void corrupted_clang_objects_fail_cleanly(void)
{
	corrupt_and_try(diff_obj, ABPF_EMBED_SIZE(diff_obj), 20000);
}

/* Targeted header lies, each of which must be refused. */
static void header_lies_are_refused(void)
{
	struct abpf *h = f_handle();
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	size_t i, n = 0;
	bool loaded;
	int err;

	img_len = build_main(img, sizeof(img));
	memcpy(&eh, img, sizeof(eh));
	for (i = 0; i < 14; i++) {
		static unsigned char buf[sizeof(img)];
		Elf64_Ehdr e2 = eh;
		size_t idx = 1 + (i % (eh.e_shnum - 1));
		size_t at = eh.e_shoff + idx * sizeof(Elf64_Shdr);
		int want = EINVAL;

		memcpy(buf, img, img_len);
		memcpy(&sh, buf + at, sizeof(sh));
		switch (i) {
		case 0: e2.e_shoff = ~0ULL - 8; break;
		case 1: e2.e_shnum = 0xffff; break;
		case 2: e2.e_shentsize = 32; break;
		case 3: e2.e_shstrndx = eh.e_shnum; break;
		case 4: e2.e_ident[EI_DATA] = ELFDATA2MSB; want = ENOEXEC; break;
		case 5: e2.e_machine = EM_X86_64; want = ENOEXEC; break;
		case 6: e2.e_ident[EI_CLASS] = ELFCLASS32; want = ENOEXEC; break;
		case 7: sh.sh_offset = img_len; sh.sh_size = 8; break;
		case 8: sh.sh_offset = 16; sh.sh_size = ~0ULL - 8; break;
		case 9: sh.sh_name = 1 << 20; break;
		default: {
			/* the symbol table: bad entry size, link, size */
			size_t s;

			for (s = 1; s < eh.e_shnum; s++) {
				memcpy(&sh, buf + eh.e_shoff + s * sizeof(sh),
				       sizeof(sh));
				if (sh.sh_type == SHT_SYMTAB)
					break;
			}
			at = eh.e_shoff + s * sizeof(sh);
			if (i == 10)
				sh.sh_entsize = 16;
			else if (i == 11)
				sh.sh_link = 0;
			else if (i == 12)
				sh.sh_size += 1;
			else
				sh.sh_link = (Elf64_Word)s;
			break;
		}
		}
		memcpy(buf, &e2, sizeof(e2));
		memcpy(buf + at, &sh, sizeof(sh));
		err = try_image(h, buf, img_len, &loaded);
		if (err != want)
			tap_fail("lie %zu: error %d, want %d", i, err, want);
		n++;
	}
	EXPECT_EQ(n, 14);
	abpf_unref(h);
}

static void clang_object_loads_with_every_call_resolved(void)
{
	static const char *const names[] = { "count", "slots_update", "queue",
		"ring", "calls", "globals", "loops", "atomics" };
	static const char *const maps[] = { "counts", "slots", "pcpu", "fifo",
		"events", "atom", ".data", ".rodata", ".bss" };
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	size_t i, calls_len = 0;
	int j;

	if (abpf_ok(open_img(h, diff_obj, ABPF_EMBED_SIZE(diff_obj), NULL, 0,
			     &obj))) {
		calls_len = abpf_object_prog_insn_cnt(abpf_object_find_prog(obj,
									    "calls"));
		abpf_object_close(obj);
		obj = NULL;
	}
	EXPECT(calls_len > 0);
	if (!open_loaded(h, diff_obj, ABPF_EMBED_SIZE(diff_obj), &obj)) {
		abpf_unref(h);
		return;
	}
	EXPECT_EQ(abpf_object_prog_cnt(obj), ARRAY_SIZE(names));
	for (i = 0; i < ARRAY_SIZE(names); i++)
		EXPECT(abpf_object_prog_prog(abpf_object_find_prog(obj, names[i])));
	for (i = 0; i < ARRAY_SIZE(maps); i++)
		if (!abpf_object_find_map(obj, maps[i]))
			tap_fail("no map %s", maps[i]);
	EXPECT(f_map_named(".rodata") && f_map_named(".rodata")->frozen);
	EXPECT(f_map_named(".data") && f_map_named(".data")->value[0] == 7);
	/* calls: global_fold, fold and mix appended after the program. */
	EXPECT(f_prog_named("calls") && f_prog_named("calls")->cnt > calls_len);
	for (j = 0; j < F.nprogs; j++) {
		struct f_prog *p = &F.progs[j];
		__u32 k;

		for (k = 0; k < p->cnt; k++) {
			struct bpf_insn *in = &p->insns[k];

			if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				if (in->src_reg != BPF_PSEUDO_MAP_FD &&
				    in->src_reg != BPF_PSEUDO_MAP_VALUE &&
				    in->src_reg != BPF_PSEUDO_FUNC)
					tap_fail("%s: ld_imm64 %u unrelocated",
						 p->name, k);
				k++;
			} else if (in->code == (BPF_JMP | BPF_CALL) &&
				   in->src_reg == BPF_PSEUDO_CALL &&
				   ((long)k + in->imm + 1 < 0 ||
				    (long)k + in->imm + 1 >= (long)p->cnt)) {
				tap_fail("%s: call at %u leaves the program",
					 p->name, k);
			}
		}
	}
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

static void open_reads_a_file_through_the_table(void)
{
	char path[] = "/tmp/abpf-object-XXXXXX";
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	int fd = mkstemp(path);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	EXPECT(write(fd, diff_obj, ABPF_EMBED_SIZE(diff_obj)) ==
	       (ssize_t)ABPF_EMBED_SIZE(diff_obj));
	close(fd);
	EXPECT_EQ(abpf_object_open(h, path, NULL, &obj).no, 0);
	EXPECT_EQ(abpf_object_prog_cnt(obj), 8);
	abpf_object_close(obj);
	unlink(path);
	EXPECT_EQ(abpf_object_open(h, path, NULL, &obj).no, ENOENT);
	abpf_unref(h);
}

struct fails {
	size_t idx[8];
	int err[8];
	char msg[8][256];
	int n;
};

static void record_fail(void *ctx, size_t idx, const struct abpf_prog_version *v,
			abpf_errno err, const char *msg)
{
	struct fails *f = ctx;

	(void)v;
	if (f->n < 8) {
		f->idx[f->n] = idx;
		f->err[f->n] = err.no;
		snprintf(f->msg[f->n], sizeof(f->msg[0]), "%s", msg);
	}
	f->n++;
}

static void group_tries_versions_until_one_loads(void)
{
	static const char junk[] = "not an object";
	static const char *const only_a[] = { "prog_a", NULL };
	static const char *const missing[] = { "prog_z", NULL };
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	struct fails f = { 0 };
	LIBBPF_OPTS(abpf_group_opts, go, .fail_fn = record_fail, .ctx = &f);
	static char last[256];
	LIBBPF_OPTS(abpf_object_opts, oo, .msg_buf = last,
		    .msg_size = sizeof(last));
	size_t chosen = 99;
	struct abpf_prog_version v[4];

	img_len = build_main(img, sizeof(img));
	memset(v, 0, sizeof(v));
	v[0] = (struct abpf_prog_version){ .label = "junk", .buf = junk,
					   .size = sizeof(junk) };
	v[1] = (struct abpf_prog_version){ .label = "full", .buf = img,
					   .size = img_len };
	v[2] = (struct abpf_prog_version){ .label = "missing", .buf = img,
					   .size = img_len, .progs = missing };
	v[3] = (struct abpf_prog_version){ .label = "a only", .buf = img,
					   .size = img_len, .progs = only_a };
	F.fail_prog = "prog_b";
	F.fail_err = EACCES;
	EXPECT_EQ(abpf_object_load_group(h, v, 4, &go, &obj, &chosen).no, 0);
	EXPECT_EQ(chosen, 3);
	EXPECT_EQ(f.n, 3);
	EXPECT(f.idx[0] == 0 && f.err[0] == ENOEXEC);
	EXPECT(f.idx[1] == 1 && f.err[1] == EACCES && strstr(f.msg[1], "prog_b"));
	EXPECT(f.idx[2] == 2 && f.err[2] == ENOENT && strstr(f.msg[2], "prog_z"));
	EXPECT(obj && abpf_object_prog_prog(abpf_object_find_prog(obj, "prog_a")));
	EXPECT(obj && !abpf_object_prog_prog(abpf_object_find_prog(obj, "prog_b")));
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	/* None loads: the last error, each reported, the last line kept. */
	f.n = 0;
	obj = NULL;
	go.obj = &oo;
	EXPECT_EQ(abpf_object_load_group(h, v, 3, &go, &obj, NULL).no, ENOENT);
	EXPECT(!obj);
	EXPECT_EQ(f.n, 3);
	EXPECT(strstr(last, "prog_z"));
	EXPECT_EQ(abpf_object_load_group(h, v, 0, &go, &obj, NULL).no, EINVAL);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

static void btf_maps_need_btf(void)
{
	static const __u32 zeros[8];
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	int s;
	struct eb e;

	eb_init(&e);
	eb_prog_sec(&e, "raw_tp/x", prog_b + 3, 2);
	s = eb_sec(&e, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, zeros,
		   sizeof(zeros));
	eb_sym(&e, "m", s, 0, sizeof(zeros), STT_OBJECT, STB_GLOBAL);
	img_len = eb_build(&e, img, sizeof(img));
	EXPECT_EQ(open_img(h, img, img_len, NULL, 0, &obj).no, EINVAL);
	abpf_unref(h);
}

static void btf_defined_maps_are_created_from_btf(void)
{
	struct abpf *h = f_handle();
	struct abpf_object *obj = NULL;
	struct f_map *k, *pc, *pr, *o;
	struct f_prog *p;
	__u32 i, fds = 0;

	if (!open_loaded(h, btf_obj, ABPF_EMBED_SIZE(btf_obj), &obj)) {
		abpf_unref(h);
		return;
	}
	k = f_map_named("by_key");
	pc = f_map_named("per_cpu");
	pr = f_map_named("pairs");
	o = f_map_named("out");
	p = f_prog_named("btf_maps");
	EXPECT(k && pc && pr && o && p);
	if (k && pc && pr && o && p) {
		/* The sizes of struct key, struct val, u32, u64, val_t[2]. */
		EXPECT(k->type == BPF_MAP_TYPE_HASH && k->key_size == 8 &&
		       k->value_size == 16 && k->max_entries == 32 && !k->flags);
		EXPECT(pc->type == BPF_MAP_TYPE_PERCPU_HASH &&
		       pc->key_size == 4 && pc->value_size == 8 &&
		       pc->max_entries == 8 && pc->flags == BPF_F_NO_PREALLOC);
		EXPECT(pr->type == BPF_MAP_TYPE_ARRAY && pr->key_size == 4 &&
		       pr->value_size == 32 && pr->max_entries == 4);
		EXPECT(o->type == BPF_MAP_TYPE_RINGBUF && !o->key_size &&
		       !o->value_size && o->max_entries == 1 << 14);
		for (i = 0; i < p->cnt; i++)
			if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    p->insns[i].src_reg == BPF_PSEUDO_MAP_FD)
				fds |= 1u << (p->insns[i].imm - 1000);
		/* Each of the four maps' fds is in the program. */
		EXPECT_EQ(fds, (1u << (k->fd - 1000)) | (1u << (pc->fd - 1000)) |
			  (1u << (pr->fd - 1000)) | (1u << (o->fd - 1000)));
	}
	abpf_object_close(obj);
	EXPECT_EQ(F.open_fds, 0);
	abpf_unref(h);
}

static void truncated_btf_objects_fail(void)
{
	every_truncation_fails(btf_obj, ABPF_EMBED_SIZE(btf_obj));
}

static void corrupted_btf_objects_fail_cleanly(void)
{
	corrupt_and_try(btf_obj, ABPF_EMBED_SIZE(btf_obj), 20000);
}

/* Corruptions inside .BTF alone: the BTF reader's own bounds. */
static void corrupted_btf_sections_fail_cleanly(void)
{
	const unsigned char *img_b = btf_obj;
	size_t len = ABPF_EMBED_SIZE(btf_obj), i, boff = 0, bsz = 0;
	unsigned char *buf = malloc(len);
	struct abpf *h = f_handle();
	size_t bad = 0, refused = 0;
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	unsigned int r;

	memcpy(&eh, img_b, sizeof(eh));
	memcpy(&strsh, img_b + eh.e_shoff + eh.e_shstrndx * sizeof(sh),
	       sizeof(sh));
	for (i = 1; i < eh.e_shnum; i++) {
		memcpy(&sh, img_b + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (!strcmp((const char *)img_b + strsh.sh_offset + sh.sh_name,
			    ".BTF")) {
			boff = sh.sh_offset;
			bsz = sh.sh_size;
		}
	}
	EXPECT(bsz > 0);
	for (r = 0; bsz && r < 20000; r++) {
		unsigned int n = 1 + rng() % 3, k;
		bool loaded;
		int err;

		memcpy(buf, img_b, len);
		for (k = 0; k < n; k++) {
			/* Half the time in the header and the first types. */
			size_t at = boff + (rng() % 2 ? rng() % 96 : rng() % bsz);

			buf[at] = (unsigned char)rng();
		}
		err = try_image(h, buf, len, &loaded);
		if (err < 0 || (err && !format_error(err))) {
			if (bad++ < 5)
				tap_fail("round %u: error %d", r, err);
		}
		refused += err != 0;
	}
	printf("# 20000 .BTF corruptions: %zu refused, %zu unexpected\n",
	       refused, bad);
	EXPECT_EQ(bad, 0);
	EXPECT(refused > 0);
	free(buf);
	abpf_unref(h);
}

static const struct tap_test tests[] = {
	TAP_TEST(opens_programs_maps_and_license),
	TAP_TEST(load_creates_maps_and_relocates),
	TAP_TEST(attach_links_close_with_the_object),
	TAP_TEST(failed_load_undoes_everything_and_may_retry),
	TAP_TEST(bad_relocations_fail_the_load),
	TAP_TEST(btf_maps_need_btf),
	TAP_TEST(btf_defined_maps_are_created_from_btf),
	TAP_TEST(truncated_btf_objects_fail),
	TAP_TEST(corrupted_btf_objects_fail_cleanly),
	TAP_TEST(corrupted_btf_sections_fail_cleanly),
	TAP_TEST(header_lies_are_refused),
	TAP_TEST(truncated_built_objects_fail),
	TAP_TEST(truncated_clang_objects_fail),
	TAP_TEST(corrupted_built_objects_fail_cleanly),
	TAP_TEST(corrupted_clang_objects_fail_cleanly),
	TAP_TEST(clang_object_loads_with_every_call_resolved),
	TAP_TEST(open_reads_a_file_through_the_table),
	TAP_TEST(group_tries_versions_until_one_loads),
};

int main(void)
{
	tap_run(tests, TAP_COUNT(tests), "object: ");
	return tap_done();
}
