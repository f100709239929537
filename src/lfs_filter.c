/* The `filter=lfs` libgit2 filter (lfs_filter.h). */
#include "lfs_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <git2/sys/filter.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gitver.h"
#include "lfs_hash.h"
#include "lfs_pointer.h"
#include "lfs_store.h"

#define LFS_FILTER_CHUNK 65536

/*
 * One file through the filter.  Smudge keeps the first LFS_POINTER_MAX
 * bytes, since only a short input can be a pointer; longer input flows
 * through unchanged.  Clean hashes everything and writes the pointer at
 * the end, unless the input already is a pointer.
 */
struct lfs_filter_stream {
	git_writestream parent; /* first: libgit2 casts */
	git_writestream *next;	/* borrowed */
	git_repository *repo;	/* borrowed */
	int to_odb;
	int passing; /* smudge: the input is no pointer, forward as it comes */
	struct lfs_hash hash;
	uint64_t len;
	char head[LFS_POINTER_MAX];
	size_t head_len;
};

static int lfs_filter_write(git_writestream *s, const char *buf, size_t len)
{
	struct lfs_filter_stream *f = (struct lfs_filter_stream *)s;

	if (f->to_odb && lfs_hash_update(&f->hash, buf, len) < 0)
		return -1;
	f->len += len;
	if (f->passing)
		return f->next->write(f->next, buf, len);
	if (f->head_len + len <= sizeof(f->head)) {
		memcpy(f->head + f->head_len, buf, len);
		f->head_len += len;
		return 0;
	}
	if (f->to_odb) {
		f->head_len = sizeof(f->head) + 1; /* marks: not a pointer */
		return 0;
	}
	f->passing = 1;
	if (f->next->write(f->next, f->head, f->head_len) < 0)
		return -1;
	return f->next->write(f->next, buf, len);
}

/* Copies the stored object into next; 0 also when it is not there (the pointer stays). */
static int lfs_filter_smudge(struct lfs_filter_stream *f, const struct lfs_pointer *p, int *done)
{
	char path[LFS_STORE_PATH_MAX], buf[LFS_FILTER_CHUNK];
	ssize_t n;
	int fd, rc = 0;

	*done = 0;
	if (!lfs_store_has(f->repo, p) || lfs_store_path(f->repo, p->oid, path, sizeof(path)) < 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	*done = 1;
	while (rc == 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			git_error_set_str(GIT_ERROR_OS, "reading an LFS object failed");
			rc = -1;
		} else {
			rc = f->next->write(f->next, buf, (size_t)n);
		}
	}
	close(fd);
	return rc;
}

static int lfs_filter_close(git_writestream *s)
{
	struct lfs_filter_stream *f = (struct lfs_filter_stream *)s;
	struct lfs_pointer p;
	char text[LFS_POINTER_MAX];
	int is_pointer =
		f->head_len <= sizeof(f->head) && lfs_pointer_parse(f->head, f->head_len, &p);
	int done = 0;

	if (f->to_odb && !is_pointer) {
		p.size = f->len;
		if (lfs_hash_final(&f->hash, p.oid) < 0) {
			git_error_set_str(GIT_ERROR_FILTER, "LFS: SHA-256 failed");
			return -1;
		}
		size_t n = lfs_pointer_format(&p, text, sizeof(text));

		if (f->next->write(f->next, text, n) < 0)
			return -1;
		return f->next->close(f->next);
	}
	if (!f->passing && !f->to_odb && is_pointer && lfs_filter_smudge(f, &p, &done) < 0)
		return -1;
	if (!f->passing && !done && f->next->write(f->next, f->head, f->head_len) < 0)
		return -1;
	return f->next->close(f->next);
}

static void lfs_filter_free(git_writestream *s)
{
	struct lfs_filter_stream *f = (struct lfs_filter_stream *)s;

	lfs_hash_release(&f->hash);
	free(f);
}

static int lfs_filter_stream(git_writestream **out, git_filter *self, void **payload,
			     const git_filter_source *src, git_writestream *next)
{
	struct lfs_filter_stream *f = calloc(1, sizeof(*f));

	(void)self;
	(void)payload;
	if (f == NULL) {
		git_error_set_oom();
		return -1;
	}
	f->parent.write = lfs_filter_write;
	f->parent.close = lfs_filter_close;
	f->parent.free = lfs_filter_free;
	f->next = next;
	f->repo = git_filter_source_repo(src);
	f->to_odb = git_filter_source_mode(src) == GIT_FILTER_TO_ODB;
	if (f->to_odb && lfs_hash_init(&f->hash) < 0) {
		free(f);
		git_error_set_oom();
		return -1;
	}
	*out = &f->parent;
	return 0;
}

static git_filter lfs_filter;

int lfs_filter_register(void)
{
	int rc;

	if ((rc = git_filter_init(&lfs_filter, GIT_FILTER_VERSION)) == 0) {
		lfs_filter.attributes = "filter=lfs";
		lfs_filter.stream = lfs_filter_stream;
		rc = git_filter_register("lfs", &lfs_filter, GIT_FILTER_DRIVER_PRIORITY);
	}
	if (rc < 0)
		return glm_error_set(GLM_EGIT, "cannot register the LFS filter: %s",
				     git_error_last() ? git_error_last()->message
						      : "libgit2 error");
	return 0;
}
