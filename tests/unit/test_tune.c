// SPDX-License-Identifier: MIT
/* wgmtu doctor/tune's pure core: the `wg show all dump` parser, the
 * verdict and MTUs from a measurement, the route plan, its undo and the
 * commands it prints, the nftables script, and which wgmtud peers doctor
 * leaves to wgmtud. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "tool/doctor.h"
#include "tool/tune_plan.h"
#include "tool/wgdump.h"

#define K1 "fBup5PlA0Xj2XyXo8g7pR8y4nEfVj4a9Y8b2kVb8b1E="
#define K2 "Zk0rDqB0l0sPKd7gYxL3GxW8gC3lW6FQy8nqfXnV0Es="
#define K3 "aW4oRkqzK5J8n7m3bB1pX0d4fQ9sL2tV6uY8wE1rT3c="

static const char dump[] =
	"wg0\tPRIVATEPRIVATEPRIVATEPRIVATEPRIVATEPRIVATE=\t" K1 "\t51820\toff\n"
	"wg0\t" K2 "\t(none)\t10.77.0.1:51820\t10.99.0.1/32,fd99::1/128\t1764633600\t1200\t3400\t25\n"
	"wg0\t" K3 "\t(none)\t(none)\t10.98.0.0/24\t0\t0\t0\toff\n"
	"wg1\t(none)\t(none)\t0\t0xca6c\n"
	"wg1\t" K2 "\t(none)\t[fd77:77:2::2]:443\t0.0.0.0/0,::/0\t0\t0\t0\toff\n";

static void test_dump_parse(void **state)
{
	struct wgm_model m;
	char err[128] = "";
	const struct wgm_iface *i0, *i1;
	char b[64];

	assert_int_equal(wgm_parse_dump(dump, strlen(dump), &m, err, sizeof(err)), 0);
	assert_int_equal(m.n_ifs, 2);
	i0 = wgm_find(&m, "wg0");
	i1 = wgm_find(&m, "wg1");
	assert_non_null(i0);
	assert_non_null(i1);
	assert_null(wgm_find(&m, "wg2"));
	assert_string_equal(i0->pubkey, K1);
	assert_int_equal(i0->listen_port, 51820);
	assert_int_equal(i1->fwmark, 0xca6c);
	assert_int_equal(i0->n_peers, 2);
	assert_true(i0->peers[0].has_endpoint);
	assert_int_equal(i0->peers[0].endpoint.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&i0->peers[0].endpoint)->sin_port), 51820);
	assert_int_equal(i0->peers[0].n_allowed, 2);
	assert_string_equal(wgm_prefix_fmt(&i0->peers[0].allowed[1], b, sizeof(b)), "fd99::1/128");
	assert_int_equal(i0->peers[0].handshake, 1764633600u);
	assert_int_equal(i0->peers[0].rx, 1200);
	assert_int_equal(i0->peers[0].tx, 3400);
	assert_int_equal(i0->peers[0].keepalive, 25);
	assert_false(i0->peers[1].has_endpoint);
	assert_int_equal(i0->peers[1].keepalive, 0);
	/* probe targets: a single host, IPv4 first; none in a /24 */
	assert_string_equal(wgm_prefix_fmt(wgm_peer_host(&i0->peers[0], 0), b, sizeof(b)), "10.99.0.1/32");
	assert_string_equal(wgm_prefix_fmt(wgm_peer_host(&i0->peers[0], AF_INET6), b, sizeof(b)), "fd99::1/128");
	assert_null(wgm_peer_host(&i0->peers[1], 0));
	assert_false(wgm_peer_full_tunnel(&i0->peers[0]));
	assert_true(wgm_peer_full_tunnel(&i1->peers[0]));
	assert_int_equal(i1->peers[0].endpoint.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&i1->peers[0].endpoint)->sin6_port), 443);
	wgm_free(&m);
	/* empty output: no interfaces */
	assert_int_equal(wgm_parse_dump("", 0, &m, err, sizeof(err)), 0);
	assert_int_equal(m.n_ifs, 0);
	wgm_free(&m);
}

