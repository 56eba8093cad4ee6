// SPDX-License-Identifier: MIT
#include "pmtu/overhead.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

int ovh_ip_header(enum ovh_family fam)
{
	return fam == OVH_IPV6 ? OVH_IPV6_HDR : OVH_IPV4_HDR;
}

int ovh_wg_overhead(enum ovh_family fam)
{
	return ovh_ip_header(fam) + OVH_UDP_HDR + OVH_WG_DATA;
}

int ovh_wg_mtu(int path_mtu, enum ovh_family fam)
{
	return path_mtu - ovh_wg_overhead(fam);
}

int ovh_path_for_wg_mtu(int wg_mtu, enum ovh_family fam)
{
	return wg_mtu + ovh_wg_overhead(fam);
}

int ovh_mss(int mtu, enum ovh_family inner)
{
	return mtu - ovh_ip_header(inner) - OVH_TCP_HDR;
}

int ovh_min_mtu(enum ovh_family fam)
{
	return fam & OVH_IPV6 ? OVH_MIN_MTU_IPV6 : OVH_MIN_MTU_IPV4;
}

int ovh_wg_padded(int plaintext_len, int mtu)
{
	int padded = (plaintext_len + OVH_WG_PADDING - 1) & ~(OVH_WG_PADDING - 1);

	if (padded > mtu)
		padded = mtu;
	return padded < plaintext_len ? plaintext_len : padded;
}

const char *ovh_family_name(enum ovh_family fam)
{
	switch (fam) {
	case OVH_IPV4: return "ipv4";
	case OVH_IPV6: return "ipv6";
	default: return "both";
	}
}

int ovh_family_parse(const char *s, enum ovh_family *out)
{
	if (!strcasecmp(s, "ipv4") || !strcmp(s, "4") || !strcasecmp(s, "v4"))
		*out = OVH_IPV4;
	else if (!strcasecmp(s, "ipv6") || !strcmp(s, "6") || !strcasecmp(s, "v6"))
		*out = OVH_IPV6;
	else if (!strcasecmp(s, "both") || !strcasecmp(s, "any"))
		*out = OVH_BOTH;
	else
		return -1;
	return 0;
}

static const struct ovh_encap encaps[] = {
	{ "pppoe", NULL, 8, 8, 8, OVH_BOTH,
	  "PPPoE header 6 + PPP protocol 2 (RFC 2516)",
	  "links with RFC 4638 'baby jumbo' frames carry a full 1500 inside PPPoE" },
	{ "dslite", "ds-lite", 40, 40, 40, OVH_IPV4,
	  "IPv6 header around IPv4 (DS-Lite, RFC 6333)",
	  "carries IPv4 only; native IPv6 on the same line is not reduced" },
	{ "map-e", "mape", 40, 40, 40, OVH_IPV4,
	  "IPv6 header around IPv4 (MAP-E, RFC 7597)",
	  "carries IPv4 only" },
	{ "6in4", "sit", 20, 20, 20, OVH_IPV6,
	  "IPv4 header around IPv6 (6in4/SIT, RFC 4213)",
	  "carries IPv6 only; native IPv4 is not reduced" },
	{ "6rd", NULL, 20, 20, 20, OVH_IPV6,
	  "IPv4 header around IPv6 (6rd, RFC 5969)",
	  "carries IPv6 only" },
	{ "vlan", "802.1q", 4, 4, 4, OVH_BOTH,
	  "802.1Q tag",
	  "only where the link cannot carry 1504-byte frames; most switches do" },
	{ "qinq", "802.1ad", 8, 8, 8, OVH_BOTH,
	  "two stacked VLAN tags (802.1ad)", NULL },
	{ "mpls", NULL, 4, 4, 4, OVH_BOTH,
	  "one MPLS label (add mpls once per label)", NULL },
	{ "gre", NULL, 24, 24, 32, OVH_BOTH,
	  "outer IPv4 20 + GRE 4 (RFC 2784)",
	  "GRE key or sequence number add 4 each (up to 32)" },
	{ "gre6", NULL, 44, 44, 52, OVH_BOTH,
	  "outer IPv6 40 + GRE 4", NULL },
	{ "vxlan", NULL, 50, 50, 70, OVH_BOTH,
	  "outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (RFC 7348)",
	  "70 with an IPv6 underlay" },
	{ "geneve", NULL, 50, 50, 302, OVH_BOTH,
	  "outer IPv4 20 + UDP 8 + Geneve 8 + inner Ethernet 14 (RFC 8926)",
	  "options add up to 252 more" },
	{ "ipsec-esp", "esp", 73, 54, 73, OVH_BOTH,
	  "ESP tunnel mode over IPv4: IP 20 + SPI/seq 8 + IV + padding + trailer 2 + ICV",
	  "assumes the worst common suite, AES-CBC + HMAC-SHA1-96 (58-73); "
	  "AES-GCM costs 54-57; use ipsec-esp:N for your exact value" },
	{ "ipsec-esp-natt", "esp-natt", 81, 62, 81, OVH_BOTH,
	  "ESP tunnel mode over IPv4 with NAT traversal (UDP 8 more)",
	  "same suite assumption as ipsec-esp" },
	{ "wireguard", "wireguard4", 60, 60, 60, OVH_BOTH,
	  "WireGuard over IPv4: IP 20 + UDP 8 + header 16 + tag 16",
	  "for WireGuard inside WireGuard; wireguard6 when that tunnel runs over IPv6" },
	{ "wireguard6", NULL, 80, 80, 80, OVH_BOTH,
	  "WireGuard over IPv6: IP 40 + UDP 8 + header 16 + tag 16", NULL },
	{ "custom", NULL, 0, 0, 0, OVH_BOTH,
	  "a value you give: custom:BYTES", NULL },
};

