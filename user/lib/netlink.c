// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Netlink (abpfiff's Netlink): one NETLINK_ROUTE socket per handle, made
 * and used through the handle's table, and libnl-3 for everything in the
 * messages.  libnl's struct nl_sock, never connected, holds the socket's
 * port and hands out the sequence numbers (nl_complete_msg()); libnl
 * builds the requests and parses the replies' attributes.  The receive
 * loop is ours because it reads through the table: it checks the port and
 * the sequence number of every reply, reads multipart replies to their
 * NLMSG_DONE, and keeps the extended ack message of an error.
 *
 * The XDP calls, and the tc path enough to list bpf filters, are here
 * too.  Nothing in this file is reached by a program that makes no
 * netlink call, so static programs without netlink need no libnl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "internal.h"

#define NL_BUF_MIN 32768	/* what the kernel's docs recommend for dumps */

struct abpf_nl {
	int fd;
	__u32 port;
	struct nl_sock *sk;
	unsigned char *buf;
	size_t cap;
	char ext_ack[256];
};

static void abpf_nl_free(struct abpf *h)
{
	struct abpf_nl *nl = h->nl;

	abpf__close(h->sys, nl->fd);
	nl_socket_free(nl->sk);		/* has no fd: closes nothing */
	free(nl->buf);
	free(nl);
	h->nl = NULL;
}

/* Open @h's socket: socket, NETLINK_EXT_ACK, bind, getsockname. */
static abpf_errno abpf_nl_open(struct abpf *h)
{
	const struct abpf_sys *sys = h->sys;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	struct abpf_nl *nl;
	int one = 1;
	long ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return abpf_err(ENOMEM);
	nl->fd = -1;
	nl->cap = NL_BUF_MIN;
	nl->buf = malloc(nl->cap);
	nl->sk = nl_socket_alloc();
	if (!nl->buf || !nl->sk) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = ABPF_SYS_CALL(sys, socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			    NETLINK_ROUTE);
	if (ret < 0)
		goto fail;
	nl->fd = (int)ret;
	/* Extended acks are best effort, as on kernels before 4.12. */
	ABPF_SYS_CALL(sys, setsockopt, nl->fd, SOL_NETLINK, NETLINK_EXT_ACK,
		      &one, sizeof(one));
	ret = ABPF_SYS_CALL(sys, bind, nl->fd, (struct sockaddr *)&sa,
			    sizeof(sa));
	if (ret < 0)
		goto fail;
	ret = ABPF_SYS_CALL(sys, getsockname, nl->fd, (struct sockaddr *)&sa,
			    &len);
	if (ret < 0)
		goto fail;
	if (len != sizeof(sa) || sa.nl_family != AF_NETLINK) {
		ret = -LIBBPF_ERRNO__INTERNAL;
		goto fail;
	}
	nl->port = sa.nl_pid;
	nl_socket_set_local_port(nl->sk, nl->port);
	h->nl = nl;
	h->nl_free = abpf_nl_free;
	return abpf_err(0);
fail:
	abpf__close(sys, nl->fd);
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl->buf);
	free(nl);
	return abpf_err_ret(ret);
}

/* One datagram into nl->buf, grown to fit: its length, or -errno. */
static long abpf_nl_recv(const struct abpf_sys *sys, struct abpf_nl *nl)
{
	struct sockaddr_nl from;
	struct iovec iov;
	struct msghdr mh;
	int flags = MSG_PEEK | MSG_TRUNC;
	long n;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = nl->buf;
		iov.iov_len = nl->cap;
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = ABPF_SYS_CALL(sys, recvmsg, nl->fd, &mh, flags);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (flags) {
			/* The peek says how large the datagram is. */
			if ((size_t)n > nl->cap) {
				unsigned char *buf = realloc(nl->buf, (size_t)n);

				if (!buf)
					return -ENOMEM;
				nl->buf = buf;
				nl->cap = (size_t)n;
			}
			flags = 0;
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return -LIBBPF_ERRNO__NLPARSE;
		return n;
	}
}

/* Keep the message of an extended ack whose TLVs start at @off. */
static void abpf_nl_ext_ack(struct abpf_nl *nl, const struct nlmsghdr *hdr,
		       size_t off)
{
	static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS) || off >= hdr->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((unsigned char *)hdr + off),
		      (int)(hdr->nlmsg_len - off), policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->ext_ack, sizeof(nl->ext_ack), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/* An NLMSG_ERROR: 0 for an ack, else its errno (its ext ack kept). */
