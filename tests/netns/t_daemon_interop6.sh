#!/bin/bash
# wireguard-go <-> wgmtud over an IPv6 outer path, roles swapped against
# t_daemon_interop.sh: wireguard-go initiates first, then wgmtud.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemon.sh"
dmn_init
dmn_interop wggo wgmtud 6
lab_done
