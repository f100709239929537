#include "shm.h"

#include <errno.h>
#include <string.h>

#include "error.h"
#include "log.h"

int shm_lock_init(struct shm_lock *lock)
{
	pthread_mutexattr_t attr;
	int rc;

	memset(lock, 0, sizeof(*lock));
	if ((rc = pthread_mutexattr_init(&attr)) != 0)
		return glm_error_errno(GLM_ERR, rc, "mutex attributes");
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(&lock->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0)
		return glm_error_errno(GLM_ERR, rc, "robust process-shared mutex");
	return 0;
}

/* The previous holder died inside its critical section: repair, then mark consistent. */
static int shm_lock_recover(struct shm_lock *lock, shm_repair_fn repair, void *ctx)
{
	int rc;

	lock->repairs++;
	log_verbose("a process died holding a shared lock; repairing its state");
	if (repair != NULL)
		repair(ctx);
	rc = pthread_mutex_consistent(&lock->mutex);
	if (rc != 0)
		return glm_error_errno(GLM_ERR, rc, "pthread_mutex_consistent");
	return 0;
}

int shm_lock_enter(struct shm_lock *lock, shm_repair_fn repair, void *ctx)
{
	int rc = pthread_mutex_lock(&lock->mutex);

	if (rc == EOWNERDEAD)
		return shm_lock_recover(lock, repair, ctx);
	if (rc != 0)
		return glm_error_errno(GLM_ERR, rc, "locking shared state");
	return 0;
}

void shm_lock_leave(struct shm_lock *lock)
{
	pthread_mutex_unlock(&lock->mutex);
}

int shm_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int rc;

	if ((rc = pthread_condattr_init(&attr)) != 0)
		return glm_error_errno(GLM_ERR, rc, "condition attributes");
	rc = pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0)
		return glm_error_errno(GLM_ERR, rc, "process-shared condition variable");
	return 0;
}

int shm_cond_wait(pthread_cond_t *cond, struct shm_lock *lock, const struct timespec *abs_deadline,
		  shm_repair_fn repair, void *ctx)
{
	int rc;

	if (abs_deadline != NULL)
		rc = pthread_cond_timedwait(cond, &lock->mutex, abs_deadline);
	else
		rc = pthread_cond_wait(cond, &lock->mutex);
	if (rc == EOWNERDEAD)
		return shm_lock_recover(lock, repair, ctx);
	if (rc != 0 && rc != ETIMEDOUT)
		return glm_error_errno(GLM_ERR, rc, "waiting on shared state");
	return 0;
}
