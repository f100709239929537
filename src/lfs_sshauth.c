/* git-lfs-authenticate over SSH (lfs_sshauth.h), with libssh2. */
#include "lfs_sshauth.h"

#include <errno.h>
#include <libssh2.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "sshhost.h"
#include "sync_job.h"
#include "sync_url.h"

#define LFS_SSHAUTH_ANSWER_MAX 65536 /* bytes of the JSON answer */
#define LFS_SSHAUTH_MAX_KEYS   8     /* as sync_remote.c's bound on offered keys */

/* One SSH connection: the socket and the session on it, both owned. */
struct lfs_sshauth_conn {
	int fd;
	LIBSSH2_SESSION *session;
	LIBSSH2_CHANNEL *channel;
};

/* A TCP connection to u's host and port (an IPv6 literal without its brackets). */
static int lfs_sshauth_connect(struct lfs_sshauth_conn *c, const struct sync_url *u, int timeout_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	struct timeval tv = { .tv_sec = timeout_s };
	char host[SYNC_URL_HOST_MAX], port[8];
	size_t len = strlen(u->host);
	int rc, err = 0;

	if (u->host[0] == '[' && len > 2)
		snprintf(host, sizeof(host), "%.*s", (int)(len - 2), u->host + 1);
	else
		snprintf(host, sizeof(host), "%s", u->host);
	snprintf(port, sizeof(port), "%d", u->port);
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return glm_error_set(GLM_ECONNECT, "SSH to %s: %s", u->host, gai_strerror(rc));
	for (struct addrinfo *a = res; a != NULL && c->fd < 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		/* A silent server is given up after --git-timeout, connect included. */
		if (timeout_s > 0 &&
		    (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
		     setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)) {
			err = errno;
			close(fd);
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			c->fd = fd;
		} else {
			err = errno;
			close(fd);
		}
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return glm_error_errno(GLM_ECONNECT, err, "SSH to %s port %d", u->host, u->port);
	return 0;
}

/* The clone's keys, in the clone's order, until one is accepted. */
static int lfs_sshauth_login(struct lfs_sshauth_conn *c, const char *user, const char *ssh_key)
{
	char path[4096];

	for (int n = 0; n < LFS_SSHAUTH_MAX_KEYS; n++) {
		enum sync_remote_identity id = sync_remote_identity(ssh_key, n, path, sizeof(path));
		LIBSSH2_AGENT *agent;
		struct libssh2_agent_publickey *k = NULL;
		int ok = 0;

		if (id == SYNC_REMOTE_KEY_NONE)
			return glm_error_set(GLM_EAUTH, "%s", sync_remote_no_identity(ssh_key, n));
		if (id == SYNC_REMOTE_KEY_FILE) {
			if (libssh2_userauth_publickey_fromfile(c->session, user, NULL, path,
								NULL) == 0)
				return 0;
			continue;
		}
		if ((agent = libssh2_agent_init(c->session)) == NULL)
			return glm_error_set(GLM_ENOMEM, "out of memory");
		if (libssh2_agent_connect(agent) == 0 && libssh2_agent_list_identities(agent) == 0)
			while (!ok && libssh2_agent_get_identity(agent, &k, k) == 0)
				ok = libssh2_agent_userauth(agent, user, k) == 0;
		libssh2_agent_disconnect(agent);
		libssh2_agent_free(agent);
		if (ok)
			return 0;
	}
	return glm_error_set(GLM_EAUTH, "no SSH key was accepted");
}

/* Reads a stream of the channel to its end into buf (at most size - 1 bytes kept). */
static int lfs_sshauth_read(LIBSSH2_CHANNEL *ch, int stream, char *buf, size_t size, size_t *len)
{
	char chunk[4096];
	ssize_t n;

	*len = 0;
	while ((n = libssh2_channel_read_ex(ch, stream, chunk, sizeof(chunk))) > 0) {
		size_t keep = (size_t)n < size - 1 - *len ? (size_t)n : size - 1 - *len;

		memcpy(buf + *len, chunk, keep);
		*len += keep;
		if (keep < (size_t)n && stream == 0)
			break;
	}
	buf[*len] = '\0';
	explicit_bzero(chunk, sizeof(chunk));
	if (n > 0)
		return glm_error_set(GLM_ELIMIT, "git-lfs-authenticate: answer too large");
	if (n < 0)
		return glm_error_set(GLM_ECONNECT, "git-lfs-authenticate: the SSH channel broke");
	return 0;
}

/*
 * The first line that says something: GitLab Shell boxes an access error
 * between rules, each line behind "remote: " (internal/console).  Cuts
 * err at that line's end.
 */
static const char *lfs_sshauth_reason(char *err)
{
	char *line = err;

	while (*line != '\0') {
		char *next = line + strcspn(line, "\r\n");
		int more = *next != '\0';

		*next = '\0';
		if (strncmp(line, "remote:", 7) == 0)
			line += 7;
		line += strspn(line, " \t");
		if (*line != '\0' && strspn(line, "=") != strlen(line))
			return line;
		line = more ? next + 1 : next;
	}
	return line;
}

/* Runs cmd; out (size bytes) gets its standard output, a refusal its first error line. */
static int lfs_sshauth_exec(struct lfs_sshauth_conn *c, const char *cmd, char *out, size_t size)
{
	char err[512], esc[256];
	size_t olen, elen = 0;
	int rc, status;

	if ((c->channel = libssh2_channel_open_session(c->session)) == NULL ||
	    libssh2_channel_exec(c->channel, cmd) != 0)
		return glm_error_set(GLM_ECONNECT, "SSH: cannot run git-lfs-authenticate");
	if ((rc = lfs_sshauth_read(c->channel, 0, out, size, &olen)) < 0 ||
	    (rc = lfs_sshauth_read(c->channel, SSH_EXTENDED_DATA_STDERR, err, sizeof(err), &elen)) <
		    0)
		return rc;
	libssh2_channel_close(c->channel);
	libssh2_channel_wait_closed(c->channel);
	status = libssh2_channel_get_exit_status(c->channel);
	if (status != 0 || olen == 0) {
		const char *why = lfs_sshauth_reason(err);

		return glm_error_set(GLM_EAUTH, "git-lfs-authenticate over SSH: %s",
				     *why != '\0'  ? log_esc(why, esc, sizeof(esc))
				     : status != 0 ? "it failed"
						   : "no answer");
	}
	return 0;
}

int lfs_sshauth_href(const char *base, const char *ssh_url, const char *href, char *out,
		     size_t size)
{
	char repo[SYNC_URL_MAX], want[SYNC_URL_MAX + 16], esc[256];
	const char *hp, *wp;
	size_t len = strlen(href), hlen;
	int rc;

	while (len > 0 && href[len - 1] == '/')
		len--;
	if ((rc = sync_url_http_of(ssh_url, base, METHOD_SSH, repo, sizeof(repo))) < 0)
		return rc;
	snprintf(want, sizeof(want), "%s/info/lfs", repo);
	if (strncmp(href, "http://", 7) != 0 && strncmp(href, "https://", 8) != 0)
		return glm_error_set(GLM_EUNSAFE,
				     "git-lfs-authenticate: the LFS endpoint %s is "
				     "not an HTTP URL",
				     log_esc(href, esc, sizeof(esc)));
	if (sync_url_check(href, base, METHOD_HTTP) == 0) {
		if (len >= size)
			return glm_error_set(GLM_EUNSAFE, "git-lfs-authenticate: href too long");
		snprintf(out, size, "%.*s", (int)len, href);
		return 0;
	}
	hp = sync_url_path(href);
	wp = sync_url_path(want);
	/* without the trailing slashes, which "http:///" has more of than its path */
	hlen = strlen(hp) > strlen(href) - len ? strlen(hp) - (strlen(href) - len) : 0;
	if (hlen != strlen(wp) || strncmp(hp, wp, hlen) != 0)
		return glm_error_set(GLM_EUNSAFE,
				     "git-lfs-authenticate: the LFS endpoint %s is not this "
				     "project's on --url's host",
				     log_esc(href, esc, sizeof(esc)));
	if ((size_t)snprintf(out, size, "%s", want) >= size)
		return glm_error_set(GLM_EUNSAFE, "git-lfs-authenticate: href too long");
	return 0;
}

static void lfs_sshauth_close(struct lfs_sshauth_conn *c)
{
	if (c->channel != NULL)
		libssh2_channel_free(c->channel);
	if (c->session != NULL) {
		libssh2_session_disconnect(c->session, "done");
		libssh2_session_free(c->session);
	}
	if (c->fd >= 0)
		close(c->fd);
}

/* "git-lfs-authenticate <path> download" of the URL's path, sent unquoted as git-lfs does. */
static int lfs_sshauth_command(const char *ssh_url, char *out, size_t size)
{
	const char *path = sync_url_path(ssh_url);

	while (*path == '/')
		path++;
	/* GitLab's paths are letters, digits and "_-./": anything else is no project's. */
	if (*path == '\0' ||
	    strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") !=
		    strlen(path) ||
	    (size_t)snprintf(out, size, "git-lfs-authenticate %s download", path) >= size)
		return glm_error_set(GLM_EUNSAFE, "git-lfs-authenticate: no project path in %s",
				     ssh_url);
	return 0;
}

/* The answer: href checked into href, the header object detached into *header. */
static int lfs_sshauth_parse(const struct sync_job *job, const char *ssh_url, const char *text,
			     char *href, size_t size, cJSON **header)
{
	cJSON *ans = cJSON_Parse(text), *h;
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(ans, "href");
	int rc;

	if (ans == NULL || !cJSON_IsString(u) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ans, "header"))) {
		cJSON_Delete(ans);
		return glm_error_set(GLM_EPARSE, "git-lfs-authenticate over SSH: the answer is not "
						 "{\"header\": {...}, \"href\": ...}");
	}
	if ((rc = lfs_sshauth_href(job->plan->base_url, ssh_url, u->valuestring, href, size)) ==
	    0) {
		h = cJSON_DetachItemFromObjectCaseSensitive(ans, "header");
		*header = h;
	}
	cJSON_Delete(ans);
	return rc;
}

