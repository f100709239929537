/*
 * What the code under test writes to stderr (log.c's lines), kept in a
 * temporary file for the tests that check what is logged, and so kept out
 * of the test output: stderr_capture_start(), run the code,
 * stderr_capture_end().  Include after cmocka.h.
 */
#ifndef GLM_TEST_STDERR_CAPTURE_H
#define GLM_TEST_STDERR_CAPTURE_H

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct stderr_capture {
	int fd, saved;
};

static void stderr_capture_start(struct stderr_capture *c)
{
	char path[] = "/tmp/glmirror-test-stderr-XXXXXX";

	c->fd = mkstemp(path);
	assert_true(c->fd >= 0);
	unlink(path);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(c->fd, STDERR_FILENO), STDERR_FILENO);
}

/* Puts stderr back; returns what was written to it, NUL-terminated (caller frees). */
static char *stderr_capture_end(struct stderr_capture *c)
{
	struct stat st;
	char *text;
	ssize_t n;

	assert_int_equal(dup2(c->saved, STDERR_FILENO), STDERR_FILENO);
	close(c->saved);
	assert_int_equal(fstat(c->fd, &st), 0);
	text = malloc((size_t)st.st_size + 1);
	assert_non_null(text);
	n = pread(c->fd, text, (size_t)st.st_size, 0);
	close(c->fd);
	assert_int_equal(n, st.st_size);
	text[n] = '\0';
	return text;
}

#endif
