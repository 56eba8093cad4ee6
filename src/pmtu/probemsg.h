/* SPDX-License-Identifier: MIT */
/*
 * In-band path MTU probes between two wgmtud peers: the plaintext of a
 * WireGuard transport message (encrypted and authenticated by the session
 * like any data packet) that our receiver recognises after decryption and
 * a standard peer drops as "not IPv4 or IPv6". The format, its versioning
 * and what standard peers do with it are described byte by byte in
 * docs/pmtu-probe-format.md.
 *
 *   0      4       5     6      8        12          14        16
 *   +------+-------+-----+------+--------+-----------+---------+
 *   |magic |version|type |flags |probe id|probed size|hdr len  |
 *   +------+-------+-----+------+--------+-----------+---------+
 *   16            18            20          24
 *   +-------------+-------------+-----------+----------...-----+
 *   |seen IP size |seen UDP len |reserved   | zero padding     |
 *   +-------------+-------------+-----------+----------...-----+
 *
 * All fields big-endian. magic = F0 57 4D 50: the first nibble 0xF is no
 * IP version, so every WireGuard implementation drops the packet.
 */
#ifndef WGMTU_PMTU_PROBEMSG_H
#define WGMTU_PMTU_PROBEMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmtu/overhead.h"

#define PMSG_MAGIC 0xF0574D50u /* "\xF0" "WMP" */

enum {
	PMSG_VERSION = 1,
	PMSG_HDR_LEN = 24,        /* version 1 header; the rest is padding */
	PMSG_TYPE_PROBE = 1,
	PMSG_TYPE_ACK = 2,
	/* probe: please pad the ack to the probed size (tests the reverse
	 * path in the same exchange); ack: the ack was so padded */
	PMSG_F_PAD_ACK = 0x0001,
	PMSG_KNOWN_FLAGS = PMSG_F_PAD_ACK,
	PMSG_MAX_OUTER = 65535,
};

struct pmsg {
	uint8_t version;        /* decode: as received; encode: must be PMSG_VERSION */
	uint8_t type;           /* PMSG_TYPE_PROBE or PMSG_TYPE_ACK */
	uint16_t flags;
	uint32_t id;            /* chosen by the prober, echoed in the ack */
	uint16_t probed_size;   /* outer IP packet size the prober built (copied into the ack) */
	uint16_t hdr_len;       /* decode only: header length announced by the sender */
	uint16_t seen_ip_size;  /* ack: outer IP size the receiver derived */
	uint16_t seen_udp_len;  /* ack: UDP payload length the receiver's socket returned */
};

/*
 * Writes the message into out[0..len): a PMSG_HDR_LEN header followed by
 * zero padding, so the plaintext is exactly len bytes. Returns len,
 * -EINVAL for a bad type/version or len < PMSG_HDR_LEN, -ENOBUFS when
 * len > cap.
 */
int pmsg_encode(const struct pmsg *m, uint8_t *out, size_t cap, size_t len);

/*
 * Cheap test for the receive path, to be done on every decrypted
 * plaintext whose first nibble is not 4 or 6.
 */
static inline bool pmsg_is_candidate(const uint8_t *p, size_t len)
{
	return len >= 4 && p[0] == 0xF0 && p[1] == 0x57 && p[2] == 0x4D && p[3] == 0x50;
}

/*
 * Parses a decrypted plaintext. Returns 0, -ENOMSG when it is not a probe
 * message at all (no magic: an IP packet, a keepalive, garbage),
 * -EPROTONOSUPPORT for a version this code does not speak (drop it, send
 * nothing), -EBADMSG when malformed (short, unknown type, header length
 * outside [24, len]). Unknown flags and reserved bytes are ignored.
 */
int pmsg_decode(const uint8_t *p, size_t len, struct pmsg *m);

/* Fills the acknowledgement of probe as received in a UDP payload of
 * udp_len bytes over an outer family (OVH_IPV4 / OVH_IPV6). */
void pmsg_make_ack(const struct pmsg *probe, size_t udp_len, enum ovh_family fam,
		   struct pmsg *ack);

/*
 * Plaintext length that makes a transport packet of exactly outer bytes
 * (outer IP header + UDP + 16-byte data header + plaintext + 16-byte tag):
 * outer - 60 (IPv4) or outer - 80 (IPv6). One-byte granularity: the daemon
 * must encrypt probe plaintexts as they are, without the data path's
 * padding (receivers never check padding). Returns -EINVAL when outer is
 * too small for a header or above 65535.
 */
int pmsg_plaintext_len(unsigned outer, enum ovh_family fam);

/*
 * The same, for a sender that keeps WireGuard's padding rule (plaintext
 * rounded up to a multiple of 16, never beyond the interface MTU): the
 * largest plaintext length that is a multiple of 16 and does not make the
 * packet larger than outer. Sizes then move in steps of 16 bytes; the
 * outer size actually produced is pmsg_outer_size() of the result.
 */
int pmsg_plaintext_len_padded(unsigned outer, enum ovh_family fam);

/* Outer IP packet size of a transport packet carrying plaintext_len bytes. */
int pmsg_outer_size(size_t plaintext_len, enum ovh_family fam);

#endif
