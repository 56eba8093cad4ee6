#!/bin/bash
# t_pmtud_fulltunnel.sh with 6 full (outer family, AllowedIPs kind).
exec "$(dirname "$0")/t_pmtud_fulltunnel.sh" 6 full
