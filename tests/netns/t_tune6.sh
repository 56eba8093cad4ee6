#!/bin/bash
# The same over an IPv6 outer path (80 bytes of overhead: locks of 1360,
# then 1296 after the drop to 1380).
exec "$(dirname "$0")/t_tune.sh" 6
