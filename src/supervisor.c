#include "supervisor.h"

#include "error.h"
#include "exitcodes.h"
#include "log.h"

int supervisor_run(const struct options *opts)
{
	(void)opts;
	log_error("crawling is not built yet");
	return EXIT_INTERNAL;
}
