#include "ratelimit.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "monoclock.h"
#include "retry.h"
#include "shm.h"
#include "signals.h"

#define RL_NS		   MONOCLOCK_NS_PER_S
#define RL_MAX_RESET_S	   3600		/* a window the server says ends later is not believed */
#define RL_RECOVER_NS	   (60 * RL_NS) /* after a quiet minute, a halved rate doubles again */
#define RL_SAME_WINDOW_NS  (RL_NS + RL_NS / 2) /* reset times 1 s apart name one window */
#define RL_EPOCH_THRESHOLD 1000000000LL /* RateLimit-Reset below this is seconds, not a time */

int ratelimit_init(struct shm_ratelimit *rl, double rate_per_s, double burst)
{
	int rc;

	memset(rl, 0, sizeof(*rl));
	if ((rc = shm_lock_init(&rl->lock)) < 0)
		return glm_error_prefix("rate limiter");
	rl->adaptive = !(rate_per_s > 0);
	rl->rate_cap = rl->adaptive ? RATELIMIT_ADAPT_RATE : rate_per_s;
	if (burst > 0)
		rl->burst = burst;
	else if (rl->adaptive)
		rl->burst = RATELIMIT_ADAPT_BURST;
	else
		rl->burst = rate_per_s < 1 ? 1 : rate_per_s > 10 ? 10 : rate_per_s;
	rl->rate = rl->rate_cap;
	rl->tokens = rl->burst;
	rl->last_ns = monoclock_ns();
	rl->srv_limit = -1;
	rl->srv_remaining = -1;
	for (int i = 0; i < RL_CLASS_COUNT; i++)
		ratelimit_class_init(&rl->cls[i], (enum ratelimit_class)i, rl->last_ns);
	return 0;
}

static int ratelimit_pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/*
 * A process died holding the lock, possibly halfway through an update:
 * bring every field back into its range and recount the requests in flight
 * from the pids that are still alive.
 */
static void ratelimit_repair(void *ctx)
{
	struct shm_ratelimit *rl = ctx;
	int64_t now = monoclock_ns();
	uint32_t n = 0;
	int i;

	if (!isfinite(rl->rate_cap) || rl->rate_cap <= 0)
		rl->rate_cap = RATELIMIT_ADAPT_RATE;
	if (!isfinite(rl->burst) || rl->burst < 1)
		rl->burst = 1;
	if (!isfinite(rl->rate) || rl->rate < RATELIMIT_MIN_RATE || rl->rate > rl->rate_cap)
		rl->rate = rl->rate_cap;
	if (!isfinite(rl->tokens) || rl->tokens < 0)
		rl->tokens = 0;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
	if (rl->last_ns > now)
		rl->last_ns = now;
	if (rl->last_429 > now)
		rl->last_429 = 0;
	if (rl->pause_until > now + (int64_t)RETRY_MAX_PAUSE_S * RL_NS)
		rl->pause_until = now;
	for (i = 0; i < RL_CLASS_COUNT; i++)
		ratelimit_class_repair(&rl->cls[i], (enum ratelimit_class)i, now);
	for (i = 0; i < SHM_RL_SLOTS; i++) {
		if (rl->flight_pid[i] != 0 && !ratelimit_pid_alive(rl->flight_pid[i]))
			rl->flight_pid[i] = 0;
		if (rl->flight_pid[i] != 0)
			n++;
	}
	rl->in_flight = n;
}

static int ratelimit_lock(struct shm_ratelimit *rl)
{
	if (shm_lock_enter(&rl->lock, ratelimit_repair, rl) < 0)
		return glm_error_prefix("rate limiter");
	return 0;
}

/* Adds the tokens earned since the last refill; ends the server's window when it is over. */
static void ratelimit_refill(struct shm_ratelimit *rl, int64_t now)
{
	if (rl->srv_reset != 0 && now >= rl->srv_reset) {
		rl->rate = rl->rate_cap;
		rl->srv_reset = 0;
		rl->srv_remaining = -1;
	}
	/* Without a server window to go by, a rate halved by 429s recovers step by step. */
	if (rl->last_429 != 0 && rl->srv_reset == 0 && now - rl->last_429 >= RL_RECOVER_NS) {
		rl->rate = rl->rate * 2 < rl->rate_cap ? rl->rate * 2 : rl->rate_cap;
		rl->last_429 = rl->rate < rl->rate_cap ? now : 0;
	}
	if (now <= rl->last_ns)
		return;
	rl->tokens += rl->rate * (double)(now - rl->last_ns) / (double)RL_NS;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
	rl->last_ns = now;
}

