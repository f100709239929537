/*
 * --store-token.  The token is never echoed: typed at a terminal, echo is
 * off while it is read (and back on even if the user interrupts).
 */
#include "token_store.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "keyring.h"
#include "log.h"

#define TOKEN_STORE_MAX 4096

/* The terminal's settings while echo is off, for the signal handler to put back. */
static struct termios token_store_saved_tty;

static void token_store_restore_tty(int sig)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &token_store_saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line from fd into buf (NUL-terminated, without the newline). */
static int token_store_read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return glm_error_errno(GLM_EIO, errno, "reading the token");
		if (n == 0 || buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

static int token_store_prompt(const char *url, char *buf, size_t cap)
{
	struct sigaction sa, old_int, old_term, old_hup;
	struct termios quiet;
	int err;

	if (!isatty(STDIN_FILENO))
		return token_store_read_line(STDIN_FILENO, buf, cap);
	if (tcgetattr(STDIN_FILENO, &token_store_saved_tty) < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot read the terminal's settings");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = token_store_restore_tty;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	quiet = token_store_saved_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* The prompt only once echo is off: what is typed after it is never shown. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
		err = glm_error_errno(GLM_EIO, errno, "cannot turn the terminal's echo off");
	} else {
		fprintf(stderr, "GitLab token for %s: ", url);
		fflush(stderr);
		err = token_store_read_line(STDIN_FILENO, buf, cap);
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &token_store_saved_tty);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	return err;
}

int token_store_run(const struct options *opts)
{
	char *buf = NULL, *token = opts->token;
	size_t len;
	int err = 0;

	if (token == NULL) {
		if ((buf = malloc(TOKEN_STORE_MAX)) == NULL)
			return glm_error_set(GLM_ENOMEM, "out of memory");
		if ((err = token_store_prompt(opts->url, buf, TOKEN_STORE_MAX)) < 0)
			goto out;
		token = buf;
		while (isspace((unsigned char)*token))
			token++;
		len = strlen(token);
		while (len > 0 && isspace((unsigned char)token[len - 1]))
			token[--len] = '\0';
		if (len == 0) {
			err = glm_error_set(GLM_EUSAGE, "--store-token: no token given");
			goto out;
		}
		log_add_secret(token);
	}
	if ((err = keyring_store(opts->url, token)) < 0)
		goto out;
	printf("token stored in the keyring for %s\n", opts->url);
	if (fflush(stdout) != 0)
		err = glm_error_errno(GLM_EIO, errno, "stdout");
out:
	if (buf != NULL)
		explicit_bzero(buf, TOKEN_STORE_MAX);
	free(buf);
	return err;
}
