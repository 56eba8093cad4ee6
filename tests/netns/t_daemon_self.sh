#!/bin/bash
# wgmtud <-> wgmtud over IPv6 outer: both ends use the offload paths (TSO
# segmentation + UDP GSO on send, GRO super-packets into the TUN on
# receive); HTTP transfers are compared byte for byte, iperf3 runs 5 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
dmn_interop wgmtud wgmtud 6
lab_done
