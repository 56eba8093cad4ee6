#!/usr/bin/env python3
"""A fake UAPI server for `wgmtu show/set` tests (no root needed).

  uapi_fake_server.py --sock DIR/IF.sock --get REPLYFILE [--record FILE]
                      [--set-errno N] [--mode normal|silent|close]

Listens on a unix stream socket. A "get=1\\n\\n" request is answered with the
bytes of REPLYFILE verbatim (so tests can serve truncated or hostile
replies). A "set=1\\n...\\n\\n" request is appended byte for byte to FILE and
answered "errno=N\\n\\n". --chunk N sends get replies N bytes at a time
(line ends land at read boundaries). --mode silent accepts and never answers (timeout
tests); close closes without a reply. Runs until killed.
"""
import argparse
import os
import socket
import sys
import time


def read_request(conn):
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
        if data.startswith(b"get=1\n") and data.endswith(b"\n\n"):
            return data
        if data.startswith(b"set=1\n") and b"\n\n" in data:
            return data
        if len(data) > 1 << 20:
            return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--get", required=True)
    ap.add_argument("--record")
    ap.add_argument("--set-errno", type=int, default=0)
    ap.add_argument("--mode", default="normal", choices=["normal", "silent", "close"])
    ap.add_argument("--chunk", type=int, default=0,
                    help="send get replies in pieces of this many bytes")
    a = ap.parse_args()
    try:
        os.unlink(a.sock)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(a.sock)
    s.listen(8)
    held = []
    while True:
        conn, _ = s.accept()
        if a.mode == "silent":
            held.append(conn)  # keep it open, never answer
            continue
        if a.mode == "close":
            conn.close()
            continue
        try:
            req = read_request(conn)
            if req.startswith(b"get=1"):
                with open(a.get, "rb") as f:
                    data = f.read()
                if a.chunk:
                    for i in range(0, len(data), a.chunk):
                        conn.sendall(data[i:i + a.chunk])
                        time.sleep(0.001)
                else:
                    conn.sendall(data)
            elif req.startswith(b"set=1"):
                if a.record:
                    with open(a.record, "ab") as f:
                        f.write(req)
                conn.sendall(b"errno=%d\n\n" % a.set_errno)
        except OSError as e:
            print("fake server: %s" % e, file=sys.stderr)
        conn.close()


if __name__ == "__main__":
    main()
