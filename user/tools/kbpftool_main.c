// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* kbpftool's main(); the tool is in kbpftool.c. */
#include "kbpftool.h"

int main(int argc, char **argv)
{
	return kbpftool_main(argc - 1, argv + 1);
}
