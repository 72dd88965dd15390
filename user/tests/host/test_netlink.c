// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Host tests of libabpf's netlink: a fake table plays the kernel's
 * NETLINK_ROUTE socket.  Requests are captured as sent and checked byte
 * by byte; replies are written by hand, well-formed and not: wrong
 * sequence numbers and ports, truncated messages, multipart dumps,
 * NLMSG_ERROR and NLMSG_DONE with extended acks.  Also: one socket per
 * handle, configured once and closed with the handle.
 */
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include <netlink/msg.h>

#include <abpf.h>

#include "../tap.h"
#include "fake.h"

#define NL_FD 42
#define PORT 0x1234
#define MAX_DGRAMS 8
#define DGRAM_MAX 70000

static struct {
	int sockets, binds, ext_ack_sets, getsocknames;
	unsigned char req[4096];	/* the last request */
	size_t req_len;
	int requests;
	__u32 seqs[16];
	/* datagrams the kernel "sent", in order */
	unsigned char dgram[MAX_DGRAMS][DGRAM_MAX];
	size_t dgram_len[MAX_DGRAMS];
	int queued, next;
	void (*script)(const struct nlmsghdr *req);
	int send_err, recv_eintr;
	int peeks;
} nl;

static int fk_socket(int domain, int type, int protocol)
{
	nl.sockets++;
	EXPECT_EQ(domain, AF_NETLINK);
	EXPECT_EQ(type, SOCK_RAW | SOCK_CLOEXEC);
	EXPECT_EQ(protocol, NETLINK_ROUTE);
	return NL_FD;
}

static int fk_setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	EXPECT_EQ(fd, NL_FD);
	if (level == SOL_NETLINK && name == NETLINK_EXT_ACK && len == sizeof(int) &&
	    *(const int *)val == 1)
		nl.ext_ack_sets++;
	return 0;
}

static int fk_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_nl *snl = (const void *)sa;

	EXPECT_EQ(fd, NL_FD);
	EXPECT_EQ(len, sizeof(*snl));
	EXPECT_EQ(snl->nl_family, AF_NETLINK);
	EXPECT_EQ(snl->nl_pid, 0);
	nl.binds++;
	return 0;
}

static int fk_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_pid = PORT };

	EXPECT_EQ(fd, NL_FD);
	nl.getsocknames++;
	memcpy(sa, &snl, sizeof(snl));
	*len = sizeof(snl);
	return 0;
}

static ssize_t fk_send(int fd, const void *buf, size_t len, int flags)
{
	EXPECT_EQ(fd, NL_FD);
	EXPECT_EQ(flags, 0);
	if (nl.send_err) {
		fake.errno_val = nl.send_err;
		return -1;
	}
	memcpy(nl.req, buf, len < sizeof(nl.req) ? len : sizeof(nl.req));
	nl.req_len = len;
	nl.seqs[nl.requests++ % 16] = ((const struct nlmsghdr *)buf)->nlmsg_seq;
	if (nl.script)
		nl.script((const struct nlmsghdr *)buf);
	return (ssize_t)len;
}

static ssize_t fk_recvmsg(int fd, struct msghdr *mh, int flags)
{
	size_t len, n;

	EXPECT_EQ(fd, NL_FD);
	if (nl.recv_eintr) {
		nl.recv_eintr--;
		fake.errno_val = EINTR;
		return -1;
	}
	if (nl.next >= nl.queued) {
		/* The kernel would block forever: fail the test instead. */
		tap_fail("recvmsg with nothing queued");
		fake.errno_val = EAGAIN;
		return -1;
	}
	len = nl.dgram_len[nl.next];
	n = len < mh->msg_iov[0].iov_len ? len : mh->msg_iov[0].iov_len;
	memcpy(mh->msg_iov[0].iov_base, nl.dgram[nl.next], n);
	mh->msg_flags = n < len ? MSG_TRUNC : 0;
	if (flags & MSG_PEEK)
		nl.peeks++;
	else
		nl.next++;
	return (ssize_t)((flags & MSG_TRUNC) ? len : n);
}

