/* SPDX-License-Identifier: MIT */
/*
 * The wgmtud device: one TUN, one UDP port, one UAPI socket, its peers, and
 * the single-threaded epoll loop that moves packets between them.
 *
 * The data path's functions, in order (docs/daemon.md has the diagram):
 *
 *   TUN -> UDP  send.c: wgd_send_tun_readable -> tx_offload (checksum,
 *               TSO cut, common/gso.h) -> tx_process: ipi_parse,
 *               allowed-IPs lookup, the path-MTU calls (MSS clamp, MTU
 *               check: pmtu.c) -> encrypt into the batch, or stage while
 *               there is no session -> wgd_send_flush (sendmmsg)
 *   UDP -> TUN  receive.c: wgd_receive_udp_readable -> rx_handshake (load,
 *               cookie, rate limit) / rx_cookie / rx_data: decrypt, roam,
 *               timers, the probe check, ipi_parse, inner source in the sender's
 *               allowed IPs, MSS clamp -> rx_flush_tun (GRO)
 */
#ifndef WGMTU_DAEMON_DEVICE_H
#define WGMTU_DAEMON_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "wire/cookie.h"
#include "wire/noise.h"
#include "wire/transport.h"
#include "common/keyhash.h"
#include "route/allowedips.h"
#include "daemon/config.h"
#include "daemon/drop.h"
#include "common/gso.h"
#include "wire/index.h"
#include "daemon/ipc.h"
#include "daemon/pmtu.h"
#include "common/ratelimit.h"
#include "wire/timers.h"
#include "daemon/tun.h"
#include "daemon/udp.h"
#include "daemon/workers.h"
#include "uapi/uapi.h"

/* Packets waiting for a handshake, per peer (wireguard-go keeps 128). */
#define WGD_STAGED_MAX 128
/* A packet buffer: headroom for the data header, the largest TUN packet,
 * padding and tag. */
#define WGD_PKT_HEADROOM WG_MSG_DATA_HEADER_LEN
#define WGD_PKT_MAX 65535
#define WGD_PKT_BUF (WGD_PKT_HEADROOM + WGD_PKT_MAX + WG_PADDING_MULTIPLE + WG_AEAD_TAG_LEN)
/* Under-load detection: our "handshake queue" is the handshake messages of
 * one receive batch; 16 or more in one batch of 64 means we are behind
 * (the reference implementations use 1/8 of their queue). */
#define WGD_LOAD_QUEUE 128
/* Under load, handshake messages per second (and burst) one source may
 * make us spend crypto on: far above any honest sender (a peer initiates
 * at most every 5 s; a NAT of many peers stays well below), far below a
 * flood. */
#define WGD_FLOOD_SOURCE_PPS 1000
#define WGD_FLOOD_SOURCE_BURST 200
/* Packets read from the TUN (or UDP) per batch. */
#define WGD_BATCH 64
/* Datagrams of one UDP receive batch after splitting GRO super-datagrams
 * (the kernel merges at most 64 segments into one). */
#define WGD_RX_SEGS (WGD_BATCH * 64)

/* A packet in the transmit batch: its counter is taken (in order) when it
 * joins the batch, the sealing happens at the flush on any lane. */
struct wgd_tx_job {
	struct wg_keypair *kp;    /* a reference, dropped after sealing */
	uint64_t counter;
	size_t plen, mtu;         /* plaintext length, padding cap */
	int r;                    /* result of the seal */
};

/* A data message of the receive batch: looked up in order, opened on any
 * lane, then committed (replay window) and delivered in order. */
struct wgd_rx_job {
	struct wgd_dgram *d;
	struct wg_keypair *kp;    /* a reference, dropped after delivery */
	uint64_t counter;
	size_t plen;
	int r;                    /* result of the open */
};

struct wgd_staged_pkt {
	uint8_t *buf;      /* malloc'd, len bytes (at least 1) */
	uint16_t len;      /* plaintext length (0 = keepalive) */
};

struct wgd_peer {
	struct wgd_peer *next, *prev;     /* dev->peers, in the order added */
	struct wg_keyhash_entry by_key;   /* dev->peer_hash, by public_key */
	struct wgd_device *dev;
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	struct wg_noise_handshake hs;
	struct wg_cookie_maker cookie;
	struct wg_keypairs kps;
	struct wg_timers timers;
	struct wgd_endpoint ep;
	uint16_t persistent_keepalive;
	uint64_t rx_bytes, tx_bytes;
	struct timespec last_handshake;   /* wall clock; 0 = never */
	/* staged ring: WGD_STAGED_MAX slots, allocated when the first packet
	 * is staged (2 KB a peer that most of a large hub's peers never need) */
	struct wgd_staged_pkt *staged;
	unsigned staged_head, staged_count;
	bool sending_staged;              /* re-entrancy guard of wgd_send_staged */
	uint64_t deadline;                /* cached wg_timers_next_deadline */
	/* this peer's allowed IPs (in insertion order, as `get` lists them) */
	struct wg_allowedips_owner aips;
	struct wgd_pmtu pmtu;             /* per-peer path MTU (pmtu.h) */
};