static int abpf_nl_error(struct abpf_nl *nl, const struct nlmsghdr *hdr)
{
	const struct nlmsgerr *e = NLMSG_DATA(hdr);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (hdr->nlmsg_len < off)
		return LIBBPF_ERRNO__NLPARSE;
	/* an errno is in [-4095, 0]: anything else is no kernel's answer */
	if (e->error > 0 || e->error < -4095)
		return LIBBPF_ERRNO__NLPARSE;
	if (!e->error)
		return 0;
	/* Uncapped, the request follows its header before the TLVs. */
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	abpf_nl_ext_ack(nl, hdr, off);
	return -e->error;
}

/* An NLMSG_DONE: 0, or the error a dump ended with. */
static int abpf_nl_done(struct abpf_nl *nl, const struct nlmsghdr *hdr)
{
	int err;

	if (hdr->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return 0;
	memcpy(&err, NLMSG_DATA(hdr), sizeof(err));
	if (err >= 0)
		return 0;
	if (err < -4095)
		return LIBBPF_ERRNO__NLPARSE;
	abpf_nl_ext_ack(nl, hdr, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)));
	return -err;
}

/*
 * Send @msg and read its reply to the NLMSG_DONE or NLMSG_ERROR that
 * ends it (every request asks for an ack).  Called with nl_lock held.
 */
static abpf_errno abpf_nl_transact(struct abpf *h, struct nl_msg *msg,
			      abpf_netlink_fn fn, void *ctx)
{
	const struct abpf_sys *sys = h->sys;
	struct abpf_nl *nl = h->nl;
	struct nlmsghdr *req = nlmsg_hdr(msg), *hdr;
	bool interrupted = false;
	int fn_err = 0, rem, err = 0;
	__u32 seq;
	long n;

	nl->ext_ack[0] = '\0';
	/* Fresh numbers, even for a message sent before. */
	req->nlmsg_seq = NL_AUTO_SEQ;
	req->nlmsg_pid = NL_AUTO_PORT;
	nl_complete_msg(nl->sk, msg);
	seq = req->nlmsg_seq;

	n = ABPF_SYS_CALL(sys, send, nl->fd, req, req->nlmsg_len, 0);
	if (n < 0)
		return abpf_err_ret(n);
	if ((size_t)n != req->nlmsg_len)
		return abpf_err(EMSGSIZE);

	for (;;) {
		n = abpf_nl_recv(sys, nl);
		if (n < 0)
			return abpf_err_ret(n);
		rem = (int)n;
		if (!rem)
			return abpf_err(LIBBPF_ERRNO__NLPARSE);
		for (hdr = (struct nlmsghdr *)nl->buf; nlmsg_ok(hdr, rem);
		     hdr = nlmsg_next(hdr, &rem)) {
			if (hdr->nlmsg_pid != nl->port)
				return abpf_err(LIBBPF_ERRNO__WRNGPID);
			if (hdr->nlmsg_seq != seq) {
				/* The rest of an earlier request's reply. */
				if ((__s32)(hdr->nlmsg_seq - seq) < 0)
					continue;
				return abpf_err(LIBBPF_ERRNO__INVSEQ);
			}
			switch (hdr->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				return abpf_err(ENOBUFS);
			case NLMSG_ERROR:
				err = abpf_nl_error(nl, hdr);
				goto end;
			case NLMSG_DONE:
				err = abpf_nl_done(nl, hdr);
				goto end;
			}
			if (hdr->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (fn && !fn_err) {
				err = fn(hdr, ctx);
				if (err < 0)
					fn_err = -err;
			}
		}
		if (rem > 0)	/* a message cut short */
			return abpf_err(LIBBPF_ERRNO__NLPARSE);
	}
end:
	if (err)
		return abpf_err(err);
	if (fn_err)
		return abpf_err(fn_err);
	/* The dump changed under us: the caller may try again. */
	return abpf_err(interrupted ? EAGAIN : 0);
}

abpf_errno abpf_netlink_request(struct abpf *h, struct nl_msg *msg,
				abpf_netlink_fn fn, void *ctx)
{
	abpf_errno err = abpf_err(0);

	pthread_mutex_lock(&h->nl_lock);
	if (!h->nl)
		err = abpf_nl_open(h);
	if (abpf_ok(err))
		err = abpf_nl_transact(h, msg, fn, ctx);
	pthread_mutex_unlock(&h->nl_lock);
	return err;
}

size_t abpf_netlink_ext_ack(struct abpf *h, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&h->nl_lock);
	n = h->nl ? strlen(h->nl->ext_ack) : 0;
	if (len) {
		memcpy(buf, h->nl ? h->nl->ext_ack : "", n < len ? n : len - 1);
		buf[n < len ? n : len - 1] = '\0';
	}
	pthread_mutex_unlock(&h->nl_lock);
	return n;
}

