/*
 * glmirror: parse options, then hand over to the supervisor.  Exit codes are
 * in exitcodes.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "error.h"
#include "exitcodes.h"
#include "log.h"
#include "options.h"
#include "supervisor.h"
#include "token_store.h"

int main(int argc, char **argv)
{
	struct options opts;
	int exit_now = 0, rc;

	/* No core dump (and no ptrace by other users) may expose the token in memory. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_init("supervisor", LOG_INFO);
	if (options_parse(&opts, argc, argv, &exit_now) < 0) {
		log_error("%s", glm_error_msg());
		fprintf(stderr, "Try 'glmirror --help' for more information.\n");
		options_release(&opts);
		return EXIT_USAGE;
	}
	if (opts.quiet)
		log_init("supervisor", LOG_QUIET);
	else if (opts.verbose)
		log_init("supervisor", getenv("GLMIRROR_DEBUG") != NULL ? LOG_DEBUG : LOG_VERBOSE);
	if (exit_now) {
		options_release(&opts);
		return EXIT_OK;
	}
	if (opts.store_token) {
		rc = EXIT_OK;
		if (token_store_run(&opts) < 0) {
			log_error("%s", glm_error_msg());
			rc = EXIT_USAGE;
		}
		options_release(&opts);
		return rc;
	}
	rc = supervisor_run(&opts);
	options_release(&opts);
	return rc;
}
