#!/bin/bash
# The same over an IPv6 outer path (wireguard-go pads: 1440, effective 1360).
exec "$(dirname "$0")/t_pmtud_story_go.sh" 6
