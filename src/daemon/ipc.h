/* SPDX-License-Identifier: MIT */
/*
 * The UAPI socket: /var/run/wireguard/IFNAME.sock (directory 0755, socket
 * 0600, a stale socket replaced, a live one refused), or an inherited
 * listening socket (WG_UAPI_FD). This file does only the framing: a request
 * is "get=1\n\n" or "set=1\n...\n\n"; several may follow on one connection.
 * Parsing is uapi/uapi.h's (wg_uapi_conn); the device answers through
 * struct wgd_ipc_ops.
 *
 * Every client is a small state machine driven by the daemon's epoll loop,
 * never a blocking call (issue 11.3): read what is there (at most
 * WGD_IPC_READ_SLICE per wakeup), answer complete requests, and write the
 * reply as far as the socket takes it; the rest waits for EPOLLOUT, and the
 * client's further input waits until its reply is out. A client that never
 * reads its reply costs its own memory only, never the data path's time.
 *
 * Limits: WGD_IPC_MAX_CLIENTS connections; one request at most
 * WGD_IPC_MAX_REQUEST bytes (the parser's own limits, WG_UAPI_MAX_PEERS and
 * WG_UAPI_MAX_ALLOWED_IPS, bound what it holds); all clients' pending
 * requests and replies together WGD_IPC_BUDGET bytes, which a single set
 * of the parser's largest size fits.
 * A request over a limit is answered errno=-12 (ENOMEM) and the connection
 * closed; a reply is never refused (its size is the device's). Under
 * pressure (clients or budget), a client that made no progress for
 * WGD_IPC_STALL_MS is closed to make room; the time the loop spent on
 * another client's request (a large get or set takes seconds) does not
 * count against the others. Refusals are
 * logged at most once a second, with the count of those not logged.
 */
#ifndef WGMTU_DAEMON_IPC_H
#define WGMTU_DAEMON_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/uapi.h"

#define WGD_IPC_DIR "/var/run/wireguard"
/* text of one request: a setconf of WG_UAPI_MAX_PEERS (262144) peers with
 * an endpoint and an allowed IP each is about 40 MB (100k peers: 16 MB) */
#define WGD_IPC_MAX_REQUEST (64u << 20)
/* all pending requests and replies: that largest set holds about 75 MB */
#define WGD_IPC_BUDGET (128u << 20)
#define WGD_IPC_MAX_CLIENTS 1024
#define WGD_IPC_STALL_MS 5000
#define WGD_IPC_READ_SLICE (256u << 10) /* per client and wakeup */
#define WGD_IPC_BACKLOG 512

/* The device's side: answer a get (append the reply to out), apply a
 * parsed set (returns 0 or negative errno for the reply). */
struct wgd_ipc_ops {
	void (*get)(void *ctx, struct wg_uapi_out *out);
	int (*set)(void *ctx, struct wg_uapi_txn *txn);
};

struct wgd_ipc_client {
	int fd;
	struct wg_uapi_conn conn;  /* framer + set parser */
	struct wg_uapi_out out;    /* the reply; out.buf[out_off..out.len) unsent */
	size_t out_off;
	uint8_t *in;               /* bytes read but not yet fed (while a reply */
	size_t in_len, in_off;     /* was waiting to be written) */
	size_t req_bytes;          /* bytes of the request in progress */
	size_t charged;            /* what this client counts in ipc->used */
	uint64_t active_ms;        /* last progress either way */
	uint32_t events;           /* epoll interest */
	bool closing;              /* close once the reply is out */
};

struct wgd_ipc {
	int listen_fd;
	char path[128];          /* empty when inherited (not ours to unlink) */
	const struct wgd_ipc_ops *ops;
	void *ctx;
	/* the loop's epoll set: clients are added with client_tag | fd << 8 */
	int epfd;
	uint64_t client_tag;
	struct wgd_ipc_client **by_fd; /* clients indexed by their fd */
	size_t by_fd_cap;
	unsigned n_clients;
	size_t used;             /* bytes of all pending requests and replies */
	size_t max_request, budget; /* WGD_IPC_MAX_REQUEST, WGD_IPC_BUDGET (tests lower them) */
	uint64_t stall_ms;       /* WGD_IPC_STALL_MS (tests lower it) */
	int spare_fd;            /* released to accept-and-close at EMFILE */
	/* refusal log: at most one line a second */
	uint64_t log_ms;
	unsigned log_quiet;
	/* counters (for tests and the log) */
	uint64_t served, refused, evicted;
	size_t used_peak;
};

int wgd_ipc_open(struct wgd_ipc *ipc, const char *ifname, int inherited_fd,
		 char *err, size_t errlen);
/* The listening socket is readable: accept every pending client (each is
 * added to ipc->epfd). */
void wgd_ipc_accept(struct wgd_ipc *ipc);
/* epoll reported events on client fd: read, answer, write. */
void wgd_ipc_client_event(struct wgd_ipc *ipc, int fd, uint32_t events);
void wgd_ipc_close(struct wgd_ipc *ipc);

#endif
