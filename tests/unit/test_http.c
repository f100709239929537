/*
 * http: requests against a real HTTP server on 127.0.0.1, a tiny scripted
 * one forked by each test: pagination headers, keep-alive, retries of 5xx,
 * resets, truncated bodies and invalid JSON, the shared pause after a 429,
 * and the answers that are never retried or followed (401, 403, 404,
 * redirects and Links to another host, huge or deep bodies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "http.h"
#include "log.h"
#include "monoclock.h"
#include "ratelimit.h"
#include "shm.h"
#include "signals.h"

#define TOKEN	    "glpat-test-SECRET-0123"
#define MAX_SCRIPT  8
#define MAX_REQLOG  16
#define RESP_RESET  "!RESET"  /* close with a TCP reset instead of answering */
#define RESP_HANG   "!HANG"   /* answer nothing for 3 s */
#define RESP_STREAM "!STREAM" /* 200 without length, 2 MiB of body, then close */

/* What the server saw, in shared memory so the parent can read it. */
struct srv_log {
	int requests;
	int connections;
	char req[MAX_REQLOG][1024]; /* each request's line and headers */
};

struct fixture {
	int port;
	int lfd; /* listening socket until the server is forked */
	pid_t server;
	struct srv_log *log;
	char base[64];
	char *script[MAX_SCRIPT]; /* owned raw responses (or RESP_* markers) */
	int nscript;
	struct http_config cfg;
	struct http_client *client;
	void *rl_region;
	cJSON *json;
	struct http_page page;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	/* The server is local: no proxy from the environment may get in between. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	f->log = mmap(NULL, sizeof(*f->log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (f->log == MAP_FAILED)
		return -1;
	memset(f->log, 0, sizeof(*f->log));
	f->cfg.token = TOKEN;
	f->cfg.timeout_s = 10;
	f->cfg.retries = 5;
	f->cfg.max_body = 1 << 20;
	f->cfg.backoff_base_s = 0.001;
	f->cfg.backoff_cap_s = 0.01;
	f->page.total = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	if (f->server > 0) {
		kill(f->server, SIGKILL);
		waitpid(f->server, NULL, 0);
	}
	http_client_free(f->client);
	cJSON_Delete(f->json);
	http_page_release(&f->page);
	for (i = 0; i < f->nscript; i++)
		free(f->script[i]);
	shm_destroy(f->rl_region, 4096);
	munmap(f->log, sizeof(*f->log));
	free(f);
	return 0;
}

/* Adds a response: status line, extra header lines ("A: b\r\n..."), body. */
static void respond(struct fixture *f, const char *status, const char *headers, const char *body)
{
	char *r;

	assert_true(f->nscript < MAX_SCRIPT);
	assert_true(asprintf(&r,
			     "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n%s\r\n%s",
			     status, strlen(body), headers, body) > 0);
	f->script[f->nscript++] = r;
}

static void respond_raw(struct fixture *f, const char *raw)
{
	assert_true(f->nscript < MAX_SCRIPT);
	f->script[f->nscript++] = strdup(raw);
}

/* Reads one request (line and headers) into buf; 0 at EOF. */
static size_t srv_read_request(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);

		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return n;
	}
	return n;
}

static void srv_write(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void srv_stream(int fd)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				   "Connection: close\r\n\r\n[";
	char chunk[4096];
	int i;

	memset(chunk, ' ', sizeof(chunk));
	srv_write(fd, head, sizeof(head) - 1);
	for (i = 0; i < 512; i++)
		srv_write(fd, chunk, sizeof(chunk));
}

