// SPDX-License-Identifier: MIT
/* libpcap edge of wgmtu analyze. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ANA_READ_BUF = 1 << 20 };

#include "tool/analyze_pcap.h"

static int read_all(pcap_t *pc, struct ana_cap *c, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct ana_pkt pkt;
	int lt = pcap_datalink(pc), rc;

	c->linktype = lt;
	if (!ana_link_supported(lt)) {
		const char *n = pcap_datalink_val_to_name(lt);

		snprintf(err, errlen, "unsupported link type %d (%s); wgmtu reads Ethernet, "
			 "Linux cooked (SLL/SLL2), raw IP and loopback captures", lt, n ? n : "?");
		pcap_close(pc);
		return -EINVAL;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)(h->ts.tv_sec < 0 ? 0 : h->ts.tv_sec) * 1000000u +
			      (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
		size_t cap = h->caplen;
		uint32_t gso, n = 1;

		ana_dissect(lt, data, cap, h->len < cap ? cap : h->len, &pkt);
		gso = ana_gso_size(&pkt);
		if (gso)
			n = (pkt.udp_len + gso - 1) / gso;
		for (uint32_t i = 0; i < n && rc == 1; i++) {
			struct ana_pkt seg;

			if (gso)
				ana_gso_segment(&pkt, gso, i, &seg);
			if (ana_cap_add(c, ts, gso ? &seg : &pkt))
				rc = -ENOMEM;
		}
		if (rc == -ENOMEM) {
			snprintf(err, errlen, "out of memory after %llu packets",
				 (unsigned long long)c->frames);
			pcap_close(pc);
			return -ENOMEM;
		}
	}
	if (rc == PCAP_ERROR) {
		c->damaged = true;
		if (!c->frames)
			snprintf(err, errlen, "damaged before its first packet (%s)", pcap_geterr(pc));
		else
			snprintf(err, errlen, "damaged after %llu packets (%s); the packets before it were analysed",
			 (unsigned long long)c->frames, pcap_geterr(pc));
		pcap_close(pc);
		return 1;
	}
	pcap_close(pc);
	return 0;
}

int ana_read_stream(FILE *f, struct ana_cap *c, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_fopen_offline(f, ebuf);

	if (!pc) {
		fclose(f);
		snprintf(err, errlen, "not a pcap or pcapng capture (%s)", ebuf);
		return -EINVAL;
	}
	return read_all(pc, c, err, errlen);
}

/* A capture that is not pcap may be a compressed one: name the tool that
 * opens it (libpcap reads neither). */
static const char *compressed_as(const char *path)
{
	static const struct { const char *magic; size_t n; const char *cat; } kinds[] = {
		{ "\x1f\x8b", 2, "zcat" },
		{ "\xfd" "7zXZ", 5, "xzcat" },
		{ "\x28\xb5\x2f\xfd", 4, "zstdcat" },
		{ "BZh", 3, "bzcat" },
	};
	unsigned char m[8] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		return NULL;
	got = fread(m, 1, sizeof(m), f);
	fclose(f);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (got >= kinds[i].n && !memcmp(m, kinds[i].magic, kinds[i].n))
			return kinds[i].cat;
	return NULL;
}

int ana_read_file(const char *path, struct ana_cap *c, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf;
	int r;

	if (!f) {
		int e = errno;

		snprintf(err, errlen, "cannot open: %s", strerror(e));
		return -e;
	}
	/* a 1 MiB stdio buffer: 256 times fewer read calls on big captures
	 * (glibc ignores the size unless it is handed the buffer) */
	buf = malloc(ANA_READ_BUF);
	if (buf)
		setvbuf(f, buf, _IOFBF, ANA_READ_BUF);
	r = ana_read_stream(f, c, err, errlen); /* closes f */
	free(buf);
	if (r == -EINVAL && strcmp(path, "-")) {
		const char *cat = compressed_as(path);
		size_t l = strlen(err);

		if (cat && l < errlen)
			snprintf(err + l, errlen - l, "; it is compressed: %s %s | wgmtu analyze -",
				 cat, path);
	}
	return r;
}
