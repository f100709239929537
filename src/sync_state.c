/* The sync's memory of the last run (sync_state.h). */
#include "sync_state.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "grow.h"
#include "log.h"

#define SYNC_STATE_VERSION  1
#define SYNC_STATE_MAX_LINE (64 * 1024) /* a longer line is damage, not a project */

int sync_state_add(struct sync_state *s, long long id, const char *root_path, const char *full_path)
{
	struct sync_state_entry *grown, *e;

	grown = grow_array(s->entries, &s->cap, s->n, sizeof(*grown), 64);
	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	s->entries = grown;
	e = &s->entries[s->n];
	e->id = id;
	e->root_path = strdup(root_path);
	e->full_path = strdup(full_path != NULL ? full_path : "");
	if (e->root_path == NULL || e->full_path == NULL) {
		free(e->root_path);
		free(e->full_path);
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	s->n++;
	return 0;
}

void sync_state_release(struct sync_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->entries[i].root_path);
		free(s->entries[i].full_path);
	}
	free(s->entries);
	memset(s, 0, sizeof(*s));
}

/* One line: the header (*header set) or an entry; GLM_EPARSE when damaged. */
static int sync_state_parse_line(struct sync_state *s, const char *line, int *header)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *v, *id, *path, *full;
	int err;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return glm_error_set(GLM_EPARSE, "not a JSON object");
	}
	if (!*header) {
		v = cJSON_GetObjectItemCaseSensitive(o, "glmirror_state");
		err = cJSON_IsNumber(v) && v->valuedouble == SYNC_STATE_VERSION
			      ? 0
			      : glm_error_set(GLM_EPARSE, "not a glmirror state file, version %d",
					      SYNC_STATE_VERSION);
		*header = 1;
		cJSON_Delete(o);
		return err;
	}
	id = cJSON_GetObjectItemCaseSensitive(o, "id");
	path = cJSON_GetObjectItemCaseSensitive(o, "path");
	full = cJSON_GetObjectItemCaseSensitive(o, "full_path");
	if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 9007199254740992.0 ||
	    !cJSON_IsString(path) || path->valuestring[0] != '/' || !cJSON_IsString(full))
		err = glm_error_set(GLM_EPARSE, "an entry without id, path or full_path");
	else
		err = sync_state_add(s, (long long)id->valuedouble, path->valuestring,
				     full->valuestring);
	cJSON_Delete(o);
	return err;
}

static int sync_state_parse(FILE *f, struct sync_state *s)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int header = 0, err = 0;

	while (err == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > SYNC_STATE_MAX_LINE || memchr(line, '\0', (size_t)len) != NULL)
			err = glm_error_set(GLM_EPARSE, "line too long or with a NUL byte");
		else
			err = sync_state_parse_line(s, line, &header);
		if (err < 0)
			glm_error_prefix("line %zu", lineno);
	}
	if (err == 0 && ferror(f))
		err = glm_error_errno(GLM_EIO, errno, "read");
	if (err == 0 && !header)
		err = glm_error_set(GLM_EPARSE, "empty file");
	free(line);
	return err;
}

int sync_state_read(int dest_fd, struct sync_state *out)
{
	FILE *f;
	int fd, err;

	memset(out, 0, sizeof(*out));
	fd = openat(dest_fd, SYNC_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		log_warn("cannot read %s (%s): moved projects are cloned again and orphans are "
			 "not found",
			 SYNC_STATE_FILE, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	err = sync_state_parse(f, out);
	fclose(f);
	if (err == GLM_ENOMEM)
		return err;
	if (err < 0) {
		log_warn("%s is damaged (%s) and is ignored: moved projects are cloned again and "
			 "orphans are not found",
			 SYNC_STATE_FILE, glm_error_msg());
		sync_state_release(out);
	}
	sync_state_sort(out);
	return 0;
}

static int sync_state_cmp(const void *a, const void *b)
{
	const struct sync_state_entry *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void sync_state_sort(struct sync_state *s)
{
	if (s->n > 1)
		qsort(s->entries, s->n, sizeof(*s->entries), sync_state_cmp);
}

const struct sync_state_entry *sync_state_find(const struct sync_state *s, long long id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->entries[lo].id == id ? &s->entries[lo] : NULL;
}

static int sync_state_print(FILE *f, const struct sync_state *s)
{
	if (fprintf(f, "{\"glmirror_state\":%d}\n", SYNC_STATE_VERSION) < 0)
		return glm_error_errno(GLM_EIO, errno, "write");
	for (size_t i = 0; i < s->n; i++) {
		cJSON *o = cJSON_CreateObject();
		char *text = NULL;
		int err = 0;

		/* The id by hand: cJSON prints large whole numbers with 15 digits only. */
		if (o == NULL || !cJSON_AddStringToObject(o, "path", s->entries[i].root_path) ||
		    !cJSON_AddStringToObject(o, "full_path", s->entries[i].full_path) ||
		    (text = cJSON_PrintUnformatted(o)) == NULL)
			err = glm_error_set(GLM_ENOMEM, "out of memory");
		else if (fprintf(f, "{\"id\":%lld,%s\n", s->entries[i].id, text + 1) < 0)
			err = glm_error_errno(GLM_EIO, errno, "write");
		cJSON_free(text);
		cJSON_Delete(o);
		if (err < 0)
			return err;
	}
	return 0;
}

int sync_state_write(int dest_fd, const struct sync_state *s)
{
	char tmp[64];
	FILE *f = NULL;
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", SYNC_STATE_FILE, (long)getpid());
	fd = openat(dest_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		err = glm_error_errno(GLM_EIO, errno, "cannot write %s", SYNC_STATE_FILE);
		if (fd >= 0)
			close(fd);
		unlinkat(dest_fd, tmp, 0);
		return err;
	}
	err = sync_state_print(f, s);
	if (err == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		err = glm_error_errno(GLM_EIO, errno, "write");
	if (fclose(f) != 0 && err == 0)
		err = glm_error_errno(GLM_EIO, errno, "write");
	if (err == 0 && renameat(dest_fd, tmp, dest_fd, SYNC_STATE_FILE) < 0)
		err = glm_error_errno(GLM_EIO, errno, "rename");
	if (err < 0) {
		unlinkat(dest_fd, tmp, 0);
		glm_error_prefix("cannot write %s", SYNC_STATE_FILE);
	}
	return err;
}
