#!/usr/bin/env python3
"""Talks to wgmtu responder directly to check its safety rules. Prints one
"ok NAME" or "fail NAME: why" line per rule. Usage: resp_client.py HOST PORT"""
import os
import socket
import struct
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
hdr = 48 if fam == socket.AF_INET6 else 28
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.connect((host, port))


def req(seq, reply, cookie=b"\0" * 16, pad=0):
    return b"wgmp" + bytes([1, 1, 0, 0]) + struct.pack(">IHH", seq, reply, 0) + cookie + b"\0" * pad


def check(name, cond, why=""):
    print(("ok " + name) if cond else ("fail %s: %s" % (name, why)), flush=True)


# no cookie: a 32-byte request asking for 1400 gets no more than it sent
s.send(req(1, 1400))
r = s.recv(65535)
check("no-cookie reply not larger than the request", len(r) <= 32 and r[6] & 2 and r[5] == 2,
      "len %d flags %d" % (len(r), r[6]))
cookie = r[16:32]
# with the cookie from that reply: the size asked
s.send(req(2, 1400, cookie))
r = s.recv(65535)
check("cookie reply has the size asked", len(r) + hdr == 1400 and r[6] & 1, "len %d flags %d" % (len(r), r[6]))
check("reply reports the request size seen", struct.unpack(">H", r[12:14])[0] == 32 + hdr, r[12:14].hex())
# a forged cookie does not count
s.send(req(3, 1400, os.urandom(16)))
r = s.recv(65535)
check("forged cookie is clamped", len(r) <= 32 and not r[6] & 1, "len %d" % len(r))
# garbage and other versions get nothing
s.send(b"hello world, not a probe at all!!" * 2)
s.send(b"wgmp" + bytes([9, 1, 0, 0]) + b"\0" * 40)
try:
    s.recv(65535)
    check("malformed requests are ignored", False, "got a reply")
except socket.timeout:
    check("malformed requests are ignored", True)
# rate limit: 1000 requests at once, at most the burst (200) + a little come back
for i in range(1000):
    s.send(req(100 + i, 0))
got = 0
end = time.time() + 1.0
s.settimeout(0.2)
while time.time() < end:
    try:
        s.recv(65535)
        got += 1
    except socket.timeout:
        break
check("per-source rate limit (%d of 1000 answered)" % got, 150 <= got <= 400, "%d answered" % got)
