// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libabpf's netlink against the guest's kernel: XDP query and replace
 * with a real XDP program (loaded through bpf(2)) on lo in generic (SKB)
 * mode, every flag's answer and extended ack, the program seeing lo's
 * packets, kbpf's fds refused, one socket per handle, tc and link dumps.
 * Where the kernel has them built in (the debug kernel: CONFIG_DUMMY,
 * CONFIG_VETH), a dummy device and a veth pair are made through
 * libnl-route and XDP is attached there too, natively on the veth.  The
 * stock kernels have those drivers as modules the guest does not hold.
 *
 * XDP attaches the kernel's programs only: a kbpf handle speaks netlink
 * to the kernel just the same, but its program fds are kbpf's.
 */
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include <abpf.h>

#include "shim_vm.h"

static struct abpf *h;		/* on the kernel's bpf(2) */
static int lo;

static struct abpf_prog *xdp_prog(int ret)
{
	struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, ret), EXIT() };
	struct abpf_prog *prog = NULL;

	EXPECT_EQ(abpf_prog_load(h, BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", insns,
				 NR(insns), NULL, &prog).no, 0);
	return prog;
}

static __u32 prog_id(struct abpf_prog *prog)
{
	struct bpf_prog_info info;

	return prog && abpf_ok(abpf_prog_info(prog, &info, NULL)) ? info.id : 0;
}

/* The extended ack of the last call contains @what. */
#define EXPECT_EXT_ACK(what)						\
	do {								\
		char _m[256];						\
		abpf_netlink_ext_ack(h, _m, sizeof(_m));		\
		if (!strstr(_m, (what)))				\
			tap_fail("ext ack \"%s\" lacks \"%s\"", _m, (what)); \
	} while (0)

static struct abpf_xdp_query query(int ifindex)
{
	struct abpf_xdp_query q;

	memset(&q, 0xee, sizeof(q));
	EXPECT_EQ(abpf_xdp_query(h, ifindex, &q).no, 0);
	return q;
}

static void lo_skb_attach_query_detach(void)
{
	struct abpf_prog *p = xdp_prog(XDP_PASS);
	struct abpf_xdp_query q = query(lo);

	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_NONE);
	EXPECT_EQ(q.prog_id, 0);
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(p), -1,
				   XDP_FLAGS_SKB_MODE).no, 0);
	q = query(lo);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_SKB);
	EXPECT_EQ(q.prog_id, prog_id(p));
	EXPECT_EQ(q.skb_prog_id, prog_id(p));
	EXPECT_EQ(q.drv_prog_id, 0);
	EXPECT_EQ(q.hw_prog_id, 0);
	/* The attachment holds the program: closing our fd changes nothing. */
	abpf_prog_close(p);
	q = query(lo);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_SKB);
	EXPECT_EQ(abpf_xdp_replace(h, lo, -1, -1, XDP_FLAGS_SKB_MODE).no, 0);
	q = query(lo);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_NONE);
	EXPECT_EQ(q.skb_prog_id, 0);
}

static void update_if_noexist_refuses_a_second_program(void)
{
	struct abpf_prog *a = xdp_prog(XDP_PASS), *b = xdp_prog(XDP_PASS);
	__u32 flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;

	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(a), -1, flags).no, 0);
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(b), -1, flags).no, EBUSY);
	EXPECT_EXT_ACK("already attached");
	EXPECT_EQ(query(lo).prog_id, prog_id(a));
	/* Without the flag, the new program replaces the old. */
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(b), -1,
				   XDP_FLAGS_SKB_MODE).no, 0);
	EXPECT_EQ(query(lo).prog_id, prog_id(b));
	EXPECT_EQ(abpf_xdp_replace(h, lo, -1, -1, XDP_FLAGS_SKB_MODE).no, 0);
	abpf_prog_close(a);
	abpf_prog_close(b);
}

