#!/usr/bin/env python3
"""Misbehaving UAPI clients for wgmtud's tests (issue 11.3).

uapi_clients.py nonread SOCK N SECONDS
    N clients each send "get=1\\n\\n" until the socket refuses more (their
    own receive buffer kept small), never read, and hold on for SECONDS.
uapi_clients.py bigset SOCK N MIB HOLD
    N clients at once each send "set=1\\n" and MIB MiB of peer lines that
    never end (no blank line), then wait HOLD seconds for an answer (and
    end a set still pending with an invalid line). Prints "refused R of N"
    (R answered errno=-12, ENOMEM)."""
import socket
import sys
import threading
import time


def nonread(path, n, seconds):
    conns = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(path)
        s.setblocking(False)
        sent = 0
        try:
            while sent < 200000:
                s.send(b"get=1\n\n")
                sent += 1
        except BlockingIOError:
            pass
        conns.append(s)
    print("%d clients sent their gets and do not read" % n, flush=True)
    time.sleep(seconds)


def bigset(path, n, mib, hold):
    chunk = bytearray()
    i = 0
    while len(chunk) < 1 << 20:
        chunk += b"public_key=%064x\nallowed_ip=10.%d.%d.0/24\n" % (i + 1, (i >> 8) & 255, i & 255)
        i += 1
    chunk = bytes(chunk)
    results = []

    def one():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        got = b""
        try:
            s.sendall(b"set=1\n")
            for _ in range(mib):
                s.sendall(chunk)
        except OSError:
            pass  # closed by the daemon after its refusal
        s.settimeout(hold)
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    break
                got += d
        except OSError:
            pass
        if not got:
            # still pending: end it with an invalid line, so that the EOF
            # that follows applies nothing (a set ended by EOF is applied)
            try:
                s.sendall(b"no equals sign\n")
            except OSError:
                pass
        s.close()
        results.append(got)

    ts = [threading.Thread(target=one) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    refused = sum(1 for g in results if b"errno=-12\n" in g)
    print("refused %d of %d" % (refused, n), flush=True)


if sys.argv[1] == "nonread":
    nonread(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
elif sys.argv[1] == "bigset":
    bigset(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