static const struct abpf_sys nl_sys = {
	.errno_location = fake_errno_location,
	.close = fake_close,
	.socket = fk_socket,
	.setsockopt = fk_setsockopt,
	.bind = fk_bind,
	.getsockname = fk_getsockname,
	.send = fk_send,
	.recvmsg = fk_recvmsg,
};

static struct abpf *fk_reset(void (*script)(const struct nlmsghdr *req))
{
	fake_reset(0, 0);
	memset(&nl, 0, sizeof(nl));
	nl.script = script;
	return fake_handle(&nl_sys);
}

/* ---- building replies by hand ---- */

static unsigned char *cur;	/* the datagram being written */
static size_t cur_len;

static void dgram_begin(void)
{
	cur = nl.dgram[nl.queued];
	cur_len = 0;
}

static void dgram_end(void)
{
	nl.dgram_len[nl.queued++] = cur_len;
}

static void put(const void *data, size_t len)
{
	memcpy(cur + cur_len, data, len);
	cur_len += len;
	while (cur_len & 3)
		cur[cur_len++] = 0;
}

static size_t msg_begin(__u16 type, __u16 flags, __u32 seq, __u32 pid)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags,
			      .nlmsg_seq = seq, .nlmsg_pid = pid };
	size_t at = cur_len;

	put(&h, sizeof(h));
	return at;
}

static void msg_end(size_t at)
{
	((struct nlmsghdr *)(cur + at))->nlmsg_len = (__u32)(cur_len - at);
}

static size_t attr_begin(__u16 type)
{
	struct nlattr a = { .nla_type = type };
	size_t at = cur_len;

	put(&a, sizeof(a));
	return at;
}

static void attr_end(size_t at)
{
	((struct nlattr *)(cur + at))->nla_len = (__u16)(cur_len - at);
}

static void attr(__u16 type, const void *data, size_t len)
{
	size_t at = cur_len;
	struct nlattr a = { .nla_type = type, .nla_len = (__u16)(NLA_HDRLEN + len) };

	memcpy(cur + cur_len, &a, sizeof(a));
	cur_len += sizeof(a);
	put(data, len);
	(void)at;
}

static void attr_u32(__u16 type, __u32 v)
{
	attr(type, &v, sizeof(v));
}

static void attr_u8(__u16 type, __u8 v)
{
	attr(type, &v, sizeof(v));
}

static void attr_str(__u16 type, const char *s)
{
	attr(type, s, strlen(s) + 1);
}

/* An ack (error 0) or error reply to @req, echoing it unless @capped. */
static void put_error(const struct nlmsghdr *req, int error, const char *ext_ack,
		      bool capped)
{
	struct nlmsgerr e = { .error = error, .msg = *req };
	__u16 flags = (capped ? NLM_F_CAPPED : 0) | (ext_ack ? NLM_F_ACK_TLVS : 0);
	size_t m = msg_begin(NLMSG_ERROR, flags, req->nlmsg_seq, PORT);

	put(&e, sizeof(e));
	if (!capped)
		put((const unsigned char *)req + NLMSG_HDRLEN,
		    req->nlmsg_len - NLMSG_HDRLEN);
	if (ext_ack)
		attr_str(NLMSGERR_ATTR_MSG, ext_ack);
	msg_end(m);
}

static void put_done(__u32 seq, int error, const char *ext_ack)
{
	size_t m = msg_begin(NLMSG_DONE, NLM_F_MULTI | (ext_ack ? NLM_F_ACK_TLVS : 0),
			     seq, PORT);

	put(&error, sizeof(error));
	if (ext_ack)
		attr_str(NLMSGERR_ATTR_MSG, ext_ack);
	msg_end(m);
}

