/* SPDX-License-Identifier: MIT */
/*
 * The UAPI socket: /var/run/wireguard/IFNAME.sock (directory 0755, socket
 * 0600, a stale socket replaced, a live one refused), or an inherited
 * listening socket (WG_UAPI_FD). This file does only the framing: a request
 * is "get=1\n\n" or "set=1\n...\n\n"; several may follow on one connection.
 * Parsing is uapi/uapi.h's (wg_uapi_conn); the device answers through
 * struct wgd_ipc_ops.
 */
#ifndef WGMTU_DAEMON_IPC_H
#define WGMTU_DAEMON_IPC_H

#include <stddef.h>
#include <stdint.h>

#define WGD_IPC_DIR "/var/run/wireguard"
#define WGD_IPC_MAX_REQUEST (8u << 20) /* a setconf of many thousand peers */
#define WGD_IPC_MAX_CLIENTS 16

struct wg_uapi_txn;
struct wg_uapi_out;

/* The device's side: answer a get (append the reply to out), apply a
 * parsed set (returns 0 or negative errno for the reply). */
struct wgd_ipc_ops {
	void (*get)(void *ctx, struct wg_uapi_out *out);
	int (*set)(void *ctx, struct wg_uapi_txn *txn);
};

struct wgd_ipc_client {
	int fd;
	struct wg_uapi_conn *conn; /* dpure's framer + set parser */
};

struct wgd_ipc {
	int listen_fd;
	char path[128];          /* empty when inherited (not ours to unlink) */
	struct wgd_ipc_client clients[WGD_IPC_MAX_CLIENTS];
	const struct wgd_ipc_ops *ops;
	void *ctx;
};

int wgd_ipc_open(struct wgd_ipc *ipc, const char *ifname, int inherited_fd,
		 char *err, size_t errlen);
/* The listening socket is readable: accept. Returns the new client's fd or
 * -1; the caller adds it to its poll set. */
int wgd_ipc_accept(struct wgd_ipc *ipc);
/* Client fd readable: read, answer complete requests. Returns 0 to keep
 * the connection, -1 when it was closed (fd no longer valid). */
int wgd_ipc_client_event(struct wgd_ipc *ipc, int fd);
void wgd_ipc_close(struct wgd_ipc *ipc);

#endif
