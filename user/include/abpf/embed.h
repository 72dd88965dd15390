/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * ABPF_EMBED(sym, "file"): the bytes of a file (a BPF object, say) built
 * into the program with the assembler's .incbin, as sym[] up to
 * sym##_end[], for abpf_object_open_mem().  The path is the assembler's:
 * give an absolute one.  Use it at file scope.
 */
#ifndef ABPF_EMBED_H
#define ABPF_EMBED_H

#include <stddef.h>

#define ABPF_EMBED(sym, file)						\
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		".globl " #sym "\n"					\
		#sym ":\n"						\
		".incbin \"" file "\"\n"				\
		".globl " #sym "_end\n"					\
		#sym "_end:\n"						\
		".popsection\n");					\
	extern const unsigned char sym[], sym##_end[]

#define ABPF_EMBED_SIZE(sym) ((size_t)(sym##_end - sym))

#endif /* ABPF_EMBED_H */
