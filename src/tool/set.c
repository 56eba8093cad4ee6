// SPDX-License-Identifier: MIT
/*
 * wgmtu set IFNAME ...: wgmtud's path-MTU settings (docs/uapi-extensions.md)
 * in one UAPI set transaction. Everything is checked here first, so a typo
 * never reaches the daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tool/tool.h"
#include "tool/uapi_io.h"

#define CMD "set"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s set IFNAME [probe on|off] [clamp-mss on|off] [max-mtu N]\n"
		"          [peer KEY [probe auto|inband|icmp-tunnel|icmp-endpoint|off]\n"
		"                    [probe-address ADDR|auto] [mtu N|auto]]...\n"
		"\n"
		"Changes wgmtud's path-MTU settings, all in one transaction (nothing\n"
		"changes if any part is refused). Device settings come first; each\n"
		"'peer KEY' starts a block for an existing peer (base64 public key, as\n"
		"`wg show` prints it). wgmtu set never creates or removes peers.\n"
		"\n"
		"Device settings:\n"
		"  probe on|off        path-MTU discovery for all peers (default on)\n"
		"  clamp-mss on|off    TCP MSS clamping on the tunnel (default on)\n"
		"  max-mtu N           largest outer path MTU searched, 1280..9000\n"
		"                      (default 1500; raise it for jumbo-frame paths)\n"
		"Peer settings:\n"
		"  probe METHOD        auto (in-band to another wgmtud, then ping inside\n"
		"                      the tunnel, then ping its endpoint outside the\n"
		"                      tunnel), inband, icmp-tunnel, icmp-endpoint, off\n"
		"  probe-address ADDR  the peer's tunnel address to ping (IPv4 or IPv6);\n"
		"                      auto = pick from its allowed IPs again\n"
		"  mtu N|auto          pin the inner MTU for this peer, 576..65535\n"
		"                      (1280+ if IPv6 goes through); auto = discover\n"
		"\n"
		"Environment: WGMTU_UAPI_DIR (socket directory, default " UAPI_DEFAULT_DIR "),\n"
		"WGMTU_UAPI_TIMEOUT_MS (default %d).\n"
		"Exit status: 0 applied; 2 usage error (nothing sent); 3 could not apply\n"
		"(no such interface or peer, not a wgmtud, permission, daemon refused).\n"
		"\n"
		"Examples:\n"
		"  %s set wg0 clamp-mss on max-mtu 9000\n"
		"  %s set wg0 peer xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= probe icmp-tunnel \\\n"
		"        probe-address 10.99.0.2\n"
		"  %s set wg0 peer xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= mtu 1380\n",
		prog_name, UAPI_DEFAULT_TIMEOUT_MS, prog_name, prog_name, prog_name);
}

static int fail(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_onoff(const char *v)
{
	return !strcmp(v, "on") || !strcmp(v, "off");
}

static bool is_method(const char *v)
{
	static const char *m[] = { "auto", "inband", "icmp-tunnel", "icmp-endpoint", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (!strcmp(v, m[i]))
			return true;
	return false;
}

int wgmtu_set_build(int argc, char **argv, struct uapi_req *q, char *err, size_t cap)
{
	bool in_peer = false, dev_any = false;
	size_t peer_opts = 0;
	const char *peer_arg = NULL;
	int i;

	uapi_req_init_set(q);
	err[0] = '\0';
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char hex[2 * UAPI_KEY_LEN + 1];
		uint8_t key[UAPI_KEY_LEN];
		unsigned long n;

		if (!strcmp(w, "peer")) {
			if (in_peer && !peer_opts)
				goto peer_empty;
			if (!v)
				goto need_value;
			if (uapi_key_from_base64(v, key))
				return fail(err, cap, "'%s' is not a public key (44 base64 characters, "
					    "as `wg show` prints it)", v);
			uapi_key_to_hex(key, hex);
			uapi_req_kv(q, "public_key", hex);
			/* Only existing peers: a set never creates one. */
			uapi_req_kv(q, "update_only", "true");
			in_peer = true;
			peer_opts = 0;
			peer_arg = v;
			i++;
			continue;
		}
		if (!strcmp(w, "probe")) {
			if (!v)
				goto need_value;
			if (!in_peer && !is_onoff(v))
				return fail(err, cap, "device 'probe' takes on or off, not '%s' "
					    "(methods are per peer: peer KEY probe METHOD)", v);
			if (in_peer && !is_method(v))
				return fail(err, cap, "peer 'probe' takes auto, inband, icmp-tunnel, "
					    "icmp-endpoint or off, not '%s'", v);
			uapi_req_kv(q, "wgmtu_probe", v);
		} else if (!strcmp(w, "clamp-mss")) {
			if (in_peer)
				goto device_only;
			if (!v)
				goto need_value;
			if (!is_onoff(v))
				return fail(err, cap, "'clamp-mss' takes on or off, not '%s'", v);
			uapi_req_kv(q, "wgmtu_clamp_mss", v);
		} else if (!strcmp(w, "max-mtu")) {
			int e;

			if (in_peer)
				goto device_only;
			if (!v)
				goto need_value;
			e = parse_ulong(v, 1280, 9000, &n);
			if (e == -EINVAL || v[0] == '0')
				return fail(err, cap, "max-mtu: '%s' is not a number", v);
			if (e)
				return fail(err, cap, "max-mtu %s out of range 1280..9000", v);
			uapi_req_kv(q, "wgmtu_max_mtu", v);
		} else if (!strcmp(w, "probe-address")) {
			char a[INET6_ADDRSTRLEN];
			uint8_t bin[16];

			if (!in_peer)
				goto peer_only;
			if (!v)
				goto need_value;
			if (!strcmp(v, "auto") || !*v) {
				a[0] = '\0';
			} else if (inet_pton(AF_INET, v, bin) == 1) {
				inet_ntop(AF_INET, bin, a, sizeof(a));
			} else if (inet_pton(AF_INET6, v, bin) == 1) {
				inet_ntop(AF_INET6, bin, a, sizeof(a));
			} else {
				return fail(err, cap, "probe-address: '%s' is not an IPv4 or IPv6 "
					    "address", v);
			}
			uapi_req_kv(q, "wgmtu_probe_address", a);
		} else if (!strcmp(w, "mtu")) {
			int e;

			if (!in_peer)
				goto peer_only;
			if (!v)
				goto need_value;
			if (!strcmp(v, "auto")) {
				uapi_req_kv(q, "wgmtu_pinned_mtu", "0");
			} else {
				e = parse_ulong(v, 576, 65535, &n);
				if (e == -EINVAL || v[0] == '0')
					return fail(err, cap, "mtu: '%s' is not a number or auto", v);
				if (e)
					return fail(err, cap, "mtu %s out of range 576..65535", v);
				uapi_req_kv(q, "wgmtu_pinned_mtu", v);
			}
		} else {
			return fail(err, cap, "unknown setting '%s' (see --help)", w);
		}
		i++;
		if (in_peer)
			peer_opts++;
		else
			dev_any = true;
	}
	if (in_peer && !peer_opts)
		goto peer_empty;
	if (!dev_any && !in_peer)
		return fail(err, cap, "nothing to set (see --help)");
	if (uapi_req_finish(q))
		return fail(err, cap, "out of memory");
	return 0;

