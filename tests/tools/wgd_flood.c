// SPDX-License-Identifier: MIT
/*
 * wgd_flood: floods a WireGuard endpoint with handshake initiations that
 * carry a valid MAC1 (computed for the target's public key) but garbage
 * Noise content, the way a DoS attacker can, and counts the cookie replies
 * that come back. Used by tests/netns/t_daemon_load.sh.
 *
 *   wgd_flood --peer ADDR --port N --pub B64 [--count N] [--wait SECONDS]
 *   wgd_flood --peer ADDR --port N --pub B64 --seconds S
 *
 * The first form sends N initiations, then waits for replies. The second
 * floods for S seconds (or until SIGINT/SIGTERM) as fast as the socket
 * takes them, sendmmsg batches of 64 from a pool of 1024 distinct
 * messages, counting replies in between (bench/handshake_flood.sh).
 *
 * Prints "sent N cookie_replies M other M2" (the flood adds "pps R");
 * exit 0 when at least one cookie reply arrived, 1 when none did, 2 on
 * usage errors, 3 on system errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/util.h"
#include "wire/cookie.h"
#include "wire/messages.h"

static void usage(void)
{
	fprintf(stderr, "usage: wgd_flood --peer ADDR --port N --pub B64 [--count N] [--wait SECONDS]\n"
			"       wgd_flood --peer ADDR --port N --pub B64 --seconds S\n");
	exit(2);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define POOL 1024
#define BURST 64

/* Reads every reply waiting on fd. */
static void drain(int fd, unsigned long *cookies, unsigned long *other)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		if (wg_message_classify(buf, (size_t)n) == WG_MSG_HANDSHAKE_COOKIE)
			(*cookies)++;
		else
			(*other)++;
	}
}

static int flood(int fd, struct wg_cookie_maker *maker, unsigned long seconds)
{
	static struct wg_message_handshake_initiation pool[POOL];
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	unsigned long sent = 0, cookies = 0, other = 0, k = 0;
	double t0 = mono(), end = t0 + (double)seconds, t;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 0; i < POOL; i++) {
		if (RAND_bytes((unsigned char *)&pool[i], sizeof(pool[i])) != 1)
			return 3;
		pool[i].header.type = htole32(WG_MSG_HANDSHAKE_INITIATION);
		wg_cookie_add_macs(maker, (uint8_t *)&pool[i], sizeof(pool[i]), 0);
	}
	while (!stop && (t = mono()) < end) {
		int r;

		for (int i = 0; i < BURST; i++, k++) {
			iov[i].iov_base = &pool[k % POOL];
			iov[i].iov_len = sizeof(pool[0]);
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, mm, BURST, 0);
		if (r > 0)
			sent += (unsigned long)r;
		drain(fd, &cookies, &other);
	}
	t = mono() - t0;
	drain(fd, &cookies, &other);
	printf("sent %lu cookie_replies %lu other %lu pps %.0f\n", sent, cookies, other,
	       t > 0 ? (double)sent / t : 0);
	return cookies ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *peer = NULL, *pub_b64 = NULL;
	unsigned long port = 0, count = 500, wait_s = 2, seconds = 0;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct wg_cookie_maker maker;
	uint8_t pub[48];
	unsigned long sent = 0, cookies = 0, other = 0;
	int fd;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--peer"))
			peer = argv[++i];
		else if (!strcmp(argv[i], "--pub"))
			pub_b64 = argv[++i];
		else if (!strcmp(argv[i], "--port") && parse_ulong(argv[i + 1], 1, 65535, &port) == 0)
			i++;
		else if (!strcmp(argv[i], "--count") && parse_ulong(argv[i + 1], 1, 1000000, &count) == 0)
			i++;
		else if (!strcmp(argv[i], "--wait") && parse_ulong(argv[i + 1], 0, 60, &wait_s) == 0)
			i++;
		else if (!strcmp(argv[i], "--seconds") &&
			 parse_ulong(argv[i + 1], 1, 3600, &seconds) == 0)
			i++;
		else
			usage();
	}
	if (!peer || !pub_b64 || !port || strlen(pub_b64) != 44 ||
	    EVP_DecodeBlock(pub, (const unsigned char *)pub_b64, 44) != 33)
		usage();
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, peer, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, peer, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		usage();
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		perror("wgd_flood: socket");
		return 3;
	}
	wg_cookie_maker_init(&maker, pub);
	if (seconds)
		return flood(fd, &maker, seconds);
	for (unsigned long i = 0; i < count; i++) {
		struct wg_message_handshake_initiation m;

		if (RAND_bytes((unsigned char *)&m, sizeof(m)) != 1)
			return 3;
		m.header.type = htole32(WG_MSG_HANDSHAKE_INITIATION);
		wg_cookie_add_macs(&maker, (uint8_t *)&m, sizeof(m), 0);
		if (send(fd, &m, sizeof(m), 0) == (ssize_t)sizeof(m))
			sent++;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[2048];
		ssize_t n;

		if (poll(&p, 1, (int)wait_s * 1000) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue;
		if (wg_message_classify(buf, (size_t)n) == WG_MSG_HANDSHAKE_COOKIE)
			cookies++;
		else
			other++;
	}
	printf("sent %lu cookie_replies %lu other %lu\n", sent, cookies, other);
	return cookies ? 0 : 1;
}
