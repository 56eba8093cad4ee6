/* SPDX-License-Identifier: MIT */
/*
 * The socket side of the UAPI client for `wgmtu show` and `wgmtu set`:
 * find and talk to $WGMTU_UAPI_DIR/IFNAME.sock (default /var/run/wireguard)
 * with a timeout. The codec it uses is src/uapi/uapi_client.h.
 */
#ifndef WGMTU_TOOL_UAPI_IO_H
#define WGMTU_TOOL_UAPI_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/uapi_client.h"

#define UAPI_DEFAULT_DIR "/var/run/wireguard"
#define UAPI_DEFAULT_TIMEOUT_MS 3000
#define UAPI_MAX_TIMEOUT_MS 600000

/* ---------------------------------------------------------------- I/O */

/* Reads WGMTU_UAPI_DIR and WGMTU_UAPI_TIMEOUT_MS once (wgmtu's main, before
 * a command that talks to a daemon). Returns 0, or -EINVAL with
 * "NAME=VALUE: expected ..." in err for a timeout that is not 1..600000. */
int uapi_env_load(char *err, size_t cap);
/* The socket directory: $WGMTU_UAPI_DIR if set and non-empty, else
 * /var/run/wireguard. */
const char *uapi_dir(void);
/* Sorted names of the *.sock files in uapi_dir(). Returns count >= 0 (the
 * caller frees each name and the array) or a negative errno (-ENOENT when
 * the directory does not exist counts as 0 interfaces). */
int uapi_list_interfaces(char ***names);
void uapi_free_names(char **names, int n);

/*
 * Connects to IFNAME's socket, sends req[0..req_len), reads one reply
 * (bounded by UAPI_CLIENT_REPLY_MAX) within timeout_ms overall. On 0,
 * *reply (malloc'd, NUL-terminated, caller wipes and frees: it may hold a
 * private key) and *reply_len are set. Errors: -ENOENT (no such
 * interface), -EACCES, -ECONNREFUSED (socket left by a dead daemon),
 * -ETIMEDOUT, -EPROTO (connection closed without any reply; a partial
 * reply is returned as it is, for the parser to reject), -E2BIG,
 * other negative errnos from the socket calls.
 */
int uapi_transact(const char *ifname, const char *req, size_t req_len,
		  int timeout_ms, char **reply, size_t *reply_len);
/* WGMTU_UAPI_TIMEOUT_MS from the environment, else the default. Without
 * uapi_env_load first, a bad value gives the default. */
int uapi_timeout_ms(void);
/* A one-line message for an error of uapi_transact on IFNAME. */
const char *uapi_strerror_transact(int err);

/* ------------------------------------------------------ wgmtu set argv */

/*
 * `wgmtu set`'s arguments after IFNAME -> a complete set request (pure;
 * tested without sockets). Returns 0 or -EINVAL with a one-line reason in
 * err (the command exits 2).
 */
int wgmtu_set_build(int argc, char **argv, struct uapi_req *q, char *err,
		    size_t err_cap);
/* A daemon's errno reply to a set (negative, as on the wire) -> a message
 * in the user's terms. */
const char *wgmtu_set_errno_msg(int daemon_errno);

#endif
