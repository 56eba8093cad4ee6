#!/bin/bash
# t_daemon_rekey.sh with wireguard-go (real timers) as the peer: wgmtud,
# with shortened timers, rekeys against it without losing traffic.
REKEY_PEER=wggo exec bash "$(dirname "$0")/t_daemon_rekey.sh"
