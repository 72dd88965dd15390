// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_RAW_TRACEPOINT_OPEN: a BPF_PROG_TYPE_RAW_TRACEPOINT program attached
 * by name to a tracepoint of the running kernel (for_each_kernel_tracepoint
 * finds it, tracepoint_probe_register attaches), returning a link fd whose
 * close detaches.  Several programs may sit on one tracepoint.  The link
 * fd holds the module (rmmod is refused while it is open) and the program.
 *
 * The probe takes the tracepoint's arguments as u64s, as many as any
 * tracepoint has (12, MAX_BPF_FUNC_ARGS), and runs the program with them
 * as its read-only context.  A tracepoint with fewer arguments leaves the
 * rest undefined, as the kernel's raw_tp programs must not read them.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "prog.h"

#define KBPF_RAW_TP_ARGS	12

/**
 * struct kbpf_raw_tp - a program attached to a tracepoint
 * @tp:   the tracepoint
 * @prog: the program, one reference
 */
struct kbpf_raw_tp {
	struct tracepoint *tp;
	struct kbpf_prog *prog;
};

/* The tracepoint passes its own arguments after @data; take twelve. */
static void kbpf_raw_tp_probe(void *data, u64 a0, u64 a1, u64 a2, u64 a3,
			      u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9,
			      u64 a10, u64 a11)
{
	struct kbpf_raw_tp *link = data;
	u64 args[KBPF_RAW_TP_ARGS] = {
		a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11,
	};
	u64 ret;

	kbpf_prog_run(link->prog, args, sizeof(args), false, &ret);
}

static int kbpf_raw_tp_release(struct inode *inode, struct file *file)
{
	struct kbpf_raw_tp *link = file->private_data;

	tracepoint_probe_unregister(link->tp, (void *)kbpf_raw_tp_probe, link);
	/* No CPU is inside the probe with @link any more. */
	tracepoint_synchronize_unregister();
	kbpf_prog_put(link->prog);
	kfree(link);
	kbpf_obj_uncharge();
	return 0;
}

static void kbpf_raw_tp_show_fdinfo(struct seq_file *m, struct file *file)
{
	const struct kbpf_raw_tp *link = file->private_data;

	seq_printf(m, "link_type:\traw_tracepoint\ntp_name:\t%s\nprog_id:\t%u\n",
		   link->tp->name, link->prog->id);
}

static const struct file_operations kbpf_raw_tp_fops = {
	.owner		= THIS_MODULE,
	.release	= kbpf_raw_tp_release,
	.show_fdinfo	= kbpf_raw_tp_show_fdinfo,
	.llseek		= noop_llseek,
};

struct tp_find {
	const char *name;
	struct tracepoint *tp;
};

static void tp_find_one(struct tracepoint *tp, void *priv)
{
	struct tp_find *f = priv;

	if (!f->tp && !strcmp(tp->name, f->name))
		f->tp = tp;
}

int kbpf_cmd_raw_tracepoint_open(union bpf_attr *attr, bpfptr_t uattr)
{
	bpfptr_t uname = make_bpfptr(attr->raw_tracepoint.name, bpfptr_is_kernel(uattr));
	struct tp_find find = { NULL, NULL };
	struct kbpf_raw_tp *link;
	struct kbpf_prog *prog;
	char name[128];
	int err, fd;

	prog = kbpf_prog_get(attr->raw_tracepoint.prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	err = -EINVAL;
	if (prog->type != BPF_PROG_TYPE_RAW_TRACEPOINT || bpfptr_is_null(uname))
		goto put_prog;
	err = kbpf_strncpy_from_bpfptr(name, uname, sizeof(name) - 1);
	if (err < 0)
		goto put_prog;
	name[sizeof(name) - 1] = 0;

	find.name = name;
	for_each_kernel_tracepoint(tp_find_one, &find);
	err = -ENOENT;
	if (!find.tp)
		goto put_prog;

	err = kbpf_obj_charge();
	if (err)
		goto put_prog;
	err = -ENOMEM;
	link = kzalloc(sizeof(*link), GFP_KERNEL_ACCOUNT);
	if (!link)
		goto free_link;
	link->tp = find.tp;
	link->prog = prog;
	err = tracepoint_probe_register(find.tp, (void *)kbpf_raw_tp_probe, link);
	if (err)
		goto free_link;
	fd = anon_inode_getfd("kbpf-link", &kbpf_raw_tp_fops, link, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tracepoint_probe_unregister(find.tp, (void *)kbpf_raw_tp_probe, link);
		tracepoint_synchronize_unregister();
		err = fd;
		goto free_link;
	}
	return fd;

free_link:
	kfree(link);
	kbpf_obj_uncharge();
put_prog:
	kbpf_prog_put(prog);
	return err;
}
