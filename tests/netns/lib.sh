# shellcheck shell=bash
# tests/netns/lib.sh — the network lab for wgmtu's end-to-end tests.
#
# Source it from a scenario script (bash, run as root):
#
#   . "$(dirname "$0")/lib.sh"
#   lab_init                                # unique prefix, cleanup trap
#   lab_chain client home isp server -- 1500 1454 1500
#   lab_drop_ptb home; lab_drop_ptb isp     # a path-MTU black hole
#   lab_check "DF 1426 passes" lab_run client ping -c1 -W1 -M do -s 1398 "$(lab_ip4 server)"
#   lab_skip "IPv6 checks" "no IPv6 here"   # "ok - ... # SKIP ...", counted apart
#   lab_done                                # prints the tally, exits 0/1
#
# Every namespace is named "$LAB_PFX-<node>", LAB_PFX = "wgm<PID>", so
# concurrent runs never collide. The EXIT/INT/TERM/HUP trap kills every
# process started through lab_bg and every process still inside one of our
# namespaces, then deletes the namespaces: nothing is left behind on any
# exit path. Traffic only ever goes to addresses of these namespaces.
#
# Addressing (lab_chain): link i (0-based) between node i and node i+1 is
# 10.<LAB_NET>.<i>.0/24 and fd77:<LAB_NET>:<i>::/64; the left node is .1/::1,
# the right node .2/::2. Routes make every address reachable from every node.
# Interfaces are named after the neighbour: in "home", "v-client" and "v-isp".

