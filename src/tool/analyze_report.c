// SPDX-License-Identifier: MIT
/*
 * wgmtu analyze output: the plain-words report and --json. Sizes said as
 * "datagrams of N bytes" are UDP payload lengths (what tcpdump prints as
 * "UDP, length N"); path-MTU numbers are IP packet sizes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "pmtu/overhead.h"
#include "tool/analyze_report.h"

static enum ovh_family fam_of(uint8_t fam)
{
	return fam == 6 ? OVH_IPV6 : OVH_IPV4;
}

static const char *fam_label(uint8_t fam)
{
	return fam == 6 ? "IPv6" : "IPv4";
}

enum ana_verdict ana_result_verdict(const struct ana_result *r)
{
	if (r->match)
		return r->match->verdict;
	return r->cap[0]->verdict;
}

void ana_mdir_bracket(const struct ana_mdir *x, int *lo, int *hi)
{
	*lo = (int)x->max_delivered;
	*hi = 0;
	if (x->min_lost && x->min_lost > x->max_delivered)
		*hi = (int)x->min_lost - 1;
	/* every IPv6 link carries 1280 (RFC 8200 section 5): small traffic
	 * alone does not make the path smaller than that */
	if (x->fam == 6 && *lo < 1280 && (!*hi || *hi >= 1280))
		*lo = 1280;
}

static void endpoints(const struct ana_dir *d, char *from, char *to, size_t n)
{
	ana_fmt_endpoint(&d->key.src, d->key.sport, from, n);
	ana_fmt_endpoint(&d->key.dst, d->key.dport, to, n);
}

static void print_hist(FILE *f, const struct ana_dir *d, bool matched)
{
	uint32_t shown = 0;

	fprintf(f, "  sizes (UDP payload bytes x count%s):", matched ? ", lost" : "");
	for (uint32_t i = 0; i < d->n_sizes && shown < 12; i++, shown++) {
		const struct ana_size *s = &d->sizes[i];

		fprintf(f, " %u x%" PRIu64, s->udp_len, s->count);
		if (matched && s->lost)
			fprintf(f, " (lost %" PRIu64 ")", s->lost);
		fputc(i + 1 < d->n_sizes ? ',' : '\n', f);
	}
	if (d->n_sizes > shown)
		fprintf(f, " ... %u more sizes\n", d->n_sizes - shown);
	if (!d->n_sizes)
		fputc('\n', f);
}