static void replace_checks_the_expected_program(void)
{
	struct abpf_prog *a = xdp_prog(XDP_PASS), *b = xdp_prog(XDP_PASS);
	struct abpf_prog *c = xdp_prog(XDP_PASS);
	int fa = abpf_prog_fd(a), fb = abpf_prog_fd(b), fc = abpf_prog_fd(c);

	/* REPLACE with no expected fd: only if nothing is attached. */
	EXPECT_EQ(abpf_xdp_replace(h, lo, fa, -1,
				   XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE).no, 0);
	EXPECT_EQ(abpf_xdp_replace(h, lo, fb, -1,
				   XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE).no, EEXIST);
	EXPECT_EXT_ACK("does not match expected");
	EXPECT_EQ(abpf_xdp_replace(h, lo, fb, fc, XDP_FLAGS_SKB_MODE).no, EEXIST);
	EXPECT_EXT_ACK("does not match expected");
	EXPECT_EQ(query(lo).prog_id, prog_id(a));
	EXPECT_EQ(abpf_xdp_replace(h, lo, fb, fa, XDP_FLAGS_SKB_MODE).no, 0);
	EXPECT_EQ(query(lo).prog_id, prog_id(b));
	/* Detach only if it is still b. */
	EXPECT_EQ(abpf_xdp_replace(h, lo, -1, fa, XDP_FLAGS_SKB_MODE).no, EEXIST);
	EXPECT_EQ(abpf_xdp_replace(h, lo, -1, fb, XDP_FLAGS_SKB_MODE).no, 0);
	EXPECT_EQ(query(lo).attach_mode, XDP_ATTACHED_NONE);
	abpf_prog_close(a);
	abpf_prog_close(b);
	abpf_prog_close(c);
}

static void native_and_offload_modes_need_a_driver(void)
{
	struct abpf_prog *p = xdp_prog(XDP_PASS);

	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(p), -1,
				   XDP_FLAGS_DRV_MODE).no, EOPNOTSUPP);
	EXPECT_EXT_ACK("native mode");
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(p), -1,
				   XDP_FLAGS_HW_MODE).no, EOPNOTSUPP);
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(p), -1,
				   XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE).no, EINVAL);
	EXPECT_EQ(query(lo).attach_mode, XDP_ATTACHED_NONE);
	abpf_prog_close(p);
}

static void missing_interfaces_and_wrong_fds(void)
{
	struct abpf_xdp_query q;
	struct abpf_map *map = NULL;
	int fd;

	EXPECT_EQ(abpf_xdp_query(h, 0x7fff0000, &q).no, ENODEV);
	EXPECT_EQ(abpf_xdp_replace(h, 0x7fff0000, -1, -1, 0).no, ENODEV);
	/* A map fd is not a program. */
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &map).no, 0);
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_map_fd(map), -1,
				   XDP_FLAGS_SKB_MODE).no, EINVAL);
	abpf_map_close(map);
	fd = dup(1);
	EXPECT_EQ(abpf_xdp_replace(h, lo, fd, -1, XDP_FLAGS_SKB_MODE).no, EINVAL);
	close(fd);
	EXPECT_EQ(abpf_xdp_replace(h, lo, 999, -1, XDP_FLAGS_SKB_MODE).no, EBADF);
}

/* A kbpf handle speaks netlink as well; kbpf's fds are not the kernel's. */
static void kbpf_fds_cannot_be_attached(void)
{
	struct abpf *kh = NULL;
	struct abpf_map *map = NULL;
	struct abpf_prog *prog = NULL;
	struct abpf_xdp_query q;
	struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT() };
	abpf_errno err;

	EXPECT_EQ(abpf_open(abpf_sys_kbpf(), NULL, &kh).no, 0);
	EXPECT_EQ(abpf_xdp_query(kh, lo, &q).no, 0);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_NONE);
	EXPECT_EQ(abpf_map_create(kh, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &map).no, 0);
	EXPECT_EQ(abpf_xdp_replace(kh, lo, abpf_map_fd(map), -1,
				   XDP_FLAGS_SKB_MODE).no, EINVAL);
	/* A kbpf program, where kbpf has programs (and XDP ones). */
	err = abpf_prog_load(kh, BPF_PROG_TYPE_XDP, "kxdp", "GPL", insns,
			     NR(insns), NULL, &prog);
	if (abpf_ok(err)) {
		EXPECT_EQ(abpf_xdp_replace(kh, lo, abpf_prog_fd(prog), -1,
					   XDP_FLAGS_SKB_MODE).no, EINVAL);
		abpf_prog_close(prog);
	}
	abpf_map_close(map);
	abpf_unref(kh);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void one_socket_serves_every_call(void)
{
	struct abpf *fresh = NULL;
	struct abpf_xdp_query q;
	int before, i;

	EXPECT_EQ(abpf_open(abpf_sys_libc(), NULL, &fresh).no, 0);
	before = count_fds();
	for (i = 0; i < 5; i++)
		EXPECT_EQ(abpf_xdp_query(fresh, lo, &q).no, 0);
	EXPECT_EQ(count_fds(), before + 1);
	abpf_unref(fresh);
	EXPECT_EQ(count_fds(), before);
}

