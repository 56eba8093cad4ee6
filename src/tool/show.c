// SPDX-License-Identifier: MIT
/*
 * wgmtu show [IFNAME|all|interfaces] [dump] [--json|--prometheus] [--watch]:
 * the per-peer path-MTU state a wgmtud reports in its UAPI get reply
 * (docs/uapi-extensions.md), and the standard peer information for any
 * WireGuard implementation; as text, JSON, wg-style dump lines or
 * Prometheus metrics, once or refreshed like watch(1).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/json.h"
#include "tool/tool.h"
#include "tool/uapi_io.h"

#define CMD "show"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s show [IFNAME | all | interfaces] [dump] [options]\n"
		"\n"
		"Path-MTU state of a wgmtud interface, per peer: the discovered path MTU,\n"
		"the MTU enforced for the peer, how it was found and why. Without IFNAME\n"
		"(or with 'all'), every interface with a UAPI socket in %s\n"
		"(like `wg show`); interfaces served by wireguard-go or another\n"
		"implementation are listed with their standard peer information only.\n"
		"'interfaces' lists the names; 'dump' prints tab-separated lines (one per\n"
		"interface, one per peer; the columns are in wgmtu-show(1)).\n"
		"\n"
		"Options:\n"
		"  -j, --json          one JSON object on one line: interfaces -> peers\n"
		"      --pretty        the same JSON indented (implies --json)\n"
		"      --prometheus    metrics in the Prometheus text format (node_exporter\n"
		"                      textfile collector): path/effective MTU, probes, drops\n"
		"  -w, --watch         redraw every interval until interrupted, like\n"
		"                      `watch wg show`\n"
		"  -n, --interval SEC  --watch interval (default 1, 0.1-3600)\n"
		"      --count N       --watch: stop after N refreshes\n"
		"  -h, --help          this text\n"
		"\n"
		"Environment:\n"
		"  WGMTU_UAPI_DIR         socket directory (default " UAPI_DEFAULT_DIR ")\n"
		"  WGMTU_UAPI_TIMEOUT_MS  how long to wait for the daemon (default %d)\n"
		"\n"
		"Exit status: 0 ok; 2 usage error; 3 an interface could not be read\n"
		"(no such interface, permission denied, daemon not answering).\n"
		"\n"
		"Examples:\n"
		"  %s show wg0\n"
		"  %s show --watch\n"
		"  %s show all dump | cut -f1,2,11,12   # path and effective MTU\n"
		"  %s show --json | jq '.interfaces[].peers[].effective_mtu'\n"
		"  %s show --prometheus >/var/lib/prometheus/node-exporter/wgmtu.prom.new &&\n"
		"    mv /var/lib/prometheus/node-exporter/wgmtu.prom.new \\\n"
		"       /var/lib/prometheus/node-exporter/wgmtu.prom\n",
		prog_name, uapi_dir(), UAPI_DEFAULT_TIMEOUT_MS, prog_name, prog_name,
		prog_name, prog_name, prog_name);
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

/* The keys of the contract (docs/uapi-extensions.md): always in the JSON,
 * null when the daemon did not send them (wireguard-go, the kernel). */
enum kt { KT_NUM, KT_ONOFF, KT_STR };
static const struct { const char *key; enum kt t; } dev_keys[] = {
	{ "wgmtu_version", KT_NUM }, { "wgmtu_probe", KT_ONOFF },
	{ "wgmtu_clamp_mss", KT_ONOFF }, { "wgmtu_max_mtu", KT_NUM },
	{ "wgmtu_threads", KT_NUM }, { "wgmtu_threads_sharing", KT_ONOFF },
};
static const struct { const char *key; enum kt t; } peer_keys[] = {
	{ "wgmtu_state", KT_STR }, { "wgmtu_method", KT_STR },
	{ "wgmtu_path_mtu", KT_NUM }, { "wgmtu_effective_mtu", KT_NUM },
	{ "wgmtu_pinned_mtu", KT_NUM }, { "wgmtu_probe_address", KT_STR },
	{ "wgmtu_last_change_sec", KT_NUM }, { "wgmtu_probes_sent", KT_NUM },
	{ "wgmtu_probe_bytes", KT_NUM }, { "wgmtu_ptb_hints", KT_NUM },
	{ "wgmtu_ptb_hints_limited", KT_NUM }, { "wgmtu_reason", KT_STR },
};

