// SPDX-License-Identifier: MIT
/*
 * wgmtu analyze: the dissector on crafted frames (every link type, IPv4 and
 * IPv6, fragments, ICMP too-big, snaplen cuts, malformed headers), the
 * one-capture verdict on synthetic flows, and two-capture matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/buf.h"
#include "tool/analyze_dissect.h"
#include "tool/analyze_match.h"
#include "tool/analyze_model.h"
#include "tool/analyze_svg.h"
#include "wire/messages.h"

/* --- frame builder ------------------------------------------------------ */

struct frame {
	uint8_t b[2048];
	size_t len;
};

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 10, 0, 0, 2 };
static const uint8_t A6[16] = { 0xfd, 0, [15] = 1 }, B6[16] = { 0xfd, 0, [15] = 2 };

/* A WireGuard message of len bytes: type, indices, counter, zero body. */
static size_t wg_msg(uint8_t *p, uint8_t type, size_t len, uint32_t a, uint32_t b, uint64_t ctr)
{
	memset(p, 0, len);
	p[0] = type;
	if (len >= 8)
		put_le32(p + 4, a);
	if (len >= 12 && type != WG_MSG_DATA)
		put_le32(p + 8, b);
	if (type == WG_MSG_DATA && len >= 16)
		put_le64(p + 8, ctr);
	return len;
}

/* IPv4 (or 6) + UDP around payload, fragment field frag (IPv4 only). */
static size_t ip_udp(uint8_t *p, int fam, const uint8_t *pl, size_t plen, uint16_t frag)
{
	size_t h = fam == 4 ? 20 : 40;

	memset(p, 0, h + 8);
	if (fam == 4) {
		p[0] = 0x45;
		put_be16(p + 2, (uint16_t)(h + 8 + plen));
		put_be16(p + 6, frag);
		p[8] = 64;
		p[9] = 17;
		memcpy(p + 12, A4, 4);
		memcpy(p + 16, B4, 4);
	} else {
		p[0] = 0x60;
		put_be16(p + 4, (uint16_t)(8 + plen));
		p[6] = 17;
		p[7] = 64;
		memcpy(p + 8, A6, 16);
		memcpy(p + 24, B6, 16);
	}
	put_be16(p + h, 51820);
	put_be16(p + h + 2, 41000);
	put_be16(p + h + 4, (uint16_t)(8 + plen));
	memcpy(p + h + 8, pl, plen);
	return h + 8 + plen;
}

static void eth(struct frame *f, int fam, const uint8_t *pl, size_t plen)
{
	memset(f->b, 0xaa, 12);
	put_be16(f->b + 12, fam == 4 ? 0x0800 : 0x86dd);
	f->len = 14 + ip_udp(f->b + 14, fam, pl, plen, 0);
}

static void dis(const struct frame *f, struct ana_pkt *p)
{
	ana_dissect(ANA_LINK_ETHERNET, f->b, f->len, f->len, p);
}

/* --- dissector ------------------------------------------------------------ */

static void test_handshake_messages(void **state)
{
	uint8_t m[256];
	struct frame f;
	struct ana_pkt p;

	(void)state;
	eth(&f, 4, m, wg_msg(m, 1, 148, 0x11223344, 0, 0));
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.wg_type, WG_MSG_HANDSHAKE_INITIATION);
	assert_true(p.wg_have_ids);
	assert_int_equal(p.wg_sender, 0x11223344);
	assert_int_equal(p.udp_len, 148);
	assert_int_equal(p.ip_len, 176);
	assert_int_equal(p.key.sport, 51820);
	assert_int_equal(p.key.dport, 41000);
	assert_int_equal(p.ttl, 64);
	assert_memory_equal(p.key.src.a, A4, 4);

	eth(&f, 6, m, wg_msg(m, 2, 92, 0xaabbccdd, 0x11223344, 0));
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.wg_type, WG_MSG_HANDSHAKE_RESPONSE);
	assert_int_equal(p.wg_sender, 0xaabbccdd);
	assert_int_equal(p.wg_receiver, 0x11223344);
	assert_int_equal(p.ip_len, 40 + 8 + 92);
	assert_int_equal(p.key.src.fam, 6);

	eth(&f, 4, m, wg_msg(m, 3, 64, 0x55667788, 0, 0));
	dis(&f, &p);
	assert_int_equal(p.wg_type, WG_MSG_HANDSHAKE_COOKIE);
	assert_int_equal(p.wg_receiver, 0x55667788);
}

static void test_transport(void **state)
{
	uint8_t m[1600];
	struct frame f;
	struct ana_pkt p;

	(void)state;
	eth(&f, 4, m, wg_msg(m, 4, 32, 0xdeadbeef, 0, 0x0102030405060708ULL));
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.wg_type, WG_MSG_DATA);
	assert_int_equal(p.wg_receiver, 0xdeadbeef);
	assert_true(p.wg_counter == 0x0102030405060708ULL); /* little-endian */
	assert_false(p.wg_unpadded);

	/* 1452 = 32 + 1420: a full-MTU packet off the 16-byte grid */
	eth(&f, 4, m, wg_msg(m, 4, 1452, 7, 0, 99));
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_true(p.wg_unpadded);
	assert_int_equal(p.dgram_ip_len, 1480);
	assert_false(p.truncated);
}