/* Bring @name up (ioctl), so that lo carries packets. */
static int link_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return ret;
}

static void attached_program_sees_lo_packets(void)
{
	struct abpf_map *map = NULL;
	struct abpf_prog *prog = NULL;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	__u32 key = 0;
	__u64 count = 0;
	int s, i;

	EXPECT_EQ(link_up("lo"), 0);
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, "xdp_count", 4, 8, 1,
				  NULL, &map).no, 0);
	if (!map)
		return;
	{
		struct bpf_insn insns[] = {
			LD_MAP(BPF_REG_1, abpf_map_fd(map)),
			ST(BPF_W, BPF_REG_10, -4, 0),
			MOV64_REG(BPF_REG_2, BPF_REG_10),
			ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
			MOV64_IMM(BPF_REG_1, 1),
			ATOMIC_ADD64(BPF_REG_0, BPF_REG_1, 0),
			MOV64_IMM(BPF_REG_0, XDP_PASS),
			EXIT(),
		};

		EXPECT_EQ(abpf_prog_load(h, BPF_PROG_TYPE_XDP, "xdp_count", "GPL",
					 insns, NR(insns), NULL, &prog).no, 0);
	}
	if (!prog)
		goto out;
	EXPECT_EQ(abpf_xdp_replace(h, lo, abpf_prog_fd(prog), -1,
				   XDP_FLAGS_SKB_MODE).no, 0);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = 0; i < 5; i++)
		sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	close(s);
	EXPECT_EQ(abpf_xdp_replace(h, lo, -1, -1, XDP_FLAGS_SKB_MODE).no, 0);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, &count, 8, 0).no, 0);
	EXPECT(count >= 5);
	abpf_prog_close(prog);
out:
	abpf_map_close(map);
}

static int count_msgs(const struct nlmsghdr *msg, void *ctx)
{
	if (msg->nlmsg_type == RTM_NEWLINK || msg->nlmsg_type == RTM_NEWQDISC)
		(*(int *)ctx)++;
	return 0;
}

/* Real multipart replies: every link, every qdisc. */
static void dumps_read_every_part(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct abpf_tc_filter f[4];
	size_t nf = 99;
	int links = 0, qdiscs = 0;

	nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	EXPECT_EQ(abpf_netlink_request(h, msg, count_msgs, &links).no, 0);
	nlmsg_free(msg);
	EXPECT(links >= 1);
	EXPECT_EQ(abpf_netlink_send_tc(h, RTM_GETQDISC, NLM_F_DUMP, &tcm,
				       count_msgs, &qdiscs).no, 0);
	EXPECT(qdiscs >= 1);
	/* lo has no clsact qdisc, so no filters under it. */
	EXPECT_EQ(abpf_tc_list_bpf(h, lo, ABPF_TC_INGRESS, f, 4, &nf).no, 0);
	EXPECT_EQ(nf, 0);
	/* The kernel dumps nothing for an interface it does not have. */
	nf = 99;
	EXPECT_EQ(abpf_tc_list_bpf(h, 0x7fff0000, ABPF_TC_INGRESS, f, 4, &nf).no, 0);
	EXPECT_EQ(nf, 0);
}

/* ---- dummy and veth devices, where the kernel has them built in ---- */

static struct nl_sock *route_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

/* Add a link of @kind (or a veth pair with @peer); -NLE_* from libnl. */
static int add_link(struct nl_sock *sk, const char *name, const char *kind,
		    const char *peer)
{
	struct rtnl_link *link;
	int err;

	if (peer) {
		link = rtnl_link_veth_alloc();
		if (!link)
			return -NLE_NOMEM;
		rtnl_link_set_name(rtnl_link_veth_get_peer(link), peer);
		rtnl_link_put(rtnl_link_veth_get_peer(link));
	} else {
		link = rtnl_link_alloc();
		if (!link)
			return -NLE_NOMEM;
		rtnl_link_set_type(link, kind);
	}
	rtnl_link_set_name(link, name);
	err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	return err;
}

static void del_link(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();

	rtnl_link_set_name(link, name);
	rtnl_link_delete(sk, link);
	rtnl_link_put(link);
}

