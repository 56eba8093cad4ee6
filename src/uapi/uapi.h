/* SPDX-License-Identifier: MIT */
/*
 * UAPI: the cross-platform WireGuard configuration protocol, as wireguard-go
 * serves it on /var/run/wireguard/IFNAME.sock and as `wg`/`wg-quick` speak it.
 * Pure: no sockets, no clock. Bytes in, a transaction or a request out;
 * snapshot in, reply bytes out. docs/uapi.md describes the protocol, the
 * errno table and the differences from wireguard-go.
 *
 * Layers:
 *   1. wg_uapi_conn_*   per-connection framer: feed it whatever read()
 *                       returned; it splits lines, recognises "get=1" /
 *                       "set=1", enforces WG_UAPI_LINE_MAX and reports
 *                       one WG_UAPI_EV_* per complete request.
 *   2. wg_uapi_set_*    line parser for the body of a set (init / feed line /
 *                       finish), producing a struct wg_uapi_txn. Used by the
 *                       framer; usable alone (tests, fuzzing).
 *   3. wg_uapi_get_*    serializer of a struct wg_uapi_dev_info snapshot into
 *                       the get reply, byte for byte in wireguard-go's order.
 *
 * All-or-nothing: a set containing any invalid line yields no transaction,
 * only an errno; the daemon then changes nothing. A valid transaction is
 * applied by the daemon in order (device fields, then peer ops in list
 * order); if applying fails (e.g. bind: -EADDRINUSE) the daemon rolls back.
 *
 * Errors are negative errno values, and the reply line carries them as they
 * are: wireguard-go answers "errno=-22\n\n" (wg reads the number with
 * fscanf and negates it). Success is "errno=0\n\n". wireguard-go's mapping
 * (checked against a running wireguard-go 0.0.20220316), which we follow:
 *   line without '='                         -EPROTO
 *   unknown key, bad value (hex, number, "true", address, prefix),
 *   device key after the first public_key    -EINVAL
 *   read error / over-long line              -EIO
 *   listen_port / fwmark cannot be applied   -EADDRINUSE (daemon, at apply)
 *   transaction over our limits              -ENOMEM (wireguard-go: none)
 * An unknown operation line (not "get=1"/"set=1") closes the connection
 * without a reply, as wireguard-go does.
 */
#ifndef WGMTU_UAPI_UAPI_H
#define WGMTU_UAPI_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/messages.h"   /* WG_KEY_LEN (32): keys are plain byte arrays */

/* Longest accepted line, without its '\n'. The longest valid line is about
 * 90 bytes (an IPv6 endpoint with a zone); 4096 leaves room and keeps a
 * connection's buffer small. Longer lines fail the request with -EIO. */
#define WG_UAPI_LINE_MAX 4096
/* Per-transaction limits (a set over them fails with -ENOMEM, nothing
 * applied). A `wg setconf` of a large hub stays well inside. */
#define WG_UAPI_MAX_PEERS        262144u  /* bench/scale.sh sets 100k */
#define WG_UAPI_MAX_ALLOWED_IPS  (1u << 20)   /* total over all peers */
/* Zone (scope) of a link-local IPv6 endpoint, as text ("eth0" or "3"). */
#define WG_UAPI_ZONE_MAX 16   /* IFNAMSIZ, including the NUL */

/* ---------------------------------------------------------------- types */

/* An endpoint: family 0 (none), AF_INET or AF_INET6; addr in network byte
 * order (4 or 16 bytes used), port in host byte order. zone is "" or the
 * text after '%' in "[fe80::1%eth0]:51820"; the daemon resolves it
 * (if_nametoindex, or a decimal index). */
struct wg_uapi_endpoint {
	int family;
	uint8_t addr[16];
	uint16_t port;
	char zone[WG_UAPI_ZONE_MAX];
};

/* An allowed IP prefix. addr holds the address as written, already masked
 * to cidr bits (wireguard-go masks on insert, and get shows it masked). */
struct wg_uapi_allowed_ip {
	int family;               /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t cidr;             /* 0..32 or 0..128 */
};