static void print_cap_summary(FILE *f, const struct ana_cap *c)
{
	uint64_t hs = 0, data = 0, ka = 0, frag = 0;
	double secs = c->frames ? (double)(c->last_us - c->first_us) / 1e6 : 0;
	char a[64], b[64];

	for (uint32_t i = 0; i < c->n_dirs; i++) {
		hs += c->dirs[i].n_init + c->dirs[i].n_resp;
		data += c->dirs[i].n_data;
		ka += c->dirs[i].n_keepalive;
		frag += c->dirs[i].n_frag_dgrams;
	}
	fprintf(f, "%s: %" PRIu64 " packets over %.1f s, %s\n", c->name, c->frames, secs,
		ana_link_name(c->linktype));
	fprintf(f, "  WireGuard: %" PRIu64 " handshake messages, %" PRIu64
		" transport packets (%" PRIu64 " keepalives)\n", hs, data, ka);
	for (uint32_t i = 0; i < c->n_sess && i < 4; i++)
		if (c->sess[i].have_resp)
			fprintf(f, "  session: initiator index 0x%08x <-> responder index 0x%08x\n",
				c->sess[i].init_idx, c->sess[i].resp_idx);
	if (!c->ptb_total) {
		fprintf(f, "  ICMP too-big: none seen\n");
	} else {
		for (uint32_t i = 0; i < c->n_ptb; i++) {
			if (c->ptb[i].have_flow) {
				ana_fmt_endpoint(&c->ptb[i].key.src, c->ptb[i].key.sport, a, sizeof(a));
				ana_fmt_endpoint(&c->ptb[i].key.dst, c->ptb[i].key.dport, b, sizeof(b));
				fprintf(f, "  ICMP too-big: %" PRIu64 " x MTU %u for %s -> %s\n",
					c->ptb[i].n, c->ptb[i].mtu, a, b);
			} else {
				fprintf(f, "  ICMP too-big: %" PRIu64 " x MTU %u\n", c->ptb[i].n, c->ptb[i].mtu);
			}
		}
	}
	if (c->damaged)
		fprintf(f, "  note: the file is damaged; only the %" PRIu64 " packets before the "
			"damage were read\n", c->frames);
	if (c->gso_supers)
		fprintf(f, "  GSO/GRO: %" PRIu64 " super-packets split into the %" PRIu64
			" datagrams the wire carried (counted as those)\n", c->gso_supers,
			c->gso_segments);
	if (c->gso_unsplit)
		fprintf(f, "  note: %" PRIu64 " GSO/GRO super-packets (up to %u bytes) were cut by the "
			"snaplen before their second message and could not be split (capture with "
			"tcpdump -s 0 to count their datagrams)\n",
			c->gso_unsplit, c->gso_unsplit_max);
	if (c->frags)
		fprintf(f, "  IP fragments: %" PRIu64 " packets (%" PRIu64
			" UDP datagrams were fragmented)\n", c->frags, frag);
	if (c->truncated)
		fprintf(f, "  note: %" PRIu64 " packets were cut short by the capture's snaplen "
			"(sizes come from the IP/UDP headers)\n", c->truncated);
	for (uint32_t i = 0; i < c->n_bad_reasons; i++)
		fprintf(f, "  note: %" PRIu64 " malformed packets skipped: %s\n",
			c->bad[i].n, c->bad[i].why);
}

/* "to receiver index 0x.. (initiator -> responder of session 0x../0x..)" */
static void print_indices(FILE *f, const struct ana_cap *c, const struct ana_dir *d)
{
	for (uint32_t i = 0; i < d->n_idx && i < 4; i++) {
		const char *role = NULL;

		for (uint32_t k = 0; k < c->n_sess && !role; k++) {
			if (c->sess[k].have_resp && c->sess[k].resp_idx == d->idx[i].idx)
				role = "initiator -> responder";
			else if (c->sess[k].init_idx == d->idx[i].idx)
				role = "responder -> initiator";
		}
		fprintf(f, "  transport to receiver index 0x%08x: counters %" PRIu64 "..%" PRIu64
			"%s%s%s\n", d->idx[i].idx, d->idx[i].min, d->idx[i].max,
			role ? " (" : " (handshake not captured", role ? role : "", ")");
	}
	if (d->n_idx > 4)
		fprintf(f, "  ... and %u more receiver indices (rekeys, other sessions)\n", d->n_idx - 4);
}

