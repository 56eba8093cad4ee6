/* SPDX-License-Identifier: MIT */
/*
 * The device model of `wgmtu doctor` and `wgmtu tune`: WireGuard interfaces
 * and peers as `wg show all dump` prints them, for any implementation
 * (kernel over generic netlink, wireguard-go, boringtun, wgmtud over the
 * UAPI socket).
 *
 * Pure part: the dump parser and the prefix helpers (tested without I/O,
 * fuzzable). The format, one line per interface or peer, tab-separated:
 *   IF  private-key  public-key  listen-port  fwmark|off
 *   IF  public-key  preshared-key  endpoint|(none)  allowed-ips|(none)
 *       latest-handshake  rx-bytes  tx-bytes  keepalive|off
 * Private and preshared keys are never kept.
 *
 * `wg show IF dump` prints the same without the first column.
 *
 * I/O part: wgm_read() runs `wg show all dump` or `wg show IF dump`
 * ($WGMTU_WG overrides the program, for tests). One interface is the
 * cheaper question: `all` asks every userspace daemon with a socket in
 * /var/run/wireguard, and one that is slow to answer delays everything.
 * wg itself never gives up on a daemon, so wg is killed after
 * wgm_read_timeout_ms() (10 times $WGMTU_UAPI_TIMEOUT_MS: 30 s by
 * default) and wgm_read() returns -ETIMEDOUT.
 */
#ifndef WGMTU_TOOL_WGDUMP_H
#define WGMTU_TOOL_WGDUMP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WGM_KEY_B64 45 /* 44 chars + NUL */
#define WGM_IFNAMSIZ 16
#define WGM_MAX_LINE 65536

struct wgm_prefix {
	int family;            /* AF_INET / AF_INET6 */
	uint8_t addr[16];      /* network byte order; host bits as given */
	uint8_t len;           /* prefix length */
};

struct wgm_peer {
	char pubkey[WGM_KEY_B64];
	bool has_endpoint;
	struct sockaddr_storage endpoint;
	struct wgm_prefix *allowed;
	size_t n_allowed;
	uint64_t handshake;    /* latest handshake, seconds since the epoch (0: never) */
	uint64_t rx, tx;       /* bytes */
	unsigned keepalive;    /* seconds, 0: off */
};

struct wgm_iface {
	char name[WGM_IFNAMSIZ];
	char pubkey[WGM_KEY_B64];
	unsigned listen_port;
	uint32_t fwmark;
	struct wgm_peer *peers;
	size_t n_peers;
};

struct wgm_model {
	struct wgm_iface *ifs;
	size_t n_ifs;
};

/*
 * Parses a whole `wg show all dump` output. Returns 0 (the caller frees
 * *m with wgm_free) or -EINVAL (a malformed line: err names it) / -ENOMEM;
 * *m is empty on error.
 */
int wgm_parse_dump(const char *buf, size_t len, struct wgm_model *m,
		   char *err, size_t err_cap);
/* The same for `wg show IF dump` (4-field interface line, 8-field peers). */
int wgm_parse_dump_one(const char *buf, size_t len, const char *ifname,
		       struct wgm_model *m, char *err, size_t err_cap);
void wgm_free(struct wgm_model *m);
/* The interface named name, or NULL. */
const struct wgm_iface *wgm_find(const struct wgm_model *m, const char *name);

/* "10.0.0.1/32", "fd00::/64", a bare address (full length). 0 or -EINVAL. */
int wgm_prefix_parse(const char *s, struct wgm_prefix *p);
/* "host:port" / "[v6]:port". 0 or -EINVAL. */
int wgm_endpoint_parse(const char *s, struct sockaddr_storage *ss);
const char *wgm_prefix_fmt(const struct wgm_prefix *p, char *buf, size_t n);
bool wgm_prefix_eq(const struct wgm_prefix *a, const struct wgm_prefix *b);
/* Does a contain b (same family, a->len <= b->len, equal in a's bits)? */
bool wgm_prefix_contains(const struct wgm_prefix *a, const struct wgm_prefix *b);
/* A single host (/32, /128). */
bool wgm_prefix_is_host(const struct wgm_prefix *p);

/* The peer's first single-host allowed IP of a family (0: either, IPv4
 * first): the in-tunnel probe target. NULL when there is none. */
const struct wgm_prefix *wgm_peer_host(const struct wgm_peer *p, int family);
/* Does the peer route everything (0.0.0.0/0 or ::/0)? */
bool wgm_peer_full_tunnel(const struct wgm_peer *p);

/* Runs `wg show all dump` (ifname NULL) or `wg show IFNAME dump` (or
 * $WGMTU_WG) and parses it. 0 or negative errno (-ENODEV: wg cannot show
 * IFNAME, i.e. it is no WireGuard interface); err receives a reason. */
int wgm_read(struct wgm_model *m, const char *ifname, char *err, size_t err_cap);
int wgm_read_timeout_ms(void);

/* "" as root; otherwise a clause saying that wg needs root, to append to a
 * message about an interface wg did not list or a wg that failed (a
 * non-root wg gets "Permission denied" from every interface). */
const char *wgm_root_hint(void);

#endif
