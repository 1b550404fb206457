/* The caas-shim subcommands; each returns the process exit code. */
#ifndef SHIM_COMMANDS_H
#define SHIM_COMMANDS_H

#include "shim_options.h"

int launch_command(const struct shim_options *options);
int dump_command(const struct shim_options *options);
int restore_command(const struct shim_options *options);

#endif
