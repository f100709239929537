/*
 * The process pool under both kinds of worker (in the spirit of git's
 * run_processes_parallel): forks up to n children of one role, names each
 * after its role and index, reaps them, hands a dead child's work back
 * through the role's callback, forks a replacement while the work needs
 * one, gives up on a crash loop, and forwards a stop to the children.
 * Runs in the supervisor; the children are the API workers (crawl.c) and
 * the sync workers (sync.c).
 */
#ifndef GLM_POOL_H
#define GLM_POOL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --concurrency's top; --api-concurrency stops lower (options.c). */
#define POOL_MAX_WORKERS 128

struct pool;

/* What a child is told about itself. */
struct pool_child {
	int index; /* its slot, 0..n-1: in its log role and process name */
	/* Test hook GLMIRROR_TEST_<ROLE>_DIE: the claim at which it kills itself; 0 none. */
	long die_claim;
};

/* What the role says at each look the pool takes (after every wake-up). */
struct pool_tick {
	size_t want;	  /* children the work has use for now; 0 when there is none */
	size_t max_forks; /* forks in all before the pool calls it a crash loop */
	int stop;	  /* the role's own reason to stop its children (a signal is the other) */
};

/* The child's entry point; it ends its process itself (a return is a bug). */
typedef void pool_main_fn(void *ctx, const struct pool_child *child);
/* Each look: progress, and what the work needs (t is zeroed first); < 0 stops the pool. */
typedef int pool_tick_fn(void *ctx, const struct pool *p, struct pool_tick *t);
/* Child index (pid) ended with status (as waitpid says): what it held goes back. */
typedef void pool_died_fn(void *ctx, int index, pid_t pid, int status);
/* Just before the children get SIGTERM, once. */
typedef void pool_stopping_fn(void *ctx);

struct pool_role {
	const char *name;     /* "api": log role api-3, process glm-api-3, GLMIRROR_TEST_API_DIE */
	const char *title;    /* "API worker", in the log */
	const char *requeued; /* what the log line about a death says became of its work */
	int tick_ms;	      /* the longest sleep between two looks */
	pool_main_fn *main;   /* never NULL */
	pool_tick_fn *tick;   /* never NULL */
	pool_died_fn *died;   /* never NULL */
	pool_stopping_fn *stopping; /* NULL: nothing to do before the SIGTERM */
};

struct pool {
	const struct pool_role *role; /* borrowed */
	void *ctx;		      /* borrowed; every callback gets it */
	int n;			      /* children at most, 1..POOL_MAX_WORKERS */
	pid_t parent;		      /* the supervisor: a child checks it is still there */
	long die_claim;		      /* GLMIRROR_TEST_<ROLE>_DIE */
	sigset_t child_mask;	      /* the signal mask children run with */
	pid_t pid[POOL_MAX_WORKERS];  /* 0: free */
	int alive;
	size_t forks;  /* every fork, replacements included */
	size_t deaths; /* children that died of a signal or failed, not while stopping */
	int stopped;   /* SIGTERM forwarded: no more forks */
};

/* n is clamped to 1..POOL_MAX_WORKERS.  Reads the role's test hook. */
void pool_init(struct pool *p, const struct pool_role *role, void *ctx, int n);
/*
 * Forks, reaps and replaces children until none is alive and the work
 * wants none, sleeping in between (signals_wait_child).  Can run again
 * (the counters go on).  Errors: a fork that fails, a crash loop, the
 * tick's error; the children are then stopped and reaped before it returns.
 */
int pool_run(struct pool *p);
/* "died of signal 9 (Killed)" or "exited with 1", for status as waitpid gives it. */
void pool_status_text(int status, char *buf, size_t size);
/* In a child: 1 when claim is the one the role's test hook names. */
int pool_child_dies_at(const struct pool_child *child, uint64_t claim);

#endif