const struct ovh_encap *ovh_encap_table(size_t *n)
{
	*n = ARRAY_SIZE(encaps);
	return encaps;
}

const struct ovh_encap *ovh_encap_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(encaps); i++) {
		if (!strcasecmp(name, encaps[i].name) ||
		    (encaps[i].alias && !strcasecmp(name, encaps[i].alias)))
			return &encaps[i];
	}
	return NULL;
}

int ovh_encap_parse(const char *list, struct ovh_encap_use *out, size_t max,
		    char *err, size_t errlen)
{
	char item[64];
	const char *p = list;
	size_t n = 0;

	if (!list || !*list) {
		snprintf(err, errlen, "empty encapsulation list");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const struct ovh_encap *e;
		unsigned long bytes = 0;
		char *colon;
		bool has_bytes = false;

		/* "pppoe, dslite" (typed with a space after the comma) */
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			snprintf(err, errlen, "empty item in encapsulation list '%s'", list);
			return -1;
		}
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "encapsulation name too long: '%.*s...'", 20, p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		colon = strchr(item, ':');
		if (colon) {
			*colon = '\0';
			if (parse_ulong(colon + 1, 1, 1000, &bytes) < 0) {
				snprintf(err, errlen,
					 "bad byte count '%s' for '%s' (want 1-1000)",
					 colon + 1, item);
				return -1;
			}
			has_bytes = true;
		}
		e = ovh_encap_find(item);
		if (!e) {
			snprintf(err, errlen,
				 "unknown encapsulation '%s' (see 'wgmtu calc --list-encaps')",
				 item);
			return -1;
		}
		if (!strcmp(e->name, "custom") && !has_bytes) {
			snprintf(err, errlen, "custom needs a byte count: custom:BYTES");
			return -1;
		}
		if (n >= max) {
			snprintf(err, errlen, "too many encapsulations (at most %zu)", max);
			return -1;
		}
		out[n].e = e;
		out[n].bytes = has_bytes ? (int)bytes : e->bytes;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return (int)n;
}

int ovh_path_mtu(int link_mtu, const struct ovh_encap_use *u, size_t n,
		 enum ovh_family fam)
{
	int mtu = link_mtu;

	for (size_t i = 0; i < n; i++)
		if (u[i].e->families & fam)
			mtu -= u[i].bytes;
	return mtu;
}

size_t ovh_layout(int path_mtu, enum ovh_family fam, struct ovh_field *out,
		  size_t max)
{
	const struct {
		int size;
		const char *name, *key;
	} f[OVH_LAYOUT_FIELDS] = {
		{ ovh_ip_header(fam),
		  fam == OVH_IPV6 ? "IPv6 header" : "IPv4 header (no options)",
		  fam == OVH_IPV6 ? "ipv6" : "ipv4" },
		{ OVH_UDP_HDR, "UDP header", "udp" },
		{ OVH_WG_TYPE, "WireGuard type 4 + 3 reserved bytes", "wg_type" },
		{ OVH_WG_RECEIVER, "receiver index", "wg_receiver" },
		{ OVH_WG_COUNTER, "counter (nonce)", "wg_counter" },
		{ ovh_wg_mtu(path_mtu, fam), "encrypted inner packet = WireGuard MTU",
		  "payload" },
		{ OVH_WG_TAG, "Poly1305 tag", "wg_tag" },
	};
	int off = 0;
	size_t i;

	for (i = 0; i < OVH_LAYOUT_FIELDS && i < max; i++) {
		out[i].offset = off;
		out[i].size = f[i].size;
		out[i].name = f[i].name;
		out[i].key = f[i].key;
		off += f[i].size;
	}
	return i;
}
