#!/bin/bash
# scripts/check-layers.sh — the pure layer must not depend on the edges.
#
# libwgmtu.a (src/{common,wire,route,pmtu,uapi}) is the pure layer: codecs,
# state machines, tables. The daemon (src/daemon -> libwgdaemon.a, wgmtud)
# and the tool (src/tool -> libwgtool.a, wgmtu) build on it, never the other
# way round. Fails (exit 1, one line per offence) when
#   - a pure object leaves undefined a symbol that a daemon or tool object
#     defines (it would only link because the binaries bring the edge in);
#   - a pure source or header includes "daemon/..." or "tool/...";
#   - a pure object calls the system for I/O, the environment or the clock
#     (sockets, files, getenv, clock_gettime, ...): those belong to the
#     edges. Allowed: util.o's now_ns()/now_ms() (the edges' clock), json.o
#     writing to the FILE * it is given.
# Run by `make check-layers` (which builds the libraries first).
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.."
PURE_DIRS="src/common src/wire src/route src/pmtu src/uapi"
fail=0
for a in libwgmtu.a libwgdaemon.a libwgtool.a; do
	[ -f "$BUILD/$a" ] || { echo "check-layers: $BUILD/$a missing (make all unit-bins first)"; exit 2; }
done
edge_objs=("$BUILD/libwgdaemon.a" "$BUILD/libwgtool.a")
for m in "$BUILD/obj/src/daemon/main.o" "$BUILD/obj/src/tool/main.o"; do
	[ -f "$m" ] && edge_objs+=("$m")
done
edge_defs=$(mktemp) pure_undef=$(mktemp)
trap 'rm -f "$edge_defs" "$pure_undef"' EXIT
nm -g --defined-only "${edge_objs[@]}" 2>/dev/null |
	awk 'NF == 3 { print $3 }' | sort -u >"$edge_defs"
# "member.o: undefined-symbol" for every pure object
nm -A -u "$BUILD/libwgmtu.a" 2>/dev/null |
	awk '{ n = split($1, p, ":"); print p[n - 1] " " $NF }' | sort -k2 >"$pure_undef"
while read -r obj sym; do
	echo "check-layers: pure $obj uses $sym, defined by the daemon or the tool"
	fail=1
done < <(join -1 2 -2 1 -o 1.1,1.2 "$pure_undef" "$edge_defs")
# I/O, environment and clock calls: "object symbol" pairs that are allowed
IO_SYMS='socket|socketpair|connect|bind|listen|accept|accept4|send|sendto|sendmsg|sendmmsg|recv|recvfrom|recvmsg|recvmmsg|read|write|readv|writev|pread|pwrite|open|open64|openat|creat|close|ioctl|poll|ppoll|select|epoll_create1|epoll_ctl|epoll_wait|fcntl|setsockopt|getsockopt|getenv|secure_getenv|setenv|fopen|fdopen|opendir|readdir|fork|execve|execvp|system|popen|clock_gettime|gettimeofday|time|sleep|usleep|nanosleep|printf|puts|putchar|stdout|stderr|stdin|perror|syslog'
IO_ALLOWED=' util.o:clock_gettime json.o:fflush json.o:fprintf json.o:fputc json.o:fputs json.o:fwrite '
while read -r obj sym; do
	case "$IO_ALLOWED" in *" $obj:$sym "*) continue ;; esac
	echo "check-layers: pure $obj calls $sym (I/O, environment or clock belong to the edges)"
	fail=1
done < <(awk -v re="^($IO_SYMS)(@.*)?\$" '$2 ~ re' "$pure_undef")
while IFS= read -r line; do
	echo "check-layers: $line"
	fail=1
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"(daemon|tool)/' $PURE_DIRS)
if [ $fail = 0 ]; then
	echo "check-layers: ok ($(nm -g --defined-only "$BUILD/libwgmtu.a" | awk 'NF == 3' | wc -l) pure symbols, none needs the daemon or the tool)"
fi
exit $fail
