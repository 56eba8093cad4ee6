// SPDX-License-Identifier: MIT
/*
 * wgcore_peer: a WireGuard peer made of the protocol library and one plain
 * UDP socket (no TUN), used to prove wire compatibility with a real
 * implementation (wireguard-go) in tests/netns/t_core_interop.sh.
 *
 *   wgcore_peer initiate|respond --key-file F --peer-pub B64 [--psk-file F]
 *       --bind ADDR --port N [--peer ADDR --peer-port N]
 *       --inner-src IPv4 --inner-dst IPv4 [--under-load] [--count N]
 *       [--timeout SECONDS]
 *
 * initiate: handshake with the peer, send an ICMP echo request to
 *   --inner-dst inside the tunnel and wait for its echo reply.
 * respond: wait for the peer's initiation (with --under-load, answer the
 *   first one that lacks a valid mac2 with a cookie reply), complete the
 *   handshake, and answer --count ICMP echo requests arriving in the tunnel.
 *
 * Prints one line per protocol event ("handshake complete", "cookie reply
 * sent", ...) on stdout. Exit 0 success, 1 protocol failure or timeout,
 * 2 usage, 3 system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/csum.h"
#include "wire/cookie.h"
#include "wire/noise.h"
#include "wire/transport.h"

#define MAX_IDX 16
#define NS 1000000000ULL
#define MTU 1420

struct drv {
	int fd;
	int family;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	bool have_peer;
	struct wg_noise_device dev;
	struct wg_noise_handshake hs;
	struct wg_keypairs kps;
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	struct {
		uint32_t idx;
		int kind;
		void *what;
	} table[MAX_IDX];
	uint32_t idx_seed;
	uint8_t inner_src[4], inner_dst[4];
	bool under_load;
	bool cookie_sent;
	uint16_t echo_id;
};

static struct drv D;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- the index table the library calls back into ---- */

static int slot_of(uint32_t idx)
{
	for (int i = 0; i < MAX_IDX; i++)
		if (D.table[i].kind && D.table[i].idx == idx)
			return i;
	return -1;
}

static struct wg_noise_handshake *cb_lookup_static(void *ctx, const uint8_t pub[32])
{
	return wg_ct_equal(pub, D.hs.remote_static, 32) ? &D.hs : NULL;
}

static struct wg_noise_handshake *cb_lookup_index(void *ctx, uint32_t idx)
{
	int i = slot_of(idx);

	return i >= 0 && D.table[i].kind == WG_INDEX_HANDSHAKE ? D.table[i].what : NULL;
}

static int cb_register(void *ctx, struct wg_noise_handshake *hs, uint32_t *idx)
{
	for (int i = 0; i < MAX_IDX; i++) {
		if (D.table[i].kind)
			continue;
		do {
			D.idx_seed = D.idx_seed * 1103515245u + 12345u;
		} while (slot_of(D.idx_seed) >= 0);
		D.table[i].idx = *idx = D.idx_seed;
		D.table[i].kind = WG_INDEX_HANDSHAKE;
		D.table[i].what = hs;
		return 0;
	}
	return -ENOSPC;
}

static void cb_to_keypair(void *ctx, uint32_t idx, struct wg_keypair *kp)
{
	int i = slot_of(idx);

	if (i >= 0) {
		D.table[i].kind = WG_INDEX_KEYPAIR;
		D.table[i].what = kp;
	}
}

static void cb_unregister(void *ctx, uint32_t idx)
{
	int i = slot_of(idx);

	if (i >= 0)
		D.table[i].kind = 0;
}

static const struct wg_noise_ops ops = {
	.lookup_by_static = cb_lookup_static,
	.lookup_handshake_by_index = cb_lookup_index,
	.index_register = cb_register,
	.index_to_keypair = cb_to_keypair,
	.index_unregister = cb_unregister,
};

/* ---- inner packets: IPv4 ICMP echo ---- */