/* libnl's message-building errors: out of room or memory. */
static abpf_errno nl_build_err(int nlerr)
{
	return abpf_err(nlerr == -NLE_NOMEM ? ENOMEM : LIBBPF_ERRNO__INTERNAL);
}

/* Send @msg, then free it. */
static abpf_errno request_free(struct abpf *h, struct nl_msg *msg,
			       abpf_netlink_fn fn, void *ctx)
{
	abpf_errno err = abpf_netlink_request(h, msg, fn, ctx);

	nlmsg_free(msg);
	return err;
}

/* ---- XDP ---- */

struct xdp_query_ctx {
	int ifindex;
	bool seen;
	struct abpf_xdp_query *out;
};

static int xdp_query_msg(const struct nlmsghdr *hdr, void *arg)
{
	static struct nla_policy xdp_policy[IFLA_XDP_MAX + 1] = {
		[IFLA_XDP_ATTACHED] = { .type = NLA_U8 },
		[IFLA_XDP_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_DRV_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_SKB_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_HW_PROG_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[IFLA_MAX + 1], *xdp[IFLA_XDP_MAX + 1];
	struct xdp_query_ctx *q = arg;
	const struct ifinfomsg *ifi;

	if (hdr->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nlmsg_parse((struct nlmsghdr *)hdr, sizeof(*ifi), tb, IFLA_MAX,
			NULL) < 0)
		return -LIBBPF_ERRNO__NLPARSE;
	ifi = nlmsg_data(hdr);
	if (ifi->ifi_index != q->ifindex)
		return 0;
	q->seen = true;
	if (!tb[IFLA_XDP])
		return 0;
	if (nla_parse_nested(xdp, IFLA_XDP_MAX, tb[IFLA_XDP], xdp_policy) < 0)
		return -LIBBPF_ERRNO__NLPARSE;
	if (xdp[IFLA_XDP_ATTACHED])
		q->out->attach_mode = nla_get_u8(xdp[IFLA_XDP_ATTACHED]);
	if (xdp[IFLA_XDP_PROG_ID])
		q->out->prog_id = nla_get_u32(xdp[IFLA_XDP_PROG_ID]);
	if (xdp[IFLA_XDP_DRV_PROG_ID])
		q->out->drv_prog_id = nla_get_u32(xdp[IFLA_XDP_DRV_PROG_ID]);
	if (xdp[IFLA_XDP_SKB_PROG_ID])
		q->out->skb_prog_id = nla_get_u32(xdp[IFLA_XDP_SKB_PROG_ID]);
	if (xdp[IFLA_XDP_HW_PROG_ID])
		q->out->hw_prog_id = nla_get_u32(xdp[IFLA_XDP_HW_PROG_ID]);
	return 0;
}

abpf_errno abpf_xdp_query(struct abpf *h, int ifindex,
			  struct abpf_xdp_query *out)
{
	struct abpf_xdp_query res;
	struct xdp_query_ctx q = { .ifindex = ifindex, .out = &res };
	struct nl_msg *msg;
	abpf_errno err;
	int nlerr;

	if (ifindex <= 0)
		return abpf_err(EINVAL);
	memset(&res, 0, sizeof(res));
	nlerr = rtnl_link_build_get_request(ifindex, NULL, &msg);
	if (nlerr < 0)
		return nl_build_err(nlerr);
	err = request_free(h, msg, xdp_query_msg, &q);
	if (abpf_ok(err) && !q.seen)
		err = abpf_err(LIBBPF_ERRNO__NLPARSE);	/* no link in the reply */
	if (abpf_ok(err))
		*out = res;
	return err;
}

abpf_errno abpf_xdp_replace(struct abpf *h, int ifindex, int fd,
			    int expected_fd, __u32 flags)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nlattr *nest;
	struct nl_msg *msg;
	int nlerr;

	if (expected_fd >= 0)
		flags |= XDP_FLAGS_REPLACE;
	msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
	if (!msg)
		return abpf_err(ENOMEM);
	nlerr = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nest = nlerr < 0 ? NULL : nla_nest_start(msg, IFLA_XDP);
	if (!nest)
		goto fail;
	nlerr = nla_put_u32(msg, IFLA_XDP_FD, (__u32)fd);
	if (!nlerr && flags)
		nlerr = nla_put_u32(msg, IFLA_XDP_FLAGS, flags);
	if (!nlerr && (flags & XDP_FLAGS_REPLACE))
		nlerr = nla_put_u32(msg, IFLA_XDP_EXPECTED_FD, (__u32)expected_fd);
	if (!nlerr)
		nlerr = nla_nest_end(msg, nest);
	if (nlerr < 0)
		goto fail;
	return request_free(h, msg, NULL, NULL);
fail:
	nlmsg_free(msg);
	return nl_build_err(-NLE_NOMEM);
}

/* ---- tc ---- */

abpf_errno abpf_netlink_send_tc(struct abpf *h, int type, int flags,
				const struct tcmsg *tcm, abpf_netlink_fn fn,
				void *ctx)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return abpf_err(ENOMEM);
	if (nlmsg_append(msg, (void *)tcm, sizeof(*tcm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return abpf_err(ENOMEM);
	}
	return request_free(h, msg, fn, ctx);
}

struct tc_list_ctx {
	struct abpf_tc_filter *filters;
	size_t cap, count;
};

static int tc_filter_msg(const struct nlmsghdr *hdr, void *arg)
{
	static struct nla_policy policy[TCA_MAX + 1] = {
		[TCA_KIND] = { .type = NLA_STRING },
		[TCA_OPTIONS] = { .type = NLA_NESTED },
	};
	static struct nla_policy bpf_policy[TCA_BPF_MAX + 1] = {
		[TCA_BPF_NAME] = { .type = NLA_STRING },
		[TCA_BPF_FLAGS] = { .type = NLA_U32 },
		[TCA_BPF_FLAGS_GEN] = { .type = NLA_U32 },
		[TCA_BPF_ID] = { .type = NLA_U32 },
		[TCA_BPF_TAG] = { .minlen = 8 },
	};
	struct nlattr *tb[TCA_MAX + 1], *opt[TCA_BPF_MAX + 1];
	struct tc_list_ctx *c = arg;
	const struct tcmsg *tcm;
	struct abpf_tc_filter f;

	if (hdr->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	if (nlmsg_parse((struct nlmsghdr *)hdr, sizeof(*tcm), tb, TCA_MAX,
			policy) < 0)
		return -LIBBPF_ERRNO__NLPARSE;
	/* Other kinds, and the header a dump gives each classifier. */
	if (!tb[TCA_KIND] || strcmp(nla_get_string(tb[TCA_KIND]), "bpf") ||
	    !tb[TCA_OPTIONS])
		return 0;
	if (nla_parse_nested(opt, TCA_BPF_MAX, tb[TCA_OPTIONS], bpf_policy) < 0)
		return -LIBBPF_ERRNO__NLPARSE;
	tcm = nlmsg_data(hdr);
	memset(&f, 0, sizeof(f));
	f.handle = tcm->tcm_handle;
	f.parent = tcm->tcm_parent;
	f.priority = (__u16)(tcm->tcm_info >> 16);
	f.protocol = (__u16)tcm->tcm_info;
	if (opt[TCA_BPF_ID])
		f.prog_id = nla_get_u32(opt[TCA_BPF_ID]);
	if (opt[TCA_BPF_FLAGS])
		f.flags = nla_get_u32(opt[TCA_BPF_FLAGS]);
	if (opt[TCA_BPF_FLAGS_GEN])
		f.gen_flags = nla_get_u32(opt[TCA_BPF_FLAGS_GEN]);
	if (opt[TCA_BPF_TAG])
		memcpy(f.tag, nla_data(opt[TCA_BPF_TAG]), sizeof(f.tag));
	if (opt[TCA_BPF_NAME])
		snprintf(f.name, sizeof(f.name), "%s",
			 nla_get_string(opt[TCA_BPF_NAME]));
	if (c->count < c->cap)
		c->filters[c->count] = f;
	c->count++;
	return 0;
}

abpf_errno abpf_tc_list_bpf(struct abpf *h, int ifindex, __u32 parent,
			    struct abpf_tc_filter *filters, size_t cap,
			    size_t *count)
{
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = ifindex,
		.tcm_parent = parent,
	};
	struct tc_list_ctx c = { .filters = filters, .cap = filters ? cap : 0 };
	abpf_errno err;

	if (ifindex <= 0)
		return abpf_err(EINVAL);
	err = abpf_netlink_send_tc(h, RTM_GETTFILTER, NLM_F_DUMP, &tcm,
				   tc_filter_msg, &c);
	if (abpf_ok(err))
		*count = c.count;
	return err;
}
