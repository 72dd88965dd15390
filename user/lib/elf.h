/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libabpf's ELF64 little-endian reader for BPF objects (no libelf): the
 * file's headers are checked once, when it is parsed, so the object
 * loader may use every section, symbol and name it gets from here.
 */
#ifndef ABPF_ELF_H
#define ABPF_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * struct abpf_elf_sec - one section
 * @name: its name (a valid string of the section name table)
 * @hdr:  its header, copied
 * @data: its bytes, inside the file; NULL for SHT_NOBITS and empty ones
 * @size: sh_size (for SHT_NOBITS too)
 */
struct abpf_elf_sec {
	const char *name;
	Elf64_Shdr hdr;
	const unsigned char *data;
	size_t size;
};

/*
 * struct abpf_elf - a parsed file; it points into the caller's buffer
 * @secs:   every section; @nsecs of them (index 0 is SHN_UNDEF)
 * @syms:   the symbol table, copied, @nsyms entries (0 without one)
 * @symtab: its section index (0 without one)
 */
struct abpf_elf {
	const unsigned char *buf;
	size_t size;
	struct abpf_elf_sec *secs;
	size_t nsecs;
	Elf64_Sym *syms;
	size_t nsyms;
	size_t symtab;
};

/*
 * Check and index the ELF image @buf of @size bytes: ELF64, little-endian,
 * ET_REL, EM_BPF (else -ENOEXEC); section headers, every section's bytes
 * (but SHT_NOBITS), the section name table and the symbol table with its
 * string table inside the file, names NUL-terminated inside their table,
 * symbols' section indices valid (else -EINVAL).  At most one symbol
 * table.  A line saying what is wrong goes to @msg (@len bytes, may be 0).
 * Returns 0 or a negative errno (-ENOMEM too).
 */
int abpf__elf_parse(struct abpf_elf *elf, const void *buf, size_t size,
		    char *msg, size_t len);
void abpf__elf_free(struct abpf_elf *elf);

/* The name of symbol @i (an empty string for none); checked at parse. */
const char *abpf__elf_sym_name(const struct abpf_elf *elf, size_t i);

/* snprintf into @msg if @len, returning @err (a negative errno). */
int abpf__msg(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* ABPF_ELF_H */
