/*
 * The one module that writes to stderr.  Every line starts with
 * "glmirror:" (supervisor) or "glmirror[role/pid]:" (workers); secrets
 * registered with log_add_secret() are replaced by "[REDACTED]" in every
 * line, whatever its source (our messages, libcurl's, libgit2's).  Strings
 * that came from the network go through log_esc() before they are printed.
 */
#ifndef GLM_LOG_H
#define GLM_LOG_H

#include <stddef.h>

enum log_level {
	LOG_QUIET = -1, /* --quiet: errors only */
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_VERBOSE = 3, /* --verbose: each API request and git action */
	LOG_DEBUG = 4,	 /* GLMIRROR_DEBUG=1: adds the function name */
};

/* role: "supervisor" prints as plain "glmirror:"; "api-3" as "glmirror[api-3/PID]:". */
void log_init(const char *role, int level);
void log_set_role(const char *role); /* after fork; keeps the level and secrets */
/* --log-format json: one JSON object per line instead of plain text. */
void log_set_json(int on);
/* The project (full path) later lines are about; NULL: none. */
void log_set_project(const char *full_path);
int log_level(void);
int log_enabled(int level);
/* Registers a string that must never be printed (copied; at most 4). */
void log_add_secret(const char *secret);
/* Replaces every registered secret in s (in place, shrinking only). */
void log_redact(char *s);

void log_msg(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define log_error(...)	 log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...)	 log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...)	 log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_VERBOSE, __func__, __VA_ARGS__)
#define log_debug(...)	 log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

/*
 * Copies s into buf for a log line, each ASCII control character (below
 * 0x20, and 0x7f) as \xNN, so that it cannot break the line or start an
 * escape sequence; every other byte, UTF-8 or not (bidi controls too), is
 * kept.  What does not fit with 8 bytes to spare is cut, never inside a
 * UTF-8 sequence, and the copy ends in "...".  NULL is "(null)"; a bufsize
 * below 8 gives "".  Returns buf.  For names, paths and messages from the
 * API.
 */
char *log_esc(const char *s, char *buf, size_t bufsize);

/*
 * A status line redrawn in place on a terminal ("\r" + clear); log lines
 * clear it first and it is redrawn by the next call.  NULL removes it.
 */
void log_status_line(const char *line);

#endif