struct wgd_device {
	struct wgd_config cfg;    /* the environment, read once by main.c */
	struct wgd_tun tun;
	struct wgd_udp udp;
	struct wgd_ipc ipc;
	int epfd, sigfd;
	bool running;

	struct wg_noise_device noise;
	struct wg_cookie_checker cookie;
	struct wg_ratelimit ratelimit;
	/* under load: each source's budget of handshake messages we spend any
	 * crypto on (MAC1, cookie reply) -- the cheap drop of a flood */
	struct wg_ratelimit flood_rl;
	/* cookie replies of the current receive round, sent in one batch */
	struct wg_message_handshake_cookie cookie_out[WGD_BATCH];
	struct wgd_dgram cookie_dg[WGD_BATCH];
	int n_cookie;
	struct wg_load load;
	struct wg_allowedips *aips;
	struct wg_index_table index;
	struct wg_timers_consts timer_consts;
	struct wgd_peer *peers, *peers_tail;
	size_t n_peers;
	struct wg_keyhash peer_hash;  /* peers by public key */
	uint16_t listen_port;     /* configured (0 = random) */
	uint32_t fwmark;

	struct wgd_pmtu_dev pmtu;

	uint64_t drops[WGD_DROP_MAX];
	uint64_t drop_logged_ns[WGD_DROP_MAX];

	/* data path batches */
	uint8_t *rxbuf;           /* WGD_BATCH x WGD_PKT_BUF */
	uint8_t *txbuf;           /* (WGD_BATCH + 1) x WGD_PKT_BUF: the slots below */
	uint8_t *txslot[WGD_BATCH]; /* the transmit slots, each WGD_PKT_BUF */
	uint8_t *gsobuf;          /* the spare slot: a TSO batch being segmented
				   * (swapped with the slot it was read into) */
	struct wgd_dgram tx[WGD_BATCH];
	struct wgd_peer *tx_peer[WGD_BATCH];
	struct wgd_tx_job txjob[WGD_BATCH]; /* sealed at flush, on the workers */
	int n_tx;
	/* data messages of the receive batch waiting to be opened together */
	struct wgd_rx_job *rxjob; /* WGD_RX_SEGS */
	size_t n_rxjob;
	struct wgd_workers workers; /* AEAD over threads (workers.h) */
	unsigned threads;         /* configured (config.h); 0 = online CPUs */
	/* with the default thread count: share batches only while a CPU is
	 * free (workers.h), from /proc/loadavg every WGD_GATE_NS */
	struct wgd_cpu_gate cpu_gate;
	int loadavg_fd;           /* -1: not gated */
	uint64_t gate_last;       /* last sample (dev->now) */
	bool no_udp_gro;          /* WGMTUD_UDP_GRO=0 */
	/* one receive batch split into single datagrams (UDP GRO) */
	struct wgd_dgram *rxd;    /* WGD_RX_SEGS */
	bool seen_gro;            /* logged the first super-datagram */
	/* decrypted packets of the current receive batch, for the TUN (GRO) */
	struct wg_gso_gro_pkt *rxq;  /* WGD_RX_SEGS */
	size_t n_rxq;
	uint64_t now;             /* monotonic ns, refreshed per loop turn */
	uint64_t next_deadline;   /* <= every peer's deadline (may be early) */
};

/* cfg: the environment as main.c read it (config.h); copied. */
/* The part of wgd_device_init that opens nothing (tables, keys, buffers):
 * enough for UAPI get/set on a device without TUN, sockets or loop (the
 * fuzz harness of conf.c). wgd_device_destroy releases it. */
int wgd_device_init_core(struct wgd_device *dev, const struct wgd_config *cfg,
			 char *err, size_t errlen);
int wgd_device_init(struct wgd_device *dev, const char *ifname,
		    const struct wgd_config *cfg, char *err, size_t errlen);
/* Creates the event loop's epoll set and signalfd (after daemonizing). */
int wgd_device_start(struct wgd_device *dev, char *err, size_t errlen);
int wgd_device_run(struct wgd_device *dev);
/* One turn of the loop without waiting and without serving the UAPI
 * socket: a long UAPI set calls it between slices of its preparation, so
 * that packets keep flowing. Only while nothing visible has changed yet. */
void wgd_device_pump(struct wgd_device *dev);
/* (Re)binds the UDP port (0 = random); the old sockets stay on failure. */
int wgd_device_bind(struct wgd_device *dev, uint16_t port);
/* Removes the TUN and the socket, wipes all keys. */
void wgd_device_destroy(struct wgd_device *dev);

