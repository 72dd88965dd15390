// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Programs (abpfiff's ProgramFd) and the links they make. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct abpf_prog {
	struct abpf *h;
	int fd;
};

struct abpf_link {
	struct abpf *h;
	int fd;
};

abpf_errno abpf_prog_from_fd(struct abpf *h, int fd, struct abpf_prog **out)
{
	struct abpf_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return abpf_err(ENOMEM);
	prog->h = abpf_ref(h);
	prog->fd = fd;
	*out = prog;
	return abpf_err(0);
}

static abpf_errno prog_adopt(struct abpf *h, int fd, struct abpf_prog **out)
{
	abpf_errno err;

	if (fd < 0)
		return abpf_err_ret(fd);
	err = abpf_prog_from_fd(h, fd, out);
	if (!abpf_ok(err))
		abpf__close(h->sys, fd);
	return err;
}

abpf_errno abpf_prog_load(struct abpf *h, enum bpf_prog_type type,
			  const char *name, const char *license,
			  const struct bpf_insn *insns, size_t insn_cnt,
			  const struct bpf_prog_load_opts *opts,
			  struct abpf_prog **out)
{
	return prog_adopt(h, abpf__prog_load(h->sys, type, name, license, insns,
					     insn_cnt, opts), out);
}

abpf_errno abpf_prog_get_fd_by_id(struct abpf *h, __u32 id,
				  struct abpf_prog **out)
{
	return prog_adopt(h, abpf__get_fd_by_id(h->sys, BPF_PROG_GET_FD_BY_ID,
						id, NULL), out);
}

abpf_errno abpf_prog_obj_get(struct abpf *h, const char *path,
			     struct abpf_prog **out)
{
	return prog_adopt(h, abpf__obj_get(h->sys, path, NULL), out);
}

abpf_errno abpf_prog_pin(struct abpf_prog *prog, const char *path)
{
	return abpf_err_ret(abpf__obj_pin(prog->h->sys, prog->fd, path));
}

abpf_errno abpf_prog_get_next_id(struct abpf *h, __u32 start_id,
				 __u32 *next_id)
{
	return abpf_err_ret(abpf__get_next_id(h->sys, BPF_PROG_GET_NEXT_ID,
					      start_id, next_id));
}

void abpf_prog_close(struct abpf_prog *prog)
{
	if (!prog)
		return;
	abpf__close(prog->h->sys, prog->fd);
	abpf_unref(prog->h);
	free(prog);
}

int abpf_prog_fd(const struct abpf_prog *prog)
{
	return prog->fd;
}

struct abpf *abpf_prog_handle(const struct abpf_prog *prog)
{
	return prog->h;
}

abpf_errno abpf_prog_info(const struct abpf_prog *prog,
			  struct bpf_prog_info *info,
			  const struct abpf_prog_out *out)
{
	__u32 len = sizeof(*info);

	if (!OPTS_VALID(out, abpf_prog_out))
		return abpf_err(EINVAL);
	/* No pointer but the caller's arrays: the kernel writes through them. */
	memset(info, 0, sizeof(*info));
	if (OPTS_GET(out, map_ids, NULL)) {
		info->map_ids = ptr_to_u64(out->map_ids);
		info->nr_map_ids = OPTS_GET(out, nr_map_ids, 0);
	}
	return abpf_err_ret(abpf__obj_get_info(prog->h->sys, prog->fd, info,
					       &len));
}

abpf_errno abpf_prog_test_run(const struct abpf_prog *prog,
			      struct bpf_test_run_opts *opts)
{
	return abpf_err_ret(abpf__prog_test_run(prog->h->sys, prog->fd, opts));
}

abpf_errno abpf_raw_tracepoint_open(const struct abpf_prog *prog,
				    const char *name, struct abpf_link **out)
{
	struct abpf_link *link;
	int fd;

	link = calloc(1, sizeof(*link));
	if (!link)
		return abpf_err(ENOMEM);
	fd = abpf__raw_tracepoint_open(prog->h->sys, name, prog->fd);
	if (fd < 0) {
		free(link);
		return abpf_err_ret(fd);
	}
	link->h = abpf_ref(prog->h);
	link->fd = fd;
	*out = link;
	return abpf_err(0);
}

int abpf_link_fd(const struct abpf_link *link)
{
	return link->fd;
}

void abpf_link_close(struct abpf_link *link)
{
	if (!link)
		return;
	abpf__close(link->h->sys, link->fd);
	abpf_unref(link->h);
	free(link);
}
