/* The command line of caas-shim; see main.c for the interface. */
#ifndef SHIM_OPTIONS_H
#define SHIM_OPTIONS_H

/* Most cgroups a job can be put in at launch: one per controller hierarchy it needs. */
#define SHIM_MAX_CGROUPS 4

struct shim_options {
    const char *state_dir;
    const char *images_dir;
    const char *criu;
    const char *cwd;
    int leave_running;
    const char *page_gate_token;   /* restore: gate the tasks' resumption on the agent's verdict (page_gate.h) */
    const char *gate_timeout_ms;   /* how long the gate waits for it (default 300000) */
    const char *gate_owner;        /* PID of the agent that will give it; its death is a refusal */
    const char *cgroups[SHIM_MAX_CGROUPS]; /* cgroup directories the job joins before it runs */
    int cgroup_count;
    char **command; /* NULL-terminated, after "--" */
};

/* Parses argv after the command word; prints a clear message and returns -1 on bad input. */
int parse_shim_options(int argc, char **argv, struct shim_options *options);

#endif
