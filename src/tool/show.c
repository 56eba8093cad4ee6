// SPDX-License-Identifier: MIT
/*
 * wgmtu show [IFNAME] [--json]: the per-peer path-MTU state a wgmtud
 * reports in its UAPI get reply (docs/uapi-extensions.md), and the standard
 * peer information for any WireGuard implementation.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "tool/tool.h"
#include "tool/uapi_io.h"

#define CMD "show"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s show [IFNAME] [--json]\n"
		"\n"
		"Path-MTU state of a wgmtud interface, per peer: the discovered path MTU,\n"
		"the MTU enforced for the peer, how it was found and why. Without IFNAME,\n"
		"every interface with a UAPI socket in %s (like `wg show`);\n"
		"interfaces served by wireguard-go or another implementation are listed\n"
		"with their standard peer information only.\n"
		"\n"
		"Options:\n"
		"  --json      one JSON object: interfaces -> peers with every wgmtu_ key\n"
		"  -h, --help  this text\n"
		"\n"
		"Environment:\n"
		"  WGMTU_UAPI_DIR         socket directory (default " UAPI_DEFAULT_DIR ")\n"
		"  WGMTU_UAPI_TIMEOUT_MS  how long to wait for the daemon (default %d)\n"
		"\n"
		"Exit codes: 0 ok; 2 usage error; 3 an interface could not be read\n"
		"(no such interface, permission denied, daemon not answering).\n"
		"\n"
		"Examples:\n"
		"  %s show wg0\n"
		"  %s show --json | jq '.interfaces[].peers[].effective_mtu'\n",
		prog_name, uapi_dir(), UAPI_DEFAULT_TIMEOUT_MS, prog_name, prog_name);
}

/* ------------------------------------------------------------- helpers */

static void fmt_ago(char *buf, size_t cap, int64_t then, int64_t now)
{
	int64_t d = now - then;

	if (then <= 0) {
		snprintf(buf, cap, "never");
		return;
	}
	if (d == 0)
		snprintf(buf, cap, "just now");
	else if (d < 0)
		snprintf(buf, cap, "in the future (clock skew)");
	else if (d < 60)
		snprintf(buf, cap, "%" PRId64 " s ago", d);
	else if (d < 3600)
		snprintf(buf, cap, "%" PRId64 " min ago", d / 60);
	else if (d < 86400)
		snprintf(buf, cap, "%" PRId64 " h %" PRId64 " min ago", d / 3600, d % 3600 / 60);
	else
		snprintf(buf, cap, "%" PRId64 " days ago", d / 86400);
}

static void fmt_bytes(char *buf, size_t cap, uint64_t b)
{
	if (b < 1024)
		snprintf(buf, cap, "%" PRIu64 " B", b);
	else if (b < 1024ull * 1024)
		snprintf(buf, cap, "%.1f KiB", (double)b / 1024);
	else if (b < 1024ull * 1024 * 1024)
		snprintf(buf, cap, "%.1f MiB", (double)b / (1024.0 * 1024));
	else
		snprintf(buf, cap, "%.2f GiB", (double)b / (1024.0 * 1024 * 1024));
}

static const char *vs(const struct uapi_section *s, const char *k, const char *dflt)
{
	const char *v = uapi_get(s, k);

	return v && *v ? v : dflt;
}

/* A numeric value as text: the number, or "?" when absent or malformed. */
static const char *vnum(const struct uapi_section *s, const char *k, char *buf, size_t cap)
{
	uint64_t v;

	if (uapi_get_u64(s, k, &v))
		return "?";
	snprintf(buf, cap, "%" PRIu64, v);
	return buf;
}

static const char *method_words(const char *m)
{
	if (!strcmp(m, "inband"))
		return "in-band probes";
	if (!strcmp(m, "icmp-tunnel"))
		return "ping inside the tunnel";
	if (!strcmp(m, "icmp-endpoint"))
		return "ping to the endpoint";
	if (!strcmp(m, "pinned"))
		return "pinned by hand";
	if (!strcmp(m, "none"))
		return "no probe method";
	return m;
}

static const char *state_words(const char *s)
{
	if (!strcmp(s, "search_complete"))
		return "search complete";
	if (!strcmp(s, "searching"))
		return "searching";
	if (!strcmp(s, "base"))
		return "not yet probed";
	if (!strcmp(s, "disabled"))
		return "discovery off";
	if (!strcmp(s, "error"))
		return "error";
	return s;
}