/* RTM_NEWLINK for @ifindex with IFLA_XDP { attached, prog ids }. */
static void put_link(__u32 seq, int ifindex, int mode, __u32 prog, __u32 skb,
		     __u32 drv, __u32 hw)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	size_t m = msg_begin(RTM_NEWLINK, 0, seq, PORT), x;

	put(&ifi, sizeof(ifi));
	attr_str(IFLA_IFNAME, "lo");
	attr_u32(IFLA_MTU, 65536);
	if (mode >= 0) {
		x = attr_begin(IFLA_XDP | NLA_F_NESTED);
		attr_u8(IFLA_XDP_ATTACHED, (__u8)mode);
		if (prog)
			attr_u32(IFLA_XDP_PROG_ID, prog);
		if (skb)
			attr_u32(IFLA_XDP_SKB_PROG_ID, skb);
		if (drv)
			attr_u32(IFLA_XDP_DRV_PROG_ID, drv);
		if (hw)
			attr_u32(IFLA_XDP_HW_PROG_ID, hw);
		attr_end(x);
	}
	msg_end(m);
}

/* ---- the requests ---- */

static const struct nlmsghdr *req_hdr(void)
{
	return (const struct nlmsghdr *)nl.req;
}

/* The attribute @type in the request's payload after @hdrlen bytes. */
static const struct nlattr *req_attr(size_t hdrlen, int type,
				     const struct nlattr *in)
{
	const struct nlattr *a;
	int rem;

	if (in) {
		a = nla_data(in);
		rem = nla_len(in);
	} else {
		a = (const void *)(nl.req + NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
		rem = (int)(req_hdr()->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(hdrlen));
	}
	for (; nla_ok(a, rem); a = nla_next(a, &rem))
		if (nla_type(a) == type)
			return a;
	return NULL;
}

static void script_lo_skb(const struct nlmsghdr *req)
{
	dgram_begin();
	put_link(req->nlmsg_seq, 1, XDP_ATTACHED_SKB, 7, 7, 0, 0);
	put_error(req, 0, NULL, true);
	dgram_end();
}

static void xdp_query_sends_getlink_and_reads_ifla_xdp(void)
{
	struct abpf *h = fk_reset(script_lo_skb);
	struct abpf_xdp_query q;
	const struct ifinfomsg *ifi;

	memset(&q, 0xff, sizeof(q));
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, 0);
	EXPECT_EQ(req_hdr()->nlmsg_type, RTM_GETLINK);
	EXPECT_EQ(req_hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(req_hdr()->nlmsg_pid, PORT);
	EXPECT_EQ(req_hdr()->nlmsg_len, nl.req_len);
	ifi = (const void *)(nl.req + NLMSG_HDRLEN);
	EXPECT_EQ(ifi->ifi_index, 1);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_SKB);
	EXPECT_EQ(q.prog_id, 7);
	EXPECT_EQ(q.skb_prog_id, 7);
	EXPECT_EQ(q.drv_prog_id, 0);
	EXPECT_EQ(q.hw_prog_id, 0);
	EXPECT_EQ(nl.peeks, 1);		/* sized with MSG_PEEK first */
	EXPECT_EQ(abpf_xdp_query(h, 0, &q).no, EINVAL);
	EXPECT_EQ(abpf_xdp_query(h, -3, &q).no, EINVAL);
	EXPECT_EQ(nl.requests, 1);
	abpf_unref(h);
}

static void script_multi(const struct nlmsghdr *req)
{
	dgram_begin();
	put_link(req->nlmsg_seq, 3, XDP_ATTACHED_MULTI, 0, 5, 9, 0);
	put_error(req, 0, NULL, false);
	dgram_end();
}

static void script_no_xdp(const struct nlmsghdr *req)
{
	dgram_begin();
	put_link(req->nlmsg_seq, 3, -1, 0, 0, 0, 0);
	put_error(req, 0, NULL, false);
	dgram_end();
}

