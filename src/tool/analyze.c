// SPDX-License-Identifier: MIT
/*
 * wgmtu analyze: forensics of tcpdump captures. Reads one or two captures
 * (analyze_pcap), dissects them (analyze_dissect) into per-flow statistics
 * (analyze_model), matches two captures packet by packet (analyze_match)
 * and says what it found (analyze_report, analyze_svg).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tool/analyze_pcap.h"
#include "tool/analyze_report.h"
#include "tool/analyze_svg.h"
#include "tool/tool.h"

static const char analyze_usage[] =
"Usage: wgmtu analyze [--json [--pretty]] [--svg FILE] CAPTURE [CAPTURE2]\n"
"\n"
"Reads tcpdump captures (pcap or pcapng; Ethernet, Linux cooked v1/v2,\n"
"raw IP or loopback; IPv4 and IPv6) of WireGuard traffic and finds a\n"
"path-MTU black hole. WireGuard is recognised on any port by message type\n"
"and exact length.\n"
"\n"
"With one capture (best taken where the big packets are sent): per flow and\n"
"direction the handshakes, transport packets and keepalives, a size\n"
"histogram, transport-counter gaps, ICMP too-big seen, and the black-hole\n"
"signature: the largest size sent again and again while the other side\n"
"stops answering, with no ICMP too-big.\n"
"\n"
"With two captures of the same traffic, one at each end (any order, clocks\n"
"need not agree): every transport packet is matched by (receiver index,\n"
"counter), other UDP by payload; per direction what was sent, received and\n"
"lost by size, the path-MTU bracket and the WireGuard MTU that works.\n"
"\n"
"Options:\n"
"  -j, --json        machine-readable output, one line (the schema is in\n"
"                    wgmtu-analyze(1): verdict, per direction sent, received,\n"
"                    lost, lost_sizes, path_mtu_min/max, ...)\n"
"      --pretty      the same JSON indented (implies --json)\n"
"  -s, --svg FILE    draw the timeline: packet size over time per direction,\n"
"                    lost packets marked, the inferred path MTU as lines;\n"
"                    '-' writes it to standard output (the report then goes\n"
"                    to standard error)\n"
"  -h, --help        this text\n"
"\n"
"Sizes: \"datagrams of N bytes\" are UDP payload lengths (tcpdump's \"UDP,\n"
"length N\"); path MTUs and max_delivered/min_lost are IP packet sizes.\n"
"\n"
"Examples:\n"
"  tcpdump -i eth0 -w server.pcap udp port 51820      # on each end\n"
"  wgmtu analyze server.pcap\n"
"  wgmtu analyze server.pcap laptop.pcap --svg timeline.svg\n"
"  wgmtu analyze --json server.pcap laptop.pcap | jq .verdict\n"
"\n"
"Exit status: 0 healthy; 1 black hole, loss, or inconclusive (no WireGuard\n"
"transport traffic to judge); 2 bad usage, an unreadable or empty capture,\n"
"or a damaged one whose readable part looks healthy (the partial report is\n"
"still printed); 3 could not run (out of memory, cannot write the SVG).\n";

static const char *cmd = "analyze";

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ana_cap caps[2];
	struct ana_match match;
	struct ana_result res;
	const char *svg = NULL;
	bool json = false, pretty = false, damaged = false;
	int c, ncap, rc = EXIT_OK;
	FILE *out;
	char err[512];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":js:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'P':
			json = pretty = true;
			break;
		case 's':
			svg = optarg;
			break;
		case 'h':
			fputs(analyze_usage, stdout);
			return EXIT_OK;
		case ':':
			tool_err(cmd, "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			tool_err(cmd, "unknown option '%s' (see 'wgmtu analyze --help')",
				 argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	ncap = argc - optind;
	if (ncap < 1 || ncap > 2) {
		tool_err(cmd, ncap < 1 ? "need a capture file (see 'wgmtu analyze --help')"
				       : "at most two capture files");
		return EXIT_USAGE;
	}
	if (ncap == 2 && !strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-")) {
		tool_err(cmd, "only one capture can be read from standard input");
		return EXIT_USAGE;
	}
	memset(&res, 0, sizeof(res));
	res.ncap = ncap;
	for (int k = 0; k < ncap; k++) {
		const char *path = argv[optind + k];
		int r;

		ana_cap_init(&caps[k], path, ncap == 2 || svg);
		res.cap[k] = &caps[k];
		r = ana_read_file(path, &caps[k], err, sizeof(err));
		if (r == 1 && !caps[k].frames) {
			/* nothing readable at all: bad input, not a finding */
			tool_err(cmd, "%s: %s", path, err);
			rc = EXIT_USAGE;
		} else if (r == 1) {
			tool_err(cmd, "%s: %s", path, err);
			damaged = true;
		} else if (r < 0) {
			tool_err(cmd, "%s: %s", path, err);
			rc = r == -ENOMEM ? EXIT_FAILURE_RUN : EXIT_USAGE;
		} else if (!caps[k].frames) {
			tool_err(cmd, "%s: the capture holds no packets", path);
			rc = EXIT_USAGE;
		}
		if (rc != EXIT_OK) {
			for (int i = 0; i <= k; i++)
				ana_cap_free(&caps[i]);
			return rc;
		}
		ana_cap_finish(&caps[k]);
	}
	if (ncap == 2) {
		if (ana_match_run(res.cap, &match)) {
			tool_err(cmd, "out of memory while matching the captures");
			rc = EXIT_FAILURE_RUN;
			goto out;
		}
		res.match = &match;
	}
	res.verdict = ana_result_verdict(&res);
	/* the SVG on standard output pushes the report to standard error */
	out = svg && !strcmp(svg, "-") ? stderr : stdout;
	if (json)
		ana_report_json(out, &res, pretty);
	else
		ana_report_text(out, &res);
	if (svg && ana_svg_write(svg, &res, err, sizeof(err))) {
		tool_err(cmd, "%s: %s", svg, err);
		rc = EXIT_FAILURE_RUN;
		goto out;
	}
	rc = res.verdict == ANA_HEALTHY ? EXIT_OK : EXIT_PROBLEM;
	/* a damaged file cannot vouch for health: what it lacks may be the loss */
	if (damaged && rc == EXIT_OK)
		rc = EXIT_USAGE;
out:
	if (res.match)
		ana_match_free(&match);
	for (int k = 0; k < ncap; k++)
		ana_cap_free(&caps[k]);
	return rc;
}
