// SPDX-License-Identifier: MIT
#include "tool/tool.h"
int cmd_responder(int argc, char **argv) { (void)argc; (void)argv; return EXIT_FAILURE_RUN; }