static void xdp_query_reports_each_mode(void)
{
	struct abpf *h = fk_reset(script_multi);
	struct abpf_xdp_query q;

	EXPECT_EQ(abpf_xdp_query(h, 3, &q).no, 0);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_MULTI);
	EXPECT_EQ(q.prog_id, 0);
	EXPECT_EQ(q.skb_prog_id, 5);
	EXPECT_EQ(q.drv_prog_id, 9);
	nl.script = script_no_xdp;
	EXPECT_EQ(abpf_xdp_query(h, 3, &q).no, 0);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_NONE);
	EXPECT_EQ(q.prog_id + q.skb_prog_id + q.drv_prog_id + q.hw_prog_id, 0);
	abpf_unref(h);
}

static void one_socket_per_handle_closed_with_it(void)
{
	struct abpf *h = fk_reset(script_lo_skb);
	struct abpf_xdp_query q;
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, 0);
	EXPECT_EQ(nl.sockets, 1);
	EXPECT_EQ(nl.binds, 1);
	EXPECT_EQ(nl.getsocknames, 1);
	EXPECT_EQ(nl.ext_ack_sets, 1);
	EXPECT_EQ(nl.requests, 3);
	/* libnl numbers them, one up each time. */
	EXPECT_EQ(nl.seqs[1], nl.seqs[0] + 1);
	EXPECT_EQ(nl.seqs[2], nl.seqs[1] + 1);
	EXPECT(!fake_was_closed(NL_FD));
	abpf_unref(h);
	EXPECT(fake_was_closed(NL_FD));
	EXPECT_EQ(fake.close_calls, 1);
	EXPECT_EQ(fake.releases, 1);
}

static void script_ack(const struct nlmsghdr *req)
{
	dgram_begin();
	put_error(req, 0, NULL, true);
	dgram_end();
}

static void xdp_replace_sends_setlink_with_ifla_xdp(void)
{
	struct abpf *h = fk_reset(script_ack);
	const struct nlattr *xdp;
	const struct ifinfomsg *ifi;

	EXPECT_EQ(abpf_xdp_replace(h, 4, 17, -1, XDP_FLAGS_SKB_MODE |
				   XDP_FLAGS_UPDATE_IF_NOEXIST).no, 0);
	EXPECT_EQ(req_hdr()->nlmsg_type, RTM_SETLINK);
	EXPECT_EQ(req_hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ifi = (const void *)(nl.req + NLMSG_HDRLEN);
	EXPECT_EQ(ifi->ifi_index, 4);
	EXPECT_EQ(ifi->ifi_family, AF_UNSPEC);
	xdp = req_attr(sizeof(*ifi), IFLA_XDP, NULL);
	EXPECT(xdp && (xdp->nla_type & NLA_F_NESTED));
	if (!xdp)
		goto out;
	EXPECT_EQ(nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_FD, xdp)), 17);
	EXPECT_EQ(nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_FLAGS, xdp)),
		  XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST);
	EXPECT(req_attr(0, IFLA_XDP_EXPECTED_FD, xdp) == NULL);

	/* An expected fd means REPLACE; detaching is fd -1; no flags, none sent. */
	EXPECT_EQ(abpf_xdp_replace(h, 4, 18, 17, XDP_FLAGS_SKB_MODE).no, 0);
	xdp = req_attr(sizeof(*ifi), IFLA_XDP, NULL);
	EXPECT_EQ(nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_FLAGS, xdp)),
		  XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE);
	EXPECT_EQ(nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_EXPECTED_FD, xdp)),
		  17);
	EXPECT_EQ(abpf_xdp_replace(h, 4, -1, -1, XDP_FLAGS_REPLACE).no, 0);
	xdp = req_attr(sizeof(*ifi), IFLA_XDP, NULL);
	EXPECT_EQ((int)nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_FD, xdp)), -1);
	EXPECT_EQ((int)nla_get_u32((struct nlattr *)req_attr(0, IFLA_XDP_EXPECTED_FD,
							    xdp)), -1);
	EXPECT_EQ(abpf_xdp_replace(h, 4, -1, -1, 0).no, 0);
	xdp = req_attr(sizeof(*ifi), IFLA_XDP, NULL);
	EXPECT(req_attr(0, IFLA_XDP_FLAGS, xdp) == NULL);
	EXPECT(req_attr(0, IFLA_XDP_EXPECTED_FD, xdp) == NULL);