static void ratelimit_mark_flight(struct shm_ratelimit *rl)
{
	int i;

	for (i = 0; i < SHM_RL_SLOTS; i++) {
		if (rl->flight_pid[i] == 0) {
			rl->flight_pid[i] = (int32_t)getpid();
			break;
		}
	}
	rl->in_flight++;
	if (rl->in_flight > rl->max_in_flight)
		rl->max_in_flight = rl->in_flight;
}

/* Under the lock: nanoseconds until the shared bucket lets a request start; 0 = now. */
static int64_t ratelimit_wait(const struct shm_ratelimit *rl, int64_t now_ns)
{
	int64_t wait;

	if (now_ns < rl->pause_until)
		return rl->pause_until - now_ns;
	if (rl->tokens >= 1)
		return 0;
	/* Sleep until the token is due; +1 ns so truncation cannot wake us early. */
	wait = (int64_t)((1 - rl->tokens) / rl->rate * (double)RL_NS) + 1;
	/*
	 * A rate cut for this server window, or by a 429, goes back up at the
	 * window's reset or after RL_RECOVER_NS: never sleep past that at the
	 * low rate (it may be RATELIMIT_MIN_RATE, 1,000 s a token).
	 */
	if (rl->srv_reset != 0 && now_ns + wait > rl->srv_reset)
		wait = rl->srv_reset - now_ns + 1;
	else if (rl->last_429 != 0 && now_ns + wait > rl->last_429 + RL_RECOVER_NS)
		wait = rl->last_429 + RL_RECOVER_NS - now_ns + 1;
	return wait;
}

int ratelimit_acquire_class_at(struct shm_ratelimit *rl, enum ratelimit_class cls, int64_t now_ns,
			       int64_t *wait_ns)
{
	struct shm_rl_class *c = &rl->cls[(unsigned)cls < RL_CLASS_COUNT ? cls : RL_CLASS_OTHER];
	int64_t cw;
	int rc;

	*wait_ns = 0;
	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	ratelimit_refill(rl, now_ns);
	ratelimit_class_refill(c, now_ns);
	/* Both budgets must allow it; a token is taken from neither until both do. */
	*wait_ns = ratelimit_wait(rl, now_ns);
	cw = ratelimit_class_wait(c, now_ns);
	if (cw > *wait_ns)
		*wait_ns = cw;
	if (*wait_ns == 0) {
		rl->tokens -= 1;
		rl->requests++;
		ratelimit_class_take(c, now_ns);
		ratelimit_mark_flight(rl);
		rc = 0;
	} else {
		rl->waits++;
		rc = 1;
	}
	shm_lock_leave(&rl->lock);
	return rc;
}

int ratelimit_acquire_at(struct shm_ratelimit *rl, int64_t now_ns, int64_t *wait_ns)
{
	return ratelimit_acquire_class_at(rl, RL_CLASS_OTHER, now_ns, wait_ns);
}

int ratelimit_acquire(struct shm_ratelimit *rl)
{
	return ratelimit_acquire_class(rl, RL_CLASS_OTHER);
}

/* The wait since slept_from (0: none) is over: adds it to everybody's total. */
static void ratelimit_count_wait(struct shm_ratelimit *rl, int64_t slept_from)
{
	if (slept_from != 0)
		__atomic_fetch_add(&rl->wait_ns, (uint64_t)(monoclock_ns() - slept_from),
				   __ATOMIC_RELAXED);
}

int ratelimit_acquire_class(struct shm_ratelimit *rl, enum ratelimit_class cls)
{
	int64_t now, wait, slept_from = 0;
	struct timespec until;
	int rc;

	if (rl == NULL)
		return 0;
	for (;;) {
		if (signals_stopping()) {
			ratelimit_count_wait(rl, slept_from);
			return glm_error_set(GLM_EINTR,
					     "interrupted while waiting for the rate limit");
		}
		now = monoclock_ns();
		if ((rc = ratelimit_acquire_class_at(rl, cls, now, &wait)) <= 0) {
			ratelimit_count_wait(rl, slept_from);
			return rc;
		}
		if (slept_from == 0)
			slept_from = now;
		until.tv_sec = (now + wait) / RL_NS;
		until.tv_nsec = (now + wait) % RL_NS;
		/* EINTR: the loop checks for a stop; anything else re-reads the bucket. */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	}
}

