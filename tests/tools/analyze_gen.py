#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Capture files for the wgmtu analyze tests and benchmark.

  analyze_gen.py convert IN.pcap OUT --link raw|sll|sll2|null|loop|pcapng
        rewrite an Ethernet capture's frames under another link type
  analyze_gen.py cut IN.pcap OUT BYTES      keep the first BYTES (a damaged file)
  analyze_gen.py linktype IN.pcap OUT N     same records, header says link type N
  analyze_gen.py bench OUT --mb N [--flows F]
        a synthetic Ethernet/IPv4 capture of WireGuard traffic of about N MB:
        F peer pairs, handshakes, data of mixed sizes, keepalives, counters
        that climb per session; written fast from a few packet templates
"""
import argparse
import struct
import sys

LINKTYPES = {"raw": 101, "sll": 113, "sll2": 276, "null": 0, "loop": 108, "ether": 1}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        sys.exit("%s: not a classic pcap" % path)
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    snap, lt = struct.unpack(e + "II", data[16:24])
    recs, off = [], 24
    while off + 16 <= len(data):
        s, us, cap, orig = struct.unpack(e + "IIII", data[off:off + 16])
        recs.append((s, us // 1000 if nano else us, data[off + 16:off + 16 + cap], orig))
        off += 16 + cap
    return lt, snap, recs


def pcap_header(lt, snap=262144):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, lt)


def write_pcap(path, lt, recs, snap=262144):
    with open(path, "wb") as f:
        f.write(pcap_header(lt, snap))
        for s, us, b, orig in recs:
            f.write(struct.pack("<IIII", s, us, len(b), orig))
            f.write(b)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def write_pcapng(path, lt, recs):
    with open(path, "wb") as f:
        shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        f.write(struct.pack("<II", 0x0A0D0D0A, 12 + len(shb)) + shb + struct.pack("<I", 12 + len(shb)))
        idb = struct.pack("<HHI", lt, 0, 262144)
        f.write(struct.pack("<II", 1, 12 + len(idb)) + idb + struct.pack("<I", 12 + len(idb)))
        for s, us, b, orig in recs:
            ts = s * 1000000 + us
            body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(b), orig) + pad4(b)
            f.write(struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body)))


def convert(args):
    lt, snap, recs = read_pcap(args.input)
    if lt != 1:
        sys.exit("convert needs an Ethernet capture")
    out = []
    for s, us, b, orig in recs:
        et = b[12:14]
        l3 = b[14:]
        fam6 = et == b"\x86\xdd"
        if args.link == "raw" or args.link == "pcapng":
            f = l3
        elif args.link == "sll":
            f = struct.pack(">HHH", 4, 1, 6) + b[6:12] + b"\0\0" + et + l3
        elif args.link == "sll2":
            f = et + b"\0\0" + struct.pack(">IHBB", 2, 1, 4, 6) + b[6:12] + b"\0\0" + l3
        elif args.link == "null":
            f = struct.pack("<I", 10 if fam6 else 2) + l3
        elif args.link == "loop":
            f = struct.pack(">I", 24 if fam6 else 2) + l3
        hdr = len(b) - len(l3)
        out.append((s, us, f, orig - hdr + (len(f) - len(l3))))
    if args.link == "pcapng":
        write_pcapng(args.output, 101, out)
    else:
        write_pcap(args.output, LINKTYPES[args.link], out)


def cut(args):
    with open(args.input, "rb") as f:
        data = f.read()
    with open(args.output, "wb") as f:
        f.write(data[:args.bytes])


def relink(args):
    _, snap, recs = read_pcap(args.input)
    write_pcap(args.output, args.linktype, recs)


def bench(args):
    """Ethernet/IPv4/UDP WireGuard traffic, args.mb megabytes."""
    target = args.mb * 1000000
    sizes = [1452] * 7 + [96, 176, 864, 32, 560]
    payload = bytes((i * 37) & 0xFF for i in range(1500))
    flows = []
    for i in range(args.flows):
        a = bytes([10, 1, i >> 8 & 0xFF, i & 0xFF])
        b = bytes([10, 2, i >> 8 & 0xFF, i & 0xFF])
        flows.append((a, b, 0x1000 + i, 0x8000 + i))

    def frame(src, dst, sport, dport, wg):
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(wg), 0, 0x4000, 64, 17, 0, src, dst)
        udp = struct.pack(">HHHH", sport, dport, 8 + len(wg), 0)
        return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + udp + wg

    counters = [[0, 0] for _ in flows]
    written = 0
    t = 1700000000 * 1000000
    n = 0
    with open(args.output, "wb", buffering=1 << 20) as f:
        f.write(pcap_header(1))
        for i, (a, b, ia, ib) in enumerate(flows):  # a handshake per pair
            for fr in (frame(a, b, 51820, 51820, struct.pack("<II", 1, ib) + payload[:140]),
                       frame(b, a, 51820, 51820, struct.pack("<III", 2, ia, ib) + payload[:80])):
                f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
                t += 10
        while written < target:
            k = n % len(flows)
            a, b, ia, ib = flows[k]
            size = sizes[n % len(sizes)]
            fwd = (n // len(flows)) % 3 != 2
            src, dst, ridx = (a, b, ia) if fwd else (b, a, ib)
            c = counters[k][0 if fwd else 1]
            counters[k][0 if fwd else 1] = c + 1
            wg = struct.pack("<IIQ", 4, ridx, c) + payload[:size - 16]
            fr = frame(src, dst, 51820, 51820, wg)
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
            written += 16 + len(fr)
            t += 7
            n += 1
    print("%s: %d packets, %.1f MB, %d flows" % (args.output, n, written / 1e6, len(flows)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("convert")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--link", required=True, choices=["raw", "sll", "sll2", "null", "loop", "pcapng"])
    p.set_defaults(fn=convert)
    p = sub.add_parser("cut")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("bytes", type=int)
    p.set_defaults(fn=cut)
    p = sub.add_parser("linktype")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("linktype", type=int)
    p.set_defaults(fn=relink)
    p = sub.add_parser("bench")
    p.add_argument("output")
    p.add_argument("--mb", type=int, default=200)
    p.add_argument("--flows", type=int, default=64)
    p.set_defaults(fn=bench)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
