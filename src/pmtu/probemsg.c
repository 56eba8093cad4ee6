// SPDX-License-Identifier: MIT
/* In-band PMTU probe and acknowledgement messages: see probemsg.h. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "pmtu/probemsg.h"

int pmsg_encode(const struct pmsg *m, uint8_t *out, size_t cap, size_t len)
{
	struct wbuf w;

	if (!m || !out || len < PMSG_HDR_LEN || len > PMSG_MAX_OUTER)
		return -EINVAL;
	if (m->version != PMSG_VERSION ||
	    (m->type != PMSG_TYPE_PROBE && m->type != PMSG_TYPE_ACK))
		return -EINVAL;
	if (len > cap)
		return -ENOBUFS;
	w = wbuf_make(out, len);
	wbuf_be32(&w, PMSG_MAGIC);
	wbuf_u8(&w, m->version);
	wbuf_u8(&w, m->type);
	wbuf_be16(&w, m->flags);
	wbuf_be32(&w, m->id);
	wbuf_be16(&w, m->probed_size);
	wbuf_be16(&w, PMSG_HDR_LEN);
	wbuf_be16(&w, m->type == PMSG_TYPE_ACK ? m->seen_ip_size : 0);
	wbuf_be16(&w, m->type == PMSG_TYPE_ACK ? m->seen_udp_len : 0);
	wbuf_be32(&w, 0); /* reserved */
	if (w.err || w.off != PMSG_HDR_LEN)
		return -EINVAL; /* cannot happen: len >= PMSG_HDR_LEN */
	memset(out + PMSG_HDR_LEN, 0, len - PMSG_HDR_LEN);
	return (int)len;
}

int pmsg_decode(const uint8_t *p, size_t len, struct pmsg *m)
{
	struct rbuf r;

	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (!p || !pmsg_is_candidate(p, len))
		return -ENOMSG;
	if (len < 5)
		return -EBADMSG;
	if (p[4] != PMSG_VERSION)
		return -EPROTONOSUPPORT;
	if (len < PMSG_HDR_LEN)
		return -EBADMSG;
	r = rbuf_make(p, len);
	rbuf_skip(&r, 4);
	m->version = rbuf_u8(&r);
	m->type = rbuf_u8(&r);
	m->flags = rbuf_be16(&r);
	m->id = rbuf_be32(&r);
	m->probed_size = rbuf_be16(&r);
	m->hdr_len = rbuf_be16(&r);
	m->seen_ip_size = rbuf_be16(&r);
	m->seen_udp_len = rbuf_be16(&r);
	if (!rbuf_ok(&r))
		return -EBADMSG;
	if (m->type != PMSG_TYPE_PROBE && m->type != PMSG_TYPE_ACK)
		return -EBADMSG;
	if (m->hdr_len < PMSG_HDR_LEN || m->hdr_len > len)
		return -EBADMSG;
	if (m->type == PMSG_TYPE_PROBE)
		m->seen_ip_size = m->seen_udp_len = 0;
	return 0;
}

static int udp_ip_overhead(enum ovh_family fam)
{
	return fam == OVH_IPV4 ? 20 + 8 : fam == OVH_IPV6 ? 40 + 8 : -1;
}

void pmsg_make_ack(const struct pmsg *probe, size_t udp_len, enum ovh_family fam,
		   struct pmsg *ack)
{
	int ovh = udp_ip_overhead(fam);
	size_t ip = ovh < 0 ? 0 : udp_len + (size_t)ovh;

	memset(ack, 0, sizeof(*ack));
	ack->version = PMSG_VERSION;
	ack->type = PMSG_TYPE_ACK;
	ack->id = probe->id;
	ack->probed_size = probe->probed_size;
	ack->seen_udp_len = udp_len > 0xffff ? 0xffff : (uint16_t)udp_len;
	ack->seen_ip_size = ip > 0xffff ? 0xffff : (uint16_t)ip;
}

int pmsg_plaintext_len(unsigned outer, enum ovh_family fam)
{
	int ovh;

	if (fam != OVH_IPV4 && fam != OVH_IPV6)
		return -EINVAL;
	ovh = ovh_wg_overhead(fam);
	if (outer > PMSG_MAX_OUTER || outer < (unsigned)(ovh + PMSG_HDR_LEN))
		return -EINVAL;
	return (int)outer - ovh;
}

int pmsg_plaintext_len_padded(unsigned outer, enum ovh_family fam)
{
	int n = pmsg_plaintext_len(outer, fam);

	if (n < 0)
		return n;
	n -= n % OVH_WG_PADDING;
	return n < PMSG_HDR_LEN ? -EINVAL : n;
}

int pmsg_outer_size(size_t plaintext_len, enum ovh_family fam)
{
	if ((fam != OVH_IPV4 && fam != OVH_IPV6) || plaintext_len > PMSG_MAX_OUTER)
		return -EINVAL;
	return (int)plaintext_len + ovh_wg_overhead(fam);
}
