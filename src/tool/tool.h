/* SPDX-License-Identifier: MIT */
/*
 * wgmtu subcommands. One file per subcommand, each exporting
 * int cmd_NAME(int argc, char **argv) with argv[0] = "NAME".
 *
 * Exit codes shared by every subcommand (documented in wgmtu(1)):
 */
#ifndef WGMTU_TOOL_TOOL_H
#define WGMTU_TOOL_TOOL_H

enum {
	EXIT_OK = 0,        /* did what was asked; a healthy verdict */
	EXIT_PROBLEM = 1,   /* ran fine and found a problem (black hole, ...) */
	EXIT_USAGE = 2,     /* bad command line or input */
	EXIT_FAILURE_RUN = 3, /* could not run: no permission, host unknown, I/O */
};

extern const char *prog_name; /* "wgmtu" */

int cmd_calc(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_responder(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_tune(int argc, char **argv);

/* Prints "wgmtu CMD: message" to stderr. */
void tool_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
