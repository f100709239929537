/*
 * Errors: functions that can fail return 0 or a negative GLM_E* code and
 * leave a message that says what failed.  The place that fails sets the
 * message; callers add context in front as the error travels up, so the
 * final line reads like
 *   "GET /groups/42/projects page 3: HTTP 502 after 5 tries".
 * The message is per process (and per thread).
 */
#ifndef GLM_ERROR_H
#define GLM_ERROR_H

#include <stddef.h>

enum glm_err {
	GLM_OK = 0,
	GLM_ERR = -1,	      /* generic failure */
	GLM_ENOMEM = -2,      /* out of memory */
	GLM_EIO = -3,	      /* local file system or pipe */
	GLM_EHTTP = -4,	      /* the server answered with an error status */
	GLM_EAUTH = -5,	      /* token missing or rejected (401) */
	GLM_EPARSE = -6,      /* malformed JSON, header or file */
	GLM_EUSAGE = -7,      /* bad option or value */
	GLM_ENOTFOUND = -8,   /* 404, or a thing that does not exist */
	GLM_EUNSAFE = -9,     /* input that would escape DEST, leak the token, ... */
	GLM_EINTR = -10,      /* interrupted by a signal */
	GLM_ELIMIT = -11,     /* a size, depth or count limit was hit */
	GLM_ECONNECT = -12,   /* could not reach the server (DNS, refused, TLS) */
	GLM_EFORBIDDEN = -13, /* 403 */
	GLM_EGIT = -14,	      /* libgit2 failure */
	GLM_ESTOPPED = -15,   /* work abandoned because the run is stopping */
	GLM_ECLOSED = -16,    /* the endpoint closed itself by its own rate limit; try later */
};

#define GLM_ERROR_MAX 1024

/* Sets the message (printf-style) and returns code, for "return glm_error_set(...)". */
int glm_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "<prefix>: " in front of the current message; returns the current code. */
int glm_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like glm_error_set with strerror(errnum) appended. */
int glm_error_errno(int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *glm_error_msg(void); /* never NULL; points into per-thread storage */
int glm_error_code(void);
void glm_error_clear(void);

/* Cleanup code saves and restores the error so it cannot overwrite the cause. */
struct glm_error_saved {
	int code;
	char msg[GLM_ERROR_MAX];
};
void glm_error_save(struct glm_error_saved *out);
void glm_error_restore(const struct glm_error_saved *saved);

#endif