static void print_one_dir(FILE *f, const struct ana_cap *c, struct ana_dir *d)
{
	char from[64], to[64];
	const struct ana_dir *rev = d->rev >= 0 ? &c->dirs[d->rev] : NULL;

	endpoints(d, from, to, sizeof(from));
	fprintf(f, "\n%s -> %s (WireGuard, %s)\n", from, to, fam_label(d->key.src.fam));
	fprintf(f, "  %" PRIu64 " datagrams: %" PRIu64 " initiations, %" PRIu64 " responses, %"
		PRIu64 " cookies, %" PRIu64 " data (%" PRIu64 " keepalives); largest %u bytes "
		"(%u bytes IP)\n", d->dgrams, d->n_init, d->n_resp, d->n_cookie, d->n_data,
		d->n_keepalive, d->max_udp, d->max_ip);
	print_indices(f, c, d);
	if (d->bh_size >= 0) {
		struct ana_size s = d->sizes[d->bh_size];

		print_hist(f, d, false);
		fprintf(f, "  %" PRIu64 " datagrams of %u bytes (%u bytes IP) sent over %.1f s; "
			"%" PRIu64 " data packets came back after the first of them",
			s.count, s.udp_len, s.ip_len, (double)(s.last_us - s.first_us) / 1e6,
			d->bh_rev_after);
		fprintf(f, "; no ICMP too-big seen\n");
		fprintf(f, "  -> black hole: datagrams of %u bytes do not get through from %s to %s; "
			"the path MTU is below %u bytes (%s)\n", s.udp_len, from, to, s.ip_len,
			fam_label(d->key.src.fam));
		if (rev && rev->max_ip)
			fprintf(f, "  largest packet that arrived from the other side: %u bytes IP\n",
				rev->max_ip);
		fprintf(f, "  the WireGuard MTU must be below %d (%u - %d over %s): 'wgmtu probe' "
			"measures the path, or capture at both ends and run 'wgmtu analyze A B'; "
			"if the uplink's MTU is known, 'wgmtu calc --path-mtu N' gives the value\n",
			ovh_wg_mtu((int)s.ip_len, fam_of(d->key.src.fam)), s.ip_len,
			ovh_wg_overhead(fam_of(d->key.src.fam)), fam_label(d->key.src.fam));
	} else {
		print_hist(f, d, false);
		if (d->missing > d->probe_gaps + d->gso_gaps)
			fprintf(f, "  -> loss: %" PRIu64 " transport counters never appeared in this "
				"capture (lost before it was taken)\n",
				d->missing - d->probe_gaps - d->gso_gaps);
		if (d->gso_gaps)
			fprintf(f, "  -> %" PRIu64 " transport counters sit inside GSO/GRO super-packets "
				"the snaplen cut (each jump follows a cut message long enough to "
				"hold it), not counted as loss\n", d->gso_gaps);
		if (d->probe_gaps)
			fprintf(f, "  -> %" PRIu64 " transport counters never appeared: as many as "
				"wgmtud's in-band probes above the path MTU (the other end acks "
				"probes), not counted as loss\n", d->probe_gaps);
		if (!d->missing && d->n_data)
			fprintf(f, "  -> no gap in the transport counters, no sign of a black hole\n");
	}
	if (d->unpadded_udp && d->unpadded_udp <= ANA_MAX_WIRE_UDP)
		fprintf(f, "  full-size packets of %u bytes: the sender's WireGuard MTU is %u\n",
			d->unpadded_udp, d->unpadded_udp - 32);
	if (d->ptb_count)
		fprintf(f, "  ICMP too-big seen for this flow: %" PRIu64 " x, MTU %u\n",
			d->ptb_count, d->ptb_min_mtu);
}

static uint32_t max_lost_udp(const struct ana_dir *d)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < d->n_sizes; i++)
		if (d->sizes[i].lost && d->sizes[i].udp_len > m)
			m = d->sizes[i].udp_len;
	return m;
}

/* "10.0.0.1:51820" -> "10.0.0.1", "[fd00::1]:51820" -> "fd00::1", into b
 * (64 bytes). */
static const char *to_host(const char *ep, char b[64])
{
	const char *colon;
	size_t n;

	if (ep[0] == '[') {
		const char *end = strchr(ep, ']');

		n = end ? (size_t)(end - ep - 1) : strlen(ep + 1);
		snprintf(b, 64, "%.*s", (int)n, ep + 1);
		return b;
	}
	colon = strrchr(ep, ':');
	n = colon ? (size_t)(colon - ep) : strlen(ep);
	snprintf(b, 64, "%.*s", (int)n, ep);
	return b;
}

