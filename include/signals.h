/*
 * SIGINT and SIGTERM ask the run to stop: the supervisor stops handing out
 * work, workers finish or cleanly abandon what they hold, and the run exits
 * 130.  The handlers only set a flag; forked workers inherit them, so
 * everyone sees a Ctrl-C sent to the process group.
 */
#ifndef GLM_SIGNALS_H
#define GLM_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t signals_caught; /* 0, or the signal that asked to stop */

/* Installs the handlers without SA_RESTART, so blocking waits return EINTR. */
int signals_install(void);
/*
 * Sleeps until a child changes state (SIGCHLD, which the caller blocks), a
 * stop signal arrives, or ms have passed: how supervisors wait without polling.
 */
void signals_wait_child(int ms);
static inline int signals_stopping(void)
{
	return signals_caught != 0;
}

#endif
