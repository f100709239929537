#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_MAX_SECRETS 4
#define LOG_LINE_MAX	4096

static char log_role[32] = "supervisor";
static int log_lvl = LOG_INFO;
static char *log_secrets[LOG_MAX_SECRETS]; /* owned; never freed, live for the process */
static int log_status_shown;

void log_init(const char *role, int level)
{
	log_set_role(role);
	log_lvl = level;
}

void log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

int log_level(void)
{
	return log_lvl;
}

int log_enabled(int level)
{
	return level <= log_lvl || (level == LOG_ERROR && log_lvl == LOG_QUIET);
}

void log_add_secret(const char *secret)
{
	int i;

	/* A very short "secret" would garble every line it occurs in. */
	if (secret == NULL || strlen(secret) < 4)
		return;
	for (i = 0; i < LOG_MAX_SECRETS; i++) {
		if (log_secrets[i] != NULL && strcmp(log_secrets[i], secret) == 0)
			return;
		if (log_secrets[i] == NULL) {
			log_secrets[i] = strdup(secret);
			return;
		}
	}
}

void log_redact(char *s)
{
	static const char mark[] = "[REDACTED]";
	int i;

	for (i = 0; i < LOG_MAX_SECRETS && log_secrets[i] != NULL; i++) {
		size_t slen = strlen(log_secrets[i]);
		char *hit;

		while ((hit = strstr(s, log_secrets[i])) != NULL) {
			size_t rest = strlen(hit + slen);
			/* The line never grows: a short secret gets a cut mark. */
			size_t mlen = slen < sizeof(mark) - 1 ? slen : sizeof(mark) - 1;

			memcpy(hit, mark, mlen);
			memmove(hit + mlen, hit + slen, rest + 1);
		}
	}
}

static void log_write(const char *line)
{
	size_t len = strlen(line);

	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);

		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

void log_msg(int level, const char *func, const char *fmt, ...)
{
	char body[LOG_LINE_MAX], line[LOG_LINE_MAX + 128];
	const char *prefix = level == LOG_ERROR ? "error: " : level == LOG_WARN ? "warning: " : "";
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (strcmp(log_role, "supervisor") == 0)
		snprintf(line, sizeof(line), "%sglmirror: %s%s%s%s\n",
			 log_status_shown ? "\r\033[K" : "", prefix,
			 log_lvl >= LOG_DEBUG ? func : "", log_lvl >= LOG_DEBUG ? ": " : "", body);
	else
		snprintf(line, sizeof(line), "glmirror[%s/%ld]: %s%s%s%s\n", log_role,
			 (long)getpid(), prefix, log_lvl >= LOG_DEBUG ? func : "",
			 log_lvl >= LOG_DEBUG ? ": " : "", body);
	log_redact(line);
	log_status_shown = 0;
	log_write(line);
}

char *log_esc(const char *s, char *buf, size_t bufsize)
{
	size_t o = 0;

	if (bufsize < 8) {
		if (bufsize > 0)
			buf[0] = '\0';
		return buf;
	}
	if (s == NULL)
		s = "(null)";
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + 8 >= bufsize) {
			/* Cut before the last character, which may be incomplete UTF-8. */
			while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 0 && (unsigned char)buf[o - 1] >= 0xc0)
				o--;
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, bufsize - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

void log_status_line(const char *line)
{
	char buf[LOG_LINE_MAX];

	if (line == NULL) {
		if (log_status_shown)
			log_write("\r\033[K");
		log_status_shown = 0;
		return;
	}
	snprintf(buf, sizeof(buf), "\r\033[K%s", line);
	log_redact(buf);
	log_write(buf);
	log_status_shown = 1;
}