/* Link MTUs people actually meet, to make a bracket concrete. */
static void print_common_bottlenecks(FILE *f, int lo, int hi, enum ovh_family fam)
{
	static const struct { int mtu; const char *what; } common[] = {
		{ 1492, "PPPoE" }, { 1480, "6in4 tunnel" }, { 1460, "DS-Lite over 1500" },
		{ 1454, "DS-Lite/IPoE uplink" }, { 1452, "PPPoE + DS-Lite" },
		{ 1440, "IPsec or LTE bearer" }, { 1420, "WireGuard inside WireGuard" },
		{ 1400, "mobile carriers" }, { 1380, "mobile carriers" },
		{ 1280, "IPv6 minimum" },
	};
	int shown = 0;

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]) && shown < 4; i++) {
		if (common[i].mtu < lo || common[i].mtu > hi)
			continue;
		fprintf(f, "%s path %d (%s) -> MTU = %d", shown ? "," :
			"  common bottlenecks in that range:", common[i].mtu, common[i].what,
			ovh_wg_mtu(common[i].mtu, fam));
		shown++;
	}
	if (shown)
		fputc('\n', f);
}

static void print_matched_dir(FILE *f, const struct ana_result *r, const struct ana_mdir *x)
{
	const struct ana_cap *cs = r->cap[x->sender], *cr = r->cap[!x->sender];
	struct ana_dir *d = &cs->dirs[x->dir];
	char from[64], to[64], hf[64], ht[64];
	int lo, hi;
	enum ovh_family fam = fam_of(x->fam);
	uint64_t small_ok = 0;
	bool all_small_ok = true;

	endpoints(d, from, to, sizeof(from));
	fprintf(f, "\n%s -> %s (%s, %s; sent in %s, received in %s)\n", from, to,
		x->wg ? "WireGuard" : "UDP, matched by payload", fam_label(x->fam),
		cs->name, cr->name);
	fprintf(f, "  sent %" PRIu64 ", received %" PRIu64 ", lost %" PRIu64, x->sent,
		x->received, x->lost);
	if (x->before)
		fprintf(f, " (%" PRIu64 " more sent before the other capture started)", x->before);
	fputc('\n', f);
	print_indices(f, cs, d);
	print_hist(f, d, true);
	for (uint32_t i = 0; i < d->n_sizes; i++) {
		const struct ana_size *s = &d->sizes[i];

		if (!s->lost || s->probe)
			continue;
		fprintf(f, "  %" PRIu64 " of %" PRIu64 " datagrams of %u bytes from %s to %s "
			"were lost\n", s->lost, s->lost + s->delivered, s->udp_len, from, to);
	}
	if (x->probes_lost) {
		uint32_t shown = 0;

		fprintf(f, "  wgmtud in-band probes: %" PRIu64 " above the path MTU went unanswered, "
			"as its search expects (not counted as lost); sizes", x->probes_lost);
		for (uint32_t i = 0; i < d->n_sizes; i++)
			if (d->sizes[i].probe && shown++ < 8)
				fprintf(f, "%s %u", shown > 1 ? "," : "", d->sizes[i].udp_len);
		fprintf(f, "%s\n", shown > 8 ? ", ..." : "");
	}
	for (uint32_t i = 0; i < d->n_sizes; i++) {
		const struct ana_size *s = &d->sizes[i];

		if ((x->min_lost && s->ip_len >= x->min_lost) || s->probe)
			continue;
		small_ok += s->delivered;
		if (s->lost)
			all_small_ok = false;
	}
	if (x->lost && all_small_ok && small_ok && x->min_lost > x->max_delivered)
		fprintf(f, "  all %" PRIu64 " datagrams of <= %u bytes arrived\n", small_ok,
			x->max_delivered_udp);
	if (x->lost_frag)
		fprintf(f, "  %" PRIu64 " of the lost datagrams had been IP-fragmented\n", x->lost_frag);
	ana_mdir_bracket(x, &lo, &hi);
	switch (x->verdict) {
	case ANA_BLACK_HOLE:
		fprintf(f, "  no ICMP too-big seen -> black hole between %d and %d bytes (%s path "
			"MTU, IP bytes)\n", lo, hi + 1, fam_label(x->fam));
		fprintf(f, "  the path MTU is %d-%d bytes, so the WireGuard MTU that works is "
			"%d-%d (%d bytes of overhead)\n", lo, hi, ovh_wg_mtu(lo, fam),
			ovh_wg_mtu(hi, fam), ovh_wg_overhead(fam));
		fprintf(f, "  measure it exactly: on %s run 'wgmtu probe %s', then set the MTU "
			"'wgmtu calc --path-mtu N' gives on both peers\n", to_host(from, hf),
			to_host(to, ht));
		print_common_bottlenecks(f, lo, hi, fam);
		break;
	case ANA_LOSS:
		fprintf(f, "  -> loss without a size pattern: %.1f%% lost, sizes from %u to %u "
			"bytes lost while up to %u bytes arrived%s\n",
			100.0 * (double)x->lost / (double)x->sent, x->min_lost_udp,
			max_lost_udp(d), x->max_delivered_udp,
			x->ptb_seen ? "; ICMP too-big was seen for this flow" : "");
		break;
	case ANA_HEALTHY:
		if (x->ptb_explained) {
			fprintf(f, "  -> path-MTU discovery works: the %" PRIu64 " lost datagrams were "
				"bigger than the MTU %u an ICMP too-big announced, and the sender "
				"fragmented after it\n", x->lost, x->ptb_mtu);
			fprintf(f, "  set MTU = %d on both peers to stop the fragmenting (%u - %d)\n",
				ovh_wg_mtu((int)x->ptb_mtu, fam), x->ptb_mtu, ovh_wg_overhead(fam));
			break;
		}
		fprintf(f, "  -> every datagram arrived (largest %u bytes, %u bytes IP)\n",
			x->max_delivered_udp, x->max_delivered);
		break;
	default:
		break;
	}
}