need_value:
	return fail(err, cap, "'%s' needs a value", argv[i]);
device_only:
	return fail(err, cap, "'%s' is a device setting: put it before the first 'peer'",
		    argv[i]);
peer_only:
	return fail(err, cap, "'%s' is a peer setting: put it after 'peer KEY'", argv[i]);
peer_empty:
	return fail(err, cap, "peer %s: nothing to set (probe, probe-address or mtu)",
		    peer_arg);
}

const char *wgmtu_set_errno_msg(int e)
{
	switch (e < 0 ? -e : e) {
	case EINVAL:
		return "the daemon rejected a key or value (EINVAL): an older wgmtud "
		       "without these settings?";
	case EPROTO:
		return "the daemon could not parse the request (EPROTO)";
	case EIO:
		return "the daemon reported an I/O error (EIO)";
	case ENOMEM:
		return "the daemon ran out of memory (ENOMEM)";
	case EADDRINUSE:
		return "the daemon could not apply the settings (EADDRINUSE)";
	default:
		return NULL;
	}
}

/* Whether addr (an IPv4/IPv6 literal) lies in one of the peer's allowed
 * IPs; their list, comma-separated, goes to list. */
static bool in_allowed_ips(const struct uapi_section *s, const char *addr,
			   char *list, size_t cap)
{
	uint8_t a[16], p[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size_t alen = fam == AF_INET6 ? 16 : 4, used = 0;
	bool in = false;

	list[0] = 0;
	if (inet_pton(fam, addr, a) != 1)
		return true; /* set_build refused it already; not this check's job */
	for (size_t i = 0; i < s->n; i++) {
		char pfx[INET6_ADDRSTRLEN + 8], *slash;
		unsigned long bits;
		int pfam;

		if (strcmp(s->kv[i].key, "allowed_ip"))
			continue;
		if (used + strlen(s->kv[i].value) + 3 < cap)
			used += (size_t)snprintf(list + used, cap - used, "%s%s",
						 used ? ", " : "", s->kv[i].value);
		snprintf(pfx, sizeof(pfx), "%s", s->kv[i].value);
		slash = strchr(pfx, '/');
		if (!slash)
			continue;
		*slash = 0;
		pfam = strchr(pfx, ':') ? AF_INET6 : AF_INET;
		if (pfam != fam || inet_pton(pfam, pfx, p) != 1 ||
		    parse_ulong(slash + 1, 0, alen * 8, &bits) < 0)
			continue;
		if (memcmp(a, p, bits / 8) == 0 &&
		    (bits % 8 == 0 ||
		     ((a[bits / 8] ^ p[bits / 8]) & (uint8_t)(0xff << (8 - bits % 8))) == 0))
			in = true;
	}
	return in;
}

/* The daemon must be a wgmtud and know every peer named on the command
 * line (update_only would otherwise skip an unknown one silently); a
 * probe-address must lie in that peer's allowed IPs (the echo replies come
 * from it, and wgmtud drops what a peer sends from outside them). */
static int precheck(const char *ifname, int argc, char **argv)
{
	static const char req[] = "get=1\n\n";
	struct uapi_reply r;
	char *reply = NULL, pmsg[128];
	const char *peer_arg = "";
	size_t len = 0;
	int e = uapi_transact(ifname, req, sizeof(req) - 1, uapi_timeout_ms(), &reply, &len);

	if (e == -ENOENT && if_nametoindex(ifname)) {
		/* the usual case: kernel WireGuard (wg-quick prefers the module) */
		tool_err(CMD, "%s: the interface exists but no userspace daemon serves it "
			 "(no UAPI socket; kernel WireGuard?): wgmtu set changes wgmtud's "
			 "settings only", ifname);
		return EXIT_FAILURE_RUN;
	}
	if (e) {
		tool_err(CMD, "%s: %s", ifname, uapi_strerror_transact(e));
		return EXIT_FAILURE_RUN;
	}
	e = uapi_reply_parse(reply, len, &r, pmsg, sizeof(pmsg));
	explicit_bzero(reply, len);
	free(reply);
	if (e) {
		tool_err(CMD, "%s: unreadable reply from the daemon: %s", ifname, pmsg);
		return EXIT_FAILURE_RUN;
	}
	if (!uapi_reply_is_wgmtud(&r)) {
		tool_err(CMD, "%s: not a wgmtud (no path-MTU settings); this is "
			 "wireguard-go/kernel", ifname);
		uapi_reply_free(&r);
		return EXIT_FAILURE_RUN;
	}
	for (int i = 0, cur = -1; i + 1 < argc; i++) {
		uint8_t k[UAPI_KEY_LEN];
		char list[256];

		if (!strcmp(argv[i], "probe-address") && cur >= 0 && strcmp(argv[i + 1], "auto") &&
		    !in_allowed_ips(&r.peers[cur].s, argv[i + 1], list, sizeof(list))) {
			tool_err(CMD, "%s: probe-address %s is not in the allowed IPs of peer %s "
				 "(%s): wgmtud drops replies from outside them", ifname, argv[i + 1],
				 peer_arg, list[0] ? list : "none");
			uapi_reply_free(&r);
			return EXIT_FAILURE_RUN;
		}
		if (strcmp(argv[i], "peer") || uapi_key_from_base64(argv[i + 1], k))
			continue;
		cur = -1;
		for (size_t p = 0; p < r.n_peers; p++)
			if (!memcmp(r.peers[p].public_key, k, UAPI_KEY_LEN))
				cur = (int)p;
		if (cur < 0) {
			tool_err(CMD, "%s: no peer %s on this interface", ifname, argv[i + 1]);
			uapi_reply_free(&r);
			return EXIT_FAILURE_RUN;
		}
		peer_arg = argv[i + 1];
		i++;
	}
	uapi_reply_free(&r);
	return EXIT_OK;
}

int cmd_set(int argc, char **argv)
{
	struct uapi_req q;
	struct uapi_reply r;
	char err[256], pmsg[128], *reply = NULL;
	size_t len = 0;
	int e, rc;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc < 2) {
		tool_err(CMD, "missing IFNAME (see --help)");
		return EXIT_USAGE;
	}
	if (!uapi_ifname_valid(argv[1])) {
		tool_err(CMD, "'%s' is not a valid interface name", argv[1]);
		return EXIT_USAGE;
	}
	if (wgmtu_set_build(argc - 2, argv + 2, &q, err, sizeof(err))) {
		uapi_req_free(&q);
		tool_err(CMD, "%s", err);
		return EXIT_USAGE;
	}
	rc = precheck(argv[1], argc - 2, argv + 2);
	if (rc) {
		uapi_req_free(&q);
		return rc;
	}
	e = uapi_transact(argv[1], q.buf, q.len, uapi_timeout_ms(), &reply, &len);
	uapi_req_free(&q);
	if (e) {
		tool_err(CMD, "%s: %s", argv[1], uapi_strerror_transact(e));
		return EXIT_FAILURE_RUN;
	}
	e = uapi_reply_parse(reply, len, &r, pmsg, sizeof(pmsg));
	free(reply);
	if (e) {
		tool_err(CMD, "%s: unreadable reply from the daemon: %s", argv[1], pmsg);
		return EXIT_FAILURE_RUN;
	}
	e = r.daemon_errno;
	uapi_reply_free(&r);
	if (e) {
		const char *m = wgmtu_set_errno_msg(e);

		if (m)
			tool_err(CMD, "%s: %s; nothing changed", argv[1], m);
		else
			tool_err(CMD, "%s: the daemon refused the settings: errno %d (%s); "
				 "nothing changed", argv[1], e, strerror(e < 0 ? -e : e));
		return EXIT_FAILURE_RUN;
	}
	return EXIT_OK;
}