/* One "public_key=" block of a set, in request order. Flags mirror the
 * keys that were present; a block may repeat a public key seen earlier in
 * the same transaction (it then updates the same peer, as in wireguard-go). */
/* Per-peer probing method of the wgmtu_probe key (docs/uapi-extensions.md). */
enum wg_uapi_pmtu_mode {
	WG_UAPI_PMTU_AUTO = 0,
	WG_UAPI_PMTU_INBAND,
	WG_UAPI_PMTU_ICMP_TUNNEL,
	WG_UAPI_PMTU_ICMP_ENDPOINT,
	WG_UAPI_PMTU_OFF,
};
const char *wg_uapi_pmtu_mode_name(enum wg_uapi_pmtu_mode m);

struct wg_uapi_peer_op {
	uint8_t public_key[WG_KEY_LEN];
	bool remove;                   /* remove=true: other fields ignored */
	bool update_only;              /* do not create the peer if absent */
	bool has_preshared_key;
	uint8_t preshared_key[WG_KEY_LEN]; /* all-zero = no PSK */
	bool has_endpoint;
	struct wg_uapi_endpoint endpoint;
	bool has_persistent_keepalive;
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	bool replace_allowed_ips;      /* drop existing ones before adding */
	/* allowed_ip lines of this block, in order: txn->allowed_ips[first ..
	 * first + count - 1]. Applied after replace_allowed_ips. */
	size_t allowed_ips_first;
	size_t allowed_ips_count;
	/* wgmtud's path-MTU keys (docs/uapi-extensions.md) */
	bool has_wgmtu_probe;
	enum wg_uapi_pmtu_mode wgmtu_probe;
	bool has_wgmtu_probe_address;
	struct wg_uapi_allowed_ip wgmtu_probe_address; /* family 0: choose again */
	bool has_wgmtu_pinned_mtu;
	uint16_t wgmtu_pinned_mtu;     /* 0 = unpin */
	/* Keys seen after remove=true / update_only=true are still parsed and
	 * validated (wireguard-go does too) but have no effect on a removed
	 * peer. */
};

/* A parsed set request: device changes, then peer operations in order.
 * Apply order (matches wireguard-go's line-by-line effect):
 *   1. private_key (all-zero = clear the key). The daemon also removes a
 *      peer whose public key equals the new device public key.
 *   2. listen_port, fwmark (fwmark 0 = clear)
 *   3. replace_peers: remove all existing peers
 *   4. peers[0..n_peers-1] in order. A peer op whose public key equals the
 *      device's own public key is ignored (wireguard-go's "dummy" peer).
 * Holds secrets: release with wg_uapi_txn_free() (wipes). */
struct wg_uapi_txn {
	bool has_private_key;
	uint8_t private_key[WG_KEY_LEN];
	bool has_listen_port;
	uint16_t listen_port;          /* 0 = pick a random port */
	bool has_fwmark;
	uint32_t fwmark;
	bool replace_peers;
	/* wgmtud's device-level path-MTU keys (docs/uapi-extensions.md) */
	bool has_wgmtu_probe;
	bool wgmtu_probe;
	bool has_wgmtu_clamp_mss;
	bool wgmtu_clamp_mss;
	bool has_wgmtu_max_mtu;
	uint16_t wgmtu_max_mtu;        /* 1280..9000 */

	struct wg_uapi_peer_op *peers;
	size_t n_peers;
	struct wg_uapi_allowed_ip *allowed_ips;
	size_t n_allowed_ips;
};

/* Wipes keys and frees the arrays; leaves *t zeroed. NULL-safe. */
void wg_uapi_txn_free(struct wg_uapi_txn *t);

/* --------------------------------------------------------- set parser */

struct wg_uapi_set_parser {
	struct wg_uapi_txn txn;
	int err;           /* first error (negative errno), 0 while valid */
	size_t line_no;    /* lines fed so far (for the daemon's log) */
	char err_msg[128]; /* one-line reason for the first error, "" if none */
	/* private */
	bool in_peer;
	size_t cap_peers, cap_aips;
};

/* Starts an empty transaction. */
void wg_uapi_set_init(struct wg_uapi_set_parser *p);