out:
	abpf_unref(h);
}

static const char *ext_msg = "Underlying driver does not support XDP in native mode";

static void script_error_uncapped(const struct nlmsghdr *req)
{
	dgram_begin();
	put_error(req, -EOPNOTSUPP, ext_msg, false);
	dgram_end();
}

static void script_error_capped(const struct nlmsghdr *req)
{
	dgram_begin();
	put_error(req, -EBUSY, "XDP program already attached", true);
	dgram_end();
}

static void script_error_plain(const struct nlmsghdr *req)
{
	dgram_begin();
	put_error(req, -ENODEV, NULL, true);
	dgram_end();
}

static void nlmsg_error_gives_errno_and_extended_ack(void)
{
	struct abpf *h = fk_reset(script_error_uncapped);
	char buf[128];

	EXPECT_EQ(abpf_netlink_ext_ack(h, buf, sizeof(buf)), 0);
	EXPECT_EQ(abpf_xdp_replace(h, 1, 5, -1, XDP_FLAGS_DRV_MODE).no, EOPNOTSUPP);
	EXPECT_EQ(abpf_netlink_ext_ack(h, buf, sizeof(buf)), strlen(ext_msg));
	EXPECT(!strcmp(buf, ext_msg));
	/* A short buffer gets the start, NUL-terminated. */
	EXPECT_EQ(abpf_netlink_ext_ack(h, buf, 9), strlen(ext_msg));
	EXPECT(!strcmp(buf, "Underlyi"));

	nl.script = script_error_capped;
	EXPECT_EQ(abpf_xdp_replace(h, 1, 5, -1, XDP_FLAGS_UPDATE_IF_NOEXIST).no,
		  EBUSY);
	abpf_netlink_ext_ack(h, buf, sizeof(buf));
	EXPECT(!strcmp(buf, "XDP program already attached"));

	/* The next call clears the message. */
	nl.script = script_error_plain;
	EXPECT_EQ(abpf_xdp_query(h, 99, &(struct abpf_xdp_query){ 0 }).no, ENODEV);
	EXPECT_EQ(abpf_netlink_ext_ack(h, buf, sizeof(buf)), 0);
	EXPECT(!strcmp(buf, ""));
	abpf_unref(h);
}

static void script_future_seq(const struct nlmsghdr *req)
{
	struct nlmsghdr later = *req;

	later.nlmsg_seq++;
	dgram_begin();
	put_error(&later, 0, NULL, true);
	dgram_end();
}

/* A reply to an earlier request first, then ours. */
static void script_stale_then_ours(const struct nlmsghdr *req)
{
	struct nlmsghdr earlier = *req;

	earlier.nlmsg_seq -= 2;
	dgram_begin();
	put_link(earlier.nlmsg_seq, 1, XDP_ATTACHED_DRV, 99, 0, 99, 0);
	put_error(&earlier, 0, NULL, true);
	dgram_end();
	script_lo_skb(req);
}

static void script_wrong_port(const struct nlmsghdr *req)
{
	dgram_begin();
	size_t m = msg_begin(NLMSG_ERROR, NLM_F_CAPPED, req->nlmsg_seq, PORT + 1);
	struct nlmsgerr e = { .msg = *req };

	put(&e, sizeof(e));
	msg_end(m);
	dgram_end();
}

static void replies_must_carry_our_sequence_and_port(void)
{
	struct abpf *h = fk_reset(script_future_seq);
	struct abpf_xdp_query q;

	EXPECT_EQ(abpf_xdp_replace(h, 1, 5, -1, 0).no, LIBBPF_ERRNO__INVSEQ);
	nl.script = script_stale_then_ours;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, 0);
	EXPECT_EQ(q.prog_id, 7);		/* not the stale reply's 99 */
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_SKB);
	nl.script = script_wrong_port;
	EXPECT_EQ(abpf_xdp_replace(h, 1, 5, -1, 0).no, LIBBPF_ERRNO__WRNGPID);
	abpf_unref(h);
}

