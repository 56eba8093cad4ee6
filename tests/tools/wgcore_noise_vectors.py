#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of the WireGuard handshake (whitepaper 5.4) with
fixed keys, written only from the whitepaper with python3 hashlib/hmac and
the 'cryptography' package. Prints the C arrays used by
tests/unit/test_noise.c (test_reference_transcript), so the library's
handshake is checked against a second implementation without a network:

    python3 tests/tools/wgcore_noise_vectors.py
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization


def HASH(x):
    return hashlib.blake2s(x).digest()


def MAC(k, x):
    return hashlib.blake2s(x, key=k, digest_size=16).digest()


def HMAC(k, x):
    return hmac.new(k, x, hashlib.blake2s).digest()


def KDF(n, key, x):
    t0 = HMAC(key, x)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def AEAD(k, ctr, pt, ad):
    return ChaCha20Poly1305(k).encrypt(b"\0" * 4 + struct.pack("<Q", ctr), pt, ad)


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def DH(priv, p):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(p))


def tai64n(sec, nsec):
    return struct.pack(">QI", (1 << 62) + 10 + sec, nsec)


s_i, s_r = bytes([0x01] * 32), bytes([0x02] * 32)
e_i, e_r = bytes([0x03] * 32), bytes([0x04] * 32)
psk = bytes([0x05] * 32)
S_i, S_r, E_i, E_r = pub(s_i), pub(s_r), pub(e_i), pub(e_r)
idx_i, idx_r = 0x11223344, 0x55667788
ts = tai64n(1700000000, 0)

# initiation: e, es, s, ss, {t}
C = HASH(b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")
H = HASH(C + b"WireGuard v1 zx2c4 Jason@zx2c4.com")
H = HASH(H + S_r)
C = KDF(1, C, E_i)[0]
H = HASH(H + E_i)
C, k = KDF(2, C, DH(e_i, S_r))
enc_s = AEAD(k, 0, S_i, H)
H = HASH(H + enc_s)
C, k = KDF(2, C, DH(s_i, S_r))
enc_t = AEAD(k, 0, ts, H)
H = HASH(H + enc_t)
init = struct.pack("<II", 1, idx_i) + E_i + enc_s + enc_t
init += MAC(HASH(b"mac1----" + S_r), init) + bytes(16)
C_init, H_init = C, H

# response: e, ee, se, psk, {}
C = KDF(1, C, E_r)[0]
H = HASH(H + E_r)
C = KDF(1, C, DH(e_r, E_i))[0]
C = KDF(1, C, DH(e_r, S_i))[0]
C, tau, k = KDF(3, C, psk)
H = HASH(H + tau)
enc_n = AEAD(k, 0, b"", H)
H = HASH(H + enc_n)
resp = struct.pack("<III", 2, idx_r, idx_i) + E_r + enc_n
resp += MAC(HASH(b"mac1----" + S_i), resp) + bytes(16)

# transport keys; the responder's first data to the initiator (counter 0,
# 16 bytes of plaintext) and the initiator's first data to the responder
t_send_i, t_recv_i = KDF(2, C, b"")
payload = b"0123456789abcdef"
data_r2i = struct.pack("<IIQ", 4, idx_i, 0) + AEAD(t_recv_i, 0, payload, b"")
data_i2r = struct.pack("<IIQ", 4, idx_r, 0) + AEAD(t_send_i, 0, payload, b"")


def carr(name, b):
    body = ",".join("0x%02x" % x for x in b)
    lines = []
    items = body.split(",")
    for i in range(0, len(items), 12):
        lines.append("\t" + ", ".join(items[i:i + 12]) + ",")
    return "static const uint8_t %s[%d] = {\n%s\n};" % (name, len(b), "\n".join(lines))


assert len(init) == 148 and len(resp) == 92
for name, b in [("ref_init", init), ("ref_c_init", C_init), ("ref_h_init", H_init),
                ("ref_resp", resp), ("ref_data_r2i", data_r2i), ("ref_data_i2r", data_i2r)]:
    print(carr(name, b))