/* The server: one scripted answer per request, in order, keep-alive unless told. */
static void srv_main(struct fixture *f, int lfd)
{
	char req[4096];
	int next = 0;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(1);
		f->log->connections++;
		while (srv_read_request(fd, req, sizeof(req)) > 0) {
			const char *r = next < f->nscript ? f->script[next++]
							  : "HTTP/1.1 500 Script Exhausted\r\n"
							    "Content-Length: 0\r\n\r\n";

			if (f->log->requests < MAX_REQLOG)
				snprintf(f->log->req[f->log->requests], sizeof(f->log->req[0]),
					 "%s", req);
			f->log->requests++;
			if (strcmp(r, RESP_RESET) == 0) {
				struct linger lg = { 1, 0 };

				setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
				break;
			}
			if (strcmp(r, RESP_HANG) == 0) {
				sleep(3);
				break;
			}
			if (strcmp(r, RESP_STREAM) == 0) {
				srv_stream(fd);
				break;
			}
			srv_write(fd, r, strlen(r));
			if (strstr(r, "Connection: close") != NULL)
				break;
		}
		close(fd);
	}
}

/* Binds 127.0.0.1 on a free port; the script may name it from now on. */
static void srv_listen(struct fixture *f)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
	f->lfd = lfd;
}

/* Forks the server with the script so far and makes the client. */
static void start(struct fixture *f)
{
	if (f->lfd == 0)
		srv_listen(f);
	f->server = fork();
	assert_true(f->server >= 0);
	if (f->server == 0)
		srv_main(f, f->lfd);
	close(f->lfd);
	f->cfg.base_url = f->base;
	assert_int_equal(http_client_new(&f->client, &f->cfg), 0);
}

static int get(struct fixture *f, const char *path)
{
	int rc;

	cJSON_Delete(f->json);
	f->json = NULL;
	http_page_release(&f->page);
	glm_error_clear();
	rc = http_get_json(f->client, path, &f->json, &f->page);
	if (getenv("TEST_HTTP_DEBUG"))
		fprintf(stderr, "%s -> %d %s\n", path, rc, glm_error_msg());
	return rc;
}

/* The message is exactly want, and never holds the token. */
static void expect_msg(const char *want)
{
	assert_string_equal(glm_error_msg(), want);
}

