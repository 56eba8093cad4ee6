// SPDX-License-Identifier: MIT
/*
 * wgmtu calc: the overhead arithmetic. All numbers come from the pure
 * overhead module; this file parses the command line and lays them out.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"
#include "pmtu/overhead.h"
#include "tool/tool.h"

static const char calc_usage[] =
"Usage: wgmtu calc --path-mtu N [--outer ipv4|ipv6|both] [--json [--pretty]]\n"
"       wgmtu calc --link-mtu N --encap LIST [--outer ipv4|ipv6|both] [--json [--pretty]]\n"
"       wgmtu calc --list-encaps [--json [--pretty]]\n"
"\n"
"The WireGuard interface MTU and the TCP MSS to clamp to, from the path MTU\n"
"(the largest IP packet that crosses the path, e.g. what 'wgmtu probe'\n"
"measured) or from a link MTU and the encapsulations on the path. The outer\n"
"packet layout is shown field by field.\n"
"\n"
"Options:\n"
"  -p, --path-mtu N    path MTU in bytes, IP header included (576-65535;\n"
"                      at least 1280 when the outer family is IPv6)\n"
"  -l, --link-mtu N    MTU of the underlying link (e.g. 1500 for Ethernet)\n"
"  -e, --encap LIST    comma-separated encapsulations between the peers, on\n"
"                      top of --link-mtu; NAME:BYTES overrides a size and\n"
"                      custom:BYTES adds your own (see --list-encaps)\n"
"  -o, --outer FAMILY  family of the WireGuard endpoint addresses: ipv4\n"
"                      (60 bytes of overhead), ipv6 (80) or both (default:\n"
"                      the MTU that works for either)\n"
"  -j, --json          machine-readable output on one line (schema in\n"
"                      wgmtu-calc(1))\n"
"      --pretty        the same JSON indented (implies --json)\n"
"      --list-encaps   list the known encapsulations and their cost\n"
"  -h, --help          this text\n"
"\n"
"Examples:\n"
"  wgmtu calc --path-mtu 1454 --outer ipv4          # MTU 1394, MSS 1354\n"
"  wgmtu calc --path-mtu 1454 --outer ipv6          # MTU 1374\n"
"  wgmtu calc --link-mtu 1500 --encap pppoe,dslite --outer ipv4   # 1392\n"
"  wgmtu calc --path-mtu 1500 --outer ipv6          # 1420, the default\n"
"\n"
"Exit status: 0 on success, 2 on bad input.\n";

struct calc_opts {
	int path_mtu;      /* 0 when not given */
	int link_mtu;      /* 0 when not given */
	enum ovh_family outer;
	bool json, pretty;
	struct ovh_encap_use enc[OVH_MAX_ENCAPS];
	size_t n_enc;
	bool have_encap;
};

/* Per-family results. */
struct calc_fam {
	enum ovh_family fam;
	int path_mtu;
	int wg_mtu;
};

static const char *fam_label(enum ovh_family f)
{
	return f == OVH_IPV6 ? "IPv6" : "IPv4";
}

static void list_encaps(void)
{
	size_t n;
	const struct ovh_encap *t = ovh_encap_table(&n);

	printf("%-15s %5s  %-9s %s\n", "name", "bytes", "carries", "what");
	for (size_t i = 0; i < n; i++) {
		char range[32] = "";
		const char *carries = t[i].families == OVH_BOTH ? "all" :
				      t[i].families == OVH_IPV4 ? "IPv4 only" : "IPv6 only";

		if (!strcmp(t[i].name, "custom")) {
			printf("%-15s %5s  %-9s %s\n", "custom:BYTES", "N", carries, t[i].what);
			continue;
		}
		if (t[i].range_min != t[i].range_max)
			snprintf(range, sizeof(range), " [%d-%d]", t[i].range_min,
				 t[i].range_max);
		printf("%-15s %5d  %-9s %s%s\n", t[i].name, t[i].bytes, carries,
		       t[i].what, range);
		if (t[i].note)
			printf("%-15s %5s  %-9s   %s\n", t[i].alias ? t[i].alias : "", "",
			       "", t[i].note);
		else if (t[i].alias)
			printf("%-15s\n", t[i].alias);
	}
	printf("\nNAME:BYTES overrides a size, e.g. ipsec-esp:57 for AES-GCM.\n");
}