static void test_dump_bad(void **state)
{
	static const char *bad[] = {
		/* a peer before its interface */
		"wg0\t" K2 "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n",
		/* 7 fields */
		"wg0\tx\ty\t1\toff\t1\t2\n",
		/* bad port */
		"wg0\t(none)\t(none)\t70000\toff\n",
		/* bad endpoint */
		"wg0\t(none)\t(none)\t0\toff\nwg0\t" K2 "\t(none)\t10.0.0.1\t(none)\t0\t0\t0\toff\n",
		/* bad allowed ip */
		"wg0\t(none)\t(none)\t0\toff\nwg0\t" K2 "\t(none)\t(none)\t10.0.0.1/33\t0\t0\t0\toff\n",
		/* bad counters */
		"wg0\t(none)\t(none)\t0\toff\nwg0\t" K2 "\t(none)\t(none)\t(none)\t-1\t0\t0\toff\n",
		/* a short key */
		"wg0\t(none)\t(none)\t0\toff\nwg0\tabc=\t(none)\t(none)\t(none)\t0\t0\t0\toff\n",
		/* duplicate interface */
		"wg0\t(none)\t(none)\t0\toff\nwg0\t(none)\t(none)\t0\toff\n",
		/* a name too long */
		"wg0123456789abcdef\t(none)\t(none)\t0\toff\n",
		/* bad fwmark */
		"wg0\t(none)\t(none)\t0\t0xzz\n",
	};
	struct wgm_model m;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(wgm_parse_dump(bad[i], strlen(bad[i]), &m, err, sizeof(err)), -EINVAL);
		assert_int_equal(m.n_ifs, 0);
		assert_non_null(strstr(err, "line "));
	}
	/* a NUL inside a line */
	assert_int_equal(wgm_parse_dump("wg0\t(\0ne)\t(none)\t0\toff\n", 24, &m, err, sizeof(err)), -EINVAL);
}

/* `wg show wg0 dump`: the same without the interface column */
static void test_dump_one(void **state)
{
	static const char one[] =
		"PRIVATEPRIVATEPRIVATEPRIVATEPRIVATEPRIVATE=\t" K1 "\t51820\toff\n"
		K2 "\t(none)\t10.77.0.1:51820\t10.99.0.1/32\t1764633600\t1200\t3400\toff\n";
	struct wgm_model m;
	char err[128] = "";

	assert_int_equal(wgm_parse_dump_one(one, strlen(one), "wg0", &m, err, sizeof(err)), 0);
	assert_int_equal(m.n_ifs, 1);
	assert_string_equal(m.ifs[0].name, "wg0");
	assert_int_equal(m.ifs[0].n_peers, 1);
	assert_int_equal(m.ifs[0].peers[0].tx, 3400);
	wgm_free(&m);
	/* the all-interfaces format is not this one, and vice versa */
	assert_int_equal(wgm_parse_dump_one(dump, strlen(dump), "wg0", &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "4 fields"));
	assert_int_equal(wgm_parse_dump(one, strlen(one), &m, err, sizeof(err)), -EINVAL);
	/* two interface lines */
	{
		static const char two[] = "(none)\t(none)\t0\toff\n(none)\t(none)\t0\toff\n";

		assert_int_equal(wgm_parse_dump_one(two, strlen(two), "wg0", &m, err, sizeof(err)), -EINVAL);
	}
	assert_int_equal(wgm_parse_dump_one(one, strlen(one), "", &m, err, sizeof(err)), -EINVAL);
}

