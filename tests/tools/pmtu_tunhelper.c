// SPDX-License-Identifier: MIT
/*
 * Test helper: a TUN device whose "far side" behaves like a path of a given
 * MTU, built from the pmtu packet modules, so the kernel itself judges
 * their output (checksums, quoting, addresses) in a network namespace.
 *
 *   pmtu_tunhelper IFNAME MTU4 MTU6 SRC4|dst SRC6|dst SECONDS
 *
 * For every packet the kernel routes into IFNAME:
 *   - larger than MTU4/MTU6: IPv4 with DF / IPv6 gets a "too big" error
 *     written back (source SRC4/SRC6, or the packet's own destination when
 *     "dst"), subject to the rate limit; IPv4 without DF is fragmented and
 *     the fragments counted;
 *   - an echo request that fits: an echo reply of the same size;
 *   - TCP: MSS clamped to MTU - 40/60 and the result logged; a pure SYN
 *     is then reflected (addresses and ports swapped, which keeps every
 *     checksum valid) so the kernel itself verifies the clamped segment:
 *     it answers a simultaneous open with a SYN-ACK, or counts a checksum
 *     error.
 * One line per event on stdout. Exits after SECONDS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "pmtu/frag.h"
#include "common/ratelimit.h"
#include "pmtu/icmp.h"
#include "pmtu/ipinfo.h"
#include "pmtu/mss.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int usage(void)
{
	fprintf(stderr, "usage: pmtu_tunhelper IFNAME MTU4 MTU6 SRC4|dst SRC6|dst SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[65536], out[65536];
	struct ifreq ifr;
	struct wg_ratelimit rl;
	struct wg_bucket all;
	static const uint8_t rlkey[16] = { 1 };
	uint8_t src4[4], src6[16];
	bool dst4 = false, dst6 = false;
	unsigned mtu4, mtu6, secs;
	uint64_t end;
	int fd;

	if (argc != 7)
		return usage();
	mtu4 = (unsigned)atoi(argv[2]);
	mtu6 = (unsigned)atoi(argv[3]);
	secs = (unsigned)atoi(argv[6]);
	if (mtu4 < 68 || mtu6 < 1280 || secs < 1 || strlen(argv[1]) >= IFNAMSIZ)
		return usage();
	if (!strcmp(argv[4], "dst"))
		dst4 = true;
	else if (inet_pton(AF_INET, argv[4], src4) != 1)
		return usage();
	if (!strcmp(argv[5], "dst"))
		dst6 = true;
	else if (inet_pton(AF_INET6, argv[5], src6) != 1)
		return usage();

	fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "pmtu_tunhelper: /dev/net/tun: %s\n", strerror(errno));
		return 3;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "pmtu_tunhelper: TUNSETIFF %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	/* as wgmtud limits its errors (daemon/pmtu.c) */
	if (wg_ratelimit_init_rate(&rl, ICMP_RL_SOURCES, rlkey, ICMP_RL_DEFAULT_SRC_RATE,
				   ICMP_RL_DEFAULT_SRC_BURST) < 0 ||
	    wg_bucket_init(&all, ICMP_RL_DEFAULT_GLOBAL_RATE, ICMP_RL_DEFAULT_GLOBAL_BURST) < 0)
		return 3;
	printf("ready %s\n", argv[1]);
	fflush(stdout);

	end = mono_ms() + secs * 1000ull;
	while (mono_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct ipinfo ii;
		struct icmp_echo e;
		enum icmp_verdict why;
		ssize_t n;
		int m;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, pkt, sizeof(pkt));
		if (n <= 0 || ipi_parse(pkt, (size_t)n, &ii) < 0)
			continue;
		if (ii.version == 4 && ii.tot_len > mtu4) {
			if (!ii.df) {
				struct frag4 f;
				int k = frag4_init(&f, pkt, (size_t)n, mtu4), c = 0;

				while (k > 0 && frag4_next(&f, out, sizeof(out)) > 0)
					c++;
				printf("frag4 %u -> %d fragments\n", ii.tot_len, c);
			} else {
				m = icmp4_build_frag_needed(pkt, (size_t)n, dst4 ? NULL : src4, mtu4,
							    out, sizeof(out), &why);
				if (m > 0 && wg_ratelimit_allow_shared(&rl, &all, AF_INET, ii.src, mono_ms() * 1000000ull) &&
				    write(fd, out, (size_t)m) == m)
					printf("ptb4 %u mtu %u len %d\n", ii.tot_len, mtu4, m);
				else
					printf("ptb4 refused %s\n", icmp_verdict_name(why));
			}
		} else if (ii.version == 6 && ii.tot_len > mtu6) {
			m = icmp6_build_packet_too_big(pkt, (size_t)n, dst6 ? NULL : src6, mtu6,
						       out, sizeof(out), &why);
			if (m > 0 && wg_ratelimit_allow_shared(&rl, &all, AF_INET6, ii.src, mono_ms() * 1000000ull) &&
			    write(fd, out, (size_t)m) == m)
				printf("ptb6 %u mtu %u len %d\n", ii.tot_len, mtu6, m);
			else
				printf("ptb6 refused %s\n", icmp_verdict_name(why));
		} else if (icmp_echo_parse(pkt, (size_t)n, &e) == 0 && !e.reply) {
			uint8_t tmp[16];

			memcpy(tmp, e.src, 16);
			memcpy(e.src, e.dst, 16);
			memcpy(e.dst, tmp, 16);
			e.reply = true;
			m = icmp_echo_build(&e, out, sizeof(out));
			if (m > 0 && write(fd, out, (size_t)m) == m)
				printf("echo%u reply id %u seq %u size %u\n", e.family, e.id, e.seq, e.size);
		} else if (ii.proto == IPI_PROTO_TCP) {
			enum mss_result r = mss_clamp(pkt, (size_t)n,
						      mss_for_mtu(ii.version == 4 ? mtu4 : mtu6, ii.version));

			uint8_t fl = ii.l4_off && ii.tot_len >= ii.l4_off + 20u ? pkt[ii.l4_off + 13] : 0;

			printf("tcp%u %s %s\n", ii.version, mss_result_name(r),
			       (fl & 0x12) == 0x12 ? "synack" : (fl & 0x02) ? "syn" : "other");
			if (ii.l4_off && ii.tot_len >= ii.l4_off + 20u &&
			    (pkt[ii.l4_off + 13] & 0x12) == 0x02) {
				uint8_t t[16];
				size_t al = ii.version == 4 ? 4 : 16, so = ii.version == 4 ? 12 : 8;

				memcpy(t, pkt + so, al);
				memcpy(pkt + so, pkt + so + al, al);
				memcpy(pkt + so + al, t, al);
				memcpy(t, pkt + ii.l4_off, 2);
				memcpy(pkt + ii.l4_off, pkt + ii.l4_off + 2, 2);
				memcpy(pkt + ii.l4_off + 2, t, 2);
				if (write(fd, pkt, (size_t)n) == n)
					printf("tcp%u reflected\n", ii.version);
			}
		}
		fflush(stdout);
	}
	close(fd);
	return 0;
}