static void script_truncated_msg(const struct nlmsghdr *req)
{
	dgram_begin();
	put_link(req->nlmsg_seq, 1, XDP_ATTACHED_SKB, 7, 7, 0, 0);
	cur_len -= 8;		/* the datagram ends inside the message */
	dgram_end();
}

static void script_short_error(const struct nlmsghdr *req)
{
	dgram_begin();
	size_t m = msg_begin(NLMSG_ERROR, 0, req->nlmsg_seq, PORT);
	int err = -EPERM;

	put(&err, sizeof(err));		/* nlmsgerr without its header */
	msg_end(m);
	dgram_end();
}

static void script_bad_attr(const struct nlmsghdr *req)
{
	struct ifinfomsg ifi = { .ifi_index = 1 };
	size_t m, x;

	dgram_begin();
	m = msg_begin(RTM_NEWLINK, 0, req->nlmsg_seq, PORT);
	put(&ifi, sizeof(ifi));
	x = attr_begin(IFLA_XDP | NLA_F_NESTED);
	attr(IFLA_XDP_PROG_ID, "ab", 2);	/* a u32 of two bytes */
	attr_end(x);
	msg_end(m);
	put_error(req, 0, NULL, true);
	dgram_end();
}

static void script_empty(const struct nlmsghdr *req)
{
	(void)req;
	dgram_begin();
	dgram_end();
}

static void truncated_and_malformed_replies_are_nlparse(void)
{
	struct abpf *h = fk_reset(script_truncated_msg);
	struct abpf_xdp_query q;

	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, LIBBPF_ERRNO__NLPARSE);
	nl.script = script_short_error;
	EXPECT_EQ(abpf_xdp_replace(h, 1, 5, -1, 0).no, LIBBPF_ERRNO__NLPARSE);
	nl.script = script_bad_attr;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, LIBBPF_ERRNO__NLPARSE);
	nl.script = script_empty;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, LIBBPF_ERRNO__NLPARSE);
	/* An ack without the link it was asked for. */
	nl.script = script_ack;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, LIBBPF_ERRNO__NLPARSE);
	abpf_unref(h);
}

/* A cls_bpf filter message, or the header a dump gives each classifier. */
static void put_filter(__u32 seq, __u16 flags, const char *kind, __u32 handle,
		       __u32 prio, __u32 prog_id, const char *name)
{
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC, .tcm_ifindex = 2, .tcm_handle = handle,
		.tcm_parent = ABPF_TC_INGRESS, .tcm_info = prio << 16 | 0x0300,
	};
	static const __u8 tag[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t m = msg_begin(RTM_NEWTFILTER, flags, seq, PORT), o;

	put(&tcm, sizeof(tcm));
	attr_str(TCA_KIND, kind);
	attr_u32(TCA_CHAIN, 0);
	if (handle) {
		o = attr_begin(TCA_OPTIONS | NLA_F_NESTED);
		attr_u32(TCA_BPF_ID, prog_id);
		attr_str(TCA_BPF_NAME, name);
		attr_u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
		attr(TCA_BPF_TAG, tag, sizeof(tag));
		attr_end(o);
	}
	msg_end(m);
}

/* Three datagrams: the chain header and two filters, a u32 filter, DONE. */
static void script_filter_dump(const struct nlmsghdr *req)
{
	__u32 seq = req->nlmsg_seq;

	dgram_begin();
	put_filter(seq, NLM_F_MULTI, "bpf", 0, 1, 0, NULL);
	put_filter(seq, NLM_F_MULTI, "bpf", 1, 1, 31, "tc_a");
	put_filter(seq, NLM_F_MULTI, "bpf", 2, 1, 32, "tc_b");
	dgram_end();
	dgram_begin();
	put_filter(seq, NLM_F_MULTI, "u32", 0x800, 2, 0, "x");
	dgram_end();
	dgram_begin();
	put_filter(seq, NLM_F_MULTI, "bpf", 3, 5, 33, "tc_c");
	put_done(seq, 0, NULL);
	dgram_end();
}