/* Frees one in-flight mark of pid; 1 when there was one. */
static int ratelimit_unmark(struct shm_ratelimit *rl, pid_t pid)
{
	int i;

	for (i = 0; i < SHM_RL_SLOTS; i++) {
		if (rl->flight_pid[i] == (int32_t)pid) {
			rl->flight_pid[i] = 0;
			return 1;
		}
	}
	return 0;
}

void ratelimit_done(struct shm_ratelimit *rl)
{
	if (rl == NULL || ratelimit_lock(rl) < 0)
		return;
	ratelimit_unmark(rl, getpid());
	if (rl->in_flight > 0)
		rl->in_flight--;
	shm_lock_leave(&rl->lock);
}

void ratelimit_reap(struct shm_ratelimit *rl, pid_t pid)
{
	if (rl == NULL || ratelimit_lock(rl) < 0)
		return;
	while (ratelimit_unmark(rl, pid))
		if (rl->in_flight > 0)
			rl->in_flight--;
	shm_lock_leave(&rl->lock);
}

int ratelimit_observe_at(struct shm_ratelimit *rl, int64_t now_ns, long limit, long long remaining,
			 int64_t reset_ns)
{
	double secs, avail, budget_rate;
	int rc;

	if (remaining < 0 || reset_ns <= now_ns)
		return 0;
	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	ratelimit_refill(rl, now_ns);
	/* Answers arrive out of order: within one window the lowest count is the newest. */
	if (rl->srv_reset != 0 && reset_ns < rl->srv_reset - RL_SAME_WINDOW_NS)
		goto out;
	if (rl->srv_reset != 0 && reset_ns <= rl->srv_reset + RL_SAME_WINDOW_NS) {
		if (remaining < rl->srv_remaining)
			rl->srv_remaining = remaining;
		if (reset_ns > rl->srv_reset)
			rl->srv_reset = reset_ns;
	} else {
		rl->srv_remaining = remaining;
		rl->srv_reset = reset_ns;
	}
	rl->srv_limit = limit > INT32_MAX ? INT32_MAX : (int32_t)limit;
	/* Requests already sent may not be counted yet by the server. */
	avail = (double)rl->srv_remaining - (double)rl->in_flight;
	if (avail < 1) {
		rl->tokens = 0;
		if (rl->pause_until < rl->srv_reset)
			rl->pause_until = rl->srv_reset;
		goto out;
	}
	if (rl->tokens > avail)
		rl->tokens = avail;
	/* What is in the bucket plus what it earns until the reset must fit the budget. */
	secs = (double)(rl->srv_reset - now_ns) / (double)RL_NS;
	budget_rate = (avail - (rl->tokens > 0 ? rl->tokens : 0)) / secs;
	if (budget_rate < RATELIMIT_MIN_RATE)
		budget_rate = RATELIMIT_MIN_RATE;
	rl->rate = budget_rate < rl->rate_cap ? budget_rate : rl->rate_cap;
out:
	shm_lock_leave(&rl->lock);
	return 0;
}

double ratelimit_reset_seconds(long long reset)
{
	struct timespec wall;

	if (reset < 0)
		return -1;
	if (reset < RL_EPOCH_THRESHOLD)
		return (double)reset;
	clock_gettime(CLOCK_REALTIME, &wall);
	return (double)reset - ((double)wall.tv_sec + (double)wall.tv_nsec / 1e9);
}

double ratelimit_pause_seconds(double retry_after, long long reset, double backoff_s)
{
	double s = ratelimit_reset_seconds(reset);

	if (retry_after >= 0)
		s = retry_after;
	else if (s <= 0)
		s = backoff_s;
	if (s < 1)
		s = 1;
	return s > RETRY_MAX_PAUSE_S ? RETRY_MAX_PAUSE_S : s;
}

int ratelimit_observe(struct shm_ratelimit *rl, long limit, long long remaining,
		      long long reset_epoch)
{
	int64_t now;
	double in_s;

	if (rl == NULL || remaining < 0)
		return 0;
	in_s = ratelimit_reset_seconds(reset_epoch);
	if (in_s <= 0 || in_s > RL_MAX_RESET_S)
		return 0;
	now = monoclock_ns();
	return ratelimit_observe_at(rl, now, limit, remaining,
				    now + (int64_t)(in_s * (double)RL_NS));
}