static bool is_drop_key(const char *k)
{
	return !strncmp(k, "wgmtu_drop_", 11) && k[11];
}

static void json_key_typed(struct json *j, const struct uapi_section *s, const char *k,
			   enum kt t)
{
	if (t == KT_NUM)
		json_num_or_null(j, s, k, k + 6);
	else if (t == KT_ONOFF)
		json_onoff(j, s, k, k + 6);
	else
		json_kstr(j, k + 6, uapi_get(s, k));
}

/*
 * The contract's keys in a fixed order, then drops (an object reason ->
 * count, from the daemon's wgmtu_drop_REASON keys; empty when it sends
 * none), then any other wgmtu_ key a newer daemon sends, as a string.
 */
#define JSON_WGMTU_KEYS(j, s, table)                                                  \
	do {                                                                           \
		for (size_t t_ = 0; t_ < sizeof(table) / sizeof(table[0]); t_++)       \
			json_key_typed(j, s, table[t_].key, table[t_].t);              \
		json_extra_keys(j, s, table, sizeof(table) / sizeof(table[0]));        \
	} while (0)

static bool in_table(const char *k, const void *table, size_t n)
{
	const struct { const char *key; enum kt t; } *tb = table;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(tb[i].key, k))
			return true;
	return false;
}

static bool last_of(const struct uapi_section *s, size_t i)
{
	for (size_t l = i + 1; l < s->n; l++)
		if (!strcmp(s->kv[l].key, s->kv[i].key))
			return false; /* the last one wins */
	return true;
}

static void json_extra_keys(struct json *j, const struct uapi_section *s, const void *table,
			    size_t n)
{
	json_key(j, "drops");
	json_obj_begin(j);
	for (size_t i = 0; i < s->n; i++)
		if (is_drop_key(s->kv[i].key) && last_of(s, i))
			json_num_or_null(j, s, s->kv[i].key, s->kv[i].key + 11);
	json_obj_end(j);
	for (size_t i = 0; i < s->n; i++) {
		const char *k = s->kv[i].key;

		if (strncmp(k, "wgmtu_", 6) || is_drop_key(k) || in_table(k, table, n) ||
		    !last_of(s, i))
			continue;
		json_kstr(j, k + 6, s->kv[i].value);
	}
}