static void short_key(const uint8_t k[UAPI_KEY_LEN], char out[16])
{
	char b[UAPI_B64_KEY_LEN + 1];

	uapi_key_to_base64(k, b);
	snprintf(out, 16, "%.8s…", b);
}

/* ------------------------------------------------------------ text form */

static void print_peer_headline(FILE *f, const struct uapi_peer *p, int64_t now)
{
	const struct uapi_section *s = &p->s;
	const char *state = vs(s, "wgmtu_state", "?");
	const char *method = vs(s, "wgmtu_method", "?");
	const char *reason = vs(s, "wgmtu_reason", NULL);
	char sk[16], pm[24], em[24], ago[48];
	uint64_t pinned = 0, last = 0;

	short_key(p->public_key, sk);
	vnum(s, "wgmtu_path_mtu", pm, sizeof(pm));
	vnum(s, "wgmtu_effective_mtu", em, sizeof(em));
	uapi_get_u64(s, "wgmtu_pinned_mtu", &pinned);
	uapi_get_u64(s, "wgmtu_last_change_sec", &last);
	fmt_ago(ago, sizeof(ago), last > INT64_MAX ? 0 : (int64_t)last, now);

	fprintf(f, "peer %s", sk);
	if (uapi_get(s, "endpoint"))
		fprintf(f, " (%s)", uapi_get(s, "endpoint"));
	fputs(": ", f);
	if (pinned || !strcmp(method, "pinned"))
		fprintf(f, "MTU %s pinned by hand", em);
	else if (!strcmp(state, "search_complete"))
		fprintf(f, "path MTU %s -> MTU %s (search complete, %s, %s)", pm, em,
			method_words(method), last ? ago : "no change needed");
	else if (!strcmp(state, "searching"))
		fprintf(f, "searching, MTU %s meanwhile (%s%s%s)", em, method_words(method),
			strcmp(pm, "0") ? ", path MTU so far " : "", strcmp(pm, "0") ? pm : "");
	else if (!strcmp(method, "none"))
		fprintf(f, "no path-MTU discovery, keeping MTU %s (%s)", em,
			reason ? reason : "no probe target");
	else if (!strcmp(state, "disabled"))
		fprintf(f, "discovery off, MTU %s%s%s%s", em, reason ? " (" : "",
			reason ? reason : "", reason ? ")" : "");
	else if (!strcmp(state, "error"))
		fprintf(f, "ERROR, MTU %s (%s)", em, reason ? reason : "no reason given");
	else
		fprintf(f, "path MTU not known yet, MTU %s (%s, %s)", em,
			state_words(state), method_words(method));
	fputc('\n', f);
}

static void print_std_peer(FILE *f, const struct uapi_peer *p, int64_t now)
{
	const struct uapi_section *s = &p->s;
	char b64k[UAPI_B64_KEY_LEN + 1], ago[48], rx[32], tx[32];
	int64_t hs = 0;
	uint64_t rxb = 0, txb = 0, ka = 0;
	bool first = true;

	uapi_key_to_base64(p->public_key, b64k);
	fprintf(f, "  public key:       %s\n", b64k);
	fprintf(f, "  endpoint:         %s\n", vs(s, "endpoint", "(none)"));
	fputs("  allowed ips:      ", f);
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->kv[i].key, "allowed_ip"))
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", s->kv[i].value);
		first = false;
	}
	fputs(first ? "(none)\n" : "\n", f);
	uapi_get_i64(s, "last_handshake_time_sec", &hs);
	fmt_ago(ago, sizeof(ago), hs, now);
	fprintf(f, "  latest handshake: %s\n", ago);
	uapi_get_u64(s, "rx_bytes", &rxb);
	uapi_get_u64(s, "tx_bytes", &txb);
	fmt_bytes(rx, sizeof(rx), rxb);
	fmt_bytes(tx, sizeof(tx), txb);
	fprintf(f, "  transfer:         %s received, %s sent\n", rx, tx);
	if (!uapi_get_u64(s, "persistent_keepalive_interval", &ka) && ka)
		fprintf(f, "  keepalive:        every %" PRIu64 " s\n", ka);
}

