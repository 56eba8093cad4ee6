#!/bin/bash
# wgmtud <-> wireguard-go over an IPv4 outer path: handshakes initiated by
# either side, ping (inner IPv4 and IPv6), 1 MB HTTP both ways, iperf3 5 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
dmn_interop wgmtud wggo 4
lab_done
