#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local int err_code;
static _Thread_local char err_msg[GLM_ERROR_MAX];

int glm_error_set(int code, const char *fmt, ...)
{
	char msg[GLM_ERROR_MAX]; /* an argument may be glm_error_msg() itself */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(err_msg, msg, sizeof(err_msg));
	err_code = code;
	return code;
}

int glm_error_prefix(const char *fmt, ...)
{
	char prefix[GLM_ERROR_MAX], joined[GLM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (err_msg[0] != '\0')
		snprintf(joined, sizeof(joined), "%s: %s", prefix, err_msg);
	else
		snprintf(joined, sizeof(joined), "%s", prefix);
	memcpy(err_msg, joined, sizeof(err_msg));
	if (err_code == 0)
		err_code = GLM_ERR;
	return err_code;
}

int glm_error_errno(int code, int errnum, const char *fmt, ...)
{
	char what[GLM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return glm_error_set(code, "%s: %s", what, strerror(errnum));
}

const char *glm_error_msg(void)
{
	return err_msg[0] != '\0' ? err_msg : "unknown error";
}

int glm_error_code(void)
{
	return err_code;
}

void glm_error_clear(void)
{
	err_code = 0;
	err_msg[0] = '\0';
}

void glm_error_save(struct glm_error_saved *out)
{
	out->code = err_code;
	memcpy(out->msg, err_msg, sizeof(out->msg));
}

void glm_error_restore(const struct glm_error_saved *saved)
{
	err_code = saved->code;
	memcpy(err_msg, saved->msg, sizeof(err_msg));
}
