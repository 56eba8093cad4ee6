#!/bin/bash
# The story: a home uplink negotiated at 1454 bytes, WireGuard at its
# default MTU 1420, routers that drop ICMP "fragmentation needed".
W=${BUILD:-build}/wgmtu
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The path: laptop - home router - ISP (link MTU 1454) - VPS, ICMP too-big filtered"
say "What WireGuard's default MTU 1420 means on a 1454 path (IPv4 endpoints)"
"$W" calc --path-mtu 1454 --outer ipv4
say "The same path when the endpoints talk IPv6"
"$W" calc --path-mtu 1454 --outer ipv6 | sed -n '/WireGuard MTU/,/TCP MSS/p'
say "An IPoE/DS-Lite uplink from its link MTU: 1500 - PPPoE 8 - DS-Lite 40"
"$W" calc --link-mtu 1500 --encap pppoe,dslite --outer ipv4 | sed -n '1,5p;/WireGuard MTU/,/TCP MSS/p'
