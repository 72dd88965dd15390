// SPDX-License-Identifier: GPL-2.0
/*
 * kbpf.ko: the kbpf-basic BPF map runtime on kernel primitives, reached
 * through the misc device /dev/kbpf.  KBPF_IOC_BPF carries one bpf(2)
 * call; see uapi/linux/kbpf.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/kbpf.h>

#include "kbpf.h"
#include "prog.h"

static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of /dev/kbpf (default 0600; a udev rule may widen them instead)");

static long kbpf_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct kbpf_bpf_call call;

	if (cmd == KBPF_IOC_PERF_BUFFER)
		return kbpf_ioctl_perf_buffer((const void __user *)arg);
	if (cmd != KBPF_IOC_BPF)
		return -ENOTTY;
	if (copy_from_user(&call, (void __user *)arg, sizeof(call)))
		return -EFAULT;
	return kbpf_sys_bpf(call.cmd, USER_BPFPTR(u64_to_user_ptr(call.attr)),
			    call.size);
}

static const struct file_operations kbpf_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= kbpf_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice kbpf_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kbpf",
	.fops	= &kbpf_dev_fops,
};

static int __init kbpf_init(void)
{
	int err;

	if (dev_mode & ~0777) {
		pr_err("dev_mode %#o has bits beyond 0777\n", dev_mode);
		return -EINVAL;
	}
	kbpf_miscdev.mode = dev_mode;

	err = kbpf_map_module_init();
	if (err)
		return err;
	err = kbpf_prog_module_init();
	if (err)
		goto map_exit;
	err = kbpf_helpers_module_init();
	if (err)
		goto prog_exit;
	err = misc_register(&kbpf_miscdev);
	if (err)
		goto helpers_exit;
	kbpf_debugfs_init();
	pr_info("version " KBPF_VERSION ", /dev/kbpf ready\n");
	return 0;

helpers_exit:
	kbpf_helpers_module_exit();
prog_exit:
	kbpf_prog_module_exit();
map_exit:
	kbpf_map_module_exit();
	return err;
}

static void __exit kbpf_exit(void)
{
	kbpf_debugfs_exit();
	misc_deregister(&kbpf_miscdev);
	kbpf_helpers_module_exit();
	kbpf_prog_module_exit();
	kbpf_map_module_exit();
}

module_init(kbpf_init);
module_exit(kbpf_exit);

MODULE_DESCRIPTION("kbpf: BPF maps and programs over a character device, at the kernel's semantics");
MODULE_AUTHOR("The kbpf developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBPF_VERSION);