static void test_not_wireguard(void **state)
{
	uint8_t m[256];
	struct frame f;
	struct ana_pkt p;

	(void)state;
	eth(&f, 4, m, wg_msg(m, 4, 31, 1, 0, 0)); /* shorter than a keepalive */
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	eth(&f, 4, m, wg_msg(m, 1, 147, 1, 0, 0)); /* initiation one byte short */
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	eth(&f, 4, m, wg_msg(m, 2, 148, 1, 0, 0)); /* response of initiation length */
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	wg_msg(m, 4, 64, 1, 0, 0);
	m[2] = 1; /* reserved byte set */
	eth(&f, 4, m, 64);
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	eth(&f, 6, m, wg_msg(m, 5, 64, 1, 0, 0)); /* unknown type */
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	assert_int_equal(p.udp_len, 64);
	assert_int_equal(p.payload_cap, 64);
}

static void test_snaplen_cut(void **state)
{
	uint8_t m[1600];
	struct frame f;
	struct ana_pkt p;

	(void)state;
	eth(&f, 4, m, wg_msg(m, 4, 1452, 0x42, 0, 1234));
	/* tcpdump -s 64: Ethernet + IP + UDP + 22 bytes of WireGuard */
	ana_dissect(ANA_LINK_ETHERNET, f.b, 64, f.len, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_true(p.truncated);
	assert_true(p.wg_have_ids);
	assert_int_equal(p.wg_counter, 1234);
	assert_int_equal(p.udp_len, 1452); /* from the UDP header */
	assert_int_equal(p.dgram_ip_len, 1480);
	/* cut inside the counter: still WireGuard, ids unknown */
	ana_dissect(ANA_LINK_ETHERNET, f.b, 14 + 28 + 10, f.len, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_false(p.wg_have_ids);
	assert_true(p.truncated);
	/* cut before the WireGuard header: a UDP datagram we cannot classify */
	ana_dissect(ANA_LINK_ETHERNET, f.b, 14 + 28 + 2, f.len, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	assert_true(p.truncated);
	/* cut inside the IP header */
	ana_dissect(ANA_LINK_ETHERNET, f.b, 14 + 10, f.len, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	assert_true(p.truncated);
	assert_non_null(p.bad);
	/* nothing at all */
	ana_dissect(ANA_LINK_ETHERNET, f.b, 0, 0, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
}

static void test_link_types(void **state)
{
	uint8_t m[256], ip[512], fr[600];
	size_t n = ip_udp(ip, 4, m, wg_msg(m, 4, 48, 9, 0, 5), 0), n6;
	struct ana_pkt p;

	(void)state;
	/* raw IP (both DLT numbers), raw IPv4 */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	ana_dissect(ANA_LINK_LINKTYPE_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	ana_dissect(ANA_LINK_IPV4, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	ana_dissect(ANA_LINK_IPV6, ip, n, n, &p); /* IPv4 on an IPv6 link */
	assert_int_equal(p.kind, ANA_K_BAD);
	/* Linux cooked v1: 16 bytes, protocol last */
	memset(fr, 0, 16);
	put_be16(fr + 14, 0x0800);
	memcpy(fr + 16, ip, n);
	ana_dissect(ANA_LINK_SLL, fr, n + 16, n + 16, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.wg_counter, 5);
	/* Linux cooked v2: 20 bytes, protocol first */
	memset(fr, 0, 20);
	put_be16(fr, 0x0800);
	memcpy(fr + 20, ip, n);
	ana_dissect(ANA_LINK_SLL2, fr, n + 20, n + 20, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	/* BSD loopback, host order (little-endian here and big-endian) */
	put_le32(fr, 2);
	memcpy(fr + 4, ip, n);
	ana_dissect(ANA_LINK_NULL, fr, n + 4, n + 4, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	put_be32(fr, 2);
	ana_dissect(ANA_LINK_NULL, fr, n + 4, n + 4, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	n6 = ip_udp(ip, 6, m, 48, 0);
	put_be32(fr, 30); /* AF_INET6 on macOS, network order (LOOP) */
	memcpy(fr + 4, ip, n6);
	ana_dissect(ANA_LINK_LOOP, fr, n6 + 4, n6 + 4, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.key.src.fam, 6);
	/* VLAN-tagged Ethernet */
	memset(fr, 0, 12);
	put_be16(fr + 12, 0x8100);
	put_be16(fr + 14, 42);
	put_be16(fr + 16, 0x86dd);
	memcpy(fr + 18, ip, n6);
	ana_dissect(ANA_LINK_ETHERNET, fr, n6 + 18, n6 + 18, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	/* ARP is not IP, and not an error */
	put_be16(fr + 12, 0x0806);
	ana_dissect(ANA_LINK_ETHERNET, fr, 60, 60, &p);
	assert_int_equal(p.kind, ANA_K_NOT_IP);
	/* unknown link type */
	ana_dissect(147, fr, 60, 60, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	assert_false(ana_link_supported(147));
	assert_true(ana_link_supported(ANA_LINK_SLL2));
}

static void test_fragments(void **state)
{
	uint8_t m[1600], ip[1700];
	struct ana_pkt p;
	size_t n;

	(void)state;
	/* IPv4 first fragment: MF, offset 0; the datagram is 1480 bytes */
	wg_msg(m, 4, 1452, 3, 0, 77);
	n = ip_udp(ip, 4, m, 1452, 0x2000);
	put_be16(ip + 2, 1454); /* this fragment */
	ana_dissect(ANA_LINK_RAW, ip, 1454, 1454, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_true(p.frag);
	assert_true(p.frag_first);
	assert_int_equal(p.ip_len, 1454);
	assert_int_equal(p.dgram_ip_len, 1480);
	assert_int_equal(p.wg_counter, 77);
	/* IPv4 later fragment */
	put_be16(ip + 2, 46);
	put_be16(ip + 6, 179); /* offset 179*8 = 1432 */
	ana_dissect(ANA_LINK_RAW, ip, 46, 46, &p);
	assert_int_equal(p.kind, ANA_K_FRAG);
	assert_true(p.frag);
	(void)n;

	/* IPv6 with a fragment header: first and a later fragment */
	memset(ip, 0, 48);
	ip[0] = 0x60;
	put_be16(ip + 4, 8 + 8 + 200);
	ip[6] = 44;
	ip[7] = 64;
	memcpy(ip + 8, A6, 16);
	memcpy(ip + 24, B6, 16);
	ip[40] = 17;            /* next header UDP */
	put_be16(ip + 42, 0x0001); /* offset 0, M */
	put_be16(ip + 48, 51820);
	put_be16(ip + 50, 51820);
	put_be16(ip + 52, 8 + 1452);
	wg_msg(ip + 56, 4, 200, 0x99, 0, 5);
	ana_dissect(ANA_LINK_RAW, ip, 40 + 216, 40 + 216, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_true(p.frag_first);
	assert_int_equal(p.udp_len, 1452);
	assert_int_equal(p.dgram_ip_len, 1500);
	assert_int_equal(p.wg_receiver, 0x99);
	put_be16(ip + 42, 0x0100); /* offset 32 */
	ana_dissect(ANA_LINK_RAW, ip, 40 + 216, 40 + 216, &p);
	assert_int_equal(p.kind, ANA_K_FRAG);
}

static void test_icmp_too_big(void **state)
{
	uint8_t m[256], ip[512], q[256];
	size_t qn, h;
	struct ana_pkt p;

	(void)state;
	qn = ip_udp(q, 4, m, wg_msg(m, 4, 64, 1, 0, 0), 0);
	memset(ip, 0, 28);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(28 + 36));
	ip[8] = 63;
	ip[9] = 1;
	ip[20] = 3; /* destination unreachable */
	ip[21] = 4; /* fragmentation needed */
	put_be16(ip + 26, 1454);
	memcpy(ip + 28, q, 36); /* quoted header + 8 bytes */
	ana_dissect(ANA_LINK_RAW, ip, 64, 64, &p);
	assert_int_equal(p.kind, ANA_K_PTB);
	assert_int_equal(p.ptb_mtu, 1454);
	assert_true(p.ptb_have_flow);
	assert_int_equal(p.key.sport, 51820);
	assert_int_equal(p.key.dport, 41000);
	assert_memory_equal(p.key.src.a, A4, 4);
	/* other ICMP (echo) is just other IP */
	ip[20] = 8;
	ip[21] = 0;
	ana_dissect(ANA_LINK_RAW, ip, 64, 64, &p);
	assert_int_equal(p.kind, ANA_K_OTHER_IP);

	/* ICMPv6 packet too big, quoted header cut after the addresses */
	qn = ip_udp(q, 6, m, 64, 0);
	(void)qn;
	h = 40;
	memset(ip, 0, h + 8);
	ip[0] = 0x60;
	put_be16(ip + 4, 8 + 48);
	ip[6] = 58;
	ip[7] = 64;
	ip[h] = 2;
	put_be32(ip + h + 4, 1280);
	memcpy(ip + h + 8, q, 48);
	ana_dissect(ANA_LINK_RAW, ip, h + 56, h + 56, &p);
	assert_int_equal(p.kind, ANA_K_PTB);
	assert_int_equal(p.ptb_mtu, 1280);
	assert_true(p.ptb_have_flow);
	ana_dissect(ANA_LINK_RAW, ip, h + 8 + 30, h + 56, &p);
	assert_int_equal(p.kind, ANA_K_PTB);
	assert_false(p.ptb_have_flow);
	assert_true(p.truncated);
}

static void test_malformed(void **state)
{
	uint8_t m[64], ip[256];
	size_t n = ip_udp(ip, 4, m, wg_msg(m, 4, 32, 1, 0, 0), 0);
	struct ana_pkt p;

	(void)state;
	ip[0] = 0x44; /* IHL 4 */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	ip[0] = 0x45;
	put_be16(ip + 2, 10); /* total < header */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	put_be16(ip + 2, (uint16_t)n);
	put_be16(ip + 24, 200); /* UDP length beyond the packet */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	put_be16(ip + 24, 4); /* UDP length below its header */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
	ip[0] = 0x75; /* version 7 */
	ana_dissect(ANA_LINK_RAW, ip, n, n, &p);
	assert_int_equal(p.kind, ANA_K_BAD);
}

/* --- one-capture model ---------------------------------------------------- */

/* Feeds a WireGuard data packet src->dst into c. */
static void feed(struct ana_cap *c, int fwd, uint64_t ts, uint32_t len, uint32_t idx,
		 uint64_t ctr, uint8_t ttl)
{
	uint8_t m[1600];
	struct frame f;
	struct ana_pkt p;

	eth(&f, 4, m, wg_msg(m, 4, len, idx, 0, ctr));
	if (!fwd) { /* swap addresses and ports */
		memcpy(f.b + 14 + 12, B4, 4);
		memcpy(f.b + 14 + 16, A4, 4);
		put_be16(f.b + 34, 41000);
		put_be16(f.b + 36, 51820);
	}
	f.b[14 + 8] = ttl;
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(ana_cap_add(c, ts, &p), 0);
}

/* The story, seen at the server: a request comes in, the answer's small
 * head goes out, then 1452-byte datagrams again and again, no reply. */
static void story_server(struct ana_cap *c, bool lossy_replies)
{
	uint64_t t = 1000000, cs = 0, cc = 0;

	feed(c, 0, t, 96, 0xc1, cc++, 64);          /* client: SYN */
	feed(c, 1, t + 1000, 96, 0x51, cs++, 64);   /* server: SYN-ACK */
	feed(c, 0, t + 2000, 176, 0xc1, cc++, 64);  /* request */
	feed(c, 1, t + 3000, 96, 0x51, cs++, 64);
	feed(c, 1, t + 4000, 864, 0x51, cs++, 64);  /* response head */
	for (int i = 0; i < 16; i++) {
		feed(c, 1, t + 5000 + (uint64_t)i * 400000, 1452, 0x51, cs++, 64);
		if (lossy_replies)
			feed(c, 0, t + 6000 + (uint64_t)i * 400000, 96, 0xc1, cc++, 64);
	}
}

static void test_one_capture_black_hole(void **state)
{
	struct ana_cap c;
	int d;

	(void)state;
	ana_cap_init(&c, "s.pcap", false);
	story_server(&c, false);
	ana_cap_finish(&c);
	assert_int_equal(c.verdict, ANA_BLACK_HOLE);
	assert_int_equal(c.n_dirs, 2);
	d = c.dirs[0].verdict == ANA_BLACK_HOLE ? 0 : 1;
	assert_int_equal(c.dirs[d].key.sport, 51820); /* the server's direction */
	assert_int_equal(c.dirs[d].sizes[c.dirs[d].bh_size].udp_len, 1452);
	assert_int_equal(c.dirs[d].sizes[c.dirs[d].bh_size].count, 16);
	assert_int_equal(c.dirs[d].unpadded_udp, 1452);
	ana_cap_free(&c);

	/* the same sizes, but every big one is answered: a healthy transfer */
	ana_cap_init(&c, "s.pcap", false);
	story_server(&c, true);
	ana_cap_finish(&c);
	assert_int_equal(c.verdict, ANA_HEALTHY);
	ana_cap_free(&c);
}

/* A healthy bulk transfer to a receiver whose GRO coalesces: one ACK per
 * 60 big packets, but 5000 big packets a second: a stream, not a stall. */
static void test_one_capture_gro_bulk_is_healthy(void **state)
{
	struct ana_cap c;
	uint64_t t = 1000000, cs = 0, cc = 0;

	(void)state;
	ana_cap_init(&c, "s.pcap", false);
	feed(&c, 0, t, 176, 0xc1, cc++, 64);
	feed(&c, 1, t + 100, 96, 0x51, cs++, 64);
	for (int i = 0; i < 6000; i++) {
		feed(&c, 1, t + 1000 + (uint64_t)i * 200, 1452, 0x51, cs++, 64);
		if (i % 60 == 59)
			feed(&c, 0, t + 1100 + (uint64_t)i * 200, 96, 0xc1, cc++, 64);
	}
	ana_cap_finish(&c);
	assert_int_equal(c.verdict, ANA_HEALTHY);
	ana_cap_free(&c);
}

static void test_one_capture_ptb_is_no_black_hole(void **state)
{
	struct ana_cap c;
	uint8_t ip[128], m[64], q[128];
	struct ana_pkt p;

	(void)state;
	ana_cap_init(&c, "s.pcap", false);
	story_server(&c, false);
	/* a router's frag-needed quoting the server's flow A:51820 -> B:41000 */
	ip_udp(q, 4, m, wg_msg(m, 4, 64, 1, 0, 0), 0);
	memset(ip, 0, 28);
	ip[0] = 0x45;
	put_be16(ip + 2, 64);
	ip[9] = 1;
	ip[20] = 3;
	ip[21] = 4;
	put_be16(ip + 26, 1454);
	memcpy(ip + 28, q, 36);
	ana_dissect(ANA_LINK_RAW, ip, 64, 64, &p);
	assert_int_equal(p.kind, ANA_K_PTB);
	assert_int_equal(ana_cap_add(&c, 9000000, &p), 0);
	ana_cap_finish(&c);
	assert_int_not_equal(c.verdict, ANA_BLACK_HOLE);
	assert_int_equal(c.ptb_total, 1);
	ana_cap_free(&c);
}

static void test_counter_gaps(void **state)
{
	struct ana_cap c;

	(void)state;
	ana_cap_init(&c, "r.pcap", false);
	for (uint64_t i = 0; i < 100; i++)
		if (i % 10 != 3)      /* 10 counters never arrive */
			feed(&c, 1, 1000 + i, 96 + (uint32_t)(i % 3) * 16, 7, i, 62);
	feed(&c, 1, 2000, 96, 7, 50, 62); /* a duplicate is not a gap filler */
	ana_cap_finish(&c);
	assert_int_equal(c.dirs[0].missing, 10);
	assert_int_equal(c.dirs[0].verdict, ANA_LOSS);
	assert_int_equal(c.verdict, ANA_LOSS);
	ana_cap_free(&c);
}

/* --- two-capture matching ------------------------------------------------- */

/* Sender capture s and receiver capture r of one direction A->B (index
 * 0x51): sizes cycle through small ones and 1452; drop(i, size) says
 * whether packet i is lost. */
static void two(struct ana_cap *s, struct ana_cap *r, bool (*drop)(int, uint32_t))
{
	static const uint32_t sizes[] = { 96, 176, 864, 1452 };

	ana_cap_init(s, "sender.pcap", true);
	ana_cap_init(r, "receiver.pcap", true);
	for (int i = 0; i < 80; i++) {
		uint32_t len = sizes[i % 4];

		feed(s, 1, 5000000 + (uint64_t)i * 1000, len, 0x51, (uint64_t)i, 64);
		if (!drop(i, len))
			/* the receiver's clock is an hour off */
			feed(r, 1, 3600000000ULL + (uint64_t)i * 1000, len, 0x51, (uint64_t)i, 62);
	}
	/* the reverse direction, all delivered */
	for (int i = 0; i < 20; i++) {
		feed(r, 0, 3600000500ULL + (uint64_t)i * 4000, 96, 0xc1, (uint64_t)i, 64);
		feed(s, 0, 5000500 + (uint64_t)i * 4000, 96, 0xc1, (uint64_t)i, 62);
	}
	ana_cap_finish(s);
	ana_cap_finish(r);
}

static bool drop_big(int i, uint32_t len) { (void)i; return len == 1452; }
static bool drop_random(int i, uint32_t len) { (void)len; return (i * 7) % 11 == 3; }
static bool drop_none(int i, uint32_t len) { (void)i; (void)len; return false; }

static const struct ana_mdir *mdir_of(const struct ana_match *m, struct ana_cap **c,
				      uint16_t sport)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (c[m->d[i].sender]->dirs[m->d[i].dir].key.sport == sport)
			return &m->d[i];
	fail_msg("no direction from port %u", sport);
	return NULL;
}

static void test_match_black_hole(void **state)
{
	struct ana_cap s, r;
	struct ana_match m;
	const struct ana_mdir *x;

	(void)state;
	for (int order = 0; order < 2; order++) {
		struct ana_cap *c[2];

		two(&s, &r, drop_big);
		c[0] = order ? &r : &s;
		c[1] = order ? &s : &r;
		assert_int_equal(ana_match_run(c, &m), 0);
		assert_int_equal(m.verdict, ANA_BLACK_HOLE);
		x = mdir_of(&m, c, 51820);
		assert_ptr_equal(c[x->sender], &s); /* the higher TTL sent it */
		assert_int_equal(x->sent, 80);
		assert_int_equal(x->lost, 20);
		assert_int_equal(x->received, 60);
		assert_int_equal(x->max_delivered, 892);
		assert_int_equal(x->min_lost, 1480);
		assert_int_equal(x->min_lost_udp, 1452);
		assert_int_equal(x->verdict, ANA_BLACK_HOLE);
		x = mdir_of(&m, c, 41000);
		assert_ptr_equal(c[x->sender], &r);
		assert_int_equal(x->lost, 0);
		assert_int_equal(x->verdict, ANA_HEALTHY);
		ana_match_free(&m);
		ana_cap_free(&s);
		ana_cap_free(&r);
	}
}

static void test_match_random_loss_and_healthy(void **state)
{
	struct ana_cap s, r, *c[2] = { &s, &r };
	struct ana_match m;
	const struct ana_mdir *x;

	(void)state;
	two(&s, &r, drop_random);
	assert_int_equal(ana_match_run(c, &m), 0);
	assert_int_equal(m.verdict, ANA_LOSS);
	x = mdir_of(&m, c, 51820);
	assert_true(x->lost > 0);
	assert_true(x->min_lost <= x->max_delivered); /* no size pattern */
	assert_int_equal(x->verdict, ANA_LOSS);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);

	two(&s, &r, drop_none);
	/* another peer's session, only in the server's capture: not a loss */
	for (int i = 0; i < 10; i++)
		feed(&s, 1, 9000000 + (uint64_t)i, 96, 0x77, (uint64_t)i, 64);
	ana_cap_finish(&s);
	assert_int_equal(ana_match_run(c, &m), 0);
	assert_int_equal(m.verdict, ANA_HEALTHY);
	assert_int_equal(m.unmatched_groups, 1);
	assert_int_equal(m.unmatched_pkts, 10);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);
}

/* The receiver started capturing late: what it could not see is not lost. */
static void test_match_late_start(void **state)
{
	struct ana_cap s, r, *c[2] = { &s, &r };
	struct ana_match m;
	const struct ana_mdir *x;

	(void)state;
	ana_cap_init(&s, "s", true);
	ana_cap_init(&r, "r", true);
	for (int i = 0; i < 30; i++) {
		feed(&s, 1, (uint64_t)i, 96, 9, (uint64_t)i, 64);
		if (i >= 10)
			feed(&r, 1, (uint64_t)i, 96, 9, (uint64_t)i, 63);
	}
	ana_cap_finish(&s);
	ana_cap_finish(&r);
	assert_int_equal(ana_match_run(c, &m), 0);
	x = mdir_of(&m, c, 51820);
	assert_int_equal(x->lost, 0);
	assert_int_equal(x->before, 10);
	assert_int_equal(m.verdict, ANA_HEALTHY);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);
}

/* Plain UDP (not WireGuard) is matched by payload: a DNS-like flow whose
 * big answers vanish. */
static void feed_udp(struct ana_cap *c, uint64_t ts, uint32_t len, uint32_t seq, uint8_t ttl)
{
	uint8_t m[1600];
	struct frame f;
	struct ana_pkt p;

	memset(m, 0x5a, len);
	put_be32(m, seq | 0x80000000u); /* first byte >= 0x80: never a WireGuard type */
	eth(&f, 6, m, len);
	f.b[14 + 7] = ttl;
	dis(&f, &p);
	assert_int_equal(p.kind, ANA_K_UDP);
	assert_int_equal(ana_cap_add(c, ts, &p), 0);
}

/* "tcpdump -i any" saw every packet of the sender twice: not losses. */
static void test_match_duplicates(void **state)
{
	struct ana_cap s, r, *c[2] = { &s, &r };
	struct ana_match m;

	(void)state;
	ana_cap_init(&s, "s", true);
	ana_cap_init(&r, "r", true);
	for (int i = 0; i < 20; i++) {
		feed(&s, 1, (uint64_t)i * 10, 96, 5, (uint64_t)i, 64);
		feed(&s, 1, (uint64_t)i * 10 + 1, 96, 5, (uint64_t)i, 64);
		feed(&r, 1, (uint64_t)i * 10, 96, 5, (uint64_t)i, 63);
	}
	ana_cap_finish(&s);
	ana_cap_finish(&r);
	assert_int_equal(ana_match_run(c, &m), 0);
	assert_int_equal(m.duplicates, 20);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.d[0].lost, 0);
	assert_int_equal(m.d[0].sent, 20);
	assert_int_equal(m.verdict, ANA_HEALTHY);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);
}

static void test_match_plain_udp(void **state)
{
	struct ana_cap s, r, *c[2] = { &r, &s };
	struct ana_match m;

	(void)state;
	ana_cap_init(&s, "s", true);
	ana_cap_init(&r, "r", true);
	for (uint32_t i = 0; i < 40; i++) {
		uint32_t len = i % 2 ? 1400 : 60;

		feed_udp(&s, i, len, i, 64);
		if (len < 1400)
			feed_udp(&r, 99999 + i, len, i, 61);
	}
	ana_cap_finish(&s);
	ana_cap_finish(&r);
	assert_int_equal(ana_match_run(c, &m), 0);
	assert_int_equal(m.n, 1);
	assert_false(m.d[0].wg);
	assert_ptr_equal(c[m.d[0].sender], &s);
	assert_int_equal(m.d[0].sent, 40);
	assert_int_equal(m.d[0].lost, 20);
	assert_int_equal(m.d[0].min_lost, 40 + 8 + 1400);
	assert_int_equal(m.d[0].max_delivered, 40 + 8 + 60);
	assert_int_equal(m.verdict, ANA_BLACK_HOLE);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);
}

/* --- GSO/GRO super-packets and wgmtud probes ---------------------------- */

/* A raw IPv4 UDP packet holding n WireGuard data messages to receiver 0x51
 * with counters ctr0.., each seg bytes but the last (last bytes). */
static size_t super_pkt(uint8_t *p, uint32_t n, uint32_t seg, uint32_t last, uint64_t ctr0)
{
	static uint8_t pl[65536];
	size_t off = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = i + 1 < n ? seg : last;

		wg_msg(pl + off, 4, len, 0x51, 0, ctr0 + i);
		/* ciphertext-like body, never a header */
		for (uint32_t k = 16; k < len; k++)
			pl[off + k] = (uint8_t)(k * 7 + 3);
		off += len;
	}
	return ip_udp(p, 4, pl, off, 0);
}

static void test_gso_split(void **state)
{
	static uint8_t b[65536];
	struct ana_pkt p, q;
	size_t len;

	(void)state;
	/* 3 x 1426 + 992: tcpdump says "UDP, length 5270" */
	len = super_pkt(b, 4, 1426, 992, 100);
	ana_dissect(ANA_LINK_RAW, b, len, len, &p);
	assert_int_equal(p.kind, ANA_K_WG);
	assert_int_equal(p.udp_len, 3 * 1426 + 992);
	assert_int_equal(ana_gso_size(&p), 1426);
	for (uint32_t i = 0; i < 4; i++) {
		ana_gso_segment(&p, 1426, i, &q);
		assert_true(q.gso);
		assert_int_equal(q.gso_i, i);
		assert_int_equal(q.udp_len, i < 3 ? 1426 : 992);
		assert_int_equal(q.ip_len, q.udp_len + 28);
		assert_int_equal(q.dgram_ip_len, q.ip_len);
		assert_int_equal(q.wg_counter, 100 + i);
		assert_int_equal(q.wg_receiver, 0x51);
		assert_int_equal(q.wg_unpadded, i < 3); /* 1426 is off the grid, 992 on */
	}
	/* IPv6 and equal segments: 45 x 1426, tcpdump's 64170 */
	{
		static uint8_t pl[65536];

		for (uint32_t i = 0; i < 45; i++) {
			wg_msg(pl + i * 1426, 4, 1426, 0x77, 0, 9 + i);
			memset(pl + i * 1426 + 16, 0x5a, 1426 - 16);
		}
		len = ip_udp(b, 6, pl, 45 * 1426, 0);
		ana_dissect(ANA_LINK_RAW, b, len, len, &p);
		assert_int_equal(ana_gso_size(&p), 1426);
		ana_gso_segment(&p, 1426, 44, &q);
		assert_int_equal(q.ip_len, 40 + 8 + 1426);
		assert_int_equal(q.wg_counter, 9 + 44);
	}
	/* one datagram: nothing to split */
	len = super_pkt(b, 1, 0, 1452, 7);
	ana_dissect(ANA_LINK_RAW, b, len, len, &p);
	assert_int_equal(ana_gso_size(&p), 0);
	/* a later boundary without a message: not a super-packet */
	len = super_pkt(b, 4, 1426, 992, 100);
	b[28 + 2 * 1426 + 4] ^= 1; /* third message names another receiver */
	ana_dissect(ANA_LINK_RAW, b, len, len, &p);
	assert_int_equal(ana_gso_size(&p), 0);
	/* a header-like block with an older counter inside a body is no boundary */
	len = super_pkt(b, 1, 0, 1452, 50);
	wg_msg(b + 28 + 512, 4, 16, 0x51, 0, 49);
	ana_dissect(ANA_LINK_RAW, b, len, len, &p);
	assert_int_equal(ana_gso_size(&p), 0);
	/* cut by the snaplen after the second header: split, the counters
	 * of the segments beyond the capture run on */
	len = super_pkt(b, 4, 1426, 992, 100);
	ana_dissect(ANA_LINK_RAW, b, 2000, len, &p);
	assert_true(p.truncated);
	assert_int_equal(ana_gso_size(&p), 1426);
	ana_gso_segment(&p, 1426, 0, &q);
	assert_false(q.truncated);
	ana_gso_segment(&p, 1426, 3, &q);
	assert_true(q.truncated);
	assert_int_equal(q.udp_len, 992);
	assert_int_equal(q.wg_counter, 103);
	/* ... but not when the captured second header breaks the run */
	b[28 + 1426 + 8] = 7; /* counter 7, not 101 */
	ana_dissect(ANA_LINK_RAW, b, 2000, len, &p);
	assert_int_equal(ana_gso_size(&p), 0);
	/* cut before the second header: nothing to go by, left whole */
	len = super_pkt(b, 4, 1426, 992, 100);
	ana_dissect(ANA_LINK_RAW, b, 1000, len, &p);
	assert_int_equal(ana_gso_size(&p), 0);
}

/*
 * Two wgmtud peers: data flows both ways, the sender probes 1452 (once),
 * 1440 (on the padding grid), 1437 (three times) above a 1454 path (lost)
 * and 1426 (delivered); the
 * receiver acks the delivered probe with a 56-byte message. Without the
 * acks the same losses are a black hole.
 */
static void wgmtud_pair(struct ana_cap *s, struct ana_cap *r, bool acks)
{
	static const uint32_t probes[] = { 1452, 1440, 1437, 1437, 1437, 1426 };
	uint64_t ctr = 0, rc = 0;

	ana_cap_init(s, "sender.pcap", true);
	ana_cap_init(r, "receiver.pcap", true);
	for (int i = 0; i < 40; i++) {
		uint32_t len = i % 2 ? 96 : 864;

		feed(s, 1, 5000000 + (uint64_t)i * 1000, len, 0x51, ctr, 64);
		feed(r, 1, 9000000 + (uint64_t)i * 1000, len, 0x51, ctr++, 62);
		if (i < 6) {
			uint32_t pl = probes[i];

			feed(s, 1, 5000500 + (uint64_t)i * 1000, pl, 0x51, ctr, 64);
			if (pl <= 1426) {
				feed(r, 1, 9000500 + (uint64_t)i * 1000, pl, 0x51, ctr, 62);
				if (acks) {
					feed(r, 0, 9000600 + (uint64_t)i * 1000, 56, 0xc1, rc, 64);
					feed(s, 0, 5000600 + (uint64_t)i * 1000, 56, 0xc1, rc++, 62);
				}
			}
			ctr++;
		}
		feed(r, 0, 9000700 + (uint64_t)i * 1000, 96, 0xc1, rc, 64);
		feed(s, 0, 5000700 + (uint64_t)i * 1000, 96, 0xc1, rc++, 62);
	}
	ana_cap_finish(s);
	ana_cap_finish(r);
}

static void test_match_wgmtud_probes(void **state)
{
	struct ana_cap s, r, *c[2] = { &s, &r };
	struct ana_match m;
	const struct ana_mdir *x;

	(void)state;
	wgmtud_pair(&s, &r, true);
	assert_int_equal(ana_match_run(c, &m), 0);
	x = mdir_of(&m, c, 51820);
	assert_true(x->probed);
	assert_int_equal(x->probes_lost, 5);
	assert_int_equal(x->min_probe_lost, 1437 + 28);
	assert_int_equal(x->lost, 0);
	assert_int_equal(x->sent, x->received);
	assert_int_equal(x->sent, 41);
	assert_int_equal(x->min_lost, 0);
	assert_int_equal(x->verdict, ANA_HEALTHY);
	assert_int_equal(m.verdict, ANA_HEALTHY);
	/* the receiver alone: 4 counter gaps, put down to the probes */
	assert_int_equal(r.verdict, ANA_HEALTHY);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);

	wgmtud_pair(&s, &r, false);
	assert_int_equal(ana_match_run(c, &m), 0);
	x = mdir_of(&m, c, 51820);
	assert_false(x->probed);
	assert_int_equal(x->probes_lost, 0);
	assert_int_equal(x->lost, 5);
	assert_int_equal(m.verdict, ANA_BLACK_HOLE);
	assert_int_equal(r.verdict, ANA_LOSS);
	ana_match_free(&m);
	ana_cap_free(&s);
	ana_cap_free(&r);
}

/*
 * A receiver's capture with a short snaplen on a GSO/GRO host: super-packets
 * cut before their second message cannot be split, and the counters they
 * held show as gaps right after them. In a capture that shows GSO/GRO
 * (one message longer than a link carries), such gaps are the batches';
 * without that sign, a gap after a cut message is loss as before.
 */
static void feed_cut(struct ana_cap *c, uint64_t ts, uint32_t len, uint64_t ctr)
{
	static uint8_t b[65536];
	static uint8_t pl[65536];
	struct ana_pkt p;
	size_t n;

	wg_msg(pl, 4, 64, 0x51, 0, ctr);
	n = ip_udp(b, 4, pl, 64, 0);
	put_be16(b + 2, (uint16_t)(28 + len)); /* the lengths the headers state */
	put_be16(b + 24, (uint16_t)(8 + len));
	ana_dissect(ANA_LINK_RAW, b, 20 + 8 + 16, 28 + len, &p); /* snaplen: one header */
	(void)n;
	assert_int_equal(p.kind, ANA_K_WG);
	assert_true(p.truncated);
	assert_int_equal(ana_gso_size(&p), 0);
	assert_int_equal(ana_cap_add(c, ts, &p), 0);
}

static void test_cut_super_packets(void **state)
{
	struct ana_cap c;
	uint64_t ctr = 0;

	(void)state;
	for (int gso = 0; gso < 2; gso++) {
		ana_cap_init(&c, "r.pcap", false);
		ctr = 0;
		for (int i = 0; i < 20; i++) {
			/* with gso: 45 x 1426 in one cut message, else 1426 */
			uint32_t len = gso ? 45 * 1426 : 1426;

			feed_cut(&c, 1000000 + (uint64_t)i * 1000, len, ctr);
			ctr += gso ? 45 : 2; /* without gso: one lost each time */
		}
		feed(&c, 0, 1100000, 96, 0xc1, 0, 64);
		ana_cap_finish(&c);
		if (gso) {
			assert_int_equal(c.gso_unsplit, 20);
			assert_int_equal(c.dirs[0].missing, 19 * 44);
			assert_int_equal(c.dirs[0].gso_gaps, 19 * 44);
			assert_int_equal(c.dirs[0].verdict, ANA_HEALTHY);
		} else {
			assert_int_equal(c.gso_unsplit, 0);
			assert_int_equal(c.dirs[0].missing, 19);
			assert_int_equal(c.dirs[0].gso_gaps, 0);
			assert_int_equal(c.dirs[0].verdict, ANA_LOSS);
		}
		ana_cap_free(&c);
	}
	/* a jump larger than the cut message could hold is loss even so */
	ana_cap_init(&c, "r.pcap", false);
	feed_cut(&c, 1000000, 45 * 1426, 0);
	feed_cut(&c, 1001000, 45 * 1426, 45 + 2500);
	ana_cap_finish(&c);
	assert_int_equal(c.dirs[0].gso_gaps, 0);
	assert_int_equal(c.dirs[0].verdict, ANA_LOSS);
	ana_cap_free(&c);
}

/* Tick steps: 1, 2 or 5 times a power of ten, at most 8 intervals (a
 * 64 KB axis got 256 labels at a fixed 250). */
/* The bracket of a matched direction: the largest delivered packet and the
 * smallest lost one; an IPv6 path is never below 1280. */
static void test_mdir_bracket(void **state)
{
	struct ana_mdir x = { .fam = 4, .max_delivered = 1232, .min_lost = 1500 };
	int lo, hi;

	(void)state;
	ana_mdir_bracket(&x, &lo, &hi);
	assert_int_equal(lo, 1232);
	assert_int_equal(hi, 1499);
	x.fam = 6;
	ana_mdir_bracket(&x, &lo, &hi);
	assert_int_equal(lo, 1280);
	assert_int_equal(hi, 1499);
	x.min_lost = 0; /* nothing lost: no upper bound */
	ana_mdir_bracket(&x, &lo, &hi);
	assert_int_equal(lo, 1280);
	assert_int_equal(hi, 0);
	x.max_delivered = 1400;
	ana_mdir_bracket(&x, &lo, &hi);
	assert_int_equal(lo, 1400);
	x.max_delivered = 1000, x.min_lost = 1100; /* contradicts RFC 8200: as seen */
	ana_mdir_bracket(&x, &lo, &hi);
	assert_int_equal(lo, 1000);
	assert_int_equal(hi, 1099);
}

static void test_svg_ticks(void **state)
{
	(void)state;
	assert_true(ana_svg_tick_step(1600) == 200);
	assert_true(ana_svg_tick_step(70000) == 10000);
	assert_true(ana_svg_tick_step(65535 * 1.08) == 10000);
	assert_true(ana_svg_tick_step(6.7) == 1);
	assert_true(ana_svg_tick_step(0.17) > 0.0499 && ana_svg_tick_step(0.17) < 0.0501);
	for (double r = 0.001; r < 1e6; r *= 1.37)
		assert_true(r / ana_svg_tick_step(r) <= 8.0001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_messages),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_not_wireguard),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_icmp_too_big),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_one_capture_black_hole),
		cmocka_unit_test(test_one_capture_gro_bulk_is_healthy),
		cmocka_unit_test(test_one_capture_ptb_is_no_black_hole),
		cmocka_unit_test(test_counter_gaps),
		cmocka_unit_test(test_match_black_hole),
		cmocka_unit_test(test_match_random_loss_and_healthy),
		cmocka_unit_test(test_match_late_start),
		cmocka_unit_test(test_match_duplicates),
		cmocka_unit_test(test_match_plain_udp),
		cmocka_unit_test(test_gso_split),
		cmocka_unit_test(test_match_wgmtud_probes),
		cmocka_unit_test(test_mdir_bracket),
		cmocka_unit_test(test_svg_ticks),
		cmocka_unit_test(test_cut_super_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
