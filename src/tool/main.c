// SPDX-License-Identifier: MIT
/* wgmtu: a small dispatcher over a command table. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "tool/tool.h"
#include "tool/uapi_io.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "calc", cmd_calc, "WireGuard MTU and TCP MSS from a path MTU or a link's encapsulations" },
	{ "probe", cmd_probe, "the real path MTU to a host, through black holes, located" },
	{ "responder", cmd_responder, "answer wgmtu probe --method udp (both directions)" },
	{ "analyze", cmd_analyze, "find a black hole in tcpdump captures of WireGuard traffic" },
	{ "show", cmd_show, "wgmtud's per-peer path MTU, effective MTU and why (UAPI)" },
	{ "doctor", cmd_doctor, "check every WireGuard interface's MTU against its peers' paths" },
	{ "tune", cmd_tune, "apply doctor's findings: per-peer route MTUs, MSS clamp, --watch" },
	{ "set", cmd_set, "wgmtud's path-MTU settings: probing, MSS clamping, max/pinned MTU" },
};

/* The commands that talk to a daemon: WGMTU_UAPI_* must be valid. */
static bool uses_uapi(const char *cmd)
{
	return !strcmp(cmd, "show") || !strcmp(cmd, "doctor") || !strcmp(cmd, "set");
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [ARGS...]\n\n"
		   "Path-MTU toolkit for WireGuard.\n\nCommands:\n", prog_name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "this text, or 'help COMMAND' for a command's own");
	fprintf(f, "\nOptions: --help, --version.  Exit status: 0 ok, 1 problem found,\n"
		   "2 usage error, 3 could not run.  See wgmtu(1).\n");
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("wgmtu %s\n", WGMTU_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		if (argc > 2 && strcmp(cmd, "help") == 0 && strcmp(argv[2], "help") &&
		    strcmp(argv[2], "--help") && strcmp(argv[2], "-h")) {
			for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
				if (!strcmp(argv[2], commands[i].name)) {
					char *a[] = { argv[2], (char *)"--help", NULL };
					return commands[i].fn(2, a);
				}
			}
			fprintf(stderr, "%s: unknown command '%s'\n", prog_name, argv[2]);
			usage(stderr);
			return EXIT_USAGE;
		}
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char err[160];

		if (strcmp(cmd, commands[i].name))
			continue;
		if (uses_uapi(cmd) && uapi_env_load(err, sizeof(err)) < 0) {
			fprintf(stderr, "%s %s: %s\n", prog_name, cmd, err);
			return EXIT_USAGE;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n\n", prog_name, cmd);
	usage(stderr);
	return EXIT_USAGE;
}
