"""Shared pieces of the test scripts that forge ICMP "too big" messages."""
import struct


def csum(b):
    """Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frag_needed(claim, quote):
    """ICMP type 3 code 4 announcing next-hop MTU claim, quoting quote."""
    body = struct.pack("!BBHHH", 3, 4, 0, 0, claim) + quote
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]
