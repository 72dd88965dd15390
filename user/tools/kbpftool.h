/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kbpftool: a bpftool-style command line on libabpf, for both backends.
 * The commands run in a struct kbpftool, which keeps the objects they make
 * (maps, programs, links, perf buffer consumers) until it is freed: one
 * process, one state, so a batch of commands can make a map and then use
 * it on kbpf, which has no bpffs to pin it in.
 */
#ifndef KBPFTOOL_H
#define KBPFTOOL_H

#include <stdbool.h>
#include <stdio.h>

struct kbpftool;

/* A tool writing its output to @out and its errors to @err. */
struct kbpftool *kbpftool_new(FILE *out, FILE *err);

/*
 * Run one command line, without the program name: global options
 * (--backend kbpf|kernel, --json) then OBJECT COMMAND ARGS.  Returns 0,
 * or 1 after printing the error.
 */
int kbpftool_cmd(struct kbpftool *t, int argc, char **argv);

/* Close what the tool's commands made and free it. */
void kbpftool_free(struct kbpftool *t);

/* kbpf show: how kbpftool_kbpf.c prints kbpf's debugfs tables. */
struct kbpftool_kbpf_view {
	FILE *out;
	bool json;
	const char *(*map_type)(unsigned long type);
	const char *(*prog_type)(unsigned long type);
};

/*
 * kbpf show [memory|maps|progs] (@what NULL: all three).  Returns 0, or
 * a negative errno with a message a person can act on in @err.
 */
int kbpftool_kbpf_show(const struct kbpftool_kbpf_view *v, const char *what, char *err,
		       size_t errlen);

/* main(): one command line, or a batch, with stdout and stderr. */
int kbpftool_main(int argc, char **argv);

#endif /* KBPFTOOL_H */
