#!/bin/bash
# The same over an IPv6 outer path.
exec "$(dirname "$0")/t_analyze_wgmtud.sh" 6