/* drop.c: counts one drop of reason why (peer may be NULL) */
void wgd_drop(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer);
/* The same, naming an inner address in the (rate-limited) log line, e.g.
 * what "dst" and the destination that has no route. */
void wgd_drop_ip(struct wgd_device *dev, enum wgd_drop why, struct wgd_peer *peer,
		 const char *what, int family, const uint8_t *addr);
/* Logs every nonzero counter (shutdown, SIGUSR1). */
void wgd_drop_log_totals(struct wgd_device *dev);

/* rand.c: a uniformly random 32-bit value from libcrypto (aborts if the
 * CSPRNG fails); the argument is unused (wg_index_rand_fn's shape). */
uint32_t wgd_rand32(void *unused);
/* Adds an icmp-endpoint raw socket (pmtu.c) to the event loop. */
int wgd_device_watch_epsock(struct wgd_device *dev, int fd, int family);

/* peer.c */
struct wgd_peer *wgd_peer_find(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN]);
struct wgd_peer *wgd_peer_new(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN]);
/* The two halves of wgd_peer_new: a peer ready to be added (the costly
 * part: the static-static DH) that nothing sees yet, then adding it to the
 * device's list and table (cannot fail). A peer never linked is released
 * with wgd_peer_free. */
struct wgd_peer *wgd_peer_alloc(struct wgd_device *dev, const uint8_t pub[WG_KEY_LEN]);
/* The same against identity nd (the one a UAPI set is about to install). */
struct wgd_peer *wgd_peer_alloc_for(struct wgd_device *dev, struct wg_noise_device *nd,
				    const uint8_t pub[WG_KEY_LEN]);
void wgd_peer_link(struct wgd_device *dev, struct wgd_peer *peer);
void wgd_peer_free(struct wgd_peer *peer);
void wgd_peer_remove(struct wgd_device *dev, struct wgd_peer *peer);
/* Performs WG_TIMERS_* actions for peer; refreshes its deadline. */
void wgd_peer_actions(struct wgd_peer *peer, uint32_t actions);
/* Re-reads the peer's next timer deadline (after any timer event). */
void wgd_peer_rearm(struct wgd_peer *peer);
/* The current keypair as the timer core sees it (valid, role, birth, counter). */
void wgd_peer_keypair_info(struct wgd_peer *peer, struct wg_timers_keypair *ki);
void wgd_peer_zero_keys(struct wgd_peer *peer);
/* Sets the endpoint (with its sticky source) and reports whether the remote
 * address or port changed (roaming: a new path). A new or cleared source
 * alone, or the same endpoint set again by `wg syncconf`, is no move. */
bool wgd_peer_set_endpoint(struct wgd_peer *peer, const struct wgd_endpoint *ep);

/* send.c */
void wgd_send_tun_readable(struct wgd_device *dev);
/* Queue one plaintext (pkt at buf + WGD_PKT_HEADROOM, len bytes; len 0 is a
 * keepalive) for peer: encrypted into the current tx batch, or staged. */
void wgd_send_packet(struct wgd_peer *peer, const uint8_t *pkt, size_t len);
void wgd_send_keepalive(struct wgd_peer *peer);
/* Encrypts pkt[0..len) for peer into the tx batch as it is, without the
 * data path's padding (probes of an exact outer size). No staging: 0, or
 * -ENOKEY without a usable session. */
int wgd_send_exact(struct wgd_peer *peer, const uint8_t *pkt, size_t len);
void wgd_send_staged(struct wgd_peer *peer);
void wgd_send_initiation(struct wgd_peer *peer);
/* sends a handshake message (not batched) to peer's endpoint */
int wgd_send_raw(struct wgd_peer *peer, const void *msg, size_t len);
void wgd_send_flush(struct wgd_device *dev);
void wgd_send_staged_purge(struct wgd_peer *peer, enum wgd_drop why);

/* receive.c */
/* The received datagrams d[0..n) as single WireGuard messages in out (at
 * most cap): a UDP GRO super-datagram (gso > 0) becomes its segments of gso
 * bytes, the last one possibly shorter, in place (pointers into its
 * buffer) and each with the sender's endpoint; other datagrams are copied
 * as they are (a truncated one, len 0, stays one empty message). Returns
 * the count. Pure. */
size_t wgd_receive_split(const struct wgd_dgram *d, int n, struct wgd_dgram *out, size_t cap);
void wgd_receive_udp_readable(struct wgd_device *dev, int fd);
/* hands the "too big" hints the UDP edge kept (from its error queues,
 * drained while receiving or sending) to the path MTU code */
void wgd_receive_hints(struct wgd_device *dev);

/* conf.c: UAPI get / set against the device */
void wgd_conf_get(void *ctx, struct wg_uapi_out *out);
int wgd_conf_set(void *ctx, struct wg_uapi_txn *txn);

#endif