static void print_json_iface(struct json *j, const char *ifname, const struct uapi_reply *r)
{
	const struct uapi_section *d = &r->dev;

	json_obj_begin(j);
	json_kstr(j, "name", ifname);
	json_kstr(j, "error", NULL);
	json_kbool(j, "wgmtud", uapi_reply_is_wgmtud(r));
	json_num_or_null(j, d, "listen_port", "listen_port");
	JSON_WGMTU_KEYS(j, d, dev_keys);
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
		JSON_WGMTU_KEYS(j, s, peer_keys);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* ------------------------------------------------------------ dump form */

/* One value of a dump column: the key's value, or dflt when absent. */
static void dump_col(FILE *f, const struct uapi_section *s, const char *k, const char *dflt)
{
	const char *v = uapi_get(s, k);

	fprintf(f, "\t%s", v && *v ? v : dflt);
}

static void print_dump(FILE *f, const char *ifname, const struct uapi_reply *r, bool prefix)
{
	const struct uapi_section *d = &r->dev;
	bool ext = uapi_reply_is_wgmtud(r);

	if (prefix)
		fprintf(f, "%s\t", ifname);
	fprintf(f, "%s", ext ? "wgmtud" : "other");
	dump_col(f, d, "listen_port", "0");
	dump_col(f, d, "wgmtu_probe", "-");
	dump_col(f, d, "wgmtu_clamp_mss", "-");
	dump_col(f, d, "wgmtu_max_mtu", "-");
	fputc('\n', f);
	for (size_t i = 0; i < r->n_peers; i++) {
		const struct uapi_section *s = &r->peers[i].s;
		char b64k[UAPI_B64_KEY_LEN + 1];
		bool first = true;
		uint64_t ka = 0;

		uapi_key_to_base64(r->peers[i].public_key, b64k);
		if (prefix)
			fprintf(f, "%s\t", ifname);
		fprintf(f, "%s", b64k);
		dump_col(f, s, "endpoint", "(none)");
		fputc('\t', f);
		for (size_t k = 0; k < s->n; k++) {
			if (strcmp(s->kv[k].key, "allowed_ip"))
				continue;
			fprintf(f, "%s%s", first ? "" : ",", s->kv[k].value);
			first = false;
		}
		if (first)
			fputs("(none)", f);
		dump_col(f, s, "last_handshake_time_sec", "0");
		dump_col(f, s, "rx_bytes", "0");
		dump_col(f, s, "tx_bytes", "0");
		if (!uapi_get_u64(s, "persistent_keepalive_interval", &ka) && ka)
			fprintf(f, "\t%" PRIu64, ka);
		else
			fputs("\toff", f);
		for (size_t t = 0; t < sizeof(peer_keys) / sizeof(peer_keys[0]); t++) {
			if (!strcmp(peer_keys[t].key, "wgmtu_reason") ||
			    !strcmp(peer_keys[t].key, "wgmtu_probe_address"))
				continue; /* free text and an address: in JSON only */
			dump_col(f, s, peer_keys[t].key, "-");
		}
		fputc('\n', f);
	}
}

/* ------------------------------------------------------ Prometheus form */

struct fetched {
	const char *name;
	bool ok;
	struct uapi_reply r;
	char err[256];        /* why not, when !ok */
};

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_peer_labels(FILE *f, const char *ifname, const struct uapi_peer *p)
{
	char b64k[UAPI_B64_KEY_LEN + 1];

	uapi_key_to_base64(p->public_key, b64k);
	fputs("{interface=\"", f);
	prom_label(f, ifname);
	fprintf(f, "\",public_key=\"%s\"", b64k);
}

/* One numeric per-peer metric from key, across every interface. */
static void prom_peer_metric(FILE *f, const struct fetched *x, int n, const char *name,
			     const char *type, const char *help, const char *key)
{
	bool head = false;

	for (int i = 0; i < n; i++) {
		for (size_t p = 0; x[i].ok && p < x[i].r.n_peers; p++) {
			uint64_t v;

			if (uapi_get_u64(&x[i].r.peers[p].s, key, &v))
				continue;
			if (!head)
				prom_head(f, name, type, help);
			head = true;
			fputs(name, f);
			prom_peer_labels(f, x[i].name, &x[i].r.peers[p]);
			fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
}

static void print_prometheus(FILE *f, const struct fetched *x, int n)
{
	bool head = false;

	prom_head(f, "wgmtu_up", "gauge",
		  "1 when the interface's UAPI socket answered a get, else 0.");
	for (int i = 0; i < n; i++) {
		fputs("wgmtu_up{interface=\"", f);
		prom_label(f, x[i].name);
		fprintf(f, "\"} %d\n", x[i].ok);
	}
	prom_head(f, "wgmtu_interface_info", "gauge",
		  "The implementation behind the interface (wgmtud or other).");
	for (int i = 0; i < n; i++) {
		if (!x[i].ok)
			continue;
		fputs("wgmtu_interface_info{interface=\"", f);
		prom_label(f, x[i].name);
		fprintf(f, "\",implementation=\"%s\"} 1\n",
			uapi_reply_is_wgmtud(&x[i].r) ? "wgmtud" : "other");
	}
	prom_peer_metric(f, x, n, "wgmtu_peer_path_mtu_bytes", "gauge",
			 "Path MTU discovered towards the peer (outer IP bytes; 0 unknown).",
			 "wgmtu_path_mtu");
	prom_peer_metric(f, x, n, "wgmtu_peer_effective_mtu_bytes", "gauge",
			 "Inner MTU enforced for the peer (bytes).", "wgmtu_effective_mtu");
	prom_peer_metric(f, x, n, "wgmtu_peer_pinned_mtu_bytes", "gauge",
			 "MTU pinned by hand for the peer (0 none).", "wgmtu_pinned_mtu");
	prom_peer_metric(f, x, n, "wgmtu_peer_probes_sent_total", "counter",
			 "Path-MTU probes sent to the peer.", "wgmtu_probes_sent");
	prom_peer_metric(f, x, n, "wgmtu_peer_probe_bytes_total", "counter",
			 "Bytes of path-MTU probes sent to the peer.", "wgmtu_probe_bytes");
	prom_peer_metric(f, x, n, "wgmtu_peer_ptb_hints_total", "counter",
			 "ICMP too-big hints received for the peer.", "wgmtu_ptb_hints");
	prom_peer_metric(f, x, n, "wgmtu_peer_ptb_hints_limited_total", "counter",
			 "ICMP too-big hints that started no probe (hint rate limit).",
			 "wgmtu_ptb_hints_limited");
	prom_peer_metric(f, x, n, "wgmtu_peer_last_change_timestamp_seconds", "gauge",
			 "When the peer's effective MTU last changed (Unix time; 0 never).",
			 "wgmtu_last_change_sec");
	prom_peer_metric(f, x, n, "wgmtu_peer_last_handshake_timestamp_seconds", "gauge",
			 "Latest handshake with the peer (Unix time; 0 never).",
			 "last_handshake_time_sec");
	prom_peer_metric(f, x, n, "wgmtu_peer_receive_bytes_total", "counter",
			 "Bytes received from the peer.", "rx_bytes");
	prom_peer_metric(f, x, n, "wgmtu_peer_transmit_bytes_total", "counter",
			 "Bytes sent to the peer.", "tx_bytes");
	/* the discovery state as an info metric: one series per peer, value 1 */
	for (int i = 0; i < n; i++) {
		for (size_t p = 0; x[i].ok && p < x[i].r.n_peers; p++) {
			const struct uapi_section *s = &x[i].r.peers[p].s;

			if (!uapi_get(s, "wgmtu_state"))
				continue;
			if (!head)
				prom_head(f, "wgmtu_peer_state", "gauge",
					  "Path-MTU discovery state and method of the peer (1).");
			head = true;
			fputs("wgmtu_peer_state", f);
			prom_peer_labels(f, x[i].name, &x[i].r.peers[p]);
			fputs(",state=\"", f);
			prom_label(f, uapi_get(s, "wgmtu_state"));
			fputs("\",method=\"", f);
			prom_label(f, vs(s, "wgmtu_method", ""));
			fputs("\"} 1\n", f);
		}
	}
	/* drops by reason: the daemon's wgmtu_drop_REASON keys, device and peer */
	head = false;
	for (int i = 0; i < n; i++) {
		const struct uapi_section *d = &x[i].r.dev;

		for (size_t k = 0; x[i].ok && k < d->n; k++) {
			uint64_t v;

			if (!is_drop_key(d->kv[k].key) || !last_of(d, k) ||
			    uapi_get_u64(d, d->kv[k].key, &v))
				continue;
			if (!head)
				prom_head(f, "wgmtu_drops_total", "counter",
					  "Packets the interface dropped, by reason.");
			head = true;
			fputs("wgmtu_drops_total{interface=\"", f);
			prom_label(f, x[i].name);
			fputs("\",reason=\"", f);
			prom_label(f, d->kv[k].key + 11);
			fprintf(f, "\"} %" PRIu64 "\n", v);
		}
	}
	head = false;
	for (int i = 0; i < n; i++) {
		for (size_t p = 0; x[i].ok && p < x[i].r.n_peers; p++) {
			const struct uapi_section *s = &x[i].r.peers[p].s;

			for (size_t k = 0; k < s->n; k++) {
				uint64_t v;

				if (!is_drop_key(s->kv[k].key) || !last_of(s, k) ||
				    uapi_get_u64(s, s->kv[k].key, &v))
					continue;
				if (!head)
					prom_head(f, "wgmtu_peer_drops_total", "counter",
						  "Packets to or from the peer dropped, by reason.");
				head = true;
				fputs("wgmtu_peer_drops_total", f);
				prom_peer_labels(f, x[i].name, &x[i].r.peers[p]);
				fputs(",reason=\"", f);
				prom_label(f, s->kv[k].key + 11);
				fprintf(f, "\"} %" PRIu64 "\n", v);
			}
		}
	}
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

	if (e == -ENOENT && if_nametoindex(ifname)) {
		/* the usual case: kernel WireGuard (wg-quick prefers the module) */
		snprintf(err, cap, "the interface exists but no userspace daemon serves it "
			 "(no UAPI socket; kernel WireGuard?): try 'wg show %s' or "
			 "'wgmtu doctor %s'", ifname, ifname);
		return e;
	}
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

enum show_mode { M_TEXT, M_JSON, M_DUMP, M_PROM, M_NAMES };

struct show_opts {
	enum show_mode mode;
	bool pretty, watch, all;
	const char *ifname;   /* NULL: every interface */
	double interval;
	long count;           /* --watch refreshes, 0: until interrupted */
};

/*
 * One frame: every interface read, the whole output built in memory and
 * returned in *out (so a watch redraw or a textfile is written at once,
 * and a named interface that cannot be read leaves no half document).
 */
static int show_once(const struct show_opts *o, char **out, size_t *outlen)
{
	char **names = NULL;
	struct fetched *x = NULL;
	int n, rc = EXIT_OK;
	int64_t now = (int64_t)time(NULL);
	FILE *f = open_memstream(out, outlen);
	struct json j;

	if (!f) {
		tool_err(CMD, "out of memory");
		return EXIT_FAILURE_RUN;
	}
	if (o->ifname) {
		names = calloc(1, sizeof(*names));
		if (!names || !(names[0] = strdup(o->ifname))) {
			free(names);
			fclose(f);
			tool_err(CMD, "out of memory");
			return EXIT_FAILURE_RUN;
		}
		n = 1;
	} else {
		n = uapi_list_interfaces(&names);
		if (n < 0) {
			fclose(f);
			tool_err(CMD, "cannot list %s: %s", uapi_dir(), strerror(-n));
			return EXIT_FAILURE_RUN;
		}
	}
	x = calloc((size_t)n + 1, sizeof(*x));
	if (!x) {
		uapi_free_names(names, n);
		fclose(f);
		tool_err(CMD, "out of memory");
		return EXIT_FAILURE_RUN;
	}
	for (int i = 0; i < n; i++) {
		x[i].name = names[i];
		if (o->mode == M_NAMES)
			continue;
		if (fetch(names[i], &x[i].r, x[i].err, sizeof(x[i].err))) {
			tool_err(CMD, "%s: %s", names[i], x[i].err);
			rc = EXIT_FAILURE_RUN;
			continue;
		}
		x[i].ok = true;
		/* the JSON writer escapes; text, dump and metrics get '?' */
		if (o->mode == M_JSON)
			continue;
		sanitize(&x[i].r.dev);
		for (size_t p = 0; p < x[i].r.n_peers; p++)
			sanitize(&x[i].r.peers[p].s);
	}
	switch (o->mode) {
	case M_NAMES:
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? " " : "", names[i]);
		if (n)
			fputc('\n', f);
		break;
	case M_TEXT:
		if (!n)
			fprintf(f, "no WireGuard interfaces (no sockets in %s)\n", uapi_dir());
		for (int i = 0, shown = 0; i < n; i++) {
			if (!x[i].ok)
				continue;
			if (shown++)
				fputc('\n', f);
			print_text(f, names[i], &x[i].r, now);
		}
		break;
	case M_DUMP:
		for (int i = 0; i < n; i++)
			if (x[i].ok)
				print_dump(f, names[i], &x[i].r, !o->ifname);
		break;
	case M_PROM:
		print_prometheus(f, x, n);
		break;
	case M_JSON:
		json_init(&j, f, o->pretty);
		json_obj_begin(&j);
		json_key(&j, "interfaces");
		json_arr_begin(&j);
		for (int i = 0; i < n; i++) {
			if (x[i].ok) {
				print_json_iface(&j, names[i], &x[i].r);
			} else if (!o->ifname) {
				json_obj_begin(&j);
				json_kstr(&j, "name", names[i]);
				json_kstr(&j, "error", x[i].err);
				json_obj_end(&j);
			}
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
		break;
	}
	for (int i = 0; i < n; i++)
		if (x[i].ok)
			uapi_reply_free(&x[i].r);
	free(x);
	uapi_free_names(names, n);
	if (fclose(f)) {
		tool_err(CMD, "out of memory");
		return EXIT_FAILURE_RUN;
	}
	/* a named interface that cannot be read prints nothing on stdout */
	if (o->ifname && rc)
		*outlen = 0;
	return rc;
}

static volatile sig_atomic_t stop_watch;

static void on_stop(int sig)
{
	(void)sig;
	stop_watch = 1;
}

static int watch_loop(const struct show_opts *o, const char *cmdline)
{
	bool tty = isatty(STDOUT_FILENO);
	struct sigaction sa = { .sa_handler = on_stop };
	int rc = EXIT_OK;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (long k = 0; !stop_watch && (!o->count || k < o->count); k++) {
		char *buf = NULL, when[64];
		size_t len = 0;
		time_t t = time(NULL);
		struct tm tm;
		struct timespec ts;

		rc = show_once(o, &buf, &len);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
		if (tty) {
			/* home, clear: one redraw, like watch(1) */
			fputs("\033[H\033[2J", stdout);
			printf("Every %.1fs: %s    %s\n\n", o->interval, cmdline, when);
		} else if (o->mode == M_TEXT || o->mode == M_NAMES) {
			printf("%s-- %s\n", k ? "\n" : "", when);
		}
		fwrite(buf, 1, len, stdout);
		fflush(stdout);
		free(buf);
		if (o->count && k + 1 >= o->count)
			break;
		ts.tv_sec = (time_t)o->interval;
		ts.tv_nsec = (long)((o->interval - (double)ts.tv_sec) * 1e9);
		while (!stop_watch && nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return rc;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "prometheus", no_argument, NULL, 'M' },
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts o = { .mode = M_TEXT, .interval = 1.0 };
	bool json = false, prom = false, dump = false, names = false;
	int c, rc;
	char *buf = NULL, *end;
	size_t len = 0;

	char cmdline[256];
	size_t cl;

	/* the command as typed, for the --watch header (getopt reorders argv) */
	cl = (size_t)snprintf(cmdline, sizeof(cmdline), "%s", prog_name);
	for (int i = 0; i < argc && cl < sizeof(cmdline); i++)
		cl += (size_t)snprintf(cmdline + cl, sizeof(cmdline) - cl, " %s", argv[i]);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":jwn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'P':
			json = o.pretty = true;
			break;
		case 'M':
			prom = true;
			break;
		case 'w':
			o.watch = true;
			break;
		case 'n':
			o.interval = strtod(optarg, &end);
			if (end == optarg || *end || !(o.interval >= 0.1 && o.interval <= 3600)) {
				tool_err(CMD, "--interval: '%s' is not a number of seconds in "
					 "0.1..3600", optarg);
				return EXIT_USAGE;
			}
			o.watch = true;
			break;
		case 'C':
			o.count = strtol(optarg, &end, 10);
			if (end == optarg || *end || o.count < 1) {
				tool_err(CMD, "--count: '%s' is not a positive number", optarg);
				return EXIT_USAGE;
			}
			o.watch = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case ':':
			tool_err(CMD, "option '%s' needs a value (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			tool_err(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	/* [IFNAME | all | interfaces] [dump], as wg show takes them */
	for (int i = optind; i < argc; i++) {
		const char *a = argv[i];

		if (i == optind && !strcmp(a, "all")) {
			o.all = true;
		} else if (i == optind && !strcmp(a, "interfaces")) {
			names = true;
		} else if (!strcmp(a, "dump") && !names && i <= optind + 1) {
			dump = true;
		} else if (i == optind) {
			if (!uapi_ifname_valid(a)) {
				tool_err(CMD, "'%s' is not a valid interface name", a);
				return EXIT_USAGE;
			}
			o.ifname = a;
		} else {
			tool_err(CMD, "unexpected argument '%s' (see --help)", a);
			return EXIT_USAGE;
		}
	}
	if (json + prom + dump + names > 1) {
		tool_err(CMD, "choose one of --json, --prometheus, dump and interfaces");
		return EXIT_USAGE;
	}
	o.mode = json ? M_JSON : prom ? M_PROM : dump ? M_DUMP : names ? M_NAMES : M_TEXT;
	if (o.watch)
		return watch_loop(&o, cmdline);
	rc = show_once(&o, &buf, &len);
	fwrite(buf, 1, len, stdout);
	free(buf);
	if (fflush(stdout) || ferror(stdout)) {
		tool_err(CMD, "cannot write the output: %s", strerror(errno));
		return EXIT_FAILURE_RUN;
	}
	return rc;
}