static void print_verdict(FILE *f, const struct ana_result *r)
{
	enum ana_verdict v = ana_result_verdict(r);

	fprintf(f, "\nVerdict: ");
	switch (v) {
	case ANA_BLACK_HOLE:
		fprintf(f, "BLACK HOLE: large datagrams vanish on the path and no ICMP too-big "
			"comes back; lower the WireGuard MTU as shown above\n");
		break;
	case ANA_LOSS:
		fprintf(f, "LOSS: datagrams were lost, but not by size: not a path-MTU problem\n");
		break;
	case ANA_HEALTHY:
		fprintf(f, "HEALTHY: no black hole, no unexplained loss\n");
		if (!r->match)
			fprintf(f, "  (one capture shows a black hole only when taken at the end that "
				"sends the big packets; with a capture from each end nothing hides)\n");
		break;
	default:
		fprintf(f, "INCONCLUSIVE: no WireGuard transport traffic%s to judge\n",
			r->match ? " seen in both captures" : "");
		break;
	}
}

void ana_report_text(FILE *f, const struct ana_result *r)
{
	for (int k = 0; k < r->ncap; k++)
		print_cap_summary(f, r->cap[k]);
	if (r->match) {
		for (uint32_t i = 0; i < r->match->n; i++)
			print_matched_dir(f, r, &r->match->d[i]);
		if (r->match->duplicates)
			fprintf(f, "\n%" PRIu64 " transport packets were captured twice (same index "
				"and counter) and counted once\n", r->match->duplicates);
		if (r->match->unmatched_groups)
			fprintf(f, "\n%" PRIu64 " sessions or UDP flows (%" PRIu64 " packets) appear in "
				"only one capture and were left out (other peers, other traffic)\n",
				r->match->unmatched_groups, r->match->unmatched_pkts);
	} else {
		struct ana_cap *c = r->cap[0];
		uint32_t other = 0;

		for (uint32_t i = 0; i < c->n_dirs; i++) {
			if (ana_dir_is_wg(&c->dirs[i]))
				print_one_dir(f, c, &c->dirs[i]);
			else
				other++;
		}
		if (other)
			fprintf(f, "\n%u other UDP flow directions (not WireGuard)\n", other);
	}
	print_verdict(f, r);
}

