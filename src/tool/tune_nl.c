// SPDX-License-Identifier: MIT
/* rtnetlink edge of wgmtu tune (see tune_nl.h). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool/tune_nl.h"

struct dump_ctx {
	int ifindex;
	struct tp_route *v;
	size_t n, cap;
	int err;
};

struct route_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct route_attrs *ra = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	ra->tb[type] = a;
	return MNL_CB_OK;
}

static int metrics_cb(const struct nlattr *a, void *data)
{
	struct tp_route *r = data;
	uint32_t lock = 0;

	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(a)) {
	case RTAX_MTU:
		r->mtu = mnl_attr_get_u32(a);
		break;
	case RTAX_LOCK:
		lock = mnl_attr_get_u32(a);
		r->mtu_locked = (lock & (1u << RTAX_MTU)) != 0;
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_attrs ra = { 0 };
	struct tp_route r = { 0 };
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &ra);
	if (ra.tb[RTA_MULTIPATH] || !ra.tb[RTA_OIF] ||
	    mnl_attr_validate(ra.tb[RTA_OIF], MNL_TYPE_U32) < 0 ||
	    (int)mnl_attr_get_u32(ra.tb[RTA_OIF]) != c->ifindex)
		return MNL_CB_OK;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	r.dst.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	if (ra.tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(ra.tb[RTA_DST]) != alen)
			return MNL_CB_OK;
		memcpy(r.dst.addr, mnl_attr_get_payload(ra.tb[RTA_DST]), alen);
	}
	r.table = rtm->rtm_table;
	if (ra.tb[RTA_TABLE] && mnl_attr_validate(ra.tb[RTA_TABLE], MNL_TYPE_U32) >= 0)
		r.table = mnl_attr_get_u32(ra.tb[RTA_TABLE]);
	r.protocol = rtm->rtm_protocol;
	r.scope = rtm->rtm_scope;
	r.type = rtm->rtm_type;
	if (ra.tb[RTA_PRIORITY] && mnl_attr_validate(ra.tb[RTA_PRIORITY], MNL_TYPE_U32) >= 0)
		r.priority = mnl_attr_get_u32(ra.tb[RTA_PRIORITY]);
	if (ra.tb[RTA_PREFSRC] && mnl_attr_get_payload_len(ra.tb[RTA_PREFSRC]) == alen) {
		r.has_prefsrc = true;
		memcpy(r.prefsrc, mnl_attr_get_payload(ra.tb[RTA_PREFSRC]), alen);
	}
	if (ra.tb[RTA_GATEWAY] && mnl_attr_get_payload_len(ra.tb[RTA_GATEWAY]) == alen) {
		r.has_gateway = true;
		memcpy(r.gateway, mnl_attr_get_payload(ra.tb[RTA_GATEWAY]), alen);
	}
	if (ra.tb[RTA_PREF] && mnl_attr_validate(ra.tb[RTA_PREF], MNL_TYPE_U8) >= 0)
		r.pref = mnl_attr_get_u8(ra.tb[RTA_PREF]);
	if (ra.tb[RTA_METRICS])
		mnl_attr_parse_nested(ra.tb[RTA_METRICS], metrics_cb, &r);
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct tp_route *nv = realloc(c->v, nc * sizeof(*nv));

		if (!nv) {
			c->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		c->v = nv;
		c->cap = nc;
	}
	c->v[c->n++] = r;
	return MNL_CB_OK;
}

static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static char buf[32768];
	unsigned portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

int tnl_routes(int ifindex, struct tp_route **out, size_t *n)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct dump_ctx c = { .ifindex = ifindex };
	char buf[8192];
	struct mnl_socket *nl = nl_open();
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!nl)
		return -errno;
	for (size_t i = 0; i < 2 && r == 0; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtmsg *rtm;

		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (uint32_t)time(NULL) + (uint32_t)i;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)fams[i];
		r = talk(nl, nlh, route_cb, &c);
		if (c.err)
			r = c.err;
	}
	mnl_socket_close(nl);
	if (r < 0) {
		free(c.v);
		return r;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

int tnl_apply(const struct tp_action *a, int ifindex)
{
	char buf[8192];
	const struct tp_route *r = &a->r;
	size_t alen = r->dst.family == AF_INET ? 4 : 16;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err;

	if (a->kind == TP_LINK_MTU)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = a->kind == TP_ROUTE_DEL ? RTM_DELROUTE : RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (a->kind == TP_ROUTE_REPLACE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	else if (a->kind == TP_ROUTE_ADD)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)r->dst.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = a->kind == TP_ROUTE_DEL ? RT_SCOPE_NOWHERE : r->scope;
	rtm->rtm_type = r->type ? r->type : RTN_UNICAST;
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, alen, r->dst.addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	if (r->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gateway);
	if (a->kind != TP_ROUTE_DEL) {
		if (r->has_prefsrc)
			mnl_attr_put(nlh, RTA_PREFSRC, alen, r->prefsrc);
		if (r->pref && r->dst.family == AF_INET6)
			mnl_attr_put_u8(nlh, RTA_PREF, r->pref);
		if (r->mtu) {
			struct nlattr *m = mnl_attr_nest_start(nlh, RTA_METRICS);

			mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
			if (r->mtu_locked)
				mnl_attr_put_u32(nlh, RTAX_LOCK, 1u << RTAX_MTU);
			mnl_attr_nest_end(nlh, m);
		}
	}
	nl = nl_open();
	if (!nl)
		return -errno;
	err = talk(nl, nlh, NULL, NULL);
	mnl_socket_close(nl);
	return err;
}
