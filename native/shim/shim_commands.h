/* The caas-shim subcommands; each returns the process exit code. */
#ifndef SHIM_COMMANDS_H
#define SHIM_COMMANDS_H

#include "shim_options.h"

int launch_command(const struct shim_options *options);
int dump_command(const struct shim_options *options);
int restore_command(const struct shim_options *options);

/* Creates the state directory and removes what a previous run of the job left that would lie. */
int prepare_state_dir(const char *state_dir, char *absolute, unsigned long size);

#endif
