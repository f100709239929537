/*
 * glmirror: parse options, then hand over to the supervisor.  Exit codes are
 * in exitcodes.h.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "exitcodes.h"
#include "log.h"
#include "options.h"
#include "supervisor.h"

int main(int argc, char **argv)
{
	struct options opts;
	int exit_now = 0, rc;

	log_init("supervisor", LOG_INFO);
	if (options_parse(&opts, argc, argv, &exit_now) < 0) {
		log_error("%s", glm_error_msg());
		fprintf(stderr, "Try 'glmirror --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (exit_now) {
		options_release(&opts);
		return EXIT_OK;
	}
	rc = supervisor_run(&opts);
	options_release(&opts);
	return rc;
}