int lfs_sshauth_get(const struct sync_job *job, const char *ssh_url, char *href, size_t size,
		    cJSON **header)
{
	const struct options *opts = job->plan->opts;
	struct lfs_sshauth_conn c = { .fd = -1 };
	char user[256], cmd[SYNC_URL_MAX + 64], *answer = NULL;
	struct sync_url u;
	int rc;

	*header = NULL;
	if ((rc = sync_url_parse(ssh_url, &u)) < 0 ||
	    (rc = sync_url_user(ssh_url, user, sizeof(user))) < 0 ||
	    (rc = lfs_sshauth_command(ssh_url, cmd, sizeof(cmd))) < 0)
		return rc;
	if (user[0] == '\0')
		snprintf(user, sizeof(user), "git");
	if ((answer = malloc(LFS_SSHAUTH_ANSWER_MAX)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	if (libssh2_init(0) != 0) {
		free(answer);
		return glm_error_set(GLM_ERR, "libssh2 initialisation failed");
	}
	if ((rc = lfs_sshauth_connect(&c, &u, opts->git_timeout)) == 0) {
		if ((c.session = libssh2_session_init()) == NULL)
			rc = glm_error_set(GLM_ENOMEM, "out of memory");
		else if (libssh2_session_set_timeout(c.session, (long)opts->git_timeout * 1000),
			 libssh2_session_handshake(c.session, c.fd) != 0)
			rc = glm_error_set(GLM_ECONNECT, "SSH to %s: the handshake failed", u.host);
		else if ((rc = sshhost_check_session(c.session, u.host, u.port,
						     opts->ssh_accept_new)) == 0 &&
			 (rc = lfs_sshauth_login(&c, user, opts->ssh_key)) == 0 &&
			 (rc = lfs_sshauth_exec(&c, cmd, answer, LFS_SSHAUTH_ANSWER_MAX)) == 0)
			rc = lfs_sshauth_parse(job, ssh_url, answer, href, size, header);
	}
	lfs_sshauth_close(&c);
	libssh2_exit();
	explicit_bzero(answer, LFS_SSHAUTH_ANSWER_MAX);
	free(answer);
	return rc;
}
