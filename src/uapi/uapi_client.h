/* SPDX-License-Identifier: MIT */
/*
 * The client side of the UAPI (docs/uapi.md) for `wgmtu show` and
 * `wgmtu set`, with wgmtud's path-MTU keys (docs/uapi-extensions.md).
 * Independent of the daemon's code: the tool talks to wgmtud, wireguard-go
 * or anything else that serves the protocol.
 *
 * Pure (no sockets, no clock): the get-reply parser, the request builder,
 * key encodings. The socket side (find and talk to
 * $WGMTU_UAPI_DIR/IFNAME.sock with a timeout) is src/tool/uapi_io.h.
 */
#ifndef WGMTU_UAPI_UAPI_CLIENT_H
#define WGMTU_UAPI_UAPI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/key.h"

/* Limits on what a (possibly hostile or broken) server may send us. */
#define UAPI_CLIENT_LINE_MAX 4096        /* one line, without '\n' */
#define UAPI_CLIENT_REPLY_MAX (16u << 20) /* a whole reply */
#define UAPI_CLIENT_MAX_PEERS 65536u

/* One key=value line as received; value is NUL-terminated text (may be
 * empty). Unknown keys are kept, in order. */
struct uapi_kv {
	char *key;
	char *value;
};

struct uapi_section {
	struct uapi_kv *kv;
	size_t n, cap;
};

struct uapi_peer {
	uint8_t public_key[UAPI_KEY_LEN];
	struct uapi_section s;      /* every line of the block, public_key too */
};

/*
 * A parsed get reply. Secrets are never kept: the value of private_key is
 * replaced by "(hidden)", preshared_key by "(none)" or "(hidden)".
 */
struct uapi_reply {
	int daemon_errno;           /* the errno= line (0 = success) */
	struct uapi_section dev;    /* lines before the first public_key */
	struct uapi_peer *peers;
	size_t n_peers, cap_peers;
};

/*
 * Parses one complete get reply (buf[0..len), ending with "errno=N\n\n";
 * bytes after the blank line are ignored). Returns 0 (then the caller owns
 * *r: uapi_reply_free) with r->daemon_errno set, or a negative errno and
 * *r empty:
 *   -EPROTO  a line without '=', a bad public_key, a bad or missing errno
 *            line, no terminating blank line (truncated reply), NUL byte
 *   -E2BIG   a line over UAPI_CLIENT_LINE_MAX, reply over REPLY_MAX, or
 *            more than UAPI_CLIENT_MAX_PEERS peers
 *   -ENOMEM
 * err_msg (may be NULL) receives a one-line reason naming the line number.
 */
int uapi_reply_parse(const char *buf, size_t len, struct uapi_reply *r,
		     char *err_msg, size_t err_cap);
void uapi_reply_free(struct uapi_reply *r);

/* The value of the last line with this key in the section, or NULL. */
const char *uapi_get(const struct uapi_section *s, const char *key);
/* The same as a number: 0 and *out set, -ENOENT (absent), -EINVAL. */
int uapi_get_u64(const struct uapi_section *s, const char *key, uint64_t *out);
int uapi_get_i64(const struct uapi_section *s, const char *key, int64_t *out);
/* wgmtud's reply carries wgmtu_version at device level. */
bool uapi_reply_is_wgmtud(const struct uapi_reply *r);

/*
 * Length of the first complete reply in buf (through the blank line), or 0
 * if more bytes are needed. A reply ends at the first empty line; a get
 * reply contains no other.
 */
size_t uapi_reply_complete(const char *buf, size_t len);

/* ------------------------------------------------------------- requests */

/* A request being built: "set=1\n" + lines + "\n". */
struct uapi_req {
	char *buf;
	size_t len, cap;
	int err;                    /* sticky: -ENOMEM / -EINVAL */
};

void uapi_req_init_set(struct uapi_req *q);
/* Appends "key=value\n"; key must be [a-z0-9_]+, value without '\n'/'\0'. */
int uapi_req_kv(struct uapi_req *q, const char *key, const char *value);
/* Appends the terminating blank line. Returns 0 or the sticky error. */
int uapi_req_finish(struct uapi_req *q);
void uapi_req_free(struct uapi_req *q);

/* Key encodings (uapi_key_*): uapi/key.h. */

/* -------------------------------------------------------------- names */

/* An interface name as the kernel takes it: 1..15 chars, no '/', no
 * whitespace, not "." or "..". */
bool uapi_ifname_valid(const char *name);

#endif