int ratelimit_pause_at(struct shm_ratelimit *rl, int64_t now_ns, double seconds)
{
	int64_t until;
	int rc;

	if (!(seconds > 0))
		seconds = 0;
	if (seconds > RETRY_MAX_PAUSE_S)
		seconds = RETRY_MAX_PAUSE_S;
	until = now_ns + (int64_t)(seconds * (double)RL_NS);
	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	ratelimit_refill(rl, now_ns);
	rl->throttled++;
	/* Workers whose requests were in flight get 429s too: only the first one slows down. */
	if (now_ns >= rl->pause_until) {
		rl->rate /= 2;
		if (rl->rate < RATELIMIT_MIN_RATE)
			rl->rate = RATELIMIT_MIN_RATE;
	}
	rl->last_429 = now_ns;
	if (until > rl->pause_until)
		rl->pause_until = until;
	/* Everybody waited: start again gently, not with a full bucket. */
	rl->tokens = 0;
	if (rl->last_ns < rl->pause_until)
		rl->last_ns = rl->pause_until;
	shm_lock_leave(&rl->lock);
	return 0;
}

int ratelimit_pause(struct shm_ratelimit *rl, double seconds)
{
	if (rl == NULL)
		return 0;
	return ratelimit_pause_at(rl, monoclock_ns(), seconds);
}

int ratelimit_pause_class_at(struct shm_ratelimit *rl, enum ratelimit_class cls, int64_t now_ns,
			     double retry_after_s)
{
	int rc;

	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	ratelimit_class_refill(&rl->cls[(unsigned)cls < RL_CLASS_COUNT ? cls : RL_CLASS_OTHER],
			       now_ns);
	ratelimit_class_throttled(&rl->cls[(unsigned)cls < RL_CLASS_COUNT ? cls : RL_CLASS_OTHER],
				  now_ns, retry_after_s);
	shm_lock_leave(&rl->lock);
	return 0;
}

int ratelimit_pause_class(struct shm_ratelimit *rl, enum ratelimit_class cls, double retry_after_s)
{
	if (rl == NULL)
		return 0;
	return ratelimit_pause_class_at(rl, cls, monoclock_ns(), retry_after_s);
}

int ratelimit_set_budgets(struct shm_ratelimit *rl, const long limits[RL_CLASS_COUNT])
{
	int rc;

	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	for (int i = 0; i < RL_CLASS_COUNT; i++) {
		ratelimit_class_set_limit(&rl->cls[i], limits[i]);
		rl->cls[i].tokens = rl->cls[i].burst;
	}
	shm_lock_leave(&rl->lock);
	return 0;
}

int ratelimit_set_window(struct shm_ratelimit *rl, double seconds)
{
	int rc;

	if (!(seconds >= 1))
		return glm_error_set(GLM_EUSAGE, "an endpoint window of %g s", seconds);
	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	for (int i = 0; i < RL_CLASS_COUNT; i++) {
		rl->cls[i].interval_s = seconds;
		ratelimit_class_set_limit(&rl->cls[i], (long)rl->cls[i].limit);
	}
	shm_lock_leave(&rl->lock);
	return 0;
}

int ratelimit_pauses(struct shm_ratelimit *rl, int64_t until[RL_CLASS_COUNT])
{
	int rc;

	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	for (int i = 0; i < RL_CLASS_COUNT; i++)
		until[i] = rl->cls[i].pause_until;
	shm_lock_leave(&rl->lock);
	return 0;
}

int ratelimit_stats(struct shm_ratelimit *rl, struct ratelimit_stats *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ratelimit_lock(rl)) < 0)
		return rc;
	out->requests = rl->requests;
	out->throttled = rl->throttled;
	out->waits = rl->waits;
	out->wait_s = (double)__atomic_load_n(&rl->wait_ns, __ATOMIC_RELAXED) / (double)RL_NS;
	out->in_flight = rl->in_flight;
	out->max_in_flight = rl->max_in_flight;
	out->repairs = rl->lock.repairs;
	out->rate = rl->rate;
	out->tokens = rl->tokens;
	for (int i = 0; i < RL_CLASS_COUNT; i++) {
		out->class_throttled[i] = rl->cls[i].throttled;
		out->class_limit[i] = rl->cls[i].limit;
	}
	shm_lock_leave(&rl->lock);
	return 0;
}
