// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The handle (abpfiff's ArcTable): a system table and a reference count,
 * which every object made from it shares; and the errors of the object
 * API.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

abpf_errno abpf_open(const struct abpf_sys *sys, const struct abpf_opts *opts,
		     struct abpf **out)
{
	struct abpf *h;

	if (!OPTS_VALID(opts, abpf_opts))
		return abpf_err(EINVAL);
	if (!sys)
		sys = abpf_default_sys();
	if (!sys)
		return abpf_err(EINVAL);
	h = calloc(1, sizeof(*h));
	if (!h)
		return abpf_err(ENOMEM);
	atomic_init(&h->refs, 1);
	h->sys = sys;
	h->release = OPTS_GET(opts, release, NULL);
	h->release_ctx = OPTS_GET(opts, release_ctx, NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->nl_lock, NULL);
	*out = h;
	return abpf_err(0);
}

struct abpf *abpf_ref(struct abpf *h)
{
	atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
	return h;
}

void abpf_unref(struct abpf *h)
{
	void (*release)(void *ctx);
	void *ctx;

	if (!h || atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (h->nl_free)
		h->nl_free(h);
	release = h->release;
	ctx = h->release_ctx;
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->nl_lock);
	free(h);
	if (release)
		release(ctx);
}

const struct abpf_sys *abpf_sys(const struct abpf *h)
{
	return h->sys;
}

int abpf__parse_cpu_count(const char *s)
{
	long max = -1, a, b;
	char *end;

	while (*s && *s != '\n') {
		a = strtol(s, &end, 10);
		if (end == s || a < 0)
			return -1;
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
			s = end;
		}
		if (b > max)
			max = b;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return max < 0 || max >= 65536 ? -1 : (int)(max + 1);
}

long abpf__read_file(const struct abpf_sys *sys, const char *path, char *buf,
		     size_t len)
{
	long fd, n;

	fd = ABPF_SYS_CALL(sys, open, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	n = ABPF_SYS_CALL(sys, read, (int)fd, buf, len - 1);
	abpf__close(sys, (int)fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

abpf_errno abpf_num_possible_cpus(struct abpf *h, unsigned int *ncpus)
{
	char buf[256];
	long n;
	int cpus;

	pthread_mutex_lock(&h->lock);
	if (h->ncpus) {
		*ncpus = h->ncpus;
		pthread_mutex_unlock(&h->lock);
		return abpf_err(0);
	}
	n = abpf__read_file(h->sys, "/sys/devices/system/cpu/possible", buf,
			    sizeof(buf));
	if (n < 0) {
		pthread_mutex_unlock(&h->lock);
		return abpf_err_ret(n);
	}
	cpus = abpf__parse_cpu_count(buf);
	if (cpus <= 0) {
		pthread_mutex_unlock(&h->lock);
		return abpf_err(LIBBPF_ERRNO__FORMAT);
	}
	h->ncpus = (unsigned int)cpus;
	*ncpus = h->ncpus;
	pthread_mutex_unlock(&h->lock);
	return abpf_err(0);
}

static const char *const libbpf_strs[] = {
	[LIBBPF_ERRNO__LIBELF - __LIBBPF_ERRNO__START] = "Something wrong in libelf",
	[LIBBPF_ERRNO__FORMAT - __LIBBPF_ERRNO__START] = "BPF object format invalid",
	[LIBBPF_ERRNO__KVERSION - __LIBBPF_ERRNO__START] = "'version' section incorrect or lost",
	[LIBBPF_ERRNO__ENDIAN - __LIBBPF_ERRNO__START] = "Endian mismatch",
	[LIBBPF_ERRNO__INTERNAL - __LIBBPF_ERRNO__START] = "Internal error in libbpf",
	[LIBBPF_ERRNO__RELOC - __LIBBPF_ERRNO__START] = "Relocation failed",
	[LIBBPF_ERRNO__LOAD - __LIBBPF_ERRNO__START] = "Load program failure for unknown reason",
	[LIBBPF_ERRNO__VERIFY - __LIBBPF_ERRNO__START] = "Kernel verifier blocks program loading",
	[LIBBPF_ERRNO__PROG2BIG - __LIBBPF_ERRNO__START] = "Program too big",
	[LIBBPF_ERRNO__KVER - __LIBBPF_ERRNO__START] = "Incorrect kernel version",
	[LIBBPF_ERRNO__PROGTYPE - __LIBBPF_ERRNO__START] = "Kernel doesn't support this program type",
	[LIBBPF_ERRNO__WRNGPID - __LIBBPF_ERRNO__START] = "Wrong pid in netlink message",
	[LIBBPF_ERRNO__INVSEQ - __LIBBPF_ERRNO__START] = "Invalid netlink sequence",
	[LIBBPF_ERRNO__NLPARSE - __LIBBPF_ERRNO__START] = "Incorrect netlink message parsing",
};

const char *abpf_strerror(abpf_errno err)
{
	const char *s;

	if (err.no == 0)
		return "Success";
	if (err.no >= __LIBBPF_ERRNO__START && err.no < __LIBBPF_ERRNO__END)
		return libbpf_strs[err.no - __LIBBPF_ERRNO__START];
	s = err.no > 0 ? strerrordesc_np(err.no) : NULL;
	return s ? s : "Unknown error";
}