/* Feeds one line of a set body, without its '\n' (len bytes, need not be
 * NUL-terminated, may contain any byte). The blank line that ends the set
 * is not fed: call finish instead. After the first error further lines are
 * counted and ignored. Returns 0 or the (sticky) negative errno. */
int wg_uapi_set_feed_line(struct wg_uapi_set_parser *p, const char *line,
			  size_t len);

/* Marks that a line longer than WG_UAPI_LINE_MAX was received (its bytes
 * were discarded by the caller): the set fails with -EIO. */
void wg_uapi_set_feed_overlong(struct wg_uapi_set_parser *p);

/* Ends the set (blank line or EOF — wireguard-go treats EOF like the blank
 * line). On 0 the transaction moves to *out (caller owns it, must
 * wg_uapi_txn_free it); on error *out is zeroed and the errno returned.
 * The transaction part of the parser is left empty either way (secrets
 * wiped on error); err and err_msg stay readable until the next init. */
int wg_uapi_set_finish(struct wg_uapi_set_parser *p, struct wg_uapi_txn *out);

/* Discards a parser without finishing (connection dropped). Wipes. */
void wg_uapi_set_abort(struct wg_uapi_set_parser *p);

/* -------------------------------------------------------- get serializer */

struct wg_uapi_out;

/* Hook to append extra per-peer keys after the standard ones (after the
 * last allowed_ip of that peer), e.g. wgmtud's "wgmtu_path_mtu=1380".
 * Call wg_uapi_out_kv_*() from it. `wg` ignores keys it does not know in a
 * get reply (see docs/uapi.md). Keys must be [a-z0-9_]+ and must not be a
 * standard key. Returns 0 or a negative errno (aborts the serialization). */
typedef int (*wg_uapi_peer_extra_fn)(void *ctx, size_t peer_index,
				     struct wg_uapi_out *out);

/* Hook for extra device-level keys, written after fwmark and before the
 * first peer (wgmtud's wgmtu_version, ...). Same rules as peer_extra. */
typedef int (*wg_uapi_dev_extra_fn)(void *ctx, struct wg_uapi_out *out);

/* A snapshot of one peer for get. */
struct wg_uapi_peer_info {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];   /* all-zero if none (still shown) */
	struct wg_uapi_endpoint endpoint;    /* family 0: no endpoint line */
	int64_t last_handshake_sec;          /* wall clock; 0/0 = never */
	int64_t last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
	uint16_t persistent_keepalive;       /* seconds */
	const struct wg_uapi_allowed_ip *allowed_ips; /* in insertion order */
	size_t n_allowed_ips;
};

/* A snapshot of the device for get. Peers are written in array order. */
struct wg_uapi_dev_info {
	bool has_private_key;        /* false or all-zero: no private_key line */
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port;        /* the bound port; 0: no line */
	uint32_t fwmark;             /* 0: no line */
	const struct wg_uapi_peer_info *peers;
	size_t n_peers;
	wg_uapi_dev_extra_fn dev_extra;    /* optional */
	wg_uapi_peer_extra_fn peer_extra;  /* optional */
	void *peer_extra_ctx;
};

/* A growable output buffer. Contents may hold a private key: release with
 * wg_uapi_out_free() (wipes). Allocation failure is sticky in ->err. */
struct wg_uapi_out {
	char *buf;
	size_t len, cap;
	int err;            /* 0 or -ENOMEM */
};

void wg_uapi_out_init(struct wg_uapi_out *o);
void wg_uapi_out_free(struct wg_uapi_out *o);     /* wipes, NULL-safe */
/* Append "key=value\n". Return 0 or -ENOMEM / -EINVAL (bad key). */
int wg_uapi_out_kv_u64(struct wg_uapi_out *o, const char *key, uint64_t v);
int wg_uapi_out_kv_i64(struct wg_uapi_out *o, const char *key, int64_t v);
int wg_uapi_out_kv_str(struct wg_uapi_out *o, const char *key, const char *v);

/* Appends the full get reply for *d, ending with "errno=0\n\n":
 *   private_key listen_port fwmark, then per peer: public_key preshared_key
 *   protocol_version=1 [endpoint] last_handshake_time_sec
 *   last_handshake_time_nsec tx_bytes rx_bytes persistent_keepalive_interval
 *   allowed_ip... [extra keys]
 * Keys as lowercase hex. Returns 0 or a negative errno (then nothing useful
 * is in o; answer with wg_uapi_write_errno instead). */
