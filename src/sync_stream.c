/* TCP stream for libgit2's HTTP transport (sync_stream.h). */
#include "sync_stream.h"

#include <errno.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "gitver.h"
#include "signals.h"

struct sync_stream {
	git_stream parent; /* first, as libgit2 requires */
	char *host;	   /* owned */
	char *port;	   /* owned */
	int fd;
	int answer_due; /* a request was written: the next bytes read start its answer */
};

static int sync_stream_timeout_ms;
/* The last answer's status line and Retry-After, for the retries (plain HTTP only). */
static int sync_stream_status;
static double sync_stream_retry_after = -1;

void sync_stream_forget(void)
{
	sync_stream_status = 0;
	sync_stream_retry_after = -1;
}

void sync_stream_last_answer(int *status, double *retry_after)
{
	*status = sync_stream_status;
	*retry_after = sync_stream_retry_after;
}

/*
 * The start of an answer: "HTTP/1.1 429 ..." and, among the headers in the
 * same bytes, "Retry-After: <seconds>".  Under TLS the bytes are
 * ciphertext and nothing matches.
 */
static void sync_stream_sniff(const char *buf, size_t n)
{
	static const char field[] = "\r\nretry-after:";
	const char *end;
	size_t i, len = sizeof(field) - 1;

	if (n < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return;
	sync_stream_status = (int)strtol(buf + 9, NULL, 10);
	sync_stream_retry_after = -1;
	end = memmem(buf, n, "\r\n\r\n", 4);
	n = end != NULL ? (size_t)(end - buf) + 2 : n;
	for (i = 0; i + len < n; i++) {
		if (strncasecmp(buf + i, field, len) == 0) {
			char num[16];
			size_t k = 0;

			for (i += len; i < n && buf[i] == ' '; i++)
				;
			while (i < n && k < sizeof(num) - 1 && buf[i] >= '0' && buf[i] <= '9')
				num[k++] = buf[i++];
			num[k] = '\0';
			if (k > 0)
				sync_stream_retry_after = strtod(num, NULL);
			return;
		}
	}
}

static int sync_stream_fail(const struct sync_stream *st, const char *what, const char *detail)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s %s:%s: %s", what, st->host, st->port, detail);
	git_error_set_str(GIT_ERROR_NET, msg);
	return -1;
}

/*
 * Waits until fd is ready for events; 0, or -1 with a libgit2 error set.
 * A signal wakes poll() early, so a stopping run is noticed at once.
 */
static int sync_stream_wait(const struct sync_stream *st, short events, const char *what)
{
	struct pollfd p = { .fd = st->fd, .events = events };
	int n;

	for (;;) {
		if (signals_stopping()) {
			git_error_set_str(GIT_ERROR_NET, "interrupted");
			return -1;
		}
		n = poll(&p, 1, sync_stream_timeout_ms);
		if (n > 0)
			return 0;
		if (n == 0) {
			char detail[64];

			snprintf(detail, sizeof(detail), "nothing for %d s",
				 sync_stream_timeout_ms / 1000);
			return sync_stream_fail(st, what, detail);
		}
		if (errno != EINTR)
			return sync_stream_fail(st, what, strerror(errno));
	}
}

/* 0 when connected; an errno value; or -1 when the message is set and no other address helps. */
static int sync_stream_try(struct sync_stream *st, const struct addrinfo *ai)
{
	int one = 1, err = 0;
	socklen_t len = sizeof(err);

	st->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	if (st->fd < 0)
		return errno;
	if (setsockopt(st->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		err = errno;
	else if (connect(st->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			err = errno;
		else if (sync_stream_wait(st, POLLOUT, "connecting to") < 0)
			err = -1;
		else if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	}
	if (err != 0) {
		close(st->fd);
		st->fd = -1;
	}
	return err;
}

static int sync_stream_connect(git_stream *stream)
{
	struct sync_stream *st = (struct sync_stream *)stream;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *list, *ai;
	int rc, err = 0;

	if ((rc = getaddrinfo(st->host, st->port, &hints, &list)) != 0)
		return sync_stream_fail(st, "resolving", gai_strerror(rc));
	for (ai = list; ai != NULL && st->fd < 0 && err >= 0; ai = ai->ai_next)
		err = sync_stream_try(st, ai);
	freeaddrinfo(list);
	if (st->fd >= 0)
		return 0;
	if (err < 0)
		return -1;
	return sync_stream_fail(st, "connecting to", strerror(err));
}

static ssize_t sync_stream_read(git_stream *stream, void *buf, size_t len)
{
	struct sync_stream *st = (struct sync_stream *)stream;
	ssize_t n;

	for (;;) {
		n = recv(st->fd, buf, len, 0);
		if (n > 0 && st->answer_due)
			sync_stream_sniff(buf, (size_t)n);
		if (n > 0)
			st->answer_due = 0;
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return sync_stream_fail(st, "reading from", strerror(errno));
		if (sync_stream_wait(st, POLLIN, "reading from") < 0)
			return -1;
	}
}

static ssize_t sync_stream_write(git_stream *stream, const char *data, size_t len, int flags)
{
	struct sync_stream *st = (struct sync_stream *)stream;
	size_t done = 0;
	ssize_t n;

	(void)flags;
	st->answer_due = 1;
	while (done < len) {
		n = send(st->fd, data + done, len - done, MSG_NOSIGNAL);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return sync_stream_fail(st, "writing to", strerror(errno));
		if (sync_stream_wait(st, POLLOUT, "writing to") < 0)
			return -1;
	}
	return (ssize_t)len;
}

static int sync_stream_close(git_stream *stream)
{
	struct sync_stream *st = (struct sync_stream *)stream;

	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	return 0;
}

static void sync_stream_free(git_stream *stream)
{
	struct sync_stream *st = (struct sync_stream *)stream;

	sync_stream_close(stream);
	free(st->host);
	free(st->port);
	free(st);
}

static int sync_stream_new(git_stream **out, const char *host, const char *port)
{
	struct sync_stream *st = calloc(1, sizeof(*st));

	if (st == NULL || (st->host = strdup(host)) == NULL || (st->port = strdup(port)) == NULL) {
		if (st != NULL)
			free(st->host);
		free(st);
		git_error_set_oom();
		return -1;
	}
	st->fd = -1;
	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = sync_stream_connect;
	st->parent.read = sync_stream_read;
	st->parent.write = sync_stream_write;
	st->parent.close = sync_stream_close;
	st->parent.free = sync_stream_free;
	*out = &st->parent;
	return 0;
}

int sync_stream_register(int timeout_s)
{
	git_stream_registration reg = { .version = GIT_STREAM_VERSION, .init = sync_stream_new };

	sync_stream_timeout_ms = timeout_s * 1000;
	if (git_stream_register(GIT_STREAM_STANDARD, &reg) < 0)
		return glm_error_set(GLM_EGIT, "registering the git socket stream: %s",
				     git_error_last() ? git_error_last()->message : "failed");
	return 0;
}
