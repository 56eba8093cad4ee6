#!/bin/bash
# t_pmtud_fulltunnel.sh with 4 strict: rp_filter=1 and the README's PostUp lines.
exec "$(dirname "$0")/t_pmtud_fulltunnel.sh" 4 strict
