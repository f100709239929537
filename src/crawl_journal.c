/*
 * Journal records (crawl_journal.h).  Layout, little-endian as the host writes it
 * (the file never leaves the machine or the run):
 *   record: u32 magic, u32 payload length, u64 task, payload
 *   node:   u8 type, u8 flags, u8 archived, u8 empty_repo, u8 shared, u8 no_code, 2 pad,
 *           i64 id, i64 parent_id, then CRAWL_JOURNAL_NSTR strings as
 *           u32 length (UINT32_MAX = NULL) + bytes
 * The encoder and the decoder sit side by side so they cannot drift.
 */
#include "crawl_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#define CRAWL_JOURNAL_MAGIC 0x524a4c47u /* "GLJR" */
#define CRAWL_JOURNAL_NULL  UINT32_MAX

struct crawl_journal_header {
	uint32_t magic;
	uint32_t len;
	uint64_t task;
};

struct crawl_journal_fixed {
	uint8_t type, flags, archived, empty_repo, shared, no_code, pad[2];
	int64_t id, parent_id;
};

_Static_assert(sizeof(struct crawl_journal_header) == 16, "journal header layout");
_Static_assert(sizeof(struct crawl_journal_fixed) == 24, "journal node layout");

/* The strings of a node, in record order. */
static const size_t crawl_journal_str_offsets[] = {
	offsetof(struct node, name),	       offsetof(struct node, path),
	offsetof(struct node, full_path),      offsetof(struct node, web_url),
	offsetof(struct node, http_url),       offsetof(struct node, ssh_url),
	offsetof(struct node, default_branch), offsetof(struct node, last_activity_at),
};
#define CRAWL_JOURNAL_NSTR                                                                         \
	(sizeof(crawl_journal_str_offsets) / sizeof(crawl_journal_str_offsets[0]))

/* The i-th string field of n; the decoder fills it, the encoder only reads it. */
static char **crawl_journal_field(const struct node *n, size_t i)
{
	return (char **)(void *)((const char *)n + crawl_journal_str_offsets[i]);
}

static int crawl_journal_put(struct crawl_journal_record *rec, const void *data, size_t n)
{
	int err = buf_add(&rec->buf, data, n);

	if (err == GLM_ELIMIT)
		return glm_error_set(GLM_ELIMIT, "one listing gave more than %u MiB of results",
				     CRAWL_JOURNAL_MAX_RECORD >> 20);
	return err;
}

void crawl_journal_record_init(struct crawl_journal_record *rec)
{
	buf_init(&rec->buf, CRAWL_JOURNAL_MAX_RECORD + sizeof(struct crawl_journal_header));
	rec->task = 0;
}

void crawl_journal_record_begin(struct crawl_journal_record *rec, uint64_t task)
{
	struct crawl_journal_header h = { CRAWL_JOURNAL_MAGIC, 0, task };

	buf_reset(&rec->buf);
	rec->task = task;
	/* The header fits in the first allocation; a failure shows at commit. */
	if (crawl_journal_put(rec, &h, sizeof(h)) < 0)
		buf_reset(&rec->buf);
}

int crawl_journal_record_add(struct crawl_journal_record *rec, const struct node *node,
			     unsigned flags)
{
	struct crawl_journal_fixed f;
	size_t i;
	int err;

	memset(&f, 0, sizeof(f));
	f.type = (uint8_t)node->type;
	f.flags = (uint8_t)flags;
	f.archived = (uint8_t)node->archived;
	f.empty_repo = (uint8_t)node->empty_repo;
	f.shared = (uint8_t)node->shared;
	f.no_code = (uint8_t)node->no_code;
	f.id = node->id;
	f.parent_id = node->parent_id;
	if ((err = crawl_journal_put(rec, &f, sizeof(f))) < 0)
		return err;
	for (i = 0; i < CRAWL_JOURNAL_NSTR; i++) {
		const char *s = *crawl_journal_field(node, i);
		size_t len = s != NULL ? strlen(s) : 0;
		uint32_t l = s != NULL ? (uint32_t)len : CRAWL_JOURNAL_NULL;

		if (len > CRAWL_JOURNAL_MAX_STRING)
			return glm_error_set(GLM_ELIMIT, "a name or URL longer than %u bytes",
					     CRAWL_JOURNAL_MAX_STRING);
		if ((err = crawl_journal_put(rec, &l, sizeof(l))) < 0 ||
		    (s != NULL && (err = crawl_journal_put(rec, s, len)) < 0))
			return err;
	}
	return 0;
}

