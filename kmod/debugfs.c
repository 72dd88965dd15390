// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/kbpf/: what kbpf holds, for people.
 *
 *   maps      one line per map: id, type, key and value size,
 *             max_entries, flags, memory, frozen, open fds, operations
 *             (lookups, updates, deletes, others) from bpf(2) and
 *             programs, name
 *   progs     one line per program: id, type, instructions, maps, runs,
 *             run time, faults, recursion misses, tag, name
 *   memory    bytes kbpf holds, and the max_memory limit (0: none);
 *             maps, programs, links and perf buffers, and max_objects
 *
 * Without debugfs there is nothing, and nothing fails.
 */
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include "prog.h"

static struct dentry *kbpf_debugfs;

static int maps_show(struct seq_file *m, void *v)
{
	kbpf_map_show_all(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(maps);

static int progs_show(struct seq_file *m, void *v)
{
	kbpf_prog_show_all(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(progs);

static int memory_show(struct seq_file *m, void *v)
{
	seq_printf(m, "used\t%llu\nlimit\t%llu\nobjects\t%u\nmax_objects\t%u\n",
		   kbpf_mem_used(), kbpf_mem_limit(), kbpf_obj_count(), kbpf_obj_limit());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memory);

void kbpf_debugfs_init(void)
{
	kbpf_debugfs = debugfs_create_dir("kbpf", NULL);
	debugfs_create_file("maps", 0400, kbpf_debugfs, NULL, &maps_fops);
	debugfs_create_file("progs", 0400, kbpf_debugfs, NULL, &progs_fops);
	debugfs_create_file("memory", 0400, kbpf_debugfs, NULL, &memory_fops);
}

void kbpf_debugfs_exit(void)
{
	debugfs_remove(kbpf_debugfs);
}
