#!/usr/bin/env python3
"""Floods wgmtu responder with well-formed probe requests from one source
address as fast as one process can, for a while. Prints the count sent.
Usage: resp_flood.py SRC HOST PORT SECONDS"""
import socket
import struct
import sys
import time

src, host, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((src, 0))
s.connect((host, port))
s.setblocking(False)
req = b"wgmp" + bytes([1, 1, 0, 0]) + struct.pack(">IHH", 7, 0, 0) + b"\0" * 16
sent = 0
end = time.monotonic() + secs
while True:
    for _ in range(1000):
        try:
            s.send(req)
            sent += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
    if time.monotonic() > end:
        break
print(sent, flush=True)