static void tc_list_reads_a_multipart_dump(void)
{
	struct abpf *h = fk_reset(script_filter_dump);
	struct abpf_tc_filter f[2];
	const struct tcmsg *tcm;
	size_t n = 0;

	EXPECT_EQ(abpf_tc_list_bpf(h, 2, ABPF_TC_INGRESS, f, 2, &n).no, 0);
	EXPECT_EQ(req_hdr()->nlmsg_type, RTM_GETTFILTER);
	EXPECT_EQ(req_hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
	tcm = (const void *)(nl.req + NLMSG_HDRLEN);
	EXPECT_EQ(tcm->tcm_ifindex, 2);
	EXPECT_EQ(tcm->tcm_parent, ABPF_TC_INGRESS);
	EXPECT_EQ(nl.req_len, NLMSG_HDRLEN + sizeof(*tcm));
	EXPECT_EQ(n, 3);			/* more than fit */
	EXPECT_EQ(nl.next, 3);			/* every datagram read */
	EXPECT_EQ(f[0].handle, 1);
	EXPECT_EQ(f[0].prog_id, 31);
	EXPECT(!strcmp(f[0].name, "tc_a"));
	EXPECT_EQ(f[0].priority, 1);
	EXPECT_EQ(f[0].protocol, 0x0300);
	EXPECT_EQ(f[0].parent, ABPF_TC_INGRESS);
	EXPECT_EQ(f[0].flags, TCA_BPF_FLAG_ACT_DIRECT);
	EXPECT_EQ(f[0].tag[7], 8);
	EXPECT_EQ(f[1].prog_id, 32);
	n = 0;
	EXPECT_EQ(abpf_tc_list_bpf(h, 2, ABPF_TC_INGRESS, NULL, 0, &n).no, 0);
	EXPECT_EQ(n, 3);
	abpf_unref(h);
}

static void script_dump_error(const struct nlmsghdr *req)
{
	dgram_begin();
	put_filter(req->nlmsg_seq, NLM_F_MULTI, "bpf", 1, 1, 31, "tc_a");
	put_done(req->nlmsg_seq, -EMSGSIZE, "dump too big");
	dgram_end();
}

static void script_dump_intr(const struct nlmsghdr *req)
{
	dgram_begin();
	put_filter(req->nlmsg_seq, NLM_F_MULTI | NLM_F_DUMP_INTR, "bpf", 1, 1, 31,
		   "tc_a");
	put_done(req->nlmsg_seq, 0, NULL);
	dgram_end();
}

static void dumps_end_with_done_errors_and_interruptions(void)
{
	struct abpf *h = fk_reset(script_dump_error);
	char buf[64];
	size_t n;

	EXPECT_EQ(abpf_tc_list_bpf(h, 2, ABPF_TC_INGRESS, NULL, 0, &n).no, EMSGSIZE);
	abpf_netlink_ext_ack(h, buf, sizeof(buf));
	EXPECT(!strcmp(buf, "dump too big"));
	nl.script = script_dump_intr;
	EXPECT_EQ(abpf_tc_list_bpf(h, 2, ABPF_TC_INGRESS, NULL, 0, &n).no, EAGAIN);
	abpf_unref(h);
}

static int stop_at_first(const struct nlmsghdr *msg, void *ctx)
{
	(void)msg;
	(*(int *)ctx)++;
	return -ECANCELED;
}

/* A callback's error stops the calls, but the reply is still read out. */
static void callback_errors_drain_the_reply(void)
{
	struct abpf *h = fk_reset(script_filter_dump);
	struct tcmsg tcm = { .tcm_ifindex = 2, .tcm_parent = ABPF_TC_INGRESS };
	struct abpf_xdp_query q;
	int calls = 0;

	EXPECT_EQ(abpf_netlink_send_tc(h, RTM_GETTFILTER, NLM_F_DUMP, &tcm,
				       stop_at_first, &calls).no, ECANCELED);
	EXPECT_EQ(calls, 1);
	EXPECT_EQ(nl.next, nl.queued);
	nl.script = script_lo_skb;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, 0);
	abpf_unref(h);
}

