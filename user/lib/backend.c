// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The default backend of the libbpf-compatible calls: the environment's
 * ABPF_BACKEND, else the program's choice, else the kernel.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum env_state { ENV_UNREAD, ENV_UNSET, ENV_SET, ENV_INVALID };

static _Atomic(const struct abpf_sys *) chosen_sys;
static _Atomic(const struct abpf_sys *) env_sys;
static atomic_int env_state = ENV_UNREAD;

/* ABPF_BACKEND, read once; concurrent first readers agree on the result. */
static enum env_state read_env(void)
{
	int state = atomic_load_explicit(&env_state, memory_order_acquire);
	const char *val;

	if (state != ENV_UNREAD)
		return state;
	val = getenv("ABPF_BACKEND");
	if (!val || !*val) {
		state = ENV_UNSET;
	} else if (!strcmp(val, "kernel")) {
		atomic_store(&env_sys, abpf_sys_libc());
		state = ENV_SET;
	} else if (!strcmp(val, "kbpf")) {
		atomic_store(&env_sys, abpf_sys_kbpf());
		state = ENV_SET;
	} else {
		state = ENV_INVALID;
	}
	atomic_store_explicit(&env_state, state, memory_order_release);
	return state;
}

const struct abpf_sys *abpf_default_sys(void)
{
	const struct abpf_sys *sys;

	switch (read_env()) {
	case ENV_SET:
		return atomic_load(&env_sys);
	case ENV_INVALID:
		errno = EINVAL;
		return NULL;
	default:
		sys = atomic_load(&chosen_sys);
		return sys ? sys : abpf_sys_libc();
	}
}

int abpf_set_default_backend(enum abpf_backend backend)
{
	switch (backend) {
	case ABPF_BACKEND_KERNEL:
		return abpf_set_default_sys(abpf_sys_libc());
	case ABPF_BACKEND_KBPF:
		return abpf_set_default_sys(abpf_sys_kbpf());
	}
	return -EINVAL;
}

int abpf_set_default_sys(const struct abpf_sys *sys)
{
	atomic_store(&chosen_sys, sys);
	return 0;
}