static size_t build_echo(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint8_t type,
			 uint16_t id, uint16_t seq, const uint8_t *payload, size_t plen)
{
	size_t len = 20 + 8 + plen;
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[6] = 0x40; /* DF */
	p[8] = 64;
	p[9] = 1; /* ICMP */
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	c = csum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = type;
	p[24] = (uint8_t)(id >> 8);
	p[25] = (uint8_t)id;
	p[26] = (uint8_t)(seq >> 8);
	p[27] = (uint8_t)seq;
	memcpy(p + 28, payload, plen);
	c = csum(p + 20, 8 + plen);
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
	return len;
}

/* Validate an inner IPv4 ICMP echo packet (checksums included). Returns
 * its ICMP type or -1; *len is trimmed to the IP total length. */
static int parse_echo(const uint8_t *p, size_t *len)
{
	size_t tot, ihl;

	if (*len < 28 || (p[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(p[0] & 15) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || tot > *len || tot < ihl + 8 || p[9] != 1)
		return -1;
	if (csum(p, ihl) != 0 || csum(p + ihl, tot - ihl) != 0)
		return -1;
	*len = tot;
	return p[ihl];
}

/* ---- datagrams ---- */

static void send_to_peer(const void *buf, size_t len)
{
	if (sendto(D.fd, buf, len, 0, (struct sockaddr *)&D.peer, D.peer_len) < 0)
		say("send failed: %s", strerror(errno));
}

static void addr_bytes(const struct sockaddr_storage *ss, const uint8_t **a, size_t *alen,
		       uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		*a = (const uint8_t *)&s4->sin_addr;
		*alen = 4;
		*port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		*a = (const uint8_t *)&s6->sin6_addr;
		*alen = 16;
		*port = ntohs(s6->sin6_port);
	}
}

static int send_initiation(void)
{
	struct wg_message_handshake_initiation msg;
	struct timespec wall;
	int ret;

	clock_gettime(CLOCK_REALTIME, &wall);
	ret = wg_noise_create_initiation(&D.hs, &msg, (uint64_t)wall.tv_sec, (uint32_t)wall.tv_nsec);
	if (ret) {
		say("create initiation failed: %s", strerror(-ret));
		return ret;
	}
	wg_cookie_add_macs(&D.maker, (uint8_t *)&msg, sizeof(msg), mono_ns());
	send_to_peer(&msg, sizeof(msg));
	say("initiation sent (sender index %08x)", D.hs.local_index);
	return 0;
}

static void send_inner(const uint8_t *inner, size_t len)
{
	uint8_t pkt[16 + MTU + 16];
	struct wg_keypair *kp = wg_keypairs_current(&D.kps, mono_ns());
	size_t out;
	int ret;

	if (!kp) {
		say("no current keypair to send with");
		return;
	}
	memcpy(pkt + 16, inner, len);
	ret = wg_transport_encrypt(kp, pkt, len, sizeof(pkt), MTU, mono_ns(), &out, NULL);
	wg_keypair_put(kp);
	if (ret) {
		say("encrypt failed: %s", strerror(-ret));
		return;
	}
	send_to_peer(pkt, out);
}

static void send_echo_request(uint16_t seq)
{
	uint8_t inner[84], payload[56];

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)('a' + i % 26);
	build_echo(inner, D.inner_src, D.inner_dst, 8, D.echo_id, seq, payload, sizeof(payload));
	send_inner(inner, sizeof(inner));
	say("echo request sent to %u.%u.%u.%u seq %u", D.inner_dst[0], D.inner_dst[1],
	    D.inner_dst[2], D.inner_dst[3], seq);
}

/* Returns 1 when an awaited echo reply arrived, 2 when an echo request was
 * answered, 0 otherwise. */
