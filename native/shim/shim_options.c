#include "shim_options.h"

#include <stdio.h>
#include <string.h>

static int needs_value(const char *option, int i, int argc)
{
    if (i + 1 >= argc) {
        fprintf(stderr, "caas-shim: %s needs a value\n", option);
        return 0;
    }
    return 1;
}

int parse_shim_options(int argc, char **argv, struct shim_options *options)
{
    memset(options, 0, sizeof *options);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            options->command = &argv[i + 1];
            return 0;
        }
        const char **target = NULL;
        if (strcmp(arg, "--state-dir") == 0)
            target = &options->state_dir;
        else if (strcmp(arg, "--images") == 0)
            target = &options->images_dir;
        else if (strcmp(arg, "--criu") == 0)
            target = &options->criu;
        else if (strcmp(arg, "--page-gate") == 0)
            target = &options->page_gate_token;
        else if (strcmp(arg, "--gate-timeout-ms") == 0)
            target = &options->gate_timeout_ms;
        else if (strcmp(arg, "--gate-owner") == 0)
            target = &options->gate_owner;
        else if (strcmp(arg, "--cwd") == 0)
            target = &options->cwd;
        else if (strcmp(arg, "--cgroup") == 0) {
            if (options->cgroup_count == SHIM_MAX_CGROUPS) {
                fprintf(stderr, "caas-shim: at most %d --cgroup options\n", SHIM_MAX_CGROUPS);
                return -1;
            }
            target = &options->cgroups[options->cgroup_count++];
        } else if (strcmp(arg, "--leave-running") == 0) {
            options->leave_running = 1;
            continue;
        } else {
            fprintf(stderr, "caas-shim: unknown option '%s'\n", arg);
            return -1;
        }
        if (!needs_value(arg, i, argc))
            return -1;
        *target = argv[++i];
        if ((*target)[0] == '\0') {
            fprintf(stderr, "caas-shim: %s needs a non-empty value\n", arg);
            return -1;
        }
    }
    return 0;
}
