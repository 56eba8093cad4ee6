#!/usr/bin/env python3
"""A lying router for the wgmtu probe tests: for every IPv4 ICMP echo
request larger than CLAIM bytes that arrives on IFACE, send its source an
ICMP "fragmentation needed" claiming CLAIM -- while the packet itself is
forwarded normally. Usage: ptb_liar.py IFACE CLAIM"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from icmpforge import frag_needed  # noqa: E402



def main():
    iface, claim = sys.argv[1], int(sys.argv[2])
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    sniff.bind((iface, 0))
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    print("liar ready", flush=True)
    while True:
        pkt, addr = sniff.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or len(pkt) < 28 or pkt[0] >> 4 != 4:
            continue
        ihl = (pkt[0] & 15) * 4
        total = struct.unpack("!H", pkt[2:4])[0]
        if pkt[9] != 1 or total <= claim or len(pkt) < ihl + 8 or pkt[ihl] != 8:
            continue
        quote = pkt[: ihl + 8]
        body = frag_needed(claim, quote)
        tx.sendto(body, (socket.inet_ntoa(pkt[12:16]), 0))


main()
