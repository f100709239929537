/* Small helpers shared by the clone, update and mirror steps (sync_job.h). */
#include "sync_job.h"

#include <stdarg.h>
#include <stdio.h>

int sync_job_skip(struct sync_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->reason, sizeof(job->reason), fmt, ap);
	va_end(ap);
	job->result = SYNC_RES_SKIPPED;
	return 0;
}

void sync_job_fd_path(char *buf, size_t size, int fd, const char *name)
{
	if (name != NULL)
		snprintf(buf, size, "/proc/self/fd/%d/%s", fd, name);
	else
		snprintf(buf, size, "/proc/self/fd/%d", fd);
}