static int handle_data(uint8_t *pkt, size_t len)
{
	struct wg_keypair *kp;
	uint32_t idx;
	size_t plen;
	int i, ret, type;
	uint8_t *ip;

	if (wg_transport_peek_index(pkt, len, &idx)) {
		say("drop: malformed data");
		return 0;
	}
	i = slot_of(idx);
	if (i < 0 || D.table[i].kind != WG_INDEX_KEYPAIR) {
		say("drop: data for unknown index %08x", idx);
		return 0;
	}
	kp = D.table[i].what;
	ret = wg_transport_decrypt(kp, pkt, len, mono_ns(), &plen, NULL);
	if (ret) {
		say("drop: data rejected: %s", strerror(-ret));
		return 0;
	}
	if (wg_keypairs_received_with(&D.dev, &D.kps, kp))
		say("session confirmed by first data (next -> current)");
	if (plen == 0) {
		say("keepalive received");
		return 0;
	}
	ip = pkt + 16;
	type = parse_echo(ip, &plen);
	if (type == 0 && !memcmp(ip + 12, D.inner_dst, 4)) {
		say("echo reply received from %u.%u.%u.%u (%zu bytes, checksums ok)",
		    ip[12], ip[13], ip[14], ip[15], plen);
		return 1;
	}
	if (type == 8) {
		uint8_t reply[MTU];
		uint16_t id = (uint16_t)(ip[24] << 8 | ip[25]), seq = (uint16_t)(ip[26] << 8 | ip[27]);
		size_t n;

		say("echo request received from %u.%u.%u.%u seq %u (checksums ok)",
		    ip[12], ip[13], ip[14], ip[15], seq);
		if (plen > sizeof(reply))
			return 0;
		n = build_echo(reply, ip + 16, ip + 12, 0, id, seq, ip + 28, plen - 28);
		send_inner(reply, n);
		say("echo reply sent");
		return 2;
	}
	say("inner packet ignored (%zu bytes)", plen);
	return 0;
}

static void handle_initiation(uint8_t *buf, size_t len, const struct sockaddr_storage *from,
			      socklen_t from_len)
{
	struct wg_message_handshake_response resp;
	struct wg_message_handshake_cookie cookie;
	struct wg_noise_handshake *hs;
	enum wg_cookie_mac_state st;
	const uint8_t *a;
	size_t alen;
	uint16_t port;
	int ret;

	addr_bytes(from, &a, &alen, &port);
	st = wg_cookie_validate(&D.checker, buf, len, a, alen, port, mono_ns());
	if (st == WG_COOKIE_MAC_INVALID) {
		say("drop: initiation with invalid mac1");
		return;
	}
	if (st == WG_COOKIE_MAC_VALID_MAC2)
		say("initiation carries a valid mac2 (cookie accepted by peer)");
	if (D.under_load && st != WG_COOKIE_MAC_VALID_MAC2) {
		ret = wg_cookie_create_reply(&D.checker, &cookie, buf, len, a, alen, port, mono_ns());
		if (!ret && sendto(D.fd, &cookie, sizeof(cookie), 0, (const struct sockaddr *)from,
				   from_len) == sizeof(cookie)) {
			D.cookie_sent = true;
			say("under load: cookie reply sent instead of a response");
		}
		return;
	}
	ret = wg_noise_consume_initiation(&D.dev, (const void *)buf, mono_ns(), &hs);
	if (ret) {
		say("initiation rejected: %s", strerror(-ret));
		return;
	}
	ret = wg_noise_create_response(hs, &resp);
	if (ret) {
		say("create response failed: %s", strerror(-ret));
		return;
	}
	wg_cookie_add_macs(&D.maker, (uint8_t *)&resp, sizeof(resp), mono_ns());
	memcpy(&D.peer, from, from_len);
	D.peer_len = from_len;
	D.have_peer = true;
	ret = wg_noise_begin_session(hs, &D.kps, mono_ns(), NULL);
	if (ret) {
		say("begin session failed: %s", strerror(-ret));
		return;
	}
	send_to_peer(&resp, sizeof(resp));
	say("initiation accepted, response sent: handshake complete (responder, awaiting confirmation)");
}

/* Returns 0 on success, -EBADMSG etc. when the response was rejected,
 * 1 when it was not for us (ignored). */