static void list_encaps_json(bool pretty)
{
	size_t n;
	const struct ovh_encap *t = ovh_encap_table(&n);
	struct json j;

	json_init(&j, stdout, pretty);
	json_obj_begin(&j);
	json_key(&j, "encapsulations");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		bool custom = !strcmp(t[i].name, "custom");

		json_obj_begin(&j);
		json_kstr(&j, "name", t[i].name);
		json_kstr(&j, "alias", t[i].alias);
		if (custom) {
			json_knull(&j, "bytes");
			json_knull(&j, "bytes_min");
			json_knull(&j, "bytes_max");
		} else {
			json_kint(&j, "bytes", t[i].bytes);
			json_kint(&j, "bytes_min", t[i].range_min);
			json_kint(&j, "bytes_max", t[i].range_max);
		}
		json_kstr(&j, "carries", ovh_family_name((enum ovh_family)t[i].families));
		json_kstr(&j, "what", t[i].what);
		json_kstr(&j, "note", t[i].note);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void print_layout_single(const struct calc_fam *r)
{
	struct ovh_field f[OVH_LAYOUT_FIELDS];
	size_t n = ovh_layout(r->path_mtu, r->fam, f, OVH_LAYOUT_FIELDS);

	printf("WireGuard over %s: a full-size transport packet, field by field\n",
	       fam_label(r->fam));
	printf("  %6s %6s  %s\n", "offset", "bytes", "field");
	for (size_t i = 0; i < n; i++)
		printf("  %6d %6d  %s\n", f[i].offset, f[i].size, f[i].name);
	printf("  %6s %6s\n", "", "------");
	printf("  %6s %6d  = path MTU; WireGuard overhead %d bytes\n", "",
	       r->path_mtu, ovh_wg_overhead(r->fam));
}

static void print_layout_both(const struct calc_fam *r4, const struct calc_fam *r6)
{
	struct ovh_field f4[OVH_LAYOUT_FIELDS], f6[OVH_LAYOUT_FIELDS];
	size_t n = ovh_layout(r4->path_mtu, OVH_IPV4, f4, OVH_LAYOUT_FIELDS);

	ovh_layout(r6->path_mtu, OVH_IPV6, f6, OVH_LAYOUT_FIELDS);
	printf("A full-size WireGuard transport packet, field by field (bytes)\n");
	printf("  %-40s %10s %10s\n", "field", "IPv4 outer", "IPv6 outer");
	for (size_t i = 0; i < n; i++)
		printf("  %-40s %10d %10d\n", i == 0 ? "outer IP header (no options)" :
		       f4[i].name, f4[i].size, f6[i].size);
	printf("  %-40s %10s %10s\n", "", "-----", "-----");
	printf("  %-40s %10d %10d\n", "= path MTU", r4->path_mtu, r6->path_mtu);
	printf("  %-40s %10d %10d\n", "WireGuard overhead", ovh_wg_overhead(OVH_IPV4),
	       ovh_wg_overhead(OVH_IPV6));
}

static void print_padding_note(int mtu)
{
	int m16 = mtu & ~(OVH_WG_PADDING - 1);

	printf("\nPadding: WireGuard pads each inner packet to a multiple of 16 bytes but\n"
	       "never past the interface MTU, so a full-size packet costs nothing extra\n"
	       "and the MTU above is exact; smaller packets grow by up to 15 bytes.");
	if (m16 != mtu)
		printf(" With\nMTU %d, inner packets of %d-%d bytes are all sent as %d.",
		       mtu, m16 + 1, mtu, mtu);
	printf("\n");
}

static void print_default_note(int mtu, const char *which)
{
	if (mtu == OVH_WG_DEFAULT_MTU)
		printf("\n%d is WireGuard's default: what a 1500-byte path leaves after the\n"
		       "80 bytes of IPv6 overhead, so the default fits any 1500-byte path\n"
		       "whatever the endpoint's family, and is too big for every smaller one\n"
		       "(PPPoE 1492, DS-Lite 1460, ...).\n", mtu);
	else if (mtu < OVH_WG_DEFAULT_MTU)
		printf("\nThe default MTU %d is %d bytes too big for this path%s.\n"
		       "Full-size packets are lost unless ICMP \"too big\" reaches the\n"
		       "sender: a path-MTU black hole when it does not.\n",
		       OVH_WG_DEFAULT_MTU, OVH_WG_DEFAULT_MTU - mtu, which);
	else
		printf("\nThe default MTU %d fits this path%s; %d uses it fully.\n",
		       OVH_WG_DEFAULT_MTU, which, mtu);
	if (mtu < OVH_MIN_MTU_IPV6)
		printf("\nWarning: MTU %d is below 1280, the IPv6 minimum: Linux removes IPv6\n"
		       "addresses from such an interface, so only IPv4 can run inside.\n", mtu);
}

static void json_layout(struct json *j, const struct calc_fam *r)
{
	struct ovh_field f[OVH_LAYOUT_FIELDS];
	size_t n = ovh_layout(r->path_mtu, r->fam, f, OVH_LAYOUT_FIELDS);

	json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kstr(j, "field", f[i].key);
		json_kstr(j, "name", f[i].name);
		json_kint(j, "offset", f[i].offset);
		json_kint(j, "bytes", f[i].size);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_overhead(struct json *j, enum ovh_family fam)
{
	struct ovh_field f[OVH_LAYOUT_FIELDS];
	size_t n = ovh_layout(OVH_MIN_MTU_IPV6, fam, f, OVH_LAYOUT_FIELDS);

	json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].key, "payload"))
			continue;
		json_obj_begin(j);
		json_kstr(j, "field", f[i].key);
		json_kint(j, "bytes", f[i].size);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void output_json(const struct calc_opts *o, const struct calc_fam *r,
			size_t nr, const struct calc_fam *best)
{
	struct json j;

	json_init(&j, stdout, o->pretty);
	json_obj_begin(&j);
	json_kint(&j, "path_mtu", best->path_mtu);
	json_kstr(&j, "outer", ovh_family_name(o->outer));
	json_kint(&j, "wireguard_mtu", best->wg_mtu);
	json_kint(&j, "mss_ipv4", ovh_mss(best->wg_mtu, OVH_IPV4));
	json_kint(&j, "mss_ipv6", ovh_mss(best->wg_mtu, OVH_IPV6));
	json_kint(&j, "overhead_bytes", ovh_wg_overhead(best->fam));
	json_key(&j, "overhead");
	json_overhead(&j, best->fam);
	json_kbool(&j, "default_mtu_fits", best->wg_mtu >= OVH_WG_DEFAULT_MTU);
	json_kbool(&j, "ipv6_inside_ok", best->wg_mtu >= OVH_MIN_MTU_IPV6);
	if (o->link_mtu) {
		json_kint(&j, "link_mtu", o->link_mtu);
		json_key(&j, "encapsulations");
		json_arr_begin(&j);
		for (size_t i = 0; i < o->n_enc; i++) {
			json_obj_begin(&j);
			json_kstr(&j, "name", o->enc[i].e->name);
			json_kint(&j, "bytes", o->enc[i].bytes);
			json_kstr(&j, "carries", ovh_family_name(o->enc[i].e->families));
			json_obj_end(&j);
		}
		json_arr_end(&j);
	} else {
		json_knull(&j, "link_mtu");
		json_knull(&j, "encapsulations");
	}
	json_key(&j, "families");
	json_obj_begin(&j);
	for (size_t i = 0; i < nr; i++) {
		json_key(&j, ovh_family_name(r[i].fam));
		json_obj_begin(&j);
		json_kint(&j, "path_mtu", r[i].path_mtu);
		json_kint(&j, "overhead_bytes", ovh_wg_overhead(r[i].fam));
		json_kint(&j, "wireguard_mtu", r[i].wg_mtu);
		json_kint(&j, "mss_ipv4", ovh_mss(r[i].wg_mtu, OVH_IPV4));
		json_kint(&j, "mss_ipv6", ovh_mss(r[i].wg_mtu, OVH_IPV6));
		json_key(&j, "layout");
		json_layout(&j, &r[i]);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void output_text(const struct calc_opts *o, const struct calc_fam *r,
			size_t nr, const struct calc_fam *best)
{
	if (o->link_mtu) {
		printf("Link MTU %d\n", o->link_mtu);
		for (size_t i = 0; i < o->n_enc; i++) {
			const struct ovh_encap *e = o->enc[i].e;

			printf("  - %-4d %-14s %s%s\n", o->enc[i].bytes, e->name, e->what,
			       e->families == OVH_IPV4 ? " [IPv4 only]" :
			       e->families == OVH_IPV6 ? " [IPv6 only]" : "");
		}
		for (size_t i = 0; i < o->n_enc; i++) {
			const struct ovh_encap *e = o->enc[i].e;

			if (!(e->families & o->outer))
				printf("    note: %s does not apply to %s endpoints: %s\n",
				       e->name, fam_label(o->outer), e->note);
		}
		printf("  = path MTU");
		for (size_t i = 0; i < nr; i++)
			printf("%s %d for %s", i ? "," : "", r[i].path_mtu, fam_label(r[i].fam));
		printf("\n\n");
	} else {
		printf("Path MTU %d (largest IP packet that crosses the path)\n\n",
		       best->path_mtu);
	}

	if (nr == 1)
		print_layout_single(&r[0]);
	else
		print_layout_both(&r[0], &r[1]);

	printf("\n");
	if (nr == 2) {
		printf("  WireGuard MTU  %d over IPv4, %d over IPv6\n", r[0].wg_mtu,
		       r[1].wg_mtu);
		printf("  Use            MTU = %d   (works whichever family the endpoint uses)\n",
		       best->wg_mtu);
	} else {
		printf("  WireGuard MTU  %d   (wg-quick: MTU = %d)\n", best->wg_mtu,
		       best->wg_mtu);
	}
	printf("  TCP MSS        %d for IPv4 inside (MTU - 40), %d for IPv6 inside (MTU - 60)\n",
	       ovh_mss(best->wg_mtu, OVH_IPV4), ovh_mss(best->wg_mtu, OVH_IPV6));
	print_padding_note(best->wg_mtu);
	print_default_note(best->wg_mtu, nr == 2 ? " over either family" : "");
}

int cmd_calc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "path-mtu", required_argument, NULL, 'p' },
		{ "link-mtu", required_argument, NULL, 'l' },
		{ "encap", required_argument, NULL, 'e' },
		{ "outer", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "list-encaps", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct calc_opts o = { .outer = OVH_BOTH };
	struct calc_fam r[2], *best;
	size_t nr = 0;
	unsigned long v;
	char err[160];
	int c, rc;
	bool list = false;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:l:e:o:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'l':
			if (parse_ulong(optarg, 0, ~0ul, &v) < 0) {
				tool_err("calc", "--%s: '%s' is not a number",
					 c == 'p' ? "path-mtu" : "link-mtu", optarg);
				return EXIT_USAGE;
			}
			if (v < OVH_MIN_MTU_IPV4 || v > OVH_MAX_MTU) {
				tool_err("calc", "--%s %lu: out of range (%d-%d)",
					 c == 'p' ? "path-mtu" : "link-mtu", v,
					 OVH_MIN_MTU_IPV4, OVH_MAX_MTU);
				return EXIT_USAGE;
			}
			if (c == 'p')
				o.path_mtu = (int)v;
			else
				o.link_mtu = (int)v;
			break;
		case 'e':
			rc = ovh_encap_parse(optarg, o.enc + o.n_enc,
					     OVH_MAX_ENCAPS - o.n_enc, err, sizeof(err));
			if (rc < 0) {
				tool_err("calc", "--encap: %s", err);
				return EXIT_USAGE;
			}
			o.n_enc += (size_t)rc;
			o.have_encap = true;
			break;
		case 'o':
			if (ovh_family_parse(optarg, &o.outer) < 0) {
				tool_err("calc", "--outer: '%s' is not ipv4, ipv6 or both", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'P':
			o.json = o.pretty = true;
			break;
		case 'L':
			list = true;
			break;
		case 'h':
			fputs(calc_usage, stdout);
			return EXIT_OK;
		case ':':
			tool_err("calc", "option '%s' needs a value (see --help)",
				 argv[optind - 1]);
			return EXIT_USAGE;
		default:
			tool_err("calc", "unknown option '%s' (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		tool_err("calc", "unexpected argument '%s' (see --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (list) {
		if (o.path_mtu || o.link_mtu || o.have_encap) {
			tool_err("calc", "--list-encaps takes no MTU or --encap");
			return EXIT_USAGE;
		}
		if (o.json)
			list_encaps_json(o.pretty);
		else
			list_encaps();
		return EXIT_OK;
	}
	if (o.path_mtu && o.link_mtu) {
		tool_err("calc", "--path-mtu and --link-mtu conflict: give one");
		return EXIT_USAGE;
	}
	if (o.path_mtu && o.have_encap) {
		tool_err("calc", "--encap applies to --link-mtu, not to --path-mtu");
		return EXIT_USAGE;
	}
	if (!o.path_mtu && !o.link_mtu) {
		tool_err("calc", "need --path-mtu N or --link-mtu N (see --help)");
		return EXIT_USAGE;
	}
	if (o.link_mtu && !o.have_encap) {
		tool_err("calc", "--link-mtu needs --encap LIST (use --path-mtu for a bare link)");
		return EXIT_USAGE;
	}

	for (int fam = OVH_IPV4; fam <= OVH_IPV6; fam <<= 1) {
		int pmtu;

		if (!(o.outer & fam))
			continue;
		pmtu = o.path_mtu ? o.path_mtu :
		       ovh_path_mtu(o.link_mtu, o.enc, o.n_enc, (enum ovh_family)fam);
		if (pmtu < ovh_min_mtu((enum ovh_family)fam)) {
			tool_err("calc", "path MTU %d is below the %s minimum %d%s", pmtu,
				 fam_label((enum ovh_family)fam),
				 ovh_min_mtu((enum ovh_family)fam),
				 fam == OVH_IPV6 && o.outer == OVH_BOTH ?
				 " (use --outer ipv4 for an IPv4-only path)" : "");
			return EXIT_USAGE;
		}
		r[nr].fam = (enum ovh_family)fam;
		r[nr].path_mtu = pmtu;
		r[nr].wg_mtu = ovh_wg_mtu(pmtu, (enum ovh_family)fam);
		nr++;
	}
	best = &r[0];
	for (size_t i = 1; i < nr; i++)
		if (r[i].wg_mtu < best->wg_mtu)
			best = &r[i];

	if (o.json)
		output_json(&o, r, nr, best);
	else
		output_text(&o, r, nr, best);
	return EXIT_OK;
}
