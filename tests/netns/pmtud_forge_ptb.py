#!/usr/bin/env python3
"""Forges outer ICMP "too big" messages against a wgmtud peer: an ICMP
fragmentation-needed (IPv4) or ICMPv6 Packet Too Big claiming CLAIM bytes,
quoting a UDP datagram FROM -> TO (as if TO's path refused FROM's
WireGuard packet), sent to FROM from this host. Usage:
pmtud_forge_ptb.py FROM_ADDR FROM_PORT TO_ADDR TO_PORT CLAIM [COUNT]"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from icmpforge import frag_needed, icmp6_error, udp_quote4, udp_quote6  # noqa: E402



src, sport, dst, dport, claim = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
count = int(sys.argv[6]) if len(sys.argv) > 6 else 3
if ":" in src:
    quote = udp_quote6(src, sport, dst, dport) + b"\0" * 1152
    body = icmp6_error(2, 0, claim, quote)  # the kernel fills the ICMPv6 checksum
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    for _ in range(count):
        s.sendto(body, (src, 0))
else:
    body = frag_needed(claim, udp_quote4(src, sport, dst, dport))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    for _ in range(count):
        s.sendto(body, (src, 0))
print("sent %d forged too-big messages claiming %d" % (count, claim))