static void test_prefix(void **state)
{
	struct wgm_prefix a, b;

	assert_int_equal(wgm_prefix_parse("10.99.0.0/24", &a), 0);
	assert_int_equal(wgm_prefix_parse("10.99.0.7", &b), 0);
	assert_int_equal(b.len, 32);
	assert_true(wgm_prefix_contains(&a, &b));
	assert_false(wgm_prefix_contains(&b, &a));
	assert_false(wgm_prefix_eq(&a, &b));
	assert_int_equal(wgm_prefix_parse("10.99.1.7/32", &b), 0);
	assert_false(wgm_prefix_contains(&a, &b));
	assert_int_equal(wgm_prefix_parse("10.96.0.0/13", &a), 0); /* bits within a byte */
	assert_true(wgm_prefix_contains(&a, &b));
	assert_int_equal(wgm_prefix_parse("10.104.0.0/13", &a), 0);
	assert_false(wgm_prefix_contains(&a, &b));
	assert_int_equal(wgm_prefix_parse("::/0", &a), 0);
	assert_int_equal(wgm_prefix_parse("fd99::1", &b), 0);
	assert_true(wgm_prefix_contains(&a, &b));
	assert_int_equal(wgm_prefix_parse("0.0.0.0/0", &a), 0);
	assert_false(wgm_prefix_contains(&a, &b)); /* other family */
	assert_int_equal(wgm_prefix_parse("fd99::/129", &a), -EINVAL);
	assert_int_equal(wgm_prefix_parse("/24", &a), -EINVAL);
	assert_int_equal(wgm_prefix_parse("10.0.0.1/", &a), -EINVAL);
	assert_int_equal(wgm_prefix_parse("host/24", &a), -EINVAL);
}

/* The story's numbers: a 1454-byte path, interface MTU 1420. */
static void test_judge(void **state)
{
	struct tp_measure m = { .method = TP_M_TUNNEL, .outer_family = AF_INET, .size = 1392,
				.max = 1420, .too_big = 1393, .black_hole = true };
	struct tp_verdict v;

	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.v, TP_BLACK_HOLE);
	assert_int_equal(v.mtu_line, 1392);
	assert_int_equal(v.route_mtu, 1392);
	assert_true(v.padding);
	assert_int_equal(v.path_lo, 1452);
	assert_int_equal(v.path_hi, 1467);
	/* the same with ICMP coming back: at risk, not a black hole */
	m.black_hole = false;
	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.v, TP_AT_RISK);
	/* after tune: the route locks 1392 */
	tp_judge(&m, 1392, 1500, &v);
	assert_int_equal(v.v, TP_OK);
	/* the search reached the maximum: ok */
	m = (struct tp_measure){ .method = TP_M_TUNNEL, .outer_family = AF_INET, .size = 1420, .max = 1420 };
	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.v, TP_OK);
	assert_int_equal(v.path_lo, 1480);
	assert_int_equal(v.path_hi, 0);
	/* outside the tunnel: the exact path; the MTU line and the lock */
	m = (struct tp_measure){ .method = TP_M_ENDPOINT, .outer_family = AF_INET, .size = 1454,
				 .max = 1500, .too_big = 1455, .black_hole = true };
	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.v, TP_BLACK_HOLE);
	assert_int_equal(v.mtu_line, 1394);
	assert_int_equal(v.route_mtu, 1392);
	assert_int_equal(v.path_lo, 1454);
	assert_int_equal(v.path_hi, 1454);
	m.outer_family = AF_INET6;
	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.mtu_line, 1374);
	assert_int_equal(v.route_mtu, 1360);
	/* not measured: only the local outer route can say at risk */
	m = (struct tp_measure){ .method = TP_M_NONE, .outer_family = AF_INET };
	tp_judge(&m, 1420, 1500, &v);
	assert_int_equal(v.v, TP_UNKNOWN);
	tp_judge(&m, 1420, 1454, &v);
	assert_int_equal(v.v, TP_AT_RISK);
	assert_int_equal(v.mtu_line, 1394);
	/* measured ok but the local outer route is smaller than MTU+overhead */
	m = (struct tp_measure){ .method = TP_M_TUNNEL, .outer_family = AF_INET, .size = 1420, .max = 1420 };
	tp_judge(&m, 1420, 1460, &v);
	assert_int_equal(v.v, TP_AT_RISK);
	assert_string_equal(tp_verdict_name(TP_BLACK_HOLE), "black-hole");
}

static struct tp_route route(const char *dst, uint32_t table, uint8_t proto, uint8_t scope,
			     const char *src)
{
	struct tp_route r = { .table = table, .protocol = proto, .scope = scope, .type = 1 };

	assert_int_equal(wgm_prefix_parse(dst, &r.dst), 0);
	if (src) {
		r.has_prefsrc = true;
		assert_int_equal(inet_pton(r.dst.family, src, r.prefsrc), 1);
	}
	return r;
}

