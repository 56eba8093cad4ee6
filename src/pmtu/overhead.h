/* SPDX-License-Identifier: MIT */
/*
 * The encapsulation arithmetic: what a path MTU means for a WireGuard
 * interface MTU and TCP MSS, and what the common encapsulations on a path
 * cost. Pure: no I/O, no allocation.
 *
 * Terms used throughout wgmtu:
 *   path MTU       largest IP packet (IP header included) that crosses the path
 *   WireGuard MTU  the tunnel interface MTU: largest inner packet
 *   overhead       outer IP + UDP + WireGuard transport header + tag
 */
#ifndef WGMTU_PMTU_OVERHEAD_H
#define WGMTU_PMTU_OVERHEAD_H

#include <stdbool.h>
#include <stddef.h>

enum ovh_family {
	OVH_IPV4 = 1 << 0,
	OVH_IPV6 = 1 << 1,
	OVH_BOTH = OVH_IPV4 | OVH_IPV6,
};

enum {
	OVH_IPV4_HDR = 20,
	OVH_IPV6_HDR = 40,
	OVH_UDP_HDR = 8,
	OVH_TCP_HDR = 20,
	OVH_WG_TYPE = 4,     /* message type (1) + reserved (3) */
	OVH_WG_RECEIVER = 4, /* receiver index */
	OVH_WG_COUNTER = 8,  /* nonce counter */
	OVH_WG_TAG = 16,     /* Poly1305 tag */
	OVH_WG_DATA = OVH_WG_TYPE + OVH_WG_RECEIVER + OVH_WG_COUNTER + OVH_WG_TAG,
	OVH_WG_PADDING = 16, /* plaintext is padded to a multiple of this */
	OVH_MIN_MTU_IPV4 = 576,  /* RFC 791: every host must accept this */
	OVH_MIN_MTU_IPV6 = 1280, /* RFC 8200 */
	OVH_MAX_MTU = 65535,
	OVH_WG_DEFAULT_MTU = 1420,
};

/* Outer IP header size for a family (OVH_IPV4 or OVH_IPV6). */
int ovh_ip_header(enum ovh_family fam);
/* Outer IP + UDP + WireGuard data header + tag: 60 (IPv4) or 80 (IPv6). */
int ovh_wg_overhead(enum ovh_family fam);
/* WireGuard interface MTU for a path MTU with that outer family. */
int ovh_wg_mtu(int path_mtu, enum ovh_family fam);
/* Path MTU needed to carry a WireGuard MTU. */
int ovh_path_for_wg_mtu(int wg_mtu, enum ovh_family fam);
/* TCP MSS for an MTU and the family of the TCP packets inside. */
int ovh_mss(int mtu, enum ovh_family inner);
/* Smallest MTU a family must support (576 / 1280). */
int ovh_min_mtu(enum ovh_family fam);
/*
 * Size of the plaintext after WireGuard's padding: rounded up to a
 * multiple of 16 but never beyond the interface MTU.
 */
int ovh_wg_padded(int plaintext_len, int mtu);
const char *ovh_family_name(enum ovh_family fam); /* "ipv4", "ipv6", "both" */
int ovh_family_parse(const char *s, enum ovh_family *out);

/* Encapsulations that may sit on a path between the two WireGuard peers. */
struct ovh_encap {
	const char *name;
	const char *alias;
	int bytes;              /* what we subtract */
	int range_min, range_max; /* when the real cost varies */
	unsigned families;      /* outer traffic it carries (enum ovh_family) */
	const char *what;       /* one line: what the bytes are */
	const char *note;       /* assumption or caveat, may be NULL */
};

const struct ovh_encap *ovh_encap_table(size_t *n);
const struct ovh_encap *ovh_encap_find(const char *name);

struct ovh_encap_use {
	const struct ovh_encap *e;
	int bytes;              /* e->bytes, or the NAME:BYTES override */
};

#define OVH_MAX_ENCAPS 16

/*
 * Parses "pppoe,dslite,vlan:4,custom:12". Returns the number of entries,
 * or -1 with a one-line reason in err.
 */
int ovh_encap_parse(const char *list, struct ovh_encap_use *out, size_t max,
		    char *err, size_t errlen);

/*
 * Path MTU for traffic of family fam over a link of link_mtu carrying the
 * encapsulations (only those that carry fam count).
 */
int ovh_path_mtu(int link_mtu, const struct ovh_encap_use *u, size_t n,
		 enum ovh_family fam);

/* One field of a full-size WireGuard transport packet on the wire. */
struct ovh_field {
	int offset;
	int size;
	const char *name;
	const char *key; /* short id for JSON: "ip", "udp", "wg_type", ... */
};

#define OVH_LAYOUT_FIELDS 7
/* Fills the layout of a path-MTU-sized packet; returns the field count. */
size_t ovh_layout(int path_mtu, enum ovh_family fam, struct ovh_field *out,
		  size_t max);

#endif
