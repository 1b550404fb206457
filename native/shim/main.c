/*
 * caas-shim: the small per-job supervisor the node agent runs for every job (the idea of
 * containerd's shim). It keeps the job's exit status, owns its output, and is the only place
 * that invokes CRIU. Interface (the agent relies on it exactly):
 *
 *   caas-shim launch  --state-dir DIR [--cwd DIR] [--cgroup DIR]... -- CMD [ARGS...]
 *   caas-shim dump    --state-dir DIR --images IMGDIR --criu CRIU [--leave-running]
 *   caas-shim restore --state-dir DIR --images IMGDIR --criu CRIU
 *             [--page-gate TOKEN [--gate-timeout-ms MS] [--gate-owner PID]]
 *   caas-shim page-gate   (also run with no arguments: CRIU's action script in a gated restore; see page_gate.h)
 *   caas-shim version
 *
 * launch and restore return once the job runs and DIR/pid exists, leaving a detached supervisor
 * behind; dump prints "pause_ms=<ms> dump_ms=<ms>". State directory files: see state_dir.h.
 * docs/capture.md explains the why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_gate.h"
#include "shim_commands.h"
#include "shim_options.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: caas-shim launch --state-dir DIR [--cwd DIR] [--cgroup DIR]... -- CMD [ARGS...]\n"
            "       caas-shim dump --state-dir DIR --images IMGDIR --criu CRIU [--leave-running]\n"
            "       caas-shim restore --state-dir DIR --images IMGDIR --criu CRIU\n"
            "                 [--page-gate TOKEN [--gate-timeout-ms MS] [--gate-owner PID]]\n"
            "       caas-shim version\n");
    return 2;
}

int main(int argc, char **argv)
{
    /* CRIU runs its action scripts without arguments: that is the page gate of a gated restore. */
    if (argc < 2)
        return getenv("CRTOOLS_SCRIPT_ACTION") != NULL ? page_gate_command() : usage();
    const char *command = argv[1];
    if (strcmp(command, "version") == 0) {
        printf("caas-shim %s\n", CAAS_SHIM_VERSION);
        return 0;
    }
    if (strcmp(command, "page-gate") == 0)
        return page_gate_command();
    struct shim_options options;
    if (parse_shim_options(argc - 2, argv + 2, &options) != 0)
        return 2;
    if (strcmp(command, "launch") == 0)
        return launch_command(&options);
    if (options.command != NULL) {
        fprintf(stderr, "caas-shim: %s takes no command after --\n", command);
        return 2;
    }
    if (strcmp(command, "dump") == 0)
        return dump_command(&options);
    if (strcmp(command, "restore") == 0)
        return restore_command(&options);
    fprintf(stderr, "caas-shim: unknown command '%s'\n", command);
    return usage();
}