static void dummy_device_from_libnl_route(void)
{
	struct nl_sock *sk = route_sock();
	struct abpf_prog *p;
	struct abpf_xdp_query q;
	int err, ifindex;

	EXPECT(sk != NULL);
	if (!sk)
		return;
	err = add_link(sk, "abpf0", "dummy", NULL);
	if (err == -NLE_OPNOTSUPP) {
		tap_skip_reason = "no dummy driver built into this kernel";
		nl_socket_free(sk);
		return;
	}
	EXPECT_EQ(err, 0);
	ifindex = (int)if_nametoindex("abpf0");
	EXPECT(ifindex > 0);
	p = xdp_prog(XDP_PASS);
	EXPECT_EQ(query(ifindex).attach_mode, XDP_ATTACHED_NONE);
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, abpf_prog_fd(p), -1,
				   XDP_FLAGS_SKB_MODE).no, 0);
	q = query(ifindex);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_SKB);
	EXPECT_EQ(q.skb_prog_id, prog_id(p));
	EXPECT_EQ(query(lo).attach_mode, XDP_ATTACHED_NONE);	/* per device */
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, -1, abpf_prog_fd(p),
				   XDP_FLAGS_SKB_MODE).no, 0);
	EXPECT_EQ(query(ifindex).attach_mode, XDP_ATTACHED_NONE);
	abpf_prog_close(p);
	del_link(sk, "abpf0");
	EXPECT_EQ(if_nametoindex("abpf0"), 0);
	nl_socket_free(sk);
}

static void veth_takes_native_xdp(void)
{
	struct nl_sock *sk = route_sock();
	struct abpf_prog *p, *g;
	struct abpf_xdp_query q;
	int err, ifindex;

	EXPECT(sk != NULL);
	if (!sk)
		return;
	err = add_link(sk, "abpfv0", NULL, "abpfv1");
	if (err == -NLE_OPNOTSUPP) {
		tap_skip_reason = "no veth driver built into this kernel";
		nl_socket_free(sk);
		return;
	}
	EXPECT_EQ(err, 0);
	ifindex = (int)if_nametoindex("abpfv0");
	EXPECT(ifindex > 0);
	p = xdp_prog(XDP_PASS);
	g = xdp_prog(XDP_PASS);
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, abpf_prog_fd(p), -1,
				   XDP_FLAGS_DRV_MODE).no, 0);
	q = query(ifindex);
	EXPECT_EQ(q.attach_mode, XDP_ATTACHED_DRV);
	EXPECT_EQ(q.prog_id, prog_id(p));
	EXPECT_EQ(q.drv_prog_id, prog_id(p));
	/* Native and generic cannot be attached at once. */
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, abpf_prog_fd(g), -1,
				   XDP_FLAGS_SKB_MODE).no, EEXIST);
	EXPECT_EXT_ACK("can't be active at the same time");
	/* No mode flag: the driver's mode, as the kernel picks it. */
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, abpf_prog_fd(g),
				   abpf_prog_fd(p), 0).no, 0);
	EXPECT_EQ(query(ifindex).drv_prog_id, prog_id(g));
	EXPECT_EQ(abpf_xdp_replace(h, ifindex, -1, -1, XDP_FLAGS_DRV_MODE).no, 0);
	EXPECT_EQ(query(ifindex).attach_mode, XDP_ATTACHED_NONE);
	abpf_prog_close(p);
	abpf_prog_close(g);
	del_link(sk, "abpfv0");		/* and its peer */
	nl_socket_free(sk);
}

static const struct tap_test tests[] = {
	TAP_TEST(lo_skb_attach_query_detach),
	TAP_TEST(update_if_noexist_refuses_a_second_program),
	TAP_TEST(replace_checks_the_expected_program),
	TAP_TEST(native_and_offload_modes_need_a_driver),
	TAP_TEST(missing_interfaces_and_wrong_fds),
	TAP_TEST(kbpf_fds_cannot_be_attached),
	TAP_TEST(one_socket_serves_every_call),
	TAP_TEST(attached_program_sees_lo_packets),
	TAP_TEST(dumps_read_every_part),
	TAP_TEST(dummy_device_from_libnl_route),
	TAP_TEST(veth_takes_native_xdp),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	lo = (int)if_nametoindex("lo");
	if (!abpf_ok(abpf_open(abpf_sys_libc(), NULL, &h)) || lo <= 0) {
		printf("Bail out! no handle or no lo\n");
		return 1;
	}
	shim_run(tests, TAP_COUNT(tests), "netlink: ");
	abpf_unref(h);
	return tap_done();
}
