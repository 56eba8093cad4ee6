#!/bin/bash
# t_pmtud_fulltunnel.sh with 4 subnet (outer family, AllowedIPs kind).
exec "$(dirname "$0")/t_pmtud_fulltunnel.sh" 4 subnet