LAB_PFX="wgm$$"
LAB_NET=${LAB_NET:-77}
LAB_NODES=()
LAB_PIDS=()
LAB_CLEANUP_HOOKS=()  # functions run by the trap after processes are gone
LAB_TMP=""
LAB_PASS=0
LAB_FAIL=0
LAB_SKIP=0
LAB_VERBOSE=${LAB_VERBOSE:-0}
declare -A LAB_IP4=() LAB_IP6=()
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_BUILD=${BUILD:-build}
case "$LAB_BUILD" in /*) ;; *) LAB_BUILD="$LAB_ROOT/$LAB_BUILD" ;; esac

lab_log() { echo "# $*" >&2; }

lab_die() {
	echo "not ok - lab setup: $*"
	LAB_FAIL=$((LAB_FAIL + 1))
	exit 1
}

lab_cleanup() {
	local rc=$? ns pid
	trap - EXIT INT TERM HUP
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in "${LAB_NODES[@]}"; do
		for pid in $(ip netns pids "$LAB_PFX-$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	sleep 0.2
	for pid in "${LAB_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for ns in "${LAB_NODES[@]}"; do
		for pid in $(ip netns pids "$LAB_PFX-$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$LAB_PFX-$ns" 2>/dev/null
	done
	wait 2>/dev/null
	local hook
	for hook in "${LAB_CLEANUP_HOOKS[@]}"; do "$hook"; done
	[ -n "$LAB_TMP" ] && rm -rf "$LAB_TMP"
	exit "$rc"
}

# lab_init: check privileges, arm the trap, make a scratch dir ($LAB_TMP).
lab_init() {
	if [ "$(id -u)" != 0 ]; then
		echo "ok - network-namespace tests # SKIP they need root"
		LAB_SKIP=1
		exit 0
	fi
	command -v ip >/dev/null || lab_die "iproute2 (ip) not installed"
	command -v nft >/dev/null || lab_die "nftables (nft) not installed"
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	LAB_TMP=$(mktemp -d "/tmp/$LAB_PFX.XXXXXX")
	export LAB_TMP LAB_PFX
}

lab_ns() { echo "$LAB_PFX-$1"; }

# lab_host NAME: a namespace with loopback up, no DAD delays.
lab_host() {
	local ns; ns=$(lab_ns "$1")
	ip netns add "$ns" || lab_die "ip netns add $ns"
	LAB_NODES+=("$1")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.ping_group_range="0 2147483647" >/dev/null
}

# lab_router NAME: a host that forwards IPv4 and IPv6.
lab_router() {
	lab_host "$1"
	ip netns exec "$(lab_ns "$1")" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 >/dev/null
}

lab_is_node() {
	local n
	for n in "${LAB_NODES[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

# lab_link A B IDX [MTU]: veth A<->B with link IDX addresses, MTU on both ends.
lab_link() {
	local a=$1 b=$2 idx=$3 mtu=${4:-1500}
	local nsa nsb; nsa=$(lab_ns "$a"); nsb=$(lab_ns "$b")
	ip -n "$nsa" link add "v-$b" type veth peer name "v-$a" netns "$nsb" \
		|| lab_die "veth $a-$b"
	ip -n "$nsa" link set "v-$b" mtu "$mtu" up
	ip -n "$nsb" link set "v-$a" mtu "$mtu" up
	ip -n "$nsa" addr add "10.$LAB_NET.$idx.1/24" dev "v-$b"
	ip -n "$nsb" addr add "10.$LAB_NET.$idx.2/24" dev "v-$a"
	ip -n "$nsa" addr add "fd77:$LAB_NET:$idx::1/64" dev "v-$b" nodad
	ip -n "$nsb" addr add "fd77:$LAB_NET:$idx::2/64" dev "v-$a" nodad
	# offloads would hide the real packet sizes from tcpdump and MTU checks
	ip netns exec "$nsa" ethtool -K "v-$b" tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$nsb" ethtool -K "v-$a" tso off gso off gro off >/dev/null 2>&1
}

# lab_chain N0 N1 ... Nk -- MTU0 ... MTU(k-1)
# Ends are hosts, middles are routers; routes everywhere. The MTU list is
# optional (default 1500 each). Sets LAB_IP4[node]/LAB_IP6[node]: for an
# end, its only address; for a router, its address on its left link.
lab_chain() {
	local nodes=() mtus=() i j n
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do nodes+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	mtus=("$@")
	n=${#nodes[@]}
	[ "$n" -ge 2 ] || lab_die "lab_chain needs two nodes"
	for ((i = 0; i < n; i++)); do
		if ((i == 0 || i == n - 1)); then lab_host "${nodes[i]}"; else lab_router "${nodes[i]}"; fi
	done
	for ((i = 0; i < n - 1; i++)); do
		lab_link "${nodes[i]}" "${nodes[i + 1]}" "$i" "${mtus[i]:-1500}"
	done
	for ((i = 0; i < n; i++)); do
		local ns; ns=$(lab_ns "${nodes[i]}")
		if ((i == 0)); then
			LAB_IP4[${nodes[i]}]="10.$LAB_NET.0.1"; LAB_IP6[${nodes[i]}]="fd77:$LAB_NET:0::1"
		else
			LAB_IP4[${nodes[i]}]="10.$LAB_NET.$((i - 1)).2"; LAB_IP6[${nodes[i]}]="fd77:$LAB_NET:$((i - 1))::2"
		fi
		for ((j = 0; j < n - 1; j++)); do
			# link j is directly attached to node i when j == i-1 or j == i
			if ((j < i - 1)); then
				ip -n "$ns" route add "10.$LAB_NET.$j.0/24" via "10.$LAB_NET.$((i - 1)).1"
				ip -n "$ns" -6 route add "fd77:$LAB_NET:$j::/64" via "fd77:$LAB_NET:$((i - 1))::1"
			elif ((j > i)); then
				ip -n "$ns" route add "10.$LAB_NET.$j.0/24" via "10.$LAB_NET.$i.2"
				ip -n "$ns" -6 route add "fd77:$LAB_NET:$j::/64" via "fd77:$LAB_NET:$i::2"
			fi
		done
	done
}

lab_ip4() { echo "${LAB_IP4[$1]}"; }
lab_ip6() { echo "${LAB_IP6[$1]}"; }

# lab_set_mtu NODE IFACE MTU: change one end of a link (use on both ends).
lab_set_mtu() { ip -n "$(lab_ns "$1")" link set "$2" mtu "$3"; }
# lab_link_mtu A B MTU: change the MTU of the link between A and B, both ends.
lab_link_mtu() {
	ip -n "$(lab_ns "$1")" link set "v-$2" mtu "$3"
	ip -n "$(lab_ns "$2")" link set "v-$1" mtu "$3"
}

# lab_run NODE CMD...: run a command inside a node.
lab_run() {
	local node=$1; shift
	ip netns exec "$(lab_ns "$node")" "$@"
}

# lab_bg NODE LOGNAME CMD...: start CMD in the background inside NODE,
# output to $LAB_TMP/LOGNAME.log; sets LAB_LASTPID; killed on exit.
lab_bg() {
	local node=$1 log=$2; shift 2
	ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_TMP/$log.log" 2>&1 &
	LAB_LASTPID=$!
	LAB_PIDS+=("$LAB_LASTPID")
}

# lab_nft NODE RULES: load nftables rules (a script on stdin-like string).
lab_nft() { printf '%s\n' "$2" | ip netns exec "$(lab_ns "$1")" nft -f - || lab_die "nft on $1"; }

# Ensure table inet lab with forward/output/input chains exists on NODE.
lab_nft_base() {
	local node=$1
	lab_run "$node" nft list table inet lab >/dev/null 2>&1 && return 0
	lab_nft "$node" "table inet lab {
	chain lab_fwd { type filter hook forward priority 0; policy accept; }
	chain lab_out { type filter hook output priority 0; policy accept; }
	chain lab_in { type filter hook input priority 0; policy accept; }
}"
}

# lab_drop_ptb NODE: the router drops every ICMP "fragmentation needed" and
# ICMPv6 "packet too big", those it generates itself (output) and those it
# forwards from routers further on.
lab_drop_ptb() {
	local node=$1
	lab_nft_base "$node"
	lab_nft "$node" "add rule inet lab lab_out icmp type destination-unreachable icmp code frag-needed counter drop
add rule inet lab lab_out icmpv6 type packet-too-big counter drop
add rule inet lab lab_fwd icmp type destination-unreachable icmp code frag-needed counter drop
add rule inet lab lab_fwd icmpv6 type packet-too-big counter drop"
}

# lab_loss NODE PERCENT [MATCH...]: drop PERCENT % of forwarded packets at
# random (nftables numgen), optionally only those matching an nft expression
# such as "oifname v-server" or "udp dport 51820".
lab_loss() {
	local node=$1 pct=$2; shift 2
	lab_nft_base "$node"
	lab_nft "$node" "add rule inet lab lab_fwd $* numgen random mod 100 < $pct counter drop"
}

# lab_nft_counters NODE: print the lab table with counters (for diagnostics).
lab_nft_counters() { lab_run "$1" nft list table inet lab 2>/dev/null; }

# lab_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
lab_wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# lab_check DESC CMD...: run CMD; "ok - DESC" on success, else "not ok".
lab_check() {
	local desc=$1; shift
	if "$@" >"$LAB_TMP/check.out" 2>&1; then
		echo "ok - $desc"
		LAB_PASS=$((LAB_PASS + 1))
	else
		echo "not ok - $desc"
		sed 's/^/#   /' "$LAB_TMP/check.out" | tail -n 20
		LAB_FAIL=$((LAB_FAIL + 1))
	fi
}

# lab_check_fails DESC CMD...: passes when CMD fails.
lab_check_fails() {
	local desc=$1; shift
	if "$@" >"$LAB_TMP/check.out" 2>&1; then
		echo "not ok - $desc (succeeded, expected a failure)"
		sed 's/^/#   /' "$LAB_TMP/check.out" | tail -n 20
		LAB_FAIL=$((LAB_FAIL + 1))
	else
		echo "ok - $desc"
		LAB_PASS=$((LAB_PASS + 1))
	fi
}

# lab_ping_df NODE DEST IPSIZE: one DF ping whose IP packet is IPSIZE bytes.
lab_ping_df() {
	local node=$1 dst=$2 size=$3 hdr=28
	case "$dst" in *:*) hdr=48 ;; esac
	lab_run "$node" ping -n -c 1 -W 1 -M do -s $((size - hdr)) "$dst"
}

# lab_skip DESC REASON: a check that cannot run here, as TAP says it:
# "ok - DESC # SKIP REASON" (tests/run.sh counts it as skipped, not passed).
lab_skip() {
	echo "ok - $1 # SKIP $2"
	LAB_SKIP=$((LAB_SKIP + 1))
}

# lab_done: print the tally and exit 0 only when nothing failed.
lab_done() {
	echo "# $LAB_PASS passed, $LAB_FAIL failed, $LAB_SKIP skipped"
	[ "$LAB_FAIL" -eq 0 ]
	exit $?
}
