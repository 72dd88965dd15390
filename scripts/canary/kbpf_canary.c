// SPDX-License-Identifier: GPL-2.0
/*
 * kbpf_canary.ko: a deliberately broken module.  Loaded into the debug
 * kernel by `make check` to prove that the run catches what it claims to:
 * each value of bug= commits one error at load, which the console scan must
 * find.  Remove it again with rmmod.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "uaf, sleep, lockorder or leak");

static DEFINE_SPINLOCK(canary_lock);
static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);

static void canary_uaf(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("read after free: %d\n", READ_ONCE(p[0]));
}

/* An allocation that may sleep, under a spinlock. */
static void canary_sleep(void)
{
	spin_lock(&canary_lock);
	kfree(kmalloc(64, GFP_KERNEL));
	spin_unlock(&canary_lock);
}

static void canary_lockorder(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);

	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

static void *canary_leaked;

static void canary_leak(void)
{
	canary_leaked = kmalloc(128, GFP_KERNEL);
	OPTIMIZER_HIDE_VAR(canary_leaked);
	canary_leaked = NULL;
}

static int __init canary_init(void)
{
	if (!strcmp(bug, "uaf"))
		canary_uaf();
	else if (!strcmp(bug, "sleep"))
		canary_sleep();
	else if (!strcmp(bug, "lockorder"))
		canary_lockorder();
	else if (!strcmp(bug, "leak"))
		canary_leak();
	else
		return -EINVAL;
	return 0;
}
module_init(canary_init);

static void __exit canary_exit(void)
{
}
module_exit(canary_exit);

MODULE_DESCRIPTION("Deliberate bugs that kbpf's debug-kernel run must catch");
MODULE_LICENSE("GPL");
