// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The ELF64 reader of the object loader.  The image is untrusted: every
 * offset and size is checked against the file (without overflow) before
 * anything is read through it, and names must end inside their table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"

int abpf__msg(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Whether [off, off + n) lies inside @size bytes. */
static bool in_bounds(size_t size, uint64_t off, uint64_t n)
{
	return off <= size && n <= size - off;
}

/* The string at @off of the string table section @sec, or NULL. */
static const char *elf_str(const struct abpf_elf *elf, size_t sec, uint64_t off)
{
	const struct abpf_elf_sec *s;

	if (sec == 0 || sec >= elf->nsecs)
		return NULL;
	s = &elf->secs[sec];
	if (s->hdr.sh_type != SHT_STRTAB || !s->data || off >= s->size)
		return NULL;
	if (!memchr(s->data + off, 0, s->size - off))
		return NULL;
	return (const char *)s->data + off;
}

static int parse_symtab(struct abpf_elf *elf, size_t idx, char *msg,
			size_t len)
{
	const struct abpf_elf_sec *s = &elf->secs[idx];
	size_t i;

	if (elf->symtab)
		return abpf__msg(msg, len, -EINVAL, "two symbol tables");
	if (s->hdr.sh_entsize != sizeof(Elf64_Sym) ||
	    s->size % sizeof(Elf64_Sym) || !s->data)
		return abpf__msg(msg, len, -EINVAL,
				 "symbol table: entry size %llu, size %zu",
				 (unsigned long long)s->hdr.sh_entsize,
				 s->size);
	if (s->hdr.sh_link == 0 || s->hdr.sh_link >= elf->nsecs ||
	    elf->secs[s->hdr.sh_link].hdr.sh_type != SHT_STRTAB)
		return abpf__msg(msg, len, -EINVAL,
				 "symbol table: string table %u is none",
				 s->hdr.sh_link);
	elf->symtab = idx;
	elf->nsyms = s->size / sizeof(Elf64_Sym);
	elf->syms = malloc(s->size ? s->size : 1);
	if (!elf->syms)
		return -ENOMEM;
	memcpy(elf->syms, s->data, s->size);
	for (i = 0; i < elf->nsyms; i++) {
		const Elf64_Sym *sym = &elf->syms[i];

		if (!elf_str(elf, s->hdr.sh_link, sym->st_name))
			return abpf__msg(msg, len, -EINVAL,
					 "symbol %zu: name outside its table", i);
		if (sym->st_shndx >= elf->nsecs && sym->st_shndx < SHN_LORESERVE)
			return abpf__msg(msg, len, -EINVAL,
					 "symbol %zu: section %u of %zu", i,
					 sym->st_shndx, elf->nsecs);
		if (sym->st_shndx == SHN_XINDEX)
			return abpf__msg(msg, len, -EINVAL,
					 "symbol %zu: extended section index", i);
	}
	return 0;
}

int abpf__elf_parse(struct abpf_elf *elf, const void *buf, size_t size,
		    char *msg, size_t len)
{
	Elf64_Ehdr eh;
	size_t i;
	int err;

	memset(elf, 0, sizeof(*elf));
	elf->buf = buf;
	elf->size = size;
	if (size < sizeof(eh) || memcmp(buf, ELFMAG, SELFMAG))
		return abpf__msg(msg, len, -ENOEXEC, "not an ELF file");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return abpf__msg(msg, len, -ENOEXEC, "not ELF64");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return abpf__msg(msg, len, -ENOEXEC, "not little-endian");
	if (eh.e_type != ET_REL || eh.e_machine != EM_BPF)
		return abpf__msg(msg, len, -ENOEXEC,
				 "type %u machine %u: not a BPF object",
				 eh.e_type, eh.e_machine);
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    !in_bounds(size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr)))
		return abpf__msg(msg, len, -EINVAL,
				 "section headers (%u of %u bytes at %llu) outside the file",
				 eh.e_shnum, eh.e_shentsize,
				 (unsigned long long)eh.e_shoff);
	if (eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
		return abpf__msg(msg, len, -EINVAL, "no section name table");

	elf->nsecs = eh.e_shnum;
	elf->secs = calloc(elf->nsecs, sizeof(*elf->secs));
	if (!elf->secs)
		return -ENOMEM;
	for (i = 0; i < elf->nsecs; i++) {
		struct abpf_elf_sec *s = &elf->secs[i];

		memcpy(&s->hdr, (const unsigned char *)buf + eh.e_shoff +
		       i * sizeof(Elf64_Shdr), sizeof(s->hdr));
		if (s->hdr.sh_size > SIZE_MAX)
			return abpf__msg(msg, len, -EINVAL, "section %zu: size", i);
		s->size = s->hdr.sh_size;
		if (i == 0 || s->hdr.sh_type == SHT_NOBITS ||
		    s->hdr.sh_type == SHT_NULL || !s->size)
			continue;
		if (!in_bounds(size, s->hdr.sh_offset, s->hdr.sh_size))
			return abpf__msg(msg, len, -EINVAL,
					 "section %zu (%llu bytes at %llu) outside the file",
					 i, (unsigned long long)s->hdr.sh_size,
					 (unsigned long long)s->hdr.sh_offset);
		s->data = (const unsigned char *)buf + s->hdr.sh_offset;
	}
	if (elf->secs[eh.e_shstrndx].hdr.sh_type != SHT_STRTAB)
		return abpf__msg(msg, len, -EINVAL,
				 "section name table %u is no string table",
				 eh.e_shstrndx);
	for (i = 1; i < elf->nsecs; i++) {
		elf->secs[i].name = elf_str(elf, eh.e_shstrndx,
					    elf->secs[i].hdr.sh_name);
		if (!elf->secs[i].name)
			return abpf__msg(msg, len, -EINVAL,
					 "section %zu: name outside its table", i);
	}
	elf->secs[0].name = "";
	for (i = 1; i < elf->nsecs; i++) {
		if (elf->secs[i].hdr.sh_type != SHT_SYMTAB)
			continue;
		err = parse_symtab(elf, i, msg, len);
		if (err)
			return err;
	}
	return 0;
}

void abpf__elf_free(struct abpf_elf *elf)
{
	free(elf->secs);
	free(elf->syms);
	elf->secs = NULL;
	elf->syms = NULL;
}

const char *abpf__elf_sym_name(const struct abpf_elf *elf, size_t i)
{
	const char *name = NULL;

	if (elf->symtab && i < elf->nsyms)
		name = elf_str(elf, elf->secs[elf->symtab].hdr.sh_link,
			       elf->syms[i].st_name);
	return name ? name : "";
}
