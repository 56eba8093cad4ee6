// SPDX-License-Identifier: MIT
/*
 * wgmtu responder: answers `wgmtu probe --method udp` so that both
 * directions of a path can be measured (docs/probe-protocol.md).
 *
 * Safe to leave running on a public host:
 *  - no amplification: a reply is never larger than the request that
 *    caused it, unless the request carries a cookie that proves the
 *    client receives at its source address (return routability). The
 *    cookie is HMAC-SHA256(secret, minute, source address, port), sent in
 *    every reply, valid for two minutes; a spoofing sender never sees it;
 *  - per-source token-bucket rate limit (IPv4 address, IPv6 /64), checked
 *    before a global one (common/ratelimit.h, shared with wgmtud): a
 *    flooding source is stopped by its own bucket and cannot spend the
 *    budget everyone else shares;
 *  - no privilege beyond binding the UDP port; replies are DF
 *    (IP_PMTUDISC_PROBE) so they measure the reverse path honestly.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ratelimit.h"
#include "common/util.h"
#include "pmtu/probe_wire.h"
#include "tool/tool.h"

static const char responder_usage[] =
"Usage: wgmtu responder [--port N] [-4|-6] [--bind ADDR] [--rate N] [-v]\n"
"\n"
"Answers the UDP probes of 'wgmtu probe --method udp', so that the path MTU\n"
"is measured in both directions: the client asks for replies of chosen\n"
"sizes, sent with DF. Safe on a public host: replies are never larger\n"
"than the request unless the client proved (with a cookie from an earlier\n"
"reply) that it receives at its address; every source is rate-limited;\n"
"no privileges are needed beyond the port.\n"
"\n"
"Options:\n"
"  -p, --port N       UDP port (default 51999)\n"
"  -4, -6             IPv4 only / IPv6 only (default: both, one socket)\n"
"  -b, --bind ADDR    listen on one address (use it on multihomed hosts so\n"
"                     replies leave from the address the client probes)\n"
"  -r, --rate N       packets per second answered per source (default 200)\n"
"      --max-size N   largest reply in bytes (default 9216)\n"
"  -v, --verbose      log every request to stderr\n"
"  -h, --help         this text\n"
"\n"
"Example:\n"
"  wgmtu responder --port 51999          # then elsewhere:\n"
"  wgmtu probe --method udp --port 51999 this-host\n"
"\n"
"Runs until SIGINT/SIGTERM, then prints its counters. Exit status: 0, 2 on\n"
"bad usage, 3 when the port cannot be bound.\n";

#define COOKIE_EPOCH_S 60
#define RL_SOURCES 65536     /* sources remembered (idle ones expire) */
#define RL_GLOBAL_FACTOR 20  /* global budget: 20 sources at full rate */

struct responder {
	int fd;
	int family;
	unsigned rate, max_size;
	bool verbose;
	uint8_t secret[32];
	uint8_t rl_key[16];
	struct wg_ratelimit rl;   /* per source, checked first */
	struct wg_bucket global;  /* shared by all sources */
	struct {
		uint64_t rx, tx, malformed, ratelimited, clamped, cookie_ok, send_err;
	} cnt;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int s)
{
	(void)s;
	stop_flag = 1;
}

/* Canonical bytes of a source: family-independent for v4-mapped. */
static size_t addr_bytes(const struct sockaddr_storage *ss, uint8_t out[18])
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(out, &s4->sin_addr, 4);
		memcpy(out + 4, &s4->sin_port, 2);
		return 6;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(out, &s6->sin6_addr.s6_addr[12], 4);
		memcpy(out + 4, &s6->sin6_port, 2);
		return 6;
	}
	memcpy(out, &s6->sin6_addr, 16);
	memcpy(out + 16, &s6->sin6_port, 2);
	return 18;
}

