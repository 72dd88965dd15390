/* SPDX-License-Identifier: GPL-2.0 */
/* Host build of kmod/check.c: everything it needs is in shim/prog.h. */
