// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target: libabpf's netlink reply parser (lib/netlink.c), fed
 * through a table that plays the kernel's NETLINK_ROUTE socket.  Input:
 * one mode byte, then datagrams, each a little-endian u16 length and its
 * bytes.  Mode bit 0 picks the request (XDP query, or a tc bpf filter
 * dump), bit 1 leaves the port and sequence numbers as the input has them
 * (else every message header found gets the right ones, so that the
 * parser gets past those checks).  When the datagrams run out, recvmsg
 * fails with EAGAIN.  Besides the sanitizers: the call returns, the
 * extended ack read back is NUL-terminated, and the handle's socket is
 * closed with it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <abpf.h>

#define NL_FD 7
#define PORT 0x4b425046
#define MAX_DGRAMS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	const uint8_t *dgram[MAX_DGRAMS];
	size_t len[MAX_DGRAMS];
	uint8_t *patched[MAX_DGRAMS];
	int n, next, errno_val, open_fds;
	bool keep_ids;
} st;

static int *fk_errno(void)
{
	return &st.errno_val;
}

static int fk_socket(int domain, int type, int protocol)
{
	(void)domain;
	(void)type;
	(void)protocol;
	st.open_fds++;
	return NL_FD;
}

static int fk_close(int fd)
{
	if (fd == NL_FD)
		st.open_fds--;
	return 0;
}

static int fk_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	(void)fd;
	(void)level;
	(void)name;
	(void)val;
	(void)len;
	return 0;
}

static int fk_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	return 0;
}

static int fk_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_pid = PORT };

	(void)fd;
	memcpy(sa, &snl, sizeof(snl));
	*len = sizeof(snl);
	return 0;
}

/* The request goes out: give every reply header its port and sequence. */
static ssize_t fk_send(int fd, const void *buf, size_t len, int flags)
{
	const struct nlmsghdr *req = buf;
	int i;

	(void)fd;
	(void)flags;
	for (i = 0; i < st.n; i++) {
		size_t off = 0;

		free(st.patched[i]);
		st.patched[i] = malloc(st.len[i] ? st.len[i] : 1);
		if (!st.patched[i])
			abort();
		memcpy(st.patched[i], st.dgram[i], st.len[i]);
		while (!st.keep_ids && off + sizeof(struct nlmsghdr) <= st.len[i]) {
			struct nlmsghdr h;

			memcpy(&h, st.patched[i] + off, sizeof(h));
			h.nlmsg_pid = PORT;
			h.nlmsg_seq = req->nlmsg_seq;
			memcpy(st.patched[i] + off, &h, sizeof(h));
			if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > st.len[i] - off)
				break;
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
	return (ssize_t)len;
}

static ssize_t fk_recvmsg(int fd, struct msghdr *mh, int flags)
{
	size_t len, n;

	(void)fd;
	if (st.next >= st.n) {
		st.errno_val = EAGAIN;
		return -1;
	}
	len = st.len[st.next];
	n = len < mh->msg_iov[0].iov_len ? len : mh->msg_iov[0].iov_len;
	memcpy(mh->msg_iov[0].iov_base, st.patched[st.next], n);
	mh->msg_flags = n < len ? MSG_TRUNC : 0;
	if (!(flags & MSG_PEEK))
		st.next++;
	return (ssize_t)((flags & MSG_TRUNC) ? len : n);
}

static const struct abpf_sys sys = {
	.errno_location = fk_errno,
	.socket = fk_socket,
	.close = fk_close,
	.setsockopt = fk_setsockopt,
	.bind = fk_bind,
	.getsockname = fk_getsockname,
	.send = fk_send,
	.recvmsg = fk_recvmsg,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct abpf_tc_filter filters[4];
	struct abpf_xdp_query q;
	struct abpf *h = NULL;
	char ack[300];
	size_t count = 0, off = 1;
	int i;

	if (size < 1)
		return 0;
	memset(&st, 0, sizeof(st));
	st.keep_ids = data[0] & 2;
	while (st.n < MAX_DGRAMS && off + 2 <= size) {
		size_t len = data[off] | (size_t)data[off + 1] << 8;

		off += 2;
		if (len > size - off)
			len = size - off;
		st.dgram[st.n] = data + off;
		st.len[st.n++] = len;
		off += len;
	}
	if (abpf_open(&sys, NULL, &h).no)
		abort();
	if (data[0] & 1)
		abpf_tc_list_bpf(h, 1, 0, filters, 4, &count);
	else
		abpf_xdp_query(h, 1, &q);
	if (abpf_netlink_ext_ack(h, ack, sizeof(ack)) >= sizeof(ack) ||
	    !memchr(ack, 0, sizeof(ack)))
		abort();
	abpf_unref(h);
	if (st.open_fds)
		abort();		/* the socket closes with the handle */
	for (i = 0; i < MAX_DGRAMS; i++)
		free(st.patched[i]);
	return 0;
}
