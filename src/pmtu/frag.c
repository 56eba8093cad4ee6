// SPDX-License-Identifier: MIT
/* IPv4 fragmentation: see frag.h. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "common/csum.h"
#include "pmtu/frag.h"
#include "pmtu/ipinfo.h"

enum {
	IPOPT_EOL = 0,
	IPOPT_NOP = 1,
	IPOPT_COPY = 0x80,
	IP_DF = 0x4000,
	IP_MF = 0x2000,
};

/* Collects the options with the copy flag; -EBADMSG on a malformed list. */
static int collect_copied(struct frag4 *f)
{
	const uint8_t *o = f->pkt + IPI_IPV4_HDR;
	size_t n = f->hlen - IPI_IPV4_HDR, i = 0, w = 0;

	while (i < n) {
		uint8_t type = o[i], olen;

		if (type == IPOPT_EOL)
			break;
		if (type == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return -EBADMSG;
		olen = o[i + 1];
		if (olen < 2 || olen > n - i)
			return -EBADMSG;
		if (type & IPOPT_COPY) {
			memcpy(f->copied + w, o + i, olen);
			w += olen;
		}
		i += olen;
	}
	while (w % 4)
		f->copied[w++] = IPOPT_EOL;
	f->copied_len = (uint8_t)w;
	return 0;
}

int frag4_init(struct frag4 *f, const uint8_t *pkt, size_t len, unsigned mtu)
{
	struct ipinfo ii;
	unsigned payload, later_hdr, n;
	int err;

	memset(f, 0, sizeof(*f));
	if (ipi_parse(pkt, len, &ii) < 0 || ii.version != 4)
		return -EBADMSG;
	if (mtu < 68 || mtu > 65535)
		return -EINVAL;
	f->pkt = pkt;
	f->hlen = ii.ip_hdr_len;
	f->tot = (uint16_t)ii.tot_len;
	f->base_off = ii.frag_off;
	f->input_mf = ii.mf;
	payload = f->tot - f->hlen;
	if ((unsigned)f->base_off + payload > 65535)
		return -EBADMSG;
	err = collect_copied(f);
	if (err)
		return err;
	if (f->tot <= mtu) {
		f->first_chunk = (uint16_t)payload;
		f->next_chunk = 8;
		return 1;
	}
	if (ii.df)
		return -EMSGSIZE;
	later_hdr = IPI_IPV4_HDR + f->copied_len;
	if (mtu < f->hlen + 8u || mtu < later_hdr + 8u)
		return -EINVAL;
	f->first_chunk = (uint16_t)((mtu - f->hlen) & ~7u);
	f->next_chunk = (uint16_t)((mtu - later_hdr) & ~7u);
	n = 1 + (payload - f->first_chunk + f->next_chunk - 1) / f->next_chunk;
	return (int)n;
}

int frag4_next(struct frag4 *f, uint8_t *out, size_t cap)
{
	unsigned payload = f->tot - f->hlen, chunk, hdr, total, off;
	bool first = f->pos == 0, last;
	uint16_t word;

	if (!f->pkt || (!first && f->pos >= payload))
		return 0;
	chunk = first ? f->first_chunk : f->next_chunk;
	if (chunk > payload - f->pos)
		chunk = payload - f->pos;
	last = f->pos + chunk >= payload;
	hdr = first ? f->hlen : IPI_IPV4_HDR + f->copied_len;
	total = hdr + chunk;
	if (cap < total)
		return -ENOBUFS;

	memcpy(out, f->pkt, IPI_IPV4_HDR);
	if (first)
		memcpy(out + IPI_IPV4_HDR, f->pkt + IPI_IPV4_HDR, f->hlen - IPI_IPV4_HDR);
	else
		memcpy(out + IPI_IPV4_HDR, f->copied, f->copied_len);
	memcpy(out + hdr, f->pkt + f->hlen + f->pos, chunk);

	out[0] = (uint8_t)(0x40 | (hdr / 4));
	put_be16(out + 2, (uint16_t)total);
	off = f->base_off + f->pos;
	word = (uint16_t)(((get_be16(f->pkt + 6) & IP_DF)) | (off / 8));
	if (!last || f->input_mf)
		word |= IP_MF;
	put_be16(out + 6, word);
	put_be16(out + 10, 0);
	put_be16(out + 10, csum(out, hdr));

	f->pos = (uint16_t)(f->pos + chunk);
	if (first && payload == 0)
		f->pkt = NULL; /* a header-only datagram is one fragment */
	return (int)total;
}
