// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: kbpf's load-time checker (kmod/check.c, built for the
 * host against shim/prog.h) on arbitrary instruction streams.  The first
 * byte picks the log level (0..2), the second the log buffer's size (0 to
 * 4080 bytes); the rest is the program.  Besides the sanitizers' checks:
 * the answer is 0 or one of the checker's errnos, a refusal at log level
 * 1+ counts a line, a written log is NUL-terminated right after its len
 * bytes, true_len counts at least what was written; nothing past the
 * buffer is touched.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define ENOTSUPP 524

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stand-in for kmod/helpers.c: ids the kernel defines. */
bool kbpf_helper_known(s32 id)
{
	return id > 0 && id < __BPF_FUNC_MAX_ID;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbpf_log log = { 0 };
	struct bpf_insn *insns;
	u32 len, bufsize;
	char *buf;
	int err;

	if (size < 2)
		return 0;
	log.level = data[0] % 3;
	bufsize = (u32)data[1] * 16;
	data += 2;
	size -= 2;
	len = (u32)(size / sizeof(struct bpf_insn));
	/* its own allocation, so that ASan sees any read past the end */
	insns = malloc(len ? len * sizeof(*insns) : 1);
	buf = malloc(bufsize + 16);
	if (!insns || !buf)
		abort();
	memcpy(insns, data, len * sizeof(*insns));
	memset(buf, 0x5a, bufsize + 16);
	log.buf = bufsize ? buf : NULL;
	log.size = bufsize;

	err = kbpf_check_prog(&log, insns, len);
	if (err && err != -EINVAL && err != -EACCES && err != -E2BIG &&
	    err != -ENOMEM && err != -ENOTSUPP)
		abort();
	if (!len && !err)
		abort();		/* an empty program is refused */
	if (log.true_len < log.len)
		abort();
	if (bufsize && log.true_len) {
		/* written: terminated right after what it holds */
		if (log.len >= bufsize || memchr(buf, 0, bufsize) != buf + log.len)
			abort();
	}
	if (log.level) {
		if (err && !log.true_len)
			abort();	/* every refusal says why */
	}
	for (u32 i = bufsize; i < bufsize + 16; i++)
		if (buf[i] != 0x5a)
			abort();
	free(insns);
	free(buf);
	return 0;
}
