/*
 * libcaas: how a job tells the caas node agent that it is alive and how far it got.
 *
 * Inside the platform the agent sets CAAS_PROGRESS_SOCKET (a unix datagram socket path) and
 * CAAS_JOB_ID; every call sends one datagram there. Outside the platform (either variable unset
 * or empty) every call is a no-op returning 0, so a job can call these unconditionally.
 *
 * No file descriptor stays open between calls, so a checkpoint of the job never captures a
 * connection to the agent. Calls never block and never raise SIGPIPE; when the agent is gone
 * they return -1 and the job carries on. Safe to call from several threads.
 *
 * Wire format (one datagram, UTF-8 text, no trailing newline):
 *   caas1 <jobid> progress <fraction as %.6f with '.'> <message, may be empty>
 *   caas1 <jobid> heartbeat
 * The fraction is clamped to [0, 1] (NaN counts as 0); the message is cut to 200 bytes (never in
 * the middle of a UTF-8 sequence) and its CR/LF become spaces.
 */
#ifndef CAAS_H
#define CAAS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Longest message sent, in bytes; longer ones are cut. */
#define CAAS_MESSAGE_MAX 200

/* Reports that the job has done `fraction` (0..1) of its work; `msg` may be NULL. */
int caas_progress(double fraction, const char *msg);

/* Reports that the job is alive without claiming progress. */
int caas_heartbeat(void);

#ifdef __cplusplus
}
#endif

#endif
