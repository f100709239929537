/* Shallow roots kept through a fetch (sync_shallow.h). */
#include "sync_shallow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* One root per line; a bound far above any real boundary keeps a hostile file small. */
#define SYNC_SHALLOW_MAX_BYTES (16u << 20)

static int sync_shallow_path(git_repository *repo, const char *name, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s%s", git_repository_commondir(repo), name) >= size)
		return glm_error_set(GLM_ELIMIT, "repository path too long");
	return 0;
}

/* *out (owned, NUL-terminated) is the file's text; NULL when there is no file. */
static int sync_shallow_read(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int err = 0;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : glm_error_errno(GLM_EIO, errno, "%s", path);
	if (fstat(fileno(f), &st) < 0)
		err = glm_error_errno(GLM_EIO, errno, "%s", path);
	else if (st.st_size > SYNC_SHALLOW_MAX_BYTES)
		err = glm_error_set(GLM_ELIMIT, "%s is too large", path);
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		err = glm_error_set(GLM_ENOMEM, "out of memory");
	else if ((n = fread(buf, 1, (size_t)st.st_size, f)) < (size_t)st.st_size && ferror(f))
		err = glm_error_errno(GLM_EIO, errno, "%s", path);
	fclose(f);
	if (err < 0) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Whether text holds the line [line, line + n) as a whole line. */
static int sync_shallow_has(const char *text, const char *line, size_t n)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

int sync_shallow_save(struct sync_shallow *s, git_repository *repo)
{
	char path[4096];
	int err = sync_shallow_path(repo, "shallow", path, sizeof(path));

	s->roots = NULL;
	s->len = 0;
	return err < 0 ? err : sync_shallow_read(path, &s->roots, &s->len);
}

/*
 * Counts in *lost the saved roots now lacks and, with f, writes them there.
 * Returns 0, or -1 when writing failed.
 */
static int sync_shallow_lost(const struct sync_shallow *s, const char *now, FILE *f, size_t *lost)
{
	const char *line, *end;

	*lost = 0;
	for (line = s->roots; line < s->roots + s->len; line = end + 1) {
		size_t n;

		end = strchr(line, '\n');
		if (end == NULL)
			end = s->roots + s->len;
		n = (size_t)(end - line);
		if (n == 0 || sync_shallow_has(now, line, n))
			continue;
		(*lost)++;
		if (f != NULL && (fwrite(line, 1, n, f) != n || fputc('\n', f) == EOF))
			return -1;
	}
	return 0;
}

/* Writes now plus the saved roots it lacks through shallow.lock, as git does. */
static int sync_shallow_write(const struct sync_shallow *s, const char *now, const char *path,
			      const char *lock)
{
	FILE *f = fopen(lock, "wxe");
	size_t lost;
	int ok;

	if (f == NULL)
		return glm_error_errno(GLM_EIO, errno, "%s", lock);
	ok = fputs(now, f) >= 0;
	if (ok && now[0] != '\0' && now[strlen(now) - 1] != '\n')
		ok = fputc('\n', f) != EOF;
	ok = ok && sync_shallow_lost(s, now, f, &lost) == 0;
	if (fclose(f) != 0 || !ok || rename(lock, path) < 0) {
		int err = glm_error_errno(GLM_EIO, errno, "writing %s", path);

		unlink(lock);
		return err;
	}
	return 0;
}

int sync_shallow_restore(struct sync_shallow *s, git_repository *repo)
{
	char path[4096], lock[4096], *now = NULL;
	size_t len, lost = 0;
	int err;

	if (s->roots == NULL)
		return 0;
	if ((err = sync_shallow_path(repo, "shallow", path, sizeof(path))) < 0 ||
	    (err = sync_shallow_path(repo, "shallow.lock", lock, sizeof(lock))) < 0 ||
	    (err = sync_shallow_read(path, &now, &len)) < 0)
		goto out;
	sync_shallow_lost(s, now ? now : "", NULL, &lost);
	if (lost > 0)
		err = sync_shallow_write(s, now ? now : "", path, lock);
out:
	free(now);
	free(s->roots);
	s->roots = NULL;
	return err;
}