static void expect_msg_has(const char *needle)
{
	if (strstr(glm_error_msg(), needle) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", glm_error_msg(), needle);
	assert_null(strstr(glm_error_msg(), TOKEN));
}

static void test_ok_with_pagination(void **state)
{
	struct fixture *f = *state;
	char hdrs[512];

	/* The Link names the server's own origin: its port is known once it listens. */
	srv_listen(f);
	snprintf(hdrs, sizeof(hdrs),
		 "X-Page: 3\r\nX-Next-Page: 4\r\nX-Total-Pages: 7\r\nX-Total: 650\r\n"
		 "Link: <http://127.0.0.1:%d/api/v4/groups?page=4&per_page=100>; rel=\"next\"\r\n"
		 "Link: <http://127.0.0.1:%d/api/v4/groups?page=1&per_page=100>; rel=\"first\"\r\n",
		 f->port, f->port);
	respond(f, "200 OK", hdrs, "[{\"id\":1},{\"id\":2}]");
	start(f);
	assert_int_equal(get(f, "/groups?page=3&per_page=100"), 0);
	assert_true(cJSON_IsArray(f->json) && cJSON_GetArraySize(f->json) == 2);
	assert_int_equal(f->page.page, 3);
	assert_int_equal(f->page.next_page, 4);
	assert_int_equal(f->page.total_pages, 7);
	assert_true(f->page.total == 650);
	/* X-Next-Page names the next page: the Link is not needed. */
	assert_null(f->page.next);
	assert_int_equal(f->log->requests, 1);
	assert_non_null(
		strstr(f->log->req[0], "GET /api/v4/groups?page=3&per_page=100 HTTP/1.1\r\n"));
	assert_non_null(strstr(f->log->req[0], "\r\nAuthorization: Bearer " TOKEN "\r\n"));
	assert_non_null(strstr(f->log->req[0], "\r\nAccept: application/json\r\n"));
}

static void test_keepalive(void **state)
{
	struct fixture *f = *state;

	respond(f, "200 OK", "", "[]");
	respond(f, "200 OK", "", "{\"a\":1}");
	start(f);
	assert_int_equal(get(f, "/a"), 0);
	assert_int_equal(get(f, "/b"), 0);
	assert_true(cJSON_IsObject(f->json));
	assert_int_equal(f->log->requests, 2);
	/* one connection for both: the easy handle is reused */
	assert_int_equal(f->log->connections, 1);
	assert_int_equal(f->page.next_page, 0);
	assert_true(f->page.total == -1);
}

static void test_5xx_then_ok(void **state)
{
	struct fixture *f = *state;

	respond(f, "502 Bad Gateway", "", "bad");
	respond(f, "503 Service Unavailable", "", "");
	respond(f, "200 OK", "", "[1]");
	start(f);
	assert_int_equal(get(f, "/groups/42/projects?page=3"), 0);
	assert_int_equal(f->log->requests, 3);
}

static void test_5xx_gives_up(void **state)
{
	struct fixture *f = *state;
	int i;

	f->cfg.retries = 2;
	for (i = 0; i < 4; i++)
		respond(f, "502 Bad Gateway", "", "");
	start(f);
	assert_int_equal(get(f, "/groups/42/projects?page=3"), GLM_EHTTP);
	expect_msg("GET /groups/42/projects?page=3: HTTP 502 Bad Gateway after 3 tries");
	assert_int_equal(f->log->requests, 3);
}

static void test_429_pauses_everybody(void **state)
{
	struct fixture *f = *state;
	struct shm_ratelimit *rl;
	int64_t t0;

	assert_int_equal(shm_create(&f->rl_region, 4096), 0);
	rl = (struct shm_ratelimit *)((char *)f->rl_region + SHM_CACHELINE);
	assert_int_equal(ratelimit_init(rl, 0, 0), 0);
	f->cfg.rl = rl;
	f->cfg.retries = 0; /* a 429 does not use up the retries */
	respond(f, "429 Too Many Requests", "Retry-After: 1\r\n", "Retry later");
	respond(f, "200 OK", "RateLimit-Limit: 600\r\nRateLimit-Remaining: 599\r\n", "[]");
	start(f);
	t0 = monoclock_ns();
	assert_int_equal(get(f, "/groups"), 0);
	assert_true(monoclock_ns() - t0 >= 1000000000LL);
	assert_int_equal(f->log->requests, 2);
	assert_true(rl->throttled == 1 && rl->requests == 2);
	assert_true(rl->in_flight == 0 && rl->max_in_flight == 1);
	assert_true(rl->srv_limit == -1); /* no reset time: the budget is not taken */
}

static void test_truncated_body(void **state)
{
	struct fixture *f = *state;

	respond_raw(f,
		    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n[1,2,3,4]");
	respond(f, "200 OK", "", "[1,2,3,4]");
	respond_raw(f,
		    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n[1,2,3,4]");
	start(f);
	assert_int_equal(get(f, "/x"), 0);
	assert_int_equal(cJSON_GetArraySize(f->json), 4);
	assert_int_equal(f->log->requests, 2);
	http_client_free(f->client);
	f->cfg.retries = 0;
	assert_int_equal(http_client_new(&f->client, &f->cfg), 0);
	assert_int_equal(get(f, "/x"), GLM_EHTTP);
	expect_msg("GET /x: truncated body (9 of 100 bytes) after 1 try");
}

static void test_invalid_json(void **state)
{
	struct fixture *f = *state;

	respond(f, "200 OK", "", "{\"id\": 1, oops");
	respond(f, "200 OK", "", "{\"id\": 1}");
	respond(f, "200 OK", "", "[1] trailing");
	respond(f, "200 OK", "", "");
	start(f);
	assert_int_equal(get(f, "/x"), 0);
	assert_int_equal(f->log->requests, 2);
	http_client_free(f->client);
	f->cfg.retries = 1;
	assert_int_equal(http_client_new(&f->client, &f->cfg), 0);
	assert_int_equal(get(f, "/y"), GLM_EPARSE);
	expect_msg_has("GET /y: invalid JSON (0 bytes, application/json");
	expect_msg_has("after 2 tries");
	assert_int_equal(f->log->requests, 4);
}

static void test_401_stops_at_once(void **state)
{
	struct fixture *f = *state;

	respond(f, "401 Unauthorized", "", "{\"message\":\"401 Unauthorized\"}");
	start(f);
	assert_int_equal(get(f, "/user"), GLM_EAUTH);
	expect_msg("GET /user: token rejected (HTTP 401)");
	assert_int_equal(f->log->requests, 1);
}

static void test_403_404_not_retried(void **state)
{
	struct fixture *f = *state;

	respond(f, "403 Forbidden", "", "{\"message\":\"403 Forbidden\"}");
	respond(f, "404 Not Found", "", "{\"message\":\"404 Group Not Found\"}");
	/* a hostile server echoing the token into its message */
	respond(f, "400 Bad Request", "", "{\"error\":\"bad token " TOKEN "\x01\"}");
	start(f);
	log_add_secret(TOKEN);
	assert_int_equal(get(f, "/groups/7/subgroups"), GLM_EFORBIDDEN);
	expect_msg("GET /groups/7/subgroups: HTTP 403 Forbidden: 403 Forbidden");
	assert_int_equal(get(f, "/groups/8"), GLM_ENOTFOUND);
	expect_msg("GET /groups/8: HTTP 404 Not Found: 404 Group Not Found");
	assert_int_equal(get(f, "/groups/9"), GLM_EHTTP);
	expect_msg_has("GET /groups/9: HTTP 400 Bad Request: bad token [REDACTED]\\x01");
	assert_int_equal(f->log->requests, 3);
}

static void test_redirects_not_followed(void **state)
{
	struct fixture *f = *state;

	respond(f, "302 Found", "Location: http://evil.example/api/v4/groups\r\n", "");
	respond(f, "301 Moved Permanently", "Location: /api/v4/elsewhere\r\n", "");
	start(f);
	assert_int_equal(get(f, "/groups"), GLM_EUNSAFE);
	expect_msg("GET /groups: redirect (HTTP 302 Found) points to another host: "
		   "http://evil.example/api/v4/groups");
	assert_int_equal(get(f, "/groups"), GLM_EHTTP);
	expect_msg_has("HTTP 301 Moved Permanently: redirect to /api/v4/elsewhere not followed");
	assert_int_equal(f->log->requests, 2);
}

static void test_link_to_other_host(void **state)
{
	struct fixture *f = *state;

	respond(f, "200 OK", "Link: <http://evil.example/api/v4/projects?page=2>; rel=\"next\"\r\n",
		"[]");
	respond(f, "200 OK", "Link: <http://127.0.0.1:1/api/v4/groups?page=2>; rel=\"next\"\r\n",
		"[]");
	start(f);
	assert_int_equal(get(f, "/groups"), GLM_EUNSAFE);
	expect_msg("GET /groups: Link rel=next points to another host: "
		   "http://evil.example/api/v4/projects?page=2");
	assert_null(f->json);
	assert_null(f->page.next);
	/* GitLab's external URL naming the same endpoint: asked of --url instead */
	assert_int_equal(get(f, "/groups"), 0);
	assert_string_equal(f->page.next, "/groups?page=2");
	assert_int_equal(f->log->requests, 2);
}

static void test_huge_bodies(void **state)
{
	struct fixture *f = *state;

	respond_raw(f, "HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n[");
	respond_raw(f, RESP_STREAM);
	start(f);
	assert_int_equal(get(f, "/projects"), GLM_ELIMIT);
	expect_msg("GET /projects: answer larger than 1048576 bytes (--max-response-size)");
	assert_int_equal(get(f, "/projects"), GLM_ELIMIT);
	assert_int_equal(f->log->requests, 2);
}

static void test_deep_json(void **state)
{
	struct fixture *f = *state;
	char deep[256], ok[256];

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	memset(ok, '[', 60);
	memcpy(ok + 60, "\"[[[[[[\"", 8);
	memset(ok + 68, ']', 60);
	ok[128] = '\0';
	respond(f, "200 OK", "", deep);
	respond(f, "200 OK", "", ok);
	start(f);
	assert_int_equal(get(f, "/groups"), GLM_ELIMIT);
	expect_msg("GET /groups: JSON nested deeper than 64 levels");
	/* brackets inside strings do not count */
	assert_int_equal(get(f, "/groups"), 0);
	assert_int_equal(f->log->requests, 2);
}

static void test_reset_then_ok(void **state)
{
	struct fixture *f = *state;

	respond_raw(f, RESP_RESET);
	respond(f, "200 OK", "", "[]");
	start(f);
	assert_int_equal(get(f, "/groups"), 0);
	assert_int_equal(f->log->requests, 2);
}

static void test_refused(void **state)
{
	struct fixture *f = *state;

	start(f);
	kill(f->server, SIGKILL);
	waitpid(f->server, NULL, 0);
	f->server = 0;
	/* the listening socket died with the server: nothing listens on the port */
	http_client_free(f->client);
	f->cfg.retries = 1;
	assert_int_equal(http_client_new(&f->client, &f->cfg), 0);
	assert_int_equal(get(f, "/version"), GLM_ECONNECT);
	expect_msg("GET /version: connection refused after 2 tries");
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;

	f->cfg.timeout_s = 1;
	f->cfg.retries = 0;
	respond_raw(f, RESP_HANG);
	start(f);
	assert_int_equal(get(f, "/groups"), GLM_ECONNECT);
	expect_msg_has("GET /groups: timed out");
	expect_msg_has("after 1 try");
}

/* A stop signal abandons a transfer that is waiting for the server, at once. */
static void test_stop_signal_ends_transfer(void **state)
{
	struct fixture *f = *state;
	int status;
	pid_t pid;

	f->cfg.timeout_s = 10;
	respond_raw(f, RESP_HANG);
	start(f);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGTERM };
		struct itimerspec its = { .it_value = { 0, 300000000 } };
		timer_t timer;
		int64_t t0;
		int rc;

		if (signals_install() < 0 || timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0 ||
		    timer_settime(timer, 0, &its, NULL) < 0)
			_exit(3);
		t0 = monoclock_ns();
		rc = get(f, "/groups");
		/* the server answers after 3 s and the timeout is 10 s: well before either */
		_exit(rc == GLM_EINTR && monoclock_ns() - t0 < 2000000000LL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* --verbose names each try; nothing of it carries the token. */
static void test_verbose_log(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/glm-test-http-XXXXXX", buf[4096];
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	respond(f, "502 Bad Gateway", "", "");
	respond(f, "200 OK", "", "[]");
	start(f);
	log_init("api-1", LOG_VERBOSE);
	log_add_secret(TOKEN);
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(get(f, "/groups?page=1"), 0);
	dup2(saved, 2);
	close(saved);
	log_init("supervisor", LOG_INFO);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "GET /groups?page=1: 502 in "));
	assert_non_null(strstr(buf, "ms (try 1)"));
	assert_non_null(strstr(buf, "GET /groups?page=1: HTTP 502 Bad Gateway; retrying in "));
	assert_non_null(strstr(buf, "(5 tries left)"));
	assert_non_null(strstr(buf, "GET /groups?page=1: 200 in "));
	assert_non_null(strstr(buf, "ms (try 2)"));
	assert_null(strstr(buf, TOKEN));
	assert_null(strstr(buf, "Bearer"));
}

static void test_bad_paths(void **state)
{
	struct fixture *f = *state;

	start(f);
	assert_int_equal(get(f, "groups"), GLM_EUNSAFE);
	assert_int_equal(get(f, "/groups?search=a b"), GLM_EUNSAFE);
	assert_int_equal(get(f, "/groups\r\nX-Evil: 1"), GLM_EUNSAFE);
	expect_msg_has("\\x0d\\x0a");
	assert_int_equal(get(f, "/groups#frag"), GLM_EUNSAFE);
	assert_int_equal(f->log->requests, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ok_with_pagination, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5xx_then_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5xx_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_pauses_everybody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_401_stops_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_403_404_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirects_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_to_other_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_then_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_signal_ends_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbose_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