static int handle_response(uint8_t *buf, size_t len, const struct sockaddr_storage *from)
{
	struct wg_noise_handshake *hs;
	const uint8_t *a;
	size_t alen;
	uint16_t port;
	int ret;

	addr_bytes(from, &a, &alen, &port);
	if (wg_cookie_validate(&D.checker, buf, len, a, alen, port, mono_ns()) ==
	    WG_COOKIE_MAC_INVALID) {
		say("drop: response with invalid mac1");
		return 1;
	}
	ret = wg_noise_consume_response(&D.dev, (const void *)buf, &hs);
	if (ret) {
		say("response rejected: %s", strerror(-ret));
		return ret;
	}
	ret = wg_noise_begin_session(hs, &D.kps, mono_ns(), NULL);
	if (ret) {
		say("begin session failed: %s", strerror(-ret));
		return ret;
	}
	say("response accepted: handshake complete (initiator)");
	return 0;
}

/* ---- setup ---- */

static int read_key_file(const char *path, uint8_t key[32])
{
	char b64[128];
	uint8_t out[48];
	FILE *f = fopen(path, "r");
	size_t n;
	int len;

	if (!f)
		return -errno;
	n = fread(b64, 1, sizeof(b64) - 1, f);
	fclose(f);
	while (n && (b64[n - 1] == '\n' || b64[n - 1] == ' '))
		n--;
	b64[n] = 0;
	if (n != 44 || b64[43] != '=')
		return -EINVAL;
	len = EVP_DecodeBlock(out, (const unsigned char *)b64, 44);
	if (len != 33)
		return -EINVAL;
	memcpy(key, out, 32);
	wg_wipe(out, sizeof(out));
	wg_wipe(b64, sizeof(b64));
	return 0;
}

static int parse_b64_key(const char *s, uint8_t key[32])
{
	uint8_t out[48];

	if (strlen(s) != 44 || s[43] != '=' ||
	    EVP_DecodeBlock(out, (const unsigned char *)s, 44) != 33)
		return -EINVAL;
	memcpy(key, out, 32);
	return 0;
}