static void test_plan_routes(void **state)
{
	struct wgm_model m;
	struct tp_route routes[4];
	struct tp_action a[16], u;
	struct tp_target t[2];
	char err[128], line[256];
	size_t n;

	assert_int_equal(wgm_parse_dump(dump, strlen(dump), &m, err, sizeof(err)), 0);
	/* the connected /24 and /64 (kernel), wg-quick's route for the second peer */
	routes[0] = route("10.99.0.0/24", 254, 2, 253, "10.99.0.2");
	routes[1] = route("fd99::/64", 254, 2, 0, NULL);
	routes[1].priority = 256;
	routes[1].pref = 1; /* RFC 4191: high (medium is 0) */
	routes[2] = route("10.98.0.0/24", 254, 3, 253, NULL);
	routes[3] = route("10.99.0.2/32", 255, 2, 254, "10.99.0.2"); /* local table: ignored */
	t[0] = (struct tp_target){ .peer = &m.ifs[0].peers[0], .mtu = 1392 };
	t[1] = (struct tp_target){ .peer = &m.ifs[0].peers[1], .mtu = 1360 };
	n = tp_plan(1420, t, 2, routes, 4, a, 16);
	assert_int_equal(n, 3);
	/* peer 1: two new host routes, source from the covering route */
	assert_int_equal(a[0].kind, TP_ROUTE_ADD);
	assert_int_equal(tp_format(&a[0], "wg0", line, sizeof(line)) > 0, 1);
	assert_string_equal(line, "ip route add 10.99.0.1/32 dev wg0 table main proto static "
			    "scope link src 10.99.0.2 mtu lock 1392");
	tp_format(&a[1], "wg0", line, sizeof(line));
	assert_string_equal(line, "ip -6 route add fd99::1/128 dev wg0 table main proto static "
			    "scope link mtu lock 1392");
	/* peer 2: its exact route is replaced, attributes kept */
	assert_int_equal(a[2].kind, TP_ROUTE_REPLACE);
	tp_format(&a[2], "wg0", line, sizeof(line));
	assert_string_equal(line, "ip route replace 10.98.0.0/24 dev wg0 table main proto boot "
			    "scope link mtu lock 1360");
	/* undo: delete what was added, put back what was replaced */
	tp_undo(&a[0], routes, 4, 1420, &u);
	tp_format(&u, "wg0", line, sizeof(line));
	assert_string_equal(line, "ip route del 10.99.0.1/32 dev wg0 table main");
	tp_undo(&a[2], routes, 4, 1420, &u);
	tp_format(&u, "wg0", line, sizeof(line));
	assert_string_equal(line, "ip route replace 10.98.0.0/24 dev wg0 table main proto boot scope link");
	/* already right: nothing to do */
	routes[2].mtu = 1360;
	routes[2].mtu_locked = true;
	n = tp_plan(1420, &t[1], 1, routes, 4, a, 16);
	assert_int_equal(n, 0);
	/* locked but another value: replaced again */
	routes[2].mtu = 1392;
	n = tp_plan(1420, &t[1], 1, routes, 4, a, 16);
	assert_int_equal(n, 1);
	/* IPv6 never below 1280 */
	t[0].mtu = 1200;
	n = tp_plan(1420, t, 1, routes, 4, a, 16);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].r.mtu, 1200);
	assert_int_equal(a[1].r.mtu, 1280);
	/* no target: nothing */
	t[0].mtu = 0;
	assert_int_equal(tp_plan(1420, t, 1, routes, 4, a, 16), 0);
	/* the IPv6 route's metric and preference are kept */
	{
		struct wgm_prefix sixty4;
		struct wgm_peer p = { .allowed = &sixty4, .n_allowed = 1 };
		struct tp_target t6 = { .peer = &p, .mtu = 1300 };

		assert_int_equal(wgm_prefix_parse("fd99::/64", &sixty4), 0);
		assert_int_equal(tp_plan(1420, &t6, 1, routes, 4, a, 16), 1);
		tp_format(&a[0], "wg0", line, sizeof(line));
		assert_string_equal(line, "ip -6 route replace fd99::/64 dev wg0 table main metric 256 "
				    "proto kernel scope global pref high mtu lock 1300");
	}
	wgm_free(&m);
}

