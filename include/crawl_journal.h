/*
 * How an API worker hands its results to the supervisor so that a crash
 * cannot corrupt them: each worker appends to its own file, one record per
 * finished task, written with a single write().  A record is a header
 * (magic, length, task index) and the task's nodes; a crash mid-write
 * leaves a short last record, which the reader drops (the task is done
 * again by another worker, whose record then counts).
 */
#ifndef GLM_CRAWL_JOURNAL_H
#define GLM_CRAWL_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "tree.h"

#define CRAWL_JOURNAL_MAX_RECORD (256u << 20) /* bytes of one task's nodes */
#define CRAWL_JOURNAL_MAX_STRING (64u << 10)

/* Node flags carried beside the node's own fields. */
#define CRAWL_JOURNAL_TOP 1u /* a group at the top of the tree (GET /groups, --group, -U) */

/* One task's nodes, built by a worker; owns its buffer. */
struct crawl_journal_record {
	struct buf buf; /* header and nodes, capped at CRAWL_JOURNAL_MAX_RECORD of nodes */
	uint64_t task;
};

/* Once, before the first crawl_journal_record_begin. */
void crawl_journal_record_init(struct crawl_journal_record *rec);
void crawl_journal_record_begin(struct crawl_journal_record *rec, uint64_t task);
int crawl_journal_record_add(struct crawl_journal_record *rec, const struct node *node,
			     unsigned flags);
/* Appends the record to fd with one write(); the record is reset for reuse. */
int crawl_journal_record_commit(struct crawl_journal_record *rec, int fd);
void crawl_journal_record_release(struct crawl_journal_record *rec);

/*
 * Reads every complete record of the file at path and calls fn for each
 * node (stolen by fn, which must free it on error) with the task slot that
 * found it.  A torn last record is dropped; anything else malformed is
 * GLM_EPARSE.
 */
typedef int (*crawl_journal_node_fn)(struct node *node, unsigned flags, uint64_t task, void *ctx);
int crawl_journal_read(const char *path, crawl_journal_node_fn fn, void *ctx);

#endif