static int make_sockaddr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: wgcore_peer initiate|respond --key-file F --peer-pub B64 [--psk-file F]\n"
		"         --bind ADDR --port N [--peer ADDR --peer-port N]\n"
		"         --inner-src IPv4 --inner-dst IPv4 [--under-load] [--count N] [--timeout S]\n"
		"example: wgcore_peer initiate --key-file me.key --peer-pub \"$(cat wg.pub)\" \\\n"
		"         --bind 10.77.0.1 --port 0 --peer 10.77.0.2 --peer-port 51820 \\\n"
		"         --inner-src 192.168.77.1 --inner-dst 192.168.77.2\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *key_file = NULL, *peer_pub = NULL, *psk_file = NULL, *bind_addr = NULL;
	const char *peer_addr = NULL, *isrc = NULL, *idst = NULL;
	int port = -1, peer_port = -1, count = 1, timeout = 10, done = 0, ret;
	uint8_t priv[32], pub[32], psk[32];
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool initiate, have_psk = false, handshaken = false;
	uint64_t deadline, last_init = 0;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "initiate"))
		initiate = true;
	else if (!strcmp(argv[1], "respond"))
		initiate = false;
	else
		usage();
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--under-load")) {
			D.under_load = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(o, "--key-file")) key_file = v;
		else if (!strcmp(o, "--peer-pub")) peer_pub = v;
		else if (!strcmp(o, "--psk-file")) psk_file = v;
		else if (!strcmp(o, "--bind")) bind_addr = v;
		else if (!strcmp(o, "--port")) port = atoi(v);
		else if (!strcmp(o, "--peer")) peer_addr = v;
		else if (!strcmp(o, "--peer-port")) peer_port = atoi(v);
		else if (!strcmp(o, "--inner-src")) isrc = v;
		else if (!strcmp(o, "--inner-dst")) idst = v;
		else if (!strcmp(o, "--count")) count = atoi(v);
		else if (!strcmp(o, "--timeout")) timeout = atoi(v);
		else usage();
	}
	if (!key_file || !peer_pub || !bind_addr || port < 0 || !isrc || !idst ||
	    (initiate && (!peer_addr || peer_port <= 0)) || count < 1 || timeout < 1)
		usage();
	if (inet_pton(AF_INET, isrc, D.inner_src) != 1 || inet_pton(AF_INET, idst, D.inner_dst) != 1)
		usage();
	if (read_key_file(key_file, priv) || parse_b64_key(peer_pub, pub)) {
		fprintf(stderr, "wgcore_peer: bad key\n");
		return 2;
	}
	if (psk_file) {
		if (read_key_file(psk_file, psk)) {
			fprintf(stderr, "wgcore_peer: bad psk\n");
			return 2;
		}
		have_psk = true;
	}
	D.idx_seed = (uint32_t)getpid() ^ (uint32_t)mono_ns();
	D.echo_id = (uint16_t)getpid();
	wg_noise_device_init(&D.dev, &ops, &D);
	if (wg_noise_device_set_private(&D.dev, priv) ||
	    wg_noise_handshake_init(&D.hs, &D.dev, pub, have_psk ? psk : NULL, NULL)) {
		fprintf(stderr, "wgcore_peer: unusable keys\n");
		return 2;
	}
	wg_wipe(priv, sizeof(priv));
	wg_wipe(psk, sizeof(psk));
	wg_cookie_checker_init(&D.checker, D.dev.static_public);
	wg_cookie_maker_init(&D.maker, pub);

	if (make_sockaddr(bind_addr, port, &ss, &sslen))
		usage();
	D.family = ss.ss_family;
	D.fd = socket(D.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (D.fd < 0 || bind(D.fd, (struct sockaddr *)&ss, sslen) < 0) {
		fprintf(stderr, "wgcore_peer: bind: %s\n", strerror(errno));
		return 3;
	}
	if (initiate) {
		if (make_sockaddr(peer_addr, peer_port, &D.peer, &D.peer_len) ||
		    D.peer.ss_family != D.family)
			usage();
		D.have_peer = true;
	}
	say("listening (%s)", initiate ? "initiator" : "responder");

	deadline = mono_ns() + (uint64_t)timeout * NS;
	ret = 1;
	while (mono_ns() < deadline) {
		uint8_t buf[2048];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct pollfd pfd = { .fd = D.fd, .events = POLLIN };
		ssize_t n;

		if (initiate && !handshaken && mono_ns() - last_init >= WG_REKEY_TIMEOUT * NS) {
			if (send_initiation())
				break;
			last_init = mono_ns();
		}
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(D.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		switch (wg_message_classify(buf, (size_t)n)) {
		case WG_MSG_HANDSHAKE_INITIATION:
			if (initiate) {
				say("ignored: initiation while initiating");
				break;
			}
			handle_initiation(buf, (size_t)n, &from, flen);
			break;
		case WG_MSG_HANDSHAKE_RESPONSE:
			if (!initiate || handshaken)
				break;
			if (handle_response(buf, (size_t)n, &from) < 0)
				goto out; /* e.g. wrong psk: fail cleanly */
			handshaken = true;
			send_echo_request(1);
			break;
		case WG_MSG_HANDSHAKE_COOKIE: {
			const struct wg_message_handshake_cookie *c = (const void *)buf;

			if (le32toh(c->receiver_index) != D.hs.local_index ||
			    wg_cookie_consume_reply(&D.maker, c, mono_ns())) {
				say("drop: cookie reply not for us");
				break;
			}
			say("cookie reply consumed; retrying initiation with mac2");
			last_init = 0;
			break;
		}
		case WG_MSG_DATA: {
			int r = handle_data(buf, (size_t)n);

			if ((initiate && r == 1) || (!initiate && r == 2 && ++done >= count)) {
				ret = 0;
				goto out;
			}
			break;
		}
		default:
			say("drop: not a WireGuard message (%zd bytes)", n);
		}
	}
	say("timeout after %d s", timeout);
out:
	say("%s", ret == 0 ? "RESULT ok" : "RESULT failed");
	wg_keypairs_clear(&D.dev, &D.kps);
	wg_noise_handshake_destroy(&D.hs);
	wg_noise_device_clear(&D.dev);
	wg_cookie_checker_clear(&D.checker);
	wg_cookie_maker_clear(&D.maker);
	close(D.fd);
	return ret;
}
