#include "log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

#define LOG_MAX_SECRETS 4
#define LOG_LINE_MAX	4096

static char log_role[32] = "supervisor";
static int log_lvl = LOG_INFO;
static char *log_secrets[LOG_MAX_SECRETS]; /* owned; never freed, live for the process */
static int log_status_shown;
static int log_json;
static char log_project[512]; /* the project this process works on; "" none */

void log_init(const char *role, int level)
{
	log_set_role(role);
	log_lvl = level;
}

void log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

void log_set_json(int on)
{
	log_json = on;
}

void log_set_project(const char *full_path)
{
	snprintf(log_project, sizeof(log_project), "%s", full_path != NULL ? full_path : "");
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

/*
 * Appends s as a JSON string at o (bounded by end, always terminated): a
 * byte that is not valid UTF-8 becomes U+FFFD so that every line parses.
 */
static char *log_json_str(char *o, char *end, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + strlen(s);

	if (o + 2 >= end)
		return o;
	*o++ = '"';
	while (p < e && o + 8 < end) {
		uint32_t cp;
		size_t n = utf8_decode(p, e, &cp);

		if (n == 0) {
			o += snprintf(o, (size_t)(end - o), "\\ufffd");
			p++;
		} else if (cp == '"' || cp == '\\') {
			*o++ = '\\';
			*o++ = (char)cp;
			p++;
		} else if (cp < 0x20 || cp == 0x7f) {
			o += snprintf(o, (size_t)(end - o), "\\u%04x", (unsigned)cp);
			p++;
		} else {
			memcpy(o, p, n);
			o += n;
			p += n;
		}
	}
	*o++ = '"';
	*o = '\0';
	return o;
}

static const char *log_level_name(int level)
{
	static const char *const names[] = { "error", "warning", "info", "verbose", "debug" };

	return level >= LOG_ERROR && level <= LOG_DEBUG ? names[level] : "error";
}

/* One JSON object per line: time, level, event (the function), role, pid, project, message. */
static void log_json_line(char *line, size_t size, int level, const char *func, const char *body)
{
	char *o = line, *end = line + size - 2;
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	o += strftime(o, (size_t)(end - o), "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
	o += snprintf(o, (size_t)(end - o),
		      ".%03ldZ\",\"level\":\"%s\",\"event\":", ts.tv_nsec / 1000000,
		      log_level_name(level));
	o = log_json_str(o, end, func);
	o += snprintf(o, (size_t)(end - o), ",\"role\":");
	o = log_json_str(o, end, log_role);
	o += snprintf(o, (size_t)(end - o), ",\"pid\":%ld,\"project\":", (long)getpid());
	if (log_project[0] != '\0')
		o = log_json_str(o, end, log_project);
	else
		o += snprintf(o, (size_t)(end - o), "null");
	o += snprintf(o, (size_t)(end - o), ",\"message\":");
	o = log_json_str(o, end, body);
	memcpy(o, "}\n", 3);
}

void log_msg(int level, const char *func, const char *fmt, ...)
{
	/* JSON escapes grow a line: room for the fields and a body escaped twice over. */
	char body[LOG_LINE_MAX], line[LOG_LINE_MAX * 3];
	const char *prefix = level == LOG_ERROR ? "error: " : level == LOG_WARN ? "warning: " : "";
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (log_json)
		log_json_line(line, sizeof(line), level, func, body);
	else if (strcmp(log_role, "supervisor") == 0)
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

	if (log_json) /* a line redrawn in place is no JSON; the periodic lines remain */
		return;
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
