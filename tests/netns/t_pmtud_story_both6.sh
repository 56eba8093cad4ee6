#!/bin/bash
# The same over an IPv6 outer path: effective MTU 1454 - 80 = 1374.
exec "$(dirname "$0")/t_pmtud_story_both.sh" 6
