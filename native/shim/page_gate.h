/*
 * The page gate: a restore that may start before the agent has finished hashing the page images
 * (raw memory CRIU copies into the tasks, never parses) must not let a task run until the agent
 * says those pages are the signed ones. `caas-shim restore --page-gate TOKEN` makes CRIU run
 * caas-shim itself as its action script (CRIU executes it with no arguments); at CRIU's
 * "post-restore" action every task's memory is in place and no task has run an instruction of its
 * own (they wait in CRIU's restorer), and a failing post-restore script makes CRIU kill the
 * restored tree. (CRIU only logs a failing
 * "pre-resume" script and resumes the tasks anyway, so the gate cannot be there.)
 *
 * The agent writes its verdict to STATE_DIR/pages-verdict (atomically): "verified TOKEN" or
 * "refused TOKEN <reason>", TOKEN being the one it gave this restore (--page-gate TOKEN), so that a
 * verdict left from another restore is never taken for this one's. The gate passes only on
 * "verified TOKEN", and then leaves STATE_DIR/pages-gate-passed so that the shim can tell a restore
 * that went through the gate from one that skipped it. No verdict within the timeout, or the agent
 * (--gate-owner PID) gone, is a refusal.
 */
#ifndef PAGE_GATE_H
#define PAGE_GATE_H

#define PAGE_GATE_VERDICT "pages-verdict"
#define PAGE_GATE_PASSED "pages-gate-passed"

/* Environment the shim gives CRIU (and so the gate): the state directory, the timeout and the owner's PID. */
#define PAGE_GATE_DIR_ENV "CAAS_PAGE_GATE_DIR"
#define PAGE_GATE_TIMEOUT_ENV "CAAS_PAGE_GATE_TIMEOUT_MS"
#define PAGE_GATE_OWNER_ENV "CAAS_PAGE_GATE_OWNER"
#define PAGE_GATE_TOKEN_ENV "CAAS_PAGE_GATE_TOKEN"

/* `caas-shim page-gate`, as CRIU runs it: 0 lets CRIU go on, anything else makes it abort and kill the tree. */
int page_gate_command(void);

#endif