static bool is_v4(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ||
	       IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static void make_cookie(const struct responder *rs, const struct sockaddr_storage *ss,
			uint64_t epoch, uint8_t out[PW_COOKIE_LEN])
{
	uint8_t msg[8 + 18], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t n;

	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(epoch >> (8 * i));
	n = 8 + addr_bytes(ss, msg + 8);
	HMAC(EVP_sha256(), rs->secret, sizeof(rs->secret), msg, n, mac, &maclen);
	memcpy(out, mac, PW_COOKIE_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
}

static bool cookie_valid(const struct responder *rs, const struct sockaddr_storage *ss,
			 uint64_t epoch, const uint8_t c[PW_COOKIE_LEN])
{
	uint8_t want[PW_COOKIE_LEN];
	bool ok = false;

	/* this minute's cookie or the previous minute's */
	for (uint64_t e = 0; e < 2 && e <= epoch && !ok; e++) {
		make_cookie(rs, ss, epoch - e, want);
		ok = CRYPTO_memcmp(want, c, PW_COOKIE_LEN) == 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static bool rate_ok(struct responder *rs, const struct sockaddr_storage *ss, uint64_t now_ns)
{
	if (is_v4(ss)) {
		const uint8_t *a = ss->ss_family == AF_INET ?
			(const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr :
			((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr + 12;

		return wg_ratelimit_allow_shared(&rs->rl, &rs->global, AF_INET, a, now_ns);
	}
	return wg_ratelimit_allow_shared(&rs->rl, &rs->global, AF_INET6,
					 ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr, now_ns);
}

static void handle(struct responder *rs, const uint8_t *buf, size_t n,
		   const struct sockaddr_storage *from, socklen_t fl, uint64_t now_ns)
{
	static uint8_t out[65536];
	struct pw_msg q, a;
	int hdr = is_v4(from) ? 20 : 40;
	unsigned rx_ip = (unsigned)n + 8 + (unsigned)hdr;
	unsigned min_ip = (unsigned)(hdr + 8 + PW_HDR_LEN), want, cap;
	uint64_t epoch = (uint64_t)time(NULL) / COOKIE_EPOCH_S;
	char as[INET6_ADDRSTRLEN] = "?";

	rs->cnt.rx++;
	if (pw_decode(buf, n, &q) < 0 || q.type != PW_TYPE_REQUEST) {
		rs->cnt.malformed++;
		return;
	}
	if (!rate_ok(rs, from, now_ns)) {
		rs->cnt.ratelimited++;
		return;
	}
	memset(&a, 0, sizeof(a));
	a.type = PW_TYPE_REPLY;
	a.seq = q.seq;
	a.size_a = (uint16_t)(rx_ip > 65535 ? 65535 : rx_ip);
	if (cookie_valid(rs, from, epoch, q.cookie)) {
		a.flags |= PW_F_COOKIE_OK;
		rs->cnt.cookie_ok++;
		cap = rs->max_size;
	} else {
		cap = rx_ip < rs->max_size ? rx_ip : rs->max_size; /* never more than received */
	}
	want = q.size_a ? q.size_a : min_ip;
	if (want < min_ip)
		want = min_ip;
	if (want > cap) {
		want = cap < min_ip ? min_ip : cap;
		a.flags |= PW_F_CLAMPED;
		rs->cnt.clamped++;
	}
	if (want > rx_ip && !(a.flags & PW_F_COOKIE_OK))
		return; /* cannot happen; never amplify */
	a.size_b = (uint16_t)want;
	make_cookie(rs, from, epoch, a.cookie);
	if (pw_encode(&a, out, want - 8 - (unsigned)hdr) < 0)
		return;
	if (rs->verbose) {
		const void *ad = from->ss_family == AF_INET ?
				 (const void *)&((const struct sockaddr_in *)from)->sin_addr :
				 (const void *)&((const struct sockaddr_in6 *)from)->sin6_addr;

		inet_ntop(from->ss_family, ad, as, sizeof(as));
		fprintf(stderr, "wgmtu responder: %s seq %u: got %u bytes, reply %u%s%s\n",
			as, q.seq, rx_ip, want,
			a.flags & PW_F_COOKIE_OK ? " (cookie ok)" : "",
			a.flags & PW_F_CLAMPED ? " (clamped)" : "");
	}
	if (sendto(rs->fd, out, want - 8 - (unsigned)hdr, 0,
		   (const struct sockaddr *)from, fl) < 0)
		rs->cnt.send_err++;
	else
		rs->cnt.tx++;
	OPENSSL_cleanse(a.cookie, sizeof(a.cookie));
}

/* 0, a negative errno when the socket cannot be had, or 1 after a usage
 * error (--bind) has been reported */
static int open_socket(struct responder *rs, int fam_opt, const char *bind_addr,
		       unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int on = 1, off = 0, v;

	memset(&ss, 0, sizeof(ss));
	if (bind_addr) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		const char *zone = strchr(bind_addr, '%');
		char addr[INET6_ADDRSTRLEN];
		size_t n = zone ? (size_t)(zone - bind_addr) : strlen(bind_addr);

		if (n >= sizeof(addr))
			n = 0; /* too long for an address: refused below */
		memcpy(addr, bind_addr, n);
		addr[n] = 0;
		if (fam_opt != 6 && !zone && inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			sl = sizeof(*s4);
		} else if (fam_opt != 4 && inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			sl = sizeof(*s6);
			if (zone && !(s6->sin6_scope_id = if_nametoindex(zone + 1))) {
				tool_err("responder", "--bind: no interface '%s' here", zone + 1);
				return 1;
			}
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) && !s6->sin6_scope_id) {
				tool_err("responder", "--bind: %s is a link-local address: name the "
					 "interface too, e.g. %s%%eth0", addr, addr);
				return 1;
			}
		} else {
			tool_err("responder", "--bind: '%s' is not an IP address%s", bind_addr,
				 fam_opt ? " of that family" : "");
			return 1;
		}
	} else if (fam_opt == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_any;
		sl = sizeof(*s6);
	}
	rs->family = ss.ss_family;
	rs->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (rs->fd < 0)
		return -errno;
	if (ss.ss_family == AF_INET6) {
		setsockopt(rs->fd, IPPROTO_IPV6, IPV6_V6ONLY, fam_opt == 6 ? &on : &off, sizeof(on));
		v = IPV6_PMTUDISC_PROBE;
		setsockopt(rs->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
		setsockopt(rs->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
	}
	/* also governs IPv4 (mapped) traffic on a dual-stack socket */
	v = IP_PMTUDISC_PROBE;
	setsockopt(rs->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	if (bind(rs->fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = -errno;

		close(rs->fd);
		rs->fd = -1;
		return e;
	}
	return 0;
}

int cmd_responder(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "max-size", required_argument, NULL, 1 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint8_t buf[65536];
	struct responder *rs;
	const char *bind_addr = NULL;
	unsigned long v;
	unsigned port = PW_DEFAULT_PORT;
	int c, fam_opt = 0, err;
	struct sigaction sa;

	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return EXIT_FAILURE_RUN;
	rs->rate = 200;
	rs->max_size = PW_MAX_SIZE;
	rs->fd = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "46p:b:r:vh", lo, NULL)) != -1) {
		switch (c) {
		case '4':
		case '6':
			if (fam_opt && fam_opt != c - '0') {
				tool_err("responder", "-4 and -6 exclude each other: give one, or "
					 "neither for both families");
				goto usage;
			}
			fam_opt = c - '0';
			break;
		case 'p':
			if (parse_ulong(optarg, 1, 65535, &v) < 0) {
				tool_err("responder", "--port: '%s' is not a port (1-65535)", optarg);
				goto usage;
			}
			port = (unsigned)v;
			break;
		case 'b': bind_addr = optarg; break;
		case 'r':
			if (parse_ulong(optarg, 1, 100000, &v) < 0) {
				tool_err("responder", "--rate: '%s' is not in 1..100000", optarg);
				goto usage;
			}
			rs->rate = (unsigned)v;
			break;
		case 1:
			if (parse_ulong(optarg, 128, 65535, &v) < 0) {
				tool_err("responder", "--max-size: '%s' is not in 128..65535", optarg);
				goto usage;
			}
			rs->max_size = (unsigned)v;
			break;
		case 'v': rs->verbose = true; break;
		case 'h':
			fputs(responder_usage, stdout);
			free(rs);
			return EXIT_OK;
		default:
			tool_err("responder", "unknown or incomplete option '%s'", argv[optind - 1]);
			goto usage;
		}
	}
	if (optind != argc) {
		tool_err("responder", "unexpected argument '%s'", argv[optind]);
		goto usage;
	}
	if (RAND_bytes(rs->secret, sizeof(rs->secret)) != 1 ||
	    RAND_bytes(rs->rl_key, sizeof(rs->rl_key)) != 1) {
		tool_err("responder", "no randomness for the cookie secret");
		free(rs);
		return EXIT_FAILURE_RUN;
	}
	if (wg_ratelimit_init_rate(&rs->rl, RL_SOURCES, rs->rl_key, rs->rate, rs->rate) < 0 ||
	    wg_bucket_init(&rs->global, RL_GLOBAL_FACTOR * rs->rate, RL_GLOBAL_FACTOR * rs->rate) < 0) {
		tool_err("responder", "out of memory for the rate limiter");
		OPENSSL_cleanse(rs, sizeof(*rs));
		free(rs);
		return EXIT_FAILURE_RUN;
	}
	err = open_socket(rs, fam_opt, bind_addr, port);
	if (err == 1) {
		wg_ratelimit_free(&rs->rl);
		goto usage_wiped;
	}
	if (err < 0) {
		tool_err("responder", "cannot listen on UDP port %u: %s", port, strerror(-err));
		wg_ratelimit_free(&rs->rl);
		OPENSSL_cleanse(rs, sizeof(*rs));
		free(rs);
		return EXIT_FAILURE_RUN;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (bind_addr)
		fprintf(stderr, "wgmtu responder: listening on UDP port %u of %s\n", port, bind_addr);
	else
		fprintf(stderr, "wgmtu responder: listening on UDP port %u (%s)\n", port,
			rs->family == AF_INET ? "IPv4" : fam_opt == 6 ? "IPv6" : "IPv4+IPv6");
	while (!stop_flag) {
		struct pollfd pfd = { .fd = rs->fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = recvfrom(rs->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		handle(rs, buf, (size_t)n, &from, fl, now_ns());
	}
	fprintf(stderr, "wgmtu responder: %llu received, %llu replied, %llu with cookie, "
		"%llu clamped, %llu rate-limited (%llu by the global limit), %llu malformed, "
		"%llu send errors\n",
		(unsigned long long)rs->cnt.rx, (unsigned long long)rs->cnt.tx,
		(unsigned long long)rs->cnt.cookie_ok, (unsigned long long)rs->cnt.clamped,
		(unsigned long long)rs->cnt.ratelimited,
		(unsigned long long)rs->rl.n_global_limited, (unsigned long long)rs->cnt.malformed,
		(unsigned long long)rs->cnt.send_err);
	wg_ratelimit_free(&rs->rl);
	close(rs->fd);
	OPENSSL_cleanse(rs, sizeof(*rs));
	free(rs);
	return EXIT_OK;
usage_wiped:
	OPENSSL_cleanse(rs, sizeof(*rs));
usage:
	fprintf(stderr, "Try 'wgmtu responder --help'.\n");
	free(rs);
	return EXIT_USAGE;
}
