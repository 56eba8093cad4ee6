// SPDX-License-Identifier: MIT
/*
 * Micro-benchmark of the per-packet pmtu helpers the daemon calls on its
 * data path: ns per call for MSS clamping of a full-size TCP data segment
 * (the common case: not a SYN), of a SYN, of an IPv6 segment behind
 * extension headers, the probe-message test on a decrypted IP packet, and
 * the rarer ICMP error build and 3-way fragmentation.
 *
 *   build/tests/tools/pmtu_pktbench [MILLISECONDS per case, default 200]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/csum.h"
#include "pmtu/frag.h"
#include "pmtu/icmp.h"
#include "pmtu/mss.h"
#include "pmtu/probemsg.h"

static uint8_t data4[1500], syn4[60], data6[1500], out[1600];
static volatile unsigned sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void ip4(uint8_t *p, uint16_t tot, uint16_t frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put_be16(p + 2, tot);
	put_be16(p + 6, frag);
	p[8] = 64;
	p[9] = 6;
	p[12] = 10; p[15] = 2;
	p[16] = 10; p[19] = 9;
	put_be16(p + 10, csum(p, 20));
}

typedef void (*bench_fn)(void);

static void b_mss_data4(void) { sink += mss_clamp(data4, 1420, 1354); }
static void b_mss_data6(void) { sink += mss_clamp(data6, 1420, 1334); }
static void b_mss_syn4(void)
{
	put_be16(syn4 + 42, 1460); /* restore, so every call clamps */
	sink += mss_clamp(syn4, 44, 1354);
}
static void b_pmsg_test(void) { sink += pmsg_is_candidate(data4, 1420); }
static void b_icmp4(void)
{
	static const uint8_t src[4] = { 10, 0, 0, 1 };

	sink += (unsigned)icmp4_build_frag_needed(data4, 1420, src, 1394, out, sizeof(out), NULL);
}
static void b_frag4(void)
{
	struct frag4 f;

	data4[6] = 0; /* no DF */
	if (frag4_init(&f, data4, 1420, 576) > 0)
		while (frag4_next(&f, out, sizeof(out)) > 0)
			sink++;
	data4[6] = 0x40;
}

static void run(const char *name, bench_fn fn, double ms)
{
	double t0 = now_ns(), t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 1000; i++)
			fn();
		n += 1000;
		t = now_ns();
	} while (t - t0 < ms * 1e6);
	printf("%-34s %8.1f ns/call\n", name, (t - t0) / (double)n);
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 200;

	if (ms <= 0 || ms > 10000) {
		fprintf(stderr, "usage: pmtu_pktbench [MILLISECONDS per case, 1..10000]\n");
		return 2;
	}
	ip4(data4, 1420, 0x4000);
	data4[32] = 0x50;
	data4[33] = 0x10; /* ACK */
	ip4(syn4, 44, 0x4000);
	syn4[32] = 0x60;
	syn4[33] = 0x02;
	syn4[40] = 2;
	syn4[41] = 4;
	memset(data6, 0, 80);
	data6[0] = 0x60;
	put_be16(data6 + 4, 1380);
	data6[6] = 0;      /* hop-by-hop, then TCP */
	data6[40] = 6;
	data6[48 + 12] = 0x50;
	data6[48 + 13] = 0x10;

	run("mss_clamp ipv4 data (not SYN)", b_mss_data4, ms);
	run("mss_clamp ipv6+hbh data (not SYN)", b_mss_data6, ms);
	run("mss_clamp ipv4 SYN (clamps)", b_mss_syn4, ms);
	run("pmsg_is_candidate", b_pmsg_test, ms);
	run("icmp4_build_frag_needed (576 B)", b_icmp4, ms);
	run("frag4 1420 -> 3 x 576", b_frag4, ms);
	return sink == 0xdeadbeef;
}
