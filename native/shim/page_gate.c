#include "page_gate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state_dir.h"

/* Short enough to add nothing a person would notice to a restore, long enough to cost no CPU. */
#define POLL_NANOSECONDS (2 * 1000 * 1000)

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int owner_gone(long owner)
{
    return owner > 0 && kill((pid_t)owner, 0) != 0 && errno == ESRCH;
}

enum verdict { NONE, VERIFIED, REFUSED };

/* This restore's verdict, if the agent has written one; a verdict with another token is none. */
static enum verdict read_verdict(const char *dir, const char *token, char *text, size_t size)
{
    if (read_small_file(dir, PAGE_GATE_VERDICT, text, size) <= 0)
        return NONE;
    text[strcspn(text, "\n")] = '\0';
    char *verb = text, *rest = strchr(text, ' ');
    if (rest == NULL)
        return NONE;
    *rest++ = '\0';
    size_t token_length = strlen(token);
    if (strncmp(rest, token, token_length) != 0 || (rest[token_length] != '\0' && rest[token_length] != ' '))
        return NONE;
    const char *reason = rest[token_length] == ' ' ? rest + token_length + 1 : "";
    if (strcmp(verb, "verified") == 0 && reason[0] == '\0')
        return VERIFIED;
    if (strcmp(verb, "refused") != 0)
        return NONE;
    memmove(text, reason, strlen(reason) + 1);
    return REFUSED;
}

int page_gate_command(void)
{
    const char *action = getenv("CRTOOLS_SCRIPT_ACTION");
    /* Every other action CRIU runs scripts for is none of the gate's business. */
    if (action == NULL || strcmp(action, "post-restore") != 0)
        return 0;
    const char *dir = getenv(PAGE_GATE_DIR_ENV);
    const char *timeout_text = getenv(PAGE_GATE_TIMEOUT_ENV);
    const char *owner_text = getenv(PAGE_GATE_OWNER_ENV);
    char *end = NULL;
    long long timeout_ms = timeout_text != NULL ? strtoll(timeout_text, &end, 10) : -1;
    if (dir == NULL || dir[0] != '/' || timeout_ms <= 0 || end == NULL || *end != '\0') {
        fprintf(stderr, "caas-shim page-gate: %s and %s must name the state directory and a timeout (refusing)\n",
                PAGE_GATE_DIR_ENV, PAGE_GATE_TIMEOUT_ENV);
        return 1;
    }
    const char *token = getenv(PAGE_GATE_TOKEN_ENV);
    if (token == NULL || token[0] == '\0' || strlen(token) > 128 || strpbrk(token, " \n") != NULL) {
        fprintf(stderr, "caas-shim page-gate: %s must be one word (refusing)\n", PAGE_GATE_TOKEN_ENV);
        return 1;
    }
    long owner = owner_text != NULL ? strtol(owner_text, NULL, 10) : 0;

    long long deadline = now_ms() + timeout_ms;
    char verdict[512];
    for (;;) {
        switch (read_verdict(dir, token, verdict, sizeof verdict)) {
        case VERIFIED:
            if (write_file_atomically(dir, PAGE_GATE_PASSED, "passed\n") != 0) {
                fprintf(stderr, "caas-shim page-gate: cannot record the passage in %s: %s (refusing)\n", dir, strerror(errno));
                return 1;
            }
            return 0;
        case REFUSED:
            fprintf(stderr, "caas-shim page-gate: the agent refused the page images: %s\n", verdict);
            return 1;
        case NONE:
            break;
        }
        if (owner_gone(owner)) {
            fprintf(stderr, "caas-shim page-gate: the agent (PID %ld) is gone before it judged the page images (refusing)\n", owner);
            return 1;
        }
        if (now_ms() >= deadline) {
            fprintf(stderr, "caas-shim page-gate: no verdict on the page images within %lld ms (refusing)\n", timeout_ms);
            return 1;
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = POLL_NANOSECONDS};
        nanosleep(&pause, NULL);
    }
}
