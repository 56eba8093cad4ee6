#!/usr/bin/env python3
"""A lying router for the wgmtu probe tests: for every IPv4 ICMP echo
request larger than CLAIM bytes that arrives on IFACE, send its source an
ICMP "fragmentation needed" claiming CLAIM -- while the packet itself is
forwarded normally. Usage: ptb_liar.py IFACE CLAIM"""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


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
        body = struct.pack("!BBHHH", 3, 4, 0, 0, claim) + quote
        body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        tx.sendto(body, (socket.inet_ntoa(pkt[12:16]), 0))


main()
