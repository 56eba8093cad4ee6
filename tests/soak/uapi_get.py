#!/usr/bin/env python3
"""Prints the device-level keys of a UAPI get (key value per line), e.g.
every wgmtu_drop_<reason>. Usage: uapi_get.py SOCKET [PREFIX]"""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"get=1\n\n")
data = b""
while not data.endswith(b"\n\n"):
    d = s.recv(65536)
    if not d:
        break
    data += d
prefix = sys.argv[2] if len(sys.argv) > 2 else ""
for line in data.decode().split("\n"):
    if line.startswith("public_key="):
        break  # device-level keys come first
    k, _, v = line.partition("=")
    if k.startswith(prefix) and k != "private_key":
        print(k, v)
