#!/bin/bash
# The same over an IPv6 outer path (80 bytes of overhead: 1360 inside the
# tunnel with padding, 1374 from the endpoint).
exec "$(dirname "$0")/t_doctor.sh" 6
