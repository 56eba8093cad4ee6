"""Shared pieces of the test scripts that forge ICMP errors ("too big",
unreachable) about a host's UDP datagrams."""
import socket
import struct


def csum(b):
    """Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def icmp4_error(typ, code, info, quote):
    """An ICMP error (type, code, 32-bit rest-of-header info) quoting quote."""
    body = struct.pack("!BBHI", typ, code, 0, info) + quote
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def frag_needed(claim, quote):
    """ICMP type 3 code 4 announcing next-hop MTU claim, quoting quote."""
    return icmp4_error(3, 4, claim & 0xFFFF, quote)


def icmp6_error(typ, code, info, quote):
    """An ICMPv6 error; a raw ICMPv6 socket fills in the checksum."""
    return struct.pack("!BBHI", typ, code, 0, info) + quote


def udp_quote4(src, sport, dst, dport, udp_len=1452):
    """IPv4 + UDP headers of a datagram src:sport -> dst:dport, as an ICMP
    error quotes it (the kernel finds the sending socket by them)."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, udp_len + 20, 1, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + struct.pack("!HHHH", sport, dport, udp_len, 0)


def udp_quote6(src, sport, dst, dport, udp_len=1452):
    """IPv6 + UDP headers of a datagram src:sport -> dst:dport."""
    ip = struct.pack("!IHBB", 6 << 28, udp_len, 17, 64) + \
        socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
    return ip + struct.pack("!HHHH", sport, dport, udp_len, 0)
