// SPDX-License-Identifier: MIT
/* UDP probe protocol v1: encode/decode (docs/probe-protocol.md). */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "pmtu/probe_wire.h"

const uint8_t pw_magic[4] = { 'w', 'g', 'm', 'p' };

int pw_encode(const struct pw_msg *m, uint8_t *buf, size_t len)
{
	struct wbuf w;

	if (len < PW_HDR_LEN || len > 65535)
		return -EINVAL;
	w = wbuf_make(buf, len);
	wbuf_put(&w, pw_magic, 4);
	wbuf_u8(&w, PW_VERSION);
	wbuf_u8(&w, m->type);
	wbuf_u8(&w, m->flags);
	wbuf_u8(&w, 0);
	wbuf_be32(&w, m->seq);
	wbuf_be16(&w, m->size_a);
	wbuf_be16(&w, m->size_b);
	wbuf_put(&w, m->cookie, PW_COOKIE_LEN);
	if (w.err)
		return -EINVAL;
	memset(buf + w.off, 0, len - w.off);
	return (int)len;
}

int pw_decode(const uint8_t *buf, size_t len, struct pw_msg *m)
{
	struct rbuf r = rbuf_make(buf, len);
	const uint8_t *magic;
	uint8_t ver;

	memset(m, 0, sizeof(*m));
	magic = rbuf_take(&r, 4);
	ver = rbuf_u8(&r);
	m->type = rbuf_u8(&r);
	m->flags = rbuf_u8(&r);
	rbuf_skip(&r, 1);
	m->seq = rbuf_be32(&r);
	m->size_a = rbuf_be16(&r);
	m->size_b = rbuf_be16(&r);
	rbuf_copy(&r, m->cookie, PW_COOKIE_LEN);
	if (!rbuf_ok(&r) || memcmp(magic, pw_magic, 4) != 0)
		return -EINVAL;
	if (ver != PW_VERSION)
		return -EPROTONOSUPPORT;
	if (m->type != PW_TYPE_REQUEST && m->type != PW_TYPE_REPLY)
		return -EINVAL;
	return 0;
}