static void print_wgmtu_peer(FILE *f, const struct uapi_peer *p, int64_t now)
{
	const struct uapi_section *s = &p->s;
	char pm[24], em[24], pin[24], ps[24], pb[24], ptb[24], ago[48], pbh[32], lim[48] = "";
	uint64_t last = 0, pinned = 0, bytes = 0, limited = 0;

	vnum(s, "wgmtu_path_mtu", pm, sizeof(pm));
	vnum(s, "wgmtu_effective_mtu", em, sizeof(em));
	vnum(s, "wgmtu_pinned_mtu", pin, sizeof(pin));
	vnum(s, "wgmtu_probes_sent", ps, sizeof(ps));
	vnum(s, "wgmtu_probe_bytes", pb, sizeof(pb));
	vnum(s, "wgmtu_ptb_hints", ptb, sizeof(ptb));
	uapi_get_u64(s, "wgmtu_last_change_sec", &last);
	uapi_get_u64(s, "wgmtu_pinned_mtu", &pinned);
	uapi_get_u64(s, "wgmtu_probe_bytes", &bytes);
	if (!uapi_get_u64(s, "wgmtu_ptb_hints_limited", &limited) && limited)
		snprintf(lim, sizeof(lim), " (%" PRIu64 " ignored: rate limit)", limited);
	fmt_ago(ago, sizeof(ago), last > INT64_MAX ? 0 : (int64_t)last, now);
	fmt_bytes(pbh, sizeof(pbh), bytes);

	fprintf(f, "  why:              %s\n", vs(s, "wgmtu_reason", "(no reason given)"));
	fprintf(f, "  state:            %s, method %s\n", vs(s, "wgmtu_state", "?"),
		vs(s, "wgmtu_method", "?"));
	fprintf(f, "  path MTU:         %s%s\n", pm, !strcmp(pm, "0") ? " (unknown)" : "");
	fprintf(f, "  effective MTU:    %s%s%s\n", em, pinned ? ", pinned at " : "",
		pinned ? pin : "");
	fprintf(f, "  probe address:    %s\n", vs(s, "wgmtu_probe_address", "(none)"));
	fprintf(f, "  last change:      %s\n", ago);
	fprintf(f, "  probes:           %s sent, %s bytes (%s); PTB hints: %s%s\n", ps, pb,
		pbh, ptb, lim);
	print_std_peer(f, p, now);
	for (size_t i = 0; i < s->n; i++) {
		static const char *known[] = {
			"wgmtu_state", "wgmtu_method", "wgmtu_path_mtu", "wgmtu_effective_mtu",
			"wgmtu_pinned_mtu", "wgmtu_probe_address", "wgmtu_last_change_sec",
			"wgmtu_probes_sent", "wgmtu_probe_bytes", "wgmtu_ptb_hints", "wgmtu_reason",
			"wgmtu_ptb_hints_limited",
		};
		bool k = false;

		if (strncmp(s->kv[i].key, "wgmtu_", 6))
			continue;
		for (size_t j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			k |= !strcmp(known[j], s->kv[i].key);
		if (!k)
			fprintf(f, "  %s: %s\n", s->kv[i].key, s->kv[i].value);
	}
}

static void print_text(FILE *f, const char *ifname, const struct uapi_reply *r, int64_t now)
{
	const struct uapi_section *d = &r->dev;
	bool ext = uapi_reply_is_wgmtud(r);

	if (ext)
		fprintf(f, "interface: %s (wgmtud, path-MTU extension v%s)\n", ifname,
			vs(d, "wgmtu_version", "?"));
	else
		fprintf(f, "interface: %s: not a wgmtud (no path-MTU state); this is "
			   "wireguard-go/kernel\n", ifname);
	fprintf(f, "  listening port:   %s\n", vs(d, "listen_port", "(none)"));
	if (ext)
		fprintf(f, "  path-MTU discovery: %s; MSS clamping: %s; max path MTU: %s\n",
			vs(d, "wgmtu_probe", "?"), vs(d, "wgmtu_clamp_mss", "?"),
			vs(d, "wgmtu_max_mtu", "?"));
	if (r->n_peers == 0)
		fputs("  (no peers)\n", f);
	for (size_t i = 0; i < r->n_peers; i++) {
		fputc('\n', f);
		if (ext) {
			print_peer_headline(f, &r->peers[i], now);
			print_wgmtu_peer(f, &r->peers[i], now);
		} else {
			char sk[16];

			short_key(r->peers[i].public_key, sk);
			fprintf(f, "peer %s:\n", sk);
			print_std_peer(f, &r->peers[i], now);
		}
	}
}

/* ------------------------------------------------------------ JSON form */

static void json_num_or_null(struct json *j, const struct uapi_section *s,
			     const char *key, const char *jkey)
{
	uint64_t v;

	json_key(j, jkey);
	if (uapi_get_u64(s, key, &v))
		json_null(j);
	else
		json_uint(j, v);
}

static void json_onoff(struct json *j, const struct uapi_section *s, const char *key,
		       const char *jkey)
{
	const char *v = uapi_get(s, key);

	json_key(j, jkey);
	if (v && !strcmp(v, "on"))
		json_bool(j, true);
	else if (v && !strcmp(v, "off"))
		json_bool(j, false);
	else
		json_null(j);
}

/* Keys of the contract that are numbers; every other wgmtu_ key is text. */
static bool numeric_key(const char *k)
{
	static const char *nums[] = {
		"wgmtu_version", "wgmtu_max_mtu", "wgmtu_path_mtu", "wgmtu_effective_mtu",
		"wgmtu_pinned_mtu", "wgmtu_last_change_sec", "wgmtu_probes_sent",
		"wgmtu_probe_bytes", "wgmtu_ptb_hints", "wgmtu_ptb_hints_limited",
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(nums[i], k))
			return true;
	return false;
}

/* Every wgmtu_ key of the section, under its name without the prefix:
 * numbers as numbers (null if malformed), on/off as booleans, text as
 * strings. Unknown wgmtu_ keys are passed through as strings. */
static void json_wgmtu_keys(struct json *j, const struct uapi_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *k = s->kv[i].key;
		bool dup = false;

		if (strncmp(k, "wgmtu_", 6))
			continue;
		for (size_t l = i + 1; l < s->n; l++)
			dup |= !strcmp(s->kv[l].key, k); /* the last one wins */
		if (dup)
			continue;
		if (numeric_key(k))
			json_num_or_null(j, s, k, k + 6);
		else if (!strcmp(k, "wgmtu_probe") || !strcmp(k, "wgmtu_clamp_mss"))
			json_onoff(j, s, k, k + 6);
		else
			json_kstr(j, k + 6, s->kv[i].value);
	}
}

