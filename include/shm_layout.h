/*
 * Every structure that lives in shared memory, in one place.  Plain data
 * only: indices instead of pointers, fixed-size arrays instead of char *.
 * The region is mapped MAP_SHARED by the supervisor before it forks, so the
 * same addresses are valid in every worker.  Each section is owned by one
 * mechanism (named in its comment) and only that mechanism's functions
 * touch it, through a process-local handle.
 */
#ifndef GLM_SHM_LAYOUT_H
#define GLM_SHM_LAYOUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_MAGIC	   0x474c4d52u /* "GLMR" */
#define SHM_LAYOUT_VERSION 3
#define SHM_CACHELINE	   64

/* A robust, process-shared mutex (shm_lock.c), alone on its cache line. */
struct shm_lock {
	pthread_mutex_t mutex;
	uint32_t repairs; /* how often a dead holder's state was repaired */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(sizeof(struct shm_lock) % SHM_CACHELINE == 0, "shm_lock pads to a cache line");
_Static_assert(_Alignof(struct shm_lock) == SHM_CACHELINE, "shm_lock is cache-line aligned");

/* Start of every region (shm.c). */
struct shm_header {
	uint32_t magic;
	uint32_t version;
	uint64_t size; /* bytes mapped */
};

_Static_assert(sizeof(struct shm_header) == 16, "shm_header layout");

/* ---- rate limiter (ratelimit.c) -------------------------------------- */

#define SHM_RL_SLOTS 128 /* requests in flight tracked by pid (--api-concurrency <= 64) */

#define SHM_RL_CLASSES 6 /* endpoint classes (enum ratelimit_class, ratelimit.h) */

/*
 * The budget of one endpoint class (ratelimit_class.c): GitLab limits
 * some endpoints per user on their own (Gitlab::ApplicationRateLimiter),
 * in windows that open at the first request and last `interval_s`.
 */
struct shm_rl_class {
	double rate;	     /* tokens per second; 0 = no budget known, no limit */
	double burst;	     /* bucket size */
	double tokens;	     /* 0..burst */
	double interval_s;   /* the server's window for this endpoint */
	int64_t limit;	     /* requests per window, published or learned; 0 unknown */
	int64_t last_ns;     /* time of the last refill */
	int64_t pause_until; /* no request of the class starts before this (its own 429) */
	int64_t win_start;   /* the server's window as mirrored here; 0 none open */
	int64_t win_count;   /* requests granted in it */
	uint64_t requests;   /* tokens granted */
	uint64_t throttled;  /* 429s that were the endpoint's own */
	uint64_t pad;
};

_Static_assert(sizeof(struct shm_rl_class) == 96, "shm_rl_class layout");

/*
 * One token bucket shared by every API worker (ratelimit.c), and one per
 * endpoint class beside it.  Times are CLOCK_MONOTONIC nanoseconds, which
 * all processes of a run share.
 */
struct shm_ratelimit {
	struct shm_lock lock;
	double rate;	     /* tokens per second in force now */
	double rate_cap;     /* the configured (or adaptive) rate; rate never exceeds it */
	double burst;	     /* bucket size */
	double tokens;	     /* 0..burst */
	int64_t last_ns;     /* time of the last refill */
	int64_t pause_until; /* nobody starts a request before this (429) */
	int64_t last_429;    /* time of the last 429 while the rate is lowered; 0 none */
	int32_t adaptive;    /* no rate given: follow the server's headers */
	int32_t srv_limit;   /* RateLimit-Limit, -1 unknown */
	int64_t srv_remaining;
	int64_t srv_reset;  /* end of the server's window, monotonic; 0 unknown */
	uint64_t requests;  /* tokens granted */
	uint64_t throttled; /* 429 answers seen */
	uint64_t waits;	    /* times a worker slept for a token or a pause */
	uint64_t wait_ns;   /* slept for it, every worker together (atomic adds, no lock) */
	uint32_t in_flight;
	uint32_t max_in_flight;
	int32_t flight_pid[SHM_RL_SLOTS]; /* pid of each request in flight, 0 = free */
	struct shm_rl_class cls[SHM_RL_CLASSES];
};

_Static_assert(offsetof(struct shm_ratelimit, lock) == 0, "the lock leads the bucket");
_Static_assert(sizeof(struct shm_ratelimit) % SHM_CACHELINE == 0, "bucket pads to a cache line");
_Static_assert(offsetof(struct shm_ratelimit, cls) % 8 == 0, "class budgets are aligned");
_Static_assert(sizeof(struct shm_ratelimit) <= 2048, "bucket stays small");

/* ---- request counters (reqcount.c) ----------------------------------- */

/* The status classes of answers; SHM_ANSWER_NONE: no status line came. */
enum shm_answer_class {
	SHM_ANSWER_2XX,
	SHM_ANSWER_3XX,
	SHM_ANSWER_4XX,
	SHM_ANSWER_5XX,
	SHM_ANSWER_NONE,
	SHM_ANSWER_CLASSES
};

/*
 * What the workers' requests came to, for --metrics.  Only ever added to,
 * with atomic adds and no lock: a worker that dies between two adds leaves
 * nothing to repair.
 */
struct shm_reqcount {
	uint64_t answers[SHM_ANSWER_CLASSES]; /* tries by the class of their answer */
	uint64_t throttled;		      /* answers 429 (in answers[SHM_ANSWER_4XX] too) */
	uint64_t retries;		      /* tries sent again after a failed or throttled one */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(sizeof(struct shm_reqcount) == SHM_CACHELINE, "reqcount fills one cache line");

/* ---- API work queue (crawl_queue.c) ---------------------------------------- */

#define CRAWL_QUEUE_REF_MAX    1024 /* a --group path, a search term or a next-page API path */
#define CRAWL_QUEUE_FATAL_MAX  512
#define CRAWL_QUEUE_CAPACITY   200000 /* tasks of one crawl; ~200 MiB reserved, touched lazily */
#define CRAWL_QUEUE_MAX_TRIES  3      /* a task that killed this many workers fails */
#define CRAWL_QUEUE_MAX_CLOSED 30     /* a task its endpoint refused this often (own 429s) fails */

enum crawl_queue_state {
	CRAWL_QUEUE_FREE,
	CRAWL_QUEUE_READY,
	CRAWL_QUEUE_CLAIMED,
	CRAWL_QUEUE_DONE,
	CRAWL_QUEUE_FAILED
};
enum crawl_queue_kind {
	CRAWL_QUEUE_PREFLIGHT, /* GET /user: is this a GitLab, is the token good; seeds the rest */
	CRAWL_QUEUE_TOP,       /* GET /groups?top_level_only=true, or ?search=ref (any level) */
	CRAWL_QUEUE_GROUP,     /* GET /groups/:ref (--group) */
	CRAWL_QUEUE_DESCENDANTS,   /* GET /groups/:id/descendant_groups */
	CRAWL_QUEUE_PROJECTS,	   /* GET /groups/:id/projects?include_subgroups=true */
	CRAWL_QUEUE_SHARED,	   /* GET /groups/:id/projects/shared (-s) */
	CRAWL_QUEUE_USER_PROJECTS, /* GET /users/:id/projects (-U) */
};
/* What crawl_settle.c concluded of a listing, kept on its first page. */
enum crawl_queue_listing_mark {
	CRAWL_QUEUE_LISTING_OK,	       /* its pages count */
	CRAWL_QUEUE_LISTING_REREAD,    /* it changed while read; a later read replaces it */
	CRAWL_QUEUE_LISTING_UNSETTLED, /* it kept changing; its pages count, reported as failed */
};
enum crawl_queue_stop {
	CRAWL_QUEUE_RUNNING,
	CRAWL_QUEUE_STOP_FAILFAST,
	CRAWL_QUEUE_STOP_AUTH,
	CRAWL_QUEUE_STOP_CONNECT
};

/* One listing (or one page of it) to fetch. */
struct crawl_queue_task {
	uint32_t state;	  /* enum crawl_queue_state */
	uint32_t kind;	  /* enum crawl_queue_kind */
	int32_t pid;	  /* the worker holding it while CLAIMED */
	uint32_t tries;	  /* claims so far */
	int64_t id;	  /* the group or user the listing belongs to */
	int64_t page;	  /* page number; 0 = follow ref, an API path from the previous page */
	int64_t chain;	  /* pages after page 1 (-1: queued by it); the endless-pagination guard */
	uint32_t listing; /* slot of this listing's first page (set by crawl_queue.c) */
	uint16_t rereads; /* times the listing was read again because it changed */
	uint8_t mark;	  /* first page only: enum crawl_queue_listing_mark */
	uint8_t unsorted; /* DONE: the answer's ids were not ascending */
	/* What the answer held, once DONE (crawl_settle.c checks the pages fit): */
	int64_t total;	/* X-Total, -1 when absent */
	int64_t items;	/* array length */
	int64_t min_id; /* smallest and largest item id; 0 without items */
	int64_t max_id;
	char ref[CRAWL_QUEUE_REF_MAX];
	uint32_t closed; /* times given back because its endpoint was closed (own 429) */
	uint32_t pad;
};

_Static_assert(sizeof(struct crawl_queue_task) == 88 + CRAWL_QUEUE_REF_MAX,
	       "crawl_queue_task layout");
_Static_assert(offsetof(struct crawl_queue_task, total) == 48, "crawl_queue_task results offset");
_Static_assert(sizeof(struct crawl_queue_task) % 8 == 0, "queue tasks pack");

/* The queue's shared state; the task array follows the crawl region's fixed part. */
struct crawl_queue_shm {
	struct shm_lock lock;
	pthread_cond_t cond; /* broadcast when a task becomes READY, or the crawl ends */
	uint64_t capacity;
	uint64_t ntasks; /* slots [0, ntasks) are in use */
	uint64_t ready;	 /* counts by state, repaired from the slots after a death */
	uint64_t claimed;
	uint64_t done;
	uint64_t failed;
	uint64_t claims;      /* tasks handed out so far (the test hooks count them) */
	uint64_t first_ready; /* no READY slot below this index */
	uint64_t groups;      /* found so far, for the progress line */
	uint64_t projects;
	uint32_t stop; /* enum crawl_queue_stop */
	uint32_t pad;
	char fatal[CRAWL_QUEUE_FATAL_MAX]; /* why the crawl stopped (auth, connection) */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(offsetof(struct crawl_queue_shm, lock) == 0, "the lock leads the queue");
_Static_assert(sizeof(struct crawl_queue_shm) % SHM_CACHELINE == 0, "queue pads to a cache line");

/* The crawl's region: header, bucket, counters, queue, then CRAWL_QUEUE_CAPACITY tasks. */
struct crawl_shm {
	struct shm_header header;
	struct shm_ratelimit rl __attribute__((aligned(SHM_CACHELINE)));
	struct shm_reqcount counts; /* the API requests */
	struct crawl_queue_shm queue;
	struct crawl_queue_task tasks[];
};

_Static_assert(offsetof(struct crawl_shm, rl) % SHM_CACHELINE == 0, "bucket on its own line");
_Static_assert(offsetof(struct crawl_shm, counts) % SHM_CACHELINE == 0, "counters on their line");
_Static_assert(offsetof(struct crawl_shm, tasks) % SHM_CACHELINE == 0, "tasks start a line");

/* ---- sync queue and progress (sync_queue.c) -------------------------- */

#define SYNC_REASON_MAX 200 /* bytes of a result's reason, NUL included */

enum sync_slot_state { SYNC_SLOT_PENDING, SYNC_SLOT_RUNNING, SYNC_SLOT_DONE };
enum sync_action { SYNC_ACT_NONE, SYNC_ACT_CLONE, SYNC_ACT_UPDATE, SYNC_ACT_FETCH, SYNC_ACT_PRUNE };
enum sync_result {
	SYNC_RES_NONE,
	SYNC_RES_CLONED,
	SYNC_RES_UPDATED,
	SYNC_RES_UNCHANGED,
	SYNC_RES_SKIPPED,
	SYNC_RES_FAILED,
	SYNC_RES_ORPHANED, /* a folder the last run mirrored that this run's tree no longer has */
	SYNC_RES_PRUNED,   /* such a folder, moved to the trash (--prune) */
};

/*
 * One project of the sync.  The project itself (URLs, folder) is in the
 * tree every worker inherited at fork; the slot's index is its position in
 * the supervisor's project list.
 */
struct sync_slot {
	uint32_t state;	      /* enum sync_slot_state */
	int32_t pid;	      /* the worker holding it while RUNNING */
	uint32_t tries;	      /* times handed out (a dead worker's project is tried twice) */
	uint32_t action;      /* enum sync_action, set by the worker */
	uint32_t result;      /* enum sync_result, once DONE */
	uint32_t lfs_objects; /* Git LFS objects downloaded */
	uint64_t bytes;	      /* received from the server, LFS objects included */
	int64_t duration_ms;  /* of the last try */
	char reason[SYNC_REASON_MAX]; /* why skipped or failed; "" otherwise */
	uint64_t lfs_bytes;	      /* of those Git LFS objects */
};

_Static_assert(sizeof(struct sync_slot) == 248, "sync_slot layout");
_Static_assert(offsetof(struct sync_slot, reason) == 40, "sync_slot reason offset");

/* Followed in the mapping by nslots struct sync_slot. */
struct sync_queue_shm {
	struct shm_lock lock;
	uint64_t nslots;
	uint64_t next;	  /* lowest index that may still be PENDING */
	uint64_t claims;  /* projects handed out so far (the test hook counts them) */
	uint64_t done;	  /* slots DONE */
	uint32_t cloning; /* RUNNING slots by action */
	uint32_t updating;
	uint64_t failed;    /* DONE with SYNC_RES_FAILED */
	uint32_t disk_full; /* a worker hit "no space left" under DEST: nothing new starts */
	uint32_t pad;
	uint64_t bytes; /* received by every worker, updated while transferring */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(offsetof(struct sync_queue_shm, lock) == 0, "the lock leads the queue");
_Static_assert(sizeof(struct sync_queue_shm) % SHM_CACHELINE == 0, "queue pads to a cache line");
_Static_assert(sizeof(struct sync_slot) % _Alignof(struct sync_slot) == 0, "slots pack");

/*
 * The sync's region (sync_queue.c maps it): header, the sync workers' rate
 * limiter, the counters of the git and Git LFS requests' retries, the
 * queue, then its slots.  Clones, fetches and Git LFS requests (lfs_http.c)
 * take their turns from the limiter; its only rate is what the RateLimit-*
 * headers of LFS answers allow, and a 429 to any of them stops every worker
 * from starting one until Retry-After (the crawl's bucket is unmapped by
 * then, and with -f there is none).
 */
struct sync_shm {
	struct shm_header header;
	struct shm_ratelimit rl __attribute__((aligned(SHM_CACHELINE)));
	struct shm_reqcount counts;
	struct sync_queue_shm queue;
	struct sync_slot slots[];
};

_Static_assert(offsetof(struct sync_shm, rl) % SHM_CACHELINE == 0, "bucket on its own line");
_Static_assert(offsetof(struct sync_shm, counts) % SHM_CACHELINE == 0, "counters on their line");
_Static_assert(offsetof(struct sync_shm, queue) % SHM_CACHELINE == 0, "queue on its own line");
_Static_assert(offsetof(struct sync_shm, slots) % _Alignof(struct sync_slot) == 0, "slots align");

#endif