int crawl_journal_record_commit(struct crawl_journal_record *rec, int fd)
{
	struct crawl_journal_header h;
	size_t off = 0;
	ssize_t w;

	if (rec->buf.len < sizeof(h))
		return glm_error_set(GLM_ENOMEM, "out of memory");
	memcpy(&h, rec->buf.data, sizeof(h));
	h.len = (uint32_t)(rec->buf.len - sizeof(h));
	memcpy(rec->buf.data, &h, sizeof(h));
	/* One write() normally; a short write to a regular file is continued. */
	while (off < rec->buf.len) {
		w = write(fd, rec->buf.data + off, rec->buf.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return glm_error_errno(GLM_EIO, errno, "writing the crawl journal");
		off += (size_t)w;
	}
	crawl_journal_record_begin(rec, rec->task);
	return 0;
}

void crawl_journal_record_release(struct crawl_journal_record *rec)
{
	buf_release(&rec->buf);
}

static int crawl_journal_bad(const char *path, size_t off, const char *what)
{
	return glm_error_set(GLM_EPARSE, "crawl journal %s: %s at byte %zu", path, what, off);
}

/* Decodes one node at *off (within end); *out is the caller's. */
static int crawl_journal_decode_node(const unsigned char *buf, size_t *off, size_t end,
				     struct node **out, unsigned *flags)
{
	struct crawl_journal_fixed f;
	struct node *n;
	size_t i;
	uint32_t l;

	if (end - *off < sizeof(f))
		return GLM_EPARSE;
	memcpy(&f, buf + *off, sizeof(f));
	*off += sizeof(f);
	if (f.type != NODE_GROUP && f.type != NODE_PROJECT)
		return GLM_EPARSE;
	if ((n = node_new((enum node_type)f.type)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	n->id = f.id;
	n->parent_id = f.parent_id;
	n->archived = f.archived != 0;
	n->empty_repo = f.empty_repo != 0;
	n->shared = f.shared != 0;
	n->no_code = f.no_code != 0;
	*flags = f.flags;
	for (i = 0; i < CRAWL_JOURNAL_NSTR; i++) {
		char **field = crawl_journal_field(n, i);

		if (end - *off < sizeof(l))
			goto bad;
		memcpy(&l, buf + *off, sizeof(l));
		*off += sizeof(l);
		if (l == CRAWL_JOURNAL_NULL)
			continue;
		if (l > CRAWL_JOURNAL_MAX_STRING || end - *off < l ||
		    memchr(buf + *off, '\0', l) != NULL ||
		    (*field = strndup((const char *)buf + *off, l)) == NULL)
			goto bad;
		*off += l;
	}
	*out = n;
	return 0;
bad:
	node_free(n);
	return GLM_EPARSE;
}

static int crawl_journal_slurp(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t off = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return glm_error_errno(GLM_EIO, errno, "crawl journal %s", path);
	if (fstat(fd, &st) < 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return glm_error_set(GLM_ENOMEM, "crawl journal %s: cannot read it", path);
	}
	while (off < (size_t)st.st_size && (r = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)r;
	close(fd);
	*out = buf;
	*len = off;
	return 0;
}

int crawl_journal_read(const char *path, crawl_journal_node_fn fn, void *ctx)
{
	struct crawl_journal_header h;
	unsigned char *buf = NULL;
	size_t len = 0, off = 0, end;
	int err;

	if ((err = crawl_journal_slurp(path, &buf, &len)) < 0)
		return err;
	while (len - off >= sizeof(h)) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.magic != CRAWL_JOURNAL_MAGIC) {
			err = crawl_journal_bad(path, off, "bad record magic");
			goto out;
		}
		if (h.len > len - off - sizeof(h))
			break; /* torn by a crash: that task was done again elsewhere */
		end = off + sizeof(h) + h.len;
		off += sizeof(h);
		while (off < end) {
			struct node *n = NULL;
			unsigned flags = 0;

			if (crawl_journal_decode_node(buf, &off, end, &n, &flags) < 0) {
				err = crawl_journal_bad(path, off, "malformed node");
				goto out;
			}
			if ((err = fn(n, flags, h.task, ctx)) < 0)
				goto out;
		}
	}
out:
	free(buf);
	return err;
}