static void print_json_iface(struct json *j, const char *ifname, const struct uapi_reply *r)
{
	const struct uapi_section *d = &r->dev;

	json_obj_begin(j);
	json_kstr(j, "name", ifname);
	json_kbool(j, "wgmtud", uapi_reply_is_wgmtud(r));
	json_num_or_null(j, d, "listen_port", "listen_port");
	json_wgmtu_keys(j, d);
	json_key(j, "peers");
	json_arr_begin(j);
	for (size_t i = 0; i < r->n_peers; i++) {
		const struct uapi_section *s = &r->peers[i].s;
		char b64k[UAPI_B64_KEY_LEN + 1];

		uapi_key_to_base64(r->peers[i].public_key, b64k);
		json_obj_begin(j);
		json_kstr(j, "public_key", b64k);
		json_kstr(j, "endpoint", uapi_get(s, "endpoint"));
		json_key(j, "allowed_ips");
		json_arr_begin(j);
		for (size_t k = 0; k < s->n; k++)
			if (!strcmp(s->kv[k].key, "allowed_ip"))
				json_str(j, s->kv[k].value);
		json_arr_end(j);
		json_num_or_null(j, s, "last_handshake_time_sec", "last_handshake_time_sec");
		json_num_or_null(j, s, "rx_bytes", "rx_bytes");
		json_num_or_null(j, s, "tx_bytes", "tx_bytes");
		json_num_or_null(j, s, "persistent_keepalive_interval",
				 "persistent_keepalive_interval");
		json_wgmtu_keys(j, s);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* A terminal is no place for a daemon's control bytes: the contract says
 * printable ASCII, anything else becomes '?' in the text form (the JSON
 * writer escapes instead). UTF-8 is not expected and not kept. */
static void sanitize(struct uapi_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (char *c = s->kv[i].key; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		for (char *c = s->kv[i].value; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
	}
}

/* ---------------------------------------------------------------- edges */

/* Reads IFNAME's state. 0 and *r on success; else a printed error and
 * the negative errno. */
static int fetch(const char *ifname, struct uapi_reply *r, char *err, size_t cap)
{
	static const char req[] = "get=1\n\n";
	char *reply = NULL, pmsg[128];
	size_t len = 0;
	int e = uapi_transact(ifname, req, sizeof(req) - 1, uapi_timeout_ms(), &reply, &len);

	if (e) {
		snprintf(err, cap, "%s", uapi_strerror_transact(e));
		return e;
	}
	e = uapi_reply_parse(reply, len, r, pmsg, sizeof(pmsg));
	explicit_bzero(reply, len);
	free(reply);
	if (e) {
		snprintf(err, cap, "unreadable reply from the daemon: %s", pmsg);
		return e;
	}
	if (r->daemon_errno) {
		snprintf(err, cap, "the daemon refused the get: errno %d (%s)",
			 r->daemon_errno, strerror(r->daemon_errno < 0 ? -r->daemon_errno
								      : r->daemon_errno));
		uapi_reply_free(r);
		return -EIO;
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool as_json = false;
	char **names = NULL;
	int n_names, c, rc = EXIT_OK;
	int64_t now = (int64_t)time(NULL);
	bool single;
	char *jbuf = NULL;
	size_t jlen = 0;
	FILE *jf = NULL;
	struct json j;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			tool_err(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	/* allow "show wg0 --json" too */
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			as_json = true;
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			i--;
		} else if (argv[i][0] == '-') {
			tool_err(CMD, "unknown option '%s' (see --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		tool_err(CMD, "too many arguments: '%s' (one IFNAME at most)", argv[optind + 1]);
		return EXIT_USAGE;
	}
	single = argc - optind == 1;
	if (single) {
		if (!uapi_ifname_valid(argv[optind])) {
			tool_err(CMD, "'%s' is not a valid interface name", argv[optind]);
			return EXIT_USAGE;
		}
		names = calloc(1, sizeof(*names));
		if (!names || !(names[0] = strdup(argv[optind]))) {
			free(names);
			tool_err(CMD, "out of memory");
			return EXIT_FAILURE_RUN;
		}
		n_names = 1;
	} else {
		n_names = uapi_list_interfaces(&names);
		if (n_names < 0) {
			tool_err(CMD, "cannot list %s: %s", uapi_dir(), strerror(-n_names));
			return EXIT_FAILURE_RUN;
		}
		if (n_names == 0 && !as_json) {
			printf("no WireGuard interfaces (no sockets in %s)\n", uapi_dir());
			return EXIT_OK;
		}
	}

	if (as_json) {
		/* Built in memory: a named interface that cannot be read gives
		 * no half document on stdout, only the error. */
		jf = open_memstream(&jbuf, &jlen);
		if (!jf) {
			uapi_free_names(names, n_names);
			tool_err(CMD, "out of memory");
			return EXIT_FAILURE_RUN;
		}
		json_init(&j, jf, true);
		json_obj_begin(&j);
		json_key(&j, "interfaces");
		json_arr_begin(&j);
	}
	for (int i = 0; i < n_names; i++) {
		struct uapi_reply r;
		char err[256];

		if (fetch(names[i], &r, err, sizeof(err))) {
			tool_err(CMD, "%s: %s", names[i], err);
			rc = EXIT_FAILURE_RUN;
			if (as_json && !single) {
				json_obj_begin(&j);
				json_kstr(&j, "name", names[i]);
				json_kstr(&j, "error", err);
				json_obj_end(&j);
			}
			continue;
		}
		if (as_json) {
			print_json_iface(&j, names[i], &r);
		} else {
			sanitize(&r.dev);
			for (size_t p = 0; p < r.n_peers; p++)
				sanitize(&r.peers[p].s);
			if (i > 0)
				putchar('\n');
			print_text(stdout, names[i], &r, now);
		}
		uapi_reply_free(&r);
	}
	if (as_json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
		fclose(jf);
		if (!(single && rc))
			fwrite(jbuf, 1, jlen, stdout);
		free(jbuf);
	}
	uapi_free_names(names, n_names);
	fflush(stdout);
	return rc;
}
