#include "signals.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "error.h"

volatile sig_atomic_t signals_caught;

static void signals_on_stop(int sig)
{
	signals_caught = sig;
}

int signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = signals_on_stop;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return glm_error_errno(GLM_ERR, errno, "installing signal handlers");
	/* A closed pipe or socket is an error return, not a death. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return glm_error_errno(GLM_ERR, errno, "ignoring SIGPIPE");
	return 0;
}

void signals_wait_child(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigtimedwait(&set, NULL, &ts); /* SIGINT/SIGTERM end it early too (EINTR) */
}