/* --- JSON ------------------------------------------------------------- */

/*
 * The schema (man/wgmtu-analyze.1, JSON OUTPUT) gives every key one
 * meaning in both modes: what one capture cannot know is null, never a
 * number with another meaning.
 */

static void json_kint_or_null(struct json *j, const char *key, long long v, bool known)
{
	if (known)
		json_kint(j, key, v);
	else
		json_knull(j, key);
}

static void json_sizes(struct json *j, const struct ana_dir *d, bool matched)
{
	json_key(j, "sizes");
	json_arr_begin(j);
	for (uint32_t i = 0; i < d->n_sizes; i++) {
		json_obj_begin(j);
		json_kint(j, "udp", d->sizes[i].udp_len);
		json_kint(j, "ip", d->sizes[i].ip_len);
		json_kint(j, "count", (long long)d->sizes[i].count);
		json_kint_or_null(j, "lost", (long long)(d->sizes[i].probe ? 0 : d->sizes[i].lost),
				  matched);
		json_kbool(j, "probe", d->sizes[i].probe);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_dir_common(struct json *j, const struct ana_dir *d)
{
	char from[64], to[64];

	endpoints(d, from, to, sizeof(from));
	json_kstr(j, "from", from);
	json_kstr(j, "to", to);
	json_kstr(j, "family", d->key.src.fam == 6 ? "ipv6" : "ipv4");
	json_kbool(j, "wireguard", ana_dir_is_wg(d));
	json_kint(j, "datagrams", (long long)d->dgrams);
	json_kint(j, "handshake_initiations", (long long)d->n_init);
	json_kint(j, "handshake_responses", (long long)d->n_resp);
	json_kint(j, "cookies", (long long)d->n_cookie);
	json_kint(j, "data", (long long)d->n_data);
	json_kint(j, "keepalives", (long long)d->n_keepalive);
	json_kint(j, "fragmented", (long long)d->n_frag_dgrams);
	json_kint(j, "gso_super_packets", (long long)d->n_gso);
	json_kint(j, "probe_acks", (long long)d->n_acks);
	json_kint(j, "largest_udp", d->max_udp);
	json_kint(j, "largest_ip", d->max_ip);
	json_kint_or_null(j, "sender_mtu", (long long)d->unpadded_udp - 32,
			  d->unpadded_udp > 0 && d->unpadded_udp <= ANA_MAX_WIRE_UDP);
	json_kint(j, "counter_gaps", (long long)d->missing);
	json_kint(j, "counter_gaps_in_cut_super_packets", (long long)d->gso_gaps);
	json_kint(j, "icmp_too_big_count", (long long)d->ptb_count);
	json_kint_or_null(j, "icmp_too_big_mtu", d->ptb_min_mtu, d->ptb_count > 0);
	json_key(j, "receiver_indices");
	json_arr_begin(j);
	for (uint32_t i = 0; i < d->n_idx; i++) {
		char s[16];

		snprintf(s, sizeof(s), "0x%08x", d->idx[i].idx);
		json_str(j, s);
	}
	json_arr_end(j);
}

/* path_mtu_min/max and the WireGuard MTUs they give; 0 = unknown */
static void json_bracket(struct json *j, int lo, int hi, uint8_t fam)
{
	json_kint_or_null(j, "path_mtu_min", lo, lo > 0);
	json_kint_or_null(j, "path_mtu_max", hi, hi > 0);
	json_kint_or_null(j, "wireguard_mtu_min", ovh_wg_mtu(lo, fam_of(fam)), lo > 0);
	json_kint_or_null(j, "wireguard_mtu_max", ovh_wg_mtu(hi, fam_of(fam)), hi > 0);
}

static void json_one_dir(struct json *j, struct ana_dir *d)
{
	const struct ana_size *bh = d->bh_size >= 0 ? &d->sizes[d->bh_size] : NULL;

	json_obj_begin(j);
	json_dir_common(j, d);
	json_kstr(j, "verdict", ana_verdict_name(d->verdict));
	json_knull(j, "matched_by");
	json_knull(j, "sender_capture");
	json_knull(j, "sent");
	json_knull(j, "received");
	json_knull(j, "lost");
	json_knull(j, "lost_sizes");
	json_knull(j, "before_other_capture");
	json_knull(j, "only_at_receiver");
	json_kint(j, "probes_unanswered", (long long)d->probe_gaps);
	json_knull(j, "probe_min_unanswered");
	json_knull(j, "max_delivered");
	json_knull(j, "min_lost");
	json_kint_or_null(j, "unanswered_size", bh ? bh->udp_len : 0, bh);
	json_kint_or_null(j, "unanswered_repeats", bh ? (long long)bh->count : 0, bh);
	json_kint_or_null(j, "replies_after", (long long)d->bh_rev_after, bh);
	json_kbool(j, "icmp_too_big_seen", d->ptb_count > 0);
	json_knull(j, "losses_explained_by_icmp_too_big");
	json_bracket(j, 0, bh ? (int)bh->ip_len - 1 : 0, d->key.src.fam);
	json_sizes(j, d, false);
	json_obj_end(j);
}

static void json_matched_dir(struct json *j, const struct ana_result *r, const struct ana_mdir *x)
{
	const struct ana_dir *d = &r->cap[x->sender]->dirs[x->dir];
	int lo, hi;

	ana_mdir_bracket(x, &lo, &hi);
	if (x->verdict != ANA_BLACK_HOLE)
		hi = 0; /* an upper bound only where big ones were lost by size */
	json_obj_begin(j);
	json_dir_common(j, d);
	json_kstr(j, "verdict", ana_verdict_name(x->verdict));
	json_kstr(j, "matched_by", x->wg ? "receiver_index_counter" : "payload_hash");
	json_kstr(j, "sender_capture", r->cap[x->sender]->name);
	json_kint(j, "sent", (long long)x->sent);
	json_kint(j, "received", (long long)x->received);
	json_kint(j, "lost", (long long)x->lost);
	json_key(j, "lost_sizes");
	json_arr_begin(j);
	for (uint32_t i = 0; i < d->n_sizes; i++)
		if (d->sizes[i].lost && !d->sizes[i].probe)
			json_int(j, d->sizes[i].udp_len);
	json_arr_end(j);
	json_kint(j, "before_other_capture", (long long)x->before);
	json_kint(j, "only_at_receiver", (long long)x->extra);
	json_kint(j, "probes_unanswered", (long long)x->probes_lost);
	json_kint_or_null(j, "probe_min_unanswered", x->min_probe_lost, x->min_probe_lost > 0);
	json_kint_or_null(j, "max_delivered", x->max_delivered, x->max_delivered > 0);
	json_kint_or_null(j, "min_lost", x->min_lost, x->min_lost > 0);
	json_knull(j, "unanswered_size");
	json_knull(j, "unanswered_repeats");
	json_knull(j, "replies_after");
	json_kbool(j, "icmp_too_big_seen", x->ptb_seen);
	json_kbool(j, "losses_explained_by_icmp_too_big", x->ptb_explained);
	json_bracket(j, lo, hi, x->fam);
	json_sizes(j, d, true);
	json_obj_end(j);
}

static const char *link_key(int lt)
{
	switch (lt) {
	case ANA_LINK_NULL: return "bsd_loopback";
	case ANA_LINK_ETHERNET: return "ethernet";
	case ANA_LINK_RAW: case ANA_LINK_RAW_ALT: case ANA_LINK_LINKTYPE_RAW: return "raw_ip";
	case ANA_LINK_LOOP: return "openbsd_loopback";
	case ANA_LINK_SLL: return "linux_sll";
	case ANA_LINK_SLL2: return "linux_sll2";
	case ANA_LINK_IPV4: return "raw_ipv4";
	case ANA_LINK_IPV6: return "raw_ipv6";
	default: return "unknown";
	}
}

static void json_cap(struct json *j, const struct ana_cap *c)
{
	char a[64], b[64];

	json_obj_begin(j);
	json_kstr(j, "file", c->name);
	json_kstr(j, "link", link_key(c->linktype));
	json_kint(j, "packets", (long long)c->frames);
	json_kbool(j, "damaged", c->damaged);
	json_kint(j, "truncated", (long long)c->truncated);
	json_kint(j, "fragments", (long long)c->frags);
	json_kint(j, "malformed", (long long)c->kinds[ANA_K_BAD]);
	json_kint(j, "gso_super_packets", (long long)c->gso_supers);
	json_kint(j, "gso_datagrams", (long long)c->gso_segments);
	json_kint(j, "gso_unsplit", (long long)c->gso_unsplit);
	json_kstr(j, "verdict", ana_verdict_name(c->verdict));
	json_key(j, "sessions");
	json_arr_begin(j);
	for (uint32_t i = 0; i < c->n_sess; i++) {
		char s[16];

		json_obj_begin(j);
		snprintf(s, sizeof(s), "0x%08x", c->sess[i].init_idx);
		json_kstr(j, "initiator_index", s);
		snprintf(s, sizeof(s), "0x%08x", c->sess[i].resp_idx);
		json_kstr(j, "responder_index", c->sess[i].have_resp ? s : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "icmp_too_big");
	json_arr_begin(j);
	for (uint32_t i = 0; i < c->n_ptb; i++) {
		json_obj_begin(j);
		json_kint(j, "mtu", c->ptb[i].mtu);
		json_kint(j, "count", (long long)c->ptb[i].n);
		if (c->ptb[i].have_flow) {
			ana_fmt_endpoint(&c->ptb[i].key.src, c->ptb[i].key.sport, a, sizeof(a));
			ana_fmt_endpoint(&c->ptb[i].key.dst, c->ptb[i].key.dport, b, sizeof(b));
		}
		json_kstr(j, "from", c->ptb[i].have_flow ? a : NULL);
		json_kstr(j, "to", c->ptb[i].have_flow ? b : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void ana_report_json(FILE *f, const struct ana_result *r, bool pretty)
{
	struct json j;

	json_init(&j, f, pretty);
	json_obj_begin(&j);
	json_kstr(&j, "verdict", ana_verdict_name(ana_result_verdict(r)));
	json_key(&j, "captures");
	json_arr_begin(&j);
	for (int k = 0; k < r->ncap; k++)
		json_cap(&j, r->cap[k]);
	json_arr_end(&j);
	json_kint_or_null(&j, "unmatched_flows",
			  r->match ? (long long)r->match->unmatched_groups : 0, r->match);
	json_kint_or_null(&j, "unmatched_packets",
			  r->match ? (long long)r->match->unmatched_pkts : 0, r->match);
	json_kint_or_null(&j, "duplicates", r->match ? (long long)r->match->duplicates : 0,
			  r->match);
	json_key(&j, "directions");
	json_arr_begin(&j);
	if (r->match) {
		for (uint32_t i = 0; i < r->match->n; i++)
			json_matched_dir(&j, r, &r->match->d[i]);
	} else {
		for (uint32_t i = 0; i < r->cap[0]->n_dirs; i++)
			if (ana_dir_is_wg(&r->cap[0]->dirs[i]))
				json_one_dir(&j, &r->cap[0]->dirs[i]);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}