int wg_uapi_get_serialize(const struct wg_uapi_dev_info *d,
			  struct wg_uapi_out *o);

/* Appends "errno=N\n\n" with N = err as is (err <= 0: "errno=-22"). */
int wg_uapi_write_errno(struct wg_uapi_out *o, int err);

/* Text forms used in get replies, exposed for tests and for `wgmtu show`:
 * "1.2.3.4:51820", "[2001:db8::1]:51820"; "10.0.0.0/24", "fd00::/64".
 * IPv6 per RFC 5952 as Go's netip prints it ("::ffff:1.2.3.4" for
 * v4-mapped, "::102:304" for the deprecated v4-compatible form). The zone
 * of an endpoint is not printed: wireguard-go's get omits it too. Return
 * chars written (excluding NUL) or -ENOSPC / -EAFNOSUPPORT. */
#define WG_UAPI_ADDR_STR_MAX 80
int wg_uapi_format_endpoint(const struct wg_uapi_endpoint *e, char *buf,
			    size_t cap);
int wg_uapi_format_allowed_ip(const struct wg_uapi_allowed_ip *a, char *buf,
			      size_t cap);
/* Parsers of the same forms as set accepts them (0 or -EINVAL). */
int wg_uapi_parse_endpoint(const char *s, size_t len,
			   struct wg_uapi_endpoint *e);
int wg_uapi_parse_allowed_ip(const char *s, size_t len,
			     struct wg_uapi_allowed_ip *a);

/* ------------------------------------------------ per-connection framer */

enum wg_uapi_event {
	WG_UAPI_EV_NONE = 0,  /* all bytes consumed, need more */
	WG_UAPI_EV_GET,       /* "get=1\n\n": reply wg_uapi_get_serialize() */
	WG_UAPI_EV_SET,       /* valid set: apply c->txn (all or nothing),
			       * reply errno=0 or the apply error */
	WG_UAPI_EV_ERROR,     /* invalid request: change nothing, reply
			       * wg_uapi_write_errno(c->err) (c->err_msg says
			       * why, for the log); the connection goes on */
	WG_UAPI_EV_CLOSE,     /* unknown operation: close without a reply */
};

struct wg_uapi_conn {
	/* After WG_UAPI_EV_SET: the transaction; the daemon owns it from then
	 * on (move it out, or wg_uapi_txn_free it) before feeding more. */
	struct wg_uapi_txn txn;
	/* After WG_UAPI_EV_ERROR: negative errno and a one-line reason. */
	int err;
	const char *err_msg;
	/* private */
	int state;
	struct wg_uapi_set_parser parser;
	char line[WG_UAPI_LINE_MAX + 1];
	size_t line_len;
	bool overlong;
};

void wg_uapi_conn_init(struct wg_uapi_conn *c);
/* Consumes bytes from data[0..len) up to and including the end of the
 * first complete request, sets *consumed, and returns its event (or
 * WG_UAPI_EV_NONE when all bytes were consumed without completing one).
 * Call again with the rest after handling the event. */
enum wg_uapi_event wg_uapi_conn_feed(struct wg_uapi_conn *c,
				     const uint8_t *data, size_t len,
				     size_t *consumed);
/* The client closed its side (read returned 0). Returns WG_UAPI_EV_SET or
 * WG_UAPI_EV_ERROR if a set was in progress (wireguard-go applies a set
 * ended by EOF; a partial line counts as a last line), else
 * WG_UAPI_EV_CLOSE. */
enum wg_uapi_event wg_uapi_conn_eof(struct wg_uapi_conn *c);
/* Frees and wipes everything the connection holds. */
void wg_uapi_conn_free(struct wg_uapi_conn *c);
/* Heap bytes the connection holds beyond its own struct (the transaction
 * being parsed, or handed out and not yet freed): for the daemon's limits. */
size_t wg_uapi_conn_mem(const struct wg_uapi_conn *c);

#endif
