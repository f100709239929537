/*
 * The Secret Service through libsecret.  libsecret runs GDBus, whose worker
 * thread stays once started; the supervisor forks workers later, and a fork
 * of a process with more threads is unsafe.  So every keyring call runs in a
 * short-lived child that answers through a pipe and exits: glib never runs
 * in the supervisor.
 *
 * The child's answer (read by keyring_lookup and keyring_store): one status byte,
 * then text up to EOF.  'T' the token; 'N' nothing stored; 'S' stored;
 * 'E' the Secret Service's error message.
 */
#include "keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include "error.h"
#include "monoclock.h"

/* A locked keyring asks its password in a desktop prompt: leave time to type it. */
#define KEYRING_TIMEOUT_S  120
#define KEYRING_MAX_ANSWER 8192

/*
 * Attribute names as python-keyring's SecretService backend
 * (jaraco/keyring keyring/backends/SecretService.py) writes them for
 * gitlabber's token_storage.py (set_password("gitlabber", url, token)):
 * "service" and "username", plus "application", and it searches by
 * service and username alone.  DONT_MATCH_NAME: those items carry no
 * xdg:schema attribute, which libsecret would otherwise search for.
 */
static const SecretSchema keyring_schema = {
	.name = "org.freedesktop.Secret.Generic",
	.flags = SECRET_SCHEMA_DONT_MATCH_NAME,
	.attributes = {
		{ "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "application", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
};

static const char keyring_service[] = "glmirror";
static const char keyring_gitlabber_service[] = "gitlabber";

struct keyring_request {
	const char *store_token; /* NULL: look up */
	const char *urls[3];	 /* urls[i] is looked up under services[i] */
	const char *services[3];
	int nurls;
};

static void keyring_write_all(int fd, char status, const char *text)
{
	size_t len = text ? strlen(text) : 0, done = 0;

	if (write(fd, &status, 1) != 1)
		return;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

/* Runs in the child only. */
static void keyring_child(int fd, const struct keyring_request *req)
{
	GError *gerr = NULL;
	int i;

	if (req->store_token != NULL) {
		char label[512];

		snprintf(label, sizeof(label), "glmirror token for %s", req->urls[0]);
		if (secret_password_store_sync(&keyring_schema, SECRET_COLLECTION_DEFAULT, label,
					       req->store_token, NULL, &gerr, "service",
					       keyring_service, "username", req->urls[0],
					       "application", keyring_service, NULL))
			keyring_write_all(fd, 'S', NULL);
		else
			keyring_write_all(fd, 'E', gerr ? gerr->message : "unknown error");
		return;
	}
	for (i = 0; i < req->nurls; i++) {
		gchar *token = secret_password_lookup_sync(&keyring_schema, NULL, &gerr, "service",
							   req->services[i], "username",
							   req->urls[i], NULL);

		if (gerr != NULL) {
			keyring_write_all(fd, 'E', gerr->message);
			return;
		}
		if (token != NULL && token[0] != '\0') {
			keyring_write_all(fd, 'T', token);
			secret_password_free(token);
			return;
		}
		secret_password_free(token);
	}
	keyring_write_all(fd, 'N', NULL);
}

/* Reads the child's whole answer into buf (NUL-terminated), waiting at most until deadline. */
static int keyring_read_answer(int fd, char *buf, size_t cap, size_t *len, int64_t deadline)
{
	*len = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left_ms = (deadline - monoclock_ns()) / 1000000;
		ssize_t n;
		int r;

		if (left_ms <= 0)
			return glm_error_set(GLM_ERR,
					     "the Secret Service did not answer within %d s",
					     KEYRING_TIMEOUT_S);
		r = poll(&p, 1, (int)left_ms);
		if (r == 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0)
			return glm_error_errno(GLM_EIO, errno, "keyring: poll");
		n = read(fd, buf + *len, cap - 1 - *len);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			return glm_error_errno(GLM_EIO, errno, "keyring: read");
		if (n > 0)
			*len += (size_t)n;
		if (*len == cap - 1)
			return glm_error_set(GLM_ELIMIT, "keyring: answer larger than %zu bytes",
					     cap - 1);
	}
	buf[*len] = '\0';
	return 0;
}

/*
 * Forks the child that talks to the Secret Service and collects its answer
 * into buf: buf[0] the status byte, then its text.  GLM_ERR when the child
 * gave no answer in time; GLM_EIO and the like for local failures.
 */
static int keyring_call(const struct keyring_request *req, char *buf, size_t cap)
{
	int fds[2], status, err;
	size_t len = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return glm_error_errno(GLM_EIO, errno, "keyring: pipe");
	pid = fork();
	if (pid < 0) {
		err = glm_error_errno(GLM_EIO, errno, "keyring: fork");
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		close(fds[0]);
		keyring_child(fds[1], req);
		_exit(0);
	}
	close(fds[1]);
	err = keyring_read_answer(fds[0], buf, cap, &len,
				  monoclock_ns() + KEYRING_TIMEOUT_S * MONOCLOCK_NS_PER_S);
	close(fds[0]);
	if (err < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (err == 0 && len == 0)
		err = glm_error_set(GLM_ERR, "the keyring helper process died (%s %d)",
				    WIFSIGNALED(status) ? "signal" : "exit",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return err;
}

int keyring_lookup(char **out, const char *url, const char *url_as_typed)
{
	struct keyring_request req = { .nurls = 0 };
	char *buf = malloc(KEYRING_MAX_ANSWER);
	int err;

	*out = NULL;
	if (buf == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	req.urls[req.nurls] = url;
	req.services[req.nurls++] = keyring_service;
	req.urls[req.nurls] = url_as_typed;
	req.services[req.nurls++] = keyring_gitlabber_service;
	if (strcmp(url, url_as_typed) != 0) {
		req.urls[req.nurls] = url;
		req.services[req.nurls++] = keyring_gitlabber_service;
	}
	buf[0] = '\0';
	err = keyring_call(&req, buf, KEYRING_MAX_ANSWER);
	if (err == GLM_ERR)
		err = 0; /* the message says why: no token from the keyring */
	if (err < 0 || buf[0] == '\0')
		goto out;
	if (buf[0] == 'T') {
		if ((*out = strdup(buf + 1)) == NULL)
			err = glm_error_set(GLM_ENOMEM, "out of memory");
	} else if (buf[0] == 'E') {
		glm_error_set(GLM_ERR, "keyring: %s", buf + 1);
	} else {
		glm_error_set(GLM_ENOTFOUND, "keyring: no token stored for %s", url);
	}
out:
	explicit_bzero(buf, KEYRING_MAX_ANSWER);
	free(buf);
	return err;
}

int keyring_store(const char *url, const char *token)
{
	struct keyring_request req = { .store_token = token, .nurls = 1 };
	char buf[1024];
	int err;

	req.urls[0] = url;
	req.services[0] = keyring_service;
	buf[0] = '\0';
	err = keyring_call(&req, buf, sizeof(buf));
	if (err == 0 && buf[0] == 'S')
		return 0;
	if (err == 0)
		glm_error_set(GLM_ERR, "%s", buf[0] == 'E' ? buf + 1 : "unexpected answer");
	snprintf(buf, sizeof(buf), "%s", glm_error_msg());
	return glm_error_set(
		GLM_EUSAGE,
		"cannot store the token in the keyring (%s): it needs a Secret Service "
		"(GNOME Keyring, KeePassXC) on the session D-Bus, unlocked; without "
		"one, put the token in a file only you can read and give --token-file "
		"FILE instead",
		buf);
}
