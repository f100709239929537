/*
 * sync_stream: libgit2 really uses it (TCP_NODELAY is on the socket it
 * connects), a silent server is given up after the timeout, and a refused
 * connection is named.  A thread of this process plays the server.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "sync_stream.h"

struct server {
	int listen_fd;
	struct sockaddr_in addr;
	int answer;	    /* 1: answer 404 after the request; 0: say nothing */
	int client_nodelay; /* TCP_NODELAY of the client's socket, -1 if not found */
};

static int server_start(struct server *s, int answer)
{
	socklen_t len = sizeof(s->addr);

	memset(s, 0, sizeof(*s));
	s->answer = answer;
	s->client_nodelay = -1;
	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&s->addr, len) < 0 ||
	    listen(s->listen_fd, 4) < 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&s->addr, &len) < 0)
		return -1;
	return 0;
}

/* The client end of the connection is in this process: find it by its peer address. */
static int client_nodelay(const struct server *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	while (d != NULL && (e = readdir(d)) != NULL) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int fd = atoi(e->d_name), on = 0;
		struct stat st;

		if (fd <= 2 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0 ||
		    peer.sin_port != s->addr.sin_port ||
		    peer.sin_addr.s_addr != s->addr.sin_addr.s_addr)
			continue;
		len = sizeof(on);
		if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0)
			found = on != 0;
	}
	if (d != NULL)
		closedir(d);
	return found;
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	char buf[4096];
	size_t have = 0;
	ssize_t n;
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd < 0)
		return NULL;
	while (have < sizeof(buf) - 1 && (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	s->client_nodelay = client_nodelay(s);
	if (s->answer) {
		static const char resp[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

		if (write(fd, resp, sizeof(resp) - 1) < 0)
			s->client_nodelay = -2;
	}
	/* Until the client gives up and closes. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

static const char *connect_to(const char *host, int port)
{
	git_remote *remote = NULL;
	git_remote_callbacks cb;
	char url[128];
	int rc;

	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	snprintf(url, sizeof(url), "http://%s:%d/g/p.git", host, port);
	assert_int_equal(git_remote_create_detached(&remote, url), 0);
	rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL);
	git_remote_free(remote);
	assert_int_not_equal(rc, 0);
	return git_error_last() != NULL ? git_error_last()->message : "";
}

static void run_against(struct server *s, const char **msg)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, server_main, s), 0);
	*msg = connect_to("127.0.0.1", ntohs(s->addr.sin_port));
	assert_int_equal(pthread_join(t, NULL), 0);
	close(s->listen_fd);
}

static void test_libgit2_connects_through_it_with_nodelay(void **state)
{
	struct server s;
	const char *msg;

	(void)state;
	assert_int_equal(server_start(&s, 1), 0);
	run_against(&s, &msg);
	assert_int_equal(s.client_nodelay, 1);
	assert_non_null(strstr(msg, "404"));
}

static void test_a_silent_server_is_given_up(void **state)
{
	struct server s;
	const char *msg;

	(void)state;
	assert_int_equal(server_start(&s, 0), 0);
	run_against(&s, &msg);
	assert_non_null(strstr(msg, "reading from 127.0.0.1:"));
	assert_non_null(strstr(msg, "nothing for 1 s"));
}

static void test_a_refused_connection_is_named(void **state)
{
	struct server s;
	const char *msg;
	int port;

	(void)state;
	/* A port that was just free and now has no listener. */
	assert_int_equal(server_start(&s, 0), 0);
	port = ntohs(s.addr.sin_port);
	close(s.listen_fd);
	msg = connect_to("127.0.0.1", port);
	assert_non_null(strstr(msg, "connecting to 127.0.0.1:"));
	assert_non_null(strstr(msg, "Connection refused"));
}

static int setup(void **state)
{
	(void)state;
	if (git_libgit2_init() < 0 || sync_stream_register(1) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libgit2_connects_through_it_with_nodelay),
		cmocka_unit_test(test_a_silent_server_is_given_up),
		cmocka_unit_test(test_a_refused_connection_is_named),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