static void script_big(const struct nlmsghdr *req)
{
	int i;

	dgram_begin();
	for (i = 0; i < 1200; i++)
		put_filter(req->nlmsg_seq, NLM_F_MULTI, "bpf", (__u32)i + 1, 1,
			   (__u32)i, "prog");
	put_done(req->nlmsg_seq, 0, NULL);
	dgram_end();
}

static void large_datagrams_grow_the_buffer(void)
{
	struct abpf *h = fk_reset(script_big);
	size_t n = 0;

	EXPECT(nl.queued == 0);
	EXPECT_EQ(abpf_tc_list_bpf(h, 2, ABPF_TC_INGRESS, NULL, 0, &n).no, 0);
	EXPECT(nl.dgram_len[0] > 32768);
	EXPECT_EQ(n, 1200);
	abpf_unref(h);
}

static void socket_errors_are_returned(void)
{
	struct abpf *h = fk_reset(script_lo_skb);
	struct abpf_xdp_query q;
	static const struct abpf_sys no_socket = {
		.errno_location = fake_errno_location, .close = fake_close,
	};

	nl.recv_eintr = 2;		/* interrupted reads are retried */
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, 0);
	nl.send_err = ENOBUFS;
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, ENOBUFS);
	abpf_unref(h);
	h = fake_handle(&no_socket);
	EXPECT_EQ(abpf_xdp_query(h, 1, &q).no, ENOSYS);
	abpf_unref(h);
}

static int count_msgs(const struct nlmsghdr *msg, void *ctx)
{
	(void)msg;
	(*(int *)ctx)++;
	return 0;
}

/* The raw path: a message of the caller's, numbered by the handle. */
static void raw_requests_are_numbered_and_reusable(void)
{
	struct abpf *h = fk_reset(script_lo_skb);
	struct ifinfomsg ifi = { .ifi_index = 1 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int n = 0;

	nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	EXPECT_EQ(abpf_netlink_request(h, msg, count_msgs, &n).no, 0);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(abpf_netlink_request(h, msg, NULL, NULL).no, 0);
	EXPECT_EQ(nl.seqs[1], nl.seqs[0] + 1);
	nlmsg_free(msg);
	abpf_unref(h);
}

static const struct tap_test tests[] = {
	TAP_TEST(xdp_query_sends_getlink_and_reads_ifla_xdp),
	TAP_TEST(xdp_query_reports_each_mode),
	TAP_TEST(one_socket_per_handle_closed_with_it),
	TAP_TEST(xdp_replace_sends_setlink_with_ifla_xdp),
	TAP_TEST(nlmsg_error_gives_errno_and_extended_ack),
	TAP_TEST(replies_must_carry_our_sequence_and_port),
	TAP_TEST(truncated_and_malformed_replies_are_nlparse),
	TAP_TEST(tc_list_reads_a_multipart_dump),
	TAP_TEST(dumps_end_with_done_errors_and_interruptions),
	TAP_TEST(callback_errors_drain_the_reply),
	TAP_TEST(large_datagrams_grow_the_buffer),
	TAP_TEST(socket_errors_are_returned),
	TAP_TEST(raw_requests_are_numbered_and_reusable),
};

int main(void)
{
	unsetenv("ABPF_BACKEND");
	tap_run(tests, TAP_COUNT(tests), "netlink: ");
	abpf_set_default_sys(NULL);
	return tap_done();
}
