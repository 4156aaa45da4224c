/* SPDX-License-Identifier: MIT */
/* Placeholder until the HTTP server is written. */
#include <stdio.h>

#include "cli.h"

int kh_cli_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("khabar serve: not built yet\n", stderr);
	return 1;
}
