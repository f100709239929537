/* Small helpers shared by the clone, update and mirror steps (sync_job.h). */
#include "sync_job.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sync_job_skip(struct sync_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->reason, sizeof(job->reason), fmt, ap);
	va_end(ap);
	job->result = SYNC_RES_SKIPPED;
	return 0;
}

void sync_job_note(struct sync_job *job, const char *fmt, ...)
{
	size_t len = strlen(job->reason);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(job->reason)) {
		memcpy(job->reason + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= sizeof(job->reason))
		return;
	va_start(ap, fmt);
	vsnprintf(job->reason + len, sizeof(job->reason) - len, fmt, ap);
	va_end(ap);
}

void sync_job_fd_path(char *buf, size_t size, int fd, const char *name)
{
	if (name != NULL)
		snprintf(buf, size, "/proc/self/fd/%d/%s", fd, name);
	else
		snprintf(buf, size, "/proc/self/fd/%d", fd);
}