static void test_plan_full_tunnel(void **state)
{
	struct wgm_model m;
	struct tp_action a[4], u;
	struct tp_target t;
	char err[128], line[128];

	assert_int_equal(wgm_parse_dump(dump, strlen(dump), &m, err, sizeof(err)), 0);
	t = (struct tp_target){ .peer = &m.ifs[1].peers[0], .mtu = 1374 };
	assert_int_equal(tp_plan(1420, &t, 1, NULL, 0, a, 4), 1);
	assert_int_equal(a[0].kind, TP_LINK_MTU);
	tp_format(&a[0], "wg1", line, sizeof(line));
	assert_string_equal(line, "ip link set dev wg1 mtu 1374");
	tp_undo(&a[0], NULL, 0, 1420, &u);
	assert_int_equal(u.mtu, 1420);
	/* already there */
	assert_int_equal(tp_plan(1374, &t, 1, NULL, 0, a, 4), 0);
	wgm_free(&m);
}

static void test_nft_script(void **state)
{
	struct wgm_model m;
	struct tp_target t;
	char err[128], buf[1024], tab[40];

	assert_int_equal(wgm_parse_dump(dump, strlen(dump), &m, err, sizeof(err)), 0);
	t = (struct tp_target){ .peer = &m.ifs[0].peers[0], .mtu = 1392 };
	assert_true(tp_nft_script("wg0", &t, 1, true, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"add table inet wgmtu_wg0\n"
		"delete table inet wgmtu_wg0\n"
		"table inet wgmtu_wg0 {\n"
		"\tchain mss {\n"
		"\t\ttype filter hook forward priority mangle; policy accept;\n"
		"\t\toifname \"wg0\" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu\n"
		"\t\tiifname \"wg0\" ip saddr { 10.99.0.1/32 } tcp flags & (syn | rst) == syn "
		"tcp option maxseg size > 1352 tcp option maxseg size set 1352\n"
		"\t\tiifname \"wg0\" ip6 saddr { fd99::1/128 } tcp flags & (syn | rst) == syn "
		"tcp option maxseg size > 1332 tcp option maxseg size set 1332\n"
		"\t}\n}\n");
	assert_int_equal(tp_nft_script("wg0", &t, 1, true, buf, 64), -ENOSPC);
	tp_nft_table("wg-a.b", tab, sizeof(tab));
	assert_string_equal(tab, "wgmtu_wg_a_b");
	assert_true(tp_nft_delete_script("wg0", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "delete table inet wgmtu_wg0\n");
	wgm_free(&m);
}

static char *nft_json(const struct tp_target *t, size_t nt, bool del)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(del ? tp_nft_delete_json("wg0", false, f) :
			 tp_nft_json("wg0", t, nt, true, false, f), 0);
	fclose(f);
	return buf;
}

/* The document tune loads with nft -j -f - (compact form). */
static void test_nft_json(void **state)
{
	struct wgm_model m;
	struct tp_target t;
	char err[128], *j;

	assert_int_equal(wgm_parse_dump(dump, strlen(dump), &m, err, sizeof(err)), 0);
	t = (struct tp_target){ .peer = &m.ifs[0].peers[0], .mtu = 1392 };
	j = nft_json(&t, 1, false);
	/* replace: add, delete, add the table in one transaction */
	assert_non_null(strstr(j, "{\"nftables\":[{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"wgmtu_wg0\"}}},"
				  "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"wgmtu_wg0\"}}},"
				  "{\"add\":{\"table\""));
	assert_non_null(strstr(j, "\"type\":\"filter\",\"hook\":\"forward\",\"prio\":-150,\"policy\":\"accept\""));
	/* oifname wg0 ... set rt mtu */
	assert_non_null(strstr(j, "{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"wg0\"}}"));
	assert_non_null(strstr(j, "{\"mangle\":{\"key\":{\"tcp option\":{\"name\":\"maxseg\",\"field\":\"size\"}},"
				  "\"value\":{\"rt\":{\"key\":\"mtu\"}}}}"));
	/* the peer's prefixes, per family, with their MSS */
	assert_non_null(strstr(j, "\"set\":[{\"prefix\":{\"addr\":\"10.99.0.1\",\"len\":32}}]"));
	assert_non_null(strstr(j, "\"set\":[{\"prefix\":{\"addr\":\"fd99::1\",\"len\":128}}]"));
	assert_non_null(strstr(j, "\"op\":\">\",\"left\":{\"tcp option\":{\"name\":\"maxseg\",\"field\":\"size\"}},\"right\":1352}"));
	assert_non_null(strstr(j, "\"value\":1332}"));
	/* SYN without RST */
	assert_non_null(strstr(j, "{\"&\":[{\"payload\":{\"protocol\":\"tcp\",\"field\":\"flags\"}},[\"syn\",\"rst\"]]},\"right\":\"syn\""));
	free(j);
	/* no target: only the oifname rule */
	t.mtu = 0;
	j = nft_json(&t, 1, false);
	assert_null(strstr(j, "saddr"));
	free(j);
	j = nft_json(NULL, 0, true);
	assert_string_equal(j, "{\"nftables\":[{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"wgmtu_wg0\"}}}]}\n");
	free(j);
	wgm_free(&m);
}

static void test_peer_active(void **state)
{
	struct tp_activity a = { 0 };
	uint64_t rx = 1000000, tx = 2000000, pb = 0, pn = 0;

	/* the first reading says nothing */
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	/* nothing moved, or only a keepalive and a handshake */
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	rx += 148 + 32;
	tx += 92;
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	/* a full-size segment each way: active */
	rx += 1452;
	assert_true(tp_activity_update(&a, rx, tx, pb, pn));
	/* a confirmation round of ours (1392 and the 1200 control), answered */
	pb += 1392 + 1200;
	pn += 2;
	rx += 1392 + 1200 + 2 * 32;
	tx += 1392 + 1200 + 2 * 32;
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	/* a round sent just before a reading, the replies counted after it:
	 * the echoes of the period before still explain them */
	pb += 1392 + 1200;
	pn += 2;
	tx += 1392 + 1200 + 2 * 32;
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	rx += 1392 + 1200 + 2 * 32;
	assert_false(tp_activity_update(&a, rx, tx, pb, pn));
	/* ... but not two periods later */
	rx += 1392 + 1200 + 2 * 32;
	assert_true(tp_activity_update(&a, rx, tx, pb, pn));
	/* our round plus a full-size TCP segment: active */
	pb += 1392 + 1200;
	pn += 2;
	rx += 1392 + 1200 + 2 * 32 + 1452;
	tx += 1392 + 1200 + 2 * 32;
	assert_true(tp_activity_update(&a, rx, tx, pb, pn));
	/* counters reset (the peer was removed and added again): not active */
	assert_false(tp_activity_update(&a, 0, 0, pb, pn));
}

/* doctor trusts wgmtud only for a peer whose path it measures; probing
 * off (method none), a pinned MTU and RFC 8899's error state are measured
 * by doctor itself (a false "ok" there hid black holes) */
static void test_wgmtud_guards(void **state)
{
	(void)state;
	assert_true(doctor_wgmtud_guards("inband", "search_complete"));
	assert_true(doctor_wgmtud_guards("icmp-tunnel", "searching"));
	assert_true(doctor_wgmtud_guards("icmp-endpoint", "search_complete"));
	assert_true(doctor_wgmtud_guards("inband", "base"));
	assert_false(doctor_wgmtud_guards("none", "disabled"));
	assert_false(doctor_wgmtud_guards("pinned", "disabled"));
	assert_false(doctor_wgmtud_guards("inband", "error"));
	assert_false(doctor_wgmtud_guards("inband", "disabled"));
	assert_false(doctor_wgmtud_guards("icmp-endpoint", "?"));
	assert_false(doctor_wgmtud_guards("", ""));
	assert_false(doctor_wgmtud_guards(NULL, "search_complete"));
	assert_false(doctor_wgmtud_guards("inband", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_parse),
		cmocka_unit_test(test_dump_bad),
		cmocka_unit_test(test_dump_one),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_plan_routes),
		cmocka_unit_test(test_plan_full_tunnel),
		cmocka_unit_test(test_nft_script),
		cmocka_unit_test(test_nft_json),
		cmocka_unit_test(test_peer_active),
		cmocka_unit_test(test_wgmtud_guards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
