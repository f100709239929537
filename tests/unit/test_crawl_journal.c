/* journal: records written with one write() read back; a torn tail is dropped, garbage refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "crawl_journal.h"
#include "tree.h"

struct seen {
	long long ids[16];
	unsigned flags[16];
	int n;
};

static int collect(struct node *node, unsigned flags, uint64_t task, void *ctx)
{
	(void)task;
	struct seen *s = ctx;

	if (s->n < 16) {
		s->ids[s->n] = node->id;
		s->flags[s->n] = flags;
		s->n++;
	}
	node_free(node);
	return 0;
}

static struct node *group(long long id, const char *name)
{
	struct node *n = node_new(NODE_GROUP);

	assert_non_null(n);
	n->id = id;
	assert_int_equal(node_set(&n->name, name), 0);
	assert_int_equal(node_set(&n->path, name), 0);
	assert_int_equal(node_set(&n->full_path, name), 0);
	return n;
}

/* Two tasks' records in a fresh file; returns its size after the first one. */
static off_t write_two(const char *path)
{
	struct crawl_journal_record rec;
	struct node *a = group(1, "Grün 日本"), *b = group(2, "b"), *c = group(3, "c");
	off_t first;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	crawl_journal_record_init(&rec);
	crawl_journal_record_begin(&rec, 0);
	assert_int_equal(crawl_journal_record_add(&rec, a, CRAWL_JOURNAL_TOP), 0);
	assert_int_equal(crawl_journal_record_add(&rec, b, 0), 0);
	assert_int_equal(crawl_journal_record_commit(&rec, fd), 0);
	first = lseek(fd, 0, SEEK_CUR);
	crawl_journal_record_begin(&rec, 1);
	assert_int_equal(crawl_journal_record_add(&rec, c, 0), 0);
	assert_int_equal(crawl_journal_record_commit(&rec, fd), 0);
	crawl_journal_record_release(&rec);
	close(fd);
	node_free(a);
	node_free(b);
	node_free(c);
	return first;
}

static void test_round_trip(void **state)
{
	char path[] = "/tmp/glm-journal-XXXXXX";
	struct seen s;

	(void)state;
	close(mkstemp(path));
	write_two(path);
	memset(&s, 0, sizeof(s));
	assert_int_equal(crawl_journal_read(path, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], 1);
	assert_int_equal(s.flags[0], CRAWL_JOURNAL_TOP);
	assert_int_equal(s.ids[2], 3);
	unlink(path);
}

/* A worker killed in the middle of its write leaves a short last record. */
static void test_torn_tail_is_dropped(void **state)
{
	char path[] = "/tmp/glm-journal-XXXXXX";
	struct stat st;
	struct seen s;
	off_t first;

	(void)state;
	close(mkstemp(path));
	first = write_two(path);
	assert_int_equal(stat(path, &st), 0);
	for (off_t cut = first + 1; cut < st.st_size; cut += 7) {
		write_two(path); /* truncate() cannot grow it back without zeros */
		assert_int_equal(truncate(path, cut), 0);
		memset(&s, 0, sizeof(s));
		if (crawl_journal_read(path, collect, &s) != 0)
			fail_msg("cut at %lld of %lld (first %lld): %s", (long long)cut,
				 (long long)st.st_size, (long long)first, glm_error_msg());
		assert_int_equal(s.n, 2);
	}
	unlink(path);
}

static void test_garbage_is_refused(void **state)
{
	char path[] = "/tmp/glm-journal-XXXXXX";
	struct seen s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_int_equal(write(fd, "this is not a journal at all, not even close", 44), 44);
	close(fd);
	memset(&s, 0, sizeof(s));
	assert_int_equal(crawl_journal_read(path, collect, &s), GLM_EPARSE);
	assert_int_equal(s.n, 0);
	unlink(path);
}

static int keep(struct node *node, unsigned flags, uint64_t task, void *ctx)
{
	(void)task;
	struct node **out = ctx;

	(void)flags;
	if (*out != NULL) {
		node_free(node);
		return glm_error_set(GLM_ELIMIT, "one node expected");
	}
	*out = node;
	return 0;
}

/* Every field of a project survives, NULL and "" stay apart. */
static void test_project_fields_round_trip(void **state)
{
	char path[] = "/tmp/glm-journal-XXXXXX";
	struct crawl_journal_record rec;
	struct node *p = node_new(NODE_PROJECT), *got = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0 && p != NULL);
	p->id = 7;
	p->parent_id = 9;
	p->archived = p->shared = 1;
	assert_int_equal(node_set(&p->name, "Lac de données"), 0);
	assert_int_equal(node_set(&p->path, ""), 0);
	assert_int_equal(node_set(&p->full_path, "équipe/sous groupe/x.y"), 0);
	assert_int_equal(node_set(&p->http_url, "http://h/équipe/x.y.git"), 0);
	assert_int_equal(node_set(&p->last_activity_at, "2020-01-01T00:00:00Z"), 0);
	crawl_journal_record_init(&rec);
	crawl_journal_record_begin(&rec, 3);
	assert_int_equal(crawl_journal_record_add(&rec, p, 0), 0);
	assert_int_equal(crawl_journal_record_commit(&rec, fd), 0);
	crawl_journal_record_release(&rec);
	close(fd);
	assert_int_equal(crawl_journal_read(path, keep, &got), 0);
	assert_non_null(got);
	assert_int_equal(got->type, NODE_PROJECT);
	assert_int_equal(got->id, 7);
	assert_int_equal(got->parent_id, 9);
	assert_true(got->archived && got->shared && !got->empty_repo);
	assert_string_equal(got->name, "Lac de données");
	assert_string_equal(got->path, "");
	assert_string_equal(got->full_path, "équipe/sous groupe/x.y");
	assert_string_equal(got->http_url, "http://h/équipe/x.y.git");
	assert_string_equal(got->last_activity_at, "2020-01-01T00:00:00Z");
	assert_null(got->default_branch);
	assert_null(got->ssh_url);
	node_free(got);
	node_free(p);
	unlink(path);
}

/* A complete record whose node is damaged is an error, not a short read. */
static void test_damaged_node_is_refused(void **state)
{
	char path[] = "/tmp/glm-journal-XXXXXX";
	unsigned char buf[4096];
	struct seen s;
	ssize_t n;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_two(path);
	fd = open(path, O_RDWR);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 17);
	buf[16] = 0x7f; /* the first node's type, right after the 16-byte record header */
	assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
	close(fd);
	memset(&s, 0, sizeof(s));
	assert_int_equal(crawl_journal_read(path, collect, &s), GLM_EPARSE);
	assert_non_null(strstr(glm_error_msg(), "malformed node"));
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(crawl_journal_read("/nonexistent/journal", collect, &s), GLM_EIO);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_torn_tail_is_dropped),
		cmocka_unit_test(test_garbage_is_refused),
		cmocka_unit_test(test_project_fields_round_trip),
		cmocka_unit_test(test_damaged_node_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
